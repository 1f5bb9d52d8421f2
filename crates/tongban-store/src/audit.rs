//! Reading and verifying the audit trail.

use crate::{Page, Result, Store};
use sqlx::Row;
use sqlx::any::AnyRow;
use tongban_domain::audit::{AuditEntry, ChainBreak, ChainVerifier};

fn entry(row: &AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        entity: row.try_get("entity")?,
        entity_id: row.try_get("entity_id")?,
        before: row.try_get("before_json")?,
        after: row.try_get("after_json")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

const COLUMNS: &str =
    "seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash";

impl Store {
    /// Newest entries first; `entity` and `entity_id` filter when not empty.
    pub async fn audit_entries(
        &self,
        entity: &str,
        entity_id: &str,
        page: Page,
    ) -> Result<(Vec<AuditEntry>, i64)> {
        const FILTER: &str =
            "FROM audit_log WHERE ($1 = '' OR entity = $1) AND ($2 = '' OR entity_id = $2)";
        let rows = sqlx::query(sql!(
            "SELECT {COLUMNS} {FILTER} ORDER BY seq DESC LIMIT $3 OFFSET $4"
        ))
        .bind(entity)
        .bind(entity_id)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(self.reader())
        .await?;
        let total: i64 = sqlx::query_scalar(sql!("SELECT COUNT(*) {FILTER}"))
            .bind(entity)
            .bind(entity_id)
            .fetch_one(self.reader())
            .await?;
        Ok((rows.iter().map(entry).collect::<Result<_>>()?, total))
    }

    /// Walks the whole chain from the first entry and checks every link and hash against the
    /// head. Returns the number of entries, or the first break.
    pub async fn verify_audit(&self) -> Result<Result<i64, ChainBreak>> {
        let head = sqlx::query("SELECT seq, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(self.reader())
            .await?;
        let (head_seq, head_hash): (i64, String) =
            (head.try_get("seq")?, head.try_get("last_hash")?);
        let mut verifier = ChainVerifier::default();
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(sql!(
                "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000"
            ))
            .bind(after)
            .fetch_all(self.reader())
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let e = entry(row)?;
                if let Err(b) = verifier.check(&e) {
                    return Ok(Err(b));
                }
                after = e.seq;
            }
        }
        Ok(verifier.finish(head_seq, &head_hash))
    }
}
