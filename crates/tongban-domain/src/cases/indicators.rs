//! Case indicators (R4), computed from finished cases: on-time rates against the legal and the
//! promised limit, working days used against promised, the share handled fully online and the
//! average number of visits. Each figure carries its numerator and denominator.

use super::{Case, ClockStatus, ClockView};
use crate::calendar::Calendar;
use jiff::Timestamp;
use serde::Serialize;

/// A ratio shown with what it was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CaseRatio))]
pub struct Ratio {
    pub numerator: f64,
    pub denominator: f64,
    /// numerator / denominator, `None` when there is nothing to divide.
    pub value: Option<f64>,
}

impl Ratio {
    pub fn new(numerator: f64, denominator: f64) -> Ratio {
        Ratio {
            numerator,
            denominator,
            value: (denominator > 0.0).then(|| numerator / denominator),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseIndicators {
    /// Cases accepted and finished (decided, or closed after acceptance).
    pub finished: usize,
    /// Finished by the legal due date (extension and pauses included).
    pub on_time_legal: Ratio,
    /// Finished by the promised due date.
    pub on_time_promised: Ratio,
    /// Average working days used (total used / finished cases).
    pub avg_used_days: Ratio,
    /// Average promised working days (total promised / finished cases).
    pub avg_promised_days: Ratio,
    /// Handled fully online (no visit recorded).
    pub fully_online: Ratio,
    /// Average visits to a window (total visits / finished cases).
    pub avg_visits: Ratio,
    /// Finished cases whose clock could not be computed (a year's schedule missing).
    pub unknown: usize,
}

/// What the case indicators are made of: counts, and totals of working days and visits.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sums {
    pub finished: usize,
    pub on_time_legal: usize,
    pub on_time_promised: usize,
    pub used_days: f64,
    pub promised_days: f64,
    pub fully_online: usize,
    pub visits: f64,
    pub unknown: usize,
}

impl CaseIndicators {
    pub fn of(s: Sums) -> CaseIndicators {
        let n = s.finished as f64;
        CaseIndicators {
            finished: s.finished,
            on_time_legal: Ratio::new(s.on_time_legal as f64, n),
            on_time_promised: Ratio::new(s.on_time_promised as f64, n),
            avg_used_days: Ratio::new(s.used_days, n),
            avg_promised_days: Ratio::new(s.promised_days, n),
            fully_online: Ratio::new(s.fully_online as f64, n),
            avg_visits: Ratio::new(s.visits, n),
            unknown: s.unknown,
        }
    }
}

/// The indicators counted from the cases themselves (the tallies keep the same sums; the tests
/// compare the two).
pub fn compute<'a>(
    cases: impl IntoIterator<Item = &'a Case>,
    now: Timestamp,
    cal: &Calendar,
) -> CaseIndicators {
    let mut s = Sums::default();
    for c in cases {
        let Ok(view) = ClockView::compute(c, now, cal) else {
            s.unknown += 1;
            continue;
        };
        s.finished += 1;
        s.on_time_legal += usize::from(view.legal_status == ClockStatus::FinishedOnTime);
        s.on_time_promised += usize::from(view.status == ClockStatus::FinishedOnTime);
        s.used_days += view.used_working_days;
        s.promised_days += c.promised_limit.approx_working_days();
        s.fully_online += usize::from(c.online && c.visits == 0);
        s.visits += f64::from(c.visits);
    }
    CaseIndicators::of(s)
}
