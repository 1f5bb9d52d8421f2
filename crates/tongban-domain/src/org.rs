//! The organisation of the district: the district government, its departments, the streets and
//! town, and their communities and villages. Kept as data (`data/xihu/org.toml`).

use crate::catalog::Level;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub level: Level,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
}

/// A unit's 统一社会信用代码 for signing what it issues. The demo's units carry no code of their
/// own, so one is derived from the unit code (FNV-1a, stable across runs) in the district's
/// region; a unit file that states real codes should replace this.
pub fn unit_uscc(code: &str) -> crate::ids::Uscc {
    let mut h: u32 = 0x811c_9dc5;
    for b in code.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    crate::ids::organ_uscc("360103", h % 100_000_000).expect("a valid organ code")
}
