//! The action plan as data (R11): the numbered tasks of §4 and the work requirements of §5,
//! each with its lead and cooperating units, measurable targets by year and milestones. The
//! business-environment office edits it as a document with its history (`data/xihu/plan.toml`
//! is the first version). A target either names a platform indicator (computed from the records)
//! or is *reported* by the lead units (tax, courts, loans): the two are never mixed.

use crate::FieldErrors;
use crate::dashboard::indicators::{self, Better};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub mod report;
pub mod round;

/// The district's business-environment office (营商办), which keeps the plan and reviews reports.
pub const OFFICE: &str = "XH-YSB";

/// Every district department, as a cooperating party (区直各有关单位).
pub const ALL_DEPARTMENTS: &str = "@departments";
/// Every street and town (各街道(镇)).
pub const ALL_STREETS: &str = "@streets";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub title: String,
    /// The first day of the first quarter units report on (none: no reports are chased).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporting_from: Option<Date>,
    /// Working days after a quarter's end by which its report is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_days: Option<u32>,
    #[serde(default)]
    pub task: Vec<Task>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// `4.01` … `4.21` (a second task printed with the same number gets a letter), `5.1` ….
    pub id: String,
    /// 4 (主要任务) or 5 (工作要求).
    pub section: u8,
    /// The number as printed: `1`, `(一)`.
    pub no: String,
    pub group: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    pub lead: Vec<String>,
    #[serde(default)]
    pub cooperate: Vec<String>,
    #[serde(default)]
    pub target: Vec<Target>,
    #[serde(default)]
    pub milestone: Vec<Milestone>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub id: String,
    /// The plan's own words.
    pub text: String,
    /// The platform indicator that measures it; none when the units report the figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    pub unit: String,
    pub better: Better,
    /// The value aimed at by year; a year without its own value keeps the last earlier one.
    pub by_year: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    pub due: Date,
    pub text: String,
}

impl Target {
    /// The value aimed at in `year`: its own, else the last earlier year's; none before the
    /// first year named.
    pub fn for_year(&self, year: i16) -> Option<f64> {
        self.by_year
            .iter()
            .filter_map(|(y, v)| Some((y.parse::<i16>().ok()?, *v)))
            .filter(|(y, _)| *y <= year)
            .max_by_key(|(y, _)| *y)
            .map(|(_, v)| v)
    }

    pub fn is_reported(&self) -> bool {
        self.indicator.is_none()
    }
}

impl Task {
    /// Whether `unit` leads the task (a department under `@departments` too).
    pub fn is_led_by(&self, unit: &str, is_department: bool) -> bool {
        self.lead
            .iter()
            .any(|l| l == unit || (l == ALL_DEPARTMENTS && is_department))
    }
}

impl Plan {
    /// Reads and checks the plan: ids unique, units known, indicators known, years and values
    /// sensible, every text filled.
    pub fn parse(text: &str, unit_exists: &dyn Fn(&str) -> bool) -> Result<Plan, FieldErrors> {
        let plan: Plan = toml::from_str(text).map_err(crate::validation::invalid_toml)?;
        let mut e = FieldErrors::new();
        if plan.title.trim().is_empty() {
            e.push("title", "required");
        }
        if plan.task.is_empty() {
            e.push("task", "required");
        }
        let mut ids = BTreeSet::new();
        let unit_ok = |u: &str| u == ALL_DEPARTMENTS || u == ALL_STREETS || unit_exists(u);
        for (i, t) in plan.task.iter().enumerate() {
            let at = |f: &str| format!("task[{i}].{f}");
            for (f, v) in [("id", &t.id), ("title", &t.title), ("no", &t.no)] {
                if v.trim().is_empty() {
                    e.push(at(f), "required");
                }
            }
            if !ids.insert(t.id.clone()) {
                e.push_detail(at("id"), "duplicate", t.id.clone());
            }
            if !(4..=5).contains(&t.section) {
                e.push(at("section"), "out_of_range");
            }
            if t.lead.is_empty() {
                e.push(at("lead"), "required");
            }
            for (f, list) in [("lead", &t.lead), ("cooperate", &t.cooperate)] {
                for (k, u) in list.iter().enumerate() {
                    if !unit_ok(u) {
                        e.push_detail(format!("task[{i}].{f}[{k}]"), "unknown_unit", u.clone());
                    }
                }
            }
            for (k, g) in t.target.iter().enumerate() {
                let at = |f: &str| format!("task[{i}].target[{k}].{f}");
                if !ids.insert(g.id.clone()) {
                    e.push_detail(at("id"), "duplicate", g.id.clone());
                }
                if g.text.trim().is_empty() {
                    e.push(at("text"), "required");
                }
                if let Some(ind) = &g.indicator {
                    match indicators::find(ind) {
                        None => e.push_detail(
                            at("indicator"),
                            "unknown_dashboard_indicator",
                            ind.clone(),
                        ),
                        // A platform indicator's target is in the indicator's own terms.
                        Some(i) if i.better != g.better => {
                            e.push(at("better"), "not_the_indicators")
                        }
                        Some(_) => {}
                    }
                }
                if g.by_year.is_empty() {
                    e.push(at("by_year"), "required");
                }
                for (y, v) in &g.by_year {
                    let year_ok = y.parse::<i16>().is_ok_and(|y| {
                        (crate::dashboard::FIRST_YEAR..=crate::dashboard::LAST_YEAR).contains(&y)
                    });
                    if !year_ok {
                        e.push_detail(at("by_year"), "invalid_year", y.clone());
                    } else if !v.is_finite() || *v < 0.0 {
                        e.push_detail(at("by_year"), "invalid_value", y.clone());
                    } else if g.unit == "%" && *v > 100.0 {
                        e.push_detail(at("by_year"), "over_100_percent", y.clone());
                    }
                }
            }
            for (k, m) in t.milestone.iter().enumerate() {
                if m.text.trim().is_empty() {
                    e.push(format!("task[{i}].milestone[{k}].text"), "required");
                }
            }
        }
        e.into_result(plan)
    }

    pub fn task(&self, id: &str) -> Option<&Task> {
        self.task.iter().find(|t| t.id == id)
    }

    /// The targets that name `indicator`, with their task.
    pub fn targets_of<'a>(
        &'a self,
        indicator: &'a str,
    ) -> impl Iterator<Item = (&'a Task, &'a Target)> + 'a {
        self.task.iter().flat_map(move |t| {
            t.target
                .iter()
                .filter(move |g| g.indicator.as_deref() == Some(indicator))
                .map(move |g| (t, g))
        })
    }

    /// The target of an indicator in `year` (the first target naming it).
    pub fn target_for(&self, indicator: &str, year: i16) -> Option<f64> {
        self.targets_of(indicator)
            .find_map(|(_, g)| g.for_year(year))
    }
}

/// The district's first plan (`data/xihu/plan.toml`).
pub const BASELINE: &str = include_str!("../../../../data/xihu/plan.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_districts_plan_reads_with_every_task_of_the_seed() {
        let p = Plan::parse(BASELINE, &|u| u.starts_with("XH")).unwrap();
        let fourth: Vec<&Task> = p.task.iter().filter(|t| t.section == 4).collect();
        // Tasks 1–21, the number 8 printed twice.
        assert_eq!(fourth.len(), 22);
        assert!(p.task.iter().any(|t| t.section == 5));
        assert_eq!(p.target_for("catalog.online", 2021), Some(60.0));
        assert_eq!(p.target_for("catalog.online", 2022), Some(90.0));
        assert_eq!(p.target_for("catalog.online", 2026), Some(100.0));
        assert_eq!(p.target_for("catalog.online", 2020), None);
        // The tax office reports its own figures.
        let tax = p.task("4.05").unwrap();
        assert!(tax.target.iter().all(Target::is_reported));
        assert!(tax.is_led_by("XH-SWJ", true));
    }

    #[test]
    fn a_bad_plan_is_refused_with_its_places() {
        let bad = r#"
title = "x"
[[task]]
id = "4.01"
section = 9
no = "1"
group = "g"
title = "t"
lead = ["NOPE"]
[[task.target]]
id = "4.01"
text = "t"
indicator = "cases.nothing"
unit = "%"
better = "higher"
by_year = { "20x1" = 60, "2022" = 130 }
"#;
        let e = Plan::parse(bad, &|u| u == "XH").unwrap_err();
        let got: Vec<(String, &str)> = e.0.iter().map(|f| (f.field.clone(), f.code)).collect();
        for want in [
            ("task[0].section", "out_of_range"),
            ("task[0].lead[0]", "unknown_unit"),
            ("task[0].target[0].id", "duplicate"),
            ("task[0].target[0].indicator", "unknown_dashboard_indicator"),
            ("task[0].target[0].by_year", "invalid_year"),
            ("task[0].target[0].by_year", "over_100_percent"),
        ] {
            assert!(
                got.contains(&(want.0.to_string(), want.1)),
                "{want:?} in {got:?}"
            );
        }
        let e = Plan::parse("title = ", &|_| true).unwrap_err();
        assert_eq!(e.0[0].code, "invalid_toml");
    }
}
