//! Public notice periods (公告期) of simple deregistration: the public list, and objections by
//! anyone, without an account (as the law wants creditors and the public to be heard). An
//! objection stops the simple path at once, with the objection as the reason.

use crate::AppState;
use crate::api::{ApiJson, Many, One};
use crate::auth::{PRELOGIN_CSRF_COOKIE, constant_time_eq, cookie, random_token};
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tongban_domain::cases::{self, Case, Command, Context, PauseKind};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The actor objections are recorded under.
pub const PUBLIC_ACTOR: &str = "system:public-notice";

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notices))
        .routes(routes!(object))
}

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/public-notices", get(notices_page))
        .route("/public-notices/{id}/objections", post(object_page))
}

/// What the public sees of a case in its notice period: no contact data, the code only if it
/// is an enterprise's (a person's number is masked).
#[derive(Serialize, ToSchema)]
pub struct PublicNotice {
    pub case_id: String,
    pub item_name: String,
    pub unit: String,
    pub applicant_name: String,
    pub applicant_code: String,
    /// `YYYY-MM-DD`
    pub from: String,
    /// Last day of the period, `YYYY-MM-DD`.
    pub until: String,
}

/// The cases in their public notice period now, as the public sees them.
async fn notices(state: &AppState) -> AppResult<Vec<PublicNotice>> {
    Ok(state
        .store
        .public_notices()
        .await?
        .iter()
        .filter_map(public)
        .collect())
}

fn public(c: &Case) -> Option<PublicNotice> {
    let p = c
        .open_pause()
        .filter(|p| p.kind == PauseKind::PublicNotice)?;
    Some(PublicNotice {
        case_id: c.id.clone(),
        item_name: c.item_name.clone(),
        unit: c.unit.clone(),
        applicant_name: c.applicant_name.clone(),
        applicant_code: super::mask_id(&c.applicant_id_number),
        from: cases::local_date(p.started_at).to_string(),
        until: p.until.map(|d| d.to_string()).unwrap_or_default(),
    })
}

/// Cases in their public notice period now (simple deregistration), open to objections.
#[utoipa::path(get, path = "/api/v1/public-notices", tag = "cases", responses((status = 200, body = Many<PublicNotice>)))]
async fn list_notices(State(state): State<AppState>) -> AppResult<Json<Many<PublicNotice>>> {
    Ok(crate::api::many(notices(&state).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionBody {
    pub name: String,
    pub phone: String,
    pub reason: String,
}

async fn file_objection(state: &AppState, id: &str, body: ObjectionBody) -> AppResult<Case> {
    // Only a case in its notice period can be objected to; anything else is "not found".
    let row = state.store.case(id).await?.ok_or(AppError::NotFound)?;
    if public(&row.case).is_none() {
        return Err(AppError::NotFound);
    }
    let cmd = Command::Object {
        name: body.name,
        phone: body.phone,
        reason: body.reason,
    };
    let detail = serde_json::json!({"action": "object"});
    let actor = cases::Actor {
        username: PUBLIC_ACTOR,
        role: tongban_domain::accounts::Role::Admin,
        unit: None,
    };
    Ok(state
        .store
        .change_case(PUBLIC_ACTOR, id, "object", Some(&detail), |c, cal, now| {
            let ctx = Context {
                now,
                calendar: cal,
                standing: Default::default(),
            };
            cases::apply(c, &cmd, &actor, &ctx)
        })
        .await?)
}

/// Object to a case during its public notice period. No account is needed; the simple path
/// stops and the applicant is told why.
#[utoipa::path(post, path = "/api/v1/public-notices/{id}/objections", tag = "cases", params(("id" = String, Path)),
    request_body = ObjectionBody,
    responses((status = 200, body = One<String>)))]
async fn object(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ObjectionBody>,
) -> AppResult<Json<One<String>>> {
    let c = file_objection(&state, &id, body).await?;
    Ok(crate::api::one(c.state.as_str().to_string()))
}

#[derive(Template)]
#[template(path = "cases/public_notices.html")]
struct NoticesPage {
    c: Chrome,
    notices: Vec<PublicNotice>,
    form_csrf: String,
    errors: Vec<String>,
}

async fn render_notices(
    state: &AppState,
    c: Chrome,
    errors: Vec<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let notices = notices(state).await?;
    let token = random_token();
    let mut r = render(&NoticesPage {
        c,
        notices,
        form_csrf: token.clone(),
        errors,
    });
    *r.status_mut() = status;
    Ok(crate::auth::pages::with_prelogin_csrf(state, r, &token))
}

async fn notices_page(State(state): State<AppState>, c: Chrome) -> AppResult<Response> {
    render_notices(&state, c, vec![], StatusCode::OK).await
}

#[derive(Deserialize)]
struct ObjectionForm {
    csrf: String,
    name: String,
    phone: String,
    reason: String,
}

async fn object_page(
    State(state): State<AppState>,
    c: Chrome,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ObjectionForm>,
) -> AppResult<Response> {
    let sent = cookie(&headers, PRELOGIN_CSRF_COOKIE).unwrap_or_default();
    if sent.is_empty() || !constant_time_eq(sent.as_bytes(), f.csrf.as_bytes()) {
        return Err(AppError::bad_request("csrf", "csrf"));
    }
    let body = ObjectionBody {
        name: f.name,
        phone: f.phone,
        reason: f.reason,
    };
    match file_objection(&state, &id, body).await {
        Ok(_) => Ok((
            StatusCode::SEE_OTHER,
            [(header::LOCATION, "/public-notices?filed=1".to_string())],
        )
            .into_response()),
        Err(AppError::Invalid(e)) => {
            let errors = e.0.iter().map(|fe| c.t.error(fe)).collect();
            render_notices(&state, c, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}
