//! Signing keys, kept in files outside the database (`tongban keys`): `log.key` signs the
//! transparency log's checkpoints; `units/UNIT.key` is an issuing unit's current key, named by
//! the unit's code, and `units/UNIT.ID.retired` the public half of a key it rotated away from
//! and the day it did — a retired key still verifies every licence signed up to that day.
//!
//! Private keys are in the signed-note text form, readable by the owner only. A unit that issues
//! its first licence without a key gets one made on the spot (a store without a keys directory
//! keeps such keys in memory: tests and benchmarks).

use jiff::civil::Date;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tongban_domain::licences::note::{SignerKey, VerifierKey};
use tongban_domain::licences::proof::IssuerKey;

/// The file of a key.
pub fn path(dir: &Path, file: &str) -> PathBuf {
    dir.join(format!("{file}.key"))
}

/// A new key named `name` in `dir/file.key`; refuses to overwrite one. The key is written whole
/// beside its place and linked in, so that no reader — another server on a shared keys directory —
/// ever reads half a key, and of two made at once exactly one is linked.
pub fn generate(dir: &Path, file: &str, name: &str) -> Result<SignerKey, String> {
    let p = path(dir, file);
    let exists = || format!("{} exists: a key is never overwritten", p.display());
    if p.exists() {
        return Err(exists());
    }
    let key = fresh(name)?;
    let tmp = written_beside(&p, &key)?;
    let linked = std::fs::hard_link(&tmp, &p);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(key),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists()),
        Err(e) => Err(format!("{}: {e}", p.display())),
    }
}

/// `key` written to a new file of its own beside `p`, readable by the owner only.
fn written_beside(p: &Path, key: &SignerKey) -> Result<PathBuf, String> {
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| e.to_string())?;
    let suffix: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    let tmp = p.with_extension(format!("key.new-{suffix}"));
    write_private(&tmp, &key.to_private_text())?;
    Ok(tmp)
}

fn fresh(name: &str) -> Result<SignerKey, String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| e.to_string())?;
    SignerKey::from_seed(name, seed).map_err(|e| format!("key name {name:?}: {e}"))
}

#[cfg(unix)]
fn write_private(p: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(p)
        .map_err(|e| format!("{}: {e}", p.display()))?;
    writeln!(f, "{text}").map_err(|e| format!("{}: {e}", p.display()))?;
    f.sync_all().map_err(|e| format!("{}: {e}", p.display()))
}

#[cfg(not(unix))]
fn write_private(p: &Path, text: &str) -> Result<(), String> {
    std::fs::write(p, format!("{text}\n")).map_err(|e| format!("{}: {e}", p.display()))
}

/// The key in `dir/file.key`, if there is one.
pub fn load(dir: &Path, file: &str) -> Result<Option<SignerKey>, String> {
    let p = path(dir, file);
    match std::fs::read_to_string(&p) {
        Ok(text) => SignerKey::parse(&text)
            .map(Some)
            .map_err(|e| format!("{}: {e}", p.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", p.display())),
    }
}

/// The issuing units' keys.
#[derive(Debug, Default)]
pub struct Keyring {
    /// `None`: keys live in memory only.
    dir: Option<PathBuf>,
    /// The keys in memory (without a directory).
    current: Mutex<HashMap<String, SignerKey>>,
    /// Keys rotated away from while in memory.
    retired: Mutex<Vec<IssuerKey>>,
}

fn unit_file(unit: &str) -> String {
    format!("units/{unit}")
}

impl Keyring {
    pub fn in_dir(dir: PathBuf) -> Keyring {
        Keyring {
            dir: Some(dir),
            ..Keyring::default()
        }
    }

    /// The unit's current key, made if it has none. On disk the file is the truth and is read at
    /// every issue: a key another process rotated is used from the next licence on, and a key
    /// another server made a moment ago (the keys directory is shared) is the one.
    pub fn signer(&self, unit: &str) -> Result<SignerKey, String> {
        let file = unit_file(unit);
        let Some(dir) = &self.dir else {
            let mut current = self.current.lock().expect("keyring");
            if let Some(k) = current.get(unit) {
                return Ok(k.clone());
            }
            let k = fresh(unit)?;
            current.insert(unit.to_string(), k.clone());
            return Ok(k);
        };
        if let Some(k) = load(dir, &file)? {
            return Ok(k);
        }
        match generate(dir, &file, unit) {
            Ok(k) => {
                tracing::info!(unit, key = %k.verifier(), "made the unit's signing key");
                Ok(k)
            }
            // Made by another server between the look and the link: theirs is the key.
            Err(e) => load(dir, &file)?.ok_or(e),
        }
    }

    /// Retires the unit's current key as of `today` (its public half kept) and makes a new one,
    /// which takes the old one's place in one step (no moment without a key).
    pub fn rotate(&self, unit: &str, today: Date) -> Result<SignerKey, String> {
        let old = self.signer(unit)?;
        let retired = IssuerKey {
            unit: unit.to_string(),
            key: old.verifier(),
            retired: Some(today),
        };
        let new = fresh(unit)?;
        match &self.dir {
            Some(dir) => {
                let p = dir.join(format!("units/{unit}.{:08x}.retired", old.id));
                std::fs::write(&p, format!("{} retired {today}\n", retired.key))
                    .map_err(|e| format!("{}: {e}", p.display()))?;
                let place = path(dir, &unit_file(unit));
                let tmp = written_beside(&place, &new)?;
                std::fs::rename(&tmp, &place).map_err(|e| format!("{unit}: {e}"))?;
            }
            None => {
                self.retired.lock().expect("keyring").push(retired);
                let mut current = self.current.lock().expect("keyring");
                current.insert(unit.to_string(), new.clone());
            }
        }
        Ok(new)
    }

    /// Every unit's keys, current and retired, for verifiers.
    pub fn issuers(&self) -> Result<Vec<IssuerKey>, String> {
        let mut out = self.retired.lock().expect("keyring").clone();
        let current = self.current.lock().expect("keyring").clone();
        let mut seen: Vec<String> = Vec::new();
        if let Some(dir) = &self.dir {
            let units = dir.join("units");
            let mut names: Vec<_> = match std::fs::read_dir(&units) {
                Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(e) => return Err(format!("{}: {e}", units.display())),
            };
            names.sort();
            for p in names {
                let text =
                    std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
                let bad = |e: String| format!("{}: {e}", p.display());
                if p.extension().is_some_and(|e| e == "retired") {
                    let (key, date) = text
                        .trim()
                        .split_once(" retired ")
                        .ok_or_else(|| bad("KEY retired DATE".into()))?;
                    let key = VerifierKey::parse(key).map_err(|e| bad(e.code().into()))?;
                    let date: Date = date.parse().map_err(|_| bad("date".into()))?;
                    out.push(IssuerKey {
                        unit: key.name.clone(),
                        key,
                        retired: Some(date),
                    });
                } else if p.extension().is_some_and(|e| e == "key") {
                    let k = SignerKey::parse(&text).map_err(|e| bad(e.code().into()))?;
                    seen.push(k.name.clone());
                    out.push(IssuerKey {
                        unit: k.name.clone(),
                        key: k.verifier(),
                        retired: None,
                    });
                }
            }
        }
        for (unit, k) in current {
            if !seen.contains(&unit) {
                out.push(IssuerKey {
                    unit,
                    key: k.verifier(),
                    retired: None,
                });
            }
        }
        out.sort_by(|a, b| (&a.unit, a.retired.is_none()).cmp(&(&b.unit, b.retired.is_none())));
        Ok(out)
    }
}
