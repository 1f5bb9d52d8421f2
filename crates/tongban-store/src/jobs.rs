//! Background work shared by the servers of a cluster: a job (the clock pass, the monthly report,
//! the scheduled backup) runs on whichever server takes its lease. The lease is claimed with
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL (a server never waits for a peer that is taking it)
//! and a conditional update on both stores (two takers cannot both win). A server killed in the
//! middle of a job leaves its lease to run out; a peer takes the job over then. Every job's
//! changes are their own conditional writes (each due item once), so a job finished by a peer is
//! never done twice.
//!
//! Lease times are the store's clock, so tests move them as they move deadlines.

use crate::{Backend, Result, Store, rfc3339};
use sqlx::Row;

/// A job's standing, for `/metrics` and operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobStatus {
    pub job: String,
    /// The server that ran it last (or runs it now).
    pub holder: String,
    /// Until when the holder keeps it (while running), or the earliest next run (after).
    pub lease_until: String,
    pub passes: i64,
    pub failures: i64,
    pub last_started: Option<String>,
    pub last_finished: Option<String>,
    pub last_error: Option<String>,
}

impl Store {
    /// Takes `job` for `holder` until `now + ttl` if its lease has run out (a run ended and its
    /// rest is over, or its holder died). False when it is not due yet, or another server holds
    /// it or is taking it right now.
    pub async fn take_lease(
        &self,
        job: &str,
        holder: &str,
        ttl: jiff::SignedDuration,
    ) -> Result<bool> {
        let (now, until) = self.lease_times(ttl);
        let mut tx = self.begin_claim().await?;
        sqlx::query("INSERT INTO job_leases (job) VALUES ($1) ON CONFLICT (job) DO NOTHING")
            .bind(job)
            .execute(&mut *tx)
            .await?;
        if self.backend == Backend::Postgres {
            let free =
                sqlx::query("SELECT job FROM job_leases WHERE job = $1 FOR UPDATE SKIP LOCKED")
                    .bind(job)
                    .fetch_optional(&mut *tx)
                    .await?;
            if free.is_none() {
                return Ok(false);
            }
        }
        let taken = sqlx::query(
            "UPDATE job_leases SET holder = $2, lease_until = $3, last_started = $4
             WHERE job = $1 AND lease_until < $4",
        )
        .bind(job)
        .bind(holder)
        .bind(&until)
        .bind(&now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(taken == 1)
    }

    /// Ends `holder`'s run of `job`: counts it (a pass, or a failure with its error) and keeps
    /// the job from running again anywhere before `now + rest`. Nothing happens when the lease
    /// ran out and a peer took the job meanwhile: the peer's run is the one that counts.
    pub async fn finish_lease(
        &self,
        job: &str,
        holder: &str,
        rest: jiff::SignedDuration,
        outcome: std::result::Result<(), String>,
    ) -> Result<bool> {
        let (now, until) = self.lease_times(rest);
        let (passes, failures, error) = match outcome {
            Ok(()) => (1, 0, None),
            Err(e) => (0, 1, Some(e)),
        };
        let n = sqlx::query(
            "UPDATE job_leases SET lease_until = $3, passes = passes + $4, failures = failures + $5,
                last_finished = $6, last_error = $7
             WHERE job = $1 AND holder = $2",
        )
        .bind(job)
        .bind(holder)
        .bind(until)
        .bind(passes)
        .bind(failures)
        .bind(now)
        .bind(error)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Now, and now + `ttl`, as stored times.
    pub(crate) fn lease_times(&self, ttl: jiff::SignedDuration) -> (String, String) {
        let now = self.now();
        (rfc3339(now), rfc3339(now.checked_add(ttl).unwrap_or(now)))
    }

    /// A transaction that claims rows: on SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so that what it read is still true when it writes even with another process
    /// on the same file; on PostgreSQL the rows it reads `FOR UPDATE SKIP LOCKED` are its own.
    pub(crate) async fn begin_claim(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.write.begin().await?,
        })
    }

    /// Every job that has run, by name.
    pub async fn jobs(&self) -> Result<Vec<JobStatus>> {
        let rows = sqlx::query(
            "SELECT job, holder, lease_until, passes, failures, last_started, last_finished, last_error
             FROM job_leases ORDER BY job",
        )
        .fetch_all(&self.write)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(JobStatus {
                    job: r.try_get("job")?,
                    holder: r.try_get("holder")?,
                    lease_until: r.try_get("lease_until")?,
                    passes: r.try_get("passes")?,
                    failures: r.try_get("failures")?,
                    last_started: r.try_get("last_started")?,
                    last_finished: r.try_get("last_finished")?,
                    last_error: r.try_get("last_error")?,
                })
            })
            .collect()
    }
}
