//! World state: roots against tries built by hand, the journal's nesting,
//! EIP-161, EIP-1153, self-destruct, persistence and proofs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use dfn_state::rlp::{Encode, decode_exact};
use dfn_state::state::{StateError, WorldState};
use dfn_state::trie::{MemoryStore, SecureTrie, verify_proof};
use dfn_state::{Account, Address, B256, EMPTY_ROOT, KECCAK_EMPTY, U256, keccak256};
use proptest::prelude::*;

fn addr(n: u8) -> Address {
    Address([n; 20])
}

fn u(n: u64) -> U256 {
    U256::from(n)
}

fn new_state() -> WorldState {
    WorldState::new(MemoryStore::new())
}

/// Root of a storage trie built by hand: keccak(slot) -> rlp(value).
fn storage_root_of(slots: &BTreeMap<U256, U256>) -> B256 {
    let mut trie = SecureTrie::new(MemoryStore::new());
    for (k, v) in slots {
        if !v.is_zero() {
            trie.insert(&k.to_be_bytes::<32>(), &v.to_rlp()).unwrap();
        }
    }
    trie.root()
}

#[derive(Clone, Debug, Default)]
struct ModelAccount {
    nonce: u64,
    balance: U256,
    code: Vec<u8>,
    storage: BTreeMap<U256, U256>,
}

fn model_root(model: &BTreeMap<Address, ModelAccount>) -> B256 {
    let mut trie = SecureTrie::new(MemoryStore::new());
    for (a, acct) in model {
        let account = Account {
            nonce: acct.nonce,
            balance: acct.balance,
            storage_root: storage_root_of(&acct.storage),
            code_hash: keccak256(&acct.code),
        };
        trie.insert(&a.0, &account.to_rlp()).unwrap();
    }
    trie.root()
}

#[test]
fn empty_state_has_the_empty_root() {
    assert_eq!(new_state().state_root().unwrap(), EMPTY_ROOT);
}

#[test]
fn roots_match_tries_built_by_hand() {
    let mut state = new_state();
    state.set_balance(addr(1), u(1_000)).unwrap();
    state.set_nonce(addr(1), 3).unwrap();
    state
        .set_code(addr(2), &[0x60, 0x00, 0x60, 0x00, 0xf3])
        .unwrap();
    state.set_storage(addr(2), u(1), u(0xdead)).unwrap();
    state.set_storage(addr(2), u(2), u(7)).unwrap();
    state.set_storage(addr(2), u(2), U256::ZERO).unwrap();
    state.finalize_transaction().unwrap();

    let mut model = BTreeMap::new();
    model.insert(
        addr(1),
        ModelAccount {
            nonce: 3,
            balance: u(1_000),
            ..Default::default()
        },
    );
    let slots: BTreeMap<_, _> = [(u(1), u(0xdead))].into_iter().collect();
    model.insert(
        addr(2),
        ModelAccount {
            code: vec![0x60, 0x00, 0x60, 0x00, 0xf3],
            storage: slots.clone(),
            ..Default::default()
        },
    );
    assert_eq!(
        state.storage_root(addr(2)).unwrap(),
        storage_root_of(&slots)
    );
    assert_eq!(state.storage_root(addr(1)).unwrap(), EMPTY_ROOT);
    assert_eq!(state.state_root().unwrap(), model_root(&model));
}

#[test]
fn nested_checkpoints_commit_and_revert() {
    let mut state = new_state();
    state.set_balance(addr(1), u(10)).unwrap();
    let outer = state.checkpoint();
    state.set_storage(addr(1), u(1), u(1)).unwrap();
    let inner = state.checkpoint();
    assert_eq!(inner.depth(), 1);
    state.set_storage(addr(1), u(1), u(2)).unwrap();
    state.set_nonce(addr(1), 9).unwrap();
    // Only the innermost checkpoint can close.
    assert!(matches!(
        state.commit(outer),
        Err(StateError::NotInnermostCheckpoint {
            given: 0,
            innermost: Some(1)
        })
    ));
    state.revert(inner).unwrap();
    assert_eq!(state.storage(addr(1), u(1)).unwrap(), u(1));
    assert_eq!(state.nonce(addr(1)).unwrap(), 0);

    let inner = state.checkpoint();
    state.set_balance(addr(1), u(20)).unwrap();
    state.commit(inner).unwrap();
    assert_eq!(state.balance(addr(1)).unwrap(), u(20));
    // Reverting the outer frame undoes the committed inner one too.
    state.revert(outer).unwrap();
    assert_eq!(state.balance(addr(1)).unwrap(), u(10));
    assert_eq!(state.storage(addr(1), u(1)).unwrap(), U256::ZERO);
    assert!(state.revert(outer).is_err());
}

#[test]
fn revert_of_a_new_account_removes_it() {
    let mut state = new_state();
    let before = state.state_root().unwrap();
    let cp = state.checkpoint();
    state.set_balance(addr(5), u(1)).unwrap();
    state.set_code(addr(5), b"code").unwrap();
    state.set_storage(addr(5), u(3), u(4)).unwrap();
    assert!(state.exists(addr(5)).unwrap());
    state.revert(cp).unwrap();
    assert!(!state.exists(addr(5)).unwrap());
    state.finalize_transaction().unwrap();
    assert_eq!(state.state_root().unwrap(), before);
}

#[test]
fn eip161_deletes_touched_empty_accounts() {
    let mut state = new_state();
    // An empty account that exists (loaded from genesis, never touched).
    state.set_nonce(addr(1), 0).unwrap();
    state.set_storage(addr(1), u(1), u(1)).unwrap();
    state.set_balance(addr(2), u(5)).unwrap();
    state.finalize_transaction().unwrap();
    assert!(state.exists(addr(1)).unwrap());

    // A zero-value transfer touches both; the empty one goes.
    state.transfer(addr(2), addr(1), U256::ZERO).unwrap();
    state.add_balance(addr(3), U256::ZERO).unwrap();
    assert!(state.exists(addr(3)).unwrap());
    state.finalize_transaction().unwrap();
    assert!(!state.exists(addr(1)).unwrap());
    assert!(!state.exists(addr(3)).unwrap());
    assert_eq!(state.storage(addr(1), u(1)).unwrap(), U256::ZERO);
    assert!(state.exists(addr(2)).unwrap());

    let mut model = BTreeMap::new();
    model.insert(
        addr(2),
        ModelAccount {
            balance: u(5),
            ..Default::default()
        },
    );
    assert_eq!(state.state_root().unwrap(), model_root(&model));
}

#[test]
fn a_reverted_touch_does_not_delete() {
    let mut state = new_state();
    state.set_nonce(addr(1), 0).unwrap();
    state.finalize_transaction().unwrap();
    let cp = state.checkpoint();
    state.touch(addr(1)).unwrap();
    state.revert(cp).unwrap();
    state.finalize_transaction().unwrap();
    assert!(state.exists(addr(1)).unwrap());
}

#[test]
fn transient_storage_lasts_one_transaction() {
    let mut state = new_state();
    state.set_transient_storage(addr(1), u(1), u(42));
    let cp = state.checkpoint();
    state.set_transient_storage(addr(1), u(1), u(43));
    state.set_transient_storage(addr(1), u(2), u(1));
    state.revert(cp).unwrap();
    assert_eq!(state.transient_storage(addr(1), u(1)), u(42));
    assert_eq!(state.transient_storage(addr(1), u(2)), U256::ZERO);
    state.finalize_transaction().unwrap();
    assert_eq!(state.transient_storage(addr(1), u(1)), U256::ZERO);
    assert_eq!(state.state_root().unwrap(), EMPTY_ROOT);
}

#[test]
fn selfdestruct_and_create_wipe_storage() {
    let mut state = new_state();
    state.set_balance(addr(1), u(9)).unwrap();
    state.set_nonce(addr(1), 1).unwrap();
    state.set_storage(addr(1), u(1), u(1)).unwrap();
    state.finalize_transaction().unwrap();
    state.persist().unwrap();

    // CREATE onto it: storage gone, balance kept; a revert restores all.
    let cp = state.checkpoint();
    state.create_account(addr(1)).unwrap();
    assert!(state.is_created_in_transaction(addr(1)).unwrap());
    assert_eq!(state.storage(addr(1), u(1)).unwrap(), U256::ZERO);
    assert_eq!(state.balance(addr(1)).unwrap(), u(9));
    assert_eq!(state.nonce(addr(1)).unwrap(), 0);
    state.revert(cp).unwrap();
    assert_eq!(state.storage(addr(1), u(1)).unwrap(), u(1));
    assert_eq!(state.nonce(addr(1)).unwrap(), 1);

    state.selfdestruct(addr(1)).unwrap();
    assert!(state.is_selfdestructed(addr(1)).unwrap());
    // Still there until the transaction ends.
    assert_eq!(state.storage(addr(1), u(1)).unwrap(), u(1));
    state.finalize_transaction().unwrap();
    assert!(!state.exists(addr(1)).unwrap());
    assert_eq!(state.state_root().unwrap(), EMPTY_ROOT);

    // Re-created later: starts with empty storage.
    state.set_balance(addr(1), u(1)).unwrap();
    assert_eq!(state.storage(addr(1), u(1)).unwrap(), U256::ZERO);
    state.finalize_transaction().unwrap();
    assert_eq!(state.storage_root(addr(1)).unwrap(), EMPTY_ROOT);
}

#[test]
fn original_storage_is_the_value_at_transaction_start() {
    let mut state = new_state();
    state.set_storage(addr(1), u(1), u(5)).unwrap();
    state.set_nonce(addr(1), 1).unwrap();
    state.finalize_transaction().unwrap();
    state.set_storage(addr(1), u(1), u(6)).unwrap();
    state.set_storage(addr(1), u(1), u(7)).unwrap();
    assert_eq!(state.original_storage(addr(1), u(1)).unwrap(), u(5));
    assert_eq!(state.storage(addr(1), u(1)).unwrap(), u(7));
    state.finalize_transaction().unwrap();
    assert_eq!(state.original_storage(addr(1), u(1)).unwrap(), u(7));
}

#[test]
fn balance_errors_are_typed() {
    let mut state = new_state();
    state.set_balance(addr(1), u(5)).unwrap();
    assert!(matches!(
        state.sub_balance(addr(1), u(6)),
        Err(StateError::InsufficientBalance { balance, needed, .. }) if balance == u(5) && needed == u(6)
    ));
    state.set_balance(addr(2), U256::MAX).unwrap();
    assert!(matches!(
        state.add_balance(addr(2), u(1)),
        Err(StateError::BalanceOverflow { .. })
    ));
    state.set_nonce(addr(3), u64::MAX).unwrap();
    assert!(matches!(
        state.increment_nonce(addr(3)),
        Err(StateError::NonceOverflow { .. })
    ));
    let _open = state.checkpoint();
    assert!(matches!(
        state.state_root(),
        Err(StateError::OpenCheckpoints { open: 1 })
    ));
    assert!(matches!(
        state.finalize_transaction(),
        Err(StateError::OpenCheckpoints { open: 1 })
    ));
}

#[test]
fn persisted_state_reopens_and_proves() {
    let mut state = new_state();
    state.set_balance(addr(1), u(77)).unwrap();
    state.set_code(addr(1), b"\x60\x01").unwrap();
    for i in 0..50 {
        state.set_storage(addr(1), u(i), u(i * i + 1)).unwrap();
    }
    state.set_nonce(addr(2), 2).unwrap();
    state.finalize_transaction().unwrap();
    let root = state.persist().unwrap();

    let mut reopened = WorldState::open(state.into_store(), root);
    assert_eq!(reopened.balance(addr(1)).unwrap(), u(77));
    assert_eq!(&*reopened.code(addr(1)).unwrap(), b"\x60\x01");
    assert_eq!(reopened.storage(addr(1), u(7)).unwrap(), u(50));
    assert_eq!(reopened.code_hash(addr(9)).unwrap(), None);
    assert_eq!(reopened.code_hash(addr(2)).unwrap(), Some(KECCAK_EMPTY));

    // Account proof against the state root.
    let proof = reopened.prove_account(addr(1)).unwrap();
    let value = verify_proof(&root, &addr(1).trie_key().0, &proof)
        .unwrap()
        .unwrap();
    let account: Account = decode_exact(&value).unwrap();
    assert_eq!(account.balance, u(77));
    // Absence of another.
    let proof = reopened.prove_account(addr(9)).unwrap();
    assert_eq!(
        verify_proof(&root, &addr(9).trie_key().0, &proof).unwrap(),
        None
    );
    // Storage proof against the account's storage root.
    let proof = reopened.prove_storage(addr(1), u(7)).unwrap();
    let slot = keccak256(u(7).to_be_bytes::<32>());
    let value = verify_proof(&account.storage_root, &slot.0, &proof)
        .unwrap()
        .unwrap();
    assert_eq!(decode_exact::<U256>(&value).unwrap(), u(50));

    // An edit after reopening reads its path from the store.
    reopened.set_storage(addr(1), u(7), U256::ZERO).unwrap();
    reopened.finalize_transaction().unwrap();
    let new_root = reopened.state_root().unwrap();
    assert_ne!(new_root, root);
    reopened.set_storage(addr(1), u(7), u(50)).unwrap();
    reopened.finalize_transaction().unwrap();
    assert_eq!(reopened.state_root().unwrap(), root);
}

#[derive(Clone, Debug)]
enum Op {
    Balance(u8, u64),
    Nonce(u8, u64),
    Storage(u8, u8, u64),
    Code(u8, Vec<u8>),
    EndTransaction,
    Root,
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0u8..6;
    prop_oneof![
        (who.clone(), 0u64..1000).prop_map(|(a, v)| Op::Balance(a, v)),
        (who.clone(), 0u64..5).prop_map(|(a, v)| Op::Nonce(a, v)),
        (who.clone(), 0u8..8, 0u64..4).prop_map(|(a, k, v)| Op::Storage(a, k, v)),
        (who, prop::collection::vec(any::<u8>(), 0..40)).prop_map(|(a, c)| Op::Code(a, c)),
        Just(Op::EndTransaction),
        Just(Op::Root),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The incremental state root equals the root rebuilt from scratch.
    #[test]
    fn incremental_root_matches_model(ops in prop::collection::vec(op(), 0..60)) {
        let mut state = new_state();
        let mut model: BTreeMap<Address, ModelAccount> = BTreeMap::new();
        for op in &ops {
            match op {
                Op::Balance(a, v) => {
                    state.set_balance(addr(*a), u(*v)).unwrap();
                    model.entry(addr(*a)).or_default().balance = u(*v);
                }
                Op::Nonce(a, n) => {
                    state.set_nonce(addr(*a), *n).unwrap();
                    model.entry(addr(*a)).or_default().nonce = *n;
                }
                Op::Storage(a, k, v) => {
                    state.set_storage(addr(*a), u(u64::from(*k)), u(*v)).unwrap();
                    model.entry(addr(*a)).or_default().storage.insert(u(u64::from(*k)), u(*v));
                }
                Op::Code(a, c) => {
                    state.set_code(addr(*a), c).unwrap();
                    model.entry(addr(*a)).or_default().code = c.clone();
                }
                Op::EndTransaction => state.finalize_transaction().unwrap(),
                Op::Root => {
                    prop_assert_eq!(state.state_root().unwrap(), model_root(&model));
                }
            }
        }
        prop_assert_eq!(state.state_root().unwrap(), model_root(&model));
    }

    /// Whatever a reverted frame did, the state is as before it.
    #[test]
    fn revert_restores_everything(
        before in prop::collection::vec(op(), 0..30),
        inside in prop::collection::vec(op(), 0..30),
    ) {
        let mut state = new_state();
        let apply = |state: &mut WorldState, ops: &[Op]| {
            for op in ops {
                match op {
                    Op::Balance(a, v) => state.set_balance(addr(*a), u(*v)).unwrap(),
                    Op::Nonce(a, n) => state.set_nonce(addr(*a), *n).unwrap(),
                    Op::Storage(a, k, v) => state.set_storage(addr(*a), u(u64::from(*k)), u(*v)).unwrap(),
                    Op::Code(a, c) => state.set_code(addr(*a), c).unwrap(),
                    Op::EndTransaction | Op::Root => {}
                }
            }
        };
        apply(&mut state, &before);
        state.finalize_transaction().unwrap();
        let root = state.state_root().unwrap();
        let cp = state.checkpoint();
        apply(&mut state, &inside);
        state.create_account(addr(0)).unwrap();
        state.set_transient_storage(addr(1), u(1), u(1));
        state.revert(cp).unwrap();
        state.finalize_transaction().unwrap();
        prop_assert_eq!(state.state_root().unwrap(), root);
    }
}
