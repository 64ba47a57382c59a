//! A simulated process: a chain node (beacon inside) whose host answers
//! payload requests and checks with the shared ledger.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

use dfn_beacon::{BeaconEvent, GroupId, ProcessId};
use dfn_crypto::MinSig;
use dfn_psp::{BlockHash, ChainEvent, Output, PspMessage, PspNode};
use dfn_sim::{AuditSink, Node, NodeId, SimEvent, SimMessage, Time};

use crate::ledger::Ledger;

pub type V = MinSig;

/// A message in flight; encoded once for the audit hash, however many
/// copies travel.
#[derive(Clone, Debug)]
pub struct Msg(PspMessage<V>, Arc<OnceLock<Vec<u8>>>);

impl Msg {
    fn new(message: PspMessage<V>) -> Self {
        Msg(message, Arc::default())
    }
}

impl SimMessage for Msg {
    fn wire_len(&self) -> usize {
        self.0.encoded_len()
    }
    fn audit(&self, sink: &mut AuditSink) {
        sink.write(self.1.get_or_init(|| self.0.to_bytes()));
    }
}

/// What the simulator records.
#[derive(Debug)]
pub enum Ev {
    Finalized { height: u64, hash: BlockHash },
}

impl SimEvent for Ev {
    fn label(&self) -> &'static str {
        "finalized"
    }
    fn instance(&self) -> Option<u64> {
        let Ev::Finalized { height, .. } = self;
        Some(*height)
    }
    fn audit(&self, sink: &mut AuditSink) {
        let Ev::Finalized { height, hash } = self;
        sink.write_u64(*height);
        sink.write(&hash.0);
    }
}

/// Who is where.
pub struct Directory {
    pub groups: BTreeMap<GroupId, Vec<NodeId>>,
    pub nodes: HashMap<ProcessId, NodeId>,
    pub ids: Vec<ProcessId>,
}

pub struct Process {
    pub node: PspNode<V>,
    pub me: NodeId,
    dir: Arc<Directory>,
    ledger: Arc<Mutex<Ledger>>,
    out: VecDeque<dfn_sim::Output<Msg, Ev>>,
    /// When each height was entered.
    pub entered: BTreeMap<u64, Time>,
    /// Finalized blocks and their transaction counts, in order.
    pub finalized: Vec<(u64, BlockHash, usize)>,
    /// When each height was finalized.
    pub finalized_at: BTreeMap<u64, Time>,
    /// The latest beacon value's randomness.
    pub beacon: Option<(u64, [u8; 32])>,
    pub alarms: usize,
}

fn ct(t: Time) -> dfn_crypto::Time {
    dfn_crypto::Time::from_millis(t.as_millis())
}

impl Process {
    pub fn new(
        node: PspNode<V>,
        me: NodeId,
        dir: Arc<Directory>,
        ledger: Arc<Mutex<Ledger>>,
    ) -> Self {
        Self {
            node,
            me,
            dir,
            ledger,
            out: VecDeque::new(),
            entered: BTreeMap::new(),
            finalized: Vec::new(),
            finalized_at: BTreeMap::new(),
            beacon: None,
            alarms: 0,
        }
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn pump(&mut self, now: Time) {
        while let Some(output) = self.node.poll_output() {
            match output {
                Output::ToGroup { group, message } => {
                    let msg = Msg::new(message);
                    let members = self.dir.groups.get(&group).cloned().unwrap_or_default();
                    for to in members.into_iter().filter(|to| *to != self.me) {
                        self.out.push_back(dfn_sim::Output::Send {
                            to,
                            msg: msg.clone(),
                        });
                    }
                }
                Output::Broadcast(message) => {
                    self.out
                        .push_back(dfn_sim::Output::Broadcast(Msg::new(message)));
                }
                Output::Send { to, message } => {
                    if let Some(to) = self.dir.nodes.get(&to).copied() {
                        self.out.push_back(dfn_sim::Output::Send {
                            to,
                            msg: Msg::new(message),
                        });
                    }
                }
                Output::RequestPayload { height, parent } => {
                    let made = {
                        let mut ledger = self.ledger();
                        ledger.propose(&parent, height).and_then(|payload| {
                            let (root, _) = ledger.execute(None, &parent, height, &payload).ok()?;
                            Some((payload, root))
                        })
                    };
                    if let Some((payload, root)) = made {
                        self.node
                            .provide_payload(ct(now), height, parent, payload, root.0);
                    }
                }
                Output::ValidatePayload(block) => {
                    let valid = self
                        .ledger()
                        .execute(
                            Some(block.hash()),
                            &block.parent(),
                            block.height(),
                            block.payload(),
                        )
                        .is_ok_and(|(root, _)| root.0 == block.state_root());
                    self.node.payload_checked(ct(now), block.hash(), valid);
                }
                Output::Event(ChainEvent::Height { height, .. }) => {
                    self.entered.insert(height, now);
                }
                Output::Event(ChainEvent::Finalized(block)) => {
                    // A block linked by catch-up was never validated here:
                    // run it (once, in the shared ledger) to know its state.
                    let txs = self
                        .ledger()
                        .execute(
                            Some(block.hash()),
                            &block.parent(),
                            block.height(),
                            block.payload(),
                        )
                        .map_or(0, |(_, txs)| txs);
                    self.finalized.push((block.height(), block.hash(), txs));
                    self.finalized_at.insert(block.height(), now);
                    self.out.push_back(dfn_sim::Output::Event(Ev::Finalized {
                        height: block.height(),
                        hash: block.hash(),
                    }));
                }
                Output::Event(ChainEvent::Beacon(BeaconEvent::Value(v))) => {
                    self.beacon = Some((v.height, v.randomness));
                }
                Output::Event(ChainEvent::FinalityAlarm(_)) => self.alarms += 1,
                _ => {}
            }
        }
    }
}

impl Node for Process {
    type Message = Msg;
    type Event = Ev;

    fn handle_message(&mut self, now: Time, from: NodeId, msg: Msg) {
        let from = self.dir.ids.get(from.0 as usize).copied();
        self.node.handle_message(ct(now), from, msg.0);
        self.pump(now);
    }

    fn handle_timeout(&mut self, now: Time) {
        if now == Time::ZERO && self.node.height() == 1 {
            self.node.start(ct(now));
        }
        self.node.handle_timeout(ct(now));
        self.pump(now);
    }

    fn poll_output(&mut self) -> Option<dfn_sim::Output<Msg, Ev>> {
        self.out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Time> {
        let node = self
            .node
            .poll_timeout()
            .map(|t| Time::from_millis(t.as_millis()));
        let start = (self.node.height() == 1 && node.is_none()).then_some(Time::ZERO);
        node.or(start)
    }
}
