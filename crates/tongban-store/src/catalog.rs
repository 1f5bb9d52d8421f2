//! The service catalog: items with a working copy (draft) and frozen published versions, and
//! the list of retained certificate demands.
//!
//! The `items` row carries the working copy and the newest published version; `item_search`
//! holds a narrow row per published item (name, level, unit, themes, search text) so that public
//! search scans little and reads guides only for the page it returns. `item_versions` keeps every published version unchanged forever.

use crate::write::Write;
use crate::{Page, Result, Store, StoreError, json_col};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongban_domain::catalog::{ItemGuide, Level, RetainedCertificate};

/// A published version as the public sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedItem {
    pub guide: ItemGuide,
    pub version: i64,
    pub published_at: String,
}

/// An item as administrators see it: the working copy and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemRecord {
    pub draft: ItemGuide,
    pub published_version: Option<i64>,
    pub published_at: Option<String>,
    /// The working copy differs from the newest published version.
    pub unpublished_edits: bool,
    pub updated_at: String,
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionInfo {
    pub version: i64,
    pub published_at: String,
    pub published_by: String,
    pub note: String,
}

/// Public catalog filter. Every search term must occur in the item's search text.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub terms: Vec<String>,
    pub level: Option<Level>,
    pub unit: Option<String>,
    pub theme: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub published: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredCertificate {
    pub id: String,
    #[serde(flatten)]
    pub certificate: RetainedCertificate,
    pub updated_at: String,
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
fn like_pattern(term: &str) -> String {
    let mut p = String::from("%");
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

fn published(row: &AnyRow) -> Result<PublishedItem> {
    Ok(PublishedItem {
        guide: json_col(row, "pub_json")?,
        version: row.try_get("published_version")?,
        published_at: row.try_get("published_at")?,
    })
}

fn record(row: &AnyRow) -> Result<ItemRecord> {
    Ok(ItemRecord {
        draft: json_col(row, "draft_json")?,
        published_version: row.try_get("published_version")?,
        published_at: row.try_get("published_at")?,
        unpublished_edits: row.try_get::<i64, _>("unpublished_edits")? != 0,
        updated_at: row.try_get("updated_at")?,
        updated_by: row.try_get("updated_by")?,
    })
}

const RECORD_COLUMNS: &str = "draft_json, published_version, published_at, unpublished_edits, updated_at, updated_by, pub_json";

impl Store {
    /// Creates a new item as a working copy (not yet public).
    pub async fn create_item(&self, actor: &str, guide: &ItemGuide) -> Result<ItemRecord> {
        let mut w = self.begin_write(actor).await?;
        if load_record(&mut w, &guide.code).await?.is_some() {
            return Err(StoreError::Conflict {
                field: "code",
                code: "duplicate_code",
            });
        }
        let record = save_draft(&mut w, guide, None).await?;
        w.commit().await?;
        Ok(record)
    }

    /// Replaces the working copy of an existing item. Published versions are untouched.
    pub async fn update_item(&self, actor: &str, guide: &ItemGuide) -> Result<ItemRecord> {
        let mut w = self.begin_write(actor).await?;
        let before =
            load_record(&mut w, &guide.code)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    entity: "item",
                    id: guide.code.clone(),
                })?;
        let record = save_draft(&mut w, guide, Some(&before)).await?;
        w.commit().await?;
        Ok(record)
    }

    /// Freezes the working copy as the next published version.
    pub async fn publish_item(&self, actor: &str, code: &str, note: &str) -> Result<i64> {
        let mut w = self.begin_write(actor).await?;
        let record = load_record(&mut w, code)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "item",
                id: code.to_string(),
            })?;
        let version = publish(&mut w, &record.0, note).await?;
        w.commit().await?;
        Ok(version)
    }

    /// Creates or updates many items at once, all or nothing, optionally publishing each one
    /// that changed. The caller has validated every guide.
    pub async fn import_items(
        &self,
        actor: &str,
        guides: &[ItemGuide],
        publish_all: bool,
        note: &str,
    ) -> Result<ImportSummary> {
        let mut w = self.begin_write(actor).await?;
        let mut s = ImportSummary::default();
        for guide in guides {
            let before = load_record(&mut w, &guide.code).await?;
            let record = match &before {
                Some((b, _)) if &b.draft == guide => {
                    s.unchanged += 1;
                    b.clone()
                }
                Some(b) => {
                    s.updated += 1;
                    save_draft(&mut w, guide, Some(b)).await?
                }
                None => {
                    s.created += 1;
                    save_draft(&mut w, guide, None).await?
                }
            };
            if publish_all && (record.unpublished_edits || record.published_version.is_none()) {
                publish(&mut w, &record, note).await?;
                s.published += 1;
            }
        }
        w.commit().await?;
        Ok(s)
    }

    pub async fn item_record(&self, code: &str) -> Result<Option<ItemRecord>> {
        let row = sqlx::query(sql!("SELECT {RECORD_COLUMNS} FROM items WHERE code = $1"))
            .bind(code)
            .fetch_optional(self.reader())
            .await?;
        row.map(|r| record(&r)).transpose()
    }

    /// Newest published version of an item.
    pub async fn published_item(&self, code: &str) -> Result<Option<PublishedItem>> {
        let row = sqlx::query(
            "SELECT pub_json, published_version, published_at FROM items WHERE code = $1 AND published_version IS NOT NULL",
        )
        .bind(code)
        .fetch_optional(self.lagging_reader())
        .await?;
        row.map(|r| published(&r)).transpose()
    }

    /// Public search: published items matching the filter, name matches first.
    pub async fn search_items(
        &self,
        filter: &ItemFilter,
        page: Page,
    ) -> Result<(Vec<PublishedItem>, i64)> {
        // The narrow search table picks the page's codes; only those rows' guides are read.
        // Parameters: $1 level, $2 unit, $3 theme pattern, $4… one per term.
        let mut filter_sql = String::from(
            " FROM item_search WHERE ($1 = '' OR level = $1) AND ($2 = '' OR unit = $2)
              AND ($3 = '' OR themes LIKE $3 ESCAPE '\\')",
        );
        let terms: Vec<String> = filter
            .terms
            .iter()
            .map(|t| like_pattern(&t.to_lowercase()))
            .collect();
        for i in 0..terms.len() {
            filter_sql.push_str(&format!(" AND search_text LIKE ${} ESCAPE '\\'", i + 4));
        }
        let level = filter.level.map(Level::as_str).unwrap_or("");
        let unit = filter.unit.as_deref().unwrap_or("");
        let theme = filter
            .theme
            .as_deref()
            .map(|t| like_pattern(&format!("|{t}|")))
            .unwrap_or_default();
        let n = terms.len() + 4;
        let name_first = match terms.first() {
            Some(_) => "CASE WHEN lower(name) LIKE $4 ESCAPE '\\' THEN 0 ELSE 1 END,",
            None => "",
        };
        // One scan answers both the page and the total (window count); only a page past the end
        // needs the count on its own.
        let mut list = sqlx::query(sql!(
            "SELECT code, COUNT(*) OVER () AS total {filter_sql}
             ORDER BY {name_first} level_rank, code LIMIT ${n} OFFSET ${}",
            n + 1
        ))
        .bind(level)
        .bind(unit)
        .bind(&theme);
        for t in &terms {
            list = list.bind(t);
        }
        let rows = list
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(self.lagging_reader())
            .await?;
        let Some(first) = rows.first() else {
            let mut count = sqlx::query_scalar::<_, i64>(sql!("SELECT COUNT(*){filter_sql}"))
                .bind(level)
                .bind(unit)
                .bind(&theme);
            for t in &terms {
                count = count.bind(t);
            }
            return Ok((vec![], count.fetch_one(self.lagging_reader()).await?));
        };
        let total: i64 = first.try_get("total")?;
        let codes: Vec<String> = rows
            .iter()
            .map(|r| r.try_get("code"))
            .collect::<Result<_, _>>()?;
        let placeholders = (1..=codes.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut rows = sqlx::query(sql!(
            "SELECT code, pub_json, published_version, published_at FROM items WHERE code IN ({placeholders})"
        ));
        for c in &codes {
            rows = rows.bind(c);
        }
        let mut by_code = std::collections::HashMap::new();
        for r in rows.fetch_all(self.lagging_reader()).await? {
            by_code.insert(r.try_get::<String, _>("code")?, published(&r)?);
        }
        // Keep the search's order; a row published away in between simply drops out.
        Ok((
            codes.iter().filter_map(|c| by_code.remove(c)).collect(),
            total,
        ))
    }

    /// Every item, published or not, for administrators; `term` filters by code or name.
    pub async fn admin_items(&self, term: &str, page: Page) -> Result<(Vec<ItemRecord>, i64)> {
        let pattern = like_pattern(&term.to_lowercase());
        let filter =
            "FROM items WHERE lower(code) LIKE $1 ESCAPE '\\' OR draft_name LIKE $1 ESCAPE '\\'";
        let rows = sqlx::query(sql!(
            "SELECT {RECORD_COLUMNS} {filter} ORDER BY updated_at DESC, code LIMIT $2 OFFSET $3"
        ))
        .bind(&pattern)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(self.reader())
        .await?;
        let total = sqlx::query_scalar::<_, i64>(sql!("SELECT COUNT(*) {filter}"))
            .bind(&pattern)
            .fetch_one(self.reader())
            .await?;
        Ok((rows.iter().map(record).collect::<Result<_>>()?, total))
    }

    /// The published guides as last read (see `read_cache.rs`): for pages that read them on
    /// every request (the dashboard's catalog shares).
    pub async fn published_guides_shared(&self) -> Result<std::sync::Arc<Vec<ItemGuide>>> {
        self.guides_cache
            .get("published".into(), || self.published_guides())
            .await
    }

    /// The newest published version of every item (uniformity, indicators, export).
    pub async fn published_guides(&self) -> Result<Vec<ItemGuide>> {
        let rows = sqlx::query(
            "SELECT pub_json FROM items WHERE published_version IS NOT NULL ORDER BY code",
        )
        .fetch_all(self.lagging_reader())
        .await?;
        rows.iter().map(|r| json_col(r, "pub_json")).collect()
    }

    /// Code and unit of every published item sharing `basic_code` (the same item elsewhere).
    pub async fn published_with_basic_code(
        &self,
        basic_code: &str,
    ) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT code, unit FROM item_search WHERE basic_code = $1 ORDER BY level_rank, code",
        )
        .bind(basic_code)
        .fetch_all(self.lagging_reader())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("code")?, r.try_get("unit")?)))
            .collect()
    }

    /// Distinct themes of published items, for the browse facets.
    pub async fn themes(&self) -> Result<Vec<String>> {
        let rows: Vec<String> = sqlx::query_scalar("SELECT DISTINCT themes FROM item_search")
            .fetch_all(self.lagging_reader())
            .await?;
        let mut themes: Vec<String> = rows
            .iter()
            .flat_map(|t| t.split('|').filter(|s| !s.is_empty()).map(str::to_string))
            .collect();
        themes.sort();
        themes.dedup();
        Ok(themes)
    }

    pub async fn item_versions(&self, code: &str) -> Result<Vec<VersionInfo>> {
        let rows = sqlx::query(
            "SELECT version, published_at, published_by, note FROM item_versions WHERE code = $1 ORDER BY version DESC",
        )
        .bind(code)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(VersionInfo {
                    version: r.try_get("version")?,
                    published_at: r.try_get("published_at")?,
                    published_by: r.try_get("published_by")?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }

    pub async fn item_version(&self, code: &str, version: i64) -> Result<Option<ItemGuide>> {
        let row =
            sqlx::query("SELECT guide_json FROM item_versions WHERE code = $1 AND version = $2")
                .bind(code)
                .bind(version)
                .fetch_optional(self.reader())
                .await?;
        row.map(|r| json_col(&r, "guide_json")).transpose()
    }

    pub async fn item_exists(&self, code: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM items WHERE code = $1")
            .bind(code)
            .fetch_one(self.reader())
            .await?;
        Ok(n > 0)
    }

    // ---- 保留证明事项清单 ----

    pub async fn retained_certificates(&self) -> Result<Vec<StoredCertificate>> {
        let rows = sqlx::query(
            "SELECT id, name, legal_basis, issuer, item_code, note, updated_at FROM retained_certificates ORDER BY id",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(certificate).collect()
    }

    /// Creates (`id` new) or replaces (`id` existing) an entry of the list.
    pub async fn save_retained_certificate(
        &self,
        actor: &str,
        id: Option<&str>,
        c: &RetainedCertificate,
    ) -> Result<StoredCertificate> {
        let mut w = self.begin_write(actor).await?;
        let before =
            match id {
                Some(id) => Some(load_certificate(&mut w, id).await?.ok_or_else(|| {
                    StoreError::NotFound {
                        entity: "certificate",
                        id: id.into(),
                    }
                })?),
                None => None,
            };
        let id = match id {
            Some(id) => id.to_string(),
            None => {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM retained_certificates")
                    .fetch_one(w.conn())
                    .await?;
                // Ids read as list numbers (BL-0001…), stable once given.
                let mut k = n + 1;
                loop {
                    let id = format!("BL-{k:04}");
                    if load_certificate(&mut w, &id).await?.is_none() {
                        break id;
                    }
                    k += 1;
                }
            }
        };
        let stored = StoredCertificate {
            id: id.clone(),
            certificate: c.clone(),
            updated_at: w.at().to_string(),
        };
        sqlx::query(
            "INSERT INTO retained_certificates (id, name, legal_basis, issuer, item_code, note, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (id) DO UPDATE SET name = $2, legal_basis = $3, issuer = $4, item_code = $5, note = $6, updated_at = $7",
        )
        .bind(&id)
        .bind(&c.name)
        .bind(&c.legal_basis)
        .bind(&c.issuer)
        .bind(&c.item_code)
        .bind(&c.note)
        .bind(&stored.updated_at)
        .execute(w.conn())
        .await?;
        w.audit(
            "certificate.save",
            "retained_certificate",
            &id,
            before.as_ref(),
            Some(&stored),
        )
        .await?;
        w.commit().await?;
        Ok(stored)
    }

    pub async fn delete_retained_certificate(&self, actor: &str, id: &str) -> Result<()> {
        let mut w = self.begin_write(actor).await?;
        let before = load_certificate(&mut w, id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "certificate",
                id: id.into(),
            })?;
        sqlx::query("DELETE FROM retained_certificates WHERE id = $1")
            .bind(id)
            .execute(w.conn())
            .await?;
        w.audit::<_, ()>(
            "certificate.delete",
            "retained_certificate",
            id,
            Some(&before),
            None,
        )
        .await?;
        w.commit().await
    }
}

fn certificate(r: &AnyRow) -> Result<StoredCertificate> {
    Ok(StoredCertificate {
        id: r.try_get("id")?,
        certificate: RetainedCertificate {
            name: r.try_get("name")?,
            legal_basis: r.try_get("legal_basis")?,
            issuer: r.try_get("issuer")?,
            item_code: r.try_get("item_code")?,
            note: r.try_get("note")?,
        },
        updated_at: r.try_get("updated_at")?,
    })
}

async fn load_certificate(w: &mut Write, id: &str) -> Result<Option<StoredCertificate>> {
    let row = sqlx::query("SELECT id, name, legal_basis, issuer, item_code, note, updated_at FROM retained_certificates WHERE id = $1")
        .bind(id)
        .fetch_optional(w.conn())
        .await?;
    row.map(|r| certificate(&r)).transpose()
}

async fn load_record(w: &mut Write, code: &str) -> Result<Option<(ItemRecord, Option<ItemGuide>)>> {
    let row = sqlx::query(sql!("SELECT {RECORD_COLUMNS} FROM items WHERE code = $1"))
        .bind(code)
        .fetch_optional(w.conn())
        .await?;
    row.map(|r| {
        let published: Option<String> = r.try_get("pub_json")?;
        let published = published
            .map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()?;
        Ok((record(&r)?, published))
    })
    .transpose()
}

/// Writes the working copy and audits the change.
async fn save_draft(
    w: &mut Write,
    guide: &ItemGuide,
    before: Option<&(ItemRecord, Option<ItemGuide>)>,
) -> Result<ItemRecord> {
    let published_guide = before.and_then(|(_, p)| p.as_ref());
    let record = ItemRecord {
        draft: guide.clone(),
        published_version: before.and_then(|(r, _)| r.published_version),
        published_at: before.and_then(|(r, _)| r.published_at.clone()),
        unpublished_edits: published_guide != Some(guide),
        updated_at: w.at().to_string(),
        updated_by: w.actor().to_string(),
    };
    sqlx::query(
        "INSERT INTO items (code, draft_json, draft_name, draft_unit, unpublished_edits, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (code) DO UPDATE SET draft_json = $2, draft_name = $3, draft_unit = $4,
             unpublished_edits = $5, updated_at = $6, updated_by = $7",
    )
    .bind(&guide.code)
    .bind(crate::to_json(guide))
    .bind(guide.name.to_lowercase())
    .bind(&guide.unit)
    .bind(i64::from(record.unpublished_edits))
    .bind(&record.updated_at)
    .bind(&record.updated_by)
    .execute(w.conn())
    .await?;
    let action = if before.is_some() {
        "item.update"
    } else {
        "item.create"
    };
    w.audit(
        action,
        "item",
        &guide.code,
        before.map(|(r, _)| &r.draft),
        Some(guide),
    )
    .await?;
    Ok(record)
}

async fn publish(w: &mut Write, record: &ItemRecord, note: &str) -> Result<i64> {
    if !record.unpublished_edits && record.published_version.is_some() {
        return Err(StoreError::Conflict {
            field: "version",
            code: "nothing_to_publish",
        });
    }
    let g = &record.draft;
    let version = record.published_version.unwrap_or(0) + 1;
    let json = crate::to_json(g);
    sqlx::query(
        "INSERT INTO item_versions (code, version, guide_json, published_at, published_by, note) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&g.code)
    .bind(version)
    .bind(&json)
    .bind(w.at().to_string())
    .bind(w.actor().to_string())
    .bind(note)
    .execute(w.conn())
    .await?;
    sqlx::query(
        "UPDATE items SET published_version = $2, published_at = $3, pub_json = $4, unpublished_edits = 0 WHERE code = $1",
    )
    .bind(&g.code)
    .bind(version)
    .bind(w.at().to_string())
    .bind(&json)
    .execute(w.conn())
    .await?;
    let level_rank = Level::ALL.iter().position(|l| *l == g.level).unwrap_or(0) as i64;
    sqlx::query(
        "INSERT INTO item_search (code, name, basic_code, level, level_rank, unit, themes, online_depth, search_text)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (code) DO UPDATE SET name = $2, basic_code = $3, level = $4, level_rank = $5, unit = $6,
             themes = $7, online_depth = $8, search_text = $9",
    )
    .bind(&g.code)
    .bind(&g.name)
    .bind(&g.basic_code)
    .bind(g.level.as_str())
    .bind(level_rank)
    .bind(&g.unit)
    .bind(format!("|{}|", g.themes.join("|")))
    .bind(g.online_depth.as_str())
    .bind(g.search_text())
    .execute(w.conn())
    .await?;
    let after = serde_json::json!({ "version": version, "note": note, "guide": g });
    w.audit(
        "item.publish",
        "item",
        &g.code,
        Some(&serde_json::json!({ "version": record.published_version })),
        Some(&after),
    )
    .await?;
    Ok(version)
}
