//! One-thing-one-time bundles: the company start-up from one form (the name checked, every
//! part planned and the first ones started) and the construction project's four stages.

use crate::{Error, Result};
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::bundles::{
    self, Bundle, BundleForm, ConstructionForm, construction, names, startup::StartupForm,
};
use tongban_store::Store;
use tongban_store::accounts::User;

/// Checks a proposed name against the registered ones: refusals as field errors, the rest as
/// flags for the clerk.
pub async fn check_name(store: &Store, name: &str) -> Result<Vec<names::NameClash>> {
    let registered = store.enterprise_names().await?;
    Ok(names::check(name, registered.iter().map(String::as_str)))
}

/// Validates the one form, checks the name, plans the parts and starts the bundle.
pub async fn start_startup(store: &Store, user: &User, form: StartupForm) -> Result<Bundle> {
    if user.role != Role::Applicant {
        return Err(Error::Forbidden);
    }
    let mut e = match form.validate() {
        Ok(()) => FieldErrors::new(),
        Err(e) => e,
    };
    let clashes = check_name(store, &form.company_name).await?;
    if let Some(c) = clashes.iter().find(|c| c.blocks()) {
        let code = match c.clash {
            names::Clash::Exact => "name_taken",
            _ => "trade_name_taken",
        };
        e.push_detail("company_name", code, c.existing.clone());
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let mut parts = Vec::new();
    for plan in form.plan() {
        let item = store.published_item(plan.item_code).await?.ok_or_else(|| {
            Error::Internal(format!("bundle item {} is not published", plan.item_code))
        })?;
        parts.push(plan.into_part(item.guide.name, item.guide.unit));
    }
    let flags: Vec<names::NameClash> = clashes.into_iter().filter(|c| !c.blocks()).collect();
    create(store, user, BundleForm::Startup(form), parts, flags).await
}

/// Validates a construction project's form, plans its four stages and starts the first.
pub async fn start_construction(
    store: &Store,
    user: &User,
    form: ConstructionForm,
) -> Result<Bundle> {
    if user.role != Role::Applicant {
        return Err(Error::Forbidden);
    }
    form.validate()?;
    let mut parts = Vec::new();
    for (_, plan) in form.plan() {
        let key = plan.key;
        let item = store.published_item(plan.item_code).await?.ok_or_else(|| {
            Error::Internal(format!("project item {} is not published", plan.item_code))
        })?;
        let mut part = plan.into_part(item.guide.name, item.guide.unit);
        part.cosigners = construction::cosigners(key);
        parts.push(part);
    }
    create(store, user, BundleForm::Construction(form), parts, vec![]).await
}

/// The bundle in one write, its first parts started.
async fn create(
    store: &Store,
    user: &User,
    form: BundleForm,
    parts: Vec<bundles::Part>,
    flags: Vec<names::NameClash>,
) -> Result<Bundle> {
    let (applicant, applicant_name) = (user.username.clone(), user.display_name.clone());
    Ok(store
        .create_bundle(&user.username, |id, now| {
            bundles::new_bundle(id, applicant, applicant_name, form, parts, flags, now)
        })
        .await?)
}
