//! Cases: the aggregate as JSON plus the columns that lists, work queues and the clock job query.
//!
//! Every change goes through [`Store::change_case`]: inside one write it reads the case, lets
//! the domain decide, numbers the notices the change produced, recomputes the clock columns,
//! writes the row, queues the inbox messages and appends the audit entry. A crash at any point
//! leaves either the whole change or none of it.

use crate::write::Write;
use crate::{Page, Result, Store, StoreError, json_col, to_json};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongban_domain::calendar::Calendar;
use tongban_domain::cases::{
    Case, CaseError, CaseState, ClockView, Effects, FileRef, Notice, NoticeKind, local_date,
};
use tongban_domain::dashboard::{indicators::Records, tally};
use tongban_domain::records::{RecordKind, RecordRef};

pub mod auto_approval;
pub mod clock_job;

pub use clock_job::ClockReport;

/// A case as read back, with its optimistic version and the clock status last stored.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub case: Case,
    pub version: i64,
    pub clock_status: String,
    pub updated_at: String,
}

/// Sort orders for case lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CaseOrder {
    /// Newest first (the applicant's list).
    #[default]
    Newest,
    /// Least time left first (the work queue, the overdue board).
    DueFirst,
}

/// Which cases to list. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Cases where this account is the applicant or the agent.
    pub party: Option<String>,
    pub unit: Option<String>,
    pub states: Vec<CaseState>,
    /// Stored clock statuses (`due_soon`, `overdue`, …).
    pub clock: Vec<&'static str>,
    pub order: CaseOrder,
}

/// A file the government already holds for an applicant, offered for reuse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeldFile {
    pub case_id: String,
    pub item_name: String,
    pub material: String,
    pub file: FileRef,
}

const CASE_COLUMNS: &str = "case_json, version, clock_status, updated_at";

fn case_row(row: &AnyRow) -> Result<CaseRow> {
    Ok(CaseRow {
        case: json_col(row, "case_json")?,
        version: row.try_get("version")?,
        clock_status: row.try_get("clock_status")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The columns derived from the case and its clock.
pub(crate) struct Derived {
    pub(crate) legal_due: Option<String>,
    pub(crate) promised_due: Option<String>,
    pub(crate) commitment_due: Option<String>,
    pub(crate) clock_status: &'static str,
}

pub(crate) fn derive(c: &Case, cal: &Calendar, now: jiff::Timestamp) -> Result<Derived> {
    let view = ClockView::compute(c, now, cal).map_err(CaseError::from)?;
    Ok(Derived {
        legal_due: view.legal_due.map(|d| d.to_string()),
        promised_due: view.promised_due.map(|d| d.to_string()),
        commitment_due: c
            .commitments
            .iter()
            .filter(|m| m.fulfilled_at.is_none() && !m.broken)
            .map(|m| m.due)
            .min()
            .map(|d| d.to_string()),
        clock_status: view.status.as_str(),
    })
}

fn ts(t: Option<jiff::Timestamp>) -> Option<String> {
    t.map(crate::rfc3339)
}

/// What the audit trail keeps of a case change: the state before and after and the command,
/// not the whole aggregate (the case row holds that).
#[derive(Serialize)]
struct AuditView<'a> {
    state: CaseState,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a serde_json::Value>,
}

impl Store {
    /// Next value of a named sequence, inside the write.
    pub(crate) async fn next_counter(w: &mut Write, name: &str) -> Result<i64> {
        let row = sqlx::query("UPDATE counters SET next = next + 1 WHERE name = $1 RETURNING next")
            .bind(name)
            .fetch_optional(w.conn())
            .await?;
        if let Some(r) = row {
            return Ok(r.try_get("next")?);
        }
        sqlx::query("INSERT INTO counters (name, next) VALUES ($1, 1)")
            .bind(name)
            .execute(w.conn())
            .await?;
        Ok(1)
    }

    /// Creates a case. `build` receives the new case number (`2026-000123`) and the write's time.
    pub async fn create_case(
        &self,
        actor: &str,
        build: impl FnOnce(String, jiff::Timestamp) -> Case,
    ) -> Result<Case> {
        let mut w = self.begin_write(actor).await?;
        let now = w.now();
        let id = Self::next_case_id(&mut w, now).await?;
        let case = build(id, now);
        self.insert_case(&mut w, &case).await?;
        w.commit().await?;
        Ok(case)
    }

    pub(crate) async fn next_case_id(w: &mut Write, now: jiff::Timestamp) -> Result<String> {
        let year = local_date(now).year();
        let n = Self::next_counter(w, &format!("case:{year}")).await?;
        Ok(format!("{year}-{n:06}"))
    }

    /// Inserts a new case row with its audit entry, inside a write.
    pub(crate) async fn insert_case(&self, w: &mut Write, case: &Case) -> Result<()> {
        let d = derive(case, &self.calendar(), w.now())?;
        sqlx::query(
            "INSERT INTO cases (id, item_code, unit, applicant, agent, state, created_at, submitted_at,
                accepted_at, decided_at, closed_at, legal_due, promised_due, commitment_due,
                clock_status, version, updated_at, case_json, bundle_id, cosign_units)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, NULL, $9, $10, $11, $12, 1, $7, $13, $14, $15)",
        )
        .bind(&case.id)
        .bind(&case.item_code)
        .bind(&case.unit)
        .bind(&case.applicant)
        .bind(case.proxy.as_ref().map(|p| p.agent.clone()))
        .bind(case.state.as_str())
        .bind(w.at().to_string())
        .bind(ts(case.submitted_at))
        .bind(d.legal_due)
        .bind(d.promised_due)
        .bind(d.commitment_due)
        .bind(d.clock_status)
        .bind(to_json(case))
        .bind(case.bundle.as_ref().map(|b| b.id.clone()))
        .bind((!case.cosigners.is_empty()).then(|| format!(",{},", case.cosigners.join(","))))
        .execute(w.conn())
        .await?;
        let after = serde_json::json!({
            "state": case.state, "item": case.item_code, "applicant": case.applicant,
            "agent": case.proxy.as_ref().map(|p| &p.agent),
            "bundle": case.bundle.as_ref().map(|b| &b.id),
        });
        w.audit("case.create", "case", &case.id, None::<&()>, Some(&after))
            .await?;
        let parts = tally::of_case(case, &self.calendar());
        self.tally_new(w, Records::Cases, &case.id, parts).await
    }

    pub async fn case(&self, id: &str) -> Result<Option<CaseRow>> {
        let row = sqlx::query(sql!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.map(|r| case_row(&r)).transpose()
    }

    /// Reads a case inside a write (sees the write's own changes).
    pub(crate) async fn case_in(w: &mut Write, id: &str) -> Result<Case> {
        let row = sqlx::query(sql!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"))
            .bind(id)
            .fetch_optional(w.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "case",
                id: id.to_string(),
            })?;
        Ok(case_row(&row)?.case)
    }

    /// Changes a case in one write. `f` gets the current case, the calendar and the write's time
    /// and returns the new case with its effects, or the domain's refusal. `detail` (the command,
    /// say) goes into the audit entry beside the states. A case that is part of a bundle moves
    /// its bundle on in the same write.
    pub async fn change_case(
        &self,
        actor: &str,
        id: &str,
        action: &str,
        detail: Option<&serde_json::Value>,
        f: impl FnOnce(&Case, &Calendar, jiff::Timestamp) -> Result<(Case, Effects), CaseError>,
    ) -> Result<Case> {
        self.change_case_with_rules(actor, id, action, detail, f, None)
            .await
    }

    /// Writes a decided change inside a write: numbers its notices, recomputes the clock
    /// columns, writes the row, queues the messages, records credit, appends the audit entry.
    pub(crate) async fn write_case_change(
        &self,
        w: &mut Write,
        before: &Case,
        mut case: Case,
        fx: Effects,
        action: &str,
        detail: Option<&serde_json::Value>,
    ) -> Result<Case> {
        let now = w.now();
        let cal = self.calendar();
        let year = local_date(now).year();
        // A notice states the legal due date as it stood when it was issued, and whether it was
        // counted over a year whose holiday notice is not loaded yet.
        let (legal_due, mut provisional) = if fx.notices.is_empty() {
            (None, false)
        } else {
            let view = ClockView::compute(&case, now, &cal).map_err(CaseError::from)?;
            (view.legal_due, view.provisional)
        };
        let supply_by = case
            .correction
            .as_ref()
            .filter(|c| c.corrected_at.is_none())
            .and_then(|c| c.supply_by);
        provisional |=
            supply_by.is_some_and(|d| !cal.provisional_years(local_date(now), d).is_empty());
        for kind in &fx.notices {
            let counter = format!("notice:{}:{}:{year}", case.unit, kind.as_str());
            let n = Self::next_counter(w, &counter).await?;
            case.notices.push(Notice {
                kind: *kind,
                number: format!("{}{}字〔{year}〕第{n:04}号", case.unit, kind.number_word()),
                issued_at: now,
                legal_due,
                supply_by: supply_by.filter(|_| *kind == NoticeKind::Correction),
                provisional,
            });
        }
        let d = derive(&case, &cal, now)?;
        sqlx::query(
            "UPDATE cases SET state = $2, submitted_at = $3, accepted_at = $4, decided_at = $5,
                closed_at = $6, legal_due = $7, promised_due = $8, commitment_due = $9,
                clock_status = $10, version = version + 1, updated_at = $11, case_json = $12,
                green_channel = $13
             WHERE id = $1",
        )
        .bind(&case.id)
        .bind(case.state.as_str())
        .bind(ts(case.submitted_at))
        .bind(ts(case.accepted_at))
        .bind(ts(case.decision.as_ref().map(|d| d.at)))
        .bind(ts(case.closed_at))
        .bind(d.legal_due)
        .bind(d.promised_due)
        .bind(d.commitment_due)
        .bind(d.clock_status)
        .bind(w.at().to_string())
        .bind(to_json(&case))
        .bind(i64::from(case.green_channel))
        .execute(w.conn())
        .await?;
        self.tally(w, Records::Cases, &case.id, tally::of_case(&case, &cal))
            .await?;
        if fx.false_promise {
            self.record_broken_commitment(w, &case).await?;
        }
        if case.state == CaseState::Issued && before.state != CaseState::Issued {
            self.record_licence(w, &case).await?;
            self.issue_licence_for(w, &case).await?;
        }
        let b = AuditView {
            state: before.state,
            detail: None,
        };
        let a = AuditView {
            state: case.state,
            detail,
        };
        let about = RecordRef::new(RecordKind::Case, &case.id);
        let messages = fx.messages(&case);
        self.record_changed(w, about, &format!("case.{action}"), Some(&b), &a, &messages)
            .await?;
        Ok(case)
    }

    /// Lists cases with the total count, for queues, boards and the applicant's list.
    pub async fn list_cases(&self, f: &CaseFilter, page: Page) -> Result<(Vec<CaseRow>, i64)> {
        let mut conds: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let param = |binds: &mut Vec<String>, v: String| {
            binds.push(v);
            format!("${}", binds.len())
        };
        if let Some(p) = &f.party {
            let a = param(&mut binds, p.clone());
            conds.push(format!("(applicant = {a} OR agent = {a})"));
        }
        if let Some(u) = &f.unit {
            // A unit's cases: those it handles and the joint ones it co-signs.
            let a = param(&mut binds, u.clone());
            let b = param(&mut binds, format!("%,{u},%"));
            conds.push(format!("(unit = {a} OR cosign_units LIKE {b})"));
        }
        if !f.states.is_empty() {
            let list: Vec<String> = f
                .states
                .iter()
                .map(|s| param(&mut binds, s.as_str().to_string()))
                .collect();
            conds.push(format!("state IN ({})", list.join(", ")));
        }
        if !f.clock.is_empty() {
            let list: Vec<String> = f
                .clock
                .iter()
                .map(|s| param(&mut binds, (*s).to_string()))
                .collect();
            conds.push(format!("clock_status IN ({})", list.join(", ")));
        }
        let where_ = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        let order = match f.order {
            CaseOrder::Newest => "created_at DESC, id DESC",
            CaseOrder::DueFirst => {
                // Running clocks by time left (the overdue first), then received cases waiting
                // for acceptance (oldest first), then decided cases waiting for their result,
                // then closed cases at the end; within each, the green channel (a trustworthy
                // applicant, by the credit lists) first.
                "CASE WHEN state IN ('issued', 'rejected', 'refused', 'withdrawn', 'revoked') THEN 3
                      WHEN decided_at IS NOT NULL THEN 2
                      WHEN promised_due IS NULL THEN 1 ELSE 0 END,
                 green_channel DESC, promised_due, legal_due, submitted_at, id"
            }
        };
        let limit = param(&mut binds, String::new());
        let offset = param(&mut binds, String::new());
        let text = format!(
            "SELECT {CASE_COLUMNS}, COUNT(*) OVER () AS total FROM cases {where_}
             ORDER BY {order} LIMIT {limit} OFFSET {offset}"
        );
        let n = binds.len();
        let mut q = sqlx::query(sqlx::AssertSqlSafe(text));
        for b in &binds[..n - 2] {
            q = q.bind(b.clone());
        }
        let rows = q
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(self.lagging_reader())
            .await?;
        let total = crate::total_of(&rows)?;
        let cases = rows.iter().map(case_row).collect::<Result<Vec<_>>>()?;
        Ok((cases, total))
    }

    /// Cases decided or closed, for indicators (optionally of one unit).
    pub async fn finished_cases(&self, unit: Option<&str>) -> Result<Vec<Case>> {
        let rows = sqlx::query(
            "SELECT case_json FROM cases WHERE accepted_at IS NOT NULL
               AND (decided_at IS NOT NULL OR closed_at IS NOT NULL)
               AND ($1 = '' OR unit = $1)",
        )
        .bind(unit.unwrap_or(""))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| json_col(r, "case_json")).collect()
    }

    /// Files the applicant already handed in on earlier cases, newest first, one per material name.
    pub async fn held_files(&self, applicant: &str, except_case: &str) -> Result<Vec<HeldFile>> {
        let rows = sqlx::query(
            "SELECT case_json FROM cases WHERE applicant = $1 AND id <> $2 AND state <> 'draft'
             ORDER BY created_at DESC",
        )
        .bind(applicant)
        .bind(except_case)
        .fetch_all(self.reader())
        .await?;
        let mut out: Vec<HeldFile> = Vec::new();
        for r in rows {
            let c: Case = json_col(&r, "case_json")?;
            for m in c.materials {
                if let Some(file) = m.file {
                    if !out.iter().any(|h| h.material == m.name) {
                        out.push(HeldFile {
                            case_id: c.id.clone(),
                            item_name: c.item_name.clone(),
                            material: m.name,
                            file,
                        });
                    }
                }
            }
        }
        Ok(out)
    }

    /// Cases in a public notice period (公告期) now, oldest first.
    pub async fn public_notices(&self) -> Result<Vec<Case>> {
        let rows = sqlx::query(
            "SELECT case_json FROM cases WHERE state = 'paused' ORDER BY accepted_at, id",
        )
        .fetch_all(self.lagging_reader())
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let c: Case = json_col(&r, "case_json")?;
            if c.open_pause()
                .is_some_and(|p| p.kind == tongban_domain::cases::PauseKind::PublicNotice)
            {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Whether the measures list bars written commitments (告知承诺) for an account's subject,
    /// as its credit records stand today.
    pub async fn commitment_barred(&self, username: &str) -> Result<bool> {
        Ok(self
            .credit_standing_of_user(username)
            .await?
            .has(tongban_domain::credit::lists::Effect::NoCommitment))
    }

    /// A licence the platform issues to an enterprise is a credit record (行政许可, published
    /// under 双公示) of the issuing unit, in the case's write. Licences of citizens are not
    /// published: the law publishes those of legal persons and other organisations.
    async fn record_licence(&self, w: &mut Write, case: &Case) -> Result<()> {
        use tongban_domain::credit::{CreditKind, NewRecord, Severity, SubjectKind};
        if tongban_domain::ids::Uscc::parse(&case.applicant_id_number).is_err() {
            return Ok(());
        }
        let basis = format!("《中华人民共和国行政许可法》；{}", case.item_name);
        let new = NewRecord {
            subject_kind: SubjectKind::Enterprise,
            subject_id: case.applicant_id_number.clone(),
            subject_name: case.applicant_name.clone(),
            kind: CreditKind::Licence,
            severity: Severity::Minor,
            unit: case.unit.clone(),
            document: case
                .notices
                .iter()
                .rev()
                .find(|n| n.kind == NoticeKind::Approval)
                .map_or_else(|| case.id.clone(), |n| n.number.clone()),
            decided_on: local_date(w.now()),
            legal_basis: basis,
            summary: case.item_name.clone(),
            publish_months: None,
            case_id: Some(case.id.clone()),
        };
        self.insert_credit_record(w, new).await?;
        Ok(())
    }

    /// A false promise found on a case becomes a credit record of its applicant, decided by the
    /// case's unit, and (for an enterprise) a risk warning to its supervisor, in the case's write.
    async fn record_broken_commitment(&self, w: &mut Write, case: &Case) -> Result<()> {
        use tongban_domain::credit::{self, CreditKind, NewRecord, Severity, SubjectKind};
        let subject_kind = if tongban_domain::ids::Uscc::parse(&case.applicant_id_number).is_ok() {
            SubjectKind::Enterprise
        } else {
            SubjectKind::Person
        };
        let new = NewRecord {
            subject_kind,
            subject_id: case.applicant_id_number.clone(),
            subject_name: case.applicant_name.clone(),
            kind: CreditKind::BrokenCommitment,
            severity: Severity::Ordinary,
            unit: case.unit.clone(),
            document: case.id.clone(),
            decided_on: local_date(w.now()),
            legal_basis: credit::COMMITMENT_BASIS.into(),
            summary: case.item_name.clone(),
            publish_months: None,
            case_id: Some(case.id.clone()),
        };
        self.insert_credit_record(w, new).await?;
        // An enterprise that broke a promise is a risk: the market regulator verifies it.
        if subject_kind == SubjectKind::Enterprise {
            let warning = tongban_domain::inspection::warning::NewWarning {
                entity: case.applicant_id_number.clone(),
                entity_name: case.applicant_name.clone(),
                unit: tongban_domain::inspection::warning::ENTITY_SUPERVISOR.into(),
                reason: format!(
                    "办件{}（{}）中作出的告知承诺经核查不实",
                    case.id, case.item_name
                ),
            };
            let source = tongban_domain::inspection::warning::WarningSource::BrokenCommitment;
            self.insert_warning(w, warning, source).await?;
        }
        Ok(())
    }
}
