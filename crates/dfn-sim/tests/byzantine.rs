//! Byzantine nodes are just other node implementations: as variants of an
//! enum node type, or mixed in as `Box<dyn Node>`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, VecDeque};

use dfn_sim::{AuditSink, Node, NodeId, Output, SimConfig, SimEvent, SimMessage, Simulation, Time};

/// A vote for a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Vote(u8);

impl SimMessage for Vote {
    fn wire_len(&self) -> usize {
        1
    }

    fn audit(&self, sink: &mut AuditSink) {
        sink.write_u8(self.0);
    }
}

/// A node decided the value most of the votes it received are for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Decided(u8);

impl SimEvent for Decided {
    fn label(&self) -> &'static str {
        "decided"
    }

    fn instance(&self) -> Option<u64> {
        Some(0)
    }

    fn audit(&self, sink: &mut AuditSink) {
        sink.write_u8(self.0);
    }
}

/// Broadcasts its vote at time 0; once it has heard `n - 1` votes, decides
/// the most frequent value (its own included), lowest on ties.
struct Honest {
    n: usize,
    own: u8,
    votes: BTreeMap<u8, usize>,
    heard: usize,
    started: bool,
    out: VecDeque<Output<Vote, Decided>>,
}

impl Honest {
    fn new(n: usize, own: u8) -> Honest {
        Honest {
            n,
            own,
            votes: BTreeMap::from([(own, 1)]),
            heard: 0,
            started: false,
            out: VecDeque::new(),
        }
    }
}

impl Node for Honest {
    type Message = Vote;
    type Event = Decided;

    fn handle_message(&mut self, _now: Time, _from: NodeId, msg: Vote) {
        *self.votes.entry(msg.0).or_default() += 1;
        self.heard += 1;
        if self.heard == self.n - 1 {
            let best = self
                .votes
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(v, _)| *v)
                .unwrap();
            self.out.push_back(Output::Event(Decided(best)));
        }
    }

    fn handle_timeout(&mut self, _now: Time) {
        self.started = true;
        self.out.push_back(Output::Broadcast(Vote(self.own)));
    }

    fn poll_output(&mut self) -> Option<Output<Vote, Decided>> {
        self.out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Time> {
        (!self.started).then_some(Time::ZERO)
    }
}

/// Equivocates: tells each node a different value (its id mod 3), one
/// copy at a time.
struct Equivocator {
    id: u32,
    n: u32,
    started: bool,
    out: VecDeque<Output<Vote, Decided>>,
}

impl Node for Equivocator {
    type Message = Vote;
    type Event = Decided;

    fn handle_message(&mut self, _now: Time, _from: NodeId, _msg: Vote) {}

    fn handle_timeout(&mut self, _now: Time) {
        self.started = true;
        for to in (0..self.n).filter(|&to| to != self.id) {
            let value = u8::try_from(to % 3).unwrap();
            self.out.push_back(Output::Send {
                to: NodeId(to),
                msg: Vote(value),
            });
        }
    }

    fn poll_output(&mut self) -> Option<Output<Vote, Decided>> {
        self.out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Time> {
        (!self.started).then_some(Time::ZERO)
    }
}

/// The enum way: one node type with honest and faulty variants.
enum Participant {
    Honest(Honest),
    Byzantine(Equivocator),
}

impl Node for Participant {
    type Message = Vote;
    type Event = Decided;

    fn handle_message(&mut self, now: Time, from: NodeId, msg: Vote) {
        match self {
            Participant::Honest(h) => h.handle_message(now, from, msg),
            Participant::Byzantine(b) => b.handle_message(now, from, msg),
        }
    }

    fn handle_timeout(&mut self, now: Time) {
        match self {
            Participant::Honest(h) => h.handle_timeout(now),
            Participant::Byzantine(b) => b.handle_timeout(now),
        }
    }

    fn poll_output(&mut self) -> Option<Output<Vote, Decided>> {
        match self {
            Participant::Honest(h) => h.poll_output(),
            Participant::Byzantine(b) => b.poll_output(),
        }
    }

    fn poll_timeout(&self) -> Option<Time> {
        match self {
            Participant::Honest(h) => h.poll_timeout(),
            Participant::Byzantine(b) => b.poll_timeout(),
        }
    }
}

const N: u32 = 10;

/// Honest nodes 0..7 vote 1, except node 6 which votes 2; nodes 7, 8, 9
/// equivocate.
fn is_byzantine(i: u32) -> bool {
    i >= 7
}

fn honest_vote(i: u32) -> u8 {
    if i == 6 { 2 } else { 1 }
}

fn decisions<N2: Node<Event = Decided>>(sim: &mut Simulation<N2>) -> Vec<(NodeId, u8)> {
    let mut d: Vec<(NodeId, u8)> = sim
        .take_events()
        .into_iter()
        .map(|r| (r.node, r.event.0))
        .collect();
    d.sort();
    d
}

#[test]
fn enum_node_type_mixes_honest_and_byzantine() {
    let nodes = (0..N)
        .map(|i| {
            if is_byzantine(i) {
                Participant::Byzantine(Equivocator {
                    id: i,
                    n: N,
                    started: false,
                    out: VecDeque::new(),
                })
            } else {
                Participant::Honest(Honest::new(N as usize, honest_vote(i)))
            }
        })
        .collect();
    let mut sim = Simulation::new(SimConfig::new(1).keeping_events(), nodes).unwrap();
    sim.run_until_quiet(Time::MAX);
    let d = decisions(&mut sim);
    // Every honest node decides, on 1 (6 honest votes of 1 outweigh any
    // three equivocated votes); the equivocators report nothing.
    assert_eq!(d, (0..7).map(|i| (NodeId(i), 1)).collect::<Vec<_>>());
    // The equivocators sent one copy to each other node, through Send.
    for i in 7..N {
        assert_eq!(
            sim.metrics().nodes()[i as usize].sent_msgs,
            u64::from(N - 1)
        );
    }
}

#[test]
fn boxed_nodes_mix_honest_and_byzantine() {
    let nodes: Vec<Box<dyn Node<Message = Vote, Event = Decided>>> = (0..N)
        .map(|i| -> Box<dyn Node<Message = Vote, Event = Decided>> {
            if is_byzantine(i) {
                Box::new(Equivocator {
                    id: i,
                    n: N,
                    started: false,
                    out: VecDeque::new(),
                })
            } else {
                Box::new(Honest::new(N as usize, honest_vote(i)))
            }
        })
        .collect();
    let mut sim = Simulation::new(SimConfig::new(1).keeping_events(), nodes).unwrap();
    sim.run_until_quiet(Time::MAX);
    assert_eq!(
        decisions(&mut sim),
        (0..7).map(|i| (NodeId(i), 1)).collect::<Vec<_>>()
    );
}

#[test]
fn byzantine_majority_splits_honest_nodes() {
    // With 7 equivocators among 10, the equivocation decides: honest nodes
    // hear different values and disagree. The simulator does not care.
    let nodes = (0..N)
        .map(|i| -> Box<dyn Node<Message = Vote, Event = Decided>> {
            if i >= 3 {
                Box::new(Equivocator {
                    id: i,
                    n: N,
                    started: false,
                    out: VecDeque::new(),
                })
            } else {
                Box::new(Honest::new(N as usize, 1))
            }
        })
        .collect();
    let mut sim = Simulation::new(SimConfig::new(1).keeping_events(), nodes).unwrap();
    sim.run_until_quiet(Time::MAX);
    let d = decisions(&mut sim);
    // Node 0 hears 7 votes for 0; node 1 hears 7 for 1; node 2 hears 7 for 2.
    assert_eq!(d, vec![(NodeId(0), 0), (NodeId(1), 1), (NodeId(2), 2)]);
}
