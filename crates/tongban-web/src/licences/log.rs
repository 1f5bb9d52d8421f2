//! The transparency log over plain HTTP, as the Go checksum database and C2SP logs serve
//! theirs: the newest signed checkpoint (`/log/checkpoint`), the log's verifier key
//! (`/log/key`), one entry (`/log/entries/{index}`), and inclusion and consistency proofs
//! (`/log/proof/inclusion?index=&size=`, `/log/proof/consistency?first=&second=`) as base64
//! hashes — what a mirror, a witness or a phone needs, no account required.

use crate::AppState;
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query as Params, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Deserialize;
use tongban_domain::licences::tree::Query;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/log/checkpoint", get(checkpoint))
        .route("/log/key", get(key))
        .route("/log/entries/{index}", get(entry))
        .route("/log/proof/inclusion", get(inclusion))
        .route("/log/proof/consistency", get(consistency))
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
    Ok(([(header::CONTENT_TYPE, "application/json")], e).into_response())
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
