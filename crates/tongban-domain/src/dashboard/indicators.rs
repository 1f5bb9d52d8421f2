//! The indicators: which tallied sums make each figure, whether more is better, and the
//! figures for a scope of units over a period. Names, plain-Chinese definitions and the labels of
//! numerator and denominator are in the message catalog (`indicator.<id>.*`).

use super::tally::{Cell, Metric};
use super::{Month, Period};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Which capability's records an indicator counts (its drill-down list shows them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Records {
    /// Published guides of the catalog (a snapshot, not a history).
    Items,
    Cases,
    Bundles,
    Ratings,
    Rectifications,
    HotlineTickets,
    Declarations,
    CreditRecords,
    InspectionChecks,
    RiskWarnings,
    /// Window visits (services that could be rated).
    Visits,
}

impl Records {
    pub const TALLIED: [Records; 10] = [
        Records::Cases,
        Records::Bundles,
        Records::Ratings,
        Records::Rectifications,
        Records::HotlineTickets,
        Records::Declarations,
        Records::CreditRecords,
        Records::InspectionChecks,
        Records::RiskWarnings,
        Records::Visits,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Records::Items => "items",
            Records::Cases => "cases",
            Records::Bundles => "bundles",
            Records::Ratings => "ratings",
            Records::Rectifications => "rectifications",
            Records::HotlineTickets => "hotline_tickets",
            Records::Declarations => "declarations",
            Records::CreditRecords => "credit_records",
            Records::InspectionChecks => "inspection_checks",
            Records::RiskWarnings => "risk_warnings",
            Records::Visits => "visits",
        }
    }
    pub fn parse(s: &str) -> Option<Records> {
        Records::TALLIED.into_iter().find(|r| r.as_str() == s)
    }
}

/// How an indicator is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A share in percent: count of `num` / count of `den`.
    Share { num: Metric, den: Metric },
    /// An average: amount of `num` (hundredths) / count of `den`.
    Average { num: Metric, den: Metric },
    /// A share over the published catalog as it stands (by unit, not by month).
    Catalog(CatalogMeasure),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogMeasure {
    Online,
    Compression,
    MaterialsCut,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Higher,
    Lower,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Indicator {
    pub id: &'static str,
    pub records: Records,
    pub source: Source,
    pub better: Better,
}

impl Indicator {
    /// `%` for shares, `working_days` or `visits` for averages (a key of the catalog).
    pub fn unit_key(&self) -> &'static str {
        match self.source {
            Source::Share { .. } | Source::Catalog(_) => "percent",
            Source::Average {
                num: Metric::CaseVisits,
                ..
            } => "visits",
            Source::Average { .. } => "working_days",
        }
    }

    /// The tallied metrics behind the figure (none for the catalog's).
    pub fn metrics(&self) -> Option<(Metric, Metric)> {
        match self.source {
            Source::Share { num, den } | Source::Average { num, den } => Some((num, den)),
            Source::Catalog(_) => None,
        }
    }

    pub fn is_snapshot(&self) -> bool {
        matches!(self.source, Source::Catalog(_))
    }
}

const fn share(id: &'static str, records: Records, num: Metric, den: Metric) -> Indicator {
    Indicator {
        id,
        records,
        source: Source::Share { num, den },
        better: Better::Higher,
    }
}

const fn average(id: &'static str, records: Records, num: Metric, den: Metric) -> Indicator {
    Indicator {
        id,
        records,
        source: Source::Average { num, den },
        better: Better::Lower,
    }
}

const fn catalog(id: &'static str, m: CatalogMeasure) -> Indicator {
    Indicator {
        id,
        records: Records::Items,
        source: Source::Catalog(m),
        better: Better::Higher,
    }
}

use Metric as M;
use Records as R;

/// Every indicator, in the order of the dashboard.
pub const ALL: &[Indicator] = &[
    catalog("catalog.online", CatalogMeasure::Online),
    catalog("catalog.compression", CatalogMeasure::Compression),
    catalog("catalog.materials_cut", CatalogMeasure::MaterialsCut),
    share(
        "cases.on_time_legal",
        R::Cases,
        M::CaseOnTimeLegal,
        M::CaseFinished,
    ),
    share(
        "cases.on_time_promised",
        R::Cases,
        M::CaseOnTimePromised,
        M::CaseFinished,
    ),
    share(
        "cases.fully_online",
        R::Cases,
        M::CaseFullyOnline,
        M::CaseFinished,
    ),
    average(
        "cases.avg_used_days",
        R::Cases,
        M::CaseUsedDays,
        M::CaseFinished,
    ),
    average("cases.avg_visits", R::Cases, M::CaseVisits, M::CaseFinished),
    share(
        "bundles.startup_one_day",
        R::Bundles,
        M::StartupOneDay,
        M::StartupDone,
    ),
    share(
        "bundles.startup_half_day",
        R::Bundles,
        M::StartupHalfDay,
        M::StartupDone,
    ),
    share(
        "bundles.construction_70_days",
        R::Bundles,
        M::Project70Days,
        M::ProjectDone,
    ),
    share("reviews.good_rate", R::Ratings, M::RatedGood, M::Rated),
    share(
        "reviews.rectified_on_time",
        R::Rectifications,
        M::RectifiedOnTime,
        M::Rectified,
    ),
    share(
        "reviews.rectified_one_day",
        R::Rectifications,
        M::RectifiedUrgentOnTime,
        M::RectifiedUrgent,
    ),
    share(
        "reviews.callback_satisfaction",
        R::Rectifications,
        M::RectifyCallbacksSatisfied,
        M::RectifyCallbacks,
    ),
    share(
        "hotline.on_time_reply",
        R::HotlineTickets,
        M::HotlineRepliesOnTime,
        M::HotlineReplies,
    ),
    share(
        "hotline.callback_rate",
        R::HotlineTickets,
        M::HotlineCalledBack,
        M::HotlineReplied,
    ),
    share(
        "hotline.satisfaction",
        R::HotlineTickets,
        M::HotlineCallbacksSatisfied,
        M::HotlineCallbacks,
    ),
    average(
        "policies.avg_payout_days",
        R::Declarations,
        M::PolicyPayoutDays,
        M::PolicyPaid,
    ),
    share(
        "credit.repair_on_time",
        R::CreditRecords,
        M::RepairsOnTime,
        M::RepairsDecided,
    ),
    share(
        "inspection.published_on_time",
        R::InspectionChecks,
        M::ChecksOnTime,
        M::ChecksPublished,
    ),
    share(
        "warnings.answered_on_time",
        R::RiskWarnings,
        M::WarningsOnTime,
        M::WarningsAnswered,
    ),
];

pub fn find(id: &str) -> Option<&'static Indicator> {
    ALL.iter().find(|i| i.id == id)
}

/// A figure with what it was computed from. For a share the numerator and denominator are
/// counts and the value a percentage; for an average the numerator is the total (working days,
/// visits) and the value the total per counted record. No value when nothing was counted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figure {
    pub numerator: f64,
    pub denominator: f64,
    pub value: Option<f64>,
}

impl Figure {
    pub fn share(num: f64, den: f64) -> Figure {
        Figure {
            numerator: num,
            denominator: den,
            value: (den > 0.0).then(|| round1(num / den * 100.0)),
        }
    }
    pub fn average(num: f64, den: f64) -> Figure {
        Figure {
            numerator: num,
            denominator: den,
            value: (den > 0.0).then(|| round2(num / den)),
        }
    }
    pub const EMPTY: Figure = Figure {
        numerator: 0.0,
        denominator: 0.0,
        value: None,
    };
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Tallied sums as read from the store: per metric, (month, unit) → (count, amount), so a
/// figure walks only its own metric's months.
#[derive(Debug, Clone, Default)]
pub struct Sums(HashMap<Metric, BTreeMap<(Month, String), (i64, i64)>>);

impl Sums {
    pub fn from_cells(cells: impl IntoIterator<Item = Cell>) -> Sums {
        let mut s = Sums::default();
        for c in cells {
            let e =
                s.0.entry(c.metric)
                    .or_default()
                    .entry((c.month, c.unit))
                    .or_default();
            e.0 += c.n;
            e.1 += c.amount;
        }
        s
    }

    /// Every non-zero cell, sorted (what a recount is compared with).
    pub fn cells(&self) -> Vec<Cell> {
        let mut v: Vec<Cell> = self
            .0
            .iter()
            .flat_map(|(metric, m)| {
                m.iter().filter(|(_, (n, a))| *n != 0 || *a != 0).map(
                    |((month, unit), (n, amount))| Cell {
                        metric: *metric,
                        unit: unit.clone(),
                        month: *month,
                        n: *n,
                        amount: *amount,
                    },
                )
            })
            .collect();
        v.sort();
        v
    }

    fn total(
        &self,
        metric: Metric,
        unit: &dyn Fn(&str) -> bool,
        from: Month,
        to: Month,
    ) -> (i64, i64) {
        self.0.get(&metric).map_or((0, 0), |m| {
            m.range((from, String::new())..)
                .take_while(|((mo, _), _)| *mo <= to)
                .filter(|((_, u), _)| unit(u))
                .fold((0, 0), |(n, a), (_, (dn, da))| (n + dn, a + da))
        })
    }

    /// The figure of a tallied indicator for the units `unit` accepts over the months
    /// `from..=to`; `None` for a catalog indicator (computed from the catalog instead).
    pub fn figure(
        &self,
        ind: &Indicator,
        unit: &dyn Fn(&str) -> bool,
        from: Month,
        to: Month,
    ) -> Option<Figure> {
        match ind.source {
            Source::Share { num, den } => Some(Figure::share(
                self.total(num, unit, from, to).0 as f64,
                self.total(den, unit, from, to).0 as f64,
            )),
            Source::Average { num, den } => Some(Figure::average(
                self.total(num, unit, from, to).1 as f64 / 100.0,
                self.total(den, unit, from, to).0 as f64,
            )),
            Source::Catalog(_) => None,
        }
    }

    pub fn figure_in(
        &self,
        ind: &Indicator,
        unit: &dyn Fn(&str) -> bool,
        p: Period,
    ) -> Option<Figure> {
        let (from, to) = p.months();
        self.figure(ind, unit, from, to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_found() {
        for (i, a) in ALL.iter().enumerate() {
            assert_eq!(find(a.id), Some(a));
            assert!(ALL[i + 1..].iter().all(|b| b.id != a.id), "{}", a.id);
        }
    }

    #[test]
    fn figures_sum_their_cells_and_never_divide_by_zero() {
        let c = |metric, unit: &str, month, n, amount| Cell {
            metric,
            unit: unit.into(),
            month: Month(month),
            n,
            amount,
        };
        let s = Sums::from_cells([
            c(M::CaseFinished, "A", 202601, 3, 0),
            c(M::CaseOnTimeLegal, "A", 202601, 2, 0),
            c(M::CaseFinished, "B", 202602, 1, 0),
            c(M::CaseOnTimeLegal, "B", 202602, 1, 0),
            c(M::CaseUsedDays, "A", 202601, 0, 450),
            c(M::CaseFinished, "A", 202501, 4, 0),
        ]);
        let all = |_: &str| true;
        let ind = find("cases.on_time_legal").unwrap();
        let f = s.figure_in(ind, &all, Period::Year(2026)).unwrap();
        assert_eq!(
            (f.numerator, f.denominator, f.value),
            (3.0, 4.0, Some(75.0))
        );
        let only_a = |u: &str| u == "A";
        let f = s
            .figure_in(ind, &only_a, Period::Month(Month(202601)))
            .unwrap();
        assert_eq!(f.value, Some(66.7));
        let avg = find("cases.avg_used_days").unwrap();
        let f = s.figure_in(avg, &only_a, Period::Quarter(2026, 1)).unwrap();
        assert_eq!((f.numerator, f.value), (4.5, Some(1.5)));
        // Nothing finished in 2024: an honest empty figure, not a zero.
        let f = s.figure_in(ind, &all, Period::Year(2024)).unwrap();
        assert_eq!(f, Figure::EMPTY);
        assert!(
            s.figure_in(find("catalog.online").unwrap(), &all, Period::Year(2026))
                .is_none()
        );
    }
}
