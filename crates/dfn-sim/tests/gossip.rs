//! Broadcast: gossip reaches every node once, counting relays' forwarded
//! bytes; direct broadcast sends n - 1 copies.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Msg, Scripted, Step};
use dfn_sim::{BroadcastMode, Fault, Latency, LinkModel, NodeId, SimConfig, Simulation, Time};

fn broadcasters(n: u32, count: u32) -> Vec<Scripted> {
    let mut nodes = Scripted::nodes(n);
    for k in 0..count {
        let origin = (k * 37) % n;
        let t = u64::from(k) * 5;
        nodes[origin as usize].push(t, Step::Broadcast(Msg::sized(k, Time::from_millis(t), 300)));
    }
    nodes
}

#[test]
fn gossip_reaches_every_node_exactly_once() {
    let n = 300u32;
    let count = 20u32;
    let link = LinkModel::new(Latency::Uniform { min: 5, max: 60 });
    let config = SimConfig::new(4)
        .with_link(link)
        .with_broadcast(BroadcastMode::Gossip { fanout: 3 });
    let mut sim = Simulation::new(config, broadcasters(n, count)).unwrap();
    sim.run_until_quiet(Time::MAX);
    for node in sim.nodes() {
        for k in 0..count {
            let copies: Vec<_> = node
                .received
                .iter()
                .filter(|(_, _, m)| m.tag == k)
                .collect();
            let origin = NodeId((k * 37) % n);
            if node.id == origin {
                assert!(copies.is_empty(), "origin got its own broadcast");
            } else {
                assert_eq!(copies.len(), 1, "node {} broadcast {k}", node.id);
                // The node is told who broadcast it, not which relay.
                assert_eq!(copies[0].1, origin);
            }
        }
    }
    let m = sim.metrics();
    let total: u64 = m.nodes().iter().map(|c| c.recv_msgs).sum();
    assert_eq!(total, u64::from(count * (n - 1)));
    // Relays forwarded, duplicates were suppressed, bytes add up.
    let forwarded: u64 = m.nodes().iter().map(|c| c.forwarded_msgs).sum();
    let dups: u64 = m.nodes().iter().map(|c| c.duplicate_msgs).sum();
    let sent: u64 = m.nodes().iter().map(|c| c.sent_msgs).sum();
    assert!(forwarded > 0 && dups > 0);
    assert_eq!(sent, total + dups);
    for c in m.nodes() {
        assert_eq!(c.forwarded_bytes, c.forwarded_msgs * 300);
        assert_eq!(c.sent_bytes, c.sent_msgs * 300);
    }
    // Far fewer copies than direct broadcast would need from the origin:
    // the origin sent only to its overlay neighbours.
    let origin0 = &m.nodes()[0];
    assert!(origin0.sent_msgs - origin0.forwarded_msgs < u64::from(n / 10));
}

#[test]
fn gossip_overlay_is_seeded_and_symmetric() {
    let config = |seed| SimConfig::new(seed).with_broadcast(BroadcastMode::Gossip { fanout: 4 });
    let a = Simulation::new(config(1), Scripted::nodes(100)).unwrap();
    let b = Simulation::new(config(1), Scripted::nodes(100)).unwrap();
    let c = Simulation::new(config(2), Scripted::nodes(100)).unwrap();
    let all = |s: &Simulation<Scripted>| {
        (0..100)
            .map(|i| s.overlay_neighbours(NodeId(i)))
            .collect::<Vec<_>>()
    };
    assert_eq!(all(&a), all(&b));
    assert_ne!(all(&a), all(&c));
    for i in 0..100 {
        let ns = a.overlay_neighbours(NodeId(i));
        assert!(ns.len() >= 6); // ring (2) + 4 own picks
        for p in ns {
            assert!(a.overlay_neighbours(p).contains(&NodeId(i)));
        }
    }
}

#[test]
fn gossip_routes_around_crashed_nodes() {
    let n = 200u32;
    let config = SimConfig::new(8).with_broadcast(BroadcastMode::Gossip { fanout: 4 });
    let mut nodes = Scripted::nodes(n);
    nodes[0].push(100, Step::Broadcast(Msg::new(5, Time::ZERO)));
    let mut sim = Simulation::new(config, nodes).unwrap();
    for i in 1..=10 {
        sim.schedule(Time::ZERO, Fault::Crash(NodeId(i * 13)))
            .unwrap();
    }
    sim.run_until_quiet(Time::MAX);
    for node in sim.nodes() {
        let up = sim.is_up(node.id);
        let got = node.received.len();
        if node.id == NodeId(0) || !up {
            assert_eq!(got, 0);
        } else {
            assert_eq!(got, 1, "node {}", node.id);
        }
    }
    assert!(sim.metrics().drops().crashed > 0);
}

#[test]
fn direct_broadcast_sends_to_all_others() {
    let n = 50u32;
    let config = SimConfig::new(3).with_link(LinkModel::new(Latency::Fixed(7)));
    let mut sim = Simulation::new(config, broadcasters(n, 3)).unwrap();
    sim.run_until_quiet(Time::MAX);
    let m = sim.metrics();
    for k in 0..3u32 {
        let origin = ((k * 37) % n) as usize;
        assert!(m.nodes()[origin].sent_msgs >= u64::from(n - 1));
    }
    assert_eq!(m.deliveries(), u64::from(3 * (n - 1)));
    assert!(
        m.nodes()
            .iter()
            .all(|c| c.forwarded_msgs == 0 && c.duplicate_msgs == 0)
    );
    assert_eq!(m.delivery_age().max(), 7);
}
