//! The service catalog on the web: public browsing and guides, the JSON API, administration
//! (edit, publish, history, import/export, retained certificates) and supervision reports.

pub mod admin;
pub mod api;
pub mod flowchart;
pub mod pages;

use crate::AppState;
use crate::api::parse_page;
use crate::error::AppError;
use std::collections::HashMap;
use tongban_domain::FieldErrors;
use tongban_domain::catalog::Level;
use tongban_store::Page;
use tongban_store::catalog::ItemFilter;

/// Reads the public catalog filter (`q`, `level`, `unit`, `theme`) and the page.
pub fn parse_filter(q: &HashMap<String, String>) -> Result<(ItemFilter, Page), AppError> {
    let mut errors = FieldErrors::new();
    let get = |k: &str| {
        q.get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let text = get("q").unwrap_or_default();
    if text.chars().count() > 100 {
        errors.push_detail("q", "too_long", "100");
    }
    let level = get("level").and_then(|l| {
        let parsed = Level::parse(&l);
        if parsed.is_none() {
            errors.push_detail("level", "one_of", "district, street, community");
        }
        parsed
    });
    let unit = get("unit");
    if unit.as_ref().is_some_and(|u| u.len() > 48) {
        errors.push_detail("unit", "too_long", "48");
    }
    let theme = get("theme");
    if theme.as_ref().is_some_and(|t| t.chars().count() > 20) {
        errors.push_detail("theme", "too_long", "20");
    }
    let page = parse_page(q, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let terms = text
        .split_whitespace()
        .take(8)
        .map(str::to_string)
        .collect();
    Ok((
        ItemFilter {
            terms,
            level,
            unit,
            theme,
        },
        page,
    ))
}

/// The catalog indicators of the current year, from the published guides (API and page).
pub async fn indicators(
    state: &AppState,
) -> Result<tongban_domain::catalog::indicators::CatalogIndicators, AppError> {
    let guides = state.store.published_guides().await?;
    let year = state
        .store
        .now()
        .to_zoned(tongban_store::district_tz())
        .year();
    Ok(tongban_domain::catalog::indicators::compute(&guides, year))
}
