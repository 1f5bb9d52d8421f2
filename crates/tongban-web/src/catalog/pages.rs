//! Public catalog pages: browse and search, the printable standard guide, the retained
//! certificate list, catalog indicators; and the supervisors' uniformity report.

use super::parse_filter;
use crate::AppState;
use crate::auth::{SUPERVISORS, Viewer};
use crate::error::AppError;
use crate::i18n::{Lang, ReaderLang};
use crate::pages::{Chrome, render, urlencode};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use std::collections::HashMap;
use tongban_domain::catalog::{ItemGuide, Level, indicators, uniformity};
use tongban_domain::org::Unit;
use tongban_store::catalog::{PublishedItem, StoredCertificate};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/items", get(browse))
        .route("/items/{code}", get(guide))
        .route("/items/{code}/flowchart.svg", get(flowchart))
        .route("/retained-certificates", get(certificates))
        .route("/indicators/catalog", get(indicators_page))
        .route("/supervision/catalog", get(uniformity_page))
}

/// Unit names by code, for showing codes as names in the reader's language.
pub struct Units(pub Vec<Unit>, pub Lang);

impl Units {
    pub fn name(&self, code: &str) -> String {
        self.0
            .iter()
            .find(|u| u.code == code)
            .map_or_else(|| code.to_string(), |u| self.label(u))
    }
    /// The unit's name in the reader's language (Chinese when no English name is known).
    pub fn label(&self, u: &Unit) -> String {
        unit_name(u, self.1)
    }
    pub fn departments(&self) -> impl Iterator<Item = &Unit> {
        self.0.iter().filter(|u| u.parent.is_some())
    }
}

#[derive(Template)]
#[template(path = "catalog/items.html")]
struct Browse {
    c: Chrome,
    q: String,
    level: String,
    unit: String,
    theme: String,
    themes: Vec<String>,
    units: Units,
    items: Vec<PublishedItem>,
    total: i64,
    page: u32,
    pages: u32,
    /// Query string without `page`, for the pager links.
    base_query: String,
}

async fn browse(
    State(state): State<AppState>,
    c: Chrome,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let (filter, page) = parse_filter(&q)?;
    let (items, total) = state.store.search_items(&filter, page).await?;
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let base_query = ["q", "level", "unit", "theme"]
        .iter()
        .filter(|k| !get(k).is_empty())
        .map(|k| format!("{k}={}", urlencode(&get(k))))
        .collect::<Vec<_>>()
        .join("&");
    let pages = (total.max(1) as u32).div_ceil(page.per_page);
    let units = Units(state.store.units().await?, c.t.lang);
    Ok(render(&Browse {
        c,
        q: get("q"),
        level: get("level"),
        unit: get("unit"),
        theme: get("theme"),
        themes: state.store.themes().await?,
        units,
        items,
        total,
        page: page.page,
        pages,
        base_query,
    }))
}

#[derive(Template)]
#[template(path = "catalog/guide.html")]
struct Guide {
    c: Chrome,
    item: PublishedItem,
    unit: Unit,
    units: Units,
    flowchart: String,
    certificates: Vec<StoredCertificate>,
    /// Same basic code at other units (R3: the same item everywhere).
    siblings: Vec<(String, String)>,
}

impl Guide {
    fn handling(&self) -> &'static str {
        match self.item.guide.handling() {
            tongban_domain::catalog::Handling::Immediate => "immediate",
            tongban_domain::catalog::Handling::Promised => "promised",
        }
    }
    fn fee(&self) -> String {
        yuan(&self.item.guide.fee_fen)
    }
    /// "免提交，由…共享" for a material another unit provides.
    fn shared_by(&self, unit: &str) -> String {
        self.c
            .t
            .fill("guide.shared_by", &[("unit", &self.units.name(unit))])
    }
}

async fn guide(
    State(state): State<AppState>,
    c: Chrome,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let item = state
        .store
        .published_item(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    let units = Units(state.store.units().await?, c.t.lang);
    let unit = units
        .0
        .iter()
        .find(|u| u.code == item.guide.unit)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let flowchart = super::flowchart::svg(&item.guide.steps, c.t);
    let certificates = state
        .store
        .retained_certificates()
        .await?
        .into_iter()
        .filter(|c| c.certificate.item_code.as_deref() == Some(code.as_str()))
        .collect();
    let siblings = state
        .store
        .published_with_basic_code(&item.guide.basic_code)
        .await?
        .into_iter()
        .filter(|(c, _)| *c != item.guide.code)
        .map(|(c, unit)| (c, units.name(&unit)))
        .collect();
    Ok(render(&Guide {
        c,
        item,
        unit,
        units,
        flowchart,
        certificates,
        siblings,
    }))
}

async fn flowchart(
    State(state): State<AppState>,
    ReaderLang(lang): ReaderLang,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    use axum::response::IntoResponse;
    let item = state
        .store
        .published_item(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    let svg = super::flowchart::svg(&item.guide.steps, crate::i18n::T { lang });
    Ok(([(axum::http::header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

#[derive(Template)]
#[template(path = "catalog/certificates.html")]
struct Certificates {
    c: Chrome,
    list: Vec<StoredCertificate>,
    editable: bool,
}

async fn certificates(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
) -> Result<Response, AppError> {
    let editable = viewer.has_role(crate::auth::CATALOG_EDITORS);
    Ok(render(&Certificates {
        c,
        list: state.store.retained_certificates().await?,
        editable,
    }))
}

#[derive(Template)]
#[template(path = "catalog/indicators.html")]
struct Indicators {
    c: Chrome,
    i: indicators::CatalogIndicators,
}

async fn indicators_page(State(state): State<AppState>, c: Chrome) -> Result<Response, AppError> {
    Ok(render(&Indicators {
        c,
        i: super::indicators(&state).await?,
    }))
}

#[derive(Template)]
#[template(path = "catalog/uniformity.html")]
struct Uniformity {
    c: Chrome,
    r: uniformity::Report,
    units: Units,
}

async fn uniformity_page(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
) -> Result<Response, AppError> {
    viewer.require(SUPERVISORS)?;
    let guides: Vec<ItemGuide> = state.store.published_guides().await?;
    let units = Units(state.store.units().await?, c.t.lang);
    Ok(render(&Uniformity {
        c,
        r: uniformity::report(&guides),
        units,
    }))
}

/// Template helpers shared by the catalog pages.
pub fn level_key(l: &Level) -> String {
    format!("level.{}", l.as_str())
}

/// A unit's name in `lang` (Chinese when no English name is known).
pub fn unit_name(u: &Unit, lang: Lang) -> String {
    if lang == Lang::En && !u.name_en.is_empty() {
        u.name_en.clone()
    } else {
        u.name.clone()
    }
}

/// Money in fen as yuan with two decimals.
pub fn yuan(fen: &i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}
