//! What can go wrong reading trie nodes, walking a trie or checking a proof.

use crate::hash::B256;
use crate::rlp::RlpError;

/// Why some bytes are not a well-formed trie node.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// The node is not valid RLP.
    #[error("node is not canonical RLP: {0}")]
    Rlp(#[from] RlpError),
    /// A node is a list of 2 (leaf, extension) or 17 (branch) items.
    #[error("node is a list of {found} items; a node has 2 or 17")]
    WrongItemCount {
        /// Items in the list.
        found: usize,
    },
    /// A byte string node other than the empty string (the empty root).
    #[error("node is a byte string of {len} bytes; only the empty trie is a string")]
    NotAList {
        /// Length of the string.
        len: usize,
    },
    /// A hex-prefix path with no bytes at all.
    #[error("node path is empty (no hex-prefix flag byte)")]
    EmptyPath,
    /// The hex-prefix flag nibble is above 3.
    #[error("hex-prefix flag {flag} is not 0 to 3")]
    BadPathFlag {
        /// The flag nibble.
        flag: u8,
    },
    /// An even-length hex-prefix path with a non-zero padding nibble.
    #[error("hex-prefix byte {byte:#04x} of an even path has non-zero padding")]
    BadPathPadding {
        /// The first path byte.
        byte: u8,
    },
    /// An extension with an empty path.
    #[error("extension node has an empty path")]
    EmptyExtension,
    /// A leaf or branch value that is the empty string (empty means absent).
    #[error("leaf holds an empty value")]
    EmptyValue,
    /// A child reference that is neither empty, a 32-byte hash, nor an
    /// embedded node.
    #[error("child reference is a {len}-byte string; expected a 32-byte hash")]
    BadReference {
        /// Length of the string.
        len: usize,
    },
    /// An extension whose child is missing.
    #[error("extension node has no child")]
    MissingChild,
    /// An embedded node of 32 bytes or more (it must be referenced by hash).
    #[error("embedded node of {len} bytes must be referenced by hash")]
    InlineTooLong {
        /// Length of the embedded encoding.
        len: usize,
    },
    /// A branch with fewer than two entries (children plus value): it
    /// should have been merged into its parent.
    #[error("branch has {entries} entries; a branch has at least 2")]
    BranchTooSmall {
        /// Children plus value.
        entries: usize,
    },
    /// A leaf whose full key is an odd number of nibbles (keys are bytes).
    #[error("leaf key has an odd number of nibbles ({nibbles})")]
    OddKey {
        /// Nibbles in the key.
        nibbles: usize,
    },
}

/// Why a trie operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrieError {
    /// The node store does not hold a node the trie refers to.
    #[error("node {hash} is missing from the node store")]
    MissingNode {
        /// Keccak-256 of the missing node.
        hash: B256,
    },
    /// The node store holds bytes under `hash` that are not a valid node.
    #[error("node {hash} in the store is invalid: {reason}")]
    InvalidNode {
        /// The key the bytes were stored under.
        hash: B256,
        /// What is wrong with them.
        reason: NodeError,
    },
    /// The in-memory arena ran out of node indices (2^32 - 1 nodes).
    #[error("the trie holds too many nodes for 32-bit indices")]
    TooManyNodes,
}

/// Why a Merkle proof does not prove anything about the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The proof ends before the walk to the key does.
    #[error("proof ends at node {index} but the walk needs node {hash}")]
    MissingNode {
        /// Index the missing node would have.
        index: usize,
        /// Hash the walk expects there.
        hash: B256,
    },
    /// A proof node does not hash to what its parent (or the root) says.
    #[error("proof node {index} hashes to {found}, expected {expected}")]
    HashMismatch {
        /// Index of the node in the proof.
        index: usize,
        /// Hash the walk expects.
        expected: B256,
        /// Keccak-256 of the node given.
        found: B256,
    },
    /// A proof node is not a well-formed trie node.
    #[error("proof node {index} is invalid: {reason}")]
    InvalidNode {
        /// Index of the node in the proof.
        index: usize,
        /// What is wrong with it.
        reason: NodeError,
    },
    /// A node below the root shorter than 32 bytes was given by hash: it
    /// must be embedded in its parent.
    #[error("proof node {index} is {len} bytes; nodes under 32 bytes are embedded")]
    ShortHashedNode {
        /// Index of the node in the proof.
        index: usize,
        /// Its length.
        len: usize,
    },
    /// An extension points at a leaf or another extension.
    #[error("proof node {index}: an extension must lead to a branch")]
    ExtensionNotToBranch {
        /// Index of the node holding the extension.
        index: usize,
    },
    /// The key was settled before the proof ran out.
    #[error("{count} proof nodes left over after the key was settled")]
    UnusedNodes {
        /// How many nodes were not needed.
        count: usize,
    },
}
