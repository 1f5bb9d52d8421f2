//! `tongban backup DIR` and `tongban restore DIR`, and the scheduled backup.
//!
//! A backup is a directory: the database (SQLite: `tongban.db` by `VACUUM INTO`, one consistent
//! snapshot taken while the server runs; PostgreSQL: `tongban.pgdump` by `pg_dump -Fc`, one
//! snapshot too), the uploaded files (`files/blobs/…`, copied after the snapshot, so every file
//! a row of the snapshot names is there: files are written before their rows and never
//! deleted), and `manifest.json`, written last, with every file's SHA-256. A directory without
//! a manifest is an unfinished backup and is refused by `restore`. Signing keys are not in it:
//! they live apart from the data and are kept apart (see deploy/README.md).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tongban_store::Store;

const MANIFEST: &str = "manifest.json";
const SQLITE_FILE: &str = "tongban.db";
const PG_FILE: &str = "tongban.pgdump";

/// The scheduled backup: every `every` into a new directory under `dir`, the newest `keep`
/// kept.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub dir: PathBuf,
    pub every: std::time::Duration,
    pub keep: usize,
    /// The PostgreSQL URL to dump (empty for the embedded store).
    pub database_url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub taken_at: String,
    /// The audit chain's head when the backup began: the copy holds at least these entries.
    pub audit_entries: i64,
    pub audit_hash: String,
    /// The database file in the directory and its SHA-256.
    pub database: String,
    pub database_sha256: String,
    /// Every uploaded file: SHA-256 (its name) and size.
    pub files: Vec<BackupFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BackupFile {
    pub sha256: String,
    pub bytes: u64,
}

fn sha256_of(path: &Path) -> Result<String, String> {
    let mut f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = std::io::Read::read(&mut f, &mut buf)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// A PostgreSQL client program pointed at `url`, its password given through the environment
/// (`PGPASSWORD`) rather than on the command line, where any local user could read it.
fn pg_command(tool: &str, url: &str) -> Result<std::process::Command, String> {
    let program = crate::postgres::pg_bin(tool)
        .ok_or_else(|| format!("{tool} not found: install PostgreSQL's client programs"))?;
    let mut cmd = std::process::Command::new(program);
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (userinfo, host) = rest.split_once('@').unwrap_or(("", rest));
    match userinfo.split_once(':') {
        Some((user, password)) => {
            cmd.env("PGPASSWORD", percent_decode(password));
            cmd.arg("--dbname").arg(format!("{scheme}://{user}@{host}"));
        }
        None => {
            cmd.arg("--dbname").arg(url);
        }
    }
    Ok(cmd)
}

/// `%XX` escapes of a URL's password (a password with `@` or `:` must be written so).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn run_tool(mut cmd: std::process::Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}: {}",
            cmd.get_program().to_string_lossy(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Takes a backup of the running store into `dir` (new, or empty).
pub async fn take(store: &Store, database_url: &str, dir: &Path) -> Result<Manifest, String> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .next()
            .is_some()
    {
        return Err(format!(
            "{}: not empty; a backup goes into a new directory",
            dir.display()
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let (audit_entries, audit_hash) = store.audit_head().await.map_err(|e| e.to_string())?;
    let taken_at = tongban_store::rfc3339(store.now());
    let (backend, database) = match store.backend() {
        tongban_store::Backend::Sqlite => {
            let dest = dir.join(SQLITE_FILE);
            store
                .copy_sqlite_into(&dest)
                .await
                .map_err(|e| format!("copying the database: {e}"))?;
            ("sqlite", SQLITE_FILE)
        }
        tongban_store::Backend::Postgres => {
            let mut cmd = pg_command("pg_dump", database_url)?;
            cmd.args(["--format=custom", "--no-owner", "--file"])
                .arg(dir.join(PG_FILE));
            tokio::task::spawn_blocking(move || run_tool(cmd))
                .await
                .map_err(|e| e.to_string())??;
            ("postgres", PG_FILE)
        }
    };
    let database_sha256 = sha256_of(&dir.join(database))?;
    let files = match store.files_dir() {
        Some(from) => {
            let to = dir.join("files");
            tokio::task::spawn_blocking(move || copy_files(&from, &to))
                .await
                .map_err(|e| e.to_string())??
        }
        None => Vec::new(),
    };
    let manifest = Manifest {
        format: 1,
        backend: backend.into(),
        taken_at,
        audit_entries,
        audit_hash,
        database: database.into(),
        database_sha256,
        files,
    };
    // Written last, through a temporary name: its presence means the backup is whole.
    let json = serde_json::to_string_pretty(&manifest).expect("a manifest serialises");
    let tmp = dir.join("manifest.json.tmp");
    std::fs::write(&tmp, json).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, dir.join(MANIFEST)).map_err(|e| e.to_string())?;
    Ok(manifest)
}

/// Copies every blob (checked against its name on the way) from one files directory to another.
fn copy_files(from: &Path, to: &Path) -> Result<Vec<BackupFile>, String> {
    let check = tongban_store::backup::check_files(from).map_err(|e| e.to_string())?;
    if let Some(bad) = check.mismatched.first() {
        return Err(format!(
            "file {bad} does not match its hash: the files directory is damaged"
        ));
    }
    let mut out = Vec::new();
    for (sha, bytes) in check.blobs {
        let rel = Path::new("blobs").join(&sha[..2]).join(&sha);
        let dest = to.join(&rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        if !dest.exists() || sha256_of(&dest)? != sha {
            std::fs::copy(from.join(&rel), &dest)
                .map_err(|e| format!("{}: {e}", dest.display()))?;
        }
        out.push(BackupFile { sha256: sha, bytes });
    }
    Ok(out)
}

/// Reads a backup's manifest and checks every byte of the backup against it.
pub fn check(dir: &Path) -> Result<Manifest, String> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e} (a backup without its manifest is unfinished)",
            path.display()
        )
    })?;
    let m: Manifest =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if sha256_of(&dir.join(&m.database))? != m.database_sha256 {
        return Err(format!("{}: does not match the manifest", m.database));
    }
    for f in &m.files {
        let p = dir.join("files/blobs").join(&f.sha256[..2]).join(&f.sha256);
        if sha256_of(&p)? != f.sha256 {
            return Err(format!("file {}: does not match its hash", f.sha256));
        }
    }
    Ok(m)
}

/// Brings a backup back into the configured store (stop the servers first). SQLite: the
/// current database file is kept beside it as `tongban.db.before-restore-…`; PostgreSQL: the
/// database's objects are replaced by the dump's in one transaction. The files are copied back.
pub async fn restore(config: &crate::config::Config, dir: &Path) -> Result<Manifest, String> {
    let m = check(dir)?;
    let postgres = !config.database_url.is_empty();
    match (m.backend.as_str(), postgres) {
        ("sqlite", false) => {
            std::fs::create_dir_all(&config.data_dir)
                .map_err(|e| format!("{}: {e}", config.data_dir.display()))?;
            let target = config.data_dir.join(SQLITE_FILE);
            let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S").to_string();
            for suffix in ["", "-wal", "-shm"] {
                let old = PathBuf::from(format!("{}{suffix}", target.display()));
                if old.exists() {
                    let aside = format!("{}.before-restore-{stamp}", old.display());
                    std::fs::rename(&old, &aside).map_err(|e| format!("{aside}: {e}"))?;
                }
            }
            std::fs::copy(dir.join(SQLITE_FILE), &target)
                .map_err(|e| format!("{}: {e}", target.display()))?;
        }
        ("postgres", true) => {
            let mut cmd = pg_command("pg_restore", &config.database_url)?;
            cmd.args([
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
            ])
            .arg(dir.join(PG_FILE));
            tokio::task::spawn_blocking(move || run_tool(cmd))
                .await
                .map_err(|e| e.to_string())??;
        }
        (b, _) => {
            return Err(format!(
                "this backup is of a {b} store; the configured store is {}",
                if postgres { "postgres" } else { "sqlite" }
            ));
        }
    }
    let (from, to) = (dir.join("files"), config.files_dir());
    tokio::task::spawn_blocking(move || copy_files(&from, &to))
        .await
        .map_err(|e| e.to_string())??;
    Ok(m)
}

/// The scheduled backup: a new directory named by the time, then the oldest beyond `keep`
/// removed (only directories this schedule made, recognised by their name and manifest).
pub async fn scheduled(store: &Store, s: &Schedule) -> Result<PathBuf, String> {
    let name = store
        .now()
        .to_zoned(tongban_store::district_tz())
        .strftime("tongban-%Y%m%dT%H%M%S")
        .to_string();
    let dir = s.dir.join(name);
    take(store, &s.database_url, &dir).await?;
    let mut made: Vec<PathBuf> = std::fs::read_dir(&s.dir)
        .map_err(|e| format!("{}: {e}", s.dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("tongban-"))
                && p.join(MANIFEST).exists()
        })
        .collect();
    made.sort();
    let excess = made.len().saturating_sub(s.keep.max(1));
    for old in &made[..excess] {
        std::fs::remove_dir_all(old).map_err(|e| format!("{}: {e}", old.display()))?;
    }
    Ok(dir)
}
