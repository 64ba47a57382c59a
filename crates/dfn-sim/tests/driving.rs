//! Driving a simulation: start-up, timers, run limits, stepping, and
//! configuration errors.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::convert::Infallible;

use common::{Msg, Note, Scripted, Step};
use dfn_sim::{
    Geo, Latency, LinkModel, Node, NodeId, Output, Placement, Probability, SPIN_LIMIT, SimConfig,
    SimError, Simulation, Time,
};

/// A node whose timer the test moves around.
struct Timed {
    deadline: Option<Time>,
    fired: Vec<Time>,
}

impl Node for Timed {
    type Message = u64;
    type Event = Infallible;

    fn handle_message(&mut self, _now: Time, _from: NodeId, _msg: u64) {}

    fn handle_timeout(&mut self, now: Time) {
        self.fired.push(now);
        self.deadline = None;
    }

    fn poll_output(&mut self) -> Option<Output<u64, Infallible>> {
        None
    }

    fn poll_timeout(&self) -> Option<Time> {
        self.deadline
    }
}

/// A node with a busy timer: its deadline stays in the past once reached,
/// as a state machine that forgets to move it would.
struct Busy {
    deadline: Time,
    fired: u64,
}

impl Node for Busy {
    type Message = u64;
    type Event = Infallible;

    fn handle_message(&mut self, now: Time, _from: NodeId, _msg: u64) {
        self.deadline = now;
    }

    fn handle_timeout(&mut self, _now: Time) {
        self.fired += 1;
    }

    fn poll_output(&mut self) -> Option<Output<u64, Infallible>> {
        None
    }

    fn poll_timeout(&self) -> Option<Time> {
        Some(self.deadline)
    }
}

#[test]
fn a_busy_timer_is_reported_and_the_run_goes_on() {
    let node = Busy {
        deadline: Time::from_millis(100),
        fired: 0,
    };
    let mut sim = Simulation::new(SimConfig::new(1), vec![node]).unwrap();
    // Without the guard this would never return: time cannot pass 100 ms.
    sim.run_until(Time::from_millis(1_000));
    assert_eq!(sim.nodes()[0].fired, u64::from(SPIN_LIMIT));
    assert_eq!(
        sim.metrics().busy_timers().iter().collect::<Vec<_>>(),
        [(&NodeId(0), &1)]
    );
    assert_eq!(sim.now(), Time::from_millis(1_000));
}

#[test]
fn moved_and_cancelled_timers_do_not_fire() {
    let node = Timed {
        deadline: Some(Time::from_millis(100)),
        fired: Vec::new(),
    };
    let mut sim = Simulation::new(SimConfig::new(1), vec![node]).unwrap();
    sim.run_until(Time::from_millis(50));
    // Move it later, then earlier, then cancel and re-arm.
    sim.with_node(NodeId(0), |n, _| n.deadline = Some(Time::from_millis(300)))
        .unwrap();
    sim.with_node(NodeId(0), |n, _| n.deadline = Some(Time::from_millis(200)))
        .unwrap();
    sim.run_until(Time::from_millis(250));
    assert_eq!(sim.nodes()[0].fired, vec![Time::from_millis(200)]);
    sim.with_node(NodeId(0), |n, _| n.deadline = Some(Time::from_millis(400)))
        .unwrap();
    sim.with_node(NodeId(0), |n, _| n.deadline = None).unwrap();
    sim.with_node(NodeId(0), |n, _| n.deadline = Some(Time::from_millis(400)))
        .unwrap();
    // A deadline in the past fires at the current time.
    sim.run_until(Time::from_millis(1000));
    assert_eq!(
        sim.nodes()[0].fired,
        vec![Time::from_millis(200), Time::from_millis(400)]
    );
    sim.with_node(NodeId(0), |n, _| n.deadline = Some(Time::from_millis(10)))
        .unwrap();
    sim.run_for(5);
    assert_eq!(sim.nodes()[0].fired.last(), Some(&Time::from_millis(1000)));
    assert_eq!(sim.metrics().timeouts(), 3);
}

#[test]
fn run_until_includes_its_end_and_sets_the_clock() {
    let a = Scripted::new(0)
        .at(0, Step::Send(NodeId(1), Msg::new(1, Time::ZERO)))
        .at(1, Step::Send(NodeId(1), Msg::new(2, Time::ZERO)));
    let mut sim = Simulation::new(SimConfig::new(1), vec![a, Scripted::new(1)]).unwrap();
    assert_eq!(sim.now(), Time::ZERO);
    sim.run_until(Time::from_millis(50));
    assert_eq!(sim.now(), Time::from_millis(50));
    assert_eq!(sim.nodes()[1].received.len(), 1);
    // Stepping takes one event at a time.
    assert_eq!(sim.step(), Some(Time::from_millis(51)));
    assert_eq!(sim.nodes()[1].received.len(), 2);
    assert_eq!(sim.step(), None);
    assert_eq!(sim.run_until_quiet(Time::MAX), 0);
    assert_eq!(sim.now(), Time::from_millis(51));
}

#[test]
fn nodes_start_in_id_order_at_time_zero() {
    // Both send at 0 over a 0 ms link; events at the same time keep their
    // scheduling order, so node 0's message is delivered first.
    let a = Scripted::new(0).at(0, Step::Send(NodeId(2), Msg::new(10, Time::ZERO)));
    let b = Scripted::new(1).at(0, Step::Send(NodeId(2), Msg::new(11, Time::ZERO)));
    let config = SimConfig::new(1).with_link(LinkModel::new(Latency::Fixed(0)));
    let mut sim = Simulation::new(config, vec![a, b, Scripted::new(2)]).unwrap();
    sim.run_until_quiet(Time::MAX);
    let tags: Vec<u32> = sim.nodes()[2]
        .received
        .iter()
        .map(|(_, _, m)| m.tag)
        .collect();
    assert_eq!(tags, vec![10, 11]);
}

#[test]
fn ping_pong_round_trip() {
    let a = Scripted::new(0).at(0, Step::Send(NodeId(1), Msg::new(common::PING, Time::ZERO)));
    let b = Scripted::new(1).echoing();
    let config = SimConfig::new(1).with_link(LinkModel::new(Latency::Fixed(25)));
    let mut sim = Simulation::new(config, vec![a, b]).unwrap();
    sim.run_until_quiet(Time::MAX);
    let (t, from, msg) = sim.nodes()[0].received[0];
    assert_eq!(
        (t, from, msg.tag),
        (Time::from_millis(50), NodeId(1), common::PONG)
    );
}

#[test]
fn messages_to_unknown_nodes_are_counted() {
    let a = Scripted::new(0).at(0, Step::Send(NodeId(9), Msg::new(1, Time::ZERO)));
    let mut sim = Simulation::new(SimConfig::new(1), vec![a]).unwrap();
    sim.run_until_quiet(Time::MAX);
    assert_eq!(sim.metrics().drops().invalid, 1);
}

#[test]
fn events_are_kept_when_asked() {
    let a = Scripted::new(0)
        .at(5, Step::Event(Note::new("x", Some(1))))
        .at(7, Step::Event(Note::new("y", None)));
    let mut sim = Simulation::new(SimConfig::new(1).keeping_events(), vec![a]).unwrap();
    sim.run_until_quiet(Time::MAX);
    let ev = sim.take_events();
    assert_eq!(ev.len(), 2);
    assert_eq!(
        (ev[0].time, ev[0].node, ev[0].event.label),
        (Time::from_millis(5), NodeId(0), "x")
    );
    assert!(sim.take_events().is_empty());
    // Not kept by default; still counted.
    let a = Scripted::new(0).at(5, Step::Event(Note::new("x", Some(1))));
    let mut sim = Simulation::new(SimConfig::new(1), vec![a]).unwrap();
    sim.run_until_quiet(Time::MAX);
    assert!(sim.take_events().is_empty());
    assert_eq!(sim.metrics().labels()["x"].count, 1);
}

#[test]
fn far_future_events_are_delivered_in_order() {
    // Beyond the queue's wheel horizon (4096 ms).
    let a = Scripted::new(0)
        .at(0, Step::Send(NodeId(1), Msg::new(1, Time::ZERO)))
        .at(0, Step::Send(NodeId(1), Msg::new(2, Time::ZERO)));
    let config = SimConfig::new(1).with_link(LinkModel::new(Latency::Fixed(1_000_000)));
    let mut sim = Simulation::new(config, vec![a, Scripted::new(1)]).unwrap();
    sim.run_until_quiet(Time::MAX);
    let got: Vec<(u64, u32)> = sim.nodes()[1]
        .received
        .iter()
        .map(|(t, _, m)| (t.as_millis(), m.tag))
        .collect();
    assert_eq!(got, vec![(1_000_000, 1), (1_000_000, 2)]);
}

#[test]
fn configuration_errors_name_the_problem() {
    let bad = LinkModel::new(Latency::Uniform { min: 9, max: 3 });
    assert_eq!(
        Simulation::new(SimConfig::new(1).with_link(bad), Scripted::nodes(2)).err(),
        Some(SimError::InvalidLatency { min: 9, max: 3 })
    );
    let geo =
        Geo::new(&["a", "b"], LinkModel::default()).with_placement(Placement::Explicit(vec![0]));
    assert_eq!(
        Simulation::new(SimConfig::new(1).with_geo(geo), Scripted::nodes(2)).err(),
        Some(SimError::PlacementTooShort { given: 1, nodes: 2 })
    );
    let geo =
        Geo::new(&["a", "b"], LinkModel::default()).with_placement(Placement::Explicit(vec![0, 5]));
    assert_eq!(
        Simulation::new(SimConfig::new(1).with_geo(geo), Scripted::nodes(2)).err(),
        Some(SimError::UnknownRegion {
            region: 5,
            regions: 2
        })
    );
    assert_eq!(
        Probability::from_ppm(2_000_000),
        Err(SimError::InvalidProbability { ppm: 2_000_000 })
    );
    let mut sim = Simulation::new(SimConfig::new(1), Scripted::nodes(2)).unwrap();
    assert_eq!(
        sim.set_link(NodeId(0), NodeId(2), LinkModel::default()),
        Err(SimError::UnknownNode {
            node: NodeId(2),
            nodes: 2
        })
    );
    assert!(sim.set_uplink(NodeId(5), None).is_err());
    let msg = SimError::InvalidLatency { min: 9, max: 3 }.to_string();
    assert!(
        msg.contains("min 9 ms") && msg.contains("max 3 ms"),
        "{msg}"
    );
}

#[test]
fn random_placement_uses_every_region_and_is_seeded() {
    let geo = Geo::continents().with_placement(Placement::Random);
    let sim = |seed| {
        Simulation::new(
            SimConfig::new(seed).with_geo(geo.clone()),
            Scripted::nodes(200),
        )
        .unwrap()
    };
    let regions = |s: &Simulation<Scripted>| {
        (0..200)
            .map(|i| s.region(NodeId(i)).unwrap())
            .collect::<Vec<_>>()
    };
    let (a, b, c) = (sim(1), sim(1), sim(2));
    assert_eq!(regions(&a), regions(&b));
    assert_ne!(regions(&a), regions(&c));
    for r in 0..5 {
        let count = regions(&a).iter().filter(|&&x| x == r).count();
        assert!((20..=60).contains(&count), "region {r}: {count}");
    }
}

#[test]
fn idle_nodes_cost_little_memory() {
    let n = 10_000u32;
    let nodes = (0..n)
        .map(|_| Timed {
            deadline: None,
            fired: Vec::new(),
        })
        .collect();
    let mut sim = Simulation::new(SimConfig::new(1), nodes).unwrap();
    sim.run_until(Time::from_millis(1));
    let queue_floor = 4096 * 32; // the wheel's empty buckets, shared by all nodes
    let per_node = (sim.heap_bytes() - queue_floor) / n as usize;
    let node = core::mem::size_of::<Timed>();
    assert!(per_node < node + 160, "{per_node} bytes per idle node");
}
