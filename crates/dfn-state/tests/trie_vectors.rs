//! ethereum/tests `TrieTests`: roots of plain and secure tries built in
//! order (with deletions) and in any order, hex-encoded secure tries, and
//! next/previous key queries.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{read_json, unhex};
use dfn_state::rlp::{Encode, decode_exact};
use dfn_state::trie::{MemoryStore, SecureTrie, Trie, verify_proof};
use dfn_state::{Account, B256};
use serde_json::Value;

/// A key or value as the vectors write it: `0x…` is hex, anything else is
/// the UTF-8 bytes of the string, `null` is "delete".
fn bytes_of(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::Null => None,
        Value::String(s) if s.starts_with("0x") => Some(unhex(s)),
        Value::String(s) => Some(s.as_bytes().to_vec()),
        other => panic!("unexpected vector value {other}"),
    }
}

fn root_of(case: &Value) -> B256 {
    B256::from_slice(&unhex(case["root"].as_str().expect("root"))).expect("32-byte root")
}

/// The (key, value) pairs of a case, whether written as a list of pairs
/// (applied in order) or an object (any order).
fn ops(case: &Value) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    match &case["in"] {
        Value::Array(pairs) => pairs
            .iter()
            .map(|p| (bytes_of(&p[0]).expect("key"), bytes_of(&p[1])))
            .collect(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                let key = bytes_of(&Value::String(k.clone())).expect("key");
                (key, bytes_of(v))
            })
            .collect(),
        other => panic!("unexpected `in` {other}"),
    }
}

/// Builds the trie of a case, checks the root, then checks that a proof
/// of every key touched verifies against it with the final value.
fn run_file(file: &str, secure: bool, hex_keys: bool) -> usize {
    let cases = read_json(&format!("ethereum-tests/TrieTests/{file}"));
    let cases = cases.as_object().expect("object of cases");
    assert!(!cases.is_empty(), "{file} has no cases");
    for (name, case) in cases {
        let mut ops = ops(case);
        if hex_keys {
            // hex_encoded_securetrie_test: addresses to RLP accounts, each
            // of which must decode and re-encode to the same bytes.
            assert_eq!(case["hexEncoded"], Value::Bool(true));
            for (_, v) in &ops {
                let bytes = v.as_deref().expect("value");
                let account: Account = decode_exact(bytes).expect("an account");
                assert_eq!(account.to_rlp(), bytes, "{file}/{name}");
            }
        }
        let expected = root_of(case);
        let mut model = std::collections::BTreeMap::new();
        for (k, v) in &ops {
            match v {
                Some(v) if !v.is_empty() => model.insert(k.clone(), v.clone()),
                _ => model.remove(k),
            };
        }
        if secure {
            let mut trie = SecureTrie::new(MemoryStore::new());
            for (k, v) in &ops {
                trie.insert(k, v.as_deref().unwrap_or_default()).unwrap();
            }
            assert_eq!(trie.root(), expected, "{file}/{name}");
            for (k, _) in &ops {
                let proof = trie.prove(k).unwrap();
                let got = SecureTrie::<MemoryStore>::verify_proof(&expected, k, &proof).unwrap();
                assert_eq!(got.as_ref(), model.get(k), "{file}/{name}: proof of {k:?}");
            }
        } else {
            let mut trie = Trie::new(MemoryStore::new());
            for (k, v) in &ops {
                trie.insert(k, v.as_deref().unwrap_or_default()).unwrap();
            }
            assert_eq!(trie.root(), expected, "{file}/{name}");
            for (k, _) in &ops {
                let proof = trie.prove(k).unwrap();
                let got = verify_proof(&expected, k, &proof).unwrap();
                assert_eq!(got.as_ref(), model.get(k), "{file}/{name}: proof of {k:?}");
            }
            // The same root from a store: commit, reopen, read back.
            let root = trie.commit();
            let mut reopened = Trie::open(trie.into_store(), root);
            for (k, v) in &model {
                assert_eq!(
                    reopened.get(k).unwrap(),
                    Some(v.as_slice()),
                    "{file}/{name}"
                );
            }
        }
        // Any-order files: every rotation of the insertion order agrees.
        if case["in"].is_object() {
            for shift in 1..ops.len() {
                ops.rotate_left(1);
                let root = if secure {
                    let mut t = SecureTrie::new(MemoryStore::new());
                    ops.iter()
                        .for_each(|(k, v)| t.insert(k, v.as_deref().unwrap_or_default()).unwrap());
                    t.root()
                } else {
                    let mut t = Trie::new(MemoryStore::new());
                    ops.iter()
                        .for_each(|(k, v)| t.insert(k, v.as_deref().unwrap_or_default()).unwrap());
                    t.root()
                };
                assert_eq!(root, expected, "{file}/{name} rotated by {shift}");
            }
        }
    }
    cases.len()
}

#[test]
fn trietest() {
    assert_eq!(run_file("trietest.json", false, false), 5);
}

#[test]
fn trietest_secure() {
    assert_eq!(run_file("trietest_secureTrie.json", true, false), 3);
}

#[test]
fn trieanyorder() {
    assert_eq!(run_file("trieanyorder.json", false, false), 7);
}

#[test]
fn trieanyorder_secure() {
    assert_eq!(run_file("trieanyorder_secureTrie.json", true, false), 7);
}

#[test]
fn hex_encoded_securetrie() {
    assert_eq!(run_file("hex_encoded_securetrie_test.json", true, true), 3);
}

#[test]
fn trietestnextprev() {
    let cases = read_json("ethereum-tests/TrieTests/trietestnextprev.json");
    let cases = cases.as_object().expect("object of cases");
    let mut checked = 0;
    for (name, case) in cases {
        let mut trie = Trie::new(MemoryStore::new());
        for key in case["in"].as_array().expect("keys") {
            let key = key.as_str().expect("key").as_bytes();
            trie.insert(key, key).unwrap();
        }
        for test in case["tests"].as_array().expect("tests") {
            let at = test[0].as_str().unwrap().as_bytes();
            let prev = test[1].as_str().unwrap().as_bytes();
            let next = test[2].as_str().unwrap().as_bytes();
            let want = |s: &[u8]| (!s.is_empty()).then(|| s.to_vec());
            assert_eq!(
                trie.prev_key(at).unwrap(),
                want(prev),
                "{name}: prev of {at:?}"
            );
            assert_eq!(
                trie.next_key(at).unwrap(),
                want(next),
                "{name}: next of {at:?}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 12);
}
