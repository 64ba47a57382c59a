//! Arbitrary bytecode executed by dfn-vm under Cancun rules, as a called
//! contract or as initcode, with a gas limit taken from the input: never
//! panics, and two runs give the same receipt and state root
//! (determinism).
#![no_main]

use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, B256, U256, keccak256};
use dfn_vm::{BlockEnv, Executor, Spec, StateHost, Transaction, TxType};
use libfuzzer_sys::fuzz_target;

const SENDER: Address = Address([0xa1; 20]);
const CONTRACT: Address = Address([0xc0; 20]);

/// Runs the input once; returns the outcome and the state root.
fn run(gas_limit: u64, create: bool, code: &[u8], calldata: &[u8]) -> (String, B256) {
    let mut state = WorldState::new(MemoryStore::new());
    state
        .set_balance(SENDER, U256::from(10u64).pow(U256::from(20)))
        .unwrap();
    state.set_balance(CONTRACT, U256::from(1_000)).unwrap();
    state.set_code(CONTRACT, code).unwrap();
    state
        .set_storage(CONTRACT, U256::from(1), U256::from(7))
        .unwrap();
    state.finalize_transaction().unwrap();
    let tx = Transaction {
        tx_type: TxType::Eip1559,
        sender: SENDER,
        to: (!create).then_some(CONTRACT),
        nonce: 0,
        gas_limit,
        max_fee_per_gas: U256::from(10),
        max_priority_fee_per_gas: U256::from(1),
        value: U256::from(5),
        data: if create {
            code.to_vec()
        } else {
            calldata.to_vec()
        },
        access_list: vec![],
        blob_versioned_hashes: vec![],
        max_fee_per_blob_gas: U256::ZERO,
    };
    let block = BlockEnv {
        number: 300,
        base_fee: U256::from(7),
        ..BlockEnv::default()
    };
    let mut executor = Executor::new(Spec::CANCUN);
    let mut host = StateHost::new(&mut state, |n| keccak256(n.to_be_bytes()));
    let outcome = format!("{:?}", executor.transact(&mut host, &block, &tx));
    (outcome, state.state_root().unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<4>() else {
        return;
    };
    // Up to about 2^22 gas: deep enough for nested calls and memory growth,
    // small enough to keep runs fast.
    let gas_limit = 21_000 + u64::from(u32::from_le_bytes(*head) >> 10);
    let create = head[0] & 1 == 1;
    let split = rest.len() * 3 / 4;
    let (code, calldata) = rest.split_at(split);
    let first = run(gas_limit, create, code, calldata);
    let second = run(gas_limit, create, code, calldata);
    assert_eq!(first, second, "execution is not deterministic");
});
