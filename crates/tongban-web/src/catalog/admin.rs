//! Catalog administration pages: list, create and edit working copies, publish versions, view
//! history and diffs, import and export, keep the retained certificate list.

use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{CATALOG_EDITORS, Viewer};
use crate::error::AppError;
use crate::i18n::{Lang, ReaderLang, catalog};
use crate::pages::see_other;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use std::collections::HashMap;
use tongban_app::catalog::Imported;
use tongban_app::catalog::sheet::{COLUMNS, Cells, RowError, cells_from_guide, guide_from_cells};
use tongban_domain::catalog::{
    FieldChange, ItemKind, Level, OnlineDepth, RetainedCertificate, diff,
};
use tongban_domain::org::Unit;
use tongban_domain::{FieldError, FieldErrors};
use tongban_store::catalog::{ImportSummary, ItemRecord, StoredCertificate, VersionInfo};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/items", get(list))
        .route("/admin/items/new", get(new_form).post(create))
        .route("/admin/items/{code}/edit", get(edit_form).post(save))
        .route("/admin/items/{code}/publish", post(publish))
        .route("/admin/items/{code}/history", get(history))
        .route("/admin/import", get(import_form).post(import))
        .route("/admin/export.xlsx", get(export))
        .route("/admin/certificates", post(save_certificate))
        .route("/admin/certificates/{id}/delete", post(delete_certificate))
}

#[derive(Template)]
#[template(path = "catalog/admin_items.html")]
struct List {
    c: Chrome,
    q: String,
    items: Vec<ItemRecord>,
    total: i64,
    page: u32,
    pages: u32,
}

async fn list(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    viewer.require(CATALOG_EDITORS)?;
    let mut errors = FieldErrors::new();
    let page = crate::api::parse_page(&q, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let term = q.get("q").cloned().unwrap_or_default();
    let (items, total) = state.store.admin_items(term.trim(), page).await?;
    let pages = (total.max(1) as u32).div_ceil(page.per_page);
    Ok(render(&List {
        c,
        q: term,
        items,
        total,
        page: page.page,
        pages,
    }))
}

#[derive(Template)]
#[template(path = "catalog/admin_edit.html")]
struct Edit {
    c: Chrome,
    /// `None` when creating.
    code: Option<String>,
    cells: Cells,
    record: Option<ItemRecord>,
    errors: Vec<FieldError>,
    saved: bool,
    columns: &'static [&'static str],
    /// Every unit, for the 实施主体 choice.
    units: Vec<Unit>,
}

/// One option of a choice on the edit form.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

impl Edit {
    fn cell(&self, key: &str) -> String {
        self.cells.get(key).cloned().unwrap_or_default()
    }
    /// The options of a field edited as a choice (kind, level, online depth, unit), or `None`
    /// for a field typed in. Values are keys (unit codes); the current cell may hold a key or a
    /// label in either language. A current value that matches nothing stays selectable, so a bad
    /// value is shown for correction rather than silently replaced.
    fn choices(&self, key: &str) -> Option<Vec<Choice>> {
        let current = self.cell(key);
        let current = current.trim();
        let t = self.c.t;
        let enumeration = |prefix: &str, keys: &mut dyn Iterator<Item = &'static str>| {
            keys.map(|k| {
                let full = format!("{prefix}.{k}");
                Choice {
                    value: k.to_string(),
                    label: t.get(&full).to_string(),
                    selected: tongban_app::catalog::sheet::names_value(current, prefix, k),
                }
            })
            .collect::<Vec<_>>()
        };
        let mut list = match key {
            "kind" => enumeration("kind", &mut ItemKind::ALL.iter().map(|v| v.as_str())),
            "level" => enumeration("level", &mut Level::ALL.iter().map(|v| v.as_str())),
            "online_depth" => {
                enumeration("depth", &mut OnlineDepth::ALL.iter().map(|v| v.as_str()))
            }
            "unit" => self
                .units
                .iter()
                .map(|u| Choice {
                    value: u.code.clone(),
                    label: format!("{} — {}", u.code, super::pages::unit_name(u, t.lang)),
                    selected: current == u.code,
                })
                .collect(),
            _ => return None,
        };
        if current.is_empty() {
            list.insert(
                0,
                Choice {
                    value: String::new(),
                    label: t.get("admin.choose").to_string(),
                    selected: true,
                },
            );
        } else if !list.iter().any(|c| c.selected) {
            list.insert(
                0,
                Choice {
                    value: current.to_string(),
                    label: current.to_string(),
                    selected: true,
                },
            );
        }
        Some(list)
    }
    /// The form field an error belongs to: `materials[1].form` → `materials`.
    fn anchor(&self, e: &FieldError) -> String {
        let end = e.field.find(['[', '.']).unwrap_or(e.field.len());
        e.field[..end].to_string()
    }
    /// `aria-describedby` of a field: its hint and its errors, when it has them.
    fn described_by(&self, key: &str) -> String {
        let mut ids = Vec::new();
        if !self.c.t.label("hint", key).is_empty() {
            ids.push(format!("h-{key}"));
        }
        if !self.errors_for(key).is_empty() {
            ids.push(format!("e-{key}"));
        }
        ids.join(" ")
    }
    /// Messages for one field (the errors of its nested rows included).
    fn errors_for(&self, key: &str) -> Vec<String> {
        self.errors
            .iter()
            .filter(|e| {
                e.field == key
                    || e.field.starts_with(&format!("{key}["))
                    || e.field.starts_with(&format!("{key}."))
            })
            .map(|e| self.c.t.error(e))
            .collect()
    }
    fn multiline(&self, key: &str) -> bool {
        matches!(
            key,
            "legal_basis"
                | "conditions"
                | "materials"
                | "steps"
                | "special_procedures"
                | "promise_note"
        )
    }
}

async fn new_form(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
) -> Result<Response, AppError> {
    viewer.require(CATALOG_EDITORS)?;
    let mut cells = Cells::new();
    cells.insert(
        "hours".into(),
        crate::i18n::catalog().get(Lang::Zh, "default.hours").into(),
    );
    cells.insert("complaint_phone".into(), "12345".into());
    Ok(render(&Edit {
        c,
        code: None,
        cells,
        record: None,
        errors: vec![],
        saved: false,
        columns: &COLUMNS,
        units: state.store.units().await?,
    }))
}

async fn edit_form(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    viewer.require(CATALOG_EDITORS)?;
    let record = state
        .store
        .item_record(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(render(&Edit {
        c,
        cells: cells_from_guide(&record.draft),
        code: Some(code),
        record: Some(record),
        errors: vec![],
        saved: q.contains_key("saved"),
        columns: &COLUMNS,
        units: state.store.units().await?,
    }))
}

/// Parses and validates the form; on failure re-renders it with every bad field named.
async fn submit(
    state: &AppState,
    lang: Lang,
    viewer: &Viewer,
    code: Option<String>,
    form: HashMap<String, String>,
) -> Result<Response, AppError> {
    let user = viewer.require(CATALOG_EDITORS)?;
    viewer.check_csrf(form.get("csrf").map(String::as_str))?;
    let mut cells: Cells = form
        .into_iter()
        .filter(|(k, _)| COLUMNS.contains(&k.as_str()))
        .collect();
    if let Some(c) = &code {
        cells.insert("code".into(), c.clone()); // the code of an existing item never changes
    }
    // The whole units, not just their codes: the form re-rendered on error lists them.
    let units = state.store.units().await?;
    let result = match guide_from_cells(&cells, &|u| units.iter().any(|x| x.code == u)) {
        Ok(guide) => match &code {
            None => state
                .store
                .create_item(&user.username, &guide)
                .await
                .map_err(AppError::from),
            Some(_) => state
                .store
                .update_item(&user.username, &guide)
                .await
                .map_err(AppError::from),
        },
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(record) => Ok(see_other(&format!(
            "/admin/items/{}/edit?saved=1",
            record.draft.code
        ))),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let record = match &code {
                Some(c) => state.store.item_record(c).await?,
                None => None,
            };
            let path = code.as_ref().map_or("/admin/items/new".to_string(), |c| {
                format!("/admin/items/{c}/edit")
            });
            let page = Edit {
                c: Chrome::new(lang, viewer, &path),
                code,
                cells,
                record,
                errors: e.field_errors(),
                saved: false,
                columns: &COLUMNS,
                units,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn create(
    State(state): State<AppState>,
    ReaderLang(lang): ReaderLang,
    viewer: Viewer,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    submit(&state, lang, &viewer, None, form).await
}

async fn save(
    State(state): State<AppState>,
    ReaderLang(lang): ReaderLang,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    // Who may edit first: otherwise a 404 against a 403 would tell anyone which codes exist.
    viewer.require(CATALOG_EDITORS)?;
    if state.store.item_record(&code).await?.is_none() {
        return Err(AppError::NotFound);
    }
    submit(&state, lang, &viewer, Some(code), form).await
}

async fn publish(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, AppError> {
    let user = viewer.require(CATALOG_EDITORS)?;
    let note = form
        .get("note")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    if note.chars().count() > 500 {
        return Err(FieldErrors::single("note", "too_long").into());
    }
    let version = state
        .store
        .publish_item(&user.username, &code, &note)
        .await?;
    Ok(see_other(&format!(
        "/admin/items/{code}/history?published={version}"
    )))
}

#[derive(Template)]
#[template(path = "catalog/admin_history.html")]
struct History {
    c: Chrome,
    code: String,
    record: ItemRecord,
    versions: Vec<VersionInfo>,
    from: String,
    to: String,
    changes: Option<Vec<FieldChange>>,
    /// The version just published, for the confirmation notice.
    published: Option<i64>,
}

impl History {
    /// A value of the diff as the reader knows it: enumerations by their label; everything
    /// else as stored (limits keep their editable form, as on the edit page).
    fn shown(&self, field: &str, value: &str) -> String {
        let prefix = match field {
            "kind" => "kind",
            "level" => "level",
            "online_depth" => "depth",
            _ => return value.to_string(),
        };
        if value.is_empty() {
            return String::new();
        }
        self.c.t.label(prefix, value).to_string()
    }
    /// "已公布第N版。"
    fn published_notice(&self, n: &i64) -> String {
        self.c
            .t
            .fill("admin.published_notice", &[("n", &n.to_string())])
    }
    /// How a compared version is named in the diff heading: `v2`, or 工作稿 for the draft.
    fn version_label(&self, v: &str) -> String {
        match parse_version(v) {
            Some(Version::Draft) => self.c.t.get("admin.working_copy").to_string(),
            Some(Version::Published(n)) => format!("v{n}"),
            None => v.to_string(),
        }
    }
}

/// A version named in the history form: a number (`2` or `v2`), or the working copy (`draft`,
/// 工作稿, or its label in either language).
enum Version {
    Draft,
    Published(i64),
}

fn parse_version(v: &str) -> Option<Version> {
    let v = v.trim();
    let label = |lang| catalog().get(lang, "admin.working_copy");
    if v.eq_ignore_ascii_case("draft")
        || v == label(Lang::Zh)
        || v.eq_ignore_ascii_case(label(Lang::En))
    {
        return Some(Version::Draft);
    }
    let n = v.strip_prefix(['v', 'V']).unwrap_or(v);
    n.parse().ok().map(Version::Published)
}

/// Versions of an item, and the field-by-field difference between any two of them
/// (`?from=1&to=2`; `to=draft` or `to=工作稿` compares with the working copy).
async fn history(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    viewer.require(CATALOG_EDITORS)?;
    let record = state
        .store
        .item_record(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    let versions = state.store.item_versions(&code).await?;
    let from = q.get("from").cloned().unwrap_or_default();
    let to = q.get("to").cloned().unwrap_or_default();
    let load = |v: String| {
        let state = state.clone();
        let code = code.clone();
        let draft = record.draft.clone();
        async move {
            match parse_version(&v) {
                Some(Version::Draft) => Ok(draft),
                Some(Version::Published(n)) => state
                    .store
                    .item_version(&code, n)
                    .await?
                    .ok_or(AppError::NotFound),
                None => Err(AppError::bad_request("out_of_range", "version")),
            }
        }
    };
    let changes = if !from.is_empty() && !to.is_empty() {
        Some(diff(&load(from.clone()).await?, &load(to.clone()).await?))
    } else {
        None
    };
    let published = q.get("published").and_then(|n| n.parse().ok());
    Ok(render(&History {
        c,
        code,
        record,
        versions,
        from,
        to,
        changes,
        published,
    }))
}

#[derive(Template)]
#[template(path = "catalog/admin_import.html")]
struct Import {
    c: Chrome,
    errors: Vec<RowError>,
    summary: Option<ImportSummary>,
    certificates: Vec<StoredCertificate>,
}

async fn import_form(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
) -> Result<Response, AppError> {
    viewer.require(CATALOG_EDITORS)?;
    Ok(render(&Import {
        c,
        errors: vec![],
        summary: None,
        certificates: state.store.retained_certificates().await?,
    }))
}

/// Imports a `.xlsx` or `.csv`: every bad row is reported with row, column and reason, and
/// nothing is imported unless all rows are valid.
async fn import(
    State(state): State<AppState>,
    ReaderLang(lang): ReaderLang,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let user = viewer.require(CATALOG_EDITORS)?.clone();
    let (mut file, mut csrf, mut publish) = (None, None, false);
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::bad_request("malformed_body", "file"))?
    {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
                file = Some((name, bytes));
            }
            Some("csrf") => csrf = field.text().await.ok(),
            Some("publish") => publish = true,
            _ => {}
        }
    }
    viewer.check_csrf(csrf.as_deref())?;
    let (name, bytes) = file
        .filter(|(_, b)| !b.is_empty())
        .ok_or_else(|| AppError::Invalid(FieldErrors::single("file", "required")))?;
    let note = crate::i18n::catalog().get(Lang::Zh, "import.note");
    let imported = tongban_app::catalog::import(
        &state.store,
        &user.username,
        &name,
        &bytes,
        lang,
        publish,
        note,
    )
    .await?;
    let certificates = state.store.retained_certificates().await?;
    let c = Chrome::new(lang, &viewer, "/admin/import");
    match imported {
        Imported::Done(summary) => Ok(render(&Import {
            c,
            errors: vec![],
            summary: Some(summary),
            certificates,
        })),
        Imported::Refused(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&Import {
                c,
                errors,
                summary: None,
                certificates,
            }),
        )
            .into_response()),
    }
}

async fn export(State(state): State<AppState>, viewer: Viewer) -> Result<Response, AppError> {
    viewer.require(CATALOG_EDITORS)?;
    let (bytes, _) = tongban_app::catalog::export(&state.store).await?;
    Ok(crate::pages::xlsx_download("xihu-catalog.xlsx", bytes))
}

/// Creates (no `id`) or updates an entry of the retained certificate list.
async fn save_certificate(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm,
) -> Result<Response, AppError> {
    let user = viewer.require(CATALOG_EDITORS)?;
    let get = |k: &str| {
        form.get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let cert = RetainedCertificate {
        name: get("name"),
        legal_basis: get("legal_basis"),
        issuer: get("issuer"),
        item_code: Some(get("item_code")).filter(|s| !s.is_empty()),
        note: get("note"),
    };
    let code = cert.item_code.clone();
    let exists = match &code {
        Some(c) => state.store.item_exists(c).await?,
        None => true,
    };
    cert.validate(&|_| exists)?;
    let id = Some(get("id")).filter(|s| !s.is_empty());
    state
        .store
        .save_retained_certificate(&user.username, id.as_deref(), &cert)
        .await?;
    Ok(see_other("/retained-certificates"))
}

async fn delete_certificate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    _: CsrfForm,
) -> Result<Response, AppError> {
    let user = viewer.require(CATALOG_EDITORS)?;
    state
        .store
        .delete_retained_certificate(&user.username, &id)
        .await?;
    Ok(see_other("/retained-certificates"))
}
