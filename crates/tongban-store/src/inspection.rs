//! 双随机、一公开: the versioned lists (matters, inspectors), the directory of entities, plans
//! and their draws, and checks with their results, all through the one write.

use crate::{Result, Store, StoreError, json_col, to_json};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use tongban_domain::accounts::ApplicantIdentity;
use tongban_domain::cases::local_date;
use tongban_domain::credit::lists::Effect;
use tongban_domain::credit::{CreditKind, NewRecord, SubjectKind};
use tongban_domain::dashboard::{indicators::Records, tally};
use tongban_domain::inspection::draw::{Entity, RiskGrade};
use tongban_domain::inspection::plan::{
    self, Check, DirectoryEntity, InspectionPlan, InspectorDirectory, NewResult,
};
use tongban_domain::records::{RecordKind, RecordRef};

pub use crate::lists::ListVersion;

/// The documents kept as versioned lists.
pub const MATTERS: &str = "inspection_matters";
pub const INSPECTORS: &str = "inspectors";

/// A check's audit view: the clock and the outcome.
fn check_view(c: &Check) -> serde_json::Value {
    serde_json::json!({
        "plan": c.plan_id, "entity": c.entity, "due": c.due,
        "outcome": c.result.as_ref().map(|r| r.outcome),
        "published_on": c.result.as_ref().map(|r| r.published_on),
        "credit_record": c.result.as_ref().and_then(|r| r.credit_record.clone()),
    })
}

/// The team's accounts as the `team` column holds them.
fn team_column(c: &Check) -> String {
    let accounts: Vec<&str> = c.team.iter().filter_map(|m| m.account.as_deref()).collect();
    format!(",{},", accounts.join(","))
}

impl Store {
    /// Sets the industry of a registered entity (which inspection matters apply to it).
    pub async fn set_enterprise_industry(
        &self,
        actor: &str,
        uscc: &str,
        industry: &str,
    ) -> Result<()> {
        let mut w = self.begin_write(actor).await?;
        let n = sqlx::query("UPDATE enterprises SET industry = $2 WHERE uscc = $1")
            .bind(uscc)
            .bind(industry)
            .execute(w.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound {
                entity: "enterprise",
                id: uscc.to_string(),
            });
        }
        let after = serde_json::json!({ "industry": industry });
        w.audit::<(), _>(
            "enterprise.industry",
            "enterprise",
            uscc,
            None,
            Some(&after),
        )
        .await?;
        w.commit().await
    }

    /// The directory of entities as of today: every registered enterprise with its industry, its
    /// credit grade from its records (raised by the measures list's higher inspection ratio), and the units that licensed it within the past year (from
    /// the cases decided for its accounts), sorted by code as a draw freezes it.
    pub async fn inspection_entities(&self) -> Result<Vec<DirectoryEntity>> {
        let today = local_date(self.now());
        let rows = sqlx::query("SELECT uscc, name, industry FROM enterprises ORDER BY uscc")
            .fetch_all(self.reader())
            .await?;
        let since = today
            .checked_sub(jiff::Span::new().years(1))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let licences = sqlx::query(
            "SELECT c.unit, u.identity_json FROM cases c JOIN users u ON u.username = c.applicant
             WHERE c.state IN ('approved', 'issued') AND c.decided_at >= $1
               AND u.identity_json IS NOT NULL",
        )
        .bind(since.to_string())
        .fetch_all(self.reader())
        .await?;
        let mut licensed_by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for row in &licences {
            if let ApplicantIdentity::Enterprise(u) = json_col(row, "identity_json")? {
                licensed_by
                    .entry(u.as_str().to_string())
                    .or_default()
                    .insert(row.try_get("unit")?);
            }
        }
        let lists = self.credit_lists().await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let uscc: String = row.try_get("uscc")?;
            let records = self.credit_records_of(&uscc).await?;
            // The measures list may raise the ratio: at least medium-high then.
            let mut grade = plan::grade_of(&records, today);
            if lists
                .standing(&records, today)
                .has(Effect::HigherInspection)
            {
                grade = grade.min(RiskGrade::MediumHigh);
            }
            out.push(DirectoryEntity {
                entity: Entity {
                    grade,
                    licensed_by: licensed_by
                        .remove(&uscc)
                        .map(|s| s.into_iter().collect())
                        .unwrap_or_default(),
                    id: uscc,
                },
                name: row.try_get("name")?,
                industry: row.try_get("industry")?,
            });
        }
        Ok(out)
    }

    /// Publishes a plan, numbered `CJ2026-0001`; `make` builds it from its id. The nonce is kept
    /// here, unpublished, until the draw.
    pub async fn publish_inspection_plan(
        &self,
        actor: &str,
        nonce: &str,
        make: impl FnOnce(String) -> InspectionPlan,
    ) -> Result<InspectionPlan> {
        let mut w = self.begin_write(actor).await?;
        let year = local_date(w.now()).year();
        let n = Self::next_counter(&mut w, &format!("inspection_plan:{year}")).await?;
        let p = make(format!("CJ{year}-{n:04}"));
        sqlx::query(
            "INSERT INTO inspection_plans (id, state, draw_on, nonce, plan_json, created_at,
                updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(&p.id)
        .bind(p.state())
        .bind(p.draw_on.to_string())
        .bind(nonce)
        .bind(to_json(&p))
        .bind(w.at().to_string())
        .execute(w.conn())
        .await?;
        let about = RecordRef::new(RecordKind::InspectionPlan, &p.id);
        self.record_changed(
            &mut w,
            about,
            "inspection.publish",
            None::<&()>,
            &p.published,
            &[],
        )
        .await?;
        w.commit().await?;
        Ok(p)
    }

    pub async fn inspection_plan(&self, id: &str) -> Result<Option<InspectionPlan>> {
        self.json_by("inspection_plans", "plan_json", "id", id)
            .await
    }

    /// Every plan, newest first.
    pub async fn inspection_plans(&self, limit: i64) -> Result<Vec<InspectionPlan>> {
        let rows = sqlx::query(
            "SELECT plan_json FROM inspection_plans ORDER BY created_at DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| json_col(r, "plan_json")).collect()
    }

    /// Draws a plan in one write: the record joins the plan, its checks are created with their
    /// clock, all audited.
    pub async fn draw_inspection_plan(
        &self,
        actor: &str,
        id: &str,
        outside_value: &str,
        directory: &InspectorDirectory,
    ) -> Result<InspectionPlan> {
        let mut w = self.begin_write(actor).await?;
        let before: InspectionPlan = w
            .read_json("inspection_plans", "plan_json", "inspection_plan", id)
            .await?;
        let nonce: String = sqlx::query_scalar("SELECT nonce FROM inspection_plans WHERE id = $1")
            .bind(id)
            .fetch_one(w.conn())
            .await?;
        let today = local_date(w.now());
        let record = plan::draw_plan(&before, &nonce, outside_value, today)?;
        let mut p = before.clone();
        let calendar = self.calendar();
        let checks = Check::of_draw(&p, &record, directory, today, &calendar, |i| {
            format!("{id}-{:04}", i + 1)
        })?;
        p.record = Some(record);
        p.drawn_on = Some(today);
        sqlx::query(
            "UPDATE inspection_plans SET state = $2, plan_json = $3, updated_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(p.state())
        .bind(to_json(&p))
        .bind(w.at().to_string())
        .execute(w.conn())
        .await?;
        for c in &checks {
            sqlx::query(
                "INSERT INTO inspection_checks (id, plan_id, entity, team, due, published_on,
                    check_json, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $7)",
            )
            .bind(&c.id)
            .bind(&c.plan_id)
            .bind(&c.entity)
            .bind(team_column(c))
            .bind(c.due.to_string())
            .bind(to_json(c))
            .bind(w.at().to_string())
            .execute(w.conn())
            .await?;
            let about = RecordRef::new(RecordKind::InspectionCheck, &c.id);
            let messages: Vec<_> = c
                .team
                .iter()
                .filter_map(|m| m.account.as_deref())
                .map(|a| tongban_domain::records::Notify::user(a, "inspection_check_assigned"))
                .collect();
            self.record_changed(
                &mut w,
                about,
                "inspection.check",
                None::<&()>,
                &check_view(c),
                &messages,
            )
            .await?;
        }
        let record = p.record.as_ref().expect("just drawn");
        let after = serde_json::json!({ "seed": record.seed, "checks": checks.len(),
            "outside_value": record.outside_value });
        let about = RecordRef::new(RecordKind::InspectionPlan, id);
        self.record_changed(&mut w, about, "inspection.draw", None::<&()>, &after, &[])
            .await?;
        w.commit().await?;
        Ok(p)
    }

    pub async fn inspection_check(&self, id: &str) -> Result<Option<Check>> {
        self.json_by("inspection_checks", "check_json", "id", id)
            .await
    }

    /// The checks of a plan, in draw order.
    pub async fn checks_of_plan(&self, plan_id: &str) -> Result<Vec<Check>> {
        let rows =
            sqlx::query("SELECT check_json FROM inspection_checks WHERE plan_id = $1 ORDER BY id")
                .bind(plan_id)
                .fetch_all(self.reader())
                .await?;
        rows.iter().map(|r| json_col(r, "check_json")).collect()
    }

    /// An inspector's checks: those without a result first, by deadline.
    pub async fn checks_of_account(&self, account: &str) -> Result<Vec<Check>> {
        let rows = sqlx::query(
            "SELECT check_json FROM inspection_checks WHERE team LIKE $1
             ORDER BY CASE WHEN published_on IS NULL THEN 0 ELSE 1 END, due, id LIMIT 500",
        )
        .bind(format!("%,{account},%"))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| json_col(r, "check_json")).collect()
    }

    /// Every check, unpublished first by deadline (the supervisor's board), at most `limit`.
    pub async fn inspection_checks(&self, limit: i64) -> Result<Vec<Check>> {
        let rows = sqlx::query(
            "SELECT check_json FROM inspection_checks
             ORDER BY CASE WHEN published_on IS NULL THEN 0 ELSE 1 END, due, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| json_col(r, "check_json")).collect()
    }

    /// Publication on time over every check with a result: (on time, published).
    pub async fn inspection_publication(&self) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS published,
                    COALESCE(SUM(CASE WHEN published_on <= due THEN 1 ELSE 0 END), 0) AS on_time
             FROM inspection_checks WHERE published_on IS NOT NULL",
        )
        .fetch_one(self.reader())
        .await?;
        Ok((row.try_get("on_time")?, row.try_get("published")?))
    }

    /// Enters a check's result in one write: published at once; a penalty becomes a credit
    /// record of its unit, in the same write.
    pub async fn enter_check_result(&self, actor: &str, id: &str, new: NewResult) -> Result<Check> {
        let mut w = self.begin_write(actor).await?;
        let before: Check = w
            .read_json("inspection_checks", "check_json", "inspection_check", id)
            .await?;
        let today = local_date(w.now());
        let mut c = plan::enter_result(&before, new, actor, today)?;
        let result = c.result.as_mut().expect("just entered");
        if let Some(p) = &result.penalty {
            let record = self
                .insert_credit_record(
                    &mut w,
                    NewRecord {
                        subject_kind: SubjectKind::Enterprise,
                        subject_id: c.entity.clone(),
                        subject_name: c.entity_name.clone(),
                        kind: CreditKind::Penalty,
                        severity: p.severity,
                        unit: p.unit.clone(),
                        document: p.document.clone(),
                        decided_on: today,
                        legal_basis: p.legal_basis.clone(),
                        summary: result.findings.clone(),
                        publish_months: None,
                        case_id: None,
                    },
                )
                .await?;
            result.credit_record = Some(record.id);
        }
        sqlx::query(
            "UPDATE inspection_checks SET published_on = $2, check_json = $3, updated_at = $4
             WHERE id = $1",
        )
        .bind(id)
        .bind(today.to_string())
        .bind(to_json(&c))
        .bind(w.at().to_string())
        .execute(w.conn())
        .await?;
        self.tally(&mut w, Records::InspectionChecks, id, tally::of_check(&c))
            .await?;
        let about = RecordRef::new(RecordKind::InspectionCheck, id);
        let (b, a) = (check_view(&before), check_view(&c));
        self.record_changed(&mut w, about, "inspection.result", Some(&b), &a, &[])
            .await?;
        w.commit().await?;
        Ok(c)
    }
}
