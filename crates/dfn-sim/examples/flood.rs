//! Rounds of gossip broadcast across 2,000 nodes on five continents, with
//! crashes and a partition; prints the report.
//!
//! Every second a leader (round number mod n) reports `round_start` and
//! broadcasts the round over the gossip overlay; every node reports
//! `beacon` for the round when the broadcast reaches it. A probe measures
//! the time from round start to 90% of the nodes.
//!
//! ```text
//! cargo run --release -p dfn-sim --example flood [-- SEED [CSV_PATH [JSON_PATH]]]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;

use dfn_sim::{
    AuditSink, Bandwidth, BroadcastMode, Fault, Geo, Node, NodeId, Output, Placement, Probe,
    ProbeStart, SimConfig, SimEvent, SimMessage, Simulation, Time,
};

const NODES: u32 = 2000;
const ROUNDS: u64 = 20;

/// A round announcement: the round number padded to a share-sized message.
#[derive(Clone, Copy, Debug)]
struct Announce {
    round: u64,
}

impl SimMessage for Announce {
    fn wire_len(&self) -> usize {
        84 // the slide's share message size
    }

    fn audit(&self, sink: &mut AuditSink) {
        sink.write_u64(self.round);
    }
}

enum Seen {
    RoundStart(u64),
    Beacon(u64),
}

impl SimEvent for Seen {
    fn label(&self) -> &'static str {
        match self {
            Seen::RoundStart(_) => "round_start",
            Seen::Beacon(_) => "beacon",
        }
    }

    fn instance(&self) -> Option<u64> {
        match self {
            Seen::RoundStart(r) | Seen::Beacon(r) => Some(*r),
        }
    }
}

struct Member {
    id: u64,
    next_round: u64,
    out: VecDeque<Output<Announce, Seen>>,
}

impl Member {
    /// The next round this node leads, at or after `from`.
    fn lead_after(id: u64, from: u64) -> u64 {
        let n = u64::from(NODES);
        from + (id + n - from % n) % n
    }
}

impl Node for Member {
    type Message = Announce;
    type Event = Seen;

    fn handle_message(&mut self, _now: Time, _from: NodeId, msg: Announce) {
        self.out.push_back(Output::Event(Seen::Beacon(msg.round)));
    }

    fn handle_timeout(&mut self, _now: Time) {
        let round = self.next_round;
        self.out.push_back(Output::Event(Seen::RoundStart(round)));
        self.out.push_back(Output::Event(Seen::Beacon(round)));
        self.out.push_back(Output::Broadcast(Announce { round }));
        self.next_round = Member::lead_after(self.id, round + 1);
    }

    fn poll_output(&mut self) -> Option<Output<Announce, Seen>> {
        self.out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Time> {
        (self.next_round >= 1 && self.next_round <= ROUNDS)
            .then(|| Time::from_secs(self.next_round))
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let seed: u64 = args.next().map_or(1, |s| s.parse().expect("seed: a u64"));
    let csv_path = args.next();
    let json_path = args.next();

    let config = SimConfig::new(seed)
        .with_geo(Geo::continents().with_placement(Placement::Random))
        .with_broadcast(BroadcastMode::Gossip { fanout: 4 })
        .with_uplink(Bandwidth::mbit_per_s(100).unwrap());
    let nodes = (0..u64::from(NODES))
        .map(|id| Member {
            id,
            next_round: Member::lead_after(id, 1),
            out: VecDeque::new(),
        })
        .collect();
    let mut sim = Simulation::new(config, nodes).unwrap();
    sim.add_probe(Probe::new(
        "beacon@90%",
        ProbeStart::FirstEvent("round_start"),
        "beacon",
        900,
    ));
    sim.add_probe(Probe::new(
        "beacon@50%",
        ProbeStart::FirstEvent("round_start"),
        "beacon",
        500,
    ));
    // 5% of the nodes crash at 5 s; half of them come back at 12 s.
    for i in (0..NODES).step_by(20) {
        sim.schedule(Time::from_secs(5), Fault::Crash(NodeId(i)))
            .unwrap();
        if i % 40 == 0 {
            sim.schedule(
                Time::from_secs(12),
                Fault::Restart(NodeId(i), dfn_sim::Restart::Resume),
            )
            .unwrap();
        }
    }
    // A quarter of the network is cut off from 8 s to 10 s.
    let cut: Vec<NodeId> = (0..NODES / 4).map(|i| NodeId(i * 4 + 1)).collect();
    sim.schedule(Time::from_secs(8), Fault::Partition(vec![cut]))
        .unwrap();
    sim.schedule(Time::from_secs(10), Fault::Heal).unwrap();

    sim.run_until(Time::from_secs(ROUNDS + 2));
    let report = sim.report();
    println!("{report}");
    if let Some(path) = csv_path {
        std::fs::write(&path, report.nodes_csv()).expect("write CSV");
        println!("per-node CSV written to {path}");
    }
    if let Some(path) = json_path {
        std::fs::write(&path, report.to_json().expect("JSON")).expect("write JSON");
        println!("JSON report written to {path}");
    }
}
