//! Every dashboard table as an xlsx workbook, the same rows the pages show: the board, an
//! indicator by unit and month by month, the records behind it, the assessment. A period with
//! nothing counted exports its rows with "—", never a made-up zero.

use super::Asked;
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::AppResult;
use crate::pages::{Chrome, xlsx_download};
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use tongban_app::dashboard::{self as uc, Grouping};
use tongban_app::table::write_xlsx;
use tongban_domain::dashboard::indicators::{Figure, Indicator, Source};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard/export.xlsx", get(board))
        .route("/dashboard/assessment/export.xlsx", get(assessment))
        .route("/dashboard/{id}/units.xlsx", get(units))
        .route("/dashboard/{id}/trend.xlsx", get(trend))
        .route("/dashboard/{id}/records.xlsx", get(records))
}

use super::pages::{find, may_see as allowed};

/// A figure's cells: value (or —), numerator, denominator.
fn cells(f: Option<&Figure>) -> [String; 3] {
    match f {
        None => ["—".into(), String::new(), String::new()],
        Some(f) => [
            f.value.map_or_else(|| "—".to_string(), |v| v.to_string()),
            f.numerator.to_string(),
            f.denominator.to_string(),
        ],
    }
}

fn name(c: &Chrome, id: &str) -> String {
    c.t.label("indicator", &format!("{id}.name")).to_string()
}

fn unit_of(c: &Chrome, ind: &Indicator) -> String {
    c.t.label("dashboard.unit", ind.unit_key())
        .trim()
        .to_string()
}

fn h(c: &Chrome, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| c.t.get(k).to_string()).collect()
}

fn done(
    name: &str,
    period: impl std::fmt::Display,
    bytes: tongban_app::Result<Vec<u8>>,
) -> AppResult<Response> {
    Ok(xlsx_download(&format!("{name}-{period}.xlsx"), bytes?))
}

async fn board(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    a: Asked,
) -> AppResult<Response> {
    allowed(&user)?;
    let rows = uc::board(&state.store, a.period, &a.scope).await?;
    let mut header = h(
        &c,
        &[
            "dashboard.indicator",
            "dashboard.unit_of_measure",
            "dashboard.value",
        ],
    );
    header.extend(h(
        &c,
        &[
            "dashboard.numerator",
            "dashboard.denominator",
            "dashboard.last_year",
            "dashboard.target",
            "dashboard.definition",
        ],
    ));
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let [v, n, d] = cells(Some(&r.figure));
            vec![
                name(&c, r.indicator.id),
                unit_of(&c, r.indicator),
                v,
                n,
                d,
                cells(r.last_year.as_ref())[0].clone(),
                r.target.map_or_else(|| "—".to_string(), |t| t.to_string()),
                c.t.label("indicator", &format!("{}.definition", r.indicator.id))
                    .to_string(),
            ]
        })
        .collect();
    done(
        "dashboard",
        a.period,
        write_xlsx(&a.period.to_string(), &header, &body),
    )
}

async fn units(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    a: Asked,
) -> AppResult<Response> {
    allowed(&user)?;
    let ind = find(&id)?;
    let t = uc::Tallies::of_indicator(&state.store, a.period, ind).await?;
    let rows = uc::by_unit(&state.store, &t, ind, Grouping::Units).await?;
    let header = h(
        &c,
        &[
            "dashboard.unit_col",
            "dashboard.value",
            "dashboard.numerator",
            "dashboard.denominator",
            "dashboard.last_year",
        ],
    );
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|f| {
            let [v, n, d] = cells(Some(&f.figure));
            let unit = c.t.unit_name(&f.unit);
            vec![unit, v, n, d, cells(f.last_year.as_ref())[0].clone()]
        })
        .collect();
    done(
        &format!("{id}-units"),
        a.period,
        write_xlsx(&a.period.to_string(), &header, &body),
    )
}

async fn trend(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    a: Asked,
) -> AppResult<Response> {
    allowed(&user)?;
    let ind = find(&id)?;
    let t = uc::Tallies::of_indicator(&state.store, a.period, ind).await?;
    let points = uc::trend(&t, ind, &a.scope);
    let header = h(
        &c,
        &[
            "dashboard.month",
            "dashboard.value",
            "dashboard.numerator",
            "dashboard.denominator",
            "dashboard.same_month_last_year",
        ],
    );
    let body: Vec<Vec<String>> = points
        .iter()
        .map(|p| {
            let [v, n, d] = cells(Some(&p.figure));
            vec![
                p.month.to_string(),
                v,
                n,
                d,
                cells(p.last_year.as_ref())[0].clone(),
            ]
        })
        .collect();
    done(
        &format!("{id}-trend"),
        a.period,
        write_xlsx(&a.period.to_string(), &header, &body),
    )
}

async fn records(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    a: Asked,
) -> AppResult<Response> {
    let ind = find(&id)?;
    let d = uc::drill(&state.store, &user, ind, a.period, &a.scope).await?;
    let header = h(
        &c,
        &[
            "dashboard.part",
            "dashboard.record",
            "dashboard.unit_col",
            "dashboard.month",
            "dashboard.adds",
        ],
    );
    let average = matches!(ind.source, Source::Average { .. });
    let mut body = Vec::new();
    for (numerator, rows) in [(true, &d.numerator), (false, &d.denominator)] {
        let part = c.t.get(if numerator {
            "dashboard.numerator"
        } else {
            "dashboard.denominator"
        });
        for r in rows {
            let adds = if numerator && average {
                (r.amount as f64 / 100.0).to_string()
            } else {
                r.n.to_string()
            };
            body.push(vec![
                part.to_string(),
                r.id.clone(),
                r.unit.clone(),
                r.month.to_string(),
                adds,
            ]);
        }
    }
    done(
        &format!("{id}-records"),
        a.period,
        write_xlsx(&a.period.to_string(), &header, &body),
    )
}

async fn assessment(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    a: Asked,
) -> AppResult<Response> {
    allowed(&user)?;
    let scores = uc::assessment(&state.store, a.period).await?;
    let header = h(
        &c,
        &[
            "dashboard.unit_col",
            "dashboard.score",
            "dashboard.indicator",
            "dashboard.value",
            "dashboard.target",
            "dashboard.attainment",
            "dashboard.weight",
            "dashboard.points",
        ],
    );
    let mut body = Vec::new();
    for s in &scores {
        let unit = c.t.unit_name(&s.unit);
        for p in &s.parts {
            body.push(vec![
                unit.clone(),
                s.score.map_or_else(|| "—".to_string(), |v| v.to_string()),
                name(&c, p.indicator),
                cells(Some(&p.figure))[0].clone(),
                p.target.map_or_else(|| "—".to_string(), |t| t.to_string()),
                p.attainment.map_or_else(
                    || c.t.get("dashboard.not_scored").to_string(),
                    |x| format!("{:.1}%", x * 100.0),
                ),
                p.weight.to_string(),
                p.points.map_or_else(|| "—".to_string(), |x| x.to_string()),
            ]);
        }
    }
    done(
        "assessment",
        a.period,
        write_xlsx(&a.period.to_string(), &header, &body),
    )
}
