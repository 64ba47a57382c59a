//! The interface through which the EVM reads and changes state.
//!
//! Every state access of the interpreter goes through [`Host`]; the
//! interpreter never holds state of its own beyond one transaction's
//! access lists and logs. [`StateHost`] implements it over
//! [`dfn_state::state::WorldState`].

use alloc::sync::Arc;

use dfn_state::state::{AccountInfo, Checkpoint, StateError, WorldState};
use dfn_state::trie::NodeStore;
use dfn_state::{Address, B256, EMPTY_ROOT, U256};

/// State access for the EVM.
///
/// Changes are journaled: [`Host::checkpoint`] opens a frame that
/// [`Host::commit`] keeps and [`Host::revert`] undoes, nested like calls.
/// Methods that touch an account mark it for EIP-161 clearing.
pub trait Host {
    /// What a failed state access reports; it aborts the transaction,
    /// unless [`Host::is_pending`] says it only has no answer yet.
    type Error;

    /// Whether `error` means "no answer yet" rather than failure. A read
    /// (`account`, `code`, `storage`, `has_storage`, `original_storage`,
    /// `transient_storage`, `block_hash`) may answer so; execution
    /// through [`crate::Execution`] then suspends before the opcode that
    /// asked and runs it again, and only it, when resumed. Writes must
    /// not: each is preceded by a read of what it changes. The default
    /// host is never pending.
    fn is_pending(error: &Self::Error) -> bool {
        let _ = error;
        false
    }

    /// The account, or `None` if it does not exist.
    fn account(&mut self, address: Address) -> Result<Option<AccountInfo>, Self::Error>;
    /// The code of an account (empty if none).
    fn code(&mut self, address: Address) -> Result<Arc<[u8]>, Self::Error>;
    /// A storage word.
    fn storage(&mut self, address: Address, key: U256) -> Result<U256, Self::Error>;
    /// Whether the account has any non-zero storage word (EIP-7610: a
    /// create onto such an account collides).
    fn has_storage(&mut self, address: Address) -> Result<bool, Self::Error>;
    /// A storage word as it was when the transaction started.
    fn original_storage(&mut self, address: Address, key: U256) -> Result<U256, Self::Error>;
    /// The current and the original value of a storage word, as
    /// [`Host::storage`] and then [`Host::original_storage`] give them:
    /// what SSTORE meters with, in one call (a host that keeps both
    /// together finds them with one lookup).
    fn storage_for_store(
        &mut self,
        address: Address,
        key: U256,
    ) -> Result<(U256, U256), Self::Error> {
        let current = self.storage(address, key)?;
        Ok((current, self.original_storage(address, key)?))
    }
    /// Writes a storage word.
    fn set_storage(&mut self, address: Address, key: U256, value: U256) -> Result<(), Self::Error>;
    /// A transient storage word (EIP-1153).
    fn transient_storage(&mut self, address: Address, key: U256) -> Result<U256, Self::Error>;
    /// Writes a transient storage word (EIP-1153).
    fn set_transient_storage(
        &mut self,
        address: Address,
        key: U256,
        value: U256,
    ) -> Result<(), Self::Error>;
    /// Moves value, touching both accounts. The caller has checked the
    /// balance.
    fn transfer(&mut self, from: Address, to: Address, value: U256) -> Result<(), Self::Error>;
    /// Credits an account, touching it.
    fn add_balance(&mut self, address: Address, value: U256) -> Result<(), Self::Error>;
    /// Debits an account, touching it. The caller has checked the balance.
    fn sub_balance(&mut self, address: Address, value: U256) -> Result<(), Self::Error>;
    /// Sets a nonce.
    fn set_nonce(&mut self, address: Address, nonce: u64) -> Result<(), Self::Error>;
    /// Sets the code of an account.
    fn set_code(&mut self, address: Address, code: &[u8]) -> Result<(), Self::Error>;
    /// Makes a fresh account for CREATE (balance kept, storage wiped).
    fn create_account(&mut self, address: Address) -> Result<(), Self::Error>;
    /// Whether the account was created in this transaction (EIP-6780).
    fn is_created_in_transaction(&mut self, address: Address) -> Result<bool, Self::Error>;
    /// Marks an account for deletion at the end of the transaction.
    fn selfdestruct(&mut self, address: Address) -> Result<(), Self::Error>;
    /// Marks an account touched (EIP-161).
    fn touch(&mut self, address: Address) -> Result<(), Self::Error>;
    /// Opens a journal frame.
    fn checkpoint(&mut self) -> Checkpoint;
    /// Keeps the changes of the innermost frame.
    fn commit(&mut self, checkpoint: Checkpoint) -> Result<(), Self::Error>;
    /// Undoes the changes of the innermost frame.
    fn revert(&mut self, checkpoint: Checkpoint) -> Result<(), Self::Error>;
    /// The hash of an earlier block (asked only for the 256 before the current one).
    fn block_hash(&mut self, number: u64) -> Result<B256, Self::Error>;
    /// Ends the transaction: EIP-161 clearing, self-destructs, transient storage.
    fn finalize_transaction(&mut self) -> Result<(), Self::Error>;
}

/// A [`Host`] over a [`WorldState`], with block hashes from a function.
pub struct StateHost<'a, S: NodeStore, F: FnMut(u64) -> B256> {
    /// The state executed against.
    pub state: &'a mut WorldState<S>,
    /// The hash of block `number`.
    pub block_hashes: F,
}

impl<'a, S: NodeStore, F: FnMut(u64) -> B256> StateHost<'a, S, F> {
    /// A host over `state`.
    pub fn new(state: &'a mut WorldState<S>, block_hashes: F) -> Self {
        Self {
            state,
            block_hashes,
        }
    }
}

impl<S: NodeStore, F: FnMut(u64) -> B256> Host for StateHost<'_, S, F> {
    type Error = StateError;

    fn account(&mut self, address: Address) -> Result<Option<AccountInfo>, StateError> {
        self.state.account(address)
    }
    fn code(&mut self, address: Address) -> Result<Arc<[u8]>, StateError> {
        self.state.code(address)
    }
    fn storage(&mut self, address: Address, key: U256) -> Result<U256, StateError> {
        self.state.storage(address, key)
    }
    fn has_storage(&mut self, address: Address) -> Result<bool, StateError> {
        Ok(self.state.storage_root(address)? != EMPTY_ROOT)
    }
    fn original_storage(&mut self, address: Address, key: U256) -> Result<U256, StateError> {
        self.state.original_storage(address, key)
    }
    fn storage_for_store(
        &mut self,
        address: Address,
        key: U256,
    ) -> Result<(U256, U256), StateError> {
        self.state.storage_with_original(address, key)
    }
    fn set_storage(&mut self, address: Address, key: U256, value: U256) -> Result<(), StateError> {
        self.state.set_storage(address, key, value)
    }
    fn transient_storage(&mut self, address: Address, key: U256) -> Result<U256, StateError> {
        Ok(self.state.transient_storage(address, key))
    }
    fn set_transient_storage(
        &mut self,
        address: Address,
        key: U256,
        value: U256,
    ) -> Result<(), StateError> {
        self.state.set_transient_storage(address, key, value);
        Ok(())
    }
    fn transfer(&mut self, from: Address, to: Address, value: U256) -> Result<(), StateError> {
        self.state.transfer(from, to, value)
    }
    fn add_balance(&mut self, address: Address, value: U256) -> Result<(), StateError> {
        self.state.add_balance(address, value)
    }
    fn sub_balance(&mut self, address: Address, value: U256) -> Result<(), StateError> {
        self.state.sub_balance(address, value)
    }
    fn set_nonce(&mut self, address: Address, nonce: u64) -> Result<(), StateError> {
        self.state.set_nonce(address, nonce)
    }
    fn set_code(&mut self, address: Address, code: &[u8]) -> Result<(), StateError> {
        self.state.set_code(address, code)
    }
    fn create_account(&mut self, address: Address) -> Result<(), StateError> {
        self.state.create_account(address)
    }
    fn is_created_in_transaction(&mut self, address: Address) -> Result<bool, StateError> {
        self.state.is_created_in_transaction(address)
    }
    fn selfdestruct(&mut self, address: Address) -> Result<(), StateError> {
        self.state.selfdestruct(address)
    }
    fn touch(&mut self, address: Address) -> Result<(), StateError> {
        self.state.touch(address)
    }
    fn checkpoint(&mut self) -> Checkpoint {
        self.state.checkpoint()
    }
    fn commit(&mut self, checkpoint: Checkpoint) -> Result<(), StateError> {
        self.state.commit(checkpoint)
    }
    fn revert(&mut self, checkpoint: Checkpoint) -> Result<(), StateError> {
        self.state.revert(checkpoint)
    }
    fn block_hash(&mut self, number: u64) -> Result<B256, StateError> {
        Ok((self.block_hashes)(number))
    }
    fn finalize_transaction(&mut self) -> Result<(), StateError> {
        self.state.finalize_transaction()
    }
}
