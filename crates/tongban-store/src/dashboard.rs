//! The tallies behind the dashboard (R11). Every write that changes a counted record calls
//! [`Store::tally`] with the record's parts (`tongban_domain::dashboard::tally`): the stored parts
//! of the record are replaced and the sums moved by the difference, in the same transaction, so
//! the sums are always those of the records. [`Store::recount_tallies`] counts again from the
//! records (what the tests and `tongban tallies verify` compare with); [`Store::rebuild_tallies`]
//! rewrites both from the records, once after an upgrade that changes what counts.

use crate::write::Write;
use crate::{Result, Store, json_col};
use sqlx::Row;
use sqlx::any::AnyRow;
use tongban_domain::bundles::{Bundle, BundleKind};
use tongban_domain::cases::Case;
use tongban_domain::dashboard::Month;
use tongban_domain::dashboard::indicators::{Records, Sums};
use tongban_domain::dashboard::tally::{self, Cell, Metric, Parts};
use tongban_domain::policies::Policy;

/// One record's part in a tallied cell: what a drill-down list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartRow {
    pub records: Records,
    pub id: String,
    pub unit: String,
    pub month: Month,
    pub n: i64,
    pub amount: i64,
}

fn cell(r: &AnyRow) -> Result<Cell> {
    let metric: String = r.try_get("metric")?;
    Ok(Cell {
        metric: Metric::parse(&metric)
            .ok_or_else(|| crate::StoreError::Corrupt(format!("tally metric {metric}")))?,
        unit: r.try_get("unit")?,
        month: Month(r.try_get::<i64, _>("month")? as i32),
        n: r.try_get("n")?,
        amount: r.try_get("amount")?,
    })
}

impl Store {
    /// Brings the tallies in line with a record's new parts, inside the record's write.
    pub(crate) async fn tally(
        &self,
        w: &mut Write,
        records: Records,
        id: &str,
        parts: Parts,
    ) -> Result<()> {
        let rows = sqlx::query(
            "SELECT metric, unit, month, n, amount FROM tally_parts WHERE kind = $1 AND id = $2",
        )
        .bind(records.as_str())
        .bind(id)
        .fetch_all(w.conn())
        .await?;
        let before = Parts::from_cells(rows.iter().map(cell).collect::<Result<Vec<_>>>()?);
        let delta = parts.delta(&before);
        if delta.is_empty() {
            return Ok(());
        }
        for c in &delta {
            Self::add_to_sum(w, c).await?;
        }
        sqlx::query("DELETE FROM tally_parts WHERE kind = $1 AND id = $2")
            .bind(records.as_str())
            .bind(id)
            .execute(w.conn())
            .await?;
        Self::insert_parts(w, records, id, &parts).await
    }

    /// The parts of a record just inserted (it had none before).
    pub(crate) async fn tally_new(
        &self,
        w: &mut Write,
        records: Records,
        id: &str,
        parts: Parts,
    ) -> Result<()> {
        if parts.cells().is_empty() {
            return Ok(());
        }
        for c in parts.cells() {
            Self::add_to_sum(w, c).await?;
        }
        Self::insert_parts(w, records, id, &parts).await
    }

    async fn add_to_sum(w: &mut Write, c: &Cell) -> Result<()> {
        sqlx::query(
            "INSERT INTO tallies (metric, unit, month, n, amount) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (month, metric, unit)
             DO UPDATE SET n = tallies.n + excluded.n, amount = tallies.amount + excluded.amount",
        )
        .bind(c.metric.as_str())
        .bind(&c.unit)
        .bind(i64::from(c.month.0))
        .bind(c.n)
        .bind(c.amount)
        .execute(w.conn())
        .await?;
        Ok(())
    }

    async fn insert_parts(w: &mut Write, records: Records, id: &str, parts: &Parts) -> Result<()> {
        for c in parts.cells() {
            sqlx::query(
                "INSERT INTO tally_parts (kind, id, metric, unit, month, n, amount)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(records.as_str())
            .bind(id)
            .bind(c.metric.as_str())
            .bind(&c.unit)
            .bind(i64::from(c.month.0))
            .bind(c.n)
            .bind(c.amount)
            .execute(w.conn())
            .await?;
        }
        Ok(())
    }

    /// The tallied sums of the months `from..=to` (every metric, every unit).
    pub async fn tally_sums(&self, from: Month, to: Month) -> Result<std::sync::Arc<Sums>> {
        let key = format!("all:{}:{}", from.0, to.0);
        self.sums_cache
            .get(key, || self.tally_sums_uncached(from, to))
            .await
    }

    async fn tally_sums_uncached(&self, from: Month, to: Month) -> Result<Sums> {
        let rows = sqlx::query(
            "SELECT metric, unit, month, n, amount FROM tallies WHERE month >= $1 AND month <= $2",
        )
        .bind(i64::from(from.0))
        .bind(i64::from(to.0))
        .fetch_all(self.lagging_reader())
        .await?;
        Ok(Sums::from_cells(
            rows.iter().map(cell).collect::<Result<Vec<_>>>()?,
        ))
    }

    /// The all-time sums, unit by unit, of the metrics named `<prefix>.…` (`case`, `rating`):
    /// what a capability's own statistics page reads. It reads one row per metric, unit and
    /// month, however many records made them.
    pub async fn tally_totals(&self, prefix: &str) -> Result<std::sync::Arc<Vec<Cell>>> {
        self.totals_cache
            .get(format!("totals:{prefix}"), || {
                self.tally_totals_uncached(prefix)
            })
            .await
    }

    async fn tally_totals_uncached(&self, prefix: &str) -> Result<Vec<Cell>> {
        // Metric names sort by their prefix: every `case.…` lies in [`case.`, `case/`).
        let rows = sqlx::query(
            "SELECT metric, unit, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(amount) AS BIGINT) AS amount
             FROM tallies WHERE metric >= $1 AND metric < $2 GROUP BY metric, unit",
        )
        .bind(format!("{prefix}."))
        .bind(format!("{prefix}/"))
        .fetch_all(self.lagging_reader())
        .await?;
        rows.iter()
            .map(|r| {
                let name: String = r.try_get("metric")?;
                Ok(Cell {
                    metric: Metric::parse(&name)
                        .ok_or_else(|| crate::StoreError::Corrupt(format!("metric {name}")))?,
                    unit: r.try_get("unit")?,
                    month: Month(0),
                    n: r.try_get("n")?,
                    amount: r.try_get("amount")?,
                })
            })
            .collect()
    }

    /// The tallied sums of the months `from..=to` of two metrics (an indicator's), unit by unit.
    pub async fn tally_sums_of(
        &self,
        from: Month,
        to: Month,
        metrics: (Metric, Metric),
    ) -> Result<std::sync::Arc<Sums>> {
        let key = format!(
            "of:{}:{}:{}:{}",
            from.0,
            to.0,
            metrics.0.as_str(),
            metrics.1.as_str()
        );
        self.sums_cache
            .get(key, || self.tally_sums_of_uncached(from, to, metrics))
            .await
    }

    async fn tally_sums_of_uncached(
        &self,
        from: Month,
        to: Month,
        metrics: (Metric, Metric),
    ) -> Result<Sums> {
        let rows = sqlx::query(
            "SELECT metric, unit, month, n, amount FROM tallies
             WHERE month >= $1 AND month <= $2 AND metric IN ($3, $4)",
        )
        .bind(i64::from(from.0))
        .bind(i64::from(to.0))
        .bind(metrics.0.as_str())
        .bind(metrics.1.as_str())
        .fetch_all(self.lagging_reader())
        .await?;
        Ok(Sums::from_cells(
            rows.iter().map(cell).collect::<Result<Vec<_>>>()?,
        ))
    }

    /// The tallied sums of the months `from..=to`, every metric, added up over the units
    /// `units` names (`,A,B,`; every unit when empty) and labelled `label`: the database adds
    /// them, so a board reads one row per metric and month however many units there are.
    pub async fn tally_sums_over(
        &self,
        from: Month,
        to: Month,
        units: &str,
        label: &str,
    ) -> Result<std::sync::Arc<Sums>> {
        let key = format!("over:{}:{}:{units}:{label}", from.0, to.0);
        self.sums_cache
            .get(key, || {
                self.tally_sums_over_uncached(from, to, units, label)
            })
            .await
    }

    async fn tally_sums_over_uncached(
        &self,
        from: Month,
        to: Month,
        units: &str,
        label: &str,
    ) -> Result<Sums> {
        let rows = sqlx::query(
            "SELECT metric, month, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(amount) AS BIGINT) AS amount
             FROM tallies
             WHERE month >= $1 AND month <= $2 AND ($3 = '' OR $3 LIKE '%,' || unit || ',%')
             GROUP BY metric, month",
        )
        .bind(i64::from(from.0))
        .bind(i64::from(to.0))
        .bind(units)
        .fetch_all(self.lagging_reader())
        .await?;
        let cells = rows
            .iter()
            .map(|r| {
                let name: String = r.try_get("metric")?;
                Ok(Cell {
                    metric: Metric::parse(&name)
                        .ok_or_else(|| crate::StoreError::Corrupt(format!("metric {name}")))?,
                    unit: label.to_string(),
                    month: Month(r.try_get::<i64, _>("month")? as i32),
                    n: r.try_get("n")?,
                    amount: r.try_get("amount")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Sums::from_cells(cells))
    }

    /// Every tallied sum (what a recount is compared with).
    pub async fn all_tally_sums(&self) -> Result<Sums> {
        self.tally_sums_uncached(Month(0), Month(i32::MAX)).await
    }

    /// The records counted in `metric` for the months `from..=to`, of the units `units` accepts,
    /// in the order of their month and id: the drill-down behind a figure.
    pub async fn tally_parts(
        &self,
        metric: Metric,
        from: Month,
        to: Month,
        units: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<Vec<PartRow>> {
        let rows = sqlx::query(
            "SELECT kind, id, unit, month, n, amount FROM tally_parts
             WHERE metric = $1 AND month >= $2 AND month <= $3 ORDER BY month, id",
        )
        .bind(metric.as_str())
        .bind(i64::from(from.0))
        .bind(i64::from(to.0))
        .fetch_all(self.reader())
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let unit: String = r.try_get("unit")?;
            if !units(&unit) {
                continue;
            }
            let kind: String = r.try_get("kind")?;
            out.push(PartRow {
                records: Records::parse(&kind)
                    .ok_or_else(|| crate::StoreError::Corrupt(format!("tally kind {kind}")))?,
                id: r.try_get("id")?,
                unit,
                month: Month(r.try_get::<i64, _>("month")? as i32),
                n: r.try_get("n")?,
                amount: r.try_get("amount")?,
            });
        }
        Ok(out)
    }

    /// Every counted record's parts, computed again from the records as they stand.
    async fn parts_of_all_records(&self) -> Result<Vec<(Records, String, Parts)>> {
        let cal = self.calendar();
        let mut out = Vec::new();
        let all = |sql: &'static str| sqlx::query(sql).fetch_all(self.reader());
        for r in all("SELECT case_json FROM cases WHERE accepted_at IS NOT NULL").await? {
            let c: Case = json_col(&r, "case_json")?;
            out.push((Records::Cases, c.id.clone(), tally::of_case(&c, &cal)));
        }
        for r in all("SELECT bundle_json FROM bundles").await? {
            let b: Bundle = json_col(&r, "bundle_json")?;
            let cases = match b.kind {
                BundleKind::Construction => self.bundle_cases(&b.id).await?,
                _ => Vec::new(),
            };
            out.push((
                Records::Bundles,
                b.id.clone(),
                tally::of_bundle(&b, &cases, &cal),
            ));
        }
        for r in all("SELECT rating_json FROM ratings").await? {
            let x: tongban_domain::reviews::Rating = json_col(&r, "rating_json")?;
            out.push((Records::Ratings, x.id.clone(), tally::of_rating(&x)));
        }
        for r in all("SELECT ticket_json FROM rectifications").await? {
            let x: tongban_domain::reviews::Ticket = json_col(&r, "ticket_json")?;
            out.push((
                Records::Rectifications,
                x.id.clone(),
                tally::of_rectification(&x),
            ));
        }
        for r in all("SELECT ticket_json FROM hotline_tickets").await? {
            let x: tongban_domain::hotline::Ticket = json_col(&r, "ticket_json")?;
            out.push((
                Records::HotlineTickets,
                x.id.clone(),
                tally::of_hotline_ticket(&x),
            ));
        }
        let payers: std::collections::HashMap<String, String> =
            all("SELECT policy_json FROM policies")
                .await?
                .iter()
                .map(|r| json_col::<Policy>(r, "policy_json").map(|p| (p.code, p.payer)))
                .collect::<Result<_>>()?;
        for r in all("SELECT declaration_json FROM declarations").await? {
            let d: tongban_domain::policies::Declaration = json_col(&r, "declaration_json")?;
            let payer = payers.get(&d.policy).map_or("", String::as_str);
            out.push((
                Records::Declarations,
                d.id.clone(),
                tally::of_declaration(&d, payer, &cal),
            ));
        }
        for r in all("SELECT record_json FROM credit_records").await? {
            let x: tongban_domain::credit::CreditRecord = json_col(&r, "record_json")?;
            out.push((
                Records::CreditRecords,
                x.id.clone(),
                tally::of_credit_record(&x),
            ));
        }
        for r in all("SELECT check_json FROM inspection_checks").await? {
            let x: tongban_domain::inspection::plan::Check = json_col(&r, "check_json")?;
            out.push((Records::InspectionChecks, x.id.clone(), tally::of_check(&x)));
        }
        for r in all("SELECT warning_json FROM risk_warnings").await? {
            let x: tongban_domain::inspection::warning::Warning = json_col(&r, "warning_json")?;
            out.push((Records::RiskWarnings, x.id.clone(), tally::of_warning(&x)));
        }
        for r in all("SELECT id, unit, served_at FROM visits").await? {
            let at: String = r.try_get("served_at")?;
            let at: jiff::Timestamp = at
                .parse()
                .map_err(|e| crate::StoreError::Corrupt(format!("visit time {at}: {e}")))?;
            let unit: String = r.try_get("unit")?;
            out.push((
                Records::Visits,
                r.try_get("id")?,
                tally::of_visit(&unit, at),
            ));
        }
        Ok(out)
    }

    /// The sums counted again from every record (a full scan; the tallies must equal it).
    pub async fn recount_tallies(&self) -> Result<Sums> {
        let parts = self.parts_of_all_records().await?;
        Ok(Sums::from_cells(
            parts.into_iter().flat_map(|(_, _, p)| p.cells().to_vec()),
        ))
    }

    /// Rewrites every record's parts and the sums from the records, in one write with its audit
    /// entry; returns the number of records that count in something.
    pub async fn rebuild_tallies(&self, actor: &str) -> Result<usize> {
        let parts = self.parts_of_all_records().await?;
        let mut w = self.begin_write(actor).await?;
        sqlx::query("DELETE FROM tally_parts")
            .execute(w.conn())
            .await?;
        sqlx::query("DELETE FROM tallies").execute(w.conn()).await?;
        let mut counted = 0;
        for (records, id, p) in &parts {
            if !p.cells().is_empty() {
                counted += 1;
                Self::insert_parts(&mut w, *records, id, p).await?;
            }
        }
        let sums = Sums::from_cells(parts.iter().flat_map(|(_, _, p)| p.cells().to_vec()));
        for c in sums.cells() {
            sqlx::query(
                "INSERT INTO tallies (metric, unit, month, n, amount) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(c.metric.as_str())
            .bind(&c.unit)
            .bind(i64::from(c.month.0))
            .bind(c.n)
            .bind(c.amount)
            .execute(w.conn())
            .await?;
        }
        sqlx::query("DELETE FROM settings WHERE key = 'tallies.rebuild'")
            .execute(w.conn())
            .await?;
        let after = serde_json::json!({ "records": counted, "cells": sums.cells().len() });
        w.audit(
            "tallies.rebuild",
            "tallies",
            "all",
            None::<&()>,
            Some(&after),
        )
        .await?;
        w.commit().await?;
        Ok(counted)
    }

    /// Counts the records once after an upgrade that left a rebuild marker (migration 0015).
    pub(crate) async fn ensure_tallies(&self) -> Result<()> {
        if self.setting("tallies.rebuild").await?.is_some() {
            self.rebuild_tallies("system").await?;
        }
        Ok(())
    }
}
