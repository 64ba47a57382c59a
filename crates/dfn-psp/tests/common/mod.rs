//! A dfn-sim host for PSP nodes: processes with behaviours (honest and
//! several kinds of faulty), trusted-dealer groups, memoizing signature
//! checks shared by all simulated processes (every distinct check still
//! runs once, for real), and what each process finalized.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs,
    dead_code
)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, OnceLock};

use dfn_beacon::{GroupId, GroupMember, ProcessId};
use dfn_crypto::threshold::SecretKeyShare;
use dfn_crypto::{MinSig, SecretKey};
use dfn_psp::{
    Block, BlockHash, ChainEvent, MemoChecks, NotarizationShare, Output, Proposal, PspConfig,
    PspMessage, PspNode, notary_hash,
};
use dfn_sim::{AuditSink, Node, NodeId, SimEvent, SimMessage, Time};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sha2::{Digest, Sha256};

pub type V = MinSig;
pub const GENESIS: [u8; 32] = *b"dfn psp simulation genesis seed!";

/// What a process does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    Honest,
    /// Never makes a block (otherwise honest).
    SilentMaker,
    /// Makes two different blocks in its slot.
    Equivocator,
    /// Makes blocks whose payload every host judges invalid.
    BadPayload,
    /// Signs a notarization share for every block it receives, at once,
    /// in every group it is in.
    SignsEverything,
    /// Never sends its notarization shares.
    WithholdsShares,
    /// Sends everything this many ms late.
    Slow(u64),
}

/// A message in flight; its encoding (for the audit hash) is computed once
/// per message, not once per copy.
#[derive(Clone, Debug)]
pub struct Msg(pub PspMessage<V>, Arc<OnceLock<Vec<u8>>>);

impl Msg {
    pub fn new(message: PspMessage<V>) -> Self {
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

#[derive(Debug)]
pub enum Ev {
    Height { height: u64 },
    Finalized { height: u64, hash: BlockHash },
    Alarm,
    Equivocation,
    InvalidShare,
    Stalled { height: u64 },
}

impl SimEvent for Ev {
    fn label(&self) -> &'static str {
        match self {
            Ev::Height { .. } => "height",
            Ev::Finalized { .. } => "finalized",
            Ev::Alarm => "alarm",
            Ev::Equivocation => "equivocation",
            Ev::InvalidShare => "invalid-share",
            Ev::Stalled { .. } => "stall",
        }
    }
    fn instance(&self) -> Option<u64> {
        match self {
            Ev::Height { height } | Ev::Finalized { height, .. } | Ev::Stalled { height } => {
                Some(*height)
            }
            _ => None,
        }
    }
    fn audit(&self, sink: &mut AuditSink) {
        match self {
            Ev::Height { height } | Ev::Stalled { height } => sink.write_u64(*height),
            Ev::Finalized { height, hash } => {
                sink.write_u64(*height);
                sink.write(&hash.0);
            }
            _ => sink.write_u32(0),
        }
    }
}

/// The network's static facts, shared by every process.
pub struct Directory {
    pub groups: BTreeMap<GroupId, Vec<NodeId>>,
    pub nodes: HashMap<ProcessId, NodeId>,
    pub ids: Vec<ProcessId>,
}

pub struct Process {
    pub node: PspNode<V>,
    pub behaviour: Behaviour,
    identity: SecretKey<V>,
    shares: BTreeMap<GroupId, SecretKeyShare<V>>,
    dir: Arc<Directory>,
    pub me: NodeId,
    held: VecDeque<(Time, dfn_sim::Output<Msg, Ev>)>,
    out: VecDeque<dfn_sim::Output<Msg, Ev>>,
    /// Finalized blocks in the order reported.
    pub finalized: Vec<(u64, BlockHash)>,
    /// When each height was entered.
    pub entered: BTreeMap<u64, Time>,
    /// When each height was finalized here.
    pub finalized_at: BTreeMap<u64, Time>,
    pub alarms: usize,
    /// Lost blocks this process asked for again (`ChainEvent::Refetch`).
    pub refetches: usize,
    pub stop_at: u64,
    /// Whether `PspNode::start` was called: at the run's start, or when
    /// the simulator built this process again for a fresh restart.
    started: bool,
}

fn ct(t: Time) -> dfn_crypto::Time {
    dfn_crypto::Time::from_millis(t.as_millis())
}

impl Process {
    fn emit(&mut self, now: Time, o: dfn_sim::Output<Msg, Ev>) {
        match self.behaviour {
            Behaviour::Slow(d) if !matches!(o, dfn_sim::Output::Event(_)) => {
                self.held.push_back((now.saturating_add(d), o));
            }
            _ => self.out.push_back(o),
        }
    }

    fn send_to_group(&mut self, now: Time, group: GroupId, message: PspMessage<V>) {
        let members = self.dir.groups.get(&group).cloned().unwrap_or_default();
        // One message, one encoding, many copies.
        let msg = Msg::new(message);
        for to in members {
            if to != self.me {
                self.emit(
                    now,
                    dfn_sim::Output::Send {
                        to,
                        msg: msg.clone(),
                    },
                );
            }
        }
    }

    fn pump(&mut self, now: Time) {
        while let Some(output) = self.node.poll_output() {
            match output {
                Output::ToGroup { group, message } => {
                    if self.behaviour == Behaviour::WithholdsShares
                        && matches!(message, PspMessage::Share(_))
                    {
                        continue;
                    }
                    self.send_to_group(now, group, message);
                }
                Output::Broadcast(message) => {
                    self.emit(now, dfn_sim::Output::Broadcast(Msg::new(message)));
                }
                Output::Send { to, message } => {
                    if let Some(to) = self.dir.nodes.get(&to).copied() {
                        self.emit(
                            now,
                            dfn_sim::Output::Send {
                                to,
                                msg: Msg::new(message),
                            },
                        );
                    }
                }
                Output::RequestPayload { height, parent } => self.make(now, height, parent),
                Output::ValidatePayload(block) => {
                    let valid = block.payload().first() != Some(&0xFF);
                    self.node.payload_checked(ct(now), block.hash(), valid);
                }
                Output::Event(e) => self.record(now, e),
                _ => {}
            }
        }
    }

    fn make(&mut self, now: Time, height: u64, parent: BlockHash) {
        let mut payload = format!("block {height} by {}", self.me.0).into_bytes();
        match self.behaviour {
            Behaviour::SilentMaker => return,
            Behaviour::BadPayload => payload.insert(0, 0xFF),
            Behaviour::Equivocator => {
                // A second block in the same slot, different payload.
                let slot = self.node.slot_at(height).unwrap();
                let mut other = payload.clone();
                other.extend_from_slice(b" (the other one)");
                let root: [u8; 32] = Sha256::digest(&other).into();
                let second = Block::sign(
                    Proposal {
                        height,
                        parent,
                        slot,
                        maker: self.node.id(),
                        state_root: root,
                        payload: other,
                    },
                    &self.identity,
                );
                self.emit(
                    now,
                    dfn_sim::Output::Broadcast(Msg::new(PspMessage::Block(Arc::new(second)))),
                );
            }
            _ => {}
        }
        let root: [u8; 32] = Sha256::digest(&payload).into();
        self.node
            .provide_payload(ct(now), height, parent, payload, root);
    }

    fn record(&mut self, now: Time, e: ChainEvent<V>) {
        let ev = match e {
            ChainEvent::Height { height, .. } => {
                self.entered.insert(height, now);
                Ev::Height { height }
            }
            ChainEvent::Finalized(b) => {
                self.finalized.push((b.height(), b.hash()));
                self.finalized_at.insert(b.height(), now);
                Ev::Finalized {
                    height: b.height(),
                    hash: b.hash(),
                }
            }
            ChainEvent::FinalityAlarm(_) => {
                self.alarms += 1;
                Ev::Alarm
            }
            ChainEvent::Evidence(dfn_psp::Evidence::Equivocation { .. }) => Ev::Equivocation,
            ChainEvent::Evidence(_) => Ev::InvalidShare,
            ChainEvent::Stalled { height } => Ev::Stalled { height },
            ChainEvent::Refetch { .. } => {
                self.refetches += 1;
                return;
            }
            _ => return,
        };
        self.out.push_back(dfn_sim::Output::Event(ev));
    }

    /// A faulty notary's shares on any block, in every group it is in.
    fn sign_everything(&mut self, now: Time, block: &Block<V>) {
        let groups: Vec<(GroupId, SecretKeyShare<V>)> =
            self.shares.iter().map(|(g, s)| (*g, s.clone())).collect();
        for (group, share) in groups {
            let s = share.sign_hash(&notary_hash::<V>(block.height(), &block.hash()));
            let m = NotarizationShare::new(block.height(), block.hash(), group, s, &self.identity);
            self.send_to_group(now, group, PspMessage::Share(m));
        }
    }

    pub fn done(&self) -> bool {
        self.finalized
            .last()
            .is_some_and(|(h, _)| *h >= self.stop_at)
    }
}

impl Node for Process {
    type Message = Msg;
    type Event = Ev;

    fn handle_message(&mut self, now: Time, from: NodeId, msg: Msg) {
        if self.done() {
            return;
        }
        if self.behaviour == Behaviour::SignsEverything {
            if let PspMessage::Block(b) = &msg.0 {
                let b = Arc::clone(b);
                self.sign_everything(now, &b);
            }
        }
        let from = self.dir.ids.get(from.0 as usize).copied();
        self.node.handle_message(ct(now), from, msg.0);
        self.pump(now);
    }

    fn handle_timeout(&mut self, now: Time) {
        if !self.started {
            self.started = true;
            self.node.start(ct(now));
        }
        while self.held.front().is_some_and(|(at, _)| *at <= now) {
            if let Some((_, o)) = self.held.pop_front() {
                self.out.push_back(o);
            }
        }
        self.node.handle_timeout(ct(now));
        self.pump(now);
    }

    fn poll_output(&mut self) -> Option<dfn_sim::Output<Msg, Ev>> {
        self.out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Time> {
        if self.done() {
            return None;
        }
        let node = self
            .node
            .poll_timeout()
            .map(|t| Time::from_millis(t.as_millis()));
        let start = (!self.started).then_some(Time::ZERO);
        let held = self.held.front().map(|(at, _)| *at);
        [node, start, held].into_iter().flatten().min()
    }
}

/// The shape of a network.
#[derive(Clone)]
pub struct Network {
    pub processes: usize,
    pub groups: usize,
    pub group_size: usize,
    pub threshold: u32,
    pub config: PspConfig,
    pub stop_at: u64,
}

/// `net.processes` processes in `net.groups` groups (members drawn by the
/// beacon's group formation, keys from a trusted dealer).
pub fn build(net: &Network, seed: u64, behaviour: impl Fn(usize) -> Behaviour) -> Vec<Process> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let identities: Vec<SecretKey<V>> = (0..net.processes)
        .map(|_| SecretKey::random(&mut rng))
        .collect();
    let members: Vec<GroupMember<V>> = identities
        .iter()
        .map(|k| GroupMember {
            id: ProcessId::of(&k.public_key()),
            key: k.public_key(),
        })
        .collect();
    let seed = dfn_beacon::formation_seed(&GENESIS, 0);
    let mut dealt = dfn_beacon::deal_groups(
        &members,
        &seed,
        net.group_size,
        net.groups,
        net.threshold,
        &mut rng,
    )
    .unwrap();
    let dir = Arc::new(Directory {
        groups: dealt
            .membership()
            .map(|(g, at)| (g, at.iter().map(|p| NodeId(*p as u32)).collect()))
            .collect(),
        nodes: members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id, NodeId(i as u32)))
            .collect(),
        ids: members.iter().map(|m| m.id).collect(),
    });
    let set = Arc::new(dealt.set);
    let processes = Arc::new(dfn_psp::Processes::new(members));
    let checks = Arc::new(MemoChecks::default());
    identities
        .into_iter()
        .enumerate()
        .map(|(p, identity)| {
            let mut node = PspNode::new(
                net.config,
                identity.clone(),
                Arc::clone(&processes),
                &mut rng,
            )
            .unwrap()
            .with_checks(checks.clone(), checks.clone());
            node.install_groups(dfn_crypto::Time::ZERO, 1, Arc::clone(&set));
            let shares = std::mem::take(&mut dealt.shares[p]);
            for (group, share) in &shares {
                node.add_group_share(*group, share.clone());
            }
            Process {
                node,
                behaviour: behaviour(p),
                identity,
                shares,
                dir: Arc::clone(&dir),
                me: NodeId(p as u32),
                held: VecDeque::new(),
                out: VecDeque::new(),
                finalized: Vec::new(),
                entered: BTreeMap::new(),
                finalized_at: BTreeMap::new(),
                alarms: 0,
                refetches: 0,
                stop_at: net.stop_at,
                started: false,
            }
        })
        .collect()
}

/// Safety: every honest process's finalized blocks come in height order,
/// each height once, contiguous from 1, and any two honest processes agree
/// on every height both finalized (so one chain is a prefix of the other).
/// Returns the lowest finalized height over the honest processes.
pub fn check_safety<'a>(processes: impl Iterator<Item = &'a Process>) -> u64 {
    let mut reference: BTreeMap<u64, BlockHash> = BTreeMap::new();
    let mut lowest = u64::MAX;
    for p in processes {
        assert_eq!(p.alarms, 0, "process {:?} raised a finality alarm", p.me);
        for (i, (h, hash)) in p.finalized.iter().enumerate() {
            assert_eq!(
                *h,
                i as u64 + 1,
                "process {:?} finalized out of order",
                p.me
            );
            let r = reference.entry(*h).or_insert(*hash);
            assert_eq!(
                r, hash,
                "two honest processes finalized different blocks at {h}"
            );
        }
        lowest = lowest.min(p.finalized.len() as u64);
    }
    lowest
}

/// No process ever had a busy timer (a deadline left in the past that
/// handling did not move: a real host would spin a core on it).
pub fn check_no_busy_timers(sim: &dfn_sim::Simulation<Process>) {
    let busy = sim.metrics().busy_timers();
    assert!(busy.is_empty(), "busy timers (process, times): {busy:?}");
}

/// p50, p90, p99 of `values` (sorted here).
pub fn percentiles(values: &mut [u64]) -> (u64, u64, u64) {
    values.sort_unstable();
    let at = |q: usize| {
        values
            .get((values.len() * q / 100).min(values.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    (at(50), at(90), at(99))
}
