//! Link loss drops the configured fraction of copies, within statistical
//! tolerance, and the drop counters agree with what nodes received.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Msg, Scripted, Step};
use dfn_sim::{Latency, LinkModel, NodeId, Probability, SimConfig, Simulation, Time};

const SAMPLES: u32 = 20_000;

fn delivered(loss_ppm: u32, seed: u64) -> (usize, u64) {
    let link =
        LinkModel::new(Latency::Fixed(10)).with_loss(Probability::from_ppm(loss_ppm).unwrap());
    let mut sender = Scripted::new(0);
    for i in 0..SAMPLES {
        sender.push(
            u64::from(i / 10),
            Step::Send(NodeId(1), Msg::new(i, Time::ZERO)),
        );
    }
    let mut sim = Simulation::new(
        SimConfig::new(seed).with_link(link),
        vec![sender, Scripted::new(1)],
    )
    .unwrap();
    sim.run_until_quiet(Time::MAX);
    (sim.nodes()[1].received.len(), sim.metrics().drops().loss)
}

#[test]
fn loss_rate_within_tolerance() {
    for (ppm, seed) in [(10_000u32, 1u64), (100_000, 2), (500_000, 3)] {
        let (got, dropped) = delivered(ppm, seed);
        assert_eq!(got as u64 + dropped, u64::from(SAMPLES));
        let p = f64::from(ppm) / 1e6;
        let rate = dropped as f64 / f64::from(SAMPLES);
        // Five standard deviations of a binomial proportion.
        let tol = 5.0 * (p * (1.0 - p) / f64::from(SAMPLES)).sqrt();
        assert!((rate - p).abs() < tol, "loss {p}: observed {rate}");
    }
}

#[test]
fn no_loss_and_total_loss_are_exact() {
    assert_eq!(delivered(0, 4), (SAMPLES as usize, 0));
    assert_eq!(delivered(1_000_000, 5), (0, u64::from(SAMPLES)));
}

#[test]
fn loss_is_per_link() {
    // Only the link 0 -> 2 is lossy.
    let mut sender = Scripted::new(0);
    for i in 0..1000u32 {
        sender.push(
            u64::from(i),
            Step::Send(NodeId(1 + i % 2), Msg::new(i, Time::ZERO)),
        );
    }
    let mut nodes = Scripted::nodes(3);
    nodes[0] = sender;
    let mut sim = Simulation::new(SimConfig::new(6), nodes).unwrap();
    let lossy = LinkModel::default().with_loss(Probability::from_percent(100).unwrap());
    sim.set_link(NodeId(0), NodeId(2), lossy).unwrap();
    sim.run_until_quiet(Time::MAX);
    assert_eq!(sim.nodes()[1].received.len(), 500);
    assert_eq!(sim.nodes()[2].received.len(), 0);
    assert_eq!(sim.metrics().drops().loss, 500);
}
