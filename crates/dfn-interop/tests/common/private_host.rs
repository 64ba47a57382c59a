//! A private process of a network that uses host methods: its chain's
//! payloads are call ids from a shared script. When a private block is
//! final, the process invokes the scripted twinned methods on its `Twins`
//! and the scripted certified calls on its `CertifiedCalls`, posts the
//! calls to the public chain signed with its network's key, and pulls
//! beacon values, reads and results until each is decided. A certified
//! call's result is what a private contract acts on: its commitment is
//! written to the private state.

use std::collections::BTreeMap;
use std::sync::Arc;

use dfn_beacon::ValueProof;
use dfn_interop::{
    CallError, CallEvent, CallOutcome, CallResult, CallSpec, CertError, CertifiedCalls,
    CertifiedRead, Decision, LightBeacon, PostKey, PublicCall, ReadPolicy, TwinError, TwinEvent,
    TwinId, Twins, Write, result_word, twin_slot,
};
use dfn_psp::{ChainEvent, Output};
use dfn_sim::{NodeId, Time};
use dfn_state::rlp::{Encode, Rlp, encode_list_header};
use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, B256, U256};

use super::chain_host::{ChainHost, ct};
use super::evm::{Contracts, PUBLIC_CHAIN_ID};
use super::fixture::V;
use super::messages::{Ev, Msg};

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

pub fn refusal_of_proof(e: &CertError) -> Refusal {
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
    /// The network's public account and its key.
    pub account: Address,
    key: PostKey,
    ticks: u64,
    pub next_tick: Time,
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
        key: PostKey,
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
        let account = key.address();
        Self {
            chain,
            publics,
            beacon,
            early: BTreeMap::new(),
            twins: Twins::new(
                chain_id,
                registry,
                account,
                ReadPolicy::default(),
                WorldState::new(MemoryStore::new()),
            ),
            calls: CertifiedCalls::new(chain_id, registry, account, ReadPolicy::default()),
            script,
            by_id,
            chain_id,
            account,
            key,
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
        let domain = Contracts::addresses().registry.domain(PUBLIC_CHAIN_ID);
        self.chain.send(to, Msg::Call(self.key.sign(domain, call)));
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
    pub fn tick(&mut self) {
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
                        slot: twin_slot(&self.account, &id),
                    },
                );
            } else if let Some(call) = self.calls.call_of(&id).cloned() {
                self.post(call);
                let poster = self.account;
                self.chain.send(to, Msg::ReadCall { poster, id });
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

    pub fn pump(&mut self, now: Time) {
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

    pub fn handle(&mut self, now: Time, from: NodeId, msg: Msg) {
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
