//! A dfn-sim host (adapted from dfn-psp's test host) for one public chain
//! and private chains dealt by `dfn_interop::Dealer`, every process a real
//! `PspNode` with direct signature checks.
//!
//! Public processes keep the public `WorldState`: a block's payload is a
//! list of twinned `PublicCall`s, which the host executes as plain
//! functions (the stable coin's `transfer`, the identity registry's
//! `register`) together with their twin-registry record
//! (`dfn_interop::record_outcome`); the block carries the state root.
//! Any public process answers a private process's requests for beacon
//! values and certified reads (the private side trusts none of it).
//!
//! Private processes run their own chain; its payloads are call ids from a
//! shared script. When a private block is final, each process invokes the
//! scripted twinned methods on its `Twins`, posts the calls to the public
//! chain, and pulls beacon values and certified reads until each twin is
//! decided.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use dfn_beacon::{BeaconEvent, GroupId, GroupSet, ProcessId, ValueProof};
use dfn_crypto::{Signature, Time as CTime};
use dfn_interop::{
    CallSpec, CertifiedRead, Decision, LightBeacon, NotarizedHeader, PublicCall, ReadPolicy,
    TwinEvent, TwinId, Twins, Write, record_outcome, twin_slot,
};
use dfn_psp::{Block, BlockHash, ChainEvent, Notarization, Output, PspMessage, PspNode};
use dfn_sim::{AuditSink, Node, NodeId, SimEvent, SimMessage, Time};
use dfn_state::rlp::{Encode, Rlp, encode_list_header};
use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, B256, U256, keccak256};

use super::fixture::V;

pub const REGISTRY: Address = Address([0x7e; 20]);
pub const COIN: Address = Address([0xc0; 20]);
pub const IDENTITY: Address = Address([0x1d; 20]);
/// The private account each network's orders write.
pub const ORDERS: Address = Address([0x0d; 20]);

/// A scripted twinned method: its private writes are a paid flag and a
/// balance, its public twin a stable-coin transfer or an identity
/// registration.
#[derive(Clone, Debug)]
pub struct Invocation {
    pub call_id: u64,
    pub method: &'static [u8],
    pub args: Vec<u8>,
    pub valid_until: u64,
}

impl Invocation {
    pub fn transfer(
        call_id: u64,
        from: Address,
        to: Address,
        amount: u64,
        valid_until: u64,
    ) -> Self {
        let mut args = from.0.to_vec();
        args.extend_from_slice(&to.0);
        args.extend_from_slice(&amount.to_be_bytes());
        Self {
            call_id,
            method: b"transfer",
            args,
            valid_until,
        }
    }

    pub fn register(call_id: u64, name: &str, valid_until: u64) -> Self {
        Self {
            call_id,
            method: b"register",
            args: name.as_bytes().to_vec(),
            valid_until,
        }
    }

    fn writes(&self) -> Vec<Write> {
        vec![
            Write::Storage {
                address: ORDERS,
                key: U256::from(self.call_id),
                value: U256::from(1u64),
            },
            Write::Balance {
                address: Address([self.call_id as u8; 20]),
                value: U256::from(self.call_id * 10),
            },
        ]
    }

    fn spec(&self) -> CallSpec {
        CallSpec {
            contract: if self.method == b"transfer" {
                COIN
            } else {
                IDENTITY
            },
            method: self.method.to_vec(),
            args: self.args.clone(),
            valid_until: self.valid_until,
        }
    }
}

/// The public methods, as plain functions over the state.
pub fn execute(state: &mut WorldState, call: &PublicCall) -> Result<(), &'static str> {
    match (call.contract, call.method.as_slice()) {
        (COIN, b"transfer") if call.args.len() == 48 => {
            let from = Address::from_slice(&call.args[..20]).unwrap();
            let to = Address::from_slice(&call.args[20..40]).unwrap();
            let amount = U256::from(u64::from_be_bytes(call.args[40..].try_into().unwrap()));
            if state.balance(from).unwrap() < amount {
                return Err("insufficient funds");
            }
            state.sub_balance(from, amount).unwrap();
            state.add_balance(to, amount).unwrap();
            Ok(())
        }
        (IDENTITY, b"register") => {
            let slot = U256::from_be_bytes(keccak256(&call.args).0);
            if !state.storage(IDENTITY, slot).unwrap().is_zero() {
                return Err("name taken");
            }
            if state.nonce(IDENTITY).unwrap() == 0 {
                state.set_nonce(IDENTITY, 1).unwrap();
            }
            state.set_storage(IDENTITY, slot, U256::from(1u64)).unwrap();
            Ok(())
        }
        _ => Err("no such method"),
    }
}

fn encode_calls(calls: &[PublicCall]) -> Vec<u8> {
    let items: Vec<u8> = calls.iter().flat_map(|c| c.to_bytes()).collect();
    let mut out = Vec::new();
    encode_list_header(items.len(), &mut out);
    out.extend_from_slice(&items);
    out
}

fn decode_calls(payload: &[u8]) -> Option<Vec<PublicCall>> {
    Rlp::new(payload)
        .ok()?
        .list()
        .ok()?
        .map(|i| PublicCall::from_bytes(i.ok()?.raw()).ok())
        .collect()
}

fn encode_ids(ids: &[u64]) -> Vec<u8> {
    let items: Vec<u8> = ids.iter().flat_map(|i| i.to_rlp()).collect();
    let mut out = Vec::new();
    encode_list_header(items.len(), &mut out);
    out.extend_from_slice(&items);
    out
}

fn decode_ids(payload: &[u8]) -> Option<Vec<u64>> {
    Rlp::new(payload)
        .ok()?
        .list()
        .ok()?
        .map(|i| i.ok()?.decode().ok())
        .collect()
}

#[derive(Clone, Debug)]
pub enum Msg {
    Chain(PspMessage<V>),
    Call(PublicCall),
    Values { from: u64 },
    Value(ValueProof<V>),
    Read { slot: U256 },
    Proof(Vec<u8>),
}

impl SimMessage for Msg {
    fn wire_len(&self) -> usize {
        match self {
            Msg::Chain(m) => m.encoded_len(),
            Msg::Call(c) => c.to_bytes().len(),
            Msg::Values { .. } => 9,
            Msg::Value(v) => 8 + 48 + 8 + 96 + 32 * v.path.path.len(),
            Msg::Read { .. } => 33,
            Msg::Proof(b) => b.len(),
        }
    }
    fn audit(&self, sink: &mut AuditSink) {
        match self {
            Msg::Chain(m) => sink.write(&m.to_bytes()),
            Msg::Call(c) => sink.write(&c.to_bytes()),
            Msg::Values { from } => sink.write_u64(*from),
            Msg::Value(v) => sink.write(v.signature.to_bytes().as_ref()),
            Msg::Read { slot } => sink.write(&slot.to_be_bytes::<32>()),
            Msg::Proof(b) => sink.write(b),
        }
    }
}

#[derive(Debug)]
pub enum Ev {
    Finalized { net: u8, height: u64 },
    Decided { call_id: u64, committed: bool },
}

impl SimEvent for Ev {
    fn label(&self) -> &'static str {
        match self {
            Ev::Finalized { .. } => "finalized",
            Ev::Decided { .. } => "decided",
        }
    }
    fn audit(&self, sink: &mut AuditSink) {
        match self {
            Ev::Finalized { net, height } => {
                sink.write_u32(u32::from(*net));
                sink.write_u64(*height);
            }
            Ev::Decided { call_id, committed } => {
                sink.write_u64(*call_id);
                sink.write_u32(u32::from(*committed));
            }
        }
    }
}

/// One chain network's static facts (ordered maps: the order of sends
/// reaches the simulation's event order).
pub struct Net {
    pub id: u8,
    pub groups: Arc<GroupSet<V>>,
    pub members: BTreeMap<GroupId, Vec<NodeId>>,
    pub nodes: BTreeMap<ProcessId, NodeId>,
    pub ids: BTreeMap<NodeId, ProcessId>,
    pub all: Vec<NodeId>,
}

fn ct(t: Time) -> CTime {
    CTime::from_millis(t.as_millis())
}

/// The chain part every process has: the node and its message routing.
pub struct ChainHost {
    pub node: PspNode<V>,
    pub net: Arc<Net>,
    pub me: NodeId,
    pub out: VecDeque<dfn_sim::Output<Msg, Ev>>,
}

impl ChainHost {
    fn send(&mut self, to: NodeId, msg: Msg) {
        if to != self.me {
            self.out.push_back(dfn_sim::Output::Send { to, msg });
        }
    }

    fn route(&mut self, output: Output<V>) -> Option<Output<V>> {
        match output {
            Output::ToGroup { group, message } => {
                for to in self.net.members.get(&group).cloned().unwrap_or_default() {
                    self.send(to, Msg::Chain(message.clone()));
                }
            }
            Output::Broadcast(message) => {
                for to in self.net.all.clone() {
                    self.send(to, Msg::Chain(message.clone()));
                }
            }
            Output::Send { to, message } => {
                if let Some(to) = self.net.nodes.get(&to).copied() {
                    self.send(to, Msg::Chain(message));
                }
            }
            other => return Some(other),
        }
        None
    }

    fn deliver(&mut self, now: Time, from: NodeId, msg: PspMessage<V>) {
        let from = self.net.ids.get(&from).copied();
        self.node.handle_message(ct(now), from, msg);
    }

    fn timeout(&mut self, now: Time) {
        if self.node.height() == 1 && now == Time::ZERO {
            self.node.start(ct(now));
        }
        self.node.handle_timeout(ct(now));
    }

    fn next(&self) -> Option<Time> {
        let node = self
            .node
            .poll_timeout()
            .map(|t| Time::from_millis(t.as_millis()));
        let start = (self.node.height() == 1 && node.is_none()).then_some(Time::ZERO);
        [node, start].into_iter().flatten().min()
    }
}

pub struct PublicHost {
    pub chain: ChainHost,
    genesis: [u8; 32],
    store: MemoryStore,
    roots: HashMap<BlockHash, B256>,
    mempool: BTreeMap<[u8; 32], PublicCall>,
    blocks: HashMap<BlockHash, Arc<Block<V>>>,
    children: HashMap<BlockHash, Vec<BlockHash>>,
    notarizations: HashMap<BlockHash, Notarization<V>>,
    values: BTreeMap<u64, Signature<V>>,
    pub finalized: Vec<BlockHash>,
    /// Answers reads with forged proofs of success.
    pub forger: bool,
    pub forged: u64,
}

impl PublicHost {
    pub fn new(chain: ChainHost, genesis: [u8; 32], allocation: &[(Address, u64)]) -> Self {
        let mut state = WorldState::new(MemoryStore::new());
        for (a, b) in allocation {
            state.set_balance(*a, U256::from(*b)).unwrap();
        }
        state.finalize_transaction().unwrap();
        let root = state.persist().unwrap();
        let mut roots = HashMap::new();
        roots.insert(BlockHash::genesis(&genesis), root);
        Self {
            chain,
            genesis,
            store: state.into_store(),
            roots,
            mempool: BTreeMap::new(),
            blocks: HashMap::new(),
            children: HashMap::new(),
            notarizations: HashMap::new(),
            values: BTreeMap::new(),
            finalized: Vec::new(),
            forger: false,
            forged: 0,
        }
    }

    /// Applies `calls` on the state of `parent` at `height`: every call is
    /// recorded (`strict`: a refused call makes the payload invalid;
    /// otherwise it is left out). Returns the calls kept and the root.
    fn apply(
        &mut self,
        parent: &BlockHash,
        height: u64,
        calls: Vec<PublicCall>,
        strict: bool,
    ) -> Option<(Vec<PublicCall>, B256)> {
        let root = *self.roots.get(parent)?;
        let mut state = WorldState::open(std::mem::take(&mut self.store), root);
        let mut kept = Vec::new();
        for call in calls {
            match record_outcome(&mut state, REGISTRY, &call, height, |s| execute(s, &call)) {
                Ok(_) => kept.push(call),
                Err(_) if strict => {
                    self.store = state.into_store();
                    return None;
                }
                Err(_) => {
                    self.mempool.remove(&call.twin.0);
                }
            }
        }
        let root = state.persist().unwrap();
        self.store = state.into_store();
        Some((kept, root))
    }

    pub fn state(&self, block: &BlockHash) -> WorldState {
        WorldState::open(self.store.clone(), self.roots[block])
    }

    fn previous(&self, height: u64) -> Option<Vec<u8>> {
        if height == 1 {
            return Some(self.genesis.to_vec());
        }
        self.values
            .get(&(height - 1))
            .map(|s| s.to_bytes().as_ref().to_vec())
    }

    fn header(&self, hash: &BlockHash) -> Option<NotarizedHeader<V>> {
        let block = self.blocks.get(hash)?;
        let n = self.notarizations.get(hash)?;
        NotarizedHeader::new(
            block,
            n,
            &self.chain.net.groups,
            &self.previous(block.height())?,
        )
    }

    /// The highest read of `slot` at a finalized height with two notarized
    /// descendants this process holds.
    fn read(&self, slot: U256) -> Option<Vec<u8>> {
        for hash in self.finalized.iter().rev().take(8) {
            let child = self
                .children
                .get(hash)
                .into_iter()
                .flatten()
                .find(|c| self.notarizations.contains_key(c));
            let Some(child) = child else { continue };
            let grandchild = self
                .children
                .get(child)
                .into_iter()
                .flatten()
                .find(|c| self.notarizations.contains_key(c));
            let Some(grandchild) = grandchild else {
                continue;
            };
            let headers = [hash, child, grandchild]
                .into_iter()
                .map(|h| self.header(h))
                .collect::<Option<Vec<_>>>();
            let Some(headers) = headers else { continue };
            let mut state = self.state(hash);
            if self.forger {
                // A state where the twin succeeded, under the real
                // notarized headers.
                state
                    .set_storage(REGISTRY, slot, U256::from(dfn_interop::OUTCOME_SUCCEEDED))
                    .unwrap();
                state.finalize_transaction().unwrap();
                let mut headers = headers;
                headers[0].header.state_root = state.state_root().unwrap().0;
                let read = CertifiedRead::prove(&mut state, headers, REGISTRY, Some(slot)).ok()?;
                return Some(read.to_bytes());
            }
            let read = CertifiedRead::prove(&mut state, headers, REGISTRY, Some(slot)).ok()?;
            return Some(read.to_bytes());
        }
        None
    }

    fn pump(&mut self, now: Time) {
        while let Some(output) = self.chain.node.poll_output() {
            if let Output::Broadcast(PspMessage::Notarization(n)) = &output {
                self.notarizations.entry(n.block).or_insert(*n);
            }
            let Some(output) = self.chain.route(output) else {
                continue;
            };
            match output {
                Output::RequestPayload { height, parent } => {
                    let calls: Vec<PublicCall> = self.mempool.values().cloned().collect();
                    if let Some((kept, root)) = self.apply(&parent, height, calls, false) {
                        self.chain.node.provide_payload(
                            ct(now),
                            height,
                            parent,
                            encode_calls(&kept),
                            root.0,
                        );
                    }
                }
                Output::ValidatePayload(block) => {
                    let valid = decode_calls(block.payload())
                        .and_then(|calls| self.apply(&block.parent(), block.height(), calls, true))
                        .is_some_and(|(_, root)| root.0 == block.state_root());
                    if valid {
                        self.roots.insert(block.hash(), B256(block.state_root()));
                    }
                    self.chain
                        .node
                        .payload_checked(ct(now), block.hash(), valid);
                }
                Output::Event(ChainEvent::Notarized(block)) => {
                    // A block this process made was never validated here.
                    self.roots
                        .entry(block.hash())
                        .or_insert(B256(block.state_root()));
                    self.children
                        .entry(block.parent())
                        .or_default()
                        .push(block.hash());
                    self.blocks.insert(block.hash(), block);
                }
                Output::Event(ChainEvent::Finalized(block)) => {
                    for call in decode_calls(block.payload()).unwrap_or_default() {
                        self.mempool.remove(&call.twin.0);
                    }
                    self.finalized.push(block.hash());
                    self.chain
                        .out
                        .push_back(dfn_sim::Output::Event(Ev::Finalized {
                            net: 0,
                            height: block.height(),
                        }));
                }
                Output::Event(ChainEvent::Beacon(BeaconEvent::Value(v))) => {
                    self.values.insert(v.height, v.signature);
                }
                _ => {}
            }
        }
    }

    fn handle(&mut self, now: Time, from: NodeId, msg: Msg) {
        match msg {
            Msg::Chain(m) => {
                if let PspMessage::Notarization(n) = &m {
                    self.notarizations.entry(n.block).or_insert(*n);
                }
                self.chain.deliver(now, from, m);
            }
            Msg::Call(call) => {
                self.mempool.entry(call.twin.0).or_insert(call);
            }
            Msg::Values { from: first } => {
                for (h, sig) in self.values.range(first..).take(16) {
                    let proof = self
                        .previous(*h)
                        .and_then(|p| self.chain.net.groups.value_proof(&p, *h, *sig));
                    if let Some(proof) = proof {
                        self.chain.send(from, Msg::Value(proof));
                    }
                }
            }
            Msg::Read { slot } => {
                if let Some(bytes) = self.read(slot) {
                    self.forged += u64::from(self.forger);
                    self.chain.send(from, Msg::Proof(bytes));
                }
            }
            Msg::Value(_) | Msg::Proof(_) => {}
        }
        self.pump(now);
    }
}

pub struct PrivateHost {
    pub chain: ChainHost,
    publics: Vec<NodeId>,
    pub beacon: LightBeacon,
    early: BTreeMap<u64, ValueProof<V>>,
    pub twins: Twins,
    script: Arc<BTreeMap<u64, Vec<Invocation>>>,
    by_twin: BTreeMap<TwinId, Invocation>,
    pub chain_id: [u8; 32],
    ticks: u64,
    next_tick: Time,
    pub decided: BTreeMap<u64, Decision>,
    pub rejected_proofs: u64,
}

pub const TICK_MS: u64 = 500;

impl PrivateHost {
    pub fn new(
        chain: ChainHost,
        publics: Vec<NodeId>,
        beacon: LightBeacon,
        chain_id: [u8; 32],
        script: Arc<BTreeMap<u64, Vec<Invocation>>>,
    ) -> Self {
        let by_twin = script
            .values()
            .flatten()
            .map(|i| (TwinId::new(&chain_id, i.call_id), i.clone()))
            .collect();
        Self {
            chain,
            publics,
            beacon,
            early: BTreeMap::new(),
            twins: Twins::new(
                chain_id,
                REGISTRY,
                ReadPolicy::default(),
                WorldState::new(MemoryStore::new()),
            ),
            script,
            by_twin,
            chain_id,
            ticks: 0,
            next_tick: Time::from_millis(TICK_MS),
            decided: BTreeMap::new(),
            rejected_proofs: 0,
        }
    }

    /// The private state's root and, per scripted call, whether its flag
    /// and its balance are written.
    pub fn written(&mut self) -> (B256, BTreeMap<u64, (bool, bool)>) {
        let calls: Vec<u64> = self.by_twin.values().map(|i| i.call_id).collect();
        let state = self.twins.state();
        let root = state.state_root().unwrap();
        let written = calls
            .into_iter()
            .map(|id| {
                let flag = state.storage(ORDERS, U256::from(id)).unwrap() == U256::from(1u64);
                let balance =
                    state.balance(Address([id as u8; 20])).unwrap() == U256::from(id * 10);
                (id, (flag, balance))
            })
            .collect();
        (root, written)
    }

    fn gateway(&self) -> NodeId {
        let i = (self.ticks + u64::from(self.chain.me.0)) as usize % self.publics.len();
        self.publics[i]
    }

    fn drain_twins(&mut self) {
        while let Some(e) = self.twins.poll_event() {
            match e {
                TwinEvent::Post(call) => {
                    let to = self.gateway();
                    self.chain.send(to, Msg::Call(call));
                }
                TwinEvent::Committed { twin, .. } | TwinEvent::Aborted { twin, .. } => {
                    let call_id = self.by_twin[&twin].call_id;
                    let decision = self.twins.decision(&twin).unwrap();
                    self.decided.insert(call_id, decision);
                    let committed = matches!(decision, Decision::Committed(_));
                    self.chain
                        .out
                        .push_back(dfn_sim::Output::Event(Ev::Decided { call_id, committed }));
                }
                _ => {}
            }
        }
    }

    /// Pulls beacon values, posts pending calls again, asks for reads.
    fn tick(&mut self) {
        self.ticks += 1;
        let to = self.gateway();
        self.chain.send(
            to,
            Msg::Values {
                from: self.beacon.height() + 1,
            },
        );
        let pending: Vec<Invocation> = self
            .by_twin
            .iter()
            .filter(|(t, _)| self.twins.call(t).is_some())
            .map(|(_, i)| i.clone())
            .collect();
        for inv in pending {
            let twin = TwinId::new(&self.chain_id, inv.call_id);
            if let Some(call) = self.twins.call(&twin).cloned() {
                self.chain.send(to, Msg::Call(call));
                self.chain.send(
                    to,
                    Msg::Read {
                        slot: twin_slot(&twin),
                    },
                );
            }
        }
    }

    fn pump(&mut self, now: Time) {
        while let Some(output) = self.chain.node.poll_output() {
            let Some(output) = self.chain.route(output) else {
                continue;
            };
            match output {
                Output::RequestPayload { height, parent } => {
                    let ids: Vec<u64> = self
                        .script
                        .get(&height)
                        .into_iter()
                        .flatten()
                        .map(|i| i.call_id)
                        .collect();
                    self.chain.node.provide_payload(
                        ct(now),
                        height,
                        parent,
                        encode_ids(&ids),
                        [0; 32],
                    );
                }
                Output::ValidatePayload(block) => {
                    let valid = decode_ids(block.payload()).is_some();
                    self.chain
                        .node
                        .payload_checked(ct(now), block.hash(), valid);
                }
                Output::Event(ChainEvent::Finalized(block)) => {
                    for id in decode_ids(block.payload()).unwrap_or_default() {
                        let inv = self.by_twin.values().find(|i| i.call_id == id).cloned();
                        if let Some(inv) = inv {
                            // A duplicate id is refused by the twin machine.
                            let _ = self.twins.invoke(id, inv.writes(), inv.spec());
                        }
                    }
                    let net = self.chain.net.id;
                    self.chain
                        .out
                        .push_back(dfn_sim::Output::Event(Ev::Finalized {
                            net,
                            height: block.height(),
                        }));
                }
                _ => {}
            }
        }
        self.drain_twins();
    }

    fn handle(&mut self, now: Time, from: NodeId, msg: Msg) {
        match msg {
            Msg::Chain(m) => self.chain.deliver(now, from, m),
            Msg::Value(v) => {
                if v.height > self.beacon.height() {
                    self.early.insert(v.height, v);
                }
                while let Some(v) = self.early.remove(&(self.beacon.height() + 1)) {
                    if self.beacon.accept(&v).is_err() {
                        break;
                    }
                }
            }
            Msg::Proof(bytes) => {
                let verdict = CertifiedRead::<V>::from_bytes(&bytes)
                    .map_err(|_| ())
                    .and_then(|read| self.twins.handle_proof(&self.beacon, &read).map_err(|_| ()));
                if verdict.is_err() {
                    self.rejected_proofs += 1;
                }
            }
            Msg::Call(_) | Msg::Values { .. } | Msg::Read { .. } => {}
        }
        self.pump(now);
    }
}

pub enum Host {
    Public(Box<PublicHost>),
    Private(Box<PrivateHost>),
}

impl Host {
    fn chain(&self) -> &ChainHost {
        match self {
            Host::Public(p) => &p.chain,
            Host::Private(p) => &p.chain,
        }
    }

    fn chain_mut(&mut self) -> &mut ChainHost {
        match self {
            Host::Public(p) => &mut p.chain,
            Host::Private(p) => &mut p.chain,
        }
    }

    pub fn public(&self) -> Option<&PublicHost> {
        match self {
            Host::Public(p) => Some(p.as_ref()),
            Host::Private(_) => None,
        }
    }

    pub fn private(&self) -> Option<&PrivateHost> {
        match self {
            Host::Private(p) => Some(p.as_ref()),
            Host::Public(_) => None,
        }
    }

    pub fn private_mut(&mut self) -> Option<&mut PrivateHost> {
        match self {
            Host::Private(p) => Some(p.as_mut()),
            Host::Public(_) => None,
        }
    }
}

impl Node for Host {
    type Message = Msg;
    type Event = Ev;

    fn handle_message(&mut self, now: Time, from: NodeId, msg: Msg) {
        match self {
            Host::Public(p) => p.handle(now, from, msg),
            Host::Private(p) => p.handle(now, from, msg),
        }
    }

    fn handle_timeout(&mut self, now: Time) {
        self.chain_mut().timeout(now);
        match self {
            Host::Public(p) => p.pump(now),
            Host::Private(p) => {
                if now >= p.next_tick {
                    p.next_tick = now.saturating_add(TICK_MS);
                    p.tick();
                }
                p.pump(now);
            }
        }
    }

    fn poll_output(&mut self) -> Option<dfn_sim::Output<Msg, Ev>> {
        self.chain_mut().out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Time> {
        let chain = self.chain().next();
        let tick = self.private().map(|p| p.next_tick);
        [chain, tick].into_iter().flatten().min()
    }
}

pub const PUBLIC_GENESIS: [u8; 32] = *b"dfn interop public chain genesis";

pub fn config(genesis: [u8; 32]) -> dfn_psp::PspConfig {
    let mut c = dfn_psp::PspConfig::new(genesis);
    c.block_time_ms = 1_000;
    c.delta_ms = 400;
    c.slot_ms = 200;
    c
}

fn net_of(id: u8, network: &dfn_interop::PrivateNetwork<V>, offset: u32) -> Arc<Net> {
    let nodes: BTreeMap<ProcessId, NodeId> = network
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.id, NodeId(offset + i as u32)))
        .collect();
    Arc::new(Net {
        id,
        groups: Arc::clone(&network.groups),
        members: network
            .members
            .iter()
            .map(|(g, ps)| (*g, ps.iter().map(|p| nodes[p]).collect()))
            .collect(),
        ids: nodes.iter().map(|(p, n)| (*n, *p)).collect(),
        all: nodes.values().copied().collect(),
        nodes,
    })
}

fn deal(
    genesis: [u8; 32],
    processes: usize,
    groups: usize,
    size: usize,
    threshold: u32,
    rng: &mut rand_chacha::ChaCha20Rng,
) -> dfn_interop::PrivateNetwork<V> {
    let identities = (0..processes)
        .map(|_| dfn_crypto::SecretKey::random(rng))
        .collect();
    dfn_interop::Dealer {
        config: config(genesis),
        groups,
        group_size: size,
        threshold,
    }
    .deal(identities, rng)
    .unwrap()
}

/// Four public processes (two groups of three, threshold two), then two
/// private networks of three processes (one group, threshold two), each
/// running its script. Returns the hosts and the public process count.
pub fn build(
    seed: u64,
    allocation: &[(Address, u64)],
    scripts: [BTreeMap<u64, Vec<Invocation>>; 2],
) -> Vec<Host> {
    use rand_core::SeedableRng;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let public = deal(PUBLIC_GENESIS, 4, 2, 3, 2, &mut rng);
    let public_net = net_of(0, &public, 0);
    let mut hosts = Vec::new();
    for i in 0..public.keys.len() {
        let chain = ChainHost {
            node: public.node(i, &mut rng).unwrap(),
            net: Arc::clone(&public_net),
            me: NodeId(i as u32),
            out: VecDeque::new(),
        };
        hosts.push(Host::Public(Box::new(PublicHost::new(
            chain,
            PUBLIC_GENESIS,
            allocation,
        ))));
    }
    let publics: Vec<NodeId> = (0..public.keys.len() as u32).map(NodeId).collect();
    for (n, script) in scripts.into_iter().enumerate() {
        let mut genesis = *b"dfn interop private chain  #0   ";
        genesis[27] = b'0' + n as u8;
        let network = deal(genesis, 3, 1, 3, 2, &mut rng);
        let offset = hosts.len() as u32;
        let net = net_of(n as u8 + 1, &network, offset);
        let script = Arc::new(script);
        for i in 0..network.keys.len() {
            let chain = ChainHost {
                node: network.node(i, &mut rng).unwrap(),
                net: Arc::clone(&net),
                me: NodeId(offset + i as u32),
                out: VecDeque::new(),
            };
            let beacon = LightBeacon::new(PUBLIC_GENESIS, public.groups.root());
            hosts.push(Host::Private(Box::new(PrivateHost::new(
                chain,
                publics.clone(),
                beacon,
                network.chain_id(),
                Arc::clone(&script),
            ))));
        }
    }
    hosts
}
