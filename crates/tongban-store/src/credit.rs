//! Credit records (信用西湖): entered by units and by the platform, searched by the public, changed
//! by repair, all through the one write.

use crate::write::Write;
use crate::{Result, Store, StoreError, json_col, to_json};
use sqlx::Row;
use tongban_domain::accounts::ApplicantIdentity;
use tongban_domain::calendar::Calendar;
use tongban_domain::cases::local_date;
use tongban_domain::credit::lists::{CreditLists, CreditStanding};
use tongban_domain::credit::{self, CreditKind, CreditRecord, NewRecord, Severity, SubjectKind};
use tongban_domain::dashboard::{indicators::Records, tally};
use tongban_domain::records::{RecordKind, RecordRef};
use tongban_domain::refusal::Refusal;

/// The subject an account stands for in the credit records: an enterprise by its code, a
/// citizen by identity number.
pub fn subject_of(identity: &ApplicantIdentity) -> (SubjectKind, String) {
    match identity {
        ApplicantIdentity::Enterprise(u) => (SubjectKind::Enterprise, u.as_str().to_string()),
        ApplicantIdentity::Citizen(i) => (SubjectKind::Person, i.as_str().to_string()),
    }
}

/// A record's audit view: what it is about and where its clock stands.
fn audit_view(r: &CreditRecord) -> serde_json::Value {
    serde_json::json!({
        "subject": r.entered.subject_id, "kind": r.entered.kind, "severity": r.entered.severity,
        "unit": r.entered.unit, "document": r.entered.document, "window": r.window,
        "repairs": r.repairs.len(), "repaired": r.repaired(),
    })
}

/// The versioned document of the three lists (三清单).
pub const LISTS: &str = "credit_lists";

impl Store {
    /// The three lists as they stand: the last saved version, or the national baseline.
    pub async fn credit_lists(&self) -> Result<CreditLists> {
        match self.list_current(LISTS).await? {
            Some(v) => CreditLists::read(&v.toml)
                .map_err(|e| StoreError::Corrupt(format!("credit lists v{}: {e}", v.version))),
            None => Ok(CreditLists::baseline()),
        }
    }

    /// Where a subject (credit code or identity number) stands under the lists today.
    pub async fn credit_standing(&self, subject_id: &str) -> Result<CreditStanding> {
        let lists = self.credit_lists().await?;
        let records = self.credit_records_of(subject_id).await?;
        Ok(lists.standing(&records, local_date(self.now())))
    }

    /// Where an account's subject stands (nothing for an account without an identity).
    pub async fn credit_standing_of_user(&self, username: &str) -> Result<CreditStanding> {
        let lists = self.credit_lists().await?;
        let records = self.credit_of_user(username).await?;
        Ok(lists.standing(&records, local_date(self.now())))
    }

    /// Enters a record inside a write (the unit's entry, or the platform's own for a broken
    /// commitment), numbered `CR2026-000001`.
    pub(crate) async fn insert_credit_record(
        &self,
        w: &mut Write,
        new: NewRecord,
    ) -> Result<CreditRecord> {
        new.validate().map_err(StoreError::Invalid)?;
        let year = local_date(w.now()).year();
        let n = Self::next_counter(w, &format!("credit:{year}")).await?;
        let r = CreditRecord::new(format!("CR{year}-{n:06}"), new);
        sqlx::query(
            "INSERT INTO credit_records (id, subject_kind, subject_id, subject_name, kind, severity,
                unit, decided_on, publish_from, publish_until, repaired, repair_due, case_id,
                record_json, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, NULL, $11, $12, $13, $13)",
        )
        .bind(&r.id)
        .bind(r.entered.subject_kind.as_str())
        .bind(&r.entered.subject_id)
        .bind(&r.entered.subject_name)
        .bind(r.entered.kind.as_str())
        .bind(r.entered.severity.as_str())
        .bind(&r.entered.unit)
        .bind(r.entered.decided_on.to_string())
        .bind(r.window.map(|w| w.from.to_string()))
        .bind(r.window.and_then(|w| w.until).map(|d| d.to_string()))
        .bind(&r.entered.case_id)
        .bind(to_json(&r))
        .bind(w.at().to_string())
        .execute(w.conn())
        .await?;
        let about = RecordRef::new(RecordKind::CreditRecord, &r.id);
        self.record_changed(w, about, "credit.record", None::<&()>, &audit_view(&r), &[])
            .await?;
        Ok(r)
    }

    /// Enters a record in its own write.
    pub async fn record_credit(&self, actor: &str, new: NewRecord) -> Result<CreditRecord> {
        let mut w = self.begin_write(actor).await?;
        let r = self.insert_credit_record(&mut w, new).await?;
        w.commit().await?;
        Ok(r)
    }

    /// Enters many records in one write: all of them, or none (an import).
    pub async fn record_credit_many(
        &self,
        actor: &str,
        news: Vec<NewRecord>,
    ) -> Result<Vec<String>> {
        let mut w = self.begin_write(actor).await?;
        let mut ids = Vec::with_capacity(news.len());
        for new in news {
            ids.push(self.insert_credit_record(&mut w, new).await?.id);
        }
        w.commit().await?;
        Ok(ids)
    }

    pub async fn credit_record(&self, id: &str) -> Result<Option<CreditRecord>> {
        self.json_by("credit_records", "record_json", "id", id)
            .await
    }

    /// Every record of one subject, newest decision first.
    pub async fn credit_records_of(&self, subject_id: &str) -> Result<Vec<CreditRecord>> {
        let rows = sqlx::query(
            "SELECT record_json FROM credit_records WHERE subject_id = $1
             ORDER BY decided_on DESC, id DESC",
        )
        .bind(subject_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| json_col(r, "record_json")).collect()
    }

    /// Records ever published whose subject's name contains `q` or whose code is `q` (persons
    /// are found by name only), newest first; the caller decides what today shows.
    pub async fn search_credit(&self, q: &str, limit: i64) -> Result<Vec<CreditRecord>> {
        let rows = sqlx::query(
            "SELECT record_json FROM credit_records
             WHERE publish_from IS NOT NULL
               AND ((subject_kind = 'enterprise' AND subject_id = $1) OR subject_name LIKE $2)
             ORDER BY decided_on DESC, id DESC LIMIT $3",
        )
        .bind(q.trim())
        .bind(format!("%{}%", q.trim()))
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| json_col(r, "record_json")).collect()
    }

    /// The records of one kind ever published (red and black lists), newest first.
    pub async fn credit_list(&self, kinds: &[CreditKind], limit: i64) -> Result<Vec<CreditRecord>> {
        let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        let rows = sqlx::query(
            "SELECT record_json FROM credit_records
             WHERE publish_from IS NOT NULL AND $1 LIKE '%,' || kind || ',%'
             ORDER BY decided_on DESC, id DESC LIMIT $2",
        )
        .bind(format!(",{},", kinds.join(",")))
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| json_col(r, "record_json")).collect()
    }

    /// Changes a record in one write: `f` gets the record, the calendar and today and returns
    /// the next record or the domain's refusal.
    pub async fn change_credit_record(
        &self,
        actor: &str,
        id: &str,
        action: &str,
        f: impl FnOnce(
            &CreditRecord,
            &Calendar,
            jiff::civil::Date,
        ) -> Result<(CreditRecord, credit::Effects), Refusal>,
    ) -> Result<CreditRecord> {
        let mut w = self.begin_write(actor).await?;
        let before: CreditRecord = w
            .read_json("credit_records", "record_json", "credit_record", id)
            .await?;
        let calendar = self.calendar();
        let (r, fx) = f(&before, &calendar, local_date(w.now()))?;
        sqlx::query(
            "UPDATE credit_records SET repaired = $2, repair_due = $3, record_json = $4,
                updated_at = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(i64::from(r.repaired()))
        // The column holds whatever the unit owes first (a repair decision or a dispute answer).
        .bind(r.unit_due().map(|d| d.to_string()))
        .bind(to_json(&r))
        .bind(w.at().to_string())
        .execute(w.conn())
        .await?;
        self.tally(
            &mut w,
            Records::CreditRecords,
            id,
            tally::of_credit_record(&r),
        )
        .await?;
        let about = RecordRef::new(RecordKind::CreditRecord, id);
        let (b, a) = (audit_view(&before), audit_view(&r));
        self.record_changed(
            &mut w,
            about,
            &format!("credit.{action}"),
            Some(&b),
            &a,
            &fx.messages,
        )
        .await?;
        w.commit().await?;
        Ok(r)
    }

    /// A unit's records: those with a repair to decide first, by deadline, then the newest.
    pub async fn credit_records_of_unit(
        &self,
        unit: &str,
        limit: i64,
    ) -> Result<Vec<CreditRecord>> {
        let rows = sqlx::query(
            "SELECT record_json FROM credit_records WHERE unit = $1
             ORDER BY CASE WHEN repair_due IS NULL THEN 1 ELSE 0 END, repair_due,
                      decided_on DESC, id DESC
             LIMIT $2",
        )
        .bind(unit)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| json_col(r, "record_json")).collect()
    }

    /// The records that bear on an account's subject (none for accounts without an identity).
    pub async fn credit_of_user(&self, username: &str) -> Result<Vec<CreditRecord>> {
        let identity = match self.user(username).await? {
            Some(u) => u.identity,
            None => None,
        };
        match identity {
            Some(i) => self.credit_records_of(&subject_of(&i).1).await,
            None => Ok(Vec::new()),
        }
    }

    /// Credit marks of earlier versions (`credit_marks`: a false promise from a case, or a
    /// serious bad-credit mark entered by hand) become credit records, in one write, each
    /// audited; the marks are removed once moved, so this runs once. A mark on an account
    /// without an identity has no subject to move to and stays.
    pub(crate) async fn migrate_credit_marks(&self) -> Result<usize> {
        let rows = sqlx::query(
            "SELECT m.id, m.subject, m.kind, m.case_id, m.note, m.created_at, u.identity_json,
                    u.display_name, c.unit
             FROM credit_marks m JOIN users u ON u.username = m.subject
             LEFT JOIN cases c ON c.id = m.case_id
             WHERE u.identity_json IS NOT NULL ORDER BY m.id",
        )
        .fetch_all(self.reader())
        .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut w = self.begin_write("system").await?;
        for row in &rows {
            let identity: ApplicantIdentity = json_col(row, "identity_json")?;
            let (subject_kind, subject_id) = subject_of(&identity);
            let kind: String = row.try_get("kind")?;
            let created: String = row.try_get("created_at")?;
            let decided_on = created
                .get(..10)
                .and_then(|d| d.parse().ok())
                .ok_or_else(|| StoreError::Corrupt(format!("credit mark date {created}")))?;
            let case_id: Option<String> = row.try_get("case_id")?;
            let false_promise = kind == "false_promise";
            let new = NewRecord {
                subject_kind,
                subject_id,
                subject_name: row.try_get("display_name")?,
                kind: if false_promise {
                    CreditKind::BrokenCommitment
                } else {
                    CreditKind::SeriousDishonesty
                },
                severity: if false_promise {
                    Severity::Ordinary
                } else {
                    Severity::Serious
                },
                unit: row
                    .try_get::<Option<String>, _>("unit")?
                    .unwrap_or_else(|| credit::CREDIT_OFFICE.to_string()),
                document: case_id.clone().unwrap_or_else(|| {
                    format!("credit_marks#{}", row.try_get::<i64, _>("id").unwrap_or(0))
                }),
                decided_on,
                legal_basis: if false_promise {
                    credit::COMMITMENT_BASIS.into()
                } else {
                    credit::SERIOUS_DISHONESTY_BASIS.into()
                },
                summary: row.try_get("note")?,
                publish_months: None,
                case_id,
            };
            self.insert_credit_record(&mut w, new).await?;
            sqlx::query("DELETE FROM credit_marks WHERE id = $1")
                .bind(row.try_get::<i64, _>("id")?)
                .execute(w.conn())
                .await?;
        }
        w.commit().await?;
        Ok(rows.len())
    }
}

// ---- government integrity (政务诚信) -----------------------------------------------------------

use tongban_domain::credit::integrity::{NewPromise, Promise};

fn promise_view(p: &Promise) -> serde_json::Value {
    serde_json::json!({
        "unit": p.promised.unit, "enterprise": p.promised.enterprise, "due": p.promised.due,
        "fulfilled_on": p.fulfilment.as_ref().map(|f| f.on),
    })
}

impl Store {
    /// Enters a commitment of the district (checked by the caller), numbered `ZW2026-0001`.
    pub async fn enter_promise(&self, actor: &str, new: NewPromise) -> Result<Promise> {
        let mut w = self.begin_write(actor).await?;
        let year = local_date(w.now()).year();
        let n = Self::next_counter(&mut w, &format!("promise:{year}")).await?;
        let p = Promise {
            id: format!("ZW{year}-{n:04}"),
            promised: new,
            entered_by: actor.to_string(),
            fulfilment: None,
        };
        sqlx::query(
            "INSERT INTO gov_promises (id, unit, enterprise, due, fulfilled_on, promise_json,
                created_at, updated_at) VALUES ($1, $2, $3, $4, NULL, $5, $6, $6)",
        )
        .bind(&p.id)
        .bind(&p.promised.unit)
        .bind(&p.promised.enterprise)
        .bind(p.promised.due.to_string())
        .bind(to_json(&p))
        .bind(w.at().to_string())
        .execute(w.conn())
        .await?;
        let about = RecordRef::new(RecordKind::GovPromise, &p.id);
        self.record_changed(
            &mut w,
            about,
            "promise.enter",
            None::<&()>,
            &promise_view(&p),
            &[],
        )
        .await?;
        w.commit().await?;
        Ok(p)
    }

    pub async fn promise(&self, id: &str) -> Result<Option<Promise>> {
        self.json_by("gov_promises", "promise_json", "id", id).await
    }

    /// Every commitment, by due date.
    pub async fn promises(&self, limit: i64) -> Result<Vec<Promise>> {
        let rows = sqlx::query("SELECT promise_json FROM gov_promises ORDER BY due, id LIMIT $1")
            .bind(limit)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(|r| json_col(r, "promise_json")).collect()
    }

    /// Records a fulfilment in one write: `f` gets the commitment and today.
    pub async fn fulfil_promise(
        &self,
        actor: &str,
        id: &str,
        f: impl FnOnce(&Promise, jiff::civil::Date) -> Result<Promise, Refusal>,
    ) -> Result<Promise> {
        let mut w = self.begin_write(actor).await?;
        let before: Promise = w
            .read_json("gov_promises", "promise_json", "gov_promise", id)
            .await?;
        let p = f(&before, local_date(w.now()))?;
        sqlx::query(
            "UPDATE gov_promises SET fulfilled_on = $2, promise_json = $3, updated_at = $4
             WHERE id = $1",
        )
        .bind(id)
        .bind(p.fulfilment.as_ref().map(|f| f.on.to_string()))
        .bind(to_json(&p))
        .bind(w.at().to_string())
        .execute(w.conn())
        .await?;
        let about = RecordRef::new(RecordKind::GovPromise, id);
        let (b, a) = (promise_view(&before), promise_view(&p));
        self.record_changed(&mut w, about, "promise.fulfil", Some(&b), &a, &[])
            .await?;
        w.commit().await?;
        Ok(p)
    }
}
