//! `/api/v1/policies` and `/api/v1/declarations`.

use super::{Beneficiary, OFFICE, PolicyFigures};
use crate::AppState;
use crate::api::{ApiJson, Many, One, Problem, many};
use crate::auth::CsrfChecked;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tongban_domain::FieldErrors;
use tongban_domain::policies::{Declaration, DeclarationState, Policy};
use tongban_domain::rules::Decision;
use tongban_store::policies::{GrantReport, PolicyRow};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_policies))
        .routes(routes!(get_policy, save_policy))
        .routes(routes!(matches))
        .routes(routes!(declare))
        .routes(routes!(run_grants))
        .routes(routes!(list_beneficiaries))
        .routes(routes!(list_declarations))
        .routes(routes!(get_declaration))
        .routes(routes!(sign_off))
        .routes(routes!(pay))
}

/// A policy with its budget and figures.
#[derive(Serialize, ToSchema)]
pub struct PolicyView {
    #[serde(flatten)]
    pub policy: Policy,
    pub committed_fen: i64,
    pub paid_fen: i64,
    pub remaining_fen: i64,
    pub figures: PolicyFigures,
}

async fn policy_view(state: &AppState, p: PolicyRow) -> AppResult<PolicyView> {
    let claims = super::claims(state, &p.policy.code).await?;
    Ok(PolicyView {
        committed_fen: p.committed_fen,
        paid_fen: p.paid_fen,
        remaining_fen: p.remaining_fen(),
        figures: super::figures(&claims),
        policy: p.policy,
    })
}

/// Every benefit policy, with plain-language summary, interpretation, flowchart, budget and
/// figures (public).
#[utoipa::path(get, path = "/api/v1/policies", tag = "policies",
    responses((status = 200, body = Many<PolicyView>)))]
async fn list_policies(State(state): State<AppState>) -> AppResult<Json<Many<PolicyView>>> {
    let mut out = Vec::new();
    for p in state.store.policies().await? {
        out.push(policy_view(&state, p).await?);
    }
    Ok(many(out))
}

#[utoipa::path(get, path = "/api/v1/policies/{code}", tag = "policies",
    params(("code" = String, Path)),
    responses((status = 200, body = One<PolicyView>)))]
async fn get_policy(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Json<One<PolicyView>>> {
    let p = state.store.policy(&code).await?.ok_or(AppError::NotFound)?;
    Ok(crate::api::one(policy_view(&state, p).await?))
}

/// Creates or replaces a policy (the office). The budget may not fall below what is reserved.
#[utoipa::path(put, path = "/api/v1/policies/{code}", tag = "policies", request_body = Policy, security(("bearer" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = One<PolicyView>)))]
async fn save_policy(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    Path(code): Path<String>,
    ApiJson(p): ApiJson<Policy>,
) -> AppResult<Json<One<PolicyView>>> {
    let user = viewer.require(OFFICE)?;
    let units = state.store.unit_codes().await?;
    let mut e = p.validate(&|u| units.iter().any(|x| x == u));
    if p.code != code {
        e.push("code", "path_mismatch");
    }
    if state.store.rule_set_versions(&p.rule_set).await?.is_empty() {
        e.push_detail("rule_set", "unknown_rule_set", p.rule_set.clone());
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    state.store.save_policy(&user.username, &p).await?;
    let row = state.store.policy(&code).await?.expect("just saved");
    Ok(crate::api::one(policy_view(&state, row).await?))
}

/// One policy judged for the signed-in enterprise: whether it qualifies, the amount, why.
#[derive(Serialize, ToSchema)]
pub struct PolicyMatchView {
    pub code: String,
    pub name: String,
    pub exempt: bool,
    /// `None` when no rule-set version is in force today.
    pub decision: Option<Decision>,
    /// Its declaration or grant, if any.
    pub claim: Option<Declaration>,
}

/// The policies open today, judged for the signed-in enterprise.
#[utoipa::path(get, path = "/api/v1/policies/matches", tag = "policies", security(("bearer" = [])),
    responses((status = 200, body = Many<PolicyMatchView>)))]
async fn matches(
    State(state): State<AppState>,
    viewer: Viewer,
) -> AppResult<Json<Many<PolicyMatchView>>> {
    Ok(many(my_matches(&state, &viewer).await?))
}

pub async fn my_matches(state: &AppState, viewer: &Viewer) -> AppResult<Vec<PolicyMatchView>> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    let ms = tongban_app::policies::matches(&state.store, user).await?;
    Ok(ms
        .into_iter()
        .map(|m| PolicyMatchView {
            code: m.row.policy.code,
            name: m.row.policy.name,
            exempt: m.row.policy.exempt,
            decision: m.decision,
            claim: m.claim,
        })
        .collect())
}

/// Declares for a policy (enterprise applicants). A multipart body with one file per material
/// the policy asks for, as `material_0`, `material_1`, … The rules decide eligibility and the
/// amount at once; only a pass with an amount may be declared.
#[utoipa::path(post, path = "/api/v1/policies/{code}/declarations", tag = "policies", security(("bearer" = [])),
    params(("code" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "`material_0`, `material_1`, … files"),
    responses((status = 201, body = One<Declaration>), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn declare(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    Path(code): Path<String>,
    multipart: Multipart,
) -> AppResult<(StatusCode, Json<One<Declaration>>)> {
    let parts = crate::cases::read_parts(multipart).await?;
    let d = declare_with(&state, &viewer, &code, parts).await?;
    Ok((StatusCode::CREATED, crate::api::one(d)))
}

pub async fn declare_with(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    parts: crate::cases::Parts,
) -> AppResult<Declaration> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    let uploads = parts
        .files
        .into_iter()
        .map(|(field, up)| (field, up.into()))
        .collect();
    Ok(tongban_app::policies::declare(&state.store, user, code, uploads).await?)
}

/// Runs 免申即享 for an exempt policy: every qualifying enterprise not yet granted is granted,
/// budget permitting (the office, or the policy's departments).
#[utoipa::path(post, path = "/api/v1/policies/{code}/grants", tag = "policies", security(("bearer" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = One<GrantReportView>), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn run_grants(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    Path(code): Path<String>,
) -> AppResult<Json<One<GrantReportView>>> {
    let r = grants_by(&state, &viewer, &code).await?;
    Ok(crate::api::one(r.into()))
}

pub async fn grants_by(state: &AppState, viewer: &Viewer, code: &str) -> AppResult<GrantReport> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    Ok(tongban_app::policies::grant(&state.store, user, code).await?)
}

#[derive(Serialize, ToSchema)]
pub struct GrantReportView {
    pub granted: u32,
    pub budget_exhausted: u32,
    pub already_granted: u32,
    pub not_eligible: u32,
    pub undecided: u32,
}

impl From<GrantReport> for GrantReportView {
    fn from(r: GrantReport) -> Self {
        GrantReportView {
            granted: r.granted,
            budget_exhausted: r.budget_exhausted,
            already_granted: r.already_granted,
            not_eligible: r.not_eligible,
            undecided: r.undecided,
        }
    }
}

/// The published beneficiaries of a policy: approved and paid claims (public).
#[utoipa::path(get, path = "/api/v1/policies/{code}/beneficiaries", tag = "policies",
    params(("code" = String, Path)),
    responses((status = 200, body = Many<Beneficiary>)))]
async fn list_beneficiaries(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Json<Many<Beneficiary>>> {
    state.store.policy(&code).await?.ok_or(AppError::NotFound)?;
    let claims = super::claims(&state, &code).await?;
    Ok(many(super::beneficiaries(&claims)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeclarationQuery {
    pub policy: Option<String>,
    /// `under_review`, `approved`, `rejected`, `budget_exhausted`, `paid`.
    pub state: Option<String>,
    /// Staff: only those still waiting for my department's sign-off.
    #[serde(default)]
    pub pending: bool,
}

/// Declarations the reader may see: an enterprise its own; a department those of its policies
/// (or only those waiting for it, with `pending=true`); the office all.
#[utoipa::path(get, path = "/api/v1/declarations", tag = "policies", security(("bearer" = [])),
    params(DeclarationQuery),
    responses((status = 200, body = Many<Declaration>)))]
async fn list_declarations(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DeclarationQuery>,
) -> AppResult<Json<Many<Declaration>>> {
    Ok(many(declarations_for(&state, &viewer, &q).await?))
}

pub async fn declarations_for(
    state: &AppState,
    viewer: &Viewer,
    q: &DeclarationQuery,
) -> AppResult<Vec<Declaration>> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    let state_filter = match q.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            [
                DeclarationState::UnderReview,
                DeclarationState::Approved,
                DeclarationState::Rejected,
                DeclarationState::BudgetExhausted,
                DeclarationState::Paid,
            ]
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| AppError::from(FieldErrors::single("state", "unknown_value")))?,
        ),
    };
    let policy = q.policy.clone().filter(|s| !s.is_empty());
    Ok(
        tongban_app::policies::declarations(&state.store, user, policy, state_filter, q.pending)
            .await?,
    )
}

#[utoipa::path(get, path = "/api/v1/declarations/{id}", tag = "policies", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = One<Declaration>)))]
async fn get_declaration(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Json<One<Declaration>>> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    let (d, _) = super::load_visible(&state, user, &id).await?;
    Ok(crate::api::one(d))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignOffRequest {
    pub approved: bool,
    /// Required when refusing: the reasons the enterprise will read.
    #[serde(default)]
    pub opinion: String,
}

/// A department's sign-off (its clerks or approvers). The last agreement reserves the amount
/// from the budget: approved, or `budget_exhausted` when the budget cannot cover it.
#[utoipa::path(post, path = "/api/v1/declarations/{id}/sign-off", tag = "policies", request_body = SignOffRequest, security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = One<Declaration>), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn sign_off(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SignOffRequest>,
) -> AppResult<Json<One<Declaration>>> {
    let d = sign_off_by(&state, &viewer, &id, req).await?;
    Ok(crate::api::one(d))
}

pub async fn sign_off_by(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    req: SignOffRequest,
) -> AppResult<Declaration> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    Ok(tongban_app::policies::sign_off(&state.store, user, id, req.approved, &req.opinion).await?)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayoutRequest {
    #[schema(value_type = String, format = Date)]
    pub paid_on: jiff::civil::Date,
    /// 拨付凭证号.
    pub voucher: String,
}

/// The paying department records the payment.
#[utoipa::path(post, path = "/api/v1/declarations/{id}/payout", tag = "policies", request_body = PayoutRequest, security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = One<Declaration>), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn pay(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PayoutRequest>,
) -> AppResult<Json<One<Declaration>>> {
    let d = pay_by(&state, &viewer, &id, req).await?;
    Ok(crate::api::one(d))
}

pub async fn pay_by(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    req: PayoutRequest,
) -> AppResult<Declaration> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    Ok(tongban_app::policies::pay(&state.store, user, id, req.paid_on, &req.voucher).await?)
}
