//! Cases on the statutory clock (R4): the API (`api.rs`) and the pages for applicants and staff
//! (`pages.rs`). Both go through the helpers here, so the rules of who sees and does what are
//! written once.

pub mod api;
mod inbox;
mod notices;
pub mod pages;
pub mod public_notice;
mod supervision;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use tongban_domain::accounts::{ApplicantIdentity, Role};
use tongban_domain::cases::{self, ApplicationForm, Case, CaseState, ClockView, Context, Proxy};
use tongban_domain::{FieldErrors, ids};
use tongban_store::accounts::User;
use tongban_store::cases::{CaseFilter, CaseOrder, HeldFile};
use utoipa::ToSchema;

/// The name of the material added to proxy applications: the clerk checks it on acceptance.
pub const PROXY_MATERIAL: &str = "授权委托书";

/// A case as the API and pages show it: the record, its clock now, and what the reader may do.
#[derive(Serialize, ToSchema)]
pub struct CaseView {
    #[serde(flatten)]
    pub case: Case,
    /// `None` when a due date falls in a year whose schedule is not loaded.
    pub clock: Option<ClockView>,
    /// Set instead of `clock` when it cannot be computed, e.g. `calendar_year_not_loaded:2027`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_error: Option<String>,
    /// Actions the reader may take now (names as in the `action` field of commands).
    pub allowed_actions: Vec<&'static str>,
    /// Files the government already holds for this applicant, offered for reuse while editable.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reusable: Vec<HeldFile>,
    /// The questions of the rule set that decides this item automatically (answered in
    /// `form.fields`), while the applicant may still edit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rule_form: Vec<tongban_domain::rules::FactDef>,
}

/// Loads a case the viewer may see; 404 for anyone else (not 403: a case number is no secret,
/// but whether it exists is not for outsiders to learn).
pub async fn load_visible(state: &AppState, viewer: &Viewer, id: &str) -> AppResult<(User, Case)> {
    let user = viewer.user.clone().ok_or(AppError::Unauthorized)?;
    let row = state.store.case(id).await?.ok_or(AppError::NotFound)?;
    if !row.case.visible_to(&actor(&user)) {
        return Err(AppError::NotFound);
    }
    Ok((user, row.case))
}

pub async fn view(state: &AppState, user: &User, case: Case) -> AppResult<CaseView> {
    let now = state.store.now();
    let cal = state.store.calendar();
    let ctx = Context {
        now,
        calendar: &cal,
        standing: tongban_app::cases::standing(&state.store, &case).await?,
    };
    let allowed = cases::allowed_actions(&case, &actor(user), &ctx);
    let (clock, clock_error) = match ClockView::compute(&case, now, &cal) {
        Ok(c) => (Some(c), None),
        Err(tongban_domain::calendar::CalendarError::YearNotLoaded(y)) => {
            (None, Some(format!("calendar_year_not_loaded:{y}")))
        }
    };
    let owner = case.party(&actor(user)) == cases::Party::Applicant;
    let reusable = if owner && case.editable() {
        state.store.held_files(&case.applicant, &case.id).await?
    } else {
        Vec::new()
    };
    let rule_form = if owner && case.editable() {
        tongban_app::rules::rule_set_for_item(&state.store, &case.item_code)
            .await?
            .map(|rs| rs.form)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    Ok(CaseView {
        case,
        clock,
        clock_error,
        allowed_actions: allowed,
        reusable,
        rule_form,
    })
}

/// Checks the answers to an automatically decided item's questions (other items ask none).
async fn form_field_errors(
    state: &AppState,
    item_code: &str,
    form: &ApplicationForm,
) -> AppResult<FieldErrors> {
    let defs = match tongban_app::rules::rule_set_for_item(&state.store, item_code).await? {
        Some(rs) => rs.form,
        None => Vec::new(),
    };
    Ok(tongban_app::rules::check_fields(&defs, &form.fields, false))
}

pub use tongban_app::cases::actor;

/// A new application as the API and the apply page send it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    /// 实施编码 of a published item.
    pub item_code: String,
    pub form: ApplicationForm,
    /// For 代办: the account of the applicant the agent acts for, and the authorisation.
    #[serde(default)]
    pub on_behalf_of: Option<ProxyRequest>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProxyRequest {
    /// Username of the applicant (enterprise or person) the agent acts for.
    pub applicant: String,
    /// The power of attorney (授权委托书): number or short description. Its scan is added as a
    /// required material that the clerk checks on acceptance.
    pub authorisation: String,
}

/// Opens a draft for the viewer (an applicant), possibly on behalf of another applicant.
pub async fn create(state: &AppState, user: &User, req: NewApplication) -> AppResult<Case> {
    if user.role != Role::Applicant {
        return Err(AppError::Forbidden);
    }
    let mut e = FieldErrors::new();
    let item = state.store.published_item(&req.item_code).await?;
    if item.is_none() {
        e.push("item_code", "unknown_item");
    }
    e.optional_text("form.contact_name", &req.form.contact_name, 50);
    e.optional_text("form.address", &req.form.address, 200);
    e.optional_text("form.details", &req.form.details, 2000);
    let mut principal = user.clone();
    let mut proxy = None;
    if let Some(p) = &req.on_behalf_of {
        e.text("on_behalf_of.authorisation", &p.authorisation, 200);
        match state.store.user(&p.applicant).await? {
            Some(u) if u.role == Role::Applicant && u.username != user.username => {
                proxy = Some(Proxy {
                    agent: user.username.clone(),
                    agent_name: user.display_name.clone(),
                    authorisation: p.authorisation.trim().to_string(),
                });
                principal = u;
            }
            _ => e.push("on_behalf_of.applicant", "unknown_applicant"),
        }
    }
    if item.is_some() {
        e.0.extend(form_field_errors(state, &req.item_code, &req.form).await?.0);
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let item = item.expect("checked above");
    let id_number = match &principal.identity {
        Some(ApplicantIdentity::Enterprise(u)) => u.as_str().to_string(),
        Some(ApplicantIdentity::Citizen(i)) => i.as_str().to_string(),
        None => String::new(),
    };
    let with_proxy = proxy.is_some();
    let case = state
        .store
        .create_case(&user.username, |id, now| {
            let mut c = cases::new_draft(cases::NewCase {
                id,
                guide: &item.guide,
                item_version: item.version,
                applicant: principal.username.clone(),
                applicant_name: principal.display_name.clone(),
                applicant_id_number: id_number,
                proxy,
                form: req.form,
                now,
            });
            if with_proxy {
                c.materials.push(cases::CaseMaterial {
                    name: PROXY_MATERIAL.into(),
                    required: true,
                    shared_by: None,
                    file: None,
                    reused_from: None,
                    in_bundle_form: false,
                });
            }
            c
        })
        .await?;
    Ok(case)
}

/// Saves the form of an editable case (draft, or under correction).
pub async fn save_form(
    state: &AppState,
    user: &User,
    id: &str,
    form: ApplicationForm,
) -> AppResult<Case> {
    let mut e = FieldErrors::new();
    e.optional_text("form.contact_name", &form.contact_name, 50);
    e.optional_text("form.contact_phone", &form.contact_phone, 20);
    e.optional_text("form.address", &form.address, 200);
    e.optional_text("form.details", &form.details, 2000);
    if let Some(row) = state.store.case(id).await? {
        e.0.extend(
            form_field_errors(state, &row.case.item_code, &form)
                .await?
                .0,
        );
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(state
        .store
        .change_case(&user.username, id, "save_form", None, |c, _, _| {
            editable_by(c, user)?;
            let mut c = c.clone();
            c.form = form;
            Ok((c, Default::default()))
        })
        .await?)
}

/// The applicant (or agent) may edit while the case is a draft or under correction.
fn editable_by(c: &Case, user: &User) -> Result<(), cases::CaseError> {
    if c.party(&actor(user)) != cases::Party::Applicant {
        return Err(cases::CaseError::Forbidden);
    }
    if !c.editable() {
        return Err(cases::CaseError::NotAllowed {
            action: "edit",
            state: c.state.as_str(),
            allowed: vec![],
            reason: Some("not_editable"),
        });
    }
    Ok(())
}

/// Which material a file may be attached to now: any while editable; while the case runs, only
/// one whose written commitment is still open.
fn attachable(c: &Case, user: &User, index: usize) -> Result<(), cases::CaseError> {
    let Some(m) = c.materials.get(index) else {
        return Err(FieldErrors::single("material", "unknown_material").into());
    };
    if m.shared_by.is_some() {
        return Err(FieldErrors::single("material", "shared_material").into());
    }
    if c.open_commitments().any(|cm| cm.material == m.name)
        && c.party(&actor(user)) == cases::Party::Applicant
    {
        return Ok(());
    }
    editable_by(c, user)
}

/// Attaches a file (already stored) or a reused one to material `index`.
pub async fn attach(
    state: &AppState,
    user: &User,
    id: &str,
    index: usize,
    file: cases::FileRef,
    reused_from: Option<String>,
) -> AppResult<Case> {
    let detail =
        serde_json::json!({"material": index, "sha256": file.sha256, "reused_from": reused_from});
    Ok(state
        .store
        .change_case(&user.username, id, "attach", Some(&detail), |c, _, now| {
            attachable(c, user, index)?;
            let mut c = c.clone();
            let m = &mut c.materials[index];
            m.file = Some(file);
            m.reused_from = reused_from;
            let name = m.name.clone();
            c.history.push(cases::HistoryEntry {
                at: now,
                by: user.username.clone(),
                action: "attach".into(),
                note: name,
            });
            Ok((c, Default::default()))
        })
        .await?)
}

/// Reuses a file the applicant handed in on an earlier case.
pub async fn reuse(
    state: &AppState,
    user: &User,
    id: &str,
    index: usize,
    from_case: &str,
) -> AppResult<Case> {
    let row = state.store.case(id).await?.ok_or(AppError::NotFound)?;
    let material = row
        .case
        .materials
        .get(index)
        .ok_or_else(|| FieldErrors::single("material", "unknown_material"))?
        .name
        .clone();
    let held = state.store.held_files(&row.case.applicant, id).await?;
    let h = held
        .into_iter()
        .find(|h| h.case_id == from_case && h.material == material)
        .ok_or_else(|| FieldErrors::single("from_case", "nothing_to_reuse"))?;
    attach(state, user, id, index, h.file, Some(h.case_id)).await
}

/// The cases a viewer's lists show: their own as applicant or agent, their unit's as staff,
/// everything for supervisors and administrators.
pub fn scope(user: &User, mut f: CaseFilter) -> AppResult<CaseFilter> {
    match user.role {
        Role::Applicant => f.party = Some(user.username.clone()),
        Role::Clerk | Role::Approver => {
            f.unit = Some(user.unit.clone().ok_or(AppError::Forbidden)?);
            if f.states.is_empty() {
                // Staff never see applicants' unsent drafts.
                f.states = CaseState::ALL
                    .into_iter()
                    .filter(|s| *s != CaseState::Draft)
                    .collect();
            }
            f.order = CaseOrder::DueFirst;
        }
        Role::Supervisor | Role::Admin => {
            if f.states.is_empty() {
                f.states = CaseState::ALL
                    .into_iter()
                    .filter(|s| *s != CaseState::Draft)
                    .collect();
            }
        }
        Role::HotlineOperator => return Err(AppError::Forbidden),
    }
    Ok(f)
}

/// Masks the applicant's identity number except for the applicant and the unit handling it.
pub fn mask_for(user: &User, case: &mut Case) {
    if matches!(user.role, Role::Supervisor | Role::Admin) {
        case.applicant_id_number = mask_id(&case.applicant_id_number);
    }
}

pub fn mask_id(s: &str) -> String {
    if let Ok(id) = ids::IdNumber::parse(s) {
        id.masked()
    } else {
        s.to_string()
    }
}

/// A multipart upload: the `file` part and the other (text) fields.
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
    pub fields: std::collections::HashMap<String, String>,
}

/// Every part of a multipart body: files (with non-empty file names) by field, and text fields.
pub struct Parts {
    pub files: Vec<(String, Upload)>,
    pub fields: std::collections::HashMap<String, String>,
}

pub async fn read_parts(mut multipart: axum::extract::Multipart) -> AppResult<Parts> {
    let mut parts = Parts {
        files: Vec::new(),
        fields: Default::default(),
    };
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::bad_request("malformed_body", "file"))?
    {
        let name = field.name().unwrap_or("").to_string();
        if let Some(filename) = field.file_name().map(str::to_string) {
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::TooLarge)?
                .to_vec();
            if !filename.is_empty() || !bytes.is_empty() {
                parts.files.push((
                    name,
                    Upload {
                        filename,
                        bytes,
                        fields: Default::default(),
                    },
                ));
            }
        } else {
            let text = field
                .text()
                .await
                .map_err(|_| AppError::bad_request("malformed_body", name.clone()))?;
            parts.fields.insert(name, text);
        }
    }
    Ok(parts)
}

/// A single-file upload: the `file` part and the text fields.
pub async fn read_upload(multipart: axum::extract::Multipart) -> AppResult<Upload> {
    let parts = read_parts(multipart).await?;
    let mut up = parts
        .files
        .into_iter()
        .find(|(n, _)| n == "file")
        .map(|(_, u)| u)
        .unwrap_or(Upload {
            filename: String::new(),
            bytes: Vec::new(),
            fields: Default::default(),
        });
    up.fields = parts.fields;
    Ok(up)
}

/// Sends one of a record's files (`sha` must be among `files`), shown inline under its name,
/// never sniffed by the browser.
pub async fn serve_file<'f>(
    state: &AppState,
    mut files: impl Iterator<Item = &'f cases::FileRef>,
    sha: &str,
) -> AppResult<axum::response::Response> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let f = files.find(|f| f.sha256 == sha).ok_or(AppError::NotFound)?;
    let bytes = state
        .store
        .read_file(sha)
        .await?
        .ok_or(AppError::NotFound)?;
    let disposition = format!(
        "inline; filename*=UTF-8''{}",
        crate::pages::urlencode(&f.filename)
    );
    Ok((
        [
            (header::CONTENT_TYPE, f.content_type.clone()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response())
}

impl From<Upload> for tongban_app::files::Upload {
    fn from(up: Upload) -> Self {
        tongban_app::files::Upload {
            filename: up.filename,
            bytes: up.bytes,
        }
    }
}

/// Checks an uploaded material and keeps it (`tongban_app::files::keep`).
pub async fn store_upload(state: &AppState, up: Upload) -> AppResult<cases::FileRef> {
    Ok(tongban_app::files::keep(&state.store, up.into()).await?)
}
