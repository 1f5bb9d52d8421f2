//! Embedded migrations, one list per backend, applied in order and recorded in
//! `schema_migrations`. Each migration runs in its own transaction.

use crate::{Backend, Result};
use sqlx::{AnyPool, Row};

const SQLITE: &[(i64, &str, &str)] = &[
    (
        1,
        "backbone",
        include_str!("../migrations/sqlite/0001_backbone.sql"),
    ),
    (
        2,
        "cases",
        include_str!("../migrations/sqlite/0002_cases.sql"),
    ),
    (
        3,
        "bundles",
        include_str!("../migrations/sqlite/0003_bundles.sql"),
    ),
    (
        4,
        "reviews",
        include_str!("../migrations/sqlite/0004_reviews.sql"),
    ),
    (
        5,
        "hotline",
        include_str!("../migrations/sqlite/0005_hotline.sql"),
    ),
    (
        6,
        "rules",
        include_str!("../migrations/sqlite/0006_rules.sql"),
    ),
    (
        7,
        "calendar_moves",
        include_str!("../migrations/sqlite/0007_calendar_moves.sql"),
    ),
    (
        8,
        "inbox_about",
        include_str!("../migrations/sqlite/0008_inbox_about.sql"),
    ),
    (
        9,
        "credit",
        include_str!("../migrations/sqlite/0009_credit.sql"),
    ),
    (
        10,
        "inspection",
        include_str!("../migrations/sqlite/0010_inspection.sql"),
    ),
    (11, "log", include_str!("../migrations/sqlite/0011_log.sql")),
    (
        12,
        "licences",
        include_str!("../migrations/sqlite/0012_licences.sql"),
    ),
    (
        13,
        "witnesses",
        include_str!("../migrations/sqlite/0013_witnesses.sql"),
    ),
    (
        14,
        "log_nodes_in_entries",
        include_str!("../migrations/sqlite/0014_log_nodes_in_entries.sql"),
    ),
    (
        15,
        "tallies",
        include_str!("../migrations/sqlite/0015_tallies.sql"),
    ),
    (
        16,
        "plan_reports",
        include_str!("../migrations/sqlite/0016_plan_reports.sql"),
    ),
    (
        17,
        "supervision_rounds",
        include_str!("../migrations/sqlite/0017_supervision_rounds.sql"),
    ),
    (
        18,
        "monthly_reports",
        include_str!("../migrations/sqlite/0018_monthly_reports.sql"),
    ),
    (
        19,
        "tally_totals",
        include_str!("../migrations/sqlite/0019_tally_totals.sql"),
    ),
    (
        20,
        "job_leases",
        include_str!("../migrations/sqlite/0020_job_leases.sql"),
    ),
];
const POSTGRES: &[(i64, &str, &str)] = &[
    (
        1,
        "backbone",
        include_str!("../migrations/postgres/0001_backbone.sql"),
    ),
    (
        2,
        "cases",
        include_str!("../migrations/postgres/0002_cases.sql"),
    ),
    (
        3,
        "bundles",
        include_str!("../migrations/postgres/0003_bundles.sql"),
    ),
    (
        4,
        "reviews",
        include_str!("../migrations/postgres/0004_reviews.sql"),
    ),
    (
        5,
        "hotline",
        include_str!("../migrations/postgres/0005_hotline.sql"),
    ),
    (
        6,
        "rules",
        include_str!("../migrations/postgres/0006_rules.sql"),
    ),
    (
        7,
        "calendar_moves",
        include_str!("../migrations/postgres/0007_calendar_moves.sql"),
    ),
    (
        8,
        "inbox_about",
        include_str!("../migrations/postgres/0008_inbox_about.sql"),
    ),
    (
        9,
        "credit",
        include_str!("../migrations/postgres/0009_credit.sql"),
    ),
    (
        10,
        "inspection",
        include_str!("../migrations/postgres/0010_inspection.sql"),
    ),
    (
        11,
        "log",
        include_str!("../migrations/postgres/0011_log.sql"),
    ),
    (
        12,
        "licences",
        include_str!("../migrations/postgres/0012_licences.sql"),
    ),
    (
        13,
        "witnesses",
        include_str!("../migrations/postgres/0013_witnesses.sql"),
    ),
    (
        14,
        "log_nodes_in_entries",
        include_str!("../migrations/postgres/0014_log_nodes_in_entries.sql"),
    ),
    (
        15,
        "tallies",
        include_str!("../migrations/postgres/0015_tallies.sql"),
    ),
    (
        16,
        "plan_reports",
        include_str!("../migrations/postgres/0016_plan_reports.sql"),
    ),
    (
        17,
        "supervision_rounds",
        include_str!("../migrations/postgres/0017_supervision_rounds.sql"),
    ),
    (
        18,
        "monthly_reports",
        include_str!("../migrations/postgres/0018_monthly_reports.sql"),
    ),
    (
        19,
        "tally_totals",
        include_str!("../migrations/postgres/0019_tally_totals.sql"),
    ),
    (
        20,
        "job_leases",
        include_str!("../migrations/postgres/0020_job_leases.sql"),
    ),
];

pub(crate) async fn migrate(pool: &AnyPool, backend: Backend) -> Result<()> {
    let migrations = match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .execute(pool)
    .await?;
    for (version, name, sql) in migrations {
        let mut tx = pool.begin().await?;
        if backend == Backend::Postgres {
            // Two servers starting together must not both apply the same migration.
            sqlx::raw_sql("LOCK TABLE schema_migrations IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        let done = sqlx::query("SELECT COUNT(*) AS n FROM schema_migrations WHERE version = $1")
            .bind(version)
            .fetch_one(&mut *tx)
            .await?
            .try_get::<i64, _>("n")?;
        if done == 0 {
            sqlx::raw_sql(sqlx::AssertSqlSafe(*sql))
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(version)
            .bind(*name)
            .bind(crate::rfc3339(jiff::Timestamp::now()))
            .execute(&mut *tx)
            .await?;
            tracing::info!(version, name, "applied migration");
        }
        tx.commit().await?;
    }
    Ok(())
}

/// The migrations this build knows and how many of them the database has: a server is ready
/// only when it has them all (an older server against a newer database, or the reverse, is not).
pub(crate) async fn status(pool: &AnyPool, backend: Backend) -> Result<(i64, i64)> {
    let known = match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    let applied: i64 = sqlx::query("SELECT COUNT(*) AS n FROM schema_migrations")
        .fetch_one(pool)
        .await?
        .try_get("n")?;
    Ok((applied, known.len() as i64))
}
