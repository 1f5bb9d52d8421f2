//! Construction approval of an ordinary social-investment project (R2, 工程建设项目审批): four
//! stages in order — 立项用地规划许可, 工程建设许可, 施工许可, 竣工验收 — the items inside a stage
//! in parallel. Drawing review and completion acceptance are joint cases that several units sign
//! off. Proofs accepted on commitment (容缺后补) must arrive before the stage closes: the next
//! stage waits for them. The whole project has 70 working days, budgeted per stage, pauses
//! (expert review, public notice) not counted.

use super::startup::PartPlan;
use crate::calendar::{Calendar, CalendarError};
use crate::cases::{Case, local_date};
use crate::validation::FieldErrors;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConstructionForm {
    /// 项目名称.
    pub project_name: String,
    /// 建设地点 in the district.
    pub location: String,
    /// 用地面积, square metres.
    pub land_area_m2: u32,
    /// 总建筑面积, square metres.
    pub floor_area_m2: u32,
    /// 总投资, fen.
    pub investment_fen: i64,
    /// 建设内容.
    pub description: String,
    /// Contact for every unit.
    pub contact_name: String,
    pub contact_phone: String,
    /// 重大项目: a project manager (项目经理) follows it.
    #[serde(default)]
    pub major: bool,
}

/// Names of the four stages, in order.
pub const STAGES: [&str; 4] = ["立项用地规划许可", "工程建设许可", "施工许可", "竣工验收"];
/// Working-day budget of each stage; together the 70 the action plan allows.
pub const STAGE_BUDGETS: [i64; 4] = [15, 25, 10, 20];
pub const PROJECT_BUDGET: i64 = 70;

impl ConstructionForm {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        e.text("project_name", &self.project_name, 100);
        e.text("location", &self.location, 200);
        if self.land_area_m2 == 0 {
            e.push("land_area_m2", "must_be_positive");
        }
        if self.floor_area_m2 == 0 {
            e.push("floor_area_m2", "must_be_positive");
        }
        if self.investment_fen <= 0 {
            e.push("investment_fen", "must_be_positive");
        }
        e.text("description", &self.description, 2000);
        e.text("contact_name", &self.contact_name, 50);
        if !crate::cases::valid_phone(self.contact_phone.trim()) {
            e.push("contact_phone", "phone_format");
        }
        e.into_result(())
    }

    /// The parts, stage by stage: each depends on every part of the stage before it.
    pub fn plan(&self) -> Vec<(u8, PartPlan)> {
        // (stage, key, item, units that co-sign a joint case)
        const PARTS: [(u8, &str, &str); 7] = [
            (1, "filing", "XH-FGW-000108001000"),
            (1, "land_planning", "XH-ZRZY-000109001000"),
            (2, "works_planning", "XH-ZRZY-000109002000"),
            (2, "drawing_review", "XH-CJJ-000110001000"),
            (3, "construction_permit", "XH-SPJ-000101015000"),
            (4, "joint_acceptance", "XH-CJJ-000110002000"),
            (4, "drainage", "XH-SPJ-000101013000"),
        ];
        PARTS
            .iter()
            .map(|(stage, key, item)| {
                let deps: Vec<&'static str> = PARTS
                    .iter()
                    .filter(|(s, _, _)| *s + 1 == *stage)
                    .map(|(_, k, _)| *k)
                    .collect();
                (*stage, PartPlan::new(key, item, &deps).in_stage(*stage))
            })
            .collect()
    }

    pub fn summary(&self, part: &str) -> String {
        format!(
            "工程建设项目·{part}{}：{}，建设地点 {}，用地 {} 平方米，建筑面积 {} 平方米，总投资 {} 万元",
            if part.contains("用地规划") {
                "（选址意见书与用地预审合并办理）"
            } else {
                ""
            },
            self.project_name,
            self.location,
            self.land_area_m2,
            self.floor_area_m2,
            self.investment_fen / 1_000_000
        )
    }
}

/// Units that co-sign a joint case (联合审查, 联合验收) with the lead unit.
pub fn cosigners(part_key: &str) -> Vec<String> {
    match part_key {
        "drawing_review" => vec!["XH-ZRZY".into(), "XH-SPJ".into()],
        "joint_acceptance" => vec!["XH-ZRZY".into(), "XH-SPJ".into()],
        _ => vec![],
    }
}

/// One stage's clock and what blocks it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageClock {
    pub stage: u8,
    pub name: &'static str,
    pub budget: i64,
    /// Working days from the stage's first acceptance to its close (or today), pauses of its
    /// slowest part not counted.
    pub used: i64,
    pub started: bool,
    pub closed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectClock {
    pub stages: Vec<StageClock>,
    pub used: i64,
    pub budget: i64,
    pub left: i64,
    /// `not_started`, `on_time`, `overdue`, `finished_on_time`, `finished_late`, `not_finished`.
    pub status: &'static str,
    /// Counted over a year whose holiday notice is not loaded yet (statutory holidays only),
    /// here or in a part's own clock.
    pub provisional: bool,
}

/// The whole project's clock from its part cases: each stage counts from its first acceptance to
/// the last result (or today), less the paused working days of the part that finished last.
pub fn project_clock(
    b: &super::Bundle,
    cases: &[Case],
    now: jiff::Timestamp,
    cal: &Calendar,
) -> Result<ProjectClock, CalendarError> {
    let today = local_date(now);
    let mut stages = Vec::new();
    for (i, name) in STAGES.iter().enumerate() {
        let stage = (i + 1) as u8;
        let parts: Vec<&Case> = b
            .parts
            .iter()
            .filter(|p| p.stage == Some(stage))
            .filter_map(|p| cases.iter().find(|c| Some(&c.id) == p.case_id.as_ref()))
            .collect();
        let start = parts.iter().filter_map(|c| c.accepted_at).min();
        let all_parts = b.parts.iter().filter(|p| p.stage == Some(stage)).count();
        let closed = parts.len() == all_parts
            && parts
                .iter()
                .all(|c| c.state.is_closed() && c.open_commitments().next().is_none());
        let (used, started) = match start {
            None => (0, false),
            Some(s) => {
                let last = parts.iter().max_by_key(|c| c.closed_at);
                let end = if closed {
                    last.and_then(|c| c.closed_at)
                        .map(local_date)
                        .unwrap_or(today)
                } else {
                    today
                };
                let paused = match last {
                    Some(c) => crate::cases::ClockView::compute(c, now, cal)?.paused_working_days,
                    None => 0,
                };
                (
                    (cal.working_days_between(local_date(s), end)? - paused).max(0),
                    true,
                )
            }
        };
        stages.push(StageClock {
            stage,
            name,
            budget: STAGE_BUDGETS[i],
            used,
            started,
            closed,
        });
    }
    let used: i64 = stages.iter().map(|s| s.used).sum();
    let started = stages.iter().any(|s| s.started);
    let finished = b.state.is_closed();
    let status = match (started, finished, b.state, used <= PROJECT_BUDGET) {
        (false, false, ..) => "not_started",
        (_, false, _, true) => "on_time",
        (_, false, _, false) => "overdue",
        (_, true, super::BundleState::Done, true) => "finished_on_time",
        (_, true, super::BundleState::Done, false) => "finished_late",
        _ => "not_finished",
    };
    let first_start = cases.iter().filter_map(|c| c.accepted_at).min();
    let mut provisional =
        first_start.is_some_and(|s| !cal.provisional_years(local_date(s), today).is_empty());
    for c in cases {
        provisional |= crate::cases::ClockView::compute(c, now, cal)?.provisional;
    }
    Ok(ProjectClock {
        stages,
        used,
        budget: PROJECT_BUDGET,
        left: PROJECT_BUDGET - used,
        status,
        provisional,
    })
}

/// What holds a project up: one line per unfinished part of its current stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Blocker {
    pub part: String,
    pub item_name: String,
    pub unit: String,
    /// `awaiting_acceptance`, `awaiting_applicant`, `paused`, `review_step`, `awaiting_signoff`,
    /// `awaiting_decision`, `awaiting_issue`, `commitment_open`, `failed`, `not_started`.
    pub reason: &'static str,
    /// The pause kind, the step's name, the units to sign, or the promised materials.
    pub detail: String,
}

/// The first stage not yet closed, and what blocks it (the critical path's current link).
pub fn blockers(b: &super::Bundle, cases: &[Case]) -> (Option<u8>, Vec<Blocker>) {
    use crate::cases::CaseState::*;
    let stage = (1..=STAGES.len() as u8).find(|s| {
        b.parts
            .iter()
            .filter(|p| p.stage == Some(*s))
            .any(|p| !(p.case_state == Some(Issued) && p.open_commitments == 0))
    });
    let Some(stage) = stage else {
        return (None, Vec::new());
    };
    let mut out = Vec::new();
    for p in b.parts.iter().filter(|p| p.stage == Some(stage)) {
        let case = cases.iter().find(|c| Some(&c.id) == p.case_id.as_ref());
        let (reason, detail) = match case {
            None if p.skipped.is_some() => ("failed", String::new()),
            None => ("not_started", String::new()),
            Some(c) => match c.state {
                Submitted => ("awaiting_acceptance", String::new()),
                Correction | Draft => ("awaiting_applicant", String::new()),
                Paused => (
                    "paused",
                    c.open_pause()
                        .map(|p| p.kind.as_str().to_string())
                        .unwrap_or_default(),
                ),
                Review if !c.unsigned().is_empty() && c.next_step().is_none() => {
                    ("awaiting_signoff", c.unsigned().join("、"))
                }
                Review => match c.next_step() {
                    Some(s) => ("review_step", s.name.clone()),
                    None => ("awaiting_decision", String::new()),
                },
                Approved => ("awaiting_issue", String::new()),
                Issued if c.open_commitments().next().is_some() => (
                    "commitment_open",
                    c.open_commitments()
                        .map(|m| format!("{}（{}）", m.material, m.due))
                        .collect::<Vec<_>>()
                        .join("、"),
                ),
                Issued => continue,
                _ => ("failed", c.closing_reasons.clone()),
            },
        };
        out.push(Blocker {
            part: p.key.clone(),
            item_name: p.item_name.clone(),
            unit: p.unit.clone(),
            reason,
            detail,
        });
    }
    (Some(stage), out)
}
