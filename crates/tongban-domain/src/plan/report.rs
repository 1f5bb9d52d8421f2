//! Units' progress reports on the tasks they lead (任务推进清单): one per task, lead unit and
//! quarter, due a number of working days after the quarter ends; text, evidence, and a figure for
//! each target the platform cannot compute — kept apart from computed figures, marked reported.
//! The business-environment office accepts or returns a report; a returned one is submitted
//! again. Reports not in by their due date raise an alert (the clock job).

use super::{Plan, Task};
use crate::FieldErrors;
use crate::calendar::Calendar;
use crate::cases::FileRef;
use crate::dashboard::Period;
use crate::records::Notify;
use crate::refusal::Refusal;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// What a unit submits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = NewPlanReport))]
pub struct NewReport {
    pub task: String,
    /// The quarter reported on, `2026-Q3`.
    pub period: String,
    pub text: String,
    /// Figures for the task's reported targets (not for those the platform computes).
    #[serde(default)]
    pub figures: Vec<ReportedFigure>,
    #[serde(default)]
    pub evidence: Vec<FileRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PlanReportedFigure))]
pub struct ReportedFigure {
    /// The target's id in the plan, e.g. `4.05.tax_hours`.
    pub target: String,
    pub value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PlanReportState))]
pub enum ReportState {
    Submitted,
    Accepted,
    Returned,
}

impl ReportState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Submitted => "submitted",
            ReportState::Accepted => "accepted",
            ReportState::Returned => "returned",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PlanReportReview))]
pub struct ReportReview {
    pub accepted: bool,
    pub note: String,
    pub by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: Date,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PlanReport))]
pub struct Report {
    pub id: String,
    pub unit: String,
    #[serde(flatten)]
    pub report: NewReport,
    pub state: ReportState,
    pub submitted_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub submitted_on: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due: Date,
    /// Submitted after the due date.
    pub late: bool,
    /// Reviews so far, oldest first (a returned report is submitted again).
    #[serde(default)]
    pub reviews: Vec<ReportReview>,
}

/// Working days after a quarter's end by which its report is due, unless the plan says otherwise.
pub const DEFAULT_REPORT_DAYS: u32 = 10;

/// The due date of a quarter's report.
pub fn due(
    period: Period,
    days: u32,
    cal: &Calendar,
) -> Result<Date, crate::calendar::CalendarError> {
    cal.add_working_days(period.months().1.last_day(), days)
}

/// The quarter a report is about: `2026-Q3`, begun by `today`.
fn quarter(s: &str, today: Date) -> Result<Period, &'static str> {
    match Period::parse(s) {
        Some(p @ Period::Quarter(..)) if p.months().0.first_day() <= today => Ok(p),
        Some(Period::Quarter(..)) => Err("future_period"),
        _ => Err("invalid_quarter"),
    }
}

impl NewReport {
    /// Checks a report against the plan for `unit`: the task is the unit's, the quarter has
    /// begun, the figures are for the task's reported targets.
    pub fn check<'p>(
        &self,
        plan: &'p Plan,
        unit: &str,
        is_department: bool,
        today: Date,
    ) -> Result<(&'p Task, Period), FieldErrors> {
        let mut e = FieldErrors::new();
        let task = plan.task(&self.task);
        match task {
            None => e.push("task", "unknown_task"),
            Some(t) if !t.is_led_by(unit, is_department) => e.push("task", "not_your_task"),
            Some(_) => {}
        }
        let period = quarter(&self.period, today)
            .map_err(|code| e.push("period", code))
            .ok();
        e.text("text", &self.text, 4000);
        if let Some(t) = task {
            for (i, f) in self.figures.iter().enumerate() {
                match t.target.iter().find(|g| g.id == f.target) {
                    None => e.push(format!("figures[{i}].target"), "unknown_target"),
                    Some(g) if !g.is_reported() => {
                        e.push(format!("figures[{i}].target"), "computed_by_platform")
                    }
                    Some(_) if !f.value.is_finite() || f.value < 0.0 => {
                        e.push(format!("figures[{i}].value"), "invalid_value")
                    }
                    Some(_) => {}
                }
                if self.figures[..i].iter().any(|o| o.target == f.target) {
                    e.push(format!("figures[{i}].target"), "duplicate");
                }
            }
        }
        if self.evidence.len() > 10 {
            e.push_detail("evidence", "too_many", "10");
        }
        match (task, period) {
            (Some(t), Some(p)) if e.is_empty() => Ok((t, p)),
            _ => Err(e),
        }
    }
}

impl Report {
    /// A report submitted, or submitted again after it was returned (`before`).
    pub fn submit(
        id: String,
        before: Option<&Report>,
        new: NewReport,
        unit: &str,
        by: &str,
        today: Date,
        due: Date,
    ) -> Result<(Report, Vec<Notify>), Refusal> {
        if let Some(b) = before {
            if b.state != ReportState::Returned {
                return Err(Refusal::not_allowed("submit", b.state.as_str(), vec![])
                    .because("already_reported"));
            }
        }
        let report = Report {
            id,
            unit: unit.to_string(),
            report: new,
            state: ReportState::Submitted,
            submitted_by: by.to_string(),
            submitted_on: today,
            due,
            late: today > due,
            reviews: before.map(|b| b.reviews.clone()).unwrap_or_default(),
        };
        let tell = vec![Notify {
            to: format!("unit:{}", super::OFFICE),
            kind: "plan_report_submitted",
        }];
        Ok((report, tell))
    }

    /// The office accepts the report, or returns it with what is missing.
    pub fn review(
        &self,
        accepted: bool,
        note: &str,
        by: &str,
        today: Date,
    ) -> Result<(Report, Vec<Notify>), Refusal> {
        if self.state != ReportState::Submitted {
            let allowed = vec![];
            return Err(Refusal::not_allowed("review", self.state.as_str(), allowed));
        }
        if !accepted && note.trim().is_empty() {
            return Err(FieldErrors::single("note", "required").into());
        }
        let mut r = self.clone();
        r.state = if accepted {
            ReportState::Accepted
        } else {
            ReportState::Returned
        };
        r.reviews.push(ReportReview {
            accepted,
            note: note.trim().chars().take(2000).collect(),
            by: by.to_string(),
            on: today,
        });
        let kind = if accepted {
            "plan_report_accepted"
        } else {
            "plan_report_returned"
        };
        let to = format!("unit:{}", r.unit);
        Ok((r, vec![Notify { to, kind }]))
    }
}

/// A report the plan expects: a task's lead unit, a quarter, its due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub task: String,
    pub unit: String,
    pub period: Period,
    pub due: Date,
}

/// Every report expected from the quarter the plan's reporting starts to the last quarter that
/// has ended by `today`, for each task's named lead units (a lead of "every department" names no
/// one to chase).
pub fn expected(plan: &Plan, today: Date, cal: &Calendar) -> Vec<Expected> {
    let Some(from) = plan.reporting_from else {
        return Vec::new();
    };
    let mut quarters = Vec::new();
    let (mut y, mut q) = (from.year(), (from.month() - 1) / 3 + 1);
    loop {
        let p = Period::Quarter(y, q);
        if p.months().1.last_day() >= today {
            break;
        }
        quarters.push(p);
        (y, q) = if q == 4 { (y + 1, 1) } else { (y, q + 1) };
    }
    let days = plan.report_days.unwrap_or(DEFAULT_REPORT_DAYS);
    let mut out = Vec::new();
    for p in quarters {
        let Ok(d) = due(p, days, cal) else { continue };
        for t in &plan.task {
            for u in t.lead.iter().filter(|u| !u.starts_with('@')) {
                out.push(Expected {
                    task: t.id.clone(),
                    unit: u.clone(),
                    period: p,
                    due: d,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{OfficeHours, bundled_schedules};

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn plan() -> Plan {
        let text = super::super::BASELINE.replacen(
            "\n[[task]]",
            "\nreporting_from = \"2026-01-01\"\n\n[[task]]",
            1,
        );
        Plan::parse(&text, &|_| true).unwrap()
    }

    fn tax(figures: Vec<ReportedFigure>) -> NewReport {
        NewReport {
            task: "4.05".into(),
            period: "2026-Q3".into(),
            text: "办税事项全部网上可办".into(),
            figures,
            evidence: vec![],
        }
    }

    #[test]
    fn a_report_is_the_leads_on_a_begun_quarter_with_reported_figures_only() {
        let p = plan();
        let today = d("2026-10-09");
        let fig = |target: &str, value| ReportedFigure {
            target: target.into(),
            value,
        };
        assert!(
            tax(vec![fig("4.05.tax_hours", 96.0)])
                .check(&p, "XH-SWJ", true, today)
                .is_ok()
        );
        let codes = |r: Result<(&Task, Period), FieldErrors>| -> Vec<(String, &'static str)> {
            r.unwrap_err()
                .0
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect()
        };
        assert_eq!(
            codes(tax(vec![]).check(&p, "XH-SCJ", true, today)),
            vec![("task".into(), "not_your_task")]
        );
        let mut later = tax(vec![]);
        later.period = "2027-Q1".into();
        assert_eq!(
            codes(later.check(&p, "XH-SWJ", true, today)),
            vec![("period".into(), "future_period")]
        );
        later.period = "2026-11".into();
        assert_eq!(
            codes(later.check(&p, "XH-SWJ", true, today)),
            vec![("period".into(), "invalid_quarter")]
        );
        // The online share is the platform's to compute, not the unit's to report.
        let mut online = tax(vec![fig("4.04.online", 99.0)]);
        online.task = "4.04".into();
        assert_eq!(
            codes(online.check(&p, "XH-SPJ", true, today)),
            vec![("figures[0].target".into(), "computed_by_platform")]
        );
        assert_eq!(
            codes(
                tax(vec![fig("4.05.tax_hours", f64::NAN), fig("4.05.nope", 1.0)])
                    .check(&p, "XH-SWJ", true, today)
            ),
            vec![
                ("figures[0].value".into(), "invalid_value"),
                ("figures[1].target".into(), "unknown_target")
            ]
        );
    }

    #[test]
    fn reports_are_reviewed_returned_and_submitted_again_once() {
        let today = d("2026-10-09");
        let (r, tell) = Report::submit(
            "R1".into(),
            None,
            tax(vec![]),
            "XH-SWJ",
            "clerk.swj",
            today,
            d("2026-10-16"),
        )
        .unwrap();
        assert!(!r.late);
        assert_eq!(tell[0].to, "unit:XH-YSB");
        assert!(
            r.review(false, " ", "supervisor", today).is_err(),
            "a return says why"
        );
        let (back, tell) = r
            .review(false, "缺少佐证材料", "supervisor", today)
            .unwrap();
        assert_eq!(
            (back.state, tell[0].to.as_str()),
            (ReportState::Returned, "unit:XH-SWJ")
        );
        let later = d("2026-10-20");
        let (again, _) = Report::submit(
            "R1".into(),
            Some(&back),
            tax(vec![]),
            "XH-SWJ",
            "clerk.swj",
            later,
            back.due,
        )
        .unwrap();
        assert!(again.late && again.reviews.len() == 1);
        let (done, _) = again.review(true, "", "supervisor", later).unwrap();
        assert!(
            Report::submit(
                "R1".into(),
                Some(&done),
                tax(vec![]),
                "XH-SWJ",
                "x",
                later,
                done.due
            )
            .is_err()
        );
        assert!(done.review(true, "", "supervisor", later).is_err());
    }

    #[test]
    fn expected_reports_are_each_ended_quarters_named_leads() {
        let cal = Calendar::new(bundled_schedules(), OfficeHours::default());
        let p = plan();
        let e = expected(&p, d("2026-10-09"), &cal);
        let quarters: std::collections::BTreeSet<String> =
            e.iter().map(|x| x.period.to_string()).collect();
        assert_eq!(
            quarters.into_iter().collect::<Vec<_>>(),
            vec!["2026-Q1", "2026-Q2", "2026-Q3"]
        );
        let q3 = e
            .iter()
            .find(|x| x.period == Period::Quarter(2026, 3) && x.unit == "XH-SWJ")
            .unwrap();
        // Ten working days after 30 September, the National Day holiday skipped.
        assert_eq!(q3.due, cal.add_working_days(d("2026-09-30"), 10).unwrap());
        assert!(q3.due > d("2026-10-14"));
        assert!(e.iter().all(|x| !x.unit.starts_with('@')));
    }
}
