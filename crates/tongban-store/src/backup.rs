//! What a backup needs from the store: a consistent copy of the embedded database taken while
//! the server runs, the audit chain's head to name what the copy holds, and a check of the
//! uploaded files against their names (each is named by its SHA-256). PostgreSQL is copied by
//! its own `pg_dump` (the binary's `backup.rs`).

use crate::{Backend, Result, Store, StoreError};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::path::{Path, PathBuf};

/// The files directory as checked: every blob, and those whose bytes do not match their name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileCheck {
    /// `(sha256, bytes)` of every blob, sorted.
    pub blobs: Vec<(String, u64)>,
    pub mismatched: Vec<String>,
}

impl Store {
    /// Writes a consistent copy of the SQLite database to `dest` (which must not exist) while
    /// readers and the writer go on: `VACUUM INTO` reads one snapshot.
    pub async fn copy_sqlite_into(&self, dest: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Files("VACUUM INTO is SQLite's".into()));
        }
        let path = dest
            .to_str()
            .ok_or_else(|| StoreError::Files(format!("{}: not UTF-8", dest.display())))?;
        // A path is not a bindable parameter in VACUUM INTO on every SQLite; quote it as a
        // string literal instead (quotes doubled).
        let sql = format!("VACUUM INTO '{}'", path.replace('\'', "''"));
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&self.read)
            .await?;
        Ok(())
    }

    /// The audit chain's head: how many entries, and the last one's hash.
    pub async fn audit_head(&self) -> Result<(i64, String)> {
        let r = sqlx::query("SELECT seq, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.write)
            .await?;
        Ok((r.try_get("seq")?, r.try_get("last_hash")?))
    }

    /// Checks every file the database knows (`blobs`) against the files directory: present,
    /// and its bytes' SHA-256 its name. Returns how many were checked and those that fail.
    pub async fn verify_files(&self) -> Result<(usize, Vec<String>)> {
        let dir = self
            .files_dir()
            .ok_or_else(|| StoreError::Files("no file directory configured".into()))?;
        let known: Vec<String> = sqlx::query_scalar("SELECT sha256 FROM blobs ORDER BY sha256")
            .fetch_all(&self.write)
            .await?;
        let n = known.len();
        let bad = tokio::task::spawn_blocking(move || {
            known
                .into_iter()
                .filter(|sha| {
                    let path = dir.join("blobs").join(&sha[..2.min(sha.len())]).join(sha);
                    std::fs::read(path)
                        .map(|b| hex::encode(Sha256::digest(&b)) != *sha)
                        .unwrap_or(true)
                })
                .collect()
        })
        .await
        .map_err(|e| StoreError::Files(e.to_string()))?;
        Ok((n, bad))
    }

    /// The files directory, if set.
    pub fn files_dir(&self) -> Option<PathBuf> {
        self.files.as_ref().map(|d| d.as_ref().clone())
    }
}

/// Reads every blob under `files` (`blobs/ab/abcdef…`) and compares its SHA-256 with its name.
pub fn check_files(files: &Path) -> std::io::Result<FileCheck> {
    let mut check = FileCheck::default();
    let blobs = files.join("blobs");
    if !blobs.exists() {
        return Ok(check);
    }
    for shard in std::fs::read_dir(&blobs)? {
        let shard = shard?;
        if !shard.file_type()?.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(shard.path())? {
            let f = f?;
            let name = f.file_name().to_string_lossy().to_string();
            // Half-written uploads carry a temporary name; only named blobs count.
            if name.len() != 64 || !name.bytes().all(|b| b.is_ascii_hexdigit()) {
                continue;
            }
            let bytes = std::fs::read(f.path())?;
            if hex::encode(Sha256::digest(&bytes)) != name {
                check.mismatched.push(name.clone());
            }
            check.blobs.push((name, bytes.len() as u64));
        }
    }
    check.blobs.sort();
    check.mismatched.sort();
    Ok(check)
}
