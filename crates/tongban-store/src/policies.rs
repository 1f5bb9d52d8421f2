//! Benefit policies, declarations and grants, joint sign-off, budget and payout. The budget is
//! reserved by a conditional UPDATE in the write that approves, so no two approvals can spend
//! the same money, on either store.

use crate::inbox::Message;
use crate::write::Write;
use crate::{Result, Store, StoreError, json_col, to_json};
use serde::Serialize;
use sqlx::Row;
use tongban_domain::dashboard::{indicators::Records, tally};
use tongban_domain::policies::{
    AfterSignOff, Claimant, Declaration, DeclarationState, DeclaredMaterial, Policy,
};
use tongban_domain::records::{RecordKind, RecordRef};
use tongban_domain::rules::{Decision, Facts, Outcome};

#[derive(Debug, Clone, Serialize)]
pub struct PolicyRow {
    #[serde(flatten)]
    pub policy: Policy,
    pub committed_fen: i64,
    pub paid_fen: i64,
}

impl PolicyRow {
    pub fn remaining_fen(&self) -> i64 {
        self.policy.budget_fen - self.committed_fen
    }
}

/// Which declarations to list.
#[derive(Debug, Clone, Default)]
pub struct DeclarationFilter {
    pub policy: Option<String>,
    pub uscc: Option<String>,
    /// Still waiting for this department's sign-off.
    pub pending_unit: Option<String>,
    pub state: Option<DeclarationState>,
}

const POLICY_COLUMNS: &str = "policy_json, committed_fen, paid_fen";

fn policy_row(r: &sqlx::any::AnyRow) -> Result<PolicyRow> {
    Ok(PolicyRow {
        policy: json_col(r, "policy_json")?,
        committed_fen: r.try_get("committed_fen")?,
        paid_fen: r.try_get("paid_fen")?,
    })
}

fn pending_units(d: &Declaration) -> String {
    let p = d.pending_units();
    if d.state != DeclarationState::UnderReview || p.is_empty() {
        String::new()
    } else {
        format!(",{},", p.join(","))
    }
}

impl Store {
    /// Tells the enterprise (every account of its code) and, when it awaits payment, the payer.
    async fn notify_claim(&self, w: &mut Write, d: &Declaration, payer: &str) -> Result<()> {
        let kind = match d.state {
            DeclarationState::UnderReview => return Ok(()),
            DeclarationState::Approved => "declaration_approved",
            DeclarationState::Rejected => "declaration_rejected",
            DeclarationState::BudgetExhausted => "declaration_budget_exhausted",
            DeclarationState::Paid => "declaration_paid",
        };
        let accounts = sqlx::query("SELECT username FROM users WHERE identity_json LIKE $1")
            .bind(format!("%\"{}\"%", d.uscc))
            .fetch_all(w.conn())
            .await?;
        let about = Some(RecordRef::new(RecordKind::Declaration, &d.id));
        for r in accounts {
            let user = format!("user:{}", r.try_get::<String, _>("username")?);
            self.notify(w, Message::new(&user, about, kind)).await?;
        }
        if d.state == DeclarationState::Approved {
            let unit = format!("unit:{payer}");
            self.notify(w, Message::new(&unit, about, "declaration_to_pay"))
                .await?;
        }
        Ok(())
    }

    /// Creates or replaces a policy. Its budget may not fall below what is already reserved.
    pub async fn save_policy(&self, actor: &str, p: &Policy) -> Result<()> {
        let mut w = self.begin_write(actor).await?;
        let before = sqlx::query("SELECT policy_json, committed_fen FROM policies WHERE code = $1")
            .bind(&p.code)
            .fetch_optional(w.conn())
            .await?;
        let at = w.at().to_string();
        match &before {
            Some(r) => {
                let committed: i64 = r.try_get("committed_fen")?;
                if p.budget_fen < committed {
                    return Err(StoreError::Conflict {
                        field: "budget_fen",
                        code: "budget_below_committed",
                    });
                }
                sqlx::query(
                    "UPDATE policies SET policy_json = $2, budget_fen = $3, updated_at = $4 WHERE code = $1",
                )
                .bind(&p.code)
                .bind(to_json(p))
                .bind(p.budget_fen)
                .bind(&at)
                .execute(w.conn())
                .await?;
            }
            None => {
                sqlx::query(
                    "INSERT INTO policies (code, policy_json, budget_fen, committed_fen, paid_fen, updated_at)
                     VALUES ($1, $2, $3, 0, 0, $4)",
                )
                .bind(&p.code)
                .bind(to_json(p))
                .bind(p.budget_fen)
                .bind(&at)
                .execute(w.conn())
                .await?;
            }
        }
        let b: Option<Policy> = before
            .as_ref()
            .map(|r| json_col(r, "policy_json"))
            .transpose()?;
        w.audit("policy.save", "policy", &p.code, b.as_ref(), Some(p))
            .await?;
        w.commit().await
    }

    pub async fn policies(&self) -> Result<Vec<PolicyRow>> {
        let rows = sqlx::query(sql!("SELECT {POLICY_COLUMNS} FROM policies ORDER BY code"))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(policy_row).collect()
    }

    pub async fn policy(&self, code: &str) -> Result<Option<PolicyRow>> {
        let row = sqlx::query(sql!(
            "SELECT {POLICY_COLUMNS} FROM policies WHERE code = $1"
        ))
        .bind(code)
        .fetch_optional(self.reader())
        .await?;
        row.as_ref().map(policy_row).transpose()
    }

    async fn next_declaration_id(w: &mut Write) -> Result<String> {
        let year = tongban_domain::cases::local_date(w.now()).year();
        let n = Self::next_counter(w, &format!("declaration:{year}")).await?;
        Ok(format!("ZC{year}-{n:06}"))
    }

    async fn insert_declaration(&self, w: &mut Write, d: &Declaration) -> Result<()> {
        let r = sqlx::query(
            "INSERT INTO declarations (id, policy, uscc, state, amount_fen, declared_at, paid_on,
                pending_units, declaration_json)
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8) ON CONFLICT (policy, uscc) DO NOTHING",
        )
        .bind(&d.id)
        .bind(&d.policy)
        .bind(&d.uscc)
        .bind(d.state.as_str())
        .bind(d.amount_fen)
        .bind(w.at().to_string())
        .bind(pending_units(d))
        .bind(to_json(d))
        .execute(w.conn())
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                field: "policy",
                code: "already_declared",
            });
        }
        Ok(())
    }

    async fn update_declaration(&self, w: &mut Write, d: &Declaration) -> Result<()> {
        sqlx::query(
            "UPDATE declarations SET state = $2, paid_on = $3, pending_units = $4, declaration_json = $5
             WHERE id = $1",
        )
        .bind(&d.id)
        .bind(d.state.as_str())
        .bind(d.payout.as_ref().map(|p| p.paid_on.to_string()))
        .bind(pending_units(d))
        .bind(to_json(d))
        .execute(w.conn())
        .await?;
        if d.payout.is_some() {
            // Paid: the payout counts for the policy's paying unit.
            let row = sqlx::query("SELECT policy_json FROM policies WHERE code = $1")
                .bind(&d.policy)
                .fetch_one(w.conn())
                .await?;
            let policy: tongban_domain::policies::Policy = json_col(&row, "policy_json")?;
            let parts = tally::of_declaration(d, &policy.payer, &self.calendar());
            self.tally(w, Records::Declarations, &d.id, parts).await?;
        }
        Ok(())
    }

    /// Reserves `amount` from the policy's budget; false when it would overspend.
    async fn reserve_budget(w: &mut Write, policy: &str, amount: i64) -> Result<bool> {
        let at = w.at().to_string();
        let n = sqlx::query(
            "UPDATE policies SET committed_fen = committed_fen + $2, updated_at = $3
             WHERE code = $1 AND committed_fen + $2 <= budget_fen",
        )
        .bind(policy)
        .bind(amount)
        .bind(&at)
        .execute(w.conn())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    async fn declaration_in(w: &mut Write, id: &str) -> Result<Declaration> {
        w.read_json("declarations", "declaration_json", "declaration", id)
            .await
    }

    /// An enterprise declares: the rules' decision (a pass with an amount) and the materials
    /// go to the policy's departments for joint sign-off.
    #[allow(clippy::too_many_arguments)]
    pub async fn declare(
        &self,
        actor: &str,
        policy: &Policy,
        uscc: &str,
        enterprise_name: &str,
        facts: &Facts,
        decision: Decision,
        materials: Vec<DeclaredMaterial>,
    ) -> Result<Declaration> {
        let mut w = self.begin_write(actor).await?;
        let id = Self::next_declaration_id(&mut w).await?;
        let who = Claimant {
            uscc,
            enterprise_name,
            declared_by: Some(actor),
        };
        let d = Declaration::new(
            id.clone(),
            policy,
            who,
            decision.clone(),
            materials,
            w.now(),
        );
        self.insert_declaration(&mut w, &d).await?;
        self.record_decision(
            &mut w,
            "declaration",
            &id,
            enterprise_name,
            facts,
            &decision,
        )
        .await?;
        for unit in &d.departments {
            let to = format!("unit:{unit}");
            let about = Some(RecordRef::new(RecordKind::Declaration, &id));
            self.notify(&mut w, Message::new(&to, about, "declaration_submitted"))
                .await?;
        }
        let after = serde_json::json!({"state": d.state, "policy": d.policy, "uscc": d.uscc, "amount_fen": d.amount_fen});
        w.audit(
            "declaration.create",
            "declaration",
            &id,
            None::<&()>,
            Some(&after),
        )
        .await?;
        w.commit().await?;
        Ok(d)
    }

    /// 免申即享: grants a policy to one qualifying enterprise without a declaration, reserving
    /// the budget in the same write. Returns `None` when it was granted before.
    pub async fn grant(
        &self,
        actor: &str,
        policy: &Policy,
        uscc: &str,
        enterprise_name: &str,
        facts: &Facts,
        decision: Decision,
    ) -> Result<Option<Declaration>> {
        let mut w = self.begin_write(actor).await?;
        let exists = sqlx::query("SELECT id FROM declarations WHERE policy = $1 AND uscc = $2")
            .bind(&policy.code)
            .bind(uscc)
            .fetch_optional(w.conn())
            .await?;
        if exists.is_some() {
            return Ok(None);
        }
        let id = Self::next_declaration_id(&mut w).await?;
        let who = Claimant {
            uscc,
            enterprise_name,
            declared_by: None,
        };
        let d = Declaration::new(
            id.clone(),
            policy,
            who,
            decision.clone(),
            Vec::new(),
            w.now(),
        );
        let amount = d.amount_fen;
        let reserved = Self::reserve_budget(&mut w, &policy.code, amount).await?;
        let d = d.budget_reserved(reserved, w.now());
        self.insert_declaration(&mut w, &d).await?;
        self.record_decision(&mut w, "grant", &id, enterprise_name, facts, &decision)
            .await?;
        self.notify_claim(&mut w, &d, &policy.payer).await?;
        let after = serde_json::json!({"state": d.state, "policy": d.policy, "uscc": d.uscc, "amount_fen": amount});
        w.audit(
            "declaration.grant",
            "declaration",
            &id,
            None::<&()>,
            Some(&after),
        )
        .await?;
        w.commit().await?;
        Ok(Some(d))
    }

    /// A department signs a declaration; the last agreement reserves the budget.
    pub async fn sign_declaration(
        &self,
        actor: &str,
        unit: &str,
        id: &str,
        approved: bool,
        opinion: &str,
    ) -> Result<Declaration> {
        let mut w = self.begin_write(actor).await?;
        let current = Self::declaration_in(&mut w, id).await?;
        let before = current.state;
        let now = w.now();
        let (mut d, next) = current.sign_off(unit, actor, approved, opinion, now)?;
        if next == AfterSignOff::ReserveBudget {
            let reserved = Self::reserve_budget(&mut w, &d.policy, d.amount_fen).await?;
            d = d.budget_reserved(reserved, now);
        }
        self.update_declaration(&mut w, &d).await?;
        if d.state != before {
            let payer = self
                .policy(&d.policy)
                .await?
                .map(|p| p.policy.payer)
                .unwrap_or_default();
            self.notify_claim(&mut w, &d, &payer).await?;
        }
        let b = serde_json::json!({"state": before});
        let a = serde_json::json!({"state": d.state, "unit": unit, "approved": approved, "opinion": opinion});
        w.audit(
            "declaration.sign_off",
            "declaration",
            id,
            Some(&b),
            Some(&a),
        )
        .await?;
        w.commit().await?;
        Ok(d)
    }

    /// The paying department records the payment (date and voucher).
    pub async fn pay_declaration(
        &self,
        actor: &str,
        unit: &str,
        id: &str,
        paid_on: jiff::civil::Date,
        voucher: &str,
    ) -> Result<Declaration> {
        let mut w = self.begin_write(actor).await?;
        let d = Self::declaration_in(&mut w, id).await?;
        let policy = self
            .policy(&d.policy)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "policy",
                id: d.policy.clone(),
            })?;
        if policy.policy.payer != unit {
            return Err(StoreError::Conflict {
                field: "unit",
                code: "not_the_payer",
            });
        }
        let now = w.now();
        let today = tongban_domain::cases::local_date(now);
        let d = d.pay(paid_on, voucher, actor, now, today)?;
        self.update_declaration(&mut w, &d).await?;
        self.notify_claim(&mut w, &d, unit).await?;
        self.issue_grant_licence(&mut w, &d, unit).await?;
        sqlx::query("UPDATE policies SET paid_fen = paid_fen + $2 WHERE code = $1")
            .bind(&d.policy)
            .bind(d.amount_fen)
            .execute(w.conn())
            .await?;
        let b = serde_json::json!({"state": DeclarationState::Approved});
        let a = serde_json::json!({"state": d.state, "paid_on": paid_on, "voucher": voucher});
        w.audit("declaration.pay", "declaration", id, Some(&b), Some(&a))
            .await?;
        w.commit().await?;
        Ok(d)
    }

    pub async fn declaration(&self, id: &str) -> Result<Option<Declaration>> {
        self.json_by("declarations", "declaration_json", "id", id)
            .await
    }

    /// Declarations and grants, newest first.
    pub async fn declarations(
        &self,
        f: &DeclarationFilter,
        limit: i64,
    ) -> Result<Vec<Declaration>> {
        let mut conds = vec!["1 = 1".to_string()];
        let mut binds: Vec<String> = Vec::new();
        let mut add = |col: &str, op: &str, v: String| {
            binds.push(v);
            conds.push(format!("{col} {op} ${}", binds.len()));
        };
        if let Some(p) = &f.policy {
            add("policy", "=", p.clone());
        }
        if let Some(u) = &f.uscc {
            add("uscc", "=", u.clone());
        }
        if let Some(u) = &f.pending_unit {
            add("pending_units", "LIKE", format!("%,{u},%"));
        }
        if let Some(s) = f.state {
            add("state", "=", s.as_str().to_string());
        }
        let sql = sql!(
            "SELECT declaration_json FROM declarations WHERE {} ORDER BY declared_at DESC, id DESC LIMIT {}",
            conds.join(" AND "),
            limit.max(0)
        );
        let mut q = sqlx::query(sql);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(self.reader()).await?;
        rows.iter()
            .map(|r| json_col(r, "declaration_json"))
            .collect()
    }
}

/// One policy judged for one enterprise (`None`: no rule-set version in force today).
#[derive(Debug, Clone, Serialize)]
pub struct PolicyMatch {
    pub policy: PolicyRow,
    pub decision: Option<Decision>,
}

/// What a 免申即享 run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GrantReport {
    pub granted: u32,
    pub budget_exhausted: u32,
    pub already_granted: u32,
    pub not_eligible: u32,
    pub undecided: u32,
}

impl Store {
    /// Judges one enterprise against every policy open today.
    pub async fn match_enterprise(
        &self,
        uscc: &str,
        today: jiff::civil::Date,
    ) -> Result<Option<(String, Facts, Vec<PolicyMatch>)>> {
        let Some((name, facts)) = self.enterprise_facts(uscc, today).await? else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for p in self.policies().await? {
            if !p.policy.open_on(today) {
                continue;
            }
            let decision = self
                .rule_set_in_force(&p.policy.rule_set, today)
                .await?
                .map(|rs| rs.decide(&facts));
            out.push(PolicyMatch {
                policy: p,
                decision,
            });
        }
        Ok(Some((name, facts, out)))
    }

    /// The rule set that decides claims on a policy today: refused while the policy is closed
    /// or no version is in force.
    pub async fn policy_rule_set(
        &self,
        policy: &Policy,
        today: jiff::civil::Date,
    ) -> Result<tongban_domain::rules::RuleSet> {
        if !policy.open_on(today) {
            return Err(StoreError::Conflict {
                field: "policy",
                code: "policy_closed",
            });
        }
        self.rule_set_in_force(&policy.rule_set, today)
            .await?
            .ok_or(StoreError::Conflict {
                field: "rule_set",
                code: "no_rule_set_in_force",
            })
    }

    /// 免申即享: grants an exempt policy to every qualifying enterprise not yet granted, each in
    /// its own write (so a run can stop and be run again).
    pub async fn grant_exempt(&self, actor: &str, code: &str) -> Result<GrantReport> {
        let today = tongban_domain::cases::local_date(self.now());
        let p = self
            .policy(code)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "policy",
                id: code.into(),
            })?;
        if !p.policy.exempt {
            return Err(StoreError::Conflict {
                field: "policy",
                code: "not_exempt",
            });
        }
        let rs = self.policy_rule_set(&p.policy, today).await?;
        // Judge everyone column-wise first; only those who pass are judged again with the
        // trace their grant keeps.
        let all = self.all_enterprise_facts(today).await?;
        let facts: Vec<Facts> = all.iter().map(|(_, _, f)| f.clone()).collect();
        let results = rs.decide_batch(&tongban_domain::rules::batch::Batch::from_facts(&facts));
        let mut report = GrantReport::default();
        for ((uscc, name, facts), r) in all.iter().zip(results) {
            match (r.outcome, r.amount_fen) {
                (Outcome::Pass, Some(a)) if a > 0 => {
                    match self
                        .grant(actor, &p.policy, uscc, name, facts, rs.decide(facts))
                        .await?
                    {
                        None => report.already_granted += 1,
                        Some(g) if g.state == DeclarationState::Approved => report.granted += 1,
                        Some(_) => report.budget_exhausted += 1,
                    }
                }
                (Outcome::Undecided, _) => report.undecided += 1,
                _ => report.not_eligible += 1,
            }
        }
        Ok(report)
    }
}
