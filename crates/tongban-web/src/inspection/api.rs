//! `/api/v1/inspection/…`: the plans and their draws, the checks, and the verification of a
//! published draw record anyone can call.

use crate::AppState;
use crate::api::{ApiJson, Many, One, Problem};
use crate::auth::{CsrfChecked, SignedIn, Viewer};
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tongban_app::inspection as uc;
use tongban_domain::FieldErrors;
use tongban_domain::inspection::draw::{self, DrawRecord};
use tongban_domain::inspection::plan::{Check, InspectionPlan, Matter, NewPlan};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(plans, publish))
        .routes(routes!(get_plan))
        .routes(routes!(draw_plan))
        .routes(routes!(get_record))
        .routes(routes!(plan_checks))
        .routes(routes!(get_check))
        .routes(routes!(verify))
}

/// A plan without its frozen lists (those are in its draw record, or at
/// `/inspection/plans/{id}/lists.json` before the draw).
#[derive(Serialize, ToSchema)]
pub struct InspectionPlanView {
    pub id: String,
    pub title: String,
    pub state: &'static str,
    pub matters: Vec<Matter>,
    pub matter_list_version: i64,
    #[schema(value_type = String, format = Date)]
    pub draw_on: jiff::civil::Date,
    #[schema(value_type = String, format = Date)]
    pub created_on: jiff::civil::Date,
    /// What was published before the draw: hashes of the frozen lists, the nonce commitment.
    pub published: draw::Plan,
    pub entities: usize,
    pub inspectors: usize,
    #[schema(value_type = Option<String>, format = Date)]
    pub drawn_on: Option<jiff::civil::Date>,
    /// The seed and the nonce, once drawn.
    pub seed: Option<String>,
    pub nonce: Option<String>,
}

impl From<InspectionPlan> for InspectionPlanView {
    fn from(p: InspectionPlan) -> Self {
        InspectionPlanView {
            state: p.state(),
            entities: p.entities.len(),
            inspectors: p.inspectors.len(),
            seed: p.record.as_ref().map(|r| r.seed.clone()),
            nonce: p.record.as_ref().map(|r| r.nonce.clone()),
            id: p.id,
            title: p.title,
            matters: p.matters,
            matter_list_version: p.matter_list_version,
            draw_on: p.draw_on,
            created_on: p.created_on,
            published: p.published,
            drawn_on: p.drawn_on,
        }
    }
}

/// Every plan, newest first (public).
#[utoipa::path(get, path = "/api/v1/inspection/plans", tag = "inspection",
    responses((status = 200, body = Many<InspectionPlanView>)))]
async fn plans(State(state): State<AppState>) -> AppResult<Json<Many<InspectionPlanView>>> {
    let ps = state.store.inspection_plans(200).await?;
    Ok(crate::api::many(ps.into_iter().map(Into::into).collect()))
}

/// Publish a plan (supervisors, administrators; an approver for their unit's matters): the
/// matters must be on the list; the entity and inspector lists are frozen and their hashes
/// published with a commitment to a secret nonce; the draw day must be in the future.
#[utoipa::path(post, path = "/api/v1/inspection/plans", tag = "inspection", request_body = NewPlan,
    security(("bearer" = [])), responses((status = 201, body = One<InspectionPlanView>)))]
async fn publish(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    _csrf: CsrfChecked,
    ApiJson(new): ApiJson<NewPlan>,
) -> AppResult<(StatusCode, Json<One<InspectionPlanView>>)> {
    let p = uc::publish_plan(&state.store, &user, new).await?;
    Ok((StatusCode::CREATED, crate::api::one(p.into())))
}

/// One plan (public).
#[utoipa::path(get, path = "/api/v1/inspection/plans/{id}", tag = "inspection",
    params(("id" = String, Path)), responses((status = 200, body = One<InspectionPlanView>)))]
async fn get_plan(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<One<InspectionPlanView>>> {
    Ok(crate::api::one(uc::plan(&state.store, &id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawInput {
    /// The outside value as its named source published it (e.g. the lottery's numbers).
    pub outside_value: String,
}

/// Draw a plan on or after its day, revealing the nonce; the checks are created with their
/// publication deadline. 409 when already drawn or before the day.
#[utoipa::path(post, path = "/api/v1/inspection/plans/{id}/draw", tag = "inspection",
    params(("id" = String, Path)), request_body = DrawInput, security(("bearer" = [])),
    responses((status = 200, body = One<InspectionPlanView>), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn draw_plan(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    _csrf: CsrfChecked,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DrawInput>,
) -> AppResult<Json<One<InspectionPlanView>>> {
    let p = uc::draw(&state.store, &user, &id, &input.outside_value).await?;
    Ok(crate::api::one(p.into()))
}

/// A drawn plan's record: everything needed to rerun the draw (public).
#[utoipa::path(get, path = "/api/v1/inspection/plans/{id}/record", tag = "inspection",
    params(("id" = String, Path)), responses((status = 200, body = DrawRecord)))]
async fn get_record(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<DrawRecord>> {
    let p = uc::plan(&state.store, &id).await?;
    Ok(Json(p.record.ok_or(AppError::NotFound)?))
}

/// The checks of a drawn plan with their results (public; the team's accounts are not).
#[utoipa::path(get, path = "/api/v1/inspection/plans/{id}/checks", tag = "inspection",
    params(("id" = String, Path)), security((), ("bearer" = [])),
    responses((status = 200, body = Many<Check>)))]
async fn plan_checks(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Json<Many<Check>>> {
    uc::plan(&state.store, &id).await?;
    let cs = state.store.checks_of_plan(&id).await?;
    let user = viewer.user.as_ref();
    Ok(crate::api::many(
        cs.into_iter().map(|c| uc::seen(user, c)).collect(),
    ))
}

/// One check and its result (public).
#[utoipa::path(get, path = "/api/v1/inspection/checks/{id}", tag = "inspection",
    params(("id" = String, Path)), security((), ("bearer" = [])),
    responses((status = 200, body = One<Check>)))]
async fn get_check(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Json<One<Check>>> {
    let c = uc::check(&state.store, &id).await?;
    Ok(crate::api::one(uc::seen(viewer.user.as_ref(), c)))
}

#[derive(Serialize, ToSchema)]
pub struct Verdict {
    /// Always true: a record that does not reproduce is a 422 naming the first difference.
    pub reproduced: bool,
    pub checks: usize,
}

/// Rerun a draw record (anyone, no account): 200 when it reproduces byte for byte; 422 naming
/// the first difference (`checks[3].inspectors`, `plan.entities_sha256`…) when it does not.
#[utoipa::path(post, path = "/api/v1/inspection/verify", tag = "inspection", request_body = DrawRecord,
    responses((status = 200, body = Verdict)))]
async fn verify(ApiJson(record): ApiJson<DrawRecord>) -> AppResult<Json<Verdict>> {
    match draw::verify(&record) {
        Ok(()) => Ok(Json(Verdict {
            reproduced: true,
            checks: record.checks.len(),
        })),
        Err(e) => {
            let mut f = FieldErrors::new();
            f.push_detail(e.field, e.code, e.detail.unwrap_or_default());
            Err(f.into())
        }
    }
}
