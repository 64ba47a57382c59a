//! Metrics: probes across nodes, per-node counters, and the report as a
//! table, CSV and JSON.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::VecDeque;

use common::{Msg, Note};
use dfn_sim::{
    Latency, LinkModel, Node, NodeId, Output, Probe, ProbeStart, SimConfig, Simulation, Time,
};

/// Node 0 starts a round every second (reports `round_start` and
/// broadcasts); every other node reports `beacon` for the round when the
/// broadcast arrives.
struct Beacon {
    id: u32,
    rounds: u32,
    round: u32,
    out: VecDeque<Output<Msg, Note>>,
}

impl Node for Beacon {
    type Message = Msg;
    type Event = Note;

    fn handle_message(&mut self, now: Time, _from: NodeId, msg: Msg) {
        let _ = now;
        self.out
            .push_back(Output::Event(Note::new("beacon", Some(u64::from(msg.tag)))));
    }

    fn handle_timeout(&mut self, now: Time) {
        self.round += 1;
        self.out.push_back(Output::Event(Note::new(
            "round_start",
            Some(u64::from(self.round)),
        )));
        self.out
            .push_back(Output::Broadcast(Msg::sized(self.round, now, 100)));
    }

    fn poll_output(&mut self) -> Option<Output<Msg, Note>> {
        self.out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Time> {
        (self.id == 0 && self.round < self.rounds)
            .then(|| Time::from_secs(u64::from(self.round) + 1))
    }
}

fn run(latency: Latency) -> Simulation<Beacon> {
    let n = 10;
    let nodes = (0..n)
        .map(|id| Beacon {
            id,
            rounds: 5,
            round: 0,
            out: VecDeque::new(),
        })
        .collect();
    let config = SimConfig::new(3).with_link(LinkModel::new(latency));
    let mut sim = Simulation::new(config, nodes).unwrap();
    sim.add_probe(Probe::new(
        "beacon@90%",
        ProbeStart::FirstEvent("round_start"),
        "beacon",
        900,
    ));
    sim.add_probe(Probe::new(
        "beacon@50%",
        ProbeStart::RunStart,
        "beacon",
        500,
    ));
    sim.run_until(Time::from_secs(10));
    sim
}

#[test]
fn probe_measures_round_start_to_fraction_of_nodes() {
    let sim = run(Latency::Fixed(50));
    let m = sim.metrics();
    let p = m.probe("beacon@90%").unwrap();
    // 9 of 10 nodes (all but node 0) at +50 ms, five rounds.
    assert_eq!((p.count(), p.min(), p.max()), (5, 50, 50));
    // From the run's start: round r's 50% at r s + 50 ms.
    let q = m.probe("beacon@50%").unwrap();
    assert_eq!((q.count(), q.min(), q.max()), (5, 1050, 5050));
    assert!(m.probe("nope").is_none());
    let labels = m.labels();
    assert_eq!(labels["round_start"].count, 5);
    assert_eq!(labels["beacon"].count, 45);
    assert_eq!(labels["beacon"].first(3), Some(Time::from_millis(3050)));
    assert_eq!(labels["beacon"].spread.max(), 0);
}

#[test]
fn probe_with_random_latency_is_the_order_statistic() {
    let sim = run(Latency::Uniform { min: 10, max: 200 });
    let m = sim.metrics();
    let p = m.probe("beacon@90%").unwrap();
    assert_eq!(p.count(), 5);
    // The 9th of 9 arrivals is the slowest: the round's largest spread
    // after the first beacon plus the first beacon's delay, all within the
    // latency range.
    assert!(p.min() >= 10 && p.max() <= 200);
    let spread = &m.labels()["beacon"].spread;
    assert!(spread.max() <= 190 && spread.count() == 45);
}

#[test]
fn counters_and_report_formats() {
    let sim = run(Latency::Fixed(50));
    let m = sim.metrics();
    let n0 = m.nodes()[0];
    assert_eq!((n0.sent_msgs, n0.sent_bytes, n0.events), (45, 4500, 5));
    for c in &m.nodes()[1..] {
        assert_eq!((c.recv_msgs, c.recv_bytes, c.events), (5, 500, 5));
    }
    assert_eq!(m.deliveries(), 45);
    assert_eq!(m.timeouts(), 5);
    assert_eq!(m.events(), 50);
    assert_eq!(m.link_delay().summary().p50, 50);

    let report = sim.report();
    assert_eq!(report.sim_ms, 10_000);
    assert!((report.events_per_sim_second - 5.0).abs() < 1e-9);
    assert!((report.per_node[0].sent_bytes_per_s - 450.0).abs() < 1e-9);

    let table = report.to_string();
    for needle in [
        "10 nodes",
        "link delay",
        "probe beacon@90%",
        "sent bytes/s",
        "round_start",
        "audit ",
    ] {
        assert!(table.contains(needle), "table lacks {needle:?}:\n{table}");
    }
    assert!(table.contains(&sim.audit_hash().to_hex()));

    let csv = report.nodes_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 11);
    assert!(lines[0].starts_with("node,sent_msgs,sent_bytes,"));
    assert!(lines[1].starts_with("0,45,4500,0,0,0,0,0,5,"));
    let hist = report.histograms_csv();
    assert!(
        hist.lines()
            .any(|l| l.starts_with("probe beacon@90%,5,50,50,50,50,50,50"))
    );

    let json: serde_json::Value = serde_json::from_str(&report.to_json().unwrap()).unwrap();
    assert_eq!(json["nodes"], 10);
    assert_eq!(json["deliveries"], 45);
    assert_eq!(json["per_node"][0]["sent_bytes"], 4500);
    assert_eq!(json["probes"][0]["ms"]["max"], 50);
    assert_eq!(json["audit_hash"], sim.audit_hash().to_hex());
}
