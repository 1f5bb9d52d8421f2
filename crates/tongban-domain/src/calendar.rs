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

use crate::validation::FieldErrors;
use jiff::SignedDuration;
use jiff::civil::{Date, DateTime, Time, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

mod recount;
mod statutory;
pub use recount::{Binds, Moved, recount, recount_moved};
pub use statutory::{
    BASIS as PROVISIONAL_BASIS, LAW_IN_FORCE_FROM, StatutoryDay, provisional_schedule,
    statutory_days,
};

/// Years a schedule may be for. A wider range only invites typos (`20026`, `226`).
pub const YEARS: std::ops::RangeInclusive<i16> = 2000..=2100;

/// Longest holiday accepted in a year file. The longest break so far is nine days (春节 2026);
/// the cap is there to catch a mistyped month (`to = "2026-12-23"` for `"2026-02-23"`), which
/// would otherwise silently turn ten months into holidays.
pub const MAX_HOLIDAY_DAYS: i32 = 31;

/// The schedules shipped with the release, so a fresh installation computes deadlines for the
/// current years without an import. Later years are imported by an administrator.
pub const BUNDLED: [(&str, &str); 2] = [
    ("2025", include_str!("../../../data/calendar/2025.toml")),
    ("2026", include_str!("../../../data/calendar/2026.toml")),
];

/// The bundled schedules, parsed. Panics only if a bundled file is invalid, which the unit
/// tests rule out before any release.
pub fn bundled_schedules() -> Vec<YearSchedule> {
    BUNDLED
        .iter()
        .map(|(year, text)| {
            YearSchedule::from_toml(text)
                .unwrap_or_else(|e| panic!("bundled calendar {year} is invalid: {:?}", e.0))
        })
        .collect()
}

/// One year's holiday arrangement as published by the State Council General Office.
///
/// Field names follow the TOML year file (`[[holiday]]`, `[[workday]]`), so the same names are
/// used in JSON bodies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearSchedule {
    pub year: i16,
    /// Title of the notice, e.g. 国务院办公厅关于2026年部分节假日安排的通知.
    pub notice: String,
    /// Document number (文号), e.g. 国办发明电〔2024〕12号; empty when not known.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notice_number: String,
    /// Publication date of the notice, when known.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "opt_date_str"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub published: Option<Date>,
    #[serde(rename = "holiday", default)]
    pub holidays: Vec<Holiday>,
    #[serde(rename = "workday", default)]
    pub workdays: Vec<MakeUpDay>,
}

/// A break (放假), both ends included. It includes the weekend days inside the break: the notice
/// states the break as one range, and a weekend day in it is a rest day either way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Holiday {
    pub name: String,
    #[serde(with = "date_str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    #[serde(with = "date_str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: Date,
}

/// A make-up workday (调休上班): a Saturday or Sunday that is a working day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MakeUpDay {
    #[serde(with = "date_str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
    /// Name of the holiday this day is worked for; must name a holiday of the same file.
    #[serde(rename = "for")]
    pub for_holiday: String,
}

const TOP_KEYS: [&str; 6] = [
    "year",
    "notice",
    "notice_number",
    "published",
    "holiday",
    "workday",
];

impl YearSchedule {
    /// Parses and validates a year file (format in `data/calendar/README.md`).
    ///
    /// The file is read field by field rather than through serde so that every problem is
    /// reported against the field that has it (`holiday[2].to`, code `invalid_date`), which an
    /// administrator can act on; serde would stop at the first problem with a sentence.
    /// Unknown keys are errors too (code `unknown`): a misspelt `holidays` would otherwise load
    /// a year without holidays. Dates may be quoted `"YYYY-MM-DD"` strings or TOML dates.
    pub fn from_toml(text: &str) -> Result<YearSchedule, FieldErrors> {
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let mut errors = FieldErrors::new();
            errors.push_detail("toml", "syntax", e.to_string().trim_end());
            errors
        })?;
        let mut errors = FieldErrors::new();
        for key in table.keys() {
            if !TOP_KEYS.contains(&key.as_str()) {
                errors.push(key.as_str(), "unknown");
            }
        }
        let year = match table.get("year") {
            None => {
                errors.push("year", "required");
                0
            }
            Some(toml::Value::Integer(y)) => i16::try_from(*y).unwrap_or_else(|_| {
                errors.push_detail("year", "out_of_range", years_detail());
                0
            }),
            Some(_) => {
                errors.push("year", "invalid");
                0
            }
        };
        let notice = read_string(&mut errors, &table, "notice", "notice");
        let notice_number = read_string(&mut errors, &table, "notice_number", "notice_number");
        let published = match table.get("published") {
            None => None,
            value => read_date(&mut errors, "published", value),
        };
        let holidays = read_array(&mut errors, &table, "holiday", |errors, item, path| {
            check_keys(errors, item, path, &["name", "from", "to"]);
            let name = read_string(errors, item, "name", &format!("{path}.name"));
            let from = read_date(errors, &format!("{path}.from"), item.get("from"));
            let to = read_date(errors, &format!("{path}.to"), item.get("to"));
            Some(Holiday {
                name,
                from: from?,
                to: to?,
            })
        });
        let workdays = read_array(&mut errors, &table, "workday", |errors, item, path| {
            check_keys(errors, item, path, &["date", "for"]);
            let date = read_date(errors, &format!("{path}.date"), item.get("date"));
            let for_holiday = read_string(errors, item, "for", &format!("{path}.for"));
            Some(MakeUpDay {
                date: date?,
                for_holiday,
            })
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        let schedule = YearSchedule {
            year,
            notice,
            notice_number,
            published,
            holidays,
            workdays,
        };
        schedule.validate()?;
        Ok(schedule)
    }

    /// The year file for this schedule; `from_toml` reads it back to an equal value.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a YearSchedule has only strings, integers and tables")
    }

    /// Checks the schedule as a whole.
    ///
    /// Holiday and make-up dates must lie in `year`, except that they may fall in the last week
    /// of the previous December: when New Year's Day is a Sunday, Monday or Tuesday the 元旦
    /// break starts in December and is announced in the new year's notice (the 2019 notice put
    /// 2018-12-29 as a make-up day and 2018-12-30/31 as holidays).
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if !YEARS.contains(&self.year) {
            errors.push_detail("year", "out_of_range", years_detail());
        }
        errors.text("notice", &self.notice, 200);
        errors.optional_text("notice_number", &self.notice_number, 100);
        if self.holidays.is_empty() {
            errors.push("holiday", "required");
        }
        let year = self.year;
        let year_detail = year.to_string();
        for (i, h) in self.holidays.iter().enumerate() {
            errors.text(&format!("holiday[{i}].name"), &h.name, 50);
            let from_ok = in_schedule_year(h.from, year);
            let to_ok = in_schedule_year(h.to, year);
            if !from_ok {
                errors.push_detail(format!("holiday[{i}].from"), "wrong_year", &year_detail);
            }
            if !to_ok {
                errors.push_detail(format!("holiday[{i}].to"), "wrong_year", &year_detail);
            }
            if h.to < h.from {
                errors.push(format!("holiday[{i}].to"), "before_from");
            } else if from_ok && to_ok && span_days(h.from, h.to) > MAX_HOLIDAY_DAYS {
                errors.push_detail(
                    format!("holiday[{i}].to"),
                    "too_long",
                    MAX_HOLIDAY_DAYS.to_string(),
                );
            }
        }
        let mut ranges: Vec<(Date, Date)> = self
            .holidays
            .iter()
            .filter(|h| h.from <= h.to)
            .filter(|h| in_schedule_year(h.from, year) && in_schedule_year(h.to, year))
            .map(|h| (h.from, h.to))
            .collect();
        ranges.sort();
        let mut reach: Option<Date> = None;
        for (from, to) in ranges {
            if let Some(end) = reach
                && from <= end
            {
                // The detail is the first day both breaks claim.
                errors.push_detail("holiday", "overlap", from.to_string());
            }
            reach = Some(reach.map_or(to, |end| end.max(to)));
        }
        for (i, w) in self.workdays.iter().enumerate() {
            let field = format!("workday[{i}].date");
            if !in_schedule_year(w.date, year) {
                errors.push_detail(field.as_str(), "wrong_year", &year_detail);
            }
            if !matches!(w.date.weekday(), Weekday::Saturday | Weekday::Sunday) {
                errors.push_detail(field.as_str(), "not_weekend", w.date.to_string());
            }
            if self
                .holidays
                .iter()
                .any(|h| h.from <= w.date && w.date <= h.to)
            {
                errors.push_detail(field.as_str(), "is_holiday", w.date.to_string());
            }
            if self.workdays[..i].iter().any(|o| o.date == w.date) {
                errors.push(field.as_str(), "duplicate");
            }
            let for_field = format!("workday[{i}].for");
            errors.text(&for_field, &w.for_holiday, 50);
            if !w.for_holiday.trim().is_empty()
                && !self.holidays.iter().any(|h| h.name == w.for_holiday)
            {
                errors.push_detail(for_field, "unknown_holiday", w.for_holiday.as_str());
            }
        }
        errors.into_result(())
    }

    /// Number of distinct holiday dates (a date covered by two breaks counts once).
    pub fn holiday_days(&self) -> usize {
        let mut ranges: Vec<(Date, Date)> = self
            .holidays
            .iter()
            .filter(|h| h.from <= h.to)
            .map(|h| (h.from, h.to))
            .collect();
        ranges.sort();
        let mut total = 0usize;
        let mut current: Option<(Date, Date)> = None;
        for (from, to) in ranges {
            current = match current {
                Some((start, end)) if from <= end => Some((start, end.max(to))),
                Some((start, end)) => {
                    total += span_days(start, end) as usize;
                    Some((from, to))
                }
                None => Some((from, to)),
            };
        }
        if let Some((start, end)) = current {
            total += span_days(start, end) as usize;
        }
        total
    }
}

fn years_detail() -> String {
    format!("{}..={}", YEARS.start(), YEARS.end())
}

/// `year` itself, or the last week of the previous December (see `validate`).
fn in_schedule_year(d: Date, year: i16) -> bool {
    d.year() == year
        || (i32::from(d.year()) == i32::from(year) - 1 && d.month() == 12 && d.day() >= 25)
}

/// Days in `from..=to`; `from <= to`.
fn span_days(from: Date, to: Date) -> i32 {
    from.until(to)
        .map_or(i32::MAX, |s| s.get_days().saturating_add(1))
}

/// Strict `YYYY-MM-DD`; jiff's own parser would also take a date-time and drop the time.
fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits(0..4)
        || !digits(5..7)
        || !digits(8..10)
    {
        return None;
    }
    let year = s[0..4].parse().ok()?;
    let month = s[5..7].parse().ok()?;
    let day = s[8..10].parse().ok()?;
    Date::new(year, month, day).ok()
}

fn check_keys(errors: &mut FieldErrors, table: &toml::Table, path: &str, known: &[&str]) {
    for key in table.keys() {
        if !known.contains(&key.as_str()) {
            errors.push(format!("{path}.{key}"), "unknown");
        }
    }
}

/// A string value, `""` when absent (the validation then says `required` where it is).
fn read_string(errors: &mut FieldErrors, table: &toml::Table, key: &str, field: &str) -> String {
    match table.get(key) {
        None => String::new(),
        Some(toml::Value::String(s)) => s.clone(),
        Some(_) => {
            errors.push(field, "invalid");
            String::new()
        }
    }
}

fn read_date(errors: &mut FieldErrors, field: &str, value: Option<&toml::Value>) -> Option<Date> {
    let parsed = match value {
        None => {
            errors.push(field, "required");
            return None;
        }
        Some(toml::Value::String(s)) => parse_date(s).ok_or_else(|| s.clone()),
        Some(toml::Value::Datetime(dt)) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => i16::try_from(d.year)
                .ok()
                .and_then(|y| Date::new(y, d.month as i8, d.day as i8).ok())
                .ok_or_else(|| dt.to_string()),
            _ => Err(dt.to_string()),
        },
        Some(other) => Err(other.to_string()),
    };
    parsed
        .map_err(|detail| errors.push_detail(field, "invalid_date", detail))
        .ok()
}

/// Reads an array of tables (`[[key]]`); an item that does not read cleanly is left out, its
/// errors recorded.
fn read_array<T>(
    errors: &mut FieldErrors,
    table: &toml::Table,
    key: &str,
    mut read: impl FnMut(&mut FieldErrors, &toml::Table, &str) -> Option<T>,
) -> Vec<T> {
    let items = match table.get(key) {
        None => return Vec::new(),
        Some(toml::Value::Array(items)) => items,
        Some(_) => {
            errors.push(key, "invalid");
            return Vec::new();
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("{key}[{i}]");
        match item {
            toml::Value::Table(t) => out.extend(read(errors, t, &path)),
            _ => errors.push(path, "invalid"),
        }
    }
    out
}

/// Dates as `"YYYY-MM-DD"` strings in every format (TOML, JSON), independent of jiff's own
/// serde support.
mod date_str {
    use jiff::civil::Date;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(d)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_date(&s).ok_or_else(|| D::Error::custom(format!("invalid date `{s}`")))
    }
}

mod opt_date_str {
    use jiff::civil::Date;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.collect_str(d),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => super::parse_date(&s)
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("invalid date `{s}`"))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("no working-day schedule is loaded for {0}")]
    YearNotLoaded(i16),
}

const MINUTE_NS: i64 = 60_000_000_000;

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

    fn day_ns(&self) -> i64 {
        self.periods.iter().map(|&(s, e)| ns_of(e) - ns_of(s)).sum()
    }

    /// Office time elapsed on a working day before `t`.
    fn ns_before(&self, t: Time) -> i64 {
        let t = ns_of(t);
        self.periods
            .iter()
            .map(|&(s, e)| (t.min(ns_of(e)) - ns_of(s)).max(0))
            .sum()
    }

    /// The earliest instant of the day at which `offset` office time has elapsed;
    /// `0 < offset <= day_ns()`. At a period's end it gives the end, not the next opening.
    fn time_at(&self, mut offset: i64) -> Time {
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
    fn next_office_time(&self, t: Time) -> Option<Time> {
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

fn ns_of(t: Time) -> i64 {
    i64::from(t.hour()) * 3_600_000_000_000
        + i64::from(t.minute()) * MINUTE_NS
        + i64::from(t.second()) * 1_000_000_000
        + i64::from(t.subsec_nanosecond())
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
