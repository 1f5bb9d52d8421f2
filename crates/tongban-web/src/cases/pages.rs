//! Case pages: apply (mobile friendly), my cases, the staff work queue sorted by time left, the
//! case with its clock and the actions the reader may take (notices, the inbox and the
//! supervision pages are in the files beside this one; all routes are listed here). Forms post
//! back and redirect; a refused action re-renders the case with the reasons in the reader's
//! language.

use super::{CaseView, NewApplication, ProxyRequest, load_visible, mask_for, view};
use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{SignedIn, Viewer};
use crate::error::{AppError, AppResult};
use crate::pages::see_other;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use std::collections::HashMap;
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::cases::{
    ApplicationForm, Case, CaseState, Command, CommitmentRequest, CorrectionItem, PauseKind,
};
use tongban_domain::catalog::ItemGuide;
use tongban_domain::rules::{FactDef, Type, parse_value};
use tongban_store::Page;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/items/{code}/apply", get(apply_page))
        .route("/cases", get(list_page).post(create))
        .route("/cases/{id}", get(case_page))
        .route("/cases/{id}/form", post(save_form))
        .route("/cases/{id}/materials/{index}", post(upload))
        .route("/cases/{id}/materials/{index}/reuse", post(reuse))
        .route("/cases/{id}/act", post(act))
        .route(
            "/cases/{id}/notices/{kind}",
            get(super::notices::notice_page),
        )
        .route("/cases/{id}/files/{sha}", get(file))
        .route("/inbox", get(super::inbox::inbox_page))
        .route(
            "/supervision/overdue",
            get(super::supervision::overdue_page),
        )
        .route(
            "/indicators/cases",
            get(super::supervision::indicators_page),
        )
}

// ---- questions of items decided by rules ----------------------------------------------------

/// The answers to a rule set's questions in a posted form: `field.<key>` → `<key>`, trimmed,
/// unanswered ones (and an unticked box, which the browser does not send) left out.
fn posted_fields(f: &HashMap<String, String>) -> std::collections::BTreeMap<String, String> {
    f.iter()
        .filter_map(|(k, v)| {
            let key = k.strip_prefix("field.")?;
            let v = v.trim();
            (!v.is_empty()).then(|| (key.to_string(), v.to_string()))
        })
        .collect()
}

/// The answer to a question as the form shows it again.
fn answer_of(form: &ApplicationForm, def: &FactDef) -> String {
    form.fields
        .get(def.key.trim_start_matches("form."))
        .cloned()
        .unwrap_or_default()
}

fn ticked(form: &ApplicationForm, def: &FactDef) -> bool {
    parse_value(Type::Bool, &answer_of(form, def)).is_some_and(|v| v.as_bool())
}

/// A refused form's messages, with the rule set's questions named by their labels
/// (`form.fields.valid_until` reads 原许可证有效期至).
fn messages_with_questions(c: &Chrome, e: &AppError, defs: &[FactDef]) -> Vec<String> {
    let mut out = vec![c.t.get(&format!("problem.{}", e.code())).to_string()];
    for fe in e.field_errors() {
        match fe.field.strip_prefix("form.fields.") {
            Some(key) => {
                let label = defs
                    .iter()
                    .find(|d| d.key.trim_start_matches("form.") == key)
                    .map_or_else(|| key.to_string(), |d| d.label.clone());
                out.push(format!(
                    "{label}{}{}",
                    c.t.get("punct.colon"),
                    crate::rules::pages::reason(c.t, &fe)
                ));
            }
            None => out.push(c.t.error(&fe)),
        }
    }
    out
}

async fn questions_of(state: &AppState, item_code: &str) -> AppResult<Vec<FactDef>> {
    Ok(
        tongban_app::rules::rule_set_for_item(&state.store, item_code)
            .await?
            .map(|rs| rs.form)
            .unwrap_or_default(),
    )
}

// ---- apply ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "cases/apply.html")]
struct ApplyPage {
    c: Chrome,
    guide: ItemGuide,
    form: ApplicationForm,
    on_behalf_of: String,
    authorisation: String,
    errors: Vec<String>,
    /// The questions of the item's rule set, when it is decided automatically.
    questions: Vec<FactDef>,
    auto_item: bool,
}

impl ApplyPage {
    fn answer(&self, q: &FactDef) -> String {
        answer_of(&self.form, q)
    }
    fn ticked(&self, q: &FactDef) -> bool {
        ticked(&self.form, q)
    }
}

async fn apply_page(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let user = viewer.require(&[Role::Applicant])?;
    let item = state
        .store
        .published_item(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = ApplicationForm {
        contact_name: user.display_name.clone(),
        ..Default::default()
    };
    let questions = questions_of(&state, &code).await?;
    let auto_item = state.store.item_rule(&code).await?.is_some();
    Ok(render(&ApplyPage {
        c,
        guide: item.guide,
        form,
        on_behalf_of: String::new(),
        authorisation: String::new(),
        errors: vec![],
        questions,
        auto_item,
    }))
}

#[derive(serde::Deserialize)]
struct ApplyForm {
    csrf: String,
    item_code: String,
    contact_name: String,
    contact_phone: String,
    #[serde(default)]
    address: String,
    details: String,
    #[serde(default)]
    on_behalf_of: String,
    #[serde(default)]
    authorisation: String,
    /// The answers to the rule set's questions, as `field.<key>`.
    #[serde(flatten)]
    rest: HashMap<String, String>,
}

async fn create(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Form(f): Form<ApplyForm>,
) -> AppResult<Response> {
    let user = viewer.require(&[Role::Applicant])?.clone();
    viewer.check_csrf(Some(&f.csrf))?;
    let form = ApplicationForm {
        contact_name: f.contact_name.trim().into(),
        contact_phone: f.contact_phone.trim().into(),
        address: f.address.trim().into(),
        details: f.details.trim().into(),
        fields: posted_fields(&f.rest),
    };
    let proxy = (!f.on_behalf_of.trim().is_empty()).then(|| ProxyRequest {
        applicant: f.on_behalf_of.trim().into(),
        authorisation: f.authorisation.clone(),
    });
    let req = NewApplication {
        item_code: f.item_code.clone(),
        form: form.clone(),
        on_behalf_of: proxy,
    };
    match super::create(&state, &user, req).await {
        Ok(case) => Ok(see_other(&format!("/cases/{}", case.id))),
        Err(e @ AppError::Invalid(_)) => {
            let guide = state
                .store
                .published_item(&f.item_code)
                .await?
                .ok_or(AppError::NotFound)?
                .guide;
            let questions = questions_of(&state, &f.item_code).await?;
            let auto_item = state.store.item_rule(&f.item_code).await?.is_some();
            let errors = messages_with_questions(&c, &e, &questions);
            let mut r = render(&ApplyPage {
                c,
                guide,
                form,
                on_behalf_of: f.on_behalf_of,
                authorisation: f.authorisation,
                errors,
                questions,
                auto_item,
            });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

// ---- lists ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "cases/list.html")]
struct ListPage {
    c: Chrome,
    cases: Vec<CaseView>,
    total: i64,
    page: Page,
    /// Which tab: `all`, `open` (staff's default), `due_soon`, `overdue`, `finished`.
    tab: String,
    staff: bool,
}

impl ListPage {
    fn next_page(&self) -> bool {
        i64::from(self.page.page) * i64::from(self.page.per_page) < self.total
    }
}

async fn list_page(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let staff = user.role != Role::Applicant;
    // Staff open on their open work, by time left; finished cases have a tab of their own.
    let tab = match q.get("tab").map(String::as_str) {
        Some(t @ ("all" | "open" | "due_soon" | "overdue" | "finished")) => t.to_string(),
        _ if staff => "open".to_string(),
        _ => "all".to_string(),
    };
    let mut query = q.clone();
    query.remove("tab");
    let (mut f, page) = super::api::parse_list(&query)?;
    match tab.as_str() {
        "due_soon" => f.clock = vec!["due_soon"],
        "overdue" => f.clock = vec!["overdue"],
        "open" => {
            f.states = vec![
                CaseState::Submitted,
                CaseState::Correction,
                CaseState::Review,
                CaseState::Paused,
                CaseState::Approved,
                CaseState::RevocationPending,
            ]
        }
        "finished" => {
            f.states = CaseState::ALL
                .into_iter()
                .filter(|s| s.is_closed())
                .collect()
        }
        _ => {}
    }
    let f = super::scope(&user, f)?;
    let (rows, total) = state.store.list_cases(&f, page).await?;
    let mut cases = Vec::new();
    for r in rows {
        let mut case = r.case;
        mask_for(&user, &mut case);
        cases.push(view(&state, &user, case).await?);
    }
    Ok(render(&ListPage {
        c,
        cases,
        total,
        page,
        tab,
        staff,
    }))
}

// ---- one case ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "cases/case.html")]
struct CasePage {
    c: Chrome,
    v: CaseView,
    /// Unit names by code, in the reader's language.
    units: HashMap<String, String>,
    errors: Vec<String>,
    pause_kinds: Vec<&'static str>,
    today: String,
    /// The item is decided automatically by a rule set (秒批).
    auto_item: bool,
    /// The rules' decision on this case, with its trace.
    trace: Option<crate::rules::pages::TraceView>,
    /// The rules approved the case without a clerk.
    auto_approved: bool,
    /// The name of the rule set that decided, when it can still be read.
    rule_set_name: String,
    /// The answers to the rule set's questions: (label, answer).
    answers: Vec<(String, String)>,
}

impl CasePage {
    fn unit(&self, code: &str) -> String {
        crate::pages::unit_name(&self.units, code)
    }
    fn can(&self, action: &str) -> bool {
        self.v.allowed_actions.contains(&action)
    }
    fn committed(&self, material: &str) -> bool {
        self.v
            .case
            .open_commitments()
            .any(|c| c.material == material)
    }
    fn is_owner(&self) -> bool {
        self.c.user.as_ref().is_some_and(|u| {
            self.v.case.party(&super::actor(u)) == tongban_domain::cases::Party::Applicant
        })
    }
    fn left(&self, n: &Option<i64>) -> String {
        match n {
            Some(n) if *n < 0 => self.c.t.fill("case.days_over", &[("n", &(-n).to_string())]),
            Some(n) => self.c.t.fill("case.days_left", &[("n", &n.to_string())]),
            None => "—".into(),
        }
    }
    fn days(&self, f: &f64) -> String {
        format!("{f:.1}")
    }
    fn at(&self, t: &jiff::Timestamp) -> String {
        crate::i18n::local_minutes(&tongban_store::rfc3339(*t))
    }
    fn answer(&self, q: &FactDef) -> String {
        answer_of(&self.v.case.form, q)
    }
    fn ticked(&self, q: &FactDef) -> bool {
        ticked(&self.v.case.form, q)
    }
}

async fn case_page(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (user, mut case) = load_visible(&state, &viewer, &id).await?;
    mask_for(&user, &mut case);
    show_case(&state, c, &user, case, vec![], StatusCode::OK).await
}

async fn show_case(
    state: &AppState,
    c: Chrome,
    user: &tongban_store::accounts::User,
    case: Case,
    errors: Vec<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let v = view(state, user, case).await?;
    let today = tongban_domain::cases::local_date(state.store.now()).to_string();
    let units = crate::pages::unit_names(state, &c).await?;
    let auto_item = state.store.item_rule(&v.case.item_code).await?.is_some();
    let k = &v.case;
    let trace = k
        .rule_decision
        .as_ref()
        .map(|d| crate::rules::pages::TraceView::new(c.t, d));
    // Approved by the rules themselves: the approval in the history is the rule set's.
    let auto_approved = k
        .history
        .iter()
        .any(|h| h.action == "approve" && h.by.starts_with("rules:"));
    let decided_by = match &k.rule_decision {
        Some(d) => state.store.rule_set_version(&d.rule_set, d.version).await?,
        None => None,
    };
    let rule_set_name = decided_by
        .as_ref()
        .map(|r| r.name.clone())
        .unwrap_or_default();
    // The answers in the order of the questions, labelled by the rule set that decided, else
    // the one in force; answers no rule set asks for any more read as key = value.
    let defs = match decided_by.as_ref().map(|r| r.compile()) {
        Some(Ok(rs)) => rs.form,
        _ if !v.rule_form.is_empty() => v.rule_form.clone(),
        _ => questions_of(state, &k.item_code).await?,
    };
    let mut answers: Vec<(String, String)> = Vec::new();
    for d in &defs {
        match k.form.fields.get(d.key.trim_start_matches("form.")) {
            Some(value) => answers.push((d.label.clone(), value.clone())),
            // An unticked box is a "no".
            None if d.ty == Type::Bool => {
                answers.push((d.label.clone(), c.t.get("guide.no").to_string()))
            }
            None => {}
        }
    }
    for (key, value) in &k.form.fields {
        if !defs
            .iter()
            .any(|d| d.key.trim_start_matches("form.") == key)
        {
            answers.push((key.clone(), value.clone()));
        }
    }
    let mut r = render(&CasePage {
        c,
        v,
        units,
        errors,
        pause_kinds: PauseKind::ALL.iter().map(|k| k.as_str()).collect(),
        today,
        auto_item,
        trace,
        auto_approved,
        rule_set_name,
        answers,
    });
    *r.status_mut() = status;
    Ok(r)
}

/// Shows the case again with the error, or goes back to it on success.
async fn after(
    state: &AppState,
    c: Chrome,
    viewer: &Viewer,
    id: &str,
    result: AppResult<Case>,
) -> AppResult<Response> {
    match result {
        Ok(_) => Ok(see_other(&format!("/cases/{id}"))),
        Err(
            e @ (AppError::Invalid(_) | AppError::NotAllowed { .. } | AppError::CalendarMissing(_)),
        ) => {
            let (user, mut case) = load_visible(state, viewer, id).await?;
            mask_for(&user, &mut case);
            let questions = questions_of(state, &case.item_code).await?;
            let errors = messages_with_questions(&c, &e, &questions);
            show_case(state, c, &user, case, errors, e.status()).await
        }
        Err(e) => Err(e),
    }
}

#[derive(serde::Deserialize)]
struct SaveForm {
    csrf: String,
    contact_name: String,
    contact_phone: String,
    #[serde(default)]
    address: String,
    details: String,
    /// The answers to the rule set's questions, as `field.<key>`.
    #[serde(flatten)]
    rest: HashMap<String, String>,
}

async fn save_form(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<SaveForm>,
) -> AppResult<Response> {
    let (user, _) = load_visible(&state, &viewer, &id).await?;
    viewer.check_csrf(Some(&f.csrf))?;
    let form = ApplicationForm {
        contact_name: f.contact_name.trim().into(),
        contact_phone: f.contact_phone.trim().into(),
        address: f.address.trim().into(),
        details: f.details.trim().into(),
        fields: posted_fields(&f.rest),
    };
    let r = super::save_form(&state, &user, &id, form).await;
    after(&state, c, &viewer, &id, r).await
}

async fn upload(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path((id, index)): Path<(String, usize)>,
    multipart: Multipart,
) -> AppResult<Response> {
    let (user, case) = load_visible(&state, &viewer, &id).await?;
    // Refused before the file is read and kept: the case page says why.
    if let Err(e) = tongban_app::cases::application::may_attach(&case, &user, index) {
        return after(&state, c, &viewer, &id, Err(e.into())).await;
    }
    let up = super::read_upload(multipart).await?;
    viewer.check_csrf(up.fields.get("csrf").map(String::as_str))?;
    let r = match super::store_upload(&state, up).await {
        Ok(file) => super::attach(&state, &user, &id, index, file, None).await,
        Err(e) => Err(e),
    };
    after(&state, c, &viewer, &id, r).await
}

#[derive(serde::Deserialize)]
struct ReuseForm {
    csrf: String,
    from_case: String,
}

async fn reuse(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path((id, index)): Path<(String, usize)>,
    Form(f): Form<ReuseForm>,
) -> AppResult<Response> {
    let (user, _) = load_visible(&state, &viewer, &id).await?;
    viewer.check_csrf(Some(&f.csrf))?;
    let r = super::reuse(&state, &user, &id, index, &f.from_case).await;
    after(&state, c, &viewer, &id, r).await
}

/// Builds the command from an action form. Fields: `action`; `reasons`, `opinion`, `reason`,
/// `kind`, `days`, `material`; `problem_{i}` per material for a correction request;
/// `commit_{i}` (a due date) per material for a commitment.
fn command_from_form(case: &Case, f: &HashMap<String, String>) -> Result<Command, FieldErrors> {
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let action = get("action");
    Ok(match action.as_str() {
        "submit" => Command::Submit,
        "resume" => Command::Resume,
        "issue" => Command::Issue,
        "record_visit" => Command::RecordVisit,
        "refuse" => Command::Refuse {
            reasons: get("reasons"),
        },
        "approve" => Command::Approve {
            reasons: get("reasons"),
        },
        "reject" => Command::Reject {
            reasons: get("reasons"),
        },
        "revoke" => Command::Revoke {
            reasons: get("reasons"),
        },
        "withdraw" => Command::Withdraw {
            reason: get("reasons"),
        },
        "complete_step" => Command::CompleteStep {
            opinion: get("opinion"),
        },
        "sign_off" => Command::SignOff {
            opinion: get("opinion"),
        },
        "fulfil_commitment" => Command::FulfilCommitment {
            material: get("material"),
        },
        "pause" => Command::Pause {
            kind: PauseKind::parse(&get("kind"))
                .ok_or_else(|| FieldErrors::single("kind", "required"))?,
            reason: get("reasons"),
        },
        "extend" => Command::Extend {
            days: get("days")
                .parse()
                .map_err(|_| FieldErrors::single("days", "out_of_range"))?,
            reason: get("reasons"),
        },
        "request_correction" => Command::RequestCorrection {
            items: case
                .materials
                .iter()
                .enumerate()
                .filter_map(|(i, m)| {
                    let p = get(&format!("problem_{i}"));
                    (!p.is_empty()).then(|| CorrectionItem {
                        material: m.name.clone(),
                        problem: p,
                    })
                })
                .collect(),
        },
        "accept" => {
            let mut e = FieldErrors::new();
            let mut commitments = Vec::new();
            for (i, m) in case.materials.iter().enumerate() {
                let due = get(&format!("commit_{i}"));
                if due.is_empty() {
                    continue;
                }
                match due.parse() {
                    Ok(d) => commitments.push(CommitmentRequest {
                        material: m.name.clone(),
                        due: d,
                    }),
                    Err(_) => {
                        e.push_detail(format!("commitments[{i}].due"), "date_format", "YYYY-MM-DD")
                    }
                }
            }
            e.into_result(Command::Accept { commitments })?
        }
        _ => return Err(FieldErrors::single("action", "unknown_value")),
    })
}

async fn act(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let (user, case) = load_visible(&state, &viewer, &id).await?;
    let r = match command_from_form(&case, &f) {
        Ok(cmd) if matches!(cmd, Command::BreakCommitment { .. }) => Err(AppError::Forbidden),
        Ok(cmd) => tongban_app::cases::run_command(&state.store, &user, &id, cmd)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    after(&state, c, &viewer, &id, r).await
}

async fn file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, sha)): Path<(String, String)>,
) -> AppResult<Response> {
    super::api::file_response(&state, &viewer, &id, &sha).await
}
