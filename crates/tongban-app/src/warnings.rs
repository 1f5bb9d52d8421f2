//! Risk warnings (风险预警): units raise them about an entity for the responsible unit, which
//! verifies and answers by its deadline; the platform raises its own from the hotline and from
//! broken commitments (in the store, inside the write that saw the sign).

use crate::{Error, Result};
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::inspection::warning::{self, NewWarning, Warning};
use tongban_store::Store;
use tongban_store::accounts::User;

fn office(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::Supervisor)
}

fn staff(user: &User) -> bool {
    matches!(user.role, Role::Clerk | Role::Approver)
}

/// A unit's staff (or the office) raise a warning for a responsible unit.
pub async fn raise(store: &Store, user: &User, new: NewWarning) -> Result<Warning> {
    if !staff(user) && !office(user) {
        return Err(Error::Forbidden);
    }
    new.validate()?;
    if !store.unit_codes().await?.contains(&new.unit) {
        return Err(FieldErrors::single("unit", "unknown_unit").into());
    }
    Ok(store.raise_warning(&user.username, new).await?)
}

/// Who sees a warning: its unit's staff, the one who raised it, the office.
fn sees(user: &User, w: &Warning) -> bool {
    office(user)
        || w.raised_by == user.username
        || (staff(user) && user.unit.as_deref() == Some(w.raised.unit.as_str()))
}

pub async fn load(store: &Store, user: &User, id: &str) -> Result<Warning> {
    let w = store.warning(id).await?.ok_or(Error::NotFound)?;
    if !sees(user, &w) {
        return Err(Error::NotFound);
    }
    Ok(w)
}

/// The warnings a user works on: their unit's, or every one for the office.
pub async fn list(store: &Store, user: &User) -> Result<Vec<Warning>> {
    if office(user) {
        Ok(store.warnings(None, 1000).await?)
    } else if staff(user) {
        Ok(store.warnings(user.unit.as_deref(), 1000).await?)
    } else {
        Err(Error::Forbidden)
    }
}

/// The responsible unit's staff answer: confirmed or not, and what they did.
pub async fn answer(
    store: &Store,
    user: &User,
    id: &str,
    confirmed: bool,
    action: &str,
) -> Result<Warning> {
    load(store, user, id).await?;
    let unit = if staff(user) { user.unit.clone() } else { None };
    Ok(store
        .answer_warning(&user.username, id, |w, today| {
            warning::answer(w, confirmed, action, &user.username, unit.as_deref(), today)
        })
        .await?)
}
