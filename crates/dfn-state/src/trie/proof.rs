//! Merkle proofs: the encodings of the nodes on the path to a key, from
//! the root down (the `eth_getProof` form), and their verification against
//! a root alone.

use alloc::vec::Vec;

use super::error::{ProofError, TrieError};
use super::mpt::Mpt;
use super::nibbles::{match_len, nibble_at};
use super::node::Node;
use super::raw_node::{self, RawNode, RawRef};
use super::store::NodeStore;
use crate::hash::{B256, EMPTY_ROOT, keccak256};
use crate::rlp::Rlp;

impl Mpt {
    /// The proof for `key`: every node referenced by hash on its path (the
    /// root always), root first. It proves the value if the key is present
    /// and its absence otherwise.
    pub(crate) fn prove<S: NodeStore + ?Sized>(
        &mut self,
        store: &S,
        key: &[u8],
    ) -> Result<Vec<Vec<u8>>, TrieError> {
        self.root_hash();
        let kn = key.len() * 2;
        let mut proof = Vec::new();
        let mut depth = 0;
        let mut cur = self.root_id();
        let mut is_root = true;
        while let Some(id) = cur {
            self.resolve_on_path(store, id, key, depth)?;
            if is_root || self.cache(id).is_hashed() {
                let mut enc = Vec::new();
                self.encode_node(id, depth, &mut enc);
                proof.push(enc);
            }
            is_root = false;
            cur = None;
            match self.node(id) {
                Node::Extension { path, child } if match_len(path, key, depth) == path.len() => {
                    depth += path.len();
                    cur = Some(*child);
                }
                Node::Branch { children, .. } if depth < kn => {
                    cur = children
                        .get(usize::from(nibble_at(key, depth)))
                        .copied()
                        .flatten();
                    depth += 1;
                }
                _ => {}
            }
        }
        Ok(proof)
    }
}

/// The next node a proof walk needs.
enum Next<'a> {
    Hash(B256),
    Inline(Rlp<'a>),
}

/// Checks a proof for `key` against `root`: `Ok(Some(value))` proves the
/// key holds `value`, `Ok(None)` proves it is absent, an error says why the
/// proof proves nothing.
///
/// The proof is the list of node encodings on the key's path, root first,
/// with no gaps and nothing extra. An empty proof is accepted for the
/// empty root (nothing is present).
pub fn verify_proof<T: AsRef<[u8]>>(
    root: &B256,
    key: &[u8],
    proof: &[T],
) -> Result<Option<Vec<u8>>, ProofError> {
    if proof.is_empty() && *root == EMPTY_ROOT {
        return Ok(None);
    }
    let kn = key.len() * 2;
    let mut depth = 0;
    let mut used = 0;
    let mut next = Next::Hash(*root);
    let mut after_extension = false;
    let value = loop {
        let (node, index) = match next {
            Next::Hash(expected) => {
                let index = used;
                let bytes = proof
                    .get(index)
                    .ok_or(ProofError::MissingNode {
                        index,
                        hash: expected,
                    })?
                    .as_ref();
                let found = keccak256(bytes);
                if found != expected {
                    return Err(ProofError::HashMismatch {
                        index,
                        expected,
                        found,
                    });
                }
                if index > 0 && bytes.len() < 32 {
                    return Err(ProofError::ShortHashedNode {
                        index,
                        len: bytes.len(),
                    });
                }
                used += 1;
                let node = raw_node::decode(bytes)
                    .map_err(|reason| ProofError::InvalidNode { index, reason })?;
                (node, index)
            }
            Next::Inline(rlp) => {
                // Embedded in the node last read from the proof.
                let index = used.saturating_sub(1);
                let node = raw_node::decode_item(&rlp)
                    .map_err(|reason| ProofError::InvalidNode { index, reason })?;
                (node, index)
            }
        };
        if after_extension && !matches!(node, RawNode::Branch { .. }) {
            return Err(ProofError::ExtensionNotToBranch { index });
        }
        after_extension = false;
        match node {
            RawNode::Empty => break None,
            RawNode::Leaf { path, value } => {
                let whole = path.len() == kn.saturating_sub(depth)
                    && match_len(&path, key, depth) == path.len();
                break whole.then(|| value.to_vec());
            }
            RawNode::Extension { path, child } => {
                if match_len(&path, key, depth) < path.len() {
                    break None;
                }
                depth += path.len();
                after_extension = true;
                next = match child {
                    RawRef::Hash(h) => Next::Hash(h),
                    RawRef::Inline(rlp) => Next::Inline(rlp),
                    RawRef::Empty => break None,
                };
            }
            RawNode::Branch { children, value } => {
                if depth == kn {
                    break value.map(<[u8]>::to_vec);
                }
                let child = children
                    .get(usize::from(nibble_at(key, depth)))
                    .copied()
                    .unwrap_or(RawRef::Empty);
                depth += 1;
                next = match child {
                    RawRef::Hash(h) => Next::Hash(h),
                    RawRef::Inline(rlp) => Next::Inline(rlp),
                    RawRef::Empty => break None,
                };
            }
        }
    };
    if used < proof.len() {
        return Err(ProofError::UnusedNodes {
            count: proof.len() - used,
        });
    }
    Ok(value)
}
