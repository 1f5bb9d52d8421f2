//! 一单两库 and what is drawn from them: the list of inspection matters (抽查事项清单), the
//! directory of inspectors, plans that freeze both directories and publish their hashes before
//! the draw, and the checks a draw makes, with their results and the clock on publication.

use super::draw::{self, DrawRecord, Entity, Inspector, Ratios, RiskGrade};
use crate::calendar::Calendar;
use crate::cases::FileRef;
use crate::credit::{CreditKind, CreditRecord, Severity, Standing};
use crate::refusal::Refusal;
use crate::validation::FieldErrors;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Working days from the draw within which a check's result must be published (一公开: results
/// are public within 20 working days). Counted from the draw rather than from the visit, whose
/// date the inspector enters: the clock must not be in the hands of the one it times.
pub const PUBLISH_WITHIN_DAYS: u32 = 20;

/// Inspectors per check at least (two law-enforcement officers, 行政处罚法 art. 42).
pub const MIN_TEAM: u32 = 2;
pub const MAX_TEAM: u32 = 6;

/// One matter of the 抽查事项清单: nothing outside the list may be inspected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InspectionMatter))]
pub struct Matter {
    pub code: String,
    pub name: String,
    /// The unit that inspects it.
    pub unit: String,
    pub legal_basis: String,
    /// How it is checked (书面检查, 实地核查, 网络监测…).
    pub method: String,
    /// The industries it applies to; empty for every entity.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub industries: Vec<String>,
}

/// The list of matters, as its TOML document (`[[matter]]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatterList {
    #[serde(default)]
    pub matter: Vec<Matter>,
}

/// Whether an inspector may be drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum InspectorStatus {
    Active,
    /// On leave, seconded, or no longer qualified: kept in the directory, never drawn.
    Suspended,
}

/// One entry of the inspector directory (执法检查人员名录).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectorEntry {
    /// The law-enforcement certificate number (执法证号).
    pub id: String,
    pub name: String,
    pub unit: String,
    /// The platform account the inspector signs in with, to enter results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The matters (codes) the inspector is qualified for.
    pub matters: Vec<String>,
    pub status: InspectorStatus,
    /// Entities (credit codes) the inspector declared a relationship with (回避).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
}

/// The inspector directory, as its TOML document (`[[inspector]]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectorDirectory {
    #[serde(default)]
    pub inspector: Vec<InspectorEntry>,
}

/// A TOML document that does not read, as the field `document` with the parser's words.
impl MatterList {
    /// Reads and checks the list: codes unique, every field filled, units known.
    pub fn parse(text: &str, units: &BTreeSet<String>) -> Result<MatterList, FieldErrors> {
        let list: MatterList = toml::from_str(text).map_err(crate::validation::invalid_toml)?;
        let mut e = FieldErrors::new();
        let mut seen = BTreeSet::new();
        for (i, m) in list.matter.iter().enumerate() {
            for (field, value) in [
                ("code", &m.code),
                ("name", &m.name),
                ("legal_basis", &m.legal_basis),
                ("method", &m.method),
            ] {
                if value.trim().is_empty() {
                    e.push(format!("matter[{i}].{field}"), "required");
                }
            }
            if !seen.insert(m.code.as_str()) {
                e.push_detail(format!("matter[{i}].code"), "duplicate", m.code.clone());
            }
            if !units.contains(&m.unit) {
                e.push_detail(format!("matter[{i}].unit"), "unknown_unit", m.unit.clone());
            }
        }
        e.into_result(list)
    }

    pub fn get(&self, code: &str) -> Option<&Matter> {
        self.matter.iter().find(|m| m.code == code)
    }
}

impl InspectorDirectory {
    /// Reads and checks the directory against the matter list: ids unique, units known, every
    /// qualification a listed matter.
    pub fn parse(
        text: &str,
        units: &BTreeSet<String>,
        matters: &MatterList,
    ) -> Result<InspectorDirectory, FieldErrors> {
        let dir: InspectorDirectory =
            toml::from_str(text).map_err(crate::validation::invalid_toml)?;
        let mut e = FieldErrors::new();
        let mut seen = BTreeSet::new();
        for (i, p) in dir.inspector.iter().enumerate() {
            if p.id.trim().is_empty() {
                e.push(format!("inspector[{i}].id"), "required");
            }
            if p.name.trim().is_empty() {
                e.push(format!("inspector[{i}].name"), "required");
            }
            if !seen.insert(p.id.as_str()) {
                e.push_detail(format!("inspector[{i}].id"), "duplicate", p.id.clone());
            }
            if !units.contains(&p.unit) {
                e.push_detail(
                    format!("inspector[{i}].unit"),
                    "unknown_unit",
                    p.unit.clone(),
                );
            }
            for m in &p.matters {
                if matters.get(m).is_none() {
                    e.push_detail(
                        format!("inspector[{i}].matters"),
                        "not_in_matter_list",
                        m.clone(),
                    );
                }
            }
        }
        e.into_result(dir)
    }

    /// The directory as a draw freezes it: active inspectors, sorted by id.
    pub fn frozen(&self) -> Vec<Inspector> {
        let mut v: Vec<Inspector> = self
            .inspector
            .iter()
            .filter(|p| p.status == InspectorStatus::Active)
            .map(|p| {
                let mut related = p.related.clone();
                related.sort();
                related.dedup();
                Inspector {
                    id: p.id.clone(),
                    unit: p.unit.clone(),
                    matters: p.matters.clone(),
                    related,
                }
            })
            .collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    pub fn get(&self, id: &str) -> Option<&InspectorEntry> {
        self.inspector.iter().find(|p| p.id == id)
    }
}

/// A market entity's credit risk grade, from its credit records as they stand today: a record
/// on the serious-dishonesty list or of serious severity makes it high risk; an ordinary
/// dishonest record medium-high; a minor one medium; none (or only honours and licences) low.
pub fn grade_of(records: &[CreditRecord], today: Date) -> RiskGrade {
    let mut grade = RiskGrade::Low;
    for r in records {
        if !r.entered.kind.dishonest() || r.standing(today) != Standing::Published {
            continue;
        }
        let g = match (r.entered.kind, r.entered.severity) {
            (CreditKind::SeriousDishonesty, _) | (_, Severity::Serious) => RiskGrade::High,
            (_, Severity::Ordinary) => RiskGrade::MediumHigh,
            (_, Severity::Minor) => RiskGrade::Medium,
        };
        grade = grade.min(g);
    }
    grade
}

/// A market entity in the directory: what the draw sees, and its name and industry for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectoryEntity {
    pub entity: Entity,
    pub name: String,
    pub industry: Option<String>,
}

/// What a supervisor fills in to publish a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = NewInspectionPlan))]
pub struct NewPlan {
    pub title: String,
    /// Matter codes; matters of several units make a joint draw (one visit per entity).
    pub matters: Vec<String>,
    pub ratios: Ratios,
    pub team_size: u32,
    /// Where the outside value will come from (e.g. a named evening's welfare-lottery draw).
    pub outside_source: String,
    /// The day of the draw, fixed in advance: the outside value is not known before it.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub draw_on: Date,
}

impl NewPlan {
    pub fn validate(&self, list: &MatterList, today: Date) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if self.title.trim().is_empty() {
            e.push("title", "required");
        }
        if self.matters.is_empty() {
            e.push("matters", "required");
        }
        for m in &self.matters {
            if list.get(m).is_none() {
                e.push_detail("matters", "not_in_matter_list", m.clone());
            }
        }
        for g in RiskGrade::ALL {
            if self.ratios.of(g) > draw::WHOLE {
                e.push_detail(format!("ratios.{}", g.as_str()), "out_of_range", "0–100 %");
            }
        }
        if !(MIN_TEAM..=MAX_TEAM).contains(&self.team_size) {
            e.push_detail(
                "team_size",
                "out_of_range",
                format!("{MIN_TEAM}–{MAX_TEAM}"),
            );
        }
        if self.outside_source.trim().is_empty() {
            e.push("outside_source", "required");
        }
        if self.draw_on <= today {
            e.push_detail("draw_on", "not_in_future", today.to_string());
        }
        e.into_result(())
    }
}

/// A published plan: what it inspects, the frozen lists whose hashes it published, and once
/// drawn the draw's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionPlan {
    pub id: String,
    pub title: String,
    /// The matters as the list stated them when the plan was published (照单监管).
    pub matters: Vec<Matter>,
    pub matter_list_version: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub draw_on: Date,
    pub created_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub created_on: Date,
    /// What was published before the draw (hashes, nonce commitment, ratios, team size).
    pub published: draw::Plan,
    /// The frozen lists, public from the start: anyone can check them against their hashes.
    pub entities: Vec<Entity>,
    pub inspectors: Vec<Inspector>,
    /// Names of the frozen entities, for people (the draw reads codes only).
    pub entity_names: std::collections::BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<DrawRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub drawn_on: Option<Date>,
}

impl InspectionPlan {
    /// The units whose matters the plan inspects, without repeats.
    pub fn units(&self) -> Vec<String> {
        let set: BTreeSet<&str> = self.matters.iter().map(|m| m.unit.as_str()).collect();
        set.into_iter().map(str::to_string).collect()
    }

    pub fn state(&self) -> &'static str {
        if self.record.is_some() {
            "drawn"
        } else {
            "published"
        }
    }
}

/// Draws a published plan on or after its day: the nonce the server kept and the outside value
/// the supervisor entered. Refused when already drawn or early; a draw that cannot be made (too
/// few qualified inspectors) names the field.
pub fn draw_plan(
    plan: &InspectionPlan,
    nonce: &str,
    outside_value: &str,
    today: Date,
) -> Result<DrawRecord, Refusal> {
    if plan.record.is_some() {
        return Err(Refusal::not_allowed("draw", "drawn", vec![]));
    }
    if today < plan.draw_on {
        return Err(Refusal::not_allowed("draw", "published", vec![]).because("before_draw_date"));
    }
    if outside_value.trim().is_empty() {
        return Err(FieldErrors::single("outside_value", "required").into());
    }
    draw::draw(
        &plan.published,
        &plan.entities,
        &plan.inspectors,
        nonce,
        outside_value.trim(),
    )
    .map_err(|e| {
        let mut f = FieldErrors::new();
        f.push_detail(e.field, e.code, e.detail.unwrap_or_default());
        f.into()
    })
}

/// A member of a check's team, as drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InspectionTeamMember))]
pub struct TeamMember {
    pub id: String,
    pub name: String,
    pub unit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InspectionOutcome))]
pub enum Outcome {
    /// 未发现问题.
    NoProblem,
    /// 发现问题，已责令整改.
    Corrected,
    /// 发现违法违规行为 (with a penalty it becomes a credit record).
    Violation,
    /// 通过登记的住所（经营场所）无法联系: not found at its address.
    NotFound,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::NoProblem,
        Outcome::Corrected,
        Outcome::Violation,
        Outcome::NotFound,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::NoProblem => "no_problem",
            Outcome::Corrected => "corrected",
            Outcome::Violation => "violation",
            Outcome::NotFound => "not_found",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// The penalty decided on a violation: it becomes a credit record of the deciding unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InspectionPenalty))]
pub struct Penalty {
    pub unit: String,
    pub document: String,
    pub legal_basis: String,
    pub severity: Severity,
}

/// What an inspector enters from the visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewResult {
    pub checked_on: Date,
    pub outcome: Outcome,
    pub findings: String,
    pub penalty: Option<Penalty>,
    pub photos: Vec<FileRef>,
}

/// A check's result, public once entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InspectionResult))]
pub struct CheckResult {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub checked_on: Date,
    pub outcome: Outcome,
    pub findings: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty: Option<Penalty>,
    #[serde(default)]
    pub photos: Vec<FileRef>,
    pub entered_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub published_on: Date,
    /// The credit record the penalty became.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_record: Option<String>,
}

/// One check of a drawn plan: an entity, its team, and the clock on its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InspectionCheck))]
pub struct Check {
    pub id: String,
    pub plan_id: String,
    pub entity: String,
    pub entity_name: String,
    pub grade: RiskGrade,
    pub team: Vec<TeamMember>,
    /// The matters checked in this one visit, and their units.
    pub matters: Vec<String>,
    pub units: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub drawn_on: Date,
    /// The last day to publish the result.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<CheckResult>,
}

impl Check {
    /// The checks of a draw, numbered by `id_of(i)`, each due [`PUBLISH_WITHIN_DAYS`] working
    /// days after the draw.
    pub fn of_draw(
        plan: &InspectionPlan,
        record: &DrawRecord,
        directory: &InspectorDirectory,
        today: Date,
        calendar: &Calendar,
        mut id_of: impl FnMut(usize) -> String,
    ) -> Result<Vec<Check>, Refusal> {
        let due = calendar.add_working_days(today, PUBLISH_WITHIN_DAYS)?;
        let matters: Vec<String> = plan.matters.iter().map(|m| m.code.clone()).collect();
        Ok(record
            .checks
            .iter()
            .enumerate()
            .map(|(i, c)| Check {
                id: id_of(i),
                plan_id: plan.id.clone(),
                entity: c.entity.clone(),
                entity_name: plan
                    .entity_names
                    .get(&c.entity)
                    .cloned()
                    .unwrap_or_default(),
                grade: c.grade,
                team: c
                    .inspectors
                    .iter()
                    .map(|id| {
                        let p = directory.get(id);
                        TeamMember {
                            id: id.clone(),
                            name: p.map(|p| p.name.clone()).unwrap_or_default(),
                            unit: p.map(|p| p.unit.clone()).unwrap_or_default(),
                            account: p.and_then(|p| p.account.clone()),
                        }
                    })
                    .collect(),
                matters: matters.clone(),
                units: plan.units(),
                drawn_on: today,
                due,
                result: None,
            })
            .collect())
    }

    /// Whether an account is on the team.
    pub fn on_team(&self, account: &str) -> bool {
        self.team
            .iter()
            .any(|m| m.account.as_deref() == Some(account))
    }

    /// Published within the limit (`None` while there is no result).
    pub fn on_time(&self) -> Option<bool> {
        self.result.as_ref().map(|r| r.published_on <= self.due)
    }

    pub fn overdue(&self, today: Date) -> bool {
        self.result.is_none() && today > self.due
    }
}

/// Enters a check's result (a member of its team), published at once. A violation may carry a
/// penalty of one of the check's units; other outcomes may not.
pub fn enter_result(
    check: &Check,
    new: NewResult,
    by: &str,
    today: Date,
) -> Result<Check, Refusal> {
    if !check.on_team(by) {
        return Err(Refusal::Forbidden);
    }
    if check.result.is_some() {
        return Err(Refusal::not_allowed("result", "published", vec![]));
    }
    let mut e = FieldErrors::new();
    if new.checked_on < check.drawn_on || new.checked_on > today {
        e.push_detail(
            "checked_on",
            "out_of_range",
            format!("{} – {today}", check.drawn_on),
        );
    }
    if new.outcome != Outcome::NoProblem && new.findings.trim().is_empty() {
        e.push("findings", "required");
    }
    match (&new.penalty, new.outcome) {
        (Some(p), Outcome::Violation) => {
            if !check.units.contains(&p.unit) {
                e.push_detail("penalty.unit", "unknown_unit", p.unit.clone());
            }
            if p.document.trim().is_empty() {
                e.push("penalty.document", "required");
            }
            if p.legal_basis.trim().is_empty() {
                e.push("penalty.legal_basis", "required");
            }
        }
        (Some(_), _) => e.push("penalty", "only_with_violation"),
        (None, _) => {}
    }
    e.into_result(())?;
    let mut next = check.clone();
    next.result = Some(CheckResult {
        checked_on: new.checked_on,
        outcome: new.outcome,
        findings: new.findings.trim().to_string(),
        penalty: new.penalty,
        photos: new.photos,
        entered_by: by.to_string(),
        published_on: today,
        credit_record: None,
    });
    Ok(next)
}

/// A loaded holiday notice recounts an unpublished check's deadline from its draw (it binds the
/// administration: it follows the notice either way).
pub fn recount(
    c: &Check,
    old: &Calendar,
    new: &Calendar,
) -> Result<(Check, Vec<crate::calendar::Moved>), crate::calendar::CalendarError> {
    use crate::calendar::{Binds, recount_moved};
    let mut c = c.clone();
    let mut moved = Vec::new();
    if c.result.is_none()
        && let Some(m) = recount_moved("due", old, new, c.drawn_on, c.due, Binds::Administration)?
    {
        c.due = m.after;
        moved.push(m);
    }
    Ok((c, moved))
}
