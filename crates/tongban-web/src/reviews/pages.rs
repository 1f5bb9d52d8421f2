//! 好差评 pages: the window's visits with their QR codes, the rating form (online for a case,
//! offline on the pad or the phone that scanned the code, without an account), the rectification
//! tickets, and the public statistics.

use super::api::{TicketView, serve, ticket_view};
use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{PRELOGIN_CSRF_COOKIE, SignedIn, Viewer, constant_time_eq, cookie, random_token};
use crate::error::{AppError, AppResult};
use crate::pages::see_other;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use std::collections::{BTreeMap, HashMap};
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::reviews::{
    AppealGround, Channel, Level, NewRating, RealName, Remedy, Stats, TicketCommand,
};
use tongban_store::reviews::Visit;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/window", get(window_page).post(window_serve))
        .route("/rate/{token}", get(pad_page).post(pad_rate))
        .route("/cases/{id}/rate", get(case_rate_page).post(case_rate))
        .route("/rectifications", get(tickets_page))
        .route("/rectifications/{id}", get(ticket_page))
        .route("/rectifications/{id}/act", post(ticket_act))
        .route("/reviews", get(stats_page))
}

// ---- the window --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "reviews/window.html")]
struct WindowPage {
    c: Chrome,
    visits: Vec<Visit>,
    /// The visit just served, with its QR code.
    served: Option<(Visit, String)>,
    errors: Vec<String>,
    item_code: String,
}

/// The address a phone reaches the rating page at: the configured public URL, else the host
/// the clerk's browser used.
fn rate_url(state: &AppState, headers: &HeaderMap, token: &str) -> String {
    format!("{}/rate/{token}", crate::pages::public_base(state, headers))
}

async fn render_window(
    state: &AppState,
    c: Chrome,
    headers: &HeaderMap,
    unit: &str,
    errors: Vec<String>,
    item_code: String,
) -> AppResult<Response> {
    let visits = state.store.visits_today(unit).await?;
    // The visit this window just served (its ticket is in the address), not another clerk's.
    let served_ticket = c
        .path
        .split_once("served=")
        .map(|(_, t)| t.split('&').next().unwrap_or("").to_string());
    let served = served_ticket.and_then(|t| {
        visits.iter().find(|v| v.ticket == t && !v.rated).map(|v| {
            (
                v.clone(),
                crate::pages::qr_svg(&rate_url(state, headers, &v.token)),
            )
        })
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(&WindowPage {
        c,
        visits,
        served,
        errors,
        item_code,
    });
    *r.status_mut() = status;
    Ok(r)
}

async fn window_page(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    headers: HeaderMap,
) -> AppResult<Response> {
    let user = viewer.require(&[Role::Clerk, Role::Approver])?.clone();
    let unit = user.unit.clone().ok_or(AppError::Forbidden)?;
    render_window(&state, c, &headers, &unit, vec![], String::new()).await
}

async fn window_serve(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    headers: HeaderMap,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let user = viewer.require(&[Role::Clerk, Role::Approver])?.clone();
    let item = f.get("item_code").cloned().unwrap_or_default();
    match serve(&state, &user, Some(&item)).await {
        Ok(v) => Ok(see_other(&format!("/window?served={}", v.ticket))),
        Err(e @ AppError::Invalid(_)) => {
            let unit = user.unit.clone().ok_or(AppError::Forbidden)?;
            let errors = crate::pages::problem_messages(&c, &e);
            render_window(&state, c, &headers, &unit, errors, item).await
        }
        Err(e) => Err(e),
    }
}

// ---- rating forms -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "reviews/rate.html")]
struct RatePage {
    c: Chrome,
    channel: Channel,
    /// Where the form posts.
    action: String,
    /// What is being rated (ticket number and unit, or the case).
    subject: String,
    form_csrf: String,
    f: HashMap<String, String>,
    errors: Vec<String>,
    done: bool,
}

impl RatePage {
    fn indicators(&self) -> Vec<&'static str> {
        self.channel.indicators().to_vec()
    }
    fn levels(&self) -> Vec<&'static str> {
        Level::ALL.iter().map(|l| l.as_str()).collect()
    }
    fn checked(&self, k: &str, v: &str) -> bool {
        self.f.get(k).map(String::as_str) == Some(v)
    }
    fn v(&self, k: &str) -> String {
        self.f.get(k).cloned().unwrap_or_default()
    }
}

/// Reads the rating form: `score_<indicator>`, `comment`, `demand`, `real_name`, `phone`.
fn parse_rating(channel: Channel, f: &HashMap<String, String>) -> NewRating {
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut scores = BTreeMap::new();
    for k in channel.indicators() {
        if let Some(l) = Level::parse(&get(&format!("score_{k}"))) {
            scores.insert(k.to_string(), l);
        }
    }
    let (name, phone) = (get("real_name"), get("phone"));
    NewRating {
        scores,
        comment: get("comment"),
        demand: get("demand"),
        real_name: (!name.is_empty() || !phone.is_empty()).then_some(RealName { name, phone }),
    }
}

async fn pad_page(
    State(state): State<AppState>,
    c: Chrome,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let visit = state
        .store
        .visit_by_token(&token)
        .await?
        .ok_or(AppError::NotFound)?;
    let units = crate::pages::unit_names(&state, &c).await?;
    let token_csrf = random_token();
    let page = RatePage {
        subject: format!(
            "{} · {}",
            visit.ticket,
            units.get(&visit.unit).cloned().unwrap_or_default()
        ),
        c,
        channel: Channel::Offline,
        action: format!("/rate/{token}"),
        form_csrf: token_csrf.clone(),
        f: HashMap::new(),
        errors: vec![],
        done: visit.rated,
    };
    Ok(crate::auth::pages::with_prelogin_csrf(
        &state,
        render(&page),
        &token_csrf,
    ))
}

async fn pad_rate(
    State(state): State<AppState>,
    c: Chrome,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let sent = cookie(&headers, PRELOGIN_CSRF_COOKIE).unwrap_or_default();
    let form = f.get("csrf").cloned().unwrap_or_default();
    if sent.is_empty() || !constant_time_eq(sent.as_bytes(), form.as_bytes()) {
        return Err(AppError::bad_request("csrf", "csrf"));
    }
    let new = parse_rating(Channel::Offline, &f);
    match tongban_app::reviews::rate_visit(&state.store, &token, new)
        .await
        .map_err(AppError::from)
    {
        Ok((_, _, visit)) => {
            let units = crate::pages::unit_names(&state, &c).await?;
            let page = RatePage {
                subject: format!(
                    "{} · {}",
                    visit.ticket,
                    units.get(&visit.unit).cloned().unwrap_or_default()
                ),
                c,
                channel: Channel::Offline,
                action: String::new(),
                form_csrf: String::new(),
                f: HashMap::new(),
                errors: vec![],
                done: true,
            };
            Ok(render(&page))
        }
        Err(e) => {
            let (errors, status) = crate::pages::refused_on_page(&c, e)?;
            let token_csrf = random_token();
            let units = crate::pages::unit_names(&state, &c).await?;
            let subject = match state.store.visit_by_token(&token).await? {
                Some(v) => format!(
                    "{} · {}",
                    v.ticket,
                    units.get(&v.unit).cloned().unwrap_or_default()
                ),
                None => String::new(),
            };
            let mut r = render(&RatePage {
                subject,
                c,
                channel: Channel::Offline,
                action: format!("/rate/{token}"),
                form_csrf: token_csrf.clone(),
                f,
                errors,
                done: false,
            });
            *r.status_mut() = status;
            Ok(crate::auth::pages::with_prelogin_csrf(
                &state,
                r,
                &token_csrf,
            ))
        }
    }
}

async fn case_rate_page(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let user = viewer.require(&[Role::Applicant])?.clone();
    let (_, case) = crate::cases::load_visible(&state, &viewer, &id).await?;
    let _ = user;
    let done = state.store.rating_of_case(&id).await?.is_some();
    let csrf = c.csrf.clone();
    Ok(render(&RatePage {
        subject: format!("{} · {}", case.id, case.item_name),
        c,
        channel: Channel::Online,
        action: format!("/cases/{id}/rate"),
        form_csrf: csrf,
        f: HashMap::new(),
        errors: vec![],
        done,
    }))
}

async fn case_rate(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let user = viewer.require(&[Role::Applicant])?.clone();
    let new = parse_rating(Channel::Online, &f);
    match tongban_app::reviews::rate_case(&state.store, &user, &id, new)
        .await
        .map_err(AppError::from)
    {
        Ok(_) => Ok(see_other(&format!("/cases/{id}"))),
        Err(e) => {
            let (errors, status) = crate::pages::refused_on_page(&c, e)?;
            let csrf = c.csrf.clone();
            Ok(crate::pages::with_status(
                render(&RatePage {
                    subject: id.clone(),
                    c,
                    channel: Channel::Online,
                    action: format!("/cases/{id}/rate"),
                    form_csrf: csrf,
                    f,
                    errors,
                    done: false,
                }),
                status,
            ))
        }
    }
}

// ---- rectification tickets ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "reviews/rectifications.html")]
struct TicketsPage {
    c: Chrome,
    tickets: Vec<TicketView>,
}

async fn tickets_page(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
) -> AppResult<Response> {
    let mut tickets = Vec::new();
    for t in tongban_app::reviews::visible_tickets(&state.store, &user).await? {
        tickets.push(ticket_view(&state, &user, t).await?);
    }
    Ok(render(&TicketsPage { c, tickets }))
}

#[derive(Template)]
#[template(path = "reviews/rectification.html")]
struct TicketPage {
    c: Chrome,
    v: TicketView,
    errors: Vec<String>,
}

impl TicketPage {
    fn can(&self, a: &str) -> bool {
        self.v.allowed_actions.contains(&a)
    }
}

async fn show_ticket(
    state: &AppState,
    c: Chrome,
    viewer: &Viewer,
    id: &str,
    errors: Vec<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let user = viewer.user.clone().ok_or(AppError::Unauthorized)?;
    let t = tongban_app::reviews::load_ticket(&state.store, &user, id).await?;
    let v = ticket_view(state, &user, t).await?;
    let mut r = render(&TicketPage { c, v, errors });
    *r.status_mut() = status;
    Ok(r)
}

async fn ticket_page(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Response> {
    show_ticket(&state, c, &viewer, &id, vec![], StatusCode::OK).await
}

fn ticket_command(f: &HashMap<String, String>) -> Result<TicketCommand, FieldErrors> {
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    Ok(match get("action").as_str() {
        "rectify" => TicketCommand::Rectify {
            remedy: match get("remedy").as_str() {
                "fixed" => Remedy::Fixed,
                "ledger" => Remedy::Ledger,
                "explained" => Remedy::Explained,
                _ => return Err(FieldErrors::single("remedy", "required")),
            },
            action_taken: get("text"),
        },
        "appeal" => TicketCommand::Appeal {
            ground: if get("ground") == "malicious" {
                AppealGround::Malicious
            } else {
                AppealGround::Mistaken
            },
            reason: get("text"),
        },
        "reexamine" => TicketCommand::Reexamine {
            remove: get("remove") == "1",
            decision: get("text"),
        },
        "call_back" => TicketCommand::CallBack {
            satisfied: get("satisfied") == "1",
            note: get("text"),
        },
        _ => return Err(FieldErrors::single("action", "unknown_value")),
    })
}

async fn ticket_act(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let result = match ticket_command(&f) {
        Ok(cmd) => tongban_app::reviews::run_ticket(&state.store, &user, &id, cmd)
            .await
            .map(|_| ())
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/rectifications/{id}"))),
        Err(e) => {
            let (errors, status) = crate::pages::refused_on_page(&c, e)?;
            show_ticket(&state, c, &viewer, &id, errors, status).await
        }
    }
}

// ---- public statistics -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "reviews/stats.html")]
struct StatsPage {
    c: Chrome,
    all: Stats,
    units: Vec<(String, Stats)>,
}

impl StatsPage {
    fn pct(&self, r: &tongban_domain::cases::indicators::Ratio) -> String {
        r.value.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
    }
}

async fn stats_page(State(state): State<AppState>, c: Chrome) -> AppResult<Response> {
    use tongban_app::dashboard::totals;
    let (ratings, rectify) = super::api::review_totals(&state).await?;
    let all = totals::reviews(&ratings, &rectify, None);
    let counted = ratings.units();
    let mut units = Vec::new();
    for u in state.store.units().await? {
        if counted.contains(u.code.as_str()) {
            let s = totals::reviews(&ratings, &rectify, Some(&u.code));
            units.push((c.t.unit_name(&u), s));
        }
    }
    Ok(render(&StatsPage { c, all, units }))
}
