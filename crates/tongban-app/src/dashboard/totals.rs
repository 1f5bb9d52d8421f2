//! The capabilities' own statistics (the case indicators, the bundles' clocks, the public
//! 好差评 statistics, the hotline's indicators by unit) read from the tallies' all-time sums instead of scanning every record: a
//! request reads a few rows per unit and month, however long the history grows. The scans they
//! replace stay in the domain, and the tests compare the two.

use crate::Result;
use tongban_domain::cases::indicators::{CaseIndicators, Sums};
use tongban_domain::dashboard::tally::{Cell, Metric};
use tongban_domain::reviews::{Counts, Stats};
use tongban_store::Store;

/// All-time sums of one capability's metrics, unit by unit.
pub struct Totals(std::sync::Arc<Vec<Cell>>);

impl Totals {
    /// The metrics named `<prefix>.…` (`case`, `bundle`, `rating`, `rectify`).
    pub async fn read(store: &Store, prefix: &str) -> Result<Totals> {
        Ok(Totals(store.tally_totals(prefix).await?))
    }

    fn sum(&self, m: Metric, unit: Option<&str>) -> (i64, i64) {
        self.0
            .iter()
            .filter(|c| c.metric == m && unit.is_none_or(|u| c.unit == u))
            .fold((0, 0), |(n, a), c| (n + c.n, a + c.amount))
    }

    fn n(&self, m: Metric, unit: Option<&str>) -> usize {
        self.sum(m, unit).0.max(0) as usize
    }

    /// An amount kept in hundredths, as a number.
    fn amount(&self, m: Metric, unit: Option<&str>) -> f64 {
        self.sum(m, unit).1 as f64 / 100.0
    }

    /// The units with anything counted.
    pub fn units(&self) -> std::collections::BTreeSet<&str> {
        self.0
            .iter()
            .filter(|c| c.n != 0)
            .map(|c| c.unit.as_str())
            .collect()
    }
}

/// The case indicators of the district or of one unit.
pub fn cases(t: &Totals, unit: Option<&str>) -> CaseIndicators {
    CaseIndicators::of(Sums {
        finished: t.n(Metric::CaseFinished, unit),
        on_time_legal: t.n(Metric::CaseOnTimeLegal, unit),
        on_time_promised: t.n(Metric::CaseOnTimePromised, unit),
        used_days: t.amount(Metric::CaseUsedDays, unit),
        promised_days: t.amount(Metric::CasePromisedDays, unit),
        fully_online: t.n(Metric::CaseFullyOnline, unit),
        visits: t.amount(Metric::CaseVisits, unit),
        unknown: t.n(Metric::CaseClockUnknown, unit),
    })
}

/// The 好差评 statistics of the district or of one unit, from the ratings' and the
/// rectifications' totals.
pub fn reviews(ratings: &Totals, rectify: &Totals, unit: Option<&str>) -> Stats {
    Stats::of(Counts {
        services: ratings.n(Metric::RatingServices, unit),
        given: ratings.n(Metric::RatedAll, unit),
        kept: ratings.n(Metric::Rated, unit),
        good: ratings.n(Metric::RatedGood, unit),
        rectified: rectify.n(Metric::Rectified, unit),
        rectified_on_time: rectify.n(Metric::RectifiedOnTime, unit),
        callbacks: rectify.n(Metric::RectifyCallbacks, unit),
        callbacks_satisfied: rectify.n(Metric::RectifyCallbacksSatisfied, unit),
    })
}

/// Start-up bundles done (within one and half a working day) and construction projects done
/// (within 70 working days).
pub struct BundleCounts {
    pub startups: usize,
    pub one_day: usize,
    pub half_day: usize,
    pub projects: usize,
    pub within_70: usize,
}

pub fn bundles(t: &Totals) -> BundleCounts {
    BundleCounts {
        startups: t.n(Metric::StartupDone, None),
        one_day: t.n(Metric::StartupOneDay, None),
        half_day: t.n(Metric::StartupHalfDay, None),
        projects: t.n(Metric::ProjectDone, None),
        within_70: t.n(Metric::Project70Days, None),
    }
}

/// A unit's hotline indicators.
pub fn hotline(t: &Totals, unit: &str) -> tongban_domain::hotline::Indicators {
    let u = Some(unit);
    tongban_domain::hotline::Indicators::of(
        unit,
        tongban_domain::hotline::Counts {
            dispatched: t.n(Metric::HotlineDispatched, u),
            replies: t.n(Metric::HotlineReplies, u),
            replies_on_time: t.n(Metric::HotlineRepliesOnTime, u),
            replied: t.n(Metric::HotlineReplied, u),
            called_back: t.n(Metric::HotlineCalledBack, u),
            callbacks: t.n(Metric::HotlineCallbacks, u),
            callbacks_satisfied: t.n(Metric::HotlineCallbacksSatisfied, u),
            returns: t.n(Metric::HotlineReturns, u),
            reopenings: t.n(Metric::HotlineReopenings, u),
        },
    )
}

/// Every unit's hotline indicators, in the units' order, for the units with anything counted.
pub async fn hotline_by_unit(store: &Store) -> Result<Vec<tongban_domain::hotline::Indicators>> {
    let t = Totals::read(store, "hotline").await?;
    let counted = t.units();
    Ok(store
        .units()
        .await?
        .iter()
        .filter(|u| counted.contains(u.code.as_str()))
        .map(|u| hotline(&t, &u.code))
        .collect())
}
