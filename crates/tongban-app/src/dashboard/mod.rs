//! The district's dashboard and the action plan (R11): indicators from the tallies, compared
//! with the same period a year earlier and with the plan's target, by unit and by month, and the
//! records behind every figure. Who sees what: staff and the third-party evaluator see the
//! figures; a unit's staff see the records behind their own unit's figures, supervisors,
//! administrators and the evaluator every unit's.

pub mod monthly;
pub mod pdf;
pub mod totals;

use crate::{Error, Result};
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::catalog::indicators as catalog;
use tongban_domain::catalog::{ItemGuide, Level};
use tongban_domain::dashboard::indicators::{
    self, Better, CatalogMeasure, Figure, Indicator, Source, Sums,
};
use tongban_domain::dashboard::{Month, Period};
use tongban_domain::org::Unit;
use tongban_store::Store;
use tongban_store::accounts::User;
use tongban_store::dashboard::PartRow;

/// Everyone who works on the plan sees the dashboard: staff of every role and the evaluator.
pub fn may_see(user: &User) -> bool {
    !matches!(user.role, Role::Applicant)
}

/// Who sees every unit's records behind the figures.
pub fn sees_every_unit(user: &User) -> bool {
    matches!(user.role, Role::Supervisor | Role::Admin | Role::Evaluator)
}

/// Which units a figure counts: the district, or one unit with the units under it (a street
/// with its communities).
#[derive(Debug, Clone)]
pub struct Scope {
    pub unit: Option<String>,
    members: std::collections::BTreeSet<String>,
}

impl Scope {
    pub fn district() -> Scope {
        Scope {
            unit: None,
            members: Default::default(),
        }
    }

    /// A unit and everything under it; `unknown_unit` when there is no such unit.
    pub fn of(unit: &str, units: &[Unit]) -> Result<Scope> {
        if !units.iter().any(|u| u.code == unit) {
            return Err(FieldErrors::single("unit", "unknown_unit").into());
        }
        let mut members: std::collections::BTreeSet<String> = [unit.to_string()].into();
        // Parents come before children in the list, so one pass collects the whole subtree.
        for u in units {
            if u.parent.as_ref().is_some_and(|p| members.contains(p)) {
                members.insert(u.code.clone());
            }
        }
        Ok(Scope {
            unit: Some(unit.to_string()),
            members,
        })
    }

    pub fn contains(&self, unit: &str) -> bool {
        self.unit.is_none() || self.members.contains(unit)
    }
}

/// One indicator on the board.
#[derive(Debug, Clone)]
pub struct Row {
    pub indicator: &'static Indicator,
    pub figure: Figure,
    /// The same period a year earlier (none for a snapshot of the catalog).
    pub last_year: Option<Figure>,
    pub target: Option<f64>,
}

impl Row {
    /// Whether the figure meets the target (none without a figure or a target).
    pub fn meets(&self) -> Option<bool> {
        let (v, t) = (self.figure.value?, self.target?);
        Some(match self.indicator.better {
            Better::Higher => v >= t,
            Better::Lower => v <= t,
        })
    }
}

/// The sums of a period and of the same period a year earlier, read once.
pub struct Tallies {
    pub period: Period,
    pub sums: std::sync::Arc<Sums>,
}

impl Tallies {
    /// The months to read: the period and the same period a year earlier.
    fn span(period: Period) -> (Month, Month) {
        let (from, to) = period.months();
        (period.a_year_earlier().map_or(from, |p| p.months().0), to)
    }

    /// Every metric, unit by unit (the assessment scores every unit on every indicator).
    pub async fn read(store: &Store, period: Period) -> Result<Tallies> {
        let (from, to) = Self::span(period);
        Ok(Tallies {
            period,
            sums: store.tally_sums(from, to).await?,
        })
    }

    /// One indicator's metrics, unit by unit (its bars by unit and its trend).
    pub async fn of_indicator(store: &Store, period: Period, ind: &Indicator) -> Result<Tallies> {
        let (from, to) = Self::span(period);
        let sums = match ind.metrics() {
            Some(m) => store.tally_sums_of(from, to, m).await?,
            None => Default::default(),
        };
        Ok(Tallies { period, sums })
    }

    /// Every metric added up over the scope's units by the database (the board, a figure, a
    /// trend of the scope), labelled with the scope's unit so that `scope.contains` accepts it.
    pub async fn over(store: &Store, period: Period, scope: &Scope) -> Result<Tallies> {
        let (from, to) = Self::span(period);
        let units = match scope.unit {
            None => String::new(),
            Some(_) => format!(
                ",{},",
                scope.members.iter().cloned().collect::<Vec<_>>().join(",")
            ),
        };
        let label = scope.unit.clone().unwrap_or_default();
        Ok(Tallies {
            period,
            sums: store.tally_sums_over(from, to, &units, &label).await?,
        })
    }

    /// An indicator's figure for the period and the same period a year earlier, for the units
    /// `unit` accepts; a catalog indicator from the published `guides` as they stand (no last
    /// year).
    pub fn figures(
        &self,
        ind: &Indicator,
        unit: &dyn Fn(&str) -> bool,
        guides: &[ItemGuide],
    ) -> (Figure, Option<Figure>) {
        match ind.source {
            Source::Catalog(m) => {
                let mine: Vec<&ItemGuide> = guides.iter().filter(|g| unit(&g.unit)).collect();
                (catalog_figure(m, &mine, self.period.year()), None)
            }
            _ => (
                self.figure(ind, unit, self.period).unwrap_or(Figure::EMPTY),
                self.period
                    .a_year_earlier()
                    .and_then(|p| self.figure(ind, unit, p)),
            ),
        }
    }

    pub fn figure(
        &self,
        ind: &Indicator,
        unit: &dyn Fn(&str) -> bool,
        p: Period,
    ) -> Option<Figure> {
        self.sums.figure_in(ind, unit, p)
    }
}

/// A catalog indicator over the published guides of the units in scope.
pub fn catalog_figure(m: CatalogMeasure, guides: &[&ItemGuide], year: i16) -> Figure {
    let c = catalog::compute(guides.iter().copied(), year);
    let r = match m {
        CatalogMeasure::Online => c.online_overall,
        CatalogMeasure::Compression => c.compression,
        CatalogMeasure::MaterialsCut => c.materials_cut,
    };
    Figure::share(r.numerator, r.denominator)
}

/// The whole board: every indicator for the scope and period.
pub async fn board(store: &Store, period: Period, scope: &Scope) -> Result<Vec<Row>> {
    let (_, plan) = store.plan().await?;
    let t = Tallies::over(store, period, scope).await?;
    let guides = store.published_guides_shared().await?;
    let unit = |u: &str| scope.contains(u);
    Ok(indicators::ALL
        .iter()
        .map(|ind| {
            let (figure, last_year) = t.figures(ind, &unit, &guides);
            Row {
                indicator: ind,
                figure,
                last_year,
                target: plan.target_for(ind.id, period.year()),
            }
        })
        .collect())
}

/// The published guides when `ind` counts them (a catalog indicator), else none to read.
async fn guides_for(store: &Store, ind: &Indicator) -> Result<std::sync::Arc<Vec<ItemGuide>>> {
    Ok(match ind.is_snapshot() {
        true => store.published_guides_shared().await?,
        false => Default::default(),
    })
}

/// One indicator's figure for the scope and period.
pub async fn figure(
    store: &Store,
    ind: &Indicator,
    period: Period,
    scope: &Scope,
) -> Result<Figure> {
    let t = Tallies::over(store, period, scope).await?;
    let guides = guides_for(store, ind).await?;
    Ok(t.figures(ind, &|u| scope.contains(u), &guides).0)
}

/// One unit's figure for an indicator.
#[derive(Debug, Clone)]
pub struct UnitFigure {
    pub unit: Unit,
    pub figure: Figure,
    pub last_year: Option<Figure>,
}

/// How units are grouped: each unit on its own, or each street with its communities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Units,
    Streets,
}

/// An indicator for every unit that has something counted (or, for the catalog, guides), best
/// first; units with nothing to count are left out rather than shown as zero.
pub async fn by_unit(
    store: &Store,
    t: &Tallies,
    ind: &Indicator,
    grouping: Grouping,
) -> Result<Vec<UnitFigure>> {
    let units = store.units().await?;
    let guides = guides_for(store, ind).await?;
    let mut out = Vec::new();
    for u in &units {
        let scope = match grouping {
            Grouping::Units => Scope {
                unit: Some(u.code.clone()),
                members: [u.code.clone()].into(),
            },
            Grouping::Streets if u.level == Level::Street => Scope::of(&u.code, &units)?,
            Grouping::Streets => continue,
        };
        let (figure, last_year) = t.figures(ind, &|c| scope.contains(c), &guides);
        if figure.denominator > 0.0 {
            out.push(UnitFigure {
                unit: u.clone(),
                figure,
                last_year,
            });
        }
    }
    let key = |f: &UnitFigure| f.figure.value.unwrap_or(0.0);
    out.sort_by(|a, b| match ind.better {
        Better::Higher => key(b).total_cmp(&key(a)),
        Better::Lower => key(a).total_cmp(&key(b)),
    });
    Ok(out)
}

/// One month of a trend, with the same month a year earlier.
#[derive(Debug, Clone)]
pub struct Point {
    pub month: Month,
    pub figure: Figure,
    pub last_year: Option<Figure>,
}

/// An indicator month by month over the tallies' period (a tallied indicator only).
pub fn trend(t: &Tallies, ind: &Indicator, scope: &Scope) -> Vec<Point> {
    if ind.is_snapshot() {
        return Vec::new();
    }
    let unit = |u: &str| scope.contains(u);
    t.period
        .each_month()
        .into_iter()
        .map(|m| Point {
            month: m,
            figure: t
                .figure(ind, &unit, Period::Month(m))
                .unwrap_or(Figure::EMPTY),
            last_year: Period::Month(m)
                .a_year_earlier()
                .and_then(|p| t.figure(ind, &unit, p)),
        })
        .collect()
}

/// The records behind a figure: those counted in the numerator and in the denominator.
#[derive(Debug, Clone)]
pub struct Drill {
    pub numerator: Vec<PartRow>,
    pub denominator: Vec<PartRow>,
}

/// The records behind a tallied figure, for a user who may see them: a unit's staff only their
/// own unit's (a scope of another unit is forbidden).
pub async fn drill(
    store: &Store,
    user: &User,
    ind: &Indicator,
    period: Period,
    scope: &Scope,
) -> Result<Drill> {
    if !may_see(user) {
        return Err(Error::Forbidden);
    }
    let own = |u: &str| sees_every_unit(user) || user.unit.as_deref() == Some(u);
    if let Some(u) = &scope.unit {
        if !own(u) {
            return Err(Error::Forbidden);
        }
    }
    let Some((num, den)) = ind.metrics() else {
        return Ok(Drill {
            numerator: Vec::new(),
            denominator: Vec::new(),
        });
    };
    let (from, to) = period.months();
    let unit = |u: &str| scope.contains(u) && own(u);
    Ok(Drill {
        numerator: store.tally_parts(num, from, to, &unit).await?,
        denominator: store.tally_parts(den, from, to, &unit).await?,
    })
}

// ---- department assessment (绩效考核) ------------------------------------------------------------

use tongban_domain::dashboard::assessment::{self, Weights};

/// The list the weights are kept in (`list_versions`).
pub const WEIGHTS: &str = "assessment";

/// The weights as they stand and their version (0: the district's first, not yet saved).
pub async fn current_weights(store: &Store) -> Result<(i64, Weights)> {
    let (version, text) = match store.list_current(WEIGHTS).await? {
        Some(v) => (v.version, v.toml),
        None => (0, assessment::BASELINE.to_string()),
    };
    Ok((version, Weights::parse(&text)?))
}

/// The office saves new weights (they must sum to 100).
pub async fn save_weights(store: &Store, user: &User, w: &Weights, note: &str) -> Result<i64> {
    if !crate::plan::keeps_plan(user) {
        return Err(Error::Forbidden);
    }
    w.check()?;
    if note.trim().is_empty() {
        return Err(FieldErrors::single("note", "required").into());
    }
    Ok(store
        .save_list(&user.username, WEIGHTS, &w.to_toml(), note.trim())
        .await?)
}

/// One unit's score and how it was made.
#[derive(Debug, Clone)]
pub struct UnitScore {
    pub unit: Unit,
    pub score: Option<f64>,
    pub parts: Vec<assessment::Part>,
}

/// Every unit's score for a period, best first; units with nothing counted are left out.
pub async fn assessment(store: &Store, period: Period) -> Result<Vec<UnitScore>> {
    let (_, weights) = current_weights(store).await?;
    let (_, plan) = store.plan().await?;
    let t = Tallies::read(store, period).await?;
    let guides = store.published_guides_shared().await?;
    let units = store.units().await?;
    let mut out = Vec::new();
    for u in units.iter().filter(|u| u.parent.is_some()) {
        let mine = |c: &str| c == u.code;
        let mut parts: Vec<assessment::Part> = weights
            .weight
            .iter()
            .filter_map(|w| {
                let ind = indicators::find(&w.indicator)?;
                let (figure, _) = t.figures(ind, &mine, &guides);
                let target = plan.target_for(ind.id, period.year());
                Some(assessment::Part {
                    indicator: ind.id,
                    weight: w.weight,
                    figure,
                    target,
                    attainment: assessment::attainment(ind, &figure, target),
                    points: None,
                })
            })
            .collect();
        let score = assessment::score(&mut parts);
        if score.is_some() {
            out.push(UnitScore {
                unit: u.clone(),
                score,
                parts,
            });
        }
    }
    out.sort_by(|a, b| {
        b.score
            .unwrap_or(0.0)
            .total_cmp(&a.score.unwrap_or(0.0))
            .then(a.unit.code.cmp(&b.unit.code))
    });
    Ok(out)
}
