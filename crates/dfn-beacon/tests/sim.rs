//! The beacon across simulated networks (dfn-sim): many processes in
//! threshold groups over WAN latencies, with faulty processes, and the same
//! run twice giving the same audit hash.
//!
//! Sizes: the CI runs use the process counts and group sizes with
//! fewer rounds; `DFN_SOAK=1` runs the full round counts (1,000 rounds of
//! 1,000 processes; 200 rounds of 10,000 processes with 30% faulty), which
//! take minutes. Group keys come from a trusted dealer here (documented in
//! the crate README); `tests/dkg_groups.rs` sets groups up with the real DKG.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use dfn_beacon::{
    BeaconConfig, BeaconEvent, BeaconMessage, BeaconNode, GroupId, GroupMember, MemoVerifier,
    Output, ProcessId, ShareMessage, Verifier, deal_groups,
};
use dfn_crypto::threshold::SecretKeyShare;
use dfn_crypto::{MinSig, SecretKey, Suite};
use dfn_sim::{
    AuditSink, BroadcastMode, Geo, Node, NodeId, SimConfig, SimEvent, SimMessage, Simulation, Time,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

type V = MinSig;
const GENESIS: [u8; 32] = *b"dfn beacon simulation genesis!!!";

fn soak() -> bool {
    std::env::var("DFN_SOAK").is_ok_and(|v| v == "1")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Behaviour {
    Honest,
    /// Never sends anything.
    Silent,
    /// Signs (with its identity key) a share on the wrong message.
    InvalidShares,
    /// Sends its share this long after its round starts.
    LateShares(u64),
}

#[derive(Clone, Copy, Debug)]
struct Msg(BeaconMessage<V>);

impl SimMessage for Msg {
    fn wire_len(&self) -> usize {
        self.0.encoded_len()
    }
    fn audit(&self, sink: &mut AuditSink) {
        sink.write(&self.0.to_bytes());
    }
}

#[derive(Debug)]
enum Ev {
    Value { height: u64, randomness: [u8; 32] },
    Evidence { member: u32 },
    Stalled { height: u64 },
}

impl SimEvent for Ev {
    fn label(&self) -> &'static str {
        match self {
            Ev::Value { .. } => "beacon",
            Ev::Evidence { .. } => "evidence",
            Ev::Stalled { .. } => "stall",
        }
    }
    fn instance(&self) -> Option<u64> {
        match self {
            Ev::Value { height, .. } | Ev::Stalled { height } => Some(*height),
            Ev::Evidence { .. } => None,
        }
    }
    fn audit(&self, sink: &mut AuditSink) {
        match self {
            Ev::Value { randomness, .. } => sink.write(randomness),
            Ev::Evidence { member } => sink.write_u32(*member),
            Ev::Stalled { height } => sink.write_u64(*height),
        }
    }
}

/// A process: its beacon node and how it behaves.
struct Process {
    node: BeaconNode<V>,
    behaviour: Behaviour,
    identity: SecretKey<V>,
    shares: BTreeMap<GroupId, SecretKeyShare<V>>,
    /// Members of each group, as simulator node ids.
    groups: Arc<BTreeMap<GroupId, Vec<NodeId>>>,
    me: NodeId,
    /// Shares held back by a late process, with their release times.
    held: VecDeque<(Time, NodeId, Msg)>,
    out: VecDeque<dfn_sim::Output<Msg, Ev>>,
    values: Vec<[u8; 32]>,
    stop_at: u64,
    /// When the process reported its `stop_at`-th value.
    finished_at: Option<Time>,
}

fn crypto_time(t: Time) -> dfn_crypto::Time {
    dfn_crypto::Time::from_millis(t.as_millis())
}

impl Process {
    fn pump(&mut self, now: Time) {
        while let Some(output) = self.node.poll_output() {
            match output {
                Output::ToGroup { group, message } => {
                    let message = match (self.behaviour, message) {
                        (Behaviour::Silent, _) => continue,
                        (Behaviour::InvalidShares, BeaconMessage::Share(s)) => {
                            let wrong = self.shares[&group].sign(Suite::Basic, b"wrong");
                            BeaconMessage::Share(ShareMessage::new(
                                s.height,
                                s.group,
                                wrong,
                                &self.identity,
                            ))
                        }
                        (_, m) => m,
                    };
                    for to in &self.groups[&group] {
                        if *to == self.me {
                            continue;
                        }
                        match self.behaviour {
                            Behaviour::LateShares(delay) => {
                                self.held
                                    .push_back((now.saturating_add(delay), *to, Msg(message)));
                            }
                            _ => self.out.push_back(dfn_sim::Output::Send {
                                to: *to,
                                msg: Msg(message),
                            }),
                        }
                    }
                }
                Output::Broadcast(message) if self.behaviour != Behaviour::Silent => {
                    self.out.push_back(dfn_sim::Output::Broadcast(Msg(message)));
                }
                Output::Event(BeaconEvent::Value(v)) => {
                    self.values.push(v.randomness);
                    if v.height == self.stop_at {
                        self.finished_at = Some(now);
                    }
                    self.out.push_back(dfn_sim::Output::Event(Ev::Value {
                        height: v.height,
                        randomness: v.randomness,
                    }));
                }
                Output::Event(BeaconEvent::Evidence(e)) => {
                    self.out.push_back(dfn_sim::Output::Event(Ev::Evidence {
                        member: e.member_index(),
                    }));
                }
                Output::Event(BeaconEvent::Stalled { height, .. }) => {
                    self.out
                        .push_back(dfn_sim::Output::Event(Ev::Stalled { height }));
                }
                _ => {}
            }
        }
    }
}

impl Node for Process {
    type Message = Msg;
    type Event = Ev;

    fn handle_message(&mut self, now: Time, _from: NodeId, msg: Msg) {
        if self.node.height() > self.stop_at {
            return;
        }
        self.node.handle_message(crypto_time(now), msg.0);
        self.pump(now);
    }

    fn handle_timeout(&mut self, now: Time) {
        if now == Time::ZERO && self.node.height() == 1 {
            self.node.start(crypto_time(now));
        }
        while self.held.front().is_some_and(|(at, ..)| *at <= now) {
            if let Some((_, to, msg)) = self.held.pop_front() {
                self.out.push_back(dfn_sim::Output::Send { to, msg });
            }
        }
        self.node.handle_timeout(crypto_time(now));
        self.pump(now);
    }

    fn poll_output(&mut self) -> Option<dfn_sim::Output<Msg, Ev>> {
        self.out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Time> {
        if self.node.height() > self.stop_at {
            return None;
        }
        let node = self
            .node
            .poll_timeout()
            .map(|t| Time::from_millis(t.as_millis()));
        let start = (self.node.height() == 1 && node.is_none()).then_some(Time::ZERO);
        let held = self.held.front().map(|(at, ..)| *at);
        [node, start, held].into_iter().flatten().min()
    }
}

/// `processes` processes in `groups` disjoint groups of `size` (threshold
/// `t`), keys from a trusted dealer; `behaviour(p)` for each.
fn build(
    processes: usize,
    groups: usize,
    size: usize,
    t: u32,
    rounds: u64,
    seed: u64,
    behaviour: impl Fn(usize) -> Behaviour,
) -> Vec<Process> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let identities: Vec<SecretKey<V>> = (0..processes)
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
    let mut dealt = deal_groups(&members, &seed, size, groups, t, &mut rng).unwrap();
    let groups = Arc::new(
        dealt
            .membership()
            .map(|(g, at)| (g, at.iter().map(|p| NodeId(*p as u32)).collect()))
            .collect::<BTreeMap<GroupId, Vec<NodeId>>>(),
    );
    let set = Arc::new(dealt.set);
    let verifier: Arc<dyn Verifier<V>> = Arc::new(MemoVerifier::default());
    let config = BeaconConfig {
        stall_ms: 5_000,
        relayers: 8,
        relay_backup_ms: 1_500,
        ..BeaconConfig::new(GENESIS)
    };
    identities
        .into_iter()
        .enumerate()
        .map(|(p, identity)| {
            let mut node = BeaconNode::new(config, identity.clone(), &mut rng)
                .with_verifier(Arc::clone(&verifier));
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
                groups: Arc::clone(&groups),
                me: NodeId(p as u32),
                held: VecDeque::new(),
                out: VecDeque::new(),
                values: Vec::new(),
                stop_at: rounds,
                finished_at: None,
            }
        })
        .collect()
}

/// Runs until every process has `rounds` values (or `limit` ms pass).
fn run(processes: Vec<Process>, rounds: u64, seed: u64, limit_ms: u64) -> Simulation<Process> {
    let config = SimConfig::new(seed)
        .with_geo(Geo::continents())
        .with_broadcast(BroadcastMode::Direct);
    let mut sim = Simulation::new(config, processes).unwrap();
    let start = Instant::now();
    sim.run_until(Time::from_millis(limit_ms));
    let wall = start.elapsed().as_secs_f64();
    let busy = sim.metrics().busy_timers();
    assert!(busy.is_empty(), "busy timers (process, times): {busy:?}");
    let done = sim
        .nodes()
        .iter()
        .filter(|p| p.values.len() as u64 >= rounds)
        .count();
    let last = sim
        .nodes()
        .iter()
        .filter_map(|p| p.finished_at)
        .max()
        .unwrap_or(Time::ZERO);
    eprintln!(
        "{} processes, {rounds} rounds: {wall:.1} s wall ({:.2} rounds/s); all done at {:.1} s simulated \
         ({:.0} ms per round); {} deliveries; {done} processes finished",
        sim.len(),
        rounds as f64 / wall,
        last.as_millis() as f64 / 1e3,
        last.as_millis() as f64 / rounds as f64,
        sim.metrics().deliveries(),
    );
    sim
}

/// Every honest process reports the same values, `rounds` of them.
fn check_agreement(sim: &Simulation<Process>, rounds: u64) {
    let honest: Vec<&Process> = sim
        .nodes()
        .iter()
        .filter(|p| p.behaviour == Behaviour::Honest)
        .collect();
    let reference = &honest[0].values;
    assert!(
        reference.len() as u64 >= rounds,
        "only {} rounds",
        reference.len()
    );
    for p in &honest {
        assert!(
            p.values.len() as u64 >= rounds,
            "a process has {} values",
            p.values.len()
        );
        assert_eq!(p.values[..rounds as usize], reference[..rounds as usize]);
    }
}

#[test]
fn thousand_processes_fifty_groups_of_hundred() {
    let rounds = if soak() { 1_000 } else { 25 };
    let processes = build(1_000, 50, 100, 51, rounds, 1, |_| Behaviour::Honest);
    let sim = run(processes, rounds, 1, rounds * 2_000);
    check_agreement(&sim, rounds);
    let stalls = sim.metrics().labels().get("stall").map_or(0, |s| s.count);
    assert_eq!(stalls, 0, "a round stalled");
    let bytes: u64 = sim.metrics().nodes().iter().map(|c| c.recv_bytes).sum();
    eprintln!(
        "received per process per round: {:.1} KB",
        bytes as f64 / 1e3 / 1_000.0 / rounds as f64
    );
}

#[test]
fn same_seed_same_audit_hash() {
    let hash = |seed: u64| {
        let processes = build(60, 4, 15, 8, 6, seed, |p| {
            if p % 10 == 3 {
                Behaviour::InvalidShares
            } else {
                Behaviour::Honest
            }
        });
        let sim = run(processes, 6, seed, 30_000);
        check_agreement(&sim, 6);
        sim.audit_hash()
    };
    assert_eq!(hash(7), hash(7));
    assert_ne!(hash(7), hash(8));
}

/// 30% of the processes faulty: a third silent, a third sending invalid
/// shares, a third late. No stall; invalid shares attributed.
#[test]
fn ten_thousand_processes_thirty_percent_faulty() {
    let rounds = if soak() { 200 } else { 4 };
    let behaviour = |p: usize| match p % 10 {
        0 => Behaviour::Silent,
        3 => Behaviour::InvalidShares,
        6 => Behaviour::LateShares(3_000),
        _ => Behaviour::Honest,
    };
    let processes = build(10_000, 25, 400, 201, rounds, 2, behaviour);
    let sim = run(processes, rounds, 2, rounds * 10_000);
    check_agreement(&sim, rounds);
    let labels = sim.metrics().labels();
    assert!(
        labels.get("evidence").is_some_and(|e| e.count > 0),
        "no invalid share attributed"
    );
    assert!(labels.get("stall").is_none(), "a round stalled");
    let bytes: u64 = sim.metrics().nodes().iter().map(|c| c.recv_bytes).sum();
    eprintln!(
        "received per process per round: {:.1} KB",
        bytes as f64 / 1e3 / 10_000.0 / rounds as f64,
    );
}
