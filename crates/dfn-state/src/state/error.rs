//! What can go wrong reading or changing the world state.

use ruint::aliases::U256;

use crate::address::Address;
use crate::hash::B256;
use crate::rlp::RlpError;
use crate::trie::TrieError;

/// Why a world-state operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The account or a storage trie could not be read.
    #[error("trie: {0}")]
    Trie(#[from] TrieError),
    /// The state trie holds bytes for `address` that are not an account.
    #[error("account {address} in the state trie is invalid: {reason}")]
    InvalidAccount {
        /// The account.
        address: Address,
        /// What is wrong with its encoding.
        reason: RlpError,
    },
    /// A storage trie holds bytes for `key` that are not a 256-bit word.
    #[error("storage slot {key} of {address} is invalid: {reason}")]
    InvalidStorage {
        /// The account.
        address: Address,
        /// The slot.
        key: U256,
        /// What is wrong with its encoding.
        reason: RlpError,
    },
    /// The store has no code under an account's code hash.
    #[error("code {hash} is missing from the store")]
    MissingCode {
        /// The code hash.
        hash: B256,
    },
    /// A debit larger than the balance.
    #[error("{address} has {balance} wei, {needed} needed")]
    InsufficientBalance {
        /// The account.
        address: Address,
        /// Its balance.
        balance: U256,
        /// The amount asked for.
        needed: U256,
    },
    /// A credit that would take a balance past 2^256 - 1.
    #[error("balance of {address} would overflow")]
    BalanceOverflow {
        /// The account.
        address: Address,
    },
    /// A nonce increment past 2^64 - 1.
    #[error("nonce of {address} would overflow")]
    NonceOverflow {
        /// The account.
        address: Address,
    },
    /// `commit` or `revert` of a checkpoint that is not the innermost open one.
    #[error("checkpoint {given} is not the innermost open one ({innermost:?})")]
    NotInnermostCheckpoint {
        /// Depth of the checkpoint given.
        given: usize,
        /// Depth of the innermost open checkpoint, if any.
        innermost: Option<usize>,
    },
    /// An operation that needs every checkpoint closed found some open.
    #[error("{open} checkpoints are still open")]
    OpenCheckpoints {
        /// How many.
        open: usize,
    },
}
