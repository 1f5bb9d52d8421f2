//! 信用西湖: entering credit records, the public search, a subject's own records, repair.

use crate::{Error, Result};
use tongban_domain::accounts::Role;
use tongban_domain::cases::local_date;
use tongban_domain::credit::{self, Command, CreditRecord, NewRecord, Party, Standing};
use tongban_store::Store;
use tongban_store::accounts::User;
use tongban_store::credit::subject_of;

pub mod import;
pub mod integrity;

/// How many records a search returns at most (the newest).
pub const SEARCH_LIMIT: i64 = 200;

/// A user's part in a record: its subject (an applicant whose identity it concerns), the
/// deciding unit's staff, or anyone else.
pub fn party(user: &User, r: &CreditRecord) -> Party {
    match (&user.role, &user.identity, &user.unit) {
        (Role::Applicant, Some(i), _) if subject_of(i).1 == r.entered.subject_id => Party::Subject,
        (Role::Clerk | Role::Approver, _, Some(u)) if *u == r.entered.unit => Party::DecidingUnit,
        _ => Party::Other,
    }
}

/// Whether a user sees a record in full: its subject, its unit, the office; the public sees
/// what is published (with a person's number masked).
pub fn sees_in_full(user: Option<&User>, r: &CreditRecord) -> bool {
    user.is_some_and(|u| {
        matches!(u.role, Role::Admin | Role::Supervisor) || party(u, r) != Party::Other
    })
}

/// A record as a reader sees it: masked for the public, with its standing and what the reader
/// may do today.
pub struct Seen {
    pub record: CreditRecord,
    pub standing: Standing,
    pub allowed_actions: Vec<&'static str>,
}

pub fn seen(store: &Store, user: Option<&User>, mut r: CreditRecord) -> Seen {
    let today = local_date(store.now());
    let allowed_actions = match user {
        Some(u) => credit::allowed(&r, party(u, &r), today),
        None => Vec::new(),
    };
    let standing = r.standing(today);
    if !sees_in_full(user, &r) {
        r.entered.subject_id = r.public_subject_id();
        // Repair requests and disputes are between the subject and its unit.
        r.repairs.clear();
        r.disputes.clear();
    }
    Seen {
        record: r,
        standing,
        allowed_actions,
    }
}

/// A unit enters a record (its clerks and approvers, for their own unit; administrators for any).
pub async fn record(store: &Store, user: &User, new: NewRecord) -> Result<CreditRecord> {
    let own_unit = matches!(user.role, Role::Clerk | Role::Approver)
        && user.unit.as_deref() == Some(new.unit.as_str());
    if !own_unit && user.role != Role::Admin {
        return Err(Error::Forbidden);
    }
    new.validate()?;
    if !store.unit_codes().await?.contains(&new.unit) {
        return Err(tongban_domain::FieldErrors::single("unit", "unknown_unit").into());
    }
    // The data list says which unit supplies which kind of record.
    if !store.credit_lists().await?.collects(new.kind, &new.unit) {
        let mut e = tongban_domain::FieldErrors::new();
        e.push_detail("kind", "not_in_data_list", new.unit.clone());
        return Err(e.into());
    }
    Ok(store.record_credit(&user.username, new).await?)
}

/// One record: the public sees it once it has been published; its subject, unit and the office
/// always.
pub async fn load(store: &Store, user: Option<&User>, id: &str) -> Result<CreditRecord> {
    let r = store.credit_record(id).await?.ok_or(Error::NotFound)?;
    if (r.window.is_none() || r.withdrawn()) && !sees_in_full(user, &r) {
        return Err(Error::NotFound);
    }
    Ok(r)
}

/// The public search: records ever published whose subject's name contains `q` or whose code
/// is `q`; what today shows is each record's standing.
pub async fn search(store: &Store, q: &str) -> Result<Vec<CreditRecord>> {
    let q = q.trim();
    if q.chars().count() < 2 {
        let mut e = tongban_domain::FieldErrors::new();
        e.push_detail("q", "too_short", "2");
        return Err(e.into());
    }
    // A record withdrawn after a dispute was wrong: the public never sees it again.
    let mut rs = store.search_credit(q, SEARCH_LIMIT).await?;
    rs.retain(|r| !r.withdrawn());
    Ok(rs)
}

/// The two public lists (双公示 of honours and dishonesty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// 红名单: honours.
    Red,
    /// 黑名单: the serious-dishonesty list.
    Black,
}

impl List {
    pub fn parse(s: &str) -> Option<List> {
        match s {
            "red" => Some(List::Red),
            "black" => Some(List::Black),
            _ => None,
        }
    }
}

/// Who is on a list today: its records published now, newest decision first.
pub async fn on_list(store: &Store, list: List) -> Result<Vec<CreditRecord>> {
    let kind = match list {
        List::Red => credit::CreditKind::Honour,
        List::Black => credit::CreditKind::SeriousDishonesty,
    };
    let today = local_date(store.now());
    Ok(store
        .credit_list(&[kind], 1000)
        .await?
        .into_iter()
        .filter(|r| r.standing(today) == Standing::Published)
        .collect())
}

/// The signed-in applicant's own records, published or not.
pub async fn mine(store: &Store, user: &User) -> Result<Vec<CreditRecord>> {
    if user.role != Role::Applicant {
        return Err(Error::Forbidden);
    }
    Ok(store.credit_of_user(&user.username).await?)
}

/// Runs a command on a record (repair asked by its subject, decided by its unit).
pub async fn run(store: &Store, user: &User, id: &str, cmd: Command) -> Result<CreditRecord> {
    load(store, Some(user), id).await?;
    Ok(store
        .change_credit_record(&user.username, id, cmd.name(), |r, calendar, today| {
            credit::apply(r, &cmd, party(user, r), &user.username, today, calendar)
        })
        .await?)
}

/// Who keeps the three lists: the credit office's staff, and administrators.
pub fn keeps_lists(user: &User) -> bool {
    user.role == Role::Admin
        || (matches!(user.role, Role::Clerk | Role::Approver)
            && user.unit.as_deref() == Some(credit::CREDIT_OFFICE))
}

/// Saves a new version of the three lists (checked: units known, measures' behaviours listed,
/// every measure with its basis); every measure follows it at once.
pub async fn save_lists(store: &Store, user: &User, toml: &str, note: &str) -> Result<i64> {
    if !keeps_lists(user) {
        return Err(Error::Forbidden);
    }
    if note.trim().is_empty() {
        return Err(tongban_domain::FieldErrors::single("note", "required").into());
    }
    let units = store.unit_codes().await?;
    credit::lists::CreditLists::parse(toml, &units)?;
    Ok(store
        .save_list(
            &user.username,
            tongban_store::credit::LISTS,
            toml,
            note.trim(),
        )
        .await?)
}
