//! Witnesses of the log: a registered party fetches checkpoints, checks each is consistent with
//! the last it saw, and cosigns it; the log publishes the cosignatures beside its own signature,
//! so a verifier who trusts a witness knows the log showed everyone the same tree.

use crate::{Result, Store, StoreError};
use sqlx::Row;
use tongban_domain::FieldErrors;
use tongban_domain::licences::note::{self, Checkpoint, VerifierKey};

impl Store {
    /// The registered witnesses' keys.
    pub async fn witness_keys(&self) -> Result<Vec<VerifierKey>> {
        let rows: Vec<String> = sqlx::query_scalar("SELECT vkey FROM log_witnesses ORDER BY name")
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|k| {
                VerifierKey::parse(k).map_err(|e| StoreError::Corrupt(format!("witness key: {e}")))
            })
            .collect()
    }

    /// Registers a witness by its verifier key (administrators), audited.
    pub async fn register_witness(&self, actor: &str, vkey: &str) -> Result<VerifierKey> {
        let key = VerifierKey::parse(vkey)
            .map_err(|e| StoreError::Invalid(FieldErrors::single("key", e.code())))?;
        let mut w = self.begin_write(actor).await?;
        let at = w.at().to_string();
        sqlx::query("DELETE FROM log_witnesses WHERE name = $1")
            .bind(&key.name)
            .execute(w.conn())
            .await?;
        sqlx::query("INSERT INTO log_witnesses (name, vkey, added_at) VALUES ($1, $2, $3)")
            .bind(&key.name)
            .bind(key.to_string())
            .bind(at)
            .execute(w.conn())
            .await?;
        w.audit(
            "log.witness_registered",
            "log_witness",
            &key.name,
            None::<&()>,
            Some(&key.to_string()),
        )
        .await?;
        w.commit().await?;
        Ok(key)
    }

    /// Keeps a witness's cosignature of the checkpoint of `size`: the signature line must be a
    /// registered witness's and verify over that checkpoint's text. Again for the same size:
    /// nothing new.
    pub async fn add_cosignature(&self, size: u64, line: &str) -> Result<String> {
        let refused =
            |code: &'static str| StoreError::Invalid(FieldErrors::single("cosignature", code));
        let note_text: String =
            sqlx::query_scalar("SELECT note FROM log_checkpoints WHERE size = $1")
                .bind(size as i64)
                .fetch_optional(self.reader())
                .await?
                .ok_or_else(|| refused("unknown_checkpoint"))?;
        let (text, _) = note::split(&note_text).map_err(|_| refused("malformed_note"))?;
        let line = format!("{}\n", line.trim_end());
        let candidate = format!("{text}\n{line}");
        let witnesses = self.witness_keys().await?;
        let (_, names) = note::open(&candidate, &witnesses).map_err(|e| refused(e.code()))?;
        let name = names
            .into_iter()
            .next()
            .ok_or_else(|| refused("unverified"))?;
        Checkpoint::parse(text).map_err(|_| refused("malformed_checkpoint"))?;
        let mut w = self.begin_write(&format!("witness:{name}")).await?;
        let done: Option<i64> = sqlx::query_scalar(
            "SELECT size FROM log_cosignatures WHERE size = $1 AND witness = $2",
        )
        .bind(size as i64)
        .bind(&name)
        .fetch_optional(w.conn())
        .await?;
        if done.is_none() {
            let at = w.at().to_string();
            sqlx::query(
                "INSERT INTO log_cosignatures (size, witness, line, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(size as i64)
            .bind(&name)
            .bind(&line)
            .bind(at)
            .execute(w.conn())
            .await?;
            w.audit(
                "log.cosigned",
                "log_checkpoint",
                &size.to_string(),
                None::<&()>,
                Some(&name),
            )
            .await?;
        }
        w.commit().await?;
        Ok(name)
    }

    /// A checkpoint note with its witnesses' cosignatures after the log's signature.
    pub(crate) async fn with_cosignatures(&self, size: u64, note_text: String) -> Result<String> {
        let rows =
            sqlx::query("SELECT line FROM log_cosignatures WHERE size = $1 ORDER BY witness")
                .bind(size as i64)
                .fetch_all(self.reader())
                .await?;
        let mut out = note_text;
        for r in rows {
            out.push_str(&r.try_get::<String, _>("line")?);
        }
        Ok(out)
    }
}
