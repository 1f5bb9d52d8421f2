//! The transparency log in the store: an entry and the subtrees it completes are written in the
//! same write as the record that caused it (a licence and its audit entry), so the log can never
//! be ahead of or behind the records. Heads and proofs read only the few stored subtree hashes
//! they need; `verify_log` recomputes the whole tree from the entries.

use crate::write::Write;
use crate::{Result, Store, StoreError};
use sqlx::Row;
use std::collections::HashMap;
use tongban_domain::licences::log::{self, Hash};
use tongban_domain::licences::note::{self, Checkpoint, SignerKey, VerifierKey};
use tongban_domain::licences::proof::{CompactCheckpoint, LicenceProof, Trust};
use tongban_domain::licences::tiles::{self, Tile};
use tongban_domain::licences::tree::{self, NodeId, Query};

/// The log's size: the entries are numbered 0, 1, 2… (the index's last key, not a count).
const SIZE: &str = "SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries";

fn to_hex(h: &Hash) -> String {
    hex::encode(h)
}

fn from_hex(s: &str, what: &str) -> Result<Hash> {
    hex::decode(s)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| StoreError::Corrupt(format!("log: {what} is not a hash")))
}

/// The first place where the stored log disagrees with its recomputation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogFault {
    /// Entries are not numbered 0, 1, 2… (one was removed).
    Gap { at: u64 },
    /// A stored subtree hash differs from the one its entries give (an entry or a node changed).
    Node { level: u8, index: u64 },
    /// A complete subtree's hash is missing.
    Missing { level: u8, index: u64 },
    /// A published checkpoint does not match the recomputed head at its size, or its
    /// signature does not verify.
    Checkpoint { size: u64 },
}

impl std::fmt::Display for LogFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogFault::Gap { at } => write!(f, "entry {at} is missing"),
            LogFault::Node { level, index } => write!(
                f,
                "the subtree at level {level}, index {index} (entries {}..{}) does not match its entries",
                index << level,
                (index + 1) << level
            ),
            LogFault::Missing { level, index } => {
                write!(f, "the subtree at level {level}, index {index} is missing")
            }
            LogFault::Checkpoint { size } => {
                write!(
                    f,
                    "the checkpoint of size {size} does not match the log or its key"
                )
            }
        }
    }
}

/// The entry whose append finished a subtree: its last leaf.
fn finisher(id: NodeId) -> u64 {
    ((id.index + 1) << id.level) - 1
}

/// The subtrees an entry's append finished, bottom up, from its `nodes` column.
fn parse_nodes(text: &str) -> Result<Vec<Hash>> {
    if !text.len().is_multiple_of(64) {
        return Err(StoreError::Corrupt(
            "log: an entry's subtrees are not hashes".into(),
        ));
    }
    (0..text.len() / 64)
        .map(|i| from_hex(&text[i * 64..(i + 1) * 64], "a node"))
        .collect()
}

/// Reads the stored nodes `ids` on one connection, from the rows of the entries that finished
/// them, a few dozen per query. A node whose entry is missing, or does not hold it, is left out.
async fn read_nodes(
    conn: &mut sqlx::AnyConnection,
    ids: &std::collections::BTreeSet<NodeId>,
) -> Result<HashMap<NodeId, Hash>> {
    let rows: std::collections::BTreeSet<u64> = ids.iter().map(|id| finisher(*id)).collect();
    let mut finished: HashMap<u64, Vec<Hash>> = HashMap::new();
    for chunk in rows.iter().collect::<Vec<_>>().chunks(60) {
        let mut sql = String::from("SELECT idx, nodes FROM log_entries WHERE idx IN (");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", i + 1));
        }
        sql.push(')');
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for idx in chunk {
            query = query.bind(**idx as i64);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let idx: i64 = row.try_get("idx")?;
            finished.insert(
                idx as u64,
                parse_nodes(&row.try_get::<String, _>("nodes")?)?,
            );
        }
    }
    Ok(ids
        .iter()
        .filter_map(|id| {
            let h = finished.get(&finisher(*id))?.get(usize::from(id.level))?;
            Some((*id, *h))
        })
        .collect())
}

impl Store {
    /// The log's name and key from now on: every append signs a checkpoint of the new size.
    pub fn with_log_key(mut self, origin: &str, key: SignerKey) -> Store {
        self.log_key = Some(std::sync::Arc::new((origin.to_string(), key)));
        self
    }

    /// The issuing units' keys from `dir` (`units/…`), made there when a unit first needs one.
    pub fn with_keys_dir(mut self, dir: std::path::PathBuf) -> Store {
        self.keys = std::sync::Arc::new(crate::keyring::Keyring::in_dir(dir));
        self
    }

    pub fn keyring(&self) -> &crate::keyring::Keyring {
        &self.keys
    }

    /// What an offline verifier trusts: the log's origin and key and every issuing unit's keys
    /// (`None` while the log does not sign).
    pub async fn trust(&self) -> Result<Option<Trust>> {
        let Some((origin, log_key)) = self.log_verifier() else {
            return Ok(None);
        };
        let issuers = self.keys.issuers().map_err(StoreError::Corrupt)?;
        Ok(Some(Trust {
            origin,
            log_key,
            issuers,
            witnesses: self.witness_keys().await?,
        }))
    }

    /// The proof of entry `index` at the newest checkpoint; with `since`, a status: the
    /// consistency proof from that older size too. `None` while nothing is signed.
    pub async fn log_proof(&self, index: u64, since: Option<u64>) -> Result<Option<LicenceProof>> {
        let Some(note_text) = self.log_checkpoint().await? else {
            return Ok(None);
        };
        let checkpoint = CompactCheckpoint::from_note(&note_text)
            .map_err(|e| StoreError::Corrupt(format!("log checkpoint: {}", e.code())))?;
        let Some(entry) = self.log_entry(index).await? else {
            return Ok(None);
        };
        let size = checkpoint.size;
        let inclusion = self.log_query(Query::Inclusion { index, size }).await?;
        let consistency = match since {
            Some(first) if first < size && first > 0 => Some((
                first,
                self.log_query(Query::Consistency {
                    first,
                    second: size,
                })
                .await?,
            )),
            _ => None,
        };
        Ok(Some(LicenceProof {
            entry,
            index,
            checkpoint,
            inclusion,
            consistency,
        }))
    }

    /// The log's name and verifier key, when it signs.
    pub fn log_verifier(&self) -> Option<(String, VerifierKey)> {
        self.log_key.as_ref().map(|k| (k.0.clone(), k.1.verifier()))
    }

    /// The newest signed checkpoint (signed now if appends came after it), with any
    /// witnesses' cosignatures.
    pub async fn log_checkpoint(&self) -> Result<Option<String>> {
        self.log_sign_checkpoint().await?;
        let row = sqlx::query("SELECT size, note FROM log_checkpoints ORDER BY size DESC LIMIT 1")
            .fetch_optional(self.reader())
            .await?;
        match row {
            Some(r) => {
                let size: i64 = r.try_get("size")?;
                Ok(Some(
                    self.with_cosignatures(size as u64, r.try_get("note")?)
                        .await?,
                ))
            }
            None => Ok(None),
        }
    }

    /// Every signed checkpoint, oldest first: (size, note).
    pub async fn log_checkpoints(&self) -> Result<Vec<(u64, String)>> {
        let rows = sqlx::query("SELECT size, note FROM log_checkpoints ORDER BY size")
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<i64, _>("size")? as u64, r.try_get("note")?)))
            .collect()
    }

    /// Appends an entry inside a write and stores the subtrees it completes; returns its index.
    /// Two statements whatever the size: one read of the size (the index's last key) and of the
    /// tree's right edge (the complete subtrees the head of the current size is made of, at most
    /// one per level), and the entry's row with the subtrees it finished. The checkpoint is
    /// signed when the log is next read (`log_sign_checkpoint`).
    pub(crate) async fn log_append(&self, w: &mut Write, entry: &str) -> Result<u64> {
        // Writers are serialised (the write's lock), so the index's last key is the size. The
        // same statement reads the rows holding the tree's right edge: for each set bit b of the
        // size, the subtree (b, size >> b - 1), finished by entry ((size >> b) << b) - 1.
        let rows = sqlx::query(
            "WITH RECURSIVE n(size) AS (SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries),
                  bits(b) AS (SELECT 0 UNION ALL SELECT b + 1 FROM bits WHERE b < 62),
                  edge(fin) AS (SELECT ((n.size >> b) << b) - 1 FROM n, bits
                                WHERE ((n.size >> b) & 1) = 1)
             SELECT n.size AS size, e.idx AS idx, e.nodes AS nodes
             FROM n LEFT JOIN (SELECT idx, nodes FROM log_entries
                               WHERE idx IN (SELECT fin FROM edge)) e ON TRUE",
        )
        .fetch_all(w.conn())
        .await?;
        let size = rows
            .first()
            .map(|r| r.try_get::<i64, _>("size"))
            .transpose()?
            .unwrap_or(0) as u64;
        let mut finished: HashMap<u64, Vec<Hash>> = HashMap::new();
        for r in &rows {
            if let Some(idx) = r.try_get::<Option<i64>, _>("idx")? {
                let nodes: String = r.try_get("nodes")?;
                finished.insert(idx as u64, parse_nodes(&nodes)?);
            }
        }
        let edge = if size == 0 {
            Default::default()
        } else {
            tree::needed(Query::Root { size }).map_err(|e| StoreError::Corrupt(e.code().into()))?
        };
        let known: HashMap<NodeId, Hash> = edge
            .iter()
            .filter_map(|id| {
                let h = finished.get(&finisher(*id))?.get(usize::from(id.level))?;
                Some((*id, *h))
            })
            .collect();
        if known.len() != edge.len() {
            return Err(StoreError::Corrupt(format!(
                "log: the right edge of size {size} is incomplete"
            )));
        }
        let leaf = log::leaf_hash(entry.as_bytes());
        // The left siblings the new leaf completes are on the edge.
        let nodes = tree::appended(size, leaf, |id| known[&id]);
        // The row carries the subtrees it finished, bottom up: one row per append.
        let finished: String = nodes.iter().map(|(_, h)| to_hex(h)).collect();
        sqlx::query(
            "INSERT INTO log_entries (idx, entry, nodes, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(size as i64)
        .bind(entry)
        .bind(finished)
        .bind(w.at().to_string())
        .execute(w.conn())
        .await?;
        Ok(size)
    }

    /// Signs and publishes a checkpoint of the log's current size if the newest one is older:
    /// appends do not sign (a burst of issuances costs one signature), readers of the log — its
    /// checkpoint, a proof, a QR code, a witness — get a head that covers every entry. Two
    /// readers racing sign the same note (Ed25519 is deterministic); one insert is kept.
    pub async fn log_sign_checkpoint(&self) -> Result<()> {
        let Some(k) = self.log_key.clone() else {
            return Ok(());
        };
        let size = self.log_size().await?;
        let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(size) FROM log_checkpoints")
            .fetch_one(self.reader())
            .await?;
        if size == 0 || newest.is_some_and(|n| n as u64 >= size) {
            return Ok(());
        }
        let mut w = self.begin_write("log").await?;
        let size: i64 = sqlx::query_scalar(SIZE).fetch_one(w.conn()).await?;
        let size = size as u64;
        let q = Query::Root { size };
        let ids = tree::needed(q).map_err(|e| StoreError::Corrupt(e.code().into()))?;
        let known = read_nodes(w.conn(), &ids).await?;
        let root = tree::compute(q, &known).map_err(|e| StoreError::Corrupt(e.code().into()))?[0];
        let checkpoint = Checkpoint {
            origin: k.0.clone(),
            size,
            root,
            extensions: vec![],
        };
        let note = note::sign(&checkpoint.text(), &[&k.1])
            .map_err(|e| StoreError::Corrupt(e.code().into()))?;
        let at = w.at().to_string();
        sqlx::query(
            "INSERT INTO log_checkpoints (size, note, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (size) DO NOTHING",
        )
        .bind(size as i64)
        .bind(note)
        .bind(at)
        .execute(w.conn())
        .await?;
        w.commit().await
    }

    /// Appends an entry in its own write (the log's own tests and the benchmark; records append
    /// inside their writes).
    pub async fn log_append_entry(&self, actor: &str, entry: &str) -> Result<u64> {
        let mut w = self.begin_write(actor).await?;
        let i = self.log_append(&mut w, entry).await?;
        w.commit().await?;
        Ok(i)
    }

    pub async fn log_size(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar(SIZE).fetch_one(self.reader()).await?;
        Ok(n as u64)
    }

    pub async fn log_entry(&self, index: u64) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT entry FROM log_entries WHERE idx = $1")
                .bind(index as i64)
                .fetch_optional(self.reader())
                .await?,
        )
    }

    /// A tile's bytes (C2SP `tlog-tiles`), `None` when the log has not that many yet: hashes
    /// are 32 bytes each; entries a big-endian 16-bit length and the entry.
    pub async fn log_tile(&self, t: Tile) -> Result<Option<Vec<u8>>> {
        let start = t.index.checked_mul(tiles::WIDTH);
        let end = start.and_then(|s| s.checked_add(t.count()));
        let (Some(start), Some(end)) = (start, end) else {
            return Ok(None);
        };
        // How many hashes the tree has at the tile's level.
        let size = self.log_size().await?;
        if end > size >> t.tree_level() || end > i64::MAX as u64 {
            return Ok(None);
        }
        let mut out = Vec::new();
        match t.level {
            None => {
                let rows = sqlx::query(
                    "SELECT entry FROM log_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx",
                )
                .bind(start as i64)
                .bind(end as i64)
                .fetch_all(self.reader())
                .await?;
                for r in &rows {
                    let e: String = r.try_get("entry")?;
                    let len = u16::try_from(e.len())
                        .map_err(|_| StoreError::Corrupt("log: an entry over 64 KiB".into()))?;
                    out.extend_from_slice(&len.to_be_bytes());
                    out.extend_from_slice(e.as_bytes());
                }
                if rows.len() as u64 != end - start {
                    return Err(StoreError::Corrupt("log: entries missing".into()));
                }
            }
            Some(_) => {
                // Node i of level t was finished by entry ((i + 1) << t) - 1.
                let t = t.tree_level();
                let ids: std::collections::BTreeSet<NodeId> =
                    (start..end).map(|i| NodeId::new(t, i)).collect();
                let mut conn = self.reader().acquire().await?;
                let nodes = read_nodes(&mut conn, &ids).await?;
                for id in &ids {
                    let h = nodes
                        .get(id)
                        .ok_or_else(|| StoreError::Corrupt("log: nodes missing".into()))?;
                    out.extend_from_slice(h);
                }
            }
        }
        Ok(Some(out))
    }

    /// A head (one hash) or a proof, reading the nodes it needs in one query. Sizes beyond the
    /// log's are out of range.
    pub async fn log_query(&self, q: Query) -> Result<Vec<Hash>> {
        let size = self.log_size().await?;
        let beyond = match q {
            Query::Root { size: s } | Query::Inclusion { size: s, .. } => s > size,
            Query::Consistency { second, .. } => second > size,
        };
        let refused = |e: log::ProofError| {
            StoreError::Invalid(tongban_domain::FieldErrors::single("size", e.code()))
        };
        if beyond {
            return Err(refused(log::ProofError::OutOfRange));
        }
        let ids = tree::needed(q).map_err(refused)?;
        let mut conn = self.reader().acquire().await?;
        let nodes = read_nodes(&mut conn, &ids).await?;
        tree::compute(q, &nodes).map_err(|e| StoreError::Corrupt(format!("log: {}", e.code())))
    }

    /// Recomputes the whole tree from the entries, in order, and compares every stored node:
    /// `Ok(size)` when all agree, else the first fault.
    pub async fn verify_log(&self) -> Result<std::result::Result<u64, LogFault>> {
        let rows = sqlx::query("SELECT idx, entry, nodes FROM log_entries ORDER BY idx")
            .fetch_all(self.reader())
            .await?;
        let mut computed: HashMap<NodeId, Hash> = HashMap::new();
        for (expected, row) in rows.iter().enumerate() {
            let idx: i64 = row.try_get("idx")?;
            if idx as u64 != expected as u64 {
                return Ok(Err(LogFault::Gap {
                    at: expected as u64,
                }));
            }
            let entry: String = row.try_get("entry")?;
            let stored = parse_nodes(&row.try_get::<String, _>("nodes")?)?;
            let leaf = log::leaf_hash(entry.as_bytes());
            for (id, h) in tree::appended(expected as u64, leaf, |id| computed[&id]) {
                match stored.get(usize::from(id.level)) {
                    None => {
                        return Ok(Err(LogFault::Missing {
                            level: id.level,
                            index: id.index,
                        }));
                    }
                    Some(s) if *s != h => {
                        return Ok(Err(LogFault::Node {
                            level: id.level,
                            index: id.index,
                        }));
                    }
                    Some(_) => {}
                }
                computed.insert(id, h);
            }
        }
        // The last entries removed leave no gap in the numbering, but licences name their
        // indexes and checkpoints their sizes.
        let size = rows.len() as u64;
        let tail = Err(LogFault::Gap { at: size });
        let named: Option<i64> = sqlx::query_scalar("SELECT MAX(log_index) FROM licences")
            .fetch_one(self.reader())
            .await?;
        let published: Option<i64> = sqlx::query_scalar("SELECT MAX(size) FROM log_checkpoints")
            .fetch_one(self.reader())
            .await?;
        if named.is_some_and(|i| i as u64 >= size) || published.is_some_and(|p| p as u64 > size) {
            return Ok(tail);
        }
        // Every checkpoint ever published: the head it states is the recomputed one at its
        // size, and the log's key signed it.
        let verifier = self.log_verifier();
        for (at, text) in self.log_checkpoints().await? {
            let fault = Err(LogFault::Checkpoint { size: at });
            let stated = match &verifier {
                Some((origin, key)) => Checkpoint::open(&text, origin, key),
                None => note::split(&text).and_then(|(t, _)| Checkpoint::parse(t)),
            };
            let Ok(c) = stated else { return Ok(fault) };
            let head = tree::compute(Query::Root { size: at }, &computed);
            if c.size != at || head.map(|h| h[0]) != Ok(c.root) {
                return Ok(fault);
            }
        }
        Ok(Ok(size))
    }
}
