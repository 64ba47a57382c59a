//! Removing a key, and restoring the trie's canonical shape on the way up:
//! a branch left with one entry merges into its neighbours, extensions
//! meeting extensions or leaves merge, so the root never depends on the
//! history of edits.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::error::TrieError;
use super::mpt::{Link, Mpt};
use super::nibbles::{match_len, nibble_at, to_nibbles};
use super::node::{Node, NodeId, SmallBytes};
use super::store::NodeStore;

impl Mpt {
    /// Removes `key`; returns whether it was present.
    pub(crate) fn remove<S: NodeStore + ?Sized>(
        &mut self,
        store: &S,
        key: &[u8],
    ) -> Result<bool, TrieError> {
        let kn = key.len() * 2;
        let mut trail = core::mem::take(&mut self.trail);
        trail.clear();
        let mut at = Link::Root;
        let mut depth = 0;
        let found = loop {
            let Some(id) = self.link_get(at) else {
                break false;
            };
            self.resolve_on_path(store, id, key, depth)?;
            trail.push((id, at, depth));
            match self.node(id) {
                Node::Leaf { key: lk, .. } => break lk.as_slice() == key,
                Node::Extension { path, .. } => {
                    if match_len(path, key, depth) < path.len() {
                        break false;
                    }
                    depth += path.len();
                    at = Link::Ext(id);
                }
                Node::Branch { value, .. } => {
                    if depth == kn {
                        break value.is_some();
                    }
                    at = Link::Child(id, nibble_at(key, depth));
                    depth += 1;
                }
                Node::Stored | Node::Free => break false,
            }
        };
        if found {
            for &(id, _, _) in &trail {
                self.mark_dirty(id);
            }
            if let Some(&(id, at, _)) = trail.last() {
                match self.node(id) {
                    Node::Leaf { .. } => {
                        self.release(id);
                        self.link_set(at, None);
                        trail.pop();
                    }
                    _ => {
                        if let Some(super::mpt::Slot {
                            node: Node::Branch { value, .. },
                            ..
                        }) = self.slots.get_mut(id.index())
                        {
                            *value = None;
                        }
                    }
                }
            }
            while let Some((id, at, depth)) = trail.pop() {
                self.normalize(store, id, at, depth, key)?;
            }
        }
        self.trail = trail;
        Ok(found)
    }

    /// Brings node `id` (at `depth`, hanging at `at`, on the path of the
    /// removed `key`) back to canonical shape after a change below it.
    fn normalize<S: NodeStore + ?Sized>(
        &mut self,
        store: &S,
        id: NodeId,
        at: Link,
        depth: usize,
        key: &[u8],
    ) -> Result<(), TrieError> {
        match self.node(id) {
            Node::Branch { children, value } => {
                let mut present = children
                    .iter()
                    .zip(0u8..)
                    .filter_map(|(c, i)| c.map(|c| (i, c)));
                let only = present.next();
                if present.next().is_some() {
                    return Ok(());
                }
                match (only, value) {
                    (None, Some(v)) => {
                        // Only the value is left: a leaf whose key ends here
                        // (a whole number of bytes, since keys are bytes).
                        let leaf = Node::Leaf {
                            key: SmallBytes::new(key.get(..depth / 2).unwrap_or_default()),
                            value: SmallBytes::new(v),
                        };
                        self.set_node(id, leaf);
                    }
                    (Some((nibble, child)), None) => {
                        self.absorb_only_child(store, id, at, depth, key, nibble, child)?;
                    }
                    _ => {}
                }
            }
            Node::Extension { path, child } => {
                let (path, child) = (path.clone(), *child);
                let mut prefix = to_nibbles(key);
                prefix.truncate(depth);
                prefix.extend_from_slice(&path);
                self.resolve(store, child, &prefix)?;
                match self.node(child) {
                    Node::Leaf { .. } => {
                        // A leaf holds its whole key, so it can move up as is.
                        self.link_set(at, Some(child));
                        self.release(id);
                        self.mark_dirty(child);
                    }
                    Node::Extension {
                        path: below,
                        child: grandchild,
                    } => {
                        let merged: Box<[u8]> = path.iter().chain(below.iter()).copied().collect();
                        let grandchild = *grandchild;
                        self.set_node(
                            id,
                            Node::Extension {
                                path: merged,
                                child: grandchild,
                            },
                        );
                        self.release(child);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Replaces branch `id`, whose only entry is child `child` at `nibble`,
    /// by that child with the nibble prepended to its path.
    #[allow(clippy::too_many_arguments)]
    fn absorb_only_child<S: NodeStore + ?Sized>(
        &mut self,
        store: &S,
        id: NodeId,
        at: Link,
        depth: usize,
        key: &[u8],
        nibble: u8,
        child: NodeId,
    ) -> Result<(), TrieError> {
        let mut prefix = to_nibbles(key);
        prefix.truncate(depth);
        prefix.push(nibble);
        self.resolve(store, child, &prefix)?;
        match self.node(child) {
            Node::Leaf { .. } => {
                self.link_set(at, Some(child));
                self.release(id);
                self.mark_dirty(child);
            }
            Node::Extension { path, child: below } => {
                let path: Box<[u8]> = core::iter::once(nibble)
                    .chain(path.iter().copied())
                    .collect();
                let below = *below;
                self.set_node(child, Node::Extension { path, child: below });
                self.mark_dirty(child);
                self.link_set(at, Some(child));
                self.release(id);
            }
            _ => {
                let path: Vec<u8> = alloc::vec![nibble];
                self.set_node(
                    id,
                    Node::Extension {
                        path: path.into_boxed_slice(),
                        child,
                    },
                );
            }
        }
        Ok(())
    }
}
