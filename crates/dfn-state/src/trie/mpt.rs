//! The trie's core: an arena of nodes with cached references, edited in
//! place, and a hashing pass that visits only what changed.
//!
//! Every edit marks the nodes on its path dirty; [`Mpt::root_hash`] walks
//! down from the root through dirty nodes only, re-encoding and re-hashing
//! them bottom-up, so the cost of a root after `k` changes is about `k`
//! paths, not the whole trie. Nodes not yet read from the store are
//! [`Node::Stored`] placeholders that carry their hash.
//!
//! Nothing here recurses over the trie's depth: walks use explicit stacks,
//! so crafted keys cannot overflow the call stack.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::error::{NodeError, TrieError};
use super::nibbles::{first_difference, match_len, nibble_at, pack, to_nibbles};
use super::node::{Cache, Node, NodeId, SmallBytes};
use super::raw_node::{self, RawNode, RawRef};
use super::store::NodeStore;
use crate::hash::{B256, EMPTY_ROOT};

/// One arena entry.
#[derive(Clone, Debug)]
pub(crate) struct Slot {
    pub(crate) node: Node,
    pub(crate) cache: Cache,
}

/// Where a node hangs: the root, a branch's child, an extension's child.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Link {
    Root,
    Child(NodeId, u8),
    Ext(NodeId),
}

/// What an insert does once the walk has found its place.
enum Step {
    Descend(Link, usize),
    Unchanged,
    ReplaceLeafValue,
    SetBranchValue,
    SplitLeaf(usize),
    SplitExtension(usize),
}

static FREE: Node = Node::Free;

/// A Merkle Patricia Trie held in an arena; the store is passed to each
/// call that may need to read nodes from it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Mpt {
    pub(crate) slots: Vec<Slot>,
    free: Vec<NodeId>,
    pub(crate) root: Option<NodeId>,
    /// Reusable buffers (encoding, walk stacks), kept to avoid allocations.
    pub(crate) scratch: Vec<u8>,
    pub(crate) stack: Vec<(NodeId, usize, bool)>,
    pub(crate) trail: Vec<(NodeId, Link, usize)>,
}

impl Mpt {
    /// A trie whose root node is in the store under `root`.
    pub(crate) fn open(root: B256) -> Self {
        let mut mpt = Self::default();
        if root != EMPTY_ROOT {
            mpt.slots.push(Slot {
                node: Node::Stored,
                cache: Cache::stored(root),
            });
            mpt.root = NodeId::from_index(0);
        }
        mpt
    }

    /// Drops every node.
    pub(crate) fn clear(&mut self) {
        self.slots.clear();
        self.free.clear();
        self.root = None;
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.root.is_none()
    }

    pub(crate) fn root_id(&self) -> Option<NodeId> {
        self.root
    }

    pub(crate) fn node(&self, id: NodeId) -> &Node {
        self.slots.get(id.index()).map_or(&FREE, |s| &s.node)
    }

    pub(crate) fn cache(&self, id: NodeId) -> Cache {
        self.slots.get(id.index()).map_or(Cache::DIRTY, |s| s.cache)
    }

    pub(crate) fn cache_ref(&self, id: NodeId) -> Option<&Cache> {
        self.slots.get(id.index()).map(|s| &s.cache)
    }

    pub(crate) fn set_node(&mut self, id: NodeId, node: Node) {
        if let Some(slot) = self.slots.get_mut(id.index()) {
            slot.node = node;
        }
    }

    pub(crate) fn mark_dirty(&mut self, id: NodeId) {
        if let Some(slot) = self.slots.get_mut(id.index()) {
            slot.cache = Cache::DIRTY;
        }
    }

    pub(crate) fn alloc(&mut self, node: Node) -> Result<NodeId, TrieError> {
        self.alloc_with(node, Cache::DIRTY)
    }

    fn alloc_with(&mut self, node: Node, cache: Cache) -> Result<NodeId, TrieError> {
        if let Some(id) = self.free.pop() {
            if let Some(slot) = self.slots.get_mut(id.index()) {
                *slot = Slot { node, cache };
                return Ok(id);
            }
        }
        let id = NodeId::from_index(self.slots.len()).ok_or(TrieError::TooManyNodes)?;
        self.slots.push(Slot { node, cache });
        Ok(id)
    }

    pub(crate) fn release(&mut self, id: NodeId) {
        if let Some(slot) = self.slots.get_mut(id.index()) {
            slot.node = Node::Free;
            slot.cache = Cache::DIRTY;
            self.free.push(id);
        }
    }

    pub(crate) fn link_get(&self, at: Link) -> Option<NodeId> {
        match at {
            Link::Root => self.root,
            Link::Child(parent, i) => match self.node(parent) {
                Node::Branch { children, .. } => children.get(usize::from(i)).copied().flatten(),
                _ => None,
            },
            Link::Ext(parent) => match self.node(parent) {
                Node::Extension { child, .. } => Some(*child),
                _ => None,
            },
        }
    }

    pub(crate) fn link_set(&mut self, at: Link, id: Option<NodeId>) {
        match at {
            Link::Root => self.root = id,
            Link::Child(parent, i) => {
                if let Some(Slot {
                    node: Node::Branch { children, .. },
                    ..
                }) = self.slots.get_mut(parent.index())
                {
                    if let Some(c) = children.get_mut(usize::from(i)) {
                        *c = id;
                    }
                }
            }
            Link::Ext(parent) => {
                if let (
                    Some(Slot {
                        node: Node::Extension { child, .. },
                        ..
                    }),
                    Some(id),
                ) = (self.slots.get_mut(parent.index()), id)
                {
                    *child = id;
                }
            }
        }
    }

    /// Reads a [`Node::Stored`] placeholder from the store. `prefix` is the
    /// nibble path from the root to the node (leaves keep whole keys).
    pub(crate) fn resolve<S: NodeStore + ?Sized>(
        &mut self,
        store: &S,
        id: NodeId,
        prefix: &[u8],
    ) -> Result<(), TrieError> {
        if !matches!(self.node(id), Node::Stored) {
            return Ok(());
        }
        let hash = self.cache(id).hash();
        let bytes = store.get(&hash).ok_or(TrieError::MissingNode { hash })?;
        let invalid = |reason| TrieError::InvalidNode { hash, reason };
        let raw = raw_node::decode(&bytes).map_err(invalid)?;
        let mut prefix = prefix.to_vec();
        let node = self.load(raw, &mut prefix, hash)?;
        self.set_node(id, node);
        Ok(())
    }

    /// Resolves `id` if needed, deriving its prefix from the key walked.
    pub(crate) fn resolve_on_path<S: NodeStore + ?Sized>(
        &mut self,
        store: &S,
        id: NodeId,
        key: &[u8],
        depth: usize,
    ) -> Result<(), TrieError> {
        if matches!(self.node(id), Node::Stored) {
            let nibbles = to_nibbles(key);
            self.resolve(store, id, nibbles.get(..depth).unwrap_or_default())?;
        }
        Ok(())
    }

    /// Turns a decoded node into an arena node; hashed children become
    /// placeholders, embedded ones are loaded as they are.
    fn load(
        &mut self,
        raw: RawNode<'_>,
        prefix: &mut Vec<u8>,
        hash: B256,
    ) -> Result<Node, TrieError> {
        let invalid = |reason| TrieError::InvalidNode { hash, reason };
        match raw {
            RawNode::Empty => Err(invalid(NodeError::NotAList { len: 0 })),
            RawNode::Leaf { path, value } => {
                let base = prefix.len();
                prefix.extend_from_slice(&path);
                let key = pack(prefix).ok_or(invalid(NodeError::OddKey {
                    nibbles: prefix.len(),
                }));
                prefix.truncate(base);
                Ok(Node::Leaf {
                    key: SmallBytes::new(&key?),
                    value: SmallBytes::new(value),
                })
            }
            RawNode::Extension { path, child } => {
                let base = prefix.len();
                prefix.extend_from_slice(&path);
                let child = self.load_ref(child, prefix, hash);
                prefix.truncate(base);
                let child = child?.ok_or(invalid(NodeError::MissingChild))?;
                Ok(Node::Extension {
                    path: path.into_boxed_slice(),
                    child,
                })
            }
            RawNode::Branch { children, value } => {
                let mut ids = [None; 16];
                for ((nibble, raw), id) in (0u8..).zip(children).zip(ids.iter_mut()) {
                    prefix.push(nibble);
                    let loaded = self.load_ref(raw, prefix, hash);
                    prefix.pop();
                    *id = loaded?;
                }
                Ok(Node::Branch {
                    children: ids,
                    value: value.map(Box::from),
                })
            }
        }
    }

    fn load_ref(
        &mut self,
        raw: RawRef<'_>,
        prefix: &mut Vec<u8>,
        hash: B256,
    ) -> Result<Option<NodeId>, TrieError> {
        match raw {
            RawRef::Empty => Ok(None),
            RawRef::Hash(child) => self
                .alloc_with(Node::Stored, Cache::stored(child))
                .map(Some),
            RawRef::Inline(rlp) => {
                let node = raw_node::decode_item(&rlp)
                    .map_err(|reason| TrieError::InvalidNode { hash, reason })?;
                // Embedded nodes are under 32 bytes, so this nests only a
                // few levels deep.
                let node = self.load(node, prefix, hash)?;
                let mut cache = Cache::from_encoding(rlp.raw());
                cache.persisted = true;
                self.alloc_with(node, cache).map(Some)
            }
        }
    }

    /// The value stored under `key`.
    pub(crate) fn get<S: NodeStore + ?Sized>(
        &mut self,
        store: &S,
        key: &[u8],
    ) -> Result<Option<&[u8]>, TrieError> {
        let kn = key.len() * 2;
        let mut depth = 0;
        let mut cur = self.root;
        let mut found = None;
        while let Some(id) = cur {
            self.resolve_on_path(store, id, key, depth)?;
            cur = None;
            match self.node(id) {
                Node::Leaf { key: lk, .. } => {
                    found = (lk.as_slice() == key).then_some(id);
                }
                Node::Extension { path, child } => {
                    if match_len(path, key, depth) == path.len() {
                        depth += path.len();
                        cur = Some(*child);
                    }
                }
                Node::Branch { children, value } => {
                    if depth == kn {
                        found = value.is_some().then_some(id);
                    } else {
                        cur = children
                            .get(usize::from(nibble_at(key, depth)))
                            .copied()
                            .flatten();
                        depth += 1;
                    }
                }
                Node::Stored | Node::Free => {}
            }
        }
        Ok(found.and_then(|id| match self.node(id) {
            Node::Leaf { value, .. } => Some(value.as_slice()),
            Node::Branch { value, .. } => value.as_deref(),
            _ => None,
        }))
    }

    /// Sets `key` to `value`; an empty value removes the key.
    pub(crate) fn insert<S: NodeStore + ?Sized>(
        &mut self,
        store: &S,
        key: &[u8],
        value: &[u8],
    ) -> Result<(), TrieError> {
        if value.is_empty() {
            return self.remove(store, key).map(|_| ());
        }
        let kn = key.len() * 2;
        let mut depth = 0;
        let mut at = Link::Root;
        let mut trail = core::mem::take(&mut self.trail);
        trail.clear();
        let outcome = loop {
            let Some(id) = self.link_get(at) else {
                let leaf = self.alloc(Node::Leaf {
                    key: SmallBytes::new(key),
                    value: SmallBytes::new(value),
                })?;
                self.link_set(at, Some(leaf));
                break true;
            };
            self.resolve_on_path(store, id, key, depth)?;
            trail.push((id, at, depth));
            let step = match self.node(id) {
                Node::Leaf { key: lk, value: lv } => {
                    if lk.as_slice() != key {
                        Step::SplitLeaf(first_difference(lk.as_slice(), key, depth))
                    } else if lv.as_slice() == value {
                        Step::Unchanged
                    } else {
                        Step::ReplaceLeafValue
                    }
                }
                Node::Extension { path, .. } => {
                    let m = match_len(path, key, depth);
                    if m == path.len() {
                        Step::Descend(Link::Ext(id), depth + m)
                    } else {
                        Step::SplitExtension(m)
                    }
                }
                Node::Branch { value: bv, .. } => {
                    if depth < kn {
                        Step::Descend(Link::Child(id, nibble_at(key, depth)), depth + 1)
                    } else if bv.as_deref() == Some(value) {
                        Step::Unchanged
                    } else {
                        Step::SetBranchValue
                    }
                }
                Node::Stored | Node::Free => Step::Unchanged,
            };
            match step {
                Step::Descend(next, d) => {
                    at = next;
                    depth = d;
                    continue;
                }
                Step::Unchanged => break false,
                Step::ReplaceLeafValue => {
                    if let Some(Slot {
                        node: Node::Leaf { value: lv, .. },
                        ..
                    }) = self.slots.get_mut(id.index())
                    {
                        *lv = SmallBytes::new(value);
                    }
                }
                Step::SetBranchValue => {
                    if let Some(Slot {
                        node: Node::Branch { value: bv, .. },
                        ..
                    }) = self.slots.get_mut(id.index())
                    {
                        *bv = Some(value.into());
                    }
                }
                Step::SplitLeaf(p) => self.split_leaf(at, id, key, value, depth, p)?,
                Step::SplitExtension(m) => self.split_extension(at, id, key, value, depth, m)?,
            }
            break true;
        };
        if outcome {
            for &(id, _, _) in &trail {
                self.mark_dirty(id);
            }
        }
        self.trail = trail;
        Ok(())
    }

    /// Puts a branch where leaf `id` (hanging at `at`, at `depth`) was: the
    /// old key and the new one first differ at nibble `p`.
    fn split_leaf(
        &mut self,
        at: Link,
        id: NodeId,
        key: &[u8],
        value: &[u8],
        depth: usize,
        p: usize,
    ) -> Result<(), TrieError> {
        let mut children = [None; 16];
        let mut branch_value = None;
        let old_len = match self.node(id) {
            Node::Leaf { key: lk, .. } => lk.as_slice().len() * 2,
            _ => return Ok(()),
        };
        if p == old_len {
            // The old key ends at the branch: its value moves into it.
            if let Node::Leaf { value: old, .. } = self.node(id) {
                branch_value = Some(Box::from(old.as_slice()));
            }
            self.release(id);
        } else {
            let nibble = match self.node(id) {
                Node::Leaf { key: lk, .. } => nibble_at(lk.as_slice(), p),
                _ => 0,
            };
            if let Some(c) = children.get_mut(usize::from(nibble)) {
                *c = Some(id);
            }
            // Deeper now: its path, and so its encoding, changed.
            self.mark_dirty(id);
        }
        if p == key.len() * 2 {
            branch_value = Some(value.into());
        } else {
            let leaf = self.alloc(Node::Leaf {
                key: SmallBytes::new(key),
                value: SmallBytes::new(value),
            })?;
            if let Some(c) = children.get_mut(usize::from(nibble_at(key, p))) {
                *c = Some(leaf);
            }
        }
        let branch = self.alloc(Node::Branch {
            children,
            value: branch_value,
        })?;
        let top = if p > depth {
            let path: Box<[u8]> = (depth..p).map(|i| nibble_at(key, i)).collect();
            self.alloc(Node::Extension {
                path,
                child: branch,
            })?
        } else {
            branch
        };
        self.link_set(at, Some(top));
        Ok(())
    }

    /// Puts a branch inside extension `id` after its first `m` nibbles,
    /// where the new key leaves it.
    fn split_extension(
        &mut self,
        at: Link,
        id: NodeId,
        key: &[u8],
        value: &[u8],
        depth: usize,
        m: usize,
    ) -> Result<(), TrieError> {
        let (path, child) = match self.node(id) {
            Node::Extension { path, child } => (path.clone(), *child),
            _ => return Ok(()),
        };
        let mut children = [None; 16];
        let mut branch_value = None;
        let nibble = path.get(m).copied().unwrap_or(0);
        let below = match path.get(m + 1..) {
            Some(rest) if !rest.is_empty() => {
                // The extension keeps the part after the branch.
                self.set_node(
                    id,
                    Node::Extension {
                        path: rest.into(),
                        child,
                    },
                );
                self.mark_dirty(id);
                id
            }
            _ => {
                self.release(id);
                child
            }
        };
        if let Some(c) = children.get_mut(usize::from(nibble)) {
            *c = Some(below);
        }
        let d = depth + m;
        if d == key.len() * 2 {
            branch_value = Some(value.into());
        } else {
            let leaf = self.alloc(Node::Leaf {
                key: SmallBytes::new(key),
                value: SmallBytes::new(value),
            })?;
            if let Some(c) = children.get_mut(usize::from(nibble_at(key, d))) {
                *c = Some(leaf);
            }
        }
        let branch = self.alloc(Node::Branch {
            children,
            value: branch_value,
        })?;
        let top = match path.get(..m) {
            Some(head) if !head.is_empty() => self.alloc(Node::Extension {
                path: head.into(),
                child: branch,
            })?,
            _ => branch,
        };
        self.link_set(at, Some(top));
        Ok(())
    }
}
