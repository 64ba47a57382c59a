//! Simulated heights per second: the whole chain (beacon, block making,
//! notarization with real signatures, finality) for every process of a
//! dfn-sim network, per height of the chain, in steady state.
//!
//! `cargo bench -p dfn-psp`. Sizes: 1,000 processes in 50 groups of 100,
//! and 10,000 processes in 25 groups of 400 (`DFN_BENCH_SMALL=1` skips the
//! second, which takes minutes to set up and run).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{Behaviour, Network, Process, build};
use criterion::{Criterion, criterion_group, criterion_main};
use dfn_psp::PspConfig;
use dfn_sim::{BroadcastMode, Latency, LinkModel, SimConfig, Simulation, Time};

fn network(processes: usize, groups: usize, size: usize) -> Simulation<Process> {
    let mut config = PspConfig::new(common::GENESIS);
    config.block_time_ms = 1_000;
    config.slot_ms = 500;
    config.delta_ms = 400;
    config.relayers = 8;
    config.beacon.relayers = 8;
    let net = Network {
        processes,
        groups,
        group_size: size,
        threshold: (size / 2 + 1) as u32,
        config,
        stop_at: u64::MAX,
    };
    let sim = SimConfig::new(1)
        .with_link(LinkModel::new(Latency::Uniform { min: 50, max: 300 }))
        .with_broadcast(BroadcastMode::Direct);
    Simulation::new(sim, build(&net, 1, |_| Behaviour::Honest)).unwrap()
}

/// Runs until every process has entered one more height.
fn one_height(sim: &mut Simulation<Process>) {
    let low =
        |sim: &Simulation<Process>| sim.nodes().iter().map(|p| p.node.height()).min().unwrap();
    let start = low(sim);
    while low(sim) <= start {
        let next = Time::from_millis(sim.now().as_millis() + 100);
        sim.run_until(next);
    }
}

fn bench(c: &mut Criterion, name: &str, processes: usize, groups: usize, size: usize) {
    let setup = Instant::now();
    let mut sim = network(processes, groups, size);
    // Past the start-up heights.
    for _ in 0..3 {
        one_height(&mut sim);
    }
    eprintln!(
        "{name}: set up and 3 heights in {:.1} s",
        setup.elapsed().as_secs_f64()
    );
    let mut group = c.benchmark_group("psp");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                one_height(&mut sim);
            }
            start.elapsed()
        })
    });
    group.finish();
    let final_height = sim.nodes().iter().map(|p| p.finalized.len()).min().unwrap();
    common::check_safety(sim.nodes().iter());
    eprintln!("{name}: every process finalized {final_height} heights");
}

fn heights(c: &mut Criterion) {
    bench(c, "height/1000 processes, groups of 100", 1_000, 50, 100);
    if std::env::var("DFN_BENCH_SMALL").is_err() {
        bench(c, "height/10000 processes, groups of 400", 10_000, 25, 400);
    }
}

criterion_group!(benches, heights);
criterion_main!(benches);
