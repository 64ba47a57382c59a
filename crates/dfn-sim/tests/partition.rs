//! Partitions: no message crosses while one holds, in flight or not, and
//! delivery resumes after healing.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::{Msg, Scripted, Step};
use dfn_sim::{BroadcastMode, Fault, Latency, LinkModel, NodeId, SimConfig, Simulation, Time};

/// Deliveries: (time, origin, relay, receiver, time the message was sent).
type Log = Rc<RefCell<Vec<(Time, NodeId, NodeId, NodeId, Time)>>>;

/// Every node broadcasts every 10 ms for 3 s; the network is split into
/// {0..4}, {5..9} and the rest (10..14) from 1000 to 2000 ms.
fn partitioned(mode: BroadcastMode) -> (Simulation<Scripted>, Log) {
    let n = 15u32;
    let nodes = (0..n)
        .map(|i| {
            let mut node = Scripted::new(i);
            for k in 0..300u64 {
                node.push(
                    k * 10,
                    Step::Broadcast(Msg::new(
                        u32::try_from(k).unwrap(),
                        Time::from_millis(k * 10),
                    )),
                );
            }
            node
        })
        .collect();
    let link = LinkModel::new(Latency::Uniform { min: 20, max: 120 });
    let mut sim = Simulation::new(
        SimConfig::new(11).with_link(link).with_broadcast(mode),
        nodes,
    )
    .unwrap();
    let sides = vec![(0..5).map(NodeId).collect(), (5..10).map(NodeId).collect()];
    sim.schedule(Time::from_millis(1000), Fault::Partition(sides))
        .unwrap();
    sim.schedule(Time::from_millis(2000), Fault::Heal).unwrap();
    let log = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&log);
    sim.on_delivery(move |d| {
        sink.borrow_mut()
            .push((d.now, d.origin, d.relay, d.to, d.msg.sent))
    });
    sim.run_until_quiet(Time::MAX);
    (sim, log)
}

fn side(n: NodeId) -> u32 {
    n.0 / 5
}

fn check(mode: BroadcastMode) {
    let (sim, log) = partitioned(mode);
    let log = log.borrow();
    let during = |t: Time| (1000..2000).contains(&t.as_millis());
    // Nothing crosses while the partition holds: no hop, and no message
    // sent during it reaches another side (with gossip, a message that
    // crossed before the partition may still spread on its new side).
    for &(t, origin, relay, to, sent) in log.iter() {
        if during(t) {
            assert_eq!(side(relay), side(to), "{relay} -> {to} at {t}");
            if during(sent) {
                assert_eq!(
                    side(origin),
                    side(to),
                    "{origin}'s message reached {to} at {t}"
                );
            }
        }
    }
    // Inside each side, traffic goes on.
    let inside = log.iter().filter(|(t, _, _, _, _)| during(*t)).count();
    assert!(inside > 1000, "{inside}");
    // Across sides it resumes after the heal.
    let crossing_after = log
        .iter()
        .filter(|(t, o, _, to, _)| t.as_millis() >= 2000 && side(*o) != side(*to))
        .count();
    assert!(crossing_after > 1000, "{crossing_after}");
    // Some copies were cut, among them copies in flight when it started.
    assert!(sim.metrics().drops().partition > 0);
    let crossing_before = log
        .iter()
        .filter(|(t, o, _, to, _)| t.as_millis() < 1000 && side(*o) != side(*to))
        .count();
    assert!(crossing_before > 1000);
}

#[test]
fn partition_holds_and_heals_with_direct_broadcast() {
    check(BroadcastMode::Direct);
}

#[test]
fn partition_holds_and_heals_with_gossip() {
    check(BroadcastMode::Gossip { fanout: 2 });
}

#[test]
fn copies_in_flight_are_cut_when_the_partition_starts() {
    // A message sent at 0 with 100 ms latency; the partition starts at 50.
    let sender = Scripted::new(0).at(0, Step::Send(NodeId(1), Msg::new(1, Time::ZERO)));
    let link = LinkModel::new(Latency::Fixed(100));
    let mut sim = Simulation::new(
        SimConfig::new(1).with_link(link),
        vec![sender, Scripted::new(1)],
    )
    .unwrap();
    sim.schedule(
        Time::from_millis(50),
        Fault::Partition(vec![vec![NodeId(0)]]),
    )
    .unwrap();
    sim.run_until_quiet(Time::MAX);
    assert!(sim.nodes()[1].received.is_empty());
    assert_eq!(sim.metrics().drops().partition, 1);
}

#[test]
fn a_new_partition_replaces_the_old_one() {
    // {0} | {1, 2} first, then {2} | {0, 1}: 0 -> 1 flows again, 1 -> 2 is cut.
    let a = Scripted::new(0).at(600, Step::Send(NodeId(1), Msg::new(1, Time::ZERO)));
    let b = Scripted::new(1).at(600, Step::Send(NodeId(2), Msg::new(2, Time::ZERO)));
    let mut sim = Simulation::new(SimConfig::new(2), vec![a, b, Scripted::new(2)]).unwrap();
    sim.schedule(Time::ZERO, Fault::Partition(vec![vec![NodeId(0)]]))
        .unwrap();
    sim.schedule(
        Time::from_millis(500),
        Fault::Partition(vec![vec![NodeId(2)]]),
    )
    .unwrap();
    sim.run_until_quiet(Time::MAX);
    assert_eq!(sim.nodes()[1].received.len(), 1);
    assert!(sim.nodes()[2].received.is_empty());
}
