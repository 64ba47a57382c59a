//! Trie roots against the peers a user would otherwise pick, in one run:
//! `alloy-trie` (the sorted-input `HashBuilder` reth uses) and `eth_trie`
//! (an editable trie over a node database).
//!
//! - `trie::root_from_scratch/keys=1000000`: 1,000,000 random 32-byte keys
//!   and values, inserted into an empty trie, then the root. `alloy-trie`
//!   needs its input sorted: the sort is part of its time.
//! - `trie::incremental_root/changed=1000`: in a trie of those 1,000,000
//!   keys whose root is known, give 1,000 random keys new values and take
//!   the root again. `alloy-trie` has no editable trie: a user keeps the
//!   sorted map and rebuilds.
//!
//! `dfn-state` builds from scratch with `insert_batch` (sorts, then builds
//! the arena directly); `-insert-each` calls `insert` per key; `-commit`
//! also writes every new node to a `MemoryStore`, as `eth_trie`'s
//! `root_hash` always does to its `MemoryDB`. Incremental changes use
//! `insert` per key.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion, SamplingMode, criterion_group, criterion_main};
use dfn_state::trie::{MemoryStore, NoStore, Trie};
use eth_trie::{EthTrie, MemoryDB, Trie as _};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

const KEYS: usize = 1_000_000;
const CHANGED: usize = 1_000;

type Pair = ([u8; 32], [u8; 32]);

fn random_pairs(rng: &mut ChaCha8Rng, n: usize) -> Vec<Pair> {
    (0..n)
        .map(|_| {
            let (mut k, mut v) = ([0u8; 32], [0u8; 32]);
            rng.fill_bytes(&mut k);
            rng.fill_bytes(&mut v);
            (k, v)
        })
        .collect()
}

fn alloy_root(mut pairs: Vec<Pair>) -> [u8; 32] {
    pairs.sort_unstable_by_key(|p| p.0);
    let mut hb = alloy_trie::HashBuilder::default();
    for (k, v) in &pairs {
        hb.add_leaf(alloy_trie::Nibbles::unpack(k), v);
    }
    hb.root().0
}

fn alloy_root_sorted(map: &BTreeMap<[u8; 32], [u8; 32]>) -> [u8; 32] {
    let mut hb = alloy_trie::HashBuilder::default();
    for (k, v) in map {
        hb.add_leaf(alloy_trie::Nibbles::unpack(k), v);
    }
    hb.root().0
}

fn root_from_scratch(c: &mut Criterion) {
    let pairs = random_pairs(&mut ChaCha8Rng::seed_from_u64(1), KEYS);
    // All three agree before anything is timed.
    let mut ours = Trie::new(NoStore);
    pairs.iter().for_each(|(k, v)| ours.insert(k, v).unwrap());
    let expected = ours.root().0;
    drop(ours);
    assert_eq!(alloy_root(pairs.clone()), expected);

    let mut group = c.benchmark_group("trie::root_from_scratch");
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(100));
    group.bench_function("dfn-state/keys=1000000", |b| {
        b.iter(|| {
            let mut trie = Trie::new(NoStore);
            trie.insert_batch(&pairs).unwrap();
            black_box(trie.root())
        });
    });
    group.bench_function("dfn-state-insert-each/keys=1000000", |b| {
        b.iter(|| {
            let mut trie = Trie::new(NoStore);
            for (k, v) in &pairs {
                trie.insert(k, v).unwrap();
            }
            black_box(trie.root())
        });
    });
    group.bench_function("dfn-state-commit/keys=1000000", |b| {
        b.iter(|| {
            let mut trie = Trie::new(MemoryStore::new());
            trie.insert_batch(&pairs).unwrap();
            black_box(trie.commit())
        });
    });
    group.bench_function("alloy-trie/keys=1000000", |b| {
        b.iter_batched(|| pairs.clone(), alloy_root, BatchSize::PerIteration);
    });
    group.bench_function("eth_trie/keys=1000000", |b| {
        b.iter(|| {
            let mut trie = EthTrie::new(Arc::new(MemoryDB::new(true)));
            for (k, v) in &pairs {
                trie.insert(k, v).unwrap();
            }
            let root = trie.root_hash().unwrap();
            assert_eq!(root.0, expected);
            black_box(root)
        });
    });
    group.finish();
}

fn incremental_root(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let pairs = random_pairs(&mut rng, KEYS);
    // Each batch: 1,000 existing keys picked at random, with new values.
    let mut next_batch = {
        let keys: Vec<[u8; 32]> = pairs.iter().map(|p| p.0).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        move || -> Vec<Pair> {
            (0..CHANGED)
                .map(|_| {
                    let i = (rng.next_u64() % KEYS as u64) as usize;
                    let mut v = [0u8; 32];
                    rng.fill_bytes(&mut v);
                    (keys[i], v)
                })
                .collect()
        }
    };

    let mut ours = Trie::new(NoStore);
    pairs.iter().for_each(|(k, v)| ours.insert(k, v).unwrap());
    ours.root();
    let mut ours_commit = Trie::new(MemoryStore::new());
    pairs
        .iter()
        .for_each(|(k, v)| ours_commit.insert(k, v).unwrap());
    ours_commit.commit();
    let mut eth = EthTrie::new(Arc::new(MemoryDB::new(true)));
    pairs.iter().for_each(|(k, v)| eth.insert(k, v).unwrap());
    eth.root_hash().unwrap();
    let mut sorted: BTreeMap<[u8; 32], [u8; 32]> = pairs.iter().copied().collect();
    drop(pairs);

    // The same first batch gives the same root everywhere.
    let batch = next_batch();
    for (k, v) in &batch {
        ours.insert(k, v).unwrap();
        ours_commit.insert(k, v).unwrap();
        eth.insert(k, v).unwrap();
        sorted.insert(*k, *v);
    }
    let expected = ours.root().0;
    assert_eq!(ours_commit.commit().0, expected);
    assert_eq!(eth.root_hash().unwrap().0, expected);
    assert_eq!(alloy_root_sorted(&sorted), expected);

    let mut group = c.benchmark_group("trie::incremental_root");
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    group.bench_function("dfn-state/changed=1000", |b| {
        b.iter_batched(
            &mut next_batch,
            |batch| {
                for (k, v) in &batch {
                    ours.insert(k, v).unwrap();
                }
                black_box(ours.root())
            },
            BatchSize::PerIteration,
        );
    });
    group.bench_function("dfn-state-commit/changed=1000", |b| {
        b.iter_batched(
            &mut next_batch,
            |batch| {
                for (k, v) in &batch {
                    ours_commit.insert(k, v).unwrap();
                }
                black_box(ours_commit.commit())
            },
            BatchSize::PerIteration,
        );
    });
    group.bench_function("eth_trie/changed=1000", |b| {
        b.iter_batched(
            &mut next_batch,
            |batch| {
                for (k, v) in &batch {
                    eth.insert(k, v).unwrap();
                }
                black_box(eth.root_hash().unwrap())
            },
            BatchSize::PerIteration,
        );
    });
    group.warm_up_time(Duration::from_millis(100));
    group.bench_function("alloy-trie/changed=1000", |b| {
        b.iter_batched(
            &mut next_batch,
            |batch| {
                for (k, v) in batch {
                    sorted.insert(k, v);
                }
                black_box(alloy_root_sorted(&sorted))
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

criterion_group!(benches, root_from_scratch, incremental_root);
criterion_main!(benches);
