//! A private process whose network runs contracts on dfn-vm
//! ([`PrivateChain`]: the gateway, the treasury and the onboarding desk),
//! hosted in dfn-sim next to the public processes of `public_host.rs`.
//!
//! The private chain's blocks carry the clerk's transactions (a shared
//! script by height), the certified results its makers gathered, and the
//! public height the block's requests are posted at. Every process
//! executes the finalized blocks in order: first the results (each
//! verified by the gateway and, when accepted, delivered to its
//! contract's callback), then the transactions (whose gateway logs become
//! requests), so all processes hold the same private state. A block
//! whose result needs a public beacon value the process does not hold yet
//! waits until it does: verification then gives the same answer
//! everywhere.
//!
//! A notary accepts a block only if its posting height is one its own
//! light beacon verified and every result in it verifies (or names a
//! beacon height at most [`LOOKAHEAD`] above its own), so a maker cannot
//! stall execution with a result of a height the public chain never
//! reaches.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use dfn_beacon::ValueProof;
use dfn_interop::{
    CallError, CallResult, CertError, GatewayError, LightBeacon, PostKey, PublicCall, ReadPolicy,
    TwinId,
};
use dfn_psp::{Block, ChainEvent, Output};
use dfn_sim::{NodeId, Time};
use dfn_state::Address;
use dfn_state::rlp::{Encode, Rlp, encode_bytes, encode_list_header};

use super::chain_host::{ChainHost, ct};
use super::evm::{Contracts, PUBLIC_CHAIN_ID};
use super::fixture::V;
use super::messages::{Ev, Msg};
use super::private_evm::{PrivateChain, private_block};
use super::private_host::{Refusal, TICK_MS, refusal_of_proof};

/// How far above its own beacon a notary lets a result's heights reach.
pub const LOOKAHEAD: u64 = 16;
/// How far below its beacon a maker names the posting height (so that
/// notaries a little behind have verified it too).
const POST_LAG: u64 = 2;

/// A transaction of the network's clerk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub to: Address,
    pub data: Vec<u8>,
}

/// A private block's payload.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Payload {
    posted_at: u64,
    orders: Vec<Order>,
    results: Vec<Vec<u8>>,
}

fn list(items: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_list_header(items.len(), &mut out);
    out.extend_from_slice(items);
    out
}

impl Payload {
    fn to_bytes(&self) -> Vec<u8> {
        let mut orders = Vec::new();
        for o in &self.orders {
            let mut item = Vec::new();
            o.to.encode(&mut item);
            encode_bytes(&o.data, &mut item);
            orders.extend_from_slice(&list(&item));
        }
        let mut results = Vec::new();
        for r in &self.results {
            encode_bytes(r, &mut results);
        }
        let mut items = self.posted_at.to_rlp();
        items.extend_from_slice(&list(&orders));
        items.extend_from_slice(&list(&results));
        list(&items)
    }

    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let [posted_at, orders, results] = Rlp::new(bytes).ok()?.fixed_list::<3>().ok()?;
        let orders = orders
            .list()
            .ok()?
            .map(|o| {
                let [to, data] = o.ok()?.fixed_list::<2>().ok()?;
                Some(Order {
                    to: to.decode().ok()?,
                    data: data.data().ok()?.to_vec(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let results = results
            .list()
            .ok()?
            .map(|r| Some(r.ok()?.data().ok()?.to_vec()))
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            posted_at: posted_at.decode().ok()?,
            orders,
            results,
        })
    }
}

fn refusal(e: &GatewayError) -> Refusal {
    match e {
        GatewayError::Call(CallError::Proof(e)) => refusal_of_proof(e),
        GatewayError::Call(CallError::Replay(_)) => Refusal::Replay,
        GatewayError::Call(CallError::ResultMismatch(_)) => Refusal::Mismatch,
        GatewayError::Call(CallError::Undecided { .. }) => Refusal::Undecided,
        _ => Refusal::Other,
    }
}

fn waits_for_beacon(e: &GatewayError) -> bool {
    matches!(
        e,
        GatewayError::Call(CallError::Proof(CertError::UnknownBeacon { .. }))
    )
}

pub struct ContractHost {
    pub chain: ChainHost,
    publics: Vec<NodeId>,
    pub beacon: LightBeacon,
    early: BTreeMap<u64, ValueProof<V>>,
    /// The private chain's state, executed up to `executed`.
    pub ledger: PrivateChain,
    script: Arc<BTreeMap<u64, Vec<Order>>>,
    /// Results checked here and not yet in an executed block.
    pool: BTreeMap<TwinId, Vec<u8>>,
    /// Finalized blocks not yet executed, in height order.
    queue: VecDeque<Arc<Block<V>>>,
    pub executed: u64,
    pub chain_id: [u8; 32],
    /// The network's public account and its key.
    pub account: Address,
    key: PostKey,
    ticks: u64,
    pub next_tick: Time,
    /// Answers refused on arrival, by kind.
    pub refused: BTreeMap<Refusal, u64>,
    /// Results refused while executing finalized blocks (the same at every
    /// process).
    pub refused_in_blocks: BTreeMap<Refusal, u64>,
}

impl ContractHost {
    pub fn new(
        chain: ChainHost,
        publics: Vec<NodeId>,
        beacon: LightBeacon,
        chain_id: [u8; 32],
        key: PostKey,
        opening: u64,
        script: Arc<BTreeMap<u64, Vec<Order>>>,
    ) -> Self {
        Self {
            chain,
            publics,
            beacon,
            early: BTreeMap::new(),
            ledger: PrivateChain::new(chain_id, key.address(), opening),
            script,
            pool: BTreeMap::new(),
            queue: VecDeque::new(),
            executed: 0,
            chain_id,
            account: key.address(),
            key,
            ticks: 0,
            next_tick: Time::from_millis(TICK_MS),
            refused: BTreeMap::new(),
            refused_in_blocks: BTreeMap::new(),
        }
    }

    fn gateway_node(&self) -> NodeId {
        let i = (self.ticks + u64::from(self.chain.me.0)) as usize % self.publics.len();
        self.publics[i]
    }

    /// Sends `call` to public process `to`, signed with the network's key.
    fn post(&mut self, to: NodeId, call: PublicCall) {
        let domain = Contracts::addresses().registry.domain(PUBLIC_CHAIN_ID);
        self.chain.send(to, Msg::Call(self.key.sign(domain, call)));
    }

    /// Pulls beacon values, posts the calls in flight again and asks for
    /// their results.
    pub fn tick(&mut self) {
        self.ticks += 1;
        let to = self.gateway_node();
        self.chain.send(
            to,
            Msg::Values {
                from: self.beacon.height() + 1,
            },
        );
        let calls: Vec<_> = self.ledger.gateway.in_flight().cloned().collect();
        for call in calls {
            let id = call.twin;
            self.post(to, call);
            let poster = self.account;
            self.chain.send(to, Msg::ReadCall { poster, id });
        }
        self.execute();
    }

    /// Whether a notary accepts `payload` (see the module docs).
    fn valid(&self, payload: &[u8]) -> bool {
        let Some(p) = Payload::from_bytes(payload) else {
            return false;
        };
        p.posted_at <= self.beacon.height()
            && p.results.iter().all(|bytes| {
                CallResult::<V>::from_bytes(bytes).is_ok_and(|r| {
                    match r.read.verify(&self.beacon, &ReadPolicy::default()) {
                        Ok(_) => true,
                        Err(CertError::UnknownBeacon { height }) => {
                            height <= self.beacon.height() + LOOKAHEAD
                        }
                        Err(_) => false,
                    }
                })
            })
    }

    /// Executes the finalized blocks in order, stopping at one whose
    /// results need a beacon value not held yet.
    fn execute(&mut self) {
        while let Some(block) = self.queue.front().cloned() {
            // Validated before notarization: a finalized payload decodes.
            let payload = Payload::from_bytes(block.payload()).unwrap();
            let results: Vec<CallResult<V>> = payload
                .results
                .iter()
                .map(|b| CallResult::from_bytes(b).unwrap())
                .collect();
            if results.iter().any(|r| {
                self.ledger
                    .gateway
                    .check_result(&self.beacon, r)
                    .is_err_and(|e| waits_for_beacon(&e))
            }) {
                return;
            }
            self.queue.pop_front();
            let env = private_block(block.height());
            for result in &results {
                if let Err(e) = self.ledger.handle_result(&env, &self.beacon, result) {
                    *self.refused_in_blocks.entry(refusal(&e)).or_default() += 1;
                }
            }
            for order in &payload.orders {
                // A reverted order sends no request; the script has none.
                self.ledger
                    .transact(&env, order.to, order.data.clone(), payload.posted_at);
            }
            for call in self.ledger.deliver(&env) {
                let to = self.gateway_node();
                self.post(to, call);
            }
            let gateway = &self.ledger.gateway;
            self.pool.retain(|id, _| gateway.request(id).is_some());
            self.executed = block.height();
            let net = self.chain.net.id;
            self.chain
                .out
                .push_back(dfn_sim::Output::Event(Ev::Finalized {
                    net,
                    height: block.height(),
                }));
        }
    }

    pub fn pump(&mut self, now: Time) {
        while let Some(output) = self.chain.node.poll_output() {
            let Some(output) = self.chain.route(output) else {
                continue;
            };
            match output {
                Output::RequestPayload { height, parent } => {
                    let payload = Payload {
                        posted_at: self.beacon.height().saturating_sub(POST_LAG),
                        orders: self.script.get(&height).cloned().unwrap_or_default(),
                        results: self.pool.values().cloned().collect(),
                    };
                    self.chain.node.provide_payload(
                        ct(now),
                        height,
                        parent,
                        payload.to_bytes(),
                        [0; 32],
                    );
                }
                Output::ValidatePayload(block) => {
                    let valid = self.valid(block.payload());
                    self.chain
                        .node
                        .payload_checked(ct(now), block.hash(), valid);
                }
                Output::Event(ChainEvent::Finalized(block)) => {
                    self.queue.push_back(block);
                    self.execute();
                }
                _ => {}
            }
        }
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
                self.execute();
            }
            Msg::CallProof(bytes) => {
                let checked = CallResult::<V>::from_bytes(&bytes)
                    .map_err(|_| Refusal::Other)
                    .and_then(|r| {
                        self.ledger
                            .gateway
                            .check_result(&self.beacon, &r)
                            .map_err(|e| refusal(&e))
                    });
                match checked {
                    Ok(id) => {
                        self.pool.entry(id).or_insert(bytes);
                    }
                    Err(why) => *self.refused.entry(why).or_default() += 1,
                }
            }
            _ => {}
        }
        self.pump(now);
    }
}
