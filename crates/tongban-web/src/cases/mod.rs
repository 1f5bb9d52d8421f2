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
use tongban_domain::cases::{self, ApplicationForm, Case, ClockView, Context};
use tongban_store::accounts::User;
use tongban_store::cases::{CaseFilter, HeldFile};
use utoipa::ToSchema;

use tongban_app::cases::application;
pub use tongban_app::cases::application::{PROXY_MATERIAL, mask_for, mask_id};

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
    /// The held licences standing in for materials (免提交), verified against the log now as
    /// any verifier would.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licences: Vec<LicenceCheck>,
}

/// A held licence's verdict, as `/verify` gives it.
#[derive(Serialize, ToSchema)]
pub struct LicenceCheck {
    pub identifier: String,
    /// `valid`, `expired`, `superseded`, `revoked`, `forged` or `unreadable`.
    pub status: &'static str,
    /// The reason's code (`verify.reason.*` in the message catalog).
    pub reason: &'static str,
}

/// Loads a case the viewer may see (see `application::load_visible`).
pub async fn load_visible(state: &AppState, viewer: &Viewer, id: &str) -> AppResult<(User, Case)> {
    let user = viewer.user.clone().ok_or(AppError::Unauthorized)?;
    let case = application::load_visible(&state.store, &user, id).await?;
    Ok((user, case))
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
    let mut licences = Vec::new();
    for id in case.materials.iter().filter_map(|m| m.licence.as_ref()) {
        let v = tongban_app::licences::check_held(&state.store, id).await?;
        licences.push(LicenceCheck {
            identifier: id.clone(),
            status: v.status.as_str(),
            reason: v.reason,
        });
    }
    Ok(CaseView {
        case,
        clock,
        clock_error,
        allowed_actions: allowed,
        reusable,
        rule_form,
        licences,
    })
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

impl From<NewApplication> for application::Application {
    fn from(req: NewApplication) -> Self {
        application::Application {
            item_code: req.item_code,
            form: req.form,
            on_behalf_of: req.on_behalf_of.map(|p| application::OnBehalfOf {
                applicant: p.applicant,
                authorisation: p.authorisation,
            }),
        }
    }
}

/// Opens a draft for the viewer (an applicant), possibly on behalf of another applicant.
pub async fn create(state: &AppState, user: &User, req: NewApplication) -> AppResult<Case> {
    Ok(application::create(&state.store, user, req.into()).await?)
}

/// Saves the form of an editable case (draft, or under correction).
pub async fn save_form(
    state: &AppState,
    user: &User,
    id: &str,
    form: ApplicationForm,
) -> AppResult<Case> {
    Ok(application::save_form(&state.store, user, id, form).await?)
}

/// Attaches a stored file, or one reused from `reused_from`, to material `index`.
pub async fn attach(
    state: &AppState,
    user: &User,
    id: &str,
    index: usize,
    file: cases::FileRef,
    reused_from: Option<String>,
) -> AppResult<Case> {
    Ok(application::attach(&state.store, user, id, index, file, reused_from).await?)
}

/// Reuses a file the applicant handed in on an earlier case.
pub async fn reuse(
    state: &AppState,
    user: &User,
    id: &str,
    index: usize,
    from_case: &str,
) -> AppResult<Case> {
    Ok(application::reuse(&state.store, user, id, index, from_case).await?)
}

/// The cases a user's lists show (see `application::scope`).
pub fn scope(user: &User, f: CaseFilter) -> AppResult<CaseFilter> {
    Ok(application::scope(user, f)?)
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

impl Parts {
    /// What a verify form was given: the file part `file` if one was chosen, else the text of
    /// field `text` (pasted or scanned); and that text as typed.
    pub fn file_or_text(self, file: &str, text: &str) -> (Vec<u8>, String) {
        let typed = self.fields.get(text).cloned().unwrap_or_default();
        let input = self
            .files
            .into_iter()
            .find(|(n, u)| n == file && !u.bytes.is_empty())
            .map(|(_, u)| u.bytes)
            .unwrap_or_else(|| typed.clone().into_bytes());
        (input, typed)
    }
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
