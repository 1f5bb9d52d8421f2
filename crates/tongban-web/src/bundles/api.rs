//! `/api/v1/bundles`: start a company start-up bundle with one form, follow it, withdraw it;
//! check a company name; the start-up indicators.

use super::{BundleIndicators, BundleView, load_visible, view};
use crate::AppState;
use crate::api::parse_page;
use crate::api::{ApiJson, Many, One};
use crate::auth::Viewer;
use crate::auth::{CsrfChecked, SignedIn};
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::bundles::{ConstructionForm, StartupForm, names::NameClash};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start_startup))
        .routes(routes!(start_construction))
        .routes(routes!(set_manager))
        .routes(routes!(list_bundles))
        .routes(routes!(get_bundle))
        .routes(routes!(withdraw_bundle))
        .routes(routes!(name_check))
        .routes(routes!(bundle_indicators))
}

async fn views(
    state: &AppState,
    user: &tongban_store::accounts::User,
    rows: Vec<tongban_store::bundles::BundleRow>,
) -> AppResult<Vec<BundleView>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(state, user, r.bundle).await?);
    }
    Ok(out)
}

/// Start a company start-up bundle (企业开办一件事) with one form. The name is checked against
/// the registered names: the same name or 字号 is refused (422), a similar one is flagged.
#[utoipa::path(post, path = "/api/v1/bundles/startup", tag = "bundles", request_body = StartupForm, security(("bearer" = [])),
    responses((status = 201, body = One<BundleView>)))]
async fn start_startup(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    ApiJson(form): ApiJson<StartupForm>,
) -> AppResult<(StatusCode, Json<One<BundleView>>)> {
    let user = viewer.require(&[Role::Applicant])?.clone();
    let b = tongban_app::bundles::start_startup(&state.store, &user, form).await?;
    Ok((
        StatusCode::CREATED,
        crate::api::one(view(&state, &user, b).await?),
    ))
}

/// Start a construction project (工程建设项目审批, R2): four stages in order, the items of a
/// stage in parallel, joint review and acceptance signed off by several units.
#[utoipa::path(post, path = "/api/v1/bundles/construction", tag = "bundles", request_body = ConstructionForm, security(("bearer" = [])),
    responses((status = 201, body = One<BundleView>)))]
async fn start_construction(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    ApiJson(form): ApiJson<ConstructionForm>,
) -> AppResult<(StatusCode, Json<One<BundleView>>)> {
    let user = viewer.require(&[Role::Applicant])?.clone();
    let b = tongban_app::bundles::start_construction(&state.store, &user, form).await?;
    Ok((
        StatusCode::CREATED,
        crate::api::one(view(&state, &user, b).await?),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ManagerBody {
    /// A supervisor's account.
    username: String,
}

/// Assign the project manager (项目经理) of a construction project. Supervisors and administrators.
#[utoipa::path(post, path = "/api/v1/bundles/{id}/manager", tag = "bundles", params(("id" = String, Path)),
    request_body = ManagerBody, security(("bearer" = [])),
    responses((status = 200, body = One<BundleView>)))]
async fn set_manager(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ManagerBody>,
) -> AppResult<Json<One<BundleView>>> {
    let user = viewer.require(crate::auth::SUPERVISORS)?.clone();
    let b = load_visible(&state, &user, &id).await?;
    if b.kind != tongban_domain::bundles::BundleKind::Construction {
        return Err(FieldErrors::single("id", "not_a_project").into());
    }
    match state.store.user(&body.username).await? {
        Some(u) if u.role == Role::Supervisor => {}
        _ => return Err(FieldErrors::single("username", "not_a_supervisor").into()),
    }
    let b = state
        .store
        .set_project_manager(&user.username, &id, &body.username)
        .await?;
    Ok(crate::api::one(view(&state, &user, b).await?))
}

/// Bundles the caller may see: applicants their own; supervisors and administrators all,
/// running ones first, oldest acceptance first.
#[utoipa::path(get, path = "/api/v1/bundles", tag = "bundles", security(("bearer" = [])),
    params(("page" = Option<u32>, Query), ("per_page" = Option<u32>, Query)),
    responses((status = 200, body = Many<BundleView>)))]
async fn list_bundles(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<Many<BundleView>>> {
    let mut e = FieldErrors::new();
    let page = parse_page(&q, &mut e);
    if !e.is_empty() {
        return Err(e.into());
    }
    let applicant = match user.role {
        Role::Applicant => Some(user.username.as_str()),
        Role::Supervisor | Role::Admin => None,
        _ => return Err(AppError::Forbidden),
    };
    let (rows, total) = state.store.list_bundles(applicant, page).await?;
    Ok(crate::api::paged(
        views(&state, &user, rows).await?,
        total,
        page,
    ))
}

/// One bundle: its parts with their cases, units, states and times, its code once issued, and
/// its clock (office minutes from the first acceptance, against one working day).
#[utoipa::path(get, path = "/api/v1/bundles/{id}", tag = "bundles", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = One<BundleView>)))]
async fn get_bundle(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> AppResult<Json<One<BundleView>>> {
    let b = load_visible(&state, &user, &id).await?;
    Ok(crate::api::one(view(&state, &user, b).await?))
}

/// Withdraw the whole bundle (the applicant): open parts are cancelled, waiting ones never start.
#[utoipa::path(post, path = "/api/v1/bundles/{id}/withdraw", tag = "bundles", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = One<BundleView>)))]
async fn withdraw_bundle(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    _csrf: CsrfChecked,
    Path(id): Path<String>,
) -> AppResult<Json<One<BundleView>>> {
    load_visible(&state, &user, &id).await?;
    let b = state.store.withdraw_bundle(&user.username, &id).await?;
    Ok(crate::api::one(view(&state, &user, b).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct NameQuery {
    /// The proposed company name.
    name: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct NameCheck {
    /// False when the name is refused (the same name or 字号 is registered).
    available: bool,
    clashes: Vec<NameClash>,
}

/// Check a proposed company name against the registered ones (exact, same 字号, similar), with
/// the 字号 compared, so the reason can be read.
#[utoipa::path(get, path = "/api/v1/bundles/name-check", tag = "bundles", params(NameQuery),
    responses((status = 200, body = NameCheck)))]
async fn name_check(
    State(state): State<AppState>,
    Query(q): Query<NameQuery>,
) -> AppResult<Json<NameCheck>> {
    let name = q.name.unwrap_or_default();
    let mut e = FieldErrors::new();
    e.text("name", &name, 60);
    if !e.is_empty() {
        return Err(e.into());
    }
    let clashes = tongban_app::bundles::check_name(&state.store, &name).await?;
    Ok(Json(NameCheck {
        available: !clashes.iter().any(NameClash::blocks),
        clashes,
    }))
}

/// Start-up bundles finished within one working day and within half a day (R1), from the records.
#[utoipa::path(get, path = "/api/v1/indicators/bundles", tag = "supervision",
    responses((status = 200, body = One<BundleIndicators>)))]
async fn bundle_indicators(
    State(state): State<AppState>,
) -> AppResult<Json<One<BundleIndicators>>> {
    Ok(crate::api::one(super::indicators(&state).await?))
}
