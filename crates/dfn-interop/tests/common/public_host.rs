//! A public process: keeps the public `WorldState`, run by dfn-vm. The
//! genesis deploys the example contracts (`examples/contracts`: the twin
//! registry, the stable coin, the identity registry, the arbitration
//! contract); a block's payload is a list of signed posts of private
//! networks, each executed through the EVM twin registry as its signer
//! (`TwinRegistry::execute_signed`: the public method and its outcome
//! record in one transaction); the block carries the state root. Any
//! public process answers a private process's requests for beacon values,
//! twin reads and certified call results (the private side trusts none of
//! it); some answer badly on purpose ([`Role`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use dfn_beacon::BeaconEvent;
use dfn_crypto::Signature;
use dfn_interop::{
    CallResult, CertifiedRead, NotarizedHeader, RegistryError, SignedPost, TwinId, record_key,
    result_slot, result_word,
};
use dfn_psp::{Block, BlockHash, ChainEvent, Notarization, Output, PspMessage};
use dfn_sim::{NodeId, Time};
use dfn_state::rlp::{Rlp, encode_list_header};
use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, B256, U256};
use dfn_vm::{Executor, Spec};

use super::chain_host::{ChainHost, ct};
use super::evm::{Contracts, ISSUER, PUBLIC_CHAIN_ID, block};
use super::fixture::V;
use super::messages::{Ev, Msg};

fn encode_calls(calls: &[SignedPost]) -> Vec<u8> {
    let items: Vec<u8> = calls.iter().flat_map(SignedPost::to_bytes).collect();
    let mut out = Vec::new();
    encode_list_header(items.len(), &mut out);
    out.extend_from_slice(&items);
    out
}

fn decode_calls(payload: &[u8]) -> Option<Vec<SignedPost>> {
    Rlp::new(payload)
        .ok()?
        .list()
        .ok()?
        .map(|i| SignedPost::from_bytes(i.ok()?.raw()).ok())
        .collect()
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
    /// Posts by the key their poster records them under.
    mempool: BTreeMap<[u8; 32], SignedPost>,
    /// Every result the registry recorded here per call id (one per
    /// branch that executed it).
    results: HashMap<[u8; 32], Vec<(bool, Vec<u8>)>>,
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
        calls: Vec<SignedPost>,
        strict: bool,
    ) -> Option<(Vec<SignedPost>, B256)> {
        let root = *self.roots.get(parent)?;
        let mut state = WorldState::open(std::mem::take(&mut self.store), root);
        let registry = self.contracts.registry;
        let mut kept = Vec::new();
        for posted in calls {
            // Run as the account the signature recovers to.
            let executed =
                registry.execute_signed(&mut self.executor, &mut state, &block(height), &posted);
            match executed {
                Ok((poster, r)) => {
                    let key = record_key(&poster, &posted.call.twin);
                    let seen = self.results.entry(key).or_default();
                    if !seen.contains(&(r.success, r.output.clone())) {
                        seen.push((r.success, r.output));
                    }
                    kept.push(posted);
                }
                // Refused before anything ran: the state is unchanged.
                Err(
                    RegistryError::Expired { .. }
                    | RegistryError::Duplicate(_)
                    | RegistryError::Post(_),
                ) if !strict => {
                    self.mempool.retain(|_, p| *p != posted);
                }
                // Refused in a block made elsewhere, or the parent state is
                // not here (a block learnt while this process was cut off):
                // not valid here.
                Err(
                    RegistryError::Expired { .. }
                    | RegistryError::Duplicate(_)
                    | RegistryError::Post(_)
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

    /// The result of call `id` posted by `poster`: the read of its result
    /// slot and the recorded output the slot commits to (nothing recorded:
    /// an empty success, which proves expiry once `valid_until` passed).
    fn call_result(&self, poster: &Address, id: &TwinId) -> Option<CallResult<V>> {
        let slot = result_slot(poster, id);
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
            .get(&record_key(poster, id))
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

    pub fn pump(&mut self, now: Time) {
        while let Some(output) = self.chain.node.poll_output() {
            if let Output::Broadcast(PspMessage::Notarization(n)) = &output {
                self.notarizations.entry(n.block).or_insert(*n);
            }
            let Some(output) = self.chain.route(output) else {
                continue;
            };
            match output {
                Output::RequestPayload { height, parent } => {
                    let calls: Vec<SignedPost> = self.mempool.values().cloned().collect();
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
                        self.mempool.retain(|_, p| *p != posted);
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

    pub fn handle(&mut self, now: Time, from: NodeId, msg: Msg) {
        match msg {
            Msg::Chain(m) => {
                if let PspMessage::Notarization(n) = &m {
                    self.notarizations.entry(n.block).or_insert(*n);
                }
                self.chain.deliver(now, from, m);
            }
            Msg::Call(post) => {
                // A post that names no signer is dropped; one per poster
                // and id is kept.
                if let Ok(poster) = post.poster(self.contracts.registry.domain(PUBLIC_CHAIN_ID)) {
                    let key = record_key(&poster, &post.call.twin);
                    self.mempool.entry(key).or_insert(post);
                }
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
            Msg::ReadCall { poster, id } => {
                if let Some(result) = self.call_result(&poster, &id) {
                    self.answer(from, Msg::CallProof(result.to_bytes()));
                }
            }
            Msg::Value(_) | Msg::Proof(_) | Msg::CallProof(_) => {}
        }
        self.pump(now);
    }
}
