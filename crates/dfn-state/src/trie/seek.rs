//! Ordered neighbours of a key: the next key above it and the previous
//! key below it, in byte order.

use alloc::vec::Vec;

use super::error::{NodeError, TrieError};
use super::mpt::Mpt;
use super::nibbles::{pack, to_nibbles};
use super::node::{Node, NodeId};
use super::store::NodeStore;
use crate::hash::B256;

/// Which neighbour is sought.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Next,
    Prev,
}

impl Mpt {
    /// The smallest key strictly greater than `key`.
    pub(crate) fn next_key<S: NodeStore + ?Sized>(
        &mut self,
        store: &S,
        key: &[u8],
    ) -> Result<Option<Vec<u8>>, TrieError> {
        self.seek(store, key, Direction::Next)
    }

    /// The greatest key strictly smaller than `key`.
    pub(crate) fn prev_key<S: NodeStore + ?Sized>(
        &mut self,
        store: &S,
        key: &[u8],
    ) -> Result<Option<Vec<u8>>, TrieError> {
        self.seek(store, key, Direction::Prev)
    }

    /// Walks down the path of `key`, remembering at each branch the way to
    /// turn if nothing on the path qualifies; then takes the nearest such
    /// turn and runs to the extreme key of that subtree.
    fn seek<S: NodeStore + ?Sized>(
        &mut self,
        store: &S,
        key: &[u8],
        dir: Direction,
    ) -> Result<Option<Vec<u8>>, TrieError> {
        let kn = to_nibbles(key);
        let mut prefix: Vec<u8> = Vec::new();
        // (branch, nibble taken on the key's path, prefix length at the branch)
        let mut turns: Vec<(NodeId, u8, usize)> = Vec::new();
        let mut cur = self.root_id();
        while let Some(id) = cur {
            self.resolve(store, id, &prefix)?;
            cur = None;
            match self.node(id) {
                Node::Leaf { key: lk, .. } => {
                    let lk = lk.as_slice();
                    let wanted = match dir {
                        Direction::Next => lk > key,
                        Direction::Prev => lk < key,
                    };
                    if wanted {
                        return Ok(Some(lk.to_vec()));
                    }
                }
                Node::Extension { path, child } => {
                    let depth = prefix.len();
                    let seg = kn.get(depth..).unwrap_or_default();
                    let n = path.len().min(seg.len());
                    let ord = path.get(..n).cmp(&seg.get(..n));
                    let (path, child) = (path.clone(), *child);
                    prefix.extend_from_slice(&path);
                    match (ord, dir) {
                        (core::cmp::Ordering::Equal, _) if n == path.len() => cur = Some(child),
                        // The key ran out inside the path: everything below
                        // extends the key, so is greater.
                        (core::cmp::Ordering::Equal, Direction::Next)
                        | (core::cmp::Ordering::Greater, Direction::Next)
                        | (core::cmp::Ordering::Less, Direction::Prev) => {
                            return self.extreme(store, child, prefix, dir).map(Some);
                        }
                        _ => {}
                    }
                }
                Node::Branch { children, .. } => {
                    let depth = prefix.len();
                    match kn.get(depth) {
                        None => {
                            // The key ends here: its children are all greater,
                            // the branch value is the key itself.
                            if dir == Direction::Next && children.iter().any(Option::is_some) {
                                return self.first_child_extreme(store, id, prefix, dir).map(Some);
                            }
                        }
                        Some(&nibble) => {
                            turns.push((id, nibble, depth));
                            prefix.push(nibble);
                            cur = children.get(usize::from(nibble)).copied().flatten();
                        }
                    }
                }
                Node::Stored | Node::Free => {}
            }
        }
        while let Some((branch, nibble, depth)) = turns.pop() {
            prefix.truncate(depth);
            let Node::Branch { children, value } = self.node(branch) else {
                continue;
            };
            let pick = match dir {
                Direction::Next => (nibble + 1..16).find_map(|i| {
                    children
                        .get(usize::from(i))
                        .copied()
                        .flatten()
                        .map(|c| (i, c))
                }),
                Direction::Prev => (0..nibble).rev().find_map(|i| {
                    children
                        .get(usize::from(i))
                        .copied()
                        .flatten()
                        .map(|c| (i, c))
                }),
            };
            if let Some((i, child)) = pick {
                prefix.push(i);
                return self.extreme(store, child, prefix, dir).map(Some);
            }
            if dir == Direction::Prev && value.is_some() {
                return key_of(&prefix).map(Some);
            }
        }
        Ok(None)
    }

    /// The smallest (`Next`) or greatest (`Prev`) key below children of
    /// `branch`, ignoring its own value.
    fn first_child_extreme<S: NodeStore + ?Sized>(
        &mut self,
        store: &S,
        branch: NodeId,
        prefix: Vec<u8>,
        dir: Direction,
    ) -> Result<Vec<u8>, TrieError> {
        let Node::Branch { children, .. } = self.node(branch) else {
            return key_of(&prefix);
        };
        let first = (0u8..16).find_map(|i| {
            children
                .get(usize::from(i))
                .copied()
                .flatten()
                .map(|c| (i, c))
        });
        match first {
            Some((i, child)) => {
                let mut prefix = prefix;
                prefix.push(i);
                self.extreme(store, child, prefix, dir)
            }
            None => key_of(&prefix),
        }
    }

    /// The smallest (`Next`) or greatest (`Prev`) key in the subtree at
    /// `id`, whose path from the root is `prefix`.
    fn extreme<S: NodeStore + ?Sized>(
        &mut self,
        store: &S,
        mut id: NodeId,
        mut prefix: Vec<u8>,
        dir: Direction,
    ) -> Result<Vec<u8>, TrieError> {
        loop {
            self.resolve(store, id, &prefix)?;
            match self.node(id) {
                Node::Leaf { key, .. } => return Ok(key.as_slice().to_vec()),
                Node::Extension { path, child } => {
                    prefix.extend_from_slice(path);
                    id = *child;
                }
                Node::Branch { children, value } => {
                    let mut present = (0u8..16).filter_map(|i| {
                        children
                            .get(usize::from(i))
                            .copied()
                            .flatten()
                            .map(|c| (i, c))
                    });
                    let pick = match dir {
                        // A key ending here is smaller than any below it.
                        Direction::Next if value.is_some() => return key_of(&prefix),
                        Direction::Next => present.next(),
                        Direction::Prev => present.next_back(),
                    };
                    match pick {
                        Some((i, child)) => {
                            prefix.push(i);
                            id = child;
                        }
                        None => return key_of(&prefix),
                    }
                }
                Node::Stored | Node::Free => return key_of(&prefix),
            }
        }
    }
}

/// The key whose nibbles are `prefix` (a key ending at a branch).
fn key_of(prefix: &[u8]) -> Result<Vec<u8>, TrieError> {
    pack(prefix).ok_or(TrieError::InvalidNode {
        hash: B256::ZERO,
        reason: NodeError::OddKey {
            nibbles: prefix.len(),
        },
    })
}
