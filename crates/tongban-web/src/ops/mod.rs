//! Operations: what every answer passes through on its way in and out, and what operators read.
//! - `observe`: a request id for every request (kept from the proxy's `X-Request-Id` when
//!   sane), one log line per request with it, and the request counts and latencies `/metrics`
//!   shows;
//! - `metrics`: `/metrics` in the Prometheus text format, behind a token or on a listener of
//!   its own;
//! - `limits`: requests a minute per client address on login, registration, public forms and
//!   Open311 posts;
//! - `client`: the client's address, from the proxy's `X-Forwarded-For` when the peer is a
//!   trusted proxy;
//! - `security`: the security headers on every answer.

pub mod client;
pub mod limits;
pub mod metrics;
pub mod observe;
pub mod security;
