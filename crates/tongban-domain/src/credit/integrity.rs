//! Government integrity (政务诚信, 新官理旧账): the district's own commitments to enterprises —
//! a policy's promised payment, a contract's obligation — with their due dates. Whether each was
//! kept, kept late or broken is computed from its dates, never typed, and published; a change of
//! the official in charge changes nothing (the commitment belongs to the unit).

use crate::validation::FieldErrors;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// What kind of promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PromiseKind {
    /// A policy's promised support (招商引资承诺、奖补兑现).
    Policy,
    /// A contract's obligation (政府采购、PPP、工程款).
    Contract,
    Other,
}

impl PromiseKind {
    pub const ALL: [PromiseKind; 3] = [
        PromiseKind::Policy,
        PromiseKind::Contract,
        PromiseKind::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            PromiseKind::Policy => "policy",
            PromiseKind::Contract => "contract",
            PromiseKind::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<PromiseKind> {
        PromiseKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A commitment as a unit enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewPromise {
    /// The promising unit.
    pub unit: String,
    pub enterprise: String,
    pub enterprise_name: String,
    pub kind: PromiseKind,
    /// What was promised, in a sentence.
    pub content: String,
    /// The document or contract it stands in.
    pub document: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub promised_on: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due: Date,
}

impl NewPromise {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if let Err(err) = crate::ids::Uscc::parse(self.enterprise.trim()) {
            e.push("enterprise", err.code());
        }
        e.text("enterprise_name", &self.enterprise_name, 200);
        e.text("content", &self.content, 2000);
        e.text("document", &self.document, 200);
        if self.due < self.promised_on {
            e.push_detail("due", "before_start", self.promised_on.to_string());
        }
        e.into_result(())
    }
}

/// The unit's record that it did what it promised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fulfilment {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: Date,
    pub note: String,
    pub by: String,
}

/// A commitment of the district.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Promise {
    pub id: String,
    #[serde(flatten)]
    pub promised: NewPromise,
    pub entered_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfilment: Option<Fulfilment>,
}

/// Where a commitment stands today, from its dates alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Keeping {
    /// Not yet due.
    Open,
    /// Done by its due date.
    Kept,
    /// Done, after its due date.
    Late,
    /// Past its due date and not done: broken until it is done.
    Broken,
}

impl Keeping {
    pub fn as_str(self) -> &'static str {
        match self {
            Keeping::Open => "open",
            Keeping::Kept => "kept",
            Keeping::Late => "late",
            Keeping::Broken => "broken",
        }
    }
}

impl Promise {
    pub fn keeping(&self, today: Date) -> Keeping {
        match &self.fulfilment {
            Some(f) if f.on <= self.promised.due => Keeping::Kept,
            Some(_) => Keeping::Late,
            None if today > self.promised.due => Keeping::Broken,
            None => Keeping::Open,
        }
    }

    /// Records the fulfilment (the promising unit), on a day not in the future nor before the
    /// promise.
    pub fn fulfil(
        &self,
        on: Date,
        note: &str,
        by: &str,
        today: Date,
    ) -> Result<Promise, crate::refusal::Refusal> {
        if self.fulfilment.is_some() {
            return Err(crate::refusal::Refusal::not_allowed(
                "fulfil",
                "fulfilled",
                vec![],
            ));
        }
        let mut e = FieldErrors::new();
        if on > today || on < self.promised.promised_on {
            e.push_detail(
                "on",
                "out_of_range",
                format!("{} – {today}", self.promised.promised_on),
            );
        }
        e.text("note", note, 2000);
        e.into_result(())?;
        let mut next = self.clone();
        next.fulfilment = Some(Fulfilment {
            on,
            note: note.trim().to_string(),
            by: by.to_string(),
        });
        Ok(next)
    }
}

/// Counts by keeping, for a table of units and the district.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub open: i64,
    pub kept: i64,
    pub late: i64,
    pub broken: i64,
}

impl Tally {
    pub fn add(&mut self, k: Keeping) {
        match k {
            Keeping::Open => self.open += 1,
            Keeping::Kept => self.kept += 1,
            Keeping::Late => self.late += 1,
            Keeping::Broken => self.broken += 1,
        }
    }
    /// Kept on time over those due, in percent to one decimal; none before anything is due.
    pub fn kept_rate(&self) -> Option<String> {
        let due = self.kept + self.late + self.broken;
        (due > 0).then(|| format!("{:.1}", self.kept as f64 * 100.0 / due as f64))
    }
}
