//! Rule sets (every saved version), the decisions they made with the facts they read, the
//! items decided automatically, and the enterprise facts policies are matched on.

use crate::write::Write;
use crate::{Result, Store, StoreError, json_col, to_json};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongban_domain::FieldErrors;
use tongban_domain::rules::{self, Decision, Facts, RuleSet, Value};

/// One saved version of a rule set.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleSetRow {
    pub code: String,
    pub version: i64,
    pub name: String,
    /// `draft` or `published`.
    pub status: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub source: String,
    pub created_by: String,
    pub created_at: String,
    pub published_at: Option<String>,
}

impl RuleSetRow {
    /// Compiles the stored text again (it was valid when saved; the fact list only grows).
    pub fn compile(&self) -> Result<RuleSet> {
        let mut rs = rules::compile(&self.source).map_err(|e| {
            StoreError::Corrupt(format!("rule set {}@v{}: {e:?}", self.code, self.version))
        })?;
        rs.version = self.version;
        Ok(rs)
    }
}

fn rule_set_row(r: &AnyRow) -> Result<RuleSetRow> {
    Ok(RuleSetRow {
        code: r.try_get("code")?,
        version: r.try_get("version")?,
        name: r.try_get("name")?,
        status: r.try_get("status")?,
        valid_from: r.try_get("valid_from")?,
        valid_to: r.try_get("valid_to")?,
        source: r.try_get("source")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        published_at: r.try_get("published_at")?,
    })
}

const RS_COLUMNS: &str = "code, version, name, status, valid_from, valid_to, source, created_by, created_at, published_at";

/// A past decision, as what-if replays it.
#[derive(Debug, Clone, Serialize)]
pub struct PastDecision {
    pub subject_kind: String,
    pub subject_id: String,
    pub subject_name: String,
    pub decided_at: String,
    pub facts: Facts,
    pub decision: Decision,
}

impl Store {
    /// Saves a checked rule set as its next version, as a draft or published at once.
    pub async fn save_rule_set(&self, actor: &str, rs: &RuleSet, publish: bool) -> Result<i64> {
        let mut w = self.begin_write(actor).await?;
        let row = sqlx::query("SELECT MAX(version) AS v FROM rule_sets WHERE code = $1")
            .bind(&rs.code)
            .fetch_one(w.conn())
            .await?;
        let version = row.try_get::<Option<i64>, _>("v")?.unwrap_or(0) + 1;
        let at = w.at().to_string();
        sqlx::query(
            "INSERT INTO rule_sets (code, version, name, status, valid_from, valid_to, source, created_by, created_at, published_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&rs.code)
        .bind(version)
        .bind(&rs.name)
        .bind(if publish { "published" } else { "draft" })
        .bind(rs.valid_from.to_string())
        .bind(rs.valid_to.map(|d| d.to_string()))
        .bind(&rs.source)
        .bind(actor)
        .bind(&at)
        .bind(publish.then_some(at.clone()))
        .execute(w.conn())
        .await?;
        let after = serde_json::json!({
            "version": version, "status": if publish { "published" } else { "draft" },
            "valid_from": rs.valid_from, "valid_to": rs.valid_to,
        });
        w.audit(
            "rule_set.save",
            "rule_set",
            &rs.code,
            None::<&()>,
            Some(&after),
        )
        .await?;
        w.commit().await?;
        Ok(version)
    }

    /// Publishes a saved draft version.
    pub async fn publish_rule_set(&self, actor: &str, code: &str, version: i64) -> Result<()> {
        let mut w = self.begin_write(actor).await?;
        let at = w.at().to_string();
        let n = sqlx::query(
            "UPDATE rule_sets SET status = 'published', published_at = $3
             WHERE code = $1 AND version = $2 AND status = 'draft'",
        )
        .bind(code)
        .bind(version)
        .bind(&at)
        .execute(w.conn())
        .await?
        .rows_affected();
        if n == 0 {
            let exists = self.rule_set_version(code, version).await?.is_some();
            return Err(if exists {
                StoreError::Conflict {
                    field: "version",
                    code: "already_published",
                }
            } else {
                StoreError::NotFound {
                    entity: "rule_set",
                    id: format!("{code}@v{version}"),
                }
            });
        }
        let b = serde_json::json!({"version": version, "status": "draft"});
        let a = serde_json::json!({"version": version, "status": "published"});
        w.audit("rule_set.publish", "rule_set", code, Some(&b), Some(&a))
            .await?;
        w.commit().await
    }

    pub async fn rule_set_version(&self, code: &str, version: i64) -> Result<Option<RuleSetRow>> {
        let r = sqlx::query(sql!(
            "SELECT {RS_COLUMNS} FROM rule_sets WHERE code = $1 AND version = $2"
        ))
        .bind(code)
        .bind(version)
        .fetch_optional(self.reader())
        .await?;
        r.as_ref().map(rule_set_row).transpose()
    }

    /// Every version of one rule set, newest first.
    pub async fn rule_set_versions(&self, code: &str) -> Result<Vec<RuleSetRow>> {
        let rows = sqlx::query(sql!(
            "SELECT {RS_COLUMNS} FROM rule_sets WHERE code = $1 ORDER BY version DESC"
        ))
        .bind(code)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(rule_set_row).collect()
    }

    /// The newest version of every rule set.
    pub async fn rule_sets(&self) -> Result<Vec<RuleSetRow>> {
        let rows = sqlx::query(sql!(
            "SELECT {RS_COLUMNS} FROM rule_sets r
             WHERE version = (SELECT MAX(version) FROM rule_sets x WHERE x.code = r.code)
             ORDER BY code"
        ))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(rule_set_row).collect()
    }

    /// The published version that governs decisions on `date`: of the versions valid that
    /// day, the one published last.
    pub async fn rule_set_in_force(
        &self,
        code: &str,
        date: jiff::civil::Date,
    ) -> Result<Option<RuleSet>> {
        let rows = sqlx::query(sql!(
            "SELECT {RS_COLUMNS} FROM rule_sets WHERE code = $1 AND status = 'published'
             AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)
             ORDER BY version DESC"
        ))
        .bind(code)
        .bind(date.to_string())
        .fetch_all(self.reader())
        .await?;
        match rows.first() {
            Some(r) => Ok(Some(rule_set_row(r)?.compile()?)),
            None => Ok(None),
        }
    }

    /// Records a decision with its facts, inside the write that acts on it.
    pub(crate) async fn record_decision(
        &self,
        w: &mut Write,
        subject_kind: &str,
        subject_id: &str,
        subject_name: &str,
        facts: &Facts,
        d: &Decision,
    ) -> Result<()> {
        let at = w.at().to_string();
        sqlx::query(
            "INSERT INTO rule_decisions (rule_set, version, subject_kind, subject_id, subject_name,
                decided_at, outcome, amount_fen, facts_json, decision_json)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&d.rule_set)
        .bind(d.version)
        .bind(subject_kind)
        .bind(subject_id)
        .bind(subject_name)
        .bind(&at)
        .bind(d.outcome.as_str())
        .bind(d.amount_fen)
        .bind(to_json(facts))
        .bind(to_json(d))
        .execute(w.conn())
        .await?;
        Ok(())
    }

    /// The newest decisions a rule set made (any version), for what-if.
    pub async fn past_decisions(&self, code: &str, limit: i64) -> Result<Vec<PastDecision>> {
        let rows = sqlx::query(
            "SELECT subject_kind, subject_id, subject_name, decided_at, facts_json, decision_json
             FROM rule_decisions WHERE rule_set = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(code)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PastDecision {
                    subject_kind: r.try_get("subject_kind")?,
                    subject_id: r.try_get("subject_id")?,
                    subject_name: r.try_get("subject_name")?,
                    decided_at: r.try_get("decided_at")?,
                    facts: json_col(r, "facts_json")?,
                    decision: json_col(r, "decision_json")?,
                })
            })
            .collect()
    }

    /// The rule set that decides an item automatically, if any.
    pub async fn item_rule(&self, item_code: &str) -> Result<Option<String>> {
        let r = sqlx::query("SELECT rule_set FROM item_rules WHERE item_code = $1")
            .bind(item_code)
            .fetch_optional(self.reader())
            .await?;
        Ok(r.map(|r| r.try_get("rule_set")).transpose()?)
    }

    pub async fn item_rules(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT item_code, rule_set FROM item_rules ORDER BY item_code")
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("item_code")?, r.try_get("rule_set")?)))
            .collect()
    }

    /// Marks an item for automatic approval by a rule set (`None`: back to clerks).
    pub async fn set_item_rule(
        &self,
        actor: &str,
        item_code: &str,
        rule_set: Option<&str>,
    ) -> Result<()> {
        if self.published_item(item_code).await?.is_none() {
            return Err(FieldErrors::single("item_code", "unknown_item").into());
        }
        if let Some(code) = rule_set
            && self.rule_set_versions(code).await?.is_empty()
        {
            return Err(FieldErrors::single("rule_set", "unknown_rule_set").into());
        }
        let before = self.item_rule(item_code).await?;
        let mut w = self.begin_write(actor).await?;
        sqlx::query("DELETE FROM item_rules WHERE item_code = $1")
            .bind(item_code)
            .execute(w.conn())
            .await?;
        if let Some(code) = rule_set {
            let at = w.at().to_string();
            sqlx::query(
                "INSERT INTO item_rules (item_code, rule_set, updated_at) VALUES ($1, $2, $3)",
            )
            .bind(item_code)
            .bind(code)
            .bind(&at)
            .execute(w.conn())
            .await?;
        }
        let b = serde_json::json!({ "rule_set": before });
        let a = serde_json::json!({ "rule_set": rule_set });
        w.audit("item.auto_approval", "item", item_code, Some(&b), Some(&a))
            .await?;
        w.commit().await
    }

    /// Sets what the platform knows about an enterprise (its `enterprise.*` facts).
    pub async fn set_enterprise_facts(&self, actor: &str, uscc: &str, facts: &Facts) -> Result<()> {
        let mut w = self.begin_write(actor).await?;
        let before = sqlx::query("SELECT facts_json FROM enterprises WHERE uscc = $1")
            .bind(uscc)
            .fetch_optional(w.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "enterprise",
                id: uscc.into(),
            })?;
        let before: Option<String> = before.try_get("facts_json")?;
        sqlx::query("UPDATE enterprises SET facts_json = $2 WHERE uscc = $1")
            .bind(uscc)
            .bind(to_json(facts))
            .execute(w.conn())
            .await?;
        let before: Option<serde_json::Value> = before.and_then(|b| serde_json::from_str(&b).ok());
        w.audit(
            "enterprise.facts",
            "enterprise",
            uscc,
            Some(&before),
            Some(facts),
        )
        .await?;
        w.commit().await
    }

    /// The facts a rule set reads about an enterprise: its stored `enterprise.*` facts, its
    /// credit (no mark against any account of this code), and the day of judgement.
    pub async fn enterprise_facts(
        &self,
        uscc: &str,
        today: jiff::civil::Date,
    ) -> Result<Option<(String, Facts)>> {
        let Some(r) = sqlx::query("SELECT name, facts_json FROM enterprises WHERE uscc = $1")
            .bind(uscc)
            .fetch_optional(self.reader())
            .await?
        else {
            return Ok(None);
        };
        let lists = self.credit_lists().await?;
        let standing = lists.standing(&self.credit_records_of(uscc).await?, today);
        Ok(Some((
            r.try_get("name")?,
            enterprise_facts_of(uscc, r.try_get("facts_json")?, &standing, today)?,
        )))
    }

    /// Every enterprise with stored facts, as `enterprise_facts` gives them, in two queries:
    /// (code, name, facts), by code.
    pub async fn all_enterprise_facts(
        &self,
        today: jiff::civil::Date,
    ) -> Result<Vec<(String, String, Facts)>> {
        // Every enterprise's published records, for its standing under the lists today.
        let lists = self.credit_lists().await?;
        let mut records: std::collections::HashMap<
            String,
            Vec<tongban_domain::credit::CreditRecord>,
        > = std::collections::HashMap::new();
        for row in sqlx::query(
            "SELECT record_json FROM credit_records
             WHERE subject_kind = 'enterprise' AND publish_from IS NOT NULL",
        )
        .fetch_all(self.reader())
        .await?
        {
            let c: tongban_domain::credit::CreditRecord = json_col(&row, "record_json")?;
            records
                .entry(c.entered.subject_id.clone())
                .or_default()
                .push(c);
        }
        let rows = sqlx::query(
            "SELECT uscc, name, facts_json FROM enterprises WHERE facts_json IS NOT NULL ORDER BY uscc",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let uscc: String = r.try_get("uscc")?;
                let standing =
                    lists.standing(records.get(&uscc).map_or(&[][..], Vec::as_slice), today);
                let facts = enterprise_facts_of(&uscc, r.try_get("facts_json")?, &standing, today)?;
                Ok((uscc, r.try_get("name")?, facts))
            })
            .collect()
    }
}

/// Stored facts completed with credit, kind and the day of judgement. For a policy an
/// enterprise's credit is good while no dishonest behaviour of the lists counts against it.
fn enterprise_facts_of(
    uscc: &str,
    stored: Option<String>,
    standing: &tongban_domain::credit::lists::CreditStanding,
    today: jiff::civil::Date,
) -> Result<Facts> {
    let mut facts: Facts = match stored {
        Some(s) => serde_json::from_str(&s)
            .map_err(|e| StoreError::Corrupt(format!("facts of {uscc}: {e}")))?,
        None => Facts::new(),
    };
    facts.insert(
        "applicant.credit_good".into(),
        Value::Bool(!standing.dishonest),
    );
    for (k, v) in standing.facts() {
        facts.insert(k.into(), Value::Bool(v));
    }
    facts.insert("applicant.is_enterprise".into(), Value::Bool(true));
    facts.insert("today".into(), Value::Date(today));
    Ok(facts)
}
