//! The working-day calendar: which dates are working days, and deadlines counted in them.
//!
//! Time limits for licensing and most other matters are counted in working days (行政许可法
//! 第八十二条); the starting day is not counted and a natural-day period whose last day is a
//! rest day ends on the next working day (民法典 第二百零一条、第二百零三条). Which days are
//! working days is not computable: every year the State Council General Office publishes a
//! notice (部分节假日安排的通知) that declares statutory holidays and make-up workdays (调休上班,
//! a Saturday or Sunday worked in exchange for a longer break). So the schedule is data, one TOML
//! file per year (`data/calendar/`), loaded by administrators without a release.
//!
//! A year whose notice is not loaded yet is *provisional* (`statutory.rs`): its rest days are
//! the ones the law itself fixes (《全国年节及纪念日放假办法》), never a guess from weekends
//! alone, and every answer that used one says so ([`Calendar::provisional_years`]), because the
//! notice will move days around them. Before the revised law (2025) a year without a schedule
//! is an error ([`CalendarError::YearNotLoaded`]).
//!
//! The module is pure: no clock, no files. Office hours are Asia/Shanghai wall-clock times, but
//! the module only sees civil dates and times; the caller converts instants.

use jiff::civil::{Date, DateTime, Weekday};
use std::collections::BTreeMap;
use std::fmt;

mod hours;
mod recount;
mod schedule;
mod statutory;
use hours::MINUTE_NS;
pub use hours::{OfficeHours, parse_reminder_day};
pub use recount::{Binds, Moved, recount, recount_moved};
pub use schedule::{
    BUNDLED, Holiday, MAX_HOLIDAY_DAYS, MakeUpDay, YEARS, YearSchedule, bundled_schedules,
};
pub use statutory::{
    BASIS as PROVISIONAL_BASIS, LAW_IN_FORCE_FROM, StatutoryDay, provisional_schedule,
    statutory_days,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("no working-day schedule is loaded for {0}")]
    YearNotLoaded(i16),
}

/// Where a year sits in the calendar's day table.
#[derive(Clone, Copy, Debug)]
struct YearSlot {
    source: Source,
    /// Day index of 1 January.
    start: u32,
    /// Day index just past the run of consecutive usable years this year belongs to: counting
    /// may not go past it.
    run_end: u32,
    /// First year after that run, which is the one a count running off the run is missing.
    next_missing: i16,
}

/// Where a year's rest days come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// The State Council's notice, as loaded.
    Loaded,
    /// The law's statutory days only (`statutory.rs`): answers using it are provisional.
    Provisional,
    /// Nothing: a year before the revised law without a loaded schedule.
    Missing,
}

impl Source {
    fn usable(self) -> bool {
        self != Source::Missing
    }
}

/// The loaded years, the provisional years after them, plus office hours.
///
/// Built once and queried for every deadline, so the days from 1 January of the first loaded
/// year to 31 December of the last sit in one table with a running count of working days:
/// a date is an index (year offset + day of year), `between` is a subtraction, and `add` a
/// binary search for the count it needs. Nothing allocates after construction.
#[derive(Clone)]
pub struct Calendar {
    first_year: i16,
    years: Vec<YearSlot>,
    /// `prefix[i]` = working days among table days `0..i`; one longer than `dates`.
    prefix: Vec<u32>,
    dates: Vec<Date>,
    hours: OfficeHours,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("years", &self.years())
            .field("hours", &self.hours.to_string())
            .finish()
    }
}

impl Calendar {
    /// Builds the table. Schedules are expected to be validated; a later schedule for the same
    /// year replaces an earlier one, and years jiff cannot represent are ignored. A date declared
    /// a holiday in one file and a make-up day in another (only possible around New Year, see
    /// [`YearSchedule::validate`]) is a working day: the make-up day is the later decision.
    pub fn new(schedules: impl IntoIterator<Item = YearSchedule>, hours: OfficeHours) -> Calendar {
        let by_year: BTreeMap<i16, YearSchedule> = schedules
            .into_iter()
            .filter(|s| Date::new(s.year, 1, 1).is_ok() && Date::new(s.year, 12, 31).is_ok())
            .map(|s| (s.year, s))
            .collect();
        // The table runs from the first loaded year (or the revised law's first year) to the
        // last year a provisional year is made for (or a later loaded one).
        let first_year = by_year
            .keys()
            .next()
            .map_or(LAW_IN_FORCE_FROM, |&y| y.min(LAW_IN_FORCE_FROM));
        let last_year = by_year
            .keys()
            .next_back()
            .map_or(statutory::LAST_YEAR, |&y| y.max(statutory::LAST_YEAR));
        let provisional: BTreeMap<i16, &YearSchedule> = (first_year..=last_year)
            .filter(|y| !by_year.contains_key(y))
            .filter_map(|y| provisional_schedule(y).map(|s| (y, s)))
            .collect();

        let mut years = Vec::new();
        let mut dates = Vec::new();
        for year in first_year..=last_year {
            let source = if by_year.contains_key(&year) {
                Source::Loaded
            } else if provisional.contains_key(&year) {
                Source::Provisional
            } else {
                Source::Missing
            };
            years.push(YearSlot {
                source,
                start: dates.len() as u32,
                run_end: 0,
                next_missing: 0,
            });
            let mut d = Date::new(year, 1, 1).expect("checked above");
            loop {
                dates.push(d);
                match d.tomorrow() {
                    Ok(next) if next.year() == year => d = next,
                    _ => break,
                }
            }
        }
        // Runs of consecutive usable years, walked backwards so each year learns its run's end.
        let mut run_end = dates.len() as u32;
        let mut next_missing = last_year.saturating_add(1);
        for (offset, slot) in years.iter_mut().enumerate().rev() {
            if slot.source.usable() {
                slot.run_end = run_end;
                slot.next_missing = next_missing;
            } else {
                run_end = slot.start;
                next_missing = first_year + offset as i16;
            }
        }

        let index = |d: Date| -> Option<usize> {
            let offset = usize::try_from(i32::from(d.year()) - i32::from(first_year)).ok()?;
            let slot = years.get(offset)?;
            Some(slot.start as usize + d.day_of_year() as usize - 1)
        };
        let mut working: Vec<bool> = dates
            .iter()
            .map(|d| !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday))
            .collect();
        // Provisional years first: a loaded notice's December spill (see `validate`) wins.
        let all = || provisional.values().copied().chain(by_year.values());
        for schedule in all() {
            for h in &schedule.holidays {
                let (Some(first), Some(last)) = (dates.first(), dates.last()) else {
                    break;
                };
                let (from, to) = (h.from.max(*first), h.to.min(*last));
                if from > to {
                    continue;
                }
                let (Some(i), Some(j)) = (index(from), index(to)) else {
                    continue;
                };
                working[i..=j].iter_mut().for_each(|w| *w = false);
            }
        }
        for schedule in all() {
            for w in &schedule.workdays {
                if let Some(i) = index(w.date) {
                    working[i] = true;
                }
            }
        }
        let mut prefix = Vec::with_capacity(dates.len() + 1);
        let mut count = 0u32;
        prefix.push(count);
        for w in working {
            count += u32::from(w);
            prefix.push(count);
        }
        Calendar {
            first_year,
            years,
            prefix,
            dates,
            hours,
        }
    }

    /// Loaded years, ascending.
    pub fn years(&self) -> Vec<i16> {
        self.years
            .iter()
            .enumerate()
            .filter(|(_, s)| s.source == Source::Loaded)
            .map(|(i, _)| self.first_year + i as i16)
            .collect()
    }

    /// Is `year` answered from the law's statutory days because its notice is not loaded?
    pub fn is_provisional(&self, year: i16) -> bool {
        usize::try_from(i32::from(year) - i32::from(self.first_year))
            .ok()
            .and_then(|offset| self.years.get(offset))
            .is_some_and(|slot| slot.source == Source::Provisional)
    }

    /// The provisional years among the years of `a` to `b` (either order): an answer computed
    /// over that span depends on them and must say so.
    pub fn provisional_years(&self, a: Date, b: Date) -> Vec<i16> {
        let (from, to) = (a.min(b).year(), a.max(b).year());
        (from..=to).filter(|&y| self.is_provisional(y)).collect()
    }

    /// The years an administrator should be reminded to load on `today`: this year if it is
    /// still provisional, and next year from the reminder day (`(month, day)`, 1 October by
    /// default) until its notice is loaded.
    pub fn years_to_load(&self, today: Date, reminder: (i8, i8)) -> Vec<i16> {
        let from = Date::new(today.year(), reminder.0, reminder.1).unwrap_or(today);
        let through = if today >= from {
            today.year() + 1
        } else {
            today.year()
        };
        (today.year()..=through)
            .filter(|&y| self.is_provisional(y))
            .collect()
    }

    /// The provisional years up to `through`: what an administrator should load.
    pub fn provisional_through(&self, through: i16) -> Vec<i16> {
        (LAW_IN_FORCE_FROM..=through)
            .filter(|&y| self.is_provisional(y))
            .collect()
    }

    pub fn hours(&self) -> &OfficeHours {
        &self.hours
    }

    pub fn is_working_day(&self, d: Date) -> Result<bool, CalendarError> {
        let (i, _) = self.locate(d)?;
        Ok(self.working_at(i))
    }

    /// The date `n` working days after `from`, `from` itself not counted (行政许可法 第八十二条).
    /// `n = 0` returns `from`.
    pub fn add_working_days(&self, from: Date, n: u32) -> Result<Date, CalendarError> {
        let (i, slot) = self.locate(from)?;
        if n == 0 {
            return Ok(from);
        }
        let k = u64::from(self.prefix[i + 1]) + u64::from(n);
        Ok(self.dates[self.find_count(i, slot, k)?])
    }

    /// Working days in `(from, to]`: `from` excluded, `to` included; 0 when `to <= from`.
    /// So `working_days_between(from, add_working_days(from, n)) == n`.
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<i64, CalendarError> {
        let (i, slot) = self.locate(from)?;
        let (j, _) = self.locate(to)?;
        if j <= i {
            return Ok(0);
        }
        if j >= slot.run_end as usize {
            return Err(CalendarError::YearNotLoaded(slot.next_missing));
        }
        Ok(i64::from(self.prefix[j + 1] - self.prefix[i + 1]))
    }

    /// Natural-day limit: `from` + `n` days; if that day is not a working day, the next working
    /// day (民法典 第二百零三条). Only the years of the end date and after need a schedule.
    pub fn natural_deadline(&self, from: Date, n: u32) -> Result<Date, CalendarError> {
        let (i, _) = self.locate(from)?;
        let j = i as u64 + u64::from(n);
        let end = match self.dates.get(j as usize) {
            Some(&end) => end,
            None => {
                let last = self.first_year + self.years.len() as i16 - 1;
                let year = jiff::Span::new()
                    .try_days(i64::from(n))
                    .and_then(|span| from.checked_add(span))
                    .map_or(last.saturating_add(1), |d| d.year());
                return Err(CalendarError::YearNotLoaded(year));
            }
        };
        let (j, slot) = self.locate(end)?;
        if self.working_at(j) {
            Ok(end)
        } else {
            let k = u64::from(self.prefix[j + 1]) + 1;
            Ok(self.dates[self.find_count(j, slot, k)?])
        }
    }

    /// The first working day strictly after `d`.
    pub fn next_working_day(&self, d: Date) -> Result<Date, CalendarError> {
        self.add_working_days(d, 1)
    }

    /// Office minutes in `[a, b)` (0 unless `a < b`), counting only office periods of working
    /// days. Partial minutes are dropped.
    pub fn working_minutes_between(&self, a: DateTime, b: DateTime) -> Result<i64, CalendarError> {
        let (i, slot, wa) = self.office_position(a)?;
        let (j, _, wb) = self.office_position(b)?;
        if b <= a {
            return Ok(0);
        }
        if j >= slot.run_end as usize {
            debug_assert!(j > i);
            return Err(CalendarError::YearNotLoaded(slot.next_missing));
        }
        Ok(((wb - wa) / i128::from(MINUTE_NS)) as i64)
    }

    /// The instant at which `minutes` office minutes have elapsed after `start`; counting
    /// begins at the next opening if `start` is outside office hours. The result is the earliest
    /// such instant, so a count that ends with a period ends at its closing time (12:00), not at
    /// the next opening. `minutes <= 0` gives `start` moved to the next office instant (`start`
    /// itself inside office hours). Always `working_minutes_between(start, result) == minutes`.
    pub fn add_working_minutes(
        &self,
        start: DateTime,
        minutes: i64,
    ) -> Result<DateTime, CalendarError> {
        let (i, slot, position) = self.office_position(start)?;
        if minutes <= 0 {
            if self.working_at(i)
                && let Some(t) = self.hours.next_office_time(start.time())
            {
                return Ok(start.date().to_datetime(t));
            }
            let k = u64::from(self.prefix[i + 1]) + 1;
            let day = self.dates[self.find_count(i, slot, k)?];
            return Ok(day.to_datetime(self.hours.opening()));
        }
        let day_ns = i128::from(self.hours.day_ns());
        let target = position + i128::from(minutes) * i128::from(MINUTE_NS);
        // The target lies on the k-th working day of the table, `offset` into its office time.
        let (mut k, mut offset) = (target / day_ns, target % day_ns);
        if offset == 0 {
            offset = day_ns;
        } else {
            k += 1;
        }
        let k = u64::try_from(k).unwrap_or(u64::MAX);
        let day = self.dates[self.find_count(i, slot, k)?];
        Ok(day.to_datetime(self.hours.time_at(offset as i64)))
    }

    fn locate(&self, d: Date) -> Result<(usize, YearSlot), CalendarError> {
        let year = d.year();
        let slot = usize::try_from(i32::from(year) - i32::from(self.first_year))
            .ok()
            .and_then(|offset| self.years.get(offset))
            .filter(|slot| slot.source.usable())
            .ok_or(CalendarError::YearNotLoaded(year))?;
        Ok((slot.start as usize + d.day_of_year() as usize - 1, *slot))
    }

    fn working_at(&self, i: usize) -> bool {
        self.prefix[i + 1] != self.prefix[i]
    }

    /// Day index of the working day that brings the running count to `k`, searching from day
    /// `lo` to the end of `lo`'s run of usable years; requires `k > prefix[lo]`.
    fn find_count(&self, lo: usize, slot: YearSlot, k: u64) -> Result<usize, CalendarError> {
        let end = slot.run_end as usize;
        if k > u64::from(self.prefix[end]) {
            return Err(CalendarError::YearNotLoaded(slot.next_missing));
        }
        let p = lo + 1 + self.prefix[lo + 1..=end].partition_point(|&c| u64::from(c) < k);
        Ok(p - 1)
    }

    /// Office time (ns) from the start of the table to `at`, with `at`'s day index and slot.
    fn office_position(&self, at: DateTime) -> Result<(usize, YearSlot, i128), CalendarError> {
        let (i, slot) = self.locate(at.date())?;
        let mut position = i128::from(self.prefix[i]) * i128::from(self.hours.day_ns());
        if self.working_at(i) {
            position += i128::from(self.hours.ns_before(at.time()));
        }
        Ok((i, slot, position))
    }
}

#[cfg(test)]
mod tests;
