//! The provisional year: the rest days the law itself fixes, for a year whose State Council
//! notice is not out (or not loaded) yet.
//!
//! 《全国年节及纪念日放假办法》 (as revised by State Council Order No. 795 of 2024, in force
//! 2025-01-01), 第二条: every citizen has 元旦 1 day (1 January), 春节 4 days (农历除夕 and
//! 正月初一 to 初三), 清明节 1 day (the day of the 清明 solar term), 劳动节 2 days (1–2 May),
//! 端午节 1 day (农历五月初五), 中秋节 1 day (农历八月十五), 国庆节 3 days (1–3 October).
//! 第六条: a statutory day that falls on a Saturday or Sunday is made up (补假) on a working
//! day; we take the first following weekday that is not itself a rest day, as the notices do.
//! Weekends are rest days and there are no make-up workdays (调休) until a notice declares them.
//!
//! The notice of a year usually moves days around these (longer breaks paid for with worked
//! weekends), so a provisional year is right about every statutory day but not about the
//! arrangement around it; every answer that used one says so, and loading the notice replaces it.
//!
//! Lunar dates and the 清明 term come from `tyme4rs` (6tail's Tyme, the Rust port of the
//! calendar library most Chinese software uses): its lunar months and solar terms are computed
//! from the 寿星天文历 ephemeris in Beijing time, the same model behind the published Chinese
//! calendar (GB/T 33661). ICU4X's Chinese calendar gives lunar dates but no solar terms, so it
//! would have needed a second source for 清明; one model for both keeps them consistent.

use super::{Holiday, YearSchedule};
use jiff::civil::{Date, Weekday};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::SolarTerm;

/// The first year the revised 办法 governs; earlier years had other statutory days (春节 3 days
/// without 除夕, 劳动节 1 day), so no provisional year is made before it.
pub const LAW_IN_FORCE_FROM: i16 = 2025;

/// The last year a provisional year is made for (the calendar's range of years).
pub const LAST_YEAR: i16 = *super::YEARS.end();

/// Title given to a provisional year where a notice's title would be.
pub const BASIS: &str = "《全国年节及纪念日放假办法》（2024年修订）法定节假日，暂定";

/// Suffix of the name of a day given off for a statutory day on a weekend.
const MAKE_UP: &str = "补假";

/// One statutory rest day and what it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatutoryDay {
    pub date: Date,
    /// 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节; `国庆节、中秋节` when two coincide.
    pub name: String,
    /// A weekday given off because a statutory day fell on a weekend (补假).
    pub make_up: bool,
}

/// The statutory days of `year` and the days given off for those on a weekend, in date order.
/// `None` before [`LAW_IN_FORCE_FROM`] or after [`LAST_YEAR`].
pub fn statutory_days(year: i16) -> Option<Vec<StatutoryDay>> {
    if !(LAW_IN_FORCE_FROM..=LAST_YEAR).contains(&year) {
        return None;
    }
    let mut days: BTreeMap<Date, String> = BTreeMap::new();
    let mut add = |date: Date, name: &str| {
        days.entry(date)
            .and_modify(|n| {
                n.push('、');
                n.push_str(name);
            })
            .or_insert_with(|| name.to_string());
    };
    let y = isize::from(year);
    let gregorian = |m: i8, d: i8| Date::new(year, m, d).expect("fixed dates exist every year");
    add(gregorian(1, 1), "元旦");
    let new_year = lunar(y, 1, 1);
    // 除夕 is the last day of the twelfth month, 29th or 30th: the day before 正月初一.
    add(new_year.yesterday().expect("in range"), "春节");
    for i in 0..3 {
        add(
            new_year
                .checked_add(jiff::Span::new().days(i))
                .expect("in range"),
            "春节",
        );
    }
    add(solar_term(y, "清明"), "清明节");
    add(gregorian(5, 1), "劳动节");
    add(gregorian(5, 2), "劳动节");
    add(lunar(y, 5, 5), "端午节");
    add(lunar(y, 8, 15), "中秋节");
    for d in 1..=3 {
        add(gregorian(10, d), "国庆节");
    }

    let weekend = |d: Date| matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
    let mut out: Vec<StatutoryDay> = days
        .iter()
        .map(|(&date, name)| StatutoryDay {
            date,
            name: name.clone(),
            make_up: false,
        })
        .collect();
    let mut taken: Vec<Date> = days.keys().copied().collect();
    for (&date, name) in &days {
        if !weekend(date) {
            continue;
        }
        let mut d = date;
        while weekend(d) || taken.contains(&d) {
            d = d.tomorrow().expect("in range");
        }
        taken.push(d);
        out.push(StatutoryDay {
            date: d,
            name: format!("{name}{MAKE_UP}"),
            make_up: true,
        });
    }
    out.sort_by_key(|s| s.date);
    Some(out)
}

/// The provisional schedule of `year`: its statutory days as breaks (consecutive days of one
/// festival, 补假 included, as one break), no make-up workdays. Cached: the ephemeris is
/// computed once per process and year.
pub fn provisional_schedule(year: i16) -> Option<&'static YearSchedule> {
    static ALL: OnceLock<Vec<YearSchedule>> = OnceLock::new();
    let all = ALL.get_or_init(|| (LAW_IN_FORCE_FROM..=LAST_YEAR).filter_map(build).collect());
    let offset = usize::try_from(i32::from(year) - i32::from(LAW_IN_FORCE_FROM)).ok()?;
    all.get(offset)
}

fn build(year: i16) -> Option<YearSchedule> {
    let mut holidays: Vec<Holiday> = Vec::new();
    for day in statutory_days(year)? {
        let festival = day.name.trim_end_matches(MAKE_UP).to_string();
        match holidays.last_mut() {
            Some(h) if h.name == festival && h.to.tomorrow().ok() == Some(day.date) => {
                h.to = day.date;
            }
            _ => holidays.push(Holiday {
                name: festival,
                from: day.date,
                to: day.date,
            }),
        }
    }
    Some(YearSchedule {
        year,
        notice: BASIS.to_string(),
        notice_number: String::new(),
        published: None,
        holidays,
        workdays: Vec::new(),
    })
}

fn lunar(year: isize, month: isize, day: usize) -> Date {
    let s = LunarDay::from_ymd(year, month, day).get_solar_day();
    civil(s.get_year(), s.get_month(), s.get_day())
}

fn solar_term(year: isize, name: &str) -> Date {
    let s = SolarTerm::from_name(year, name).get_solar_day();
    civil(s.get_year(), s.get_month(), s.get_day())
}

fn civil(y: isize, m: usize, d: usize) -> Date {
    Date::new(y as i16, m as i8, d as i8).expect("the ephemeris gives real dates")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Calendar, OfficeHours, bundled_schedules};
    use jiff::civil::date;

    fn days(year: i16) -> Vec<(Date, String)> {
        statutory_days(year)
            .unwrap()
            .into_iter()
            .map(|d| (d.date, d.name))
            .collect()
    }

    /// The law's own history: every day the rule gives for a year with a published notice is
    /// a rest day in that notice (the notices add days, they never take a statutory one away).
    #[test]
    fn every_statutory_day_is_a_holiday_in_the_official_schedules() {
        for official in bundled_schedules() {
            let rule = statutory_days(official.year).unwrap();
            assert_eq!(
                rule.iter().filter(|d| !d.make_up).count(),
                13,
                "{}",
                official.year
            );
            let cal = Calendar::new([official.clone()], OfficeHours::default());
            for day in rule {
                assert_eq!(
                    cal.is_working_day(day.date),
                    Ok(false),
                    "{} ({}) is not a rest day in the {} notice",
                    day.date,
                    day.name,
                    official.year
                );
                assert!(
                    official
                        .holidays
                        .iter()
                        .any(|h| h.from <= day.date && day.date <= h.to),
                    "{} ({}) is not inside a break of the {} notice",
                    day.date,
                    day.name,
                    official.year
                );
            }
        }
    }

    #[test]
    fn known_years() {
        // 2025: 除夕 28 Jan, 清明 4 Apr, 端午 31 May (Saturday: 补假 Monday 2 June), 中秋 6 Oct.
        let y2025 = days(2025);
        assert!(y2025.contains(&(date(2025, 1, 28), "春节".into())));
        assert!(y2025.contains(&(date(2025, 4, 4), "清明节".into())));
        assert!(y2025.contains(&(date(2025, 5, 31), "端午节".into())));
        assert!(y2025.contains(&(date(2025, 6, 2), "端午节补假".into())));
        assert!(y2025.contains(&(date(2025, 10, 6), "中秋节".into())));
        // 2027: 初一 6 Feb (Saturday), 初二 Sunday: 补假 Tuesday 9 and Wednesday 10 (Monday
        // 8 Feb is 初三 itself); 劳动节 Saturday and Sunday: 补假 3 and 4 May; 国庆 1–3 Oct
        // Friday to Sunday: 补假 4 and 5 Oct.
        let y2027: Vec<Date> = days(2027).into_iter().map(|(d, _)| d).collect();
        assert_eq!(
            y2027,
            vec![
                date(2027, 1, 1),
                date(2027, 2, 5),
                date(2027, 2, 6),
                date(2027, 2, 7),
                date(2027, 2, 8),
                date(2027, 2, 9),
                date(2027, 2, 10),
                date(2027, 4, 5),
                date(2027, 5, 1),
                date(2027, 5, 2),
                date(2027, 5, 3),
                date(2027, 5, 4),
                date(2027, 6, 9),
                date(2027, 9, 15),
                date(2027, 10, 1),
                date(2027, 10, 2),
                date(2027, 10, 3),
                date(2027, 10, 4),
                date(2027, 10, 5),
            ]
        );
    }

    #[test]
    fn provisional_schedules_are_valid_year_files() {
        assert!(provisional_schedule(2024).is_none());
        assert!(statutory_days(2024).is_none());
        for year in LAW_IN_FORCE_FROM..=LAST_YEAR {
            let s = provisional_schedule(year).unwrap();
            assert_eq!(s.year, year);
            s.validate().unwrap_or_else(|e| panic!("{year}: {e:?}"));
            assert!(s.workdays.is_empty());
            // 13 statutory days, fewer only when two festivals share a day; 补假 on top.
            let n = s.holiday_days();
            assert!((12..=13 + 8).contains(&n), "{year}: {n}");
        }
        let s = provisional_schedule(2027).unwrap();
        let names: Vec<&str> = s.holidays.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "元旦",
                "春节",
                "清明节",
                "劳动节",
                "端午节",
                "中秋节",
                "国庆节"
            ]
        );
        assert_eq!(
            (s.holidays[1].from, s.holidays[1].to),
            (date(2027, 2, 5), date(2027, 2, 10))
        );
    }
}
