//! Signing keys, kept in files outside the database: `NAME.key` holds the private key in the
//! signed-note text form (readable by the owner only), and the verifier key is printed for
//! publication. The log's key is `log.key`.

use std::path::{Path, PathBuf};
use tongban_domain::licences::note::SignerKey;

/// The file of a key.
pub fn path(dir: &Path, file: &str) -> PathBuf {
    dir.join(format!("{file}.key"))
}

/// A new key named `name` in `dir/file.key`; refuses to overwrite one.
pub fn generate(dir: &Path, file: &str, name: &str) -> Result<SignerKey, String> {
    let p = path(dir, file);
    if p.exists() {
        return Err(format!(
            "{} exists: a key is never overwritten",
            p.display()
        ));
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| e.to_string())?;
    let key = SignerKey::from_seed(name, seed).map_err(|e| format!("key name {name:?}: {e}"))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    write_private(&p, &key.to_private_text())?;
    Ok(key)
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
    writeln!(f, "{text}").map_err(|e| format!("{}: {e}", p.display()))
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
