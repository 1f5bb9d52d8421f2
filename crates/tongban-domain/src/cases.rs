//! Cases (办件): one application for one catalog item, from draft to result, on the statutory
//! clock (R4). The case is one aggregate; every change goes through [`apply`], a pure function
//! of (case, command, actor, now, calendar) that returns the new case and what it caused, or a
//! typed error. The store persists the result and its audit entry in one transaction.
//!
//! States follow the Administrative Licensing Law: received (§32) → correction once (补正) or
//! acceptance (受理, possibly on written commitment, 告知承诺/容缺受理) or refusal (不予受理) →
//! review steps of the item's process, with §45 pauses and one §42 extension → decision
//! (准予/不予许可) → result issued. The applicant may withdraw before the decision. A commitment
//! not kept by its due date moves the case to revocation (撤销), recorded for credit.

use crate::accounts::Role;
use crate::calendar::{Calendar, CalendarError};
use crate::catalog::{ItemGuide, Step, StepActor, TimeLimit};
use crate::validation::FieldErrors;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub mod auto_approval;
pub mod clock;
pub mod indicators;
pub mod notice_period;
pub mod process;

mod commands;

pub use clock::{ClockStatus, ClockView};
pub use commands::*;
pub use process::Process;

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CaseState {
    /// 草稿: the applicant is still filling it in.
    Draft,
    /// 已提交: received, waiting for the clerk (the §32 five-day window runs).
    Submitted,
    /// 待补正: the applicant is correcting; no clock runs.
    Correction,
    /// 审查中: accepted, review steps under way, the clock runs.
    Review,
    /// 暂停计时: a §45 procedure (hearing, testing, expert review, public notice) is under way.
    Paused,
    /// 准予许可: decided in favour, result not yet issued.
    Approved,
    /// 已办结: result issued.
    Issued,
    /// 不予许可.
    Rejected,
    /// 不予受理.
    Refused,
    /// 已撤回.
    Withdrawn,
    /// 待撤销: a written commitment was not kept by its due date.
    RevocationPending,
    /// 已撤销 / 终止.
    Revoked,
    /// 已终止: cancelled because the bundle it belonged to stopped or was withdrawn.
    Cancelled,
}

impl CaseState {
    pub const ALL: [CaseState; 13] = [
        CaseState::Draft,
        CaseState::Submitted,
        CaseState::Correction,
        CaseState::Review,
        CaseState::Paused,
        CaseState::Approved,
        CaseState::Issued,
        CaseState::Rejected,
        CaseState::Refused,
        CaseState::Withdrawn,
        CaseState::RevocationPending,
        CaseState::Revoked,
        CaseState::Cancelled,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Draft => "draft",
            CaseState::Submitted => "submitted",
            CaseState::Correction => "correction",
            CaseState::Review => "review",
            CaseState::Paused => "paused",
            CaseState::Approved => "approved",
            CaseState::Issued => "issued",
            CaseState::Rejected => "rejected",
            CaseState::Refused => "refused",
            CaseState::Withdrawn => "withdrawn",
            CaseState::RevocationPending => "revocation_pending",
            CaseState::Revoked => "revoked",
            CaseState::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|x| x.as_str() == s)
    }
    /// States in which the clock runs or is paused: the case is accepted and not yet decided.
    pub fn in_review(self) -> bool {
        matches!(self, CaseState::Review | CaseState::Paused)
    }
    /// No further action will come (except revocation of an issued result).
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            CaseState::Issued
                | CaseState::Rejected
                | CaseState::Refused
                | CaseState::Withdrawn
                | CaseState::Revoked
                | CaseState::Cancelled
        )
    }
}

/// The application form every item shares. Item-specific data goes in `details`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationForm {
    /// 联系人.
    pub contact_name: String,
    /// 联系电话: 11-digit mobile or a landline with area code.
    pub contact_phone: String,
    /// 通讯地址.
    #[serde(default)]
    pub address: String,
    /// 申请事项说明: what is asked for, in the applicant's words.
    pub details: String,
    /// Answers to the questions an automatically approved item's rule set asks (`form.<key>`
    /// facts), as typed; the rules read them with the declared types.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub fields: std::collections::BTreeMap<String, String>,
}

impl ApplicationForm {
    pub fn validate(&self, e: &mut FieldErrors) {
        e.text("form.contact_name", &self.contact_name, 50);
        let phone = self.contact_phone.trim();
        if phone.is_empty() {
            e.push("form.contact_phone", "required");
        } else if !valid_phone(phone) {
            e.push("form.contact_phone", "phone_format");
        }
        e.optional_text("form.address", &self.address, 200);
        e.text("form.details", &self.details, 2000);
    }
}

/// An 11-digit mobile number (1xxxxxxxxxx) or a landline such as 0791-86888888.
pub fn valid_phone(s: &str) -> bool {
    let digits = s.bytes().filter(|b| b.is_ascii_digit()).count();
    let shape_ok = s.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    shape_ok
        && ((digits == 11 && s.starts_with('1') && !s.contains('-'))
            || (7..=13).contains(&digits) && s.starts_with('0'))
}

/// A file stored content-addressed (by SHA-256) in the blob store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileRef {
    pub sha256: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

/// One material of the case, as the item's guide asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseMaterial {
    pub name: String,
    pub required: bool,
    /// The unit that already holds it (免提交): never asked of the applicant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<FileRef>,
    /// Case id the file was reused from (the government already held it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused_from: Option<String>,
    /// Provided by the bundle's one form (一表申请): nothing to hand in again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_bundle_form: bool,
    /// An electronic licence the applicant holds stands in for it (免提交): its identifier;
    /// the clerk sees it verified against the log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
}

impl CaseMaterial {
    pub fn is_provided(&self) -> bool {
        self.shared_by.is_some()
            || self.file.is_some()
            || self.in_bundle_form
            || self.licence.is_some()
    }
}

/// The bundle a case is a part of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BundleLink {
    pub id: String,
    /// The part's key within the bundle (`licence`, `seal`, …).
    pub part: String,
}

/// An application made by an authorised agent on the applicant's behalf (代办).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proxy {
    /// Account of the agent who files and follows the case.
    pub agent: String,
    pub agent_name: String,
    /// The authorisation (委托书) the agent holds, e.g. its number or a short description.
    pub authorisation: String,
}

/// One item of a correction request (补正告知): which material and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CorrectionItem {
    pub material: String,
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Correction {
    pub requested_at: Timestamp,
    pub requested_by: String,
    pub items: Vec<CorrectionItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrected_at: Option<Timestamp>,
    /// The date the correction notice asks the material by (补正期限), counted in working days
    /// from the request; it binds the applicant, so a new holiday notice never moves it earlier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub supply_by: Option<Date>,
}

/// A proof the applicant promised in writing to supply later (容缺受理 / 告知承诺).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Commitment {
    pub material: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfilled_at: Option<Timestamp>,
    /// Set when the due date passed without the proof: the promise was not kept.
    #[serde(default)]
    pub broken: bool,
}

/// The §45 procedures that stop the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PauseKind {
    Hearing,
    Testing,
    Inspection,
    ExpertReview,
    PublicNotice,
}

impl PauseKind {
    pub const ALL: [PauseKind; 5] = [
        PauseKind::Hearing,
        PauseKind::Testing,
        PauseKind::Inspection,
        PauseKind::ExpertReview,
        PauseKind::PublicNotice,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            PauseKind::Hearing => "hearing",
            PauseKind::Testing => "testing",
            PauseKind::Inspection => "inspection",
            PauseKind::ExpertReview => "expert_review",
            PauseKind::PublicNotice => "public_notice",
        }
    }
    pub fn parse(s: &str) -> Option<PauseKind> {
        PauseKind::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pause {
    pub kind: PauseKind,
    pub reason: String,
    pub started_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Timestamp>,
    /// Last day of a pause with a fixed length (a public notice period); the clock job ends it
    /// the day after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub until: Option<Date>,
}

/// An objection filed against a case during its public notice period (异议).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Objection {
    pub name: String,
    pub phone: String,
    pub reason: String,
    pub at: Timestamp,
}

/// The one §42 extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Extension {
    pub days: u16,
    pub reason: String,
    pub approved_by: String,
    pub at: Timestamp,
}

/// A completed review step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepRecord {
    pub name: String,
    pub actor: StepActor,
    pub by: String,
    pub at: Timestamp,
    pub opinion: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CaseDecision))]
pub struct Decision {
    pub approved: bool,
    pub reasons: String,
    pub by: String,
    pub at: Timestamp,
}

/// The printable documents a case produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NoticeKind {
    /// 受理通知书
    Acceptance,
    /// 补正告知书
    Correction,
    /// 不予受理决定书
    Refusal,
    /// 准予许可决定书
    Approval,
    /// 不予许可决定书
    Rejection,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 5] = [
        NoticeKind::Acceptance,
        NoticeKind::Correction,
        NoticeKind::Refusal,
        NoticeKind::Approval,
        NoticeKind::Rejection,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Acceptance => "acceptance",
            NoticeKind::Correction => "correction",
            NoticeKind::Refusal => "refusal",
            NoticeKind::Approval => "approval",
            NoticeKind::Rejection => "rejection",
        }
    }
    pub fn parse(s: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|x| x.as_str() == s)
    }
    /// The character in the document number (受/补/不受/准/不准).
    pub fn number_word(self) -> &'static str {
        match self {
            NoticeKind::Acceptance => "受",
            NoticeKind::Correction => "补",
            NoticeKind::Refusal => "不受",
            NoticeKind::Approval => "准",
            NoticeKind::Rejection => "不准",
        }
    }
}

/// A notice issued to the applicant; its number is assigned by the store, per unit, kind and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notice {
    pub kind: NoticeKind,
    pub number: String,
    pub issued_at: Timestamp,
    /// The legal due date when the notice was issued (a notice never changes afterwards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub legal_due: Option<Date>,
    /// A correction notice: the date it asked the material by, as issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub supply_by: Option<Date>,
    /// A date above was counted over a year whose holiday notice was not loaded yet: the
    /// document says it follows the statutory holidays until the year's arrangement is out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub provisional: bool,
}

/// One line of the case's own history, shown to the applicant and staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    pub at: Timestamp,
    pub by: String,
    pub action: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// The case aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    /// Opaque id, also the case number shown to people, e.g. `2026-000123`.
    pub id: String,
    pub item_code: String,
    pub item_name: String,
    /// Implementing unit: its clerks and approvers handle the case.
    pub unit: String,
    /// Published catalog version the case was opened on.
    pub item_version: i64,
    /// Account of the applicant (the person or enterprise the decision is about).
    pub applicant: String,
    pub applicant_name: String,
    /// 统一社会信用代码 or 身份证号 of the applicant, unmasked; pages mask it.
    pub applicant_id_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
    pub form: ApplicationForm,
    pub materials: Vec<CaseMaterial>,
    /// The item's process, frozen at submission.
    pub process: Process,
    pub legal_limit: TimeLimit,
    pub promised_limit: TimeLimit,
    pub state: CaseState,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<Timestamp>,
    /// When the clock started: acceptance, or receipt when §32 deems it accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<Timestamp>,
    /// Accepted on receipt because no correction was requested within 5 working days (§32).
    #[serde(default)]
    pub deemed_accepted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<Correction>,
    #[serde(default)]
    pub commitments: Vec<Commitment>,
    #[serde(default)]
    pub steps_done: Vec<StepRecord>,
    #[serde(default)]
    pub pauses: Vec<Pause>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<Extension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// Reasons for refusal (不予受理), withdrawal or revocation.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub closing_reasons: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Timestamp>,
    #[serde(default)]
    pub notices: Vec<Notice>,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    /// True when the whole case was handled online, with no visit to a window.
    #[serde(default = "yes")]
    pub online: bool,
    /// Visits to the window recorded by clerks.
    #[serde(default)]
    pub visits: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<BundleLink>,
    /// 统一社会信用代码 issued by this case (a business licence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_uscc: Option<String>,
    /// The automatic-approval decision with its trace, when the item is decided by rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_decision: Option<crate::rules::Decision>,
    /// Objections received during a public notice period.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objections: Vec<Objection>,
    /// Units that must sign a joint case (联合审查/联合验收) before it can be approved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cosigners: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signoffs: Vec<SignOff>,
    /// The credit measures the lists gave the applicant on submitting: 绿色通道 (first in the
    /// unit's queue) and 容缺受理 (a material may follow the acceptance).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub green_channel: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tolerance: bool,
}

/// A co-signing unit's opinion on a joint case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CaseSignOff))]
pub struct SignOff {
    pub unit: String,
    pub by: String,
    pub at: Timestamp,
    pub opinion: String,
}

fn yes() -> bool {
    true
}

/// Who acts, as the server authenticated them.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub username: &'a str,
    pub role: Role,
    pub unit: Option<&'a str>,
}

/// The clock job acts under this name.
pub const SYSTEM: &str = "system:clock";

impl Actor<'_> {
    pub fn system() -> Actor<'static> {
        Actor {
            username: SYSTEM,
            role: Role::Admin,
            unit: None,
        }
    }
}

/// What an actor may be to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Applicant,
    Clerk,
    Approver,
    /// Staff of a unit that co-signs a joint case.
    Cosigner,
    System,
    /// A rule set deciding an automatic approval, acting as `rules:<code>@v<version>`.
    Rules,
    Outsider,
}

impl Case {
    /// Who an applicant-side message goes to: the applicant and the agent, if any.
    pub fn applicant_recipients(&self) -> Vec<String> {
        let mut r = vec![format!("user:{}", self.applicant)];
        if let Some(p) = &self.proxy {
            r.push(format!("user:{}", p.agent));
        }
        r
    }
}

impl Case {
    /// The actor's relation to this case: the owner or their agent, staff of the implementing
    /// unit by role, the clock job, or nobody.
    pub fn party(&self, actor: &Actor) -> Party {
        // The clock job and bundles act under `system:…` names.
        if actor.username.starts_with("system:") {
            return Party::System;
        }
        if actor.username.starts_with("rules:") {
            return Party::Rules;
        }
        if actor.role == Role::Applicant {
            let agent = self
                .proxy
                .as_ref()
                .is_some_and(|p| p.agent == actor.username);
            return if actor.username == self.applicant || agent {
                Party::Applicant
            } else {
                Party::Outsider
            };
        }
        if actor.unit != Some(self.unit.as_str()) {
            let cosigns = actor
                .unit
                .is_some_and(|u| self.cosigners.iter().any(|c| c == u));
            return if cosigns && matches!(actor.role, Role::Clerk | Role::Approver) {
                Party::Cosigner
            } else {
                Party::Outsider
            };
        }
        match actor.role {
            Role::Clerk => Party::Clerk,
            Role::Approver => Party::Approver,
            _ => Party::Outsider,
        }
    }

    /// May this actor read the case? Applicants their own, staff their unit's, supervisors and
    /// administrators all.
    pub fn visible_to(&self, actor: &Actor) -> bool {
        matches!(actor.role, Role::Supervisor | Role::Admin) || self.party(actor) != Party::Outsider
    }

    /// The review step waiting to be done, if any (steps between acceptance and decision).
    pub fn next_step(&self) -> Option<&Step> {
        self.process.review.get(self.steps_done.len())
    }

    pub fn open_pause(&self) -> Option<&Pause> {
        self.pauses.iter().find(|p| p.ended_at.is_none())
    }

    pub fn open_commitments(&self) -> impl Iterator<Item = &Commitment> {
        self.commitments.iter().filter(|c| c.fulfilled_at.is_none())
    }

    /// Required materials the applicant has not yet provided.
    pub fn missing_materials(&self) -> Vec<&str> {
        self.materials
            .iter()
            .filter(|m| m.required && !m.is_provided())
            .map(|m| m.name.as_str())
            .collect()
    }

    /// Co-signing units that have not signed yet.
    pub fn unsigned(&self) -> Vec<&str> {
        self.cosigners
            .iter()
            .filter(|u| !self.signoffs.iter().any(|s| &s.unit == *u))
            .map(String::as_str)
            .collect()
    }

    /// Whether the applicant may still edit the form and materials.
    pub fn editable(&self) -> bool {
        matches!(self.state, CaseState::Draft | CaseState::Correction)
    }

    /// Notice of a kind, if issued.
    pub fn notice(&self, kind: NoticeKind) -> Option<&Notice> {
        self.notices.iter().rev().find(|n| n.kind == kind)
    }
}

/// Creates a draft for an item. `id` comes from the store's sequence.
pub struct NewCase<'a> {
    pub id: String,
    pub guide: &'a ItemGuide,
    pub item_version: i64,
    pub applicant: String,
    pub applicant_name: String,
    pub applicant_id_number: String,
    pub proxy: Option<Proxy>,
    pub form: ApplicationForm,
    pub now: Timestamp,
}

pub fn new_draft(n: NewCase) -> Case {
    let g = n.guide;
    Case {
        id: n.id,
        item_code: g.code.clone(),
        item_name: g.name.clone(),
        unit: g.unit.clone(),
        item_version: n.item_version,
        applicant: n.applicant,
        applicant_name: n.applicant_name,
        applicant_id_number: n.applicant_id_number,
        proxy: n.proxy,
        form: n.form,
        materials: g
            .materials
            .iter()
            .map(|m| CaseMaterial {
                name: m.name.clone(),
                required: m.required,
                shared_by: m.shared_by.clone(),
                file: None,
                reused_from: None,
                in_bundle_form: false,
                licence: None,
            })
            .collect(),
        process: Process::from_steps(&g.steps),
        legal_limit: g.legal_limit,
        promised_limit: g.promised_limit,
        state: CaseState::Draft,
        created_at: n.now,
        submitted_at: None,
        accepted_at: None,
        deemed_accepted: false,
        correction: None,
        commitments: Vec::new(),
        steps_done: Vec::new(),
        pauses: Vec::new(),
        extension: None,
        decision: None,
        closing_reasons: String::new(),
        closed_at: None,
        notices: Vec::new(),
        history: Vec::new(),
        online: true,
        visits: 0,
        bundle: None,
        issued_uscc: None,
        rule_decision: None,
        objections: Vec::new(),
        cosigners: Vec::new(),
        signoffs: Vec::new(),
        green_channel: false,
        tolerance: false,
    }
}

/// The district's civil date of an instant.
pub fn local_date(t: Timestamp) -> Date {
    t.to_zoned(district_tz()).date()
}

pub fn district_tz() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Asia/Shanghai").expect("bundled tz database has Asia/Shanghai")
}

#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod tests_support;
