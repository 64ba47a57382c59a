//! [`Trie`]: a Merkle Patricia Trie over raw keys, owning its node store.

use alloc::vec::Vec;

use super::error::TrieError;
use super::mpt::Mpt;
use super::store::{MemoryStore, NodeStore};
use crate::hash::B256;

/// An Ethereum Merkle Patricia Trie with raw byte keys.
///
/// Edits happen in memory; [`Trie::root`] hashes only what changed since
/// the last root, and [`Trie::commit`] also writes the new nodes to the
/// store. Nodes of a trie opened from a root are read from the store when
/// a walk first reaches them, which is why reads take `&mut self` and can
/// fail with [`TrieError::MissingNode`].
///
/// Values are byte strings; an empty value means "absent" (Ethereum's
/// convention), so inserting one removes the key.
#[derive(Clone, Debug, Default)]
pub struct Trie<S: NodeStore = MemoryStore> {
    mpt: Mpt,
    store: S,
}

impl<S: NodeStore> Trie<S> {
    /// An empty trie writing to `store`.
    pub fn new(store: S) -> Self {
        Self {
            mpt: Mpt::default(),
            store,
        }
    }

    /// The trie with root `root`, whose nodes are in `store`.
    pub fn open(store: S, root: B256) -> Self {
        Self {
            mpt: Mpt::open(root),
            store,
        }
    }

    /// Whether the trie holds no key.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.mpt.is_empty()
    }

    /// The value under `key`.
    pub fn get(&mut self, key: &[u8]) -> Result<Option<&[u8]>, TrieError> {
        self.mpt.get(&self.store, key)
    }

    /// Sets `key` to `value` (an empty value removes the key).
    pub fn insert(&mut self, key: &[u8], value: &[u8]) -> Result<(), TrieError> {
        self.mpt.insert(&self.store, key, value)
    }

    /// Applies many insertions at once, with the same result as calling
    /// [`Trie::insert`] for each pair in order (a later pair for the same
    /// key wins; an empty value removes the key).
    ///
    /// The pairs are sorted first; an empty trie is then built directly,
    /// without walking from the root for each key, and a non-empty one is
    /// edited in key order, which keeps the walks in cache.
    pub fn insert_batch<K: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        pairs: &[(K, V)],
    ) -> Result<(), TrieError> {
        self.mpt.insert_batch(&self.store, pairs)
    }

    /// Removes `key`; returns whether it was present.
    pub fn remove(&mut self, key: &[u8]) -> Result<bool, TrieError> {
        self.mpt.remove(&self.store, key)
    }

    /// The root hash. Only nodes changed since the last call are encoded
    /// and hashed again.
    pub fn root(&mut self) -> B256 {
        self.mpt.root_hash()
    }

    /// The root hash, after writing every node the store does not have yet.
    pub fn commit(&mut self) -> B256 {
        self.mpt.commit(&mut self.store)
    }

    /// A Merkle proof for `key`: the encodings of the nodes on its path,
    /// root first. Check it with [`verify_proof`](super::verify_proof).
    pub fn prove(&mut self, key: &[u8]) -> Result<Vec<Vec<u8>>, TrieError> {
        self.mpt.prove(&self.store, key)
    }

    /// The smallest key strictly greater than `key`.
    pub fn next_key(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, TrieError> {
        self.mpt.next_key(&self.store, key)
    }

    /// The greatest key strictly smaller than `key`.
    pub fn prev_key(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, TrieError> {
        self.mpt.prev_key(&self.store, key)
    }

    /// The node store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The node store, mutably.
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// Gives the store back (uncommitted changes are dropped).
    pub fn into_store(self) -> S {
        self.store
    }
}
