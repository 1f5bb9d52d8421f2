//! Company start-up (企业开办一件事): one form with the data every unit needs, entered once,
//! fanned out to the licence, the seal, tax and invoices, social and medical insurance, the
//! housing fund and the bank account appointment of the demo district.

use super::Part;
use crate::cases::valid_phone;
use crate::ids::{IdNumber, Uscc};
use crate::validation::FieldErrors;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CompanyType {
    /// 有限责任公司
    LimitedLiability,
    /// 个人独资企业
    SoleProprietorship,
    /// 合伙企业
    Partnership,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SealChoice {
    /// The district's free seal set (免费刻章: 公章、财务章、发票章、法人章): the default.
    FreeSet,
    /// The applicant engraves at a seal shop of their choice.
    OwnShop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum InvoiceNeed {
    None,
    /// 增值税普通发票
    Ordinary,
    /// 增值税专用发票
    Special,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub name: String,
    /// 身份证号 (GB 11643).
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shareholder {
    pub name: String,
    /// 身份证号 of a person or 统一社会信用代码 of an enterprise.
    pub id_number: String,
    /// Subscribed capital in fen.
    pub contribution_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartupForm {
    /// The proposed name (名称), checked against names already registered.
    pub company_name: String,
    pub company_type: CompanyType,
    /// Registered capital in fen; must equal the shareholders' contributions.
    pub registered_capital_fen: i64,
    /// 住所 in the district.
    pub domicile: String,
    /// 经营范围.
    pub business_scope: String,
    pub legal_representative: Person,
    pub shareholders: Vec<Shareholder>,
    /// Number of staff to enrol in social insurance.
    pub staff: u32,
    #[serde(default = "free_set")]
    pub seal: SealChoice,
    pub invoices: InvoiceNeed,
    /// First invoices asked for (首次领用份数), 0 when none.
    #[serde(default)]
    pub first_invoices: u16,
    pub social_insurance: bool,
    pub housing_fund: bool,
    /// Bank for the basic account appointment (开户行), empty for none.
    #[serde(default)]
    pub bank: String,
}

fn free_set() -> SealChoice {
    SealChoice::FreeSet
}

/// The district's region code (西湖区), used in the codes the licence issues.
pub const REGION: &str = "360103";

impl StartupForm {
    /// A complete, valid form for one founder (a sole shareholder and legal representative)
    /// with a 1 000 000 元 limited company in the district: what the demo, the benchmark and the
    /// tests start from, changing what they need.
    pub fn sample(company_name: &str, founder: &str, founder_id_number: &str) -> StartupForm {
        let capital = 100_000_000;
        StartupForm {
            company_name: company_name.into(),
            company_type: CompanyType::LimitedLiability,
            registered_capital_fen: capital,
            domicile: "南昌市西湖区中山西路100号".into(),
            business_scope: "软件开发；信息技术咨询服务".into(),
            legal_representative: Person {
                name: founder.into(),
                id_number: founder_id_number.into(),
                phone: "13807910001".into(),
            },
            shareholders: vec![Shareholder {
                name: founder.into(),
                id_number: founder_id_number.into(),
                contribution_fen: capital,
            }],
            staff: 5,
            seal: SealChoice::FreeSet,
            invoices: InvoiceNeed::Ordinary,
            first_invoices: 25,
            social_insurance: true,
            housing_fund: true,
            bank: "江西银行西湖支行".into(),
        }
    }

    /// Checks every field, naming each bad one (`shareholders[1].id_number`, …).
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        e.text("company_name", &self.company_name, 60);
        if !self.company_name.trim().is_empty()
            && !["公司", "企业", "合伙）"]
                .iter()
                .any(|s| self.company_name.trim().ends_with(s))
        {
            e.push("company_name", "company_name_form");
        }
        if self.registered_capital_fen <= 0 {
            e.push("registered_capital_fen", "must_be_positive");
        }
        e.text("domicile", &self.domicile, 200);
        e.text("business_scope", &self.business_scope, 2000);
        e.text(
            "legal_representative.name",
            &self.legal_representative.name,
            50,
        );
        if IdNumber::parse(&self.legal_representative.id_number).is_err() {
            e.push("legal_representative.id_number", "id_check");
        }
        let phone = self.legal_representative.phone.trim();
        if phone.is_empty() {
            e.push("legal_representative.phone", "required");
        } else if !valid_phone(phone) {
            e.push("legal_representative.phone", "phone_format");
        }
        if self.shareholders.is_empty() {
            e.push("shareholders", "required");
        }
        if self.shareholders.len() > 50 {
            e.push_detail("shareholders", "too_many", "50");
        }
        let mut total = 0i64;
        for (i, s) in self.shareholders.iter().enumerate() {
            e.text(&format!("shareholders[{i}].name"), &s.name, 60);
            if IdNumber::parse(&s.id_number).is_err() && Uscc::parse(&s.id_number).is_err() {
                e.push(format!("shareholders[{i}].id_number"), "id_or_uscc");
            }
            if s.contribution_fen <= 0 {
                e.push(
                    format!("shareholders[{i}].contribution_fen"),
                    "must_be_positive",
                );
            }
            total = total.saturating_add(s.contribution_fen);
        }
        if self.registered_capital_fen > 0
            && !self.shareholders.is_empty()
            && total != self.registered_capital_fen
        {
            e.push_detail(
                "shareholders",
                "contributions_mismatch",
                format!("{}", self.registered_capital_fen / 100),
            );
        }
        if self.company_type == CompanyType::SoleProprietorship && self.shareholders.len() > 1 {
            e.push("shareholders", "sole_proprietor_one");
        }
        if self.staff > 100_000 {
            e.push_detail("staff", "out_of_range", "0–100000");
        }
        match self.invoices {
            InvoiceNeed::None if self.first_invoices > 0 => {
                e.push("first_invoices", "no_invoices_asked")
            }
            InvoiceNeed::Ordinary | InvoiceNeed::Special
                if self.first_invoices == 0 || self.first_invoices > 1000 =>
            {
                e.push_detail("first_invoices", "out_of_range", "1–1000")
            }
            _ => {}
        }
        if self.social_insurance && self.staff == 0 {
            e.push("staff", "staff_for_insurance");
        }
        e.optional_text("bank", &self.bank, 60);
        e.into_result(())
    }

    /// The parts this form needs: (key, item code, depends on, key part, issues the code).
    pub fn plan(&self) -> Vec<PartPlan> {
        let mut v = vec![
            PartPlan::new("licence", "XH-SPJ-000101001000", &[])
                .key()
                .uscc(),
        ];
        v.push(PartPlan::new("seal", "XH-GA-000104001000", &["licence"]));
        v.push(PartPlan::new("tax", "XH-SWJ-000103001000", &["licence"]));
        if self.invoices != InvoiceNeed::None {
            v.push(PartPlan::new("invoices", "XH-SWJ-000103002000", &["tax"]));
        }
        if self.social_insurance {
            v.push(PartPlan::new(
                "social_insurance",
                "XH-RSJ-000105001000",
                &["licence"],
            ));
            v.push(PartPlan::new(
                "medical_insurance",
                "XH-YBJ-000106001000",
                &["licence"],
            ));
        }
        if self.housing_fund {
            v.push(PartPlan::new(
                "housing_fund",
                "XH-GJJ-000107001000",
                &["licence"],
            ));
        }
        // An appointment needs no licence yet: it runs beside the licence from the start.
        if !self.bank.trim().is_empty() {
            v.push(PartPlan::new("bank", "XH-SPJ-000101014000", &[]));
        }
        v
    }

    /// What every part case says it is about (申请事项说明), from the shared form.
    /// `part` is the part's key (what to add), `name` its item name (what to say).
    pub fn summary(&self, part: &str, name: &str, uscc: Option<&str>) -> String {
        let mut s = format!(
            "企业开办一件事·{}：{}，住所 {}，法定代表人 {}",
            name, self.company_name, self.domicile, self.legal_representative.name
        );
        if let Some(u) = uscc {
            s.push_str(&format!("，统一社会信用代码 {u}"));
        }
        if part == "invoices" {
            s.push_str(&format!("，首次领用发票 {} 份", self.first_invoices));
        }
        if part == "social_insurance" || part == "medical_insurance" {
            s.push_str(&format!("，参保 {} 人", self.staff));
        }
        if part == "bank" {
            s.push_str(&format!("，开户行 {}", self.bank));
        }
        if part == "seal" {
            s.push_str(match self.seal {
                SealChoice::FreeSet => "，免费刻章（公章、财务章、发票章、法人章）",
                SealChoice::OwnShop => "，自选刻章企业",
            });
        }
        s
    }
}

/// A part as planned, before its item's name and unit are looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartPlan {
    pub key: &'static str,
    pub item_code: &'static str,
    pub depends_on: Vec<&'static str>,
    pub key_part: bool,
    pub issues_uscc: bool,
    /// Stage of a staged bundle (construction), 1-based.
    pub stage: Option<u8>,
}

impl PartPlan {
    pub fn new(
        key: &'static str,
        item_code: &'static str,
        depends_on: &[&'static str],
    ) -> PartPlan {
        PartPlan {
            key,
            item_code,
            depends_on: depends_on.to_vec(),
            key_part: false,
            issues_uscc: false,
            stage: None,
        }
    }
    pub fn in_stage(mut self, stage: u8) -> Self {
        self.stage = Some(stage);
        self
    }
    fn key(mut self) -> Self {
        self.key_part = true;
        self
    }
    fn uscc(mut self) -> Self {
        self.issues_uscc = true;
        self
    }
    /// The part, once the item's name and unit are known.
    pub fn into_part(self, item_name: String, unit: String) -> Part {
        Part {
            key: self.key.into(),
            item_code: self.item_code.into(),
            item_name,
            unit,
            depends_on: self.depends_on.iter().map(|d| d.to_string()).collect(),
            key_part: self.key_part,
            issues_uscc: self.issues_uscc,
            stage: self.stage,
            open_commitments: 0,
            cosigners: Vec::new(),
            case_id: None,
            case_state: None,
            started_at: None,
            accepted_at: None,
            finished_at: None,
            skipped: None,
        }
    }
}
