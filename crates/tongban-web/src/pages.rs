//! Shared page machinery: the layout every page extends, the home page, health, error pages.

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, ErrorInfo};
use crate::i18n::{Lang, ReaderLang, T};
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tongban_domain::FieldError;
use tongban_store::accounts::User;

/// What the layout needs on every page: language, who is signed in, their CSRF token, and the
/// current path with its query (for the language switch).
#[derive(Clone)]
pub struct Chrome {
    pub t: T,
    pub user: Option<User>,
    pub csrf: String,
    pub path: String,
    /// For administrators and supervisors while next year's holiday notice is not loaded: how
    /// many open records have provisional dates (see `Store::calendar_reminder`).
    pub calendar_banner: Option<String>,
    /// The calendar and today, for marking provisional dates on the page.
    calendar: Option<(
        std::sync::Arc<tongban_domain::calendar::Calendar>,
        jiff::civil::Date,
    )>,
}

impl Chrome {
    /// `path` is the page's path, with its query when it has one (see [`here`]).
    pub fn new(lang: Lang, viewer: &Viewer, path: &str) -> Chrome {
        Chrome {
            t: T { lang },
            user: viewer.user.clone(),
            csrf: viewer.csrf.clone().unwrap_or_default(),
            path: path.to_string(),
            calendar_banner: None,
            calendar: None,
        }
    }
    /// Why `date` is provisional (counted over a year whose holiday notice is not loaded, from
    /// today), for a 暂定 mark's title; `None` when it is not.
    pub fn provisional_title(&self, date: &jiff::civil::Date) -> Option<String> {
        let (cal, today) = self.calendar.as_ref()?;
        let years = cal.provisional_years(*today, *date);
        (!years.is_empty()).then(|| {
            let years: Vec<String> = years.iter().map(i16::to_string).collect();
            self.t.n("provisional.explain", years.join("、"))
        })
    }
    pub fn role(&self) -> &'static str {
        self.user.as_ref().map_or("", |u| u.role.as_str())
    }
    pub fn is(&self, role: &str) -> bool {
        self.role() == role
    }
    /// The same page (query included) in the other language. A `lang=` parameter is dropped
    /// from the query, since it would override the choice.
    pub fn other_lang_href(&self) -> String {
        let other = if self.t.is_en() { "zh" } else { "en" };
        let back = match self.path.split_once('?') {
            Some((path, query)) => {
                let kept: Vec<&str> = query
                    .split('&')
                    .filter(|p| !p.is_empty() && !p.starts_with("lang="))
                    .collect();
                if kept.is_empty() {
                    path.to_string()
                } else {
                    format!("{path}?{}", kept.join("&"))
                }
            }
            None => self.path.clone(),
        };
        format!("/lang/{other}?back={}", urlencode(&back))
    }
    /// A stored timestamp as `2026-11-27 03:09` (see [`crate::i18n::local_minutes`]).
    pub fn when(&self, ts: &str) -> String {
        crate::i18n::local_minutes(ts)
    }
}

/// Every page handler asks for its `Chrome`: the language, the signed-in user (the `Viewer`
/// is cached in the request, so a handler may ask for both), and the path with its query.
impl axum::extract::FromRequestParts<AppState> for Chrome {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Chrome, AppError> {
        let viewer =
            <Viewer as axum::extract::FromRequestParts<AppState>>::from_request_parts(parts, state)
                .await?;
        let mut c = Chrome::new(crate::i18n::lang_of(parts), &viewer, here(&parts.uri));
        c.calendar = Some((
            state.store.calendar(),
            tongban_domain::cases::local_date(state.store.now()),
        ));
        if c.is("admin") || c.is("supervisor") {
            c.calendar_banner = state.store.calendar_reminder().await?.map(|r| {
                let years: Vec<String> = r.years.iter().map(i16::to_string).collect();
                c.t.fill(
                    "calendar.banner",
                    &[
                        ("years", &years.join("、")),
                        ("n", &r.open_records.to_string()),
                    ],
                )
            });
        }
        Ok(c)
    }
}

/// The path and query of a request, as given to [`Chrome::new`].
pub fn here(uri: &Uri) -> &str {
    uri.path_and_query().map_or("/", |p| p.as_str())
}

/// A path on this site to return to, or `/`: never another site (`//host`, `/\host` and
/// absolute URLs are refused, so a link cannot bounce a signed-in user elsewhere).
pub fn safe_path(path: Option<String>) -> String {
    path.filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/\\"))
        .unwrap_or_else(|| "/".into())
}

/// What a form's page does with a refusal: invalid input, a conflict or a command not allowed
/// now is shown on the page again, with its messages and status; anything else is an error page.
pub fn refused_on_page(
    c: &Chrome,
    e: AppError,
) -> crate::error::AppResult<(Vec<String>, StatusCode)> {
    match e {
        AppError::Invalid(_)
        | AppError::Conflict { .. }
        | AppError::NotAllowed { .. }
        | AppError::BadRequest { .. } => Ok((problem_messages(c, &e), e.status())),
        e => Err(e),
    }
}

/// After a form's success: 303 to the page that shows what it did.
pub fn see_other(to: &str) -> Response {
    (
        axum::http::StatusCode::SEE_OTHER,
        [(axum::http::header::LOCATION, to.to_string())],
    )
        .into_response()
}

/// What a posted form leads to: 303 to the page `done` names when it worked; when it was
/// refused, the form's page again (`again`, given the chrome and the reasons) with the refusal's
/// status; any other error as an error page.
pub async fn after_form<F, Fut>(
    c: Chrome,
    done: Result<String, AppError>,
    again: F,
) -> crate::error::AppResult<Response>
where
    F: FnOnce(Chrome, Vec<String>) -> Fut,
    Fut: std::future::Future<Output = crate::error::AppResult<Response>>,
{
    match done {
        Ok(to) => Ok(see_other(&to)),
        Err(e) => {
            let (errors, status) = refused_on_page(&c, e)?;
            Ok(with_status(again(c, errors).await?, status))
        }
    }
}

/// A rendered page sent with the status of what happened (a refused form: 422, 409).
pub fn with_status(mut r: Response, status: StatusCode) -> Response {
    *r.status_mut() = status;
    r
}

/// A refused form's messages in the reader's language: the problem's title, then one sentence
/// per field error.
pub fn problem_messages(c: &Chrome, e: &AppError) -> Vec<String> {
    let mut out = vec![c.t.get(&format!("problem.{}", e.code())).to_string()];
    out.extend(e.field_errors().iter().map(|fe| c.t.error(fe)));
    out
}

/// Unit names by code in the reader's language.
pub async fn unit_names(
    state: &AppState,
    c: &Chrome,
) -> Result<std::collections::HashMap<String, String>, AppError> {
    Ok(state
        .store
        .units()
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), c.t.unit_name(&u)))
        .collect())
}

/// The page of a record an inbox message is about, by its kind (`case`, `declaration`,
/// `bundle`, `hotline_ticket`, `rectification`, `calendar_year`); `None` for an unknown kind.
pub fn record_path(kind: &str, id: &str) -> Option<String> {
    use tongban_domain::records::RecordKind;
    Some(match RecordKind::parse(kind)? {
        RecordKind::Case => format!("/cases/{id}"),
        RecordKind::Declaration => format!("/declarations/{id}"),
        RecordKind::Bundle => format!("/bundles/{id}"),
        RecordKind::HotlineTicket => format!("/hotline/tickets/{id}"),
        RecordKind::Rectification => format!("/rectifications/{id}"),
        RecordKind::CalendarYear => "/admin/calendar".to_string(),
        RecordKind::CreditRecord => format!("/credit/records/{id}"),
        RecordKind::InspectionPlan => format!("/inspection/plans/{id}"),
        RecordKind::InspectionCheck => format!("/inspection/checks/{id}"),
        RecordKind::RiskWarning => format!("/warnings/{id}"),
        RecordKind::GovPromise => format!("/credit/integrity/{id}"),
        RecordKind::Licence => format!("/licences/{id}"),
        RecordKind::PlanReport => format!("/plan/reports/{id}"),
        RecordKind::SupervisionRound => format!("/plan/rounds/{id}"),
        RecordKind::MonthlyReport => format!("/dashboard/monthly/{id}"),
    })
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Renders a template into a response, turning a template failure into a logged 500.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => AppError::Internal(format!("template: {e}")).into_response(),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/lang/{lang}", get(switch_lang))
        .route("/problems/{code}", get(problem_type))
        .route(
            "/static/app.css",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                        (header::CACHE_CONTROL, "max-age=3600"),
                    ],
                    include_str!("../templates/app.css"),
                )
            }),
        )
}

#[derive(Template)]
#[template(path = "catalog/home.html")]
struct Home {
    c: Chrome,
    themes: Vec<String>,
    items: i64,
}

async fn home(State(state): State<AppState>, c: Chrome) -> Result<Response, AppError> {
    let themes = state.store.themes().await?;
    let (_, items) = state
        .store
        .search_items(
            &Default::default(),
            tongban_store::Page {
                page: 1,
                per_page: 1,
            },
        )
        .await?;
    Ok(render(&Home { c, themes, items }))
}

#[derive(serde::Deserialize)]
struct Back {
    back: Option<String>,
}

/// Remembers the chosen language in a cookie and returns to the page (same site only).
async fn switch_lang(
    axum::extract::Path(lang): axum::extract::Path<String>,
    axum::extract::Query(b): axum::extract::Query<Back>,
) -> Response {
    let lang = if lang == "en" { "en" } else { "zh" };
    let back = safe_path(b.back);
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, back),
            (
                header::SET_COOKIE,
                format!("lang={lang}; Path=/; Max-Age=31536000; SameSite=Lax"),
            ),
        ],
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    status: u16,
    title: String,
    detail: String,
    errors: Vec<String>,
    signin: bool,
}

async fn problem_type(
    axum::extract::Path(code): axum::extract::Path<String>,
    ReaderLang(lang): ReaderLang,
    viewer: Viewer,
) -> Response {
    let i = crate::i18n::catalog();
    let title = i.get(lang, &format!("problem.{code}")).to_string();
    let detail = i.get(lang, &format!("problem.{code}.detail")).to_string();
    render(&ErrorPage {
        c: Chrome::new(lang, &viewer, "/"),
        status: 200,
        title,
        detail,
        errors: vec![],
        signin: false,
    })
}

/// Turns problem responses of page routes into pages in the reader's language. A page that
/// needs a session, opened without one, sends the reader to sign in and back.
pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let lang = crate::i18n::lang_of(&parts);
    // Who is asking, so that an error page keeps the reader's own header (their name, sign-out);
    // the guard and the handler take it from the request's extensions, not from the store again.
    use axum::extract::FromRequestParts;
    let asked = Viewer::from_request_parts(&mut parts, &state).await;
    let path = here(&parts.uri).to_string();
    let readable = parts.method == Method::GET || parts.method == Method::HEAD;
    let (viewer, mut resp) = match asked {
        Ok(viewer) => (viewer, next.run(Request::from_parts(parts, body)).await),
        // The store is away: the handler would only wait for it a second time. Say so now.
        Err(e) if e.status() == StatusCode::SERVICE_UNAVAILABLE => {
            (Viewer::default(), e.into_response())
        }
        // Anything else (a malformed token) is the handler's to answer, as before.
        Err(_) => (
            Viewer::default(),
            next.run(Request::from_parts(parts, body)).await,
        ),
    };
    let Some(info) = resp.extensions_mut().remove::<ErrorInfo>() else {
        return resp;
    };
    if info.status == StatusCode::UNAUTHORIZED && readable {
        return (
            StatusCode::SEE_OTHER,
            [(
                header::LOCATION,
                format!("/login?next={}", urlencode(&path)),
            )],
        )
            .into_response();
    }
    let page = error_page(lang, &viewer, &path, &info);
    let mut out = (info.status, page).into_response();
    if let Some(v) = resp.headers().get(header::RETRY_AFTER) {
        out.headers_mut().insert(header::RETRY_AFTER, v.clone());
    }
    out
}

fn error_page(lang: Lang, viewer: &Viewer, path: &str, info: &ErrorInfo) -> Html<String> {
    let i = crate::i18n::catalog();
    let errors = info
        .errors
        .iter()
        .map(|e: &FieldError| i.field_error(lang, e))
        .collect();
    let page = ErrorPage {
        c: Chrome::new(lang, viewer, path),
        status: info.status.as_u16(),
        title: i.get(lang, &format!("problem.{}", info.code)).to_string(),
        detail: i
            .get(lang, &format!("problem.{}.detail", info.code))
            .to_string(),
        errors,
        signin: info.status == StatusCode::UNAUTHORIZED,
    };
    Html(page.render().unwrap_or_else(|e| format!("error {e}")))
}

pub async fn not_found(req: Request) -> Response {
    let (parts, _) = req.into_parts();
    if parts.uri.path().starts_with("/api/") {
        return AppError::NotFound.into_response();
    }
    let lang = crate::i18n::lang_of(&parts);
    let info = ErrorInfo {
        status: StatusCode::NOT_FOUND,
        code: "not_found",
        errors: vec![],
    };
    (
        StatusCode::NOT_FOUND,
        error_page(lang, &Viewer::default(), here(&parts.uri), &info),
    )
        .into_response()
}

/// Ready to take traffic: the database answers and has exactly the migrations this build knows
/// (503 with what is wrong otherwise, for a load balancer to route around).
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.migrations().await {
        Ok((applied, known)) if applied == known => Json(serde_json::json!({
            "status": "ready", "database": "ok", "migrations": { "applied": applied, "known": known },
        }))
        .into_response(),
        Ok((applied, known)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({
                "status": "not_ready", "database": "ok",
                "migrations": { "applied": applied, "known": known },
            })),
        )
            .into_response(),
        // The database's own words stay in the log: they may name hosts and accounts.
        Err(e) => {
            tracing::warn!(error = %e, "not ready: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "not_ready", "database": "unavailable" })),
            )
                .into_response()
        }
    }
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => Json(
            serde_json::json!({ "status": "ok", "store": format!("{:?}", state.store.backend()) }),
        )
        .into_response(),
        Err(e) => AppError::Internal(e.to_string()).into_response(),
    }
}

/// A workbook sent as a download under `filename` (ASCII).
pub fn xlsx_download(filename: &str, bytes: Vec<u8>) -> Response {
    download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename,
        bytes,
    )
}

/// A file sent as a download under `filename` (ASCII).
pub fn download(content_type: &str, filename: &str, bytes: Vec<u8>) -> Response {
    use axum::http::header;
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A QR code of `url` as inline SVG (a visit's rating page).
pub fn qr_svg(url: &str) -> String {
    qr_svg_with(url, qrcode::EcLevel::M, 180)
}

/// A QR code of `text` at an error-correction level and least size, as inline SVG (a licence's
/// proof is long: level L keeps its code at a size phones read).
pub fn qr_svg_with(text: &str, level: qrcode::EcLevel, size: u32) -> String {
    match qrcode::QrCode::with_error_correction_level(text.as_bytes(), level) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(size, size)
                .build();
            // Inline in HTML: no XML declaration.
            match svg.find("<svg") {
                Some(i) => svg[i..].to_string(),
                None => svg,
            }
        }
        Err(_) => String::new(),
    }
}

/// The address phones reach the platform at: the configured public URL, else the host the
/// browser used.
pub fn public_base(state: &crate::AppState, headers: &axum::http::HeaderMap) -> String {
    if state.config.public_url.is_empty() {
        headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(|h| format!("http://{h}"))
            .unwrap_or_default()
    } else {
        state.config.public_url.trim_end_matches('/').to_string()
    }
}

/// A unit's name from `unit_names`, or its code when the unit is unknown.
pub fn unit_name(units: &std::collections::HashMap<String, String>, code: &str) -> String {
    units.get(code).cloned().unwrap_or_else(|| code.to_string())
}
