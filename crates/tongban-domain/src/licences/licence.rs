//! Electronic licences and their versions. A licence type is data (its code, name, the fields it
//! carries, the catalog items that issue it, how long it is valid); a licence is issued once and
//! then only ever gets new versions — a change (变更), a renewal (延续) or a revocation (注销/
//! 撤销) — never an edit, each version an entry of the transparency log.

use super::identifier::Identifier;
use crate::validation::FieldErrors;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One field a licence type carries (经营范围, 有效期, 许可项目…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    pub key: String,
    pub label: String,
    /// Where an issued case's value comes from: `case.item_name`, `case.applicant_name`,
    /// `form.details`, `form.address` or `form.<key>` (an answer of the item's form).
    #[serde(default)]
    pub source: Option<String>,
}

/// A licence type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceType {
    /// Digits, the identifier's type part.
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub fields: Vec<FieldDef>,
    /// The catalog items whose issued cases issue it.
    #[serde(default)]
    pub items: Vec<String>,
    /// Years of validity from issue; none for an open-ended licence.
    #[serde(default)]
    pub valid_years: Option<u32>,
    /// The policies whose paid grants issue it (a 兑现确认书 certifying the grant).
    #[serde(default)]
    pub policies: Vec<String>,
    /// The catalog items whose issued cases renew (延续) the held licence of this type that
    /// stood in for one of their materials, instead of issuing a new one.
    #[serde(default)]
    pub renews: Vec<String>,
    /// The application materials a held licence of this type stands in for (免提交): a material
    /// whose name contains one of these. None given: the type's full name.
    #[serde(default)]
    pub fills: Vec<String>,
}

impl LicenceType {
    /// Does a held licence of this type stand in for the material named `material`?
    pub fn fills_material(&self, material: &str) -> bool {
        if self.fills.is_empty() {
            material.contains(self.name.as_str())
        } else {
            self.fills.iter().any(|f| material.contains(f.as_str()))
        }
    }
}

/// The licence types, as their TOML document (`[[type]]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceTypes {
    #[serde(default, rename = "type")]
    pub types: Vec<LicenceType>,
}

impl LicenceTypes {
    /// Reads and checks the document: codes digits and unique, fields unique, every item known
    /// and issuing one type only.
    pub fn parse(
        text: &str,
        item_exists: &dyn Fn(&str) -> bool,
    ) -> Result<LicenceTypes, FieldErrors> {
        let t: LicenceTypes = toml::from_str(text).map_err(crate::validation::invalid_toml)?;
        let mut e = FieldErrors::new();
        let mut codes = std::collections::BTreeSet::new();
        let mut items = std::collections::BTreeSet::new();
        for (i, ty) in t.types.iter().enumerate() {
            if ty.code.is_empty() || !ty.code.bytes().all(|b| b.is_ascii_digit()) {
                e.push_detail(format!("type[{i}].code"), "digits", ty.code.clone());
            }
            if !codes.insert(ty.code.as_str()) {
                e.push_detail(format!("type[{i}].code"), "duplicate", ty.code.clone());
            }
            if ty.name.trim().is_empty() {
                e.push(format!("type[{i}].name"), "required");
            }
            let mut keys = std::collections::BTreeSet::new();
            for f in &ty.fields {
                if !keys.insert(f.key.as_str()) {
                    e.push_detail(format!("type[{i}].fields"), "duplicate", f.key.clone());
                }
            }
            for it in &ty.renews {
                if !item_exists(it) {
                    e.push_detail(format!("type[{i}].renews"), "unknown_item", it.clone());
                }
            }
            for it in &ty.items {
                if !item_exists(it) {
                    e.push_detail(format!("type[{i}].items"), "unknown_item", it.clone());
                }
                if !items.insert(it.as_str()) {
                    e.push_detail(format!("type[{i}].items"), "duplicate", it.clone());
                }
            }
        }
        e.into_result(t)
    }

    /// Reads a stored version (checked when it was saved).
    pub fn read(text: &str) -> Result<LicenceTypes, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The type a policy's paid grant issues, if any.
    pub fn for_policy(&self, policy: &str) -> Option<&LicenceType> {
        self.types
            .iter()
            .find(|t| t.policies.iter().any(|p| p == policy))
    }

    /// The type a catalog item issues, if any.
    pub fn for_case(&self, case: &crate::cases::Case) -> Option<&LicenceType> {
        self.for_item(&case.item_code)
    }

    /// The held licence an issued case renews: one of this item's renewing type that stood in
    /// for a material of the case.
    pub fn renewed_by<'a>(&self, case: &'a crate::cases::Case) -> Option<&'a str> {
        let ty = self
            .types
            .iter()
            .find(|t| t.renews.iter().any(|i| i == &case.item_code))?;
        case.materials
            .iter()
            .filter_map(|m| m.licence.as_deref())
            .find(|id| Identifier::parse(id).is_ok_and(|i| i.type_code == ty.code))
    }

    /// The type a catalog item issues, if any.
    pub fn for_item(&self, item: &str) -> Option<&LicenceType> {
        self.types
            .iter()
            .find(|t| t.items.iter().any(|i| i == item))
    }

    pub fn get(&self, code: &str) -> Option<&LicenceType> {
        self.types.iter().find(|t| t.code == code)
    }
}

/// What a version did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Issue,
    Change,
    Renew,
    Revoke,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Issue => "issue",
            Action::Change => "change",
            Action::Renew => "renew",
            Action::Revoke => "revoke",
        }
    }
}

/// The holder (持证主体).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// 统一社会信用代码 or 身份证号.
    pub id: String,
    pub name: String,
}

/// One version of a licence: what the log holds, field for field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Licence {
    /// `tongban-licence/1`.
    pub format: String,
    pub identifier: String,
    pub action: Action,
    pub type_code: String,
    pub type_name: String,
    pub holder: Holder,
    /// The issuing unit's code and 统一社会信用代码.
    pub issuer_unit: String,
    pub issuer: String,
    pub issued_on: Date,
    pub valid_from: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Date>,
    pub fields: BTreeMap<String, String>,
    /// Why a revocation was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The format of a licence version and of its log entry.
pub const FORMAT: &str = "tongban-licence/1";

/// The last day of `years` of validity from `from`.
fn until(from: Date, years: Option<u32>) -> Option<Date> {
    years.and_then(|y| {
        from.checked_add(jiff::Span::new().years(i64::from(y)))
            .ok()
            .and_then(|d| d.yesterday().ok())
    })
}

impl LicenceType {
    /// The fields of the licence an issued case gives, each from its source (`—` where the case
    /// has nothing: the licence is issued all the same, and a change can complete it).
    pub fn fields_of(&self, case: &crate::cases::Case) -> BTreeMap<String, String> {
        self.fields_from(|source| match source {
            "case.item_name" => case.item_name.clone(),
            "case.applicant_name" => case.applicant_name.clone(),
            "form.details" => case.form.details.clone(),
            "form.address" => case.form.address.clone(),
            s => s
                .strip_prefix("form.")
                .and_then(|k| case.form.fields.get(k).cloned())
                .unwrap_or_default(),
        })
    }

    /// The fields of the licence a paid grant gives: `policy.name`, `grant.amount` (yuan),
    /// `grant.paid_on`, `enterprise.name`.
    pub fn fields_of_grant(&self, d: &crate::policies::Declaration) -> BTreeMap<String, String> {
        self.fields_from(|source| match source {
            "policy.name" => d.policy_name.clone(),
            "enterprise.name" => d.enterprise_name.clone(),
            "grant.amount" => crate::rules::Value::Money(d.amount_fen).to_string(),
            "grant.paid_on" => d
                .payout
                .as_ref()
                .map(|p| p.paid_on.to_string())
                .unwrap_or_default(),
            _ => String::new(),
        })
    }

    /// Each field from its source (`form.KEY` when none is given); `—` where the source has
    /// nothing: the licence is issued all the same, and a change can complete it.
    fn fields_from(&self, value: impl Fn(&str) -> String) -> BTreeMap<String, String> {
        self.fields
            .iter()
            .map(|f| {
                let source = f
                    .source
                    .clone()
                    .unwrap_or_else(|| format!("form.{}", f.key));
                let v = value(&source);
                let v = if v.trim().is_empty() {
                    "—".to_string()
                } else {
                    v
                };
                (f.key.clone(), v)
            })
            .collect()
    }
}

/// Every field the type defines, filled; no field it does not define.
fn check_fields(ty: &LicenceType, fields: &BTreeMap<String, String>) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    for f in &ty.fields {
        if fields.get(&f.key).is_none_or(|v| v.trim().is_empty()) {
            e.push(format!("fields.{}", f.key), "required");
        }
    }
    for k in fields.keys() {
        if !ty.fields.iter().any(|f| &f.key == k) {
            e.push_detail(format!("fields.{k}"), "unknown_field", ty.code.clone());
        }
    }
    e.into_result(())
}

impl Licence {
    /// Version 1 of a new licence.
    #[allow(clippy::too_many_arguments)]
    pub fn issue(
        ty: &LicenceType,
        holder: Holder,
        issuer_unit: &str,
        issuer: &str,
        serial: u64,
        fields: BTreeMap<String, String>,
        today: Date,
    ) -> Result<Licence, FieldErrors> {
        check_fields(ty, &fields)?;
        let id = Identifier {
            type_code: ty.code.clone(),
            issuer: issuer.to_string(),
            serial,
            version: 1,
        };
        Ok(Licence {
            format: FORMAT.into(),
            identifier: id.to_string(),
            action: Action::Issue,
            type_code: ty.code.clone(),
            type_name: ty.name.clone(),
            holder,
            issuer_unit: issuer_unit.to_string(),
            issuer: issuer.to_string(),
            issued_on: today,
            valid_from: today,
            valid_until: until(today, ty.valid_years),
            fields,
            reason: None,
        })
    }

    pub fn id(&self) -> Identifier {
        Identifier::parse(&self.identifier).expect("a licence's identifier reads back")
    }

    pub fn revoked(&self) -> bool {
        self.action == Action::Revoke
    }

    /// The next version: its identifier's version one higher.
    fn next(&self, action: Action, today: Date) -> Result<Licence, FieldErrors> {
        if self.revoked() {
            return Err(FieldErrors::single("identifier", "revoked"));
        }
        let mut id = self.id();
        id.version += 1;
        let mut n = self.clone();
        n.identifier = id.to_string();
        n.action = action;
        n.issued_on = today;
        n.reason = None;
        Ok(n)
    }

    /// A change (变更): new field values, the same validity.
    pub fn change(
        &self,
        ty: &LicenceType,
        fields: BTreeMap<String, String>,
        today: Date,
    ) -> Result<Licence, FieldErrors> {
        check_fields(ty, &fields)?;
        let mut n = self.next(Action::Change, today)?;
        n.fields = fields;
        Ok(n)
    }

    /// A renewal (延续): valid again for the type's years from the day after the old end.
    pub fn renew(&self, ty: &LicenceType, today: Date) -> Result<Licence, FieldErrors> {
        let mut n = self.next(Action::Renew, today)?;
        let from = self
            .valid_until
            .and_then(|d| d.tomorrow().ok())
            .unwrap_or(today);
        n.valid_from = from;
        n.valid_until = until(from, ty.valid_years);
        Ok(n)
    }

    /// A revocation: the last version; nothing follows it.
    pub fn revoke(&self, reason: &str, today: Date) -> Result<Licence, FieldErrors> {
        if reason.trim().is_empty() {
            return Err(FieldErrors::single("reason", "required"));
        }
        let mut n = self.next(Action::Revoke, today)?;
        n.reason = Some(reason.trim().to_string());
        Ok(n)
    }

    /// The core the log holds and the issuer signs: everything a verifier needs to see who holds
    /// what from whom until when, with the fields as a digest (they are on the printed page and
    /// in the store; the core must fit a QR code). A citizen's identity number is masked: the log
    /// is public.
    pub fn core(&self) -> Core {
        let holder_id = match crate::ids::IdNumber::parse(&self.holder.id) {
            Ok(n) => n.masked(),
            Err(_) => self.holder.id.clone(),
        };
        Core {
            format: self.format.clone(),
            identifier: self.identifier.clone(),
            action: self.action,
            type_code: self.type_code.clone(),
            type_name: self.type_name.clone(),
            holder: Holder {
                id: holder_id,
                name: self.holder.name.clone(),
            },
            issuer_unit: self.issuer_unit.clone(),
            issuer: self.issuer.clone(),
            issued_on: self.issued_on,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            fields_sha256: fields_digest(&self.fields),
            reason: self.reason.clone(),
        }
    }

    /// The text the issuer signs: the core as compact JSON and a newline (a signed note's text);
    /// the signed note is the log entry.
    pub fn entry(&self) -> String {
        self.core().text()
    }
}

/// `base64(SHA-256(fields as JSON, keys sorted))`: binds the printed fields to the signed core.
pub fn fields_digest(fields: &BTreeMap<String, String>) -> String {
    use base64::Engine;
    use sha2::Digest;
    let json = serde_json::to_vec(fields).expect("fields serialise");
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(json))
}

/// A licence version as the log holds it and its issuer signs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Core {
    pub format: String,
    pub identifier: String,
    pub action: Action,
    pub type_code: String,
    pub type_name: String,
    pub holder: Holder,
    pub issuer_unit: String,
    pub issuer: String,
    pub issued_on: Date,
    pub valid_from: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Date>,
    pub fields_sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Core {
    /// The signed text: compact JSON and a newline.
    pub fn text(&self) -> String {
        let mut t = serde_json::to_string(self).expect("licences serialise");
        t.push('\n');
        t
    }

    pub fn id(&self) -> Option<Identifier> {
        Identifier::parse(&self.identifier).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TYPES: &str = r#"
[[type]]
code = "310100"
name = "食品经营许可证"
items = ["XH-SCJ-000201"]
valid_years = 5

[[type.fields]]
key = "scope"
label = "经营项目"

[[type.fields]]
key = "address"
label = "经营场所"
"#;

    fn fields(scope: &str) -> BTreeMap<String, String> {
        [("scope", scope), ("address", "西湖区桃花南路76号")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into_iter()
            .collect()
    }

    #[test]
    fn a_licence_lives_by_versions() {
        let types = LicenceTypes::parse(TYPES, &|i| i == "XH-SCJ-000201").unwrap();
        let ty = types.for_item("XH-SCJ-000201").unwrap();
        let issuer = crate::ids::new_enterprise_uscc("360103", 7).unwrap();
        let holder = Holder {
            id: "91360103MA39K2R741".into(),
            name: "南昌市西湖区洪城数智科技有限公司".into(),
        };
        let d = jiff::civil::date(2026, 12, 7);
        let v1 = Licence::issue(
            ty,
            holder,
            "XH-SCJ",
            issuer.as_str(),
            12,
            fields("预包装食品销售"),
            d,
        )
        .unwrap();
        assert_eq!(v1.valid_until, Some(jiff::civil::date(2031, 12, 6)));
        assert_eq!(v1.id().version, 1);
        assert!(v1.entry().starts_with("{\"format\":\"tongban-licence/1\""));
        assert!(v1.entry().ends_with("\"}\n") && v1.entry().contains("\"fields_sha256\""));
        // A citizen's number is masked in the public core, kept whole in the licence.
        let mut citizen = v1.clone();
        citizen.holder.id = "11010519491231002X".into();
        assert_eq!(citizen.core().holder.id, "1101**********002X");
        let v2 = v1
            .change(ty, fields("预包装食品销售、热食类食品制售"), d)
            .unwrap();
        assert_eq!(
            (v2.id().version, v2.action, v2.id().base()),
            (2, Action::Change, v1.id().base())
        );
        let v3 = v2.renew(ty, d).unwrap();
        assert_eq!(v3.valid_from, jiff::civil::date(2031, 12, 7));
        let v4 = v3.revoke("企业申请注销", d).unwrap();
        assert!(v4.revoked());
        assert_eq!(v4.revoke("again", d).unwrap_err().0[0].code, "revoked");
        // A held licence stands in for the material named after it (免提交).
        assert!(ty.fills_material("食品经营许可证副本"));
        assert!(!ty.fills_material("食品经营许可延续申请书"));
        assert!(!ty.fills_material("营业执照"));
        // A field missing, a field the type does not define: each named.
        let mut bad = fields("");
        bad.insert("colour".into(), "red".into());
        let e = v1.change(ty, bad, d).unwrap_err();
        let got: Vec<(&str, &str)> = e.0.iter().map(|f| (f.field.as_str(), f.code)).collect();
        assert_eq!(
            got,
            [
                ("fields.scope", "required"),
                ("fields.colour", "unknown_field")
            ]
        );
    }

    #[test]
    fn types_are_checked() {
        let bad = TYPES
            .replace("310100", "31A100")
            .replace("XH-SCJ-000201", "NOPE");
        let e = LicenceTypes::parse(&bad, &|i| i == "XH-SCJ-000201").unwrap_err();
        let codes: Vec<&str> = e.0.iter().map(|f| f.code).collect();
        assert_eq!(codes, ["digits", "unknown_item"]);
    }
}
