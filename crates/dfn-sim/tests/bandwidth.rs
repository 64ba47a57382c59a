//! Bandwidth: a node's uplink serializes its copies; a link's own
//! bandwidth adds transmission time without queueing.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Msg, Scripted, Step};
use dfn_sim::{Bandwidth, Latency, LinkModel, NodeId, SimConfig, Simulation, Time};

/// Node 0 sends ten 1000-byte messages to node 1 at time 0; latency 10.
fn burst() -> Scripted {
    let mut a = Scripted::new(0);
    for k in 0..10u32 {
        a.push(0, Step::Send(NodeId(1), Msg::sized(k, Time::ZERO, 1000)));
    }
    a
}

fn arrivals(sim: &Simulation<Scripted>, node: usize) -> Vec<u64> {
    sim.nodes()[node]
        .received
        .iter()
        .map(|(t, _, _)| t.as_millis())
        .collect()
}

#[test]
fn uplink_serializes_a_burst() {
    let link = LinkModel::new(Latency::Fixed(10));
    let config = SimConfig::new(1)
        .with_link(link)
        .with_uplink(Bandwidth::bytes_per_ms(100).unwrap());
    let mut sim = Simulation::new(config, vec![burst(), Scripted::new(1)]).unwrap();
    sim.run_until_quiet(Time::MAX);
    // 10 ms on the uplink each, then 10 ms of latency.
    let want: Vec<u64> = (1..=10).map(|k| 10 * k + 10).collect();
    assert_eq!(arrivals(&sim, 1), want);
}

#[test]
fn uplink_idles_between_bursts_and_rounds_up() {
    // 250 bytes at 100 bytes/ms: 2.5 ms each; sent at 0, 0 and 100.
    let a = Scripted::new(0)
        .at(0, Step::Send(NodeId(1), Msg::sized(0, Time::ZERO, 250)))
        .at(0, Step::Send(NodeId(1), Msg::sized(1, Time::ZERO, 250)))
        .at(100, Step::Send(NodeId(1), Msg::sized(2, Time::ZERO, 250)));
    let config = SimConfig::new(1)
        .with_link(LinkModel::new(Latency::Fixed(10)))
        .with_uplink(Bandwidth::bytes_per_ms(100).unwrap());
    let mut sim = Simulation::new(config, vec![a, Scripted::new(1)]).unwrap();
    sim.run_until_quiet(Time::MAX);
    // Left at 2.5 -> 3, 5 -> 5, 102.5 -> 103; plus 10.
    assert_eq!(arrivals(&sim, 1), vec![13, 15, 113]);
}

#[test]
fn uplink_is_per_node() {
    let config = SimConfig::new(1).with_link(LinkModel::new(Latency::Fixed(10)));
    let mut sim = Simulation::new(config, vec![burst(), Scripted::new(1)]).unwrap();
    sim.set_uplink(NodeId(0), Some(Bandwidth::bytes_per_ms(1000).unwrap()))
        .unwrap();
    sim.run_until_quiet(Time::MAX);
    let want: Vec<u64> = (1..=10).map(|k| k + 10).collect();
    assert_eq!(arrivals(&sim, 1), want);
}

#[test]
fn link_bandwidth_adds_time_without_queueing() {
    let link =
        LinkModel::new(Latency::Fixed(10)).with_bandwidth(Bandwidth::bytes_per_ms(100).unwrap());
    let mut sim = Simulation::new(
        SimConfig::new(1).with_link(link),
        vec![burst(), Scripted::new(1)],
    )
    .unwrap();
    sim.run_until_quiet(Time::MAX);
    assert_eq!(arrivals(&sim, 1), vec![20; 10]);
}

#[test]
fn direct_broadcast_queues_every_copy_on_the_uplink() {
    // 1 broadcast of 500 bytes to 4 nodes at 100 bytes/ms: 5 ms a copy.
    let a = Scripted::new(0).at(0, Step::Broadcast(Msg::sized(0, Time::ZERO, 500)));
    let mut nodes = Scripted::nodes(5);
    nodes[0] = a;
    let config = SimConfig::new(1)
        .with_link(LinkModel::new(Latency::Fixed(10)))
        .with_uplink(Bandwidth::bytes_per_ms(100).unwrap());
    let mut sim = Simulation::new(config, nodes).unwrap();
    sim.run_until_quiet(Time::MAX);
    for (i, want) in [(1, 15), (2, 20), (3, 25), (4, 30)] {
        assert_eq!(arrivals(&sim, i), vec![want]);
    }
    let c = sim.metrics().nodes()[0];
    assert_eq!((c.sent_msgs, c.sent_bytes), (4, 2000));
}
