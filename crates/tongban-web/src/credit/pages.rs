//! The credit pages: the public search by name or credit code and one record with its clock;
//! a unit's list and entry form; the repair request (its subject) and decision (its unit) on the
//! record's page.

use crate::AppState;
use crate::auth::{CsrfForm, Viewer};
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, after_form, render, with_status};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use std::collections::HashMap;
use tongban_app::credit::import::Imported;
use tongban_app::credit::{self as uc, Seen};
use tongban_app::table::RowError;
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::credit::lists::CreditLists;
use tongban_domain::credit::{Command, CreditKind, NewRecord, Severity, SubjectKind};
use tongban_store::accounts::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/credit", get(search))
        .route("/credit/records/{id}", get(record))
        .route("/credit/lists", get(lists))
        .route("/credit/mine", get(mine))
        .route("/credit/measures", get(measures).post(save_measures))
        .route("/credit/integrity", get(integrity).post(enter_promise))
        .route("/credit/integrity/{id}", get(promise))
        .route(
            "/credit/integrity/{id}/fulfil",
            axum::routing::post(fulfil_promise),
        )
        .merge(forms())
}

#[derive(Template)]
#[template(path = "credit/search.html")]
struct SearchPage {
    c: Chrome,
    q: String,
    searched: bool,
    records: Vec<Seen>,
    errors: Vec<String>,
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

async fn search(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Query(q): Query<SearchQuery>,
) -> AppResult<Response> {
    let searched = !q.q.trim().is_empty();
    let (records, errors, status) = if searched {
        match uc::search(&state.store, &q.q).await.map_err(AppError::from) {
            Ok(rs) => {
                let user = viewer.user.as_ref();
                let seen = rs.into_iter().map(|r| uc::seen(&state.store, user, r));
                (seen.collect(), vec![], StatusCode::OK)
            }
            Err(e) => {
                let (errors, status) = crate::pages::refused_on_page(&c, e)?;
                (vec![], errors, status)
            }
        }
    } else {
        (vec![], vec![], StatusCode::OK)
    };
    let page = SearchPage {
        c,
        q: q.q,
        searched,
        records,
        errors,
    };
    Ok(crate::pages::with_status(render(&page), status))
}

#[derive(Template)]
#[template(path = "credit/mine.html")]
struct MinePage {
    c: Chrome,
    records: Vec<Seen>,
    /// The measures of the lists that apply today: (code, name, what it does).
    measures: Vec<(String, String, &'static str)>,
}

/// An applicant's own records, published or not, with what each allows today.
async fn mine(State(state): State<AppState>, c: Chrome, viewer: Viewer) -> AppResult<Response> {
    let user = viewer.require(&[Role::Applicant])?;
    let rs = uc::mine(&state.store, user).await?;
    let records = rs
        .into_iter()
        .map(|r| uc::seen(&state.store, Some(user), r))
        .collect();
    let lists = state.store.credit_lists().await?;
    let standing = state.store.credit_standing_of_user(&user.username).await?;
    let measures = lists
        .measure
        .iter()
        .filter(|m| standing.measures.contains(&m.code))
        .map(|m| (m.code.clone(), m.name.clone(), m.effect.as_str()))
        .collect();
    Ok(render(&MinePage {
        c,
        records,
        measures,
    }))
}

#[derive(Template)]
#[template(path = "credit/lists.html")]
struct ListsPage {
    c: Chrome,
    /// (anchor, title key, who is on it)
    lists: Vec<(&'static str, &'static str, Vec<Seen>)>,
}

/// The red and black lists (双公示) as they stand today.
async fn lists(State(state): State<AppState>, c: Chrome) -> AppResult<Response> {
    let seen = |rs: Vec<tongban_domain::credit::CreditRecord>| -> Vec<Seen> {
        rs.into_iter()
            .map(|r| uc::seen(&state.store, None, r))
            .collect()
    };
    let red = seen(uc::on_list(&state.store, uc::List::Red).await?);
    let black = seen(uc::on_list(&state.store, uc::List::Black).await?);
    let lists = vec![("red", "credit.red", red), ("black", "credit.black", black)];
    Ok(render(&ListsPage { c, lists }))
}

#[derive(Template)]
#[template(path = "credit/record.html")]
struct RecordPage {
    c: Chrome,
    s: Seen,
    unit_name: String,
    errors: Vec<String>,
}

async fn record_page(
    state: &AppState,
    c: Chrome,
    user: Option<&User>,
    id: &str,
    errors: Vec<String>,
) -> AppResult<Response> {
    let r = uc::load(&state.store, user, id).await?;
    let units = crate::pages::unit_names(state, &c).await?;
    let unit_name = crate::pages::unit_name(&units, &r.entered.unit);
    let s = uc::seen(&state.store, user, r);
    Ok(render(&RecordPage {
        c,
        s,
        unit_name,
        errors,
    }))
}

async fn record(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Response> {
    record_page(&state, c, viewer.user.as_ref(), &id, vec![]).await
}

// ---- forms: a unit enters records and decides repairs; a subject asks for repair -------------

pub fn forms() -> Router<AppState> {
    Router::new()
        .route("/credit/unit", get(unit_list))
        .route("/credit/new", get(new_form).post(create))
        .route("/credit/import", axum::routing::post(import))
        .route("/credit/import/template.xlsx", get(template))
        .route("/credit/records/{id}/{form}", axum::routing::post(act))
}

const STAFF: &[Role] = &[Role::Clerk, Role::Approver];

#[derive(Template)]
#[template(path = "credit/unit.html")]
struct UnitPage {
    c: Chrome,
    records: Vec<Seen>,
    /// After an import: how many records it entered, or every problem of the file.
    imported: Option<usize>,
    import_errors: Vec<RowError>,
}

async fn unit_page(
    state: &AppState,
    c: Chrome,
    user: &User,
    imported: Option<usize>,
    import_errors: Vec<RowError>,
) -> AppResult<Response> {
    let unit = user.unit.clone().ok_or(AppError::Forbidden)?;
    let rs = state.store.credit_records_of_unit(&unit, 500).await?;
    let records = rs
        .into_iter()
        .map(|r| uc::seen(&state.store, Some(user), r))
        .collect();
    Ok(render(&UnitPage {
        c,
        records,
        imported,
        import_errors,
    }))
}

/// The unit's records: repairs to decide first, by deadline.
async fn unit_list(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
) -> AppResult<Response> {
    let user = viewer.require(STAFF)?;
    unit_page(&state, c, user, None, vec![]).await
}

/// The import template: the columns, and one example row to overwrite.
async fn template(viewer: Viewer) -> AppResult<Response> {
    viewer.require(STAFF)?;
    let bytes = uc::import::template_xlsx(&[uc::import::example_row()])?;
    Ok(crate::pages::xlsx_download("credit-records.xlsx", bytes))
}

/// A spreadsheet of the unit's records: all entered, or none and every problem named.
async fn import(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let user = viewer.require(STAFF)?;
    let up = crate::cases::read_upload(multipart).await?;
    viewer.check_csrf(up.fields.get("csrf").map(String::as_str))?;
    if up.bytes.is_empty() {
        return Err(FieldErrors::single("file", "required").into());
    }
    let lang = c.t.lang;
    match uc::import::import(&state.store, user, &up.filename, &up.bytes, lang).await? {
        Imported::Done(ids) => unit_page(&state, c, user, Some(ids.len()), vec![]).await,
        Imported::Refused(errors) => Ok(with_status(
            unit_page(&state, c, user, None, errors).await?,
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
    }
}

#[derive(Template)]
#[template(path = "credit/new.html")]
struct NewPage {
    c: Chrome,
    f: HashMap<String, String>,
    errors: Vec<String>,
}

impl NewPage {
    fn value(&self, k: &str) -> &str {
        self.f.get(k).map(String::as_str).unwrap_or("")
    }
}

async fn new_form(c: Chrome, viewer: Viewer) -> AppResult<Response> {
    viewer.require(STAFF)?;
    Ok(render(&NewPage {
        c,
        f: HashMap::new(),
        errors: vec![],
    }))
}

/// The entry form's fields as a record of the user's unit, each unreadable field named.
fn entered(f: &HashMap<String, String>, unit: &str) -> Result<NewRecord, FieldErrors> {
    let mut e = FieldErrors::new();
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let subject_kind = match get("subject_kind").as_str() {
        "person" => SubjectKind::Person,
        "enterprise" => SubjectKind::Enterprise,
        _ => {
            e.push("subject_kind", "unknown_value");
            SubjectKind::Enterprise
        }
    };
    let kind = CreditKind::parse(&get("kind")).unwrap_or_else(|| {
        e.push("kind", "unknown_value");
        CreditKind::Penalty
    });
    let severity = match get("severity").as_str() {
        "minor" => Severity::Minor,
        "ordinary" => Severity::Ordinary,
        "serious" => Severity::Serious,
        _ => {
            e.push("severity", "unknown_value");
            Severity::Ordinary
        }
    };
    let decided_on = get("decided_on").parse().unwrap_or_else(|_| {
        e.push_detail("decided_on", "invalid_date", get("decided_on"));
        jiff::civil::date(2000, 1, 1)
    });
    let publish_months = match get("publish_months").as_str() {
        "" => None,
        m => match m.parse::<u8>() {
            Ok(n) => Some(n),
            Err(_) => {
                e.push_detail("publish_months", "out_of_range", "1–3");
                None
            }
        },
    };
    e.into_result(NewRecord {
        subject_kind,
        subject_id: get("subject_id"),
        subject_name: get("subject_name"),
        kind,
        severity,
        unit: unit.to_string(),
        document: get("document"),
        decided_on,
        legal_basis: get("legal_basis"),
        summary: get("summary"),
        publish_months,
        case_id: None,
    })
}

async fn create(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let user = viewer.require(STAFF)?;
    let unit = user.unit.clone().ok_or(AppError::Forbidden)?;
    let done = match entered(&f, &unit) {
        Ok(new) => uc::record(&state.store, user, new)
            .await
            .map(|r| format!("/credit/records/{}", r.id))
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    after_form(c, done, |c, errors| async move {
        Ok(render(&NewPage { c, f, errors }))
    })
    .await
}

/// Runs a command from a record page's form: back to the record, or the record again with why.
async fn command_from_page(
    state: &AppState,
    c: Chrome,
    viewer: &Viewer,
    id: &str,
    cmd: Result<Command, FieldErrors>,
) -> AppResult<Response> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    let done = match cmd {
        Ok(cmd) => uc::run(&state.store, user, id, cmd)
            .await
            .map(|_| format!("/credit/records/{id}"))
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    after_form(c, done, |c, errors| {
        record_page(state, c, Some(user), id, errors)
    })
    .await
}

/// A record page's form as the command it stands for (`repair`, `decide`, `dispute`, `answer`);
/// `None` for a form that does not exist.
fn command_of(form: &str, f: &HashMap<String, String>) -> Option<Result<Command, FieldErrors>> {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    // A required two-way choice (`decision`), as the command's flag.
    let choice = |yes: &str, no: &str| match f.get("decision").map(String::as_str) {
        Some(d) if d == yes => Ok(true),
        Some(d) if d == no => Ok(false),
        _ => Err(FieldErrors::single("decision", "required")),
    };
    Some(match form {
        "repair" => Ok(Command::RequestRepair {
            correction: get("correction"),
            obligations: get("obligations"),
            commitment: get("commitment"),
        }),
        "decide" => choice("approve", "refuse").map(|approved| Command::DecideRepair {
            approved,
            reasons: get("reasons"),
        }),
        "dispute" => Ok(Command::Dispute { text: get("text") }),
        "answer" => choice("uphold", "reject").map(|upheld| Command::AnswerDispute {
            upheld,
            text: get("text"),
        }),
        _ => return None,
    })
}

/// The forms on a record's page: repair asked and decided, disputes raised and answered.
async fn act(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path((id, form)): Path<(String, String)>,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let cmd = command_of(&form, &f).ok_or(AppError::NotFound)?;
    command_from_page(&state, c, &viewer, &id, cmd).await
}

// ---- the three lists (三清单) ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "credit/measures.html")]
struct MeasuresPage {
    c: Chrome,
    lists: CreditLists,
    history: Vec<tongban_store::lists::ListVersion>,
    draft: String,
    errors: Vec<String>,
    units: HashMap<String, String>,
}

impl MeasuresPage {
    fn keeps(&self) -> bool {
        self.c.user.as_ref().is_some_and(uc::keeps_lists)
    }
    fn units_of(&self, codes: &[String]) -> String {
        if codes.is_empty() {
            return self.c.t.get("credit.all_units").to_string();
        }
        codes
            .iter()
            .map(|u| self.units.get(u).cloned().unwrap_or_else(|| u.clone()))
            .collect::<Vec<_>>()
            .join("、")
    }
    fn severities(&self, b: &tongban_domain::credit::lists::Behaviour) -> String {
        if b.severities.is_empty() {
            return self.c.t.get("credit.any_severity").to_string();
        }
        b.severities
            .iter()
            .map(|s| self.c.t.label("credit.severity", s.as_str()))
            .collect::<Vec<_>>()
            .join("、")
    }
}

async fn measures_page(
    state: &AppState,
    c: Chrome,
    draft: Option<String>,
    errors: Vec<String>,
) -> AppResult<Response> {
    let lists = state.store.credit_lists().await?;
    let history = state
        .store
        .list_history(tongban_store::credit::LISTS)
        .await?;
    let draft = draft.unwrap_or_else(|| {
        history
            .first()
            .map(|v| v.toml.clone())
            .unwrap_or_else(|| tongban_domain::credit::lists::BASELINE.to_string())
    });
    let units = crate::pages::unit_names(state, &c).await?;
    Ok(render(&MeasuresPage {
        c,
        lists,
        history,
        draft,
        errors,
        units,
    }))
}

/// The three lists as they stand, with their history (public).
async fn measures(State(state): State<AppState>, c: Chrome) -> AppResult<Response> {
    measures_page(&state, c, None, vec![]).await
}

async fn save_measures(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    let text = f.get("document").cloned().unwrap_or_default();
    let note = f.get("note").cloned().unwrap_or_default();
    let done = uc::save_lists(&state.store, user, &text, &note)
        .await
        .map(|_| "/credit/measures".to_string())
        .map_err(AppError::from);
    after_form(c, done, |c, errors| {
        measures_page(&state, c, Some(text), errors)
    })
    .await
}

// ---- government integrity (政务诚信) ---------------------------------------------------------

use tongban_app::credit::integrity as gov;
use tongban_domain::credit::integrity::{Keeping, NewPromise, Promise, PromiseKind, Tally};

#[derive(Template)]
#[template(path = "credit/integrity.html")]
struct IntegrityPage {
    c: Chrome,
    promises: Vec<(Promise, Keeping)>,
    by_unit: Vec<(String, Tally)>,
    district: Tally,
    units: HashMap<String, String>,
    f: HashMap<String, String>,
    errors: Vec<String>,
}

impl IntegrityPage {
    fn unit(&self, code: &str) -> String {
        crate::pages::unit_name(&self.units, code)
    }
    fn value(&self, k: &str) -> String {
        self.f.get(k).cloned().unwrap_or_default()
    }
    /// Unit staff may enter their unit's commitments.
    fn enters(&self) -> bool {
        self.c.is("clerk") || self.c.is("approver")
    }
    fn kinds(&self) -> [&'static str; 3] {
        PromiseKind::ALL.map(PromiseKind::as_str)
    }
}

async fn integrity_page(
    state: &AppState,
    c: Chrome,
    f: HashMap<String, String>,
    errors: Vec<String>,
) -> AppResult<Response> {
    let p = gov::published(&state.store).await?;
    let units = crate::pages::unit_names(state, &c).await?;
    Ok(render(&IntegrityPage {
        c,
        promises: p.promises,
        by_unit: p.by_unit.into_iter().collect(),
        district: p.district,
        units,
        f,
        errors,
    }))
}

/// The district's commitments to enterprises and how each stands (public).
async fn integrity(State(state): State<AppState>, c: Chrome) -> AppResult<Response> {
    integrity_page(&state, c, HashMap::new(), vec![]).await
}

fn promise_of(f: &HashMap<String, String>, unit: &str) -> Result<NewPromise, FieldErrors> {
    let mut e = FieldErrors::new();
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut date = |k: &str| {
        get(k).parse().unwrap_or_else(|_| {
            e.push_detail(k, "invalid_date", get(k));
            jiff::civil::date(2000, 1, 1)
        })
    };
    let (promised_on, due) = (date("promised_on"), date("due"));
    let kind = PromiseKind::parse(&get("kind")).unwrap_or_else(|| {
        e.push("kind", "unknown_value");
        PromiseKind::Other
    });
    e.into_result(NewPromise {
        unit: unit.to_string(),
        enterprise: get("enterprise"),
        enterprise_name: get("enterprise_name"),
        kind,
        content: get("content"),
        document: get("document"),
        promised_on,
        due,
    })
}

async fn enter_promise(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let user = viewer.require(STAFF)?;
    let unit = user.unit.clone().ok_or(AppError::Forbidden)?;
    let done = match promise_of(&f, &unit) {
        Ok(new) => gov::enter(&state.store, user, new)
            .await
            .map(|p| format!("/credit/integrity/{}", p.id))
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    after_form(c, done, |c, errors| integrity_page(&state, c, f, errors)).await
}

#[derive(Template)]
#[template(path = "credit/promise.html")]
struct PromisePage {
    c: Chrome,
    p: Promise,
    keeping: Keeping,
    unit_name: String,
    today: jiff::civil::Date,
    errors: Vec<String>,
}

impl PromisePage {
    fn fulfils(&self) -> bool {
        self.p.fulfilment.is_none()
            && self.c.user.as_ref().is_some_and(|u| {
                matches!(u.role, Role::Clerk | Role::Approver)
                    && u.unit.as_deref() == Some(self.p.promised.unit.as_str())
            })
    }
}

async fn promise_page(
    state: &AppState,
    c: Chrome,
    id: &str,
    errors: Vec<String>,
) -> AppResult<Response> {
    let p = state.store.promise(id).await?.ok_or(AppError::NotFound)?;
    let today = tongban_domain::cases::local_date(state.store.now());
    let units = crate::pages::unit_names(state, &c).await?;
    let unit_name = crate::pages::unit_name(&units, &p.promised.unit);
    Ok(render(&PromisePage {
        c,
        keeping: p.keeping(today),
        p,
        unit_name,
        today,
        errors,
    }))
}

async fn promise(
    State(state): State<AppState>,
    c: Chrome,
    Path(id): Path<String>,
) -> AppResult<Response> {
    promise_page(&state, c, &id, vec![]).await
}

async fn fulfil_promise(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    let on = f
        .get("on")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let note = f.get("note").cloned().unwrap_or_default();
    let done = match on.parse::<jiff::civil::Date>() {
        Ok(d) => gov::fulfil(&state.store, user, &id, d, &note)
            .await
            .map(|_| format!("/credit/integrity/{id}"))
            .map_err(AppError::from),
        Err(_) => {
            let mut e = FieldErrors::new();
            e.push_detail("on", "invalid_date", on);
            Err(e.into())
        }
    };
    after_form(c, done, |c, errors| promise_page(&state, c, &id, errors)).await
}
