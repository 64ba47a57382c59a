//! Crash and restart: a crashed node receives nothing, fires no timer and
//! sends nothing; it resumes with its state or comes back fresh from the
//! factory.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Msg, Note, Scripted, Step};
use dfn_sim::{
    Fault, Latency, LinkModel, NodeId, Output, Restart, SimConfig, SimError, Simulation, Time,
};

/// Node 0 sends to node 1 every 10 ms from 0 to 490; node 1 has steps at
/// 90 (send to 2), 150 and 250 (events) and 400 (send to 2); latency 50.
fn setup() -> Simulation<Scripted> {
    let mut a = Scripted::new(0);
    for k in 0..50u64 {
        a.push(
            k * 10,
            Step::Send(
                NodeId(1),
                Msg::new(u32::try_from(k).unwrap(), Time::from_millis(k * 10)),
            ),
        );
    }
    let b = Scripted::new(1)
        .at(
            90,
            Step::Send(NodeId(2), Msg::new(900, Time::from_millis(90))),
        )
        .at(150, Step::Event(Note::new("b150", None)))
        .at(250, Step::Event(Note::new("b250", None)))
        .at(
            400,
            Step::Send(NodeId(2), Msg::new(901, Time::from_millis(400))),
        );
    let link = LinkModel::new(Latency::Fixed(50));
    let config = SimConfig::new(1).with_link(link).keeping_events();
    let mut sim = Simulation::new(config, vec![a, b, Scripted::new(2)]).unwrap();
    sim.schedule(Time::from_millis(100), Fault::Crash(NodeId(1)))
        .unwrap();
    sim
}

#[test]
fn crashed_node_is_silent_and_resumes_with_its_state() {
    let mut sim = setup();
    sim.schedule(
        Time::from_millis(300),
        Fault::Restart(NodeId(1), Restart::Resume),
    )
    .unwrap();
    sim.run_until(Time::from_millis(200));
    assert!(!sim.is_up(NodeId(1)));
    sim.run_until_quiet(Time::MAX);
    assert!(sim.is_up(NodeId(1)));

    let b = &sim.nodes()[1];
    // Received: sent at 0..=40 (5, arrived 50..=90 before the crash) and sent
    // from 250 on (arrived from 300 on, after the restart). Arrivals in
    // 100..300 were dropped (the one arriving at 300 comes after the
    // restart, which was scheduled first).
    let arrivals: Vec<u64> = b.received.iter().map(|(t, _, _)| t.as_millis()).collect();
    assert!(
        arrivals.iter().all(|&t| !(100..300).contains(&t)),
        "{arrivals:?}"
    );
    assert_eq!(arrivals.len(), 5 + 25);
    assert_eq!(sim.metrics().drops().crashed, 50 - 5 - 25);
    // Timers: the 150 and 250 steps did not fire while down; on resume the
    // overdue deadline fired at once, then 400 on time.
    assert_eq!(
        b.timeouts,
        vec![
            Time::from_millis(90),
            Time::from_millis(300),
            Time::from_millis(400)
        ]
    );
    let events: Vec<(Time, &str)> = sim
        .take_events()
        .into_iter()
        .map(|r| (r.time, r.event.label))
        .collect();
    assert_eq!(
        events,
        vec![
            (Time::from_millis(300), "b150"),
            (Time::from_millis(300), "b250")
        ]
    );
    // The copy sent at 90 was on the wire at the crash and still arrived.
    let c = &sim.nodes()[2];
    let got: Vec<(u64, u32)> = c
        .received
        .iter()
        .map(|(t, _, m)| (t.as_millis(), m.tag))
        .collect();
    assert_eq!(got, vec![(140, 900), (450, 901)]);
}

#[test]
fn fresh_restart_uses_the_factory() {
    let mut sim = setup();
    sim.set_factory(|id, now| {
        Scripted::new(id.0).at(now.as_millis() + 5, Step::Event(Note::new("reborn", None)))
    });
    sim.schedule(
        Time::from_millis(300),
        Fault::Restart(NodeId(1), Restart::Fresh),
    )
    .unwrap();
    sim.run_until_quiet(Time::MAX);
    let b = &sim.nodes()[1];
    // The new node saw only what arrived after the restart.
    assert!(b.received.iter().all(|(t, _, _)| t.as_millis() >= 300));
    assert_eq!(b.received.len(), 25);
    assert_eq!(b.timeouts, vec![Time::from_millis(305)]);
    let labels: Vec<&str> = sim
        .take_events()
        .into_iter()
        .map(|r| r.event.label)
        .collect();
    assert_eq!(labels, vec!["reborn"]);
    // The old script's sends never happened.
    assert_eq!(sim.nodes()[2].received.len(), 1);
}

#[test]
fn restart_of_a_running_node_changes_nothing() {
    let run = |restart: bool| {
        let mut sim = setup();
        if restart {
            sim.schedule(
                Time::from_millis(50),
                Fault::Restart(NodeId(0), Restart::Resume),
            )
            .unwrap();
        }
        sim.run_until_quiet(Time::MAX);
        sim.nodes()
            .iter()
            .map(|n| n.received.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(false), run(true));
}

#[test]
fn control_errors() {
    let mut sim = setup();
    assert_eq!(
        sim.schedule(
            Time::from_millis(5),
            Fault::Restart(NodeId(1), Restart::Fresh)
        ),
        Err(SimError::NoFactory(NodeId(1)))
    );
    assert_eq!(
        sim.schedule(Time::ZERO, Fault::Crash(NodeId(3))),
        Err(SimError::UnknownNode {
            node: NodeId(3),
            nodes: 3
        })
    );
    sim.run_until(Time::from_millis(150));
    assert_eq!(
        sim.schedule(Time::from_millis(149), Fault::Heal),
        Err(SimError::InThePast {
            at: Time::from_millis(149),
            now: Time::from_millis(150)
        })
    );
    assert_eq!(
        sim.with_node(NodeId(1), |_, _| ()),
        Err(SimError::NodeDown(NodeId(1)))
    );
    // A command to a running node is carried out at the current time.
    sim.with_node(NodeId(2), |n, _| {
        n.emit(Output::Send {
            to: NodeId(0),
            msg: Msg::new(7, Time::ZERO),
        });
    })
    .unwrap();
    sim.run_until_quiet(Time::MAX);
    assert!(
        sim.nodes()[0]
            .received
            .iter()
            .any(|(t, from, m)| m.tag == 7 && *from == NodeId(2) && t.as_millis() == 200)
    );
}
