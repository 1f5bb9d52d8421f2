//! When a year's notice replaces its provisional arrangement, the dates already counted over it
//! are counted again.
//!
//! A stored working-day deadline is recounted from its anchor (the day its count started): the
//! working days it stood for under the old calendar are added again under the new one, so no
//! capability needs to remember how it computed a date. Who the date binds decides what may
//! happen to it: a deadline that binds the administration follows the official schedule, early
//! or late; one that binds the applicant never moves earlier than what the applicant was told
//! (they planned on it), so it keeps the later of the two.

use super::{Calendar, CalendarError};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Whom a deadline binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Binds {
    /// The unit must act by then (legal and promised limits, replies, rectifications).
    Administration,
    /// The applicant must act by then (correction, ratings): never moved earlier.
    Applicant,
}

impl Binds {
    pub fn as_str(self) -> &'static str {
        match self {
            Binds::Administration => "administration",
            Binds::Applicant => "applicant",
        }
    }
}

/// One date of one record that the new schedule moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Moved {
    /// Which date of the record, e.g. `legal_due`, `promised_due`, `reply_due`, `supply_by`.
    pub field: String,
    pub binds: Binds,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub before: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub after: Date,
    /// Days moved (calendar days, as a person reads two dates): positive later, negative
    /// earlier. Working days would say 0 for a date moved across a whole break.
    pub days: i64,
}

impl Moved {
    /// The move from `before` to `after`, or `None` if they are equal.
    pub fn between(field: &str, binds: Binds, before: Date, after: Date) -> Option<Moved> {
        (before != after).then(|| Moved {
            field: field.to_string(),
            binds,
            before,
            after,
            days: i64::from((after - before).get_days()),
        })
    }
}

/// The date that `due` (counted from `anchor` on `old`) stands for on `new`; for a deadline that
/// binds the applicant, never earlier than `due`.
pub fn recount(
    old: &Calendar,
    new: &Calendar,
    anchor: Date,
    due: Date,
    binds: Binds,
) -> Result<Date, CalendarError> {
    let n = old.working_days_between(anchor, due)?;
    let counted = new.add_working_days(anchor, u32::try_from(n).unwrap_or(0))?;
    Ok(match binds {
        Binds::Administration => counted,
        Binds::Applicant => counted.max(due),
    })
}

/// Recounts `due` and reports the move, if any.
pub fn recount_moved(
    field: &str,
    old: &Calendar,
    new: &Calendar,
    anchor: Date,
    due: Date,
    binds: Binds,
) -> Result<Option<Moved>, CalendarError> {
    let after = recount(old, new, anchor, due, binds)?;
    Ok(Moved::between(field, binds, due, after))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{OfficeHours, YearSchedule, bundled_schedules};
    use jiff::civil::date;

    /// A 2027 notice whose 春节 break is Saturday 6 – Sunday 14 February, worked Saturday
    /// 30 January and Saturday 20 February (a typical arrangement, not the real one).
    fn official_2027() -> Calendar {
        let y = YearSchedule::from_toml(
            "year = 2027\nnotice = \"test\"\n\
             [[holiday]]\nname = \"元旦\"\nfrom = \"2027-01-01\"\nto = \"2027-01-03\"\n\
             [[holiday]]\nname = \"春节\"\nfrom = \"2027-02-06\"\nto = \"2027-02-14\"\n\
             [[workday]]\ndate = \"2027-01-30\"\nfor = \"春节\"\n\
             [[workday]]\ndate = \"2027-02-20\"\nfor = \"春节\"\n",
        )
        .unwrap();
        let mut s = bundled_schedules();
        s.push(y);
        Calendar::new(s, OfficeHours::default())
    }

    #[test]
    fn administration_follows_the_notice_and_the_applicant_never_loses_time() {
        let old = Calendar::new(bundled_schedules(), OfficeHours::default());
        let new = official_2027();
        let anchor = date(2027, 1, 25);
        // Provisionally: 26–29 Jan, 1–4 Feb, then 除夕 to 补假 (5–10 Feb) off: 11, 12 Feb.
        let due = old.add_working_days(anchor, 10).unwrap();
        assert_eq!(due, date(2027, 2, 12));
        // Officially: 26–29 Jan, Saturday 30 Jan, 1–5 Feb: Friday 5 February.
        let admin = recount(&old, &new, anchor, due, Binds::Administration).unwrap();
        assert_eq!(admin, date(2027, 2, 5));
        let applicant = recount(&old, &new, anchor, due, Binds::Applicant).unwrap();
        assert_eq!(applicant, due, "never earlier than told");
        let moved = recount_moved("reply_due", &old, &new, anchor, due, Binds::Administration)
            .unwrap()
            .unwrap();
        assert_eq!((moved.before, moved.after, moved.days), (due, admin, -7));
        assert_eq!(
            recount_moved("supply_by", &old, &new, anchor, due, Binds::Applicant).unwrap(),
            None
        );
        // A date that moves later moves for the applicant too: 1 March provisionally …
        let anchor = date(2027, 2, 15);
        let due = old.add_working_days(anchor, 10).unwrap();
        assert_eq!(due, date(2027, 3, 1));
        // … officially Saturday 20 February is worked, so the tenth day is Friday 26 February
        // for the unit, and stays 1 March for the applicant.
        assert_eq!(
            recount(&old, &new, anchor, due, Binds::Administration).unwrap(),
            date(2027, 2, 26)
        );
        assert_eq!(
            recount(&old, &new, anchor, due, Binds::Applicant).unwrap(),
            date(2027, 3, 1)
        );
    }
}
