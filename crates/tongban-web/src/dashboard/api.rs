//! `/api/v1/dashboard…`: the board's figures and the records behind one.

use super::Asked;
use crate::AppState;
use crate::api::One;
use crate::auth::SignedIn;
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use tongban_app::dashboard as uc;
use tongban_app::messages::{Lang, catalog};
use tongban_domain::dashboard::indicators::{self, Figure};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(board))
        .routes(routes!(records))
}

/// The query `Asked` reads (documented here; `Asked` parses it).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct BoardParams {
    /// `2026`, `2026-Q4` or `2026-11`; the current year when absent.
    period: Option<String>,
    /// A unit code: the unit and the units under it; the district when absent.
    unit: Option<String>,
}

/// A figure with what it was computed from; `value` is absent when nothing was counted.
#[derive(Serialize, ToSchema)]
#[schema(as = DashboardFigure)]
pub struct FigureView {
    pub numerator: f64,
    pub denominator: f64,
    pub value: Option<f64>,
}

impl From<Figure> for FigureView {
    fn from(f: Figure) -> Self {
        FigureView {
            numerator: f.numerator,
            denominator: f.denominator,
            value: f.value,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorRow {
    pub id: String,
    /// The indicator's name in Chinese.
    pub name: String,
    /// `percent`, `working_days` or `visits`.
    pub unit: String,
    /// `higher` or `lower` is better.
    pub better: String,
    /// A share of the catalog as it stands (no history, no last year).
    pub snapshot: bool,
    pub figure: FigureView,
    pub last_year: Option<FigureView>,
    /// The plan's target for the period's year.
    pub target: Option<f64>,
    pub meets: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct Board {
    pub period: String,
    pub unit: Option<String>,
    pub indicators: Vec<IndicatorRow>,
}

/// Every indicator of the dashboard for a period and a unit, with the same period a year
/// earlier and the plan's target (staff and the evaluator).
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboard", params(BoardParams),
    security(("bearer" = [])), responses((status = 200, body = One<Board>)))]
async fn board(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Asked { period, scope }: Asked,
) -> AppResult<Json<One<Board>>> {
    if !uc::may_see(&user) {
        return Err(AppError::Forbidden);
    }
    let rows = uc::board(&state.store, period, &scope).await?;
    let name = |id: &str| {
        catalog()
            .get(Lang::Zh, &format!("indicator.{id}.name"))
            .to_string()
    };
    Ok(crate::api::one(Board {
        period: period.to_string(),
        unit: scope.unit.clone(),
        indicators: rows
            .iter()
            .map(|r| IndicatorRow {
                id: r.indicator.id.to_string(),
                name: name(r.indicator.id),
                unit: r.indicator.unit_key().to_string(),
                better: match r.indicator.better {
                    indicators::Better::Higher => "higher".into(),
                    indicators::Better::Lower => "lower".into(),
                },
                snapshot: r.indicator.is_snapshot(),
                figure: r.figure.into(),
                last_year: r.last_year.map(Into::into),
                target: r.target,
                meets: r.meets(),
            })
            .collect(),
    }))
}

/// One record counted in a figure.
#[derive(Serialize, ToSchema)]
pub struct CountedRecord {
    /// `cases`, `bundles`, `ratings`, `rectifications`, `hotline_tickets`, `declarations`,
    /// `credit_records`, `inspection_checks`, `risk_warnings`.
    pub kind: String,
    pub id: String,
    pub unit: String,
    /// `yyyy-mm`.
    pub month: String,
    /// What it adds to the count.
    pub n: i64,
    /// What it adds to a total, in hundredths (working days, visits).
    pub amount: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CountedRecords {
    pub numerator: Vec<CountedRecord>,
    pub denominator: Vec<CountedRecord>,
}

/// The records behind one indicator's figure: those in its numerator and its denominator (a
/// unit's staff see their own unit's; supervisors, administrators and the evaluator all).
#[utoipa::path(get, path = "/api/v1/dashboard/{id}/records", tag = "dashboard",
    params(("id" = String, Path, description = "The indicator, e.g. `cases.on_time_legal`"), BoardParams),
    security(("bearer" = [])), responses((status = 200, body = One<CountedRecords>)))]
async fn records(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    Asked { period, scope }: Asked,
) -> AppResult<Json<One<CountedRecords>>> {
    let ind = indicators::find(&id).ok_or(AppError::NotFound)?;
    let d = uc::drill(&state.store, &user, ind, period, &scope).await?;
    let view = |rows: Vec<tongban_store::dashboard::PartRow>| {
        rows.into_iter()
            .map(|r| CountedRecord {
                kind: r.records.as_str().to_string(),
                id: r.id,
                unit: r.unit,
                month: r.month.to_string(),
                n: r.n,
                amount: r.amount,
            })
            .collect()
    };
    Ok(crate::api::one(CountedRecords {
        numerator: view(d.numerator),
        denominator: view(d.denominator),
    }))
}
