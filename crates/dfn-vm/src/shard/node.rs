//! A shard node: one replica's state machine for one shard.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use dfn_state::rlp::Encode;
use dfn_state::shard::{ShardCommitment, ShardId, ShardMap};
use dfn_state::state::{StateError, WorldState};
use dfn_state::stream::{
    CallId, Inbound, Outcome, RejectReason, Response, SendError, ShardStreams, SliceError,
    StreamConfig, StreamSlice,
};
use dfn_state::trie::{MemoryStore, TrieError};
use dfn_state::{Address, B256, U256};
use thiserror::Error;

use super::block::{Answer, Delivery, Origin, ShardBlock};
use super::exec::{BlockError, BlockOutcome, execute_block, level_root};
use super::system::{Emitted, Status};
use crate::spec::Spec;
use crate::transaction::{Executor, Transaction};

/// Why a node could not execute a block.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum NodeError {
    /// Execution failed (missing state: the node's store is broken).
    #[error(transparent)]
    Block(#[from] BlockError),
    /// The streams trie could not be read.
    #[error("streams: {0}")]
    Trie(#[from] TrieError),
}

/// Who to tell when a request made here is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Waiting {
    caller: Address,
    callback: [u8; 4],
    gas: u64,
}

/// What [`ShardNode::execute`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Executed {
    /// The block executed (its encoding is the tower level's inputs).
    pub block: ShardBlock,
    /// What it produced.
    pub outcome: BlockOutcome,
    /// The level root before the block.
    pub pre_root: B256,
    /// The level root after it.
    pub post_root: B256,
    /// What the chain records of the shard after it.
    pub commitment: ShardCommitment,
    /// Slices refused (by position in the input), with the reason.
    pub refused: Vec<(usize, SliceError)>,
}

/// One replica of one shard: its world state and streams, executing one
/// block per height. Sans-IO: the host passes in the block's transactions
/// and the slices of the other shards' streams (each with the streams root
/// the chain recorded for its source), and reads out the commitment and
/// the slices for the other shards.
///
/// A block executes, in order: the deliveries left from the previous block
/// (same-shard requests and their replies, stream-full rejects), the
/// deliveries of the slices in the order given (within a slice, in stream
/// order), then the transactions. Replicas given the same inputs reach the
/// same roots.
#[derive(Debug)]
pub struct ShardNode {
    shard: ShardId,
    map: ShardMap,
    store: MemoryStore,
    state_root: B256,
    effects: B256,
    height: u64,
    streams: ShardStreams,
    streams_root: B256,
    executor: Executor,
    /// Stream call id → outbox id, for requests in flight to other shards.
    calls: BTreeMap<CallId, u64>,
    /// Requests made here and not yet answered, by outbox id.
    waiting: BTreeMap<u64, Waiting>,
    /// Deliveries for the next block.
    local: Vec<Delivery>,
}

impl ShardNode {
    /// The node of `shard` at height 0, whose state is `genesis_root` in
    /// `store` (the deployment's accounts and contracts; the outbox's code
    /// must be at [`OUTBOX`](super::OUTBOX)).
    pub fn new(
        shard: ShardId,
        map: ShardMap,
        config: StreamConfig,
        spec: Spec,
        store: MemoryStore,
        genesis_root: B256,
    ) -> Self {
        let mut streams = ShardStreams::new(shard, map.clone(), config);
        let streams_root = streams.commit();
        Self {
            shard,
            map,
            store,
            state_root: genesis_root,
            effects: B256::ZERO,
            height: 0,
            streams,
            streams_root,
            executor: Executor::new(spec),
            calls: BTreeMap::new(),
            waiting: BTreeMap::new(),
            local: Vec::new(),
        }
    }

    /// This shard.
    pub fn shard(&self) -> ShardId {
        self.shard
    }

    /// Blocks executed.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// The tower level root the next block starts from.
    pub fn root(&self) -> B256 {
        level_root(&self.state_root, &self.effects)
    }

    /// What the chain records of this shard now.
    pub fn commitment(&self) -> ShardCommitment {
        ShardCommitment {
            shard: self.shard,
            state_root: self.state_root,
            streams_root: self.streams_root,
            tower_height: self.height,
        }
    }

    /// Requests made here and not answered yet (in flight, or answered and
    /// waiting for the next block's delivery).
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// The streams.
    pub fn streams(&self) -> &ShardStreams {
        &self.streams
    }

    /// The node store (every state ever persisted: what a tower's
    /// re-executor reads).
    pub fn store(&self) -> &MemoryStore {
        &self.store
    }

    /// The current state, to read (changes made through it are not kept).
    pub fn state(&mut self) -> WorldState<&mut MemoryStore> {
        WorldState::open(&mut self.store, self.state_root)
    }

    /// A storage word of the current state.
    pub fn storage(&mut self, address: Address, key: U256) -> Result<U256, StateError> {
        self.state().storage(address, key)
    }

    /// The slice of this shard's stream to `dst` as last committed: every
    /// message `dst` has not acknowledged, proven against
    /// [`ShardCommitment::streams_root`].
    pub fn slice(&mut self, dst: ShardId) -> Result<StreamSlice, TrieError> {
        self.streams.slice(dst, 0)
    }

    /// Executes the next block: `slices` (each with its source's recorded
    /// streams root) are inducted first, then everything runs. A slice
    /// that does not verify is refused (reported, nothing taken from it).
    pub fn execute(
        &mut self,
        timestamp: u64,
        txs: Vec<Transaction>,
        slices: &[(&StreamSlice, B256)],
    ) -> Result<Executed, NodeError> {
        let mut deliveries = core::mem::take(&mut self.local);
        let mut refused = Vec::new();
        for (position, (slice, root)) in slices.iter().enumerate() {
            match self.streams.induct(slice, root) {
                Ok(inbound) => {
                    for item in inbound {
                        deliveries.extend(self.delivery(item));
                    }
                }
                Err(error) => refused.push((position, error)),
            }
        }
        let pre_root = self.root();
        let block = ShardBlock {
            pre_state_root: self.state_root,
            pre_effects: self.effects,
            number: self.height + 1,
            timestamp,
            deliveries,
            txs,
        };
        let outcome = {
            let mut state = WorldState::open(&mut self.store, self.state_root);
            execute_block(&mut self.executor, &mut state, &block)?
        };
        for answer in &outcome.answers {
            self.answer(answer);
        }
        for emitted in &outcome.emitted {
            self.send(emitted);
        }
        self.streams_root = self.streams.commit();
        self.state_root = outcome.state_root;
        self.effects = outcome.effects;
        self.height += 1;
        Ok(Executed {
            block,
            pre_root,
            post_root: self.root(),
            commitment: self.commitment(),
            refused,
            outcome,
        })
    }

    /// What an inducted stream message becomes in this block.
    fn delivery(&mut self, inbound: Inbound) -> Option<Delivery> {
        match inbound {
            Inbound::Request { from, request } => {
                // The payload is `gas (8 bytes, big-endian) ‖ calldata`; a
                // shorter one (no correct shard sends it) runs with no gas.
                let (gas, calldata) = match request.payload.split_first_chunk::<8>() {
                    Some((gas, rest)) => (u64::from_be_bytes(*gas), rest.to_vec()),
                    None => (0, Vec::new()),
                };
                Some(Delivery::Call {
                    origin: Origin::Remote {
                        shard: from,
                        call: request.call,
                    },
                    caller: request.caller,
                    callee: request.callee,
                    value: request.value,
                    gas,
                    calldata,
                })
            }
            Inbound::Response(response) => {
                let id = self.calls.remove(&response.call)?;
                let (status, data) = match response.outcome {
                    Outcome::Returned(data) => (Status::Ok, data),
                    Outcome::Failed(envelope) => match envelope.split_first() {
                        Some((&code, data)) => (
                            Status::from_code(code).unwrap_or(Status::Halted),
                            data.to_vec(),
                        ),
                        None => (Status::Halted, Vec::new()),
                    },
                    Outcome::Rejected(RejectReason::QueueFull) => (Status::QueueFull, Vec::new()),
                    Outcome::Rejected(_) => (Status::WrongShard, Vec::new()),
                };
                self.reply(id, status, data, response.refund)
            }
        }
    }

    /// The reply delivery for request `id`, which stops waiting.
    fn reply(&mut self, id: u64, status: Status, data: Vec<u8>, refund: U256) -> Option<Delivery> {
        let w = self.waiting.remove(&id)?;
        Some(Delivery::Reply {
            id,
            caller: w.caller,
            callback: w.callback,
            gas: w.gas,
            status,
            data,
            refund,
        })
    }

    /// Sends an answer back where its request came from.
    fn answer(&mut self, answer: &Answer) {
        match answer.origin {
            Origin::Remote { shard, call } => {
                let outcome = match answer.status {
                    Status::Ok => Outcome::Returned(answer.data.clone()),
                    status => {
                        let mut envelope = Vec::with_capacity(1 + answer.data.len());
                        envelope.push(status.code());
                        envelope.extend_from_slice(&answer.data);
                        Outcome::Failed(envelope)
                    }
                };
                let response = Response {
                    call,
                    callee: answer.callee,
                    caller: answer.caller,
                    refund: answer.refund,
                    outcome,
                };
                // Every call of the block was taken from a slice and is
                // answered once, here: respond cannot refuse it.
                let _ = self.streams.respond(shard, response);
            }
            Origin::Local { id } => {
                let reply = self.reply(id, answer.status, answer.data.clone(), answer.refund);
                self.local.extend(reply);
            }
        }
    }

    /// Sends a request the block emitted: into the stream to its shard, or
    /// to the next block if it stays here; a full stream answers at once.
    fn send(&mut self, e: &Emitted) {
        self.waiting.insert(
            e.id,
            Waiting {
                caller: e.caller,
                callback: e.callback,
                gas: e.callback_gas,
            },
        );
        let call = Delivery::Call {
            origin: Origin::Local { id: e.id },
            caller: e.caller,
            callee: e.callee,
            value: e.value,
            gas: e.gas,
            calldata: e.calldata.clone(),
        };
        if self.map.shard_of(&e.callee) == self.shard {
            self.local.push(call);
            return;
        }
        let mut payload = Vec::with_capacity(8 + e.calldata.len());
        payload.extend_from_slice(&e.gas.to_be_bytes());
        payload.extend_from_slice(&e.calldata);
        match self.streams.call(e.caller, e.callee, e.value, payload) {
            Ok(call) => {
                self.calls.insert(call, e.id);
            }
            Err(SendError::StreamFull(_)) => {
                let reply = self.reply(e.id, Status::StreamFull, Vec::new(), e.value);
                self.local.extend(reply);
            }
            Err(_) => self.local.push(call),
        }
    }
}

/// The encoded inputs of the tower level for `executed`.
#[must_use]
pub fn level_inputs(executed: &Executed) -> Vec<u8> {
    executed.block.to_rlp()
}
