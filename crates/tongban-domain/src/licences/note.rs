//! Signed notes and checkpoints, in the text formats the Go checksum database, Sigstore and the
//! C2SP specifications use (`signed-note`, `tlog-checkpoint`), so that any of their tools can
//! read and witness the log.
//!
//! - A **key** is named: the verifier key is `name+hash+base64(0x01 ‖ public key)` and the
//!   signer key `PRIVATE+KEY+name+hash+base64(0x01 ‖ seed)`, where `hash` is the first four
//!   bytes of `SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)` in hex and `0x01` marks Ed25519. The
//!   algorithm is a field, so the national SM2 can be added as another byte.
//! - A **note** is its text (ending in a newline), a blank line, and one line per signature:
//!   `— name base64(hash ‖ signature)`. Unknown signers are ignored; at least one known one must
//!   verify.
//! - A **checkpoint** is the note text `origin\nsize\nbase64(root)\n` (optional extension lines
//!   after), signed by the log and, beside it, by witnesses.

use super::log::Hash;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

/// The algorithm byte of Ed25519 keys.
pub const ALG_ED25519: u8 = 0x01;

/// Why a key, a note or a checkpoint was refused, as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("malformed_key")]
    MalformedKey,
    #[error("unknown_algorithm")]
    UnknownAlgorithm,
    #[error("malformed_note")]
    MalformedNote,
    /// No signature of a key we know.
    #[error("unverified")]
    Unverified,
    /// A signature of a key we know that does not verify: forged or altered.
    #[error("bad_signature")]
    BadSignature,
    #[error("malformed_checkpoint")]
    MalformedCheckpoint,
}

impl NoteError {
    pub fn code(self) -> &'static str {
        match self {
            NoteError::MalformedKey => "malformed_key",
            NoteError::UnknownAlgorithm => "unknown_algorithm",
            NoteError::MalformedNote => "malformed_note",
            NoteError::Unverified => "unverified",
            NoteError::BadSignature => "bad_signature",
            NoteError::MalformedCheckpoint => "malformed_checkpoint",
        }
    }
}

/// A key's name must be printable, without spaces or `+`.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.contains(['+', ' ', '\n', '\t'])
        && name.chars().all(|c| !c.is_control())
}

/// The key hash of `name` and `alg ‖ key`.
pub fn key_id(name: &str, alg_and_key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update(alg_and_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// A key that verifies signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    pub name: String,
    pub id: u32,
    key: VerifyingKey,
}

impl VerifierKey {
    /// Reads `name+hash+base64(0x01 ‖ public key)`, checking the hash.
    pub fn parse(text: &str) -> Result<VerifierKey, NoteError> {
        let mut parts = text.trim().splitn(3, '+');
        let (Some(name), Some(hash), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::MalformedKey);
        };
        if !valid_name(name) || hash.len() != 8 {
            return Err(NoteError::MalformedKey);
        }
        let id = u32::from_str_radix(hash, 16).map_err(|_| NoteError::MalformedKey)?;
        let raw = B64.decode(key).map_err(|_| NoteError::MalformedKey)?;
        let (&alg, public) = raw.split_first().ok_or(NoteError::MalformedKey)?;
        if alg != ALG_ED25519 {
            return Err(NoteError::UnknownAlgorithm);
        }
        let public: [u8; 32] = public.try_into().map_err(|_| NoteError::MalformedKey)?;
        let key = VerifyingKey::from_bytes(&public).map_err(|_| NoteError::MalformedKey)?;
        if key_id(name, &raw) != id {
            return Err(NoteError::MalformedKey);
        }
        Ok(VerifierKey {
            name: name.to_string(),
            id,
            key,
        })
    }

    fn alg_and_key(&self) -> Vec<u8> {
        let mut v = vec![ALG_ED25519];
        v.extend_from_slice(self.key.as_bytes());
        v
    }
}

impl std::fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}+{:08x}+{}",
            self.name,
            self.id,
            B64.encode(self.alg_and_key())
        )
    }
}

/// A key that signs, kept outside the database.
#[derive(Clone)]
pub struct SignerKey {
    pub name: String,
    pub id: u32,
    key: SigningKey,
}

impl std::fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SignerKey({}+{:08x})", self.name, self.id)
    }
}

impl SignerKey {
    /// A new key named `name` from 32 random bytes (the caller brings the randomness).
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<SignerKey, NoteError> {
        if !valid_name(name) {
            return Err(NoteError::MalformedKey);
        }
        let key = SigningKey::from_bytes(&seed);
        let mut pk = vec![ALG_ED25519];
        pk.extend_from_slice(key.verifying_key().as_bytes());
        Ok(SignerKey {
            name: name.to_string(),
            id: key_id(name, &pk),
            key,
        })
    }

    /// Reads `PRIVATE+KEY+name+hash+base64(0x01 ‖ seed)`, checking the hash.
    pub fn parse(text: &str) -> Result<SignerKey, NoteError> {
        let rest = text
            .trim()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or(NoteError::MalformedKey)?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(hash), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::MalformedKey);
        };
        let raw = B64.decode(key).map_err(|_| NoteError::MalformedKey)?;
        let (&alg, seed) = raw.split_first().ok_or(NoteError::MalformedKey)?;
        if alg != ALG_ED25519 {
            return Err(NoteError::UnknownAlgorithm);
        }
        let seed: [u8; 32] = seed.try_into().map_err(|_| NoteError::MalformedKey)?;
        let k = SignerKey::from_seed(name, seed)?;
        if format!("{:08x}", k.id) != hash {
            return Err(NoteError::MalformedKey);
        }
        Ok(k)
    }

    pub fn verifier(&self) -> VerifierKey {
        VerifierKey {
            name: self.name.clone(),
            id: self.id,
            key: self.key.verifying_key(),
        }
    }

    /// The key as its file holds it.
    pub fn to_private_text(&self) -> String {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.id,
            B64.encode(raw)
        )
    }

    /// The signature line of `text` by this key.
    pub fn signature_line(&self, text: &str) -> String {
        let sig = self.key.sign(text.as_bytes());
        let mut blob = self.id.to_be_bytes().to_vec();
        blob.extend_from_slice(&sig.to_bytes());
        format!("— {} {}\n", self.name, B64.encode(blob))
    }
}

/// Signs a note's text (which must end in a newline and hold no blank line's worth of
/// separator at its end) by each key.
pub fn sign(text: &str, signers: &[&SignerKey]) -> Result<String, NoteError> {
    if !text.ends_with('\n') || text.ends_with("\n\n") {
        return Err(NoteError::MalformedNote);
    }
    let mut out = format!("{text}\n");
    for s in signers {
        out.push_str(&s.signature_line(text));
    }
    Ok(out)
}

/// One signature line as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub id: u32,
    pub signature: Vec<u8>,
}

/// Splits a note into its text and its signature lines.
pub fn split(note: &str) -> Result<(&str, Vec<NoteSignature>), NoteError> {
    let at = note.rfind("\n\n").ok_or(NoteError::MalformedNote)?;
    let (text, sigs) = (&note[..=at], &note[at + 2..]);
    if !sigs.ends_with('\n') {
        return Err(NoteError::MalformedNote);
    }
    let mut out = Vec::new();
    for line in sigs.lines() {
        let rest = line.strip_prefix("— ").ok_or(NoteError::MalformedNote)?;
        let (name, blob) = rest.split_once(' ').ok_or(NoteError::MalformedNote)?;
        let raw = B64.decode(blob).map_err(|_| NoteError::MalformedNote)?;
        if !valid_name(name) || raw.len() < 5 {
            return Err(NoteError::MalformedNote);
        }
        out.push(NoteSignature {
            name: name.to_string(),
            id: u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]),
            signature: raw[4..].to_vec(),
        });
    }
    if out.is_empty() {
        return Err(NoteError::MalformedNote);
    }
    Ok((text, out))
}

/// Opens a note with the keys we trust: its text and the names of the keys whose signatures
/// verified. A signature by a trusted key that does not verify refuses the whole note.
pub fn open<'a>(
    note: &'a str,
    trusted: &[VerifierKey],
) -> Result<(&'a str, Vec<String>), NoteError> {
    let (text, sigs) = split(note)?;
    let mut verified = Vec::new();
    for s in &sigs {
        let Some(k) = trusted.iter().find(|k| k.name == s.name && k.id == s.id) else {
            continue;
        };
        let sig: [u8; 64] = s
            .signature
            .as_slice()
            .try_into()
            .map_err(|_| NoteError::BadSignature)?;
        k.key
            .verify(text.as_bytes(), &ed25519_dalek::Signature::from_bytes(&sig))
            .map_err(|_| NoteError::BadSignature)?;
        verified.push(k.name.clone());
    }
    if verified.is_empty() {
        return Err(NoteError::Unverified);
    }
    Ok((text, verified))
}

/// A checkpoint: which log, how many entries, and the tree's head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    /// Extension lines, kept as read.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// The note text of the checkpoint.
    pub fn text(&self) -> String {
        let mut t = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        );
        for e in &self.extensions {
            t.push_str(e);
            t.push('\n');
        }
        t
    }

    /// Reads a checkpoint's text.
    pub fn parse(text: &str) -> Result<Checkpoint, NoteError> {
        let bad = NoteError::MalformedCheckpoint;
        if !text.ends_with('\n') {
            return Err(bad);
        }
        let mut lines = text.lines();
        let origin = lines.next().filter(|o| !o.is_empty()).ok_or(bad)?;
        let size_text = lines.next().ok_or(bad)?;
        // Decimal without leading zeros, as the format says.
        if size_text.is_empty()
            || !size_text.bytes().all(|b| b.is_ascii_digit())
            || (size_text.len() > 1 && size_text.starts_with('0'))
        {
            return Err(bad);
        }
        let size = size_text.parse().map_err(|_| bad)?;
        let root: Hash = B64
            .decode(lines.next().ok_or(bad)?)
            .map_err(|_| bad)?
            .try_into()
            .map_err(|_| bad)?;
        let extensions: Vec<String> = lines.map(str::to_string).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(bad);
        }
        Ok(Checkpoint {
            origin: origin.to_string(),
            size,
            root,
            extensions,
        })
    }

    /// Opens a signed checkpoint of the log named `origin` with its key: another log's
    /// checkpoint is refused even if a trusted key signed it.
    pub fn open(note: &str, origin: &str, log_key: &VerifierKey) -> Result<Checkpoint, NoteError> {
        let (text, _) = open(note, std::slice::from_ref(log_key))?;
        let c = Checkpoint::parse(text)?;
        if c.origin != origin {
            return Err(NoteError::MalformedCheckpoint);
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of golang.org/x/mod/sumdb/note, which C2SP signed-note follows.
    const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const SIGNED: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    #[test]
    fn signs_and_opens_the_reference_note() {
        let s = SignerKey::parse(PETER_SKEY).unwrap();
        assert_eq!(s.verifier().to_string(), PETER_VKEY);
        assert_eq!(s.to_private_text(), PETER_SKEY);
        assert_eq!(sign(TEXT, &[&s]).unwrap(), SIGNED);
        let v = VerifierKey::parse(PETER_VKEY).unwrap();
        let (text, names) = open(SIGNED, std::slice::from_ref(&v)).unwrap();
        assert_eq!((text, names), (TEXT, vec!["PeterNeumann".to_string()]));
        // An altered text, an unknown key, a mangled key: each refused by name.
        let altered = SIGNED.replace("cryptography", "blockchain");
        assert_eq!(
            open(&altered, std::slice::from_ref(&v)),
            Err(NoteError::BadSignature)
        );
        let other = SignerKey::from_seed("PeterNeumann", [7; 32])
            .unwrap()
            .verifier();
        assert_eq!(open(SIGNED, &[other]), Err(NoteError::Unverified));
        assert_eq!(
            VerifierKey::parse(&PETER_VKEY.replace("c74f20a3", "c74f20a4")),
            Err(NoteError::MalformedKey)
        );
        assert_eq!(open("no signatures\n", &[v]), Err(NoteError::MalformedNote));
    }

    #[test]
    fn checkpoints_read_back_and_name_their_log() {
        let key = SignerKey::from_seed("licences.xihu.example/log", [3; 32]).unwrap();
        let c = Checkpoint {
            origin: "licences.xihu.example/log".into(),
            size: 42,
            root: super::super::log::leaf_hash(b"x"),
            extensions: vec![],
        };
        let note = sign(&c.text(), &[&key]).unwrap();
        let v = key.verifier();
        assert_eq!(Checkpoint::open(&note, &c.origin, &v).unwrap(), c);
        assert_eq!(
            Checkpoint::open(&note, "another.example/log", &v),
            Err(NoteError::MalformedCheckpoint)
        );
        for bad in ["x\n042\nAA==\n", "x\n1\n", "x\n-1\nAA==\n", "\n1\nAA==\n"] {
            assert_eq!(
                Checkpoint::parse(bad),
                Err(NoteError::MalformedCheckpoint),
                "{bad:?}"
            );
        }
    }
}
