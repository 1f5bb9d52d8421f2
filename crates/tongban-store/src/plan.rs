//! The action plan's progress reports: submitted (and submitted again when returned) by a task's
//! lead unit, reviewed by the office, all through the one write; and the clock job's pass that
//! tells a unit once when a report it owes is overdue.

use crate::inbox::Message;
use crate::write::Write;
use crate::{Result, Store, json_col, to_json};
use jiff::civil::Date;
use sqlx::Row;
use tongban_domain::cases::local_date;
use tongban_domain::plan::Plan;
use tongban_domain::plan::report::{self, NewReport, Report};
use tongban_domain::records::{RecordKind, RecordRef};
use tongban_domain::refusal::Refusal;

/// The list the plan is kept in (`list_versions`).
pub const PLAN: &str = "plan";

fn audit_view(r: &Report) -> serde_json::Value {
    serde_json::json!({
        "task": r.report.task, "unit": r.unit, "period": r.report.period, "state": r.state,
        "late": r.late, "figures": r.report.figures.len(), "evidence": r.report.evidence.len(),
    })
}

impl Store {
    /// The plan as it stands (the district's first version until one is saved).
    pub async fn plan(&self) -> Result<(i64, Plan)> {
        let kept = self
            .plan_cache
            .get("plan".into(), || self.plan_uncached())
            .await?;
        Ok((*kept).clone())
    }

    async fn plan_uncached(&self) -> Result<(i64, Plan)> {
        let (version, text) = match self.list_current(PLAN).await? {
            Some(v) => (v.version, v.toml),
            None => (0, tongban_domain::plan::BASELINE.to_string()),
        };
        // A stored version was checked when saved; a unit gone since must not hide the plan.
        let plan = Plan::parse(&text, &|_| true)
            .map_err(|e| crate::StoreError::Corrupt(format!("plan version {version}: {e:?}")))?;
        Ok((version, plan))
    }

    /// Submits a unit's report (checked by the caller), or submits it again after it was
    /// returned, numbered `JB2026-000001`; tells the office.
    pub async fn submit_report(
        &self,
        actor: &str,
        unit: &str,
        new: NewReport,
        due: Date,
    ) -> Result<Report> {
        let mut w = self.begin_write(actor).await?;
        let today = local_date(w.now());
        let row = sqlx::query(
            "SELECT report_json FROM plan_reports WHERE task = $1 AND unit = $2 AND period = $3",
        )
        .bind(&new.task)
        .bind(unit)
        .bind(&new.period)
        .fetch_optional(w.conn())
        .await?;
        let before: Option<Report> = row
            .as_ref()
            .map(|r| json_col(r, "report_json"))
            .transpose()?;
        let id = match &before {
            Some(b) => b.id.clone(),
            None => {
                let n =
                    Self::next_counter(&mut w, &format!("plan_report:{}", today.year())).await?;
                format!("JB{}-{n:06}", today.year())
            }
        };
        let (r, tell) = Report::submit(id, before.as_ref(), new, unit, actor, today, due)?;
        if before.is_some() {
            sqlx::query(
                "UPDATE plan_reports SET state = $2, submitted_on = $3, report_json = $4, updated_at = $5
                 WHERE id = $1",
            )
        } else {
            sqlx::query(
                "INSERT INTO plan_reports (id, state, submitted_on, report_json, updated_at, task, unit, period, due)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
        }
        .bind(&r.id)
        .bind(r.state.as_str())
        .bind(today.to_string())
        .bind(to_json(&r))
        .bind(w.at().to_string())
        .bind(&r.report.task)
        .bind(unit)
        .bind(&r.report.period)
        .bind(due.to_string())
        .execute(w.conn())
        .await?;
        let about = RecordRef::new(RecordKind::PlanReport, &r.id);
        let b = before.as_ref().map(audit_view);
        self.record_changed(
            &mut w,
            about,
            "plan_report.submit",
            b.as_ref(),
            &audit_view(&r),
            &tell,
        )
        .await?;
        w.commit().await?;
        Ok(r)
    }

    /// Changes a report in one write (the office's review).
    pub async fn change_report(
        &self,
        actor: &str,
        id: &str,
        action: &str,
        f: impl FnOnce(
            &Report,
            Date,
        )
            -> std::result::Result<(Report, Vec<tongban_domain::records::Notify>), Refusal>,
    ) -> Result<Report> {
        let mut w = self.begin_write(actor).await?;
        let before: Report = w
            .read_json("plan_reports", "report_json", "plan_report", id)
            .await?;
        let (r, tell) = f(&before, local_date(w.now()))?;
        sqlx::query(
            "UPDATE plan_reports SET state = $2, report_json = $3, updated_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(r.state.as_str())
        .bind(to_json(&r))
        .bind(w.at().to_string())
        .execute(w.conn())
        .await?;
        let about = RecordRef::new(RecordKind::PlanReport, id);
        self.record_changed(
            &mut w,
            about,
            action,
            Some(&audit_view(&before)),
            &audit_view(&r),
            &tell,
        )
        .await?;
        w.commit().await?;
        Ok(r)
    }

    pub async fn plan_report(&self, id: &str) -> Result<Option<Report>> {
        let row = sqlx::query("SELECT report_json FROM plan_reports WHERE id = $1")
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(|r| json_col(r, "report_json")).transpose()
    }

    /// Reports of one unit (or all), newest quarter first.
    pub async fn plan_reports(&self, unit: Option<&str>) -> Result<Vec<Report>> {
        let rows = sqlx::query(
            "SELECT report_json FROM plan_reports WHERE ($1 = '' OR unit = $1)
             ORDER BY period DESC, task, unit",
        )
        .bind(unit.unwrap_or(""))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| json_col(r, "report_json")).collect()
    }

    /// Tells each unit once about every report it owes that is past its due date and not in;
    /// returns how many were told (the clock job's pass).
    pub async fn alert_overdue_reports(&self) -> Result<usize> {
        let today = local_date(self.now());
        let (_, plan) = self.plan().await?;
        let owed: Vec<report::Expected> = report::expected(&plan, today, &self.calendar())
            .into_iter()
            .filter(|e| e.due < today)
            .collect();
        if owed.is_empty() {
            return Ok(0);
        }
        // A report that came in, or an alert already sent, needs nothing more: passes after the
        // first open no write at all.
        let key = |task: &str, unit: &str, period: &str| {
            format!("plan_report_overdue:{task}:{unit}:{period}")
        };
        let mut settled: std::collections::BTreeSet<String> = Default::default();
        for r in sqlx::query("SELECT task, unit, period FROM plan_reports")
            .fetch_all(self.reader())
            .await?
        {
            let (t, u, p): (String, String, String) =
                (r.try_get("task")?, r.try_get("unit")?, r.try_get("period")?);
            settled.insert(key(&t, &u, &p));
        }
        for r in sqlx::query("SELECT dedupe FROM inbox WHERE dedupe LIKE 'plan_report_overdue:%'")
            .fetch_all(self.reader())
            .await?
        {
            settled.insert(r.try_get("dedupe")?);
        }
        let mut told = 0;
        let mut w: Option<Write> = None;
        for e in owed {
            let dedupe = key(&e.task, &e.unit, &e.period.to_string());
            if settled.contains(&dedupe) {
                continue;
            }
            let w = match &mut w {
                Some(w) => w,
                None => w.insert(self.begin_write("system").await?),
            };
            let to = format!("unit:{}", e.unit);
            let detail = format!("{} {} {}", e.task, e.period, e.due);
            let m = Message::new(&to, None, "plan_report_overdue")
                .dedupe(&dedupe)
                .detail(&detail);
            if self.notify(w, m).await? {
                told += 1;
            }
        }
        if let Some(w) = w {
            w.commit().await?;
        }
        Ok(told)
    }
}

// ---- supervision rounds (督查) ------------------------------------------------------------------

use tongban_domain::plan::round::{NewRound, Round};

fn round_view(r: &Round) -> serde_json::Value {
    serde_json::json!({
        "title": r.round.title, "held_on": r.round.held_on, "state": r.state(),
        "findings": r.findings.len(),
        "rectified": r.findings.iter().filter(|f| f.rectified.is_some()).count(),
        "notice": r.notice.as_ref().map(|n| &n.number),
    })
}

impl Store {
    /// Opens a round (checked by the caller), numbered `DC2026-000001`.
    pub async fn create_round(&self, actor: &str, new: NewRound) -> Result<Round> {
        let mut w = self.begin_write(actor).await?;
        let year = local_date(w.now()).year();
        let n = Self::next_counter(&mut w, &format!("round:{year}")).await?;
        let r = Round {
            id: format!("DC{year}-{n:06}"),
            round: new,
            created_by: actor.to_string(),
            findings: vec![],
            notice: None,
        };
        sqlx::query(
            "INSERT INTO supervision_rounds (id, held_on, state, round_json, updated_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&r.id)
        .bind(r.round.held_on.to_string())
        .bind(r.state())
        .bind(to_json(&r))
        .bind(w.at().to_string())
        .execute(w.conn())
        .await?;
        let about = RecordRef::new(RecordKind::SupervisionRound, &r.id);
        self.record_changed(
            &mut w,
            about,
            "round.create",
            None::<&()>,
            &round_view(&r),
            &[],
        )
        .await?;
        w.commit().await?;
        Ok(r)
    }

    /// Changes a round in one write; `f` gets the round, today and — when `numbered` — the next
    /// notice number of the year (西湖营商督〔2026〕第0001号).
    pub async fn change_round(
        &self,
        actor: &str,
        id: &str,
        action: &str,
        numbered: bool,
        f: impl FnOnce(
            &Round,
            Date,
            &str,
        )
            -> std::result::Result<(Round, Vec<tongban_domain::records::Notify>), Refusal>,
    ) -> Result<Round> {
        let mut w = self.begin_write(actor).await?;
        let before: Round = w
            .read_json("supervision_rounds", "round_json", "supervision_round", id)
            .await?;
        let today = local_date(w.now());
        let number = if numbered {
            let n = Self::next_counter(&mut w, &format!("round_notice:{}", today.year())).await?;
            format!("西湖营商督〔{}〕第{n:04}号", today.year())
        } else {
            String::new()
        };
        let (r, tell) = f(&before, today, &number)?;
        sqlx::query("UPDATE supervision_rounds SET state = $2, round_json = $3, updated_at = $4 WHERE id = $1")
            .bind(id)
            .bind(r.state())
            .bind(to_json(&r))
            .bind(w.at().to_string())
            .execute(w.conn())
            .await?;
        let about = RecordRef::new(RecordKind::SupervisionRound, id);
        self.record_changed(
            &mut w,
            about,
            action,
            Some(&round_view(&before)),
            &round_view(&r),
            &tell,
        )
        .await?;
        w.commit().await?;
        Ok(r)
    }

    pub async fn round(&self, id: &str) -> Result<Option<Round>> {
        let row = sqlx::query("SELECT round_json FROM supervision_rounds WHERE id = $1")
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(|r| json_col(r, "round_json")).transpose()
    }

    /// Every round, newest first.
    pub async fn rounds(&self) -> Result<Vec<Round>> {
        let rows =
            sqlx::query("SELECT round_json FROM supervision_rounds ORDER BY held_on DESC, id DESC")
                .fetch_all(self.reader())
                .await?;
        rows.iter().map(|r| json_col(r, "round_json")).collect()
    }
}
