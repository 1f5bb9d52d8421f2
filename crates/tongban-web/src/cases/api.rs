//! `/api/v1/cases`: the whole lifecycle of a case, and the inbox, indicators and clock job.

use super::{CaseView, NewApplication, load_visible, mask_for, view};
use crate::AppState;
use crate::api::parse_page;
use crate::api::{ApiJson, Many, One, Problem};
use crate::auth::Viewer;
use crate::auth::csrf_header;
use crate::auth::{CsrfChecked, SignedIn};
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use std::collections::HashMap;
use tongban_app::dashboard::totals::{self, Totals};
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::cases::{ApplicationForm, CaseState, Command, indicators};
use tongban_store::cases::{CaseFilter, ClockReport};
use tongban_store::inbox::InboxMessage;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cases, create_case))
        .routes(routes!(get_case, save_case_form))
        .routes(routes!(case_action))
        .routes(routes!(upload_material))
        .routes(routes!(reuse_material))
        .routes(routes!(case_file))
        .routes(routes!(inbox))
        .routes(routes!(case_indicators))
        .routes(routes!(run_clock))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters; `parse_list` reads them to name bad ones
struct ListParams {
    /// Comma-separated states, e.g. `review,paused`.
    state: Option<String>,
    /// Comma-separated clock statuses: `due_soon`, `overdue`, `paused`, `on_time`.
    clock: Option<String>,
    /// Unit code (supervisors and administrators; staff always see their own unit).
    unit: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// Reads the list filter from the query, naming each bad parameter.
pub fn parse_list(q: &HashMap<String, String>) -> AppResult<(CaseFilter, tongban_store::Page)> {
    let mut e = FieldErrors::new();
    let page = parse_page(q, &mut e);
    let mut f = CaseFilter::default();
    let list = |k: &str| crate::api::comma_list(q, k);
    for s in list("state") {
        match CaseState::parse(&s) {
            Some(st) => f.states.push(st),
            None => e.push_detail("state", "unknown_value", s),
        }
    }
    const CLOCK: [&str; 5] = ["on_time", "due_soon", "overdue", "paused", "not_started"];
    for s in list("clock") {
        match CLOCK.iter().find(|c| **c == s) {
            Some(c) => f.clock.push(c),
            None => e.push_detail("clock", "unknown_value", s),
        }
    }
    f.unit = q
        .get("unit")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    e.into_result((f, page)).map_err(Into::into)
}

/// Cases the caller may see: applicants their own (also as agent), clerks and approvers their
/// unit's sorted by time left, supervisors and administrators all.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(ListParams), security(("bearer" = [])),
    responses((status = 200, body = Many<CaseView>)))]
async fn list_cases(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<Many<CaseView>>> {
    let (f, page) = parse_list(&q)?;
    let f = super::scope(&user, f)?;
    let (rows, total) = state.store.list_cases(&f, page).await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let mut c = r.case;
        mask_for(&user, &mut c);
        items.push(view(&state, &user, c).await?);
    }
    Ok(crate::api::paged(items, total, page))
}

/// Open a draft application for a published item (applicants; `on_behalf_of` for 代办).
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewApplication, security(("bearer" = [])),
    responses((status = 201, body = One<CaseView>)))]
async fn create_case(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    ApiJson(req): ApiJson<NewApplication>,
) -> AppResult<(StatusCode, Json<One<CaseView>>)> {
    let user = viewer.require(&[Role::Applicant])?.clone();
    let case = super::create(&state, &user, req).await?;
    Ok((
        StatusCode::CREATED,
        crate::api::one(view(&state, &user, case).await?),
    ))
}

/// One case with its clock (legal and promised due dates, time used, paused and left) and the
/// actions the caller may take now.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = One<CaseView>)))]
async fn get_case(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Json<One<CaseView>>> {
    let (user, mut case) = load_visible(&state, &viewer, &id).await?;
    mask_for(&user, &mut case);
    Ok(crate::api::one(view(&state, &user, case).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct FormBody {
    form: ApplicationForm,
}

/// Save the application form of a draft or of a case under correction (applicant or agent).
#[utoipa::path(put, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = String, Path)), request_body = FormBody,
    security(("bearer" = [])),
    responses((status = 200, body = One<CaseView>), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn save_case_form(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<FormBody>,
) -> AppResult<Json<One<CaseView>>> {
    let (user, _) = load_visible(&state, &viewer, &id).await?;
    let case = super::save_form(&state, &user, &id, body.form).await?;
    Ok(crate::api::one(view(&state, &user, case).await?))
}

/// Take an action on a case: `{"action": "accept", "commitments": […]}` and so on. An action the
/// current state does not allow is a 409 whose body lists `allowed_actions`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", tag = "cases", params(("id" = String, Path)), request_body = Command,
    security(("bearer" = [])),
    responses((status = 200, body = One<CaseView>),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn case_action(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    Path(id): Path<String>,
    ApiJson(cmd): ApiJson<Command>,
) -> AppResult<Json<One<CaseView>>> {
    let (user, _) = load_visible(&state, &viewer, &id).await?;
    if matches!(cmd, Command::BreakCommitment { .. }) {
        // Only the clock job breaks commitments.
        return Err(AppError::Forbidden);
    }
    let mut case = tongban_app::cases::run_command(&state.store, &user, &id, cmd).await?;
    mask_for(&user, &mut case);
    Ok(crate::api::one(view(&state, &user, case).await?))
}

/// Upload the file for material `index` (multipart, part `file`): PDF, JPEG, PNG or OFD up to
/// 10 MB, recognised by content. Allowed while the case is editable, or for a promised proof.
#[utoipa::path(post, path = "/api/v1/cases/{id}/materials/{index}", tag = "cases",
    params(("id" = String, Path), ("index" = usize, Path)), security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "part `file`"),
    responses((status = 200, body = One<CaseView>)))]
async fn upload_material(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path((id, index)): Path<(String, usize)>,
    multipart: Multipart,
) -> AppResult<Json<One<CaseView>>> {
    let (user, case) = load_visible(&state, &viewer, &id).await?;
    // Refused before the file is read and kept.
    tongban_app::cases::application::may_attach(&case, &user, index)?;
    let up = super::read_upload(multipart).await?;
    viewer.check_csrf(csrf_header(&headers).or(up.fields.get("csrf").map(String::as_str)))?;
    let file = super::store_upload(&state, up).await?;
    let case = super::attach(&state, &user, &id, index, file, None).await?;
    Ok(crate::api::one(view(&state, &user, case).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ReuseBody {
    /// The earlier case whose file for the same material is reused.
    from_case: String,
}

/// Reuse for material `index` the file the applicant handed in on an earlier case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/materials/{index}/reuse", tag = "cases",
    params(("id" = String, Path), ("index" = usize, Path)), request_body = ReuseBody, security(("bearer" = [])),
    responses((status = 200, body = One<CaseView>)))]
async fn reuse_material(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    Path((id, index)): Path<(String, usize)>,
    ApiJson(body): ApiJson<ReuseBody>,
) -> AppResult<Json<One<CaseView>>> {
    let (user, _) = load_visible(&state, &viewer, &id).await?;
    let case = super::reuse(&state, &user, &id, index, &body.from_case).await?;
    Ok(crate::api::one(view(&state, &user, case).await?))
}

/// Download a file attached to the case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/files/{sha256}", tag = "cases",
    params(("id" = String, Path), ("sha256" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "the file")))]
async fn case_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, sha)): Path<(String, String)>,
) -> AppResult<Response> {
    file_response(&state, &viewer, &id, &sha).await
}

pub async fn file_response(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    sha: &str,
) -> AppResult<Response> {
    let (_, case) = load_visible(state, viewer, id).await?;
    super::serve_file(
        state,
        case.materials.iter().filter_map(|m| m.file.as_ref()),
        sha,
    )
    .await
}

/// The caller's in-app messages (and their unit's, for staff), newest first.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Many<InboxMessage>)))]
async fn inbox(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
) -> AppResult<Json<Many<InboxMessage>>> {
    let items = state.store.inbox(&recipients(&user), 100).await?;
    Ok(crate::api::many(items))
}

/// Inbox addresses of a user: their own, and their unit's for staff.
pub fn recipients(user: &tongban_store::accounts::User) -> Vec<String> {
    let mut r = vec![format!("user:{}", user.username)];
    if matches!(user.role, Role::Clerk | Role::Approver) {
        if let Some(u) = &user.unit {
            r.push(format!("unit:{u}"));
        }
    }
    r
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct IndicatorParams {
    /// Restrict to one unit.
    unit: Option<String>,
}

/// Case indicators of finished cases (from the tallies their writes keep): on-time rates (legal, promised), working days
/// used vs promised, fully-online share, average visits. Public.
#[utoipa::path(get, path = "/api/v1/indicators/cases", tag = "supervision", params(IndicatorParams),
    responses((status = 200, body = One<indicators::CaseIndicators>)))]
async fn case_indicators(
    State(state): State<AppState>,
    Query(p): Query<IndicatorParams>,
) -> AppResult<Json<One<indicators::CaseIndicators>>> {
    Ok(crate::api::one(
        compute_indicators(&state, p.unit.as_deref().filter(|u| !u.is_empty())).await?,
    ))
}

pub async fn compute_indicators(
    state: &AppState,
    unit: Option<&str>,
) -> AppResult<indicators::CaseIndicators> {
    let t = Totals::read(&state.store, "case").await?;
    Ok(totals::cases(&t, unit))
}

/// Run one pass of the clock job now (administrators; it also runs every minute by itself).
#[utoipa::path(post, path = "/api/v1/clock/run", tag = "supervision", security(("bearer" = [])),
    responses((status = 200, body = One<ClockReport>)))]
async fn run_clock(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
) -> AppResult<Json<One<ClockReport>>> {
    viewer.require(&[Role::Admin])?;
    Ok(crate::api::one(state.store.run_clock().await?))
}
