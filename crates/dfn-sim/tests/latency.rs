//! Latency models give the configured distributions, within statistical
//! tolerance, as seen by receiving nodes.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Msg, Scripted, Step, mean_sd};
use dfn_sim::{Geo, Latency, LinkModel, NodeId, Placement, SimConfig, Simulation, Time};

const SAMPLES: u32 = 20_000;

/// Node 0 sends `SAMPLES` messages to node 1, one per millisecond; the
/// observed delays.
fn delays(link: LinkModel, seed: u64) -> Vec<u64> {
    let mut sender = Scripted::new(0);
    for i in 0..SAMPLES {
        let t = u64::from(i);
        sender.push(t, Step::Send(NodeId(1), Msg::new(i, Time::from_millis(t))));
    }
    let mut sim = Simulation::new(
        SimConfig::new(seed).with_link(link),
        vec![sender, Scripted::new(1)],
    )
    .unwrap();
    sim.run_until_quiet(Time::MAX);
    let got: Vec<u64> = sim.nodes()[1]
        .received
        .iter()
        .map(|(t, _, m)| *t - m.sent)
        .collect();
    assert_eq!(got.len(), SAMPLES as usize);
    got
}

#[test]
fn fixed_is_exact() {
    let d = delays(LinkModel::new(Latency::Fixed(37)), 1);
    assert!(d.iter().all(|&x| x == 37));
}

#[test]
fn uniform_covers_its_range_evenly() {
    let (min, max) = (20u64, 59u64); // 40 values
    let d = delays(LinkModel::new(Latency::Uniform { min, max }), 2);
    assert!(d.iter().all(|&x| (min..=max).contains(&x)));
    let (mean, sd) = mean_sd(&d);
    // Mean 39.5, sd sqrt((40^2 - 1) / 12) = 11.54.
    assert!((mean - 39.5).abs() < 0.3, "mean {mean}");
    assert!((sd - 11.54).abs() < 0.3, "sd {sd}");
    // Chi-square over the 40 values: 39 degrees of freedom, the 99.9%
    // quantile is 72.1.
    let mut counts = [0u64; 40];
    for &x in &d {
        counts[(x - min) as usize] += 1;
    }
    let expected = f64::from(SAMPLES) / 40.0;
    let chi2: f64 = counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum();
    assert!(chi2 < 72.1, "chi-square {chi2}");
}

#[test]
fn normal_has_its_mean_and_spread() {
    let d = delays(
        LinkModel::new(Latency::Normal {
            mean: 100,
            std_dev: 20,
            min: 0,
        }),
        3,
    );
    let (mean, sd) = mean_sd(&d);
    // Standard error of the mean: 20 / sqrt(20000) = 0.14.
    assert!((mean - 100.0).abs() < 0.7, "mean {mean}");
    assert!((sd - 20.0).abs() < 0.6, "sd {sd}");
    // 68.27% within one standard deviation (rounding to whole ms moves the
    // edges by half a millisecond: allow for it).
    let within = d.iter().filter(|&&x| (80..=120).contains(&x)).count() as f64 / f64::from(SAMPLES);
    assert!((within - 0.6827).abs() < 0.025, "within 1 sd: {within}");
    let within2 =
        d.iter().filter(|&&x| (60..=140).contains(&x)).count() as f64 / f64::from(SAMPLES);
    assert!((within2 - 0.9545).abs() < 0.01, "within 2 sd: {within2}");
}

#[test]
fn normal_is_truncated_at_its_floor() {
    let d = delays(
        LinkModel::new(Latency::Normal {
            mean: 50,
            std_dev: 30,
            min: 40,
        }),
        4,
    );
    assert!(d.iter().all(|&x| x >= 40));
    // A truncated normal keeps its shape above the floor: the median of
    // the draws above 50 matches the untruncated one (about 70).
    let mut above: Vec<u64> = d.iter().copied().filter(|&x| x > 50).collect();
    above.sort_unstable();
    let median = above[above.len() / 2];
    assert!(
        (66..=74).contains(&median),
        "median above the mean {median}"
    );
}

#[test]
fn jitter_adds_a_uniform_delay() {
    let d = delays(LinkModel::new(Latency::Fixed(10)).with_jitter(9), 5);
    assert!(d.iter().all(|&x| (10..=19).contains(&x)));
    let (mean, _) = mean_sd(&d);
    assert!((mean - 14.5).abs() < 0.15, "mean {mean}");
    for v in 10..=19 {
        let c = d.iter().filter(|&&x| x == v).count();
        assert!((1800..=2200).contains(&c), "{v}: {c}");
    }
}

#[test]
fn geographic_latency_follows_regions() {
    let mut geo = Geo::new(&["west", "east"], LinkModel::new(Latency::Fixed(5)));
    geo.set(0, 1, LinkModel::new(Latency::Fixed(80))).unwrap();
    let geo = geo.with_placement(Placement::Explicit(vec![0, 0, 1, 1]));
    // Node 0 pings all others once.
    let sender = Scripted::new(0)
        .at(0, Step::Send(NodeId(1), Msg::new(1, Time::ZERO)))
        .at(0, Step::Send(NodeId(2), Msg::new(2, Time::ZERO)))
        .at(0, Step::Send(NodeId(3), Msg::new(3, Time::ZERO)));
    let mut nodes = Scripted::nodes(4);
    nodes[0] = sender;
    let mut sim = Simulation::new(SimConfig::new(6).with_geo(geo), nodes).unwrap();
    assert_eq!(sim.region(NodeId(2)), Some(1));
    sim.run_until_quiet(Time::MAX);
    assert_eq!(sim.nodes()[1].received[0].0, Time::from_millis(5));
    assert_eq!(sim.nodes()[2].received[0].0, Time::from_millis(80));
    assert_eq!(sim.nodes()[3].received[0].0, Time::from_millis(80));
}

#[test]
fn continents_preset_means_match_its_table() {
    // Node 0 in na-east sends to a node in each region; means over many
    // messages match the one-way table within 2%.
    let geo = Geo::continents().with_placement(Placement::Explicit(vec![0, 0, 1, 2, 3, 4]));
    let mut sender = Scripted::new(0);
    for i in 0..2000u32 {
        let to = NodeId(1 + i % 5);
        sender.push(
            u64::from(i),
            Step::Send(to, Msg::new(i, Time::from_millis(u64::from(i)))),
        );
    }
    let mut nodes = Scripted::nodes(6);
    nodes[0] = sender;
    let mut sim = Simulation::new(SimConfig::new(7).with_geo(geo), nodes).unwrap();
    sim.run_until_quiet(Time::MAX);
    for (node, want) in [(1usize, 5.0), (2, 35.0), (3, 40.0), (4, 80.0), (5, 100.0)] {
        let d: Vec<u64> = sim.nodes()[node]
            .received
            .iter()
            .map(|(t, _, m)| *t - m.sent)
            .collect();
        let (mean, _) = mean_sd(&d);
        // Plus 1 ms mean jitter.
        assert!(
            (mean - (want + 1.0)).abs() < want * 0.02 + 0.3,
            "node {node}: {mean}"
        );
    }
}

#[test]
fn per_link_override_beats_the_default() {
    let sender = Scripted::new(0)
        .at(0, Step::Send(NodeId(1), Msg::new(1, Time::ZERO)))
        .at(0, Step::Send(NodeId(2), Msg::new(2, Time::ZERO)));
    let mut nodes = Scripted::nodes(3);
    nodes[0] = sender;
    let mut sim = Simulation::new(SimConfig::new(8), nodes).unwrap();
    sim.set_link(NodeId(0), NodeId(2), LinkModel::new(Latency::Fixed(3)))
        .unwrap();
    sim.run_until_quiet(Time::MAX);
    assert_eq!(sim.nodes()[1].received[0].0, Time::from_millis(50)); // the default
    assert_eq!(sim.nodes()[2].received[0].0, Time::from_millis(3));
}
