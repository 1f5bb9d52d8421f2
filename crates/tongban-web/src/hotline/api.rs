//! `/api/v1/hotline`: tickets, actions, routing catalog, suggestions, indicators.

use super::{for_reader, load, party};
use crate::AppState;
use crate::api::parse_page;
use crate::api::{ApiJson, Many, One, Problem};
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
use tongban_domain::hotline::{
    self, Category, Command, Indicators, NewTicket, Route, Source, Ticket,
};
use tongban_store::hotline::TicketFilter;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tickets, create_ticket))
        .routes(routes!(get_ticket))
        .routes(routes!(ticket_action))
        .routes(routes!(list_routes))
        .routes(routes!(save_route))
        .routes(routes!(suggest))
        .routes(routes!(hotline_indicators))
}

/// The office's accounts: hotline operators, supervisors, administrators.
pub const OFFICE: &[Role] = &[Role::HotlineOperator, Role::Supervisor, Role::Admin];

#[derive(Serialize, ToSchema)]
#[schema(as = HotlineTicketView)]
pub struct TicketView {
    #[serde(flatten)]
    pub ticket: Ticket,
    /// Routing entries that fit the matter, best first (for the office's dispatch).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Route>,
    pub allowed_actions: Vec<&'static str>,
    /// The reply date was counted over a year whose holiday notice is not loaded yet.
    pub provisional: bool,
    pub provisional_years: Vec<i16>,
}

pub async fn view(
    state: &AppState,
    user: &tongban_store::accounts::User,
    t: Ticket,
) -> AppResult<TicketView> {
    let p = party(user, &t);
    let suggestions = if p == hotline::Party::Office && t.state == hotline::State::Received {
        let routes = state.store.routes().await?;
        hotline::suggest(&routes, &t.intake.matter, t.intake.category)
            .into_iter()
            .take(3)
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let cal = state.store.calendar();
    let allowed = hotline::allowed(&t, p, state.store.now(), &cal);
    let provisional_years = hotline::provisional_years(&t, &cal);
    Ok(TicketView {
        ticket: for_reader(user, t),
        suggestions,
        allowed_actions: allowed,
        provisional: !provisional_years.is_empty(),
        provisional_years,
    })
}

/// Take in a ticket (工单). Operators file phone calls; anyone signed in files from the web.
#[utoipa::path(post, path = "/api/v1/hotline/tickets", tag = "hotline", request_body = NewTicket, security(("bearer" = [])),
    responses((status = 201, body = One<TicketView>)))]
async fn create_ticket(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    _csrf: CsrfChecked,
    ApiJson(new): ApiJson<NewTicket>,
) -> AppResult<(StatusCode, Json<One<TicketView>>)> {
    let source = if user.role == Role::HotlineOperator {
        Source::Phone
    } else {
        Source::Web
    };
    let (t, _) = tongban_app::hotline::intake(&state.store, &user, source, new).await?;
    Ok((
        StatusCode::CREATED,
        crate::api::one(view(&state, &user, t).await?),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters; the handler reads them to name bad ones
struct ListParams {
    /// Comma-separated states: received, dispatched, returned, replied, closed, merged.
    state: Option<String>,
    /// `true` for the business-environment line only.
    business: Option<bool>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// Tickets the caller may see: the office all (the business line with `business=true`), a
/// unit those it leads or assists, a person those they filed. Newest first.
#[utoipa::path(get, path = "/api/v1/hotline/tickets", tag = "hotline", params(ListParams), security(("bearer" = [])),
    responses((status = 200, body = Many<TicketView>)))]
async fn list_tickets(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<Many<TicketView>>> {
    let mut e = FieldErrors::new();
    let page = parse_page(&q, &mut e);
    let mut f = TicketFilter::default();
    for s in q
        .get("state")
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    {
        match hotline::State::parse(s) {
            Some(st) => f.states.push(st.as_str().to_string()),
            None => e.push_detail("state", "unknown_value", s),
        }
    }
    match q.get("business").map(String::as_str) {
        None | Some("") => {}
        Some("true") => f.business = Some(true),
        Some("false") => f.business = Some(false),
        Some(other) => e.push_detail("business", "unknown_value", other),
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    match user.role {
        Role::HotlineOperator | Role::Supervisor | Role::Admin => {}
        Role::Clerk | Role::Approver => {
            f.unit = Some(user.unit.clone().ok_or(AppError::Forbidden)?)
        }
        Role::Applicant => f.filed_by = Some(user.username.clone()),
        Role::Evaluator => return Err(AppError::Forbidden),
    }
    let (tickets, total) = state.store.list_hotline_tickets(&f, page).await?;
    let mut items = Vec::new();
    for t in tickets {
        items.push(view(&state, &user, t).await?);
    }
    Ok(crate::api::paged(items, total, page))
}

/// One ticket with the actions the caller may take (and routing suggestions for the office).
#[utoipa::path(get, path = "/api/v1/hotline/tickets/{id}", tag = "hotline", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = One<TicketView>)))]
async fn get_ticket(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> AppResult<Json<One<TicketView>>> {
    let t = load(&state.store, &user, &id).await?;
    Ok(crate::api::one(view(&state, &user, t).await?))
}

/// Act on a ticket: `dispatch`, `redispatch`, `insist`, `call_back`, `merge_into` (the office);
/// `reply`, `return` (the lead unit, returning within 2 working days).
#[utoipa::path(post, path = "/api/v1/hotline/tickets/{id}/actions", tag = "hotline", params(("id" = String, Path)),
    request_body = Command, security(("bearer" = [])),
    responses((status = 200, body = One<TicketView>), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn ticket_action(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    _csrf: CsrfChecked,
    Path(id): Path<String>,
    ApiJson(cmd): ApiJson<Command>,
) -> AppResult<Json<One<TicketView>>> {
    let t = tongban_app::hotline::run(&state.store, &user, &id, cmd).await?;
    Ok(crate::api::one(view(&state, &user, t).await?))
}

/// The routing catalog (派单目录): also Open311's services.
#[utoipa::path(get, path = "/api/v1/hotline/routes", tag = "hotline", responses((status = 200, body = Many<Route>)))]
async fn list_routes(State(state): State<AppState>) -> AppResult<Json<Many<Route>>> {
    let items = state.store.routes().await?;
    Ok(crate::api::many(items))
}

/// Add or change a routing entry (the hotline office, administrators).
#[utoipa::path(put, path = "/api/v1/hotline/routes/{code}", tag = "hotline", params(("code" = String, Path)), request_body = Route,
    security(("bearer" = [])), responses((status = 200, body = One<Route>)))]
async fn save_route(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    Path(code): Path<String>,
    ApiJson(route): ApiJson<Route>,
) -> AppResult<Json<One<Route>>> {
    let user = viewer
        .require(&[Role::HotlineOperator, Role::Admin])?
        .clone();
    tongban_app::hotline::check_route(&state.store, &route, &code).await?;
    state.store.save_route(&user.username, &route).await?;
    Ok(crate::api::one(route))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SuggestQuery {
    matter: Option<String>,
    category: Option<String>,
}

/// Routing entries that fit a matter and category, best first.
#[utoipa::path(get, path = "/api/v1/hotline/suggest", tag = "hotline", params(SuggestQuery), responses((status = 200, body = Many<Route>)))]
async fn suggest(
    State(state): State<AppState>,
    Query(q): Query<SuggestQuery>,
) -> AppResult<Json<Many<Route>>> {
    let category = match q.category.as_deref().map(Category::parse) {
        Some(Some(c)) => c,
        _ => return Err(FieldErrors::single("category", "unknown_value").into()),
    };
    let routes = state.store.routes().await?;
    let items: Vec<Route> = hotline::suggest(&routes, q.matter.as_deref().unwrap_or(""), category)
        .into_iter()
        .cloned()
        .collect();
    Ok(crate::api::many(items))
}

/// Per-unit hotline indicators: on-time replies, callbacks, satisfaction, returns, reopenings
/// (from the tallies the tickets' writes keep).
#[utoipa::path(get, path = "/api/v1/indicators/hotline", tag = "supervision", responses((status = 200, body = Many<Indicators>)))]
async fn hotline_indicators(State(state): State<AppState>) -> AppResult<Json<Many<Indicators>>> {
    let items = tongban_app::dashboard::totals::hotline_by_unit(&state.store).await?;
    Ok(crate::api::many(items))
}
