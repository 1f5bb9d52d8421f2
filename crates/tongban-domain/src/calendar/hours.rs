//! Office hours: limits of a fraction of a working day are counted in office minutes.

use jiff::SignedDuration;
use jiff::civil::{Date, Time};
use std::fmt;

pub(super) const MINUTE_NS: i64 = 60_000_000_000;

/// The day of the year from which administrators are reminded to load next year's notice, as
/// `MM-DD` (the notice usually comes out in November or December).
pub fn parse_reminder_day(s: &str) -> Result<(i8, i8), String> {
    let bad = || format!("`{s}` is not a day of the year MM-DD");
    let (m, d) = s.trim().split_once('-').ok_or_else(bad)?;
    let (m, d): (i8, i8) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    // 2024 has every day of the year, 29 February included.
    Date::new(2024, m, d).map_err(|_| bad())?;
    Ok((m, d))
}

/// Office hours, by default 09:00–12:00 and 13:30–17:30, Asia/Shanghai wall-clock times.
///
/// Limits of a fraction of a working day ("0.5 个工作日") are counted in office minutes, so a
/// morning submission due in half a day is due the same afternoon, not at the next midnight.
/// Periods are half-open: 12:00 is already lunch, 17:30 is already closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficeHours {
    periods: Vec<(Time, Time)>,
}

impl OfficeHours {
    /// Periods must be non-empty, each start before its end, in order and not overlapping
    /// (one may end when the next starts).
    pub fn new(periods: Vec<(Time, Time)>) -> Result<OfficeHours, String> {
        if periods.is_empty() {
            return Err("office hours need at least one period".into());
        }
        for (i, &(start, end)) in periods.iter().enumerate() {
            if start >= end {
                return Err(format!(
                    "office period {start}-{end} must start before it ends"
                ));
            }
            if i > 0 && start < periods[i - 1].1 {
                return Err(format!(
                    "office period {start}-{end} must start after the previous period ends"
                ));
            }
        }
        Ok(OfficeHours { periods })
    }

    /// Parses `09:00-12:00,13:30-17:30` (the format `Display` writes).
    pub fn parse(s: &str) -> Result<OfficeHours, String> {
        let mut periods = Vec::new();
        for part in s.split(',') {
            let part = part.trim();
            let (start, end) = part
                .split_once('-')
                .ok_or_else(|| format!("office period `{part}` is not HH:MM-HH:MM"))?;
            periods.push((parse_hm(start.trim())?, parse_hm(end.trim())?));
        }
        OfficeHours::new(periods)
    }

    pub fn minutes_per_day(&self) -> i64 {
        self.day_ns() / MINUTE_NS
    }

    pub fn opening(&self) -> Time {
        self.periods[0].0
    }

    pub fn closing(&self) -> Time {
        self.periods[self.periods.len() - 1].1
    }

    pub fn periods(&self) -> &[(Time, Time)] {
        &self.periods
    }

    pub(super) fn day_ns(&self) -> i64 {
        self.periods.iter().map(|&(s, e)| ns_of(e) - ns_of(s)).sum()
    }

    /// Office time elapsed on a working day before `t`.
    pub(super) fn ns_before(&self, t: Time) -> i64 {
        let t = ns_of(t);
        self.periods
            .iter()
            .map(|&(s, e)| (t.min(ns_of(e)) - ns_of(s)).max(0))
            .sum()
    }

    /// The earliest instant of the day at which `offset` office time has elapsed;
    /// `0 < offset <= day_ns()`. At a period's end it gives the end, not the next opening.
    pub(super) fn time_at(&self, mut offset: i64) -> Time {
        for &(s, e) in &self.periods {
            let len = ns_of(e) - ns_of(s);
            if offset <= len {
                return s.wrapping_add(SignedDuration::from_nanos(offset));
            }
            offset -= len;
        }
        self.closing()
    }

    /// `t` if inside a period, else the next period's start that day.
    pub(super) fn next_office_time(&self, t: Time) -> Option<Time> {
        self.periods
            .iter()
            .find(|&&(_, e)| t < e)
            .map(|&(s, _)| t.max(s))
    }
}

impl Default for OfficeHours {
    fn default() -> Self {
        use jiff::civil::time;
        OfficeHours {
            periods: vec![
                (time(9, 0, 0, 0), time(12, 0, 0, 0)),
                (time(13, 30, 0, 0), time(17, 30, 0, 0)),
            ],
        }
    }
}

impl fmt::Display for OfficeHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hm = |f: &mut fmt::Formatter<'_>, t: Time| {
            write!(f, "{:02}:{:02}", t.hour(), t.minute())?;
            if t.second() != 0 || t.subsec_nanosecond() != 0 {
                write!(f, ":{:02}", t.second())?;
            }
            Ok(())
        };
        for (i, &(s, e)) in self.periods.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            hm(f, s)?;
            f.write_str("-")?;
            hm(f, e)?;
        }
        Ok(())
    }
}

fn parse_hm(s: &str) -> Result<Time, String> {
    let bad = || format!("`{s}` is not a time HH:MM");
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    let ok =
        |p: &str, lens: &[usize]| lens.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    if !ok(h, &[1, 2]) || !ok(m, &[2]) {
        return Err(bad());
    }
    let (h, m): (i8, i8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    Time::new(h, m, 0, 0).map_err(|_| bad())
}

pub(super) fn ns_of(t: Time) -> i64 {
    i64::from(t.hour()) * 3_600_000_000_000
        + i64::from(t.minute()) * MINUTE_NS
        + i64::from(t.second()) * 1_000_000_000
        + i64::from(t.subsec_nanosecond())
}
