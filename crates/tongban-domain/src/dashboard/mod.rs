//! The district's dashboard (R11): every target of the action plan the records can measure, as
//! a live indicator. Records add their parts to tallies in their own write (`tally`); an
//! indicator is a ratio of two tallied sums over units and months (`indicators`); periods are
//! months, quarters and years, each compared with the same period a year earlier.

pub mod assessment;
pub mod indicators;
pub mod tally;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A calendar month as `yyyymm` (202611): the key of a tally, ordered like time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Month(pub i32);

impl Month {
    pub fn of(d: Date) -> Month {
        Month(i32::from(d.year()) * 100 + i32::from(d.month()))
    }
    pub fn new(year: i16, month: i8) -> Month {
        Month(i32::from(year) * 100 + i32::from(month))
    }
    pub fn year(self) -> i16 {
        (self.0 / 100) as i16
    }
    pub fn month(self) -> i8 {
        (self.0 % 100) as i8
    }
    pub fn next(self) -> Month {
        if self.month() == 12 {
            Month::new(self.year() + 1, 1)
        } else {
            Month(self.0 + 1)
        }
    }
    pub fn first_day(self) -> Date {
        jiff::civil::date(self.year(), self.month(), 1)
    }
    /// The last day of the month.
    pub fn last_day(self) -> Date {
        self.first_day().last_of_month()
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// The years a period may name: the plan starts in 2021; a century is room enough.
pub const FIRST_YEAR: i16 = 2000;
pub const LAST_YEAR: i16 = 2099;

/// A period of the dashboard: a year, a quarter or a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub enum Period {
    Year(i16),
    Quarter(i16, i8),
    Month(Month),
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Period::Month(m) => write!(f, "{m}"),
        }
    }
}

impl Period {
    /// `2026`, `2026-Q4` or `2026-11`; `None` for anything else or a year outside
    /// [`FIRST_YEAR`, `LAST_YEAR`].
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let year = |y: &str| -> Option<i16> {
            let y: i16 = y.parse().ok().filter(|_| y.len() == 4)?;
            (FIRST_YEAR..=LAST_YEAR).contains(&y).then_some(y)
        };
        match s.split_once('-') {
            None => year(s).map(Period::Year),
            Some((y, q)) if q.starts_with(['Q', 'q']) => {
                let q: i8 = q[1..].parse().ok().filter(|q| (1..=4).contains(q))?;
                Some(Period::Quarter(year(y)?, q))
            }
            Some((y, mm)) => {
                let digits = mm.bytes().all(|b| b.is_ascii_digit());
                let m: i8 = mm.parse().ok().filter(|m| (1..=12).contains(m))?;
                (s.len() == 7 && digits).then_some(())?;
                Some(Period::Month(Month::new(year(y)?, m)))
            }
        }
    }

    /// The first and the last month of the period.
    pub fn months(self) -> (Month, Month) {
        match self {
            Period::Year(y) => (Month::new(y, 1), Month::new(y, 12)),
            Period::Quarter(y, q) => (Month::new(y, q * 3 - 2), Month::new(y, q * 3)),
            Period::Month(m) => (m, m),
        }
    }

    pub fn year(self) -> i16 {
        self.months().0.year()
    }

    /// The same period a year earlier (`None` before [`FIRST_YEAR`]).
    pub fn a_year_earlier(self) -> Option<Period> {
        let y = self.year() - 1;
        (y >= FIRST_YEAR).then(|| match self {
            Period::Year(_) => Period::Year(y),
            Period::Quarter(_, q) => Period::Quarter(y, q),
            Period::Month(m) => Period::Month(Month::new(y, m.month())),
        })
    }

    /// The months of the period, in order (the points of a trend).
    pub fn each_month(self) -> Vec<Month> {
        let (mut m, last) = self.months();
        let mut out = vec![m];
        while m < last {
            m = m.next();
            out.push(m);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_name_their_months() {
        assert_eq!(Period::parse("2026"), Some(Period::Year(2026)));
        assert_eq!(Period::parse("2026-Q4"), Some(Period::Quarter(2026, 4)));
        assert_eq!(Period::parse("2026-02"), Some(Period::Month(Month(202602))));
        for bad in [
            "", "26", "1999", "2100", "2026-Q5", "2026-Q0", "2026-13", "2026-00", "2026-2",
            "2026-1x", "abcd",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(
            Period::Quarter(2026, 4).months(),
            (Month(202610), Month(202612))
        );
        assert_eq!(Period::Year(2026).each_month().len(), 12);
        assert_eq!(
            Period::parse("2026-Q1").unwrap().a_year_earlier(),
            Some(Period::Quarter(2025, 1))
        );
        assert_eq!(Period::Year(FIRST_YEAR).a_year_earlier(), None);
        assert_eq!(Month(202612).next(), Month(202701));
        assert_eq!(Month(202602).last_day(), jiff::civil::date(2026, 2, 28));
        for p in ["2026", "2026-Q3", "2026-07"] {
            assert_eq!(Period::parse(p).unwrap().to_string(), p);
        }
    }
}
