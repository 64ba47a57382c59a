//! One replica of one shard as a dfn-sim node.
//!
//! Shards run in lock step: block `h + 1` of a shard executes at
//! `(h + 1) · block_ms` once, for every other shard, a slice of its stream
//! to this shard at height `h` is certified. The chain's record of a
//! shard's commitment is modelled by a quorum (a majority) of the shard's
//! replicas sending the same commitment; the slice is checked against the
//! recorded streams root (and inducted only so). Every replica pushes its
//! slices to every replica of the destination after each block, keeps the
//! last `history` heights, and a replica missing slices at its due time
//! asks for them (`Need`) and asks again every `retry_ms`: that is how
//! replicas catch up after a crash or a partition.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use dfn_sim::{AuditSink, Node, NodeId, Output, SimEvent, SimMessage, Time};
use dfn_state::B256;
use dfn_state::rlp::Encode;
use dfn_state::shard::{ShardCommitment, ShardId};
use dfn_state::stream::{StreamConfig, StreamSlice};
use dfn_vm::Spec;
use dfn_vm::shard::{Delivery, Origin, ShardNode, Status};

use super::deploy::Deployment;
use super::load::{Load, block_txs};

#[derive(Clone, Copy, Debug)]
pub struct NetConfig {
    pub replicas: u32,
    pub block_ms: u64,
    pub retry_ms: u64,
    pub history: u64,
    pub stop_height: u64,
    pub streams: StreamConfig,
    pub load: Load,
}

impl NetConfig {
    pub fn quorum(&self) -> usize {
        self.replicas as usize / 2 + 1
    }
}

/// A slice of a stream at a height, with the commitment its sender vouches for.
#[derive(Debug)]
pub struct SliceMsg {
    pub height: u64,
    pub commitment: ShardCommitment,
    pub slice: StreamSlice,
    wire_len: usize,
}

#[derive(Clone, Debug)]
pub enum Msg {
    Slice(Arc<SliceMsg>),
    Need { height: u64 },
}

impl SimMessage for Msg {
    fn wire_len(&self) -> usize {
        match self {
            Msg::Slice(s) => s.wire_len,
            Msg::Need { .. } => 9,
        }
    }
    fn audit(&self, sink: &mut AuditSink) {
        match self {
            Msg::Slice(s) => {
                sink.write_u64(s.height);
                sink.write_u32(s.commitment.shard.0);
                sink.write(&s.commitment.state_root.0);
                sink.write(&s.commitment.streams_root.0);
                sink.write_u32(s.slice.dst.0);
                sink.write_u64(s.wire_len as u64);
            }
            Msg::Need { height } => sink.write_u64(*height),
        }
    }
}

#[derive(Debug)]
pub struct Ev {
    pub height: u64,
}

impl SimEvent for Ev {
    fn label(&self) -> &'static str {
        "block"
    }
    fn instance(&self) -> Option<u64> {
        Some(self.height)
    }
}

/// What a replica records of each block it executed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub height: u64,
    pub commitment: ShardCommitment,
    pub level_root: B256,
    /// Outbox ids of the requests sent.
    pub emitted: Vec<u64>,
    /// Replies delivered: (outbox id, status).
    pub replies: Vec<(u64, Status)>,
    /// Remote calls executed: (source shard, stream call id).
    pub calls: Vec<(u32, u64)>,
    /// Valid transactions committed, and how many succeeded.
    pub txs: usize,
    pub txs_ok: usize,
}

struct Vote {
    commitment: ShardCommitment,
    voters: BTreeSet<u32>,
    slice: Option<Arc<SliceMsg>>,
}

pub struct Replica {
    pub node: ShardNode,
    pub records: Vec<Record>,
    /// Wall-clock time spent executing blocks.
    pub exec_nanos: u128,
    cfg: NetConfig,
    dep: Arc<Deployment>,
    shard: ShardId,
    votes: BTreeMap<(u32, u64), Vec<Vote>>,
    sent: BTreeMap<u64, Vec<Arc<SliceMsg>>>,
    out: VecDeque<Output<Msg, Ev>>,
    started: bool,
    stuck_since: Option<u64>,
    wake: Option<Time>,
}

impl Replica {
    pub fn new(dep: Arc<Deployment>, cfg: NetConfig, id: NodeId) -> Self {
        let shard = ShardId(id.0 / cfg.replicas);
        let genesis = &dep.shards[shard.0 as usize];
        let node = ShardNode::new(
            shard,
            dep.map.clone(),
            cfg.streams,
            Spec::CANCUN,
            genesis.store.clone(),
            genesis.genesis_root,
        );
        Self {
            node,
            records: Vec::new(),
            exec_nanos: 0,
            cfg,
            dep,
            shard,
            votes: BTreeMap::new(),
            sent: BTreeMap::new(),
            out: VecDeque::new(),
            started: false,
            stuck_since: None,
            wake: Some(Time::ZERO),
        }
    }

    fn replicas_of(&self, shard: u32) -> impl Iterator<Item = NodeId> + use<> {
        let r = self.cfg.replicas;
        (0..r).map(move |i| NodeId(shard * r + i))
    }

    fn others(&self) -> impl Iterator<Item = u32> + use<> {
        let me = self.shard.0;
        (0..self.dep.count()).filter(move |s| *s != me)
    }

    /// Pushes this replica's slices at its current height to every replica
    /// of every other shard.
    fn publish(&mut self) {
        let height = self.node.height();
        let commitment = self.node.commitment();
        let mut msgs = Vec::new();
        for dst in self.others() {
            let slice = self.node.slice(ShardId(dst)).unwrap();
            let wire_len = slice.encoded_len() + 80;
            let msg = Arc::new(SliceMsg {
                height,
                commitment,
                slice,
                wire_len,
            });
            for to in self.replicas_of(dst) {
                self.out.push_back(Output::Send {
                    to,
                    msg: Msg::Slice(msg.clone()),
                });
            }
            msgs.push(msg);
        }
        self.sent.insert(height, msgs);
        let keep = height.saturating_sub(self.cfg.history);
        self.sent = self.sent.split_off(&keep);
    }

    /// The certified slice of `src`'s stream to this shard at `height`.
    fn certified(&self, src: u32, height: u64) -> Option<&Arc<SliceMsg>> {
        let quorum = self.cfg.quorum();
        self.votes
            .get(&(src, height))?
            .iter()
            .find(|v| v.voters.len() >= quorum && v.slice.is_some())?
            .slice
            .as_ref()
    }

    fn on_slice(&mut self, from: NodeId, msg: Arc<SliceMsg>) {
        let src = from.0 / self.cfg.replicas;
        if msg.commitment.shard.0 != src
            || msg.slice.src.0 != src
            || msg.slice.dst != self.shard
            || msg.height < self.node.height()
        {
            return;
        }
        let votes = self.votes.entry((src, msg.height)).or_default();
        let vote = match votes
            .iter_mut()
            .position(|v| v.commitment == msg.commitment)
        {
            Some(i) => &mut votes[i],
            None => {
                votes.push(Vote {
                    commitment: msg.commitment,
                    voters: BTreeSet::new(),
                    slice: None,
                });
                votes.last_mut().unwrap()
            }
        };
        vote.voters.insert(from.0 % self.cfg.replicas);
        if vote.slice.is_none() && msg.slice.verify(&msg.commitment.streams_root).is_ok() {
            vote.slice = Some(msg);
        }
    }

    fn ask(&mut self, now: Time) {
        let height = self.node.height();
        let missing: Vec<u32> = self
            .others()
            .filter(|s| self.certified(*s, height).is_none())
            .collect();
        for s in missing {
            for to in self.replicas_of(s).collect::<Vec<_>>() {
                self.out.push_back(Output::Send {
                    to,
                    msg: Msg::Need { height },
                });
            }
        }
        self.stuck_since = Some(now.as_millis());
    }

    fn advance(&mut self, now: Time) {
        if !self.started {
            self.started = true;
            self.publish();
        }
        loop {
            let h = self.node.height();
            if h >= self.cfg.stop_height {
                self.wake = None;
                return;
            }
            let due = Time::from_millis((h + 1) * self.cfg.block_ms);
            if now < due {
                self.wake = Some(due);
                return;
            }
            let slices: Option<Vec<(Arc<SliceMsg>, B256)>> = self
                .others()
                .map(|s| {
                    self.certified(s, h)
                        .map(|m| (m.clone(), m.commitment.streams_root))
                })
                .collect();
            let Some(slices) = slices else {
                let retry = match self.stuck_since {
                    Some(t) if now.as_millis() < t + self.cfg.retry_ms => t + self.cfg.retry_ms,
                    _ => {
                        self.ask(now);
                        now.as_millis() + self.cfg.retry_ms
                    }
                };
                self.wake = Some(Time::from_millis(retry));
                return;
            };
            self.stuck_since = None;
            self.execute(h + 1, &slices);
            self.votes.retain(|(_, height), _| *height > h);
            self.publish();
            self.out.push_back(Output::Event(Ev { height: h + 1 }));
        }
    }

    fn execute(&mut self, height: u64, slices: &[(Arc<SliceMsg>, B256)]) {
        let txs = block_txs(&self.dep, &self.cfg.load, self.shard, height);
        let inputs: Vec<(&StreamSlice, B256)> =
            slices.iter().map(|(m, r)| (&m.slice, *r)).collect();
        let clock = Instant::now();
        let timestamp = height * self.cfg.block_ms / 1000;
        let ex = self.node.execute(timestamp, txs, &inputs).unwrap();
        self.exec_nanos += clock.elapsed().as_nanos();
        assert!(ex.refused.is_empty(), "{:?}", ex.refused);
        let mut replies = Vec::new();
        let mut calls = Vec::new();
        for d in &ex.block.deliveries {
            match d {
                Delivery::Reply { id, status, .. } => replies.push((*id, *status)),
                Delivery::Call {
                    origin: Origin::Remote { shard, call },
                    ..
                } => calls.push((shard.0, call.0)),
                Delivery::Call { .. } => {}
            }
        }
        let receipts = &ex.outcome.receipts;
        self.records.push(Record {
            height,
            commitment: ex.commitment,
            level_root: ex.post_root,
            emitted: ex.outcome.emitted.iter().map(|e| e.id).collect(),
            replies,
            calls,
            txs: receipts.iter().flatten().count(),
            txs_ok: receipts.iter().flatten().filter(|r| r.success()).count(),
        });
    }
}

impl Node for Replica {
    type Message = Msg;
    type Event = Ev;

    fn handle_message(&mut self, now: Time, from: NodeId, msg: Msg) {
        match msg {
            Msg::Slice(m) => self.on_slice(from, m),
            Msg::Need { height } => {
                let dst = from.0 / self.cfg.replicas;
                let found = self
                    .sent
                    .get(&height)
                    .and_then(|msgs| msgs.iter().find(|m| m.slice.dst.0 == dst).cloned());
                if let Some(m) = found {
                    self.out.push_back(Output::Send {
                        to: from,
                        msg: Msg::Slice(m),
                    });
                }
            }
        }
        // New slices may complete the current height before its retry.
        let h = self.node.height();
        if self.started
            && h < self.cfg.stop_height
            && now >= Time::from_millis((h + 1) * self.cfg.block_ms)
            && self.others().all(|s| self.certified(s, h).is_some())
        {
            self.advance(now);
        }
    }

    fn handle_timeout(&mut self, now: Time) {
        self.advance(now);
    }

    fn poll_output(&mut self) -> Option<Output<Msg, Ev>> {
        self.out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Time> {
        self.wake
    }
}
