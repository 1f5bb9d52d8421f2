//! `/metrics` in the Prometheus text format (version 0.0.4): requests by route (count, and
//! latency as a histogram), the database pools, the e-mail outbox (the job queue: depth and the
//! oldest row's age), every background job's passes, failures and time since its last run, and
//! this process's uptime. On the main listener it asks for the configured bearer token (and is
//! not there without one); on a listener of its own (`metrics_listen`) it asks for nothing.

use crate::AppState;
use crate::error::AppError;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Upper bounds of the latency buckets, in seconds.
const BOUNDS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Latency {
    buckets: [u64; BOUNDS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Requests {
    /// (route, method, status) → count.
    counts: BTreeMap<(String, String, u16), u64>,
    /// (route, method) → latency.
    latency: BTreeMap<(String, String), Latency>,
}

/// This process's requests (every server in it; one per process outside the tests).
static REQUESTS: Mutex<Option<Requests>> = Mutex::new(None);

fn started() -> Instant {
    static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *STARTED.get_or_init(Instant::now)
}

/// Counts one answered request.
pub fn record(route: &str, method: &str, status: u16, took: Duration) {
    started();
    let secs = took.as_secs_f64();
    let mut guard = REQUESTS.lock().expect("the metrics lock");
    let r = guard.get_or_insert_with(Requests::default);
    *r.counts
        .entry((route.to_string(), method.to_string(), status))
        .or_default() += 1;
    let l = r
        .latency
        .entry((route.to_string(), method.to_string()))
        .or_default();
    for (i, bound) in BOUNDS.iter().enumerate() {
        if secs <= *bound {
            l.buckets[i] += 1;
        }
    }
    l.count += 1;
    l.sum += secs;
}

/// A label value with `\`, `"` and newlines escaped.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Seconds from a stored time to `now` (0 when unreadable or in the future).
fn age(now: jiff::Timestamp, stored: Option<&str>) -> Option<f64> {
    let t: jiff::Timestamp = stored?.parse().ok()?;
    Some(now.duration_since(t).as_secs_f64().max(0.0))
}

/// The whole text.
pub async fn render(state: &AppState) -> Result<String, AppError> {
    let store = &state.store;
    let mut out = String::new();
    let w = &mut out;
    {
        let guard = REQUESTS.lock().expect("the metrics lock");
        let empty = Requests::default();
        let r = guard.as_ref().unwrap_or(&empty);
        family(
            w,
            "tongban_http_requests_total",
            "counter",
            "Requests answered, by route template, method and status.",
        );
        for ((route, method, status), n) in &r.counts {
            let _ = writeln!(
                w,
                "tongban_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
                label(route)
            );
        }
        family(
            w,
            "tongban_http_request_duration_seconds",
            "histogram",
            "Time to answer, by route template and method.",
        );
        for ((route, method), l) in &r.latency {
            let labels = format!("route=\"{}\",method=\"{method}\"", label(route));
            for (bound, n) in BOUNDS.iter().zip(l.buckets) {
                let _ = writeln!(
                    w,
                    "tongban_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                w,
                "tongban_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                l.count
            );
            let _ = writeln!(
                w,
                "tongban_http_request_duration_seconds_sum{{{labels}}} {}",
                l.sum
            );
            let _ = writeln!(
                w,
                "tongban_http_request_duration_seconds_count{{{labels}}} {}",
                l.count
            );
        }
    }
    family(
        w,
        "tongban_db_pool_connections",
        "gauge",
        "Database connections by pool and state.",
    );
    for p in store.pools() {
        let busy = p.size.saturating_sub(p.idle);
        let _ = writeln!(
            w,
            "tongban_db_pool_connections{{pool=\"{}\",state=\"idle\"}} {}",
            p.name, p.idle
        );
        let _ = writeln!(
            w,
            "tongban_db_pool_connections{{pool=\"{}\",state=\"busy\"}} {busy}",
            p.name
        );
        let _ = writeln!(
            w,
            "tongban_db_pool_max_connections{{pool=\"{}\"}} {}",
            p.name, p.max
        );
    }
    let now = store.now();
    let (pending, oldest) = store.mail_backlog().await?;
    family(
        w,
        "tongban_mail_outbox_pending",
        "gauge",
        "E-mail rows waiting to be sent (the job queue's depth).",
    );
    let _ = writeln!(w, "tongban_mail_outbox_pending {pending}");
    family(
        w,
        "tongban_mail_outbox_oldest_age_seconds",
        "gauge",
        "Age of the oldest row waiting (the queue's lag).",
    );
    let _ = writeln!(
        w,
        "tongban_mail_outbox_oldest_age_seconds {}",
        age(now, oldest.as_deref()).unwrap_or(0.0)
    );
    let jobs = store.jobs().await?;
    family(
        w,
        "tongban_job_passes_total",
        "counter",
        "Runs of a background job that finished (the clock pass is job=\"clock\").",
    );
    for j in &jobs {
        let _ = writeln!(
            w,
            "tongban_job_passes_total{{job=\"{}\"}} {}",
            label(&j.job),
            j.passes
        );
    }
    family(
        w,
        "tongban_job_failures_total",
        "counter",
        "Runs of a background job that failed.",
    );
    for j in &jobs {
        let _ = writeln!(
            w,
            "tongban_job_failures_total{{job=\"{}\"}} {}",
            label(&j.job),
            j.failures
        );
    }
    family(
        w,
        "tongban_job_last_finished_age_seconds",
        "gauge",
        "Time since a job's last run ended, on any server (its lag).",
    );
    for j in &jobs {
        if let Some(a) = age(now, j.last_finished.as_deref()) {
            let _ = writeln!(
                w,
                "tongban_job_last_finished_age_seconds{{job=\"{}\"}} {a}",
                label(&j.job)
            );
        }
    }
    family(
        w,
        "tongban_uptime_seconds",
        "gauge",
        "Time since this process answered its first request.",
    );
    let _ = writeln!(
        w,
        "tongban_uptime_seconds {}",
        started().elapsed().as_secs_f64()
    );
    family(w, "tongban_build_info", "gauge", "The running build.");
    let _ = writeln!(
        w,
        "tongban_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    Ok(out)
}

/// A metric family's `# HELP` and `# TYPE` lines.
fn family(w: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(w, "# HELP {name} {help}");
    let _ = writeln!(w, "# TYPE {name} {kind}");
}

/// `/metrics` on the main listener: only with the configured token.
pub async fn guarded(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let token = &state.config.metrics_token;
    if token.is_empty() {
        return AppError::NotFound.into_response();
    }
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Compared in constant time: the timing tells nothing of how much was right.
    if !tongban_app::accounts::constant_time_eq(sent.as_bytes(), token.as_bytes()) {
        return AppError::Unauthorized.into_response();
    }
    open(State(state)).await
}

/// `/metrics` on its own listener.
pub async fn open(State(state): State<AppState>) -> Response {
    match render(&state).await {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            body,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

/// The router of the metrics listener.
pub fn router(state: AppState) -> axum::Router {
    axum::Router::new()
        .route("/metrics", axum::routing::get(open))
        .with_state(state)
}
