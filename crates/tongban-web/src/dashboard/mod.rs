//! The district's dashboard and the action plan over HTTP (R11). The use cases are
//! `tongban_app::dashboard`; the indicators and the tallies `tongban_domain::dashboard`.

pub mod api;
pub mod chart;
pub mod export;
pub mod monthly;
pub mod pages;

use crate::error::AppError;
use tongban_app::dashboard::Scope;
use tongban_domain::FieldErrors;
use tongban_domain::dashboard::Period;

/// What a dashboard request asks about: `period` (the current year when absent) and `unit` (the
/// district when absent), read from the query and refused by name when they cannot be read.
pub struct Asked {
    pub period: Period,
    pub scope: Scope,
}

impl axum::extract::FromRequestParts<crate::AppState> for Asked {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::AppState,
    ) -> Result<Asked, AppError> {
        let q: std::collections::HashMap<String, String> =
            axum::extract::Query::try_from_uri(&parts.uri)
                .map_or_else(|_| Default::default(), |q| q.0);
        let today = tongban_domain::cases::local_date(state.store.now());
        Ok(Asked {
            period: period_of(q.get("period").map(String::as_str), today)?,
            scope: scope_of(state, q.get("unit").map(String::as_str)).await?,
        })
    }
}

/// The period asked for (`2026`, `2026-Q4`, `2026-11`), the current year when none; a period
/// that cannot be read is refused on `period`.
fn period_of(asked: Option<&str>, today: jiff::civil::Date) -> Result<Period, AppError> {
    match asked.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Period::Year(today.year())),
        Some(s) => {
            Period::parse(s).ok_or_else(|| FieldErrors::single("period", "invalid_period").into())
        }
    }
}

/// The scope asked for: a unit code (with the units under it), the district when none.
async fn scope_of(state: &crate::AppState, unit: Option<&str>) -> Result<Scope, AppError> {
    match unit.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Scope::district()),
        Some(u) => Ok(Scope::of(u, &state.store.units().await?)?),
    }
}

/// The page of a record counted in a figure, where it has one.
pub fn record_href(
    records: tongban_domain::dashboard::indicators::Records,
    id: &str,
) -> Option<String> {
    use tongban_domain::dashboard::indicators::Records as R;
    Some(match records {
        R::Cases => format!("/cases/{id}"),
        R::Bundles => format!("/bundles/{id}"),
        R::Rectifications => format!("/rectifications/{id}"),
        R::HotlineTickets => format!("/hotline/tickets/{id}"),
        R::Declarations => format!("/declarations/{id}"),
        R::CreditRecords => format!("/credit/records/{id}"),
        R::InspectionChecks => format!("/inspection/checks/{id}"),
        R::RiskWarnings => format!("/warnings/{id}"),
        R::Ratings | R::Items | R::Visits => return None,
    })
}
