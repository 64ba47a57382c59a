//! Rules drop or delay the copies matching a predicate, only inside their
//! window.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Msg, Scripted, Step};
use dfn_sim::{Action, Latency, LinkModel, NodeId, SimConfig, Simulation, Time};

/// Node 0 sends tags 0..100 to node 1, tag k at time 10k; latency 5.
fn setup() -> Simulation<Scripted> {
    let mut a = Scripted::new(0);
    for k in 0..100u32 {
        let t = u64::from(k) * 10;
        a.push(t, Step::Send(NodeId(1), Msg::new(k, Time::from_millis(t))));
    }
    let link = LinkModel::new(Latency::Fixed(5));
    Simulation::new(SimConfig::new(3).with_link(link), vec![a, Scripted::new(1)]).unwrap()
}

fn received(sim: &Simulation<Scripted>) -> Vec<(u32, u64)> {
    sim.nodes()[1]
        .received
        .iter()
        .map(|(t, _, m)| (m.tag, t.as_millis()))
        .collect()
}

#[test]
fn drop_rule_drops_only_matches_inside_its_window() {
    let mut sim = setup();
    // Odd tags sent in [200, 500).
    sim.add_rule(
        Time::from_millis(200),
        Time::from_millis(500),
        Action::Drop,
        |e| e.msg.tag % 2 == 1 && e.to == NodeId(1),
    );
    sim.run_until_quiet(Time::MAX);
    let got = received(&sim);
    let dropped: Vec<u32> = (0..100)
        .filter(|k| !got.iter().any(|(t, _)| t == k))
        .collect();
    let want: Vec<u32> = (20..50).filter(|k| k % 2 == 1).collect();
    assert_eq!(dropped, want);
    assert_eq!(sim.metrics().drops().rule, 15);
}

#[test]
fn delay_rule_adds_its_delay() {
    let mut sim = setup();
    sim.add_rule(
        Time::ZERO,
        Time::from_millis(300),
        Action::Delay(100),
        |e| e.msg.tag % 10 == 0,
    );
    sim.run_until_quiet(Time::MAX);
    for (tag, at) in received(&sim) {
        let sent = u64::from(tag) * 10;
        let extra = if tag % 10 == 0 && sent < 300 { 100 } else { 0 };
        assert_eq!(at, sent + 5 + extra, "tag {tag}");
    }
    assert_eq!(sim.metrics().drops().total(), 0);
}

#[test]
fn first_matching_rule_wins() {
    let mut sim = setup();
    sim.add_rule(Time::ZERO, Time::MAX, Action::Delay(1), |e| e.msg.tag < 10);
    sim.add_rule(Time::ZERO, Time::MAX, Action::Drop, |e| e.msg.tag < 20);
    sim.run_until_quiet(Time::MAX);
    let got = received(&sim);
    assert_eq!(got.len(), 90);
    assert!(got.iter().all(|(tag, _)| *tag < 10 || *tag >= 20));
    assert!(
        got.iter()
            .filter(|(tag, _)| *tag < 10)
            .all(|(tag, at)| *at == u64::from(*tag) * 10 + 6)
    );
}
