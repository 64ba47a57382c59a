//! What the world state keeps in memory about one account.

use alloc::collections::BTreeSet;

use hashbrown::HashMap;
use ruint::aliases::U256;

use super::word_hash::WordHash;
use crate::hash::{B256, EMPTY_ROOT, KECCAK_EMPTY};

/// The fields of an account an EVM reads and writes (the storage root is
/// derived from its storage when the state root is computed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountInfo {
    /// Transactions sent (or contracts created, for a contract).
    pub nonce: u64,
    /// Balance in wei.
    pub balance: U256,
    /// Keccak-256 of the code ([`KECCAK_EMPTY`] without code).
    pub code_hash: B256,
}

impl Default for AccountInfo {
    fn default() -> Self {
        Self {
            nonce: 0,
            balance: U256::ZERO,
            code_hash: KECCAK_EMPTY,
        }
    }
}

impl AccountInfo {
    /// Empty in the sense of EIP-161: no nonce, no balance, no code.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nonce == 0 && self.balance.is_zero() && self.code_hash == KECCAK_EMPTY
    }
}

/// An account as loaded and changed in memory.
#[derive(Clone, Debug)]
pub(crate) struct CachedAccount {
    /// `None`: the account does not exist.
    pub(crate) info: Option<AccountInfo>,
    /// Root of the storage trie backing the slots not in `storage`.
    pub(crate) storage_root: B256,
    /// Slots read or written, with their current values. Lookup-only
    /// (never iterated: `dirty_storage` says what to write), so a hash
    /// table, which the EVM's SLOAD and SSTORE reach several times each.
    pub(crate) storage: HashMap<U256, U256, WordHash>,
    /// Slots written since the storage trie was last updated.
    pub(crate) dirty_storage: BTreeSet<U256>,
    /// Values at the start of the transaction of the slots it wrote.
    /// Lookup-only, like `storage`.
    pub(crate) original: HashMap<U256, U256, WordHash>,
    /// The storage was wiped (account created or deleted): slots not in
    /// `storage` are zero, whatever the trie at `storage_root` says.
    pub(crate) storage_cleared: bool,
    /// Per-transaction flags.
    pub(crate) touched: bool,
    pub(crate) created: bool,
    pub(crate) selfdestructed: bool,
    /// The address is in the state's set of changed accounts (`false`:
    /// maybe not; see `world::list`).
    pub(crate) listed_dirty: bool,
    /// The address is in the state's set of accounts with
    /// per-transaction flags (`false`: maybe not).
    pub(crate) listed_in_transaction: bool,
}

impl CachedAccount {
    pub(crate) fn new(info: Option<AccountInfo>, storage_root: B256) -> Self {
        Self {
            info,
            storage_root,
            storage: HashMap::default(),
            dirty_storage: BTreeSet::new(),
            original: HashMap::default(),
            storage_cleared: false,
            touched: false,
            created: false,
            selfdestructed: false,
            listed_dirty: false,
            listed_in_transaction: false,
        }
    }

    /// Removes the account and its storage.
    pub(crate) fn delete(&mut self) {
        *self = Self::new(None, EMPTY_ROOT);
        self.storage_cleared = true;
    }
}
