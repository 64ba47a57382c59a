//! A sharded EVM network in dfn-sim: 4 and 16 shards, 3 replicas each,
//! running ShardToken (examples/contracts) with cross-shard transfers,
//! through a crashed replica and a partition that heals.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod shard_net;

use std::collections::{BTreeMap, BTreeSet};

use dfn_sim::{Fault, NodeId, Restart, Simulation, Time};
use dfn_state::stream::StreamConfig;
use dfn_vm::shard::Status;

use shard_net::deploy::Deployment;
use shard_net::load::Load;
use shard_net::replica::{NetConfig, Replica};
use shard_net::{network, token_totals};

const REPLICAS: u32 = 3;

fn config(stop_height: u64, load: Load, streams: StreamConfig) -> NetConfig {
    NetConfig {
        replicas: REPLICAS,
        block_ms: 1_000,
        retry_ms: 300,
        history: 64,
        stop_height,
        streams,
        load,
    }
}

fn ids_of(shards: &[u32]) -> Vec<NodeId> {
    shards
        .iter()
        .flat_map(|s| (0..REPLICAS).map(move |r| NodeId(s * REPLICAS + r)))
        .collect()
}

/// Checks everything the run promises; returns the statuses replies carried.
fn check(
    sim: &mut Simulation<Replica>,
    dep: &Deployment,
    cfg: &NetConfig,
) -> BTreeMap<Status, usize> {
    let mut statuses = BTreeMap::new();
    for s in 0..dep.count() {
        let replicas: Vec<&Replica> = (0..REPLICAS)
            .map(|r| sim.node(NodeId(s * REPLICAS + r)).unwrap())
            .collect();
        // Every replica executed every height, with identical roots and
        // identical deliveries at each height.
        for r in &replicas {
            assert_eq!(r.records.len() as u64, cfg.stop_height, "shard {s}");
            assert_eq!(
                r.records, replicas[0].records,
                "shard {s}: replicas diverge"
            );
        }
        let records = &replicas[0].records;
        for (i, rec) in records.iter().enumerate() {
            assert_eq!(rec.height, i as u64 + 1);
            assert_eq!(rec.commitment.tower_height, rec.height);
        }
        // Every request sent here is answered exactly once.
        let emitted: Vec<u64> = records
            .iter()
            .flat_map(|r| r.emitted.iter().copied())
            .collect();
        let sent: BTreeSet<u64> = emitted.iter().copied().collect();
        assert_eq!(sent.len(), emitted.len(), "outbox ids are unique");
        let mut answered = BTreeSet::new();
        for (id, status) in records.iter().flat_map(|r| r.replies.iter()) {
            assert!(
                answered.insert(*id),
                "shard {s}: request {id} answered twice"
            );
            *statuses.entry(*status).or_default() += 1;
        }
        assert_eq!(answered, sent, "shard {s}: every request answered");
        assert_eq!(sim.node(NodeId(s * REPLICAS)).unwrap().node.waiting(), 0);
        // Each remote call ran once, and in its stream's order.
        let mut last: BTreeMap<u32, u64> = BTreeMap::new();
        for (src, call) in records.iter().flat_map(|r| r.calls.iter()) {
            if let Some(prev) = last.insert(*src, *call) {
                assert!(prev < *call, "shard {s}: stream from {src} out of order");
            }
        }
    }
    // Tokens are conserved: nothing in flight, balances sum to the supply,
    // at every replica.
    for r in 0..REPLICAS {
        let (balances, pending) = token_totals(sim, dep, REPLICAS, r);
        assert_eq!(pending, dfn_state::U256::ZERO);
        assert_eq!(balances, dep.supply());
    }
    statuses
}

fn height(sim: &Simulation<Replica>, id: NodeId) -> u64 {
    sim.node(id).unwrap().node.height()
}

fn committed_txs(sim: &Simulation<Replica>, shards: u32) -> usize {
    (0..shards)
        .map(|s| {
            let r = sim.node(NodeId(s * REPLICAS)).unwrap();
            r.records.iter().map(|x| x.txs).sum::<usize>()
        })
        .sum()
}

#[test]
fn four_shards_survive_a_crash_and_a_partition() {
    let dep = Deployment::new(4, 16);
    let load = Load {
        txs_per_block: 12,
        cross_permille: 300,
        load_heights: 12,
        faults: true,
        seed: 4,
    };
    // Small streams and queues, so back-pressure and full queues happen.
    let streams = StreamConfig {
        capacity: 3,
        inbox: 2,
        max_slice: 1_024,
    };
    let cfg = config(24, load, streams);
    let mut sim = network(&dep, cfg, 7);
    sim.schedule(Time::from_millis(3_500), Fault::Crash(NodeId(5)))
        .unwrap();
    sim.schedule(
        Time::from_millis(5_200),
        Fault::Partition(vec![ids_of(&[0, 1])]),
    )
    .unwrap();
    sim.schedule(Time::from_millis(7_300), Fault::Heal).unwrap();
    sim.schedule(
        Time::from_millis(9_500),
        Fault::Restart(NodeId(5), Restart::Resume),
    )
    .unwrap();
    // The partition stalls every shard (each needs every other's slices).
    sim.run_until(Time::from_millis(7_200));
    let stalled = height(&sim, NodeId(0));
    assert!(stalled <= 6, "height {stalled} during the partition");
    // The crashed replica is behind when it comes back, and catches up.
    sim.run_until(Time::from_millis(9_400));
    assert!(height(&sim, NodeId(5)) + 4 <= height(&sim, NodeId(3)));
    sim.run_until(Time::from_secs(120));
    let statuses = check(&mut sim, &dep, &cfg);
    eprintln!("4 shards, replies by status: {statuses:?}");
    for status in [
        Status::Ok,
        Status::Reverted,
        Status::Halted,
        Status::DestinationMissing,
        Status::StreamFull,
        Status::QueueFull,
    ] {
        assert!(
            statuses.contains_key(&status),
            "{status:?} never seen: {statuses:?}"
        );
    }
    assert_eq!(committed_txs(&sim, 4), 4 * 12 * 12);
}

#[test]
fn sixteen_shards_survive_a_crash_and_a_partition() {
    let dep = Deployment::new(16, 10);
    let load = Load {
        txs_per_block: 10,
        cross_permille: 300,
        load_heights: 8,
        faults: true,
        seed: 16,
    };
    let cfg = config(16, load, StreamConfig::default());
    let mut sim = network(&dep, cfg, 11);
    sim.schedule(Time::from_millis(2_500), Fault::Crash(NodeId(20)))
        .unwrap();
    let half: Vec<u32> = (0..8).collect();
    sim.schedule(
        Time::from_millis(4_200),
        Fault::Partition(vec![ids_of(&half)]),
    )
    .unwrap();
    sim.schedule(Time::from_millis(6_100), Fault::Heal).unwrap();
    sim.schedule(
        Time::from_millis(7_500),
        Fault::Restart(NodeId(20), Restart::Resume),
    )
    .unwrap();
    sim.run_until(Time::from_millis(7_400));
    assert!(height(&sim, NodeId(20)) + 4 <= height(&sim, NodeId(18)));
    sim.run_until(Time::from_secs(120));
    let statuses = check(&mut sim, &dep, &cfg);
    eprintln!("16 shards, replies by status: {statuses:?}");
    assert!(statuses[&Status::Ok] > 100, "{statuses:?}");
    assert_eq!(committed_txs(&sim, 16), 16 * 10 * 8);
}

#[test]
fn same_seed_same_run() {
    let dep = Deployment::new(4, 8);
    let load = Load {
        txs_per_block: 6,
        cross_permille: 500,
        load_heights: 4,
        faults: false,
        seed: 1,
    };
    let cfg = config(8, load, StreamConfig::default());
    let hashes: Vec<_> = (0..2)
        .map(|_| {
            let mut sim = network(&dep, cfg, 3);
            sim.run_until(Time::from_secs(30));
            check(&mut sim, &dep, &cfg);
            sim.audit_hash()
        })
        .collect();
    assert_eq!(hashes[0], hashes[1]);
}
