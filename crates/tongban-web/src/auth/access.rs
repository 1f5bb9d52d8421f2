//! Who may do what: the table in `ACCESS.md` at the repository's root, read once at start.
//!
//! The guard refuses a role the table says may never use a route, before any extractor reads the
//! request's body (so a refused upload is never stored and a refused form never validated).
//! What depends on the record — one's own cases, a unit's tickets, the office of a unit — stays
//! with the handler (`O` cells). The integration test `access` walks every route × role against
//! the same table, so the table is the documentation, the first check and the test's answer key.

use super::Viewer;
use crate::AppState;
use crate::error::AppError;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::LazyLock;
use tongban_domain::accounts::Role;

/// The table's columns, in order: no sign-in first, then each role.
pub const COLUMNS: [&str; 8] = [
    "anonymous",
    "applicant",
    "clerk",
    "approver",
    "operator",
    "supervisor",
    "admin",
    "evaluator",
];

/// One cell of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// `Y`: everyone in the column.
    Yes,
    /// `N`: nobody in the column; the guard refuses.
    Never,
    /// `O`: only on their own or their unit's records; the handler decides.
    Own,
}

/// One row: a method on a route template, as the router spells it.
#[derive(Debug, Clone)]
pub struct Row {
    pub method: Method,
    pub route: String,
    pub cells: [Cell; 8],
}

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Reads every table row of the Markdown text; any malformed row or header is an error.
pub fn parse(text: &str) -> Result<Vec<Row>, String> {
    let mut rows: Vec<Row> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.trim().split('|').map(str::trim).collect();
        // "| a | b |" splits into ["", "a", "b", ""].
        if fields.len() < 3 || !fields[0].is_empty() {
            continue;
        }
        let line_no = n + 1;
        if fields[1] == "method" {
            if fields.get(3..11) != Some(&COLUMNS[..]) {
                return Err(format!(
                    "line {line_no}: the columns must be method, route, {}",
                    COLUMNS.join(", ")
                ));
            }
            continue;
        }
        if !METHODS.contains(&fields[1]) {
            continue;
        }
        if fields.len() < 12 {
            return Err(format!(
                "line {line_no}: a row needs method, route and 8 cells"
            ));
        }
        let mut cells = [Cell::Never; 8];
        for (cell, text) in cells.iter_mut().zip(&fields[3..11]) {
            *cell = match *text {
                "Y" => Cell::Yes,
                "N" => Cell::Never,
                "O" => Cell::Own,
                other => return Err(format!("line {line_no}: cell {other:?} is not Y, N or O")),
            };
        }
        let method = Method::from_bytes(fields[1].as_bytes()).map_err(|e| e.to_string())?;
        let route = fields[2].to_string();
        if rows.iter().any(|r| r.method == method && r.route == route) {
            return Err(format!("line {line_no}: {method} {route} is listed twice"));
        }
        rows.push(Row {
            method,
            route,
            cells,
        });
    }
    Ok(rows)
}

type Table = HashMap<(Method, String), [Cell; 8]>;

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let rows =
        parse(include_str!("../../../../ACCESS.md")).unwrap_or_else(|e| panic!("ACCESS.md: {e}"));
    rows.into_iter()
        .map(|r| ((r.method, r.route), r.cells))
        .collect()
});

/// Every row of the table.
pub fn rows() -> Vec<Row> {
    TABLE
        .iter()
        .map(|((method, route), cells)| Row {
            method: method.clone(),
            route: route.clone(),
            cells: *cells,
        })
        .collect()
}

/// Reads the table now, so that a malformed one stops the server at start, not at a request.
pub fn load() {
    LazyLock::force(&TABLE);
}

/// The column of a signed-in role, or of no sign-in.
pub fn column(role: Option<Role>) -> usize {
    match role {
        None => 0,
        Some(Role::Applicant) => 1,
        Some(Role::Clerk) => 2,
        Some(Role::Approver) => 3,
        Some(Role::HotlineOperator) => 4,
        Some(Role::Supervisor) => 5,
        Some(Role::Admin) => 6,
        Some(Role::Evaluator) => 7,
    }
}

/// Route middleware: refuses what the table forbids the reader's role (401 without a sign-in,
/// 403 with one). A route the table does not list passes; the access test fails on it.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = match req.method() {
        &Method::HEAD => Method::GET,
        m => m.clone(),
    };
    let cells = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|p| TABLE.get(&(method, p.as_str().to_string())));
    let Some(cells) = cells.filter(|c| c.contains(&Cell::Never)) else {
        return next.run(req).await;
    };
    let (mut parts, body) = req.into_parts();
    let viewer = match Viewer::from_request_parts(&mut parts, &state).await {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    if cells[column(viewer.user.as_ref().map(|u| u.role))] == Cell::Never {
        let refusal = match viewer.user {
            None => AppError::Unauthorized,
            Some(_) => AppError::Forbidden,
        };
        return crate::error::refuse_unread(body, refusal).await;
    }
    next.run(Request::from_parts(parts, body)).await
}
