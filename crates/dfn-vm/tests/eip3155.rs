//! The EIP-3155 trace of a whole transaction: one JSON line per step,
//! then the summary line with the post-state root, output and gas used.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, B256, U256};
use dfn_vm::tracer::{JsonTracer, Summary};
use dfn_vm::{BlockEnv, Executor, Spec, StateHost, Transaction, TxType};
use serde_json::Value;

#[test]
fn trace_ends_with_summary_line() {
    let (sender, contract) = (Address([0xa1; 20]), Address([0xc0; 20]));
    let mut state = WorldState::new(MemoryStore::new());
    state
        .set_balance(sender, U256::from(10u64).pow(U256::from(18)))
        .unwrap();
    // PUSH1 0xbe, PUSH0, MSTORE8, PUSH1 1, PUSH0, SSTORE, PUSH1 1, PUSH0, RETURN:
    // stores a slot (so the root changes) and returns the byte 0xbe.
    let code = [
        0x60, 0xbe, 0x5f, 0x53, 0x60, 0x01, 0x5f, 0x55, 0x60, 0x01, 0x5f, 0xf3,
    ];
    state.set_code(contract, &code).unwrap();
    state.finalize_transaction().unwrap();
    let tx = Transaction {
        tx_type: TxType::Eip1559,
        sender,
        to: Some(contract),
        nonce: 0,
        gas_limit: 100_000,
        max_fee_per_gas: U256::from(10),
        max_priority_fee_per_gas: U256::from(1),
        value: U256::ZERO,
        data: vec![],
        access_list: vec![],
        blob_versioned_hashes: vec![],
        max_fee_per_blob_gas: U256::ZERO,
    };
    let spec = Spec::CANCUN;
    let mut tracer = JsonTracer::default();
    let receipt = Executor::new(spec.clone())
        .transact_traced(
            &mut StateHost::new(&mut state, |_| B256::ZERO),
            &BlockEnv::default(),
            &tx,
            &mut tracer,
        )
        .unwrap();
    assert!(receipt.success());
    let root = state.state_root().unwrap();
    tracer.summary(&Summary {
        state_root: root,
        output: &receipt.output,
        gas_used: receipt.gas_used,
        pass: receipt.success(),
        fork: Some(spec.name),
        time_ns: None,
    });

    let lines: Vec<Value> = tracer
        .output
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Nine opcodes, then the summary.
    assert_eq!(lines.len(), 10);
    assert_eq!(lines[8]["opName"], "RETURN");
    let summary = &lines[9];
    assert_eq!(summary["stateRoot"].as_str().unwrap(), format!("{root:?}"));
    assert_eq!(summary["output"], "0xbe");
    assert_eq!(
        summary["gasUsed"].as_str().unwrap(),
        format!("{:#x}", receipt.gas_used)
    );
    // 21000 + 3 + 2 + 3 (MSTORE8) + 3 (memory) + 3 + 2 + 22100 (cold SSTORE set) + 3 + 2 + 0 (RETURN)
    assert_eq!(receipt.gas_used, 43_121);
    assert_eq!(summary["pass"], true);
    assert_eq!(summary["fork"], "Cancun");
    assert!(summary.get("time").is_none());
    assert!(summary.get("pc").is_none());
}
