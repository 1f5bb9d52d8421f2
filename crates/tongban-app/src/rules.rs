//! What the rules see of a case: the rule set that decides its item today, the answers to the
//! rule set's questions, and the facts a submitted case gives (`tongban_domain::rules` judges).

use crate::Result;
use tongban_domain::FieldErrors;
use tongban_domain::bundles::names;
use tongban_domain::cases::{Case, local_date};
use tongban_domain::ids::Uscc;
use tongban_domain::rules::{FactDef, Facts, RuleSet, Value, parse_value};
use tongban_store::Store;

/// The rule set that decides a case's item today, if the item is decided automatically.
pub async fn rule_set_for_item(store: &Store, item_code: &str) -> Result<Option<RuleSet>> {
    let Some(code) = store.item_rule(item_code).await? else {
        return Ok(None);
    };
    let today = local_date(store.now());
    Ok(store.rule_set_in_force(&code, today).await?)
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
pub async fn case_facts(store: &Store, case: &Case, rs: &RuleSet) -> Result<Facts> {
    let today = local_date(store.now());
    let mut facts = Facts::new();
    let enterprise = Uscc::parse(&case.applicant_id_number).is_ok();
    if enterprise
        && let Some((_, ef)) = store
            .enterprise_facts(&case.applicant_id_number, today)
            .await?
    {
        facts.extend(ef);
    }
    facts.insert("today".into(), Value::Date(today));
    facts.insert("applicant.is_enterprise".into(), Value::Bool(enterprise));
    let standing = store.credit_standing_of_user(&case.applicant).await?;
    let barred = standing.has(tongban_domain::credit::lists::Effect::NoCommitment);
    facts.insert("applicant.credit_good".into(), Value::Bool(!barred));
    for (k, v) in standing.facts() {
        facts.insert(k.into(), Value::Bool(v));
    }
    let complete = case
        .materials
        .iter()
        .all(|m| !m.required || m.is_provided());
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
        let registered = store.enterprise_names().await?;
        let clashes = names::check(new_name, registered.iter().map(String::as_str));
        let available = clashes.iter().all(|c| c.existing == old);
        facts.insert("case.name_available".into(), Value::Bool(available));
    }
    Ok(facts)
}
