//! `/api/v1/rules`: rule sets as data. Check a draft (every problem named), save it as the next
//! version, publish, replay it over past decisions (what-if), evaluate it for given facts on a
//! given day, and mark items for automatic approval.

use super::{EDITORS, READERS, WhatIf};
use crate::AppState;
use crate::api::{ApiJson, Many, One, Problem, many};
use crate::auth::CsrfChecked;
use crate::auth::Viewer;
use crate::error::AppResult;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tongban_domain::FieldErrors;
use tongban_domain::rules::{self, Decision, FactDef, parse_value};
use tongban_store::rules::RuleSetRow;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rule_sets, save_rule_set))
        .routes(routes!(check_rule_set))
        .routes(routes!(what_if))
        .routes(routes!(facts))
        .routes(routes!(versions))
        .routes(routes!(publish))
        .routes(routes!(evaluate))
        .routes(routes!(list_auto_items))
        .routes(routes!(set_auto_item))
}

/// A rule-set document (TOML) as an administrator writes it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSetSource {
    /// The TOML text; see `data/xihu/rules/README.md` for the format.
    pub source: String,
    /// Save as published at once (otherwise a draft).
    #[serde(default)]
    pub publish: bool,
}

/// What a valid document contains.
#[derive(Serialize, ToSchema)]
pub struct CheckResult {
    pub code: String,
    pub name: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    /// Questions the application form will ask.
    pub form: Vec<FactDef>,
    pub tables: usize,
    pub rules: usize,
    pub has_amount: bool,
}

fn compile(source: &str) -> Result<rules::RuleSet, FieldErrors> {
    if source.len() > 100_000 {
        let mut e = FieldErrors::new();
        e.push_detail("source", "too_long", "100000");
        return Err(e);
    }
    rules::compile(source)
}

/// The newest version of every rule set.
#[utoipa::path(get, path = "/api/v1/rules", tag = "rules", security(("bearer" = [])),
    responses((status = 200, body = Many<RuleSetRow>)))]
async fn list_rule_sets(
    State(state): State<AppState>,
    viewer: Viewer,
) -> AppResult<Json<Many<RuleSetRow>>> {
    viewer.require(READERS)?;
    let rows = state.store.rule_sets().await?;
    Ok(many(rows))
}

/// Checks a document without saving it: 200 with its outline, or 422 naming every problem
/// (`rules[2].when: unknown_fact enterprise.foo @5`, a table's missing or overlapping rows…).
#[utoipa::path(post, path = "/api/v1/rules/check", tag = "rules", request_body = RuleSetSource, security(("bearer" = [])),
    responses((status = 200, body = One<CheckResult>)))]
async fn check_rule_set(
    State(_state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    ApiJson(body): ApiJson<RuleSetSource>,
) -> AppResult<Json<One<CheckResult>>> {
    viewer.require(READERS)?;
    let rs = compile(&body.source)?;
    Ok(crate::api::one(CheckResult {
        code: rs.code.clone(),
        name: rs.name.clone(),
        valid_from: rs.valid_from.to_string(),
        valid_to: rs.valid_to.map(|d| d.to_string()),
        form: rs.form.clone(),
        tables: rs.tables.len(),
        rules: rs.rules.len(),
        has_amount: rs.amount.is_some(),
    }))
}

/// Saves a checked document as the next version of its rule set (draft unless `publish`).
#[utoipa::path(post, path = "/api/v1/rules", tag = "rules", request_body = RuleSetSource, security(("bearer" = [])),
    responses((status = 201, body = One<RuleSetRow>)))]
async fn save_rule_set(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    ApiJson(body): ApiJson<RuleSetSource>,
) -> AppResult<(StatusCode, Json<One<RuleSetRow>>)> {
    let user = viewer.require(EDITORS)?;
    let rs = compile(&body.source)?;
    let version = state
        .store
        .save_rule_set(&user.username, &rs, body.publish)
        .await?;
    let row = state
        .store
        .rule_set_version(&rs.code, version)
        .await?
        .expect("just saved");
    Ok((StatusCode::CREATED, crate::api::one(row)))
}

/// Replays a draft over the rule set's past decisions (newest 5000), on the facts each was made
/// on, and lists those it would decide differently. Nothing is saved.
#[utoipa::path(post, path = "/api/v1/rules/what-if", tag = "rules", request_body = RuleSetSource, security(("bearer" = [])),
    responses((status = 200, body = One<WhatIf>)))]
async fn what_if(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    ApiJson(body): ApiJson<RuleSetSource>,
) -> AppResult<Json<One<WhatIf>>> {
    viewer.require(READERS)?;
    let rs = compile(&body.source)?;
    Ok(crate::api::one(super::what_if(&state, &rs).await?))
}

/// The facts every rule set may read (`form.*` facts are declared by each rule set).
#[utoipa::path(get, path = "/api/v1/rules/facts", tag = "rules",
    responses((status = 200, body = Many<FactDef>)))]
async fn facts() -> Json<Many<FactDef>> {
    many(rules::builtin_facts())
}

/// Every version of one rule set, newest first.
#[utoipa::path(get, path = "/api/v1/rules/{code}", tag = "rules", security(("bearer" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = Many<RuleSetRow>)))]
async fn versions(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> AppResult<Json<Many<RuleSetRow>>> {
    viewer.require(READERS)?;
    let rows = state.store.rule_set_versions(&code).await?;
    if rows.is_empty() {
        return Err(crate::error::AppError::NotFound);
    }
    Ok(many(rows))
}

/// Publishes a draft version.
#[utoipa::path(post, path = "/api/v1/rules/{code}/versions/{version}/publish", tag = "rules", security(("bearer" = [])),
    params(("code" = String, Path), ("version" = i64, Path)),
    responses((status = 200, body = One<RuleSetRow>), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn publish(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    Path((code, version)): Path<(String, i64)>,
) -> AppResult<Json<One<RuleSetRow>>> {
    let user = viewer.require(EDITORS)?;
    state
        .store
        .publish_rule_set(&user.username, &code, version)
        .await?;
    let row = state
        .store
        .rule_set_version(&code, version)
        .await?
        .expect("just published");
    Ok(crate::api::one(row))
}

/// Facts typed as people write them (`"20万元"`, `"是"`, `"2026-01-01"`), and the day whose
/// version in force should judge them (default today).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluateRequest {
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<jiff::civil::Date>,
    pub facts: BTreeMap<String, String>,
}

/// Judges the given facts by the version in force on `date`, with the full trace.
#[utoipa::path(post, path = "/api/v1/rules/{code}/evaluate", tag = "rules", request_body = EvaluateRequest, security(("bearer" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = One<Decision>), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn evaluate(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<EvaluateRequest>,
) -> AppResult<Json<One<Decision>>> {
    viewer.require(READERS)?;
    let date = req
        .date
        .unwrap_or_else(|| tongban_domain::cases::local_date(state.store.now()));
    let rs = state.store.rule_set_in_force(&code, date).await?.ok_or(
        crate::error::AppError::Conflict {
            field: "date",
            code: "no_rule_set_in_force",
        },
    )?;
    let mut types: BTreeMap<String, rules::Type> = rules::builtin_facts()
        .into_iter()
        .map(|f| (f.key, f.ty))
        .collect();
    types.extend(rs.form.iter().map(|f| (f.key.clone(), f.ty)));
    let mut e = FieldErrors::new();
    let mut facts = rules::Facts::new();
    facts.insert("today".into(), rules::Value::Date(date));
    for (k, text) in &req.facts {
        match types.get(k) {
            None => e.push_detail(format!("facts.{k}"), "unknown_fact", k.clone()),
            Some(ty) => match parse_value(*ty, text) {
                Some(v) => {
                    facts.insert(k.clone(), v);
                }
                None => e.push_detail(format!("facts.{k}"), "bad_value", ty.key()),
            },
        }
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(crate::api::one(rs.decide(&facts)))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AutoItem {
    pub item_code: String,
    /// The rule set that decides it; `null` to hand the item back to clerks.
    pub rule_set: Option<String>,
}

/// Items approved automatically, with their rule sets.
#[utoipa::path(get, path = "/api/v1/rules/items", tag = "rules",
    responses((status = 200, body = Many<AutoItem>)))]
async fn list_auto_items(State(state): State<AppState>) -> AppResult<Json<Many<AutoItem>>> {
    let rows = state.store.item_rules().await?;
    Ok(many(
        rows.into_iter()
            .map(|(item_code, rs)| AutoItem {
                item_code,
                rule_set: Some(rs),
            })
            .collect(),
    ))
}

/// Marks an item for automatic approval by a rule set, or hands it back to clerks.
#[utoipa::path(put, path = "/api/v1/rules/items", tag = "rules", request_body = AutoItem, security(("bearer" = [])),
    responses((status = 200, body = One<AutoItem>)))]
async fn set_auto_item(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    ApiJson(body): ApiJson<AutoItem>,
) -> AppResult<Json<One<AutoItem>>> {
    let user = viewer.require(EDITORS)?;
    state
        .store
        .set_item_rule(&user.username, &body.item_code, body.rule_set.as_deref())
        .await?;
    Ok(crate::api::one(body))
}
