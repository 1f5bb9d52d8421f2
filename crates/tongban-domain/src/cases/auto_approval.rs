//! Automatic approval (无人干预自动审批): when an item's rule set passes for a submitted case and
//! the applicant's credit allows, the rule set itself accepts, completes every review step,
//! approves and issues, each as an ordinary command in the same write, so the case's history,
//! notices and audit trail read exactly like a clerk's, with the rule-set version as the actor.

use super::{Actor, Case, CaseError, CaseState, Command, Context, Effects, apply};
use crate::accounts::Role;
use crate::rules::{Decision, Outcome};

/// Whether the rules may decide alone. Anything but a pass by an applicant in good standing
/// goes to a clerk, with the trace showing why.
pub fn may_auto_approve(decision: &Decision, ctx: &Context) -> bool {
    decision.outcome == Outcome::Pass && !ctx.standing.commitment_barred
}

/// The chain of commands the rule set runs on a submitted case, each with the case after it.
pub fn auto_approve(
    case: &Case,
    decision: &Decision,
    rule_set_name: &str,
    ctx: &Context,
) -> Result<Vec<(Command, Case, Effects)>, CaseError> {
    let username = format!("rules:{}@v{}", decision.rule_set, decision.version);
    let actor = Actor {
        username: &username,
        role: Role::Admin,
        unit: Some(case.unit.as_str()),
    };
    let mut steps = Vec::new();
    let mut c = case.clone();
    let opinion = format!(
        "经《{rule_set_name}》（第{}版）全部规则判定满足",
        decision.version
    );
    let mut next = Some(Command::Accept {
        commitments: Vec::new(),
    });
    while let Some(cmd) = next.take() {
        let (after, fx) = apply(&c, &cmd, &actor, ctx)?;
        next = match after.state {
            CaseState::Review if after.next_step().is_some() => Some(Command::CompleteStep {
                opinion: opinion.clone(),
            }),
            CaseState::Review => Some(Command::Approve {
                reasons: format!("{opinion}，系统自动准予许可"),
            }),
            CaseState::Approved => Some(Command::Issue),
            _ => None,
        };
        steps.push((cmd, after.clone(), fx));
        c = after;
    }
    Ok(steps)
}
