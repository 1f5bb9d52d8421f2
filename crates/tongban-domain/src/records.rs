//! The kinds of record a message (and, in time, an audit entry) can be about, one per
//! capability that keeps records. A message refers to its record by kind and id, so the inbox and
//! the e-mail link to any capability's record the same way.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RecordKind {
    Case,
    /// A policy declaration (惠企政策申报).
    Declaration,
    /// A one-thing-one-time bundle (start-up, deregistration, construction project).
    Bundle,
    /// A 12345 hotline ticket.
    HotlineTicket,
    /// A rectification ticket opened by a bad rating (差评整改).
    Rectification,
    /// A year of the working-day calendar (its notice to load).
    CalendarYear,
    /// A credit record (信用记录).
    CreditRecord,
    /// A plan of 双随机、一公开 (its publication and draw).
    InspectionPlan,
    /// One check of a drawn plan (its result).
    InspectionCheck,
    /// A risk warning (风险预警) sent to a unit to verify.
    RiskWarning,
    /// A commitment of the district to an enterprise (政务诚信).
    GovPromise,
    /// An electronic licence (its versions).
    Licence,
    /// A unit's progress report on a task of the action plan.
    PlanReport,
    /// A supervision round (督查) and its notice.
    SupervisionRound,
    /// A monthly report for the district's leadership (a PDF kept with its inputs).
    MonthlyReport,
}

impl RecordKind {
    pub const ALL: [RecordKind; 15] = [
        RecordKind::Case,
        RecordKind::Declaration,
        RecordKind::Bundle,
        RecordKind::HotlineTicket,
        RecordKind::Rectification,
        RecordKind::CalendarYear,
        RecordKind::CreditRecord,
        RecordKind::InspectionPlan,
        RecordKind::InspectionCheck,
        RecordKind::RiskWarning,
        RecordKind::GovPromise,
        RecordKind::Licence,
        RecordKind::PlanReport,
        RecordKind::SupervisionRound,
        RecordKind::MonthlyReport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Case => "case",
            RecordKind::Declaration => "declaration",
            RecordKind::Bundle => "bundle",
            RecordKind::HotlineTicket => "hotline_ticket",
            RecordKind::Rectification => "rectification",
            RecordKind::CalendarYear => "calendar_year",
            RecordKind::CreditRecord => "credit_record",
            RecordKind::InspectionPlan => "inspection_plan",
            RecordKind::InspectionCheck => "inspection_check",
            RecordKind::RiskWarning => "risk_warning",
            RecordKind::GovPromise => "gov_promise",
            RecordKind::Licence => "licence",
            RecordKind::PlanReport => "plan_report",
            RecordKind::SupervisionRound => "supervision_round",
            RecordKind::MonthlyReport => "monthly_report",
        }
    }

    pub fn parse(s: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A message a transition asks to send about its own record: the inbox (and e-mail) of a user
/// (`user:NAME`) or a unit (`unit:CODE`), with a message key (`inbox.<kind>` in the catalog).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    pub to: String,
    pub kind: &'static str,
}

impl Notify {
    pub fn unit(code: &str, kind: &'static str) -> Notify {
        Notify {
            to: format!("unit:{code}"),
            kind,
        }
    }
    pub fn user(name: &str, kind: &'static str) -> Notify {
        Notify {
            to: format!("user:{name}"),
            kind,
        }
    }
}

/// One record: its kind and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordRef<'a> {
    pub kind: RecordKind,
    pub id: &'a str,
}

impl<'a> RecordRef<'a> {
    pub fn new(kind: RecordKind, id: &'a str) -> RecordRef<'a> {
        RecordRef { kind, id }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back() {
        for k in RecordKind::ALL {
            assert_eq!(RecordKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(RecordKind::parse("nothing"), None);
    }
}
