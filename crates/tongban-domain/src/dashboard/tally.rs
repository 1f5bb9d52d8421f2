//! What each record adds to the district's tallies. A record's *parts* are cells
//! (metric × unit × month) with a count and an amount; the store keeps every record's parts and
//! the sums of all parts, and changes both in the record's own write (the new parts less the old
//! ones), so a dashboard reads sums instead of scanning history. The functions here are the only
//! definition of what counts: the store's recount and the drill-down lists use them too.

use super::Month;
use crate::bundles::{self, Bundle, BundleKind, BundleState};
use crate::calendar::Calendar;
use crate::cases::{Case, CaseState, ClockStatus, ClockView, local_date};
use crate::credit::CreditRecord;
use crate::hotline;
use crate::inspection::plan::Check;
use crate::inspection::warning::Warning;
use crate::policies::Declaration;
use crate::reviews::{Rating, Ticket as Rectification};
use serde::{Deserialize, Serialize};

macro_rules! metrics {
    ($($v:ident = $s:literal),* $(,)?) => {
        /// A counted thing. Amounts are in hundredths (working days × 100, visits × 100) so sums
        /// stay exact under any order of additions and subtractions.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Metric { $($v),* }
        impl Metric {
            pub const ALL: &'static [Metric] = &[$(Metric::$v),*];
            pub fn as_str(self) -> &'static str { match self { $(Metric::$v => $s),* } }
            pub fn parse(s: &str) -> Option<Metric> {
                Metric::ALL.iter().copied().find(|m| m.as_str() == s)
            }
        }
    };
}

metrics! {
    CaseFinished = "case.finished",
    CaseOnTimeLegal = "case.on_time_legal",
    CaseOnTimePromised = "case.on_time_promised",
    CaseUsedDays = "case.used_days",
    CaseFullyOnline = "case.fully_online",
    CaseVisits = "case.visits",
    CasePromisedDays = "case.promised_days",
    // A finished case whose clock cannot be computed (a year's schedule missing).
    CaseClockUnknown = "case.clock_unknown",
    StartupDone = "bundle.startup_done",
    StartupOneDay = "bundle.startup_one_day",
    StartupHalfDay = "bundle.startup_half_day",
    ProjectDone = "bundle.project_done",
    Project70Days = "bundle.project_70_days",
    Rated = "rating.count",
    RatedGood = "rating.good",
    // Every rating given, kept or removed on appeal (what "unrated" is measured against).
    RatedAll = "rating.all",
    // A service that could be rated: a case whose result was issued, a window visit.
    RatingServices = "rating.services",
    Rectified = "rectify.done",
    RectifiedOnTime = "rectify.on_time",
    RectifiedUrgent = "rectify.urgent",
    RectifiedUrgentOnTime = "rectify.urgent_on_time",
    RectifyCallbacks = "rectify.callbacks",
    RectifyCallbacksSatisfied = "rectify.callbacks_satisfied",
    HotlineReplies = "hotline.replies",
    HotlineRepliesOnTime = "hotline.replies_on_time",
    HotlineReplied = "hotline.replied",
    HotlineCalledBack = "hotline.called_back",
    HotlineCallbacks = "hotline.callbacks",
    HotlineCallbacksSatisfied = "hotline.callbacks_satisfied",
    // Tickets dispatched to a unit (once per unit), the unit's returns, the ticket's reopenings.
    HotlineDispatched = "hotline.dispatched",
    HotlineReturns = "hotline.returns",
    HotlineReopenings = "hotline.reopenings",
    PolicyPaid = "policy.paid",
    PolicyPayoutDays = "policy.payout_days",
    RepairsDecided = "credit.repairs_decided",
    RepairsOnTime = "credit.repairs_on_time",
    ChecksPublished = "inspection.published",
    ChecksOnTime = "inspection.published_on_time",
    WarningsAnswered = "warning.answered",
    WarningsOnTime = "warning.answered_on_time",
}

/// One cell a record counts in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Cell {
    pub metric: Metric,
    pub unit: String,
    pub month: Month,
    pub n: i64,
    pub amount: i64,
}

/// A record's parts: cells sorted, one per (metric, unit, month).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parts(Vec<Cell>);

impl Parts {
    pub fn cells(&self) -> &[Cell] {
        &self.0
    }

    fn add(&mut self, metric: Metric, unit: &str, month: Month, n: i64, amount: i64) {
        self.0.push(Cell {
            metric,
            unit: unit.to_string(),
            month,
            n,
            amount,
        });
    }

    fn count(&mut self, metric: Metric, unit: &str, month: Month) {
        self.add(metric, unit, month, 1, 0);
    }

    fn count_if(&mut self, yes: bool, metric: Metric, unit: &str, month: Month) {
        if yes {
            self.count(metric, unit, month);
        }
    }

    /// Merges cells of the same key (a ticket answered twice by one unit in one month).
    pub fn from_cells(mut cells: Vec<Cell>) -> Parts {
        cells.sort();
        let mut out: Vec<Cell> = Vec::with_capacity(cells.len());
        for c in cells {
            match out.last_mut() {
                Some(l) if (l.metric, &l.unit, l.month) == (c.metric, &c.unit, c.month) => {
                    l.n += c.n;
                    l.amount += c.amount;
                }
                _ => out.push(c),
            }
        }
        Parts(out)
    }

    fn done(self) -> Parts {
        Parts::from_cells(self.0)
    }

    /// What changes in the sums when `self` replaces `before`: every cell of either, with the
    /// difference (cells that did not change are left out).
    pub fn delta(&self, before: &Parts) -> Vec<Cell> {
        let mut cells: Vec<Cell> = self.0.clone();
        cells.extend(before.0.iter().map(|c| Cell {
            n: -c.n,
            amount: -c.amount,
            ..c.clone()
        }));
        Parts::from_cells(cells)
            .0
            .into_iter()
            .filter(|c| c.n != 0 || c.amount != 0)
            .collect()
    }
}

fn hundredths(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

/// A case counts once it finished after acceptance (decided, or closed after acceptance), in the
/// month it finished, for its unit: on time against the legal and the promised limit, the working
/// days it used, whether it needed no visit, and its visits.
pub fn of_case(c: &Case, cal: &Calendar) -> Parts {
    let mut p = Parts::default();
    let Some(end) = c.decision.as_ref().map(|d| d.at).or(c.closed_at) else {
        return p;
    };
    if c.accepted_at.is_none() {
        return p;
    }
    let (u, m) = (c.unit.as_str(), Month::of(local_date(end)));
    p.count_if(c.state == CaseState::Issued, Metric::RatingServices, u, m);
    // The clock of a finished case does not depend on `now`; one that cannot be computed (a
    // year's schedule missing) is counted apart, as the case indicators always did.
    let Ok(view) = ClockView::compute(c, end, cal) else {
        p.count(Metric::CaseClockUnknown, u, m);
        return p.done();
    };
    p.count(Metric::CaseFinished, u, m);
    p.count_if(
        view.legal_status == ClockStatus::FinishedOnTime,
        Metric::CaseOnTimeLegal,
        u,
        m,
    );
    p.count_if(
        view.status == ClockStatus::FinishedOnTime,
        Metric::CaseOnTimePromised,
        u,
        m,
    );
    p.add(
        Metric::CaseUsedDays,
        u,
        m,
        0,
        hundredths(view.used_working_days),
    );
    p.count_if(c.online && c.visits == 0, Metric::CaseFullyOnline, u, m);
    p.add(Metric::CaseVisits, u, m, 0, i64::from(c.visits) * 100);
    p.add(
        Metric::CasePromisedDays,
        u,
        m,
        0,
        hundredths(c.promised_limit.approx_working_days()),
    );
    p.done()
}

/// The unit a bundle counts for: the unit of its key part (the licence), else its first part.
pub fn bundle_unit(b: &Bundle) -> &str {
    b.parts
        .iter()
        .find(|p| p.key_part)
        .or(b.parts.first())
        .map_or("", |p| p.unit.as_str())
}

/// A bundle counts when every part was issued (Done), in the month it completed: a start-up
/// within one and within half a working day, a construction project within its 70 working days
/// (which needs the bundle's cases).
pub fn of_bundle(b: &Bundle, cases: &[Case], cal: &Calendar) -> Parts {
    let mut p = Parts::default();
    let (BundleState::Done, Some(done)) = (b.state, b.completed_at) else {
        return p;
    };
    let (u, m) = (bundle_unit(b), Month::of(local_date(done)));
    match b.kind {
        BundleKind::Startup => {
            if let Ok(k) = bundles::clock(b, done, cal) {
                p.count(Metric::StartupDone, u, m);
                p.count_if(
                    k.used_minutes <= k.target_minutes,
                    Metric::StartupOneDay,
                    u,
                    m,
                );
                p.count_if(k.within_best, Metric::StartupHalfDay, u, m);
            }
        }
        BundleKind::Construction => {
            if let Ok(k) = bundles::construction::project_clock(b, cases, done, cal) {
                p.count(Metric::ProjectDone, u, m);
                p.count_if(k.used <= k.budget, Metric::Project70Days, u, m);
            }
        }
    }
    p.done()
}

/// A rating counts in the month it was given (among the good and the kept ones unless removed
/// on appeal).
pub fn of_rating(r: &Rating) -> Parts {
    let mut p = Parts::default();
    let (u, m) = (r.unit.as_str(), Month::of(local_date(r.at)));
    p.count(Metric::RatedAll, u, m);
    if r.removed {
        return p.done();
    }
    p.count(Metric::Rated, u, m);
    p.count_if(!r.overall.is_bad(), Metric::RatedGood, u, m);
    p.done()
}

/// A window visit is a service that could be rated, in the month it was served.
pub fn of_visit(unit: &str, served_at: jiff::Timestamp) -> Parts {
    let mut p = Parts::default();
    p.count(
        Metric::RatingServices,
        unit,
        Month::of(local_date(served_at)),
    );
    p.done()
}

/// A bad rating's rectification counts when rectified (on time against its due date; the urgent
/// ones — a real-name rating with a demand — against their one working day), and its callback in
/// the month of the call.
pub fn of_rectification(t: &Rectification) -> Parts {
    let mut p = Parts::default();
    let u = t.unit.as_str();
    if let Some(at) = t.rectified_at {
        let (d, m) = (local_date(at), Month::of(local_date(at)));
        p.count(Metric::Rectified, u, m);
        p.count_if(d <= t.due, Metric::RectifiedOnTime, u, m);
        if t.urgent {
            p.count(Metric::RectifiedUrgent, u, m);
            p.count_if(d <= t.due, Metric::RectifiedUrgentOnTime, u, m);
        }
    }
    if let Some(c) = &t.callback {
        let m = Month::of(local_date(c.at));
        p.count(Metric::RectifyCallbacks, u, m);
        p.count_if(c.satisfied, Metric::RectifyCallbacksSatisfied, u, m);
    }
    p.done()
}

/// A hotline ticket counts for every unit that replied: each reply (on time against the reply
/// date of the dispatch it answered), the ticket once per unit in the month of the unit's first
/// reply (called back or not), and each callback for each replying unit in the month of the call;
/// for every lead unit once (with the ticket's reopenings) in the month it was first dispatched
/// to it; and each return in its month.
pub fn of_hotline_ticket(t: &hotline::Ticket) -> Parts {
    let mut p = Parts::default();
    let mut units: Vec<&str> = Vec::new();
    for r in &t.replies {
        let m = Month::of(local_date(r.at));
        let due = t
            .dispatches
            .iter()
            .rev()
            .find(|d| d.at <= r.at && d.lead == r.unit)
            .map(|d| d.reply_due);
        p.count(Metric::HotlineReplies, &r.unit, m);
        p.count_if(
            due.is_some_and(|d| local_date(r.at) <= d),
            Metric::HotlineRepliesOnTime,
            &r.unit,
            m,
        );
        if !units.contains(&r.unit.as_str()) {
            units.push(&r.unit);
            p.count(Metric::HotlineReplied, &r.unit, m);
            p.count_if(
                !t.callbacks.is_empty(),
                Metric::HotlineCalledBack,
                &r.unit,
                m,
            );
        }
    }
    for c in &t.callbacks {
        let m = Month::of(local_date(c.at));
        for u in &units {
            p.count(Metric::HotlineCallbacks, u, m);
            p.count_if(c.satisfied, Metric::HotlineCallbacksSatisfied, u, m);
        }
    }
    // Each lead unit counts the ticket, and its reopenings, in the month it first got it.
    let mut leads: Vec<&str> = Vec::new();
    for d in &t.dispatches {
        if !leads.contains(&d.lead.as_str()) {
            leads.push(&d.lead);
            let m = Month::of(local_date(d.at));
            p.count(Metric::HotlineDispatched, &d.lead, m);
            p.add(
                Metric::HotlineReopenings,
                &d.lead,
                m,
                i64::from(t.reopened),
                0,
            );
        }
    }
    for r in &t.returns {
        p.count(Metric::HotlineReturns, &r.unit, Month::of(local_date(r.at)));
    }
    p.done()
}

/// A paid declaration counts for the policy's paying unit in the month paid, with the working
/// days from the declaration to the money.
pub fn of_declaration(d: &Declaration, payer: &str, cal: &Calendar) -> Parts {
    let mut p = Parts::default();
    let Some(pay) = &d.payout else {
        return p;
    };
    let Ok(days) = cal.working_days_between(local_date(d.declared_at), pay.paid_on) else {
        return p;
    };
    let m = Month::of(pay.paid_on);
    p.count(Metric::PolicyPaid, payer, m);
    p.add(Metric::PolicyPayoutDays, payer, m, 0, days.max(0) * 100);
    p.done()
}

/// Each decided repair of a credit record counts for the record's unit in the month decided, on
/// time when decided by its deadline.
pub fn of_credit_record(r: &CreditRecord) -> Parts {
    let mut p = Parts::default();
    let u = r.entered.unit.as_str();
    for rep in &r.repairs {
        if let Some(dec) = &rep.decision {
            let m = Month::of(dec.on);
            p.count(Metric::RepairsDecided, u, m);
            p.count_if(dec.on <= rep.decide_by, Metric::RepairsOnTime, u, m);
        }
    }
    p.done()
}

/// A published check counts for each of its units in the month published, on time within its
/// 20 working days.
pub fn of_check(c: &Check) -> Parts {
    let mut p = Parts::default();
    if let Some(r) = &c.result {
        let m = Month::of(r.published_on);
        for u in &c.units {
            p.count(Metric::ChecksPublished, u, m);
            p.count_if(r.published_on <= c.due, Metric::ChecksOnTime, u, m);
        }
    }
    p.done()
}

/// An answered risk warning counts for the unit it was sent to in the month answered, on time by
/// its due date.
pub fn of_warning(w: &Warning) -> Parts {
    let mut p = Parts::default();
    if let Some(f) = &w.feedback {
        let (u, m) = (w.raised.unit.as_str(), Month::of(f.on));
        p.count(Metric::WarningsAnswered, u, m);
        p.count_if(f.on <= w.due, Metric::WarningsOnTime, u, m);
    }
    p.done()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(metric: Metric, unit: &str, month: i32, n: i64, amount: i64) -> Cell {
        Cell {
            metric,
            unit: unit.into(),
            month: Month(month),
            n,
            amount,
        }
    }

    #[test]
    fn metric_names_round_trip() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()), Some(*m));
        }
        assert_eq!(Metric::parse("case.nothing"), None);
    }

    #[test]
    fn cells_of_one_key_merge_and_deltas_leave_out_what_did_not_change() {
        let a = Parts::from_cells(vec![
            cell(Metric::HotlineReplies, "U", 202601, 1, 0),
            cell(Metric::HotlineReplies, "U", 202601, 1, 0),
            cell(Metric::CaseFinished, "U", 202601, 1, 0),
        ]);
        assert_eq!(a.cells().len(), 2);
        assert_eq!(a.cells()[1].n, 2);
        let b = Parts::from_cells(vec![
            cell(Metric::HotlineReplies, "U", 202601, 2, 0),
            cell(Metric::CaseFinished, "U", 202602, 1, 0),
        ]);
        let d = b.delta(&a);
        assert_eq!(
            d,
            vec![
                cell(Metric::CaseFinished, "U", 202601, -1, 0),
                cell(Metric::CaseFinished, "U", 202602, 1, 0),
            ]
        );
        assert!(a.delta(&a).is_empty());
        assert_eq!(a.delta(&Parts::default()), a.cells().to_vec());
    }
}
