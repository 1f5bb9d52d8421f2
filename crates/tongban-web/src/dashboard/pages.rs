//! The dashboard's pages: the board (every indicator for a period and a unit, with last year and
//! the target), one indicator (bars by unit, the trend, the tables behind both, its definition),
//! the records behind a figure, and the plan with its targets.

use super::{Asked, chart, record_href};
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use std::collections::HashMap;
use tongban_app::dashboard::{self as uc, Grouping, Point, Row, Scope, UnitFigure};
use tongban_domain::dashboard::Period;
use tongban_domain::dashboard::indicators::{self, Figure, Indicator};
use tongban_store::dashboard::PartRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(board))
        .route("/dashboard/{id}", get(indicator))
        .route("/dashboard/{id}/records", get(records))
        .route("/dashboard/assessment", get(assessment).post(save_weights))
        .route("/dashboard/assessment/{unit}", get(breakdown))
}

type Q = Query<HashMap<String, String>>;

/// Forbidden unless the user sees the dashboard (pages and exports alike).
pub(super) fn may_see(user: &tongban_store::accounts::User) -> AppResult<()> {
    if uc::may_see(user) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub(super) fn find(id: &str) -> AppResult<&'static Indicator> {
    indicators::find(id).ok_or(AppError::NotFound)
}

/// What the board and the indicator pages share: how a figure reads.
pub(crate) struct Figures<'a> {
    pub(crate) c: &'a Chrome,
}

impl Figures<'_> {
    pub(crate) fn value(&self, ind: &Indicator, f: Option<&Figure>) -> String {
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
        .map(|u| (u.code.clone(), c.t.unit_name(&u)))
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
        self.c.t.unit_name(&f.unit)
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
    let (_, plan) = state.store.plan().await?;
    let target = plan.target_for(ind.id, period.year());
    let t = uc::Tallies::of_indicator(&state.store, period, ind).await?;
    let by_unit = uc::by_unit(&state.store, &t, ind, grouping).await?;
    let trend = uc::trend(&t, ind, &scope);
    let percent = ind.unit_key() == "percent";
    let name = c.t.label("indicator", &format!("{}.name", ind.id));
    let names = |f: &UnitFigure| c.t.unit_name(&f.unit);
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
    figure: Figure,
    /// The numerator's records, then the denominator's: the first [`SHOWN`] of each, and how
    /// many there are.
    sections: Vec<(bool, Vec<PartRow>, usize)>,
    units: HashMap<String, String>,
}

impl RecordsPage {
    /// "The first 200 of 12 000 are listed", when some are not.
    fn more(&self, all: &usize) -> String {
        self.c.t.fill(
            "dashboard.records_more",
            &[("shown", &SHOWN.to_string()), ("all", &all.to_string())],
        )
    }

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
        Figures { c: &self.c }.value(self.ind, Some(&self.figure))
    }
}

/// Records listed on the drill-down page, per section: a year of a city's cases is a page no one
/// reads; the spreadsheet has them all.
const SHOWN: usize = 200;

async fn records(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    Asked { period, scope }: Asked,
) -> AppResult<Response> {
    let ind = find(&id)?;
    let drill = uc::drill(&state.store, &user, ind, period, &scope).await?;
    let figure = uc::figure(&state.store, ind, period, &scope).await?;
    let units = crate::pages::unit_names(&state, &c).await?;
    let first = |mut rows: Vec<PartRow>| {
        let all = rows.len();
        rows.truncate(SHOWN);
        (rows, all)
    };
    let (num, num_all) = first(drill.numerator);
    let (den, den_all) = first(drill.denominator);
    let sections = vec![(true, num, num_all), (false, den, den_all)];
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

// ---- department assessment (绩效考核) ------------------------------------------------------------

#[derive(Template)]
#[template(path = "dashboard/assessment.html")]
struct AssessmentPage {
    c: Chrome,
    period: Period,
    scores: Vec<uc::UnitScore>,
    version: i64,
    weights: tongban_domain::dashboard::assessment::Weights,
    keeps: bool,
    f: HashMap<String, String>,
    errors: Vec<String>,
}

impl AssessmentPage {
    fn name(&self, id: &str) -> &'static str {
        self.c.t.label("indicator", &format!("{id}.name"))
    }
    fn unit_name(&self, s: &uc::UnitScore) -> String {
        self.c.t.unit_name(&s.unit)
    }
    fn score(&self, s: &uc::UnitScore) -> String {
        s.score.map_or_else(|| "—".into(), |v| format!("{v}"))
    }
    /// The weight to show in the form: as typed after a refusal, else as it stands.
    fn weight_of(&self, id: &str) -> String {
        self.f
            .get(&format!("weight.{id}"))
            .cloned()
            .unwrap_or_else(|| {
                self.weights
                    .weight
                    .iter()
                    .find(|w| w.indicator == id)
                    .map_or("0".into(), |w| w.weight.to_string())
            })
    }
    fn all(&self) -> &'static [Indicator] {
        indicators::ALL
    }
}

async fn assessment_page(
    state: &AppState,
    c: Chrome,
    period: Period,
    f: HashMap<String, String>,
    errors: Vec<String>,
) -> AppResult<Response> {
    let user = c.user.clone().ok_or(AppError::Unauthorized)?;
    may_see(&user)?;
    let scores = uc::assessment(&state.store, period).await?;
    let (version, weights) = uc::current_weights(&state.store).await?;
    let keeps = tongban_app::plan::keeps_plan(&user);
    Ok(render(&AssessmentPage {
        c,
        period,
        scores,
        version,
        weights,
        keeps,
        f,
        errors,
    }))
}

async fn assessment(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(_u): SignedIn,
    a: Asked,
) -> AppResult<Response> {
    assessment_page(&state, c, a.period, HashMap::new(), vec![]).await
}

/// The weights form: `weight.<indicator>` for each indicator (0 leaves it out), and a note.
async fn save_weights(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    a: Asked,
    crate::auth::CsrfForm(f): crate::auth::CsrfForm,
) -> AppResult<Response> {
    let done = async {
        let mut weight = Vec::new();
        let mut e = tongban_domain::FieldErrors::new();
        for ind in indicators::ALL {
            let raw = f
                .get(&format!("weight.{}", ind.id))
                .map(|s| s.trim())
                .unwrap_or("0");
            match raw.parse::<u32>() {
                Ok(0) => {}
                Ok(w) => weight.push(tongban_domain::dashboard::assessment::Weight {
                    indicator: ind.id.into(),
                    weight: w,
                }),
                Err(_) => e.push(format!("weight.{}", ind.id), "not_a_whole_number"),
            }
        }
        e.into_result(())?;
        let w = tongban_domain::dashboard::assessment::Weights { weight };
        uc::save_weights(
            &state.store,
            &user,
            &w,
            f.get("note").map_or("", String::as_str),
        )
        .await?;
        Ok::<_, AppError>(format!("/dashboard/assessment?period={}", a.period))
    }
    .await;
    crate::pages::after_form(c, done, |c, errors| {
        assessment_page(&state, c, a.period, f.clone(), errors)
    })
    .await
}

#[derive(Template)]
#[template(path = "dashboard/breakdown.html")]
struct BreakdownPage {
    c: Chrome,
    period: Period,
    s: uc::UnitScore,
}

impl BreakdownPage {
    fn name(&self, id: &str) -> &'static str {
        self.c.t.label("indicator", &format!("{id}.name"))
    }
    fn value(&self, p: &tongban_domain::dashboard::assessment::Part) -> String {
        indicators::find(p.indicator).map_or_else(String::new, |i| {
            Figures { c: &self.c }.value(i, Some(&p.figure))
        })
    }
    fn target(&self, p: &tongban_domain::dashboard::assessment::Part) -> String {
        indicators::find(p.indicator)
            .map_or_else(String::new, |i| Figures { c: &self.c }.target(i, p.target))
    }
    fn pct(&self, x: &Option<f64>) -> String {
        x.map_or_else(
            || self.c.t.get("dashboard.not_scored").to_string(),
            |a| format!("{:.1}%", a * 100.0),
        )
    }
    fn points(&self, x: &Option<f64>) -> String {
        x.map_or_else(|| "—".to_string(), |p| format!("{p}"))
    }
}

async fn breakdown(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Path(unit): Path<String>,
    a: Asked,
) -> AppResult<Response> {
    may_see(&user)?;
    let s = uc::assessment(&state.store, a.period)
        .await?
        .into_iter()
        .find(|s| s.unit.code == unit)
        .ok_or(AppError::NotFound)?;
    Ok(render(&BreakdownPage {
        c,
        period: a.period,
        s,
    }))
}
