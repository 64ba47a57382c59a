//! Node types shared by the integration tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::VecDeque;

use dfn_sim::{AuditSink, Node, NodeId, Output, SimEvent, SimMessage, Time, derive_seed};

/// A test message: a tag, the time it was created, and a wire size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Msg {
    pub tag: u32,
    pub sent: Time,
    pub size: u32,
}

impl Msg {
    pub fn new(tag: u32, sent: Time) -> Msg {
        Msg {
            tag,
            sent,
            size: 16,
        }
    }

    pub fn sized(tag: u32, sent: Time, size: u32) -> Msg {
        Msg { tag, sent, size }
    }
}

impl SimMessage for Msg {
    fn wire_len(&self) -> usize {
        self.size as usize
    }

    fn audit(&self, sink: &mut AuditSink) {
        sink.write_u32(self.tag);
        sink.write_u64(self.sent.as_millis());
        sink.write_u32(self.size);
    }
}

/// A test event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub label: &'static str,
    pub instance: Option<u64>,
}

impl Note {
    pub fn new(label: &'static str, instance: Option<u64>) -> Note {
        Note { label, instance }
    }
}

impl SimEvent for Note {
    fn label(&self) -> &'static str {
        self.label
    }

    fn instance(&self) -> Option<u64> {
        self.instance
    }
}

/// What a scripted node does at a given time.
#[derive(Clone, Debug)]
pub enum Step {
    Send(NodeId, Msg),
    Broadcast(Msg),
    Event(Note),
}

pub const PING: u32 = 1;
pub const PONG: u32 = 2;

/// A node that follows a script of timed outputs, answers pings with pongs
/// when `echo` is set, and records everything it receives.
#[derive(Clone, Debug)]
pub struct Scripted {
    pub id: NodeId,
    script: Vec<(Time, Step)>,
    next: usize,
    pub echo: bool,
    pub received: Vec<(Time, NodeId, Msg)>,
    pub timeouts: Vec<Time>,
    out: VecDeque<Output<Msg, Note>>,
}

impl Scripted {
    pub fn new(id: u32) -> Scripted {
        Scripted {
            id: NodeId(id),
            script: Vec::new(),
            next: 0,
            echo: false,
            received: Vec::new(),
            timeouts: Vec::new(),
            out: VecDeque::new(),
        }
    }

    pub fn nodes(n: u32) -> Vec<Scripted> {
        (0..n).map(Scripted::new).collect()
    }

    /// Add a step at time `t` (steps must be added in time order).
    pub fn at(mut self, t: u64, step: Step) -> Scripted {
        self.push(t, step);
        self
    }

    pub fn push(&mut self, t: u64, step: Step) {
        assert!(
            self.script
                .last()
                .is_none_or(|(last, _)| last.as_millis() <= t)
        );
        self.script.push((Time::from_millis(t), step));
    }

    pub fn echoing(mut self) -> Scripted {
        self.echo = true;
        self
    }

    /// Queue an output now (for `Simulation::with_node`).
    pub fn emit(&mut self, out: Output<Msg, Note>) {
        self.out.push_back(out);
    }
}

impl Node for Scripted {
    type Message = Msg;
    type Event = Note;

    fn handle_message(&mut self, now: Time, from: NodeId, msg: Msg) {
        self.received.push((now, from, msg));
        if self.echo && msg.tag == PING {
            self.out.push_back(Output::Send {
                to: from,
                msg: Msg::new(PONG, now),
            });
        }
    }

    fn handle_timeout(&mut self, now: Time) {
        self.timeouts.push(now);
        while let Some((t, step)) = self.script.get(self.next) {
            if *t > now {
                break;
            }
            let out = match step.clone() {
                Step::Send(to, msg) => Output::Send { to, msg },
                Step::Broadcast(msg) => Output::Broadcast(msg),
                Step::Event(note) => Output::Event(note),
            };
            self.out.push_back(out);
            self.next += 1;
        }
    }

    fn poll_output(&mut self) -> Option<Output<Msg, Note>> {
        self.out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Time> {
        self.script.get(self.next).map(|(t, _)| *t)
    }
}

/// A small randomized protocol for determinism tests: every `period` ms
/// (offset by its own seed) a node broadcasts a round message; a node
/// receiving a round message for the first time reports it, and with
/// probability 1/4 (its own seeded choice) pings the origin, which answers.
#[derive(Clone, Debug)]
pub struct Chatter {
    pub id: u32,
    pub period: u64,
    pub rounds: u32,
    round: u32,
    next: Time,
    state: u64,
    pub heard: Vec<(Time, NodeId, Msg)>,
    seen_rounds: Vec<u32>,
    out: VecDeque<Output<Msg, Note>>,
}

impl Chatter {
    pub fn new(id: u32, seed: u64, period: u64, rounds: u32) -> Chatter {
        let state = derive_seed(seed, "chatter", u64::from(id)) | 1;
        Chatter {
            id,
            period,
            rounds,
            round: 0,
            next: Time::from_millis(state % period),
            state,
            heard: Vec::new(),
            seen_rounds: Vec::new(),
            out: VecDeque::new(),
        }
    }

    fn rand(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        x
    }
}

impl Node for Chatter {
    type Message = Msg;
    type Event = Note;

    fn handle_message(&mut self, now: Time, from: NodeId, msg: Msg) {
        self.heard.push((now, from, msg));
        match msg.tag {
            PING => self.out.push_back(Output::Send {
                to: from,
                msg: Msg::new(PONG, now),
            }),
            PONG => self.out.push_back(Output::Event(Note::new("pong", None))),
            round => {
                let key = round * 1_000_003 + from.0;
                if !self.seen_rounds.contains(&key) {
                    self.seen_rounds.push(key);
                    self.out
                        .push_back(Output::Event(Note::new("round", Some(u64::from(round)))));
                    if self.rand() % 4 == 0 {
                        self.out.push_back(Output::Send {
                            to: from,
                            msg: Msg::new(PING, now),
                        });
                    }
                }
            }
        }
    }

    fn handle_timeout(&mut self, now: Time) {
        self.round += 1;
        self.out
            .push_back(Output::Broadcast(Msg::sized(100 + self.round, now, 200)));
        self.next = now + self.period;
    }

    fn poll_output(&mut self) -> Option<Output<Msg, Note>> {
        self.out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Time> {
        (self.round < self.rounds).then_some(self.next)
    }
}

/// Mean and standard deviation.
pub fn mean_sd(xs: &[u64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().map(|&x| x as f64).sum::<f64>() / n;
    let var = xs.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}
