//! dfn-vm against revm on the same bytecode in the same criterion run:
//! the programs of `../shared/vectors/evm-benchmarks/benchmarks/main`
//! (snailtracer, sha1, blake2b, weierstrudel, ...) and an ERC-20 style
//! transfer loop. Both EVMs run Cancun rules; every case first checks
//! that both use the same gas.
//!
//! Times are the benchmark thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`),
//! not wall time: on the shared two-core machine other processes keep
//! the load average near 10, and wall time then counts their turns on
//! the CPU, differently for each side. Single-threaded code on an idle
//! machine gets the same figures either way.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, B256, U256, keccak256};
use dfn_vm::{BlockEnv, Executor, Spec, StateHost, Transaction, TxType};
use revm::context::{BlockEnv as RBlock, TxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address as RAddress, Bytes, TxKind, U256 as RU256};
use revm::state::{AccountInfo as RAccount, Bytecode};
use revm::{Context, ExecuteEvm, MainBuilder, MainContext};
use serde_json::Value;

/// One account of a pre-state.
struct PreAccount {
    address: [u8; 20],
    balance: U256,
    nonce: u64,
    code: Vec<u8>,
    storage: Vec<(U256, U256)>,
}

/// A benchmark case: pre-state and one transaction.
struct Case {
    name: String,
    pre: Vec<PreAccount>,
    sender: [u8; 20],
    to: [u8; 20],
    data: Vec<u8>,
    gas_limit: u64,
}

const GAS_PRICE: u64 = 1;

fn hex_bytes(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap().trim_start_matches("0x")).unwrap()
}

fn u256(v: &Value) -> U256 {
    let s = v.as_str().unwrap().trim_start_matches("0x");
    if s.is_empty() {
        U256::ZERO
    } else {
        U256::from_str_radix(s, 16).unwrap()
    }
}

fn addr(s: &str) -> [u8; 20] {
    hex::decode(s.trim_start_matches("0x"))
        .unwrap()
        .try_into()
        .unwrap()
}

fn vector_cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vectors/evm-benchmarks/benchmarks/main");
    assert!(
        dir.is_dir(),
        "benchmark vectors not found at {}",
        dir.display()
    );
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let json: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for (name, unit) in json.as_object().unwrap() {
            let pre: Vec<PreAccount> = unit["pre"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(a, acct)| PreAccount {
                    address: addr(a),
                    balance: u256(&acct["balance"]),
                    nonce: u64::try_from(u256(&acct["nonce"])).unwrap(),
                    code: hex_bytes(&acct["code"]),
                    storage: acct["storage"]
                        .as_object()
                        .unwrap()
                        .iter()
                        .map(|(k, v)| (u256(&Value::String(k.clone())), u256(v)))
                        .collect(),
                })
                .collect();
            let t = &unit["transaction"];
            for (i, post) in unit["post"]["London"]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
            {
                let d = post["indexes"]["data"].as_u64().unwrap() as usize;
                cases.push(Case {
                    name: format!("{name}/{i}"),
                    pre: pre
                        .iter()
                        .map(|p| PreAccount {
                            address: p.address,
                            balance: p.balance,
                            nonce: p.nonce,
                            code: p.code.clone(),
                            storage: p.storage.clone(),
                        })
                        .collect(),
                    sender: addr(t["sender"].as_str().unwrap()),
                    to: addr(t["to"].as_str().unwrap()),
                    data: hex_bytes(&t["data"][d]),
                    gas_limit: u64::try_from(u256(&t["gasLimit"][0])).unwrap(),
                });
            }
        }
    }
    cases
}

/// A tiny two-pass assembler: opcodes, pushes and labels.
enum Item {
    Op(u8),
    Push(Vec<u8>),
    Label(&'static str),
    PushLabel(&'static str),
}

fn assemble(items: &[Item]) -> Vec<u8> {
    let mut labels = std::collections::BTreeMap::new();
    let mut pc = 0usize;
    for item in items {
        match item {
            Item::Op(_) => pc += 1,
            Item::Push(b) => pc += 1 + b.len(),
            Item::Label(l) => {
                labels.insert(*l, pc);
                pc += 1;
            }
            Item::PushLabel(_) => pc += 3,
        }
    }
    let mut code = Vec::new();
    for item in items {
        match item {
            Item::Op(o) => code.push(*o),
            Item::Push(b) => {
                code.push(0x5f + u8::try_from(b.len()).unwrap());
                code.extend_from_slice(b);
            }
            Item::Label(_) => code.push(0x5b),
            Item::PushLabel(l) => {
                code.push(0x61);
                code.extend_from_slice(&u16::try_from(labels[l]).unwrap().to_be_bytes());
            }
        }
    }
    code
}

/// An ERC-20 style token: `n` transfers of 1 unit from the caller to
/// fresh recipients, each checking and updating two `balances[address]`
/// slots (`keccak(address ‖ 0)`) and emitting `Transfer(from, to, 1)`.
fn erc20_case(transfers: u64) -> Case {
    use Item::{Label, Op, Push, PushLabel};
    let topic = keccak256(b"Transfer(address,address,uint256)").0.to_vec();
    let code = assemble(&[
        Push(vec![0]),
        Op(0x35), // CALLDATALOAD: n
        Push(vec![0]),
        Label("loop"),
        Op(0x81), // DUP2 n
        Op(0x81), // DUP2 i
        Op(0x10), // LT
        Op(0x15), // ISZERO
        PushLabel("end"),
        Op(0x57),
        Op(0x33), // CALLER
        Push(vec![0]),
        Op(0x52),
        Push(vec![0]),
        Push(vec![32]),
        Op(0x52),
        Push(vec![64]),
        Push(vec![0]),
        Op(0x20), // from slot
        Op(0x80),
        Op(0x54), // balance
        Push(vec![1]),
        Op(0x81),
        Op(0x10), // balance < 1
        PushLabel("fail"),
        Op(0x57),
        Push(vec![1]),
        Op(0x90),
        Op(0x03), // balance - 1
        Op(0x90),
        Op(0x55),
        Op(0x80),
        Push(vec![0x10, 0x00]),
        Op(0x01), // to = i + 0x1000
        Op(0x80),
        Push(vec![0]),
        Op(0x52),
        Push(vec![64]),
        Push(vec![0]),
        Op(0x20), // to slot
        Op(0x80),
        Op(0x54),
        Push(vec![1]),
        Op(0x01),
        Op(0x90),
        Op(0x55),
        Push(vec![1]),
        Push(vec![0]),
        Op(0x52),
        Op(0x33),
        Push(topic),
        Push(vec![32]),
        Push(vec![0]),
        Op(0xa3), // LOG3
        Push(vec![1]),
        Op(0x01),
        PushLabel("loop"),
        Op(0x56),
        Label("end"),
        Op(0x00),
        Label("fail"),
        Push(vec![0]),
        Op(0x80),
        Op(0xfd),
    ]);
    let sender = [0xa1; 20];
    let token = [0x70; 20];
    let mut key = [0u8; 64];
    key[12..32].copy_from_slice(&sender);
    let slot = U256::from_be_bytes(keccak256(key).0);
    Case {
        name: format!("erc20_transfer/n={transfers}"),
        pre: vec![
            PreAccount {
                address: sender,
                balance: U256::from(10u64).pow(U256::from(24)),
                nonce: 0,
                code: vec![],
                storage: vec![],
            },
            PreAccount {
                address: token,
                balance: U256::ZERO,
                nonce: 1,
                code,
                storage: vec![(slot, U256::from(1_000_000_000u64))],
            },
        ],
        sender,
        to: token,
        data: U256::from(transfers).to_be_bytes::<32>().to_vec(),
        gas_limit: 30_000_000,
    }
}

fn dfn_state(case: &Case) -> WorldState {
    let mut state = WorldState::new(MemoryStore::new());
    for p in &case.pre {
        let a = Address(p.address);
        state.set_balance(a, p.balance).unwrap();
        state.set_nonce(a, p.nonce).unwrap();
        if !p.code.is_empty() {
            state.set_code(a, &p.code).unwrap();
        }
        for (k, v) in &p.storage {
            state.set_storage(a, *k, *v).unwrap();
        }
    }
    state.finalize_transaction().unwrap();
    // revm's `CacheDB` remembers every account a transaction read, the
    // absent coinbase included, from the first (warm-up) run on; read it
    // here too, so that both sides start with the same accounts in memory.
    state.account(dfn_block().coinbase).unwrap();
    state
}

fn dfn_tx(case: &Case) -> Transaction {
    Transaction {
        tx_type: TxType::Legacy,
        sender: Address(case.sender),
        to: Some(Address(case.to)),
        nonce: 0,
        gas_limit: case.gas_limit,
        max_fee_per_gas: U256::from(GAS_PRICE),
        max_priority_fee_per_gas: U256::from(GAS_PRICE),
        value: U256::ZERO,
        data: case.data.clone(),
        access_list: vec![],
        blob_versioned_hashes: vec![],
        max_fee_per_blob_gas: U256::ZERO,
    }
}

fn dfn_block() -> BlockEnv {
    BlockEnv {
        gas_limit: u64::MAX / 2,
        base_fee: U256::from(GAS_PRICE),
        ..BlockEnv::default()
    }
}

fn revm_u256(x: U256) -> RU256 {
    RU256::from_be_bytes(x.to_be_bytes::<32>())
}

fn revm_db(case: &Case) -> CacheDB<EmptyDB> {
    let mut db = CacheDB::<EmptyDB>::default();
    for p in &case.pre {
        let a = RAddress::from(p.address);
        let code = Bytecode::new_raw(Bytes::from(p.code.clone()));
        db.insert_account_info(
            a,
            RAccount {
                balance: revm_u256(p.balance),
                nonce: p.nonce,
                code_hash: code.hash_slow(),
                code: Some(code),
                ..RAccount::default()
            },
        );
        for (k, v) in &p.storage {
            db.insert_account_storage(a, revm_u256(*k), revm_u256(*v))
                .unwrap();
        }
    }
    db
}

fn revm_tx(case: &Case) -> TxEnv {
    TxEnv::builder()
        .caller(RAddress::from(case.sender))
        .kind(TxKind::Call(RAddress::from(case.to)))
        .data(Bytes::from(case.data.clone()))
        .gas_limit(case.gas_limit)
        .gas_price(u128::from(GAS_PRICE))
        .nonce(0)
        .build_fill()
}

/// The calling thread's CPU time as a criterion measurement.
struct ThreadCpu;

fn thread_cpu_now() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

impl Measurement for ThreadCpu {
    type Intermediate = Duration;
    type Value = Duration;
    fn start(&self) -> Duration {
        thread_cpu_now()
    }
    fn end(&self, start: Duration) -> Duration {
        thread_cpu_now().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &Nanoseconds
    }
}

/// Formats nanoseconds as ns, µs, ms or s.
struct Nanoseconds;

impl ValueFormatter for Nanoseconds {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (div, unit) = match typical {
            t if t < 1e3 => (1.0, "ns"),
            t if t < 1e6 => (1e3, "µs"),
            t if t < 1e9 => (1e6, "ms"),
            _ => (1e9, "s"),
        };
        values.iter_mut().for_each(|v| *v /= div);
        unit
    }
    fn scale_throughputs(&self, _: f64, _: &Throughput, values: &mut [f64]) -> &'static str {
        // No throughput is declared; keep the raw figure.
        values.iter_mut().for_each(|v| *v = 1e9 / *v);
        "iter/s"
    }
    fn scale_for_machines(&self, _: &mut [f64]) -> &'static str {
        "ns"
    }
}

fn bench(c: &mut Criterion<ThreadCpu>) {
    let mut cases = vector_cases();
    cases.push(erc20_case(100));
    let filter = std::env::var("DFN_BENCH").unwrap_or_default();
    for case in cases.iter().filter(|c| c.name.contains(&filter)) {
        let tx = dfn_tx(case);
        let block = dfn_block();
        let mut executor = Executor::new(Spec::CANCUN);
        let rblock = RBlock {
            gas_limit: u64::MAX / 2,
            basefee: GAS_PRICE,
            ..RBlock::default()
        };
        let mut evm = Context::mainnet()
            .modify_cfg_chained(|cfg| cfg.set_spec_and_mainnet_gas_params(SpecId::CANCUN))
            .with_block(rblock)
            .with_db(revm_db(case))
            .build_mainnet();
        let rtx = revm_tx(case);

        // Same work on both sides: same gas, same success.
        let mut state = dfn_state(case);
        let receipt = executor
            .transact(&mut StateHost::new(&mut state, |_| B256::ZERO), &block, &tx)
            .unwrap();
        let reference = evm.transact(rtx.clone()).unwrap().result;
        assert_eq!(receipt.gas_used, reference.tx_gas_used(), "{}", case.name);
        assert_eq!(receipt.success(), reference.is_success(), "{}", case.name);

        let mut group = c.benchmark_group(format!("evm::{}", case.name));
        group.sample_size(if receipt.gas_used > 50_000_000 {
            10
        } else {
            30
        });
        group.bench_function("dfn", |b| {
            b.iter_batched(
                || dfn_state(case),
                // State and receipt are returned, so dropped outside the timing.
                |mut state| {
                    let receipt = executor
                        .transact(&mut StateHost::new(&mut state, |_| B256::ZERO), &block, &tx)
                        .unwrap();
                    (state, receipt)
                },
                // Batches of 16 fresh states: revm runs on one database
                // that stays in the CPU caches, and batches of hundreds
                // (`SmallInput`) would leave each of dfn's states built
                // long before its turn, out of the caches; 16 keep them
                // in, with the clock read once per 16 transactions.
                BatchSize::NumIterations(16),
            );
        });
        group.bench_function("revm", |b| {
            b.iter(|| evm.transact(rtx.clone()).unwrap());
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = bench
}
criterion_main!(benches);
