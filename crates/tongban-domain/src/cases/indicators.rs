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

pub fn compute<'a>(
    cases: impl IntoIterator<Item = &'a Case>,
    now: Timestamp,
    cal: &Calendar,
) -> CaseIndicators {
    let (mut n, mut legal, mut promised, mut used, mut promised_days, mut online, mut visits) =
        (0usize, 0usize, 0usize, 0.0f64, 0.0f64, 0usize, 0u64);
    let mut unknown = 0;
    for c in cases {
        let Ok(view) = ClockView::compute(c, now, cal) else {
            unknown += 1;
            continue;
        };
        n += 1;
        legal += usize::from(view.legal_status == ClockStatus::FinishedOnTime);
        promised += usize::from(view.status == ClockStatus::FinishedOnTime);
        used += view.used_working_days;
        promised_days += c.promised_limit.approx_working_days();
        online += usize::from(c.online && c.visits == 0);
        visits += u64::from(c.visits);
    }
    let nf = n as f64;
    CaseIndicators {
        finished: n,
        on_time_legal: Ratio::new(legal as f64, nf),
        on_time_promised: Ratio::new(promised as f64, nf),
        avg_used_days: Ratio::new(used, nf),
        avg_promised_days: Ratio::new(promised_days, nf),
        fully_online: Ratio::new(online as f64, nf),
        avg_visits: Ratio::new(visits as f64, nf),
        unknown,
    }
}
