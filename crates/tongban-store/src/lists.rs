//! Lists kept as documents with their history: every edit is a new version, none is changed
//! (the inspection matters and inspectors — 照单监管 —, the three credit lists).

use crate::{Result, Store};
use sqlx::Row;

/// One version of a list document.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ListVersion {
    pub version: i64,
    pub toml: String,
    pub note: String,
    pub author: String,
    pub created_at: String,
}

fn list_version(row: &sqlx::any::AnyRow) -> Result<ListVersion> {
    Ok(ListVersion {
        version: row.try_get("version")?,
        toml: row.try_get("toml")?,
        note: row.try_get("note")?,
        author: row.try_get("author")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Store {
    /// The current version of a list, if it has one.
    pub async fn list_current(&self, list: &str) -> Result<Option<ListVersion>> {
        let row = sqlx::query(
            "SELECT version, toml, note, author, created_at FROM list_versions
             WHERE list = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(list)
        .fetch_optional(self.reader())
        .await?;
        row.as_ref().map(list_version).transpose()
    }

    /// Every version of a list, newest first.
    pub async fn list_history(&self, list: &str) -> Result<Vec<ListVersion>> {
        let rows = sqlx::query(
            "SELECT version, toml, note, author, created_at FROM list_versions
             WHERE list = $1 ORDER BY version DESC",
        )
        .bind(list)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(list_version).collect()
    }

    /// Saves a new version of a list (checked by the caller), audited; returns its number.
    pub async fn save_list(&self, actor: &str, list: &str, toml: &str, note: &str) -> Result<i64> {
        let mut w = self.begin_write(actor).await?;
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM list_versions WHERE list = $1")
                .bind(list)
                .fetch_one(w.conn())
                .await?;
        let version = last.unwrap_or(0) + 1;
        sqlx::query(
            "INSERT INTO list_versions (list, version, toml, note, author, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(list)
        .bind(version)
        .bind(toml)
        .bind(note)
        .bind(actor)
        .bind(w.at().to_string())
        .execute(w.conn())
        .await?;
        let after = serde_json::json!({ "version": version, "note": note,
            "sha256": tongban_domain::inspection::draw::sha256_hex(toml.as_bytes()) });
        w.audit::<(), _>("list.save", list, &version.to_string(), None, Some(&after))
            .await?;
        w.commit().await?;
        Ok(version)
    }
}
