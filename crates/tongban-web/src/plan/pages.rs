//! The action plan's pages: the plan with its targets (edited by the office), the units'
//! quarterly progress reports (submitted with evidence and reported figures, reviewed by the
//! office) and which reports are owed or overdue.

use crate::AppState;
use crate::auth::{CsrfForm, SignedIn};
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, after_form, render};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use std::collections::HashMap;
use tongban_app::dashboard::Scope;
use tongban_app::plan;
use tongban_domain::dashboard::Period;
use tongban_domain::dashboard::indicators::{self, Figure};
use tongban_domain::plan::report::{NewReport, Report, ReportedFigure};
use tongban_domain::plan::{Plan, Target, Task};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plan", get(plan_get).post(save_plan))
        .route("/plan/reports", get(reports))
        .route("/plan/reports/new", get(new_report).post(submit_report))
        .route("/plan/reports/{id}", get(report).post(review))
        .route("/plan/reports/{id}/evidence/{sha}", get(evidence))
        .route("/plan/rounds", get(rounds).post(create_round))
        .route("/plan/rounds/{id}", get(round_get))
        .route(
            "/plan/rounds/{id}/findings",
            axum::routing::post(add_finding),
        )
        .route("/plan/rounds/{id}/publish", axum::routing::post(publish))
        .route("/plan/rounds/{id}/rectify", axum::routing::post(rectify))
}

#[derive(Template)]
#[template(path = "plan/plan.html")]
struct PlanPage {
    c: Chrome,
    version: i64,
    plan: Plan,
    history: Vec<tongban_store::lists::ListVersion>,
    /// The current figure of each indicator a target names (this year, the district).
    figures: HashMap<&'static str, Figure>,
    year: i16,
    units: HashMap<String, String>,
    draft: String,
    errors: Vec<String>,
}

impl PlanPage {
    fn keeps(&self) -> bool {
        self.c.user.as_ref().is_some_and(plan::keeps_plan)
    }
    fn units_of(&self, codes: &[String]) -> String {
        codes
            .iter()
            .map(|u| match u.as_str() {
                tongban_domain::plan::ALL_DEPARTMENTS => {
                    self.c.t.get("plan.all_departments").to_string()
                }
                tongban_domain::plan::ALL_STREETS => self.c.t.get("plan.all_streets").to_string(),
                _ => crate::pages::unit_name(&self.units, u),
            })
            .collect::<Vec<_>>()
            .join("、")
    }
    fn aim(&self, g: &Target) -> String {
        g.for_year(self.year)
            .map_or_else(|| "—".to_string(), |v| format!("{v}{}", g.unit))
    }
    fn now(&self, g: &Target) -> String {
        let Some(ind) = g.indicator.as_deref().and_then(indicators::find) else {
            return self.c.t.get("plan.reported").into();
        };
        crate::dashboard::pages::Figures { c: &self.c }.value(ind, self.figures.get(ind.id))
    }
}

async fn plan_page(
    state: &AppState,
    c: Chrome,
    draft: Option<String>,
    errors: Vec<String>,
) -> AppResult<Response> {
    let (version, plan) = state.store.plan().await?;
    let history = state.store.list_history(plan::PLAN).await?;
    let today = tongban_domain::cases::local_date(state.store.now());
    let rows =
        tongban_app::dashboard::board(&state.store, Period::Year(today.year()), &Scope::district())
            .await?;
    let figures = rows.iter().map(|r| (r.indicator.id, r.figure)).collect();
    let draft = draft.unwrap_or_else(|| {
        history
            .first()
            .map(|v| v.toml.clone())
            .unwrap_or_else(|| tongban_domain::plan::BASELINE.to_string())
    });
    let units = crate::pages::unit_names(state, &c).await?;
    Ok(render(&PlanPage {
        c,
        version,
        plan,
        history,
        figures,
        year: today.year(),
        units,
        draft,
        errors,
    }))
}

async fn plan_get(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
) -> AppResult<Response> {
    if !tongban_app::dashboard::may_see(&user) {
        return Err(AppError::Forbidden);
    }
    plan_page(&state, c, None, vec![]).await
}

async fn save_plan(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let text = f.get("document").cloned().unwrap_or_default();
    let note = f.get("note").cloned().unwrap_or_default();
    let done = plan::save_plan(&state.store, &user, &text, &note)
        .await
        .map(|_| "/plan".to_string())
        .map_err(AppError::from);
    after_form(c, done, |c, errors| {
        plan_page(&state, c, Some(text), errors)
    })
    .await
}

// ---- progress reports ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "plan/reports.html")]
struct ReportsPage {
    c: Chrome,
    /// The quarters that have reports owed or in, newest first, and the one shown.
    quarters: Vec<String>,
    shown: String,
    overdue_only: bool,
    /// In, owed in all, overdue — for the quarter shown.
    counts: (usize, usize, usize),
    owed: Vec<plan::Owed>,
    plan: Plan,
    units: HashMap<String, String>,
    /// Unit staff may report (the office and the evaluator read).
    reports: bool,
}

impl ReportsPage {
    fn unit(&self, code: &str) -> String {
        crate::pages::unit_name(&self.units, code)
    }
    fn task(&self, id: &str) -> String {
        self.plan
            .task(id)
            .map_or_else(|| id.to_string(), |t| format!("{}. {}", t.no, t.title))
    }
    /// Not in yet, or returned: the unit reports (again).
    fn may_report(&self, o: &plan::Owed) -> bool {
        o.report
            .as_ref()
            .is_none_or(|r| r.state == tongban_domain::plan::report::ReportState::Returned)
    }
    fn state(&self, o: &plan::Owed) -> &'static str {
        match (&o.report, o.overdue) {
            (Some(r), _) => self.c.t.label("plan.report_state", r.state.as_str()),
            (None, true) => self.c.t.get("plan.report_overdue"),
            (None, false) => self.c.t.get("plan.report_due"),
        }
    }
}

async fn reports(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let all = plan::owed(&state.store, &user).await?;
    let mut quarters: Vec<String> = all.iter().map(|o| o.expected.period.to_string()).collect();
    quarters.dedup();
    let shown = q
        .get("period")
        .filter(|p| quarters.contains(p))
        .cloned()
        .or_else(|| quarters.first().cloned())
        .unwrap_or_default();
    let overdue_only = q.get("state").map(String::as_str) == Some("overdue");
    let quarter: Vec<plan::Owed> = all
        .into_iter()
        .filter(|o| o.expected.period.to_string() == shown)
        .collect();
    let counts = (
        quarter.iter().filter(|o| o.report.is_some()).count(),
        quarter.len(),
        quarter.iter().filter(|o| o.overdue).count(),
    );
    let owed = quarter
        .into_iter()
        .filter(|o| !overdue_only || o.overdue)
        .collect();
    let (_, p) = state.store.plan().await?;
    let units = crate::pages::unit_names(&state, &c).await?;
    let reports = user.role.is_staff() && !plan::keeps_plan(&user);
    Ok(render(&ReportsPage {
        c,
        quarters,
        shown,
        overdue_only,
        counts,
        owed,
        plan: p,
        units,
        reports,
    }))
}

#[derive(Template)]
#[template(path = "plan/report_form.html")]
struct ReportForm {
    c: Chrome,
    task: Task,
    period: String,
    /// The report returned, when this submits it again.
    before: Option<Report>,
    f: HashMap<String, String>,
    errors: Vec<String>,
}

impl ReportForm {
    fn value(&self, k: &str) -> String {
        self.f.get(k).cloned().unwrap_or_default()
    }
    fn reported(&self) -> Vec<&Target> {
        self.task
            .target
            .iter()
            .filter(|g| g.is_reported())
            .collect()
    }
}

async fn report_form(
    state: &AppState,
    c: Chrome,
    task: &str,
    period: &str,
    mut f: HashMap<String, String>,
    errors: Vec<String>,
) -> AppResult<Response> {
    let (_, p) = state.store.plan().await?;
    let task = p.task(task).cloned().ok_or(AppError::NotFound)?;
    let user = c.user.clone().ok_or(AppError::Unauthorized)?;
    // Only the reader's own unit's report fills the form (no unit: none; `plan_reports(None)`
    // would be every unit's).
    let before = match user.unit.as_deref() {
        Some(unit) => state
            .store
            .plan_reports(Some(unit))
            .await?
            .into_iter()
            .find(|r| r.report.task == task.id && r.report.period == period),
        None => None,
    };
    if let (Some(b), true) = (&before, f.is_empty()) {
        f.insert("text".into(), b.report.text.clone());
        for g in &b.report.figures {
            f.insert(format!("figure.{}", g.target), g.value.to_string());
        }
    }
    Ok(render(&ReportForm {
        c,
        task,
        period: period.to_string(),
        before,
        f,
        errors,
    }))
}

async fn new_report(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(_user): SignedIn,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let task = q.get("task").cloned().unwrap_or_default();
    let period = q.get("period").cloned().unwrap_or_default();
    report_form(&state, c, &task, &period, HashMap::new(), vec![]).await
}

/// A report from the form's fields (figures as `figure.<target>`; an empty one is left out, one
/// that is not a number is refused on its place).
fn report_of(f: &HashMap<String, String>) -> Result<NewReport, AppError> {
    let mut figures = Vec::new();
    let mut e = tongban_domain::FieldErrors::new();
    let mut keys: Vec<&String> = f.keys().filter(|k| k.starts_with("figure.")).collect();
    keys.sort();
    for (i, k) in keys.into_iter().enumerate() {
        let v = f[k].trim();
        if v.is_empty() {
            continue;
        }
        match v.parse::<f64>() {
            Ok(value) => figures.push(ReportedFigure {
                target: k["figure.".len()..].to_string(),
                value,
            }),
            Err(_) => e.push(format!("figures[{i}].value"), "invalid_value"),
        }
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(NewReport {
        task: f.get("task").cloned().unwrap_or_default(),
        period: f.get("period").cloned().unwrap_or_default(),
        text: f.get("text").cloned().unwrap_or_default(),
        figures,
        evidence: vec![],
    })
}

async fn submit_report(
    State(state): State<AppState>,
    c: Chrome,
    viewer: crate::auth::Viewer,
    multipart: Multipart,
) -> AppResult<Response> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    let parts = crate::cases::read_parts(multipart).await?;
    viewer.check_csrf(parts.fields.get("csrf").map(String::as_str))?;
    let outcome: Result<String, AppError> = async {
        let mut new = report_of(&parts.fields)?;
        // A report submitted again keeps its evidence and adds what is attached now.
        if let Some(b) = state
            .store
            .plan_reports(user.unit.as_deref())
            .await?
            .into_iter()
            .find(|r| r.report.task == new.task && r.report.period == new.period)
        {
            new.evidence = b.report.evidence;
        }
        // Refused before any evidence is kept.
        plan::admit_report(&state.store, user, &new).await?;
        for (_, up) in parts
            .files
            .iter()
            .filter(|(n, up)| n == "evidence" && !up.bytes.is_empty())
        {
            let kept = tongban_app::files::keep(
                &state.store,
                tongban_app::files::Upload {
                    filename: up.filename.clone(),
                    bytes: up.bytes.clone(),
                },
            )
            .await?;
            new.evidence.push(kept);
        }
        let r = plan::submit_report(&state.store, user, new).await?;
        Ok(format!("/plan/reports/{}", r.id))
    }
    .await;
    let (task, period) = (
        parts.fields.get("task").cloned().unwrap_or_default(),
        parts.fields.get("period").cloned().unwrap_or_default(),
    );
    after_form(c, outcome, |c, errors| {
        report_form(&state, c, &task, &period, parts.fields.clone(), errors)
    })
    .await
}

#[derive(Template)]
#[template(path = "plan/report.html")]
struct ReportPage {
    c: Chrome,
    r: Report,
    task: Option<Task>,
    units: HashMap<String, String>,
    reviews: bool,
    errors: Vec<String>,
}

impl ReportPage {
    fn unit(&self, code: &str) -> String {
        crate::pages::unit_name(&self.units, code)
    }
    fn target(&self, id: &str) -> String {
        self.task
            .as_ref()
            .and_then(|t| t.target.iter().find(|g| g.id == id))
            .map_or_else(|| id.to_string(), |g| format!("{}（{}）", g.text, g.unit))
    }
    fn state(&self) -> &'static str {
        self.c.t.label("plan.report_state", self.r.state.as_str())
    }
}

async fn report_page(
    state: &AppState,
    c: Chrome,
    id: &str,
    errors: Vec<String>,
) -> AppResult<Response> {
    let user = c.user.clone().ok_or(AppError::Unauthorized)?;
    let r = plan::load_report(&state.store, &user, id).await?;
    let (_, p) = state.store.plan().await?;
    let task = p.task(&r.report.task).cloned();
    let units = crate::pages::unit_names(state, &c).await?;
    let reviews =
        plan::keeps_plan(&user) && r.state == tongban_domain::plan::report::ReportState::Submitted;
    Ok(render(&ReportPage {
        c,
        r,
        task,
        units,
        reviews,
        errors,
    }))
}

async fn report(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(_u): SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    report_page(&state, c, &id, vec![]).await
}

async fn review(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let accepted = f.get("decision").map(String::as_str) == Some("accept");
    let note = f.get("note").cloned().unwrap_or_default();
    let done = plan::review_report(&state.store, &user, &id, accepted, &note)
        .await
        .map(|r| format!("/plan/reports/{}", r.id))
        .map_err(AppError::from);
    after_form(c, done, |c, errors| report_page(&state, c, &id, errors)).await
}

/// A report's evidence, for whoever may see the report.
async fn evidence(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path((id, sha)): Path<(String, String)>,
) -> AppResult<Response> {
    let r = plan::load_report(&state.store, &user, &id).await?;
    crate::cases::serve_file(&state, r.report.evidence.iter(), &sha).await
}

// ---- supervision rounds (督查) ------------------------------------------------------------------

use tongban_domain::plan::round::{FindingKind, NewFinding, NewRound, Round, RoundKind};

#[derive(Template)]
#[template(path = "plan/rounds.html")]
struct RoundsPage {
    c: Chrome,
    rounds: Vec<Round>,
    office: bool,
    today: jiff::civil::Date,
    f: HashMap<String, String>,
    errors: Vec<String>,
}

impl RoundsPage {
    fn value(&self, k: &str) -> String {
        self.f.get(k).cloned().unwrap_or_default()
    }
    fn overdue(&self, r: &Round) -> usize {
        r.overdue(self.today).count()
    }
}

async fn rounds_page(
    state: &AppState,
    c: Chrome,
    f: HashMap<String, String>,
    errors: Vec<String>,
) -> AppResult<Response> {
    let user = c.user.clone().ok_or(AppError::Unauthorized)?;
    let rounds = plan::rounds(&state.store, &user).await?;
    let today = tongban_domain::cases::local_date(state.store.now());
    Ok(render(&RoundsPage {
        c,
        rounds,
        office: plan::keeps_plan(&user),
        today,
        f,
        errors,
    }))
}

async fn rounds(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(_u): SignedIn,
) -> AppResult<Response> {
    rounds_page(&state, c, HashMap::new(), vec![]).await
}

async fn create_round(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let done = async {
        let held_on = f
            .get("held_on")
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| {
                AppError::from(tongban_domain::FieldErrors::single(
                    "held_on",
                    "invalid_date",
                ))
            })?;
        let new = NewRound {
            title: f.get("title").cloned().unwrap_or_default(),
            kind: if f.get("kind").map(String::as_str) == Some("daily") {
                RoundKind::Daily
            } else {
                RoundKind::Periodic
            },
            held_on,
            summary: f.get("summary").cloned().unwrap_or_default(),
        };
        let r = plan::create_round(&state.store, &user, new).await?;
        Ok::<_, AppError>(format!("/plan/rounds/{}", r.id))
    }
    .await;
    after_form(c, done, |c, errors| {
        rounds_page(&state, c, f.clone(), errors)
    })
    .await
}

#[derive(Template)]
#[template(path = "plan/round.html")]
struct RoundPage {
    c: Chrome,
    r: Round,
    office: bool,
    /// The reader's unit, whose findings they answer.
    unit: Option<String>,
    today: jiff::civil::Date,
    units: HashMap<String, String>,
    unit_choices: Vec<(String, String)>,
    tasks: Vec<(String, String)>,
    f: HashMap<String, String>,
    errors: Vec<String>,
}

impl RoundPage {
    fn unit_name(&self, code: &str) -> String {
        crate::pages::unit_name(&self.units, code)
    }
    fn value(&self, k: &str) -> String {
        self.f.get(k).cloned().unwrap_or_default()
    }
    fn kind(&self, k: &FindingKind) -> &'static str {
        self.c.t.label("plan.finding", k.as_str())
    }
    fn rectifies(&self, f: &tongban_domain::plan::round::Finding) -> bool {
        self.r.notice.is_some()
            && f.finding.kind.to_rectify()
            && f.rectified.is_none()
            && self.unit.as_deref() == Some(f.finding.unit.as_str())
    }
    fn overdue(&self, f: &tongban_domain::plan::round::Finding) -> bool {
        self.r.notice.is_some()
            && f.rectified.is_none()
            && f.finding.rectify_by.is_some_and(|d| d < self.today)
    }
}

async fn round_page(
    state: &AppState,
    c: Chrome,
    id: &str,
    f: HashMap<String, String>,
    errors: Vec<String>,
) -> AppResult<Response> {
    let user = c.user.clone().ok_or(AppError::Unauthorized)?;
    let r = plan::load_round(&state.store, &user, id).await?;
    let units = crate::pages::unit_names(state, &c).await?;
    let unit_choices = state
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.parent.is_some())
        .map(|u| (u.code.clone(), crate::pages::unit_name(&units, &u.code)))
        .collect();
    let (_, p) = state.store.plan().await?;
    let tasks = p
        .task
        .iter()
        .map(|t| (t.id.clone(), format!("{}. {}", t.no, t.title)))
        .collect();
    let office = plan::keeps_plan(&user);
    let unit = user
        .unit
        .clone()
        .filter(|_| user.role.is_staff() && !office);
    let today = tongban_domain::cases::local_date(state.store.now());
    Ok(render(&RoundPage {
        c,
        r,
        office,
        unit,
        today,
        units,
        unit_choices,
        tasks,
        f,
        errors,
    }))
}

async fn round_get(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(_u): SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    round_page(&state, c, &id, HashMap::new(), vec![]).await
}

async fn add_finding(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let done = async {
        let kind = f
            .get("kind")
            .and_then(|k| FindingKind::parse(k))
            .ok_or_else(|| {
                AppError::from(tongban_domain::FieldErrors::single("kind", "unknown_value"))
            })?;
        let rectify_by = match f
            .get("rectify_by")
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(d) => Some(d.parse().map_err(|_| {
                AppError::from(tongban_domain::FieldErrors::single(
                    "rectify_by",
                    "invalid_date",
                ))
            })?),
        };
        let new = NewFinding {
            unit: f.get("unit").cloned().unwrap_or_default(),
            task: f.get("task").cloned().filter(|t| !t.is_empty()),
            kind,
            text: f.get("text").cloned().unwrap_or_default(),
            rectify_by,
        };
        plan::add_finding(&state.store, &user, &id, new).await?;
        Ok::<_, AppError>(format!("/plan/rounds/{id}"))
    }
    .await;
    after_form(c, done, |c, errors| {
        round_page(&state, c, &id, f.clone(), errors)
    })
    .await
}

async fn publish(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let text = f.get("notice").cloned().unwrap_or_default();
    let done = plan::publish_round(&state.store, &user, &id, &text)
        .await
        .map(|r| format!("/plan/rounds/{}", r.id))
        .map_err(AppError::from);
    after_form(c, done, |c, errors| {
        round_page(&state, c, &id, f.clone(), errors)
    })
    .await
}

async fn rectify(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let finding: usize = f
        .get("finding")
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    let text = f.get("text").cloned().unwrap_or_default();
    let done = plan::rectify(&state.store, &user, &id, finding, &text)
        .await
        .map(|r| format!("/plan/rounds/{}", r.id))
        .map_err(AppError::from);
    after_form(c, done, |c, errors| {
        round_page(&state, c, &id, f.clone(), errors)
    })
    .await
}
