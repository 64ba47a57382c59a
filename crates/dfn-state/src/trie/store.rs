//! Where trie nodes live between uses: a map from Keccak-256 to bytes.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use hashbrown::HashMap;

use crate::hash::B256;

/// Storage of preimages by their Keccak-256 hash: trie nodes (and, for the
/// world state, contract code). The host provides persistence by
/// implementing it over its database.
///
/// Entries are never removed by the trie: a node written once may be
/// shared by many roots (every earlier state root stays readable), so
/// pruning is the host's decision. A host whose reads can fail reports a
/// failed read as `None`; the trie then names the node it could not get
/// ([`TrieError::MissingNode`](super::TrieError::MissingNode)).
pub trait NodeStore {
    /// The bytes stored under `hash`, if any.
    fn get(&self, hash: &B256) -> Option<Cow<'_, [u8]>>;

    /// Stores `bytes` under `hash`, which is their Keccak-256.
    fn put(&mut self, hash: B256, bytes: &[u8]);
}

impl<S: NodeStore + ?Sized> NodeStore for &mut S {
    fn get(&self, hash: &B256) -> Option<Cow<'_, [u8]>> {
        (**self).get(hash)
    }

    fn put(&mut self, hash: B256, bytes: &[u8]) {
        (**self).put(hash, bytes);
    }
}

/// A [`NodeStore`] in memory.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    // Lookup only: iteration order never reaches a hash or an output.
    map: HashMap<B256, Vec<u8>>,
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of entries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the store holds nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl NodeStore for MemoryStore {
    fn get(&self, hash: &B256) -> Option<Cow<'_, [u8]>> {
        self.map.get(hash).map(|v| Cow::Borrowed(v.as_slice()))
    }

    fn put(&mut self, hash: B256, bytes: &[u8]) {
        self.map.entry(hash).or_insert_with(|| bytes.to_vec());
    }
}

/// A store that holds nothing: for tries that never leave memory.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoStore;

impl NodeStore for NoStore {
    fn get(&self, _hash: &B256) -> Option<Cow<'_, [u8]>> {
        None
    }

    fn put(&mut self, _hash: B256, _bytes: &[u8]) {}
}
