//! [`SecureTrie`]: the trie Ethereum uses for accounts and storage, keyed
//! by the Keccak-256 of each key.

use alloc::vec::Vec;

use super::error::{ProofError, TrieError};
use super::plain::Trie;
use super::proof::verify_proof;
use super::store::{MemoryStore, NodeStore};
use crate::hash::{B256, keccak256};

/// A Merkle Patricia Trie whose path for `key` is `keccak256(key)`.
///
/// Hashing keys bounds the depth (64 nibbles) and spreads keys evenly, so
/// nobody can make a path long by choosing keys.
#[derive(Clone, Debug, Default)]
pub struct SecureTrie<S: NodeStore = MemoryStore> {
    inner: Trie<S>,
}

impl<S: NodeStore> SecureTrie<S> {
    /// An empty trie writing to `store`.
    pub fn new(store: S) -> Self {
        Self {
            inner: Trie::new(store),
        }
    }

    /// The trie with root `root`, whose nodes are in `store`.
    pub fn open(store: S, root: B256) -> Self {
        Self {
            inner: Trie::open(store, root),
        }
    }

    /// Whether the trie holds no key.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// The value under `key`.
    pub fn get(&mut self, key: &[u8]) -> Result<Option<&[u8]>, TrieError> {
        self.inner.get(&keccak256(key).0)
    }

    /// Sets `key` to `value` (an empty value removes the key).
    pub fn insert(&mut self, key: &[u8], value: &[u8]) -> Result<(), TrieError> {
        self.inner.insert(&keccak256(key).0, value)
    }

    /// Removes `key`; returns whether it was present.
    pub fn remove(&mut self, key: &[u8]) -> Result<bool, TrieError> {
        self.inner.remove(&keccak256(key).0)
    }

    /// The root hash (incremental, see [`Trie::root`]).
    pub fn root(&mut self) -> B256 {
        self.inner.root()
    }

    /// The root hash, after writing new nodes to the store.
    pub fn commit(&mut self) -> B256 {
        self.inner.commit()
    }

    /// A Merkle proof for `key` (for the path `keccak256(key)`).
    pub fn prove(&mut self, key: &[u8]) -> Result<Vec<Vec<u8>>, TrieError> {
        self.inner.prove(&keccak256(key).0)
    }

    /// Checks a proof made by [`SecureTrie::prove`]: see
    /// [`verify_proof`](super::verify_proof).
    pub fn verify_proof<T: AsRef<[u8]>>(
        root: &B256,
        key: &[u8],
        proof: &[T],
    ) -> Result<Option<Vec<u8>>, ProofError> {
        verify_proof(root, &keccak256(key).0, proof)
    }

    /// The node store.
    pub fn store(&self) -> &S {
        self.inner.store()
    }

    /// Gives the store back (uncommitted changes are dropped).
    pub fn into_store(self) -> S {
        self.inner.into_store()
    }
}
