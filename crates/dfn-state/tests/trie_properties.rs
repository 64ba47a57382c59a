//! Algebraic facts about the trie, checked on random inputs against a
//! naive reference built straight from the Yellow Paper's definition.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use dfn_state::rlp::{Encode, Value};
use dfn_state::trie::{MemoryStore, ProofError, SecureTrie, Trie, verify_proof};
use dfn_state::{B256, keccak256};
use proptest::prelude::*;

type Map = BTreeMap<Vec<u8>, Vec<u8>>;

fn nibbles(key: &[u8]) -> Vec<u8> {
    key.iter().flat_map(|b| [b >> 4, b & 0xf]).collect()
}

fn hex_prefix(path: &[u8], leaf: bool) -> Vec<u8> {
    let flag = if leaf { 2 } else { 0 };
    let mut out = Vec::new();
    let rest = if path.len() % 2 == 1 {
        out.push(((flag + 1) << 4) | path[0]);
        &path[1..]
    } else {
        out.push(flag << 4);
        path
    };
    out.extend(rest.chunks(2).map(|p| (p[0] << 4) | p[1]));
    out
}

/// A child as its parent holds it: embedded below 32 bytes, else by hash.
fn reference(encoding: Vec<u8>) -> Value {
    if encoding.len() < 32 {
        // Embedded: splice the raw encoding back in as a decoded value.
        Value::decode(&encoding).unwrap()
    } else {
        Value::Bytes(keccak256(&encoding).0.to_vec())
    }
}

/// Encoding of the node holding `items` (nibble keys sharing `depth` nibbles).
fn reference_node(items: &[(Vec<u8>, Vec<u8>)], depth: usize) -> Vec<u8> {
    if let [(key, value)] = items {
        return Value::List(vec![
            Value::Bytes(hex_prefix(&key[depth..], true)),
            Value::Bytes(value.clone()),
        ])
        .to_rlp();
    }
    let shortest = items.iter().map(|(k, _)| k.len()).min().unwrap();
    let first = &items[0].0;
    let common = (depth..shortest)
        .take_while(|&i| items.iter().all(|(k, _)| k[i] == first[i]))
        .count();
    if common > 0 {
        let child = reference_node(items, depth + common);
        return Value::List(vec![
            Value::Bytes(hex_prefix(&first[depth..depth + common], false)),
            reference(child),
        ])
        .to_rlp();
    }
    let mut slots: Vec<Value> = (0..16u8)
        .map(|n| {
            let group: Vec<_> = items
                .iter()
                .filter(|(k, _)| k.len() > depth && k[depth] == n)
                .cloned()
                .collect();
            if group.is_empty() {
                Value::Bytes(vec![])
            } else {
                reference(reference_node(&group, depth + 1))
            }
        })
        .collect();
    let value = items
        .iter()
        .find(|(k, _)| k.len() == depth)
        .map_or(vec![], |(_, v)| v.clone());
    slots.push(Value::Bytes(value));
    Value::List(slots).to_rlp()
}

#[test]
fn reference_matches_a_published_root() {
    let map: Map = [
        ("doe", "reindeer"),
        ("dog", "puppy"),
        ("dogglesworth", "cat"),
    ]
    .iter()
    .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
    .collect();
    assert_eq!(
        reference_root(&map).to_string(),
        "0x8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3"
    );
}

#[test]
fn large_batch_matches_single_inserts() {
    // Enough keys for many scatter buckets, with duplicates and deletions.
    let mut seed = 1u64;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        seed
    };
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = (0..20_000)
        .map(|i| {
            let k = (next() % 15_000).to_be_bytes()[4..].to_vec();
            let v = if i % 50 == 0 {
                vec![]
            } else {
                next().to_le_bytes().to_vec()
            };
            (k, v)
        })
        .collect();
    let mut batched = Trie::new(MemoryStore::new());
    batched.insert_batch(&pairs).unwrap();
    let mut single = Trie::new(MemoryStore::new());
    for (k, v) in &pairs {
        single.insert(k, v).unwrap();
    }
    assert_eq!(batched.root(), single.root());
}

fn reference_root(map: &Map) -> B256 {
    if map.is_empty() {
        return keccak256([0x80]);
    }
    let items: Vec<_> = map.iter().map(|(k, v)| (nibbles(k), v.clone())).collect();
    keccak256(reference_node(&items, 0))
}

/// Keys from a small alphabet and of varied lengths, so that prefixes,
/// shared paths, branch values and embedded nodes all occur.
fn key() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(vec![0x00u8, 0x01, 0x10, 0x11, 0xab, 0xff]),
        0..5,
    )
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 1..4),
        prop::collection::vec(any::<u8>(), 30..40),
    ]
}

#[derive(Clone, Debug)]
enum Op {
    Insert(Vec<u8>, Vec<u8>),
    Remove(Vec<u8>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (key(), value()).prop_map(|(k, v)| Op::Insert(k, v)),
        2 => key().prop_map(Op::Remove),
    ]
}

fn build(map: &Map) -> Trie {
    let mut trie = Trie::new(MemoryStore::new());
    for (k, v) in map {
        trie.insert(k, v).unwrap();
    }
    trie
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn root_matches_reference_and_ignores_order(
        pairs in prop::collection::vec((key(), value()), 0..40),
        seed in any::<u64>(),
    ) {
        let map: Map = pairs.iter().cloned().collect();
        let expected = reference_root(&map);
        prop_assert_eq!(build(&map).root(), expected);
        // Insert the final pairs in a scrambled order.
        let mut order: Vec<_> = map.iter().collect();
        let n = order.len().max(1);
        for i in 0..order.len() {
            let j = (seed as usize).wrapping_mul(i + 7) % n;
            order.swap(i, j);
        }
        let mut trie = Trie::new(MemoryStore::new());
        for (k, v) in order {
            trie.insert(k, v).unwrap();
        }
        prop_assert_eq!(trie.root(), expected);
    }

    #[test]
    fn random_edits_match_reference(ops in prop::collection::vec(op(), 0..80)) {
        let mut trie = Trie::new(MemoryStore::new());
        let mut model = Map::new();
        for (i, op) in ops.iter().enumerate() {
            match op {
                Op::Insert(k, v) => {
                    trie.insert(k, v).unwrap();
                    model.insert(k.clone(), v.clone());
                }
                Op::Remove(k) => {
                    prop_assert_eq!(trie.remove(k).unwrap(), model.remove(k).is_some());
                }
            }
            // Roots taken part-way exercise the incremental path.
            if i % 7 == 0 {
                prop_assert_eq!(trie.root(), reference_root(&model));
            }
        }
        prop_assert_eq!(trie.root(), reference_root(&model));
        for (k, v) in &model {
            prop_assert_eq!(trie.get(k).unwrap(), Some(v.as_slice()));
        }
    }

    #[test]
    fn remove_gives_the_root_without_the_key(
        pairs in prop::collection::vec((key(), value()), 1..40),
        pick in any::<prop::sample::Index>(),
    ) {
        let map: Map = pairs.into_iter().collect();
        let victim = map.keys().nth(pick.index(map.len())).unwrap().clone();
        let mut trie = build(&map);
        trie.root();
        prop_assert!(trie.remove(&victim).unwrap());
        let mut without = map.clone();
        without.remove(&victim);
        prop_assert_eq!(trie.root(), build(&without).root());
        prop_assert!(!trie.remove(&victim).unwrap());
    }

    #[test]
    fn proofs_prove_presence_and_absence(
        pairs in prop::collection::vec((key(), value()), 0..40),
        probes in prop::collection::vec(key(), 0..20),
    ) {
        let map: Map = pairs.into_iter().collect();
        let mut trie = build(&map);
        let root = trie.root();
        for k in map.keys().chain(probes.iter()) {
            let proof = trie.prove(k).unwrap();
            prop_assert_eq!(verify_proof(&root, k, &proof).unwrap(), map.get(k).cloned());
        }
    }

    #[test]
    fn tampered_proofs_fail(
        pairs in prop::collection::vec((key(), value()), 1..40),
        probe in key(),
        node_pick in any::<prop::sample::Index>(),
        byte_pick in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let map: Map = pairs.into_iter().collect();
        let mut trie = build(&map);
        let root = trie.root();
        let proof = trie.prove(&probe).unwrap();
        prop_assume!(!proof.is_empty());
        // A changed byte anywhere.
        let mut bad = proof.clone();
        let node = node_pick.index(bad.len());
        let byte = byte_pick.index(bad[node].len());
        bad[node][byte] ^= flip;
        prop_assert!(verify_proof(&root, &probe, &bad).is_err());
        // A node missing at the end.
        let mut short = proof.clone();
        short.pop();
        let verdict = verify_proof(&root, &probe, &short);
        prop_assert!(verdict.is_err(), "truncated proof accepted: {:?}", verdict);
        // A node too many.
        let mut long = proof.clone();
        long.push(proof[0].clone());
        let verdict = verify_proof(&root, &probe, &long);
        prop_assert!(
            matches!(verdict, Err(ProofError::UnusedNodes { count: 1 })),
            "{:?}",
            verdict
        );
        // The right proof against another root.
        let mut other = root;
        other.0[0] ^= 1;
        prop_assert!(verify_proof(&other, &probe, &proof).is_err());
    }

    #[test]
    fn reopened_trie_edits_like_the_original(
        pairs in prop::collection::vec((key(), value()), 0..40),
        ops in prop::collection::vec(op(), 0..40),
    ) {
        let mut model: Map = pairs.into_iter().collect();
        let mut trie = build(&model);
        let root = trie.commit();
        // Every edit below reads its path from the store.
        let mut reopened = Trie::open(trie.into_store(), root);
        for op in &ops {
            match op {
                Op::Insert(k, v) => {
                    reopened.insert(k, v).unwrap();
                    model.insert(k.clone(), v.clone());
                }
                Op::Remove(k) => {
                    prop_assert_eq!(reopened.remove(k).unwrap(), model.remove(k).is_some());
                }
            }
        }
        prop_assert_eq!(reopened.root(), reference_root(&model));
        let root = reopened.commit();
        let mut again = Trie::open(reopened.into_store(), root);
        for (k, v) in &model {
            prop_assert_eq!(again.get(k).unwrap(), Some(v.as_slice()));
        }
        // next/prev agree with the model's order.
        for probe in model.keys().take(5) {
            let next = model.range::<Vec<u8>, _>((std::ops::Bound::Excluded(probe), std::ops::Bound::Unbounded)).next().map(|(k, _)| k.clone());
            prop_assert_eq!(again.next_key(probe).unwrap(), next);
            let prev = model.range::<Vec<u8>, _>(..probe).next_back().map(|(k, _)| k.clone());
            prop_assert_eq!(again.prev_key(probe).unwrap(), prev);
        }
    }

    #[test]
    fn insert_batch_equals_inserting_in_order(
        first in prop::collection::vec((key(), prop_oneof![value(), Just(vec![])]), 0..60),
        second in prop::collection::vec((key(), prop_oneof![value(), Just(vec![])]), 0..60),
    ) {
        // Into an empty trie (the bulk build), then into a non-empty one.
        let mut batched = Trie::new(MemoryStore::new());
        let mut single = Trie::new(MemoryStore::new());
        let mut model = Map::new();
        for pairs in [&first, &second] {
            batched.insert_batch(pairs).unwrap();
            for (k, v) in pairs.iter() {
                single.insert(k, v).unwrap();
                if v.is_empty() { model.remove(k); } else { model.insert(k.clone(), v.clone()); }
            }
            let expected = reference_root(&model);
            prop_assert_eq!(batched.root(), expected);
            prop_assert_eq!(single.root(), expected);
        }
        for (k, v) in &model {
            prop_assert_eq!(batched.get(k).unwrap(), Some(v.as_slice()));
        }
    }

    #[test]
    fn secure_trie_is_the_plain_trie_of_hashed_keys(
        pairs in prop::collection::vec((prop::collection::vec(any::<u8>(), 0..40), value()), 0..30),
    ) {
        let mut secure = SecureTrie::new(MemoryStore::new());
        let mut hashed = Map::new();
        for (k, v) in &pairs {
            secure.insert(k, v).unwrap();
            hashed.insert(keccak256(k).0.to_vec(), v.clone());
        }
        let root = secure.root();
        prop_assert_eq!(root, reference_root(&hashed));
        for (k, _) in &pairs {
            let proof = secure.prove(k).unwrap();
            let got = SecureTrie::<MemoryStore>::verify_proof(&root, k, &proof).unwrap();
            prop_assert_eq!(got, hashed.get(keccak256(k).0.as_slice()).cloned());
        }
    }
}
