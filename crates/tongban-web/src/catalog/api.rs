//! `/api/v1` catalog endpoints. Envelopes: `{"item": …}` and `{"items": […], "meta": {"total": n}}`.

use super::parse_filter;
use crate::AppState;
use crate::api::{ApiJson, Many, Meta, One, Problem, many};
use crate::auth::CsrfChecked;
use crate::auth::{CATALOG_EDITORS, SUPERVISORS, Viewer};
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tongban_domain::catalog::{Handling, ItemGuide, indicators, uniformity};
use tongban_domain::org::Unit;
use tongban_store::catalog::{ItemRecord, PublishedItem, StoredCertificate, VersionInfo};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_items, create_item))
        .routes(routes!(get_item, update_item))
        .routes(routes!(publish_item))
        .routes(routes!(item_versions))
        .routes(routes!(item_version))
        .routes(routes!(uniformity_report))
        .routes(routes!(catalog_indicators))
        .routes(routes!(list_units))
        .routes(routes!(list_certificates))
}

/// A published item as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct ItemView {
    #[serde(flatten)]
    pub guide: ItemGuide,
    /// 即办件 or 承诺件, derived from the promised limit.
    pub handling: Handling,
    pub version: i64,
    /// RFC 3339 with offset.
    pub published_at: String,
}

impl From<PublishedItem> for ItemView {
    fn from(p: PublishedItem) -> Self {
        ItemView {
            handling: p.guide.handling(),
            guide: p.guide,
            version: p.version,
            published_at: p.published_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ItemList {
    pub items: Vec<ItemView>,
    pub meta: Meta,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters; parsing is done by `parse_filter` to name bad ones
struct ListParams {
    /// Words to find in name, codes, keywords, themes and materials (all must match).
    q: Option<String>,
    /// `district`, `street` or `community`.
    level: Option<String>,
    /// Code of the implementing unit.
    unit: Option<String>,
    /// Theme, e.g. 企业开办.
    theme: Option<String>,
    /// 1-based page number.
    page: Option<u32>,
    /// Page size, 1–100 (default 20).
    per_page: Option<u32>,
}

/// Search the published catalog.
#[utoipa::path(get, path = "/api/v1/items", tag = "catalog", params(ListParams),
    responses((status = 200, body = ItemList)))]
async fn list_items(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<ItemList>> {
    let (filter, page) = parse_filter(&q)?;
    let (items, total) = state.store.search_items(&filter, page).await?;
    Ok(Json(ItemList {
        items: items.into_iter().map(ItemView::from).collect(),
        meta: Meta::of(total, page),
    }))
}

/// The newest published version of an item's guide.
#[utoipa::path(get, path = "/api/v1/items/{code}", tag = "catalog", params(("code" = String, Path, description = "实施编码")),
    responses((status = 200, body = One<ItemView>)))]
async fn get_item(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Json<One<ItemView>>> {
    let item = state
        .store
        .published_item(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(crate::api::one(item.into()))
}

/// Validates a guide against the organisation; every bad field is named.
pub async fn validate_guide(state: &AppState, guide: &ItemGuide) -> AppResult<()> {
    let units = state.store.unit_codes().await?;
    guide.validate(&|c| units.contains(c))?;
    Ok(())
}

/// Create an item (working copy, not yet public). Administrators only.
#[utoipa::path(post, path = "/api/v1/items", tag = "catalog", request_body = ItemGuide, security(("bearer" = [])),
    responses((status = 201, body = One<ItemRecord>), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn create_item(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    ApiJson(guide): ApiJson<ItemGuide>,
) -> AppResult<(StatusCode, Json<One<ItemRecord>>)> {
    let user = viewer.require(CATALOG_EDITORS)?;
    validate_guide(&state, &guide).await?;
    let record = state.store.create_item(&user.username, &guide).await?;
    Ok((StatusCode::CREATED, crate::api::one(record.into())))
}

/// Replace an item's working copy. Published versions never change. Administrators only.
#[utoipa::path(put, path = "/api/v1/items/{code}", tag = "catalog", request_body = ItemGuide, security(("bearer" = [])),
    params(("code" = String, Path, description = "实施编码")),
    responses((status = 200, body = One<ItemRecord>)))]
async fn update_item(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    Path(code): Path<String>,
    ApiJson(guide): ApiJson<ItemGuide>,
) -> AppResult<Json<One<ItemRecord>>> {
    let user = viewer.require(CATALOG_EDITORS)?;
    if guide.code != code {
        return Err(AppError::bad_request("code_mismatch", "code"));
    }
    validate_guide(&state, &guide).await?;
    Ok(crate::api::one(
        state
            .store
            .update_item(&user.username, &guide)
            .await?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
struct PublishBody {
    /// What changed, for the version history.
    #[serde(default)]
    note: String,
}

#[derive(Serialize, ToSchema)]
struct Published {
    code: String,
    version: i64,
}

/// Publish the working copy as the next version. Administrators only.
#[utoipa::path(post, path = "/api/v1/items/{code}/publish", tag = "catalog", request_body = PublishBody, security(("bearer" = [])),
    params(("code" = String, Path, description = "实施编码")),
    responses((status = 200, body = One<Published>), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn publish_item(
    State(state): State<AppState>,
    viewer: Viewer,
    _csrf: CsrfChecked,
    Path(code): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Json<One<Published>>> {
    let user = viewer.require(CATALOG_EDITORS)?;
    // The body is optional: an empty one publishes without a note.
    let note = if body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        serde_json::from_slice::<PublishBody>(&body)
            .map_err(|e| AppError::bad_body("malformed_json", e.to_string()))?
            .note
    };
    if note.chars().count() > 500 {
        return Err(tongban_domain::FieldErrors::single("note", "too_long").into());
    }
    let version = state
        .store
        .publish_item(&user.username, &code, note.trim())
        .await?;
    Ok(crate::api::one(Published { code, version }))
}

/// The published versions of an item, newest first.
#[utoipa::path(get, path = "/api/v1/items/{code}/versions", tag = "catalog", params(("code" = String, Path)),
    responses((status = 200, body = Many<VersionInfo>)))]
async fn item_versions(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Json<Many<VersionInfo>>> {
    if state.store.published_item(&code).await?.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(many(state.store.item_versions(&code).await?))
}

/// One published version of an item, unchanged since it was published.
#[utoipa::path(get, path = "/api/v1/items/{code}/versions/{version}", tag = "catalog",
    params(("code" = String, Path), ("version" = i64, Path)),
    responses((status = 200, body = One<ItemGuide>)))]
async fn item_version(
    State(state): State<AppState>,
    Path((code, version)): Path<(String, i64)>,
) -> AppResult<Json<One<ItemGuide>>> {
    let guide = state
        .store
        .item_version(&code, version)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(crate::api::one(guide))
}

/// R3 uniformity: every difference between items that share a basic code. Supervisors and
/// administrators.
#[utoipa::path(get, path = "/api/v1/catalog/uniformity", tag = "supervision", security(("bearer" = [])),
    responses((status = 200, body = One<uniformity::Report>)))]
async fn uniformity_report(
    State(state): State<AppState>,
    viewer: Viewer,
) -> AppResult<Json<One<uniformity::Report>>> {
    viewer.require(SUPERVISORS)?;
    let guides = state.store.published_guides().await?;
    Ok(crate::api::one(uniformity::report(&guides)))
}

/// Catalog indicators computed from the published guides (public statistics).
#[utoipa::path(get, path = "/api/v1/indicators/catalog", tag = "supervision",
    responses((status = 200, body = One<indicators::CatalogIndicators>)))]
async fn catalog_indicators(
    State(state): State<AppState>,
) -> AppResult<Json<One<indicators::CatalogIndicators>>> {
    Ok(crate::api::one(super::indicators(&state).await?))
}

/// The district's units: departments, streets, communities.
#[utoipa::path(get, path = "/api/v1/units", tag = "organisation", responses((status = 200, body = Many<Unit>)))]
async fn list_units(State(state): State<AppState>) -> AppResult<Json<Many<Unit>>> {
    Ok(many(state.store.units().await?))
}

/// The published list of retained certificate demands (保留证明事项清单).
#[utoipa::path(get, path = "/api/v1/retained-certificates", tag = "catalog", responses((status = 200, body = Many<StoredCertificate>)))]
async fn list_certificates(
    State(state): State<AppState>,
) -> AppResult<Json<Many<StoredCertificate>>> {
    Ok(many(state.store.retained_certificates().await?))
}
