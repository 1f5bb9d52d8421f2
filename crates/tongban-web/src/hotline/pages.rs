//! Hotline pages: the operator's intake (and the public web form for signed-in people), the
//! office's board with the business-environment line, a unit's queue, and the ticket with the
//! actions the reader may take.

use super::api::{TicketView, view};
use super::load;
use crate::AppState;
use crate::auth::Viewer;
use crate::auth::{CsrfForm, SignedIn};
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::collections::HashMap;
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::hotline::{Caller, Category, Command, Location, NewTicket, Source};
use tongban_store::Page;
use tongban_store::hotline::TicketFilter;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hotline", get(board))
        .route("/hotline/new", get(new_page).post(create))
        .route("/hotline/tickets/{id}", get(ticket_page))
        .route("/hotline/tickets/{id}/act", post(act))
        .route("/hotline/routes", get(routes_page).post(save_route))
}

#[derive(Template)]
#[template(path = "hotline/new.html")]
struct NewPage {
    c: Chrome,
    f: HashMap<String, String>,
    errors: Vec<String>,
    streets: Vec<(String, String)>,
    operator: bool,
}

impl NewPage {
    fn v(&self, k: &str) -> String {
        self.f.get(k).cloned().unwrap_or_default()
    }
    fn is(&self, k: &str, v: &str) -> bool {
        self.f.get(k).map(String::as_str) == Some(v)
    }
    fn categories(&self) -> Vec<&'static str> {
        Category::ALL.iter().map(|c| c.as_str()).collect()
    }
}

async fn streets(state: &AppState, c: &Chrome) -> AppResult<Vec<(String, String)>> {
    Ok(state
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.level == tongban_domain::catalog::Level::Street)
        .map(|u| (u.code, if c.t.is_en() { u.name_en } else { u.name }))
        .collect())
}

async fn new_page(State(state): State<AppState>, c: Chrome, viewer: Viewer) -> AppResult<Response> {
    let user = viewer.user.clone().ok_or(AppError::Unauthorized)?;
    let streets = streets(&state, &c).await?;
    Ok(render(&NewPage {
        c,
        f: HashMap::new(),
        errors: vec![],
        streets,
        operator: user.role == Role::HotlineOperator,
    }))
}

fn parse_new(f: &HashMap<String, String>) -> Result<NewTicket, FieldErrors> {
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let category = Category::parse(&get("category"))
        .ok_or_else(|| FieldErrors::single("category", "required"))?;
    let opt = |k: &str| Some(get(k)).filter(|s| !s.is_empty());
    Ok(NewTicket {
        category,
        matter: get("matter"),
        caller: Some(Caller {
            name: get("caller_name"),
            phone: get("caller_phone"),
            confidential: f.contains_key("confidential"),
        }),
        location: Location {
            address: get("address"),
            lat: None,
            long: None,
        },
        street: opt("street"),
        enterprise_uscc: opt("enterprise_uscc"),
        business_environment: f.contains_key("business_environment"),
        service_code: None,
        about_uscc: opt("about_uscc"),
    })
}

async fn create(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let source = if user.role == Role::HotlineOperator {
        Source::Phone
    } else {
        Source::Web
    };
    let result = match parse_new(&f) {
        Ok(new) => tongban_app::hotline::intake(&state.store, &user, source, new)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok((t, _)) => Ok((
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/hotline/tickets/{}", t.id))],
        )
            .into_response()),
        Err(AppError::Invalid(e)) => {
            let errors = e.0.iter().map(|fe| c.t.error(fe)).collect();
            let streets = streets(&state, &c).await?;
            let mut r = render(&NewPage {
                c,
                f,
                errors,
                streets,
                operator: user.role == Role::HotlineOperator,
            });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "hotline/board.html")]
struct Board {
    c: Chrome,
    tickets: Vec<TicketView>,
    tab: String,
    office: bool,
}

impl Board {
    fn is_tab(&self, s: &str) -> bool {
        self.tab == s
    }
}

async fn board(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let tab = q.get("tab").cloned().unwrap_or_default();
    let mut f = TicketFilter::default();
    let office = matches!(
        user.role,
        Role::HotlineOperator | Role::Supervisor | Role::Admin
    );
    match user.role {
        Role::HotlineOperator | Role::Supervisor | Role::Admin => {}
        Role::Clerk | Role::Approver => {
            f.unit = Some(user.unit.clone().ok_or(AppError::Forbidden)?)
        }
        Role::Applicant => f.filed_by = Some(user.username.clone()),
        Role::Evaluator => return Err(AppError::Forbidden),
    }
    match tab.as_str() {
        "business" => f.business = Some(true),
        "" => {}
        s => f.states = vec![s.to_string()],
    }
    let (rows, _) = state
        .store
        .list_hotline_tickets(
            &f,
            Page {
                page: 1,
                per_page: Page::MAX_PER_PAGE,
            },
        )
        .await?;
    let mut tickets = Vec::new();
    for t in rows {
        tickets.push(view(&state, &user, t).await?);
    }
    Ok(render(&Board {
        c,
        tickets,
        tab,
        office,
    }))
}

#[derive(Template)]
#[template(path = "hotline/ticket.html")]
struct TicketPage {
    c: Chrome,
    v: TicketView,
    errors: Vec<String>,
    units: Vec<(String, String)>,
}

impl TicketPage {
    fn can(&self, a: &str) -> bool {
        self.v.allowed_actions.contains(&a)
    }
    fn unit(&self, code: &str) -> String {
        self.units
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| code.to_string())
    }
}

async fn show(
    state: &AppState,
    c: Chrome,
    viewer: &Viewer,
    id: &str,
    errors: Vec<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let user = viewer.user.clone().ok_or(AppError::Unauthorized)?;
    let t = load(&state.store, &user, id).await?;
    let v = view(state, &user, t).await?;
    let units = state
        .store
        .units()
        .await?
        .into_iter()
        .map(|u| (u.code, if c.t.is_en() { u.name_en } else { u.name }))
        .collect();
    let mut r = render(&TicketPage {
        c,
        v,
        errors,
        units,
    });
    *r.status_mut() = status;
    Ok(r)
}

async fn ticket_page(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Response> {
    show(&state, c, &viewer, &id, vec![], StatusCode::OK).await
}

fn command(f: &HashMap<String, String>) -> Result<Command, FieldErrors> {
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let assisting: Vec<String> = get("assisting")
        .split([',', '，', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    Ok(match get("action").as_str() {
        "dispatch" => Command::Dispatch {
            lead: get("lead"),
            assisting,
        },
        "redispatch" => Command::Redispatch {
            lead: get("lead"),
            assisting,
        },
        "insist" => Command::Insist { note: get("text") },
        "return" => Command::Return {
            reason: get("text"),
        },
        "reply" => Command::Reply { text: get("text") },
        "call_back" => Command::CallBack {
            satisfied: get("satisfied") == "1",
            note: get("text"),
        },
        "merge_into" => Command::MergeInto {
            ticket: get("ticket"),
        },
        _ => return Err(FieldErrors::single("action", "unknown_value")),
    })
}

async fn act(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let r = match command(&f) {
        Ok(cmd) => tongban_app::hotline::run(&state.store, &user, &id, cmd)
            .await
            .map(|_| ())
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    match r {
        Ok(()) => Ok((
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/hotline/tickets/{id}"))],
        )
            .into_response()),
        Err(e) => {
            let (errors, status) = crate::pages::refused_on_page(&c, e)?;
            show(&state, c, &viewer, &id, errors, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "hotline/routes.html")]
struct RoutesPage {
    c: Chrome,
    routes: Vec<tongban_domain::hotline::Route>,
    indicators: Vec<tongban_domain::hotline::Indicators>,
    errors: Vec<String>,
    editor: bool,
}

impl RoutesPage {
    fn pct(&self, r: &tongban_domain::cases::indicators::Ratio) -> String {
        r.value.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
    }
    fn categories(&self) -> Vec<&'static str> {
        Category::ALL.iter().map(|c| c.as_str()).collect()
    }
}

async fn render_routes(
    state: &AppState,
    c: Chrome,
    user: &tongban_store::accounts::User,
    errors: Vec<String>,
) -> AppResult<Response> {
    let routes = state.store.routes().await?;
    let indicators = tongban_app::dashboard::totals::hotline_by_unit(&state.store).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let editor = matches!(user.role, Role::HotlineOperator | Role::Admin);
    let mut r = render(&RoutesPage {
        c,
        routes,
        indicators,
        errors,
        editor,
    });
    *r.status_mut() = status;
    Ok(r)
}

/// The routing catalog the office edits, and the per-unit indicators.
async fn routes_page(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
) -> AppResult<Response> {
    let user = viewer.require(super::api::OFFICE)?.clone();
    render_routes(&state, c, &user, vec![]).await
}

async fn save_route(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let user = viewer
        .require(&[Role::HotlineOperator, Role::Admin])?
        .clone();
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let list = |k: &str| -> Vec<String> {
        get(k)
            .split([',', '，', '、', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    let route = tongban_domain::hotline::Route {
        code: get("code"),
        name: get("name"),
        category: Category::parse(&get("category")).unwrap_or(Category::Consult),
        keywords: list("keywords"),
        lead: get("lead"),
        assisting: list("assisting"),
        description: get("description"),
    };
    match tongban_app::hotline::check_route(&state.store, &route, &route.code)
        .await
        .map_err(AppError::from)
    {
        Ok(()) => {
            state.store.save_route(&user.username, &route).await?;
            Ok((
                StatusCode::SEE_OTHER,
                [(header::LOCATION, "/hotline/routes".to_string())],
            )
                .into_response())
        }
        Err(AppError::Invalid(e)) => {
            let errors = e.0.iter().map(|fe| c.t.error(fe)).collect();
            render_routes(&state, c, &user, errors).await
        }
        Err(e) => Err(e),
    }
}
