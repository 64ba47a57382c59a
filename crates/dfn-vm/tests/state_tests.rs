//! Runs the Ethereum `GeneralStateTests` (fork key `Cancun`) from
//! `../shared/vectors` and compares post-state roots and logs hashes.
//!
//! By default every directory runs except those listed in `SLOW_DIRS`;
//! `DFN_STATE_TESTS=all` runs them too. `DFN_STATE_TESTS=<substring>`
//! runs only the files whose path contains it (handy when debugging).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{collect, vectors_dir};
use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, B256, U256, keccak256};
use dfn_vm::{
    AccessListItem, BlockEnv, Executor, Spec, StateHost, Transaction, TxType, VmError, logs_hash,
};
use serde_json::Value;

/// Files not run, each with its reason. Empty: every vector of the
/// Cancun set runs (the EIP-7610 storage-collision files that revm's
/// runner skips pass here).
const SKIP: &[(&str, &str)] = &[];

/// Directories run only with `DFN_STATE_TESTS=all` (minutes in a debug build).
const SLOW_DIRS: &[&str] = &["stTimeConsuming", "VMTests/vmPerformance"];

fn hex_bytes(v: &Value) -> Vec<u8> {
    let s = v.as_str().unwrap_or("");
    hex::decode(s.trim_start_matches("0x")).unwrap()
}

fn u256(v: &Value) -> Option<U256> {
    let s = v.as_str()?.trim_start_matches("0x");
    if s.is_empty() {
        return Some(U256::ZERO);
    }
    U256::from_str_radix(s, 16).ok()
}

fn u64_sat(v: &Value) -> u64 {
    u256(v).map_or(u64::MAX, |x| u64::try_from(x).unwrap_or(u64::MAX))
}

fn address(v: &Value) -> Address {
    Address::from_slice(&hex_bytes(v)).unwrap()
}

fn b256(v: &Value) -> B256 {
    let bytes = hex_bytes(v);
    let mut out = [0u8; 32];
    out[32 - bytes.len()..].copy_from_slice(&bytes);
    B256(out)
}

fn pre_state(pre: &Value) -> WorldState {
    let mut state = WorldState::new(MemoryStore::new());
    for (addr, acct) in pre.as_object().unwrap() {
        let a = address(&Value::String(addr.clone()));
        state
            .set_balance(a, u256(&acct["balance"]).unwrap())
            .unwrap();
        state.set_nonce(a, u64_sat(&acct["nonce"])).unwrap();
        let code = hex_bytes(&acct["code"]);
        if !code.is_empty() {
            state.set_code(a, &code).unwrap();
        }
        for (k, v) in acct["storage"].as_object().unwrap() {
            let value = u256(v).unwrap();
            if !value.is_zero() {
                let key = u256(&Value::String(k.clone())).unwrap();
                state.set_storage(a, key, value).unwrap();
            }
        }
    }
    state.finalize_transaction().unwrap();
    state
}

fn block_env(env: &Value) -> BlockEnv {
    BlockEnv {
        number: u64_sat(&env["currentNumber"]),
        coinbase: address(&env["currentCoinbase"]),
        timestamp: u64_sat(&env["currentTimestamp"]),
        gas_limit: u64_sat(&env["currentGasLimit"]),
        base_fee: u256(&env["currentBaseFee"]).unwrap_or(U256::ZERO),
        prevrandao: env.get("currentRandom").map_or(B256::ZERO, b256),
        chain_id: 1,
        excess_blob_gas: env.get("currentExcessBlobGas").map_or(0, u64_sat),
    }
}

fn transaction(t: &Value, indexes: &Value) -> Option<Transaction> {
    let d = indexes["data"].as_u64()? as usize;
    let g = indexes["gas"].as_u64()? as usize;
    let v = indexes["value"].as_u64()? as usize;
    let access_list = t
        .get("accessLists")
        .and_then(|l| l.get(d))
        .filter(|l| !l.is_null());
    let blob_hashes: Vec<B256> = t
        .get("blobVersionedHashes")
        .and_then(Value::as_array)
        .map(|hs| hs.iter().map(b256).collect())
        .unwrap_or_default();
    let tx_type = if t.get("blobVersionedHashes").is_some() {
        TxType::Blob
    } else if t.get("maxFeePerGas").is_some() {
        TxType::Eip1559
    } else if access_list.is_some() {
        TxType::AccessList
    } else {
        TxType::Legacy
    };
    let (max_fee, priority) = match t.get("gasPrice") {
        Some(p) => (u256(p)?, u256(p)?),
        None => (u256(&t["maxFeePerGas"])?, u256(&t["maxPriorityFeePerGas"])?),
    };
    let to = t["to"]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(|_| address(&t["to"]));
    Some(Transaction {
        tx_type,
        sender: address(&t["sender"]),
        to,
        nonce: u64_sat(&t["nonce"]),
        gas_limit: u64_sat(&t["gasLimit"][g]),
        max_fee_per_gas: max_fee,
        max_priority_fee_per_gas: priority,
        value: u256(&t["value"][v])?,
        data: hex_bytes(&t["data"][d]),
        access_list: access_list
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|i| AccessListItem {
                        address: address(&i["address"]),
                        storage_keys: i["storageKeys"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|k| u256(k).unwrap())
                            .collect(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        blob_versioned_hashes: blob_hashes,
        max_fee_per_blob_gas: t
            .get("maxFeePerBlobGas")
            .and_then(u256)
            .unwrap_or(U256::ZERO),
    })
}

/// Runs one vector; `Err` says what differed.
fn run_vector(unit: &Value, post: &Value) -> Result<(), String> {
    let block = block_env(&unit["env"]);
    let expect_exception = post.get("expectException").is_some();
    let Some(tx) = transaction(&unit["transaction"], &post["indexes"]) else {
        return if expect_exception {
            Ok(())
        } else {
            Err("transaction not representable".into())
        };
    };
    let mut state = pre_state(&unit["pre"]);
    let mut executor = Executor::new(Spec::CANCUN);
    let mut host = StateHost::new(&mut state, |n| keccak256(n.to_string().as_bytes()));
    let result = executor.transact(&mut host, &block, &tx);
    match (result, expect_exception) {
        (Err(VmError::Invalid(_)), true) => Ok(()),
        (Err(e), _) => Err(format!("error {e}")),
        (Ok(_), true) => Err(format!(
            "expected exception {} but the transaction was valid",
            post["expectException"]
        )),
        (Ok(receipt), false) => {
            let root = state.state_root().map_err(|e| e.to_string())?;
            let logs = logs_hash(&receipt.logs);
            let want_root = b256(&post["hash"]);
            let want_logs = b256(&post["logs"]);
            if root != want_root {
                Err(format!(
                    "state root {root} != {want_root} (status {:?}, gas used {})",
                    receipt.status, receipt.gas_used
                ))
            } else if logs != want_logs {
                Err(format!("logs hash {logs} != {want_logs}"))
            } else {
                Ok(())
            }
        }
    }
}

#[derive(Default, Clone, Copy)]
struct Counts {
    pass: usize,
    fail: usize,
}

#[test]
fn general_state_tests_cancun() {
    let root = vectors_dir();
    let mut files = Vec::new();
    collect(&root, &mut files);
    let selector = std::env::var("DFN_STATE_TESTS").unwrap_or_default();
    let all = selector == "all";
    let files: Vec<PathBuf> = files
        .into_iter()
        .filter(|f| {
            let rel = f.strip_prefix(&root).unwrap().to_string_lossy().to_string();
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            if SKIP.iter().any(|(s, _)| *s == name) {
                return false;
            }
            if !selector.is_empty() && !all {
                return rel.contains(&selector);
            }
            all || !SLOW_DIRS.iter().any(|d| rel.starts_with(d))
        })
        .collect();
    assert!(!files.is_empty(), "no state test files selected");

    let next = AtomicUsize::new(0);
    let counts: Mutex<BTreeMap<String, Counts>> = Mutex::new(BTreeMap::new());
    let failures: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    let rel = file.strip_prefix(&root).unwrap();
                    let mut comps = rel.components().map(|c| c.as_os_str().to_string_lossy());
                    let first = comps.next().unwrap_or_default().to_string();
                    let dir = if matches!(
                        first.as_str(),
                        "Pyspecs" | "Cancun" | "Shanghai" | "VMTests"
                    ) {
                        format!("{first}/{}", comps.next().unwrap_or_default())
                    } else {
                        first
                    };
                    let text = std::fs::read_to_string(file).unwrap();
                    let json: Value = serde_json::from_str(&text).unwrap();
                    let mut local = Counts::default();
                    for (name, unit) in json.as_object().unwrap() {
                        let Some(posts) = unit["post"].get("Cancun").and_then(Value::as_array)
                        else {
                            continue;
                        };
                        for (k, post) in posts.iter().enumerate() {
                            match run_vector(unit, post) {
                                Ok(()) => local.pass += 1,
                                Err(why) => {
                                    local.fail += 1;
                                    failures
                                        .lock()
                                        .unwrap()
                                        .push(format!("{} {name}[{k}]: {why}", rel.display()));
                                }
                            }
                        }
                    }
                    let mut c = counts.lock().unwrap();
                    let e = c.entry(dir).or_default();
                    e.pass += local.pass;
                    e.fail += local.fail;
                }
            });
        }
    });
    let counts = counts.into_inner().unwrap();
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    let (mut pass, mut fail) = (0, 0);
    for (dir, c) in &counts {
        println!("{dir:45} {:6} passed {:5} failed", c.pass, c.fail);
        pass += c.pass;
        fail += c.fail;
    }
    println!("state tests: {pass} passed, {fail} failed");
    for f in &failures {
        println!("FAIL {f}");
    }
    assert_eq!(fail, 0, "{fail} state test vectors failed");
}
