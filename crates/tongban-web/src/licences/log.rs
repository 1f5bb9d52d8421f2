//! The transparency log over plain HTTP, as the Go checksum database and C2SP logs serve
//! theirs: the newest signed checkpoint (`/log/checkpoint`), the log's verifier key
//! (`/log/key`), one entry (`/log/entries/{index}`), and inclusion and consistency proofs
//! (`/log/proof/inclusion?index=&size=`, `/log/proof/consistency?first=&second=`) as base64
//! hashes, the tiles of C2SP `tlog-tiles` (`/log/tile/…`: a mirror copies the log with plain
//! GETs; full tiles are cached for ever), and the trust file offline verifiers need
//! (`/log/trust`) — what a mirror, a witness or a phone needs, no account required. Witnesses
//! send their cosignatures to `/log/cosignature`.

use crate::AppState;
use crate::api::ApiJson;
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query as Params, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Deserialize;
use tongban_domain::licences::tiles::Tile;
use tongban_domain::licences::tree::Query;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/log/checkpoint", get(checkpoint))
        .route("/log/key", get(key))
        .route("/log/entries/{index}", get(entry))
        .route("/log/proof/inclusion", get(inclusion))
        .route("/log/proof/consistency", get(consistency))
        .route("/log/trust", get(trust))
        .route("/log/tile/{*path}", get(tile))
        .route("/log/cosignature", post(cosignature))
}

async fn trust(State(state): State<AppState>) -> AppResult<Response> {
    let t = state.store.trust().await?.ok_or(AppError::NotFound)?;
    Ok(text(t.text()))
}

async fn tile(State(state): State<AppState>, Path(path): Path<String>) -> AppResult<Response> {
    let t = Tile::parse(&path).ok_or(AppError::NotFound)?;
    let bytes = state.store.log_tile(t).await?.ok_or(AppError::NotFound)?;
    // A full tile never changes; a partial one is replaced as the log grows.
    let cache = if t.width.is_none() {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=60"
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, cache),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
struct Cosignature {
    size: u64,
    /// The witness's signature line over the checkpoint of `size`: `— name base64(id ‖ sig)`.
    signature: String,
}

/// A registered witness's cosignature of a checkpoint: kept and published beside the log's
/// signature. Anyone may send one; only a registered witness's that verifies is kept.
async fn cosignature(
    State(state): State<AppState>,
    ApiJson(c): ApiJson<Cosignature>,
) -> AppResult<Json<serde_json::Value>> {
    let witness = state.store.add_cosignature(c.size, &c.signature).await?;
    Ok(Json(
        serde_json::json!({ "size": c.size, "witness": witness }),
    ))
}

fn text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

async fn checkpoint(State(state): State<AppState>) -> AppResult<Response> {
    let note = state
        .store
        .log_checkpoint()
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(text(note))
}

async fn key(State(state): State<AppState>) -> AppResult<Response> {
    let (_, key) = state.store.log_verifier().ok_or(AppError::NotFound)?;
    Ok(text(format!("{key}\n")))
}

async fn entry(State(state): State<AppState>, Path(index): Path<u64>) -> AppResult<Response> {
    let e = state
        .store
        .log_entry(index)
        .await?
        .ok_or(AppError::NotFound)?;
    // A licence's entry is its issuer's signed note.
    Ok(text(e))
}

#[derive(Deserialize)]
struct InclusionParams {
    index: u64,
    size: u64,
}

async fn inclusion(
    State(state): State<AppState>,
    Params(p): Params<InclusionParams>,
) -> AppResult<Json<serde_json::Value>> {
    let proof = state
        .store
        .log_query(Query::Inclusion {
            index: p.index,
            size: p.size,
        })
        .await?;
    Ok(Json(serde_json::json!({
        "index": p.index, "size": p.size,
        "proof": proof.iter().map(|h| B64.encode(h)).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize)]
struct ConsistencyParams {
    first: u64,
    second: u64,
}

async fn consistency(
    State(state): State<AppState>,
    Params(p): Params<ConsistencyParams>,
) -> AppResult<Json<serde_json::Value>> {
    let proof = state
        .store
        .log_query(Query::Consistency {
            first: p.first,
            second: p.second,
        })
        .await?;
    Ok(Json(serde_json::json!({
        "first": p.first, "second": p.second,
        "proof": proof.iter().map(|h| B64.encode(h)).collect::<Vec<_>>(),
    })))
}
