//! The statutory clock of a case: legal and promised due dates, working time used, paused and
//! left, computed from the case's records and the calendar, never stored as typed numbers.
//!
//! The clock starts at acceptance (or at receipt when §32 deems the case accepted), stops while a
//! §45 procedure runs, and stops for good at the decision (or when the case is closed otherwise).
//! Limits in working days end on `add_working_days(start, limit + extension + paused days)`;
//! natural-day limits end on the natural date, moved to the next working day.

use super::{Case, local_date};
use crate::calendar::{Binds, Calendar, CalendarError, Moved, recount_moved};
use crate::catalog::TimeLimit;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

/// A case is due soon when this many working days or fewer are left.
pub const DUE_SOON_DAYS: i64 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ClockStatus {
    /// Not accepted yet (or never accepted).
    NotStarted,
    OnTime,
    DueSoon,
    Overdue,
    Paused,
    /// Decided or closed by the due date.
    FinishedOnTime,
    FinishedLate,
}

impl ClockStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockStatus::NotStarted => "not_started",
            ClockStatus::OnTime => "on_time",
            ClockStatus::DueSoon => "due_soon",
            ClockStatus::Overdue => "overdue",
            ClockStatus::Paused => "paused",
            ClockStatus::FinishedOnTime => "finished_on_time",
            ClockStatus::FinishedLate => "finished_late",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockView {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub started_on: Option<Date>,
    /// 法定期限 including the extension and paused days.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub legal_due: Option<Date>,
    /// 承诺期限 including paused days.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub promised_due: Option<Date>,
    /// Working time used, in working days to the minute (office minutes / minutes per day).
    pub used_working_days: f64,
    /// Working days not counted because of §45 pauses.
    pub paused_working_days: i64,
    /// Working days left to the legal due date (negative when past it).
    pub legal_left: Option<i64>,
    /// Working days left to the promised due date (negative when past it).
    pub promised_left: Option<i64>,
    /// Against the promised limit, the one the unit answers for day to day.
    pub status: ClockStatus,
    /// Against the legal limit.
    pub legal_status: ClockStatus,
    /// For a received case: the last day on which a correction may be requested (§32).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub correction_deadline: Option<Date>,
    /// True when a date above was counted over a year whose holiday notice is not loaded yet
    /// (the law's statutory days only; see `calendar::statutory`).
    pub provisional: bool,
    /// The provisional years the dates above were counted over.
    pub provisional_years: Vec<i16>,
}

impl ClockView {
    pub fn compute(
        case: &Case,
        now: Timestamp,
        cal: &Calendar,
    ) -> Result<ClockView, CalendarError> {
        // Shown only; a missing next year must not stop a submission (acceptance will say so).
        let correction_deadline = match (case.state, case.submitted_at) {
            (super::CaseState::Submitted, Some(s)) => cal
                .add_working_days(local_date(s), super::CORRECTION_WINDOW_DAYS)
                .ok(),
            _ => None,
        };
        // The date the applicant was asked to correct by is counted on the same calendar.
        let supply_years = match &case.correction {
            Some(c) if c.corrected_at.is_none() => c
                .supply_by
                .map(|d| cal.provisional_years(local_date(c.requested_at), d))
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let Some(start) = case.accepted_at else {
            let mut provisional_years = match (case.submitted_at, correction_deadline) {
                (Some(s), Some(d)) => cal.provisional_years(local_date(s), d),
                _ => Vec::new(),
            };
            merge_years(&mut provisional_years, supply_years);
            return Ok(ClockView {
                started_on: None,
                legal_due: None,
                promised_due: None,
                used_working_days: 0.0,
                paused_working_days: 0,
                legal_left: None,
                promised_left: None,
                status: ClockStatus::NotStarted,
                legal_status: ClockStatus::NotStarted,
                correction_deadline,
                provisional: !provisional_years.is_empty(),
                provisional_years,
            });
        };
        // The clock stops at the decision, or when the case closed without one.
        let stopped_at = case.decision.as_ref().map(|d| d.at).or(case.closed_at);
        let end = stopped_at.unwrap_or(now).max(start);
        let tz = super::district_tz();
        let civil = |t: Timestamp| t.to_zoned(tz.clone()).datetime();
        let start_day = local_date(start);
        let end_day = local_date(end);

        let mut paused_days = 0i64;
        let mut paused_natural = 0i64;
        let mut paused_minutes = 0i64;
        for p in &case.pauses {
            let p_end = p.ended_at.unwrap_or(end).min(end);
            if p_end <= p.started_at {
                continue;
            }
            let (a, b) = (local_date(p.started_at), local_date(p_end));
            paused_days += cal.working_days_between(a, b)?;
            paused_natural += (b - a).get_days() as i64;
            paused_minutes += cal.working_minutes_between(civil(p.started_at), civil(p_end))?;
        }
        let used_minutes =
            (cal.working_minutes_between(civil(start), civil(end))? - paused_minutes).max(0);
        let extension = case.extension.as_ref().map_or(0, |e| i64::from(e.days));
        let due = |limit: TimeLimit, extra: i64| -> Result<Date, CalendarError> {
            match limit {
                TimeLimit::OnTheSpot => Ok(start_day),
                TimeLimit::WorkingDays(n) => {
                    cal.add_working_days(start_day, (i64::from(n) + extra + paused_days) as u32)
                }
                TimeLimit::NaturalDays(n) => {
                    cal.natural_deadline(start_day, (i64::from(n) + extra + paused_natural) as u32)
                }
            }
        };
        let legal_due = due(case.legal_limit, extension)?;
        let promised_due = due(case.promised_limit, 0)?;
        let left = |due: Date| -> Result<i64, CalendarError> {
            if end_day <= due {
                cal.working_days_between(end_day, due)
            } else {
                Ok(-cal.working_days_between(due, end_day)?)
            }
        };
        let legal_left = left(legal_due)?;
        let promised_left = left(promised_due)?;
        let status_of = |left: i64| {
            if stopped_at.is_some() {
                if left >= 0 {
                    ClockStatus::FinishedOnTime
                } else {
                    ClockStatus::FinishedLate
                }
            } else if left < 0 {
                ClockStatus::Overdue
            } else if case.open_pause().is_some() {
                ClockStatus::Paused
            } else if left <= DUE_SOON_DAYS {
                ClockStatus::DueSoon
            } else {
                ClockStatus::OnTime
            }
        };
        let mut provisional_years =
            cal.provisional_years(start_day, legal_due.max(promised_due).max(end_day));
        merge_years(&mut provisional_years, supply_years);
        Ok(ClockView {
            started_on: Some(start_day),
            legal_due: Some(legal_due),
            promised_due: Some(promised_due),
            used_working_days: used_minutes as f64 / cal.hours().minutes_per_day() as f64,
            paused_working_days: paused_days,
            legal_left: Some(legal_left),
            promised_left: Some(promised_left),
            status: status_of(promised_left),
            legal_status: status_of(legal_left),
            correction_deadline,
            provisional: !provisional_years.is_empty(),
            provisional_years,
        })
    }
}

fn merge_years(years: &mut Vec<i16>, more: Vec<i16>) {
    years.extend(more);
    years.sort_unstable();
    years.dedup();
}

/// The case as a new holiday notice leaves it, with the dates that moved: its legal and promised
/// due dates and the §32 correction window follow the notice (they bind the unit); the date the
/// correction notice gave the applicant never moves earlier.
pub fn recount(
    case: &Case,
    now: Timestamp,
    old: &Calendar,
    new: &Calendar,
) -> Result<(Case, Vec<Moved>), CalendarError> {
    let mut case = case.clone();
    let mut moved = Vec::new();
    if let Some(corr) = case.correction.as_mut()
        && corr.corrected_at.is_none()
        && let Some(due) = corr.supply_by
    {
        let anchor = local_date(corr.requested_at);
        if let Some(m) = recount_moved("supply_by", old, new, anchor, due, Binds::Applicant)? {
            corr.supply_by = Some(m.after);
            moved.push(m);
        }
    }
    let (before, after) = (
        ClockView::compute(&case, now, old)?,
        ClockView::compute(&case, now, new)?,
    );
    let stopped = case.decision.is_some() || case.closed_at.is_some();
    let pairs = [
        ("legal_due", before.legal_due, after.legal_due),
        ("promised_due", before.promised_due, after.promised_due),
        (
            "correction_deadline",
            before.correction_deadline,
            after.correction_deadline,
        ),
    ];
    for (field, b, a) in pairs {
        if let (false, Some(b), Some(a)) = (stopped, b, a) {
            moved.extend(Moved::between(field, Binds::Administration, b, a));
        }
    }
    Ok((case, moved))
}
