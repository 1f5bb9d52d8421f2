//! The year's end: when a year's holiday notice is loaded, every open record whose dates were
//! counted over the provisional arrangement (or over an earlier file for that year) is counted
//! again, in the same write as the import.
//!
//! One transaction for the whole load: a crash halfway leaves the year unloaded and every date
//! as it was, and the administrator loads it again. Inside it each record that moved gets its
//! own row update, its own audit entry, a message to whoever's date moved, and a row in
//! `calendar_moves` for the administrator's list. The domain decides each move
//! (`cases::clock::recount`, `hotline::recount`, `reviews::recount`): dates that bind the unit
//! follow the notice, dates that bind the applicant never move earlier.

use crate::cases::derive;
use crate::inbox::Message;
use crate::write::Write;
use crate::{Result, Store, json_rows, to_json};
use jiff::civil::Date;
use serde::Serialize;
use sqlx::Row;
use tongban_domain::calendar::{Binds, Calendar, Moved};
use tongban_domain::records::{RecordKind, RecordRef};
use tongban_domain::{cases, hotline, reviews};

/// One date of one record moved by a loaded notice, as the administrator's list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarMove {
    pub year: i16,
    pub moved_at: String,
    /// `case`, `hotline_ticket`, `rectification`, `inspection_check`, `risk_warning` or
    /// `credit_record`.
    pub record_kind: String,
    pub record_id: String,
    /// The unit that handles the record.
    pub unit: String,
    /// `legal_due`, `promised_due`, `correction_deadline`, `supply_by`, `reply_due` or `due`.
    pub field: String,
    pub binds: Binds,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub before: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub after: Date,
    /// Calendar days, positive later.
    pub days: i64,
}

/// The detail of a "deadline moved" message, as data the pages and e-mail put into words:
/// `{"dates": [["reply_due", "2027-02-12", "2027-02-05"]]}` (the message links to its record).
fn detail(moved: &[Moved]) -> String {
    let dates: Vec<[String; 3]> = moved
        .iter()
        .map(|m| [m.field.clone(), m.before.to_string(), m.after.to_string()])
        .collect();
    serde_json::json!({"dates": dates}).to_string()
}

impl Store {
    /// Recounts every open record from `old` to `new` inside the import's write.
    pub(crate) async fn recount_open_records(
        &self,
        w: &mut Write,
        year: i16,
        old: &Calendar,
        new: &Calendar,
    ) -> Result<Vec<CalendarMove>> {
        let mut out = Vec::new();
        self.recount_cases(w, year, old, new, &mut out).await?;
        self.recount_hotline(w, year, old, new, &mut out).await?;
        self.recount_rectifications(w, year, old, new, &mut out)
            .await?;
        self.recount_inspection(w, year, old, new, &mut out).await?;
        self.recount_credit(w, year, old, new, &mut out).await?;
        self.retally_finished(w, year, new).await?;
        Ok(out)
    }

    /// Records finished in the year counted their working days over the arrangement that stood
    /// then; their parts in the tallies are counted again over the notice, so the sums stay
    /// those of the records (a recount uses today's calendar).
    async fn retally_finished(&self, w: &mut Write, year: i16, new: &Calendar) -> Result<()> {
        use tongban_domain::dashboard::{indicators::Records, tally};
        let from = format!("{year}-01-01");
        let rows = sqlx::query(
            "SELECT case_json FROM cases WHERE accepted_at IS NOT NULL
               AND (decided_at >= $1 OR closed_at >= $1)",
        )
        .bind(&from)
        .fetch_all(w.conn())
        .await?;
        for r in rows {
            let c: cases::Case = crate::json_col(&r, "case_json")?;
            self.tally(w, Records::Cases, &c.id, tally::of_case(&c, new))
                .await?;
        }
        let rows = sqlx::query("SELECT bundle_json FROM bundles WHERE completed_at >= $1")
            .bind(&from)
            .fetch_all(w.conn())
            .await?;
        for r in rows {
            let b: tongban_domain::bundles::Bundle = crate::json_col(&r, "bundle_json")?;
            let parts = sqlx::query("SELECT case_json FROM cases WHERE bundle_id = $1")
                .bind(&b.id)
                .fetch_all(w.conn())
                .await?
                .iter()
                .map(|r| crate::json_col(r, "case_json"))
                .collect::<Result<Vec<cases::Case>>>()?;
            self.tally(
                w,
                Records::Bundles,
                &b.id,
                tally::of_bundle(&b, &parts, new),
            )
            .await?;
        }
        let rows = sqlx::query(
            "SELECT d.declaration_json, p.policy_json FROM declarations d
             JOIN policies p ON p.code = d.policy WHERE d.paid_on >= $1",
        )
        .bind(&from)
        .fetch_all(w.conn())
        .await?;
        for r in rows {
            let d: tongban_domain::policies::Declaration = crate::json_col(&r, "declaration_json")?;
            let p: tongban_domain::policies::Policy = crate::json_col(&r, "policy_json")?;
            self.tally(
                w,
                Records::Declarations,
                &d.id,
                tally::of_declaration(&d, &p.payer, new),
            )
            .await?;
        }
        Ok(())
    }

    async fn recount_cases(
        &self,
        w: &mut Write,
        year: i16,
        old: &Calendar,
        new: &Calendar,
        out: &mut Vec<CalendarMove>,
    ) -> Result<()> {
        let sql = "SELECT case_json FROM cases WHERE closed_at IS NULL AND decided_at IS NULL ORDER BY id";
        let now = w.now();
        for before in json_rows::<cases::Case>(w, sql, "case_json").await? {
            // A record the old calendar could not count (a year before the law) is left alone.
            let Ok((case, moved)) = cases::clock::recount(&before, now, old, new) else {
                continue;
            };
            if moved.is_empty() {
                continue;
            }
            let d = derive(&case, new, now)?;
            sqlx::query(
                "UPDATE cases SET legal_due = $2, promised_due = $3, clock_status = $4,
                    version = version + 1, updated_at = $5, case_json = $6 WHERE id = $1",
            )
            .bind(&case.id)
            .bind(d.legal_due)
            .bind(d.promised_due)
            .bind(d.clock_status)
            .bind(w.at().to_string())
            .bind(to_json(&case))
            .execute(w.conn())
            .await?;
            let mut to = vec![format!("unit:{}", case.unit)];
            to.extend(case.applicant_recipients());
            let about = RecordRef::new(RecordKind::Case, &case.id);
            self.announce(w, year, about, &case.unit, &to, moved, out)
                .await?;
        }
        Ok(())
    }

    async fn recount_hotline(
        &self,
        w: &mut Write,
        year: i16,
        old: &Calendar,
        new: &Calendar,
        out: &mut Vec<CalendarMove>,
    ) -> Result<()> {
        let sql = "SELECT ticket_json FROM hotline_tickets WHERE state IN ('dispatched', 'returned') ORDER BY id";
        for before in json_rows::<hotline::Ticket>(w, sql, "ticket_json").await? {
            let Ok((t, moved)) = hotline::recount(&before, old, new) else {
                continue;
            };
            let (false, Some(lead)) = (moved.is_empty(), t.lead.clone()) else {
                continue;
            };
            self.write_hotline(w, &t).await?;
            let about = RecordRef::new(RecordKind::HotlineTicket, &t.id);
            let to = [format!("unit:{lead}")];
            self.announce(w, year, about, &lead, &to, moved, out)
                .await?;
        }
        Ok(())
    }

    async fn recount_rectifications(
        &self,
        w: &mut Write,
        year: i16,
        old: &Calendar,
        new: &Calendar,
        out: &mut Vec<CalendarMove>,
    ) -> Result<()> {
        let sql = "SELECT ticket_json FROM rectifications WHERE state <> 'closed' ORDER BY id";
        for before in json_rows::<reviews::Ticket>(w, sql, "ticket_json").await? {
            let Ok((t, moved)) = reviews::recount(&before, old, new) else {
                continue;
            };
            if moved.is_empty() {
                continue;
            }
            self.write_rectification(w, &t).await?;
            let about = RecordRef::new(RecordKind::Rectification, &t.id);
            let to = [format!("unit:{}", t.unit)];
            self.announce(w, year, about, &t.unit, &to, moved, out)
                .await?;
        }
        Ok(())
    }

    /// Unpublished inspection checks (told to their team) and open risk warnings (told to their
    /// unit): both deadlines bind the administration.
    async fn recount_inspection(
        &self,
        w: &mut Write,
        year: i16,
        old: &Calendar,
        new: &Calendar,
        out: &mut Vec<CalendarMove>,
    ) -> Result<()> {
        use tongban_domain::inspection::{plan, warning};
        let sql = "SELECT check_json FROM inspection_checks WHERE published_on IS NULL ORDER BY id";
        for before in json_rows::<plan::Check>(w, sql, "check_json").await? {
            let Ok((c, moved)) = plan::recount(&before, old, new) else {
                continue;
            };
            if moved.is_empty() {
                continue;
            }
            sqlx::query("UPDATE inspection_checks SET due = $2, check_json = $3, updated_at = $4 WHERE id = $1")
                .bind(&c.id)
                .bind(c.due.to_string())
                .bind(to_json(&c))
                .bind(w.at().to_string())
                .execute(w.conn())
                .await?;
            let to: Vec<String> = c
                .team
                .iter()
                .filter_map(|m| m.account.as_ref().map(|a| format!("user:{a}")))
                .collect();
            let unit = c.units.first().cloned().unwrap_or_default();
            let about = RecordRef::new(RecordKind::InspectionCheck, &c.id);
            self.announce(w, year, about, &unit, &to, moved, out)
                .await?;
        }
        let sql = "SELECT warning_json FROM risk_warnings WHERE answered_on IS NULL ORDER BY id";
        for before in json_rows::<warning::Warning>(w, sql, "warning_json").await? {
            let Ok((x, moved)) = warning::recount(&before, old, new) else {
                continue;
            };
            if moved.is_empty() {
                continue;
            }
            sqlx::query("UPDATE risk_warnings SET due = $2, warning_json = $3, updated_at = $4 WHERE id = $1")
                .bind(&x.id)
                .bind(x.due.to_string())
                .bind(to_json(&x))
                .bind(w.at().to_string())
                .execute(w.conn())
                .await?;
            let to = [format!("unit:{}", x.raised.unit)];
            let about = RecordRef::new(RecordKind::RiskWarning, &x.id);
            self.announce(w, year, about, &x.raised.unit, &to, moved, out)
                .await?;
        }
        Ok(())
    }

    /// Credit records with a repair to decide or a dispute to answer: told to the deciding unit.
    async fn recount_credit(
        &self,
        w: &mut Write,
        year: i16,
        old: &Calendar,
        new: &Calendar,
        out: &mut Vec<CalendarMove>,
    ) -> Result<()> {
        use tongban_domain::credit;
        let sql = "SELECT record_json FROM credit_records WHERE repair_due IS NOT NULL ORDER BY id";
        for before in json_rows::<credit::CreditRecord>(w, sql, "record_json").await? {
            let Ok((r, moved)) = credit::recount(&before, old, new) else {
                continue;
            };
            if moved.is_empty() {
                continue;
            }
            sqlx::query(
                "UPDATE credit_records SET repair_due = $2, record_json = $3, updated_at = $4 WHERE id = $1",
            )
            .bind(&r.id)
            .bind(r.unit_due().map(|d| d.to_string()))
            .bind(to_json(&r))
            .bind(w.at().to_string())
            .execute(w.conn())
            .await?;
            let unit = r.entered.unit.clone();
            let to = [format!("unit:{unit}")];
            let about = RecordRef::new(RecordKind::CreditRecord, &r.id);
            self.announce(w, year, about, &unit, &to, moved, out)
                .await?;
        }
        Ok(())
    }

    /// Tells whoever's dates moved (`to`), audits the record's moves as one entry and keeps them
    /// for the administrator's list.
    #[allow(clippy::too_many_arguments)]
    async fn announce(
        &self,
        w: &mut Write,
        year: i16,
        about: RecordRef<'_>,
        unit: &str,
        to: &[String],
        moved: Vec<Moved>,
        out: &mut Vec<CalendarMove>,
    ) -> Result<()> {
        let text = detail(&moved);
        for r in to {
            let m = Message::new(r, Some(about), "deadline_moved").detail(&text);
            self.notify(w, m).await?;
        }
        let (kind, id) = (about.kind.as_str(), about.id);
        let before: Vec<(&str, Date)> =
            moved.iter().map(|m| (m.field.as_str(), m.before)).collect();
        let after: Vec<(&str, Date)> = moved.iter().map(|m| (m.field.as_str(), m.after)).collect();
        w.audit(
            &format!("{kind}.recount"),
            kind,
            id,
            Some(&serde_json::json!({"year": year, "dates": before})),
            Some(&serde_json::json!({"year": year, "dates": after})),
        )
        .await?;
        for m in moved {
            sqlx::query(
                "INSERT INTO calendar_moves (year, moved_at, record_kind, record_id, unit, field, binds,
                    before_date, after_date, days) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(i64::from(year))
            .bind(w.at().to_string())
            .bind(kind)
            .bind(id)
            .bind(unit)
            .bind(&m.field)
            .bind(m.binds.as_str())
            .bind(m.before.to_string())
            .bind(m.after.to_string())
            .bind(m.days)
            .execute(w.conn())
            .await?;
            out.push(CalendarMove {
                year,
                moved_at: w.at().to_string(),
                record_kind: kind.to_string(),
                record_id: id.to_string(),
                unit: unit.to_string(),
                field: m.field,
                binds: m.binds,
                before: m.before,
                after: m.after,
                days: m.days,
            });
        }
        Ok(())
    }

    /// What loading `year` moved, in the order it was recorded (all loads of that year).
    pub async fn calendar_moves(&self, year: i16) -> Result<Vec<CalendarMove>> {
        let rows = sqlx::query(
            "SELECT year, moved_at, record_kind, record_id, unit, field, binds, before_date,
                after_date, days FROM calendar_moves WHERE year = $1 ORDER BY id",
        )
        .bind(i64::from(year))
        .fetch_all(self.reader())
        .await?;
        let date = |r: &sqlx::any::AnyRow, col: &str| -> Result<Date> {
            let s: String = r.try_get(col)?;
            s.parse()
                .map_err(|e| crate::StoreError::Corrupt(format!("calendar_moves.{col}: {e}")))
        };
        rows.iter()
            .map(|r| {
                let binds: String = r.try_get("binds")?;
                Ok(CalendarMove {
                    year: i16::try_from(r.try_get::<i64, _>("year")?).unwrap_or_default(),
                    moved_at: r.try_get("moved_at")?,
                    record_kind: r.try_get("record_kind")?,
                    record_id: r.try_get("record_id")?,
                    unit: r.try_get("unit")?,
                    field: r.try_get("field")?,
                    binds: if binds == "applicant" {
                        Binds::Applicant
                    } else {
                        Binds::Administration
                    },
                    before: date(r, "before_date")?,
                    after: date(r, "after_date")?,
                    days: r.try_get("days")?,
                })
            })
            .collect()
    }
}
