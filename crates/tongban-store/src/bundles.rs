//! Bundles: the bundle row (the plan and where it stands, as JSON) and its part cases, which are
//! ordinary case rows carrying `bundle_id`. [`Store::advance_bundle`] carries out the domain's
//! `advance` inside the write that changed a part, so starting the next parts, issuing the code
//! and cancelling the rest happen atomically with the change that caused them.

use crate::inbox::Message;
use crate::write::Write;
use crate::{Page, Result, Store, StoreError, json_col, to_json};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use tongban_domain::accounts::ApplicantIdentity;
use tongban_domain::bundles::{self, Action, Bundle, BundleKind};
use tongban_domain::cases::{
    self, Actor, ApplicationForm, BundleLink, Case, CaseState, Command, Context, HistoryEntry,
    local_date,
};
use tongban_domain::dashboard::{indicators::Records, tally};
use tongban_domain::ids;
use tongban_domain::records::{RecordKind, RecordRef};

/// The actor name bundles act under when they start or cancel parts.
pub const BUNDLE_ACTOR: &str = "system:bundle";

#[derive(Debug, Clone)]
pub struct BundleRow {
    pub bundle: Bundle,
    pub version: i64,
    pub updated_at: String,
}

fn bundle_row(row: &AnyRow) -> Result<BundleRow> {
    Ok(BundleRow {
        bundle: json_col(row, "bundle_json")?,
        version: row.try_get("version")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn ts(t: Option<jiff::Timestamp>) -> Option<String> {
    t.map(crate::rfc3339)
}

/// A registered market entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enterprise {
    pub uscc: String,
    pub name: String,
    pub registered_at: String,
}

impl Store {
    /// Creates a bundle and starts the parts that need nothing else, in one write. `build` gets
    /// the new bundle number (`B2026-000012`) and the write's time.
    pub async fn create_bundle(
        &self,
        actor: &str,
        build: impl FnOnce(String, jiff::Timestamp) -> Bundle,
    ) -> Result<Bundle> {
        let mut w = self.begin_write(actor).await?;
        let now = w.now();
        let year = local_date(now).year();
        let n = Self::next_counter(&mut w, &format!("bundle:{year}")).await?;
        let b = build(format!("B{year}-{n:06}"), now);
        sqlx::query(
            "INSERT INTO bundles (id, kind, applicant, state, created_at, accepted_at, completed_at,
                version, updated_at, bundle_json)
             VALUES ($1, $2, $3, $4, $5, NULL, NULL, 1, $5, $6)",
        )
        .bind(&b.id)
        .bind(b.kind.as_str())
        .bind(&b.applicant)
        .bind(b.state.as_str())
        .bind(w.at().to_string())
        .bind(to_json(&b))
        .execute(w.conn())
        .await?;
        let after = serde_json::json!({"kind": b.kind, "state": b.state,
            "parts": b.parts.iter().map(|p| &p.key).collect::<Vec<_>>()});
        w.audit("bundle.create", "bundle", &b.id, None::<&()>, Some(&after))
            .await?;
        let b = self.advance_bundle(&mut w, &b.id).await?;
        w.commit().await?;
        Ok(b)
    }

    pub async fn bundle(&self, id: &str) -> Result<Option<BundleRow>> {
        let row = sqlx::query("SELECT bundle_json, version, updated_at FROM bundles WHERE id = $1")
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.map(|r| bundle_row(&r)).transpose()
    }

    /// Bundles of one applicant (newest first), or all of them (by time left: running first,
    /// oldest acceptance first).
    pub async fn list_bundles(
        &self,
        applicant: Option<&str>,
        page: Page,
    ) -> Result<(Vec<BundleRow>, i64)> {
        let rows = sqlx::query(
            "SELECT bundle_json, version, updated_at, COUNT(*) OVER () AS total FROM bundles
             WHERE ($1 = '' OR applicant = $1)
             ORDER BY CASE WHEN state = 'in_progress' THEN 0 ELSE 1 END,
                      CASE WHEN $1 = '' THEN accepted_at ELSE NULL END,
                      created_at DESC, id DESC
             LIMIT $2 OFFSET $3",
        )
        .bind(applicant.unwrap_or(""))
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(self.reader())
        .await?;
        let total = crate::total_of(&rows)?;
        Ok((rows.iter().map(bundle_row).collect::<Result<_>>()?, total))
    }

    /// Every bundle of a kind that has finished, for indicators.
    pub async fn finished_bundles(&self, kind: &str) -> Result<Vec<Bundle>> {
        let rows = sqlx::query(
            "SELECT bundle_json FROM bundles WHERE kind = $1 AND state <> 'in_progress' AND accepted_at IS NOT NULL",
        )
        .bind(kind)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| json_col(r, "bundle_json")).collect()
    }

    /// The part cases of a bundle.
    pub async fn bundle_cases(&self, id: &str) -> Result<Vec<Case>> {
        let rows = sqlx::query("SELECT case_json FROM cases WHERE bundle_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(|r| json_col(r, "case_json")).collect()
    }

    /// Names of the registered market entities.
    pub async fn enterprise_names(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT name FROM enterprises ORDER BY name")
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(|r| Ok(r.try_get("name")?)).collect()
    }

    /// Registers an existing entity (the demo's companies; imports from the registry).
    pub async fn register_enterprise(&self, actor: &str, uscc: &str, name: &str) -> Result<()> {
        let mut w = self.begin_write(actor).await?;
        let at = w.at().to_string();
        sqlx::query("INSERT INTO enterprises (uscc, name, registered_at, bundle_id) VALUES ($1, $2, $3, NULL)")
            .bind(uscc)
            .bind(name)
            .bind(&at)
            .execute(w.conn())
            .await?;
        let after = serde_json::json!({"name": name});
        w.audit(
            "enterprise.register",
            "enterprise",
            uscc,
            None::<&()>,
            Some(&after),
        )
        .await?;
        w.commit().await
    }

    /// Assigns the project manager (项目经理) of a construction project.
    pub async fn set_project_manager(
        &self,
        actor: &str,
        id: &str,
        manager: &str,
    ) -> Result<Bundle> {
        let mut w = self.begin_write(actor).await?;
        let before = Self::bundle_in(&mut w, id).await?;
        let mut b = before.clone();
        b.project_manager = Some(manager.to_string());
        self.save_bundle(&mut w, &before, &b, "bundle.project_manager")
            .await?;
        w.commit().await?;
        Ok(b)
    }

    /// The applicant withdraws a bundle: open parts are cancelled in the same write.
    pub async fn withdraw_bundle(&self, actor: &str, id: &str) -> Result<Bundle> {
        let mut w = self.begin_write(actor).await?;
        let b = Self::bundle_in(&mut w, id).await?;
        if b.applicant != actor {
            return Err(StoreError::Refused(cases::CaseError::Forbidden));
        }
        let (b2, actions) = bundles::withdraw(&b, w.now())?;
        let parts = self.part_cases(&mut w, id).await?;
        self.carry_out(&mut w, &b2, &parts, actions).await?;
        self.save_bundle(&mut w, &b, &b2, "bundle.withdraw").await?;
        let b2 = self.advance_bundle(&mut w, id).await?;
        w.commit().await?;
        Ok(b2)
    }

    async fn bundle_in(w: &mut Write, id: &str) -> Result<Bundle> {
        let row = sqlx::query("SELECT bundle_json FROM bundles WHERE id = $1")
            .bind(id)
            .fetch_optional(w.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "bundle",
                id: id.to_string(),
            })?;
        json_col(&row, "bundle_json")
    }

    async fn part_cases(&self, w: &mut Write, id: &str) -> Result<Vec<Case>> {
        let rows = sqlx::query("SELECT case_json FROM cases WHERE bundle_id = $1")
            .bind(id)
            .fetch_all(w.conn())
            .await?;
        rows.iter().map(|r| json_col(r, "case_json")).collect()
    }

    async fn save_bundle(
        &self,
        w: &mut Write,
        before: &Bundle,
        b: &Bundle,
        action: &str,
    ) -> Result<()> {
        if before == b {
            return Ok(());
        }
        sqlx::query(
            "UPDATE bundles SET state = $2, accepted_at = $3, completed_at = $4,
                version = version + 1, updated_at = $5, bundle_json = $6 WHERE id = $1",
        )
        .bind(&b.id)
        .bind(b.state.as_str())
        .bind(ts(b.accepted_at))
        .bind(ts(b.completed_at))
        .bind(w.at().to_string())
        .bind(to_json(b))
        .execute(w.conn())
        .await?;
        if before.state != b.state {
            // A project's clock needs its cases, as this write has them.
            let cases: Vec<Case> = match b.kind {
                BundleKind::Construction => {
                    let rows = sqlx::query("SELECT case_json FROM cases WHERE bundle_id = $1")
                        .bind(&b.id)
                        .fetch_all(w.conn())
                        .await?;
                    rows.iter()
                        .map(|r| json_col(r, "case_json"))
                        .collect::<Result<_>>()?
                }
                _ => Vec::new(),
            };
            let parts = tally::of_bundle(b, &cases, &self.calendar());
            self.tally(w, Records::Bundles, &b.id, parts).await?;
        }
        if before.state != b.state || before.uscc != b.uscc || action != "bundle.advance" {
            let after = serde_json::json!({"state": b.state, "uscc": b.uscc, "outcome": b.outcome});
            let prior = serde_json::json!({"state": before.state});
            w.audit(action, "bundle", &b.id, Some(&prior), Some(&after))
                .await?;
        }
        Ok(())
    }

    /// Runs the domain's `advance` until it has nothing more to do, carrying out each action in
    /// this write, then stores the bundle.
    pub(crate) async fn advance_bundle(&self, w: &mut Write, id: &str) -> Result<Bundle> {
        let before = Self::bundle_in(w, id).await?;
        let mut b = before.clone();
        // Each round can only start parts that were waiting, so this ends within the plan's depth.
        for _ in 0..=b.parts.len() {
            let parts = self.part_cases(w, id).await?;
            let by_key: HashMap<String, &Case> = parts
                .iter()
                .filter_map(|c| c.bundle.as_ref().map(|l| (l.part.clone(), c)))
                .collect();
            let (next, actions) = bundles::advance(&b, &by_key, w.now());
            b = next;
            if actions.is_empty() {
                break;
            }
            b = self.carry_out(w, &b, &parts, actions).await?;
        }
        self.save_bundle(w, &before, &b, "bundle.advance").await?;
        Ok(b)
    }

    async fn carry_out(
        &self,
        w: &mut Write,
        b: &Bundle,
        parts: &[Case],
        actions: Vec<Action>,
    ) -> Result<Bundle> {
        let mut b = b.clone();
        for action in actions {
            match action {
                Action::Start(key) => self.start_part(w, &b, &key).await?,
                Action::Cancel(key, reason) => {
                    let Some(c) = parts
                        .iter()
                        .find(|c| c.bundle.as_ref().is_some_and(|l| l.part == key))
                    else {
                        continue;
                    };
                    let cmd = Command::Cancel {
                        reason: reason.to_string(),
                    };
                    let cal = self.calendar();
                    let ctx = Context {
                        now: w.now(),
                        calendar: &cal,
                        standing: Default::default(),
                    };
                    let system = Actor {
                        username: BUNDLE_ACTOR,
                        role: tongban_domain::accounts::Role::Admin,
                        unit: None,
                    };
                    let (after, fx) = cases::apply(c, &cmd, &system, &ctx)?;
                    let detail = serde_json::to_value(&cmd).expect("commands serialise");
                    self.write_case_change(w, c, after, fx, "cancel", Some(&detail))
                        .await?;
                }
                Action::IssueUscc => {
                    let uscc = self.issue_uscc(w, &b).await?;
                    if let Some(p) = b.parts.iter().find(|p| p.issues_uscc) {
                        if let Some(c) = parts.iter().find(|c| Some(&c.id) == p.case_id.as_ref()) {
                            let mut after = c.clone();
                            after.issued_uscc = Some(uscc.clone());
                            let detail = serde_json::json!({"uscc": uscc});
                            self.write_case_change(
                                w,
                                c,
                                after,
                                Default::default(),
                                "issue_uscc",
                                Some(&detail),
                            )
                            .await?;
                        }
                    }
                    b.uscc = Some(uscc);
                }
            }
        }
        Ok(b)
    }

    /// Allocates the next unused code in the district and registers the company under it.
    async fn issue_uscc(&self, w: &mut Write, b: &Bundle) -> Result<String> {
        let name = b.form.title().trim().to_string();
        loop {
            let n = Self::next_counter(w, &format!("uscc:{}", bundles::startup::REGION)).await?;
            let uscc = ids::new_enterprise_uscc(bundles::startup::REGION, n as u32)
                .ok_or_else(|| StoreError::Corrupt("uscc serial out of range".into()))?;
            let taken = sqlx::query("SELECT uscc FROM enterprises WHERE uscc = $1")
                .bind(uscc.as_str())
                .fetch_optional(w.conn())
                .await?;
            if taken.is_some() {
                continue;
            }
            let at = w.at().to_string();
            sqlx::query("INSERT INTO enterprises (uscc, name, registered_at, bundle_id) VALUES ($1, $2, $3, $4)")
                .bind(uscc.as_str())
                .bind(&name)
                .bind(&at)
                .bind(&b.id)
                .execute(w.conn())
                .await?;
            let after = serde_json::json!({"name": name, "bundle": b.id});
            w.audit(
                "enterprise.register",
                "enterprise",
                uscc.as_str(),
                None::<&()>,
                Some(&after),
            )
            .await?;
            return Ok(uscc.as_str().to_string());
        }
    }

    /// Creates the part's case, already submitted: the bundle's one form is its application.
    async fn start_part(&self, w: &mut Write, b: &Bundle, key: &str) -> Result<()> {
        let part = b
            .parts
            .iter()
            .find(|p| p.key == key)
            .ok_or_else(|| StoreError::Corrupt(format!("bundle {} has no part {key}", b.id)))?;
        let item =
            self.published_item(&part.item_code)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    entity: "item",
                    id: part.item_code.clone(),
                })?;
        let applicant = self
            .user(&b.applicant)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "user",
                id: b.applicant.clone(),
            })?;
        let id_number = match &applicant.identity {
            Some(ApplicantIdentity::Enterprise(u)) => u.as_str().to_string(),
            Some(ApplicantIdentity::Citizen(i)) => i.as_str().to_string(),
            None => String::new(),
        };
        let now = w.now();
        let id = Self::next_case_id(w, now).await?;
        let (contact_name, contact_phone, address) = b.form.contact();
        let mut case = cases::new_draft(cases::NewCase {
            id,
            guide: &item.guide,
            item_version: item.version,
            applicant: b.applicant.clone(),
            applicant_name: b.applicant_name.clone(),
            applicant_id_number: id_number,
            proxy: None,
            form: ApplicationForm {
                contact_name,
                contact_phone,
                address,
                details: b.form.summary(key, &part.item_name, b.uscc.as_deref()),
                fields: Default::default(),
            },
            now,
        });
        case.cosigners = part.cosigners.clone();
        for m in &mut case.materials {
            if m.shared_by.is_none() {
                m.in_bundle_form = true;
            }
        }
        case.bundle = Some(BundleLink {
            id: b.id.clone(),
            part: key.to_string(),
        });
        case.state = CaseState::Submitted;
        case.submitted_at = Some(now);
        case.history.push(HistoryEntry {
            at: now,
            by: BUNDLE_ACTOR.into(),
            action: "submit".into(),
            note: b.id.clone(),
        });
        self.insert_case(w, &case).await?;
        let unit = format!("unit:{}", case.unit);
        let about = Some(RecordRef::new(RecordKind::Case, &case.id));
        self.notify(w, Message::new(&unit, about, "submitted"))
            .await?;
        Ok(())
    }
}
