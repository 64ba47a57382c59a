//! Ethereum's Merkle Patricia Trie: hex-prefix paths; leaf, extension and
//! branch nodes; nodes under 32 bytes embedded in their parent, the others
//! referenced by Keccak-256; Merkle proofs of presence and absence.
//!
//! ```
//! use dfn_state::trie::{MemoryStore, Trie, verify_proof};
//!
//! let mut trie = Trie::new(MemoryStore::new());
//! trie.insert(b"doe", b"reindeer")?;
//! trie.insert(b"dog", b"puppy")?;
//! trie.insert(b"dogglesworth", b"cat")?;
//! let root = trie.root();
//! assert_eq!(
//!     root.to_string(),
//!     "0x8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3"
//! );
//!
//! let proof = trie.prove(b"dog")?;
//! assert_eq!(verify_proof(&root, b"dog", &proof)?, Some(b"puppy".to_vec()));
//! let absent = trie.prove(b"cat")?;
//! assert_eq!(verify_proof(&root, b"cat", &absent)?, None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bulk;
mod error;
mod hashing;
mod hex_prefix;
mod mpt;
mod nibbles;
mod node;
mod plain;
mod proof;
mod raw_node;
mod remove;
mod secure;
mod seek;
mod store;

pub(crate) use mpt::Mpt;

pub use error::{NodeError, ProofError, TrieError};
pub use plain::Trie;
pub use proof::verify_proof;
pub use secure::SecureTrie;
pub use store::{MemoryStore, NoStore, NodeStore};
