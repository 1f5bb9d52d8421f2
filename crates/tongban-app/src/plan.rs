//! The action plan (R11): the plan as a versioned document the business-environment office keeps,
//! and the units' quarterly progress reports on the tasks they lead, which the office reviews.

use crate::{Error, Result};
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::catalog::Level;
use tongban_domain::plan::report::{self, Expected, NewReport, Report};
use tongban_domain::plan::{OFFICE, Plan};
use tongban_store::Store;
use tongban_store::accounts::User;
pub use tongban_store::plan::PLAN;

/// The business-environment office (营商办) keeps the plan and reviews reports: its staff,
/// supervisors and administrators.
pub fn keeps_plan(user: &User) -> bool {
    matches!(user.role, Role::Supervisor | Role::Admin)
        || (user.unit.as_deref() == Some(OFFICE) && user.role.is_staff())
}

/// Saves a new version of the plan, checked against the units.
pub async fn save_plan(store: &Store, user: &User, toml: &str, note: &str) -> Result<i64> {
    if !keeps_plan(user) {
        return Err(Error::Forbidden);
    }
    if note.trim().is_empty() {
        return Err(FieldErrors::single("note", "required").into());
    }
    let units = store.unit_codes().await?;
    Plan::parse(toml, &|u| units.contains(u))?;
    Ok(store
        .save_list(&user.username, PLAN, toml, note.trim())
        .await?)
}

/// A unit's staff report on a task their unit leads.
pub async fn submit_report(store: &Store, user: &User, new: NewReport) -> Result<Report> {
    let (unit, due) = admit_report(store, user, &new).await?;
    Ok(store.submit_report(&user.username, &unit, new, due).await?)
}

/// Whether `user` may give this report, asked before its evidence is kept (so that a refused
/// report leaves no file behind): the reporting unit and the report's due date.
pub async fn admit_report(
    store: &Store,
    user: &User,
    new: &NewReport,
) -> Result<(String, jiff::civil::Date)> {
    let unit = match (user.role, &user.unit) {
        (Role::Clerk | Role::Approver, Some(u)) => u.clone(),
        _ => return Err(Error::Forbidden),
    };
    let (_, plan) = store.plan().await?;
    let units = store.units().await?;
    let is_department = units
        .iter()
        .any(|u| u.code == unit && u.level == Level::District && u.parent.is_some());
    let today = tongban_domain::cases::local_date(store.now());
    let (_, period) = new.check(&plan, &unit, is_department, today)?;
    let days = plan.report_days.unwrap_or(report::DEFAULT_REPORT_DAYS);
    let due = report::due(period, days, &store.calendar())?;
    Ok((unit, due))
}

/// Who sees a report: its unit's staff, the office, the evaluator.
fn sees(user: &User, r: &Report) -> bool {
    keeps_plan(user)
        || user.role == Role::Evaluator
        || (user.role.is_staff() && user.unit.as_deref() == Some(r.unit.as_str()))
}

pub async fn load_report(store: &Store, user: &User, id: &str) -> Result<Report> {
    let r = store.plan_report(id).await?.ok_or(Error::NotFound)?;
    if !sees(user, &r) {
        return Err(Error::NotFound);
    }
    Ok(r)
}

/// The office accepts a report or returns it with what is missing.
pub async fn review_report(
    store: &Store,
    user: &User,
    id: &str,
    accepted: bool,
    note: &str,
) -> Result<Report> {
    if !keeps_plan(user) {
        return Err(Error::Forbidden);
    }
    Ok(store
        .change_report(&user.username, id, "plan_report.review", |r, today| {
            r.review(accepted, note, &user.username, today)
        })
        .await?)
}

/// One report the plan expects, with the report if it came in.
#[derive(Debug, Clone)]
pub struct Owed {
    pub expected: Expected,
    pub report: Option<Report>,
    /// Past its due date and not in.
    pub overdue: bool,
}

/// The reports a user follows: their unit's (staff), or every unit's (the office, the evaluator),
/// newest quarter first, with those not in by their due date marked.
pub async fn owed(store: &Store, user: &User) -> Result<Vec<Owed>> {
    let all = keeps_plan(user) || user.role == Role::Evaluator;
    let unit = match (all, user.role.is_staff(), &user.unit) {
        (true, _, _) => None,
        (false, true, Some(u)) => Some(u.as_str()),
        _ => return Err(Error::Forbidden),
    };
    let (_, plan) = store.plan().await?;
    let today = tongban_domain::cases::local_date(store.now());
    let reports = store.plan_reports(unit).await?;
    let mut out: Vec<Owed> = report::expected(&plan, today, &store.calendar())
        .into_iter()
        .filter(|e| unit.is_none_or(|u| u == e.unit))
        .map(|e| {
            let report = reports
                .iter()
                .find(|r| {
                    r.unit == e.unit
                        && r.report.task == e.task
                        && r.report.period == e.period.to_string()
                })
                .cloned();
            let overdue = report.is_none() && e.due < today;
            Owed {
                expected: e,
                report,
                overdue,
            }
        })
        .collect();
    // Reports on quarters the plan does not chase (sent early, or before reporting began).
    for r in reports {
        if !out
            .iter()
            .any(|o| o.report.as_ref().is_some_and(|x| x.id == r.id))
        {
            if let Some(period) = tongban_domain::dashboard::Period::parse(&r.report.period) {
                out.push(Owed {
                    expected: Expected {
                        task: r.report.task.clone(),
                        unit: r.unit.clone(),
                        period,
                        due: r.due,
                    },
                    report: Some(r),
                    overdue: false,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        b.expected
            .period
            .months()
            .0
            .cmp(&a.expected.period.months().0)
            .then(a.expected.task.cmp(&b.expected.task))
            .then(a.expected.unit.cmp(&b.expected.unit))
    });
    Ok(out)
}

// ---- supervision rounds (督查) ------------------------------------------------------------------

use tongban_domain::plan::round::{self, NewFinding, NewRound, Round};

/// Opens a round of checks (the office).
pub async fn create_round(store: &Store, user: &User, new: NewRound) -> Result<Round> {
    if !keeps_plan(user) {
        return Err(Error::Forbidden);
    }
    new.validate(tongban_domain::cases::local_date(store.now()))?;
    Ok(store.create_round(&user.username, new).await?)
}

fn party<'u>(user: &'u User) -> round::Party<'u> {
    if keeps_plan(user) {
        round::Party::Office
    } else if let (true, Some(u)) = (user.role.is_staff(), &user.unit) {
        round::Party::Unit(u)
    } else {
        round::Party::Other
    }
}

/// Who sees a round: the office and the evaluator; once its notice is out, the staff of a unit
/// it names.
fn sees_round(user: &User, r: &Round) -> bool {
    keeps_plan(user)
        || user.role == Role::Evaluator
        || (r.notice.is_some()
            && user.role.is_staff()
            && r.findings
                .iter()
                .any(|f| Some(&f.finding.unit) == user.unit.as_ref()))
}

pub async fn load_round(store: &Store, user: &User, id: &str) -> Result<Round> {
    let r = store.round(id).await?.ok_or(Error::NotFound)?;
    if !sees_round(user, &r) {
        return Err(Error::NotFound);
    }
    Ok(r)
}

/// The rounds a user sees, newest first.
pub async fn rounds(store: &Store, user: &User) -> Result<Vec<Round>> {
    if !user.role.is_staff() && user.role != Role::Evaluator {
        return Err(Error::Forbidden);
    }
    Ok(store
        .rounds()
        .await?
        .into_iter()
        .filter(|r| sees_round(user, r))
        .collect())
}

/// The office records a finding: a unit (and the task), praise, criticism or a problem with its
/// rectification date.
pub async fn add_finding(store: &Store, user: &User, id: &str, f: NewFinding) -> Result<Round> {
    load_round(store, user, id).await?;
    let units = store.unit_codes().await?;
    let (_, plan) = store.plan().await?;
    let today = tongban_domain::cases::local_date(store.now());
    f.validate(&|u| units.contains(u), &|t| plan.task(t).is_some(), today)?;
    let cmd = round::Command::AddFinding(f);
    Ok(store
        .change_round(
            &user.username,
            id,
            "round.add_finding",
            false,
            |r, today, _| r.apply(&cmd, &party(user), &user.username, today),
        )
        .await?)
}

/// The office publishes the round's notice (通报), numbered in the year's series.
pub async fn publish_round(store: &Store, user: &User, id: &str, text: &str) -> Result<Round> {
    load_round(store, user, id).await?;
    Ok(store
        .change_round(
            &user.username,
            id,
            "round.publish",
            true,
            |r, today, number| {
                let cmd = round::Command::Publish {
                    text: text.to_string(),
                    number: number.to_string(),
                };
                r.apply(&cmd, &party(user), &user.username, today)
            },
        )
        .await?)
}

/// A unit's staff answer one of their unit's findings with what they rectified.
pub async fn rectify(
    store: &Store,
    user: &User,
    id: &str,
    finding: usize,
    text: &str,
) -> Result<Round> {
    load_round(store, user, id).await?;
    let cmd = round::Command::Rectify {
        finding,
        text: text.to_string(),
    };
    Ok(store
        .change_round(&user.username, id, "round.rectify", false, |r, today, _| {
            r.apply(&cmd, &party(user), &user.username, today)
        })
        .await?)
}
