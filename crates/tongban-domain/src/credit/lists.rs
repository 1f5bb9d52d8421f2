//! The three lists of social credit (三清单), kept by the credit office as one versioned TOML
//! document: the **data list** (which kinds of record are collected, from which units), the
//! **behaviour list** (which records make a subject trustworthy or dishonest, at which severity)
//! and the **measures list** (the reward or sanction each behaviour triggers, with its legal
//! basis). The platform's measures are read from them, never written in code: what bars 告知承诺,
//! who gets 容缺受理 and the green channel, and the `applicant.credit.*` facts rules read.
//!
//! A behaviour counts while one of the subject's records matching it is published (not expired,
//! repaired or withdrawn), so a repair lifts every measure it triggered at once. Trustworthy
//! measures apply only to a subject with no dishonest behaviour (守信激励 requires 无失信).

use super::{CreditKind, CreditRecord, Severity, Standing};
use crate::validation::FieldErrors;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The national baseline the district starts from (the demo loads it as version 1; a store with
/// no saved version uses it).
pub const BASELINE: &str = include_str!("lists.toml");

/// One entry of the data list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataEntry {
    pub kind: CreditKind,
    /// The units that supply it; empty for every unit.
    #[serde(default)]
    pub units: Vec<String>,
}

/// Whether a behaviour is trustworthy (守信) or dishonest (失信).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conduct {
    Trustworthy,
    Dishonest,
}

/// One entry of the behaviour list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    pub code: String,
    pub name: String,
    pub kind: CreditKind,
    /// The severities it covers; empty for any.
    #[serde(default)]
    pub severities: Vec<Severity>,
    pub conduct: Conduct,
}

/// Where a measure acts on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// 不适用告知承诺制.
    NoCommitment,
    /// 限制享受财政资金支持的惠企政策 (a policy's rules read `applicant.credit.no_policy`).
    NoPolicy,
    /// 提高双随机抽查比例 (the entity's risk grade).
    HigherInspection,
    /// 限制参与政府采购 (procurement, later).
    NoProcurement,
    /// 容缺受理: accepted with a material to follow.
    Tolerance,
    /// 绿色通道: first in the work queue, marked on the case.
    GreenChannel,
    /// 信易+ benefits (a policy's rules read `applicant.credit.benefit`).
    Benefit,
}

impl Effect {
    pub const ALL: [Effect; 7] = [
        Effect::NoCommitment,
        Effect::NoPolicy,
        Effect::HigherInspection,
        Effect::NoProcurement,
        Effect::Tolerance,
        Effect::GreenChannel,
        Effect::Benefit,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::NoCommitment => "no_commitment",
            Effect::NoPolicy => "no_policy",
            Effect::HigherInspection => "higher_inspection",
            Effect::NoProcurement => "no_procurement",
            Effect::Tolerance => "tolerance",
            Effect::GreenChannel => "green_channel",
            Effect::Benefit => "benefit",
        }
    }
}

/// One entry of the measures list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub code: String,
    pub name: String,
    pub effect: Effect,
    /// Behaviour codes that trigger it.
    pub behaviours: Vec<String>,
    pub legal_basis: String,
}

/// The three lists, as their TOML document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditLists {
    #[serde(default)]
    pub data: Vec<DataEntry>,
    #[serde(default)]
    pub behaviour: Vec<Behaviour>,
    #[serde(default)]
    pub measure: Vec<Measure>,
}

/// Where a subject stands under the lists today: its behaviours and the measures they trigger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CreditStanding {
    pub dishonest: bool,
    pub trustworthy: bool,
    /// The behaviours that count today (codes), and the measures they trigger (codes).
    pub behaviours: Vec<String>,
    pub measures: Vec<String>,
    pub effects: BTreeSet<Effect>,
}

impl CreditStanding {
    pub fn has(&self, e: Effect) -> bool {
        self.effects.contains(&e)
    }

    /// The facts a rule set reads (`applicant.credit.*`).
    pub fn facts(&self) -> [(&'static str, bool); 4] {
        [
            ("applicant.credit.dishonest", self.dishonest),
            ("applicant.credit.trustworthy", self.trustworthy),
            ("applicant.credit.no_policy", self.has(Effect::NoPolicy)),
            ("applicant.credit.benefit", self.has(Effect::Benefit)),
        ]
    }
}

impl CreditLists {
    /// Reads and checks the document: codes unique, units known, every measure's behaviours
    /// listed, every measure with its legal basis.
    pub fn parse(text: &str, units: &BTreeSet<String>) -> Result<CreditLists, FieldErrors> {
        let lists: CreditLists = toml::from_str(text).map_err(crate::validation::invalid_toml)?;
        let mut e = FieldErrors::new();
        for (i, d) in lists.data.iter().enumerate() {
            for u in &d.units {
                if !units.contains(u) {
                    e.push_detail(format!("data[{i}].units"), "unknown_unit", u.clone());
                }
            }
        }
        let mut codes = BTreeSet::new();
        for (i, b) in lists.behaviour.iter().enumerate() {
            if b.code.trim().is_empty() || b.name.trim().is_empty() {
                e.push(format!("behaviour[{i}].code"), "required");
            }
            if !codes.insert(b.code.as_str()) {
                e.push_detail(format!("behaviour[{i}].code"), "duplicate", b.code.clone());
            }
            // Dishonest kinds are dishonest, honours trustworthy; a licence is neither.
            let fits = match b.kind {
                CreditKind::Honour => b.conduct == Conduct::Trustworthy,
                CreditKind::Licence => false,
                _ => b.conduct == Conduct::Dishonest,
            };
            if !fits {
                e.push_detail(
                    format!("behaviour[{i}].conduct"),
                    "conduct_mismatch",
                    b.kind.as_str(),
                );
            }
        }
        let mut measures = BTreeSet::new();
        for (i, m) in lists.measure.iter().enumerate() {
            if !measures.insert(m.code.as_str()) {
                e.push_detail(format!("measure[{i}].code"), "duplicate", m.code.clone());
            }
            if m.legal_basis.trim().is_empty() {
                e.push(format!("measure[{i}].legal_basis"), "required");
            }
            if m.behaviours.is_empty() {
                e.push(format!("measure[{i}].behaviours"), "required");
            }
            for b in &m.behaviours {
                if !codes.contains(b.as_str()) {
                    e.push_detail(
                        format!("measure[{i}].behaviours"),
                        "unknown_behaviour",
                        b.clone(),
                    );
                }
            }
        }
        e.into_result(lists)
    }

    /// Whether the data list collects `kind` from `unit`.
    pub fn collects(&self, kind: CreditKind, unit: &str) -> bool {
        self.data
            .iter()
            .any(|d| d.kind == kind && (d.units.is_empty() || d.units.iter().any(|u| u == unit)))
    }

    /// A subject's standing today from its records.
    pub fn standing(&self, records: &[CreditRecord], today: Date) -> CreditStanding {
        let counts = |b: &Behaviour| {
            records.iter().any(|r| {
                r.entered.kind == b.kind
                    && (b.severities.is_empty() || b.severities.contains(&r.entered.severity))
                    && r.standing(today) == Standing::Published
            })
        };
        let shown: Vec<&Behaviour> = self.behaviour.iter().filter(|b| counts(b)).collect();
        let dishonest = shown.iter().any(|b| b.conduct == Conduct::Dishonest);
        let trustworthy = !dishonest && shown.iter().any(|b| b.conduct == Conduct::Trustworthy);
        // A trustworthy behaviour's measures wait for a record free of dishonesty.
        let active: BTreeSet<&str> = shown
            .iter()
            .filter(|b| b.conduct == Conduct::Dishonest || trustworthy)
            .map(|b| b.code.as_str())
            .collect();
        let triggered: Vec<&Measure> = self
            .measure
            .iter()
            .filter(|m| m.behaviours.iter().any(|b| active.contains(b.as_str())))
            .collect();
        CreditStanding {
            dishonest,
            trustworthy,
            behaviours: active.iter().map(|s| s.to_string()).collect(),
            measures: triggered.iter().map(|m| m.code.clone()).collect(),
            effects: triggered.iter().map(|m| m.effect).collect(),
        }
    }

    /// Reads a stored version (checked when it was saved).
    pub fn read(text: &str) -> Result<CreditLists, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    pub fn baseline() -> CreditLists {
        toml::from_str(BASELINE).expect("the baseline lists read")
    }
}
