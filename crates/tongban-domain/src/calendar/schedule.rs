//! A year's holiday arrangement as the State Council General Office publishes it, read from its
//! TOML year file (`data/calendar/README.md`) field by field, so every problem names its field.

use crate::validation::FieldErrors;
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

/// Years a schedule may be for. A wider range only invites typos (`20026`, `226`).
pub const YEARS: std::ops::RangeInclusive<i16> = 2000..=2100;

/// Longest holiday accepted in a year file. The longest break so far is nine days (春节 2026);
/// the cap is there to catch a mistyped month (`to = "2026-12-23"` for `"2026-02-23"`), which
/// would otherwise silently turn ten months into holidays.
pub const MAX_HOLIDAY_DAYS: i32 = 31;

/// The schedules shipped with the release, so a fresh installation computes deadlines for the
/// current years without an import. Later years are imported by an administrator.
pub const BUNDLED: [(&str, &str); 2] = [
    ("2025", include_str!("../../../../data/calendar/2025.toml")),
    ("2026", include_str!("../../../../data/calendar/2026.toml")),
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
