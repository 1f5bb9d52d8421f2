//! Printable notices (受理、补正、不予受理、准予、不予许可), numbered and dated as issued.

use super::load_visible;
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use tongban_domain::cases::{Case, NoticeKind};

// ---- notices -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "cases/notice.html")]
struct NoticePage {
    c: Chrome,
    case: Case,
    kind: &'static str,
    number: String,
    issued: String,
    unit_name: String,
    item_address: String,
    legal_due: String,
    applicant_id: String,
    /// A correction notice: the date asked for.
    supply_by: Option<jiff::civil::Date>,
    provisional: bool,
}

pub(super) async fn notice_page(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path((id, kind)): Path<(String, String)>,
) -> AppResult<Response> {
    let (_, case) = load_visible(&state, &viewer, &id).await?;
    let kind = NoticeKind::parse(&kind).ok_or(AppError::NotFound)?;
    let notice = case.notice(kind).ok_or(AppError::NotFound)?.clone();
    let units = state.store.units().await?;
    let unit_name = units
        .iter()
        .find(|u| u.code == case.unit)
        .map(|u| {
            if c.t.is_en() {
                u.name_en.clone()
            } else {
                u.name.clone()
            }
        })
        .unwrap_or_else(|| case.unit.clone());
    let item_address = state
        .store
        .published_item(&case.item_code)
        .await?
        .map(|p| p.guide.address)
        .unwrap_or_default();
    let legal_due = notice.legal_due.map(|d| d.to_string()).unwrap_or_default();
    let issued = crate::i18n::local_minutes(&tongban_store::rfc3339(notice.issued_at));
    let applicant_id = super::mask_id(&case.applicant_id_number);
    Ok(render(&NoticePage {
        c,
        kind: kind.as_str(),
        number: notice.number,
        issued,
        unit_name,
        item_address,
        legal_due,
        applicant_id,
        supply_by: notice.supply_by,
        provisional: notice.provisional,
        case,
    }))
}
