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
pub mod pages;
pub mod plan;
pub mod policies;
pub mod reviews;
pub mod router;
pub mod rules;
pub mod security;

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
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub config: WebConfig,
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
