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
    /// Newest entries first, optionally only those of one entity.
    pub async fn audit_entries(
        &self,
        entity: Option<(&str, &str)>,
        page: Page,
    ) -> Result<(Vec<AuditEntry>, i64)> {
        let (filter, e, id) = match entity {
            Some((e, id)) => ("WHERE entity = $3 AND entity_id = $4", e, id),
            None => ("WHERE $3 = $3 AND $4 = $4", "", ""),
        };
        let rows = sqlx::query(sql!(
            "SELECT {COLUMNS} FROM audit_log {filter} ORDER BY seq DESC LIMIT $1 OFFSET $2"
        ))
        .bind(page.limit())
        .bind(page.offset())
        .bind(e)
        .bind(id)
        .fetch_all(self.reader())
        .await?;
        let total: i64 = sqlx::query(sql!(
            "SELECT COUNT(*) AS n FROM audit_log {}",
            filter.replace("$3", "$1").replace("$4", "$2")
        ))
        .bind(e)
        .bind(id)
        .fetch_one(self.reader())
        .await?
        .try_get("n")?;
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
