//! Risk warnings (风险预警): a sign that a market entity may be breaking the rules — raised by a
//! unit, or by the platform's own rules (repeated hotline complaints about one entity, a broken
//! written commitment) — goes to the responsible unit, which verifies it and gives feedback
//! within [`VERIFY_WITHIN_DAYS`] working days. The share answered on time is public (target
//! 100 %).

use crate::calendar::Calendar;
use crate::records::Notify;
use crate::refusal::Refusal;
use crate::validation::FieldErrors;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Working days the responsible unit has to verify a warning and feed back.
pub const VERIFY_WITHIN_DAYS: u32 = 5;
/// Complaints about one entity within [`REPEAT_WINDOW_DAYS`] that raise a warning by themselves.
pub const REPEAT_COMPLAINTS: i64 = 3;
pub const REPEAT_WINDOW_DAYS: i64 = 30;
/// The unit that supervises market entities day to day: warnings the platform raises from
/// hotline complaints go to it.
pub const ENTITY_SUPERVISOR: &str = "XH-SCJ";

/// Where a warning came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WarningSource {
    /// Entered by a unit.
    Unit,
    /// [`REPEAT_COMPLAINTS`] hotline complaints about the entity within the window.
    HotlineRepeat,
    /// A written commitment (告知承诺) found false on a case.
    BrokenCommitment,
}

impl WarningSource {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningSource::Unit => "unit",
            WarningSource::HotlineRepeat => "hotline_repeat",
            WarningSource::BrokenCommitment => "broken_commitment",
        }
    }
}

/// A warning as raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewWarning {
    /// 统一社会信用代码 of the entity.
    pub entity: String,
    pub entity_name: String,
    /// The unit that must verify it.
    pub unit: String,
    /// What was seen, in a sentence.
    pub reason: String,
}

impl NewWarning {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if let Err(err) = crate::ids::Uscc::parse(self.entity.trim()) {
            e.push("entity", err.code());
        }
        e.text("entity_name", &self.entity_name, 200);
        e.text("reason", &self.reason, 2000);
        if self.unit.trim().is_empty() {
            e.push("unit", "required");
        }
        e.into_result(())
    }
}

/// The responsible unit's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Feedback {
    /// Whether the warning proved true on verification (属实).
    pub confirmed: bool,
    /// What was found and done.
    pub action: String,
    pub by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: Date,
}

/// A risk warning and its clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Warning {
    pub id: String,
    #[serde(flatten)]
    pub raised: NewWarning,
    pub source: WarningSource,
    /// The account that raised it (`system` for the platform's rules).
    pub raised_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub raised_on: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<Feedback>,
}

impl Warning {
    /// A warning raised today, due [`VERIFY_WITHIN_DAYS`] working days later; the responsible
    /// unit is told.
    pub fn raise(
        id: String,
        raised: NewWarning,
        source: WarningSource,
        by: &str,
        today: Date,
        calendar: &Calendar,
    ) -> Result<(Warning, Vec<Notify>), Refusal> {
        let due = calendar.add_working_days(today, VERIFY_WITHIN_DAYS)?;
        let tell = vec![Notify::unit(&raised.unit, "risk_warning_raised")];
        Ok((
            Warning {
                id,
                raised,
                source,
                raised_by: by.to_string(),
                raised_on: today,
                due,
                feedback: None,
            },
            tell,
        ))
    }

    /// Answered within the limit (`None` while open).
    pub fn on_time(&self) -> Option<bool> {
        self.feedback.as_ref().map(|f| f.on <= self.due)
    }

    pub fn overdue(&self, today: Date) -> bool {
        self.feedback.is_none() && today > self.due
    }
}

/// The responsible unit answers (its staff): confirmed or not, and what it did. The raiser, when
/// a person, is told.
pub fn answer(
    w: &Warning,
    confirmed: bool,
    action: &str,
    by: &str,
    by_unit: Option<&str>,
    today: Date,
) -> Result<(Warning, Vec<Notify>), Refusal> {
    if by_unit != Some(w.raised.unit.as_str()) {
        return Err(Refusal::Forbidden);
    }
    if w.feedback.is_some() {
        return Err(Refusal::not_allowed("answer", "answered", vec![]));
    }
    let mut e = FieldErrors::new();
    e.text("action", action, 2000);
    e.into_result(())?;
    let mut next = w.clone();
    next.feedback = Some(Feedback {
        confirmed,
        action: action.trim().to_string(),
        by: by.to_string(),
        on: today,
    });
    let tell = if w.source == WarningSource::Unit {
        vec![Notify::user(&w.raised_by, "risk_warning_answered")]
    } else {
        vec![]
    };
    Ok((next, tell))
}

/// A loaded holiday notice recounts an open warning's deadline from the day it was raised (it
/// binds the responsible unit).
pub fn recount(
    w: &Warning,
    old: &Calendar,
    new: &Calendar,
) -> Result<(Warning, Vec<crate::calendar::Moved>), crate::calendar::CalendarError> {
    use crate::calendar::{Binds, recount_moved};
    let mut w = w.clone();
    let mut moved = Vec::new();
    if w.feedback.is_none()
        && let Some(m) = recount_moved("due", old, new, w.raised_on, w.due, Binds::Administration)?
    {
        w.due = m.after;
        moved.push(m);
    }
    Ok((w, moved))
}
