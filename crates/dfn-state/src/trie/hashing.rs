//! Encoding and hashing: the root, incrementally, and writing new nodes to
//! the store.

use alloc::vec::Vec;

use super::mpt::Mpt;
use super::node::{Cache, Node, NodeId, encode_branch, encode_extension, encode_leaf};
use super::store::{NoStore, NodeStore};
use crate::hash::{B256, EMPTY_ROOT};

/// Whether a pass must visit a node with this cache.
fn needs_visit(cache: &Cache, persist: bool) -> bool {
    cache.is_dirty() || (persist && !cache.persisted)
}

impl Mpt {
    /// The root hash; re-encodes and re-hashes only nodes changed since
    /// the last call.
    pub(crate) fn root_hash(&mut self) -> B256 {
        self.hash_pass(&mut NoStore, false)
    }

    /// The root hash, after writing every node not yet in `store` to it.
    pub(crate) fn commit<S: NodeStore + ?Sized>(&mut self, store: &mut S) -> B256 {
        self.hash_pass(store, true)
    }

    /// Appends the encoding of node `id` at nibble `depth`, from its
    /// children's cached references (which must be up to date).
    pub(crate) fn encode_node(&self, id: NodeId, depth: usize, out: &mut Vec<u8>) {
        match self.node(id) {
            Node::Leaf { key, value } => encode_leaf(key.as_slice(), depth, value.as_slice(), out),
            Node::Extension { path, child } => {
                if let Some(child) = self.cache_ref(*child) {
                    encode_extension(path, child, out);
                }
            }
            Node::Branch { children, value } => {
                let refs = children.map(|c| c.and_then(|c| self.cache_ref(c)));
                encode_branch(&refs, value.as_deref(), out);
            }
            Node::Stored | Node::Free => {}
        }
    }

    /// Post-order walk through the nodes that need it: children first, so a
    /// parent's encoding always reads fresh child references.
    fn hash_pass<S: NodeStore + ?Sized>(&mut self, store: &mut S, persist: bool) -> B256 {
        let Some(root) = self.root else {
            return EMPTY_ROOT;
        };
        let mut stack = core::mem::take(&mut self.stack);
        let mut buf = core::mem::take(&mut self.scratch);
        stack.clear();
        stack.push((root, 0, false));
        while let Some((id, depth, expanded)) = stack.pop() {
            let Some(slot) = self.slots.get(id.index()) else {
                continue;
            };
            if !needs_visit(&slot.cache, persist) {
                continue;
            }
            let is_leaf = matches!(slot.node, Node::Leaf { .. });
            if !expanded && !is_leaf {
                stack.push((id, depth, true));
                match &slot.node {
                    Node::Branch { children, .. } => {
                        for child in children.iter().flatten() {
                            if self
                                .cache_ref(*child)
                                .is_some_and(|c| needs_visit(c, persist))
                            {
                                stack.push((*child, depth + 1, false));
                            }
                        }
                    }
                    Node::Extension { path, child }
                        if self
                            .cache_ref(*child)
                            .is_some_and(|c| needs_visit(c, persist)) =>
                    {
                        stack.push((*child, depth + path.len(), false));
                    }
                    _ => {}
                }
                continue;
            }
            buf.clear();
            self.encode_node(id, depth, &mut buf);
            let mut cache = if slot.cache.is_dirty() {
                Cache::from_encoding(&buf)
            } else {
                slot.cache
            };
            if persist {
                // Embedded nodes live inside their parent's encoding; the
                // root is stored by hash however short it is.
                if cache.is_hashed() || id == root {
                    store.put(cache.hash(), &buf);
                }
                cache.persisted = true;
            }
            if let Some(slot) = self.slots.get_mut(id.index()) {
                slot.cache = cache;
            }
        }
        self.stack = stack;
        self.scratch = buf;
        self.cache(root).hash()
    }
}
