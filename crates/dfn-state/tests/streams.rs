//! Cross-shard streams: exactly-once delivery in order, one response per
//! request, back-pressure as rejects, proofs that refuse forgeries.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::collections::{BTreeMap, BTreeSet};

use dfn_state::shard::{ShardId, ShardMap};
use dfn_state::stream::{
    CallId, Inbound, Outcome, RejectReason, Response, SendError, ShardStreams, SliceError,
    StreamConfig, StreamMessage, StreamSlice,
};
use dfn_state::{Address, B256, U256, rlp::Encode};
use proptest::prelude::*;

/// An address on `shard` of `map` (the first of a counter sequence).
fn address_on(map: &ShardMap, shard: ShardId, salt: u32) -> Address {
    (0u32..)
        .map(|i| {
            let mut a = [0u8; 20];
            a[12..16].copy_from_slice(&salt.to_be_bytes());
            a[16..].copy_from_slice(&i.to_be_bytes());
            Address(a)
        })
        .find(|a| map.shard_of(a) == shard)
        .unwrap()
}

/// Shards, their committed roots, and what each delivered.
struct World {
    shards: Vec<ShardStreams>,
    roots: Vec<B256>,
    /// Requests executed, per (src, dst), in order.
    executed: BTreeMap<(u32, u32), Vec<CallId>>,
    /// Responses received per shard, by call.
    answered: Vec<BTreeMap<CallId, Outcome>>,
    /// Requests taken and not yet answered, per shard.
    to_answer: Vec<Vec<(ShardId, Response)>>,
}

impl World {
    fn new(count: u32, config: StreamConfig) -> Self {
        let map = ShardMap::new(count).unwrap();
        let shards: Vec<ShardStreams> = map
            .shards()
            .map(|s| ShardStreams::new(s, map.clone(), config))
            .collect();
        Self {
            roots: vec![B256::default(); shards.len()],
            answered: vec![BTreeMap::new(); shards.len()],
            to_answer: vec![Vec::new(); shards.len()],
            shards,
            executed: BTreeMap::new(),
        }
    }

    fn commit(&mut self) {
        for (i, s) in self.shards.iter_mut().enumerate() {
            self.roots[i] = s.commit();
        }
    }

    /// `dst` pulls and takes the slice from `src`.
    fn deliver(&mut self, src: usize, dst: usize) {
        let from = self.shards[dst].expected_from(ShardId(src as u32));
        let slice = self.shards[src].slice(ShardId(dst as u32), from).unwrap();
        let root = self.roots[src];
        for inbound in self.shards[dst].induct(&slice, &root).unwrap() {
            self.take(dst, inbound);
        }
    }

    fn take(&mut self, dst: usize, inbound: Inbound) {
        match inbound {
            Inbound::Request { from, request } => {
                self.executed
                    .entry((from.0, dst as u32))
                    .or_default()
                    .push(request.call);
                self.to_answer[dst].push((
                    from,
                    Response {
                        call: request.call,
                        callee: request.callee,
                        caller: request.caller,
                        refund: U256::ZERO,
                        outcome: Outcome::Returned(request.payload),
                    },
                ));
            }
            Inbound::Response(r) => {
                let previous = self.answered[dst].insert(r.call, r.outcome);
                assert!(previous.is_none(), "call {:?} answered twice", r.call);
            }
        }
    }

    /// Every shard answers what it took.
    fn answer(&mut self) {
        for (i, pending) in self.to_answer.iter_mut().enumerate() {
            for (from, response) in pending.drain(..) {
                self.shards[i].respond(from, response).unwrap();
            }
        }
    }

    /// Rounds of commit, deliver everything, answer, until quiet.
    fn drain(&mut self) {
        let n = self.shards.len();
        for _ in 0..20 {
            self.commit();
            for src in 0..n {
                for dst in 0..n {
                    if src != dst {
                        self.deliver(src, dst);
                    }
                }
            }
            self.answer();
        }
        self.commit();
    }
}

#[test]
fn every_call_is_answered_once_in_order_and_streams_are_collected() {
    let mut w = World::new(4, StreamConfig::default());
    let map = w.shards[0].map().clone();
    let mut sent: BTreeMap<(u32, u32), Vec<CallId>> = BTreeMap::new();
    for i in 0..200u32 {
        let src = (i % 4) as usize;
        let dst = ShardId((i / 4 % 3 + 1 + src as u32) % 4);
        let caller = address_on(&map, ShardId(src as u32), 1);
        let callee = address_on(&map, dst, 2);
        let call = w.shards[src]
            .call(caller, callee, U256::from(i), i.to_be_bytes().to_vec())
            .unwrap();
        sent.entry((src as u32, dst.0)).or_default().push(call);
        if i % 17 == 0 {
            w.commit();
            w.deliver(src, dst.0 as usize);
        }
    }
    w.drain();
    assert_eq!(
        w.executed, sent,
        "requests executed out of order or not once"
    );
    for (s, shard) in w.shards.iter().enumerate() {
        assert_eq!(shard.pending_calls(), 0);
        let answered = &w.answered[s];
        let made: usize = sent
            .iter()
            .filter(|((src, _), _)| *src == s as u32)
            .map(|(_, v)| v.len())
            .sum();
        assert_eq!(answered.len(), made);
        for d in 0..4 {
            assert_eq!(shard.backlog(ShardId(d)), 0, "stream {s}→{d} not collected");
        }
    }
}

#[test]
fn full_streams_push_back_and_full_inboxes_reject_with_refunds() {
    let config = StreamConfig {
        capacity: 5,
        inbox: 3,
        max_slice: 100,
    };
    let mut w = World::new(2, config);
    let map = w.shards[0].map().clone();
    let caller = address_on(&map, ShardId(0), 1);
    let callee = address_on(&map, ShardId(1), 2);
    for _ in 0..5 {
        w.shards[0]
            .call(caller, callee, U256::from(7), vec![])
            .unwrap();
    }
    assert_eq!(
        w.shards[0].call(caller, callee, U256::from(7), vec![]),
        Err(SendError::StreamFull(ShardId(1)))
    );
    assert_eq!(
        w.shards[0].call(caller, caller, U256::ZERO, vec![]),
        Err(SendError::SameShard)
    );
    // Shard 1 takes three (its inbox), refuses two, answers nothing yet.
    w.commit();
    w.deliver(0, 1);
    assert_eq!(w.to_answer[1].len(), 3);
    w.commit();
    w.deliver(1, 0);
    let rejected: Vec<_> = w.answered[0]
        .values()
        .filter(|o| **o == Outcome::Rejected(RejectReason::QueueFull))
        .collect();
    assert_eq!(rejected.len(), 2);
    // The stream has room again for the two refused.
    w.shards[0]
        .call(caller, callee, U256::from(7), vec![])
        .unwrap();
    w.drain();
    assert_eq!(w.answered[0].len(), 6);
    assert_eq!(w.shards[0].pending_calls(), 0);
}

#[test]
fn forged_stale_and_misdirected_slices_are_refused() {
    let mut w = World::new(3, StreamConfig::default());
    let map = w.shards[0].map().clone();
    let caller = address_on(&map, ShardId(0), 1);
    let callee = address_on(&map, ShardId(1), 2);
    for _ in 0..4 {
        w.shards[0]
            .call(caller, callee, U256::from(1), b"x".to_vec())
            .unwrap();
    }
    w.commit();
    let root = w.roots[0];
    let slice = w.shards[0].slice(ShardId(1), 0).unwrap();
    slice.verify(&root).unwrap();
    // A changed message.
    let mut forged = slice.clone();
    if let StreamMessage::Request(r) = &mut forged.messages[1] {
        r.value = U256::from(1_000_000);
    }
    assert_eq!(
        w.shards[1].induct(&forged, &root),
        Err(SliceError::Mismatch(dfn_state::stream::SliceItem::Message(
            1
        )))
    );
    // Another root.
    assert!(matches!(
        w.shards[1].induct(&slice, &B256([9; 32])),
        Err(SliceError::Proof { .. })
    ));
    // The right slice to the wrong shard.
    assert!(matches!(
        w.shards[2].induct(&slice, &root),
        Err(SliceError::WrongStream { .. })
    ));
    // A slice that skips messages.
    let later = w.shards[0].slice(ShardId(1), 2).unwrap();
    assert_eq!(
        w.shards[1].induct(&later, &root),
        Err(SliceError::Gap {
            first: 2,
            expected: 0
        })
    );
    // Taken once; the same slice again delivers nothing.
    assert_eq!(w.shards[1].induct(&slice, &root).unwrap().len(), 4);
    assert!(w.shards[1].induct(&slice, &root).unwrap().is_empty());
    // Encoding round trip.
    let bytes = slice.to_rlp();
    assert_eq!(StreamSlice::from_rlp(&bytes).unwrap(), slice);
    assert!(StreamSlice::from_rlp(&bytes[..bytes.len() - 1]).is_err());
}

#[test]
fn a_response_is_accepted_only_for_a_taken_request() {
    let mut w = World::new(2, StreamConfig::default());
    let r = Response {
        call: CallId(3),
        callee: Address([1; 20]),
        caller: Address([2; 20]),
        refund: U256::ZERO,
        outcome: Outcome::Returned(vec![]),
    };
    assert!(w.shards[1].respond(ShardId(0), r).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random calls among three shards, slices delivered in random order,
    /// some lost (not delivered that round), some delivered twice: after
    /// the network drains, every call has exactly one answer and every
    /// stream kept its order.
    #[test]
    fn exactly_once_under_loss_and_duplication(
        ops in proptest::collection::vec((0u32..3, 1u32..3, 0u8..4), 1..120)
    ) {
        let config = StreamConfig { capacity: 8, inbox: 4, max_slice: 5 };
        let mut w = World::new(3, config);
        let map = w.shards[0].map().clone();
        let mut sent: BTreeMap<(u32, u32), Vec<CallId>> = BTreeMap::new();
        let mut made = [0usize; 3];
        for (src, hop, action) in ops {
            let dst = (src + hop) % 3;
            let caller = address_on(&map, ShardId(src), 1);
            let callee = address_on(&map, ShardId(dst), 2);
            match action {
                0 | 1 => {
                    if let Ok(call) = w.shards[src as usize].call(caller, callee, U256::from(1), vec![action]) {
                        sent.entry((src, dst)).or_default().push(call);
                        made[src as usize] += 1;
                    }
                }
                2 => {
                    w.commit();
                    w.deliver(src as usize, dst as usize);
                    w.deliver(src as usize, dst as usize); // a duplicate changes nothing
                }
                _ => w.answer(),
            }
        }
        w.drain();
        for (s, made) in made.iter().enumerate() {
            prop_assert_eq!(w.answered[s].len(), *made);
            prop_assert_eq!(w.shards[s].pending_calls(), 0);
        }
        // Executed requests keep the send order of their stream (rejected
        // ones are missing, the rest in order).
        for (pair, calls) in &w.executed {
            let order: Vec<CallId> = sent[pair].iter().copied().filter(|c| calls.contains(c)).collect();
            prop_assert_eq!(&order, calls);
            let unique: BTreeSet<_> = calls.iter().collect();
            prop_assert_eq!(unique.len(), calls.len());
        }
    }

    #[test]
    fn slice_decoding_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = StreamSlice::from_rlp(&bytes);
    }
}
