//! Benchmarks (never tests): figures for the README's Performance section, each reported beside
//! a baseline measured in the same run, so the ratio means something on any machine.

mod bundles;
mod cases;
mod catalog;
mod cluster;
mod dashboard;
mod hotline;
mod inspection;
mod licences;
mod rules;

use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tongban_domain::accounts::{NewUser, Role};
use tongban_domain::catalog::ItemGuide;
use tongban_store::Store;

#[derive(clap::Subcommand, Debug)]
pub enum BenchCommand {
    /// The licence transparency log: durable appends (entry, subtrees, signed checkpoint) beside
    /// plain single-row inserts; inclusion proofs and their verification at a large size.
    Licences {
        /// Appends (and plain inserts) to time.
        #[arg(long, default_value_t = 2_000)]
        appends: usize,
        /// The tree size the proofs are computed at.
        #[arg(long, default_value_t = 10_000_000)]
        leaves: u64,
        /// Proofs to time.
        #[arg(long, default_value_t = 1_000)]
        proofs: usize,
        /// PostgreSQL URL to bench instead of a temporary SQLite file (the database must be empty).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Catalog search through HTTP and the uniformity report on generated items, beside a bare
    /// axum handler returning a fixed body.
    Catalog {
        /// Items to generate.
        #[arg(long, default_value_t = 10_000)]
        items: usize,
        /// Search requests to time (after a warm-up of a tenth as many).
        #[arg(long, default_value_t = 2_000)]
        requests: usize,
        /// PostgreSQL URL to bench instead of a temporary SQLite file (the database must be empty).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Hotline tickets taken in and dispatched through the API, then Open311 list queries over a
    /// table of generated tickets, beside a bare axum handler.
    Hotline {
        /// Tickets in the table the Open311 queries run over.
        #[arg(long, default_value_t = 1_000_000)]
        tickets: usize,
        /// Tickets to take in and dispatch through the API.
        #[arg(long, default_value_t = 500)]
        intake: usize,
        /// Open311 queries to time.
        #[arg(long, default_value_t = 1_000)]
        queries: usize,
        /// PostgreSQL URL to bench instead of a temporary SQLite file (the database must be empty).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Company start-up bundles completed end to end (the one form, every part accepted, reviewed,
    /// decided and issued by its unit), beside single-case lifecycles in the same run.
    Bundles {
        /// Bundles to run.
        #[arg(long, default_value_t = 50)]
        bundles: usize,
        /// PostgreSQL URL to bench instead of a temporary SQLite file (the database must be empty).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// The rules engine beside OpenFisca: one enterprise judged against the seven demo policies,
    /// and a batch of generated enterprises; both engines' results must agree.
    Rules {
        /// Enterprises in the batch.
        #[arg(long, default_value_t = 100_000)]
        enterprises: usize,
        /// Python with `openfisca-core` installed (see bench/openfisca/README.md).
        #[arg(long, env = "TONGBAN_OPENFISCA_PYTHON", default_value = "python3")]
        python: String,
        /// The OpenFisca side's script.
        #[arg(long, default_value = "bench/openfisca/run.py")]
        script: std::path::PathBuf,
        /// Single decisions OpenFisca times (the Rust side times 500 times as many).
        #[arg(long, default_value_t = 200)]
        single_reps: usize,
    },
    /// 双随机、一公开: a draw over generated graded entities and inspectors with conflicts, and its
    /// verification, beside a plain Fisher–Yates shuffle of the same ids.
    Inspection {
        /// Entities in the directory.
        #[arg(long, default_value_t = 1_000_000)]
        entities: usize,
        /// Inspectors in the directory.
        #[arg(long, default_value_t = 1_000)]
        inspectors: usize,
        /// The share drawn of every grade, in basis points (500 = 5 %).
        #[arg(long, default_value_t = 500)]
        ratio: u32,
    },
    /// The dashboard over a long history: generated cases (with a quarter as many ratings and a
    /// tenth as many hotline tickets) as raw rows and as tallies; the whole board read from the
    /// tallies beside one full-scan recount, then the pages under concurrent clients beside
    /// `/healthz` and a bare axum handler.
    Dashboard {
        /// Cases to generate.
        #[arg(long, default_value_t = 10_000_000)]
        cases: usize,
        /// Concurrent clients for the pages.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Requests per page, spread over the clients.
        #[arg(long, default_value_t = 6_400)]
        requests: usize,
        /// PostgreSQL URL to bench instead of a temporary SQLite file (the database must be empty).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// One, two and four `tongban serve` processes on one PostgreSQL under a mixed load (public
    /// reads, applicants' drafts, clerks' window visits), beside a bare axum handler.
    Cluster {
        /// Server counts to run, in order.
        #[arg(long, value_delimiter = ',', default_values_t = [1, 2, 4])]
        servers: Vec<usize>,
        /// Concurrent keep-alive clients, spread over the servers.
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Seconds each run lasts.
        #[arg(long, default_value_t = 15)]
        seconds: u64,
        /// PostgreSQL URL (a throwaway cluster is started when none is given).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Full case lifecycles (create, submit, accept, review steps, approve, issue) through the
    /// store's write path with audit entries, beside plain single-row insert transactions on the
    /// same store; and the cost of one deadline computation.
    Cases {
        /// Lifecycles to run.
        #[arg(long, default_value_t = 500)]
        cases: usize,
        /// PostgreSQL URL to bench instead of a temporary SQLite file (the database must be empty).
        #[arg(long)]
        database_url: Option<String>,
    },
}

pub async fn run(command: BenchCommand) -> Result<(), String> {
    match command {
        BenchCommand::Licences {
            appends,
            leaves,
            proofs,
            database_url,
        } => licences::licences_bench(appends, leaves, proofs, database_url).await,
        BenchCommand::Catalog {
            items,
            requests,
            database_url,
        } => catalog::catalog(items, requests, database_url).await,
        BenchCommand::Cases {
            cases,
            database_url,
        } => cases::cases_bench(cases, database_url).await,
        BenchCommand::Dashboard {
            cases,
            clients,
            requests,
            database_url,
        } => dashboard::dashboard_bench(cases, clients, requests, database_url).await,
        BenchCommand::Cluster {
            servers,
            clients,
            seconds,
            database_url,
        } => cluster::cluster_bench(servers, clients, seconds, database_url).await,
        BenchCommand::Inspection {
            entities,
            inspectors,
            ratio,
        } => inspection::inspection_bench(entities, inspectors, ratio),
        BenchCommand::Bundles {
            bundles,
            database_url,
        } => bundles::bundles_bench(bundles, database_url).await,
        BenchCommand::Hotline {
            tickets,
            intake,
            queries,
            database_url,
        } => hotline::hotline_bench(tickets, intake, queries, database_url).await,
        BenchCommand::Rules {
            enterprises,
            python,
            script,
            single_reps,
        } => rules::run(enterprises, python, script, single_reps).await,
    }
}

/// A scratch directory and the store URL to bench: the given PostgreSQL URL, or a SQLite file.
pub(super) fn bench_store_url(
    database_url: Option<String>,
) -> Result<(std::path::PathBuf, String), String> {
    let scratch = std::env::temp_dir().join(format!("tongban-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let url =
        database_url.unwrap_or_else(|| format!("sqlite://{}", scratch.join("bench.db").display()));
    Ok((scratch, url))
}

/// A scratch store with its files directory and the demo loaded (`full`: with its history of
/// cases too), and the scratch directory to remove afterwards.
pub(super) async fn bench_store(
    database_url: Option<String>,
    full: bool,
) -> Result<(std::path::PathBuf, tongban_store::Store), String> {
    let (scratch, url) = bench_store_url(database_url)?;
    let store = tongban_store::Store::open(&url)
        .await
        .map_err(|e| e.to_string())?
        .with_files(scratch.join("files"));
    if full {
        crate::demo::load_if_empty(&store).await?;
    } else {
        crate::demo::load_base_if_empty(&store).await?;
    }
    Ok((scratch, store))
}

/// A fresh API token for `username`, as the `Authorization` header's value.
pub(super) async fn bearer_for(store: &Store, username: &str) -> Result<String, String> {
    let token = format!("tb_{}", tongban_app::accounts::random_token());
    store
        .create_api_token(
            "bench",
            username,
            "bench",
            // A fresh id each run: a bench may run again on a database that has its last tokens.
            &format!(
                "tok_bench_{username}_{}",
                &tongban_app::accounts::random_token()[..8]
            ),
            &tongban_app::accounts::sha256_hex(&token),
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!("Bearer {token}"))
}

pub(super) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub(super) fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[((sorted.len() - 1) * p) / 100]
}

/// The physical floor: an axum server on the same runtime returning a fixed JSON body.
pub(super) async fn bare_server() -> std::io::Result<std::net::SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(|| async {
            (
                [("content-type", "application/json")],
                r#"{"items":[],"meta":{"total":0}}"#,
            )
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

/// Sends `count` GETs (cycling through `paths`) over one keep-alive connection after a warm-up,
/// and returns the latencies sorted. Fails on any non-200 answer.
pub(super) async fn time_requests(
    addr: std::net::SocketAddr,
    paths: &[&str],
    count: usize,
    auth: Option<&str>,
) -> Result<Vec<Duration>, String> {
    let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut conn = BufReader::new(stream);
    let auth = auth
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    let warm_up = count / 10;
    let mut times = Vec::with_capacity(count);
    for i in 0..warm_up + count {
        let path = paths[i % paths.len()];
        let request = format!("GET {path} HTTP/1.1\r\nHost: bench\r\n{auth}\r\n");
        let start = Instant::now();
        conn.get_mut()
            .write_all(request.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let status = read_response(&mut conn).await?;
        if status != 200 {
            return Err(format!("GET {path} answered {status}"));
        }
        if i >= warm_up {
            times.push(start.elapsed());
        }
    }
    times.sort();
    Ok(times)
}

/// Reads one HTTP/1.1 response with a Content-Length body; returns its status.
pub(super) async fn read_response(conn: &mut BufReader<TcpStream>) -> Result<u16, String> {
    Ok(read_full_response(conn).await?.0)
}

/// Reads one HTTP/1.1 response with a Content-Length body: its status and body.
pub(super) async fn read_full_response(
    conn: &mut BufReader<TcpStream>,
) -> Result<(u16, Vec<u8>), String> {
    let mut line = String::new();
    conn.read_line(&mut line).await.map_err(|e| e.to_string())?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("malformed status line")?;
    let mut length = 0usize;
    loop {
        line.clear();
        conn.read_line(&mut line).await.map_err(|e| e.to_string())?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().map_err(|_| "bad content-length")?;
            }
        }
    }
    let mut body = vec![0; length];
    conn.read_exact(&mut body)
        .await
        .map_err(|e| e.to_string())?;
    Ok((status, body))
}

/// Sends one request with a JSON body over a keep-alive connection; returns status and body.
pub(super) async fn call(
    conn: &mut BufReader<TcpStream>,
    method: &str,
    path: &str,
    auth: &str,
    body: &serde_json::Value,
) -> Result<(u16, serde_json::Value), String> {
    let body = body.to_string();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    conn.get_mut()
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let (status, bytes) = read_full_response(conn).await?;
    let v = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    Ok((status, v))
}
