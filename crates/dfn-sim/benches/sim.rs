//! Simulator throughput: 10,000 trivial nodes exchanging 10 million
//! messages (`sim::run/nodes=10000,messages=10M`, events per second as
//! criterion's element throughput), and the memory an idle node costs.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use dfn_sim::{Latency, LinkModel, Node, NodeId, Output, SimConfig, Simulation, Time, derive_seed};

const NODES: u32 = 10_000;
/// Message chains each node starts.
const CHAINS: u32 = 10;
/// Hops per chain after the first send: 10,000 x 10 x 100 = 10M messages.
const HOPS: u64 = 99;

/// Starts `CHAINS` chains at time 0; forwards every message with hops left
/// to a random node (xorshift from its own seed).
struct Relay {
    n: u32,
    state: u64,
    start: bool,
    out: VecDeque<Output<u64, Infallible>>,
}

impl Relay {
    fn new(id: u32, seed: u64) -> Relay {
        Relay {
            n: NODES,
            state: derive_seed(seed, "relay", u64::from(id)) | 1,
            start: true,
            out: VecDeque::new(),
        }
    }

    fn peer(&mut self) -> NodeId {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        NodeId((((x >> 32) * u64::from(self.n)) >> 32) as u32)
    }
}

impl Node for Relay {
    type Message = u64;
    type Event = Infallible;

    fn handle_message(&mut self, _now: Time, _from: NodeId, hops: u64) {
        if hops > 0 {
            let to = self.peer();
            self.out.push_back(Output::Send { to, msg: hops - 1 });
        }
    }

    fn handle_timeout(&mut self, _now: Time) {
        self.start = false;
        for _ in 0..CHAINS {
            let to = self.peer();
            self.out.push_back(Output::Send { to, msg: HOPS });
        }
    }

    fn poll_output(&mut self) -> Option<Output<u64, Infallible>> {
        self.out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Time> {
        self.start.then_some(Time::ZERO)
    }
}

fn build(seed: u64) -> Simulation<Relay> {
    let link = LinkModel::new(Latency::Uniform { min: 10, max: 100 });
    let nodes = (0..NODES).map(|i| Relay::new(i, seed)).collect();
    Simulation::new(SimConfig::new(seed).with_link(link), nodes).unwrap()
}

fn run(mut sim: Simulation<Relay>) -> Simulation<Relay> {
    sim.run_until_quiet(Time::MAX);
    sim
}

fn bench_run(c: &mut Criterion) {
    // One run outside the timing, to know the event count and to check it.
    let sim = run(build(1));
    let events = sim.metrics().events();
    let messages = sim.metrics().deliveries();
    assert_eq!(messages, u64::from(NODES * CHAINS) * (HOPS + 1));
    println!(
        "sim::run: {} events ({} deliveries, {} timeouts), {:.2}M events/s wall in the warm-up run, virtual time {}",
        events,
        messages,
        sim.metrics().timeouts(),
        sim.report().events_per_wall_second / 1e6,
        sim.now()
    );
    drop(sim);

    let mut group = c.benchmark_group("sim::run");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(40));
    group.throughput(Throughput::Elements(events));
    group.bench_function("nodes=10000,messages=10M", |b| {
        b.iter_batched(
            || build(1),
            |sim| black_box(run(sim)),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// Resident set size of this process, in bytes (Linux).
fn rss_bytes() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Memory per idle node, two ways: the simulator's own accounting
/// (`size_of` of the per-node tables it keeps, node included, plus the
/// overlay), and the growth of the resident set when 1,000,000 idle nodes
/// are created and started.
fn idle_memory(_c: &mut Criterion) {
    let n = 1_000_000u32;
    let before = rss_bytes();
    let mut sim = Simulation::new(
        SimConfig::new(3),
        (0..n)
            .map(|i| {
                let mut r = Relay::new(i, 3);
                r.start = false; // idle: no timer, nothing to send
                r
            })
            .collect(),
    )
    .unwrap();
    sim.run_until(Time::from_millis(1));
    let after = rss_bytes();
    let accounted = sim.heap_bytes();
    println!(
        "sim::idle_memory/nodes={n}: node type {} bytes; simulator accounting {:.1} bytes/node (incl. the node); \
         resident set growth {} bytes/node",
        core::mem::size_of::<Relay>(),
        accounted as f64 / f64::from(n),
        match (before, after) {
            (Some(b), Some(a)) => format!("{:.1}", a.saturating_sub(b) as f64 / f64::from(n)),
            _ => "unavailable".to_owned(),
        }
    );
    black_box(&sim);
}

criterion_group!(benches, idle_memory, bench_run);
criterion_main!(benches);
