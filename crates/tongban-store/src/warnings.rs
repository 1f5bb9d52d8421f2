//! Risk warnings (风险预警): raised by a unit or by the platform's rules inside the write that
//! saw the sign, answered by the responsible unit, all through the one write.

use crate::write::Write;
use crate::{Result, Store, json_col, to_json};
use sqlx::Row;
use tongban_domain::cases::local_date;
use tongban_domain::dashboard::{indicators::Records, tally};
use tongban_domain::inspection::warning::{self, NewWarning, Warning, WarningSource};
use tongban_domain::records::{RecordKind, RecordRef};

fn audit_view(w: &Warning) -> serde_json::Value {
    serde_json::json!({
        "entity": w.raised.entity, "unit": w.raised.unit, "source": w.source, "due": w.due,
        "confirmed": w.feedback.as_ref().map(|f| f.confirmed),
        "answered_on": w.feedback.as_ref().map(|f| f.on),
    })
}

impl Store {
    /// Raises a warning inside a write, numbered `FX2026-000001`, and tells the unit.
    pub(crate) async fn insert_warning(
        &self,
        w: &mut Write,
        new: NewWarning,
        source: WarningSource,
    ) -> Result<Warning> {
        let today = local_date(w.now());
        let n = Self::next_counter(w, &format!("warning:{}", today.year())).await?;
        let id = format!("FX{}-{n:06}", today.year());
        let actor = w.actor().to_string();
        let (warning, tell) = Warning::raise(id, new, source, &actor, today, &self.calendar())?;
        sqlx::query(
            "INSERT INTO risk_warnings (id, entity, unit, source, due, answered_on, warning_json,
                created_at, updated_at) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $7)",
        )
        .bind(&warning.id)
        .bind(&warning.raised.entity)
        .bind(&warning.raised.unit)
        .bind(source.as_str())
        .bind(warning.due.to_string())
        .bind(to_json(&warning))
        .bind(w.at().to_string())
        .execute(w.conn())
        .await?;
        let about = RecordRef::new(RecordKind::RiskWarning, &warning.id);
        self.record_changed(
            w,
            about,
            "warning.raise",
            None::<&()>,
            &audit_view(&warning),
            &tell,
        )
        .await?;
        Ok(warning)
    }

    /// A unit raises a warning (checked by the caller) in its own write.
    pub async fn raise_warning(&self, actor: &str, new: NewWarning) -> Result<Warning> {
        let mut w = self.begin_write(actor).await?;
        let warning = self
            .insert_warning(&mut w, new, WarningSource::Unit)
            .await?;
        w.commit().await?;
        Ok(warning)
    }

    /// The rule on hotline complaints, inside the ticket's write: the [`warning::REPEAT_COMPLAINTS`]th
    /// complaint about one entity within the window raises a warning to the entity supervisor,
    /// unless one from this rule is still open.
    pub(crate) async fn warn_on_repeated_complaints(
        &self,
        w: &mut Write,
        uscc: &str,
        name: &str,
    ) -> Result<Option<Warning>> {
        let since = w
            .now()
            .checked_sub(jiff::SignedDuration::from_hours(
                24 * warning::REPEAT_WINDOW_DAYS,
            ))
            .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM hotline_tickets
             WHERE about_uscc = $1 AND category = 'complaint' AND received_at >= $2",
        )
        .bind(uscc)
        .bind(crate::rfc3339(since))
        .fetch_one(w.conn())
        .await?;
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM risk_warnings
             WHERE entity = $1 AND source = 'hotline_repeat' AND answered_on IS NULL",
        )
        .bind(uscc)
        .fetch_one(w.conn())
        .await?;
        if n < warning::REPEAT_COMPLAINTS || open > 0 {
            return Ok(None);
        }
        let new = NewWarning {
            entity: uscc.to_string(),
            entity_name: name.to_string(),
            unit: warning::ENTITY_SUPERVISOR.to_string(),
            reason: format!(
                "{}日内12345热线收到针对该主体的投诉{}件",
                warning::REPEAT_WINDOW_DAYS,
                n
            ),
        };
        Ok(Some(
            self.insert_warning(w, new, WarningSource::HotlineRepeat)
                .await?,
        ))
    }

    pub async fn warning(&self, id: &str) -> Result<Option<Warning>> {
        self.json_by("risk_warnings", "warning_json", "id", id)
            .await
    }

    /// Warnings for one unit (or every unit), open first by deadline, then the newest answered.
    pub async fn warnings(&self, unit: Option<&str>, limit: i64) -> Result<Vec<Warning>> {
        let rows = sqlx::query(
            "SELECT warning_json FROM risk_warnings WHERE ($1 = '' OR unit = $1)
             ORDER BY CASE WHEN answered_on IS NULL THEN 0 ELSE 1 END, due, id DESC LIMIT $2",
        )
        .bind(unit.unwrap_or(""))
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| json_col(r, "warning_json")).collect()
    }

    /// Answered on time over answered, and open past their deadline, as of today.
    pub async fn warning_timeliness(&self) -> Result<(i64, i64, i64)> {
        let today = local_date(self.now()).to_string();
        let row = sqlx::query(
            "SELECT COALESCE(SUM(CASE WHEN answered_on IS NOT NULL AND answered_on <= due THEN 1 ELSE 0 END), 0) AS on_time,
                    COALESCE(SUM(CASE WHEN answered_on IS NOT NULL THEN 1 ELSE 0 END), 0) AS answered,
                    COALESCE(SUM(CASE WHEN answered_on IS NULL AND due < $1 THEN 1 ELSE 0 END), 0) AS overdue
             FROM risk_warnings",
        )
        .bind(today)
        .fetch_one(self.reader())
        .await?;
        Ok((
            row.try_get("on_time")?,
            row.try_get("answered")?,
            row.try_get("overdue")?,
        ))
    }

    /// The responsible unit answers, in one write.
    pub async fn answer_warning(
        &self,
        actor: &str,
        id: &str,
        f: impl FnOnce(
            &Warning,
            jiff::civil::Date,
        ) -> Result<
            (Warning, Vec<tongban_domain::records::Notify>),
            tongban_domain::refusal::Refusal,
        >,
    ) -> Result<Warning> {
        let mut w = self.begin_write(actor).await?;
        let before: Warning = w
            .read_json("risk_warnings", "warning_json", "risk_warning", id)
            .await?;
        let (after, tell) = f(&before, local_date(w.now()))?;
        sqlx::query(
            "UPDATE risk_warnings SET answered_on = $2, warning_json = $3, updated_at = $4
             WHERE id = $1",
        )
        .bind(id)
        .bind(after.feedback.as_ref().map(|f| f.on.to_string()))
        .bind(to_json(&after))
        .bind(w.at().to_string())
        .execute(w.conn())
        .await?;
        self.tally(&mut w, Records::RiskWarnings, id, tally::of_warning(&after))
            .await?;
        let about = RecordRef::new(RecordKind::RiskWarning, id);
        let (b, a) = (audit_view(&before), audit_view(&after));
        self.record_changed(&mut w, about, "warning.answer", Some(&b), &a, &tell)
            .await?;
        w.commit().await?;
        Ok(after)
    }
}
