//! The standardised service catalog (R3): service items (政务服务事项) at three levels, each with
//! a standard guide, versioned, and the indicators the action plan judges the catalog by.
//!
//! An item is identified by its implementation code (实施编码), unique per implementing unit.
//! Items that share a basic code (基本编码) are "the same item" offered by several units or
//! levels; R3 requires them to carry the same requirements, which `uniformity` checks.

use crate::validation::FieldErrors;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod indicators;
pub mod uniformity;

/// The three administrative levels of the district.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ServiceLevel))]
pub enum Level {
    /// 区
    District,
    /// 街道(镇)
    Street,
    /// 社区(村)
    Community,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::District, Level::Street, Level::Community];
    pub fn as_str(self) -> &'static str {
        match self {
            Level::District => "district",
            Level::Street => "street",
            Level::Community => "community",
        }
    }
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// Kind of government power or service (事项类型), as in the national implementation list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ItemKind {
    /// 行政许可
    Licensing,
    /// 行政确认
    Confirmation,
    /// 行政给付
    Payment,
    /// 行政奖励
    Reward,
    /// 行政裁决
    Adjudication,
    /// 其他行政权力
    OtherPower,
    /// 公共服务
    PublicService,
}

impl ItemKind {
    pub const ALL: [ItemKind; 7] = [
        ItemKind::Licensing,
        ItemKind::Confirmation,
        ItemKind::Payment,
        ItemKind::Reward,
        ItemKind::Adjudication,
        ItemKind::OtherPower,
        ItemKind::PublicService,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Licensing => "licensing",
            ItemKind::Confirmation => "confirmation",
            ItemKind::Payment => "payment",
            ItemKind::Reward => "reward",
            ItemKind::Adjudication => "adjudication",
            ItemKind::OtherPower => "other_power",
            ItemKind::PublicService => "public_service",
        }
    }
    pub fn parse(s: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A time limit as the law and the guide state it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "unit", content = "days", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TimeLimit {
    /// 即办: finished on the spot.
    OnTheSpot,
    /// N working days (工作日), the Administrative Licensing Law's unit.
    WorkingDays(u16),
    /// N natural days (自然日), e.g. public notice periods.
    NaturalDays(u16),
}

impl TimeLimit {
    /// Length in working days for comparing and averaging limits of different units.
    /// Natural days are converted at 5 working days per 7 natural days; this is only used for
    /// indicators and the promised ≤ legal check, never to compute a real deadline.
    pub fn approx_working_days(self) -> f64 {
        match self {
            TimeLimit::OnTheSpot => 0.0,
            TimeLimit::WorkingDays(n) => f64::from(n),
            TimeLimit::NaturalDays(n) => f64::from(n) * 5.0 / 7.0,
        }
    }

    /// Parses the compact form used in imports and forms: `即办` / `on_the_spot`, `20` or
    /// `20工作日` / `20wd` for working days, `30自然日` / `30nd` for natural days.
    pub fn parse(s: &str) -> Option<TimeLimit> {
        let s = s.trim();
        if matches!(s, "即办" | "on_the_spot" | "0") {
            return Some(TimeLimit::OnTheSpot);
        }
        let (num, natural) =
            if let Some(n) = s.strip_suffix("自然日").or_else(|| s.strip_suffix("nd")) {
                (n, true)
            } else if let Some(n) = s
                .strip_suffix("个工作日")
                .or_else(|| s.strip_suffix("工作日"))
                .or_else(|| s.strip_suffix("wd"))
            {
                (n, false)
            } else {
                (s, false)
            };
        let n: u16 = num.trim().parse().ok().filter(|n| *n > 0 && *n <= 3650)?;
        Some(if natural {
            TimeLimit::NaturalDays(n)
        } else {
            TimeLimit::WorkingDays(n)
        })
    }

    /// The compact form `parse` reads back.
    pub fn compact(self) -> String {
        match self {
            TimeLimit::OnTheSpot => "即办".into(),
            TimeLimit::WorkingDays(n) => format!("{n}工作日"),
            TimeLimit::NaturalDays(n) => format!("{n}自然日"),
        }
    }
}

/// How far an item can be handled online (网办深度).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OnlineDepth {
    /// 全程网办: applied, handled and delivered online, no visit.
    FullyOnline,
    /// 网上预审: applied online, finished at the window.
    OnlinePreReview,
    /// 窗口办理: window only.
    Window,
}

impl OnlineDepth {
    pub const ALL: [OnlineDepth; 3] = [
        OnlineDepth::FullyOnline,
        OnlineDepth::OnlinePreReview,
        OnlineDepth::Window,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            OnlineDepth::FullyOnline => "fully_online",
            OnlineDepth::OnlinePreReview => "online_pre_review",
            OnlineDepth::Window => "window",
        }
    }
    pub fn parse(s: &str) -> Option<OnlineDepth> {
        OnlineDepth::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// Whether the applicant hands in the original, a copy, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MaterialForm {
    Original,
    Copy,
    OriginalAndCopy,
    /// Electronic file uploaded online.
    Electronic,
}

impl MaterialForm {
    pub const ALL: [MaterialForm; 4] = [
        MaterialForm::Original,
        MaterialForm::Copy,
        MaterialForm::OriginalAndCopy,
        MaterialForm::Electronic,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            MaterialForm::Original => "original",
            MaterialForm::Copy => "copy",
            MaterialForm::OriginalAndCopy => "original_and_copy",
            MaterialForm::Electronic => "electronic",
        }
    }
    pub fn parse(s: &str) -> Option<MaterialForm> {
        MaterialForm::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// One material of a guide (申请材料).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Material {
    pub name: String,
    pub form: MaterialForm,
    /// Number of copies (份数).
    pub copies: u8,
    pub required: bool,
    /// Code of the unit that already holds this material and shares it (免提交), if any.
    /// `None` means the applicant provides it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_by: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// Who performs a process step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StepActor {
    Applicant,
    Clerk,
    Approver,
}

impl StepActor {
    pub fn as_str(self) -> &'static str {
        match self {
            StepActor::Applicant => "applicant",
            StepActor::Clerk => "clerk",
            StepActor::Approver => "approver",
        }
    }
    pub fn parse(s: &str) -> Option<StepActor> {
        [StepActor::Applicant, StepActor::Clerk, StepActor::Approver]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// One step of the handling process (办理流程), in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ProcessStep))]
pub struct Step {
    /// e.g. 申请, 受理, 审查, 决定, 制证, 送达.
    pub name: String,
    pub actor: StepActor,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// The editable content of a service item: every field of the standard guide.
/// Published versions are frozen copies of this struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemGuide {
    /// 实施编码: unique per implementing unit; the item's identity in the catalog.
    pub code: String,
    /// 基本编码: shared by the same item at every level and unit.
    pub basic_code: String,
    pub name: String,
    pub kind: ItemKind,
    pub level: Level,
    /// Code of the implementing unit (实施主体).
    pub unit: String,
    /// Themes (主题) used for browsing, e.g. 企业开办, 工程建设, 社会保障.
    #[serde(default)]
    pub themes: Vec<String>,
    /// Extra search words (俗称), e.g. 刻章 for 印章刻制.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// 设定依据.
    pub legal_basis: String,
    /// 受理条件.
    pub conditions: String,
    pub materials: Vec<Material>,
    /// Number of materials before the reform, the baseline for "materials cut ≥ 30 %".
    pub baseline_materials: u16,
    pub steps: Vec<Step>,
    /// 法定办结时限.
    pub legal_limit: TimeLimit,
    /// 承诺办结时限.
    pub promised_limit: TimeLimit,
    /// 承诺时限说明.
    #[serde(default)]
    pub promise_note: String,
    pub online_depth: OnlineDepth,
    /// 到办事现场次数.
    pub visits: u8,
    /// Fee in fen (分); 0 means free (不收费).
    pub fee_fen: i64,
    /// 收费依据; required when a fee is charged.
    #[serde(default)]
    pub fee_basis: String,
    /// 中介服务 the applicant needs, if any.
    #[serde(default)]
    pub intermediary_services: Vec<String>,
    /// 特别程序 (hearing, testing, expert review, public notice…) not counted in the limit.
    #[serde(default)]
    pub special_procedures: String,
    /// 办理地点.
    pub address: String,
    /// 办理时间.
    pub hours: String,
    /// 咨询电话.
    pub consult_phone: String,
    /// 监督投诉电话.
    pub complaint_phone: String,
    /// 网上办理地址.
    #[serde(default)]
    pub online_url: String,
}

/// 即办件 or 承诺件, derived from the promised limit so the two can never disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Handling {
    Immediate,
    Promised,
}

pub const CODE_MAX: usize = 48;

/// Checks an item code: 4–48 characters of capitals, digits and `-`.
pub fn valid_code(code: &str) -> bool {
    (4..=CODE_MAX).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

impl ItemGuide {
    pub fn handling(&self) -> Handling {
        if self.promised_limit == TimeLimit::OnTheSpot {
            Handling::Immediate
        } else {
            Handling::Promised
        }
    }

    /// Number of materials the applicant must still hand in (shared ones are not asked for).
    pub fn materials_asked(&self) -> usize {
        self.materials
            .iter()
            .filter(|m| m.shared_by.is_none())
            .count()
    }

    /// Words a search matches: name, codes, keywords, themes and material names, lower-cased.
    pub fn search_text(&self) -> String {
        let mut s = format!("{} {} {}", self.name, self.code, self.basic_code);
        for w in self.keywords.iter().chain(&self.themes) {
            s.push(' ');
            s.push_str(w);
        }
        for m in &self.materials {
            s.push(' ');
            s.push_str(&m.name);
        }
        s.to_lowercase()
    }

    /// Validates every field, naming each bad one. `unit_exists` tells whether a unit code is
    /// known (the organisation lives in the store, the domain only asks).
    pub fn validate(&self, unit_exists: &dyn Fn(&str) -> bool) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if !valid_code(&self.code) {
            e.push("code", "code_format");
        }
        if !valid_code(&self.basic_code) {
            e.push("basic_code", "code_format");
        }
        e.text("name", &self.name, 100);
        if !unit_exists(&self.unit) {
            e.push("unit", "unknown_unit");
        }
        e.text("legal_basis", &self.legal_basis, 4000);
        e.text("conditions", &self.conditions, 4000);
        for (i, t) in self.themes.iter().enumerate() {
            e.text(&format!("themes[{i}]"), t, 20);
        }
        for (i, k) in self.keywords.iter().enumerate() {
            e.text(&format!("keywords[{i}]"), k, 20);
        }
        if self.materials.len() > 100 {
            e.push_detail("materials", "too_many", "100");
        }
        for (i, m) in self.materials.iter().enumerate() {
            e.text(&format!("materials[{i}].name"), &m.name, 200);
            if m.copies == 0 || m.copies > 20 {
                e.push_detail(format!("materials[{i}].copies"), "out_of_range", "1–20");
            }
            if let Some(u) = &m.shared_by {
                if !unit_exists(u) {
                    e.push(format!("materials[{i}].shared_by"), "unknown_unit");
                }
            }
            e.optional_text(&format!("materials[{i}].note"), &m.note, 500);
        }
        if self.baseline_materials > 200 {
            e.push_detail("baseline_materials", "out_of_range", "0–200");
        }
        if self.steps.is_empty() {
            e.push("steps", "required");
        }
        if self.steps.len() > 30 {
            e.push_detail("steps", "too_many", "30");
        }
        for (i, s) in self.steps.iter().enumerate() {
            e.text(&format!("steps[{i}].name"), &s.name, 30);
            e.optional_text(&format!("steps[{i}].description"), &s.description, 500);
        }
        if self.legal_limit == TimeLimit::OnTheSpot && self.promised_limit != TimeLimit::OnTheSpot {
            e.push("promised_limit", "promised_exceeds_legal");
        } else if self.promised_limit.approx_working_days() > self.legal_limit.approx_working_days()
        {
            e.push_detail(
                "promised_limit",
                "promised_exceeds_legal",
                self.legal_limit.compact(),
            );
        }
        e.optional_text("promise_note", &self.promise_note, 500);
        if self.visits > 10 {
            e.push_detail("visits", "out_of_range", "0–10");
        }
        if self.online_depth == OnlineDepth::FullyOnline && self.visits > 0 {
            e.push("visits", "fully_online_needs_no_visit");
        }
        if self.fee_fen < 0 || self.fee_fen > 100_000_000 {
            e.push_detail("fee_fen", "out_of_range", "0–1000000元");
        }
        if self.fee_fen > 0 && self.fee_basis.trim().is_empty() {
            e.push("fee_basis", "fee_needs_basis");
        }
        e.optional_text("fee_basis", &self.fee_basis, 1000);
        for (i, s) in self.intermediary_services.iter().enumerate() {
            e.text(&format!("intermediary_services[{i}]"), s, 100);
        }
        e.optional_text("special_procedures", &self.special_procedures, 1000);
        e.text("address", &self.address, 200);
        e.text("hours", &self.hours, 200);
        for (field, phone) in [
            ("consult_phone", &self.consult_phone),
            ("complaint_phone", &self.complaint_phone),
        ] {
            if !valid_phone(phone) {
                e.push(field, "phone_format");
            }
        }
        if !self.online_url.is_empty()
            && !(self.online_url.starts_with("https://") || self.online_url.starts_with("http://"))
        {
            e.push("online_url", "url_format");
        }
        e.optional_text("online_url", &self.online_url, 300);
        e.into_result(())
    }

    /// Every guide field as (name, display value), in guide order: the unit of the diff between
    /// versions and of the uniformity comparison.
    pub fn fields(&self) -> BTreeMap<&'static str, String> {
        let materials = self
            .materials
            .iter()
            .map(|m| {
                format!(
                    "{}（{}×{}{}{}）",
                    m.name,
                    m.form.as_str(),
                    m.copies,
                    if m.required { "" } else { "，非必需" },
                    m.shared_by
                        .as_deref()
                        .map(|u| format!("，由{u}共享"))
                        .unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        let steps = self
            .steps
            .iter()
            .map(|s| format!("{}（{}）", s.name, s.actor.as_str()))
            .collect::<Vec<_>>()
            .join(" → ");
        BTreeMap::from([
            ("basic_code", self.basic_code.clone()),
            ("name", self.name.clone()),
            ("kind", self.kind.as_str().into()),
            ("level", self.level.as_str().into()),
            ("unit", self.unit.clone()),
            ("themes", self.themes.join("、")),
            ("keywords", self.keywords.join("、")),
            ("legal_basis", self.legal_basis.clone()),
            ("conditions", self.conditions.clone()),
            ("materials", materials),
            ("baseline_materials", self.baseline_materials.to_string()),
            ("steps", steps),
            ("legal_limit", self.legal_limit.compact()),
            ("promised_limit", self.promised_limit.compact()),
            ("promise_note", self.promise_note.clone()),
            ("online_depth", self.online_depth.as_str().into()),
            ("visits", self.visits.to_string()),
            ("fee_fen", self.fee_fen.to_string()),
            ("fee_basis", self.fee_basis.clone()),
            (
                "intermediary_services",
                self.intermediary_services.join("、"),
            ),
            ("special_procedures", self.special_procedures.clone()),
            ("address", self.address.clone()),
            ("hours", self.hours.clone()),
            ("consult_phone", self.consult_phone.clone()),
            ("complaint_phone", self.complaint_phone.clone()),
            ("online_url", self.online_url.clone()),
        ])
    }
}

/// Phone numbers as printed in guides: digits with optional `-`, `(`, `)` and spaces, 5–20 long
/// (12345, 0791-86000000, 138…).
fn valid_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&s.len())
        && digits >= 5
        && s.chars().all(|c| c.is_ascii_digit() || "-() ".contains(c))
}

/// One changed field between two versions of a guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// Field-by-field difference between two guides (version history, uniformity).
pub fn diff(before: &ItemGuide, after: &ItemGuide) -> Vec<FieldChange> {
    let (a, b) = (before.fields(), after.fields());
    a.into_iter()
        .zip(b)
        .filter(|((_, x), (_, y))| x != y)
        .map(|((field, before), (_, after))| FieldChange {
            field,
            before,
            after,
        })
        .collect()
}

/// Lifecycle of an item in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ItemStatus {
    /// Never published: only administrators see it.
    Draft,
    /// Has a published version; may also have unpublished edits.
    Published,
}

/// An entry of the published list of retained certificate demands (保留证明事项清单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetainedCertificate {
    /// 证明名称.
    pub name: String,
    /// 设定依据.
    pub legal_basis: String,
    /// 开具单位 (free text: the issuer is often outside the district).
    pub issuer: String,
    /// Code of the item that demands it, if it belongs to one in the catalog.
    #[serde(default)]
    pub item_code: Option<String>,
    #[serde(default)]
    pub note: String,
}

impl RetainedCertificate {
    pub fn validate(&self, item_exists: &dyn Fn(&str) -> bool) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        e.text("name", &self.name, 200);
        e.text("legal_basis", &self.legal_basis, 2000);
        e.text("issuer", &self.issuer, 200);
        if let Some(code) = &self.item_code {
            if !item_exists(code) {
                e.push("item_code", "unknown_item");
            }
        }
        e.optional_text("note", &self.note, 1000);
        e.into_result(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample() -> ItemGuide {
        ItemGuide {
            code: "XH-SPJ-000101".into(),
            basic_code: "000101".into(),
            name: "企业设立登记".into(),
            kind: ItemKind::Licensing,
            level: Level::District,
            unit: "XH-SPJ".into(),
            themes: vec!["企业开办".into()],
            keywords: vec!["开公司".into()],
            legal_basis: "《中华人民共和国市场主体登记管理条例》".into(),
            conditions: "申请人符合法定条件".into(),
            materials: vec![Material {
                name: "公司登记（备案）申请书".into(),
                form: MaterialForm::Original,
                copies: 1,
                required: true,
                shared_by: None,
                note: String::new(),
            }],
            baseline_materials: 4,
            steps: vec![
                Step {
                    name: "申请".into(),
                    actor: StepActor::Applicant,
                    description: String::new(),
                },
                Step {
                    name: "受理".into(),
                    actor: StepActor::Clerk,
                    description: String::new(),
                },
                Step {
                    name: "决定".into(),
                    actor: StepActor::Approver,
                    description: String::new(),
                },
            ],
            legal_limit: TimeLimit::WorkingDays(15),
            promised_limit: TimeLimit::WorkingDays(1),
            promise_note: String::new(),
            online_depth: OnlineDepth::FullyOnline,
            visits: 0,
            fee_fen: 0,
            fee_basis: String::new(),
            intermediary_services: vec![],
            special_procedures: String::new(),
            address: "南昌市西湖区政务服务中心".into(),
            hours: "工作日 9:00-12:00 13:30-17:30".into(),
            consult_phone: "0791-86520000".into(),
            complaint_phone: "12345".into(),
            online_url: String::new(),
        }
    }

    #[test]
    fn valid_guide_passes() {
        sample().validate(&|u| u == "XH-SPJ").unwrap();
    }

    #[test]
    fn each_bad_field_is_named() {
        let mut g = sample();
        g.name = " ".into();
        g.promised_limit = TimeLimit::WorkingDays(16);
        g.unit = "NOPE".into();
        g.fee_fen = 500;
        g.consult_phone = "call me".into();
        let errs = g.validate(&|u| u == "XH-SPJ").unwrap_err();
        let fields: Vec<_> = errs.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            vec![
                ("name", "required"),
                ("unit", "unknown_unit"),
                ("promised_limit", "promised_exceeds_legal"),
                ("fee_basis", "fee_needs_basis"),
                ("consult_phone", "phone_format"),
            ]
        );
    }

    #[test]
    fn natural_day_limits_compare_in_working_days() {
        let mut g = sample();
        g.legal_limit = TimeLimit::NaturalDays(30);
        g.promised_limit = TimeLimit::WorkingDays(21);
        assert!(g.validate(&|_| true).is_ok());
        g.promised_limit = TimeLimit::WorkingDays(22);
        assert!(g.validate(&|_| true).is_err());
    }

    #[test]
    fn time_limit_compact_form_round_trips() {
        for t in [
            TimeLimit::OnTheSpot,
            TimeLimit::WorkingDays(20),
            TimeLimit::NaturalDays(45),
        ] {
            assert_eq!(TimeLimit::parse(&t.compact()), Some(t));
        }
        assert_eq!(TimeLimit::parse("5"), Some(TimeLimit::WorkingDays(5)));
        assert_eq!(
            TimeLimit::parse("5个工作日"),
            Some(TimeLimit::WorkingDays(5))
        );
        assert_eq!(TimeLimit::parse("-3"), None);
        assert_eq!(TimeLimit::parse("soon"), None);
    }

    #[test]
    fn diff_names_changed_fields_only() {
        let a = sample();
        let mut b = sample();
        b.promised_limit = TimeLimit::OnTheSpot;
        b.visits = 0;
        let d = diff(&a, &b);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].field, "promised_limit");
        assert_eq!(d[0].after, "即办");
    }
}
