//! Identifiers of people and organisations, parsed once at the edge.
//!
//! * 统一社会信用代码 (Unified Social Credit Code, GB 32100-2015): 18 characters, the last a
//!   check character over the first 17 (modulus 31 on a 31-character alphabet).
//! * 居民身份证号码 (citizen identity number, GB 11643-1999): 17 digits and an ISO 7064
//!   MOD 11-2 check character (`0`-`9` or `X`), with the date of birth at positions 7–14.
//!
//! Once a `Uscc` or `IdNumber` exists it is valid; nothing downstream re-checks.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why an identifier was refused. The web layer turns each into a message in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("must be 18 characters")]
    Length,
    #[error("contains a character that is not allowed")]
    Charset,
    #[error("check character does not match")]
    CheckCharacter,
    #[error("date of birth is not a real date")]
    BirthDate,
}

impl IdError {
    /// Stable code used by the message catalog and problem+json bodies.
    pub fn code(self) -> &'static str {
        match self {
            IdError::Length => "id_length",
            IdError::Charset => "id_charset",
            IdError::CheckCharacter => "id_check",
            IdError::BirthDate => "id_birth_date",
        }
    }
}

/// The 31 characters GB 32100 uses: digits and capitals without I, O, S, V, Z.
const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// 统一社会信用代码.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

impl Uscc {
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let s = input.trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(IdError::Length);
        }
        let values: Vec<u32> = s
            .bytes()
            .map(|b| USCC_ALPHABET.iter().position(|&a| a == b).map(|p| p as u32))
            .collect::<Option<_>>()
            .ok_or(IdError::Charset)?;
        if uscc_check_value(&values[..17]) != values[17] {
            return Err(IdError::CheckCharacter);
        }
        Ok(Uscc(s))
    }

    /// Completes a 17-character body with its check character. Used when the licence case issues
    /// a new code, and by tests. Returns `None` if the body has a character outside the alphabet.
    pub fn from_body(body: &str) -> Option<Self> {
        if body.len() != 17 {
            return None;
        }
        let values: Vec<u32> = body
            .bytes()
            .map(|b| USCC_ALPHABET.iter().position(|&a| a == b).map(|p| p as u32))
            .collect::<Option<_>>()?;
        let check = USCC_ALPHABET[uscc_check_value(&values) as usize] as char;
        Some(Uscc(format!("{body}{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new market entity's code, as the registration authority issues it: `9` (market
/// regulation) `1` (enterprise), the 6-digit region, the 9-character entity code (`MA`, six
/// serial characters and the GB 11714 check character), and the GB 32100 check character.
/// `serial` counts the codes issued in the region; distinct serials give distinct codes.
pub fn new_enterprise_uscc(region: &str, serial: u32) -> Option<Uscc> {
    if region.len() != 6 || !region.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Six characters of the 31-letter alphabet: 887 503 681 codes per region.
    let mut n = serial;
    let mut six = [b'0'; 6];
    for c in six.iter_mut().rev() {
        *c = USCC_ALPHABET[(n % 31) as usize];
        n /= 31;
    }
    let mut entity = String::from("MA");
    entity.push_str(std::str::from_utf8(&six).expect("ASCII"));
    entity.push(org_code_check(&entity)?);
    Uscc::from_body(&format!("91{region}{entity}"))
}

/// A state organ's code (`1` organ registration, `1` organ): the region, a 9-character
/// organisation code (eight digits of `serial` and its GB 11714 check) and the GB 32100 check.
pub fn organ_uscc(region: &str, serial: u32) -> Option<Uscc> {
    if region.len() != 6 || !region.bytes().all(|b| b.is_ascii_digit()) || serial >= 100_000_000 {
        return None;
    }
    let mut org = format!("{serial:08}");
    org.push(org_code_check(&org)?);
    Uscc::from_body(&format!("11{region}{org}"))
}

/// GB 11714 check character of an 8-character organisation code body (digits and capitals,
/// letters counting 10–35): `11 - Σ(value × weight) mod 11`, with 10 written `X` and 11 `0`.
pub fn org_code_check(body: &str) -> Option<char> {
    const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    if body.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (b, w) in body.bytes().zip(WEIGHTS) {
        let v = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => return None,
        };
        sum += v * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from_digit(c, 10).expect("a digit"),
    })
}

fn uscc_check_value(values: &[u32]) -> u32 {
    let sum: u32 = values.iter().zip(USCC_WEIGHTS).map(|(v, w)| v * w).sum();
    (31 - sum % 31) % 31
}

impl TryFrom<String> for Uscc {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Uscc::parse(&s)
    }
}
impl From<Uscc> for String {
    fn from(u: Uscc) -> String {
        u.0
    }
}
impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// 居民身份证号码.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

impl IdNumber {
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let s = input.trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(IdError::Length);
        }
        let bytes = s.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(IdError::Charset);
        }
        if id_check_char(&bytes[..17]) != bytes[17] {
            return Err(IdError::CheckCharacter);
        }
        let (y, m, d) = (&s[6..10], &s[10..12], &s[12..14]);
        let date = jiff::civil::Date::new(
            y.parse().map_err(|_| IdError::BirthDate)?,
            m.parse().map_err(|_| IdError::BirthDate)?,
            d.parse().map_err(|_| IdError::BirthDate)?,
        );
        if date.is_err() || y < "1900" {
            return Err(IdError::BirthDate);
        }
        Ok(IdNumber(s))
    }

    /// Completes 17 digits with the check character (tests and demo data).
    pub fn from_body(body: &str) -> Option<Self> {
        if body.len() != 17 || !body.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let c = id_check_char(body.as_bytes()) as char;
        IdNumber::parse(&format!("{body}{c}")).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form shown on public pages and to staff who do not need the full number:
    /// the region's first four digits and the last four, the rest starred.
    pub fn masked(&self) -> String {
        format!("{}**********{}", &self.0[..4], &self.0[14..])
    }
}

fn id_check_char(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    ID_CHECK[(sum % 11) as usize]
}

// Never print a full identity number by accident (logs, panics).
impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}
impl TryFrom<String> for IdNumber {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        IdNumber::parse(&s)
    }
}
impl From<IdNumber> for String {
    fn from(i: IdNumber) -> String {
        i.0
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn issued_codes_carry_both_check_characters() {
        // The demo company's code: entity code MA39K2R7 has GB 11714 check 4.
        assert_eq!(org_code_check("MA39K2R7"), Some('4'));
        let mut seen = std::collections::HashSet::new();
        for serial in [0, 1, 30, 31, 961, 123_456, 887_503_680] {
            let u = new_enterprise_uscc("360103", serial).unwrap();
            assert!(Uscc::parse(u.as_str()).is_ok());
            assert!(u.as_str().starts_with("91360103MA"));
            let entity = &u.as_str()[8..17];
            assert_eq!(org_code_check(&entity[..8]), entity.chars().nth(8));
            assert!(seen.insert(u));
        }
        assert!(new_enterprise_uscc("3601", 1).is_none());
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_uscc_codes() {
        // Published codes of real organisations.
        assert!(Uscc::parse("91350100M000100Y43").is_ok());
        assert!(Uscc::parse("91110000802100433B").is_ok());
        assert_eq!(
            Uscc::parse("91350100M000100Y44"),
            Err(IdError::CheckCharacter)
        );
        assert_eq!(Uscc::parse("91350100M000100Y4"), Err(IdError::Length));
        assert_eq!(Uscc::parse("91350100M000100I43"), Err(IdError::Charset));
        // Lower case is accepted and normalised.
        assert_eq!(
            Uscc::parse("91350100m000100y43").unwrap().as_str(),
            "91350100M000100Y43"
        );
    }

    #[test]
    fn known_id_numbers() {
        // The GB 11643 standard's own example.
        assert!(IdNumber::parse("11010519491231002X").is_ok());
        assert_eq!(
            IdNumber::parse("110105194912310021"),
            Err(IdError::CheckCharacter)
        );
        assert_eq!(
            IdNumber::parse("11010519491331002X").err(),
            Some(IdError::CheckCharacter)
        );
        let bad_date = IdNumber::from_body("11010519491332002");
        assert!(bad_date.is_none());
        assert_eq!(
            IdNumber::parse("11010519491231002X").unwrap().masked(),
            "1101**********002X"
        );
    }

    proptest! {
        #[test]
        fn uscc_check_character_round_trips(body in "[0-9A-HJ-NP-RTUW-Y]{17}") {
            let code = Uscc::from_body(&body).unwrap();
            prop_assert!(Uscc::parse(code.as_str()).is_ok());
        }

        #[test]
        fn uscc_single_substitution_is_caught(body in "[0-9A-HJ-NP-RTUW-Y]{17}", pos in 0usize..18, delta in 1u32..31) {
            let code = Uscc::from_body(&body).unwrap();
            let mut values: Vec<u32> = code.as_str().bytes()
                .map(|b| USCC_ALPHABET.iter().position(|&a| a == b).unwrap() as u32).collect();
            values[pos] = (values[pos] + delta) % 31;
            let altered: String = values.iter().map(|&v| USCC_ALPHABET[v as usize] as char).collect();
            prop_assert_eq!(Uscc::parse(&altered), Err(IdError::CheckCharacter));
        }

        #[test]
        fn id_number_single_digit_change_is_caught(
            region in 110000u32..660000, y in 1930i16..2020, m in 1i8..=12, d in 1i8..=28,
            seq in 0u32..1000, pos in 0usize..17, delta in 1u8..10,
        ) {
            let body = format!("{region:06}{y:04}{m:02}{d:02}{seq:03}");
            let id = IdNumber::from_body(&body).unwrap();
            let mut bytes = id.as_str().as_bytes().to_vec();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let altered = String::from_utf8(bytes).unwrap();
            prop_assert!(IdNumber::parse(&altered).is_err());
        }
    }
}
