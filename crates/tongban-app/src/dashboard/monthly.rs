//! The district leadership's monthly report: the board of a month and each indicator's line
//! through the year, as a PDF ([`super::pdf`]). Made on demand by the plan's office and, for
//! every finished month, once by the monthly job. Everything the PDF prints is first gathered
//! into [`Inputs`], kept with the report beside their SHA-256: drawing the same inputs again
//! gives the same bytes, which is how a past report is checked.

use super::pdf::{self, Font};
use super::{Scope, Tallies, board, trend};
use crate::messages::{Lang, catalog};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tongban_domain::FieldErrors;
use tongban_domain::cases::local_date;
use tongban_domain::dashboard::indicators::Figure;
use tongban_domain::dashboard::{Month, Period};
use tongban_store::Store;
use tongban_store::accounts::User;
use tongban_store::monthly::{MonthlyReport, NewMonthlyReport};

/// Everything a report prints, in the order it prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inputs {
    pub month: Month,
    pub title: String,
    pub subtitle: String,
    /// When the figures were read, as printed.
    pub made: String,
    pub labels: Labels,
    /// The x-axis of the trends: the months of the year up to the report's.
    pub months: Vec<String>,
    pub rows: Vec<InputRow>,
}

/// The fixed words of the report (kept with the inputs: a later wording does not change a past
/// report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Labels {
    pub indicator: String,
    pub this_month: String,
    pub last_year: String,
    pub target: String,
    pub counted: String,
    pub meets: String,
    pub yes: String,
    pub no: String,
    pub no_target: String,
    pub note: String,
    /// In a chart with nothing counted either year.
    pub nothing: String,
    pub trend_title: String,
    pub legend: String,
    /// `第 {n} 页，共 {m} 页`
    pub page: String,
    pub inputs_hash: String,
}

/// One indicator of the month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputRow {
    pub id: String,
    pub name: String,
    /// What the values are in (`%`, ` 个工作日`).
    pub unit: String,
    pub value: Option<f64>,
    pub last_year: Option<f64>,
    pub target: Option<f64>,
    /// Numerator / denominator, as printed.
    pub counted: String,
    pub meets: Option<bool>,
    /// None for a snapshot of the catalog (no history to draw).
    pub trend: Option<Trend>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    pub percent: bool,
    pub this_year: Vec<Option<f64>>,
    pub last_year: Vec<Option<f64>>,
}

impl Inputs {
    /// The inputs as kept: their JSON and its SHA-256.
    pub fn sealed(&self) -> (String, String) {
        let json = serde_json::to_string(self).unwrap_or_default();
        let sha = hex::encode(Sha256::digest(json.as_bytes()));
        (json, sha)
    }
}

fn counted(f: &Figure) -> String {
    // Averages sum working days in hundredths: one decimal is what a reader compares.
    let n = |x: f64| match x.fract() == 0.0 {
        true => format!("{x}"),
        false => format!("{x:.1}"),
    };
    match f.value {
        None => "—".into(),
        Some(_) => format!("{} / {}", n(f.numerator), n(f.denominator)),
    }
}

/// A month that has begun (the current month reads "so far"), in the dashboard's years.
pub fn parse_month(store: &Store, s: &str) -> Result<Month> {
    let Some(Period::Month(m)) = Period::parse(s) else {
        return Err(FieldErrors::single("month", "invalid_month").into());
    };
    if m > Month::of(local_date(store.now())) {
        return Err(FieldErrors::single("month", "future_month").into());
    }
    Ok(m)
}

/// What the district's board says for `month`, in Chinese, as the report prints it.
pub async fn inputs(store: &Store, month: Month) -> Result<Inputs> {
    let t = |k: &str| catalog().get(Lang::Zh, k).to_string();
    let district = store
        .units()
        .await?
        .into_iter()
        .find(|u| u.parent.is_none())
        .map(|u| u.name)
        .unwrap_or_default();
    let scope = Scope::district();
    let rows = board(store, Period::Month(month), &scope).await?;
    let year = Tallies::over(store, Period::Year(month.year()), &scope).await?;
    let upto = month.month() as usize;
    let rows = rows
        .iter()
        .map(|r| {
            let ind = r.indicator;
            let trend = (!ind.is_snapshot()).then(|| {
                let points = trend(&year, ind, &scope);
                let points = &points[..upto.min(points.len())];
                Trend {
                    percent: ind.unit_key() == "percent",
                    this_year: points.iter().map(|p| p.figure.value).collect(),
                    last_year: points
                        .iter()
                        .map(|p| p.last_year.and_then(|f| f.value))
                        .collect(),
                }
            });
            InputRow {
                id: ind.id.to_string(),
                name: t(&format!("indicator.{}.name", ind.id)),
                unit: t(&format!("dashboard.unit.{}", ind.unit_key())),
                value: r.figure.value,
                last_year: r.last_year.and_then(|f| f.value),
                target: r.target,
                counted: counted(&r.figure),
                meets: r.meets(),
                trend,
            }
        })
        .collect();
    let now = store.now().to_zoned(tongban_domain::cases::district_tz());
    Ok(Inputs {
        month,
        title: t("monthly.title").replace("{district}", &district),
        subtitle: t("monthly.subtitle")
            .replace("{year}", &month.year().to_string())
            .replace("{month}", &month.month().to_string()),
        made: t("monthly.made").replace("{at}", &now.strftime("%Y-%m-%d %H:%M").to_string()),
        labels: Labels {
            indicator: t("dashboard.indicator"),
            this_month: t("monthly.this_month"),
            last_year: t("dashboard.same_month_last_year"),
            target: t("dashboard.target"),
            counted: t("dashboard.counted"),
            meets: t("monthly.meets"),
            yes: t("dashboard.meets"),
            no: t("dashboard.misses"),
            no_target: t("monthly.no_target"),
            note: t("monthly.note"),
            nothing: t("dashboard.nothing"),
            trend_title: t("monthly.trend_title"),
            legend: t("monthly.legend"),
            page: t("monthly.page"),
            inputs_hash: t("monthly.inputs_hash"),
        },
        months: (1..=upto).map(|m| m.to_string()).collect(),
        rows,
    })
}

/// Who makes a report on demand: those who keep the plan.
pub fn may_make(user: &User) -> bool {
    crate::plan::keeps_plan(user)
}

/// Draws the PDF off the async runtime (subsetting the font takes a moment).
async fn draw(inputs: Inputs, sha: String) -> Result<(Vec<u8>, String)> {
    tokio::task::spawn_blocking(move || {
        let font = Font::system()?;
        Ok((pdf::render(&inputs, &sha, font)?, font.name.clone()))
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?
}

/// Makes and keeps a report of `month` as `actor`; `None` when it is the month's scheduled
/// report and that was already made.
async fn make_as(
    store: &Store,
    actor: &str,
    month: Month,
    scheduled: bool,
) -> Result<Option<MonthlyReport>> {
    let inputs = inputs(store, month).await?;
    let (json, sha) = inputs.sealed();
    let (bytes, font) = draw(inputs, sha.clone()).await?;
    let size = bytes.len() as i64;
    let name = format!("monthly-{month}.pdf");
    let file = store.put_file(&name, "application/pdf", bytes).await?;
    let new = NewMonthlyReport {
        month,
        scheduled,
        inputs_json: json,
        inputs_sha256: sha,
        pdf_sha256: file.sha256,
        pdf_size: size,
        font,
    };
    Ok(store.save_monthly_report(actor, new).await?)
}

/// A report of `month` made on demand.
pub async fn make(store: &Store, user: &User, month: &str) -> Result<MonthlyReport> {
    if !may_make(user) {
        return Err(Error::Forbidden);
    }
    let month = parse_month(store, month)?;
    make_as(store, &user.username, month, false)
        .await?
        .ok_or_else(|| Error::Internal("an on-demand report is always kept".into()))
}

/// The monthly job: the report of the month that last ended, once. Run on every clock pass;
/// after the first of the month it finds the report made and does nothing.
pub async fn catch_up(store: &Store) -> Result<Option<MonthlyReport>> {
    if !store.has_files() {
        return Ok(None);
    }
    let this = Month::of(local_date(store.now()));
    let last = previous(this);
    if store.has_scheduled_report(last).await? {
        return Ok(None);
    }
    make_as(store, "system:monthly-report", last, true).await
}

fn previous(m: Month) -> Month {
    match m.month() {
        1 => Month::new(m.year() - 1, 12),
        n => Month::new(m.year(), n - 1),
    }
}

/// A kept report drawn again from its kept inputs: whether the bytes are the same.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub inputs_intact: bool,
    pub same_font: bool,
    pub pdf_sha256: String,
    pub identical: bool,
}

pub async fn check(store: &Store, id: &str) -> Result<Check> {
    let kept = store.monthly_report(id).await?;
    let json = store.monthly_report_inputs(id).await?;
    let inputs: Inputs = serde_json::from_str(&json)
        .map_err(|e| Error::Internal(format!("report {id}: inputs unreadable: {e}")))?;
    let inputs_intact = inputs.sealed() == (json, kept.inputs_sha256.clone());
    let (bytes, font) = draw(inputs, kept.inputs_sha256.clone()).await?;
    let sha = hex::encode(Sha256::digest(&bytes));
    Ok(Check {
        inputs_intact,
        same_font: font == kept.font,
        identical: sha == kept.pdf_sha256,
        pdf_sha256: sha,
    })
}
