//! Rules as data over HTTP: rule sets (check, save, publish, what-if, evaluate), the items
//! decided automatically, and the facts a case gives the rules. The engine itself is
//! `tongban_domain::rules`; submission with automatic approval is `Store::submit_case`.

pub mod api;
pub mod pages;

use crate::AppState;
use crate::error::AppResult;
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::bundles::names;
use tongban_domain::cases::{Case, local_date};
use tongban_domain::ids::Uscc;
use tongban_domain::rules::{Decision, FactDef, Facts, RuleSet, Value, parse_value};
use tongban_store::rules::PastDecision;

/// Who edits and publishes rule sets.
pub const EDITORS: &[Role] = &[Role::Admin];
/// Who reads rule sets, tries drafts and evaluates: staff who apply them and supervisors.
pub const READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Clerk, Role::Approver];

/// The rule set that decides a case's item today, if the item is decided automatically.
pub async fn rule_set_for_item(state: &AppState, item_code: &str) -> AppResult<Option<RuleSet>> {
    let Some(code) = state.store.item_rule(item_code).await? else {
        return Ok(None);
    };
    let today = local_date(state.store.now());
    Ok(state.store.rule_set_in_force(&code, today).await?)
}

/// Checks the answers to a rule set's form questions: each given answer must read as its type;
/// with `complete`, every question must be answered (at submission).
pub fn check_fields(
    defs: &[FactDef],
    fields: &std::collections::BTreeMap<String, String>,
    complete: bool,
) -> FieldErrors {
    let mut e = FieldErrors::new();
    for d in defs {
        let key = d.key.trim_start_matches("form.");
        let field = format!("form.fields.{key}");
        match fields.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None if complete && d.ty != tongban_domain::rules::Type::Bool => {
                e.push(field, "required")
            }
            None => {}
            Some(v) if parse_value(d.ty, v).is_none() => {
                e.push_detail(field, "bad_value", d.ty.key())
            }
            Some(v) if v.chars().count() > 200 => e.push_detail(field, "too_long", "200"),
            Some(_) => {}
        }
    }
    for k in fields.keys() {
        if !defs.iter().any(|d| d.key.trim_start_matches("form.") == k) {
            e.push(format!("form.fields.{k}"), "unknown_field");
        }
    }
    e
}

/// Everything the rules may read about a submitted case: the form's answers (typed), the
/// applicant's credit and enterprise facts, its materials, and the day of judgement.
pub async fn case_facts(state: &AppState, case: &Case, rs: &RuleSet) -> AppResult<Facts> {
    let today = local_date(state.store.now());
    let mut facts = Facts::new();
    let enterprise = Uscc::parse(&case.applicant_id_number).is_ok();
    if enterprise
        && let Some((_, ef)) = state
            .store
            .enterprise_facts(&case.applicant_id_number, today)
            .await?
    {
        facts.extend(ef);
    }
    facts.insert("today".into(), Value::Date(today));
    facts.insert("applicant.is_enterprise".into(), Value::Bool(enterprise));
    let barred = state.store.commitment_barred(&case.applicant).await?;
    facts.insert("applicant.credit_good".into(), Value::Bool(!barred));
    let complete = case
        .materials
        .iter()
        .all(|m| !m.required || m.file.is_some() || m.shared_by.is_some());
    facts.insert("case.materials_complete".into(), Value::Bool(complete));
    facts.insert("case.proxy".into(), Value::Bool(case.proxy.is_some()));
    for d in &rs.form {
        let key = d.key.trim_start_matches("form.");
        let answer = case.form.fields.get(key).map(|s| s.trim());
        let v = match answer {
            Some(a) if !a.is_empty() => parse_value(d.ty, a),
            // An unticked box is a "no"; other unanswered questions stay missing.
            _ if d.ty == tongban_domain::rules::Type::Bool => Some(Value::Bool(false)),
            _ => None,
        };
        if let Some(v) = v {
            facts.insert(d.key.clone(), v);
        }
    }
    if let Some(new_name) = case.form.fields.get("new_name").map(|s| s.trim())
        && !new_name.is_empty()
    {
        let old = case
            .form
            .fields
            .get("old_name")
            .map(|s| s.trim())
            .unwrap_or("");
        let registered = state.store.enterprise_names().await?;
        let clashes = names::check(new_name, registered.iter().map(String::as_str));
        let available = clashes.iter().all(|c| c.existing == old);
        facts.insert("case.name_available".into(), Value::Bool(available));
    }
    Ok(facts)
}

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
