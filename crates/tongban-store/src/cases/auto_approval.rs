//! Submission of a case whose item is decided by rules: the applicant's submission and, when
//! the rules pass, the rule set's acceptance, review steps, approval and issue, all in one
//! write. Each step is audited under the rule-set version (`rules:<code>@v<n>`); a case the
//! rules cannot approve stays with the clerk, carrying the trace that says why.

use crate::{Result, Store};
use tongban_domain::calendar::Calendar;
use tongban_domain::cases::auto_approval::{may_auto_approve, next_command, rules_actor};
use tongban_domain::cases::{ApplicantStanding, HistoryEntry};
use tongban_domain::cases::{Case, CaseError, CaseState, Context, Effects, apply};
use tongban_domain::rules::{Facts, RuleSet};

/// The rule set in force for the case's item, and the facts it will read.
pub struct AutoRules {
    pub rule_set: RuleSet,
    pub facts: Facts,
    pub standing: ApplicantStanding,
}

impl Store {
    /// `change_case`; then, if `rules` is given and the change left the case received (a
    /// submission), decides it by the rules in the same write.
    pub async fn change_case_with_rules(
        &self,
        actor: &str,
        id: &str,
        action: &str,
        detail: Option<&serde_json::Value>,
        f: impl FnOnce(&Case, &Calendar, jiff::Timestamp) -> Result<(Case, Effects), CaseError>,
        rules: Option<AutoRules>,
    ) -> Result<Case> {
        let mut w = self.begin_write(actor).await?;
        let now = w.now();
        let before = Self::case_in(&mut w, id).await?;
        let cal = self.calendar();
        let (case, fx) = f(&before, &cal, now)?;
        let mut case = self
            .write_case_change(&mut w, &before, case, fx, action, detail)
            .await?;
        if let Some(r) = rules
            && case.state == CaseState::Submitted
        {
            let decision = r.rule_set.decide(&r.facts);
            self.record_decision(
                &mut w,
                "case",
                &case.id,
                &case.applicant_name,
                &r.facts,
                &decision,
            )
            .await?;
            w.act_as(&r.rule_set.actor());
            let ctx = Context {
                now,
                calendar: &cal,
                standing: r.standing,
            };
            let mut decided = case.clone();
            decided.rule_decision = Some(decision.clone());
            let username = r.rule_set.actor();
            // Try the whole chain in memory first: should the item's process refuse a step, the
            // case goes to the clerk rather than the submission failing.
            let chain_runs = || {
                let mut c = decided.clone();
                while let Some(cmd) = next_command(&c, &decision, &r.rule_set.name) {
                    match apply(&c, &cmd, &rules_actor(&username, &c), &ctx) {
                        Ok((next, _)) => c = next,
                        Err(_) => return false,
                    }
                }
                true
            };
            if may_auto_approve(&decision, &ctx) && chain_runs() {
                // Each step applies to the case as written by the step before (with its
                // numbered notices), so the chain reads exactly like a clerk's.
                let mut prev = case.clone();
                let mut cur = decided;
                while let Some(cmd) = next_command(&cur, &decision, &r.rule_set.name) {
                    let (next, fx) = apply(&cur, &cmd, &rules_actor(&username, &cur), &ctx)?;
                    let detail = serde_json::to_value(&cmd).expect("commands serialise");
                    cur = self
                        .write_case_change(&mut w, &prev, next, fx, cmd.name(), Some(&detail))
                        .await?;
                    prev = cur.clone();
                }
                case = cur;
            } else {
                // To the clerk, with the trace.
                decided.history.push(HistoryEntry {
                    at: now,
                    by: r.rule_set.actor(),
                    action: "rules_referred".into(),
                    note: decision.outcome.as_str().into(),
                });
                let detail = serde_json::json!({ "outcome": decision.outcome });
                case = self
                    .write_case_change(
                        &mut w,
                        &case,
                        decided,
                        Effects::default(),
                        "rules_referred",
                        Some(&detail),
                    )
                    .await?;
            }
        }
        if let Some(link) = &case.bundle {
            self.advance_bundle(&mut w, &link.id).await?;
        }
        w.commit().await?;
        Ok(case)
    }
}
