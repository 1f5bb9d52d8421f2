//! Offline verification: what a licence's QR code carries and how anyone checks it without the
//! server.
//!
//! A **licence proof** is the version's signed entry (the issuer's signed note over its core, the
//! exact bytes the log's leaf hashes), its index, a checkpoint of the log that covers it (size,
//! root and signatures: the log's and any witnesses') and the inclusion proof. A **status** is
//! the same for the licence's newest version at a newer checkpoint, with the consistency proof
//! from the older checkpoint: given one, a verifier learns — still offline — whether the licence
//! was since changed (superseded) or revoked.
//!
//! **Encoding.** `TB1:` and the binary form in Base45 (RFC 9285). Base45 uses exactly the QR
//! code's alphanumeric set (5.5 bits a character against 8 for bytes), so a proof with 20 hashes
//! (a log of a million entries) fits a version-25 code at error correction L — the size the EU's
//! health certificates showed phones read reliably. The entry's text is deflated and its
//! signature carried as bytes (the note is rebuilt exactly), and the checkpoint without its text
//! (origin, size and root are rebuilt; the signatures are key id and 64 bytes each): together
//! some 250 characters, two QR versions, fewer than carrying both notes. Integers are LEB128
//! varints.
//!
//! **Trust.** The verifier knows the log's origin and key, the issuing units' keys (current and
//! retired: a rotated key still verifies what it signed before its retirement) and any
//! witnesses' keys — a small text file (`tongban-trust/1`) fetched once from `/log/trust`.

use super::licence::{Action, Core};
use super::log::{self, Hash};
use super::note::{self, Checkpoint, NoteError, VerifierKey};
use jiff::civil::Date;

/// The text form's prefix.
pub const PREFIX: &str = "TB1:";

const B45: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Base45 (RFC 9285): two bytes to three characters, a last single byte to two.
pub fn base45(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3 / 2 + 2);
    for pair in bytes.chunks(2) {
        let mut n = u32::from(pair[0]);
        let digits = if let Some(b) = pair.get(1) {
            n = n * 256 + u32::from(*b);
            3
        } else {
            2
        };
        for _ in 0..digits {
            out.push(B45[(n % 45) as usize] as char);
            n /= 45;
        }
    }
    out
}

/// The bytes of a Base45 text; `None` for a character outside the set or a value out of range.
pub fn unbase45(text: &str) -> Option<Vec<u8>> {
    let values: Vec<u32> = text
        .bytes()
        .map(|c| B45.iter().position(|a| *a == c).map(|p| p as u32))
        .collect::<Option<_>>()?;
    let mut out = Vec::with_capacity(values.len() * 2 / 3 + 1);
    for chunk in values.chunks(3) {
        match *chunk {
            [c, d, e] => {
                let n = c + d * 45 + e * 45 * 45;
                if n > 0xffff {
                    return None;
                }
                out.extend_from_slice(&[(n >> 8) as u8, n as u8]);
            }
            [c, d] => {
                let n = c + d * 45;
                if n > 0xff {
                    return None;
                }
                out.push(n as u8);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// A checkpoint without its text: the verifier knows the origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompactCheckpoint {
    pub size: u64,
    pub root: Hash,
    /// (key id, Ed25519 signature) of the log and any witnesses.
    pub signatures: Vec<(u32, [u8; 64])>,
}

impl CompactCheckpoint {
    /// From a signed checkpoint note (extension lines are not carried; this log writes none).
    pub fn from_note(note_text: &str) -> Result<CompactCheckpoint, NoteError> {
        let (text, sigs) = note::split(note_text)?;
        let c = Checkpoint::parse(text)?;
        if !c.extensions.is_empty() {
            return Err(NoteError::MalformedCheckpoint);
        }
        let signatures = sigs
            .into_iter()
            .filter_map(|s| Some((s.id, s.signature.try_into().ok()?)))
            .collect();
        Ok(CompactCheckpoint {
            size: c.size,
            root: c.root,
            signatures,
        })
    }

    /// The signed note again, under `origin`, each signature named by the trusted key of its id
    /// (signatures of keys the verifier does not know are left out).
    pub fn to_note(&self, origin: &str, known: &[&VerifierKey]) -> String {
        use base64::Engine;
        let text = Checkpoint {
            origin: origin.to_string(),
            size: self.size,
            root: self.root,
            extensions: vec![],
        }
        .text();
        let mut out = format!("{text}\n");
        for (id, sig) in &self.signatures {
            if let Some(k) = known.iter().find(|k| k.id == *id) {
                let mut blob = id.to_be_bytes().to_vec();
                blob.extend_from_slice(sig);
                out.push_str(&format!(
                    "— {} {}\n",
                    k.name,
                    base64::engine::general_purpose::STANDARD.encode(blob)
                ));
            }
        }
        out
    }
}

/// A licence version, placed in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceProof {
    /// The signed note over the core: the log entry, byte for byte.
    pub entry: String,
    pub index: u64,
    pub checkpoint: CompactCheckpoint,
    pub inclusion: Vec<Hash>,
    /// In a status: the older checkpoint's size and the proof that this one extends it.
    pub consistency: Option<(u64, Vec<Hash>)>,
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Reads the binary form, refusing anything short or left over.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn bytes(&mut self, n: usize) -> Option<&[u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn varint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes(1)?.first()?;
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }
    fn hashes(&mut self) -> Option<Vec<Hash>> {
        let n = self.varint()?;
        if n > 64 {
            return None;
        }
        (0..n).map(|_| self.bytes(32)?.try_into().ok()).collect()
    }
}

/// The entry, compactly: a signed note's text deflated and each signature as its key's name,
/// id and 64 bytes (the note is rebuilt byte for byte); anything else verbatim.
fn put_entry(out: &mut Vec<u8>, entry: &str) {
    use std::io::Write;
    let split = note::split(entry).ok().filter(|(text, sigs)| {
        rebuild_note(
            text,
            sigs.iter()
                .map(|s| (s.name.as_str(), s.id, s.signature.as_slice())),
        ) == entry
            && sigs.iter().all(|s| s.signature.len() == 64)
    });
    match split {
        Some((text, sigs)) => {
            out.push(ENTRY_NOTE);
            let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
            z.write_all(text.as_bytes()).expect("deflate into memory");
            let packed = z.finish().expect("deflate into memory");
            put_varint(out, packed.len() as u64);
            out.extend_from_slice(&packed);
            put_varint(out, sigs.len() as u64);
            for s in sigs {
                put_varint(out, s.name.len() as u64);
                out.extend_from_slice(s.name.as_bytes());
                out.extend_from_slice(&s.id.to_be_bytes());
                out.extend_from_slice(&s.signature);
            }
        }
        None => {
            out.push(ENTRY_VERBATIM);
            put_varint(out, entry.len() as u64);
            out.extend_from_slice(entry.as_bytes());
        }
    }
}

const ENTRY_VERBATIM: u8 = 0;
const ENTRY_NOTE: u8 = 1;
/// The most an entry may inflate to: a licence's core is well under this; a "zip bomb" stops.
const MAX_ENTRY: u64 = 64 * 1024;

fn rebuild_note<'a>(text: &str, sigs: impl Iterator<Item = (&'a str, u32, &'a [u8])>) -> String {
    use base64::Engine;
    let mut out = format!("{text}\n");
    for (name, id, sig) in sigs {
        let mut blob = id.to_be_bytes().to_vec();
        blob.extend_from_slice(sig);
        out.push_str(&format!(
            "— {name} {}\n",
            base64::engine::general_purpose::STANDARD.encode(blob)
        ));
    }
    out
}

fn read_entry(r: &mut Reader<'_>) -> Option<String> {
    use std::io::Read;
    let kind = *r.bytes(1)?.first()?;
    let n = usize::try_from(r.varint()?).ok()?;
    let bytes = r.bytes(n)?;
    match kind {
        ENTRY_VERBATIM => String::from_utf8(bytes.to_vec()).ok(),
        ENTRY_NOTE => {
            let mut text = String::new();
            flate2::read::DeflateDecoder::new(bytes)
                .take(MAX_ENTRY)
                .read_to_string(&mut text)
                .ok()?;
            let nsig = r.varint()?;
            if nsig > 16 {
                return None;
            }
            let mut sigs = Vec::new();
            for _ in 0..nsig {
                let len = usize::try_from(r.varint()?).ok().filter(|l| *l <= 256)?;
                let name = std::str::from_utf8(r.bytes(len)?).ok()?.to_string();
                let id = u32::from_be_bytes(r.bytes(4)?.try_into().ok()?);
                let sig = r.bytes(64)?.to_vec();
                sigs.push((name, id, sig));
            }
            Some(rebuild_note(
                &text,
                sigs.iter().map(|(n, i, s)| (n.as_str(), *i, s.as_slice())),
            ))
        }
        _ => None,
    }
}

/// Why a text is not a licence proof at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatError {
    /// Not `TB1:`: another kind of QR code.
    WrongPrefix,
    /// Characters outside Base45.
    Encoding,
    /// Cut short, or bytes left over.
    Truncated,
}

impl FormatError {
    pub fn code(self) -> &'static str {
        match self {
            FormatError::WrongPrefix => "wrong_format",
            FormatError::Encoding => "bad_encoding",
            FormatError::Truncated => "truncated",
        }
    }
}

const VERSION: u8 = 1;

impl LicenceProof {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![VERSION];
        put_entry(&mut out, &self.entry);
        put_varint(&mut out, self.index);
        put_varint(&mut out, self.checkpoint.size);
        out.extend_from_slice(&self.checkpoint.root);
        put_varint(&mut out, self.checkpoint.signatures.len() as u64);
        for (id, sig) in &self.checkpoint.signatures {
            out.extend_from_slice(&id.to_be_bytes());
            out.extend_from_slice(sig);
        }
        let put_hashes = |out: &mut Vec<u8>, hs: &[Hash]| {
            put_varint(out, hs.len() as u64);
            for h in hs {
                out.extend_from_slice(h);
            }
        };
        put_hashes(&mut out, &self.inclusion);
        if let Some((first, proof)) = &self.consistency {
            put_varint(&mut out, *first);
            put_hashes(&mut out, proof);
        }
        out
    }

    /// `TB1:` and Base45: what the QR code holds and the proof file contains.
    pub fn to_text(&self) -> String {
        format!("{PREFIX}{}", base45(&self.to_bytes()))
    }

    pub fn from_bytes(b: &[u8]) -> Result<LicenceProof, FormatError> {
        let short = FormatError::Truncated;
        let mut r = Reader(b);
        if r.bytes(1) != Some(&[VERSION]) {
            return Err(FormatError::WrongPrefix);
        }
        let entry = read_entry(&mut r).ok_or(short)?;
        let index = r.varint().ok_or(short)?;
        let size = r.varint().ok_or(short)?;
        let root: Hash = r.bytes(32).ok_or(short)?.try_into().map_err(|_| short)?;
        let nsig = r.varint().ok_or(short)?;
        if nsig > 16 {
            return Err(short);
        }
        let mut signatures = Vec::new();
        for _ in 0..nsig {
            let id = u32::from_be_bytes(r.bytes(4).ok_or(short)?.try_into().map_err(|_| short)?);
            let sig: [u8; 64] = r.bytes(64).ok_or(short)?.try_into().map_err(|_| short)?;
            signatures.push((id, sig));
        }
        let inclusion = r.hashes().ok_or(short)?;
        let consistency = if r.0.is_empty() {
            None
        } else {
            Some((r.varint().ok_or(short)?, r.hashes().ok_or(short)?))
        };
        if !r.0.is_empty() {
            return Err(short);
        }
        Ok(LicenceProof {
            entry,
            index,
            checkpoint: CompactCheckpoint {
                size,
                root,
                signatures,
            },
            inclusion,
            consistency,
        })
    }

    /// Reads the text form. Line breaks and tabs (a file's, a scanner's) are ignored, and spaces
    /// before the prefix; spaces after it are Base45 characters.
    pub fn from_text(text: &str) -> Result<LicenceProof, FormatError> {
        let t: String = text
            .chars()
            .filter(|c| !matches!(c, '\n' | '\r' | '\t'))
            .collect();
        let body = t
            .trim_start()
            .strip_prefix(PREFIX)
            .ok_or(FormatError::WrongPrefix)?;
        let bytes = unbase45(body).ok_or(FormatError::Encoding)?;
        LicenceProof::from_bytes(&bytes)
    }
}

/// An issuing unit's key, and the day it was retired (it still verifies what it signed up to
/// that day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerKey {
    pub unit: String,
    pub key: VerifierKey,
    pub retired: Option<Date>,
}

/// What an offline verifier trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trust {
    pub origin: String,
    pub log_key: VerifierKey,
    pub issuers: Vec<IssuerKey>,
    pub witnesses: Vec<VerifierKey>,
}

pub const TRUST_FORMAT: &str = "tongban-trust/1";

impl Trust {
    /// `tongban-trust/1`, then `origin O`, `log KEY`, `issuer UNIT KEY [retired DATE]`,
    /// `witness KEY` lines.
    pub fn text(&self) -> String {
        let mut t = format!(
            "{TRUST_FORMAT}\norigin {}\nlog {}\n",
            self.origin, self.log_key
        );
        for i in &self.issuers {
            t.push_str(&format!("issuer {} {}", i.unit, i.key));
            if let Some(d) = i.retired {
                t.push_str(&format!(" retired {d}"));
            }
            t.push('\n');
        }
        for w in &self.witnesses {
            t.push_str(&format!("witness {w}\n"));
        }
        t
    }

    pub fn parse(text: &str) -> Result<Trust, String> {
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        if lines.next() != Some(TRUST_FORMAT) {
            return Err(format!("not a {TRUST_FORMAT} file"));
        }
        let (mut origin, mut log_key) = (None, None);
        let (mut issuers, mut witnesses) = (Vec::new(), Vec::new());
        for (n, line) in lines.enumerate() {
            let bad = |what: &str| format!("line {}: {what}", n + 2);
            let words: Vec<&str> = line.split(' ').collect();
            let key = |s: &str| VerifierKey::parse(s).map_err(|e| bad(e.code()));
            match words.as_slice() {
                ["origin", o] => origin = Some(o.to_string()),
                ["log", k] => log_key = Some(key(k)?),
                ["witness", k] => witnesses.push(key(k)?),
                ["issuer", unit, k, rest @ ..] => {
                    let retired = match rest {
                        [] => None,
                        ["retired", d] => Some(d.parse().map_err(|_| bad("retired date"))?),
                        _ => return Err(bad("issuer UNIT KEY [retired DATE]")),
                    };
                    issuers.push(IssuerKey {
                        unit: unit.to_string(),
                        key: key(k)?,
                        retired,
                    });
                }
                _ => return Err(bad("unknown line")),
            }
        }
        Ok(Trust {
            origin: origin.ok_or("no origin line")?,
            log_key: log_key.ok_or("no log line")?,
            issuers,
            witnesses,
        })
    }
}

/// The verdict's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Valid,
    /// Genuine, but past its validity.
    Expired,
    /// Genuine, and a later version (a change or renewal) replaces it.
    Superseded,
    /// Genuine, and revoked.
    Revoked,
    /// Not what the log and the issuers signed.
    Forged,
    /// Not a licence proof at all, or cut short.
    Unreadable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Expired => "expired",
            Status::Superseded => "superseded",
            Status::Revoked => "revoked",
            Status::Forged => "forged",
            Status::Unreadable => "unreadable",
        }
    }
}

/// A verdict and its reason (a stable code; the message catalog says it in words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub reason: &'static str,
    /// The licence as signed, once its signature holds.
    pub licence: Option<Core>,
    /// The newest version a status showed.
    pub latest: Option<Core>,
    /// The checkpoint the verdict rests on, and who signed it (the log, then witnesses).
    pub checkpoint_size: u64,
    pub signed_by: Vec<String>,
}

impl Verdict {
    /// Not a licence proof at all, for `reason`.
    pub fn unreadable(reason: &'static str) -> Verdict {
        Verdict::no(Status::Unreadable, reason)
    }

    fn no(status: Status, reason: &'static str) -> Verdict {
        Verdict {
            status,
            reason,
            licence: None,
            latest: None,
            checkpoint_size: 0,
            signed_by: vec![],
        }
    }
}

/// Checks one proof: the issuer's signature, the checkpoint's, and the inclusion. `Ok` gives
/// the core and who signed the checkpoint; `Err` the forged or unreadable verdict.
fn check(p: &LicenceProof, trust: &Trust) -> Result<(Core, Vec<String>), (Status, &'static str)> {
    let forged = |reason| Err((Status::Forged, reason));
    // The issuer's signature over the core.
    let issuer_keys: Vec<VerifierKey> = trust.issuers.iter().map(|i| i.key.clone()).collect();
    let (text, signers) = match note::open(&p.entry, &issuer_keys) {
        Ok(v) => v,
        Err(NoteError::Unverified) => return forged("unknown_issuer_key"),
        Err(NoteError::BadSignature) => return forged("issuer_signature"),
        Err(_) => return Err((Status::Unreadable, "malformed_entry")),
    };
    let Ok(core) = serde_json::from_str::<Core>(text.trim_end_matches('\n')) else {
        return Err((Status::Unreadable, "malformed_entry"));
    };
    // The key that signed belongs to the unit the core names, and was not retired before.
    let sigs = note::split(&p.entry).map(|(_, s)| s).unwrap_or_default();
    let by_issuer = sigs.iter().any(|s| {
        trust.issuers.iter().any(|i| {
            i.key.id == s.id
                && i.key.name == s.name
                && signers.contains(&i.key.name)
                && i.unit == core.issuer_unit
                && i.retired.is_none_or(|r| core.issued_on <= r)
        })
    });
    if !by_issuer {
        return forged("issuer_mismatch");
    }
    // The checkpoint: the trusted log's signature, then witnesses'.
    let mut known: Vec<&VerifierKey> = vec![&trust.log_key];
    known.extend(trust.witnesses.iter());
    if !p
        .checkpoint
        .signatures
        .iter()
        .any(|(id, _)| *id == trust.log_key.id)
    {
        return forged("other_log");
    }
    let note_text = p.checkpoint.to_note(&trust.origin, &known);
    let keys: Vec<VerifierKey> = known.iter().map(|k| (*k).clone()).collect();
    let signed_by = match note::open(&note_text, &keys) {
        Ok((_, names)) => names,
        Err(_) => return forged("checkpoint_signature"),
    };
    // The entry is in the tree the checkpoint names.
    let leaf = log::leaf_hash(p.entry.as_bytes());
    match log::verify_inclusion(
        p.index,
        p.checkpoint.size,
        &leaf,
        &p.inclusion,
        &p.checkpoint.root,
    ) {
        Ok(()) => Ok((core, signed_by)),
        Err(log::ProofError::WrongLength) => forged("proof_length"),
        Err(log::ProofError::OutOfRange) => forged("index_out_of_range"),
        Err(_) => forged("not_in_log"),
    }
}

/// The whole verdict on a proof, and on a newer status of the same licence when given.
pub fn verify(
    proof: &LicenceProof,
    status: Option<&LicenceProof>,
    trust: &Trust,
    today: Date,
) -> Verdict {
    let (core, signed_by) = match check(proof, trust) {
        Ok(v) => v,
        Err((status, reason)) => return Verdict::no(status, reason),
    };
    let mut v = Verdict {
        status: Status::Valid,
        reason: "valid",
        licence: Some(core.clone()),
        latest: None,
        checkpoint_size: proof.checkpoint.size,
        signed_by,
    };
    if let Some(s) = status {
        let latest = match check(s, trust) {
            Ok((latest, _)) => latest,
            Err((status, _)) => {
                v.status = status;
                v.reason = "status_forged";
                return v;
            }
        };
        let (Some(a), Some(b)) = (core.id(), latest.id()) else {
            return Verdict::no(Status::Unreadable, "malformed_entry");
        };
        if a.base() != b.base() {
            v.status = Status::Unreadable;
            v.reason = "status_other_licence";
            return v;
        }
        // The newer checkpoint extends the one the licence carries.
        let first = proof.checkpoint.size;
        let consistent = match &s.consistency {
            _ if s.checkpoint.size == first => s.checkpoint.root == proof.checkpoint.root,
            Some((f, cp)) if *f == first => log::verify_consistency(
                first,
                s.checkpoint.size,
                cp,
                &proof.checkpoint.root,
                &s.checkpoint.root,
            )
            .is_ok(),
            _ => false,
        };
        if s.checkpoint.size < first || !consistent {
            v.status = Status::Forged;
            v.reason = "status_not_consistent";
            return v;
        }
        v.checkpoint_size = s.checkpoint.size;
        if b.version > a.version {
            (v.status, v.reason) = if latest.action == Action::Revoke {
                (Status::Revoked, "revoked_later")
            } else {
                (Status::Superseded, "superseded")
            };
            v.latest = Some(latest);
            return v;
        }
    }
    if core.action == Action::Revoke {
        (v.status, v.reason) = (Status::Revoked, "revoked");
    } else if core.valid_until.is_some_and(|u| u < today) {
        (v.status, v.reason) = (Status::Expired, "expired");
    } else if today < core.valid_from {
        (v.status, v.reason) = (Status::Expired, "not_yet_valid");
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base45_follows_rfc_9285() {
        // The RFC's examples (§4.3 and §4.4).
        assert_eq!(base45(b"AB"), "BB8");
        assert_eq!(base45(b"Hello!!"), "%69 VD92EX0");
        assert_eq!(base45(b"base-45"), "UJCLQE7W581");
        assert_eq!(unbase45("QED8WEX0").unwrap(), b"ietf!");
        assert_eq!(unbase45("GGW"), None, "65535 + 1 is out of range");
        assert_eq!(unbase45("a"), None);
        for n in 0..300usize {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + n) as u8).collect();
            assert_eq!(unbase45(&base45(&bytes)).unwrap(), bytes);
        }
    }

    use crate::licences::licence::{Holder, Licence, LicenceTypes};
    use crate::licences::note::SignerKey;

    const TYPES: &str = r#"
[[type]]
code = "320400"
name = "人力资源服务许可证"
items = ["XH-RSJ-1"]
valid_years = 5

[[type.fields]]
key = "scope"
label = "服务范围"
"#;

    fn issuer() -> String {
        crate::ids::new_enterprise_uscc("360103", 7)
            .unwrap()
            .as_str()
            .to_string()
    }

    struct World {
        log: SignerKey,
        unit: SignerKey,
        trust: Trust,
        leaves: Vec<Hash>,
        entries: Vec<String>,
        checkpoints: Vec<CompactCheckpoint>,
    }

    impl World {
        fn new() -> World {
            let log = SignerKey::from_seed("xihu.example/log", [7; 32]).unwrap();
            let unit = SignerKey::from_seed("XH-RSJ", [9; 32]).unwrap();
            let trust = Trust {
                origin: "xihu.example/log".into(),
                log_key: log.verifier(),
                issuers: vec![IssuerKey {
                    unit: "XH-RSJ".into(),
                    key: unit.verifier(),
                    retired: None,
                }],
                witnesses: vec![],
            };
            World {
                log,
                unit,
                trust,
                leaves: vec![],
                entries: vec![],
                checkpoints: vec![],
            }
        }
        /// Appends a signed entry (and some unrelated ones after it); returns its index.
        fn append(&mut self, l: &Licence, filler: usize) -> u64 {
            let at = self.leaves.len() as u64;
            let e = note::sign(&l.entry(), &[&self.unit]).unwrap();
            for entry in std::iter::once(e).chain((0..filler).map(|i| format!("other {i}\n"))) {
                self.leaves.push(log::leaf_hash(entry.as_bytes()));
                self.entries.push(entry);
            }
            let c = Checkpoint {
                origin: self.trust.origin.clone(),
                size: self.leaves.len() as u64,
                root: log::root(&self.leaves),
                extensions: vec![],
            };
            let n = note::sign(&c.text(), &[&self.log]).unwrap();
            self.checkpoints
                .push(CompactCheckpoint::from_note(&n).unwrap());
            at
        }
        fn proof(&self, index: u64, at: usize, since: Option<u64>) -> LicenceProof {
            let c = self.checkpoints[at].clone();
            let leaves = &self.leaves[..c.size as usize];
            LicenceProof {
                entry: self.entries[index as usize].clone(),
                index,
                inclusion: log::inclusion_proof(index as usize, leaves).unwrap(),
                checkpoint: c,
                consistency: since
                    .map(|f| (f, log::consistency_proof(f as usize, leaves).unwrap())),
            }
        }
    }

    #[test]
    fn issue_change_revoke_verified_offline() {
        let types = LicenceTypes::parse(TYPES, &|_| true).unwrap();
        let ty = types.get("320400").unwrap();
        let d = jiff::civil::date(2026, 12, 7);
        let fields = |s: &str| [("scope".to_string(), s.to_string())].into_iter().collect();
        let v1 = Licence::issue(
            ty,
            Holder {
                id: "91360103MA39K2R741".into(),
                name: "洪城数智".into(),
            },
            "XH-RSJ",
            &issuer(),
            1,
            fields("职业介绍"),
            d,
        )
        .unwrap();
        let mut w = World::new();
        let i1 = w.append(&v1, 5);
        let p1 = w.proof(i1, 0, None);
        // The text round-trips and fits the alphanumeric set.
        let text = p1.to_text();
        assert_eq!(LicenceProof::from_text(&format!("  {text}\n")).unwrap(), p1);
        let v = verify(&p1, None, &w.trust, d);
        assert_eq!((v.status, v.reason), (Status::Valid, "valid"));
        assert_eq!(v.licence.unwrap().holder.name, "洪城数智");
        assert_eq!(v.signed_by, ["xihu.example/log"]);
        // Expired on the day after its last day.
        let later = jiff::civil::date(2031, 12, 7);
        assert_eq!(verify(&p1, None, &w.trust, later).status, Status::Expired);

        // A change: the old version is superseded given the newer status.
        let v2 = v1.change(ty, fields("职业介绍、人才派遣"), d).unwrap();
        let i2 = w.append(&v2, 3);
        let status = w.proof(i2, 1, Some(p1.checkpoint.size));
        let v = verify(&p1, Some(&status), &w.trust, d);
        assert_eq!((v.status, v.reason), (Status::Superseded, "superseded"));
        assert_eq!(v.latest.unwrap().identifier, v2.identifier);
        // The current version is valid given the same status.
        let p2 = w.proof(i2, 1, None);
        assert_eq!(
            verify(
                &p2,
                Some(&w.proof(i2, 1, Some(status.checkpoint.size))),
                &w.trust,
                d
            )
            .status,
            Status::Valid
        );
        // A revocation: revoked given the newer checkpoint.
        let v3 = v2.revoke("企业申请注销", d).unwrap();
        let i3 = w.append(&v3, 0);
        let status = w.proof(i3, 2, Some(p1.checkpoint.size));
        let v = verify(&p1, Some(&status), &w.trust, d);
        assert_eq!((v.status, v.reason), (Status::Revoked, "revoked_later"));
        // A status whose consistency proof does not link the checkpoints is refused.
        let mut bad = status.clone();
        bad.consistency.as_mut().unwrap().1.pop();
        assert_eq!(
            verify(&p1, Some(&bad), &w.trust, d).reason,
            "status_not_consistent"
        );
        // Another licence's status says so.
        let other = Licence::issue(
            ty,
            Holder {
                id: "X".into(),
                name: "Y".into(),
            },
            "XH-RSJ",
            &issuer(),
            2,
            fields("a"),
            d,
        )
        .unwrap();
        let io = w.append(&other, 0);
        assert_eq!(
            verify(
                &p1,
                Some(&w.proof(io, 3, Some(p1.checkpoint.size))),
                &w.trust,
                d
            )
            .reason,
            "status_other_licence"
        );
    }

    #[test]
    fn every_kind_of_bad_proof_has_its_reason() {
        let types = LicenceTypes::parse(TYPES, &|_| true).unwrap();
        let ty = types.get("320400").unwrap();
        let d = jiff::civil::date(2026, 12, 7);
        let l = Licence::issue(
            ty,
            Holder {
                id: "X".into(),
                name: "Y".into(),
            },
            "XH-RSJ",
            &issuer(),
            1,
            [("scope".to_string(), "a".to_string())]
                .into_iter()
                .collect(),
            d,
        )
        .unwrap();
        let mut w = World::new();
        w.append(
            &Licence::issue(
                ty,
                Holder {
                    id: "Z".into(),
                    name: "Z".into(),
                },
                "XH-RSJ",
                &issuer(),
                9,
                [("scope".to_string(), "b".to_string())]
                    .into_iter()
                    .collect(),
                d,
            )
            .unwrap(),
            2,
        );
        let i = w.append(&l, 4);
        let good = w.proof(i, 1, None);
        let reason = |p: &LicenceProof| verify(p, None, &w.trust, d).reason;
        assert_eq!(reason(&good), "valid");
        // Fields altered after signing: the issuer's signature no longer holds.
        let mut p = good.clone();
        p.entry = p.entry.replace("\"Y\"", "\"Q\"");
        assert_eq!(reason(&p), "issuer_signature");
        // Signed by a key the verifier does not know.
        let stranger = SignerKey::from_seed("XH-RSJ", [1; 32]).unwrap();
        let mut p = good.clone();
        p.entry = note::sign(&l.entry(), &[&stranger]).unwrap();
        assert_eq!(reason(&p), "unknown_issuer_key");
        // Signed by another unit's key.
        let mut t = w.trust.clone();
        t.issuers[0].unit = "XH-SCJ".into();
        assert_eq!(verify(&good, None, &t, d).reason, "issuer_mismatch");
        // Issued after its key was retired; before, still valid.
        t.issuers[0].unit = "XH-RSJ".into();
        t.issuers[0].retired = Some(jiff::civil::date(2026, 12, 6));
        assert_eq!(verify(&good, None, &t, d).reason, "issuer_mismatch");
        t.issuers[0].retired = Some(d);
        assert_eq!(verify(&good, None, &t, d).reason, "valid");
        // A truncated proof, a proof for another place.
        let mut p = good.clone();
        p.inclusion.pop();
        assert_eq!(reason(&p), "proof_length");
        let mut p = good.clone();
        p.index -= 1;
        assert_eq!(reason(&p), "not_in_log");
        // A checkpoint of another log; a checkpoint whose root was altered.
        let other = SignerKey::from_seed("elsewhere/log", [3; 32]).unwrap();
        let mut p = good.clone();
        let c = Checkpoint {
            origin: "elsewhere/log".into(),
            size: p.checkpoint.size,
            root: p.checkpoint.root,
            extensions: vec![],
        };
        p.checkpoint =
            CompactCheckpoint::from_note(&note::sign(&c.text(), &[&other]).unwrap()).unwrap();
        assert_eq!(reason(&p), "other_log");
        let mut p = good.clone();
        p.checkpoint.root[0] ^= 1;
        assert_eq!(reason(&p), "checkpoint_signature");
        // Not a licence proof: another QR code, bad characters, cut short.
        assert_eq!(
            LicenceProof::from_text("https://example.com"),
            Err(FormatError::WrongPrefix)
        );
        assert_eq!(
            LicenceProof::from_text("TB1:abc"),
            Err(FormatError::Encoding)
        );
        let text = good.to_text();
        assert_eq!(
            LicenceProof::from_text(&text[..text.len() - 30]).unwrap_err(),
            FormatError::Truncated
        );
        // The trust file round-trips.
        assert_eq!(Trust::parse(&t.text()).unwrap(), t);
        assert!(Trust::parse("nonsense").is_err());
    }

    #[test]
    fn a_proof_at_a_million_entries_stays_small() {
        // 20 hashes of inclusion proof, a log signature: the text a QR code holds.
        let types = LicenceTypes::parse(TYPES, &|_| true).unwrap();
        let ty = types.get("320400").unwrap();
        let d = jiff::civil::date(2026, 12, 7);
        let l = Licence::issue(
            ty,
            Holder {
                id: "91360103MA39K2R741".into(),
                name: "南昌市西湖区洪城数智科技有限公司".into(),
            },
            "XH-RSJ",
            &issuer(),
            123456,
            [("scope".to_string(), "a".to_string())]
                .into_iter()
                .collect(),
            d,
        )
        .unwrap();
        let unit = SignerKey::from_seed("XH-RSJ", [9; 32]).unwrap();
        let p = LicenceProof {
            entry: note::sign(&l.entry(), &[&unit]).unwrap(),
            index: 999_999,
            checkpoint: CompactCheckpoint {
                size: 1_000_000,
                root: [0; 32],
                signatures: vec![(1, [0; 64])],
            },
            inclusion: vec![[0; 32]; 20],
            consistency: None,
        };
        let text = p.to_text();
        assert!(text.len() < 1950, "{} characters", text.len());
    }
}
