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
