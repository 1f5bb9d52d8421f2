//! Supervision rounds (督查, §5(四)): the office's daily checks and periodic rounds record
//! findings unit by unit — praise, criticism, problems to rectify by a date —; publishing the
//! round issues its notice (通报, praise and criticism named); a unit answers each problem or
//! criticism with what it rectified, on time or late against the date set.

use crate::FieldErrors;
use crate::records::Notify;
use crate::refusal::Refusal;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SupervisionRoundKind))]
pub enum RoundKind {
    /// 日常检查
    Daily,
    /// 定期督查
    Periodic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SupervisionFindingKind))]
pub enum FindingKind {
    /// 通报表扬
    Praise,
    /// 通报批评 (to rectify)
    Criticism,
    /// 发现问题 (to rectify)
    Problem,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Praise => "praise",
            FindingKind::Criticism => "criticism",
            FindingKind::Problem => "problem",
        }
    }
    pub fn parse(s: &str) -> Option<FindingKind> {
        [
            FindingKind::Praise,
            FindingKind::Criticism,
            FindingKind::Problem,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
    /// Criticism and problems are rectified by a date.
    pub fn to_rectify(self) -> bool {
        self != FindingKind::Praise
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = NewSupervisionRound))]
pub struct NewRound {
    pub title: String,
    pub kind: RoundKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub held_on: Date,
    #[serde(default)]
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = NewSupervisionFinding))]
pub struct NewFinding {
    pub unit: String,
    /// The plan's task it concerns, if one.
    #[serde(default)]
    pub task: Option<String>,
    pub kind: FindingKind,
    pub text: String,
    /// By when a criticism or a problem is rectified.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub rectify_by: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SupervisionRectified))]
pub struct Rectified {
    pub text: String,
    pub by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: Date,
    pub late: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SupervisionFinding))]
pub struct Finding {
    #[serde(flatten)]
    pub finding: NewFinding,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectified: Option<Rectified>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SupervisionNotice))]
pub struct Notice {
    /// 西湖营商督〔2026〕第0001号
    pub number: String,
    pub text: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub published_on: Date,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SupervisionRound))]
pub struct Round {
    pub id: String,
    #[serde(flatten)]
    pub round: NewRound,
    pub created_by: String,
    #[serde(default)]
    pub findings: Vec<Finding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<Notice>,
}

impl NewRound {
    pub fn validate(&self, today: Date) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        e.text("title", &self.title, 100);
        e.optional_text("summary", &self.summary, 4000);
        if self.held_on > today {
            e.push("held_on", "in_future");
        }
        e.into_result(())
    }
}

impl NewFinding {
    pub fn validate(
        &self,
        unit_exists: &dyn Fn(&str) -> bool,
        task_exists: &dyn Fn(&str) -> bool,
        today: Date,
    ) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if !unit_exists(&self.unit) {
            e.push("unit", "unknown_unit");
        }
        if let Some(t) = &self.task {
            if !task_exists(t) {
                e.push("task", "unknown_task");
            }
        }
        e.text("text", &self.text, 2000);
        match (self.kind.to_rectify(), self.rectify_by) {
            (true, None) => e.push("rectify_by", "required"),
            (true, Some(d)) if d < today => e.push("rectify_by", "in_past"),
            (false, Some(_)) => e.push("rectify_by", "praise_not_rectified"),
            _ => {}
        }
        e.into_result(())
    }
}

/// What may be done to a round, and by whom.
pub enum Command {
    /// The office adds a finding (before the notice is published).
    AddFinding(NewFinding),
    /// The office publishes the round's notice; every unit named is told.
    Publish { text: String, number: String },
    /// A unit's staff answer one of their unit's findings with what they rectified.
    Rectify { finding: usize, text: String },
}

/// Who acts: the office, the staff of a unit, or someone else.
pub enum Party<'a> {
    Office,
    Unit(&'a str),
    Other,
}

impl Round {
    pub fn state(&self) -> &'static str {
        if self.notice.is_some() {
            "published"
        } else {
            "open"
        }
    }

    pub fn apply(
        &self,
        cmd: &Command,
        party: &Party,
        by: &str,
        today: Date,
    ) -> Result<(Round, Vec<Notify>), Refusal> {
        let mut r = self.clone();
        let mut tell = Vec::new();
        match (cmd, party) {
            (Command::AddFinding(f), Party::Office) => {
                if self.notice.is_some() {
                    return Err(Refusal::not_allowed(
                        "add_finding",
                        "published",
                        vec!["rectify"],
                    ));
                }
                r.findings.push(Finding {
                    finding: f.clone(),
                    rectified: None,
                });
            }
            (Command::Publish { text, number }, Party::Office) => {
                if self.notice.is_some() {
                    return Err(Refusal::not_allowed(
                        "publish",
                        "published",
                        vec!["rectify"],
                    ));
                }
                if self.findings.is_empty() {
                    return Err(FieldErrors::single("findings", "required").into());
                }
                let mut e = FieldErrors::new();
                e.text("text", text, 4000);
                e.into_result(())?;
                r.notice = Some(Notice {
                    number: number.clone(),
                    text: text.trim().to_string(),
                    published_on: today,
                });
                let mut units: Vec<&str> = self
                    .findings
                    .iter()
                    .map(|f| f.finding.unit.as_str())
                    .collect();
                units.sort();
                units.dedup();
                for u in units {
                    tell.push(Notify {
                        to: format!("unit:{u}"),
                        kind: "supervision_notice",
                    });
                }
            }
            (Command::Rectify { finding, text }, Party::Unit(unit)) => {
                let Some(f) = self.findings.get(*finding) else {
                    return Err(FieldErrors::single("finding", "not_found").into());
                };
                if f.finding.unit != *unit {
                    return Err(Refusal::Forbidden);
                }
                if self.notice.is_none() || !f.finding.kind.to_rectify() || f.rectified.is_some() {
                    return Err(Refusal::not_allowed("rectify", self.state(), vec![])
                        .because("nothing_to_rectify"));
                }
                let mut e = FieldErrors::new();
                e.text("text", text, 2000);
                e.into_result(())?;
                let late = f.finding.rectify_by.is_some_and(|d| today > d);
                r.findings[*finding].rectified = Some(Rectified {
                    text: text.trim().to_string(),
                    by: by.to_string(),
                    on: today,
                    late,
                });
                tell.push(Notify {
                    to: format!("unit:{}", super::OFFICE),
                    kind: "supervision_rectified",
                });
            }
            _ => return Err(Refusal::Forbidden),
        }
        Ok((r, tell))
    }

    /// Findings whose rectification date passed with nothing rectified.
    pub fn overdue(&self, today: Date) -> impl Iterator<Item = (usize, &Finding)> {
        self.findings.iter().enumerate().filter(move |(_, f)| {
            self.notice.is_some()
                && f.rectified.is_none()
                && f.finding.rectify_by.is_some_and(|d| d < today)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn round() -> Round {
        Round {
            id: "DC2026-000001".into(),
            round: NewRound {
                title: "四季度营商环境督查".into(),
                kind: RoundKind::Periodic,
                held_on: d("2026-11-02"),
                summary: String::new(),
            },
            created_by: "supervisor".into(),
            findings: vec![],
            notice: None,
        }
    }

    fn finding(unit: &str, kind: FindingKind, by: Option<&str>) -> NewFinding {
        NewFinding {
            unit: unit.into(),
            task: Some("4.04".into()),
            kind,
            text: "综窗受理事项未全覆盖".into(),
            rectify_by: by.map(d),
        }
    }

    #[test]
    fn findings_are_checked_published_as_a_notice_and_rectified_by_their_unit() {
        let today = d("2026-11-03");
        let ok = |_: &str| true;
        assert!(
            finding("XH-SPJ", FindingKind::Problem, None)
                .validate(&ok, &ok, today)
                .is_err()
        );
        assert!(
            finding("XH-SPJ", FindingKind::Praise, Some("2026-11-30"))
                .validate(&ok, &ok, today)
                .is_err()
        );
        assert!(
            finding("XH-SPJ", FindingKind::Problem, Some("2026-11-01"))
                .validate(&ok, &ok, today)
                .is_err()
        );
        assert!(
            finding("XH-SPJ", FindingKind::Problem, Some("2026-11-30"))
                .validate(&ok, &ok, today)
                .is_ok()
        );

        let r = round();
        let add = |r: &Round, f| {
            r.apply(&Command::AddFinding(f), &Party::Office, "supervisor", today)
                .unwrap()
                .0
        };
        let r = add(
            &r,
            finding("XH-SPJ", FindingKind::Problem, Some("2026-11-10")),
        );
        let r = add(&r, finding("XH-SWJ", FindingKind::Praise, None));
        assert!(
            r.apply(
                &Command::AddFinding(finding("XH-SPJ", FindingKind::Praise, None)),
                &Party::Unit("XH-SPJ"),
                "clerk.spj",
                today
            )
            .is_err()
        );
        let fix = Command::Rectify {
            finding: 0,
            text: "已全覆盖".into(),
        };
        assert!(
            r.apply(&fix, &Party::Unit("XH-SPJ"), "clerk.spj", today)
                .is_err(),
            "not before the notice"
        );
        let publish = Command::Publish {
            text: "对区税务局通报表扬，对区行政审批局通报批评".into(),
            number: "西湖营商督〔2026〕第0001号".into(),
        };
        let (r, tell) = r
            .apply(&publish, &Party::Office, "supervisor", today)
            .unwrap();
        assert_eq!(
            tell.iter().map(|t| t.to.as_str()).collect::<Vec<_>>(),
            vec!["unit:XH-SPJ", "unit:XH-SWJ"]
        );
        assert!(
            r.apply(&publish, &Party::Office, "supervisor", today)
                .is_err()
        );
        assert_eq!(r.overdue(d("2026-11-11")).count(), 1);
        assert!(
            r.apply(&fix, &Party::Unit("XH-SWJ"), "clerk.swj", today)
                .is_err(),
            "another unit's finding"
        );
        let (r, _) = r
            .apply(&fix, &Party::Unit("XH-SPJ"), "clerk.spj", d("2026-11-12"))
            .unwrap();
        assert!(r.findings[0].rectified.as_ref().unwrap().late);
        assert_eq!(r.overdue(d("2026-11-20")).count(), 0);
        assert!(
            r.apply(
                &Command::Rectify {
                    finding: 1,
                    text: "x".into()
                },
                &Party::Unit("XH-SWJ"),
                "clerk.swj",
                today
            )
            .is_err(),
            "praise is not rectified"
        );
    }
}
