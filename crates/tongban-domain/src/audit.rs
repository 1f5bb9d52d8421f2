//! The audit trail is append-only and hash-chained: each entry's hash covers its content and
//! the previous entry's hash, so altering or removing any row breaks every hash after it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash that stands before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339 timestamp with offset.
    pub at: String,
    /// Username of the actor, or `system`.
    pub actor: String,
    /// e.g. `item.publish`, `user.create`, `session.login`.
    pub action: String,
    /// e.g. `item`, `user`.
    pub entity: String,
    pub entity_id: String,
    /// JSON of the state before and after, `null` where there is none.
    pub before: String,
    pub after: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Hash of an entry given its predecessor's hash. Fields are length-prefixed so that no two
/// different entries can serialise to the same bytes.
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: &str,
    after: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(seq.to_be_bytes());
    for part in [at, actor, action, entity, entity_id, before, after] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

impl AuditEntry {
    pub fn expected_hash(&self) -> String {
        entry_hash(
            &self.prev_hash,
            self.seq,
            &self.at,
            &self.actor,
            &self.action,
            &self.entity,
            &self.entity_id,
            &self.before,
            &self.after,
        )
    }
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ChainBreak {
    /// The entry's content no longer matches its hash (the row was altered).
    Altered { seq: i64 },
    /// The entry does not follow its predecessor (a row was removed or reordered).
    Gap { seq: i64, expected_seq: i64 },
    /// The entry's `prev_hash` is not its predecessor's hash.
    Unlinked { seq: i64 },
    /// The chain's head records more entries than there are (the newest rows were removed).
    Truncated { last_seq: i64, head_seq: i64 },
}

/// Walks entries in order and checks every link. Feed entries oldest first, in pages.
#[derive(Debug)]
pub struct ChainVerifier {
    prev_hash: String,
    next_seq: i64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            prev_hash: GENESIS.to_string(),
            next_seq: 1,
        }
    }
}

impl ChainVerifier {
    pub fn check(&mut self, e: &AuditEntry) -> Result<(), ChainBreak> {
        if e.seq != self.next_seq {
            return Err(ChainBreak::Gap {
                seq: e.seq,
                expected_seq: self.next_seq,
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainBreak::Unlinked { seq: e.seq });
        }
        if e.expected_hash() != e.hash {
            return Err(ChainBreak::Altered { seq: e.seq });
        }
        self.prev_hash = e.hash.clone();
        self.next_seq += 1;
        Ok(())
    }

    /// Compares the end of the walk with the head the store keeps.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        let last = self.next_seq - 1;
        if last != head_seq || self.prev_hash != head_hash {
            return Err(ChainBreak::Truncated {
                last_seq: last,
                head_seq,
            });
        }
        Ok(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    seq,
                    at: "2026-11-26T10:00:00+08:00".into(),
                    actor: "admin".into(),
                    action: "item.publish".into(),
                    entity: "item".into(),
                    entity_id: format!("X-{seq}"),
                    before: "null".into(),
                    after: "{}".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.expected_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry], head: (i64, &str)) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::default();
        for e in entries {
            v.check(e)?;
        }
        v.finish(head.0, head.1)
    }

    #[test]
    fn intact_chain_verifies_and_tampering_is_located() {
        let c = chain(5);
        let head = (5, c[4].hash.clone());
        assert_eq!(verify(&c, (head.0, &head.1)), Ok(5));

        let mut altered = c.clone();
        altered[2].after = "{\"evil\":1}".into();
        assert_eq!(
            verify(&altered, (head.0, &head.1)),
            Err(ChainBreak::Altered { seq: 3 })
        );

        let mut removed = c.clone();
        removed.remove(1);
        assert_eq!(
            verify(&removed, (head.0, &head.1)),
            Err(ChainBreak::Gap {
                seq: 3,
                expected_seq: 2
            })
        );

        assert_eq!(
            verify(&c[..4], (head.0, &head.1)),
            Err(ChainBreak::Truncated {
                last_seq: 4,
                head_seq: 5
            })
        );
    }
}
