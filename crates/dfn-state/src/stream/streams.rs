//! One shard's streams: the outgoing stream to every other shard, what it
//! has taken from every incoming one, and the calls awaiting answers.

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::vec::Vec;

use ruint::aliases::U256;
use thiserror::Error;

use crate::address::Address;
use crate::hash::B256;
use crate::rlp::Encode;
use crate::shard::{ShardId, ShardMap};
use crate::trie::{MemoryStore, Trie, TrieError};

use super::header::StreamHeader;
use super::message::{CallId, Outcome, RejectReason, Request, Response, StreamMessage};
use super::slice::{SliceError, StreamSlice, header_key, message_key};

/// Bounds on a shard's streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamConfig {
    /// Requests to one shard sent and not yet acknowledged: a call past it
    /// fails at once with [`SendError::StreamFull`] (back-pressure on the
    /// caller, never a silent drop).
    pub capacity: u64,
    /// Requests from one shard taken and not yet answered: past it, a
    /// request is refused with a [`RejectReason::QueueFull`] signal, which
    /// its source turns into a reject response.
    pub inbox: u64,
    /// Messages per slice at most.
    pub max_slice: u64,
}

impl Default for StreamConfig {
    /// 1,024 requests in flight per stream, 1,024 taken, slices of 256.
    fn default() -> Self {
        Self {
            capacity: 1_024,
            inbox: 1_024,
            max_slice: 256,
        }
    }
}

/// Why a call cannot be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SendError {
    /// The callee is on this shard: a local call, not a stream message.
    #[error("the callee is on this shard")]
    SameShard,
    /// The stream to the callee's shard holds `capacity` unacknowledged
    /// requests.
    #[error("the stream to {0:?} is full")]
    StreamFull(ShardId),
}

/// Why an answer cannot be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RespondError {
    /// No request with this id from this shard is waiting for an answer
    /// (never taken, or answered already).
    #[error("no request {call:?} from {from:?} awaits an answer")]
    NotOutstanding {
        /// The source.
        from: ShardId,
        /// The call.
        call: CallId,
    },
}

/// What a slice delivers to the shard's executor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inbound {
    /// A call to execute here; answer it with [`ShardStreams::respond`].
    Request {
        /// The shard it came from.
        from: ShardId,
        /// The call.
        request: Request,
    },
    /// The one answer to a call made here (from the callee, or a reject
    /// this shard derived from the callee shard's signal).
    Response(Response),
}

/// A call made here, awaiting its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pending {
    caller: Address,
    callee: Address,
    value: U256,
}

/// This shard's side of its exchange with one other shard.
#[derive(Clone, Debug, Default)]
struct Peer {
    /// Index of `out`'s first message.
    begin: u64,
    /// The stream to the peer, not yet acknowledged.
    out: VecDeque<StreamMessage>,
    /// Requests in `out`.
    requests: u64,
    /// The next index expected of the peer's stream to us.
    signals_end: u64,
    /// Requests of the peer's stream refused here.
    reject_signals: Vec<(u64, RejectReason)>,
    /// Requests taken from the peer and not yet answered.
    taken: BTreeSet<CallId>,
}

/// One shard's streams, committed in a trie whose root the chain records.
#[derive(Debug)]
pub struct ShardStreams {
    shard: ShardId,
    map: ShardMap,
    config: StreamConfig,
    peers: BTreeMap<ShardId, Peer>,
    pending: BTreeMap<CallId, Pending>,
    next_call: u64,
    /// The committed streams: slices are read from it, so they match the
    /// root the chain recorded even while the shard moves on.
    trie: Trie<MemoryStore>,
    /// Headers as last committed.
    committed: BTreeMap<ShardId, StreamHeader>,
    /// Message writes (`Some`) and removals (`None`) since the last commit.
    writes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// Peers whose header changed since the last commit.
    dirty: BTreeSet<ShardId>,
}

impl ShardStreams {
    /// The streams of `shard` in the network `map`.
    pub fn new(shard: ShardId, map: ShardMap, config: StreamConfig) -> Self {
        Self {
            shard,
            map,
            config,
            peers: BTreeMap::new(),
            pending: BTreeMap::new(),
            next_call: 0,
            trie: Trie::new(MemoryStore::default()),
            committed: BTreeMap::new(),
            writes: Vec::new(),
            dirty: BTreeSet::new(),
        }
    }

    /// This shard.
    pub fn shard(&self) -> ShardId {
        self.shard
    }

    /// The shard map.
    pub fn map(&self) -> &ShardMap {
        &self.map
    }

    /// Calls made here and not yet answered.
    pub fn pending_calls(&self) -> usize {
        self.pending.len()
    }

    /// The next index this shard expects of the stream from `src` (where
    /// the slice it pulls should start).
    pub fn expected_from(&self, src: ShardId) -> u64 {
        self.peers.get(&src).map_or(0, |p| p.signals_end)
    }

    /// Messages held in the stream to `dst` (sent, not acknowledged).
    pub fn backlog(&self, dst: ShardId) -> usize {
        self.peers.get(&dst).map_or(0, |p| p.out.len())
    }

    /// `caller` (here) calls `callee` (on another shard). The host has
    /// debited `value` from the caller; it comes back in the response's
    /// `refund` if the call fails or is rejected.
    pub fn call(
        &mut self,
        caller: Address,
        callee: Address,
        value: U256,
        payload: Vec<u8>,
    ) -> Result<CallId, SendError> {
        let dst = self.map.shard_of(&callee);
        if dst == self.shard {
            return Err(SendError::SameShard);
        }
        let capacity = self.config.capacity;
        let peer = self.peers.entry(dst).or_default();
        if peer.requests >= capacity {
            return Err(SendError::StreamFull(dst));
        }
        let call = CallId(self.next_call);
        self.next_call += 1;
        peer.requests += 1;
        let message = StreamMessage::Request(Request {
            call,
            caller,
            callee,
            value,
            payload,
        });
        self.pending.insert(
            call,
            Pending {
                caller,
                callee,
                value,
            },
        );
        self.append(dst, message);
        Ok(call)
    }

    /// Answers the request `call` that came from `from`.
    pub fn respond(&mut self, from: ShardId, response: Response) -> Result<(), RespondError> {
        let call = response.call;
        let outstanding = self
            .peers
            .get_mut(&from)
            .is_some_and(|p| p.taken.remove(&call));
        if !outstanding {
            return Err(RespondError::NotOutstanding { from, call });
        }
        self.append(from, StreamMessage::Response(response));
        Ok(())
    }

    fn append(&mut self, dst: ShardId, message: StreamMessage) {
        let peer = self.peers.entry(dst).or_default();
        let index = peer.begin + peer.out.len() as u64;
        self.writes
            .push((message_key(dst, index), Some(message.to_rlp())));
        peer.out.push_back(message);
        self.dirty.insert(dst);
    }

    fn header(&self, dst: ShardId) -> StreamHeader {
        self.peers
            .get(&dst)
            .map(|p| StreamHeader {
                begin: p.begin,
                end: p.begin + p.out.len() as u64,
                signals_end: p.signals_end,
                reject_signals: p.reject_signals.clone(),
            })
            .unwrap_or_default()
    }

    /// Writes the changed headers and returns the streams root, the value
    /// the chain records for this shard. Slices are proven against it
    /// until the next change.
    pub fn commit(&mut self) -> B256 {
        // The in-memory store cannot fail.
        for (key, value) in core::mem::take(&mut self.writes) {
            let _ = match value {
                Some(value) => self.trie.insert(&key, &value),
                None => self.trie.remove(&key).map(|_| ()),
            };
        }
        for dst in core::mem::take(&mut self.dirty) {
            let header = self.header(dst);
            let _ = self.trie.insert(&header_key(dst), &header.to_rlp());
            self.committed.insert(dst, header);
        }
        self.trie.root()
    }

    /// The slice of the stream to `dst` from index `from` (at most
    /// `max_slice` messages), as last committed: proven against the root
    /// [`ShardStreams::commit`] returned.
    pub fn slice(&mut self, dst: ShardId, from: u64) -> Result<StreamSlice, TrieError> {
        let header = self.committed.get(&dst).cloned().unwrap_or_default();
        let first = from.clamp(header.begin, header.end);
        let end = header.end.min(first.saturating_add(self.config.max_slice));
        let header_proof = self.trie.prove(&header_key(dst))?;
        let mut messages = Vec::new();
        let mut proofs = Vec::new();
        for index in first..end {
            let key = message_key(dst, index);
            let message = self
                .trie
                .get(&key)?
                .and_then(|bytes| crate::rlp::decode_exact::<StreamMessage>(bytes).ok());
            // Committed messages are always present and decode.
            let Some(message) = message else { break };
            messages.push(message);
            proofs.push(self.trie.prove(&key)?);
        }
        Ok(StreamSlice {
            src: self.shard,
            dst,
            header,
            header_proof,
            first,
            messages,
            proofs,
        })
    }

    /// Takes a slice of the stream from `slice.src` to this shard, checked
    /// against `root` (the source's committed streams root): applies the
    /// source's acknowledgements of this shard's stream (garbage
    /// collection, reject responses for refused requests), then takes the
    /// new messages in index order, each exactly once. Returns what to
    /// execute or deliver, in order.
    pub fn induct(&mut self, slice: &StreamSlice, root: &B256) -> Result<Vec<Inbound>, SliceError> {
        if slice.dst != self.shard || slice.src == self.shard {
            return Err(SliceError::WrongStream {
                src: slice.src,
                dst: slice.dst,
            });
        }
        slice.verify(root)?;
        let src = slice.src;
        let expected = self.peers.get(&src).map_or(0, |p| p.signals_end);
        if slice.first > expected {
            return Err(SliceError::Gap {
                first: slice.first,
                expected,
            });
        }
        let mut inbound = self.acknowledged(src, &slice.header);
        let shard = self.shard;
        let inbox = self.config.inbox;
        let mut changed = false;
        for (i, message) in slice.messages.iter().enumerate() {
            let index = slice.first + i as u64;
            let peer = self.peers.entry(src).or_default();
            if index < peer.signals_end {
                continue; // taken before: exactly once
            }
            peer.signals_end = index + 1;
            changed = true;
            match message {
                StreamMessage::Request(request) => {
                    let refused = if self.map.shard_of(&request.callee) != shard {
                        Some(RejectReason::WrongShard)
                    } else if peer.taken.len() as u64 >= inbox {
                        Some(RejectReason::QueueFull)
                    } else {
                        None
                    };
                    match refused {
                        Some(reason) => peer.reject_signals.push((index, reason)),
                        None => {
                            peer.taken.insert(request.call);
                            inbound.push(Inbound::Request {
                                from: src,
                                request: request.clone(),
                            });
                        }
                    }
                }
                StreamMessage::Response(response) => {
                    // A response for no pending call cannot come from a
                    // correct shard; it is dropped, the call it names is
                    // not answered twice.
                    if self.pending.remove(&response.call).is_some() {
                        inbound.push(Inbound::Response(response.clone()));
                    }
                }
            }
        }
        if changed {
            self.dirty.insert(src);
        }
        Ok(inbound)
    }

    /// The source's header acknowledges this shard's stream to it up to
    /// `signals_end`: those messages are dropped, and each refused request
    /// among them becomes its reject response (once: only messages still
    /// held are examined). Signals this shard gave for the source's stream
    /// below its `begin` have been acted on there and are dropped.
    fn acknowledged(&mut self, src: ShardId, header: &StreamHeader) -> Vec<Inbound> {
        let mut out = Vec::new();
        let Some(peer) = self.peers.get_mut(&src) else {
            return out;
        };
        let before = peer.reject_signals.len();
        peer.reject_signals.retain(|(i, _)| *i >= header.begin);
        let mut changed = peer.reject_signals.len() != before;
        let end = peer.begin + peer.out.len() as u64;
        let upto = header.signals_end.min(end);
        while peer.begin < upto {
            let index = peer.begin;
            let Some(message) = peer.out.pop_front() else {
                break;
            };
            peer.begin += 1;
            changed = true;
            self.writes.push((message_key(src, index), None));
            let StreamMessage::Request(request) = message else {
                continue;
            };
            peer.requests = peer.requests.saturating_sub(1);
            let signal = header.reject_signals.iter().find(|(i, _)| *i == index);
            if let Some((_, reason)) = signal {
                if let Some(p) = self.pending.remove(&request.call) {
                    out.push(Inbound::Response(Response {
                        call: request.call,
                        callee: p.callee,
                        caller: p.caller,
                        refund: p.value,
                        outcome: Outcome::Rejected(*reason),
                    }));
                }
            }
        }
        if changed {
            self.dirty.insert(src);
        }
        out
    }
}
