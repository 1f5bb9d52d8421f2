//! The Xihu District demo: organisation, accounts, catalog and retained certificates, compiled
//! into the binary from `data/xihu/` and loaded into an empty store.

use serde::Deserialize;
use tongban_domain::accounts::{ApplicantIdentity, NewUser, Role};
use tongban_domain::catalog::{ItemGuide, RetainedCertificate};
use tongban_domain::ids::{IdNumber, Uscc};
use tongban_domain::org::Unit;
use tongban_store::Store;

const ORG: &str = include_str!("../../../data/xihu/org.toml");
const USERS: &str = include_str!("../../../data/xihu/users.toml");
const ITEMS: &str = include_str!("../../../data/xihu/items.toml");
const CERTIFICATES: &str = include_str!("../../../data/xihu/retained_certificates.toml");

#[derive(Deserialize)]
struct OrgFile {
    unit: Vec<Unit>,
}
#[derive(Deserialize)]
struct ItemsFile {
    item: Vec<ItemGuide>,
}
#[derive(Deserialize)]
struct CertificatesFile {
    certificate: Vec<RetainedCertificate>,
}
#[derive(Deserialize)]
pub struct DemoUser {
    pub username: String,
    pub password: String,
    pub display_name: String,
    pub role: Role,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub applicant_kind: Option<String>,
    #[serde(default)]
    pub uscc: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
    /// Address for e-mail notices (sent when SMTP is configured).
    #[serde(default)]
    pub email: Option<String>,
    /// A credit mark that bars written commitments, e.g. `serious_bad_credit`.
    #[serde(default)]
    pub credit_mark: Option<String>,
}
#[derive(Deserialize)]
struct UsersFile {
    user: Vec<DemoUser>,
}

pub fn units() -> Vec<Unit> {
    toml::from_str::<OrgFile>(ORG)
        .expect("data/xihu/org.toml is valid")
        .unit
}
pub fn items() -> Vec<ItemGuide> {
    toml::from_str::<ItemsFile>(ITEMS)
        .expect("data/xihu/items.toml is valid")
        .item
}
pub fn users() -> Vec<DemoUser> {
    toml::from_str::<UsersFile>(USERS)
        .expect("data/xihu/users.toml is valid")
        .user
}
pub fn certificates() -> Vec<RetainedCertificate> {
    toml::from_str::<CertificatesFile>(CERTIFICATES)
        .expect("data/xihu/retained_certificates.toml is valid")
        .certificate
}

impl DemoUser {
    pub fn new_user(&self) -> Result<NewUser, String> {
        let identity = match (self.applicant_kind.as_deref(), &self.uscc, &self.id_number) {
            (Some("enterprise"), Some(u), _) => Some(ApplicantIdentity::Enterprise(
                Uscc::parse(u).map_err(|e| format!("{}: {e}", self.username))?,
            )),
            (Some("citizen"), _, Some(i)) => Some(ApplicantIdentity::Citizen(
                IdNumber::parse(i).map_err(|e| format!("{}: {e}", self.username))?,
            )),
            _ => None,
        };
        Ok(NewUser {
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            unit: self.unit.clone(),
            identity,
        })
    }
}

/// Loads the demo into an empty store; does nothing if the organisation is already there.
/// Returns whether it loaded.
pub async fn load_if_empty(store: &Store) -> Result<bool, String> {
    if !store.units().await.map_err(|e| e.to_string())?.is_empty() {
        return Ok(false);
    }
    let units = units();
    store
        .upsert_units("system", &units)
        .await
        .map_err(|e| e.to_string())?;
    let unit_exists = |c: &str| units.iter().any(|u| u.code == c);
    for u in users() {
        let new = u.new_user()?;
        new.validate(&u.password, &unit_exists)
            .map_err(|e| format!("demo user {}: {e:?}", u.username))?;
        let hash = tongban_web::auth::hash_password(u.password.clone())
            .await
            .map_err(|e| e.to_string())?;
        store
            .create_user("system", &new, &hash)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(email) = &u.email {
            store
                .set_email("system", &u.username, Some(email))
                .await
                .map_err(|e| e.to_string())?;
        }
        if let Some(kind) = &u.credit_mark {
            store
                .add_credit_mark("system", &u.username, kind, "演示：严重失信主体名单")
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    let items = items();
    for g in &items {
        g.validate(&unit_exists)
            .map_err(|e| format!("demo item {}: {e:?}", g.code))?;
    }
    store
        .import_items("system", &items, true, "演示数据初始版本")
        .await
        .map_err(|e| e.to_string())?;
    for c in certificates() {
        store
            .save_retained_certificate("system", None, &c)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(true)
}
