//! The leadership's monthly reports: the PDF's bytes are a stored file; the row keeps the inputs
//! it was drawn from, their hash and the font, so the report can be made again and compared.

use crate::{Result, Store, StoreError};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongban_domain::dashboard::Month;
use tongban_domain::records::{RecordKind, RecordRef};

/// A kept report (without its inputs, which [`Store::monthly_report_inputs`] reads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthlyReport {
    /// `YB202611-1`: the month and the version within it.
    pub id: String,
    /// The month as `yyyymm` (202611).
    #[cfg_attr(feature = "openapi", schema(value_type = i32))]
    pub month: Month,
    pub version: i64,
    /// Made by the monthly job (at most one a month) rather than on demand.
    pub scheduled: bool,
    pub inputs_sha256: String,
    pub pdf_sha256: String,
    pub pdf_size: i64,
    pub font: String,
    pub made_at: String,
    pub made_by: String,
}

/// What a new report is made of (the PDF already stored as a file).
pub struct NewMonthlyReport {
    pub month: Month,
    pub scheduled: bool,
    pub inputs_json: String,
    pub inputs_sha256: String,
    pub pdf_sha256: String,
    pub pdf_size: i64,
    pub font: String,
}

fn report(r: &AnyRow) -> Result<MonthlyReport> {
    Ok(MonthlyReport {
        id: r.try_get("id")?,
        month: Month(r.try_get::<i64, _>("month")? as i32),
        version: r.try_get("version")?,
        scheduled: r.try_get::<i64, _>("scheduled")? == 1,
        inputs_sha256: r.try_get("inputs_sha256")?,
        pdf_sha256: r.try_get("pdf_sha256")?,
        pdf_size: r.try_get("pdf_size")?,
        font: r.try_get("font")?,
        made_at: r.try_get("made_at")?,
        made_by: r.try_get("made_by")?,
    })
}

impl Store {
    /// Keeps a report as the month's next version (audited). The month's scheduled report is
    /// made once: a second one (another server's job, a retried pass) is `None`.
    pub async fn save_monthly_report(
        &self,
        actor: &str,
        new: NewMonthlyReport,
    ) -> Result<Option<MonthlyReport>> {
        let mut w = self.begin_write(actor).await?;
        let month = i64::from(new.month.0);
        if new.scheduled {
            let done =
                sqlx::query("SELECT id FROM monthly_reports WHERE month = $1 AND scheduled = 1")
                    .bind(month)
                    .fetch_optional(w.conn())
                    .await?;
            if done.is_some() {
                return Ok(None);
            }
        }
        let version: i64 = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) + 1 AS v FROM monthly_reports WHERE month = $1",
        )
        .bind(month)
        .fetch_one(w.conn())
        .await?
        .try_get("v")?;
        let r = MonthlyReport {
            id: format!("YB{}-{version}", new.month.0),
            month: new.month,
            version,
            scheduled: new.scheduled,
            inputs_sha256: new.inputs_sha256,
            pdf_sha256: new.pdf_sha256,
            pdf_size: new.pdf_size,
            font: new.font,
            made_at: w.at().to_string(),
            made_by: actor.to_string(),
        };
        sqlx::query(
            "INSERT INTO monthly_reports (id, month, version, scheduled, inputs_json, inputs_sha256,
                 pdf_sha256, pdf_size, font, made_at, made_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&r.id)
        .bind(month)
        .bind(version)
        .bind(i64::from(r.scheduled))
        .bind(&new.inputs_json)
        .bind(&r.inputs_sha256)
        .bind(&r.pdf_sha256)
        .bind(r.pdf_size)
        .bind(&r.font)
        .bind(&r.made_at)
        .bind(&r.made_by)
        .execute(w.conn())
        .await?;
        let about = RecordRef::new(RecordKind::MonthlyReport, &r.id);
        self.record_changed(&mut w, about, "monthly_report.make", None::<&()>, &r, &[])
            .await?;
        w.commit().await?;
        Ok(Some(r))
    }

    /// Every kept report, the newest month first.
    pub async fn monthly_reports(&self) -> Result<Vec<MonthlyReport>> {
        let rows = sqlx::query(
            "SELECT id, month, version, scheduled, inputs_sha256, pdf_sha256, pdf_size, font,
                    made_at, made_by
             FROM monthly_reports ORDER BY month DESC, version DESC",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(report).collect()
    }

    pub async fn monthly_report(&self, id: &str) -> Result<MonthlyReport> {
        let row = sqlx::query(
            "SELECT id, month, version, scheduled, inputs_sha256, pdf_sha256, pdf_size, font,
                    made_at, made_by
             FROM monthly_reports WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.reader())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "monthly_report",
            id: id.to_string(),
        })?;
        report(&row)
    }

    /// The inputs a report was drawn from, as kept (JSON).
    pub async fn monthly_report_inputs(&self, id: &str) -> Result<String> {
        let row = sqlx::query("SELECT inputs_json FROM monthly_reports WHERE id = $1")
            .bind(id)
            .fetch_optional(self.reader())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "monthly_report",
                id: id.to_string(),
            })?;
        Ok(row.try_get("inputs_json")?)
    }

    /// Whether the month's scheduled report has been made.
    pub async fn has_scheduled_report(&self, month: Month) -> Result<bool> {
        Ok(
            sqlx::query("SELECT id FROM monthly_reports WHERE month = $1 AND scheduled = 1")
                .bind(i64::from(month.0))
                .fetch_optional(self.reader())
                .await?
                .is_some(),
        )
    }
}
