//! Suspend and resume: a host that answers "pending" to the first read of
//! every account, code and slot gives the same receipt and state root as
//! one that answers at once, and no opcode runs twice.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::sync::Arc;

use dfn_state::state::{AccountInfo, Checkpoint, StateError, WorldState};
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, B256, U256, keccak256};
use dfn_vm::tracer::{Step, Tracer};
use dfn_vm::{BlockEnv, Executor, Host, Spec, StateHost, Transaction, TxType, VmError};

const SENDER: Address = Address([0xa1; 20]);
const CONTRACT: Address = Address([0xc0; 20]);
const OTHER: Address = Address([0xd0; 20]);

#[derive(Debug)]
enum Error {
    Pending,
    State(#[allow(dead_code, reason = "shown by Debug when a test fails")] StateError),
}

/// What was read; the first read of each is answered "pending".
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Account(Address),
    Code(Address),
    Slot(Address, U256),
    Block(u64),
}

/// A [`StateHost`] that pretends every datum comes from far away.
struct RemoteHost<'a> {
    inner: StateHost<'a, MemoryStore, fn(u64) -> B256>,
    fetched: BTreeSet<Key>,
    suspensions: usize,
}

impl RemoteHost<'_> {
    fn fetch(&mut self, key: Key) -> Result<(), Error> {
        if self.fetched.insert(key) {
            self.suspensions += 1;
            Err(Error::Pending)
        } else {
            Ok(())
        }
    }
}

fn hash(n: u64) -> B256 {
    keccak256(n.to_be_bytes())
}

impl Host for RemoteHost<'_> {
    type Error = Error;
    fn is_pending(e: &Error) -> bool {
        matches!(e, Error::Pending)
    }
    fn account(&mut self, a: Address) -> Result<Option<AccountInfo>, Error> {
        self.fetch(Key::Account(a))?;
        self.inner.account(a).map_err(Error::State)
    }
    fn code(&mut self, a: Address) -> Result<Arc<[u8]>, Error> {
        self.fetch(Key::Code(a))?;
        self.inner.code(a).map_err(Error::State)
    }
    fn storage(&mut self, a: Address, k: U256) -> Result<U256, Error> {
        self.fetch(Key::Slot(a, k))?;
        self.inner.storage(a, k).map_err(Error::State)
    }
    fn has_storage(&mut self, a: Address) -> Result<bool, Error> {
        self.fetch(Key::Account(a))?;
        self.inner.has_storage(a).map_err(Error::State)
    }
    fn original_storage(&mut self, a: Address, k: U256) -> Result<U256, Error> {
        self.fetch(Key::Slot(a, k))?;
        self.inner.original_storage(a, k).map_err(Error::State)
    }
    fn set_storage(&mut self, a: Address, k: U256, v: U256) -> Result<(), Error> {
        self.inner.set_storage(a, k, v).map_err(Error::State)
    }
    fn transient_storage(&mut self, a: Address, k: U256) -> Result<U256, Error> {
        self.inner.transient_storage(a, k).map_err(Error::State)
    }
    fn set_transient_storage(&mut self, a: Address, k: U256, v: U256) -> Result<(), Error> {
        self.inner
            .set_transient_storage(a, k, v)
            .map_err(Error::State)
    }
    fn transfer(&mut self, from: Address, to: Address, v: U256) -> Result<(), Error> {
        self.inner.transfer(from, to, v).map_err(Error::State)
    }
    fn add_balance(&mut self, a: Address, v: U256) -> Result<(), Error> {
        self.inner.add_balance(a, v).map_err(Error::State)
    }
    fn sub_balance(&mut self, a: Address, v: U256) -> Result<(), Error> {
        self.inner.sub_balance(a, v).map_err(Error::State)
    }
    fn set_nonce(&mut self, a: Address, n: u64) -> Result<(), Error> {
        self.inner.set_nonce(a, n).map_err(Error::State)
    }
    fn set_code(&mut self, a: Address, c: &[u8]) -> Result<(), Error> {
        self.inner.set_code(a, c).map_err(Error::State)
    }
    fn create_account(&mut self, a: Address) -> Result<(), Error> {
        self.inner.create_account(a).map_err(Error::State)
    }
    fn is_created_in_transaction(&mut self, a: Address) -> Result<bool, Error> {
        self.inner
            .is_created_in_transaction(a)
            .map_err(Error::State)
    }
    fn selfdestruct(&mut self, a: Address) -> Result<(), Error> {
        self.inner.selfdestruct(a).map_err(Error::State)
    }
    fn touch(&mut self, a: Address) -> Result<(), Error> {
        self.inner.touch(a).map_err(Error::State)
    }
    fn checkpoint(&mut self) -> Checkpoint {
        self.inner.checkpoint()
    }
    fn commit(&mut self, c: Checkpoint) -> Result<(), Error> {
        self.inner.commit(c).map_err(Error::State)
    }
    fn revert(&mut self, c: Checkpoint) -> Result<(), Error> {
        self.inner.revert(c).map_err(Error::State)
    }
    fn block_hash(&mut self, n: u64) -> Result<B256, Error> {
        self.fetch(Key::Block(n))?;
        self.inner.block_hash(n).map_err(Error::State)
    }
    fn finalize_transaction(&mut self) -> Result<(), Error> {
        self.inner.finalize_transaction().map_err(Error::State)
    }
}

/// Counts opcodes executed.
#[derive(Default)]
struct Count(usize);

impl Tracer for Count {
    fn step(&mut self, _: &Step<'_>) {
        self.0 += 1;
    }
}

fn state() -> WorldState {
    // OTHER: SLOAD 0, SSTORE it + 1 at 1, EXTCODEHASH of CONTRACT, return.
    let other = [
        vec![0x5f, 0x54, 0x60, 1, 0x01, 0x60, 1, 0x55, 0x73],
        CONTRACT.0.to_vec(),
        vec![0x3f, 0x5f, 0x52, 0x60, 32, 0x5f, 0xf3],
    ]
    .concat();
    // CONTRACT: SLOAD 1, BALANCE OTHER, BLOCKHASH 99, SSTORE 2,
    // CALL OTHER with 1 wei, CREATE (initcode: SLOAD 0; STOP), LOG the results.
    let code = [
        vec![0x60, 1, 0x54, 0x73],
        OTHER.0.to_vec(),
        vec![0x31, 0x60, 99, 0x40, 0x01, 0x01, 0x60, 2, 0x55],
        vec![0x60, 32, 0x5f, 0x5f, 0x5f, 0x60, 1, 0x73],
        OTHER.0.to_vec(),
        vec![0x5a, 0xf1],
        vec![
            0x64, 0x5f, 0x54, 0x50, 0x00, 0x00, 0x5f, 0x52, 0x60, 5, 0x60, 27, 0x5f, 0xf0,
        ],
        vec![0x60, 32, 0x5f, 0xa2],
    ]
    .concat();
    let mut s = WorldState::new(MemoryStore::new());
    s.set_balance(SENDER, U256::from(10u64).pow(U256::from(18)))
        .unwrap();
    s.set_code(CONTRACT, &code).unwrap();
    s.set_balance(CONTRACT, U256::from(50)).unwrap();
    s.set_storage(CONTRACT, U256::from(1), U256::from(40))
        .unwrap();
    s.set_code(OTHER, &other).unwrap();
    s.set_storage(OTHER, U256::ZERO, U256::from(9)).unwrap();
    s.finalize_transaction().unwrap();
    s
}

fn tx() -> Transaction {
    Transaction {
        tx_type: TxType::Eip1559,
        sender: SENDER,
        to: Some(CONTRACT),
        nonce: 0,
        gas_limit: 500_000,
        max_fee_per_gas: U256::from(10),
        max_priority_fee_per_gas: U256::from(1),
        value: U256::ZERO,
        data: vec![],
        access_list: vec![],
        blob_versioned_hashes: vec![],
        max_fee_per_blob_gas: U256::ZERO,
    }
}

#[test]
fn suspended_execution_matches_direct_execution() {
    let block = BlockEnv {
        number: 100,
        ..BlockEnv::default()
    };
    let mut direct_state = state();
    let mut direct_count = Count::default();
    let direct = Executor::new(Spec::CANCUN)
        .transact_traced(
            &mut StateHost::new(&mut direct_state, hash),
            &block,
            &tx(),
            &mut direct_count,
        )
        .unwrap();
    assert!(direct.success(), "{:?}", direct.status);
    assert_eq!(direct.logs.len(), 1);

    let mut remote_state = state();
    let mut count = Count::default();
    let mut host = RemoteHost {
        inner: StateHost::new(&mut remote_state, hash as fn(u64) -> B256),
        fetched: BTreeSet::new(),
        suspensions: 0,
    };
    let mut executor = Executor::new(Spec::CANCUN);
    let transaction = tx();
    let mut execution = executor.start_traced(&block, &transaction, &mut count);
    let mut resumes = 0;
    let receipt = loop {
        if let Some(receipt) = execution.resume(&mut host).unwrap() {
            break receipt;
        }
        resumes += 1;
        assert!(resumes < 1_000, "no progress");
    };
    let suspensions = host.suspensions;
    drop(execution);
    assert!(suspensions >= 10, "only {suspensions} suspensions");
    assert_eq!(resumes, suspensions);
    assert_eq!(receipt, direct);
    // Only the suspended opcodes were traced again, each once per suspension.
    assert!(count.0 >= direct_count.0);
    assert!(count.0 <= direct_count.0 + suspensions);
    assert_eq!(
        remote_state.state_root().unwrap(),
        direct_state.state_root().unwrap()
    );
}

#[test]
fn transact_reports_a_pending_host() {
    let mut s = state();
    let mut host = RemoteHost {
        inner: StateHost::new(&mut s, hash as fn(u64) -> B256),
        fetched: BTreeSet::new(),
        suspensions: 0,
    };
    let result = Executor::new(Spec::CANCUN).transact(&mut host, &BlockEnv::default(), &tx());
    assert!(matches!(result, Err(VmError::Suspended)));
}
