//! The electronic licence identifier, in the form public implementations of GB/T 36903 use:
//! `1.2.156.3005.2.{type}.{issuer USCC}.{serial}.{version}.{check}` — the national OID arc of
//! electronic licences, the licence type's code, the issuing unit's 统一社会信用代码, a serial
//! within type and issuer, the version (a change or renewal is a new version) and one check
//! character.
//!
//! **The check character is ISO/IEC 7064 MOD 37-2** over the identifier's letters and digits
//! (dots left out), written as one of `0-9A-Z` or `*`. Why: the identifier mixes digits and the
//! letters of the USCC, so a numeric scheme cannot cover it; among the standard's alphanumeric
//! systems MOD 37-2 (a pure system: prime modulus 37, weights the powers of 2) catches **every**
//! single substitution and **every** transposition of two adjacent different characters — a
//! change of one character by `w·(a − b)` with `w` a power of two, never 0 modulo the prime 37.
//! (The hybrid MOD 37,36 keeps the check inside `0-9A-Z` but misses some transpositions; the
//! property test found one.) `*` is in the QR code's alphanumeric mode, so the identifier still
//! encodes compactly. GB 32100 uses a MOD 31 weighting for the USCC's own check; GB/T 36903
//! leaves the choice to the implementation.

use std::fmt;

/// The national arc of electronic licences.
pub const ARC: &str = "1.2.156.3005.2";

/// The characters' values are their places here; `*` (36) appears only as a check.
const ALPHABET: &[u8; 37] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*";

fn value(c: u8) -> Option<u32> {
    ALPHABET[..36]
        .iter()
        .position(|a| *a == c)
        .map(|p| p as u32)
}

/// The ISO/IEC 7064 pure-system state over `chars`: `p ← (p + v) · 2 mod 37`.
fn run(chars: impl Iterator<Item = u8>) -> Option<u32> {
    let mut p = 0;
    for c in chars {
        p = (p + value(c)?) * 2 % 37;
    }
    Some(p)
}

/// The check character of `body` (dots are skipped): the `c` with `(p + c) mod 37 = 1`; `None`
/// when the body holds a character outside `0-9A-Z` and `.`.
pub fn check_char(body: &str) -> Option<char> {
    if body.bytes().any(|b| b != b'.' && value(b).is_none()) {
        return None;
    }
    let p = run(body.bytes().filter(|b| *b != b'.'))?;
    Some(ALPHABET[((38 - p) % 37) as usize] as char)
}

/// A licence identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identifier {
    /// The licence type's code (digits).
    pub type_code: String,
    pub issuer: String,
    pub serial: u64,
    pub version: u32,
}

/// Why an identifier was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("malformed_identifier")]
    Malformed,
    #[error("check_character")]
    CheckCharacter,
}

impl IdentifierError {
    pub fn code(self) -> &'static str {
        match self {
            IdentifierError::Malformed => "malformed_identifier",
            IdentifierError::CheckCharacter => "check_character",
        }
    }
}

impl Identifier {
    /// The identifier of every version: arc, type, issuer, serial.
    pub fn base(&self) -> String {
        format!("{ARC}.{}.{}.{}", self.type_code, self.issuer, self.serial)
    }

    fn body(&self) -> String {
        format!("{}.{}", self.base(), self.version)
    }

    /// Reads an identifier, checking its form and its check character.
    pub fn parse(text: &str) -> Result<Identifier, IdentifierError> {
        let rest = text
            .trim()
            .strip_prefix(ARC)
            .and_then(|r| r.strip_prefix('.'))
            .ok_or(IdentifierError::Malformed)?;
        let parts: Vec<&str> = rest.split('.').collect();
        let [type_code, issuer, serial, version, check] = parts[..] else {
            return Err(IdentifierError::Malformed);
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(type_code)
            || crate::ids::Uscc::parse(issuer).is_err()
            || !digits(serial)
            || !digits(version)
            || check.len() != 1
        {
            return Err(IdentifierError::Malformed);
        }
        let id = Identifier {
            type_code: type_code.to_string(),
            issuer: issuer.to_string(),
            serial: serial.parse().map_err(|_| IdentifierError::Malformed)?,
            version: version.parse().map_err(|_| IdentifierError::Malformed)?,
        };
        // Leading zeros would give one licence two spellings.
        if id.serial.to_string() != serial || id.version.to_string() != version {
            return Err(IdentifierError::Malformed);
        }
        if check_char(&id.body()).map(String::from) != Some(check.to_string()) {
            return Err(IdentifierError::CheckCharacter);
        }
        Ok(id)
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = self.body();
        let check = check_char(&body).unwrap_or('?');
        write!(f, "{body}.{check}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Identifier {
        Identifier {
            type_code: "310100".into(),
            issuer: "11360103MB1234567P".into(),
            serial: 1234,
            version: 1,
        }
    }

    #[test]
    fn reads_back_and_refuses_a_wrong_check() {
        let id = Identifier {
            issuer: crate::ids::new_enterprise_uscc("360103", 42)
                .unwrap()
                .as_str()
                .to_string(),
            ..sample()
        };
        let text = id.to_string();
        assert!(text.starts_with("1.2.156.3005.2.310100."), "{text}");
        assert_eq!(Identifier::parse(&text), Ok(id.clone()));
        let last = text.chars().last().unwrap();
        let other = if last == '0' { '1' } else { '0' };
        let wrong = format!("{}{other}", &text[..text.len() - 1]);
        assert_eq!(
            Identifier::parse(&wrong),
            Err(IdentifierError::CheckCharacter)
        );
        for bad in [
            "",
            "1.2.156.3005.2",
            "1.2.3.4",
            &text.replace(".1234.", ".01234."),
        ] {
            assert!(Identifier::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_check_closes_the_sum_at_one() {
        // ISO/IEC 7064 pure systems: the data's running value plus the check is 1 modulo 37.
        for body in [
            "0",
            "A",
            "1.2.156.3005.2.310100.X.1.1",
            "ZZZZ",
            "0123456789",
        ] {
            let c = check_char(body).unwrap();
            let p = run(body.bytes().filter(|b| *b != b'.')).unwrap();
            let cv = ALPHABET.iter().position(|a| *a == c as u8).unwrap() as u32;
            assert_eq!((p + cv) % 37, 1, "{body}");
        }
        assert_eq!(check_char("a-b"), None);
    }

    proptest! {
        /// Every single substitution and every adjacent transposition of different characters
        /// changes the check character.
        #[test]
        fn catches_substitutions_and_transpositions(body in "[0-9A-Z]{4,40}", at in any::<prop::sample::Index>(), to in 0usize..36) {
            let bytes = body.as_bytes();
            let i = at.index(bytes.len());
            let c = check_char(&body).unwrap();
            if ALPHABET[to] != bytes[i] {
                let mut sub = bytes.to_vec();
                sub[i] = ALPHABET[to];
                prop_assert_ne!(check_char(std::str::from_utf8(&sub).unwrap()).unwrap(), c);
            }
            if i + 1 < bytes.len() && bytes[i] != bytes[i + 1] {
                let mut swapped = bytes.to_vec();
                swapped.swap(i, i + 1);
                prop_assert_ne!(check_char(std::str::from_utf8(&swapped).unwrap()).unwrap(), c);
            }
        }
    }
}
