//! The dashboard's pages: the board (every indicator for a period and a unit, with last year and
//! the target), one indicator (bars by unit, the trend, the tables behind both, its definition),
//! the records behind a figure, and the plan with its targets.

use super::{Asked, chart, record_href};
use crate::AppState;
use crate::auth::{CsrfForm, SignedIn};
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, after_form, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use std::collections::HashMap;
use tongban_app::dashboard::{self as uc, Grouping, Point, Row, Scope, UnitFigure};
use tongban_domain::dashboard::Period;
use tongban_domain::dashboard::indicators::{self, Figure, Indicator};
use tongban_domain::plan::{Plan, Target};
use tongban_store::dashboard::PartRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(board))
        .route("/dashboard/{id}", get(indicator))
        .route("/dashboard/{id}/records", get(records))
        .route("/plan", get(plan).post(save_plan))
}

type Q = Query<HashMap<String, String>>;

fn may_see(user: &tongban_store::accounts::User) -> AppResult<()> {
    if uc::may_see(user) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn find(id: &str) -> AppResult<&'static Indicator> {
    indicators::find(id).ok_or(AppError::NotFound)
}

/// What the board and the indicator pages share: how a figure reads.
struct Figures<'a> {
    c: &'a Chrome,
}

impl Figures<'_> {
    fn value(&self, ind: &Indicator, f: Option<&Figure>) -> String {
        match f.and_then(|f| f.value) {
            None => "—".into(),
            Some(v) => format!("{v}{}", self.c.t.label("dashboard.unit", ind.unit_key())),
        }
    }
    fn target(&self, ind: &Indicator, t: Option<f64>) -> String {
        match t {
            None => self.c.t.get("dashboard.no_target").into(),
            Some(v) => format!("{v}{}", self.c.t.label("dashboard.unit", ind.unit_key())),
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard/board.html")]
struct BoardPage {
    c: Chrome,
    period: Period,
    scope: Scope,
    rows: Vec<Row>,
    units: Vec<(String, String)>,
}

impl BoardPage {
    fn name(&self, ind: &Indicator) -> &'static str {
        self.c.t.label("indicator", &format!("{}.name", ind.id))
    }
    fn value(&self, ind: &Indicator, f: Option<&Figure>) -> String {
        Figures { c: &self.c }.value(ind, f)
    }
    fn target(&self, r: &Row) -> String {
        Figures { c: &self.c }.target(r.indicator, r.target)
    }
    fn meets(&self, r: &Row) -> &'static str {
        match r.meets() {
            Some(true) => self.c.t.get("dashboard.meets"),
            Some(false) => self.c.t.get("dashboard.misses"),
            None => "",
        }
    }
    fn query(&self) -> String {
        let mut q = format!("period={}", self.period);
        if let Some(u) = &self.scope.unit {
            q.push_str(&format!("&unit={u}"));
        }
        q
    }
    fn scope_is(&self, code: &str) -> bool {
        self.scope.unit.as_deref() == Some(code)
    }
}

/// Unit choices for the scope selector: the district's departments, streets and communities.
async fn unit_choices(state: &AppState, c: &Chrome) -> AppResult<Vec<(String, String)>> {
    Ok(state
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.parent.is_some())
        .map(|u| (u.code, if c.t.is_en() { u.name_en } else { u.name }))
        .collect())
}

async fn board(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Asked { period, scope }: Asked,
) -> AppResult<Response> {
    may_see(&user)?;
    let rows = uc::board(&state.store, period, &scope).await?;
    let units = unit_choices(&state, &c).await?;
    Ok(render(&BoardPage {
        c,
        period,
        scope,
        rows,
        units,
    }))
}

#[derive(Template)]
#[template(path = "dashboard/indicator.html")]
struct IndicatorPage {
    c: Chrome,
    ind: &'static Indicator,
    period: Period,
    scope: Scope,
    grouping: Grouping,
    target: Option<f64>,
    by_unit: Vec<UnitFigure>,
    trend: Vec<Point>,
    bars_svg: String,
    trend_svg: String,
}

impl IndicatorPage {
    fn t(&self, part: &str) -> &'static str {
        self.c
            .t
            .label("indicator", &format!("{}.{part}", self.ind.id))
    }
    fn value(&self, f: Option<&Figure>) -> String {
        Figures { c: &self.c }.value(self.ind, f)
    }
    fn target_text(&self) -> String {
        Figures { c: &self.c }.target(self.ind, self.target)
    }
    fn unit_name(&self, f: &UnitFigure) -> String {
        if self.c.t.is_en() {
            f.unit.name_en.clone()
        } else {
            f.unit.name.clone()
        }
    }
    fn query(&self) -> String {
        let mut q = format!("period={}", self.period);
        if let Some(u) = &self.scope.unit {
            q.push_str(&format!("&unit={u}"));
        }
        q
    }
    fn by_streets(&self) -> bool {
        self.grouping == Grouping::Streets
    }
}

async fn indicator(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    Asked { period, scope }: Asked,
    Query(q): Q,
) -> AppResult<Response> {
    may_see(&user)?;
    let ind = find(&id)?;
    let grouping = match q.get("by").map(String::as_str) {
        Some("streets") => Grouping::Streets,
        _ => Grouping::Units,
    };
    let (_, plan) = uc::current_plan(&state.store).await?;
    let target = plan.target_for(ind.id, period.year());
    let by_unit = uc::by_unit(&state.store, ind, period, grouping).await?;
    let trend = uc::trend(&state.store, ind, period, &scope).await?;
    let percent = ind.unit_key() == "percent";
    let name = c.t.label("indicator", &format!("{}.name", ind.id));
    let names = |f: &UnitFigure| {
        if c.t.is_en() {
            f.unit.name_en.clone()
        } else {
            f.unit.name.clone()
        }
    };
    let bars_svg = chart::bars(
        &c.t.fill(
            "dashboard.bars_alt",
            &[("name", name), ("period", &period.to_string())],
        ),
        &by_unit
            .iter()
            .map(|f| (names(f), f.figure.value))
            .collect::<Vec<_>>(),
        target,
        percent,
    );
    let trend_svg = if trend.is_empty() {
        String::new()
    } else {
        chart::lines(
            &c.t.fill(
                "dashboard.trend_alt",
                &[("name", name), ("period", &period.to_string())],
            ),
            &trend
                .iter()
                .map(|p| p.month.to_string())
                .collect::<Vec<_>>(),
            &trend.iter().map(|p| p.figure.value).collect::<Vec<_>>(),
            &trend
                .iter()
                .map(|p| p.last_year.and_then(|f| f.value))
                .collect::<Vec<_>>(),
            target,
            percent,
        )
    };
    Ok(render(&IndicatorPage {
        c,
        ind,
        period,
        scope,
        grouping,
        target,
        by_unit,
        trend,
        bars_svg,
        trend_svg,
    }))
}

#[derive(Template)]
#[template(path = "dashboard/records.html")]
struct RecordsPage {
    c: Chrome,
    ind: &'static Indicator,
    period: Period,
    scope: Scope,
    figure: Option<Figure>,
    /// The numerator's records, then the denominator's.
    sections: Vec<(bool, Vec<PartRow>)>,
    units: HashMap<String, String>,
}

impl RecordsPage {
    fn t(&self, part: &str) -> &'static str {
        self.c
            .t
            .label("indicator", &format!("{}.{part}", self.ind.id))
    }
    fn href(&self, r: &PartRow) -> Option<String> {
        record_href(r.records, &r.id)
    }
    fn unit(&self, code: &str) -> String {
        crate::pages::unit_name(&self.units, code)
    }
    /// What a record adds: 1 for a count, its amount (days, visits) for an average's numerator.
    fn adds(&self, r: &PartRow, numerator: impl std::borrow::Borrow<bool>) -> String {
        if *numerator.borrow() && matches!(self.ind.source, indicators::Source::Average { .. }) {
            format!("{}", r.amount as f64 / 100.0)
        } else {
            r.n.to_string()
        }
    }
    fn total(&self, numerator: impl std::borrow::Borrow<bool>) -> String {
        let numerator = *numerator.borrow();
        let rows = &self.sections[usize::from(!numerator)].1;
        if numerator && matches!(self.ind.source, indicators::Source::Average { .. }) {
            format!(
                "{}",
                rows.iter().map(|r| r.amount).sum::<i64>() as f64 / 100.0
            )
        } else {
            rows.iter().map(|r| r.n).sum::<i64>().to_string()
        }
    }
    fn value(&self) -> String {
        Figures { c: &self.c }.value(self.ind, self.figure.as_ref())
    }
}

async fn records(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    Asked { period, scope }: Asked,
) -> AppResult<Response> {
    let ind = find(&id)?;
    let drill = uc::drill(&state.store, &user, ind, period, &scope).await?;
    let rows = uc::board(&state.store, period, &scope).await?;
    let figure = rows
        .iter()
        .find(|r| r.indicator.id == ind.id)
        .map(|r| r.figure);
    let units = crate::pages::unit_names(&state, &c).await?;
    let sections = vec![(true, drill.numerator), (false, drill.denominator)];
    Ok(render(&RecordsPage {
        c,
        ind,
        period,
        scope,
        figure,
        sections,
        units,
    }))
}

#[derive(Template)]
#[template(path = "dashboard/plan.html")]
struct PlanPage {
    c: Chrome,
    version: i64,
    plan: Plan,
    history: Vec<tongban_store::lists::ListVersion>,
    /// The current figure of each indicator a target names (this year, the district).
    figures: HashMap<&'static str, Figure>,
    year: i16,
    units: HashMap<String, String>,
    draft: String,
    errors: Vec<String>,
}

impl PlanPage {
    fn keeps(&self) -> bool {
        self.c.user.as_ref().is_some_and(uc::keeps_plan)
    }
    fn units_of(&self, codes: &[String]) -> String {
        codes
            .iter()
            .map(|u| match u.as_str() {
                tongban_domain::plan::ALL_DEPARTMENTS => {
                    self.c.t.get("plan.all_departments").to_string()
                }
                tongban_domain::plan::ALL_STREETS => self.c.t.get("plan.all_streets").to_string(),
                _ => crate::pages::unit_name(&self.units, u),
            })
            .collect::<Vec<_>>()
            .join("、")
    }
    fn aim(&self, g: &Target) -> String {
        g.for_year(self.year)
            .map_or_else(|| "—".to_string(), |v| format!("{v}{}", g.unit))
    }
    fn now(&self, g: &Target) -> String {
        let Some(ind) = g.indicator.as_deref().and_then(indicators::find) else {
            return self.c.t.get("plan.reported").into();
        };
        Figures { c: &self.c }.value(ind, self.figures.get(ind.id))
    }
}

async fn plan_page(
    state: &AppState,
    c: Chrome,
    draft: Option<String>,
    errors: Vec<String>,
) -> AppResult<Response> {
    let (version, plan) = uc::current_plan(&state.store).await?;
    let history = state.store.list_history(uc::PLAN).await?;
    let today = tongban_domain::cases::local_date(state.store.now());
    let rows = uc::board(&state.store, Period::Year(today.year()), &Scope::district()).await?;
    let figures = rows.iter().map(|r| (r.indicator.id, r.figure)).collect();
    let draft = draft.unwrap_or_else(|| {
        history
            .first()
            .map(|v| v.toml.clone())
            .unwrap_or_else(|| tongban_domain::plan::BASELINE.to_string())
    });
    let units = crate::pages::unit_names(state, &c).await?;
    Ok(render(&PlanPage {
        c,
        version,
        plan,
        history,
        figures,
        year: today.year(),
        units,
        draft,
        errors,
    }))
}

async fn plan(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
) -> AppResult<Response> {
    may_see(&user)?;
    plan_page(&state, c, None, vec![]).await
}

async fn save_plan(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let text = f.get("document").cloned().unwrap_or_default();
    let note = f.get("note").cloned().unwrap_or_default();
    let done = uc::save_plan(&state.store, &user, &text, &note)
        .await
        .map(|_| "/plan".to_string())
        .map_err(AppError::from);
    after_form(c, done, |c, errors| {
        plan_page(&state, c, Some(text), errors)
    })
    .await
}
