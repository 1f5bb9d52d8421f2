//! Automatic approval (无人干预自动审批): when an item's rule set passes for a submitted case and
//! the applicant's credit allows, the rule set itself accepts, completes every review step,
//! approves and issues, each as an ordinary command in the same write, so the case's history,
//! notices and audit trail read exactly like a clerk's, with the rule-set version as the actor.

use super::{Actor, Case, CaseState, Command, Context};
use crate::accounts::Role;
use crate::rules::{Decision, Outcome};

/// Whether the rules may decide alone. Anything but a pass by an applicant in good standing
/// goes to a clerk, with the trace showing why.
pub fn may_auto_approve(decision: &Decision, ctx: &Context) -> bool {
    decision.outcome == Outcome::Pass && !ctx.standing.commitment_barred
}

/// The next command the rule set runs on a case it decides: accept, each review step,
/// approve, issue; `None` once issued (or if the case is in no state the rules act in).
pub fn next_command(case: &Case, decision: &Decision, rule_set_name: &str) -> Option<Command> {
    let opinion = format!(
        "经《{rule_set_name}》（第{}版）全部规则判定满足",
        decision.version
    );
    match case.state {
        CaseState::Submitted => Some(Command::Accept {
            commitments: Vec::new(),
        }),
        CaseState::Review if case.next_step().is_some() => Some(Command::CompleteStep { opinion }),
        CaseState::Review => Some(Command::Approve {
            reasons: format!("{opinion}，系统自动准予许可"),
        }),
        CaseState::Approved => Some(Command::Issue),
        _ => None,
    }
}

/// The actor a rule set acts as: `rules:<code>@v<version>`, of the case's unit.
pub fn rules_actor<'a>(username: &'a str, case: &'a Case) -> Actor<'a> {
    Actor {
        username,
        role: Role::Admin,
        unit: Some(case.unit.as_str()),
    }
}
