//! The clock job: one pass over the open cases that
//! - accepts on receipt the cases nobody flagged within 5 working days (§32),
//! - moves cases whose written commitment fell due unmet to revocation (and records it for credit),
//! - ends public notice periods the day after their last day,
//! - marks cases due soon and overdue and tells the unit and the applicant, once.
//!
//! Each change is its own write through the one write path; each notice carries a dedupe key
//! (case, status, due date), so a pass interrupted by a crash, repeated after a restart, or run
//! by two servers at once never notifies twice.

use crate::inbox::Message;
use crate::{Result, Store};
use serde::Serialize;
use sqlx::Row;
use tongban_domain::cases::{
    self, Actor, ApplicantStanding, ClockStatus, ClockView, Command, Context, local_date,
};
use tongban_domain::records::{RecordKind, RecordRef};

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockReport {
    pub deemed_accepted: usize,
    /// Public notice periods that ran out (the clock runs again).
    pub notice_periods_ended: usize,
    pub commitments_broken: usize,
    pub due_soon: usize,
    pub overdue: usize,
    /// Administrators told to load next year's holiday notice (once a year).
    pub calendar_reminders: usize,
    /// Units told of a progress report on the plan they owe past its due date (once each).
    pub plan_reports_overdue: usize,
}

impl Store {
    /// Runs one pass of the clock job at the store's current time.
    pub async fn run_clock(&self) -> Result<ClockReport> {
        self.refresh_calendar().await?;
        let mut report = ClockReport::default();
        let today = local_date(self.now()).to_string();
        let ids: Vec<String> = sqlx::query(
            "SELECT id FROM cases
             WHERE state IN ('submitted', 'review', 'paused', 'approved')
                OR (commitment_due IS NOT NULL AND commitment_due < $1)
             ORDER BY id",
        )
        .bind(&today)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<std::result::Result<_, _>>()?;
        let system = Actor::system();
        for id in ids {
            let Some(row) = self.case(&id).await? else {
                continue;
            };
            let c = row.case;
            let now = self.now();
            let cal = self.calendar();
            let ctx = Context {
                now,
                calendar: &cal,
                standing: ApplicantStanding::default(),
            };
            let allowed = cases::allowed_actions(&c, &system, &ctx);
            if allowed.contains(&"accept") {
                let accept = Command::Accept {
                    commitments: Vec::new(),
                };
                if self.system_command(&id, accept).await? {
                    report.deemed_accepted += 1;
                }
                continue;
            }
            let local_today = local_date(now);
            if let Some(m) = c
                .open_commitments()
                .find(|m| !m.broken && m.due < local_today)
                .map(|m| m.material.clone())
            {
                if allowed.contains(&"break_commitment") {
                    if self
                        .system_command(&id, Command::BreakCommitment { material: m })
                        .await?
                    {
                        report.commitments_broken += 1;
                    }
                    continue;
                }
            }
            if allowed.contains(&"resume") {
                if self.system_command(&id, Command::Resume).await? {
                    report.notice_periods_ended += 1;
                }
                continue;
            }
            if !c.state.in_review() {
                continue;
            }
            let Ok(view) = ClockView::compute(&c, now, &cal) else {
                continue;
            };
            let status = view.status;
            if !matches!(status, ClockStatus::DueSoon | ClockStatus::Overdue)
                || row.clock_status == status.as_str()
            {
                continue;
            }
            let due = view.promised_due.map(|d| d.to_string()).unwrap_or_default();
            if self.mark_clock(&c, status, &due).await? {
                match status {
                    ClockStatus::DueSoon => report.due_soon += 1,
                    _ => report.overdue += 1,
                }
            }
        }
        report.calendar_reminders = self.send_calendar_reminder().await?;
        report.plan_reports_overdue = self.alert_overdue_reports().await?;
        Ok(report)
    }

    /// Applies a command as the clock job. Returns false when the case moved on meanwhile (a clerk
    /// acted, or another server's pass got there first): the domain refuses, nothing is written.
    async fn system_command(&self, id: &str, cmd: Command) -> Result<bool> {
        let detail = serde_json::to_value(&cmd).expect("commands serialise");
        let r = self
            .change_case(
                cases::SYSTEM,
                id,
                cmd.name(),
                Some(&detail),
                |c, cal, now| {
                    let ctx = Context {
                        now,
                        calendar: cal,
                        standing: ApplicantStanding::default(),
                    };
                    cases::apply(c, &cmd, &Actor::system(), &ctx)
                },
            )
            .await;
        match r {
            Ok(_) => Ok(true),
            Err(crate::StoreError::Refused(cases::CaseError::Calendar(e))) => {
                tracing::warn!(case = id, error = %e, "clock job: load the missing calendar year");
                Ok(false)
            }
            Err(crate::StoreError::Refused(e)) => {
                tracing::debug!(case = id, error = %e, "clock job: case moved on");
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Stores the new clock status and notifies the unit and the applicant, once per status and
    /// due date. Returns false when another pass got there first.
    async fn mark_clock(&self, c: &cases::Case, status: ClockStatus, due: &str) -> Result<bool> {
        let mut w = self.begin_write(cases::SYSTEM).await?;
        let updated = sqlx::query(
            "UPDATE cases SET clock_status = $2 WHERE id = $1 AND clock_status <> $2 AND state IN ('review', 'paused')",
        )
        .bind(&c.id)
        .bind(status.as_str())
        .execute(w.conn())
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(false);
        }
        let key = format!("{}:{}:{due}", c.id, status.as_str());
        let about = Some(RecordRef::new(RecordKind::Case, &c.id));
        let mut recipients = vec![format!("unit:{}", c.unit)];
        recipients.extend(c.applicant_recipients());
        for r in recipients {
            let dedupe = format!("{r}:{key}");
            let m = Message::new(&r, about, status.as_str()).dedupe(&dedupe);
            self.notify(&mut w, m).await?;
        }
        let after = serde_json::json!({"clock_status": status, "due": due});
        w.audit("case.clock", "case", &c.id, None::<&()>, Some(&after))
            .await?;
        w.commit().await?;
        Ok(true)
    }
}
