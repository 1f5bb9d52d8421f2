//! The public credit pages: search by name or credit code, and one record with its clock.
//! (Entering records, repair requests and decisions are in the API for now; their forms follow.)

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use tongban_app::credit::{self as uc, Seen};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/credit", get(search))
        .route("/credit/records/{id}", get(record))
}

#[derive(Template)]
#[template(path = "credit/search.html")]
struct SearchPage {
    c: Chrome,
    q: String,
    searched: bool,
    records: Vec<Seen>,
    errors: Vec<String>,
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

async fn search(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Query(q): Query<SearchQuery>,
) -> AppResult<Response> {
    let searched = !q.q.trim().is_empty();
    let (records, errors, status) = if searched {
        match uc::search(&state.store, &q.q).await.map_err(AppError::from) {
            Ok(rs) => {
                let user = viewer.user.as_ref();
                let seen = rs.into_iter().map(|r| uc::seen(&state.store, user, r));
                (seen.collect(), vec![], StatusCode::OK)
            }
            Err(e) => {
                let (errors, status) = crate::pages::refused_on_page(&c, e)?;
                (vec![], errors, status)
            }
        }
    } else {
        (vec![], vec![], StatusCode::OK)
    };
    let page = SearchPage {
        c,
        q: q.q,
        searched,
        records,
        errors,
    };
    Ok(crate::pages::with_status(render(&page), status))
}

#[derive(Template)]
#[template(path = "credit/record.html")]
struct RecordPage {
    c: Chrome,
    s: Seen,
    unit_name: String,
}

async fn record(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let user = viewer.user.as_ref();
    let r = uc::load(&state.store, user, &id).await?;
    let units = crate::pages::unit_names(&state, &c).await?;
    let unit_name = units
        .get(&r.entered.unit)
        .cloned()
        .unwrap_or_else(|| r.entered.unit.clone());
    let s = uc::seen(&state.store, user, r);
    Ok(render(&RecordPage { c, s, unit_name }))
}
