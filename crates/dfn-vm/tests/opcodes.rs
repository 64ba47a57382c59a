//! Table-driven tests per opcode group: each runs a small program as the
//! called contract of a transaction and checks its result, its gas or
//! its effect on state.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, B256, KECCAK_EMPTY, U256, keccak256};
use dfn_vm::tracer::JsonTracer;
use dfn_vm::{
    BlockEnv, Executor, Halt, Receipt, Spec, StateHost, Status, Transaction, TxType,
    create_address, create2_address,
};

const SENDER: Address = Address([0xa1; 20]);
const CONTRACT: Address = Address([0xc0; 20]);
const OTHER: Address = Address([0xd0; 20]);
const COINBASE: Address = Address([0xcb; 20]);

/// Ends a program by returning the word on top of the stack.
const RETURN_TOP: [u8; 6] = [0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3];

fn block() -> BlockEnv {
    BlockEnv {
        number: 1000,
        coinbase: COINBASE,
        timestamp: 1_700_000_000,
        gas_limit: 30_000_000,
        base_fee: U256::from(7),
        prevrandao: B256([0x42; 32]),
        chain_id: 1,
        excess_blob_gas: 0,
    }
}

fn tx(data: Vec<u8>, value: u64) -> Transaction {
    Transaction {
        tx_type: TxType::Eip1559,
        sender: SENDER,
        to: Some(CONTRACT),
        nonce: 0,
        gas_limit: 1_000_000,
        max_fee_per_gas: U256::from(10),
        max_priority_fee_per_gas: U256::from(2),
        value: U256::from(value),
        data,
        access_list: vec![],
        blob_versioned_hashes: vec![],
        max_fee_per_blob_gas: U256::ZERO,
    }
}

fn state_with(code: &[u8], other: &[u8]) -> WorldState {
    let mut state = WorldState::new(MemoryStore::new());
    state
        .set_balance(SENDER, U256::from(10u64).pow(U256::from(18)))
        .unwrap();
    state.set_balance(CONTRACT, U256::from(1_000)).unwrap();
    state.set_nonce(CONTRACT, 1).unwrap();
    state.set_code(CONTRACT, code).unwrap();
    if !other.is_empty() {
        state.set_code(OTHER, other).unwrap();
    }
    state.finalize_transaction().unwrap();
    state
}

fn exec(code: &[u8], other: &[u8], data: Vec<u8>) -> (Receipt, WorldState) {
    let mut state = state_with(code, other);
    let receipt = Executor::new(Spec::CANCUN)
        .transact(
            &mut StateHost::new(&mut state, |n| keccak256(n.to_be_bytes())),
            &block(),
            &tx(data, 3),
        )
        .unwrap();
    (receipt, state)
}

/// Runs `program` followed by [`RETURN_TOP`] and returns the word.
fn eval(program: &[u8]) -> U256 {
    let code = [program, &RETURN_TOP].concat();
    let (receipt, _) = exec(&code, &[], vec![0xaa; 40]);
    assert!(receipt.success(), "{program:02x?}: {:?}", receipt.status);
    U256::from_be_slice(&receipt.output)
}

fn push32(x: U256) -> Vec<u8> {
    let mut v = vec![0x7f];
    v.extend_from_slice(&x.to_be_bytes::<32>());
    v
}

fn neg(x: u64) -> U256 {
    U256::from(x).wrapping_neg()
}

/// `b OP a` with `a` pushed first, so that `a` is the second operand.
fn binary(op: u8, a: U256, b: U256) -> U256 {
    eval(&[push32(a), push32(b), vec![op]].concat())
}

#[test]
fn arithmetic() {
    let n = U256::from;
    let cases = [
        (0x01, U256::MAX, n(2), n(1)),   // ADD wraps
        (0x02, n(1) << 255, n(2), n(0)), // MUL wraps
        (0x03, n(1), n(0), U256::MAX),   // SUB: 0 - 1
        (0x04, n(0), n(7), n(0)),        // DIV by zero
        (0x04, n(2), n(7), n(3)),
        (0x05, neg(1), neg(8), n(8)),     // SDIV -8 / -1
        (0x06, n(3), n(8), n(2)),         // MOD
        (0x07, n(3), neg(8), neg(2)),     // SMOD -8 % 3
        (0x0a, n(3), n(2), n(8)),         // EXP 2^3
        (0x0b, n(0xff), n(0), U256::MAX), // SIGNEXTEND byte 0 of 0xff
    ];
    for (op, a, b, want) in cases {
        assert_eq!(binary(op, a, b), want, "opcode {op:#x}");
    }
    // ADDMOD and MULMOD keep the full intermediate.
    let p = [push32(n(10)), push32(n(5)), push32(U256::MAX), vec![0x08]].concat();
    assert_eq!(eval(&p), U256::MAX.add_mod(n(5), n(10)));
    let p = [
        push32(n(7)),
        push32(U256::MAX),
        push32(U256::MAX),
        vec![0x09],
    ]
    .concat();
    assert_eq!(eval(&p), U256::MAX.mul_mod(U256::MAX, n(7)));
}

#[test]
fn comparison_and_bitwise() {
    let n = U256::from;
    let cases = [
        (0x10, n(2), n(1), n(1)),   // LT 1 < 2
        (0x11, n(2), n(1), n(0)),   // GT
        (0x12, n(1), neg(1), n(1)), // SLT -1 < 1
        (0x13, n(1), neg(1), n(0)), // SGT
        (0x14, n(5), n(5), n(1)),   // EQ
        (0x16, n(0b1100), n(0b1010), n(0b1000)),
        (0x17, n(0b1100), n(0b1010), n(0b1110)),
        (0x18, n(0b1100), n(0b1010), n(0b0110)),
        (0x1a, n(0xab) << 248, n(0), n(0xab)), // BYTE 0 is the most significant
        (0x1b, n(1), n(255), n(1) << 255),     // SHL
        (0x1c, n(1) << 255, n(255), n(1)),     // SHR
        (0x1d, neg(16), n(2), neg(4)),         // SAR
        (0x1d, neg(16), n(256), U256::MAX),
    ];
    for (op, a, b, want) in cases {
        assert_eq!(binary(op, a, b), want, "opcode {op:#x}");
    }
    assert_eq!(eval(&[0x5f, 0x15]), n(1)); // ISZERO 0
    assert_eq!(eval(&[0x5f, 0x19]), U256::MAX); // NOT 0
}

#[test]
fn keccak() {
    assert_eq!(
        eval(&[0x5f, 0x5f, 0x20]),
        U256::from_be_bytes(KECCAK_EMPTY.0)
    );
    // keccak of one zero word
    assert_eq!(
        eval(&[0x60, 0x20, 0x5f, 0x20]),
        U256::from_be_bytes(keccak256([0u8; 32]).0)
    );
}

#[test]
fn environment() {
    let word = |a: Address| U256::from_be_slice(&a.0);
    assert_eq!(eval(&[0x30]), word(CONTRACT));
    assert_eq!(eval(&[0x33]), word(SENDER));
    assert_eq!(eval(&[0x32]), word(SENDER));
    assert_eq!(eval(&[0x34]), U256::from(3));
    assert_eq!(eval(&[0x36]), U256::from(40));
    assert_eq!(
        eval(&[0x60, 30, 0x35]),
        U256::from_be_slice(&[0xaa; 10]) << 176
    );
    assert_eq!(eval(&[0x38]), U256::from(1 + RETURN_TOP.len()));
    // effective price min(10, 7 + 2)
    assert_eq!(eval(&[0x3a]), U256::from(9));
    assert_eq!(eval(&[0x47]), U256::from(1_003));
    let balance_of_sender = [vec![0x73], SENDER.0.to_vec(), vec![0x31]].concat();
    assert!(eval(&balance_of_sender) > U256::ZERO);
    let code_size_of_other = [vec![0x73], OTHER.0.to_vec(), vec![0x3b]].concat();
    assert_eq!(eval(&code_size_of_other), U256::ZERO);
    let hash_of_absent = [vec![0x73], OTHER.0.to_vec(), vec![0x3f]].concat();
    assert_eq!(eval(&hash_of_absent), U256::ZERO);
}

#[test]
fn block_info() {
    assert_eq!(eval(&[0x43]), U256::from(1000));
    assert_eq!(eval(&[0x42]), U256::from(1_700_000_000u64));
    assert_eq!(eval(&[0x46]), U256::from(1));
    assert_eq!(eval(&[0x48]), U256::from(7));
    assert_eq!(eval(&[0x41]), U256::from_be_slice(&COINBASE.0));
    assert_eq!(eval(&[0x44]), U256::from_be_bytes([0x42; 32]));
    assert_eq!(eval(&[0x45]), U256::from(30_000_000));
    assert_eq!(eval(&[0x4a]), U256::from(1));
    assert_eq!(eval(&[0x5f, 0x49]), U256::ZERO); // no blobs
    let hash = |n: u64| U256::from_be_bytes(keccak256(n.to_be_bytes()).0);
    assert_eq!(eval(&[0x61, 0x03, 0xe7, 0x40]), hash(999));
    assert_eq!(eval(&[0x61, 0x02, 0xe8, 0x40]), hash(744)); // 256 back
    assert_eq!(eval(&[0x61, 0x02, 0xe7, 0x40]), U256::ZERO); // 257 back
    assert_eq!(eval(&[0x61, 0x03, 0xe8, 0x40]), U256::ZERO); // current
}

#[test]
fn stack_memory_and_flow() {
    assert_eq!(eval(&[0x60, 1, 0x60, 2, 0x81]), U256::from(1)); // DUP2
    assert_eq!(eval(&[0x60, 1, 0x60, 2, 0x90]), U256::from(1)); // SWAP1
    assert_eq!(eval(&[0x60, 9, 0x60, 40, 0x53, 0x59]), U256::from(64)); // MSTORE8, MSIZE
    assert_eq!(eval(&[0x58]), U256::ZERO); // PC
    // PUSH32 past the end of the code reads zeros.
    let (r, _) = exec(&[0x7f, 0xff], &[], vec![]);
    assert!(r.success());
    // MCOPY 32 bytes from 0 to 32, then MLOAD 32.
    let p = [
        push32(U256::from(77)),
        vec![0x5f, 0x52, 0x60, 32, 0x5f, 0x60, 32, 0x5e, 0x60, 32, 0x51],
    ]
    .concat();
    assert_eq!(eval(&p), U256::from(77));
    // JUMPI over an INVALID to a JUMPDEST.
    assert_eq!(
        eval(&[0x60, 1, 0x60, 6, 0x57, 0xfe, 0x5b, 0x60, 5]),
        U256::from(5)
    );
    let halts = |code: &[u8], why: Halt| {
        let (r, _) = exec(code, &[], vec![]);
        assert_eq!(r.status, Status::Halt(why), "{code:02x?}");
        assert_eq!(r.gas_used, 1_000_000, "a halt consumes all gas");
    };
    halts(&[0x60, 4, 0x56, 0x60, 0x5b], Halt::InvalidJump); // into push data
    halts(&[0x60, 2, 0x56], Halt::InvalidJump);
    halts(&[0x01], Halt::StackUnderflow);
    halts(&[0xfe], Halt::InvalidOpcode(0xfe));
    halts(&[0x0c], Halt::InvalidOpcode(0x0c));
    halts(&[0x5f; 1025], Halt::StackOverflow);
    halts(&[0x63, 0xff, 0xff, 0xff, 0xff, 0x51], Halt::OutOfGas); // MLOAD at 4 GiB
}

#[test]
fn exact_gas() {
    // PUSH1 PUSH1 ADD POP STOP: 3 + 3 + 3 + 2
    let (r, _) = exec(&[0x60, 1, 0x60, 2, 0x01, 0x50, 0x00], &[], vec![]);
    assert_eq!(r.gas_used, 21_000 + 11);
    // MSTORE at 0: 3 + 3 + 3 + memory 3
    let (r, _) = exec(&[0x5f, 0x5f, 0x52], &[], vec![]);
    assert_eq!(r.gas_used, 21_000 + 2 + 2 + 3 + 3);
    // Calldata: 16 per non-zero byte, 4 per zero byte.
    let (r, _) = exec(&[0x00], &[], vec![0, 1]);
    assert_eq!(r.gas_used, 21_000 + 4 + 16);
    // BALANCE of a cold account, then warm.
    let p = [
        vec![0x73],
        OTHER.0.to_vec(),
        vec![0x31, 0x73],
        OTHER.0.to_vec(),
        vec![0x31],
    ]
    .concat();
    let (r, _) = exec(&p, &[], vec![]);
    assert_eq!(r.gas_used, 21_000 + 3 + 2_600 + 3 + 100);
}

#[test]
fn storage_and_refunds() {
    // SSTORE 5 at slot 0 (cold, 0 -> 5): 2100 + 20000
    let (r, mut s) = exec(&[0x60, 5, 0x5f, 0x55], &[], vec![]);
    assert_eq!(r.gas_used, 21_000 + 3 + 2 + 22_100);
    assert_eq!(s.storage(CONTRACT, U256::ZERO).unwrap(), U256::from(5));
    // Set then clear in one transaction: refund 19900, capped at used / 5.
    let (r, mut s) = exec(&[0x60, 5, 0x5f, 0x55, 0x5f, 0x5f, 0x55], &[], vec![]);
    let used = 21_000 + 3 + 2 + 22_100 + 2 + 2 + 100;
    assert_eq!(r.gas_refunded, (used / 5).min(19_900));
    assert_eq!(r.gas_used, used - r.gas_refunded);
    assert_eq!(s.storage(CONTRACT, U256::ZERO).unwrap(), U256::ZERO);
    // SLOAD cold then warm.
    let (r, _) = exec(&[0x5f, 0x54, 0x5f, 0x54], &[], vec![]);
    assert_eq!(r.gas_used, 21_000 + 2 + 2_100 + 2 + 100);
    // Transient storage: TSTORE then TLOAD, gone after the transaction.
    assert_eq!(
        eval(&[0x60, 9, 0x60, 1, 0x5d, 0x60, 1, 0x5c]),
        U256::from(9)
    );
}

#[test]
fn logs() {
    // LOG2 of memory [0, 32) with topics 1 and 2.
    let p = [
        0x60, 0xee, 0x5f, 0x52, 0x60, 2, 0x60, 1, 0x60, 32, 0x5f, 0xa2,
    ];
    let (r, _) = exec(&p, &[], vec![]);
    assert_eq!(r.logs.len(), 1);
    let log = &r.logs[0];
    assert_eq!(log.address, CONTRACT);
    assert_eq!(
        log.topics,
        vec![
            B256(U256::from(1).to_be_bytes()),
            B256(U256::from(2).to_be_bytes())
        ]
    );
    assert_eq!(log.data, U256::from(0xee).to_be_bytes::<32>().to_vec());
    // 375 + 2 * 375 + 8 * 32, plus memory, pushes
    assert_eq!(
        r.gas_used,
        21_000 + 3 + 2 + 3 + 3 + 3 + 3 + 3 + 2 + 375 * 3 + 256
    );
}

/// CALL OTHER with 1 wei, copy its 32-byte return value to memory 0.
fn call_other(op: u8) -> Vec<u8> {
    let mut p = vec![0x60, 32, 0x5f, 0x5f, 0x5f];
    if op == 0xf1 || op == 0xf2 {
        p.extend_from_slice(&[0x60, 1]);
    }
    p.push(0x73);
    p.extend_from_slice(&OTHER.0);
    p.extend_from_slice(&[0x5a, op]);
    p
}

#[test]
fn calls_and_return_data() {
    // OTHER returns CALLER.
    let other = [vec![0x33], RETURN_TOP.to_vec()].concat();
    let code = [
        call_other(0xf1),
        vec![0x50, 0x5f, 0x51],
        RETURN_TOP.to_vec(),
    ]
    .concat();
    let (r, mut s) = exec(&code, &other, vec![]);
    assert!(r.success());
    assert_eq!(
        U256::from_be_slice(&r.output),
        U256::from_be_slice(&CONTRACT.0)
    );
    assert_eq!(s.balance(OTHER).unwrap(), U256::from(1));
    // DELEGATECALL keeps the caller: OTHER sees SENDER.
    let code = [
        call_other(0xf4),
        vec![0x50, 0x5f, 0x51],
        RETURN_TOP.to_vec(),
    ]
    .concat();
    let (r, _) = exec(&code, &other, vec![]);
    assert_eq!(
        U256::from_be_slice(&r.output),
        U256::from_be_slice(&SENDER.0)
    );
    // A reverting callee: CALL pushes 0, RETURNDATASIZE is its output.
    let reverting = [0x60, 7, 0x5f, 0x52, 0x60, 32, 0x5f, 0xfd];
    let code = [call_other(0xf1), vec![0x3d], RETURN_TOP.to_vec()].concat();
    let (r, mut s) = exec(&code, &reverting, vec![]);
    assert_eq!(U256::from_be_slice(&r.output), U256::from(32));
    assert_eq!(
        s.balance(OTHER).unwrap(),
        U256::ZERO,
        "value returns on revert"
    );
    // STATICCALL to code that writes storage fails.
    let writer = [0x60, 1, 0x5f, 0x55];
    let code = [call_other(0xfa), RETURN_TOP.to_vec()].concat();
    let (r, _) = exec(&code, &writer, vec![]);
    assert_eq!(U256::from_be_slice(&r.output), U256::ZERO);
    // RETURNDATACOPY past the end halts.
    let (r, _) = exec(&[0x60, 1, 0x5f, 0x5f, 0x3e], &[], vec![]);
    assert_eq!(r.status, Status::Halt(Halt::ReturnDataOutOfBounds));
    // Identity precompile through CALL: 4 bytes echo back.
    let p = [
        vec![0x63, 1, 2, 3, 4, 0x5f, 0x52], // mem[28..32] = 01020304
        vec![0x60, 32, 0x60, 32, 0x60, 32, 0x5f, 0x5f], // ret 32..64, args 0..32, value 0
        vec![0x60, 4, 0x5a, 0xf1, 0x50, 0x60, 32, 0x51],
        RETURN_TOP.to_vec(),
    ]
    .concat();
    let (r, _) = exec(&p, &[], vec![]);
    assert_eq!(U256::from_be_slice(&r.output), U256::from(0x0102_0304));
}

#[test]
fn create_create2_and_selfdestruct() {
    // CREATE with empty initcode: the new address is pushed.
    let (r, mut s) = exec(
        &[0x5f, 0x5f, 0x5f, 0xf0, 0x5f, 0x52, 0x60, 32, 0x5f, 0xf3],
        &[],
        vec![],
    );
    let created = create_address(&CONTRACT, 1);
    assert_eq!(r.output[12..], created.0);
    assert_eq!(s.nonce(CONTRACT).unwrap(), 2);
    assert_eq!(s.nonce(created).unwrap(), 1);
    // CREATE2 with salt 5 and empty initcode.
    let (r, _) = exec(
        &[
            0x60, 5, 0x5f, 0x5f, 0x5f, 0xf5, 0x5f, 0x52, 0x60, 32, 0x5f, 0xf3,
        ],
        &[],
        vec![],
    );
    assert_eq!(
        r.output[12..],
        create2_address(&CONTRACT, U256::from(5), &KECCAK_EMPTY).0
    );
    // SELFDESTRUCT of a contract not created in this transaction moves
    // its balance (EIP-6780) but keeps it.
    let p = [vec![0x73], OTHER.0.to_vec(), vec![0xff]].concat();
    let (r, mut s) = exec(&p, &[], vec![]);
    assert!(r.success());
    assert_eq!(s.balance(OTHER).unwrap(), U256::from(1_003));
    assert_eq!(s.code(CONTRACT).unwrap().as_ref(), p.as_slice());
    // In a static context it halts.
    let code = [call_other(0xfa), RETURN_TOP.to_vec()].concat();
    let selfdestructing = [vec![0x73], SENDER.0.to_vec(), vec![0xff]].concat();
    let (r, _) = exec(&code, &selfdestructing, vec![]);
    assert_eq!(U256::from_be_slice(&r.output), U256::ZERO);
}

#[test]
fn invalid_transactions_change_nothing() {
    let mut state = state_with(&[0x00], &[]);
    let before = state.state_root().unwrap();
    let mut executor = Executor::new(Spec::CANCUN);
    let mut bad = tx(vec![], 0);
    bad.nonce = 5;
    let mut host = StateHost::new(&mut state, |_| B256::ZERO);
    assert!(executor.transact(&mut host, &block(), &bad).is_err());
    bad.nonce = 0;
    bad.gas_limit = 20_999;
    assert!(executor.transact(&mut host, &block(), &bad).is_err());
    bad.gas_limit = 100_000;
    bad.max_fee_per_gas = U256::from(6);
    assert!(executor.transact(&mut host, &block(), &bad).is_err());
    assert_eq!(state.state_root().unwrap(), before);
}

#[test]
fn eip3155_trace() {
    let mut state = state_with(&[0x60, 1, 0x60, 2, 0x01, 0x00], &[]);
    let mut tracer = JsonTracer::default();
    Executor::new(Spec::CANCUN)
        .transact_traced(
            &mut StateHost::new(&mut state, |_| B256::ZERO),
            &block(),
            &tx(vec![], 0),
            &mut tracer,
        )
        .unwrap();
    let lines: Vec<&str> = tracer.output.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[2].contains("\"opName\":\"ADD\""));
    assert!(lines[2].contains("\"stack\":[\"0x1\",\"0x2\"]"));
    assert!(lines[3].contains("\"stack\":[\"0x3\"]"));
}
