use super::*;
use crate::validation::FieldErrors;
use jiff::SignedDuration;
use jiff::civil::Time;
use jiff::civil::{date, datetime};
use proptest::prelude::*;
use std::collections::HashSet;

fn cal() -> Calendar {
    Calendar::new(bundled_schedules(), OfficeHours::default())
}

fn codes(e: &FieldErrors) -> Vec<(&str, &str)> {
    e.0.iter().map(|e| (e.field.as_str(), e.code)).collect()
}

fn errors_of(text: &str) -> Vec<(String, &'static str)> {
    let e = YearSchedule::from_toml(text).expect_err("should be invalid");
    e.0.into_iter().map(|e| (e.field, e.code)).collect()
}

fn err(field: &str, code: &'static str) -> (String, &'static str) {
    (field.to_string(), code)
}

fn not_loaded<T>(year: i16) -> Result<T, CalendarError> {
    Err(CalendarError::YearNotLoaded(year))
}

const HEAD: &str = "year = 2026\nnotice = \"通知\"\n";

#[test]
fn bundled_files_parse_and_validate() {
    let schedules = bundled_schedules();
    assert_eq!(schedules.len(), 2);
    assert_eq!(schedules[0].year, 2025);
    assert_eq!(schedules[0].notice_number, "国办发明电〔2024〕12号");
    assert_eq!(schedules[0].published, Some(date(2024, 11, 12)));
    assert_eq!(schedules[0].holiday_days(), 1 + 8 + 3 + 5 + 3 + 8);
    assert_eq!(schedules[0].workdays.len(), 5);
    assert_eq!(schedules[1].year, 2026);
    assert_eq!(schedules[1].notice_number, "");
    assert_eq!(schedules[1].published, Some(date(2025, 11, 4)));
    assert_eq!(schedules[1].holiday_days(), 3 + 9 + 3 + 5 + 3 + 3 + 7);
    assert_eq!(schedules[1].workdays.len(), 6);
    for (year, _) in BUNDLED {
        assert!(schedules.iter().any(|s| s.year.to_string() == year));
    }
    assert_eq!(cal().years(), vec![2025, 2026]);
}

#[test]
fn to_toml_round_trips() {
    for s in bundled_schedules() {
        let text = s.to_toml();
        assert!(
            text.contains("[[holiday]]") && text.contains("[[workday]]"),
            "{text}"
        );
        assert_eq!(YearSchedule::from_toml(&text).unwrap(), s);
    }
    let mut bare = bundled_schedules().remove(1);
    bare.published = None;
    let text = bare.to_toml();
    assert!(!text.contains("published") && !text.contains("notice_number"));
    assert_eq!(YearSchedule::from_toml(&text).unwrap(), bare);
}

#[test]
fn json_uses_the_file_field_names() {
    let s = bundled_schedules().remove(1);
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["holiday"][0]["from"], "2026-01-01");
    assert_eq!(json["workday"][0]["for"], "元旦");
    assert_eq!(json["published"], "2025-11-04");
    let back: YearSchedule = serde_json::from_value(json).unwrap();
    assert_eq!(back, s);
}

#[test]
fn toml_dates_and_december_spill_are_accepted() {
    // The 2019 notice: 元旦 2018-12-30..2019-01-01, make-up Saturday 2018-12-29.
    let text = "year = 2019\nnotice = \"国务院办公厅关于2019年部分节假日安排的通知\"\n\
                [[holiday]]\nname = \"元旦\"\nfrom = 2018-12-30\nto = \"2019-01-01\"\n\
                [[workday]]\ndate = \"2018-12-29\"\nfor = \"元旦\"\n";
    let s = YearSchedule::from_toml(text).unwrap();
    assert_eq!(s.holidays[0].from, date(2018, 12, 30));
    assert_eq!(s.holiday_days(), 3);
    let c = Calendar::new([s], OfficeHours::default());
    assert_eq!(c.is_working_day(date(2019, 1, 1)), Ok(false));
    assert_eq!(c.is_working_day(date(2019, 1, 2)), Ok(true));
    // 2018 is not loaded even though the 2019 file mentions it.
    assert_eq!(
        c.is_working_day(date(2018, 12, 31)),
        Err(CalendarError::YearNotLoaded(2018))
    );
}

#[test]
fn syntax_errors_carry_the_toml_message() {
    let e = YearSchedule::from_toml("year = = 2026").unwrap_err();
    assert_eq!(codes(&e), vec![("toml", "syntax")]);
    assert!(e.0[0].detail.as_deref().unwrap().contains("line 1"));
}

#[test]
fn field_errors_are_named_precisely() {
    let holiday = |name: &str, from: &str, to: &str| {
        format!("[[holiday]]\nname = \"{name}\"\nfrom = \"{from}\"\nto = \"{to}\"\n")
    };
    let workday = |d: &str, f: &str| format!("[[workday]]\ndate = \"{d}\"\nfor = \"{f}\"\n");

    let text = format!(
        "{HEAD}{}{}{}",
        holiday("元旦", "2026-01-01", "2026-01-03"),
        holiday("春节", "2026-02-23", "2026-02-15"),
        holiday("清明节", "2025-04-04", "2026-04-06"),
    );
    assert_eq!(
        errors_of(&text),
        vec![
            err("holiday[1].to", "before_from"),
            err("holiday[2].from", "wrong_year")
        ]
    );

    let text = format!(
        "{HEAD}{}{}{}{}{}",
        holiday("元旦", "2026-01-01", "2026-01-03"),
        workday("2026-01-05", "元旦"),
        workday("2026-01-03", "元旦"),
        workday("2026-01-04", "元宵"),
        workday("2026-01-04", "元旦"),
    );
    assert_eq!(
        errors_of(&text),
        vec![
            err("workday[0].date", "not_weekend"),
            err("workday[1].date", "is_holiday"),
            err("workday[2].for", "unknown_holiday"),
            err("workday[3].date", "duplicate"),
        ]
    );

    let text = format!(
        "{HEAD}{}{}",
        holiday("春节", "2026-02-15", "2026-02-23"),
        holiday("元宵", "2026-02-20", "2026-02-21"),
    );
    let e = YearSchedule::from_toml(&text).unwrap_err();
    assert_eq!(codes(&e), vec![("holiday", "overlap")]);
    assert_eq!(e.0[0].detail.as_deref(), Some("2026-02-20"));

    let text = format!("{HEAD}{}", holiday("春节", "2026-02-15", "2026-12-23"));
    assert_eq!(errors_of(&text), vec![err("holiday[0].to", "too_long")]);

    let text = format!(
        "year = 1999\nnotice = \" \"\n{}",
        holiday("元旦", "1999-01-01", "1999-01-01")
    );
    assert_eq!(
        errors_of(&text),
        vec![err("year", "out_of_range"), err("notice", "required")]
    );
    assert_eq!(errors_of("notice = \"x\"\n"), vec![err("year", "required")]);
    assert_eq!(errors_of(HEAD), vec![err("holiday", "required")]);
    assert_eq!(
        errors_of("year = 70000\nnotice = \"x\"\n"),
        vec![err("year", "out_of_range")]
    );
}

#[test]
fn structural_errors_are_named_precisely() {
    let text = format!(
        "{HEAD}holidays = []\n[[holiday]]\nname = \"元旦\"\nfrom = \"2026-1-1\"\nuntil = \"2026-01-03\"\n\
         [[workday]]\ndate = 2026-01-04T09:00:00\nfor = 1\n"
    );
    let e = YearSchedule::from_toml(&text).unwrap_err();
    assert_eq!(
        codes(&e),
        vec![
            ("holidays", "unknown"),
            ("holiday[0].until", "unknown"),
            ("holiday[0].from", "invalid_date"),
            ("holiday[0].to", "required"),
            ("workday[0].date", "invalid_date"),
            ("workday[0].for", "invalid"),
        ]
    );
    assert_eq!(e.0[2].detail.as_deref(), Some("2026-1-1"));
    assert_eq!(
        errors_of("year = 2026\nnotice = \"x\"\nholiday = 3\npublished = \"2025-02-30\"\n"),
        vec![err("published", "invalid_date"), err("holiday", "invalid")]
    );
}

#[test]
fn working_days_follow_the_notice() {
    let c = cal();
    let w = |y, m, d| c.is_working_day(date(y, m, d)).unwrap();
    assert!(w(2026, 1, 4), "make-up Sunday");
    assert!(!w(2026, 1, 3));
    assert!(w(2026, 2, 14) && w(2026, 2, 28), "make-up Saturdays");
    assert!(!w(2026, 2, 16) && !w(2026, 2, 23));
    assert!(!w(2026, 3, 7) && w(2026, 3, 9));
    assert!(w(2025, 1, 26) && !w(2025, 1, 28) && !w(2025, 10, 8) && w(2025, 10, 11));
    assert!(w(2025, 12, 31) && !w(2026, 1, 1));
}

#[test]
fn add_working_days_known_dates() {
    let c = cal();
    let add = |y, m, d, n| c.add_working_days(date(y, m, d), n).unwrap();
    assert_eq!(add(2026, 9, 30, 0), date(2026, 9, 30));
    assert_eq!(add(2026, 9, 30, 1), date(2026, 10, 8));
    assert_eq!(add(2026, 9, 30, 2), date(2026, 10, 9));
    assert_eq!(
        add(2026, 9, 30, 3),
        date(2026, 10, 10),
        "make-up Saturday counts"
    );
    assert_eq!(add(2026, 9, 30, 4), date(2026, 10, 12));
    // 春节 2026: Friday 13th, make-up 14th, break 15th–23rd, make-up 28th.
    assert_eq!(add(2026, 2, 13, 1), date(2026, 2, 14));
    assert_eq!(add(2026, 2, 13, 2), date(2026, 2, 24));
    assert_eq!(add(2026, 2, 13, 5), date(2026, 2, 27));
    assert_eq!(add(2026, 2, 13, 6), date(2026, 2, 28));
    assert_eq!(add(2026, 2, 13, 7), date(2026, 3, 2));
    // Starting on a holiday: the next working day is day 1.
    assert_eq!(add(2026, 2, 16, 1), date(2026, 2, 24));
    // Across the year boundary onto a make-up Sunday.
    assert_eq!(add(2025, 12, 31, 1), date(2026, 1, 4));
    assert_eq!(add(2025, 12, 31, 2), date(2026, 1, 5));
    assert_eq!(add(2026, 12, 30, 1), date(2026, 12, 31));
    // From Friday 2025-09-26: 28th (make-up Sunday), 29th, 30th, Oct 9, 10, 11 (make-up Sat).
    assert_eq!(add(2025, 9, 26, 6), date(2025, 10, 11));
    assert_eq!(add(2025, 9, 26, 20), date(2025, 10, 30));
}

#[test]
fn between_known_dates() {
    let c = cal();
    let between = |a: Date, b: Date| c.working_days_between(a, b).unwrap();
    assert_eq!(between(date(2025, 12, 31), date(2026, 1, 5)), 2);
    assert_eq!(between(date(2026, 1, 5), date(2025, 12, 31)), 0);
    assert_eq!(between(date(2026, 1, 5), date(2026, 1, 5)), 0);
    assert_eq!(between(date(2026, 9, 30), date(2026, 10, 10)), 3);
    // 261 weekdays − 18 weekday holidays + 5 make-up days (1 January is a holiday anyway).
    assert_eq!(between(date(2025, 1, 1), date(2025, 12, 31)), 248);
    // 261 weekdays − 19 weekday holidays + 6 make-up days.
    assert_eq!(between(date(2025, 12, 31), date(2026, 12, 31)), 248);
}

#[test]
fn natural_deadlines_move_off_rest_days() {
    let c = cal();
    let nat = |y, m, d, n| c.natural_deadline(date(y, m, d), n).unwrap();
    assert_eq!(nat(2026, 9, 21, 10), date(2026, 10, 8), "lands on 国庆");
    assert_eq!(
        nat(2026, 9, 10, 10),
        date(2026, 9, 20),
        "make-up Sunday is a working day"
    );
    assert_eq!(nat(2026, 3, 1, 5), date(2026, 3, 6));
    assert_eq!(
        nat(2026, 3, 2, 5),
        date(2026, 3, 9),
        "Saturday moves to Monday"
    );
    assert_eq!(
        nat(2025, 12, 1, 31),
        date(2026, 1, 4),
        "元旦 then make-up Sunday"
    );
    assert_eq!(nat(2026, 12, 31, 0), date(2026, 12, 31));
    assert_eq!(c.next_working_day(date(2025, 9, 30)), Ok(date(2025, 10, 9)));
    assert_eq!(
        c.next_working_day(date(2025, 10, 10)),
        Ok(date(2025, 10, 11))
    );
}

#[test]
fn unloaded_years_after_the_law_are_provisional() {
    let c = cal();
    assert!(!c.is_provisional(2026) && c.is_provisional(2027) && c.is_provisional(2100));
    assert!(!c.is_provisional(2024) && !c.is_provisional(2101));
    assert_eq!(
        c.provisional_years(date(2026, 12, 7), date(2026, 12, 31)),
        Vec::<i16>::new()
    );
    assert_eq!(
        c.provisional_years(date(2027, 3, 1), date(2026, 12, 7)),
        vec![2027]
    );
    assert_eq!(
        c.provisional_years(date(2026, 12, 7), date(2028, 1, 4)),
        vec![2027, 2028]
    );
    assert_eq!(c.provisional_through(2027), vec![2027]);
    assert_eq!(c.provisional_through(2026), Vec::<i16>::new());
    // 2027 from the law: 元旦 Friday 1 January; 春节 5–8 February with 补假 9 and 10.
    assert_eq!(
        c.add_working_days(date(2026, 12, 31), 1),
        Ok(date(2027, 1, 4))
    );
    assert_eq!(
        c.add_working_days(date(2026, 12, 25), 10),
        Ok(date(2027, 1, 11))
    );
    assert_eq!(
        c.add_working_days(date(2027, 2, 4), 1),
        Ok(date(2027, 2, 11))
    );
    assert_eq!(c.is_working_day(date(2027, 2, 9)), Ok(false));
    // No make-up workdays in a provisional year: Saturdays rest.
    assert_eq!(c.is_working_day(date(2027, 2, 20)), Ok(false));
    assert_eq!(
        c.working_days_between(date(2027, 1, 1), date(2026, 1, 2)),
        Ok(0)
    );
    assert_eq!(
        c.natural_deadline(date(2026, 12, 20), 12),
        Ok(date(2027, 1, 4))
    );
    // Before the revised law, and past the last year made, a year without a notice is an error.
    assert_eq!(c.add_working_days(date(2024, 12, 31), 0), not_loaded(2024));
    assert_eq!(c.is_working_day(date(2024, 12, 31)), not_loaded(2024));
    assert_eq!(
        c.working_days_between(date(2024, 12, 31), date(2025, 1, 2)),
        not_loaded(2024)
    );
    assert_eq!(c.next_working_day(date(2100, 12, 31)), not_loaded(2101));
    assert_eq!(
        c.natural_deadline(date(2026, 12, 20), u32::MAX),
        not_loaded(2101)
    );
    // With nothing loaded every year from the law's first is provisional.
    let none = Calendar::new([], OfficeHours::default());
    assert!(none.years().is_empty());
    assert_eq!(none.provisional_through(2026), vec![2025, 2026]);
    assert_eq!(none.is_working_day(date(2026, 1, 5)), Ok(true));
    assert_eq!(none.is_working_day(date(2026, 2, 16)), Ok(false), "除夕");
    assert_eq!(
        CalendarError::YearNotLoaded(2024).to_string(),
        "no working-day schedule is loaded for 2024"
    );
}

#[test]
fn a_gap_before_the_law_stops_counting_but_not_natural_days() {
    let y2023 = YearSchedule::from_toml(
        "year = 2023\nnotice = \"test\"\n[[holiday]]\nname = \"元旦\"\nfrom = \"2023-01-01\"\nto = \"2023-01-02\"\n",
    )
    .unwrap();
    let mut schedules = bundled_schedules();
    schedules.push(y2023);
    let c = Calendar::new(schedules, OfficeHours::default());
    assert_eq!(c.years(), vec![2023, 2025, 2026]);
    assert_eq!(
        c.working_days_between(date(2023, 12, 1), date(2025, 1, 5)),
        not_loaded(2024)
    );
    assert_eq!(c.add_working_days(date(2023, 12, 29), 1), not_loaded(2024));
    assert_eq!(c.is_working_day(date(2024, 6, 3)), not_loaded(2024));
    // 2023-12-01 + 397 days = 2025-01-01 (元旦) → Thursday 2025-01-02.
    assert_eq!(
        c.natural_deadline(date(2023, 12, 1), 397),
        Ok(date(2025, 1, 2))
    );
    assert_eq!(
        c.add_working_days(date(2023, 1, 1), 1),
        Ok(date(2023, 1, 3))
    );
}

#[test]
fn a_loaded_year_replaces_the_provisional_one() {
    let mut c = cal();
    assert_eq!(
        c.add_working_days(date(2026, 12, 31), 1),
        Ok(date(2027, 1, 4))
    );
    // A notice for 2027 that works Saturday 2 January: the next day after 31 December moves.
    let y2027 = YearSchedule::from_toml(
        "year = 2027\nnotice = \"test\"\n[[holiday]]\nname = \"元旦\"\nfrom = \"2027-01-01\"\nto = \"2027-01-01\"\n\
         [[workday]]\ndate = \"2027-01-02\"\nfor = \"元旦\"\n",
    )
    .unwrap();
    let mut schedules = bundled_schedules();
    schedules.push(y2027);
    c = Calendar::new(schedules, OfficeHours::default());
    assert!(!c.is_provisional(2027) && c.is_provisional(2028));
    assert_eq!(c.years(), vec![2025, 2026, 2027]);
    assert_eq!(
        c.add_working_days(date(2026, 12, 31), 1),
        Ok(date(2027, 1, 2))
    );
    // The loaded notice is all there is: 春节 2027 is not a holiday in this test file.
    assert_eq!(c.is_working_day(date(2027, 2, 9)), Ok(true));
}

#[test]
fn office_hours() {
    let h = OfficeHours::default();
    assert_eq!(h.minutes_per_day(), 420);
    assert_eq!(h.opening(), Time::constant(9, 0, 0, 0));
    assert_eq!(h.closing(), Time::constant(17, 30, 0, 0));
    assert_eq!(h.to_string(), "09:00-12:00,13:30-17:30");
    assert_eq!(OfficeHours::parse("09:00-12:00,13:30-17:30"), Ok(h.clone()));
    assert_eq!(OfficeHours::parse(" 9:00 - 12:00 , 13:30-17:30 "), Ok(h));
    let one = OfficeHours::parse("08:30-17:00").unwrap();
    assert_eq!(one.minutes_per_day(), 510);
    for bad in [
        "",
        "09:00",
        "09:00-12:00,11:00-17:00",
        "13:30-17:30,09:00-12:00",
        "12:00-09:00",
        "09:00-09:00",
        "9-12",
        "25:00-26:00",
        "09:60-10:00",
        "09:00-12:00,",
    ] {
        assert!(OfficeHours::parse(bad).is_err(), "{bad:?}");
    }
    assert!(OfficeHours::new(vec![]).is_err());
}

#[test]
fn working_minutes_known_instants() {
    let c = cal();
    let add = |at: DateTime, m| c.add_working_minutes(at, m).unwrap();
    let thu = |h, m| datetime(2026, 11, 26, h, m, 0, 0);
    assert_eq!(thu(0, 0).date().weekday(), Weekday::Thursday);
    assert_eq!(add(thu(10, 0), 210), thu(15, 0));
    assert_eq!(
        add(thu(10, 0), 120),
        thu(12, 0),
        "ends at the closing, not the reopening"
    );
    assert_eq!(add(thu(10, 0), 121), thu(13, 31));
    assert_eq!(add(thu(11, 30), 60), thu(14, 0), "across lunch");
    assert_eq!(add(thu(13, 30), 210), thu(17, 0), "half a working day");
    assert_eq!(add(thu(9, 0), 420), thu(17, 30));
    assert_eq!(add(thu(9, 0), 421), datetime(2026, 11, 27, 9, 1, 0, 0));
    // Friday 17:00 + 60 → Monday 09:30.
    assert_eq!(
        add(datetime(2026, 11, 27, 17, 0, 0, 0), 60),
        datetime(2026, 11, 30, 9, 30, 0, 0)
    );
    // Outside hours.
    assert_eq!(add(thu(7, 0), 30), thu(9, 30));
    assert_eq!(add(thu(12, 30), 30), thu(14, 0));
    assert_eq!(add(thu(18, 0), 1), datetime(2026, 11, 27, 9, 1, 0, 0));
    // Zero minutes: inside stays, outside moves to the next office instant.
    assert_eq!(add(thu(10, 0), 0), thu(10, 0));
    assert_eq!(add(thu(12, 0), 0), thu(13, 30));
    assert_eq!(add(thu(12, 30), -5), thu(13, 30));
    assert_eq!(add(thu(17, 30), 0), datetime(2026, 11, 27, 9, 0, 0, 0));
    assert_eq!(
        add(datetime(2026, 11, 28, 10, 0, 0, 0), 0),
        datetime(2026, 11, 30, 9, 0, 0, 0)
    );
    // Across 国庆 onto the make-up Saturday.
    assert_eq!(
        add(datetime(2026, 9, 30, 17, 0, 0, 0), 60),
        datetime(2026, 10, 8, 9, 30, 0, 0)
    );
    assert_eq!(
        add(datetime(2026, 10, 9, 17, 0, 0, 0), 60),
        datetime(2026, 10, 10, 9, 30, 0, 0)
    );
    // Seconds are kept.
    assert_eq!(
        add(datetime(2026, 11, 26, 10, 0, 30, 0), 1),
        datetime(2026, 11, 26, 10, 1, 30, 0)
    );
    // Into the provisional 2027: 1 January is 元旦, Monday the 4th the next working day.
    assert_eq!(
        c.add_working_minutes(datetime(2026, 12, 31, 17, 0, 0, 0), 60),
        Ok(datetime(2027, 1, 4, 9, 30, 0, 0))
    );
    assert_eq!(
        c.add_working_minutes(datetime(2026, 12, 31, 18, 0, 0, 0), 0),
        Ok(datetime(2027, 1, 4, 9, 0, 0, 0))
    );
}

#[test]
fn working_minutes_between_known_instants() {
    let c = cal();
    let between = |a: DateTime, b: DateTime| c.working_minutes_between(a, b).unwrap();
    let thu = |h, m| datetime(2026, 11, 26, h, m, 0, 0);
    assert_eq!(between(thu(9, 0), datetime(2026, 11, 27, 9, 0, 0, 0)), 420);
    assert_eq!(between(thu(10, 0), thu(15, 0)), 210);
    assert_eq!(between(thu(15, 0), thu(10, 0)), 0);
    assert_eq!(between(thu(12, 5), thu(13, 25)), 0);
    assert_eq!(between(thu(6, 0), thu(23, 0)), 420);
    assert_eq!(
        between(
            datetime(2026, 11, 27, 17, 0, 0, 0),
            datetime(2026, 11, 30, 9, 30, 0, 0)
        ),
        60
    );
    assert_eq!(
        between(
            datetime(2026, 10, 1, 9, 0, 0, 0),
            datetime(2026, 10, 7, 17, 0, 0, 0)
        ),
        0
    );
    assert_eq!(
        between(
            datetime(2025, 12, 31, 17, 0, 0, 0),
            datetime(2026, 1, 4, 9, 30, 0, 0)
        ),
        60,
        "across the year boundary onto the make-up Sunday"
    );
    assert_eq!(
        between(thu(10, 0), datetime(2026, 11, 26, 10, 0, 59, 0)),
        0,
        "partial minutes are dropped"
    );
    assert_eq!(
        c.working_minutes_between(thu(10, 0), datetime(2027, 1, 4, 10, 0, 0, 0)),
        Ok(360 + 25 * 420 + 60),
        "the rest of Thursday, 25 working days to the end of 2026, 1 January off, an hour"
    );
}

#[test]
fn debug_is_short() {
    let text = format!("{:?}", cal());
    assert!(text.contains("[2025, 2026]") && text.len() < 200, "{text}");
}

// ---- Property tests against an independent day-by-day model ----

struct Naive {
    holidays: HashSet<Date>,
    workdays: HashSet<Date>,
}

impl Naive {
    fn new() -> Naive {
        let mut holidays = HashSet::new();
        let mut workdays = HashSet::new();
        let provisional = (2027..=2028).map(|y| provisional_schedule(y).unwrap().clone());
        for s in bundled_schedules().into_iter().chain(provisional) {
            for h in &s.holidays {
                let mut d = h.from;
                while d <= h.to {
                    holidays.insert(d);
                    d = d.tomorrow().unwrap();
                }
            }
            workdays.extend(s.workdays.iter().map(|w| w.date));
        }
        Naive { holidays, workdays }
    }
    fn check(&self, d: Date) -> Result<(), CalendarError> {
        if (2025..=2028).contains(&d.year()) {
            Ok(())
        } else {
            Err(CalendarError::YearNotLoaded(d.year()))
        }
    }
    fn working(&self, d: Date) -> Result<bool, CalendarError> {
        self.check(d)?;
        Ok(self.workdays.contains(&d)
            || !(self.holidays.contains(&d)
                || matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)))
    }
    fn add(&self, from: Date, n: u32) -> Result<Date, CalendarError> {
        self.check(from)?;
        let (mut d, mut left) = (from, n);
        while left > 0 {
            d = d.tomorrow().unwrap();
            if self.working(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }
    fn between(&self, from: Date, to: Date) -> Result<i64, CalendarError> {
        self.check(from)?;
        self.check(to)?;
        let (mut d, mut count) = (from, 0);
        while d < to {
            d = d.tomorrow().unwrap();
            count += i64::from(self.working(d)?);
        }
        Ok(count)
    }
    fn natural(&self, from: Date, n: u32) -> Result<Date, CalendarError> {
        self.check(from)?;
        let mut d = from
            .checked_add(jiff::Span::new().days(i64::from(n)))
            .unwrap();
        while !self.working(d)? {
            d = d.tomorrow().unwrap();
        }
        Ok(d)
    }
    /// Minute-by-minute count of office minutes in `[a, b)`, `a` on a whole minute.
    fn minutes(&self, a: DateTime, b: DateTime) -> Result<i64, CalendarError> {
        self.check(a.date())?;
        self.check(b.date())?;
        let hours = OfficeHours::default();
        let mut t = a;
        let mut count = 0;
        while t < b {
            if self.working(t.date())?
                && hours
                    .periods()
                    .iter()
                    .any(|&(s, e)| s <= t.time() && t.time() < e)
            {
                count += 1;
            }
            t = t.checked_add(SignedDuration::from_mins(1)).unwrap();
        }
        Ok(count)
    }
}

fn day(offset: i64) -> Date {
    date(2025, 1, 1)
        .checked_add(jiff::Span::new().days(offset))
        .unwrap()
}

proptest! {
    #[test]
    fn add_matches_naive(offset in 0i64..730, n in 0u32..=120) {
        let (c, naive) = (cal(), Naive::new());
        let from = day(offset);
        let got = c.add_working_days(from, n);
        prop_assert_eq!(got, naive.add(from, n));
        let to = got.unwrap();
        prop_assert_eq!(c.working_days_between(from, to), Ok(i64::from(n)));
        prop_assert_eq!(c.provisional_years(from, to).is_empty(), to.year() <= 2026);
    }

    #[test]
    fn between_matches_naive(a in -3i64..733, b in -3i64..733) {
        let (c, naive) = (cal(), Naive::new());
        let (a, b) = (day(a), day(b));
        prop_assert_eq!(c.working_days_between(a, b), naive.between(a, b));
    }

    #[test]
    fn natural_deadline_matches_naive(offset in 0i64..730, n in 0u32..=120) {
        let (c, naive) = (cal(), Naive::new());
        let from = day(offset);
        prop_assert_eq!(c.natural_deadline(from, n), naive.natural(from, n));
        prop_assert_eq!(c.next_working_day(from), naive.add(from, 1));
        prop_assert_eq!(c.is_working_day(from), naive.working(from));
    }

    #[test]
    fn add_minutes_inverts_minutes_between(
        offset in 0i64..730, minute_of_day in 0i64..1440, second in 0i8..60,
        minutes in prop_oneof![0i64..=30, 0i64..=420, 0i64..=20_000],
    ) {
        let c = cal();
        let start = day(offset)
            .to_datetime(Time::new(0, 0, second, 0).unwrap())
            .checked_add(SignedDuration::from_mins(minute_of_day))
            .unwrap();
        match c.add_working_minutes(start, minutes) {
            Ok(end) => {
                prop_assert!(end >= start);
                prop_assert_eq!(c.working_minutes_between(start, end), Ok(minutes));
                // The result is an office instant (or the closing of one period).
                prop_assert!(c.is_working_day(end.date()).unwrap());
                let t = end.time();
                prop_assert!(c.hours().periods().iter().any(|&(s, e)| s <= t && t <= e));
                if minutes > 0 {
                    // Earliest: one second earlier is short of the count.
                    let before = end.checked_sub(SignedDuration::from_secs(1)).unwrap();
                    prop_assert!(before < start
                        || c.working_minutes_between(start, before).unwrap() < minutes);
                }
            }
            Err(e) => prop_assert!(false, "{e}"),
        }
    }

    #[test]
    fn minutes_between_matches_naive(
        offset in 0i64..730, minute_of_day in 0i64..1440, span in 0i64..(3 * 1440),
    ) {
        let (c, naive) = (cal(), Naive::new());
        let a = day(offset).to_datetime(Time::MIN)
            .checked_add(SignedDuration::from_mins(minute_of_day)).unwrap();
        let b = a.checked_add(SignedDuration::from_mins(span)).unwrap();
        prop_assert_eq!(c.working_minutes_between(a, b), naive.minutes(a, b));
    }
}

#[test]
fn administrators_are_reminded_from_the_reminder_day_until_the_year_is_loaded() {
    let c = cal();
    let oct = (10, 1);
    assert_eq!(c.years_to_load(date(2026, 9, 30), oct), Vec::<i16>::new());
    assert_eq!(c.years_to_load(date(2026, 10, 1), oct), vec![2027]);
    assert_eq!(c.years_to_load(date(2026, 12, 7), oct), vec![2027]);
    // In a year that is itself provisional, at once.
    assert_eq!(c.years_to_load(date(2027, 6, 1), oct), vec![2027]);
    assert_eq!(c.years_to_load(date(2027, 11, 1), oct), vec![2027, 2028]);
    assert_eq!(parse_reminder_day("10-01"), Ok((10, 1)));
    assert_eq!(parse_reminder_day("2-29"), Ok((2, 29)));
    assert!(parse_reminder_day("13-01").is_err() && parse_reminder_day("1001").is_err());
}
