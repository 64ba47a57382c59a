//! [`WorldState`]: accounts, code and storage over the state trie, with a
//! journal for the EVM's call frames.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::sync::Arc;
use alloc::vec::Vec;

use hashbrown::HashMap;
use ruint::aliases::U256;

use super::cache::{AccountInfo, CachedAccount};
use super::error::StateError;
use super::journal::{Checkpoint, Entry, Journal};
use super::transient::TransientStorage;
use super::word_hash::WordHash;
use crate::account::Account;
use crate::address::Address;
use crate::hash::{B256, EMPTY_ROOT, KECCAK_EMPTY, keccak256};
use crate::rlp::{Encode, decode_exact};
use crate::trie::{MemoryStore, Mpt, NodeStore};

/// Trie key of a storage slot: Keccak-256 of its 32-byte big-endian form.
fn slot_key(key: U256) -> B256 {
    keccak256(key.to_be_bytes::<32>())
}

/// The Ethereum world state: accounts in a secure trie keyed by
/// `keccak256(address)`, each with a storage trie keyed by
/// `keccak256(slot)` and code stored by hash, all in one [`NodeStore`].
///
/// Reads load what they need into memory; writes change memory and are
/// journaled. [`WorldState::checkpoint`], [`WorldState::commit`] and
/// [`WorldState::revert`] nest like call frames.
/// [`WorldState::finalize_transaction`] applies EIP-161 and
/// self-destructs, clears transient storage and the journal;
/// [`WorldState::state_root`] writes the changes into the tries and hashes
/// only what changed.
#[derive(Debug, Default)]
pub struct WorldState<S: NodeStore = MemoryStore> {
    store: S,
    accounts: Mpt,
    storage_tries: BTreeMap<Address, Mpt>,
    /// Lookup-only (never iterated: `dirty` and `in_transaction` say
    /// which accounts to visit), so a hash table: every state access of
    /// the EVM goes through it.
    cache: HashMap<Address, CachedAccount, WordHash>,
    /// Accounts changed since the tries were last updated.
    dirty: BTreeSet<Address>,
    /// Accounts with per-transaction flags or original values set.
    in_transaction: BTreeSet<Address>,
    /// Lookup-only, like `cache` (`unsaved_code` says what to write).
    code: HashMap<B256, Arc<[u8]>, WordHash>,
    unsaved_code: BTreeSet<B256>,
    journal: Journal,
    transient: TransientStorage,
}

impl<S: NodeStore> WorldState<S> {
    /// An empty state writing to `store`.
    pub fn new(store: S) -> Self {
        Self::open(store, EMPTY_ROOT)
    }

    /// The state whose root is `root`, with its nodes and code in `store`.
    pub fn open(store: S, root: B256) -> Self {
        Self {
            store,
            accounts: Mpt::open(root),
            storage_tries: BTreeMap::new(),
            cache: HashMap::default(),
            dirty: BTreeSet::new(),
            in_transaction: BTreeSet::new(),
            code: HashMap::default(),
            unsaved_code: BTreeSet::new(),
            // Room for a typical transaction's changes: growing from
            // empty costs a short transaction several reallocations.
            journal: Journal::with_capacity(32),
            transient: TransientStorage::default(),
        }
    }

    /// The node store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Gives the store back (changes not [persisted](Self::persist) are lost).
    pub fn into_store(self) -> S {
        self.store
    }

    fn load(&mut self, address: Address) -> Result<&mut CachedAccount, StateError> {
        load_account(&mut self.cache, &mut self.accounts, &self.store, address)
    }

    /// Loads the account and makes it exist (journaled), for a write.
    fn existing(&mut self, address: Address) -> Result<&mut AccountInfo, StateError> {
        let cached = load_account(&mut self.cache, &mut self.accounts, &self.store, address)?;
        if cached.info.is_none() {
            self.journal.record(Entry::Appeared { address });
        }
        list(&mut self.dirty, &mut cached.listed_dirty, address);
        Ok(cached.info.get_or_insert_with(AccountInfo::default))
    }

    /// Touches the account if `touch`, then sets its balance to
    /// `f(balance)`: [`WorldState::touch`] and [`WorldState::set_balance`]
    /// with one lookup, journaled the same.
    fn update_balance(
        &mut self,
        address: Address,
        touch: bool,
        f: impl FnOnce(U256) -> Result<U256, StateError>,
    ) -> Result<(), StateError> {
        let cached = load_account(&mut self.cache, &mut self.accounts, &self.store, address)?;
        if touch && !cached.touched {
            cached.touched = true;
            list(
                &mut self.in_transaction,
                &mut cached.listed_in_transaction,
                address,
            );
            self.journal.record(Entry::Touched { address });
        }
        let balance = f(cached.info.map_or(U256::ZERO, |i| i.balance))?;
        if cached.info.is_none() {
            self.journal.record(Entry::Appeared { address });
        }
        list(&mut self.dirty, &mut cached.listed_dirty, address);
        let info = cached.info.get_or_insert_with(AccountInfo::default);
        let previous = core::mem::replace(&mut info.balance, balance);
        if previous != balance {
            self.journal
                .record(Entry::BalanceChanged { address, previous });
        }
        Ok(())
    }
}

/// Adds `address` to `set` unless `listed` says it is there already (a
/// flag in the account, cleared when the set is emptied; a clear flag
/// only costs a redundant insert).
fn list(set: &mut BTreeSet<Address>, listed: &mut bool, address: Address) {
    if !*listed {
        *listed = true;
        set.insert(address);
    }
}

/// The account in memory, read from the trie the first time. A function
/// of the fields it needs, so that callers can journal while holding it.
fn load_account<'c, S: NodeStore>(
    cache: &'c mut HashMap<Address, CachedAccount, WordHash>,
    accounts: &mut Mpt,
    store: &S,
    address: Address,
) -> Result<&'c mut CachedAccount, StateError> {
    use hashbrown::hash_map::Entry as Slot;
    match cache.entry(address) {
        Slot::Occupied(e) => Ok(e.into_mut()),
        Slot::Vacant(v) => {
            let key = address.trie_key();
            let cached = match accounts.get(store, &key.0)? {
                None => CachedAccount::new(None, EMPTY_ROOT),
                Some(bytes) => {
                    let account = decode_exact::<Account>(bytes)
                        .map_err(|reason| StateError::InvalidAccount { address, reason })?;
                    let info = AccountInfo {
                        nonce: account.nonce,
                        balance: account.balance,
                        code_hash: account.code_hash,
                    };
                    CachedAccount::new(Some(info), account.storage_root)
                }
            };
            Ok(v.insert(cached))
        }
    }
}

impl<S: NodeStore> WorldState<S> {
    /// The account, or `None` if it does not exist.
    pub fn account(&mut self, address: Address) -> Result<Option<AccountInfo>, StateError> {
        Ok(self.load(address)?.info)
    }

    /// Whether the account exists (it may be empty).
    pub fn exists(&mut self, address: Address) -> Result<bool, StateError> {
        Ok(self.load(address)?.info.is_some())
    }

    /// Whether the account is absent or empty (EIP-161).
    pub fn is_empty(&mut self, address: Address) -> Result<bool, StateError> {
        Ok(self.load(address)?.info.is_none_or(|i| i.is_empty()))
    }

    /// The balance (zero for an absent account).
    pub fn balance(&mut self, address: Address) -> Result<U256, StateError> {
        Ok(self.account(address)?.map_or(U256::ZERO, |i| i.balance))
    }

    /// The nonce (zero for an absent account).
    pub fn nonce(&mut self, address: Address) -> Result<u64, StateError> {
        Ok(self.account(address)?.map_or(0, |i| i.nonce))
    }

    /// The code hash, or `None` for an absent account.
    pub fn code_hash(&mut self, address: Address) -> Result<Option<B256>, StateError> {
        Ok(self.account(address)?.map(|i| i.code_hash))
    }

    /// The code (empty for an absent account or one without code).
    pub fn code(&mut self, address: Address) -> Result<Arc<[u8]>, StateError> {
        let hash = self.code_hash(address)?.unwrap_or(KECCAK_EMPTY);
        self.code_by_hash(hash)
    }

    /// The code whose Keccak-256 is `hash`.
    pub fn code_by_hash(&mut self, hash: B256) -> Result<Arc<[u8]>, StateError> {
        if hash == KECCAK_EMPTY {
            return Ok(Arc::from(&[][..]));
        }
        if let Some(code) = self.code.get(&hash) {
            return Ok(Arc::clone(code));
        }
        let bytes = self
            .store
            .get(&hash)
            .ok_or(StateError::MissingCode { hash })?;
        let code: Arc<[u8]> = Arc::from(&*bytes);
        self.code.insert(hash, Arc::clone(&code));
        Ok(code)
    }

    /// The current value of a storage slot (zero if never set).
    pub fn storage(&mut self, address: Address, key: U256) -> Result<U256, StateError> {
        let cached = self.load(address)?;
        if let Some(value) = cached.storage.get(&key) {
            return Ok(*value);
        }
        if cached.info.is_none() || cached.storage_cleared || cached.storage_root == EMPTY_ROOT {
            return Ok(U256::ZERO);
        }
        let root = cached.storage_root;
        let trie = self
            .storage_tries
            .entry(address)
            .or_insert_with(|| Mpt::open(root));
        let value = match trie.get(&self.store, &slot_key(key).0)? {
            None => U256::ZERO,
            Some(bytes) => {
                decode_exact::<U256>(bytes).map_err(|reason| StateError::InvalidStorage {
                    address,
                    key,
                    reason,
                })?
            }
        };
        self.load(address)?.storage.insert(key, value);
        Ok(value)
    }

    /// The value a slot had when the transaction started (EIP-2200's
    /// "original value").
    pub fn original_storage(&mut self, address: Address, key: U256) -> Result<U256, StateError> {
        if let Some(value) = self.load(address)?.original.get(&key) {
            return Ok(*value);
        }
        self.storage(address, key)
    }

    /// The current and the original value of a slot, as
    /// [`WorldState::storage`] and [`WorldState::original_storage`] give
    /// them, with one account lookup when the slot is in memory (SSTORE
    /// meters with both).
    pub fn storage_with_original(
        &mut self,
        address: Address,
        key: U256,
    ) -> Result<(U256, U256), StateError> {
        let cached = self.load(address)?;
        if let Some(current) = cached.storage.get(&key).copied() {
            let original = cached.original.get(&key).copied().unwrap_or(current);
            return Ok((current, original));
        }
        let current = self.storage(address, key)?;
        let original = self
            .cache
            .get(&address)
            .and_then(|c| c.original.get(&key).copied())
            .unwrap_or(current);
        Ok((current, original))
    }

    /// A transient storage word (EIP-1153).
    #[must_use]
    pub fn transient_storage(&self, address: Address, key: U256) -> U256 {
        self.transient.get(address, key)
    }

    /// Sets a balance (no touch: for loading genesis or test state).
    pub fn set_balance(&mut self, address: Address, balance: U256) -> Result<(), StateError> {
        self.update_balance(address, false, |_| Ok(balance))
    }

    /// Adds to a balance, touching the account (it is created if absent).
    pub fn add_balance(&mut self, address: Address, amount: U256) -> Result<(), StateError> {
        self.update_balance(address, true, |balance| {
            balance
                .checked_add(amount)
                .ok_or(StateError::BalanceOverflow { address })
        })
    }

    /// Takes from a balance, touching the account.
    pub fn sub_balance(&mut self, address: Address, amount: U256) -> Result<(), StateError> {
        self.update_balance(address, true, |balance| {
            balance
                .checked_sub(amount)
                .ok_or(StateError::InsufficientBalance {
                    address,
                    balance,
                    needed: amount,
                })
        })
    }

    /// Moves `amount` from one account to another, touching both.
    pub fn transfer(&mut self, from: Address, to: Address, amount: U256) -> Result<(), StateError> {
        self.sub_balance(from, amount)?;
        self.add_balance(to, amount)
    }

    /// Sets a nonce.
    pub fn set_nonce(&mut self, address: Address, nonce: u64) -> Result<(), StateError> {
        let info = self.existing(address)?;
        let previous = core::mem::replace(&mut info.nonce, nonce);
        if previous != nonce {
            self.journal
                .record(Entry::NonceChanged { address, previous });
        }
        Ok(())
    }

    /// Increments a nonce; returns the value before.
    pub fn increment_nonce(&mut self, address: Address) -> Result<u64, StateError> {
        let nonce = self.nonce(address)?;
        let next = nonce
            .checked_add(1)
            .ok_or(StateError::NonceOverflow { address })?;
        self.set_nonce(address, next)?;
        Ok(nonce)
    }

    /// Sets an account's code.
    pub fn set_code(&mut self, address: Address, code: &[u8]) -> Result<(), StateError> {
        let hash = keccak256(code);
        if hash != KECCAK_EMPTY && !self.code.contains_key(&hash) {
            self.code.insert(hash, Arc::from(code));
            self.unsaved_code.insert(hash);
        }
        let info = self.existing(address)?;
        let previous = core::mem::replace(&mut info.code_hash, hash);
        if previous != hash {
            self.journal
                .record(Entry::CodeChanged { address, previous });
        }
        Ok(())
    }

    /// Sets a storage slot.
    pub fn set_storage(
        &mut self,
        address: Address,
        key: U256,
        value: U256,
    ) -> Result<(), StateError> {
        // An SSTORE's cost is mostly lookups: one for the account, one
        // that reads and writes the slot, one for its original value
        // (the trie is read only for a slot not yet in memory). The
        // journal gets what `existing` and `touch` would record.
        let cached = load_account(&mut self.cache, &mut self.accounts, &self.store, address)?;
        let in_memory = cached
            .storage
            .get_mut(&key)
            .map(|slot| core::mem::replace(slot, value));
        let (previous, cached) = match in_memory {
            Some(previous) => (previous, cached),
            None => {
                let previous = self.storage(address, key)?;
                let cached =
                    load_account(&mut self.cache, &mut self.accounts, &self.store, address)?;
                cached.storage.insert(key, value);
                (previous, cached)
            }
        };
        if cached.info.is_none() {
            cached.info = Some(AccountInfo::default());
            self.journal.record(Entry::Appeared { address });
        }
        list(&mut self.dirty, &mut cached.listed_dirty, address);
        list(
            &mut self.in_transaction,
            &mut cached.listed_in_transaction,
            address,
        );
        cached.original.entry(key).or_insert(previous);
        if previous != value {
            cached.dirty_storage.insert(key);
            self.journal.record(Entry::StorageChanged {
                address,
                key,
                previous,
            });
        }
        Ok(())
    }

    /// Sets a transient storage word (EIP-1153).
    pub fn set_transient_storage(&mut self, address: Address, key: U256, value: U256) {
        let previous = self.transient.set(address, key, value);
        if previous != value {
            self.journal.record(Entry::TransientChanged {
                address,
                key,
                previous,
            });
        }
    }

    /// Marks the account touched: if it exists and is empty when the
    /// transaction ends, it is deleted (EIP-161).
    pub fn touch(&mut self, address: Address) -> Result<(), StateError> {
        let cached = load_account(&mut self.cache, &mut self.accounts, &self.store, address)?;
        if !cached.touched {
            cached.touched = true;
            list(
                &mut self.in_transaction,
                &mut cached.listed_in_transaction,
                address,
            );
            self.journal.record(Entry::Touched { address });
        }
        Ok(())
    }

    /// (Re)creates the account for CREATE/CREATE2: storage wiped, code
    /// and nonce reset, balance kept; remembered as created in this
    /// transaction (for EIP-6780).
    pub fn create_account(&mut self, address: Address) -> Result<(), StateError> {
        let cached = self.load(address)?;
        let previous = Box::new(cached.clone());
        let balance = cached.info.map_or(U256::ZERO, |i| i.balance);
        cached.info = Some(AccountInfo {
            balance,
            ..AccountInfo::default()
        });
        cached.storage.clear();
        cached.dirty_storage.clear();
        cached.storage_cleared = true;
        cached.created = true;
        self.journal.record(Entry::Created { address, previous });
        self.dirty.insert(address);
        self.in_transaction.insert(address);
        Ok(())
    }

    /// Whether the account was created in the current transaction.
    pub fn is_created_in_transaction(&mut self, address: Address) -> Result<bool, StateError> {
        Ok(self.load(address)?.created)
    }

    /// Marks the account to be deleted, with its storage, when the
    /// transaction ends. Which accounts may self-destruct (EIP-6780) and
    /// where the balance goes is the EVM's business.
    pub fn selfdestruct(&mut self, address: Address) -> Result<(), StateError> {
        let cached = self.load(address)?;
        if !cached.selfdestructed {
            cached.selfdestructed = true;
            self.in_transaction.insert(address);
            self.journal.record(Entry::SelfDestructed { address });
        }
        Ok(())
    }

    /// Whether the account is marked to self-destruct.
    pub fn is_selfdestructed(&mut self, address: Address) -> Result<bool, StateError> {
        Ok(self.load(address)?.selfdestructed)
    }

    /// Opens a checkpoint (a call frame begins).
    pub fn checkpoint(&mut self) -> Checkpoint {
        self.journal.checkpoint()
    }

    /// Closes the innermost checkpoint, keeping its changes.
    pub fn commit(&mut self, checkpoint: Checkpoint) -> Result<(), StateError> {
        self.journal.commit(checkpoint)
    }

    /// Closes the innermost checkpoint, undoing every change since it opened.
    pub fn revert(&mut self, checkpoint: Checkpoint) -> Result<(), StateError> {
        for entry in self.journal.revert(checkpoint)? {
            self.undo(entry);
        }
        Ok(())
    }

    fn undo(&mut self, entry: Entry) {
        match entry {
            Entry::TransientChanged {
                address,
                key,
                previous,
            } => {
                self.transient.set(address, key, previous);
            }
            Entry::Created { address, previous } => {
                if let Some(cached) = self.cache.get_mut(&address) {
                    // Slots written since stay dirty: their restored values
                    // must reach the trie too.
                    let written = core::mem::take(&mut cached.dirty_storage);
                    *cached = *previous;
                    cached.dirty_storage.extend(written);
                }
                self.dirty.insert(address);
            }
            Entry::Appeared { address } => self.with_account(address, |c| c.info = None),
            Entry::Touched { address } => {
                if let Some(cached) = self.cache.get_mut(&address) {
                    cached.touched = false;
                }
            }
            Entry::SelfDestructed { address } => {
                if let Some(cached) = self.cache.get_mut(&address) {
                    cached.selfdestructed = false;
                }
            }
            Entry::BalanceChanged { address, previous } => {
                self.with_info(address, |i| i.balance = previous)
            }
            Entry::NonceChanged { address, previous } => {
                self.with_info(address, |i| i.nonce = previous)
            }
            Entry::CodeChanged { address, previous } => {
                self.with_info(address, |i| i.code_hash = previous)
            }
            Entry::StorageChanged {
                address,
                key,
                previous,
            } => self.with_account(address, |c| {
                c.storage.insert(key, previous);
                c.dirty_storage.insert(key);
            }),
        }
    }

    fn with_account(&mut self, address: Address, f: impl FnOnce(&mut CachedAccount)) {
        if let Some(cached) = self.cache.get_mut(&address) {
            f(cached);
            self.dirty.insert(address);
        }
    }

    fn with_info(&mut self, address: Address, f: impl FnOnce(&mut AccountInfo)) {
        self.with_account(address, |c| {
            if let Some(info) = c.info.as_mut() {
                f(info);
            }
        });
    }

    /// Ends a transaction: deletes self-destructed accounts and touched
    /// empty ones (EIP-161), clears transient storage, per-transaction
    /// flags and the journal. Every checkpoint must be closed.
    pub fn finalize_transaction(&mut self) -> Result<(), StateError> {
        let open = self.journal.open_checkpoints();
        if open > 0 {
            return Err(StateError::OpenCheckpoints { open });
        }
        for address in core::mem::take(&mut self.in_transaction) {
            let Some(cached) = self.cache.get_mut(&address) else {
                continue;
            };
            cached.listed_in_transaction = false;
            let empty_touched = cached.touched && cached.info.is_some_and(|i| i.is_empty());
            if cached.selfdestructed || empty_touched {
                cached.delete();
                self.dirty.insert(address);
            }
            cached.touched = false;
            cached.created = false;
            cached.selfdestructed = false;
            cached.original.clear();
        }
        self.journal.clear();
        self.transient.clear();
        Ok(())
    }

    /// Writes the account's changed slots into its storage trie and
    /// returns the storage root.
    fn flush_storage(&mut self, address: Address) -> Result<B256, StateError> {
        let Some(cached) = self.cache.get_mut(&address) else {
            return Ok(EMPTY_ROOT);
        };
        if cached.storage_cleared {
            self.storage_tries.insert(address, Mpt::default());
            cached.storage_cleared = false;
            cached.storage_root = EMPTY_ROOT;
        }
        if cached.dirty_storage.is_empty() {
            return Ok(cached.storage_root);
        }
        let root = cached.storage_root;
        let trie = self
            .storage_tries
            .entry(address)
            .or_insert_with(|| Mpt::open(root));
        for key in core::mem::take(&mut cached.dirty_storage) {
            let value = cached.storage.get(&key).copied().unwrap_or(U256::ZERO);
            let path = slot_key(key);
            if value.is_zero() {
                trie.remove(&self.store, &path.0)?;
            } else {
                trie.insert(&self.store, &path.0, &value.to_rlp())?;
            }
        }
        cached.storage_root = trie.root_hash();
        Ok(cached.storage_root)
    }

    /// Writes every changed account into the tries.
    fn flush(&mut self) -> Result<(), StateError> {
        let open = self.journal.open_checkpoints();
        if open > 0 {
            return Err(StateError::OpenCheckpoints { open });
        }
        for address in core::mem::take(&mut self.dirty) {
            if let Some(cached) = self.cache.get_mut(&address) {
                cached.listed_dirty = false;
            }
            let key = address.trie_key();
            let info = self.cache.get(&address).and_then(|c| c.info);
            match info {
                None => {
                    self.storage_tries.remove(&address);
                    self.accounts.remove(&self.store, &key.0)?;
                }
                Some(info) => {
                    let storage_root = self.flush_storage(address)?;
                    let account = Account {
                        nonce: info.nonce,
                        balance: info.balance,
                        storage_root,
                        code_hash: info.code_hash,
                    };
                    self.accounts
                        .insert(&self.store, &key.0, &account.to_rlp())?;
                }
            }
        }
        Ok(())
    }

    /// The state root. Only accounts and slots changed since the last
    /// root are written into the tries, and only changed nodes rehashed.
    /// Every checkpoint must be closed.
    pub fn state_root(&mut self) -> Result<B256, StateError> {
        self.flush()?;
        Ok(self.accounts.root_hash())
    }

    /// The root of one account's storage trie, with its changes so far.
    pub fn storage_root(&mut self, address: Address) -> Result<B256, StateError> {
        self.load(address)?;
        self.flush_storage(address)
    }

    /// The state root, after writing every new trie node and every new
    /// code to the store.
    pub fn persist(&mut self) -> Result<B256, StateError> {
        self.flush()?;
        for trie in self.storage_tries.values_mut() {
            trie.commit(&mut self.store);
        }
        for hash in core::mem::take(&mut self.unsaved_code) {
            if let Some(code) = self.code.get(&hash) {
                self.store.put(hash, code);
            }
        }
        Ok(self.accounts.commit(&mut self.store))
    }

    /// A Merkle proof of the account (or its absence) against
    /// [`WorldState::state_root`]; the value proved is the account's RLP.
    pub fn prove_account(&mut self, address: Address) -> Result<Vec<Vec<u8>>, StateError> {
        self.flush()?;
        Ok(self.accounts.prove(&self.store, &address.trie_key().0)?)
    }

    /// A Merkle proof of a storage slot (or its absence) against the
    /// account's storage root; the value proved is the slot's RLP.
    pub fn prove_storage(
        &mut self,
        address: Address,
        key: U256,
    ) -> Result<Vec<Vec<u8>>, StateError> {
        self.flush()?;
        let root = self.load(address)?.storage_root;
        let trie = self
            .storage_tries
            .entry(address)
            .or_insert_with(|| Mpt::open(root));
        Ok(trie.prove(&self.store, &slot_key(key).0)?)
    }
}
