//! The pages of 双随机、一公开: the public index of plans, the lists with their history, a plan
//! with its published hashes and, once drawn, its record and checks; the check anyone can make
//! of a draw record (`/inspection/verify`). For staff: publishing and drawing a plan, an
//! inspector's checks and the result form (made for a phone), the supervisor's board and the
//! entity directory with credit grades.

use crate::AppState;
use crate::auth::{CsrfForm, Viewer};
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, after_form, render, with_status};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::collections::HashMap;
use tongban_app::inspection::{self as uc, List};
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::cases::local_date;
use tongban_domain::credit::Severity;
use tongban_domain::inspection::draw::{Ratios, RiskGrade, WHOLE};
use tongban_domain::inspection::plan::{
    Check, DirectoryEntity, InspectionPlan, InspectorDirectory, MatterList, NewPlan, NewResult,
    Outcome, Penalty,
};
use tongban_store::inspection::ListVersion;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inspection", get(index))
        .route("/inspection/lists", get(lists))
        .route("/inspection/lists/{list}", post(save_list))
        .route("/inspection/lists/{list}/{version}", get(list_version))
        .route("/inspection/plans/new", get(new_plan).post(publish))
        .route("/inspection/plans/{id}", get(plan))
        .route("/inspection/plans/{id}/draw", post(draw))
        .route("/inspection/plans/{id}/lists.json", get(frozen_lists))
        .route("/inspection/plans/{id}/record.json", get(record))
        .route("/inspection/checks/{id}", get(check))
        .route("/inspection/checks/{id}/result", post(result))
        .route("/inspection/checks/{id}/files/{sha}", get(photo))
        .route("/inspection/mine", get(mine))
        .route("/inspection/board", get(board))
        .route("/inspection/entities", get(entities))
        .route("/inspection/verify", get(verify_form).post(verify))
}

/// Who keeps the lists and watches the board.
const OFFICE: &[Role] = &[Role::Admin, Role::Supervisor];
const STAFF: &[Role] = &[Role::Clerk, Role::Approver, Role::Supervisor, Role::Admin];

/// A share in basis points as a percentage for reading (`2`, `0.5`).
pub fn percent(bp: &u32) -> String {
    let whole = bp / 100;
    match bp % 100 {
        0 => whole.to_string(),
        r if r % 10 == 0 => format!("{whole}.{}", r / 10),
        r => format!("{whole}.{r:02}"),
    }
}

// ---- the public index -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "inspection/index.html")]
struct IndexPage {
    c: Chrome,
    plans: Vec<InspectionPlan>,
    /// (on time, published) over every result.
    on_time: (i64, i64),
    /// Risk warnings: (answered on time, answered, open past their deadline).
    warnings: (i64, i64, i64),
}

/// A share in percent to one decimal, or nothing for an empty denominator.
fn share(part: i64, all: i64) -> Option<String> {
    (all > 0).then(|| format!("{:.1}", part as f64 * 100.0 / all as f64))
}

impl IndexPage {
    fn rate(&self) -> Option<String> {
        share(self.on_time.0, self.on_time.1)
    }
    fn warnings_rate(&self) -> Option<String> {
        share(self.warnings.0, self.warnings.1)
    }
}

async fn index(State(state): State<AppState>, c: Chrome) -> AppResult<Response> {
    let plans = state.store.inspection_plans(200).await?;
    let on_time = state.store.inspection_publication().await?;
    let warnings = state.store.warning_timeliness().await?;
    Ok(render(&IndexPage {
        c,
        plans,
        on_time,
        warnings,
    }))
}

// ---- the lists ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "inspection/lists.html")]
struct ListsPage {
    c: Chrome,
    matters_version: i64,
    matters: MatterList,
    inspectors: InspectorDirectory,
    matter_history: Vec<ListVersion>,
    inspector_history: Vec<ListVersion>,
    /// The documents as the forms show them (the current text, or the text sent back with errors).
    drafts: HashMap<&'static str, String>,
    errors: Vec<String>,
    units: HashMap<String, String>,
}

impl ListsPage {
    fn keeps(&self) -> bool {
        self.c
            .user
            .as_ref()
            .is_some_and(|u| OFFICE.contains(&u.role))
    }
    /// Whether the reader may open a list's old versions: the matters' anyone; the inspectors'
    /// (their accounts) the office.
    fn opens(&self, list: &str) -> bool {
        list == "matters" || self.keeps()
    }
    fn histories(&self) -> [(&'static str, &[ListVersion]); 2] {
        [
            ("matters", &self.matter_history),
            ("inspectors", &self.inspector_history),
        ]
    }
    fn draft(&self, list: &str) -> &str {
        self.drafts.get(list).map(String::as_str).unwrap_or("")
    }
    fn unit(&self, code: &str) -> String {
        crate::pages::unit_name(&self.units, code)
    }
}

async fn lists_page(
    state: &AppState,
    c: Chrome,
    sent: Option<(List, String)>,
    errors: Vec<String>,
) -> AppResult<Response> {
    let (matters_version, matters) = uc::matters(&state.store).await?;
    let inspectors = uc::inspectors(&state.store).await?;
    let matter_history = state.store.list_history(List::Matters.key()).await?;
    let inspector_history = state.store.list_history(List::Inspectors.key()).await?;
    let mut drafts = HashMap::new();
    for (name, history) in [
        ("matters", &matter_history),
        ("inspectors", &inspector_history),
    ] {
        drafts.insert(
            name,
            history.first().map(|v| v.toml.clone()).unwrap_or_default(),
        );
    }
    if let Some((list, text)) = sent {
        let name = if list == List::Matters {
            "matters"
        } else {
            "inspectors"
        };
        drafts.insert(name, text);
    }
    let units = crate::pages::unit_names(state, &c).await?;
    Ok(render(&ListsPage {
        c,
        matters_version,
        matters,
        inspectors,
        matter_history,
        inspector_history,
        drafts,
        errors,
        units,
    }))
}

async fn lists(State(state): State<AppState>, c: Chrome) -> AppResult<Response> {
    lists_page(&state, c, None, vec![]).await
}

/// A new version of a list, from its edit form.
async fn save_list(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(list): Path<String>,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let user = viewer.require(OFFICE)?;
    let list = List::parse(&list).ok_or(AppError::NotFound)?;
    let text = f.get("document").cloned().unwrap_or_default();
    let note = f.get("note").cloned().unwrap_or_default();
    let done = uc::save_list(&state.store, user, list, &text, &note)
        .await
        .map(|_| "/inspection/lists".to_string())
        .map_err(AppError::from);
    after_form(c, done, |c, errors| {
        lists_page(&state, c, Some((list, text)), errors)
    })
    .await
}

/// One version of a list as its TOML text.
async fn list_version(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((list, version)): Path<(String, i64)>,
) -> AppResult<Response> {
    let list = List::parse(&list).ok_or(AppError::NotFound)?;
    // The inspectors' list names their platform accounts and the entities each must stand
    // aside from: for the office that keeps it, not the public.
    if list == List::Inspectors {
        viewer.require(OFFICE)?;
    }
    let v = state
        .store
        .list_history(list.key())
        .await?
        .into_iter()
        .find(|v| v.version == version)
        .ok_or(AppError::NotFound)?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )],
        v.toml,
    )
        .into_response())
}

// ---- a plan ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "inspection/plan.html")]
struct PlanPage {
    c: Chrome,
    p: InspectionPlan,
    checks: Vec<Check>,
    units: HashMap<String, String>,
    today: jiff::civil::Date,
    errors: Vec<String>,
    outside_value: String,
}

impl PlanPage {
    fn unit(&self, code: &str) -> String {
        crate::pages::unit_name(&self.units, code)
    }
    fn early(&self) -> bool {
        self.today < self.p.draw_on
    }
    /// Whether the reader may draw this plan now.
    fn may_draw(&self) -> bool {
        self.p.record.is_none()
            && self.c.user.as_ref().is_some_and(|u| match u.role {
                Role::Admin | Role::Supervisor => true,
                Role::Approver => self.p.units().iter().all(|x| Some(x) == u.unit.as_ref()),
                _ => false,
            })
    }
    fn grades(&self) -> Vec<(&'static str, String, usize)> {
        RiskGrade::ALL
            .iter()
            .map(|g| {
                let n = self.p.entities.iter().filter(|e| e.grade == *g).count();
                (g.as_str(), percent(&self.p.published.ratios.of(*g)), n)
            })
            .collect()
    }
}

async fn plan_page(
    state: &AppState,
    c: Chrome,
    id: &str,
    errors: Vec<String>,
    outside_value: String,
) -> AppResult<Response> {
    let p = uc::plan(&state.store, id).await?;
    let user = c.user.clone();
    let checks = state
        .store
        .checks_of_plan(id)
        .await?
        .into_iter()
        .map(|k| uc::seen(user.as_ref(), k))
        .collect();
    let units = crate::pages::unit_names(state, &c).await?;
    let today = local_date(state.store.now());
    Ok(render(&PlanPage {
        c,
        p,
        checks,
        units,
        today,
        errors,
        outside_value,
    }))
}

async fn plan(
    State(state): State<AppState>,
    c: Chrome,
    Path(id): Path<String>,
) -> AppResult<Response> {
    plan_page(&state, c, &id, vec![], String::new()).await
}

async fn draw(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    let value = f.get("outside_value").cloned().unwrap_or_default();
    let done = uc::draw(&state.store, user, &id, &value)
        .await
        .map(|_| format!("/inspection/plans/{id}"))
        .map_err(AppError::from);
    after_form(c, done, |c, errors| {
        plan_page(&state, c, &id, errors, value)
    })
    .await
}

/// The frozen lists a plan published the hashes of, so anyone can check them before the draw.
async fn frozen_lists(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let p = uc::plan(&state.store, &id).await?;
    Ok(axum::Json(serde_json::json!({
        "plan": p.published, "entities": p.entities, "inspectors": p.inspectors,
    }))
    .into_response())
}

/// The draw record, as published: what `tongban inspection verify` and `/inspection/verify` rerun.
async fn record(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Response> {
    let p = uc::plan(&state.store, &id).await?;
    let record = p.record.ok_or(AppError::NotFound)?;
    let disposition = format!("attachment; filename=\"{id}-draw.json\"");
    Ok((
        [(axum::http::header::CONTENT_DISPOSITION, disposition)],
        axum::Json(record),
    )
        .into_response())
}

// ---- publishing a plan ----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "inspection/new_plan.html")]
struct NewPlanPage {
    c: Chrome,
    matters: MatterList,
    f: HashMap<String, String>,
    chosen: Vec<String>,
    errors: Vec<String>,
    units: HashMap<String, String>,
}

impl NewPlanPage {
    fn value(&self, k: &str) -> String {
        self.f.get(k).cloned().unwrap_or_default()
    }
    fn unit(&self, code: &str) -> String {
        crate::pages::unit_name(&self.units, code)
    }
    /// The four ratio fields with their current values, in percent.
    fn ratio_fields(&self) -> Vec<(&'static str, String)> {
        RiskGrade::ALL
            .iter()
            .map(|g| {
                let k = format!("ratio_{}", g.as_str());
                (g.as_str(), self.f.get(&k).cloned().unwrap_or_default())
            })
            .collect()
    }
}

const PLANNERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Approver];

async fn new_plan_page(
    state: &AppState,
    c: Chrome,
    f: HashMap<String, String>,
    chosen: Vec<String>,
    errors: Vec<String>,
) -> AppResult<Response> {
    let (_, matters) = uc::matters(&state.store).await?;
    let units = crate::pages::unit_names(state, &c).await?;
    Ok(render(&NewPlanPage {
        c,
        matters,
        f,
        chosen,
        errors,
        units,
    }))
}

async fn new_plan(State(state): State<AppState>, c: Chrome, viewer: Viewer) -> AppResult<Response> {
    viewer.require(PLANNERS)?;
    let today = local_date(state.store.now());
    let defaults = Ratios::default();
    let mut f = HashMap::from([
        ("team_size".to_string(), "2".to_string()),
        (
            "draw_on".to_string(),
            today.tomorrow().map(|d| d.to_string()).unwrap_or_default(),
        ),
    ]);
    for g in RiskGrade::ALL {
        f.insert(format!("ratio_{}", g.as_str()), percent(&defaults.of(g)));
    }
    new_plan_page(&state, c, f, vec![], vec![]).await
}

/// A percentage as typed (`2`, `0.5`, `30%`) in basis points.
fn basis_points(s: &str) -> Option<u32> {
    let s = s.trim().trim_end_matches(['%', '％']).trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.len() > 2 || whole.is_empty() && frac.is_empty() {
        return None;
    }
    let whole: u32 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: u32 = format!("{frac:0<2}").parse().ok()?;
    let bp = whole.checked_mul(100)?.checked_add(frac)?;
    (bp <= WHOLE).then_some(bp)
}

/// The plan form's fields as a plan, each unreadable field named.
fn new_plan_of(f: &HashMap<String, String>, chosen: Vec<String>) -> Result<NewPlan, FieldErrors> {
    let mut e = FieldErrors::new();
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut ratio = |g: RiskGrade| {
        basis_points(&get(&format!("ratio_{}", g.as_str()))).unwrap_or_else(|| {
            e.push_detail(format!("ratios.{}", g.as_str()), "out_of_range", "0–100 %");
            0
        })
    };
    let ratios = Ratios {
        high: ratio(RiskGrade::High),
        medium_high: ratio(RiskGrade::MediumHigh),
        medium: ratio(RiskGrade::Medium),
        low: ratio(RiskGrade::Low),
    };
    let team_size = get("team_size").parse().unwrap_or_else(|_| {
        e.push_detail("team_size", "out_of_range", "2–6");
        0
    });
    let draw_on = get("draw_on").parse().unwrap_or_else(|_| {
        e.push_detail("draw_on", "invalid_date", get("draw_on"));
        jiff::civil::date(2000, 1, 1)
    });
    e.into_result(NewPlan {
        title: get("title"),
        matters: chosen,
        ratios,
        team_size,
        outside_source: get("outside_source"),
        draw_on,
    })
}

/// The form's fields, with the checked matters (`matter`, repeated) apart.
fn plan_form(pairs: Vec<(String, String)>) -> (HashMap<String, String>, Vec<String>) {
    let mut f = HashMap::new();
    let mut chosen = Vec::new();
    for (k, v) in pairs {
        if k == "matter" {
            chosen.push(v);
        } else {
            f.insert(k, v);
        }
    }
    (f, chosen)
}

async fn publish(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    axum::extract::Form(pairs): axum::extract::Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let user = viewer.require(PLANNERS)?;
    let (f, chosen) = plan_form(pairs);
    viewer.check_csrf(f.get("csrf").map(String::as_str))?;
    let done = match new_plan_of(&f, chosen.clone()) {
        Ok(new) => uc::publish_plan(&state.store, user, new)
            .await
            .map(|p| format!("/inspection/plans/{}", p.id))
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    after_form(c, done, |c, errors| {
        new_plan_page(&state, c, f, chosen, errors)
    })
    .await
}

// ---- a check and its result -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "inspection/check.html")]
struct CheckPage {
    c: Chrome,
    k: Check,
    units: HashMap<String, String>,
    today: jiff::civil::Date,
    f: HashMap<String, String>,
    errors: Vec<String>,
}

impl CheckPage {
    fn unit(&self, code: &str) -> String {
        crate::pages::unit_name(&self.units, code)
    }
    fn on_team(&self) -> bool {
        self.c
            .user
            .as_ref()
            .is_some_and(|u| self.k.on_team(&u.username))
    }
    /// Photos are for the team and the office, not the public.
    fn sees_photos(&self) -> bool {
        self.on_team()
            || self
                .c
                .user
                .as_ref()
                .is_some_and(|u| OFFICE.contains(&u.role))
    }
    fn value(&self, k: &str) -> String {
        self.f.get(k).cloned().unwrap_or_default()
    }
    fn outcomes(&self) -> [&'static str; 4] {
        Outcome::ALL.map(Outcome::as_str)
    }
}

async fn check_page(
    state: &AppState,
    c: Chrome,
    id: &str,
    f: HashMap<String, String>,
    errors: Vec<String>,
) -> AppResult<Response> {
    let k = uc::seen(c.user.as_ref(), uc::check(&state.store, id).await?);
    let units = crate::pages::unit_names(state, &c).await?;
    let today = local_date(state.store.now());
    let mut f = f;
    f.entry("checked_on".into()).or_insert(today.to_string());
    Ok(render(&CheckPage {
        c,
        k,
        units,
        today,
        f,
        errors,
    }))
}

async fn check(
    State(state): State<AppState>,
    c: Chrome,
    Path(id): Path<String>,
) -> AppResult<Response> {
    check_page(&state, c, &id, HashMap::new(), vec![]).await
}

/// The result form's text fields as a result (the photos are added after), each unreadable
/// field named.
fn result_of(f: &HashMap<String, String>) -> Result<NewResult, FieldErrors> {
    let mut e = FieldErrors::new();
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let checked_on = get("checked_on").parse().unwrap_or_else(|_| {
        e.push_detail("checked_on", "invalid_date", get("checked_on"));
        jiff::civil::date(2000, 1, 1)
    });
    let outcome = Outcome::parse(&get("outcome")).unwrap_or_else(|| {
        e.push("outcome", "required");
        Outcome::NoProblem
    });
    // A penalty is entered when a penalty document is given.
    let penalty = if get("penalty_document").is_empty() {
        None
    } else {
        let severity = match get("penalty_severity").as_str() {
            "minor" => Severity::Minor,
            "ordinary" => Severity::Ordinary,
            "serious" => Severity::Serious,
            _ => {
                e.push("penalty.severity", "unknown_value");
                Severity::Ordinary
            }
        };
        Some(Penalty {
            unit: get("penalty_unit"),
            document: get("penalty_document"),
            legal_basis: get("penalty_legal_basis"),
            severity,
        })
    };
    e.into_result(NewResult {
        checked_on,
        outcome,
        findings: get("findings"),
        penalty,
        photos: vec![],
    })
}

async fn result(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(id): Path<String>,
    multipart: Multipart,
) -> AppResult<Response> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    // Refused before the photos are read and kept.
    uc::admit_result(&state.store, user, &id).await?;
    let parts = crate::cases::read_parts(multipart).await?;
    viewer.check_csrf(parts.fields.get("csrf").map(String::as_str))?;
    let outcome: Result<(), AppError> = async {
        let mut new = result_of(&parts.fields)?;
        for (_, up) in parts.files.into_iter().filter(|(n, _)| n == "photos") {
            let kept = tongban_app::files::keep(
                &state.store,
                tongban_app::files::Upload {
                    filename: up.filename,
                    bytes: up.bytes,
                },
            )
            .await?;
            new.photos.push(kept);
        }
        uc::enter_result(&state.store, user, &id, new).await?;
        Ok(())
    }
    .await;
    let done = outcome.map(|()| format!("/inspection/checks/{id}"));
    after_form(c, done, |c, errors| {
        check_page(&state, c, &id, parts.fields, errors)
    })
    .await
}

/// A photo of a check's result, for its team and the office.
async fn photo(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, sha)): Path<(String, String)>,
) -> AppResult<Response> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    let k = uc::check(&state.store, &id).await?;
    if !k.on_team(&user.username) && !OFFICE.contains(&user.role) {
        return Err(AppError::NotFound);
    }
    let photos = k.result.iter().flat_map(|r| r.photos.iter());
    crate::cases::serve_file(&state, photos, &sha).await
}

// ---- an inspector's checks, the board, the directory --------------------------------------------

#[derive(Template)]
#[template(path = "inspection/checks.html")]
struct ChecksPage {
    c: Chrome,
    /// `mine` or `board`.
    view: &'static str,
    checks: Vec<Check>,
    today: jiff::civil::Date,
    on_time: (i64, i64),
}

async fn mine(State(state): State<AppState>, c: Chrome, viewer: Viewer) -> AppResult<Response> {
    let user = viewer.require(STAFF)?;
    let checks = uc::mine(&state.store, user).await?;
    let today = local_date(state.store.now());
    Ok(render(&ChecksPage {
        c,
        view: "mine",
        checks,
        today,
        on_time: (0, 0),
    }))
}

/// The supervisor's board: checks without a result by deadline, late ones marked.
async fn board(State(state): State<AppState>, c: Chrome, viewer: Viewer) -> AppResult<Response> {
    let user = viewer.require(OFFICE)?;
    let checks = uc::board(&state.store, user).await?;
    let today = local_date(state.store.now());
    let on_time = state.store.inspection_publication().await?;
    Ok(render(&ChecksPage {
        c,
        view: "board",
        checks,
        today,
        on_time,
    }))
}

#[derive(Template)]
#[template(path = "inspection/entities.html")]
struct EntitiesPage {
    c: Chrome,
    entities: Vec<DirectoryEntity>,
}

/// The entity directory with credit grades: for staff (a grade is not published).
async fn entities(State(state): State<AppState>, c: Chrome, viewer: Viewer) -> AppResult<Response> {
    viewer.require(STAFF)?;
    let entities = state.store.inspection_entities().await?;
    Ok(render(&EntitiesPage { c, entities }))
}

// ---- verifying a draw record ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "inspection/verify.html")]
struct VerifyPage {
    c: Chrome,
    /// `None` before a check; the number of checks reproduced, or the first difference.
    verdict: Option<Result<usize, (String, String)>>,
    text: String,
}

async fn verify_form(c: Chrome) -> AppResult<Response> {
    Ok(render(&VerifyPage {
        c,
        verdict: None,
        text: String::new(),
    }))
}

/// Reruns a record pasted or uploaded: no account needed, nothing stored.
async fn verify(c: Chrome, multipart: Multipart) -> AppResult<Response> {
    let parts = crate::cases::read_parts(multipart).await?;
    let (input, _) = parts.file_or_text("file", "record");
    let text = String::from_utf8_lossy(&input).into_owned();
    let verdict = uc::verify(&text).map_err(|e| {
        let what = c.t.label("inspection.verify_code", e.code).to_string();
        let detail = e.detail.map(|d| format!("（{d}）")).unwrap_or_default();
        (e.field, format!("{what}{detail}"))
    });
    let status = if verdict.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let shown = if text.len() > 200_000 {
        String::new()
    } else {
        text
    };
    Ok(with_status(
        render(&VerifyPage {
            c,
            verdict: Some(verdict),
            text: shown,
        }),
        status,
    ))
}
