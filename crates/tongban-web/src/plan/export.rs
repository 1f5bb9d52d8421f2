//! The plan's tables as spreadsheets: the progress reports a user follows (a quarter's, or all)
//! and every finding of the supervision rounds they see, with Chinese headers.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::AppResult;
use crate::pages::{Chrome, unit_names, xlsx_download};
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use std::collections::HashMap;
use tongban_app::plan;
use tongban_app::table::write_xlsx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plan/reports.xlsx", get(reports))
        .route("/plan/rounds.xlsx", get(rounds))
}

fn header(c: &Chrome, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| c.t.get(k).to_string()).collect()
}

/// `period=2026-Q3` for one quarter; every quarter without it.
async fn reports(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let owed = plan::owed(&state.store, &user).await?;
    let units = unit_names(&state, &c).await?;
    let quarter = q.get("period").map(|p| p.trim()).filter(|p| !p.is_empty());
    let name = |u: &str| units.get(u).cloned().unwrap_or_else(|| u.to_string());
    let rows: Vec<Vec<String>> = owed
        .iter()
        .filter(|o| quarter.is_none_or(|p| o.expected.period.to_string() == p))
        .map(|o| {
            let state = match (&o.report, o.overdue) {
                (Some(r), _) => c.t.label("plan.report_state", r.state.as_str()).to_string(),
                (None, true) => c.t.get("plan.report_overdue").to_string(),
                (None, false) => c.t.get("plan.report_due").to_string(),
            };
            let r = o.report.as_ref();
            vec![
                o.expected.period.to_string(),
                o.expected.task.clone(),
                name(&o.expected.unit),
                o.expected.due.to_string(),
                state,
                r.map_or_else(String::new, |r| r.submitted_on.to_string()),
                r.map_or_else(String::new, |r| {
                    if r.late {
                        c.t.get("plan.late").to_string()
                    } else {
                        String::new()
                    }
                }),
            ]
        })
        .collect();
    let head = header(
        &c,
        &[
            "plan.quarter",
            "plan.task",
            "dashboard.unit_col",
            "plan.due",
            "plan.state",
            "plan.submitted_on",
            "plan.late",
        ],
    );
    let file = format!("plan-reports-{}.xlsx", quarter.unwrap_or("all"));
    Ok(xlsx_download(
        &file,
        write_xlsx(
            &c.t.get("plan.reports").chars().take(31).collect::<String>(),
            &head,
            &rows,
        )?,
    ))
}

async fn rounds(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
) -> AppResult<Response> {
    let rounds = plan::rounds(&state.store, &user).await?;
    let units = unit_names(&state, &c).await?;
    let today = tongban_domain::cases::local_date(state.store.now());
    let mut rows = Vec::new();
    for r in &rounds {
        for f in &r.findings {
            let f_ = &f.finding;
            let rectified = match (&f.rectified, f_.rectify_by) {
                (Some(x), _) => format!(
                    "{} {}{}",
                    x.on,
                    x.text,
                    if x.late {
                        format!("（{}）", c.t.get("plan.late"))
                    } else {
                        String::new()
                    }
                ),
                (None, Some(by)) if by < today => c.t.get("plan.rectify_overdue").to_string(),
                _ => String::new(),
            };
            rows.push(vec![
                r.round.held_on.to_string(),
                r.round.title.clone(),
                r.notice
                    .as_ref()
                    .map_or_else(String::new, |n| n.number.clone()),
                units
                    .get(&f_.unit)
                    .cloned()
                    .unwrap_or_else(|| f_.unit.clone()),
                c.t.label("plan.finding", f_.kind.as_str()).to_string(),
                f_.text.clone(),
                f_.rectify_by.map_or_else(String::new, |d| d.to_string()),
                rectified,
            ]);
        }
    }
    let head = header(
        &c,
        &[
            "plan.held_on",
            "plan.round",
            "plan.notice",
            "dashboard.unit_col",
            "plan.finding_kind",
            "plan.finding_text",
            "plan.rectify_by",
            "plan.rectification",
        ],
    );
    Ok(xlsx_download(
        "plan-rounds.xlsx",
        write_xlsx(
            &c.t.get("plan.rounds").chars().take(31).collect::<String>(),
            &head,
            &rows,
        )?,
    ))
}
