//! One seed, one run: equal seeds give equal audit hashes and equal
//! figures; different seeds give different hashes; separate random streams
//! keep loss from moving latency draws.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Chatter, Msg, Scripted, Step};
use dfn_sim::{
    Action, AuditHash, BroadcastMode, Fault, Latency, LinkModel, NodeId, Probability, Restart,
    SimConfig, Simulation, Time,
};

/// The audit hash, what every node heard, and the per-node CSV.
type Outcome = (AuditHash, Vec<Vec<(Time, NodeId, Msg)>>, String);

/// A busy run: gossip, normal latency with jitter, loss, a partition, a
/// crash with a fresh restart, and a rule delaying some messages.
fn busy_run(seed: u64) -> Outcome {
    let n = 150;
    let link = LinkModel::new(Latency::Normal {
        mean: 40,
        std_dev: 15,
        min: 5,
    })
    .with_jitter(4)
    .with_loss(Probability::from_ppm(20_000).unwrap());
    let config = SimConfig::new(seed)
        .with_link(link)
        .with_broadcast(BroadcastMode::Gossip { fanout: 3 });
    let nodes = (0..n).map(|i| Chatter::new(i, seed, 300, 6)).collect();
    let mut sim = Simulation::new(config, nodes).unwrap();
    sim.set_factory(move |id, _now| Chatter::new(id.0, seed ^ 0xfeed, 300, 6));
    let side: Vec<NodeId> = (0..n / 3).map(NodeId).collect();
    sim.schedule(Time::from_millis(500), Fault::Partition(vec![side]))
        .unwrap();
    sim.schedule(Time::from_millis(900), Fault::Heal).unwrap();
    sim.schedule(Time::from_millis(400), Fault::Crash(NodeId(7)))
        .unwrap();
    sim.schedule(
        Time::from_millis(1200),
        Fault::Restart(NodeId(7), Restart::Fresh),
    )
    .unwrap();
    sim.add_rule(
        Time::from_millis(1000),
        Time::from_millis(1500),
        Action::Delay(30),
        |e| e.msg.tag == common::PING,
    );
    sim.run_until(Time::from_secs(5));
    let heard = sim.nodes().iter().map(|c| c.heard.clone()).collect();
    let report = sim.report();
    let csv = report.nodes_csv();
    (sim.audit_hash(), heard, csv)
}

#[test]
fn same_seed_same_run() {
    let (h1, heard1, csv1) = busy_run(42);
    let (h2, heard2, csv2) = busy_run(42);
    assert_eq!(h1, h2);
    assert_eq!(heard1, heard2);
    assert_eq!(csv1, csv2);
    // The run did something worth hashing.
    let total: usize = heard1.iter().map(Vec::len).sum();
    assert!(total > 10_000, "only {total} deliveries");
}

#[test]
fn different_seeds_different_runs() {
    let hashes: Vec<AuditHash> = (1..=3).map(|s| busy_run(s).0).collect();
    for (i, a) in hashes.iter().enumerate() {
        for b in &hashes[i + 1..] {
            assert_ne!(a, b);
        }
    }
}

/// The audit hash depends on what happened, not only on the seed.
#[test]
fn hash_sees_a_single_extra_fault() {
    let run = |crash: bool| {
        let nodes = (0..20).map(|i| Chatter::new(i, 5, 200, 3)).collect();
        let mut sim = Simulation::new(SimConfig::new(5), nodes).unwrap();
        if crash {
            sim.schedule(Time::from_millis(250), Fault::Crash(NodeId(3)))
                .unwrap();
        }
        sim.run_until(Time::from_secs(2));
        sim.audit_hash()
    };
    assert_eq!(run(false), run(false));
    assert_ne!(run(false), run(true));
}

/// Loss draws come from their own stream: turning loss on removes some
/// deliveries but does not move the arrival time of any other.
#[test]
fn loss_does_not_perturb_latency_draws() {
    let run = |loss_ppm: u32| {
        let link = LinkModel::new(Latency::Uniform { min: 10, max: 500 })
            .with_jitter(20)
            .with_loss(Probability::from_ppm(loss_ppm).unwrap());
        let mut sender = Scripted::new(0);
        for i in 0..2000u32 {
            sender.push(
                u64::from(i),
                Step::Send(
                    NodeId(1 + i % 3),
                    Msg::new(i, Time::from_millis(u64::from(i))),
                ),
            );
        }
        let mut nodes = Scripted::nodes(4);
        nodes[0] = sender;
        let mut sim = Simulation::new(SimConfig::new(9).with_link(link), nodes).unwrap();
        sim.run_until_quiet(Time::MAX);
        let mut arrivals: Vec<(u32, Time)> = sim
            .nodes()
            .iter()
            .flat_map(|n| n.received.iter().map(|(t, _, m)| (m.tag, *t)))
            .collect();
        arrivals.sort();
        arrivals
    };
    let lossless = run(0);
    let lossy = run(300_000);
    assert_eq!(lossless.len(), 2000);
    assert!(lossy.len() > 1200 && lossy.len() < 1600, "{}", lossy.len());
    for (tag, t) in &lossy {
        let want = lossless.iter().find(|(g, _)| g == tag).unwrap().1;
        assert_eq!(*t, want, "message {tag}");
    }
}
