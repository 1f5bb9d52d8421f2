//! `tongban licence verify` (offline, with a trust file) and `tongban log witness` (a second
//! party cosigning the log's checkpoints over HTTP).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use clap::Subcommand;
use std::path::{Path, PathBuf};
use tongban_app::messages::{Lang, catalog};
use tongban_domain::licences::log;
use tongban_domain::licences::note::{self, Checkpoint, SignerKey, VerifierKey};
use tongban_domain::licences::proof::{Status, Trust};

#[derive(Subcommand, Debug)]
pub enum LicenceCommand {
    /// Verify a licence with no server: INPUT is a proof file, a picture of its QR code (PNG or
    /// JPEG) or the code's text (`TB1:…`). Exits 0 only for a valid licence.
    Verify {
        input: String,
        /// The trust file (`/log/trust` of the platform): the log's key and the issuers' keys.
        #[arg(long)]
        trust: PathBuf,
        /// A newer status of the licence (`/licences/ID/status.txt?since=SIZE`): tells whether
        /// it was since changed or revoked.
        #[arg(long)]
        status: Option<String>,
        /// The day to judge validity on (default: today).
        #[arg(long)]
        today: Option<jiff::civil::Date>,
    },
}

/// A file's bytes, or the argument itself when no such file exists (a pasted code).
fn bytes_of(arg: &str) -> Result<Vec<u8>, String> {
    let p = Path::new(arg);
    if arg.trim_start().starts_with("TB1:") || !p.exists() {
        return Ok(arg.as_bytes().to_vec());
    }
    std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))
}

pub fn run(command: LicenceCommand) -> Result<(), String> {
    match command {
        LicenceCommand::Verify {
            input,
            trust,
            status,
            today,
        } => {
            let t =
                std::fs::read_to_string(&trust).map_err(|e| format!("{}: {e}", trust.display()))?;
            let trust = Trust::parse(&t).map_err(|e| format!("{}: {e}", trust.display()))?;
            let status = status.as_deref().map(bytes_of).transpose()?;
            let today = today.unwrap_or_else(|| jiff::Zoned::now().date());
            let v = tongban_app::licences::verify_offline(
                &bytes_of(&input)?,
                status.as_deref(),
                &trust,
                today,
            );
            let c = catalog();
            let line = format!(
                "{}: {} / {} ({})",
                v.status.as_str(),
                c.get(Lang::Zh, &format!("verify.reason.{}", v.reason)),
                c.get(Lang::En, &format!("verify.reason.{}", v.reason)),
                v.reason
            );
            if let Some(l) = &v.licence {
                println!(
                    "{} {} · {} {} · {} → {}",
                    l.type_name,
                    l.identifier,
                    l.holder.name,
                    l.holder.id,
                    l.valid_from,
                    l.valid_until.map(|d| d.to_string()).unwrap_or_default()
                );
                println!(
                    "checkpoint of size {} signed by {}",
                    v.checkpoint_size,
                    v.signed_by.join(", ")
                );
            }
            if let Some(n) = &v.latest {
                println!("newest version: {} ({})", n.identifier, n.action.as_str());
            }
            if v.status == Status::Valid {
                println!("{line}");
                Ok(())
            } else {
                Err(line)
            }
        }
    }
}

/// What a witness remembers of a log: its key and the last checkpoint it cosigned.
struct WitnessState {
    log_key: String,
    size: u64,
    root: String,
}

impl WitnessState {
    fn load(p: &Path) -> Result<Option<WitnessState>, String> {
        let text = match std::fs::read_to_string(p) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", p.display())),
        };
        let mut lines = text.lines();
        let bad = || format!("{}: not a witness state file", p.display());
        let log_key = lines.next().ok_or_else(bad)?.to_string();
        let size = lines.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
        let root = lines.next().ok_or_else(bad)?.to_string();
        Ok(Some(WitnessState {
            log_key,
            size,
            root,
        }))
    }
    fn save(&self, p: &Path) -> Result<(), String> {
        let tmp = p.with_extension("tmp");
        std::fs::write(
            &tmp,
            format!("{}\n{}\n{}\n", self.log_key, self.size, self.root),
        )
        .and_then(|()| std::fs::rename(&tmp, p))
        .map_err(|e| format!("{}: {e}", p.display()))
    }
}

fn get(url: &str) -> Result<String, String> {
    ureq::get(url)
        .call()
        .map_err(|e| format!("GET {url}: {e}"))?
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("GET {url}: {e}"))
}

/// One witnessing pass: fetch the log's newest checkpoint, check it against the key and the
/// last checkpoint seen (a consistency proof), cosign it, send the cosignature. The log's key is
/// taken on first use (or from `log_key`) and held to after.
pub fn witness(
    base: &str,
    key: &SignerKey,
    state_file: &Path,
    log_key: Option<&str>,
) -> Result<u64, String> {
    let base = base.trim_end_matches('/');
    let state = WitnessState::load(state_file)?;
    let pinned = match (&state, log_key) {
        (Some(s), _) => s.log_key.clone(),
        (None, Some(k)) => k.to_string(),
        (None, None) => get(&format!("{base}/log/key"))?.trim().to_string(),
    };
    let vkey = VerifierKey::parse(&pinned).map_err(|e| format!("the log's key: {e}"))?;
    let note_text = get(&format!("{base}/log/checkpoint"))?;
    let (text, _) = note::open(&note_text, std::slice::from_ref(&vkey))
        .map_err(|e| format!("the checkpoint is not signed by the log's key: {e}"))?;
    let c = Checkpoint::parse(text).map_err(|e| format!("the checkpoint: {e}"))?;
    if c.origin != vkey.name {
        return Err(format!("the checkpoint is of another log ({})", c.origin));
    }
    if let Some(s) = &state {
        let old: log::Hash = B64
            .decode(&s.root)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or("the state's root is not a hash")?;
        if c.size < s.size {
            return Err(format!("the log went back from {} to {}", s.size, c.size));
        }
        if c.size == s.size && c.root != old {
            return Err(format!("the log changed its tree of size {}", c.size));
        }
        if c.size > s.size && s.size > 0 {
            let body = get(&format!(
                "{base}/log/proof/consistency?first={}&second={}",
                s.size, c.size
            ))?;
            let v: serde_json::Value =
                serde_json::from_str(&body).map_err(|e| format!("consistency proof: {e}"))?;
            let proof: Vec<log::Hash> = v["proof"]
                .as_array()
                .ok_or("consistency proof: no proof")?
                .iter()
                .map(|h| {
                    h.as_str()
                        .and_then(|h| B64.decode(h).ok())
                        .and_then(|v| v.try_into().ok())
                })
                .collect::<Option<_>>()
                .ok_or("consistency proof: not hashes")?;
            log::verify_consistency(s.size, c.size, &proof, &old, &c.root).map_err(|e| {
                format!(
                    "the log of size {} is NOT an extension of the one of size {} it showed before: {e}",
                    c.size, s.size
                )
            })?;
        }
    }
    let line = key.signature_line(text);
    let url = format!("{base}/log/cosignature");
    ureq::post(&url)
        .send_json(serde_json::json!({ "size": c.size, "signature": line }))
        .map_err(|e| format!("POST {url}: {e}"))?;
    WitnessState {
        log_key: pinned,
        size: c.size,
        root: B64.encode(c.root),
    }
    .save(state_file)?;
    Ok(c.size)
}
