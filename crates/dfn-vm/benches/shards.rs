//! Throughput of the sharded EVM network in simulation at 1, 4 and 16
//! shards with the same load per shard.
//!
//! Each shard executes one block per simulated second (`block_ms` =
//! 1,000), each block holding `TXS` ShardToken transactions of which a
//! fraction `CROSS` are cross-shard transfers (for one shard, same-shard
//! asynchronous transfers through the same outbox path); every request
//! also costs its destination a delivery and its source a callback.
//!
//! Two figures per shard count:
//! - **simulated throughput**: user transactions committed (by every
//!   shard, counted once per shard, not per replica) per simulated second,
//!   from the first block to the last — the system's capacity at fixed
//!   per-shard block capacity, the figure that should grow linearly;
//! - **wall-clock throughput**: the same transactions per second of real
//!   time the simulation took (all replicas execute every block on one
//!   core, so this measures the simulator, not the system);
//! - **exec ms/block/replica**: the mean wall-clock time one replica
//!   spends executing one block (induction, deliveries, transactions,
//!   commit): the per-process cost, which must stay below the block time
//!   for the simulated throughput to be real.
//!
//! The scaling table is printed first (3 replicas per shard); criterion
//! then times whole runs with one replica per shard (`shards/run/N`,
//! throughput in committed transactions).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

#[path = "../tests/shard_net/mod.rs"]
mod shard_net;

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dfn_sim::{NodeId, Time};
use dfn_state::stream::StreamConfig;

use shard_net::deploy::Deployment;
use shard_net::load::Load;
use shard_net::network;
use shard_net::replica::NetConfig;

const TXS: usize = 100;
const CROSS: u64 = 200;
const HEIGHTS: u64 = 10;
const BLOCK_MS: u64 = 1_000;

fn config(replicas: u32, heights: u64, txs: usize) -> NetConfig {
    NetConfig {
        replicas,
        block_ms: BLOCK_MS,
        retry_ms: 300,
        history: 64,
        stop_height: heights,
        streams: StreamConfig::default(),
        load: Load {
            txs_per_block: txs,
            cross_permille: CROSS,
            load_heights: heights,
            faults: false,
            seed: 9,
        },
    }
}

struct Run {
    txs: usize,
    exec_ms_per_block: f64,
    deliveries: usize,
    sim_secs: f64,
    wall_secs: f64,
}

fn run(shards: u32, replicas: u32, heights: u64, txs: usize) -> Run {
    let dep = Deployment::new(shards, txs);
    let cfg = config(replicas, heights, txs);
    let mut sim = network(&dep, cfg, 1);
    let clock = Instant::now();
    sim.run_until(Time::from_millis((heights + 5) * BLOCK_MS));
    let wall_secs = clock.elapsed().as_secs_f64();
    let mut committed = 0;
    let mut deliveries = 0;
    let exec_nanos: u128 = sim.nodes().iter().map(|r| r.exec_nanos).sum();
    let replica_blocks = u64::from(shards * replicas) * heights;
    for s in 0..shards {
        let r = sim.node(NodeId(s * replicas)).unwrap();
        assert_eq!(r.records.len() as u64, heights, "shard {s} stalled");
        committed += r.records.iter().map(|x| x.txs).sum::<usize>();
        deliveries += r
            .records
            .iter()
            .map(|x| x.calls.len() + x.replies.len())
            .sum::<usize>();
    }
    Run {
        txs: committed,
        exec_ms_per_block: exec_nanos as f64 / 1e6 / replica_blocks as f64,
        deliveries,
        sim_secs: (heights * BLOCK_MS) as f64 / 1_000.0,
        wall_secs,
    }
}

fn scaling_table() {
    println!(
        "scaling: {TXS} txs/block/shard, {CROSS}/1000 cross-shard, {HEIGHTS} blocks of {BLOCK_MS} ms, 3 replicas/shard"
    );
    println!(
        "shards | committed txs | deliveries | txs/sim-s | ratio to 1 | wall s | txs/wall-s | exec ms/block/replica"
    );
    let mut base = None;
    for shards in [1u32, 4, 16] {
        let r = run(shards, 3, HEIGHTS, TXS);
        let per_sim = r.txs as f64 / r.sim_secs;
        let base = *base.get_or_insert(per_sim);
        println!(
            "{shards:6} | {:13} | {:10} | {per_sim:9.0} | {:10.2} | {:6.2} | {:10.0} | {:.2}",
            r.txs,
            r.deliveries,
            per_sim / base,
            r.wall_secs,
            r.txs as f64 / r.wall_secs,
            r.exec_ms_per_block
        );
    }
}

fn bench(c: &mut Criterion) {
    scaling_table();
    let mut group = c.benchmark_group("shards/run");
    group.sample_size(10);
    for shards in [1u32, 4, 16] {
        let heights = 4;
        let txs = 50;
        group.throughput(Throughput::Elements(
            u64::from(shards) * heights * txs as u64,
        ));
        group.bench_function(format!("{shards}"), |b| {
            b.iter(|| black_box(run(shards, 1, heights, txs).txs));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
