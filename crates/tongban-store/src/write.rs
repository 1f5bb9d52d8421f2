//! The one write path: a transaction that carries its audit entries.

use crate::{Result, Store, StoreError};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};
use tongban_domain::audit::entry_hash;

/// A write in progress. Obtain with [`Store::begin_write`], change rows through [`Write::conn`],
/// record each change with [`Write::audit`], and finish with [`Write::commit`]. Dropping it
/// without committing rolls everything back, audit entries included.
pub struct Write {
    tx: Transaction<'static, Any>,
    actor: String,
    now: jiff::Timestamp,
    at: String,
    seq: i64,
    last_hash: String,
    /// Bumped after the commit: what this process read before is read again (`read_cache.rs`).
    write_generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Store {
    pub async fn begin_write(&self, actor: &str) -> Result<Write> {
        let mut tx = self.write.begin().await?;
        // Updating the head row first serialises writers on both backends: in SQLite the first
        // write takes the database's write lock (waiting up to busy_timeout); in PostgreSQL the
        // row lock queues concurrent writers. The chain can therefore never fork.
        let head =
            sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, last_hash")
                .fetch_one(&mut *tx)
                .await?;
        let now = self.now();
        Ok(Write {
            tx,
            actor: actor.to_string(),
            now,
            at: crate::rfc3339(now),
            seq: head.try_get("seq")?,
            last_hash: head.try_get("last_hash")?,
            write_generation: self.write_generation.clone(),
        })
    }
}

impl Write {
    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// The timestamp of this write (RFC 3339, district offset).
    pub fn at(&self) -> &str {
        &self.at
    }

    /// The instant of this write, as `at` but for computing.
    pub fn now(&self) -> jiff::Timestamp {
        self.now
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Records the following changes under another actor: an automatic approval's steps are the
    /// rule set's, in the same write as the applicant's submission.
    pub fn act_as(&mut self, actor: &str) {
        self.actor = actor.to_string();
    }

    /// Appends one audit entry: what happened to which entity, with its state before and after
    /// (`None` where there is none).
    pub async fn audit<B: Serialize, A: Serialize>(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: &str,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Result<()> {
        let before = before.map_or_else(|| "null".to_string(), crate::to_json);
        let after = after.map_or_else(|| "null".to_string(), crate::to_json);
        let seq = self.seq + 1;
        let hash = entry_hash(
            &self.last_hash,
            seq,
            &self.at,
            &self.actor,
            action,
            entity,
            entity_id,
            &before,
            &after,
        );
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(seq)
        .bind(&self.at)
        .bind(&self.actor)
        .bind(action)
        .bind(entity)
        .bind(entity_id)
        .bind(&before)
        .bind(&after)
        .bind(&self.last_hash)
        .bind(&hash)
        .execute(&mut *self.tx)
        .await?;
        self.seq = seq;
        self.last_hash = hash;
        Ok(())
    }

    pub async fn commit(mut self) -> Result<()> {
        sqlx::query("UPDATE audit_head SET seq = $1, last_hash = $2 WHERE id = 1")
            .bind(self.seq)
            .bind(&self.last_hash)
            .execute(&mut *self.tx)
            .await?;
        self.tx.commit().await.map_err(StoreError::from)?;
        self.write_generation
            .fetch_add(1, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    /// A record kept as JSON in its table, read inside this write (so it sees the write's own
    /// changes) to be changed; `NotFound` names the kind when there is none.
    pub(crate) async fn read_json<T: serde::de::DeserializeOwned>(
        &mut self,
        table: &'static str,
        column: &'static str,
        entity: &'static str,
        id: &str,
    ) -> Result<T> {
        let row = sqlx::query(sql!("SELECT {column} FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity,
                id: id.to_string(),
            })?;
        crate::json_col(&row, column)
    }
}
