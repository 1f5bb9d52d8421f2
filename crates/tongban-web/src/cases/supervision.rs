//! The supervisors' overdue board and the public case indicators.

use super::{CaseView, mask_for, view};
use crate::AppState;
use crate::auth::{SUPERVISORS, Viewer};
use crate::error::AppResult;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use std::collections::HashMap;
use tongban_domain::cases::indicators::CaseIndicators;
use tongban_store::Page;
use tongban_store::cases::{CaseFilter, CaseOrder};

// ---- supervision ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "cases/overdue.html")]
struct OverduePage {
    c: Chrome,
    cases: Vec<CaseView>,
    units: HashMap<String, String>,
    /// (unit name, overdue, due soon), worst first.
    by_unit: Vec<(String, usize, usize)>,
}

impl OverduePage {
    fn unit(&self, code: &str) -> String {
        crate::pages::unit_name(&self.units, code)
    }
}

pub(super) async fn overdue_page(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
) -> AppResult<Response> {
    let user = viewer.require(SUPERVISORS)?.clone();
    let f = CaseFilter {
        clock: vec!["overdue", "due_soon"],
        order: CaseOrder::DueFirst,
        ..Default::default()
    };
    let (rows, _) = state
        .store
        .list_cases(
            &f,
            Page {
                page: 1,
                per_page: Page::MAX_PER_PAGE,
            },
        )
        .await?;
    let units = crate::pages::unit_names(&state, &c).await?;
    let mut cases = Vec::new();
    let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
    for r in rows {
        let mut case = r.case;
        let e = counts.entry(case.unit.clone()).or_default();
        if r.clock_status == "overdue" {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
        mask_for(&user, &mut case);
        cases.push(view(&state, &user, case).await?);
    }
    let mut by_unit: Vec<(String, usize, usize)> = counts
        .into_iter()
        .map(|(u, (o, s))| (units.get(&u).cloned().unwrap_or(u), o, s))
        .collect();
    by_unit.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    Ok(render(&OverduePage {
        c,
        cases,
        units,
        by_unit,
    }))
}

#[derive(Template)]
#[template(path = "cases/indicators.html")]
struct IndicatorsPage {
    c: Chrome,
    all: CaseIndicators,
    /// (unit name, its indicators), units with finished cases only.
    units: Vec<(String, CaseIndicators)>,
}

impl IndicatorsPage {
    fn pct(&self, r: &tongban_domain::cases::indicators::Ratio) -> String {
        r.value.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
    }
    fn avg(&self, r: &tongban_domain::cases::indicators::Ratio) -> String {
        r.value.map_or("—".into(), |v| format!("{v:.2}"))
    }
}

pub(super) async fn indicators_page(
    State(state): State<AppState>,
    c: Chrome,
) -> AppResult<Response> {
    use tongban_app::dashboard::totals::{self, Totals};
    let t = Totals::read(&state.store, "case").await?;
    let all = totals::cases(&t, None);
    let counted = t.units();
    let mut units = Vec::new();
    for u in state.store.units().await? {
        if counted.contains(u.code.as_str()) {
            let i = totals::cases(&t, Some(&u.code));
            units.push((c.t.unit_name(&u), i));
        }
    }
    Ok(render(&IndicatorsPage { c, all, units }))
}
