//! 双随机、一公开: the two lists kept as versioned documents, plans published before their draw,
//! the draw, results entered by the team, and the check anyone can make of a published draw.

use crate::{Error, Result};
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::cases::local_date;
use tongban_domain::inspection::draw::{self, DrawError, DrawRecord, Entity};
use tongban_domain::inspection::plan::{
    Check, DirectoryEntity, InspectionPlan, InspectorDirectory, MatterList, NewPlan, NewResult,
};
use tongban_store::Store;
use tongban_store::accounts::User;
use tongban_store::inspection::{INSPECTORS, ListVersion, MATTERS};

/// The matter list as it stands, with its version (0 before the first).
pub async fn matters(store: &Store) -> Result<(i64, MatterList)> {
    match store.list_current(MATTERS).await? {
        Some(v) => Ok((v.version, read_stored(&v)?)),
        None => Ok((0, MatterList::default())),
    }
}

/// The inspector directory as it stands.
pub async fn inspectors(store: &Store) -> Result<InspectorDirectory> {
    match store.list_current(INSPECTORS).await? {
        Some(v) => read_stored(&v),
        None => Ok(InspectorDirectory::default()),
    }
}

/// A stored version reads back (it was checked when saved).
fn read_stored<T: serde::de::DeserializeOwned>(v: &ListVersion) -> Result<T> {
    toml::from_str(&v.toml).map_err(|e| Error::Internal(format!("stored list: {e}")))
}

/// Who keeps the lists: the office that supervises inspections, and administrators.
fn keeps_lists(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::Supervisor)
}

/// Which list a page or call edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Matters,
    Inspectors,
}

impl List {
    pub fn parse(s: &str) -> Option<List> {
        match s {
            "matters" => Some(List::Matters),
            "inspectors" => Some(List::Inspectors),
            _ => None,
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            List::Matters => MATTERS,
            List::Inspectors => INSPECTORS,
        }
    }
}

/// Saves a new version of a list: it must read and agree with the other (no inspector qualified
/// for a matter the list no longer has).
pub async fn save_list(
    store: &Store,
    user: &User,
    list: List,
    toml: &str,
    note: &str,
) -> Result<i64> {
    if !keeps_lists(user) {
        return Err(Error::Forbidden);
    }
    if note.trim().is_empty() {
        return Err(FieldErrors::single("note", "required").into());
    }
    let units = store.unit_codes().await?;
    match list {
        List::Matters => {
            let new = MatterList::parse(toml, &units)?;
            if let Some(v) = store.list_current(INSPECTORS).await? {
                InspectorDirectory::parse(&v.toml, &units, &new).map_err(|_| {
                    let mut e = FieldErrors::new();
                    e.push_detail("document", "matter_in_use", INSPECTORS);
                    e
                })?;
            }
        }
        List::Inspectors => {
            let (_, matters) = matters(store).await?;
            InspectorDirectory::parse(toml, &units, &matters)?;
        }
    }
    Ok(store
        .save_list(&user.username, list.key(), toml, note.trim())
        .await?)
}

/// Whether a user may publish and draw a plan over these matters' units: the supervisors and
/// administrators for any; an approver for a plan of their own unit alone.
fn plans_for(user: &User, units: &[String]) -> bool {
    match user.role {
        Role::Admin | Role::Supervisor => true,
        Role::Approver => units.iter().all(|u| Some(u) == user.unit.as_ref()),
        _ => false,
    }
}

/// The entities a plan's matters apply to (by industry), as the draw freezes them.
fn in_scope(
    entities: Vec<DirectoryEntity>,
    list: &MatterList,
    codes: &[String],
) -> Vec<DirectoryEntity> {
    let matters: Vec<_> = codes.iter().filter_map(|c| list.get(c)).collect();
    entities
        .into_iter()
        .filter(|e| {
            matters.iter().any(|m| {
                m.industries.is_empty()
                    || e.industry
                        .as_ref()
                        .is_some_and(|i| m.industries.contains(i))
            })
        })
        .collect()
}

/// Publishes a plan: the matters are checked against the list, the entity directory (in scope)
/// and the active inspectors are frozen and hashed, and a secret nonce is committed to.
pub async fn publish_plan(store: &Store, user: &User, new: NewPlan) -> Result<InspectionPlan> {
    let (version, list) = matters(store).await?;
    let today = local_date(store.now());
    new.validate(&list, today)?;
    let matters: Vec<_> = new
        .matters
        .iter()
        .filter_map(|c| list.get(c).cloned())
        .collect();
    let units: Vec<String> = matters.iter().map(|m| m.unit.clone()).collect();
    if !plans_for(user, &units) {
        return Err(Error::Forbidden);
    }
    let directory = in_scope(store.inspection_entities().await?, &list, &new.matters);
    let entity_names = directory
        .iter()
        .map(|e| (e.entity.id.clone(), e.name.clone()))
        .collect();
    let entities: Vec<Entity> = directory.into_iter().map(|e| e.entity).collect();
    let inspectors = inspectors(store).await?.frozen();
    let mut nonce = [0u8; 32];
    getrandom::fill(&mut nonce).expect("the OS provides randomness");
    let nonce = hex::encode(nonce);
    let (entities_sha256, inspectors_sha256) =
        (draw::list_sha256(&entities), draw::list_sha256(&inspectors));
    let published = |id: &str| draw::Plan {
        id: id.to_string(),
        matters: new.matters.clone(),
        ratios: new.ratios.clone(),
        team_size: new.team_size,
        entities_sha256: entities_sha256.clone(),
        inspectors_sha256: inspectors_sha256.clone(),
        nonce_sha256: draw::sha256_hex(nonce.as_bytes()),
        outside_source: new.outside_source.trim().to_string(),
    };
    Ok(store
        .publish_inspection_plan(&user.username, &nonce, |id| InspectionPlan {
            published: published(&id),
            id,
            title: new.title.trim().to_string(),
            matters,
            matter_list_version: version,
            draw_on: new.draw_on,
            created_by: user.username.clone(),
            created_on: today,
            entities,
            inspectors,
            entity_names,
            record: None,
            drawn_on: None,
        })
        .await?)
}

pub async fn plan(store: &Store, id: &str) -> Result<InspectionPlan> {
    store.inspection_plan(id).await?.ok_or(Error::NotFound)
}

/// Draws a plan with the outside value as published by its source.
pub async fn draw(
    store: &Store,
    user: &User,
    id: &str,
    outside_value: &str,
) -> Result<InspectionPlan> {
    let p = plan(store, id).await?;
    if !plans_for(user, &p.units()) {
        return Err(Error::Forbidden);
    }
    let directory = inspectors(store).await?;
    Ok(store
        .draw_inspection_plan(&user.username, id, outside_value, &directory)
        .await?)
}

/// A check as the reader sees it: the team's accounts are for the platform, not the public.
pub fn seen(user: Option<&User>, mut c: Check) -> Check {
    let inside = user.is_some_and(|u| {
        matches!(u.role, Role::Admin | Role::Supervisor) || c.on_team(&u.username)
    });
    if !inside {
        for m in &mut c.team {
            m.account = None;
        }
    }
    c
}

pub async fn check(store: &Store, id: &str) -> Result<Check> {
    store.inspection_check(id).await?.ok_or(Error::NotFound)
}

/// Enters a check's result (a member of its team).
pub async fn enter_result(store: &Store, user: &User, id: &str, new: NewResult) -> Result<Check> {
    admit_result(store, user, id).await?;
    Ok(store.enter_check_result(&user.username, id, new).await?)
}

/// Whether `user` is on the check's team, asked before a result's photos are read and kept (so
/// that a refused result leaves no file behind).
pub async fn admit_result(store: &Store, user: &User, id: &str) -> Result<()> {
    if !check(store, id).await?.on_team(&user.username) {
        return Err(Error::Forbidden);
    }
    Ok(())
}

/// The signed-in inspector's checks.
pub async fn mine(store: &Store, user: &User) -> Result<Vec<Check>> {
    Ok(store.checks_of_account(&user.username).await?)
}

/// The supervisor's board: every check by its clock.
pub async fn board(store: &Store, user: &User) -> Result<Vec<Check>> {
    if !matches!(user.role, Role::Admin | Role::Supervisor) {
        return Err(Error::Forbidden);
    }
    Ok(store.inspection_checks(1000).await?)
}

/// Reads a published draw record and reruns it: the number of checks it reproduces, or the
/// first place it does not (a text that is no record is named as such).
pub fn verify(text: &str) -> std::result::Result<usize, DrawError> {
    let record: DrawRecord = serde_json::from_str(text).map_err(|e| DrawError {
        field: "record".into(),
        code: "not_a_record",
        detail: Some(e.to_string()),
    })?;
    draw::verify(&record)?;
    Ok(record.checks.len())
}
