//! The organisation: units of the district, its streets and communities.

use crate::{Result, Store, write::Write};
use sqlx::Row;
use sqlx::any::AnyRow;
use tongban_domain::catalog::Level;
use tongban_domain::org::Unit;

fn unit(row: &AnyRow) -> Result<Unit> {
    let level: String = row.try_get("level")?;
    Ok(Unit {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        name_en: row.try_get("name_en")?,
        level: Level::parse(&level)
            .ok_or_else(|| crate::StoreError::Corrupt(format!("unit level {level}")))?,
        parent: row.try_get("parent")?,
        address: row.try_get("address")?,
        phone: row.try_get("phone")?,
    })
}

impl Store {
    /// All units, parents before children (district, then departments and streets, then
    /// communities), each level by code.
    pub async fn units(&self) -> Result<Vec<Unit>> {
        // Read on most pages (names, choices): kept as last read (see `read_cache.rs`).
        let kept = self
            .units_cache
            .get("units".into(), || self.units_uncached())
            .await?;
        Ok((*kept).clone())
    }

    async fn units_uncached(&self) -> Result<Vec<Unit>> {
        let rows = sqlx::query(
            "SELECT code, name, name_en, level, parent, address, phone FROM units
             ORDER BY CASE level WHEN 'district' THEN 0 WHEN 'street' THEN 1 ELSE 2 END,
                      CASE WHEN parent IS NULL THEN 0 ELSE 1 END, code",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(unit).collect()
    }

    /// The codes of all units, for validating references to them.
    pub async fn unit_codes(&self) -> Result<std::collections::BTreeSet<String>> {
        let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM units")
            .fetch_all(self.reader())
            .await?;
        Ok(codes.into_iter().collect())
    }

    /// Inserts or updates units in order (parents must come before their children).
    pub async fn upsert_units(&self, actor: &str, units: &[Unit]) -> Result<()> {
        let mut w = self.begin_write(actor).await?;
        for u in units {
            upsert_unit(&mut w, u).await?;
        }
        w.commit().await
    }
}

async fn upsert_unit(w: &mut Write, u: &Unit) -> Result<()> {
    let before = sqlx::query(
        "SELECT code, name, name_en, level, parent, address, phone FROM units WHERE code = $1",
    )
    .bind(&u.code)
    .fetch_optional(w.conn())
    .await?
    .map(|r| unit(&r))
    .transpose()?;
    if before.as_ref() == Some(u) {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO units (code, name, name_en, level, parent, address, phone) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (code) DO UPDATE SET name = $2, name_en = $3, level = $4, parent = $5, address = $6, phone = $7",
    )
    .bind(&u.code)
    .bind(&u.name)
    .bind(&u.name_en)
    .bind(u.level.as_str())
    .bind(&u.parent)
    .bind(&u.address)
    .bind(&u.phone)
    .execute(w.conn())
    .await?;
    w.audit("unit.upsert", "unit", &u.code, before.as_ref(), Some(u))
        .await
}
