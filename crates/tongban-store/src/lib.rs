//! Tongban's storage.
//!
//! One SQL implementation serves both stores through sqlx's `Any` driver: SQLite embedded (the
//! default, one file under the data directory) and PostgreSQL (for more than one machine). Each
//! backend keeps its own migrations (`migrations/sqlite`, `migrations/postgres`) because DDL
//! differs; the queries themselves are written in the common subset (numbered `$n` parameters,
//! text timestamps, JSON as text, 0/1 flags) so they cannot drift apart. The contract suite
//! (`crates/tongban/tests/it/store.rs`) runs against both.
//!
//! Every state change goes through [`write::Write`]: it takes the audit chain's head row first,
//! which serialises writers on both backends, applies the change, appends the hash-chained audit
//! entries and commits them in one transaction.

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tongban_domain::calendar::{Calendar, OfficeHours};

/// Dynamic SQL built only from constants and numbered placeholders, never from input.
macro_rules! sql {
    ($($t:tt)*) => { sqlx::AssertSqlSafe(format!($($t)*)) };
}

pub mod accounts;
pub mod audit;
pub mod backup;
pub mod bundles;
pub mod calendar;
pub mod cases;
pub mod catalog;
mod change;
pub mod credit;
pub mod dashboard;
pub mod files;
pub mod hotline;
pub mod inbox;
pub mod inspection;
pub mod jobs;
pub mod keyring;
pub mod licences;
pub mod lists;
pub mod log;
pub mod mail;
pub mod monthly;
pub mod org;
pub mod plan;
pub mod policies;
pub mod read_cache;
pub mod recount;
pub mod reviews;
pub mod rules;
mod schema;
pub mod warnings;
pub mod witness;
pub mod write;

pub use sqlx;
use tongban_domain::FieldErrors;

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// The command conflicts with the current state (duplicate code, nothing to publish…).
    #[error("conflict on {field}: {code}")]
    Conflict {
        field: &'static str,
        code: &'static str,
    },
    #[error("invalid input")]
    Invalid(#[from] FieldErrors),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A command the domain refused (not allowed now, not yours, a rule's conflict, invalid,
    /// no calendar), for every capability.
    #[error(transparent)]
    Refused(#[from] tongban_domain::refusal::Refusal),
    /// A file could not be written to or read from the blob directory.
    #[error("file store: {0}")]
    Files(String),
    /// Stored data that cannot be read back (a row edited outside the application).
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// The disk under the files directory is full: the file was not kept.
    #[error("file store full: {0}")]
    Full(String),
}

impl StoreError {
    /// The database could not be reached or could not take the change now (restarting,
    /// connections exhausted, disk full): nothing was changed, and the same request may succeed
    /// later. Everything else is the request's fault or a defect.
    pub fn is_unavailable(&self) -> bool {
        let e = match self {
            StoreError::Full(_) => return true,
            StoreError::Database(e) => e,
            _ => return false,
        };
        match e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(d) => {
                let code = d.code().unwrap_or_default();
                // PostgreSQL: connection exceptions (08), insufficient resources (53: disk
                // full, too many connections), operator intervention (57P: shutting down,
                // cannot connect now), a database not taking connections (55000).
                code.starts_with("08")
                    || code.starts_with("53")
                    || code.starts_with("57P")
                    || code == "55000"
                    // SQLite's primary result codes (the low byte of an extended one): busy
                    // past the timeout, I/O error, full, cannot open.
                    || code
                        .parse::<i64>()
                        .is_ok_and(|n| matches!(n & 0xff, 5 | 10 | 13 | 14))
            }
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// 1 October: the State Council's notice for next year usually comes out in November or
/// December, and a 20-working-day limit set in early December already reaches into January.
pub const DEFAULT_CALENDAR_REMINDER: (i8, i8) = (10, 1);

/// Source of the current time. The store stamps audit entries and sessions with it; tests
/// replace it to move time forward.
pub type Clock = Arc<dyn Fn() -> jiff::Timestamp + Send + Sync>;

/// The district's time zone: every stored timestamp is written with its offset.
pub fn district_tz() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Asia/Shanghai").expect("bundled tz database has Asia/Shanghai")
}

/// The district's calendar year at `ts`.
pub fn local_year(ts: jiff::Timestamp) -> i16 {
    ts.to_zoned(district_tz()).year()
}

/// RFC 3339 with the district's offset, to the second (what every stored time looks like).
pub fn rfc3339(ts: jiff::Timestamp) -> String {
    ts.to_zoned(district_tz())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

#[derive(Clone)]
pub struct Store {
    backend: Backend,
    /// SQLite: a single connection, so that writers in this process never fight for the lock.
    /// PostgreSQL: the same pool as `read`.
    write: AnyPool,
    read: AnyPool,
    /// Reads that may lag a little (public pages, lists, the dashboard): a PostgreSQL read
    /// replica when one is configured (`with_read_replica`), else `read`.
    replica: Option<AnyPool>,
    clock: Clock,
    /// The working-day calendar built from the stored years (see `calendar.rs`).
    calendar: Arc<RwLock<Arc<Calendar>>>,
    hours: Arc<RwLock<OfficeHours>>,
    /// Directory of uploaded files (content-addressed); set by `with_files`.
    files: Option<Arc<PathBuf>>,
    /// Queue e-mail beside inbox messages (SMTP configured); see `mail.rs`.
    mail: bool,
    /// `(month, day)` from which administrators are reminded to load next year's holiday notice.
    calendar_reminder: (i8, i8),
    /// The transparency log's name and signing key: each append signs a checkpoint (see
    /// `log.rs`); without it the log is kept but its checkpoints are not signed.
    log_key: Option<Arc<(String, tongban_domain::licences::note::SignerKey)>>,
    /// The issuing units' signing keys (see `keyring.rs`).
    keys: Arc<keyring::Keyring>,
    /// Bumped after every committed write of this process (see `read_cache.rs`).
    write_generation: Arc<std::sync::atomic::AtomicU64>,
    /// What the dashboard and the statistics pages read on every request, as last read: the
    /// sums, the totals, the published guides (for the catalog's shares) and the plan.
    sums_cache: Arc<read_cache::ReadCache<tongban_domain::dashboard::indicators::Sums>>,
    totals_cache: Arc<read_cache::ReadCache<Vec<tongban_domain::dashboard::tally::Cell>>>,
    guides_cache: Arc<read_cache::ReadCache<Vec<tongban_domain::catalog::ItemGuide>>>,
    plan_cache: Arc<read_cache::ReadCache<(i64, tongban_domain::plan::Plan)>>,
    units_cache: Arc<read_cache::ReadCache<Vec<tongban_domain::org::Unit>>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// A page of a list: 1-based page number and page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub page: u32,
    pub per_page: u32,
}

impl Page {
    pub const MAX_PER_PAGE: u32 = 100;
    pub fn offset(self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.per_page)
    }
    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }
}

impl Store {
    /// A store over its pools, on the system clock, with the defaults the builders change.
    fn over(backend: Backend, write: AnyPool, read: AnyPool) -> Store {
        let generation: Arc<std::sync::atomic::AtomicU64> = Arc::default();
        Store {
            backend,
            write,
            replica: None,
            read,
            clock: system_clock(),
            calendar: empty_calendar(),
            hours: Default::default(),
            files: None,
            mail: false,
            calendar_reminder: DEFAULT_CALENDAR_REMINDER,
            write_generation: generation.clone(),
            sums_cache: Arc::new(read_cache::ReadCache::new(generation.clone())),
            totals_cache: Arc::new(read_cache::ReadCache::new(generation.clone())),
            guides_cache: Arc::new(read_cache::ReadCache::new(generation.clone())),
            plan_cache: Arc::new(read_cache::ReadCache::new(generation.clone())),
            units_cache: Arc::new(read_cache::ReadCache::new(generation)),
            log_key: None,
            keys: Default::default(),
        }
    }

    /// Opens (creating if needed) and migrates the store. `url` is `postgres://…` or
    /// `sqlite://PATH` (a bare path is taken as SQLite too).
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let store = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            schema::migrate(&pool, Backend::Postgres).await?;
            Store::over(Backend::Postgres, pool.clone(), pool)
        } else {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            let url = format!("sqlite://{path}?mode=rwc");
            // WAL lets readers run beside the writer; foreign keys are off by default in SQLite;
            // busy_timeout covers another process (the CLI) holding the write lock briefly.
            // synchronous = FULL syncs the WAL at every commit: an answered change survives a
            // power cut, not only a crash of the process (NORMAL may lose the last commits).
            let pragmas = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                           PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL;";
            let options = || {
                AnyPoolOptions::new().after_connect(move |conn, _| {
                    Box::pin(async move {
                        sqlx::raw_sql(pragmas).execute(conn).await?;
                        Ok(())
                    })
                })
            };
            let write = options().max_connections(1).connect(&url).await?;
            // Create and migrate the file through the writer before readers open it.
            schema::migrate(&write, Backend::Sqlite).await?;
            let read = options().max_connections(8).connect(&url).await?;
            Store::over(Backend::Sqlite, write, read)
        };
        store.init_calendar().await?;
        store.migrate_credit_marks().await?;
        store.ensure_tallies().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Sets the day of the year (`(month, day)`) from which administrators are reminded to load
    /// next year's holiday notice.
    pub fn with_calendar_reminder(mut self, day: (i8, i8)) -> Store {
        self.calendar_reminder = day;
        self
    }

    /// Replaces the clock (tests).
    pub fn with_clock(mut self, clock: Clock) -> Store {
        self.clock = clock;
        self
    }

    pub fn now(&self) -> jiff::Timestamp {
        (self.clock)()
    }

    /// Makes every cached read be read again, as after a write (the benchmarks' cold reads).
    pub fn forget_cached_reads(&self) {
        self.write_generation
            .fetch_add(1, std::sync::atomic::Ordering::Release);
    }

    /// Migrations applied to the database, and migrations this build knows.
    pub async fn migrations(&self) -> Result<(i64, i64)> {
        schema::status(&self.read, self.backend).await
    }

    /// A cheap round trip for health checks.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").fetch_one(&self.read).await?;
        Ok(())
    }

    /// Closes the pools (lets SQLite checkpoint its WAL on shutdown).
    pub async fn close(&self) {
        if let Some(r) = &self.replica {
            r.close().await;
        }
        self.read.close().await;
        self.write.close().await;
    }

    /// Runs one statement on the writer outside the write path. Only for tests that play an
    /// intruder with database access (tampering with the audit trail).
    pub async fn raw_execute<'q>(
        &self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> Result<u64> {
        Ok(q.execute(&self.write).await?.rows_affected())
    }

    pub(crate) fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// Where reads that may lag go (see `lagging`).
    pub(crate) fn lagging_reader(&self) -> &AnyPool {
        self.replica.as_ref().unwrap_or(&self.read)
    }

    /// Sends reads that may lag to a PostgreSQL read replica at `url`; everything else stays
    /// on the primary. The replica is only read: its migrations are the primary's, replayed.
    pub async fn with_read_replica(mut self, url: &str) -> Result<Store> {
        if self.backend != Backend::Postgres
            || !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(StoreError::Invalid(tongban_domain::FieldErrors::single(
                "read_database_url",
                "replica_needs_postgres",
            )));
        }
        self.replica = Some(
            AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?,
        );
        Ok(self)
    }

    /// The pools' sizes, for `/metrics`: the writer, the readers and (if any) the replica's.
    pub fn pools(&self) -> Vec<PoolStats> {
        let stats = |name: &'static str, p: &AnyPool| PoolStats {
            name,
            size: p.size(),
            idle: u32::try_from(p.num_idle()).unwrap_or(u32::MAX),
            max: p.options().get_max_connections(),
        };
        let mut v = vec![stats("write", &self.write)];
        if self.backend == Backend::Sqlite {
            v.push(stats("read", &self.read));
        }
        if let Some(r) = &self.replica {
            v.push(stats("replica", r));
        }
        v
    }
}

/// One database pool's connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolStats {
    pub name: &'static str,
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

fn empty_calendar() -> Arc<RwLock<Arc<Calendar>>> {
    Arc::new(RwLock::new(Arc::new(Calendar::new(
        [],
        OfficeHours::default(),
    ))))
}

fn system_clock() -> Clock {
    Arc::new(jiff::Timestamp::now)
}

impl Store {
    /// A record kept as JSON in one column, found by its key (table and columns are ours, never
    /// the caller's input).
    pub(crate) async fn json_by<T: serde::de::DeserializeOwned>(
        &self,
        table: &'static str,
        column: &'static str,
        key: &'static str,
        value: &str,
    ) -> Result<Option<T>> {
        let row = sqlx::query(sql!("SELECT {column} FROM {table} WHERE {key} = $1"))
            .bind(value)
            .fetch_optional(self.reader())
            .await?;
        row.map(|r| json_col(&r, column)).transpose()
    }
}

/// The total a paged query carries on each row (`COUNT(*) OVER ()`), or 0 for no rows.
pub(crate) fn total_of(rows: &[AnyRow]) -> Result<i64> {
    Ok(match rows.first() {
        Some(r) => r.try_get("total")?,
        None => 0,
    })
}

/// Every row a query selects inside a write, read from its one JSON column.
pub(crate) async fn json_rows<T: serde::de::DeserializeOwned>(
    w: &mut write::Write,
    sql: &'static str,
    column: &str,
) -> Result<Vec<T>> {
    let rows = sqlx::query(sql).fetch_all(w.conn()).await?;
    rows.iter().map(|r| json_col(r, column)).collect()
}

/// Reads a JSON text column into a value, reporting unreadable rows as `Corrupt`.
pub(crate) fn json_col<T: serde::de::DeserializeOwned>(row: &AnyRow, col: &str) -> Result<T> {
    let text: String = row.try_get(col)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("domain values serialise")
}
