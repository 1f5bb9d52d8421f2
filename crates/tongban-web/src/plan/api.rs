//! `/api/v1/plan/…`: the progress reports a user follows (owed, in, overdue) and the supervision
//! rounds, read as the pages show them; and `/api/v1/dashboard/monthly`, the leadership's kept
//! monthly reports. Submitting and reviewing stay on the pages.

use crate::AppState;
use crate::api::Many;
use crate::auth::SignedIn;
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use tongban_app::plan;
use tongban_domain::plan::report::Report;
use tongban_domain::plan::round::Round;
use tongban_store::monthly::MonthlyReport;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(reports))
        .routes(routes!(rounds))
        .routes(routes!(monthly))
}

/// A report a unit owes for a quarter of a task, and the report when it is in.
#[derive(Serialize, ToSchema)]
#[schema(as = PlanReportOwed)]
pub struct Owed {
    pub task: String,
    pub unit: String,
    /// The quarter, `2026-Q3`.
    pub period: String,
    #[schema(value_type = String, format = Date)]
    pub due: jiff::civil::Date,
    /// Past its due date and not in.
    pub overdue: bool,
    pub report: Option<Report>,
}

/// The progress reports the user follows: their unit's (staff of a lead unit), every unit's (the
/// plan's office, supervisors, administrators, the evaluator); newest quarter first.
#[utoipa::path(get, path = "/api/v1/plan/reports", tag = "dashboard", security(("bearer" = [])),
    responses((status = 200, body = Many<Owed>)))]
async fn reports(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
) -> AppResult<Json<Many<Owed>>> {
    let owed = plan::owed(&state.store, &user).await?;
    Ok(crate::api::many(
        owed.into_iter()
            .map(|o| Owed {
                task: o.expected.task,
                unit: o.expected.unit,
                period: o.expected.period.to_string(),
                due: o.expected.due,
                overdue: o.overdue,
                report: o.report,
            })
            .collect(),
    ))
}

/// The supervision rounds the user sees: a unit's staff the published rounds that name their
/// unit, the office and the evaluator every round.
#[utoipa::path(get, path = "/api/v1/plan/rounds", tag = "dashboard", security(("bearer" = [])),
    responses((status = 200, body = Many<Round>)))]
async fn rounds(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
) -> AppResult<Json<Many<Round>>> {
    Ok(crate::api::many(plan::rounds(&state.store, &user).await?))
}

/// The leadership's kept monthly reports, newest month first, each with its inputs' and its
/// PDF's SHA-256 (the PDF at `/dashboard/monthly/{id}/report.pdf`).
#[utoipa::path(get, path = "/api/v1/dashboard/monthly", tag = "dashboard", security(("bearer" = [])),
    responses((status = 200, body = Many<MonthlyReport>)))]
async fn monthly(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
) -> AppResult<Json<Many<MonthlyReport>>> {
    if !tongban_app::dashboard::may_see(&user) {
        return Err(AppError::Forbidden);
    }
    Ok(crate::api::many(state.store.monthly_reports().await?))
}
