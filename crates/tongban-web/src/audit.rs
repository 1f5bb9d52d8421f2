//! The audit trail, readable by supervisors and administrators.

use crate::AppState;
use crate::api::Many;
use crate::auth::{SUPERVISORS, Viewer};
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::{Query, State};
use std::collections::HashMap;
use tongban_domain::FieldErrors;
use tongban_domain::audit::AuditEntry;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_entries))
}

/// Audit entries, newest first. Filter with `entity` (e.g. `item`) and `entity_id` (e.g. an item
/// code); page with `page` and `per_page`.
#[utoipa::path(get, path = "/api/v1/audit", tag = "supervision", security(("bearer" = [])),
    params(("entity" = Option<String>, Query), ("entity_id" = Option<String>, Query), ("page" = Option<u32>, Query), ("per_page" = Option<u32>, Query)),
    responses((status = 200, body = Many<AuditEntry>)))]
async fn list_entries(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<Many<AuditEntry>>> {
    viewer.require(SUPERVISORS)?;
    let mut errors = FieldErrors::new();
    let page = crate::api::parse_page(&q, &mut errors);
    let entity = q.get("entity").map(String::as_str).unwrap_or("");
    let entity_id = q.get("entity_id").map(String::as_str).unwrap_or("");
    errors.optional_text("entity", entity, 40);
    errors.optional_text("entity_id", entity_id, 100);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let (items, total) = state.store.audit_entries(entity, entity_id, page).await?;
    Ok(crate::api::paged(items, total, page))
}
