//! Tongban's web layer: the JSON API (documented by OpenAPI generated from the handlers),
//! server-rendered pages in Chinese first, and authentication. Each capability owns a folder
//! with its `router()`; `router.rs` wires them all in one place.

pub mod api;
pub mod audit;
pub mod auth;
pub mod bundles;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod credit;
pub mod dashboard;
pub mod error;
pub mod hotline;
pub mod i18n;
pub mod inspection;
pub mod licences;
pub mod open311;
pub mod ops;
pub mod pages;
pub mod plan;
pub mod policies;
pub mod reviews;
pub mod router;
pub mod rules;

use std::sync::atomic::{AtomicU64, Ordering};
use tongban_store::Store;

/// Settings the web layer needs (the binary's config carries more).
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served behind HTTPS).
    pub secure_cookies: bool,
    /// Base URL people reach the platform at (for QR codes and links sent out); empty: the
    /// `Host` the request came to.
    pub public_url: String,
    /// Bearer token of `/metrics` on the main listener; empty: not served there.
    pub metrics_token: String,
    /// Peers whose `X-Forwarded-For` names the client (`ops::client`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub rate_limits: ops::limits::RateLimits,
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub config: WebConfig,
    /// This server's rate-limit buckets.
    pub limiter: std::sync::Arc<ops::limits::Limiter>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        let limiter = std::sync::Arc::new(ops::limits::Limiter::new(config.rate_limits));
        AppState {
            store,
            config,
            limiter,
        }
    }
}

/// A short id to quote in logs and error pages, so a reported failure can be found.
pub fn request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "{:x}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Serves `/metrics` alone on a listener of its own (`metrics_listen`).
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, ops::metrics::router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Serves the application on an already bound listener until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
