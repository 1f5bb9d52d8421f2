//! `/api/v1` for 好差评: ratings, window visits, rectification tickets, public statistics.

use super::{party, rating_for};
use crate::AppState;
use crate::api::{ApiJson, Many, One, Problem};
use crate::auth::Viewer;
use crate::auth::{CsrfChecked, SignedIn};
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tongban_app::dashboard::totals::{self, Totals};
use tongban_domain::accounts::Role;
use tongban_domain::reviews::{self, NewRating, Rating, Stats, Ticket, TicketCommand};
use tongban_store::reviews::Visit;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rate_case))
        .routes(routes!(create_visit))
        .routes(routes!(rate_visit))
        .routes(routes!(list_tickets))
        .routes(routes!(get_ticket))
        .routes(routes!(ticket_action))
        .routes(routes!(stats))
        .routes(routes!(get_settings, put_settings))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ReviewSettings {
    /// Working days the office gives for a bad rating that is not real-name with a demand
    /// (those have 1). 1–30.
    office_rectify_days: u32,
}

/// The office's rectification deadline.
#[utoipa::path(get, path = "/api/v1/reviews/settings", tag = "reviews", responses((status = 200, body = One<ReviewSettings>)))]
async fn get_settings(State(state): State<AppState>) -> AppResult<Json<One<ReviewSettings>>> {
    Ok(crate::api::one(ReviewSettings {
        office_rectify_days: tongban_app::reviews::office_days(&state.store).await?,
    }))
}

/// Set the office's rectification deadline (supervisors, administrators).
#[utoipa::path(put, path = "/api/v1/reviews/settings", tag = "reviews", request_body = ReviewSettings, security(("bearer" = [])),
    responses((status = 200, body = One<ReviewSettings>)))]
async fn put_settings(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    ApiJson(body): ApiJson<ReviewSettings>,
) -> AppResult<Json<One<ReviewSettings>>> {
    let user = viewer.require(crate::auth::SUPERVISORS)?.clone();
    if !(1..=30).contains(&body.office_rectify_days) {
        let mut e = tongban_domain::FieldErrors::new();
        e.push_detail("office_rectify_days", "out_of_range", "1–30");
        return Err(e.into());
    }
    state
        .store
        .set_setting(
            &user.username,
            super::OFFICE_RECTIFY_KEY,
            &body.office_rectify_days.to_string(),
        )
        .await?;
    Ok(crate::api::one(body))
}

#[derive(Serialize, ToSchema)]
struct Rated {
    rating: Rating,
    /// The rectification ticket a bad rating opened.
    #[serde(skip_serializing_if = "Option::is_none")]
    rectification: Option<String>,
}

/// Rate a case (一事一评): its applicant, once its result is issued, within 5 working days, once.
#[utoipa::path(post, path = "/api/v1/cases/{id}/rating", tag = "reviews", params(("id" = String, Path)), request_body = NewRating,
    security(("bearer" = [])),
    responses((status = 201, body = One<Rated>), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn rate_case(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    Path(id): Path<String>,
    ApiJson(new): ApiJson<NewRating>,
) -> AppResult<(StatusCode, Json<One<Rated>>)> {
    let user = viewer.require(&[Role::Applicant])?.clone();
    let (rating, ticket) = tongban_app::reviews::rate_case(&state.store, &user, &id, new).await?;
    Ok((
        StatusCode::CREATED,
        crate::api::one(Rated {
            rating,
            rectification: ticket.map(|t| t.id),
        }),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
struct VisitBody {
    /// The item served, if any.
    #[serde(default)]
    item_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct VisitView {
    #[serde(flatten)]
    visit: Visit,
    /// The page the person rates the visit on (what the QR code carries).
    rate_path: String,
}

/// Record a service at the window (clerks and approvers): issues its ticket number and the token
/// of its rating page.
#[utoipa::path(post, path = "/api/v1/visits", tag = "reviews", request_body = VisitBody, security(("bearer" = [])),
    responses((status = 201, body = One<VisitView>)))]
async fn create_visit(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    ApiJson(body): ApiJson<VisitBody>,
) -> AppResult<(StatusCode, Json<One<VisitView>>)> {
    let user = viewer.require(&[Role::Clerk, Role::Approver])?.clone();
    let visit = serve(&state, &user, body.item_code.as_deref()).await?;
    let rate_path = format!("/rate/{}", visit.token);
    Ok((
        StatusCode::CREATED,
        crate::api::one(VisitView { visit, rate_path }),
    ))
}

pub async fn serve(
    state: &AppState,
    user: &tongban_store::accounts::User,
    item: Option<&str>,
) -> AppResult<Visit> {
    let unit = user.unit.clone().ok_or(AppError::Forbidden)?;
    let item = item.map(str::trim).filter(|s| !s.is_empty());
    if let Some(code) = item {
        if state.store.published_item(code).await?.is_none() {
            return Err(tongban_domain::FieldErrors::single("item_code", "unknown_item").into());
        }
    }
    Ok(state
        .store
        .create_visit(&user.username, &unit, item, &super::visit_token())
        .await?)
}

/// Rate a window visit (一次一评) by the token on its QR code. No account is needed.
#[utoipa::path(post, path = "/api/v1/visits/{token}/rating", tag = "reviews", params(("token" = String, Path)), request_body = NewRating,
    responses((status = 201, body = One<Rated>), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn rate_visit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(new): ApiJson<NewRating>,
) -> AppResult<(StatusCode, Json<One<Rated>>)> {
    let (rating, ticket, _) = tongban_app::reviews::rate_visit(&state.store, &token, new).await?;
    Ok((
        StatusCode::CREATED,
        crate::api::one(Rated {
            rating: rating.for_staff(),
            rectification: ticket.map(|t| t.id),
        }),
    ))
}

#[derive(Serialize, ToSchema)]
#[schema(as = RectificationView)]
pub struct TicketView {
    #[serde(flatten)]
    pub ticket: Ticket,
    pub rating: Rating,
    pub allowed_actions: Vec<&'static str>,
    /// The deadline was counted over a year whose holiday notice is not loaded yet.
    pub provisional: bool,
    pub provisional_years: Vec<i16>,
}

pub async fn ticket_view(
    state: &AppState,
    user: &tongban_store::accounts::User,
    t: Ticket,
) -> AppResult<TicketView> {
    let rating = state
        .store
        .rating(&t.rating_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("rating {} missing", t.rating_id)))?;
    let provisional_years = reviews::provisional_years(&t, &state.store.calendar());
    Ok(TicketView {
        allowed_actions: reviews::ticket_actions(&t, party(user, &t)),
        rating: rating_for(user, &rating),
        provisional: !provisional_years.is_empty(),
        provisional_years,
        ticket: t,
    })
}

/// Rectification tickets: a unit's staff see their unit's, supervisors all. Open ones first.
#[utoipa::path(get, path = "/api/v1/rectifications", tag = "reviews", security(("bearer" = [])),
    responses((status = 200, body = Many<TicketView>)))]
async fn list_tickets(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
) -> AppResult<Json<Many<TicketView>>> {
    let mut items = Vec::new();
    for t in tongban_app::reviews::visible_tickets(&state.store, &user).await? {
        items.push(ticket_view(&state, &user, t).await?);
    }
    Ok(crate::api::many(items))
}

/// One rectification ticket with its rating (without the rater's identity for the unit).
#[utoipa::path(get, path = "/api/v1/rectifications/{id}", tag = "reviews", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = One<TicketView>)))]
async fn get_ticket(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> AppResult<Json<One<TicketView>>> {
    let t = tongban_app::reviews::load_ticket(&state.store, &user, &id).await?;
    Ok(crate::api::one(ticket_view(&state, &user, t).await?))
}

/// Act on a ticket: `rectify` (the unit), `appeal` (the unit, once), `reexamine` (a
/// supervisor: upheld or removed), `call_back` (the supervisors' office).
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/actions", tag = "reviews", params(("id" = String, Path)),
    request_body = TicketCommand, security(("bearer" = [])),
    responses((status = 200, body = One<TicketView>), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn ticket_action(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    _csrf: CsrfChecked,
    Path(id): Path<String>,
    ApiJson(cmd): ApiJson<TicketCommand>,
) -> AppResult<Json<One<TicketView>>> {
    let t = tongban_app::reviews::run_ticket(&state.store, &user, &id, cmd).await?;
    Ok(crate::api::one(ticket_view(&state, &user, t).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StatsQuery {
    /// Unit code (empty: the district).
    unit: Option<String>,
    /// Item code.
    item: Option<String>,
}

/// Public statistics: good-rating rate, active good-rating rate, unrated rate, rectification
/// on-time rate and callback satisfaction, each with numerator and denominator.
#[utoipa::path(get, path = "/api/v1/reviews/stats", tag = "reviews", params(StatsQuery), responses((status = 200, body = One<Stats>)))]
async fn stats(
    State(state): State<AppState>,
    Query(q): Query<StatsQuery>,
) -> AppResult<Json<One<Stats>>> {
    Ok(crate::api::one(
        compute_stats(
            &state,
            q.unit.as_deref().unwrap_or(""),
            q.item.as_deref().unwrap_or(""),
        )
        .await?,
    ))
}

pub async fn compute_stats(state: &AppState, unit: &str, item: &str) -> AppResult<Stats> {
    let (unit, item) = (unit.trim(), item.trim());
    if !item.is_empty() {
        // The tallies count by unit, not by item: an item's statistics count its records.
        let (services, ratings, tickets) = state.store.review_facts(unit, item).await?;
        return Ok(reviews::stats(services, &ratings, &tickets));
    }
    let (ratings, rectify) = review_totals(state).await?;
    Ok(totals::reviews(
        &ratings,
        &rectify,
        Some(unit).filter(|u| !u.is_empty()),
    ))
}

/// The ratings' and the rectifications' all-time totals.
pub async fn review_totals(state: &AppState) -> AppResult<(Totals, Totals)> {
    Ok((
        Totals::read(&state.store, "rating").await?,
        Totals::read(&state.store, "rectify").await?,
    ))
}
