//! Requests a minute per client address on what anyone may post without an account, or to get
//! one: signing in, registering, the public forms (a rating on the window's pad, a licence or a
//! draw to verify, an objection to a public notice, a witness's cosignature — on pages and
//! through the API) and Open311 posts.
//! A token bucket per (kind, address): the full minute's allowance may come at once, then one
//! more every 60/limit seconds. Each server counts its own; with several servers behind a
//! proxy, the proxy's own limit (deploy/nginx) holds the whole.

use crate::AppState;
use crate::error::AppError;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use serde::Deserialize;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Requests a minute per client address; 0 turns a kind off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimits {
    pub login: u32,
    pub register: u32,
    pub public_forms: u32,
    pub open311: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            login: 20,
            register: 10,
            public_forms: 30,
            open311: 30,
        }
    }
}

impl RateLimits {
    /// No limits (the test servers, which sign in many times a minute from one address).
    pub fn off() -> RateLimits {
        RateLimits {
            login: 0,
            register: 0,
            public_forms: 0,
            open311: 0,
        }
    }

    fn of(&self, kind: Kind) -> u32 {
        match kind {
            Kind::Login => self.login,
            Kind::Register => self.register,
            Kind::PublicForm => self.public_forms,
            Kind::Open311 => self.open311,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Login,
    Register,
    PublicForm,
    Open311,
}

/// The kind of a request that is limited, if it is.
pub fn kind_of(method: &Method, path: &str) -> Option<Kind> {
    if method != Method::POST {
        return None;
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["login"] => Some(Kind::Login),
        ["register"] => Some(Kind::Register),
        ["open311", ..] => Some(Kind::Open311),
        ["rate", _]
        | ["verify"]
        | ["inspection", "verify"]
        | ["public-notices", _, "objections"]
        | ["log", "cosignature"]
        // The same forms through the API.
        | ["api", "v1", "visits", _, "rating"]
        | ["api", "v1", "public-notices", _, "objections"]
        | ["api", "v1", "inspection", "verify"] => Some(Kind::PublicForm),
        _ => None,
    }
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The buckets of one server.
pub struct Limiter {
    limits: RateLimits,
    buckets: Mutex<HashMap<(Kind, IpAddr), Bucket>>,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Limiter {
    pub fn new(limits: RateLimits) -> Limiter {
        Limiter {
            limits,
            buckets: Mutex::default(),
        }
    }

    /// Takes one request from `addr`'s bucket of `kind`; `Err(seconds)` until the next is
    /// allowed when it is empty.
    pub fn admit(&self, kind: Kind, addr: IpAddr, now: Instant) -> Result<(), u64> {
        let limit = self.limits.of(kind);
        if limit == 0 {
            return Ok(());
        }
        let per_second = f64::from(limit) / 60.0;
        let mut buckets = self.buckets.lock().expect("the limiter's lock");
        // Buckets idle for over a minute are full again: forget them rather than grow.
        if buckets.len() > 100_000 {
            buckets.retain(|_, b| now.duration_since(b.at).as_secs() < 60);
        }
        let b = buckets.entry((kind, addr)).or_insert(Bucket {
            tokens: f64::from(limit),
            at: now,
        });
        let refill = now.duration_since(b.at).as_secs_f64() * per_second;
        b.tokens = (b.tokens + refill).min(f64::from(limit));
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / per_second).ceil() as u64)
        }
    }
}

/// The middleware: a limited request over its allowance is answered 429 with `Retry-After`
/// (a page in the reader's language, or problem+json), and never reaches its handler.
pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(kind) = kind_of(req.method(), req.uri().path()) {
        let (parts, body) = req.into_parts();
        let addr = super::client::client_of(
            &parts,
            super::client::peer_of(&parts),
            &state.config.trusted_proxies,
        );
        if let Err(retry_after_secs) = state.limiter.admit(kind, addr, Instant::now()) {
            tracing::info!(?kind, %addr, "rate limited");
            let refusal = AppError::RateLimited { retry_after_secs };
            return crate::error::refuse_unread(body, refusal).await;
        }
        return next.run(Request::from_parts(parts, body)).await;
    }
    next.run(req).await
}
