//! Bundle pages: the start-up one form (phone friendly), the applicant's bundles, one bundle with
//! its timeline chart, and the supervisors' board with the share finished within a day.

use super::{BundleView, load_visible, view};
use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{SUPERVISORS, SignedIn, Viewer};
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::collections::HashMap;
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::bundles::startup::{CompanyType, InvoiceNeed, Person, SealChoice, Shareholder};
use tongban_domain::bundles::{ConstructionForm, Part, StartupForm};
use tongban_store::Page;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bundles", get(list_page))
        .route("/bundles/startup/new", get(new_page))
        .route("/bundles/startup", post(create))
        .route("/bundles/construction/new", get(project_new_page))
        .route("/bundles/construction", post(create_project))
        .route("/supervision/projects", get(projects_page))
        .route("/bundles/{id}", get(bundle_page))
        .route("/bundles/{id}/withdraw", post(withdraw))
        .route("/supervision/bundles", get(board_page))
}

/// Shareholder rows on the form (more can be given through the API).
const SHAREHOLDER_ROWS: usize = 3;

#[derive(Template)]
#[template(path = "bundles/new.html")]
struct NewPage {
    c: Chrome,
    f: HashMap<String, String>,
    errors: Vec<String>,
    rows: Vec<usize>,
}

impl NewPage {
    fn v(&self, k: &str) -> String {
        self.f.get(k).cloned().unwrap_or_default()
    }
    fn checked(&self, k: &str, v: &str) -> bool {
        self.f.get(k).map(String::as_str) == Some(v)
    }
}

fn defaults() -> HashMap<String, String> {
    [
        ("company_type", "limited_liability"),
        ("seal", "free_set"),
        ("invoices", "ordinary"),
        ("first_invoices", "25"),
        ("staff", "1"),
        ("social_insurance", "1"),
        ("housing_fund", "1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

async fn new_page(c: Chrome, viewer: Viewer) -> AppResult<Response> {
    viewer.require(&[Role::Applicant])?;
    Ok(render(&NewPage {
        c,
        f: defaults(),
        errors: vec![],
        rows: (0..SHAREHOLDER_ROWS).collect(),
    }))
}

/// `100` or `100.5` yuan → fen.
fn fen(s: &str) -> Option<i64> {
    let s = s.trim().replace(',', "");
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    if int.is_empty()
        || frac.len() > 2
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let yuan: i64 = int.parse().ok()?;
    let cents: i64 = format!("{frac:0<2}").parse().ok()?;
    yuan.checked_mul(100)?.checked_add(cents)
}

/// Reads the form's fields into the one form, naming the fields that cannot even be read.
fn parse_form(f: &HashMap<String, String>) -> Result<StartupForm, FieldErrors> {
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut e = FieldErrors::new();
    let mut money = |field: &str, v: &str| match fen(v) {
        Some(n) => n,
        None => {
            e.push(field, "money_format");
            0
        }
    };
    let capital = money("registered_capital_fen", &get("registered_capital"));
    let mut shareholders = Vec::new();
    for i in 0..SHAREHOLDER_ROWS {
        let (name, id, amount) = (
            get(&format!("sh{i}_name")),
            get(&format!("sh{i}_id")),
            get(&format!("sh{i}_amount")),
        );
        if name.is_empty() && id.is_empty() && amount.is_empty() {
            continue;
        }
        let field = format!("shareholders[{}].contribution_fen", shareholders.len());
        shareholders.push(Shareholder {
            name,
            id_number: id,
            contribution_fen: money(&field, &amount),
        });
    }
    let staff = get("staff").parse().unwrap_or_else(|_| {
        e.push("staff", "out_of_range");
        0
    });
    let first_invoices = get("first_invoices").parse().unwrap_or(0);
    let form = StartupForm {
        company_name: get("company_name"),
        company_type: match get("company_type").as_str() {
            "sole_proprietorship" => CompanyType::SoleProprietorship,
            "partnership" => CompanyType::Partnership,
            _ => CompanyType::LimitedLiability,
        },
        registered_capital_fen: capital,
        domicile: get("domicile"),
        business_scope: get("business_scope"),
        legal_representative: Person {
            name: get("lr_name"),
            id_number: get("lr_id"),
            phone: get("lr_phone"),
        },
        shareholders,
        staff,
        seal: if get("seal") == "own_shop" {
            SealChoice::OwnShop
        } else {
            SealChoice::FreeSet
        },
        invoices: match get("invoices").as_str() {
            "none" => InvoiceNeed::None,
            "special" => InvoiceNeed::Special,
            _ => InvoiceNeed::Ordinary,
        },
        first_invoices,
        social_insurance: f.contains_key("social_insurance"),
        housing_fund: f.contains_key("housing_fund"),
        bank: get("bank"),
    };
    e.into_result(form)
}

async fn create(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let user = viewer.require(&[Role::Applicant])?.clone();
    let result = match parse_form(&f) {
        Ok(form) => tongban_app::bundles::start_startup(&state.store, &user, form)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(b) => Ok((
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/bundles/{}", b.id))],
        )
            .into_response()),
        Err(AppError::Invalid(e)) => {
            let errors = e.0.iter().map(|fe| c.t.error(fe)).collect();
            let mut r = render(&NewPage {
                c,
                f,
                errors,
                rows: (0..SHAREHOLDER_ROWS).collect(),
            });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "bundles/bundle.html")]
struct BundlePage {
    c: Chrome,
    v: BundleView,
    gantt: String,
    units: HashMap<String, String>,
    /// Part cases the reader may open.
    openable: Vec<String>,
}

impl BundlePage {
    fn unit(&self, code: &str) -> String {
        crate::pages::unit_name(&self.units, code)
    }
    fn company(&self) -> &str {
        self.v.bundle.form.title()
    }
    fn is_current(&self, stage: &u8) -> bool {
        self.v.current_stage == Some(*stage)
    }
    fn is_project(&self) -> bool {
        self.v.bundle.kind == tongban_domain::bundles::BundleKind::Construction
    }
    fn when(&self, t: &Option<jiff::Timestamp>) -> String {
        t.map(|t| crate::i18n::local_minutes(&tongban_store::rfc3339(t)))
            .unwrap_or_else(|| "—".into())
    }
    fn minutes(&self, m: &i64) -> String {
        let m = m.abs();
        self.c.t.fill(
            "bundle.hours_minutes",
            &[("h", &(m / 60).to_string()), ("m", &(m % 60).to_string())],
        )
    }
    fn part_state(&self, p: &Part) -> String {
        match (&p.case_state, &p.skipped) {
            (_, Some(why)) => self.c.t.label("bundle.skipped", why).to_string(),
            (Some(s), None) => self.c.t.label("state", s.as_str()).to_string(),
            (None, None) => self.c.t.get("bundle.waiting").to_string(),
        }
    }
    fn can_open(&self, id: &str) -> bool {
        self.openable.iter().any(|o| o == id)
    }
}

async fn bundle_page(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let b = load_visible(&state, &user, &id).await?;
    let units = crate::pages::unit_names(&state, &c).await?;
    let cases = state.store.bundle_cases(&id).await?;
    let me = crate::cases::actor(&user);
    let openable = cases
        .iter()
        .filter(|k| k.visible_to(&me))
        .map(|k| k.id.clone())
        .collect();
    let v = view(&state, &user, b).await?;
    let gantt = timeline(&v.bundle, state.store.now(), &c, &units);
    Ok(render(&BundlePage {
        c,
        v,
        gantt,
        units,
        openable,
    }))
}

/// The timeline chart in the reader's language.
fn timeline(
    b: &tongban_domain::bundles::Bundle,
    now: jiff::Timestamp,
    c: &Chrome,
    units: &HashMap<String, String>,
) -> String {
    let t = c.t;
    let label = |p: &Part| {
        let unit = units.get(&p.unit).cloned().unwrap_or_default();
        (p.item_name.chars().take(14).collect::<String>(), unit)
    };
    let tip = |key: &str| match key {
        "waiting" => t.get("bundle.legend_wait").to_string(),
        "received" => t.get("bundle.legend_received").to_string(),
        "handled" => t.get("bundle.legend_handled").to_string(),
        why => t.label("bundle.skipped", why).to_string(),
    };
    let time = |t: jiff::Timestamp| crate::i18n::local_minutes(&tongban_store::rfc3339(t));
    let words = super::gantt::Words {
        label: &label,
        tip: &tip,
        time: &time,
    };
    super::gantt::svg(b, now, &words)
}

async fn withdraw(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    _: CsrfForm,
) -> AppResult<Response> {
    load_visible(&state, &user, &id).await?;
    state.store.withdraw_bundle(&user.username, &id).await?;
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("/bundles/{id}"))],
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "bundles/list.html")]
struct ListPage {
    c: Chrome,
    bundles: Vec<BundleView>,
    board: bool,
    indicators: Option<super::BundleIndicators>,
}

impl ListPage {
    fn company(&self, v: &BundleView) -> String {
        v.bundle.form.title().to_string()
    }
    fn pct(&self, r: &tongban_domain::cases::indicators::Ratio) -> String {
        r.value.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
    }
}

async fn list_page(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
) -> AppResult<Response> {
    let user = viewer.require(&[Role::Applicant])?.clone();
    let (rows, _) = state
        .store
        .list_bundles(
            Some(&user.username),
            Page {
                page: 1,
                per_page: Page::MAX_PER_PAGE,
            },
        )
        .await?;
    let mut bundles = Vec::new();
    for r in rows {
        bundles.push(view(&state, &user, r.bundle).await?);
    }
    Ok(render(&ListPage {
        c,
        bundles,
        board: false,
        indicators: None,
    }))
}

async fn board_page(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
) -> AppResult<Response> {
    let user = viewer.require(SUPERVISORS)?.clone();
    let (rows, _) = state
        .store
        .list_bundles(
            None,
            Page {
                page: 1,
                per_page: Page::MAX_PER_PAGE,
            },
        )
        .await?;
    let mut bundles: Vec<BundleView> = Vec::new();
    for r in rows {
        bundles.push(view(&state, &user, r.bundle).await?);
    }
    // Least time left first among the running ones.
    bundles.sort_by_key(|v| {
        (
            v.bundle.state.is_closed(),
            v.clock.as_ref().map_or(i64::MAX, |k| k.left_minutes),
        )
    });
    let indicators = Some(super::indicators(&state).await?);
    Ok(render(&ListPage {
        c,
        bundles,
        board: true,
        indicators,
    }))
}

#[derive(Template)]
#[template(path = "bundles/project_new.html")]
struct ProjectNewPage {
    c: Chrome,
    f: HashMap<String, String>,
    errors: Vec<String>,
}

impl ProjectNewPage {
    fn v(&self, k: &str) -> String {
        self.f.get(k).cloned().unwrap_or_default()
    }
}

async fn project_new_page(c: Chrome, viewer: Viewer) -> AppResult<Response> {
    viewer.require(&[Role::Applicant])?;
    Ok(render(&ProjectNewPage {
        c,
        f: HashMap::new(),
        errors: vec![],
    }))
}

fn parse_project(f: &HashMap<String, String>) -> Result<ConstructionForm, FieldErrors> {
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut e = FieldErrors::new();
    let mut area = |k: &str| match get(k).parse::<u32>() {
        Ok(n) => n,
        Err(_) => {
            e.push(k, "must_be_positive");
            0
        }
    };
    let (land, floor) = (area("land_area_m2"), area("floor_area_m2"));
    // Investment is entered in 万元 (ten thousand yuan).
    let investment = match fen(&get("investment_wan")) {
        Some(n) => n.saturating_mul(10_000),
        None => {
            e.push("investment_fen", "money_format");
            0
        }
    };
    let form = ConstructionForm {
        project_name: get("project_name"),
        location: get("location"),
        land_area_m2: land,
        floor_area_m2: floor,
        investment_fen: investment,
        description: get("description"),
        contact_name: get("contact_name"),
        contact_phone: get("contact_phone"),
        major: f.contains_key("major"),
    };
    e.into_result(form)
}

async fn create_project(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let user = viewer.require(&[Role::Applicant])?.clone();
    let result = match parse_project(&f) {
        Ok(form) => tongban_app::bundles::start_construction(&state.store, &user, form)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(b) => Ok((
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/bundles/{}", b.id))],
        )
            .into_response()),
        Err(AppError::Invalid(e)) => {
            let errors = e.0.iter().map(|fe| c.t.error(fe)).collect();
            let mut r = render(&ProjectNewPage { c, f, errors });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "bundles/projects.html")]
struct ProjectsPage {
    c: Chrome,
    projects: Vec<BundleView>,
    units: HashMap<String, String>,
}

impl ProjectsPage {
    fn unit(&self, code: &str) -> String {
        crate::pages::unit_name(&self.units, code)
    }
}

/// Every construction project with its clock per stage and what holds it up: the board of the
/// project managers (supervisors) following major projects.
async fn projects_page(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
) -> AppResult<Response> {
    let user = viewer.require(SUPERVISORS)?.clone();
    let (rows, _) = state
        .store
        .list_bundles(
            None,
            Page {
                page: 1,
                per_page: Page::MAX_PER_PAGE,
            },
        )
        .await?;
    let mut projects = Vec::new();
    for r in rows {
        if r.bundle.kind == tongban_domain::bundles::BundleKind::Construction {
            projects.push(view(&state, &user, r.bundle).await?);
        }
    }
    // Least budget left first among the running ones.
    projects.sort_by_key(|v| {
        (
            v.bundle.state.is_closed(),
            v.project.as_ref().map_or(i64::MAX, |k| k.left),
        )
    });
    let units = crate::pages::unit_names(&state, &c).await?;
    Ok(render(&ProjectsPage { c, projects, units }))
}
