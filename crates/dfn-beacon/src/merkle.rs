//! A Merkle tree of RFC 6962 (Certificate Transparency, §2.1) over SHA-256:
//! what a light client holds of the group public keys is its root, and a
//! group key is proven to be in the set by its audit path.
//!
//! Leaves hash as `SHA-256(0x00 ‖ data)`, inner nodes as
//! `SHA-256(0x01 ‖ left ‖ right)`, so a leaf can never pass for a node; a
//! tree of `n` leaves splits at the largest power of two below `n`, so
//! there is no duplicated last leaf (unlike Bitcoin's tree, CVE-2012-2459).

use alloc::vec::Vec;

use sha2::{Digest, Sha256};

/// A 32-byte SHA-256 value.
pub type Hash = [u8; 32];

/// The hash of a leaf: `SHA-256(0x00 ‖ data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two strictly below `n` (`n ≥ 2`).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The root over leaf hashes (`SHA-256("")` for none).
fn root_of(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => Sha256::digest([]).into(),
        [leaf] => *leaf,
        _ => {
            let (left, right) = leaves.split_at(split(leaves.len()));
            node_hash(&root_of(left), &root_of(right))
        }
    }
}

/// A tree over a list of leaves (each given as its data, hashed once).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerkleTree {
    leaves: Vec<Hash>,
    root: Hash,
}

/// The proof that a leaf is at `index` in a tree of `size` leaves: the
/// sibling hashes from the leaf up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerkleProof {
    /// The leaf's position, from 0.
    pub index: u64,
    /// Leaves in the tree.
    pub size: u64,
    /// Sibling hashes, lowest first.
    pub path: Vec<Hash>,
}

impl MerkleTree {
    /// Builds the tree over `leaves`, in order.
    pub fn new<T: AsRef<[u8]>>(leaves: &[T]) -> Self {
        let leaves: Vec<Hash> = leaves.iter().map(|l| leaf_hash(l.as_ref())).collect();
        let root = root_of(&leaves);
        Self { leaves, root }
    }

    /// The root.
    pub fn root(&self) -> Hash {
        self.root
    }

    /// Leaves in the tree.
    pub fn len(&self) -> usize {
        self.leaves.len()
    }

    /// Whether the tree has no leaf.
    pub fn is_empty(&self) -> bool {
        self.leaves.is_empty()
    }

    /// The audit path of leaf `index`, `None` past the end.
    pub fn proof(&self, index: usize) -> Option<MerkleProof> {
        if index >= self.leaves.len() {
            return None;
        }
        let mut path = Vec::new();
        let (mut lo, mut hi, mut at) = (0, self.leaves.len(), index);
        // Walk down, collecting the sibling subtree roots; reversed below
        // so the lowest comes first.
        while hi - lo > 1 {
            let k = split(hi - lo);
            let (left, right) = (self.leaves.get(lo..lo + k)?, self.leaves.get(lo + k..hi)?);
            if at < k {
                path.push(root_of(right));
                hi = lo + k;
            } else {
                path.push(root_of(left));
                lo += k;
                at -= k;
            }
        }
        path.reverse();
        Some(MerkleProof {
            index: index as u64,
            size: self.leaves.len() as u64,
            path,
        })
    }
}

impl MerkleProof {
    /// Whether `data` is the leaf at `self.index` of a tree of `self.size`
    /// leaves with root `root` (RFC 9162 §2.1.3.2).
    ///
    /// The root alone does not fix the tree size: a path for the first
    /// leaf of a 3-leaf tree also verifies as one of a 4-leaf tree. A
    /// verifier that acts on the size must get it from an authenticated
    /// source; [`GroupSet::root`](crate::GroupSet::root) commits to it.
    pub fn verify(&self, root: &Hash, data: &[u8]) -> bool {
        self.root_of(data).is_some_and(|r| &r == root)
    }

    /// The root the path leads to from leaf `data`, `None` when the path
    /// does not fit the index and size.
    pub fn root_of(&self, data: &[u8]) -> Option<Hash> {
        if self.index >= self.size {
            return None;
        }
        let (mut f, mut s) = (self.index, self.size - 1);
        let mut r = leaf_hash(data);
        for p in &self.path {
            if s == 0 {
                return None;
            }
            if f & 1 == 1 || f == s {
                r = node_hash(p, &r);
                if f & 1 == 0 {
                    while f & 1 == 0 && f != 0 {
                        f >>= 1;
                        s >>= 1;
                    }
                }
            } else {
                r = node_hash(&r, p);
            }
            f >>= 1;
            s >>= 1;
        }
        (s == 0).then_some(r)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use alloc::vec;

    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The test tree of Certificate Transparency's reference code: eight
    /// leaves, and the root of each prefix.
    const LEAVES: [&str; 8] = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];
    const ROOTS: [&str; 8] = [
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
    fn certificate_transparency_roots() {
        let leaves: Vec<Vec<u8>> = LEAVES.iter().map(|l| unhex(l)).collect();
        for size in 1..=8 {
            let tree = MerkleTree::new(&leaves[..size]);
            assert_eq!(tree.root().to_vec(), unhex(ROOTS[size - 1]), "size {size}");
        }
        assert_eq!(
            MerkleTree::new::<&[u8]>(&[]).root().to_vec(),
            unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
    }

    #[test]
    fn every_proof_verifies_and_nothing_else_does() {
        for size in 1..=33usize {
            let leaves: Vec<Vec<u8>> = (0..size).map(|i| vec![i as u8; 1 + i % 5]).collect();
            let tree = MerkleTree::new(&leaves);
            assert!(tree.proof(size).is_none());
            for (i, leaf) in leaves.iter().enumerate() {
                let proof = tree.proof(i).unwrap();
                assert!(proof.verify(&tree.root(), leaf), "size {size}, leaf {i}");
                // Another leaf's data, another position, a tampered path,
                // another root: all fail. (Another size may not: a path
                // does not bind the tree size, see `MerkleProof::verify`.)
                assert!(!proof.verify(&tree.root(), b"not a leaf"));
                let moved = MerkleProof {
                    index: (proof.index + 1) % size as u64,
                    ..proof.clone()
                };
                assert!(size == 1 || !moved.verify(&tree.root(), leaf));
                if let Some(first) = proof.path.first() {
                    let mut tampered = proof.clone();
                    tampered.path[0] = node_hash(first, first);
                    assert!(!tampered.verify(&tree.root(), leaf));
                }
                let mut other_root = tree.root();
                other_root[0] ^= 1;
                assert!(!proof.verify(&other_root, leaf));
            }
        }
    }
}
