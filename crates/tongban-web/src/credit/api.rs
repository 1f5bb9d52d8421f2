//! `/api/v1/credit/…`.

use crate::AppState;
use crate::api::{ApiJson, Many, One, Problem};
use crate::auth::{CsrfChecked, SignedIn, Viewer};
use crate::error::AppResult;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tongban_app::credit::{self as uc, Seen};
use tongban_domain::credit::{Command, CreditRecord, NewRecord, Standing};
use tongban_store::accounts::User;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search, create))
        .routes(routes!(mine))
        .routes(routes!(on_list))
        .routes(routes!(get_record))
        .routes(routes!(act))
}

/// A record as the reader sees it (a person's number masked for the public), its standing
/// today and the actions the reader may take.
#[derive(Serialize, ToSchema)]
pub struct CreditRecordView {
    #[serde(flatten)]
    pub record: CreditRecord,
    pub standing: Standing,
    pub allowed_actions: Vec<&'static str>,
}

impl From<Seen> for CreditRecordView {
    fn from(s: Seen) -> Self {
        CreditRecordView {
            record: s.record,
            standing: s.standing,
            allowed_actions: s.allowed_actions,
        }
    }
}

fn views(state: &AppState, user: Option<&User>, rs: Vec<CreditRecord>) -> Vec<CreditRecordView> {
    rs.into_iter()
        .map(|r| uc::seen(&state.store, user, r).into())
        .collect()
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchQuery {
    /// A name (or part of one, two characters at least), or an enterprise's credit code.
    q: String,
}

/// Search the published credit records (public): by name or credit code, newest first, each
/// with its standing today (published, expired, repaired).
#[utoipa::path(get, path = "/api/v1/credit/records", tag = "credit", params(SearchQuery),
    security((), ("bearer" = [])), responses((status = 200, body = Many<CreditRecordView>)))]
async fn search(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<SearchQuery>,
) -> AppResult<Json<Many<CreditRecordView>>> {
    let rs = uc::search(&state.store, &q.q).await?;
    Ok(crate::api::many(views(&state, viewer.user.as_ref(), rs)))
}

/// Enter a record (a unit's clerks and approvers, for their unit): the decision, its legal
/// basis and severity; the publication clock follows from them.
#[utoipa::path(post, path = "/api/v1/credit/records", tag = "credit", request_body = NewRecord,
    security(("bearer" = [])), responses((status = 201, body = One<CreditRecordView>)))]
async fn create(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    _csrf: CsrfChecked,
    ApiJson(new): ApiJson<NewRecord>,
) -> AppResult<(StatusCode, Json<One<CreditRecordView>>)> {
    let r = uc::record(&state.store, &user, new).await?;
    let view = uc::seen(&state.store, Some(&user), r).into();
    Ok((StatusCode::CREATED, crate::api::one(view)))
}

/// The signed-in applicant's own records, published or not, with when repair becomes possible.
#[utoipa::path(get, path = "/api/v1/credit/mine", tag = "credit", security(("bearer" = [])),
    responses((status = 200, body = Many<CreditRecordView>)))]
async fn mine(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
) -> AppResult<Json<Many<CreditRecordView>>> {
    let rs = uc::mine(&state.store, &user).await?;
    Ok(crate::api::many(views(&state, Some(&user), rs)))
}

/// Who is on the red list (honours) or the black list (serious dishonesty) today (public).
#[utoipa::path(get, path = "/api/v1/credit/lists/{list}", tag = "credit",
    params(("list" = String, Path, description = "`red` or `black`")),
    responses((status = 200, body = Many<CreditRecordView>)))]
async fn on_list(
    State(state): State<AppState>,
    Path(list): Path<String>,
) -> AppResult<Json<Many<CreditRecordView>>> {
    let list = uc::List::parse(&list).ok_or(crate::error::AppError::NotFound)?;
    let rs = uc::on_list(&state.store, list).await?;
    Ok(crate::api::many(views(&state, None, rs)))
}

/// One record: public once published; its subject, unit and the office always.
#[utoipa::path(get, path = "/api/v1/credit/records/{id}", tag = "credit", params(("id" = String, Path)),
    security((), ("bearer" = [])), responses((status = 200, body = One<CreditRecordView>)))]
async fn get_record(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Json<One<CreditRecordView>>> {
    let user = viewer.user.as_ref();
    let r = uc::load(&state.store, user, &id).await?;
    Ok(crate::api::one(uc::seen(&state.store, user, r).into()))
}

/// Act on a record: `request_repair` (its subject, after the minimum period), `decide_repair`
/// (its unit: approved lifts every measure at once; refusing needs reasons).
#[utoipa::path(post, path = "/api/v1/credit/records/{id}/actions", tag = "credit", params(("id" = String, Path)),
    request_body = Command, security(("bearer" = [])),
    responses((status = 200, body = One<CreditRecordView>), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn act(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    _csrf: CsrfChecked,
    Path(id): Path<String>,
    ApiJson(cmd): ApiJson<Command>,
) -> AppResult<Json<One<CreditRecordView>>> {
    let r = uc::run(&state.store, &user, &id, cmd).await?;
    Ok(crate::api::one(
        uc::seen(&state.store, Some(&user), r).into(),
    ))
}
