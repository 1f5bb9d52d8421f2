//! Rules as data over HTTP: rule sets (check, save, publish, what-if, evaluate), the items
//! decided automatically (the facts a case gives the rules are `tongban_app::rules`). The engine itself is
//! `tongban_domain::rules`; submission with automatic approval is `Store::submit_case`.

pub mod api;
pub mod pages;

use crate::AppState;
use crate::error::AppResult;
use tongban_domain::accounts::Role;
use tongban_domain::rules::{Decision, RuleSet};
use tongban_store::rules::PastDecision;

/// Who edits and publishes rule sets.
pub const EDITORS: &[Role] = &[Role::Admin];
/// Who reads rule sets, tries drafts and evaluates: staff who apply them and supervisors.
pub const READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Clerk, Role::Approver];

/// A past decision and what the draft would decide on the same facts.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct WhatIfRow {
    pub subject_kind: String,
    pub subject_id: String,
    pub subject_name: String,
    pub decided_at: String,
    pub before: Decision,
    pub after: Decision,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct WhatIf {
    pub rule_set: String,
    /// Past decisions replayed.
    pub compared: usize,
    /// Those the draft would decide differently (outcome or amount).
    pub changed: Vec<WhatIfRow>,
}

/// How many past decisions a what-if replays (newest first).
pub const WHAT_IF_LIMIT: i64 = 5000;

/// Replays a draft over the rule set's past decisions, on the facts each was made on.
pub async fn what_if(state: &AppState, draft: &RuleSet) -> AppResult<WhatIf> {
    let past: Vec<PastDecision> = state
        .store
        .past_decisions(&draft.code, WHAT_IF_LIMIT)
        .await?;
    let compared = past.len();
    let changed = past
        .into_iter()
        .filter_map(|p| {
            let after = draft.decide(&p.facts);
            p.decision.differs(&after).then_some(WhatIfRow {
                subject_kind: p.subject_kind,
                subject_id: p.subject_id,
                subject_name: p.subject_name,
                decided_at: p.decided_at,
                before: p.decision,
                after,
            })
        })
        .collect();
    Ok(WhatIf {
        rule_set: draft.code.clone(),
        compared,
        changed,
    })
}
