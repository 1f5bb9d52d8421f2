//! An application as its applicant (or an agent, 代办) makes it: the draft opened, its form
//! saved, materials attached or reused from earlier cases; and which cases a user sees.

use super::actor;
use crate::{Error, Result};
use tongban_domain::accounts::{ApplicantIdentity, Role};
use tongban_domain::cases::{self, ApplicationForm, Case, CaseState, Proxy};
use tongban_domain::{FieldErrors, ids};
use tongban_store::Store;
use tongban_store::accounts::User;
use tongban_store::cases::{CaseFilter, CaseOrder};

/// The name of the material added to proxy applications: the clerk checks it on acceptance.
pub const PROXY_MATERIAL: &str = "授权委托书";

/// A new application: a published item, the form, and for 代办 the applicant the agent acts
/// for with the power of attorney (授权委托书).
pub struct Application {
    pub item_code: String,
    pub form: ApplicationForm,
    pub on_behalf_of: Option<OnBehalfOf>,
}

pub struct OnBehalfOf {
    /// Username of the applicant (enterprise or person).
    pub applicant: String,
    /// The power of attorney: number or short description.
    pub authorisation: String,
}

/// A case the user may see; not found for anyone else (not forbidden: a case number is no
/// secret, but whether it exists is not for outsiders to learn).
pub async fn load_visible(store: &Store, user: &User, id: &str) -> Result<Case> {
    let row = store.case(id).await?.ok_or(Error::NotFound)?;
    if !row.case.visible_to(&actor(user)) {
        return Err(Error::NotFound);
    }
    Ok(row.case)
}

/// Checks the answers to an automatically decided item's questions (other items ask none).
async fn form_field_errors(
    store: &Store,
    item_code: &str,
    form: &ApplicationForm,
) -> Result<FieldErrors> {
    let defs = match crate::rules::rule_set_for_item(store, item_code).await? {
        Some(rs) => rs.form,
        None => Vec::new(),
    };
    Ok(crate::rules::check_fields(&defs, &form.fields, false))
}

/// Opens a draft for the viewer (an applicant), possibly on behalf of another applicant.
pub async fn create(store: &Store, user: &User, req: Application) -> Result<Case> {
    if user.role != Role::Applicant {
        return Err(Error::Forbidden);
    }
    let mut e = FieldErrors::new();
    let item = store.published_item(&req.item_code).await?;
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
        match store.user(&p.applicant).await? {
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
        e.0.extend(form_field_errors(store, &req.item_code, &req.form).await?.0);
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
    // Licences the applicant holds stand in for the materials they certify (免提交).
    let held = crate::licences::held(store, &id_number).await?;
    let case = store
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
            for m in c.materials.iter_mut().filter(|m| m.shared_by.is_none()) {
                m.licence = held
                    .iter()
                    .find(|(_, ty)| ty.fills_material(&m.name))
                    .map(|(l, _)| l.identifier.clone());
            }
            if with_proxy {
                c.materials.push(cases::CaseMaterial {
                    name: PROXY_MATERIAL.into(),
                    required: true,
                    shared_by: None,
                    file: None,
                    reused_from: None,
                    in_bundle_form: false,
                    licence: None,
                });
            }
            c
        })
        .await?;
    Ok(case)
}

/// Saves the form of an editable case (draft, or under correction).
pub async fn save_form(
    store: &Store,
    user: &User,
    id: &str,
    form: ApplicationForm,
) -> Result<Case> {
    let mut e = FieldErrors::new();
    e.optional_text("form.contact_name", &form.contact_name, 50);
    e.optional_text("form.contact_phone", &form.contact_phone, 20);
    e.optional_text("form.address", &form.address, 200);
    e.optional_text("form.details", &form.details, 2000);
    if let Some(row) = store.case(id).await? {
        e.0.extend(
            form_field_errors(store, &row.case.item_code, &form)
                .await?
                .0,
        );
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(store
        .change_case(&user.username, id, "save_form", None, |c, _, _| {
            editable_by(c, user)?;
            let mut c = c.clone();
            c.form = form;
            Ok((c, Default::default()))
        })
        .await?)
}

/// The applicant (or agent) may edit while the case is a draft or under correction.
fn editable_by(c: &Case, user: &User) -> std::result::Result<(), cases::CaseError> {
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
fn attachable(c: &Case, user: &User, index: usize) -> std::result::Result<(), cases::CaseError> {
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

/// Whether `user` may attach a file to material `index` now: asked before an upload is read and
/// kept, so that a refused upload leaves nothing behind (the write asks again).
pub fn may_attach(c: &Case, user: &User, index: usize) -> Result<()> {
    Ok(attachable(c, user, index)?)
}

/// Attaches a file (already stored) or a reused one to material `index`.
pub async fn attach(
    store: &Store,
    user: &User,
    id: &str,
    index: usize,
    file: cases::FileRef,
    reused_from: Option<String>,
) -> Result<Case> {
    let detail =
        serde_json::json!({"material": index, "sha256": file.sha256, "reused_from": reused_from});
    Ok(store
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
    store: &Store,
    user: &User,
    id: &str,
    index: usize,
    from_case: &str,
) -> Result<Case> {
    let row = store.case(id).await?.ok_or(Error::NotFound)?;
    let material = row
        .case
        .materials
        .get(index)
        .ok_or_else(|| FieldErrors::single("material", "unknown_material"))?
        .name
        .clone();
    let held = store.held_files(&row.case.applicant, id).await?;
    let h = held
        .into_iter()
        .find(|h| h.case_id == from_case && h.material == material)
        .ok_or_else(|| FieldErrors::single("from_case", "nothing_to_reuse"))?;
    attach(store, user, id, index, h.file, Some(h.case_id)).await
}

/// The cases a viewer's lists show: their own as applicant or agent, their unit's as staff,
/// everything for supervisors and administrators.
pub fn scope(user: &User, mut f: CaseFilter) -> Result<CaseFilter> {
    match user.role {
        Role::Applicant => f.party = Some(user.username.clone()),
        Role::Clerk | Role::Approver => {
            f.unit = Some(user.unit.clone().ok_or(Error::Forbidden)?);
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
        Role::HotlineOperator | Role::Evaluator => return Err(Error::Forbidden),
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
