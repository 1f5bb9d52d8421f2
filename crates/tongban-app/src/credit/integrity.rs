//! Government integrity (政务诚信): a unit enters the district's commitments to enterprises and
//! records their fulfilment; the public reads, unit by unit, what was kept, late or broken.

use crate::{Error, Result};
use std::collections::BTreeMap;
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::cases::local_date;
use tongban_domain::credit::integrity::{Keeping, NewPromise, Promise, Tally};
use tongban_store::Store;
use tongban_store::accounts::User;

/// Whether a user acts for `unit`: its clerks and approvers, and administrators.
fn acts_for(user: &User, unit: &str) -> bool {
    user.role == Role::Admin
        || (matches!(user.role, Role::Clerk | Role::Approver) && user.unit.as_deref() == Some(unit))
}

pub async fn enter(store: &Store, user: &User, new: NewPromise) -> Result<Promise> {
    if !acts_for(user, &new.unit) {
        return Err(Error::Forbidden);
    }
    new.validate()?;
    if !store.unit_codes().await?.contains(&new.unit) {
        return Err(FieldErrors::single("unit", "unknown_unit").into());
    }
    Ok(store.enter_promise(&user.username, new).await?)
}

pub async fn fulfil(
    store: &Store,
    user: &User,
    id: &str,
    on: jiff::civil::Date,
    note: &str,
) -> Result<Promise> {
    let p = store.promise(id).await?.ok_or(Error::NotFound)?;
    if !acts_for(user, &p.promised.unit) {
        return Err(Error::Forbidden);
    }
    Ok(store
        .fulfil_promise(&user.username, id, |p, today| {
            p.fulfil(on, note, &user.username, today)
        })
        .await?)
}

/// Every commitment with where it stands today, the tally per unit and for the district.
pub struct Published {
    pub promises: Vec<(Promise, Keeping)>,
    pub by_unit: BTreeMap<String, Tally>,
    pub district: Tally,
}

pub async fn published(store: &Store) -> Result<Published> {
    let today = local_date(store.now());
    let mut by_unit: BTreeMap<String, Tally> = BTreeMap::new();
    let mut district = Tally::default();
    let promises: Vec<(Promise, Keeping)> = store
        .promises(5000)
        .await?
        .into_iter()
        .map(|p| {
            let k = p.keeping(today);
            (p, k)
        })
        .collect();
    for (p, k) in &promises {
        by_unit.entry(p.promised.unit.clone()).or_default().add(*k);
        district.add(*k);
    }
    Ok(Published {
        promises,
        by_unit,
        district,
    })
}
