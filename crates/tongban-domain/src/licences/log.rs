//! The transparency log's tree (RFC 9162 §2.1): an append-only Merkle tree over every issuance,
//! change and revocation of an electronic licence, so that none can happen in secret.
//!
//! - Leaves are hashed `SHA-256(0x00 ‖ entry)`, interior nodes `SHA-256(0x01 ‖ left ‖ right)`; the
//!   tree head of `n` leaves splits at the largest power of two below `n` (the Merkle Tree Hash,
//!   MTH); the empty tree's head is `SHA-256("")`.
//! - An **inclusion proof** (PATH) shows one leaf is in a tree of a given size; a **consistency
//!   proof** (SUBPROOF) shows a tree is an extension of an earlier one, so a published head can
//!   never be rewritten. Both are generated and checked exactly as RFC 9162 §2.1.3–2.1.4 say, and
//!   the RFC 6962 reference vectors pin them in the tests.
//!
//! These functions read leaf hashes from a slice; the store keeps the same tree as tiles so that
//! a proof over millions of leaves reads a few dozen hashes.

use sha2::{Digest, Sha256};

/// A node of the tree.
pub type Hash = [u8; 32];

/// `SHA-256(0x00 ‖ entry)`.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry);
    h.finalize().into()
}

/// `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The head of the empty tree.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two smaller than `n` (`n` ≥ 2): where the tree splits.
fn split(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// The Merkle Tree Hash of the leaves (their leaf hashes, in order).
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// Why a proof does not hold (or cannot be made), as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The leaf's index is not below the tree's size, or the sizes are out of order.
    #[error("out_of_range")]
    OutOfRange,
    /// The proof has more or fewer hashes than the sizes call for (a truncated proof).
    #[error("wrong_length")]
    WrongLength,
    /// The proof computes another head: the entry is not in this tree, or the tree was rewritten.
    #[error("root_mismatch")]
    RootMismatch,
    /// A stored node the tree needs is not there: the store lost it or never wrote it.
    #[error("missing_node")]
    MissingNode,
}

impl ProofError {
    pub fn code(self) -> &'static str {
        match self {
            ProofError::OutOfRange => "out_of_range",
            ProofError::WrongLength => "wrong_length",
            ProofError::RootMismatch => "root_mismatch",
            ProofError::MissingNode => "missing_node",
        }
    }
}

/// The inclusion proof of leaf `index` in the tree of `leaves` (RFC 9162 §2.1.3.1, PATH).
pub fn inclusion_proof(index: usize, leaves: &[Hash]) -> Result<Vec<Hash>, ProofError> {
    if index >= leaves.len() {
        return Err(ProofError::OutOfRange);
    }
    let mut out = Vec::new();
    path(index, leaves, &mut out);
    Ok(out)
}

fn path(m: usize, d: &[Hash], out: &mut Vec<Hash>) {
    let n = d.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(m, &d[..k], out);
        out.push(root(&d[k..]));
    } else {
        path(m - k, &d[k..], out);
        out.push(root(&d[..k]));
    }
}

/// Checks that `leaf` is at `index` in the tree of `size` whose head is `root` (RFC 9162
/// §2.1.3.2).
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::OutOfRange);
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(ProofError::WrongLength);
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength);
    }
    if &r != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// The consistency proof from the tree's first `first` leaves to all of `leaves` (RFC 9162
/// §2.1.4.1, SUBPROOF).
pub fn consistency_proof(first: usize, leaves: &[Hash]) -> Result<Vec<Hash>, ProofError> {
    if first == 0 || first > leaves.len() {
        return Err(ProofError::OutOfRange);
    }
    let mut out = Vec::new();
    subproof(first, leaves, true, &mut out);
    Ok(out)
}

fn subproof(m: usize, d: &[Hash], whole: bool, out: &mut Vec<Hash>) {
    let n = d.len();
    if m == n {
        if !whole {
            out.push(root(d));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &d[..k], whole, out);
        out.push(root(&d[k..]));
    } else {
        subproof(m - k, &d[k..], false, out);
        out.push(root(&d[..k]));
    }
}

/// Checks that the tree of `second` leaves with head `second_root` extends the tree of `first`
/// leaves with head `first_root` (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    first: u64,
    second: u64,
    proof: &[Hash],
    first_root: &Hash,
    second_root: &Hash,
) -> Result<(), ProofError> {
    if first == 0 || first > second {
        return Err(ProofError::OutOfRange);
    }
    if first == second {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if first_root == second_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    // A first tree of a power-of-two size is itself a node of the second: its head starts the path.
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if first.is_power_of_two() {
        path.push(*first_root);
    }
    path.extend_from_slice(proof);
    let Some((start, rest)) = path.split_first() else {
        return Err(ProofError::WrongLength);
    };
    let (mut fnode, mut snode) = (first - 1, second - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (*start, *start);
    for c in rest {
        if snode == 0 {
            return Err(ProofError::WrongLength);
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength);
    }
    if &fr != first_root || &sr != second_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn h(s: &str) -> Hash {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    /// The reference inputs and tree heads of RFC 6962's test data (Certificate Transparency).
    fn reference_leaves() -> Vec<Hash> {
        [
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        ]
        .iter()
        .map(|x| leaf_hash(&hex::decode(x).unwrap()))
        .collect()
    }

    const ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    #[test]
    fn heads_match_the_reference() {
        let leaves = reference_leaves();
        for (n, want) in ROOTS.iter().enumerate() {
            assert_eq!(root(&leaves[..n]), h(want), "size {n}");
        }
    }

    #[test]
    fn inclusion_proofs_match_the_reference() {
        let leaves = reference_leaves();
        // (leaf index, tree size, the proof)
        let vectors: [(usize, usize, &[&str]); 4] = [
            (
                0,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                5,
                8,
                &[
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                3,
                &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
            ),
            (
                1,
                5,
                &[
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
        ];
        for (i, n, want) in vectors {
            let proof = inclusion_proof(i, &leaves[..n]).unwrap();
            let want: Vec<Hash> = want.iter().map(|x| h(x)).collect();
            assert_eq!(proof, want, "leaf {i} of {n}");
            let head = h(ROOTS[n]);
            verify_inclusion(i as u64, n as u64, &leaves[i], &proof, &head).unwrap();
            assert_eq!(
                verify_inclusion(
                    i as u64,
                    n as u64,
                    &leaves[i],
                    &proof[..proof.len() - 1],
                    &head
                ),
                Err(ProofError::WrongLength),
                "a truncated proof"
            );
        }
    }

    #[test]
    fn consistency_proofs_match_the_reference() {
        let leaves = reference_leaves();
        let vectors: [(usize, usize, &[&str]); 4] = [
            (1, 1, &[]),
            (
                1,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                6,
                8,
                &[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                5,
                &[
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
        ];
        for (m, n, want) in vectors {
            let proof = consistency_proof(m, &leaves[..n]).unwrap();
            let want: Vec<Hash> = want.iter().map(|x| h(x)).collect();
            assert_eq!(proof, want, "{m} → {n}");
            verify_consistency(m as u64, n as u64, &proof, &h(ROOTS[m]), &h(ROOTS[n])).unwrap();
        }
    }

    proptest! {
        /// Every leaf of every tree proves its inclusion against the head recomputed from
        /// scratch; another leaf, another head or a shortened proof does not.
        #[test]
        fn every_inclusion_proof_holds(n in 1usize..70, seed in any::<u8>()) {
            let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&[seed, i as u8, (i >> 8) as u8])).collect();
            let head = root(&leaves);
            for i in 0..n {
                let proof = inclusion_proof(i, &leaves).unwrap();
                prop_assert!(verify_inclusion(i as u64, n as u64, &leaves[i], &proof, &head).is_ok());
                let other = leaf_hash(b"forged");
                prop_assert_eq!(
                    verify_inclusion(i as u64, n as u64, &other, &proof, &head),
                    Err(ProofError::RootMismatch)
                );
                if !proof.is_empty() {
                    prop_assert!(verify_inclusion(i as u64, n as u64, &leaves[i], &proof[1..], &head).is_err());
                }
            }
            prop_assert_eq!(
                verify_inclusion(n as u64, n as u64, &leaves[0], &[], &head),
                Err(ProofError::OutOfRange)
            );
        }

        /// Between any two sizes the consistency proof holds against both heads recomputed from
        /// scratch, and fails when the earlier tree was rewritten.
        #[test]
        fn every_consistency_proof_holds(n in 1usize..48, seed in any::<u8>()) {
            let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&[i as u8, seed])).collect();
            let heads: Vec<Hash> = (0..=n).map(|m| root(&leaves[..m])).collect();
            for m in 1..=n {
                for k in m..=n {
                    let proof = consistency_proof(m, &leaves[..k]).unwrap();
                    prop_assert!(
                        verify_consistency(m as u64, k as u64, &proof, &heads[m], &heads[k]).is_ok(),
                        "{} → {}", m, k
                    );
                    if m < k {
                        let mut rewritten = leaves[..m].to_vec();
                        rewritten[m - 1] = leaf_hash(b"rewritten");
                        prop_assert!(
                            verify_consistency(m as u64, k as u64, &proof, &root(&rewritten), &heads[k]).is_err()
                        );
                    }
                }
            }
        }
    }
}
