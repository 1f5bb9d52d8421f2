//! 信用西湖 (R7): credit records of market entities and persons, their publication clock and
//! their repair (信用修复).
//!
//! The clock follows NDRC Order No. 36 (in force 2026-04-01), counted from the decision date in
//! calendar months and years: a minor record is not published unless its unit decides so, and
//! then for at most 3 months; an ordinary one for 3 months to 1 year; a serious one for 1 to 3
//! years. After the minimum the subject may ask for repair, which the deciding unit handles
//! (谁认定、谁修复) within [`REPAIR_DECISION_DAYS`] working days; publication ends by itself at
//! the maximum. A record's standing today is computed from its dates and its repair, so a
//! repair or an expiry lifts its measures everywhere at once, with nothing left to update.

use crate::calendar::Calendar;
use crate::records::Notify;
use crate::refusal::Refusal;
use crate::validation::FieldErrors;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub mod integrity;
pub mod lists;
#[cfg(test)]
mod tests;

/// The district's credit office (the 发展和改革委员会 runs social credit): it keeps the lists and
/// stands as the deciding unit of records moved from earlier versions without one.
pub const CREDIT_OFFICE: &str = "XH-FGW";

/// The legal basis of a broken written commitment.
pub const COMMITMENT_BASIS: &str = "《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》（国办发〔2020〕42号）";

/// The legal basis of the serious-dishonesty list.
pub const SERIOUS_DISHONESTY_BASIS: &str =
    "《失信行为纠正后的信用信息修复管理办法》；《严重失信主体名单管理办法》";

/// Working days the deciding unit has to decide a repair request: the district's choice,
/// following the national practice of deciding within five working days of acceptance.
pub const REPAIR_DECISION_DAYS: u32 = 5;

/// Who a record concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CreditSubjectKind))]
pub enum SubjectKind {
    /// A market entity, by its 统一社会信用代码.
    Enterprise,
    /// A natural person, by identity number (never shown unmasked in public).
    Person,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Enterprise => "enterprise",
            SubjectKind::Person => "person",
        }
    }
}

/// The kinds of record the data list collects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CreditKind {
    /// 行政许可 (published under 双公示; neither good nor bad).
    Licence,
    /// 行政处罚.
    Penalty,
    /// 经营异常名录.
    AbnormalOperation,
    /// 严重失信主体名单.
    SeriousDishonesty,
    /// A broken written commitment (告知承诺) found on a case.
    BrokenCommitment,
    /// 红名单, honours.
    Honour,
}

impl CreditKind {
    pub const ALL: [CreditKind; 6] = [
        CreditKind::Licence,
        CreditKind::Penalty,
        CreditKind::AbnormalOperation,
        CreditKind::SeriousDishonesty,
        CreditKind::BrokenCommitment,
        CreditKind::Honour,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CreditKind::Licence => "licence",
            CreditKind::Penalty => "penalty",
            CreditKind::AbnormalOperation => "abnormal_operation",
            CreditKind::SeriousDishonesty => "serious_dishonesty",
            CreditKind::BrokenCommitment => "broken_commitment",
            CreditKind::Honour => "honour",
        }
    }

    pub fn parse(s: &str) -> Option<CreditKind> {
        CreditKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Dishonesty (失信信息): published on the clock, repairable, and behind sanctions.
    pub fn dishonest(self) -> bool {
        matches!(
            self,
            CreditKind::Penalty
                | CreditKind::AbnormalOperation
                | CreditKind::SeriousDishonesty
                | CreditKind::BrokenCommitment
        )
    }
}

/// 轻微 / 一般 / 严重.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Severity {
    Minor,
    Ordinary,
    Serious,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Minor => "minor",
            Severity::Ordinary => "ordinary",
            Severity::Serious => "serious",
        }
    }
}

/// A record as a unit enters it (or the platform, for broken commitments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewRecord {
    pub subject_kind: SubjectKind,
    /// USCC of an enterprise, identity number of a person.
    pub subject_id: String,
    pub subject_name: String,
    pub kind: CreditKind,
    pub severity: Severity,
    /// 认定单位 (its unit code).
    pub unit: String,
    /// The decision document's number (决定书文号).
    pub document: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub decided_on: Date,
    /// 法律依据; a record without one is refused.
    pub legal_basis: String,
    /// What was found, in a sentence the public reads.
    #[serde(default)]
    pub summary: String,
    /// Minor records only: months the unit decided to publish it (1–3); none means unpublished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_months: Option<u8>,
    /// The case it comes from (broken commitments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
}

impl NewRecord {
    /// Every field checked, each bad one named.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        match self.subject_kind {
            SubjectKind::Enterprise => {
                if let Err(err) = crate::ids::Uscc::parse(&self.subject_id) {
                    e.push("subject_id", err.code());
                }
            }
            SubjectKind::Person => {
                if let Err(err) = crate::ids::IdNumber::parse(&self.subject_id) {
                    e.push("subject_id", err.code());
                }
            }
        }
        e.text("subject_name", &self.subject_name, 100);
        e.text("unit", &self.unit, 40);
        e.text("document", &self.document, 100);
        e.text("legal_basis", &self.legal_basis, 500);
        e.optional_text("summary", &self.summary, 1000);
        match (self.severity, self.publish_months) {
            (Severity::Minor, Some(m)) if !(1..=3).contains(&m) => {
                e.push_detail("publish_months", "out_of_range", "1–3")
            }
            (Severity::Ordinary | Severity::Serious, Some(_)) => {
                e.push("publish_months", "minor_only")
            }
            _ => {}
        }
        e.into_result(())
    }
}

/// When a record is published and when it may be repaired, from its decision date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Window {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    /// The last day of publication (`None`: open-ended, for licences and honours).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub until: Option<Date>,
    /// The first day a repair may be asked for (dishonesty only).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub repair_from: Option<Date>,
}

fn plus_months(d: Date, months: i64) -> Date {
    d.checked_add(jiff::Span::new().months(months))
        .expect("dates within range")
}

/// The publication window of a record, or `None` when it is not published at all (a minor
/// record its unit did not decide to publish).
pub fn window(r: &NewRecord) -> Option<Window> {
    let d = r.decided_on;
    // Published through the day before the anniversary: 3 months from 2026-01-15 ends 2026-04-14.
    let until = |months: i64| Some(plus_months(d, months).yesterday().expect("in range"));
    if !r.kind.dishonest() {
        return Some(Window {
            from: d,
            until: None,
            repair_from: None,
        });
    }
    match r.severity {
        Severity::Minor => r.publish_months.map(|m| Window {
            from: d,
            until: until(i64::from(m)),
            repair_from: Some(d),
        }),
        Severity::Ordinary => Some(Window {
            from: d,
            until: until(12),
            repair_from: Some(plus_months(d, 3)),
        }),
        Severity::Serious => Some(Window {
            from: d,
            until: until(36),
            repair_from: Some(plus_months(d, 12)),
        }),
    }
}

/// A request for repair and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Repair {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub requested_on: Date,
    pub requested_by: String,
    /// How the violation was corrected.
    pub correction: String,
    /// The obligations met (fines paid, orders complied with).
    pub obligations: String,
    /// The public credit commitment (信用承诺) the subject made.
    pub commitment: String,
    /// The deciding unit's deadline.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub decide_by: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<RepairDecision>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepairDecision {
    pub approved: bool,
    pub reasons: String,
    pub by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: Date,
}

/// A dispute (异议) the subject raised against a record, and the unit's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dispute {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub raised_on: Date,
    pub raised_by: String,
    /// What the subject says is wrong.
    pub text: String,
    /// The deciding unit's deadline.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub answer_by: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<DisputeAnswer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisputeAnswer {
    /// Upheld: the record was wrong and is withdrawn.
    pub upheld: bool,
    pub text: String,
    pub by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: Date,
}

/// A credit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditRecord {
    pub id: String,
    #[serde(flatten)]
    pub entered: NewRecord,
    pub window: Option<Window>,
    /// Repair requests, oldest first; at most one undecided.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repairs: Vec<Repair>,
    /// Disputes, oldest first; at most one unanswered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disputes: Vec<Dispute>,
}

/// What a record does today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Standing {
    /// Published and in force: its measures apply.
    Published,
    /// In force but not published (a minor record): kept, no measures.
    Unpublished,
    /// Repaired: no longer published, its measures lifted.
    Repaired,
    /// Its publication period is over.
    Expired,
    /// Withdrawn after an upheld dispute: it was wrong; no measures, not shown to the public.
    Withdrawn,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Published => "published",
            Standing::Unpublished => "unpublished",
            Standing::Repaired => "repaired",
            Standing::Expired => "expired",
            Standing::Withdrawn => "withdrawn",
        }
    }
}

impl CreditRecord {
    pub fn new(id: String, entered: NewRecord) -> CreditRecord {
        CreditRecord {
            id,
            window: window(&entered),
            entered,
            repairs: Vec::new(),
            disputes: Vec::new(),
        }
    }

    pub fn withdrawn(&self) -> bool {
        self.disputes
            .iter()
            .any(|d| d.answer.as_ref().is_some_and(|a| a.upheld))
    }

    pub fn pending_dispute(&self) -> Option<&Dispute> {
        self.disputes.iter().find(|d| d.answer.is_none())
    }

    /// The earliest answer the deciding unit owes (a repair to decide, a dispute to answer).
    pub fn unit_due(&self) -> Option<Date> {
        let repair = self.pending_repair().map(|p| p.decide_by);
        let dispute = self.pending_dispute().map(|d| d.answer_by);
        repair.into_iter().chain(dispute).min()
    }

    pub fn repaired(&self) -> bool {
        self.repairs
            .iter()
            .any(|r| r.decision.as_ref().is_some_and(|d| d.approved))
    }

    pub fn pending_repair(&self) -> Option<&Repair> {
        self.repairs.iter().find(|r| r.decision.is_none())
    }

    /// The record's standing on `today`.
    pub fn standing(&self, today: Date) -> Standing {
        if self.withdrawn() {
            return Standing::Withdrawn;
        }
        if self.repaired() {
            return Standing::Repaired;
        }
        match self.window {
            None => Standing::Unpublished,
            Some(w) if today < w.from => Standing::Unpublished,
            Some(w) if w.until.is_some_and(|u| today > u) => Standing::Expired,
            Some(_) => Standing::Published,
        }
    }

    /// Published dishonesty today: what the measures (no 告知承诺, a higher inspection ratio,
    /// exclusion where a policy says so) act on.
    pub fn dishonest_on(&self, today: Date) -> bool {
        self.entered.kind.dishonest() && self.standing(today) == Standing::Published
    }

    /// The subject's identifier as the public reads it: a person's masked.
    pub fn public_subject_id(&self) -> String {
        match self.entered.subject_kind {
            SubjectKind::Enterprise => self.entered.subject_id.clone(),
            SubjectKind::Person => crate::ids::IdNumber::parse(&self.entered.subject_id)
                .map(|i| i.masked())
                .unwrap_or_else(|_| "*".repeat(self.entered.subject_id.chars().count())),
        }
    }
}

/// Who acts on a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The subject (its accounts).
    Subject,
    /// Staff of the deciding unit.
    DecidingUnit,
    Other,
}

/// A change to a record after it is entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CreditCommand))]
pub enum Command {
    /// The subject asks for repair: the violation corrected, obligations met, a commitment made.
    RequestRepair {
        correction: String,
        obligations: String,
        commitment: String,
    },
    /// The deciding unit decides the pending request (reasons required to refuse).
    DecideRepair { approved: bool, reasons: String },
    /// The subject disputes the record (异议): what is wrong with it.
    Dispute { text: String },
    /// The deciding unit answers the dispute; upheld withdraws the record.
    AnswerDispute { upheld: bool, text: String },
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::RequestRepair { .. } => "request_repair",
            Command::DecideRepair { .. } => "decide_repair",
            Command::Dispute { .. } => "dispute",
            Command::AnswerDispute { .. } => "answer_dispute",
        }
    }
}

/// The actions a party may take on a record today.
pub fn allowed(r: &CreditRecord, party: Party, today: Date) -> Vec<&'static str> {
    let mut out = Vec::new();
    let published = r.dishonest_on(today);
    let in_force = matches!(
        r.standing(today),
        Standing::Published | Standing::Unpublished
    );
    match party {
        Party::Subject => {
            if published
                && r.pending_repair().is_none()
                && r.window
                    .and_then(|w| w.repair_from)
                    .is_some_and(|d| today >= d)
            {
                out.push("request_repair");
            }
            if in_force && r.pending_dispute().is_none() {
                out.push("dispute");
            }
        }
        Party::DecidingUnit => {
            if r.pending_repair().is_some() {
                out.push("decide_repair");
            }
            if r.pending_dispute().is_some() {
                out.push("answer_dispute");
            }
        }
        Party::Other => {}
    }
    out
}

/// What a change caused besides the record: whom to tell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effects {
    pub messages: Vec<Notify>,
}

/// Applies a command: the next record and its effects, or the refusal. `who` is the acting
/// account. A request tells the deciding unit (it has a deadline); a decision tells whoever
/// asked.
pub fn apply(
    r: &CreditRecord,
    cmd: &Command,
    party: Party,
    who: &str,
    today: Date,
    calendar: &Calendar,
) -> Result<(CreditRecord, Effects), Refusal> {
    if party == Party::Other {
        return Err(Refusal::Forbidden);
    }
    let allowed_now = allowed(r, party, today);
    if !allowed_now.contains(&cmd.name()) {
        let reason = match cmd {
            Command::RequestRepair { .. } if !r.entered.kind.dishonest() => Some("not_dishonest"),
            Command::RequestRepair { .. } if r.pending_repair().is_some() => Some("repair_pending"),
            Command::RequestRepair { .. } if r.standing(today) != Standing::Published => {
                Some("not_published")
            }
            Command::RequestRepair { .. } => Some("before_minimum_period"),
            Command::DecideRepair { .. } => Some("no_pending_repair"),
            Command::Dispute { .. } if r.pending_dispute().is_some() => Some("dispute_pending"),
            Command::Dispute { .. } => Some("not_in_force"),
            Command::AnswerDispute { .. } => Some("no_pending_dispute"),
        };
        return Err(Refusal::NotAllowed {
            action: cmd.name(),
            state: r.standing(today).as_str(),
            allowed: allowed_now,
            reason,
        });
    }
    let mut next = r.clone();
    let mut fx = Effects::default();
    match cmd {
        Command::RequestRepair {
            correction,
            obligations,
            commitment,
        } => {
            let mut e = FieldErrors::new();
            e.text("correction", correction, 2000);
            e.text("obligations", obligations, 2000);
            e.text("commitment", commitment, 2000);
            e.into_result(())?;
            next.repairs.push(Repair {
                requested_on: today,
                requested_by: who.into(),
                correction: correction.trim().into(),
                obligations: obligations.trim().into(),
                commitment: commitment.trim().into(),
                decide_by: calendar.add_working_days(today, REPAIR_DECISION_DAYS)?,
                decision: None,
            });
            fx.messages
                .push(Notify::unit(&r.entered.unit, "credit_repair_requested"));
        }
        Command::DecideRepair { approved, reasons } => {
            if !approved && reasons.trim().is_empty() {
                return Err(FieldErrors::single("reasons", "required").into());
            }
            let pending = next
                .repairs
                .iter_mut()
                .find(|p| p.decision.is_none())
                .expect("allowed only with a pending request");
            pending.decision = Some(RepairDecision {
                approved: *approved,
                reasons: reasons.trim().into(),
                by: who.into(),
                on: today,
            });
            fx.messages
                .push(Notify::user(&pending.requested_by, "credit_repair_decided"));
        }
        Command::Dispute { text } => {
            let mut e = FieldErrors::new();
            e.text("text", text, 2000);
            e.into_result(())?;
            next.disputes.push(Dispute {
                raised_on: today,
                raised_by: who.into(),
                text: text.trim().into(),
                answer_by: calendar.add_working_days(today, REPAIR_DECISION_DAYS)?,
                answer: None,
            });
            fx.messages
                .push(Notify::unit(&r.entered.unit, "credit_dispute_raised"));
        }
        Command::AnswerDispute { upheld, text } => {
            let mut e = FieldErrors::new();
            e.text("text", text, 2000);
            e.into_result(())?;
            let pending = next
                .disputes
                .iter_mut()
                .find(|d| d.answer.is_none())
                .expect("allowed only with a pending dispute");
            pending.answer = Some(DisputeAnswer {
                upheld: *upheld,
                text: text.trim().into(),
                by: who.into(),
                on: today,
            });
            fx.messages
                .push(Notify::user(&pending.raised_by, "credit_dispute_answered"));
        }
    }
    Ok((next, fx))
}

/// A loaded holiday notice recounts the deciding unit's open deadlines (a repair to decide, a
/// dispute to answer) from the day they were asked; both bind the unit.
pub fn recount(
    r: &CreditRecord,
    old: &Calendar,
    new: &Calendar,
) -> Result<(CreditRecord, Vec<crate::calendar::Moved>), crate::calendar::CalendarError> {
    use crate::calendar::{Binds, recount_moved};
    let mut r = r.clone();
    let mut moved = Vec::new();
    for p in r.repairs.iter_mut().filter(|p| p.decision.is_none()) {
        if let Some(m) = recount_moved(
            "decide_by",
            old,
            new,
            p.requested_on,
            p.decide_by,
            Binds::Administration,
        )? {
            p.decide_by = m.after;
            moved.push(m);
        }
    }
    for d in r.disputes.iter_mut().filter(|d| d.answer.is_none()) {
        if let Some(m) = recount_moved(
            "answer_by",
            old,
            new,
            d.raised_on,
            d.answer_by,
            Binds::Administration,
        )? {
            d.answer_by = m.after;
            moved.push(m);
        }
    }
    Ok((r, moved))
}
