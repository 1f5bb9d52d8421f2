//! Every request gets an id: the proxy's `X-Request-Id` when it is a plain token, else one of
//! ours. The id is answered in `X-Request-Id`, carried by every log line written while the
//! request is handled (the `request` span), quoted in internal-error problems, and the request
//! ends with one log line (method, route, status, milliseconds) and its count and latency in
//! `/metrics`.

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled (a fresh one outside any request).
pub fn current_request_id() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| crate::request_id())
}

/// A proxy's id is kept only if it is short and plain (it goes into logs and headers).
fn sane(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

pub async fn observe(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane(v))
        .map(String::from)
        .unwrap_or_else(crate::request_id);
    let method = req.method().clone();
    // The route's template, never the path itself: ids in paths would make every case a series.
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_string();
    let path = req.uri().path().to_string();
    let span = tracing::info_span!("request", request_id = %id);
    let started = std::time::Instant::now();
    let mut resp = REQUEST_ID
        .scope(id.clone(), next.run(req).instrument(span.clone()))
        .await;
    let elapsed = started.elapsed();
    let status = resp.status().as_u16();
    super::metrics::record(&route, method.as_str(), status, elapsed);
    span.in_scope(|| {
        tracing::info!(
            target: "tongban::request",
            method = %method,
            path = %path,
            route = %route,
            status,
            ms = elapsed.as_secs_f64() * 1000.0,
        );
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}
