//! Bundles (一件事一次办, R1): one application that fans out into cases for several units,
//! running in parallel on shared data, with one clock for the whole.
//!
//! A bundle is a plan of parts, each part an ordinary case of one catalog item at one unit; a
//! part that needs another's output (the licence's 统一社会信用代码) waits for it and starts by
//! itself. [`advance`] is the one rule: given the bundle and the current state of its part cases
//! it says which parts start now, which are cancelled because the bundle cannot go on, whether a
//! code must be issued, and where the bundle stands. The store runs it inside the same write as
//! every change of a part case, so no part is ever orphaned.

use crate::calendar::{Calendar, CalendarError};
use crate::cases::{Case, CaseState, district_tz, local_date};
use crate::validation::FieldErrors;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub mod construction;
pub mod names;
pub mod startup;

pub use construction::ConstructionForm;
pub use startup::StartupForm;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BundleKind {
    /// 企业开办一件事.
    Startup,
    /// 工程建设项目审批 (a social-investment project, four stages).
    Construction,
}

impl BundleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BundleKind::Startup => "startup",
            BundleKind::Construction => "construction",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BundleState {
    /// Parts are running or waiting.
    InProgress,
    /// Every part's result issued.
    Done,
    /// The key part succeeded but another did not; that part must be applied for on its own.
    PartlyDone,
    /// The key part failed: the parts still open were cancelled, the waiting ones never started.
    Stopped,
    /// The applicant withdrew the whole bundle.
    Withdrawn,
}

impl BundleState {
    pub fn as_str(self) -> &'static str {
        match self {
            BundleState::InProgress => "in_progress",
            BundleState::Done => "done",
            BundleState::PartlyDone => "partly_done",
            BundleState::Stopped => "stopped",
            BundleState::Withdrawn => "withdrawn",
        }
    }
    pub fn is_closed(self) -> bool {
        self != BundleState::InProgress
    }
}

/// One part of a bundle: a case of one item at one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Part {
    /// Stable key within the bundle: `licence`, `seal`, `tax`, …
    pub key: String,
    pub item_code: String,
    pub item_name: String,
    pub unit: String,
    /// Parts whose result this one needs before it can start.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// The part whose success the whole bundle rests on (the licence).
    #[serde(default)]
    pub key_part: bool,
    /// Approving this part issues the bundle's 统一社会信用代码.
    #[serde(default)]
    pub issues_uscc: bool,
    /// Stage of a staged bundle (construction), 1-based.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<u8>,
    /// Proofs promised on acceptance (容缺后补) not yet received: a part with any is not
    /// finished for the parts that wait on it.
    #[serde(default)]
    pub open_commitments: usize,
    /// Units that co-sign the part's case (a joint review or acceptance).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cosigners: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// The part case's state as last seen (`None`: not started).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_state: Option<CaseState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Timestamp>,
    /// Why a part will never start (a part it needs failed, or the bundle stopped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

impl Part {
    fn done(&self) -> bool {
        self.case_state == Some(CaseState::Issued)
    }
    /// Done, with every promised proof received: what a waiting part needs.
    fn closed_for_dependants(&self) -> bool {
        self.done() && self.open_commitments == 0
    }
    fn failed(&self) -> bool {
        self.skipped.is_some()
            || matches!(
                self.case_state,
                Some(
                    CaseState::Rejected
                        | CaseState::Refused
                        | CaseState::Withdrawn
                        | CaseState::Cancelled
                        | CaseState::Revoked
                )
            )
    }
    fn open(&self) -> bool {
        self.case_id.is_some() && !self.done() && !self.failed()
    }
}

/// The data entered once, for every unit (一表申请).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BundleForm {
    Startup(StartupForm),
    Construction(ConstructionForm),
}

impl BundleForm {
    /// The company's or the project's name.
    pub fn title(&self) -> &str {
        match self {
            BundleForm::Startup(f) => &f.company_name,
            BundleForm::Construction(f) => &f.project_name,
        }
    }
    /// Contact name, phone and address every part case carries.
    pub fn contact(&self) -> (String, String, String) {
        match self {
            BundleForm::Startup(f) => (
                f.legal_representative.name.clone(),
                f.legal_representative.phone.clone(),
                f.domicile.clone(),
            ),
            BundleForm::Construction(f) => (
                f.contact_name.clone(),
                f.contact_phone.clone(),
                f.location.clone(),
            ),
        }
    }
    /// What a part case is about (申请事项说明), from the shared form.
    pub fn summary(&self, part_key: &str, part_name: &str, uscc: Option<&str>) -> String {
        match self {
            BundleForm::Startup(f) => f.summary(part_key, part_name, uscc),
            BundleForm::Construction(f) => f.summary(part_name),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bundle {
    /// e.g. `B2026-000012`.
    pub id: String,
    pub kind: BundleKind,
    pub applicant: String,
    pub applicant_name: String,
    pub form: BundleForm,
    pub parts: Vec<Part>,
    pub state: BundleState,
    pub created_at: Timestamp,
    /// The first acceptance of a part: the bundle's clock starts here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<Timestamp>,
    /// The 统一社会信用代码 issued by the key part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    /// Name clashes that were flagged (not refused) at application, for the clerk to weigh.
    #[serde(default)]
    pub name_flags: Vec<names::NameClash>,
    /// What happened to the other parts when the bundle stopped or was withdrawn, for the
    /// applicant (a message key and the part that caused it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// The project manager (项目经理) following a major project: a supervisor's account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_manager: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = BundleOutcome))]
pub struct Outcome {
    /// `key_part_failed`, `part_failed` or `withdrawn`.
    pub reason: String,
    /// The part that failed, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// Parts cancelled as a result.
    #[serde(default)]
    pub cancelled: Vec<String>,
    /// Parts that will not start.
    #[serde(default)]
    pub skipped: Vec<String>,
}

/// What the store must do to carry out an advance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Create and submit the part's case now.
    Start(String),
    /// Cancel the part's open case with this reason (a message key).
    Cancel(String, &'static str),
    /// Issue the bundle's code (the key part was approved).
    IssueUscc,
}

/// Plans the parts of a new bundle; parts start when [`advance`] says so.
pub fn new_bundle(
    id: String,
    applicant: String,
    applicant_name: String,
    form: BundleForm,
    parts: Vec<Part>,
    name_flags: Vec<names::NameClash>,
    now: Timestamp,
) -> Bundle {
    Bundle {
        id,
        kind: match form {
            BundleForm::Startup(_) => BundleKind::Startup,
            BundleForm::Construction(_) => BundleKind::Construction,
        },
        applicant,
        applicant_name,
        form,
        parts,
        state: BundleState::InProgress,
        created_at: now,
        accepted_at: None,
        completed_at: None,
        uscc: None,
        name_flags,
        outcome: None,
        project_manager: None,
    }
}

/// The one rule of bundles. `cases` holds the part cases by part key.
pub fn advance(
    b: &Bundle,
    cases: &HashMap<String, &Case>,
    now: Timestamp,
) -> (Bundle, Vec<Action>) {
    let mut b = b.clone();
    let mut actions = Vec::new();
    // Mirror the part cases.
    for p in &mut b.parts {
        if let Some(c) = cases.get(&p.key) {
            p.case_id = Some(c.id.clone());
            p.case_state = Some(c.state);
            p.started_at = c.submitted_at.or(p.started_at);
            p.accepted_at = c.accepted_at;
            p.finished_at = c.closed_at.filter(|_| c.state.is_closed());
            p.open_commitments = c.open_commitments().filter(|m| !m.broken).count();
        }
    }
    b.accepted_at = b.parts.iter().filter_map(|p| p.accepted_at).min();
    if b.state.is_closed() {
        return (b, actions);
    }
    // The code is issued when the key part is approved, so the licence carries it.
    if b.uscc.is_none()
        && b.parts.iter().any(|p| {
            p.issues_uscc && matches!(p.case_state, Some(CaseState::Approved | CaseState::Issued))
        })
    {
        actions.push(Action::IssueUscc);
    }
    let key_failed = b
        .parts
        .iter()
        .find(|p| p.key_part && p.failed())
        .map(|p| p.key.clone());
    if let Some(failed) = key_failed {
        let mut outcome = Outcome {
            reason: "key_part_failed".into(),
            part: Some(failed),
            cancelled: vec![],
            skipped: vec![],
        };
        for p in &mut b.parts {
            if p.open() {
                actions.push(Action::Cancel(p.key.clone(), "bundle_stopped"));
                outcome.cancelled.push(p.key.clone());
            } else if p.case_id.is_none() && p.skipped.is_none() {
                p.skipped = Some("bundle_stopped".into());
                outcome.skipped.push(p.key.clone());
            }
        }
        b.state = BundleState::Stopped;
        b.completed_at = Some(now);
        b.outcome = Some(outcome);
        return (b, actions);
    }
    // Start what can start; skip what never can.
    let status: HashMap<String, (bool, bool)> = b
        .parts
        .iter()
        .map(|p| (p.key.clone(), (p.closed_for_dependants(), p.failed())))
        .collect();
    for p in &mut b.parts {
        if p.case_id.is_some() || p.skipped.is_some() {
            continue;
        }
        if p.depends_on
            .iter()
            .any(|d| status.get(d).is_some_and(|s| s.1))
        {
            p.skipped = Some("dependency_failed".into());
        } else if p
            .depends_on
            .iter()
            .all(|d| status.get(d).is_some_and(|s| s.0))
        {
            actions.push(Action::Start(p.key.clone()));
        }
    }
    let starting: Vec<&String> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Start(k) => Some(k),
            _ => None,
        })
        .collect();
    let all_closed = b
        .parts
        .iter()
        .all(|p| (p.closed_for_dependants() || p.failed()) && !starting.contains(&&p.key));
    if all_closed {
        let failed: Vec<String> = b
            .parts
            .iter()
            .filter(|p| p.failed())
            .map(|p| p.key.clone())
            .collect();
        b.completed_at = b
            .parts
            .iter()
            .filter_map(|p| p.finished_at)
            .max()
            .or(Some(now));
        if failed.is_empty() {
            b.state = BundleState::Done;
        } else {
            b.state = BundleState::PartlyDone;
            b.outcome = Some(Outcome {
                reason: "part_failed".into(),
                part: failed.first().cloned(),
                cancelled: vec![],
                skipped: b
                    .parts
                    .iter()
                    .filter(|p| p.skipped.is_some())
                    .map(|p| p.key.clone())
                    .collect(),
            });
        }
    }
    (b, actions)
}

/// The applicant withdraws the whole bundle: every open part is cancelled, nothing else starts.
pub fn withdraw(b: &Bundle, now: Timestamp) -> Result<(Bundle, Vec<Action>), FieldErrors> {
    if b.state.is_closed() {
        return Err(FieldErrors::single("bundle", "bundle_closed"));
    }
    let mut b = b.clone();
    let mut actions = Vec::new();
    let mut outcome = Outcome {
        reason: "withdrawn".into(),
        part: None,
        cancelled: vec![],
        skipped: vec![],
    };
    for p in &mut b.parts {
        if p.open() {
            actions.push(Action::Cancel(p.key.clone(), "bundle_withdrawn"));
            outcome.cancelled.push(p.key.clone());
        } else if p.case_id.is_none() && p.skipped.is_none() {
            p.skipped = Some("bundle_withdrawn".into());
            outcome.skipped.push(p.key.clone());
        }
    }
    b.state = BundleState::Withdrawn;
    b.completed_at = Some(now);
    b.outcome = Some(outcome);
    Ok((b, actions))
}

/// The bundle's clock: office minutes from the first acceptance to the last result, against the
/// target (1 working day) and the best (half a day), exact to the minute on the calendar.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BundleClock {
    pub started: bool,
    pub finished: bool,
    pub used_minutes: i64,
    pub target_minutes: i64,
    pub best_minutes: i64,
    /// Minutes left to the target (negative past it).
    pub left_minutes: i64,
    /// `not_started`, `on_time`, `overdue`, `finished_on_time`, `finished_late`, `not_finished`
    /// (stopped, withdrawn or partly done).
    pub status: &'static str,
    /// Finished within half a working day.
    pub within_best: bool,
    /// Counted over a year whose holiday notice is not loaded yet (statutory holidays only).
    pub provisional: bool,
}

/// Working days the start-up target allows (R1: ≤ 1, 0.5 at best).
pub const STARTUP_TARGET_DAYS: f64 = 1.0;
pub const STARTUP_BEST_DAYS: f64 = 0.5;

pub fn clock(b: &Bundle, now: Timestamp, cal: &Calendar) -> Result<BundleClock, CalendarError> {
    let per_day = cal.hours().minutes_per_day() as f64;
    let target = (STARTUP_TARGET_DAYS * per_day).round() as i64;
    let best = (STARTUP_BEST_DAYS * per_day).round() as i64;
    let Some(start) = b.accepted_at else {
        return Ok(BundleClock {
            started: false,
            finished: false,
            used_minutes: 0,
            target_minutes: target,
            best_minutes: best,
            left_minutes: target,
            status: "not_started",
            within_best: false,
            provisional: false,
        });
    };
    let finished = b.state.is_closed();
    let end = if finished {
        b.completed_at.unwrap_or(now)
    } else {
        now
    };
    let tz = district_tz();
    let civil = |t: Timestamp| t.to_zoned(tz.clone()).datetime();
    let used = cal.working_minutes_between(civil(start), civil(end.max(start)))?;
    // Only a bundle whose every part was issued finished, on time or late; one that stopped,
    // was withdrawn or is partly done did not finish at all.
    let status = match (finished, b.state, used <= target) {
        (false, _, true) => "on_time",
        (false, _, false) => "overdue",
        (true, BundleState::Done, true) => "finished_on_time",
        (true, BundleState::Done, false) => "finished_late",
        (true, _, _) => "not_finished",
    };
    Ok(BundleClock {
        started: true,
        finished,
        used_minutes: used,
        target_minutes: target,
        best_minutes: best,
        left_minutes: target - used,
        status,
        within_best: b.state == BundleState::Done && used <= best,
        provisional: !cal
            .provisional_years(local_date(start), local_date(end.max(start)))
            .is_empty(),
    })
}

#[cfg(test)]
mod tests;
