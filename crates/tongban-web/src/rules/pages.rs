//! Rule-set pages for administrators and the staff who apply them: the list with the items
//! decided automatically, every version of one rule set, and the editor (check, what-if, save
//! as a draft or published). Also the trace of a decision as every page shows it: cases,
//! declarations and the enterprise's matches all render [`TraceView`] with `rules_trace.html`.

use super::{EDITORS, READERS};
use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, T, catalog};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::collections::HashMap;
use tongban_domain::cases::local_date;
use tongban_domain::rules::{
    self, Decision, FactDef, FactUse, RuleSet, StepKind, StepResult, Value,
};
use tongban_domain::{FieldError, FieldErrors};
use tongban_store::rules::RuleSetRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/rules", get(list).post(set_item))
        .route("/admin/rules/new", get(new_editor).post(post_new))
        .route("/admin/rules/{code}", get(versions))
        .route("/admin/rules/{code}/edit", get(edit_editor).post(post_edit))
        .route(
            "/admin/rules/{code}/versions/{version}/publish",
            post(publish),
        )
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// An amount in fen as people read it: `150,000.00元`.
pub fn yuan(fen: i64) -> String {
    Value::Money(fen).to_string()
}

// ---- the trace -----------------------------------------------------------------------------

/// A decision ready for `rules_trace.html`: which rule set, the outcome, the amount, and one
/// row per step with the facts it read and its result, worded in the reader's language.
pub struct TraceView {
    pub rule_set: String,
    pub version: i64,
    /// `pass`, `fail` or `undecided`.
    pub outcome: &'static str,
    pub amount: Option<String>,
    pub rows: Vec<TraceRow>,
}

pub struct TraceRow {
    /// `table`, `rule` or `amount`.
    pub kind: &'static str,
    pub id: String,
    pub name: String,
    pub reference: String,
    pub expression: String,
    pub facts: Vec<FactUse>,
    /// `passed`, `failed`, `value` or `undecided`.
    pub result: &'static str,
    /// The value of a table or the amount; the reason when undecided.
    pub detail: String,
}

impl TraceView {
    pub fn new(t: T, d: &Decision) -> TraceView {
        let rows = d
            .trace
            .iter()
            .map(|s| {
                let (result, detail) = match &s.result {
                    StepResult::Passed => ("passed", String::new()),
                    StepResult::Failed => ("failed", String::new()),
                    StepResult::Value { value } => ("value", value.clone()),
                    StepResult::Undecided { why } => {
                        // A missing fact reads by its label when the step names it.
                        let detail = s
                            .facts
                            .iter()
                            .find(|f| f.key == why.detail())
                            .map(|f| f.label.clone())
                            .unwrap_or_else(|| why.detail().to_string());
                        (
                            "undecided",
                            t.fill(&format!("trace.why.{}", why.code()), &[("detail", &detail)]),
                        )
                    }
                };
                let kind = match s.kind {
                    StepKind::Table => "table",
                    StepKind::Rule => "rule",
                    StepKind::Amount => "amount",
                };
                TraceRow {
                    kind,
                    id: s.id.clone(),
                    name: if s.name.is_empty() {
                        t.get(&format!("trace.kind.{kind}")).to_string()
                    } else {
                        s.name.clone()
                    },
                    reference: s.reference.clone(),
                    expression: s.expression.clone(),
                    facts: s.facts.clone(),
                    result,
                    detail,
                }
            })
            .collect();
        TraceView {
            rule_set: d.rule_set.clone(),
            version: d.version,
            outcome: d.outcome.as_str(),
            amount: d.amount_fen.map(yuan),
            rows,
        }
    }

    /// The names of the steps that stopped a pass, for a one-line "why".
    pub fn blocking(&self) -> String {
        self.rows
            .iter()
            .filter(|r| matches!(r.result, "failed" | "undecided"))
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
}

// ---- rule-set errors -----------------------------------------------------------------------

/// One problem of a rule-set document: where (`rules[1].when`), what that place is, and why.
pub struct PlaceError {
    pub place: String,
    pub label: String,
    pub message: String,
}

fn known(key: &str) -> bool {
    catalog().keys(Lang::Zh).binary_search(&key).is_ok()
}

/// `unknown_fact enterprise.foo @5` reads "…（第5个字符处）"; a TOML error's `@line 3` reads
/// "（第3行）".
fn humanise_detail(t: T, d: &str) -> String {
    if let Some((text, line)) = d.rsplit_once(" @line ")
        && line.chars().all(|c| c.is_ascii_digit())
    {
        return format!("{text}{}", t.fill("rules.at_line", &[("n", line)]));
    }
    if let Some((text, at)) = d.rsplit_once(" @")
        && !at.is_empty()
        && at.chars().all(|c| c.is_ascii_digit())
    {
        return format!("{text}{}", t.fill("rules.at_char", &[("n", at)]));
    }
    d.to_string()
}

fn place_error(t: T, fe: &FieldError) -> PlaceError {
    let plain: String = {
        let mut out = String::new();
        let mut skip = false;
        for ch in fe.field.chars() {
            match ch {
                '[' => skip = true,
                ']' => skip = false,
                _ if !skip => out.push(ch),
                _ => {}
            }
        }
        out
    };
    let key = format!("rules.field.{plain}");
    let label = if known(&key) {
        t.get(&key).to_string()
    } else {
        String::new()
    };
    PlaceError {
        place: fe.field.clone(),
        label,
        message: reason(t, fe),
    }
}

/// Why a field was refused, without the field's name: the catalog's `error.<code>` with its
/// detail (a type reads as its name, a position in the text as words).
pub fn reason(t: T, fe: &FieldError) -> String {
    let template = t.get(&format!("error.{}", fe.code));
    match fe.detail.as_deref() {
        Some(d) if fe.code == "bad_value" && rules::Type::parse(d).is_some() => {
            template.replace("{detail}", t.label("rules.type", d))
        }
        Some(d) => template.replace("{detail}", &humanise_detail(t, d)),
        None => template
            .replace("（{detail}）", "")
            .replace(" ({detail})", "")
            .replace("{detail}", ""),
    }
}

/// An error of the editor's actions as a list of places, or the problem's title.
fn editor_errors(t: T, e: &AppError) -> (Vec<PlaceError>, Vec<String>) {
    match e {
        AppError::Invalid(fe) => (fe.0.iter().map(|x| place_error(t, x)).collect(), vec![]),
        other => (
            vec![],
            vec![t.get(&format!("problem.{}", other.code())).to_string()]
                .into_iter()
                .chain(other.field_errors().iter().map(|x| t.error(x)))
                .collect(),
        ),
    }
}

fn compile(source: &str) -> Result<RuleSet, FieldErrors> {
    if source.len() > 100_000 {
        let mut e = FieldErrors::new();
        e.push_detail("source", "too_long", "100000");
        return Err(e);
    }
    rules::compile(source)
}

// ---- the list ------------------------------------------------------------------------------

struct AutoItem {
    item_code: String,
    item_name: String,
    rule_set: String,
    in_force: bool,
}

#[derive(Template)]
#[template(path = "rules/list.html")]
struct ListPage {
    c: Chrome,
    sets: Vec<RuleSetRow>,
    /// Codes of the rule sets with a version in force today.
    in_force: Vec<String>,
    items: Vec<AutoItem>,
    editor: bool,
    errors: Vec<String>,
    item_code: String,
    saved: bool,
}

impl ListPage {
    fn is_in_force(&self, code: &str) -> bool {
        self.in_force.iter().any(|c| c == code)
    }
}

async fn list_page(
    state: &AppState,
    c: Chrome,
    viewer: &Viewer,
    errors: Vec<String>,
    item_code: String,
    saved: bool,
) -> AppResult<ListPage> {
    viewer.require(READERS)?;
    let editor = viewer.has_role(EDITORS);
    let today = local_date(state.store.now());
    let sets = state.store.rule_sets().await?;
    let mut in_force = Vec::new();
    for s in &sets {
        if state
            .store
            .rule_set_in_force(&s.code, today)
            .await?
            .is_some()
        {
            in_force.push(s.code.clone());
        }
    }
    let mut items = Vec::new();
    for (item_code, rule_set) in state.store.item_rules().await? {
        let item_name = state
            .store
            .published_item(&item_code)
            .await?
            .map(|p| p.guide.name)
            .unwrap_or_default();
        items.push(AutoItem {
            in_force: in_force.contains(&rule_set),
            item_code,
            item_name,
            rule_set,
        });
    }
    Ok(ListPage {
        c,
        sets,
        in_force,
        items,
        editor,
        errors,
        item_code,
        saved,
    })
}

async fn list(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let saved = q.contains_key("item_saved");
    Ok(render(
        &list_page(&state, c, &viewer, vec![], String::new(), saved).await?,
    ))
}

/// Marks an item for automatic approval by a rule set, or hands it back to clerks.
async fn set_item(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let user = viewer.require(EDITORS)?.clone();
    let item_code = f
        .get("item_code")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let rule_set = f
        .get("rule_set")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let result = if item_code.is_empty() {
        Err(AppError::from(FieldErrors::single("item_code", "required")))
    } else {
        state
            .store
            .set_item_rule(&user.username, &item_code, rule_set.as_deref())
            .await
            .map_err(AppError::from)
    };
    match result {
        Ok(()) => Ok(see_other("/admin/rules?item_saved=1#auto-items")),
        Err(e) => {
            let (errors, status) = crate::pages::refused_on_page(&c, e)?;
            Ok(crate::pages::with_status(
                render(&list_page(&state, c, &viewer, errors, item_code, false).await?),
                status,
            ))
        }
    }
}

// ---- one rule set --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "rules/versions.html")]
struct VersionsPage {
    c: Chrome,
    code: String,
    rows: Vec<RuleSetRow>,
    in_force: Option<i64>,
    items: Vec<String>,
    editor: bool,
    saved: Option<String>,
    published: Option<String>,
    errors: Vec<String>,
}

impl VersionsPage {
    fn current(&self, v: &i64) -> bool {
        self.in_force == Some(*v)
    }
}

async fn versions_page(
    state: &AppState,
    c: Chrome,
    viewer: &Viewer,
    code: &str,
    q: &HashMap<String, String>,
    errors: Vec<String>,
) -> AppResult<Response> {
    viewer.require(READERS)?;
    let rows = state.store.rule_set_versions(code).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    let today = local_date(state.store.now());
    let in_force = state
        .store
        .rule_set_in_force(code, today)
        .await?
        .map(|rs| rs.version);
    let items = state
        .store
        .item_rules()
        .await?
        .into_iter()
        .filter(|(_, rs)| rs == code)
        .map(|(i, _)| i)
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    let mut r = render(&VersionsPage {
        c,
        code: code.to_string(),
        rows,
        in_force,
        items,
        editor: viewer.has_role(EDITORS),
        saved: q.get("saved").cloned(),
        published: q.get("published").cloned(),
        errors,
    });
    *r.status_mut() = status;
    Ok(r)
}

async fn versions(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    versions_page(&state, c, &viewer, &code, &q, vec![]).await
}

async fn publish(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path((code, version)): Path<(String, i64)>,
    _: CsrfForm,
) -> AppResult<Response> {
    let user = viewer.require(EDITORS)?.clone();
    match state
        .store
        .publish_rule_set(&user.username, &code, version)
        .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/admin/rules/{code}?published={version}"
        ))),
        Err(e) => {
            let e = AppError::from(e);
            if !matches!(e, AppError::Conflict { .. } | AppError::Invalid(_)) {
                return Err(e);
            }
            let errors = crate::pages::problem_messages(&c, &e);
            versions_page(&state, c, &viewer, &code, &HashMap::new(), errors).await
        }
    }
}

// ---- the editor ----------------------------------------------------------------------------

/// What a valid document contains, for the reader to check against their intent.
struct Outline {
    code: String,
    name: String,
    reference: String,
    valid_from: String,
    valid_to: Option<String>,
    form: Vec<FactDef>,
    /// (name, number of rows)
    tables: Vec<(String, usize)>,
    /// (id, name, reference, condition)
    rules: Vec<(String, String, String, String)>,
    /// (formula, reference)
    amount: Option<(String, String)>,
}

impl Outline {
    fn new(rs: &RuleSet) -> Outline {
        Outline {
            code: rs.code.clone(),
            name: rs.name.clone(),
            reference: rs.reference.clone(),
            valid_from: rs.valid_from.to_string(),
            valid_to: rs.valid_to.map(|d| d.to_string()),
            form: rs.form.clone(),
            tables: rs
                .tables
                .iter()
                .map(|t| (t.name.clone(), t.rows.len()))
                .collect(),
            rules: rs
                .rules
                .iter()
                .map(|r| {
                    (
                        r.id.clone(),
                        r.name.clone(),
                        r.reference.clone(),
                        r.when.source.clone(),
                    )
                })
                .collect(),
            amount: rs
                .amount
                .as_ref()
                .map(|a| (a.formula.source.clone(), a.reference.clone())),
        }
    }
}

/// One past decision the draft would decide differently.
struct WhatIfRow {
    href: String,
    subject_kind: String,
    subject_id: String,
    subject_name: String,
    decided_at: String,
    before: &'static str,
    before_amount: String,
    after: &'static str,
    after_amount: String,
}

struct WhatIfView {
    compared: usize,
    rows: Vec<WhatIfRow>,
}

impl WhatIfView {
    fn new(w: super::WhatIf) -> WhatIfView {
        let amount = |d: &Decision| d.amount_fen.map(yuan).unwrap_or_else(|| "—".into());
        WhatIfView {
            compared: w.compared,
            rows: w
                .changed
                .iter()
                .map(|r| WhatIfRow {
                    href: if r.subject_kind == "case" {
                        format!("/cases/{}", r.subject_id)
                    } else {
                        format!("/declarations/{}", r.subject_id)
                    },
                    subject_kind: r.subject_kind.clone(),
                    subject_id: r.subject_id.clone(),
                    subject_name: r.subject_name.clone(),
                    decided_at: crate::i18n::local_minutes(&r.decided_at),
                    before: r.before.outcome.as_str(),
                    before_amount: amount(&r.before),
                    after: r.after.outcome.as_str(),
                    after_amount: amount(&r.after),
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "rules/editor.html")]
struct EditorPage {
    c: Chrome,
    /// The rule set being edited; `None` for a new one.
    code: Option<String>,
    source: String,
    /// Problems of the document, each with its place.
    places: Vec<PlaceError>,
    /// Other problems (a conflict, a refused save).
    errors: Vec<String>,
    outline: Option<Outline>,
    what_if: Option<WhatIfView>,
    /// Whether the reader may save and publish.
    editor: bool,
    facts: Vec<FactDef>,
}

impl EditorPage {
    fn action(&self) -> String {
        match &self.code {
            Some(code) => format!("/admin/rules/{code}/edit"),
            None => "/admin/rules/new".into(),
        }
    }
}

fn editor_page(c: Chrome, viewer: &Viewer, code: Option<String>, source: String) -> EditorPage {
    EditorPage {
        c,
        code,
        source,
        places: vec![],
        errors: vec![],
        outline: None,
        what_if: None,
        editor: viewer.has_role(EDITORS),
        facts: rules::builtin_facts(),
    }
}

async fn new_editor(c: Chrome, viewer: Viewer) -> AppResult<Response> {
    viewer.require(READERS)?;
    let source = c.t.get("rules.skeleton").to_string();
    Ok(render(&editor_page(c, &viewer, None, source)))
}

async fn edit_editor(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(code): Path<String>,
) -> AppResult<Response> {
    viewer.require(READERS)?;
    let latest = state
        .store
        .rule_set_versions(&code)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    Ok(render(&editor_page(c, &viewer, Some(code), latest.source)))
}

async fn post_new(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    editor_post(&state, c, &viewer, None, f).await
}

async fn post_edit(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    editor_post(&state, c, &viewer, Some(code), f).await
}

/// 检查 (`check`), 试算 (`what_if`), 保存为草稿 (`save`) or 保存并发布 (`publish`).
async fn editor_post(
    state: &AppState,
    c: Chrome,
    viewer: &Viewer,
    code: Option<String>,
    f: HashMap<String, String>,
) -> AppResult<Response> {
    let user = viewer.require(READERS)?.clone();
    viewer.check_csrf(f.get("csrf").map(String::as_str))?;
    // Browsers send a textarea's lines with CRLF; keep the document as written, with LF.
    let source = f
        .get("source")
        .map(|s| s.replace("\r\n", "\n"))
        .unwrap_or_default();
    let action = f.get("action").map(String::as_str).unwrap_or("check");
    let t = c.t;
    let mut page = editor_page(c, viewer, code.clone(), source.clone());
    let rs = match compile(&source) {
        Ok(rs) => rs,
        Err(e) => {
            page.places = e.0.iter().map(|x| place_error(t, x)).collect();
            let mut r = render(&page);
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(r);
        }
    };
    page.outline = Some(Outline::new(&rs));
    let result: AppResult<()> = match action {
        "what_if" => match super::what_if(state, &rs).await {
            Ok(w) => {
                page.what_if = Some(WhatIfView::new(w));
                Ok(())
            }
            Err(e) => Err(e),
        },
        "save" | "publish" => {
            viewer.require(EDITORS)?;
            if let Some(code) = &code
                && *code != rs.code
            {
                Err(FieldErrors::single("code", "code_mismatch").into())
            } else {
                let v = state
                    .store
                    .save_rule_set(&user.username, &rs, action == "publish")
                    .await?;
                return Ok(see_other(&format!("/admin/rules/{}?saved={v}", rs.code)));
            }
        }
        _ => Ok(()),
    };
    match result {
        Ok(()) => Ok(render(&page)),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let (places, errors) = editor_errors(t, &e);
            page.places = places;
            page.errors = errors;
            let mut r = render(&page);
            *r.status_mut() = e.status();
            Ok(r)
        }
        Err(e) => Err(e),
    }
}
