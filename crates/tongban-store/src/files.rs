//! Uploaded files, stored content-addressed on disk: `blobs/ab/abcdef…` named by SHA-256.
//!
//! A file is written to a temporary name, flushed to disk and renamed before its row is
//! committed, so a row never points at a missing or half-written file; the same bytes uploaded
//! twice are stored once. Files are never deleted by the application.

use crate::{Result, Store, StoreError};
use sha2::{Digest, Sha256};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use tongban_domain::cases::FileRef;

/// Largest file accepted (10 MiB).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The kinds of file accepted, recognised by their first bytes rather than by the name the
/// browser sends: PDF, JPEG, PNG and OFD (a zip container, China's fixed-layout format).
pub fn sniff_content_type(bytes: &[u8], filename: &str) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"PK\x03\x04") && filename.to_lowercase().ends_with(".ofd") {
        Some("application/ofd")
    } else {
        None
    }
}

impl Store {
    /// Sets the directory for uploaded files.
    pub fn with_files(mut self, dir: PathBuf) -> Store {
        self.files = Some(Arc::new(dir));
        self
    }

    /// Whether uploaded files can be stored (a directory is set).
    pub fn has_files(&self) -> bool {
        self.files.is_some()
    }

    fn blob_path(&self, sha: &str) -> Result<PathBuf> {
        let dir = self
            .files
            .as_ref()
            .ok_or_else(|| StoreError::Files("no file directory configured".into()))?;
        Ok(dir.join("blobs").join(&sha[..2]).join(sha))
    }

    /// Stores the bytes (checked by the caller) and returns a reference to them.
    pub async fn put_file(
        &self,
        filename: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<FileRef> {
        let sha = hex::encode(Sha256::digest(&bytes));
        let path = self.blob_path(&sha)?;
        let size = bytes.len() as i64;
        let written = path.clone();
        tokio::task::spawn_blocking(move || write_durably(&written, &bytes))
            .await
            .map_err(|e| StoreError::Files(e.to_string()))?
            .map_err(|e| {
                let what = format!("{}: {e}", path.display());
                // ENOSPC / EDQUOT: the upload can be sent again once there is room.
                if e.kind() == std::io::ErrorKind::StorageFull
                    || e.kind() == std::io::ErrorKind::QuotaExceeded
                {
                    StoreError::Full(what)
                } else {
                    StoreError::Files(what)
                }
            })?;
        let now = crate::rfc3339(self.now());
        sqlx::query(
            "INSERT INTO blobs (sha256, size, content_type, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&sha)
        .bind(size)
        .bind(content_type)
        .bind(&now)
        .execute(&self.write)
        .await?;
        Ok(FileRef {
            sha256: sha,
            filename: filename.to_string(),
            content_type: content_type.to_string(),
            size,
        })
    }

    /// Reads a stored file back, checking that its bytes still match their name.
    pub async fn read_file(&self, sha: &str) -> Result<Option<Vec<u8>>> {
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let known = sqlx::query("SELECT sha256 FROM blobs WHERE sha256 = $1")
            .bind(sha)
            .fetch_optional(self.reader())
            .await?;
        if known.is_none() {
            return Ok(None);
        }
        let path = self.blob_path(sha)?;
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|e| StoreError::Files(format!("{}: {e}", path.display())))?;
        if hex::encode(Sha256::digest(&bytes)) != sha {
            return Err(StoreError::Corrupt(format!(
                "file {sha} does not match its hash"
            )));
        }
        Ok(Some(bytes))
    }
}

fn write_durably(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    let dir = path.parent().expect("blob paths have a parent");
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("blob"),
        std::process::id()
    ));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        // A disk that filled up leaves no partial file behind.
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    // The rename itself must survive a crash too.
    std::fs::File::open(dir)?.sync_all()
}
