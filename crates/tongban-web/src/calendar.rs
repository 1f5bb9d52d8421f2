//! The working-day calendar over HTTP: `add` and `between` as the law counts, the loaded years,
//! and loading a new year (the API, and the administrator page `/admin/calendar`).

use crate::AppState;
use crate::api::{Many, One, Problem};
use crate::auth::{CsrfChecked, Viewer};
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::calendar::{CalendarError, YearSchedule};
use tongban_store::calendar::CalendarYear;
use tongban_store::recount::CalendarMove;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add))
        .routes(routes!(between))
        .routes(routes!(years, import_year))
        .routes(routes!(moves))
}

pub fn pages() -> Router<AppState> {
    Router::new().route("/admin/calendar", get(admin_page).post(admin_import))
}

fn date(e: &mut FieldErrors, field: &str, v: Option<&str>) -> Option<Date> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.push(field, "required");
            None
        }
        Some(s) => match s.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                e.push_detail(field, "date_format", "YYYY-MM-DD");
                None
            }
        },
    }
}

impl From<CalendarError> for AppError {
    fn from(e: CalendarError) -> Self {
        match e {
            CalendarError::YearNotLoaded(y) => AppError::CalendarMissing(y),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AddParams {
    /// Starting date (not counted), `YYYY-MM-DD`.
    from: Option<String>,
    /// Working days to add, 0–3650.
    working_days: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct Due {
    /// `YYYY-MM-DD`
    due: String,
    /// True when the count ran over a year whose holiday notice is not loaded (statutory
    /// holidays only, see `provisional_years`).
    provisional: bool,
    /// The years counted provisionally.
    provisional_years: Vec<i16>,
}

/// The date N working days after `from` (from not counted; weekends and holidays skipped,
/// make-up workdays counted). A year whose notice is not loaded is counted on the statutory
/// holidays and the answer says `provisional`; 409 `calendar_year_not_loaded` before 2025.
#[utoipa::path(get, path = "/api/v1/calendar/add", tag = "calendar", params(AddParams),
    responses((status = 200, body = Due), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn add(State(state): State<AppState>, Query(p): Query<AddParams>) -> AppResult<Json<Due>> {
    let mut e = FieldErrors::new();
    let from = date(&mut e, "from", p.from.as_deref());
    let n = match p
        .working_days
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => {
            e.push("working_days", "required");
            None
        }
        Some(s) => match s.parse::<u32>() {
            Ok(n) if n <= 3650 => Some(n),
            _ => {
                e.push_detail("working_days", "out_of_range", "0–3650");
                None
            }
        },
    };
    let (Some(from), Some(n)) = (from, n) else {
        return Err(e.into());
    };
    let cal = state.store.calendar();
    let due = cal.add_working_days(from, n)?;
    let provisional_years = cal.provisional_years(from, due);
    Ok(Json(Due {
        due: due.to_string(),
        provisional: !provisional_years.is_empty(),
        provisional_years,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct BetweenParams {
    /// `YYYY-MM-DD`, not counted.
    from: Option<String>,
    /// `YYYY-MM-DD`, counted.
    to: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct Between {
    working_days: i64,
    /// True when the span covers a year whose holiday notice is not loaded.
    provisional: bool,
    provisional_years: Vec<i16>,
}

/// Working days in (from, to]: `from` excluded, `to` included, so `between(from, add(from, N)) = N`.
#[utoipa::path(get, path = "/api/v1/calendar/between", tag = "calendar", params(BetweenParams),
    responses((status = 200, body = Between), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn between(
    State(state): State<AppState>,
    Query(p): Query<BetweenParams>,
) -> AppResult<Json<Between>> {
    let mut e = FieldErrors::new();
    let from = date(&mut e, "from", p.from.as_deref());
    let to = date(&mut e, "to", p.to.as_deref());
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            e.push("to", "before_from");
        }
    }
    let (Some(from), Some(to), true) = (from, to, e.is_empty()) else {
        return Err(e.into());
    };
    let cal = state.store.calendar();
    let provisional_years = cal.provisional_years(from, to);
    Ok(Json(Between {
        working_days: cal.working_days_between(from, to)?,
        provisional: !provisional_years.is_empty(),
        provisional_years,
    }))
}

/// The loaded years with the notice each schedule comes from, then the provisional years up to
/// next year (`provisional: true`: statutory holidays only until the notice is loaded).
#[utoipa::path(get, path = "/api/v1/calendar/years", tag = "calendar", responses((status = 200, body = Many<CalendarYear>)))]
async fn years(State(state): State<AppState>) -> AppResult<Json<Many<CalendarYear>>> {
    let items = state.store.calendar_years().await?;
    Ok(crate::api::many(items))
}

#[derive(Serialize, ToSchema)]
struct Imported {
    year: i16,
    replaced: bool,
    /// The open records' dates the load moved: dates binding the unit follow the notice, dates
    /// binding the applicant never move earlier.
    moves: Vec<CalendarMove>,
}

/// Load (or replace) a year: the body is the year file in the format of `data/calendar/README.md`
/// (TOML). Administrators only.
#[utoipa::path(post, path = "/api/v1/calendar/years", tag = "calendar", security(("bearer" = [])),
    request_body(content = String, content_type = "application/toml"),
    responses((status = 200, body = One<Imported>)))]
async fn import_year(
    State(state): State<AppState>,
    viewer: Viewer,
    _: CsrfChecked,
    body: String,
) -> AppResult<Json<One<Imported>>> {
    let user = viewer.require(&[Role::Admin])?;
    let schedule = YearSchedule::from_toml(&body)?;
    let imported = state
        .store
        .import_calendar_year(&user.username, &schedule)
        .await?;
    Ok(crate::api::one(Imported {
        year: schedule.year,
        replaced: imported.replaced,
        moves: imported.moves,
    }))
}

/// The dates that loading `year` moved (every load of it), for administrators and supervisors.
#[utoipa::path(get, path = "/api/v1/calendar/years/{year}/moves", tag = "calendar", security(("bearer" = [])),
    params(("year" = i16, Path, description = "The year loaded")),
    responses((status = 200, body = Many<CalendarMove>)))]
async fn moves(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(year): Path<i16>,
) -> AppResult<Json<Many<CalendarMove>>> {
    viewer.require(&[Role::Admin, Role::Supervisor])?;
    let items = state.store.calendar_moves(year).await?;
    Ok(crate::api::many(items))
}

#[derive(Template)]
#[template(path = "calendar/admin.html")]
struct AdminCalendar {
    c: Chrome,
    years: Vec<CalendarYear>,
    errors: Vec<String>,
    done: Option<i16>,
    /// What the load just done moved.
    moves: Vec<CalendarMove>,
    /// The rest days each provisional year assumes, for the administrator to see.
    provisional: Vec<YearSchedule>,
    units: std::collections::HashMap<String, String>,
    hours: String,
}

impl AdminCalendar {
    /// The page of a moved record.
    fn record_href(&self, m: &CalendarMove) -> String {
        match m.record_kind.as_str() {
            "hotline_ticket" => format!("/hotline/tickets/{}", m.record_id),
            "rectification" => format!("/rectifications/{}", m.record_id),
            _ => format!("/cases/{}", m.record_id),
        }
    }
}

#[derive(Deserialize)]
struct Loaded {
    loaded: Option<i16>,
}

async fn admin_page(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Query(q): Query<Loaded>,
) -> AppResult<Response> {
    viewer.require(&[Role::Admin])?;
    admin_render(&state, c, vec![], q.loaded, StatusCode::OK).await
}

async fn admin_render(
    state: &AppState,
    c: Chrome,
    errors: Vec<String>,
    done: Option<i16>,
    status: StatusCode,
) -> AppResult<Response> {
    let years = state.store.calendar_years().await?;
    let hours = state.store.calendar().hours().to_string();
    let moves = match done {
        Some(year) => state.store.calendar_moves(year).await?,
        None => Vec::new(),
    };
    let units = crate::pages::unit_names(state, &c).await?;
    let provisional = years
        .iter()
        .filter(|y| y.provisional)
        .filter_map(|y| tongban_domain::calendar::provisional_schedule(y.year).cloned())
        .collect();
    let mut resp = render(&AdminCalendar {
        c,
        years,
        errors,
        done,
        moves,
        provisional,
        units,
        hours,
    });
    *resp.status_mut() = status;
    Ok(resp)
}

async fn admin_import(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    multipart: Multipart,
) -> AppResult<Response> {
    let user = viewer.require(&[Role::Admin])?.clone();
    let up = crate::cases::read_upload(multipart).await?;
    viewer.check_csrf(up.fields.get("csrf").map(String::as_str))?;
    let text = match String::from_utf8(up.bytes) {
        Ok(t) if !t.trim().is_empty() => t,
        Ok(_) => {
            let msg = c.t.error(&tongban_domain::FieldError {
                field: "file".into(),
                code: "required",
                detail: None,
            });
            return admin_render(&state, c, vec![msg], None, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
        Err(_) => {
            let msg = c.t.error(&tongban_domain::FieldError {
                field: "file".into(),
                code: "csv_not_utf8",
                detail: None,
            });
            return admin_render(&state, c, vec![msg], None, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
    };
    match YearSchedule::from_toml(&text) {
        Ok(s) => {
            state.store.import_calendar_year(&user.username, &s).await?;
            // Post/redirect/get: reloading the page does not import again.
            Ok((
                StatusCode::SEE_OTHER,
                [(
                    header::LOCATION,
                    format!("/admin/calendar?loaded={}", s.year),
                )],
            )
                .into_response())
        }
        Err(e) => {
            let msgs = e.0.iter().map(|fe| c.t.error(fe)).collect();
            admin_render(&state, c, msgs, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}
