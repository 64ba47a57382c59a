//! A dfn-sim host (adapted from dfn-psp's test host) for one public chain
//! and private chains dealt by `dfn_interop::Dealer`, every process a real
//! `PspNode` with direct signature checks.
//!
//! Public processes keep the public `WorldState`, run by dfn-vm: the
//! genesis deploys the example contracts (`examples/contracts`: the twin
//! registry, the stable coin, the identity registry, the arbitration
//! contract); a block's payload is a list of calls posted by private
//! networks, each executed through the EVM twin registry
//! (`TwinRegistry::execute`: the public method and its outcome record in
//! one transaction); the block carries the state root. Any public process
//! answers a private process's requests for beacon values, twin reads and
//! certified call results (the private side trusts none of it); some
//! answer badly on purpose ([`Role`]).
//!
//! Private processes run their own chain; its payloads are call ids from a
//! shared script. When a private block is final, each process invokes the
//! scripted twinned methods on its `Twins` and the scripted certified
//! calls on its `CertifiedCalls`, posts the calls to the public chain from
//! its network's public account, and pulls beacon values, reads and
//! results until each is decided. A certified call's result is what a
//! private contract acts on: its commitment is written to the private
//! state.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use dfn_beacon::{BeaconEvent, GroupId, GroupSet, ProcessId, ValueProof};
use dfn_crypto::{Signature, Time as CTime};
use dfn_interop::{
    CallError, CallEvent, CallOutcome, CallResult, CallSpec, CertError, CertifiedCalls,
    CertifiedRead, Decision, LightBeacon, NotarizedHeader, PublicCall, ReadPolicy, RegistryError,
    TwinError, TwinEvent, TwinId, Twins, Write, network_account, result_slot, result_word,
    twin_slot,
};
use dfn_psp::{Block, BlockHash, ChainEvent, Notarization, Output, PspMessage, PspNode};
use dfn_sim::{AuditSink, Node, NodeId, SimEvent, SimMessage, Time};
use dfn_state::rlp::{Encode, Rlp, encode_list_header};
use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, B256, U256};
use dfn_vm::{Executor, Spec};

use super::evm::{Contracts, ISSUER, block};
use super::fixture::V;

/// The private account each network's orders write.
pub const ORDERS: Address = Address([0x0d; 20]);
/// The private account where a network's contract keeps certified results.
pub const RESULTS: Address = Address([0x0e; 20]);

/// What a scripted invocation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A twinned method: private writes held until the public twin is
    /// certified.
    Twin,
    /// A certified call: the private contract stores the certified result.
    Call,
}

/// A scripted invocation of a private method that calls a public
/// contract.
#[derive(Clone, Debug)]
pub struct Invocation {
    pub call_id: u64,
    pub kind: Kind,
    pub spec: CallSpec,
}

impl Invocation {
    /// A twinned payment of the stable coin from the network's account.
    pub fn transfer(call_id: u64, to: Address, amount: u64, valid_until: u64) -> Self {
        Self {
            call_id,
            kind: Kind::Twin,
            spec: Contracts::addresses().transfer(to, amount, valid_until),
        }
    }

    /// A twinned registration of `name` in the identity registry.
    pub fn register(call_id: u64, name: &str, valid_until: u64) -> Self {
        Self {
            call_id,
            kind: Kind::Twin,
            spec: Contracts::addresses().register(name, valid_until),
        }
    }

    /// A certified call.
    pub fn call(call_id: u64, spec: CallSpec) -> Self {
        Self {
            call_id,
            kind: Kind::Call,
            spec,
        }
    }

    /// A twin's private writes: a paid flag and a balance.
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
}

/// A call as posted: the network account it is posted from and the call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posted {
    pub sender: Address,
    pub call: PublicCall,
}

impl Posted {
    fn to_bytes(&self) -> Vec<u8> {
        let mut items = Vec::new();
        self.sender.encode(&mut items);
        items.extend_from_slice(&self.call.to_bytes());
        let mut out = Vec::new();
        encode_list_header(items.len(), &mut out);
        out.extend_from_slice(&items);
        out
    }

    fn from_rlp(rlp: &Rlp<'_>) -> Option<Self> {
        let [sender, call] = rlp.fixed_list::<2>().ok()?;
        Some(Self {
            sender: sender.decode().ok()?,
            call: PublicCall::from_bytes(call.raw()).ok()?,
        })
    }
}

fn encode_calls(calls: &[Posted]) -> Vec<u8> {
    let items: Vec<u8> = calls.iter().flat_map(Posted::to_bytes).collect();
    let mut out = Vec::new();
    encode_list_header(items.len(), &mut out);
    out.extend_from_slice(&items);
    out
}

fn decode_calls(payload: &[u8]) -> Option<Vec<Posted>> {
    Rlp::new(payload)
        .ok()?
        .list()
        .ok()?
        .map(|i| Posted::from_rlp(&i.ok()?))
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
    Call(Posted),
    Values { from: u64 },
    Value(ValueProof<V>),
    Read { slot: U256 },
    Proof(Vec<u8>),
    ReadCall { id: TwinId },
    CallProof(Vec<u8>),
}

impl SimMessage for Msg {
    fn wire_len(&self) -> usize {
        match self {
            Msg::Chain(m) => m.encoded_len(),
            Msg::Call(c) => c.to_bytes().len(),
            Msg::Values { .. } => 9,
            Msg::Value(v) => 8 + 48 + 8 + 96 + 32 * v.path.path.len(),
            Msg::Read { .. } | Msg::ReadCall { .. } => 33,
            Msg::Proof(b) | Msg::CallProof(b) => b.len(),
        }
    }
    fn audit(&self, sink: &mut AuditSink) {
        match self {
            Msg::Chain(m) => sink.write(&m.to_bytes()),
            Msg::Call(c) => sink.write(&c.to_bytes()),
            Msg::Values { from } => sink.write_u64(*from),
            Msg::Value(v) => sink.write(v.signature.to_bytes().as_ref()),
            Msg::Read { slot } => sink.write(&slot.to_be_bytes::<32>()),
            Msg::ReadCall { id } => sink.write(&id.0),
            Msg::Proof(b) | Msg::CallProof(b) => sink.write(b),
        }
    }
}

#[derive(Debug)]
pub enum Ev {
    Finalized { net: u8, height: u64 },
    Decided { call_id: u64, committed: bool },
    Returned { call_id: u64 },
}

impl SimEvent for Ev {
    fn label(&self) -> &'static str {
        match self {
            Ev::Finalized { .. } => "finalized",
            Ev::Decided { .. } => "decided",
            Ev::Returned { .. } => "returned",
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
            Ev::Returned { call_id } => sink.write_u64(*call_id),
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

/// How a public process answers reads (the private side must cope with
/// all of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Honest,
    /// Answers every read and result request twice (a network that
    /// duplicates): the second copy of a decisive answer is a replay.
    Duplicator,
    /// Answers result requests with the oldest certified state it holds.
    Stale,
    /// Answers with a state it made up (the twin succeeded; the call
    /// returned a million) under the real notarized headers.
    Forger,
}

pub struct PublicHost {
    pub chain: ChainHost,
    genesis: [u8; 32],
    store: MemoryStore,
    executor: Executor,
    pub contracts: Contracts,
    roots: HashMap<BlockHash, B256>,
    mempool: BTreeMap<[u8; 32], Posted>,
    /// Every result the registry recorded here per call id (one per
    /// branch that executed it).
    results: HashMap<TwinId, Vec<(bool, Vec<u8>)>>,
    blocks: HashMap<BlockHash, Arc<Block<V>>>,
    children: HashMap<BlockHash, Vec<BlockHash>>,
    notarizations: HashMap<BlockHash, Notarization<V>>,
    values: BTreeMap<u64, Signature<V>>,
    pub finalized: Vec<BlockHash>,
    pub role: Role,
    /// Answers sent not honestly.
    pub misbehaved: u64,
}

/// A forged return value.
const FORGED: u64 = 1_000_000;

impl PublicHost {
    /// The genesis state: the example contracts deployed, `coins` issued.
    pub fn new(chain: ChainHost, genesis: [u8; 32], coins: &[(Address, u64)]) -> Self {
        let mut state = WorldState::new(MemoryStore::new());
        let contracts = Contracts::deploy(&mut state, &block(0), coins, ISSUER);
        let root = state.persist().unwrap();
        let mut roots = HashMap::new();
        roots.insert(BlockHash::genesis(&genesis), root);
        Self {
            chain,
            genesis,
            store: state.into_store(),
            executor: Executor::new(Spec::CANCUN),
            contracts,
            roots,
            mempool: BTreeMap::new(),
            results: HashMap::new(),
            blocks: HashMap::new(),
            children: HashMap::new(),
            notarizations: HashMap::new(),
            values: BTreeMap::new(),
            finalized: Vec::new(),
            role: Role::Honest,
            misbehaved: 0,
        }
    }

    /// Executes `calls` on the state of `parent` at `height` through the
    /// twin registry. A call the registry refuses (expired, recorded
    /// already) makes the payload invalid when `strict`; otherwise it is
    /// left out. Returns the calls kept and the root.
    fn apply(
        &mut self,
        parent: &BlockHash,
        height: u64,
        calls: Vec<Posted>,
        strict: bool,
    ) -> Option<(Vec<Posted>, B256)> {
        let root = *self.roots.get(parent)?;
        let mut state = WorldState::open(std::mem::take(&mut self.store), root);
        let registry = self.contracts.registry;
        let mut kept = Vec::new();
        for posted in calls {
            let executed = registry.execute(
                &mut self.executor,
                &mut state,
                &block(height),
                posted.sender,
                &posted.call,
            );
            match executed {
                Ok(r) => {
                    let seen = self.results.entry(posted.call.twin).or_default();
                    if !seen.contains(&(r.success, r.output.clone())) {
                        seen.push((r.success, r.output));
                    }
                    kept.push(posted);
                }
                // Refused before anything ran: the state is unchanged.
                Err(RegistryError::Expired { .. } | RegistryError::Duplicate(_)) if !strict => {
                    self.mempool.remove(&posted.call.twin.0);
                }
                // Refused in a block made elsewhere, or the parent state is
                // not here (a block learnt while this process was cut off):
                // not valid here.
                Err(
                    RegistryError::Expired { .. }
                    | RegistryError::Duplicate(_)
                    | RegistryError::State(_),
                ) => {
                    self.store = state.into_store();
                    return None;
                }
                Err(e) => panic!("the registry failed: {e}"),
            }
        }
        let root = state.persist();
        self.store = state.into_store();
        Some((kept, root.ok()?))
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

    /// A finalized block with two notarized descendants this process
    /// holds, the newest (or the oldest, `oldest`), with the headers and
    /// the value of the registry's `slot` (a block this process did not
    /// execute itself, learnt while it was cut off, has no state here).
    fn certified(
        &self,
        oldest: bool,
        slot: U256,
    ) -> Option<(BlockHash, Vec<NotarizedHeader<V>>, U256)> {
        let candidates: Vec<&BlockHash> = if oldest {
            self.finalized.iter().take(8).collect()
        } else {
            self.finalized.iter().rev().take(8).collect()
        };
        for hash in candidates {
            let notarized_child = |h: &BlockHash| {
                self.children
                    .get(h)
                    .into_iter()
                    .flatten()
                    .find(|c| self.notarizations.contains_key(c))
                    .copied()
            };
            let Some(child) = notarized_child(hash) else {
                continue;
            };
            let Some(grandchild) = notarized_child(&child) else {
                continue;
            };
            let headers = [hash, &child, &grandchild]
                .into_iter()
                .map(|h| self.header(h))
                .collect::<Option<Vec<_>>>();
            let value = self
                .state(hash)
                .storage(self.contracts.registry.address, slot);
            if let (Some(headers), Ok(value)) = (headers, value) {
                return Some((*hash, headers, value));
            }
        }
        None
    }

    /// A read of the registry's `slot` and the value it proves; a
    /// forger's read shows `forged` in it instead.
    fn read(
        &self,
        slot: U256,
        oldest: bool,
        forged: Option<U256>,
    ) -> Option<(CertifiedRead<V>, U256)> {
        let (hash, mut headers, mut value) = self.certified(oldest, slot)?;
        let mut state = self.state(&hash);
        let registry = self.contracts.registry.address;
        if let Some(forged) = forged {
            state.set_storage(registry, slot, forged).unwrap();
            state.finalize_transaction().unwrap();
            headers[0].header.state_root = state.state_root().unwrap().0;
            value = forged;
        }
        let read = CertifiedRead::prove(&mut state, headers, registry, Some(slot)).ok()?;
        Some((read, value))
    }

    /// The result of call `id`: the read of its result slot and the
    /// recorded output the slot commits to (nothing recorded: an empty
    /// success, which proves expiry once `valid_until` passed).
    fn call_result(&self, id: &TwinId) -> Option<CallResult<V>> {
        let slot = result_slot(id);
        if self.role == Role::Forger {
            let output = U256::from(FORGED).to_be_bytes::<32>().to_vec();
            let forged = Some(result_word(true, &output));
            return Some(CallResult {
                read: self.read(slot, false, forged)?.0,
                success: true,
                output,
            });
        }
        let (read, committed) = self.read(slot, self.role == Role::Stale, None)?;
        let (success, output) = self
            .results
            .get(id)
            .into_iter()
            .flatten()
            .find(|(ok, out)| result_word(*ok, out) == committed)
            .cloned()
            .unwrap_or((true, Vec::new()));
        Some(CallResult {
            read,
            success,
            output,
        })
    }

    fn answer(&mut self, to: NodeId, msg: Msg) {
        if self.role != Role::Honest {
            self.misbehaved += 1;
        }
        if self.role == Role::Duplicator {
            self.chain.send(to, msg.clone());
        }
        self.chain.send(to, msg);
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
                    let calls: Vec<Posted> = self.mempool.values().cloned().collect();
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
                    for posted in decode_calls(block.payload()).unwrap_or_default() {
                        self.mempool.remove(&posted.call.twin.0);
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
                self.mempool.entry(call.call.twin.0).or_insert(call);
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
                let forged =
                    (self.role == Role::Forger).then(|| U256::from(dfn_interop::OUTCOME_SUCCEEDED));
                if let Some((read, _)) = self.read(slot, false, forged) {
                    self.answer(from, Msg::Proof(read.to_bytes()));
                }
            }
            Msg::ReadCall { id } => {
                if let Some(result) = self.call_result(&id) {
                    self.answer(from, Msg::CallProof(result.to_bytes()));
                }
            }
            Msg::Value(_) | Msg::Proof(_) | Msg::CallProof(_) => {}
        }
        self.pump(now);
    }
}

/// Why a private process refused an answer, by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Refusal {
    /// The proof does not verify (forged).
    Forged,
    /// Certified below the call's posting height.
    Stale,
    /// For a twin or call decided already.
    Replay,
    /// The claimed result is not the committed one.
    Mismatch,
    /// No outcome yet.
    Undecided,
    /// Anything else (undecodable, unknown beacon value, ...).
    Other,
}

fn refusal_of_proof(e: &CertError) -> Refusal {
    match e {
        CertError::Stale { .. } => Refusal::Stale,
        CertError::UnknownBeacon { .. } => Refusal::Other,
        _ => Refusal::Forged,
    }
}

pub struct PrivateHost {
    pub chain: ChainHost,
    publics: Vec<NodeId>,
    pub beacon: LightBeacon,
    early: BTreeMap<u64, ValueProof<V>>,
    pub twins: Twins,
    pub calls: CertifiedCalls,
    script: Arc<BTreeMap<u64, Vec<Invocation>>>,
    by_id: BTreeMap<TwinId, Invocation>,
    pub chain_id: [u8; 32],
    /// The network's public account.
    pub account: Address,
    ticks: u64,
    next_tick: Time,
    pub decided: BTreeMap<u64, Decision>,
    pub returned: BTreeMap<u64, CallOutcome>,
    pub refused: BTreeMap<Refusal, u64>,
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
        let by_id = script
            .values()
            .flatten()
            .map(|i| {
                let id = match i.kind {
                    Kind::Twin => TwinId::new(&chain_id, i.call_id),
                    Kind::Call => TwinId::for_call(&chain_id, i.call_id),
                };
                (id, i.clone())
            })
            .collect();
        let registry = Contracts::addresses().registry.address;
        Self {
            chain,
            publics,
            beacon,
            early: BTreeMap::new(),
            twins: Twins::new(
                chain_id,
                registry,
                ReadPolicy::default(),
                WorldState::new(MemoryStore::new()),
            ),
            calls: CertifiedCalls::new(chain_id, registry, ReadPolicy::default()),
            script,
            by_id,
            chain_id,
            account: network_account(&chain_id),
            ticks: 0,
            next_tick: Time::from_millis(TICK_MS),
            decided: BTreeMap::new(),
            returned: BTreeMap::new(),
            refused: BTreeMap::new(),
        }
    }

    /// The private state's root and, per scripted twin, whether its flag
    /// and its balance are written.
    pub fn written(&mut self) -> (B256, BTreeMap<u64, (bool, bool)>) {
        let calls: Vec<u64> = self
            .by_id
            .values()
            .filter(|i| i.kind == Kind::Twin)
            .map(|i| i.call_id)
            .collect();
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

    fn post(&mut self, call: PublicCall) {
        let to = self.gateway();
        let sender = self.account;
        self.chain.send(to, Msg::Call(Posted { sender, call }));
    }

    fn drain(&mut self) {
        while let Some(e) = self.twins.poll_event() {
            match e {
                TwinEvent::Post(call) => self.post(call),
                TwinEvent::Committed { twin, .. } | TwinEvent::Aborted { twin, .. } => {
                    let call_id = self.by_id[&twin].call_id;
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
        while let Some(e) = self.calls.poll_event() {
            match e {
                CallEvent::Post(call) => self.post(call),
                CallEvent::Done { id, outcome } => {
                    let call_id = self.by_id[&id].call_id;
                    // The private contract keeps what the public one
                    // returned (its commitment), or zero on expiry, in one
                    // transaction.
                    let kept = match &outcome {
                        CallOutcome::Returned {
                            success, output, ..
                        } => result_word(*success, output),
                        _ => U256::ZERO,
                    };
                    let state = self.twins.state();
                    state
                        .set_storage(RESULTS, U256::from(call_id), kept)
                        .unwrap();
                    state.set_nonce(RESULTS, 1).unwrap();
                    state.finalize_transaction().unwrap();
                    self.returned.insert(call_id, outcome);
                    self.chain
                        .out
                        .push_back(dfn_sim::Output::Event(Ev::Returned { call_id }));
                }
                _ => {}
            }
        }
    }

    /// Pulls beacon values, posts pending calls again, asks for reads and
    /// results.
    fn tick(&mut self) {
        self.ticks += 1;
        let to = self.gateway();
        self.chain.send(
            to,
            Msg::Values {
                from: self.beacon.height() + 1,
            },
        );
        let ids: Vec<TwinId> = self.by_id.keys().copied().collect();
        for id in ids {
            if let Some(call) = self.twins.call(&id).cloned() {
                self.post(call);
                self.chain.send(
                    to,
                    Msg::Read {
                        slot: twin_slot(&id),
                    },
                );
            } else if let Some(call) = self.calls.call_of(&id).cloned() {
                self.post(call);
                self.chain.send(to, Msg::ReadCall { id });
            }
        }
    }

    fn invoke(&mut self, call_id: u64) {
        let Some(inv) = self.by_id.values().find(|i| i.call_id == call_id).cloned() else {
            return;
        };
        // A duplicate id is refused by the machines.
        match inv.kind {
            Kind::Twin => {
                let _ = self.twins.invoke(call_id, inv.writes(), inv.spec);
            }
            Kind::Call => {
                let _ = self.calls.call(call_id, inv.spec, self.beacon.height());
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
                        self.invoke(id);
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
        self.drain();
    }

    fn refuse(&mut self, why: Refusal) {
        *self.refused.entry(why).or_default() += 1;
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
                let verdict = match CertifiedRead::<V>::from_bytes(&bytes) {
                    Err(_) => Err(Refusal::Other),
                    Ok(read) => self
                        .twins
                        .handle_proof(&self.beacon, &read)
                        .map_err(|e| match e {
                            TwinError::Proof(e) => refusal_of_proof(&e),
                            TwinError::Replay(_) => Refusal::Replay,
                            TwinError::Undecided { .. } => Refusal::Undecided,
                            _ => Refusal::Other,
                        }),
                };
                if let Err(why) = verdict {
                    self.refuse(why);
                }
            }
            Msg::CallProof(bytes) => {
                let verdict = match CallResult::<V>::from_bytes(&bytes) {
                    Err(_) => Err(Refusal::Other),
                    Ok(result) => self
                        .calls
                        .handle_result(&self.beacon, &result)
                        .map_err(|e| match e {
                            CallError::Proof(e) => refusal_of_proof(&e),
                            CallError::Replay(_) => Refusal::Replay,
                            CallError::ResultMismatch(_) => Refusal::Mismatch,
                            CallError::Undecided { .. } => Refusal::Undecided,
                            _ => Refusal::Other,
                        }),
                };
                if let Err(why) = verdict {
                    self.refuse(why);
                }
            }
            Msg::Call(_) | Msg::Values { .. } | Msg::Read { .. } | Msg::ReadCall { .. } => {}
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
/// running its script; network `n`'s public account starts with
/// `coins[n]` of the stable coin.
pub fn build(
    seed: u64,
    coins: [u64; 2],
    scripts: [BTreeMap<u64, Vec<Invocation>>; 2],
) -> Vec<Host> {
    use rand_core::SeedableRng;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let public = deal(PUBLIC_GENESIS, 4, 2, 3, 2, &mut rng);
    let public_net = net_of(0, &public, 0);
    let networks: Vec<_> = (0..2u8)
        .map(|n| {
            let mut genesis = *b"dfn interop private chain  #0   ";
            genesis[27] = b'0' + n;
            deal(genesis, 3, 1, 3, 2, &mut rng)
        })
        .collect();
    let allocation: Vec<(Address, u64)> = networks
        .iter()
        .zip(coins)
        .map(|(n, c)| (network_account(&n.chain_id()), c))
        .collect();
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
            &allocation,
        ))));
    }
    let publics: Vec<NodeId> = (0..public.keys.len() as u32).map(NodeId).collect();
    for (n, (network, script)) in networks.iter().zip(scripts).enumerate() {
        let offset = hosts.len() as u32;
        let net = net_of(n as u8 + 1, network, offset);
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
