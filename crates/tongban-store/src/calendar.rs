//! The working-day calendar as data: one row per loaded year, the schedule file as imported.
//!
//! The store keeps the built [`Calendar`] in memory (every deadline needs it, so it must not
//! cost a query) and rebuilds it when a year is imported here; other servers pick the change up
//! on their clock job's next tick via [`Store::refresh_calendar`]. On first start the bundled
//! official schedules (`data/calendar/`) are loaded.

use crate::inbox::Message;
use crate::{Result, Store};
use serde::Serialize;
use sqlx::Row;
use std::sync::Arc;
use tongban_domain::calendar::{
    Calendar, OfficeHours, YearSchedule, bundled_schedules, provisional_schedule,
};
use tongban_domain::records::{RecordKind, RecordRef};

/// What loading a year did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Imported {
    /// An earlier file for the year was replaced.
    pub replaced: bool,
    /// The open records' dates it moved.
    pub moves: Vec<crate::recount::CalendarMove>,
}

/// A year as the administrator page lists it: loaded from its notice, or provisional (the
/// law's statutory days only, until the notice is loaded).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarYear {
    pub year: i16,
    /// The notice's title; for a provisional year, the law it follows.
    pub notice: String,
    /// True until the year's notice is loaded.
    pub provisional: bool,
    pub holiday_days: usize,
    pub makeup_workdays: usize,
    /// When and by whom the notice was loaded; absent for a provisional year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loaded_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loaded_by: Option<String>,
}

impl Store {
    /// The calendar in force (cheap: an `Arc` clone).
    pub fn calendar(&self) -> Arc<Calendar> {
        self.calendar
            .read()
            .expect("calendar lock is never poisoned: writers do not panic")
            .clone()
    }

    /// Sets the office hours (configuration) and rebuilds the calendar with them.
    pub async fn set_office_hours(&self, hours: OfficeHours) -> Result<()> {
        *self.hours.write().expect("hours lock") = hours;
        self.refresh_calendar().await
    }

    /// Rebuilds the in-memory calendar from the stored years.
    pub async fn refresh_calendar(&self) -> Result<()> {
        let schedules = self.stored_schedules().await?;
        let hours = self.hours.read().expect("hours lock").clone();
        *self.calendar.write().expect("calendar lock") = Arc::new(Calendar::new(schedules, hours));
        Ok(())
    }

    /// The calendar as it stood at `at`: a year whose notice was loaded later is provisional on
    /// it again. What an applicant was told at `at` was counted on this calendar. (A year whose
    /// file was replaced after `at` counts as provisional here, since only the current file is
    /// kept; callers take the more generous of this and today's calendar, so that errs on the
    /// applicant's side.)
    pub async fn calendar_as_of(&self, at: jiff::Timestamp) -> Result<Calendar> {
        let rows = sqlx::query("SELECT toml, loaded_at FROM calendar_years ORDER BY year")
            .fetch_all(self.reader())
            .await?;
        let mut schedules = Vec::new();
        for r in rows {
            let loaded: String = r.try_get("loaded_at")?;
            let loaded: jiff::Timestamp = loaded
                .parse()
                .map_err(|e| crate::StoreError::Corrupt(format!("calendar loaded_at: {e}")))?;
            if loaded <= at {
                let text: String = r.try_get("toml")?;
                schedules
                    .push(YearSchedule::from_toml(&text).map_err(|e| {
                        crate::StoreError::Corrupt(format!("calendar year: {e:?}"))
                    })?);
            }
        }
        let hours = self.hours.read().expect("hours lock").clone();
        Ok(Calendar::new(schedules, hours))
    }

    async fn stored_schedules(&self) -> Result<Vec<YearSchedule>> {
        let rows = sqlx::query("SELECT year, toml FROM calendar_years ORDER BY year")
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| {
                let text: String = r.try_get("toml")?;
                YearSchedule::from_toml(&text).map_err(|e| {
                    crate::StoreError::Corrupt(format!(
                        "calendar year {:?}: {e:?}",
                        r.try_get::<i64, _>("year")
                    ))
                })
            })
            .collect()
    }

    /// Loads the bundled official years on first start, then builds the calendar.
    pub(crate) async fn init_calendar(&self) -> Result<()> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM calendar_years")
            .fetch_one(&self.write)
            .await?
            .try_get("n")?;
        if n == 0 {
            for s in bundled_schedules() {
                self.import_calendar_year("system", &s).await?;
            }
        }
        self.refresh_calendar().await
    }

    /// Loads (or replaces) one year's schedule and, in the same write, recounts the open records
    /// whose dates it moves (`recount.rs`). The schedule is checked field by field first: a file
    /// that fails leaves every date as it was.
    pub async fn import_calendar_year(
        &self,
        actor: &str,
        schedule: &YearSchedule,
    ) -> Result<Imported> {
        schedule.validate()?;
        let old = self.calendar();
        let mut schedules = self.stored_schedules().await?;
        schedules.retain(|s| s.year != schedule.year);
        schedules.push(schedule.clone());
        let hours = self.hours.read().expect("hours lock").clone();
        let new = Calendar::new(schedules, hours);
        let mut w = self.begin_write(actor).await?;
        let year = i64::from(schedule.year);
        let before: Option<String> = sqlx::query("SELECT toml FROM calendar_years WHERE year = $1")
            .bind(year)
            .fetch_optional(w.conn())
            .await?
            .map(|r| r.try_get("toml"))
            .transpose()?;
        let text = schedule.to_toml();
        let at = w.at().to_string();
        if before.is_some() {
            sqlx::query(
                "UPDATE calendar_years SET notice = $2, toml = $3, loaded_at = $4, loaded_by = $5 WHERE year = $1",
            )
        } else {
            sqlx::query(
                "INSERT INTO calendar_years (year, notice, toml, loaded_at, loaded_by) VALUES ($1, $2, $3, $4, $5)",
            )
        }
        .bind(year)
        .bind(&schedule.notice)
        .bind(&text)
        .bind(&at)
        .bind(actor)
        .execute(w.conn())
        .await?;
        let after = Some(&text);
        w.audit(
            "calendar.import",
            "calendar_year",
            &year.to_string(),
            before.as_ref(),
            after,
        )
        .await?;
        let moves = self
            .recount_open_records(&mut w, schedule.year, &old, &new)
            .await?;
        w.commit().await?;
        self.refresh_calendar().await?;
        Ok(Imported {
            replaced: before.is_some(),
            moves,
        })
    }

    pub async fn calendar_years(&self) -> Result<Vec<CalendarYear>> {
        let rows = sqlx::query(
            "SELECT year, notice, toml, loaded_at, loaded_by FROM calendar_years ORDER BY year",
        )
        .fetch_all(self.reader())
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let text: String = r.try_get("toml")?;
            let s = YearSchedule::from_toml(&text)
                .map_err(|e| crate::StoreError::Corrupt(format!("calendar: {e:?}")))?;
            out.push(CalendarYear {
                year: s.year,
                notice: r.try_get("notice")?,
                provisional: false,
                holiday_days: s.holiday_days(),
                makeup_workdays: s.workdays.len(),
                loaded_at: Some(r.try_get("loaded_at")?),
                loaded_by: Some(r.try_get("loaded_by")?),
            });
        }
        // Provisional years up to next year: the ones an administrator should load.
        let next_year = crate::local_year(self.now()) + 1;
        for year in self.calendar().provisional_through(next_year) {
            let Some(s) = provisional_schedule(year) else {
                continue;
            };
            out.push(CalendarYear {
                year,
                notice: s.notice.clone(),
                provisional: true,
                holiday_days: s.holiday_days(),
                makeup_workdays: 0,
                loaded_at: None,
                loaded_by: None,
            });
        }
        out.sort_by_key(|y| y.year);
        Ok(out)
    }
}

/// Years whose holiday notice an administrator should load now, and how many open records have
/// a date in them that is provisional until it is loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarReminder {
    pub years: Vec<i16>,
    /// Open cases, hotline tickets and rectifications with a due date in those years.
    pub open_records: i64,
}

impl Store {
    /// The reminder in force today (see [`Calendar::years_to_load`]), or `None`.
    pub async fn calendar_reminder(&self) -> Result<Option<CalendarReminder>> {
        let today = tongban_domain::cases::local_date(self.now());
        let years = self.calendar().years_to_load(today, self.calendar_reminder);
        let (Some(first), Some(last)) = (years.first(), years.last()) else {
            return Ok(None);
        };
        let (from, to) = (format!("{first}-01-01"), format!("{last}-12-31"));
        // Dates are stored as YYYY-MM-DD, so text comparison is date order on both stores.
        let row = sqlx::query(
            "SELECT
               (SELECT COUNT(*) FROM cases WHERE closed_at IS NULL AND decided_at IS NULL
                  AND ((legal_due >= $1 AND legal_due <= $2) OR (promised_due >= $1 AND promised_due <= $2)))
             + (SELECT COUNT(*) FROM hotline_tickets WHERE state IN ('dispatched', 'returned')
                  AND reply_due >= $1 AND reply_due <= $2)
             + (SELECT COUNT(*) FROM rectifications WHERE state <> 'closed' AND due >= $1 AND due <= $2)
             AS n",
        )
        .bind(&from)
        .bind(&to)
        .fetch_one(self.reader())
        .await?;
        Ok(Some(CalendarReminder {
            years,
            open_records: row.try_get("n")?,
        }))
    }

    /// Tells every administrator once per year to load (the clock job calls it each pass).
    /// Returns the number of messages queued.
    pub async fn send_calendar_reminder(&self) -> Result<usize> {
        let Some(reminder) = self.calendar_reminder().await? else {
            return Ok(0);
        };
        let year = reminder.years[reminder.years.len() - 1];
        let key = format!("calendar-reminder:{year}");
        // Checked before the write so a pass that has nothing to send appends no audit entry.
        let sent = sqlx::query("SELECT 1 AS one FROM inbox WHERE dedupe LIKE $1 LIMIT 1")
            .bind(format!("{key}:%"))
            .fetch_optional(self.reader())
            .await?;
        if sent.is_some() {
            return Ok(0);
        }
        let admins: Vec<String> = sqlx::query(
            "SELECT username FROM users WHERE role = 'admin' AND disabled = 0 ORDER BY username",
        )
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| r.try_get("username"))
        .collect::<std::result::Result<_, _>>()?;
        let mut w = self.begin_write("system").await?;
        let mut n = 0;
        let detail =
            serde_json::json!({"years": reminder.years, "open_records": reminder.open_records})
                .to_string();
        let year_id = year.to_string();
        let about = Some(RecordRef::new(RecordKind::CalendarYear, &year_id));
        for admin in &admins {
            let (to, dedupe) = (format!("user:{admin}"), format!("{key}:{admin}"));
            let m = Message::new(&to, about, "calendar_reminder")
                .dedupe(&dedupe)
                .detail(&detail);
            if self.notify(&mut w, m).await? {
                n += 1;
            }
        }
        w.audit(
            "calendar.remind",
            "calendar_year",
            &year.to_string(),
            None::<&()>,
            Some(&reminder),
        )
        .await?;
        w.commit().await?;
        Ok(n)
    }
}
