//! Groups set up by the real DKG inside the simulated network, then the
//! beacon running on their keys.
//!
//! Processes register with deposits; groups are formed from the registry by
//! the seeded permutation; each group runs `dfn_crypto::dkg` with its
//! messages carried by dfn-sim to the group's members; each member that
//! completes signs a registration of the group key; a group counts once
//! `t` members vouch for the same key; at the activation time every
//! process installs the registered groups and the beacon starts.
//!
//! CI size: 200 processes, 10 groups of 20 (threshold 11). `DFN_SOAK=1`:
//! the 1,000 processes in 50 groups of 100 (threshold 51), 1,000
//! rounds (half an hour: 50 DKGs of 100 members).

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
    BeaconConfig, BeaconEvent, BeaconMessage, BeaconNode, GroupId, GroupMember, GroupRegistration,
    GroupSet, Identity, Output, ProcessId, RegistrationTally, Registry, form_groups,
    formation_seed,
};
use dfn_crypto::dkg::{
    DkgConfig, DkgSecretKey, Event as DkgEvent, Member, Output as DkgOutput, Participant, Schedule,
    SignedMessage,
};
use dfn_crypto::{MinSig, ProofOfPossession, SecretKey};
use dfn_sim::{AuditSink, Geo, Node, NodeId, SimConfig, SimEvent, SimMessage, Simulation, Time};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

type V = MinSig;
const GENESIS: [u8; 32] = *b"dfn beacon groups from real DKGs";
const PHASE_MS: u64 = 3_000;
/// When the registered groups take over: after the DKG's three phases and
/// time for the registrations to spread.
const ACTIVATION_MS: u64 = 4 * PHASE_MS;

#[derive(Clone, Debug)]
enum Msg {
    Dkg(GroupId, SignedMessage<V>),
    Registration(GroupRegistration<V>),
    Beacon(BeaconMessage<V>),
}

impl SimMessage for Msg {
    fn wire_len(&self) -> usize {
        match self {
            Msg::Dkg(_, m) => 8 + m.as_bytes().len(),
            Msg::Registration(r) => 8 + 4 + r.public.to_bytes().len() + 48,
            Msg::Beacon(m) => m.encoded_len(),
        }
    }
    fn audit(&self, sink: &mut AuditSink) {
        match self {
            Msg::Dkg(g, m) => {
                sink.write_u64(g.0);
                sink.write(m.signature().to_bytes().as_ref());
            }
            Msg::Registration(r) => {
                sink.write_u64(r.group.0);
                sink.write(r.signature.to_bytes().as_ref());
            }
            Msg::Beacon(m) => sink.write(&m.to_bytes()),
        }
    }
}

#[derive(Debug)]
enum Ev {
    GroupReady(GroupId),
    Value(u64, [u8; 32]),
}

impl SimEvent for Ev {
    fn label(&self) -> &'static str {
        match self {
            Ev::GroupReady(_) => "group",
            Ev::Value(..) => "beacon",
        }
    }
    fn instance(&self) -> Option<u64> {
        match self {
            Ev::GroupReady(g) => Some(g.0),
            Ev::Value(h, _) => Some(*h),
        }
    }
    fn audit(&self, sink: &mut AuditSink) {
        if let Ev::Value(_, r) = self {
            sink.write(r);
        }
    }
}

/// Everything every process knows before the run: the groups formed from
/// the registry, their members as ids, keys and simulator nodes.
struct Plan {
    groups: Vec<Planned>,
}

/// A group formed for the epoch, before its DKG.
struct Planned {
    id: GroupId,
    members: Vec<GroupMember<V>>,
    nodes: Vec<NodeId>,
    dkg: Arc<DkgConfig<V>>,
}

struct Process {
    me: NodeId,
    identity: SecretKey<V>,
    plan: Arc<Plan>,
    dkgs: BTreeMap<GroupId, (u32, Participant<V>)>,
    tallies: BTreeMap<GroupId, RegistrationTally<V>>,
    registered: BTreeMap<GroupId, dfn_beacon::Group<V>>,
    shares: BTreeMap<GroupId, dfn_crypto::threshold::SecretKeyShare<V>>,
    beacon: BeaconNode<V>,
    activated: bool,
    out: VecDeque<dfn_sim::Output<Msg, Ev>>,
    values: Vec<[u8; 32]>,
    rounds: u64,
}

fn crypto(t: Time) -> dfn_crypto::Time {
    dfn_crypto::Time::from_millis(t.as_millis())
}

impl Process {
    fn members(&self, group: GroupId) -> &[NodeId] {
        &self.plan.groups[group.0 as usize].nodes
    }

    fn send_group(&mut self, group: GroupId, msg: Msg) {
        let members = self.members(group).to_vec();
        for to in members {
            if to != self.me {
                self.out.push_back(dfn_sim::Output::Send {
                    to,
                    msg: msg.clone(),
                });
            }
        }
    }

    fn pump_dkg(&mut self, group: GroupId) {
        let mut outputs = Vec::new();
        if let Some((_, p)) = self.dkgs.get_mut(&group) {
            while let Some(o) = p.poll_output() {
                outputs.push(o);
            }
        }
        for output in outputs {
            match output {
                DkgOutput::Broadcast(m) => self.send_group(group, Msg::Dkg(group, m)),
                DkgOutput::Event(DkgEvent::Completed(result)) => {
                    let index = self.dkgs[&group].0;
                    self.shares.insert(group, result.share().clone());
                    let registration = GroupRegistration::new(
                        group,
                        index,
                        Arc::new(result.public_polynomial().clone()),
                        &self.identity,
                    );
                    self.register(&registration);
                    self.out
                        .push_back(dfn_sim::Output::Broadcast(Msg::Registration(registration)));
                }
                _ => {}
            }
        }
    }

    fn register(&mut self, registration: &GroupRegistration<V>) {
        let Some(tally) = self.tallies.get_mut(&registration.group) else {
            return;
        };
        if let Ok(Some(group)) = tally.add(registration) {
            self.out
                .push_back(dfn_sim::Output::Event(Ev::GroupReady(group.id())));
            self.registered.insert(group.id(), group);
        }
    }

    fn pump_beacon(&mut self) {
        while let Some(output) = self.beacon.poll_output() {
            match output {
                Output::ToGroup { group, message } => self.send_group(group, Msg::Beacon(message)),
                Output::Broadcast(message) => self
                    .out
                    .push_back(dfn_sim::Output::Broadcast(Msg::Beacon(message))),
                Output::Event(BeaconEvent::Value(v)) => {
                    self.values.push(v.randomness);
                    self.out
                        .push_back(dfn_sim::Output::Event(Ev::Value(v.height, v.randomness)));
                }
                _ => {}
            }
        }
    }

    /// Installs the registered groups and starts the beacon.
    fn activate(&mut self, now: Time) {
        self.activated = true;
        let groups = self
            .registered
            .values()
            .map(|g| Arc::new(g.clone()))
            .collect();
        let set = Arc::new(GroupSet::new(groups).unwrap());
        self.beacon.install_groups(crypto(now), 1, set);
        for (group, share) in &self.shares {
            if self.registered.contains_key(group) {
                self.beacon.add_group_share(*group, share.clone());
            }
        }
        self.beacon.start(crypto(now));
        self.pump_beacon();
    }
}

impl Node for Process {
    type Message = Msg;
    type Event = Ev;

    fn handle_message(&mut self, now: Time, _from: NodeId, msg: Msg) {
        if self.beacon.height() > self.rounds {
            return;
        }
        match msg {
            Msg::Dkg(group, m) => {
                if let Some((_, p)) = self.dkgs.get_mut(&group) {
                    p.handle_message(crypto(now), m);
                }
                self.pump_dkg(group);
            }
            Msg::Registration(r) => self.register(&r),
            Msg::Beacon(m) if self.activated => {
                self.beacon.handle_message(crypto(now), m);
                self.pump_beacon();
            }
            Msg::Beacon(_) => {}
        }
    }

    fn handle_timeout(&mut self, now: Time) {
        let groups: Vec<GroupId> = self.dkgs.keys().copied().collect();
        for group in groups {
            if let Some((_, p)) = self.dkgs.get_mut(&group) {
                p.handle_timeout(crypto(now));
            }
            self.pump_dkg(group);
        }
        if !self.activated && now.as_millis() >= ACTIVATION_MS {
            self.dkgs.clear();
            self.activate(now);
        } else if self.activated {
            self.beacon.handle_timeout(crypto(now));
            self.pump_beacon();
        }
    }

    fn poll_output(&mut self) -> Option<dfn_sim::Output<Msg, Ev>> {
        self.out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Time> {
        if self.beacon.height() > self.rounds {
            return None;
        }
        let dkg = self
            .dkgs
            .values()
            .filter_map(|(_, p)| p.poll_timeout())
            .min();
        let dkg = dkg.map(|t| Time::from_millis(t.as_millis()));
        let activation = (!self.activated).then_some(Time::from_millis(ACTIVATION_MS));
        let beacon = self
            .beacon
            .poll_timeout()
            .map(|t| Time::from_millis(t.as_millis()));
        [dkg, activation, beacon].into_iter().flatten().min()
    }
}

fn run(processes: usize, groups: usize, size: usize, threshold: u32, rounds: u64, seed: u64) {
    let start = Instant::now();
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let identities: Vec<SecretKey<V>> = (0..processes)
        .map(|_| SecretKey::random(&mut rng))
        .collect();
    let dkg_keys: Vec<DkgSecretKey<V>> = (0..processes)
        .map(|_| DkgSecretKey::random(&mut rng))
        .collect();
    // Registration with deposits in epoch 0; groups for epoch 1.
    let mut registry = Registry::<V>::public(1_000, 2);
    for identity in &identities {
        let id = Identity {
            key: identity.public_key(),
            pop: ProofOfPossession::prove(identity),
        };
        registry.register(&id, 1_000, 0).unwrap();
    }
    let node_of: BTreeMap<ProcessId, usize> = identities
        .iter()
        .enumerate()
        .map(|(i, k)| (ProcessId::of(&k.public_key()), i))
        .collect();
    let formed = form_groups(
        &registry.eligible(1),
        &formation_seed(&GENESIS, 1),
        size,
        groups,
    )
    .unwrap();
    let plan = Arc::new(Plan {
        groups: formed
            .iter()
            .enumerate()
            .map(|(g, ids)| {
                let positions: Vec<usize> = ids.iter().map(|id| node_of[id]).collect();
                let members: Vec<GroupMember<V>> = positions
                    .iter()
                    .map(|p| GroupMember {
                        id: ProcessId::of(&identities[*p].public_key()),
                        key: identities[*p].public_key(),
                    })
                    .collect();
                let config = DkgConfig {
                    context: format!("dfn beacon epoch 1 group {g}").into_bytes(),
                    threshold,
                    members: positions
                        .iter()
                        .map(|p| Member {
                            signing_key: identities[*p].public_key(),
                            encryption_key: dkg_keys[*p].public_key(),
                        })
                        .collect(),
                    schedule: Schedule {
                        start: dfn_crypto::Time::ZERO,
                        deal_ms: PHASE_MS,
                        response_ms: PHASE_MS,
                        justify_ms: PHASE_MS,
                    },
                    fast_sync: false,
                };
                let nodes = positions.iter().map(|p| NodeId(*p as u32)).collect();
                Planned {
                    id: GroupId(g as u64),
                    members,
                    nodes,
                    dkg: Arc::new(config),
                }
            })
            .collect(),
    });
    let beacon_config = BeaconConfig {
        relayers: 8,
        relay_backup_ms: 1_500,
        stall_ms: 5_000,
        ..BeaconConfig::new(GENESIS)
    };
    let nodes: Vec<Process> = identities
        .iter()
        .enumerate()
        .map(|(p, identity)| {
            let mut dkgs = BTreeMap::new();
            for planned in &plan.groups {
                if let Some(index) = planned.nodes.iter().position(|m| m.0 as usize == p) {
                    let index = index as u32 + 1;
                    let participant = Participant::new(
                        Arc::clone(&planned.dkg),
                        index,
                        identity.clone(),
                        dkg_keys[p].clone(),
                        &mut rng,
                    )
                    .unwrap();
                    dkgs.insert(planned.id, (index, participant));
                }
            }
            let tallies = plan
                .groups
                .iter()
                .map(|g| {
                    (
                        g.id,
                        RegistrationTally::new(g.id, g.members.clone(), threshold),
                    )
                })
                .collect();
            let mut process = Process {
                me: NodeId(p as u32),
                identity: identity.clone(),
                plan: Arc::clone(&plan),
                dkgs,
                tallies,
                registered: BTreeMap::new(),
                shares: BTreeMap::new(),
                beacon: BeaconNode::new(beacon_config, identity.clone(), &mut rng),
                activated: false,
                out: VecDeque::new(),
                values: Vec::new(),
                rounds,
            };
            let groups: Vec<GroupId> = process.dkgs.keys().copied().collect();
            for g in groups {
                process.pump_dkg(g);
            }
            process
        })
        .collect();
    let setup = start.elapsed().as_secs_f64();
    let mut sim = Simulation::new(SimConfig::new(seed).with_geo(Geo::continents()), nodes).unwrap();
    sim.run_until(Time::from_millis(ACTIVATION_MS + rounds * 2_000));
    let reference = &sim.nodes()[0].values;
    for p in sim.nodes() {
        assert_eq!(
            p.registered.len(),
            groups,
            "process {} registered {} groups",
            p.me,
            p.registered.len()
        );
        assert!(
            p.values.len() as u64 >= rounds,
            "process {} has {} values",
            p.me,
            p.values.len()
        );
        assert_eq!(p.values[..rounds as usize], reference[..rounds as usize]);
    }
    eprintln!(
        "{processes} processes, {groups} groups of {size} by DKG, {rounds} rounds: setup {setup:.1} s, run {:.1} s wall, {} deliveries",
        start.elapsed().as_secs_f64() - setup,
        sim.metrics().deliveries()
    );
}

#[test]
fn groups_from_real_dkgs_drive_the_beacon() {
    if std::env::var("DFN_SOAK").is_ok_and(|v| v == "1") {
        run(1_000, 50, 100, 51, 1_000, 11);
    } else {
        run(200, 10, 20, 11, 30, 11);
    }
}
