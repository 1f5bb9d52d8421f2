//! The log's tree as it is stored: the hash of every complete subtree (2^level leaves starting
//! at a multiple of 2^level), written once when its last leaf is appended and never changed.
//! Every head and proof of RFC 9162 over any size is then a few dozen of these hashes: the
//! functions here say which ([`needed`]) so the store can read them in one query, and compute
//! from them. They give exactly what [`super::log`] computes from all the leaves.

use super::log::{Hash, ProofError, node_hash};
use std::collections::{BTreeSet, HashMap};

/// A complete subtree: `2^level` leaves starting at leaf `index << level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    pub level: u8,
    pub index: u64,
}

impl NodeId {
    pub fn new(level: u8, index: u64) -> NodeId {
        NodeId { level, index }
    }
}

/// The complete subtrees that appending leaf number `size` (0-based) completes, bottom up: the
/// leaf itself, then each parent whose right child it finishes. `left` reads an earlier node.
pub fn appended(
    size: u64,
    leaf: Hash,
    mut left: impl FnMut(NodeId) -> Hash,
) -> Vec<(NodeId, Hash)> {
    let mut out = vec![(NodeId::new(0, size), leaf)];
    let (mut level, mut index, mut hash) = (0u8, size, leaf);
    while index & 1 == 1 {
        hash = node_hash(&left(NodeId::new(level, index - 1)), &hash);
        level += 1;
        index >>= 1;
        out.push((NodeId::new(level, index), hash));
    }
    out
}

/// Largest power of two below `n` (`n` ≥ 2).
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// Reads stored nodes, and records which were asked for.
trait Nodes {
    fn get(&mut self, id: NodeId) -> Hash;
}

/// Records the nodes a computation needs, answering zeros.
struct Recorder(BTreeSet<NodeId>);
impl Nodes for Recorder {
    fn get(&mut self, id: NodeId) -> Hash {
        self.0.insert(id);
        [0; 32]
    }
}

/// Answers from nodes read beforehand.
struct Known<'a>(&'a HashMap<NodeId, Hash>, bool);
impl Nodes for Known<'_> {
    fn get(&mut self, id: NodeId) -> Hash {
        match self.0.get(&id) {
            Some(h) => *h,
            None => {
                self.1 = true;
                [0; 32]
            }
        }
    }
}

/// The head of leaves `lo..hi`, where the range is one the RFC's recursion visits (its start
/// aligned to the largest power of two below its length).
fn range_root(lo: u64, hi: u64, nodes: &mut dyn Nodes) -> Hash {
    let n = hi - lo;
    if n.is_power_of_two() {
        let level = n.trailing_zeros() as u8;
        return nodes.get(NodeId::new(level, lo >> level));
    }
    let k = split(n);
    node_hash(
        &range_root(lo, lo + k, nodes),
        &range_root(lo + k, hi, nodes),
    )
}

fn path(m: u64, lo: u64, hi: u64, nodes: &mut dyn Nodes, out: &mut Vec<Hash>) {
    let n = hi - lo;
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(m, lo, lo + k, nodes, out);
        out.push(range_root(lo + k, hi, nodes));
    } else {
        path(m - k, lo + k, hi, nodes, out);
        out.push(range_root(lo, lo + k, nodes));
    }
}

fn subproof(m: u64, lo: u64, hi: u64, whole: bool, nodes: &mut dyn Nodes, out: &mut Vec<Hash>) {
    let n = hi - lo;
    if m == n {
        if !whole {
            out.push(range_root(lo, hi, nodes));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, lo, lo + k, whole, nodes, out);
        out.push(range_root(lo + k, hi, nodes));
    } else {
        subproof(m - k, lo + k, hi, false, nodes, out);
        out.push(range_root(lo, lo + k, nodes));
    }
}

/// What to compute over the stored tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Query {
    /// The head of the first `size` leaves.
    Root { size: u64 },
    /// The inclusion proof of leaf `index` in the tree of `size`.
    Inclusion { index: u64, size: u64 },
    /// The consistency proof from `first` leaves to `second`.
    Consistency { first: u64, second: u64 },
}

impl Query {
    fn check(self) -> Result<(), ProofError> {
        let ok = match self {
            Query::Root { .. } => true,
            Query::Inclusion { index, size } => index < size,
            Query::Consistency { first, second } => first >= 1 && first <= second,
        };
        if ok {
            Ok(())
        } else {
            Err(ProofError::OutOfRange)
        }
    }

    fn run(self, nodes: &mut dyn Nodes) -> Vec<Hash> {
        let mut out = Vec::new();
        match self {
            Query::Root { size: 0 } => out.push(super::log::empty_root()),
            Query::Root { size } => out.push(range_root(0, size, nodes)),
            Query::Inclusion { index, size } => path(index, 0, size, nodes, &mut out),
            Query::Consistency { first, second } => {
                subproof(first, 0, second, true, nodes, &mut out)
            }
        }
        out
    }
}

/// The stored nodes a query reads (at most a few per level).
pub fn needed(q: Query) -> Result<BTreeSet<NodeId>, ProofError> {
    q.check()?;
    let mut r = Recorder(BTreeSet::new());
    q.run(&mut r);
    Ok(r.0)
}

/// Computes a query from the nodes read: a head is one hash, a proof its list. A node missing
/// from `nodes` is an error (the store lost or never wrote it).
pub fn compute(q: Query, nodes: &HashMap<NodeId, Hash>) -> Result<Vec<Hash>, ProofError> {
    q.check()?;
    let mut k = Known(nodes, false);
    let out = q.run(&mut k);
    if k.1 {
        return Err(ProofError::MissingNode);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::log::{self, leaf_hash};
    use super::*;
    use proptest::prelude::*;

    /// Every complete subtree of the leaves, as appends store them.
    fn stored(leaves: &[Hash]) -> HashMap<NodeId, Hash> {
        let mut nodes = HashMap::new();
        for (i, l) in leaves.iter().enumerate() {
            let new = appended(i as u64, *l, |id| nodes[&id]);
            nodes.extend(new);
        }
        nodes
    }

    fn run(q: Query, nodes: &HashMap<NodeId, Hash>) -> Vec<Hash> {
        let want = needed(q).unwrap();
        let only: HashMap<NodeId, Hash> = want.iter().map(|id| (*id, nodes[id])).collect();
        compute(q, &only).unwrap()
    }

    proptest! {
        /// Heads and proofs from the stored nodes equal those from all the leaves, reading only
        /// the nodes `needed` names.
        #[test]
        fn the_stored_tree_answers_as_the_leaves_do(n in 1usize..140, seed in any::<u8>()) {
            let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&[seed, i as u8, (i >> 8) as u8])).collect();
            let nodes = stored(&leaves);
            prop_assert!(nodes.len() < 2 * n);
            for size in [1, n / 2 + 1, n] {
                prop_assert_eq!(run(Query::Root { size: size as u64 }, &nodes), vec![log::root(&leaves[..size])]);
                for i in (0..size).step_by(7) {
                    let q = Query::Inclusion { index: i as u64, size: size as u64 };
                    prop_assert_eq!(run(q, &nodes), log::inclusion_proof(i, &leaves[..size]).unwrap());
                }
                for m in (1..=size).step_by(5) {
                    let q = Query::Consistency { first: m as u64, second: size as u64 };
                    prop_assert_eq!(run(q, &nodes), log::consistency_proof(m, &leaves[..size]).unwrap());
                }
            }
        }
    }

    #[test]
    fn a_proof_reads_few_nodes_and_refuses_what_it_cannot_answer() {
        // At a billion leaves an inclusion proof reads at most a few nodes per level.
        let q = Query::Inclusion {
            index: 123_456_789,
            size: 1_000_000_007,
        };
        assert!(needed(q).unwrap().len() <= 2 * 64);
        assert_eq!(
            needed(Query::Inclusion { index: 5, size: 5 }),
            Err(ProofError::OutOfRange)
        );
        assert_eq!(
            compute(Query::Root { size: 3 }, &HashMap::new()),
            Err(ProofError::MissingNode)
        );
        assert_eq!(
            run(Query::Root { size: 0 }, &HashMap::new()),
            vec![log::empty_root()]
        );
    }
}
