//! The chain state machine under arbitrary inputs: a node of a four-process
//! network (one group, threshold 3) takes a sequence of commands decoded
//! from the input — messages (arbitrary bytes through the decoder, or
//! mutations of the messages the node itself sent), time steps, payload
//! answers — and must never panic; its finalized heights only grow, one at
//! a time.
#![no_main]

#[allow(unused_macros, dead_code)]
mod wire_harness;

use std::sync::Arc;

use dfn_beacon::{GroupId, GroupMember, GroupSet, ProcessId, deal_group};
use dfn_crypto::{MinSig, SecretKey, Time};
use dfn_psp::{ChainEvent, Output, Processes, PspConfig, PspMessage, PspNode};
use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

type V = MinSig;

fuzz_target!(|data: &[u8]| {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let keys: Vec<SecretKey<V>> = (0..4).map(|_| SecretKey::random(&mut rng)).collect();
    let members: Vec<GroupMember<V>> = keys
        .iter()
        .map(|k| GroupMember {
            id: ProcessId::of(&k.public_key()),
            key: k.public_key(),
        })
        .collect();
    let (group, mut shares) = deal_group(GroupId(0), members.clone(), 3, &mut rng).unwrap();
    let set = Arc::new(GroupSet::new(vec![Arc::new(group)]).unwrap());
    let mut config = PspConfig::new([9; 32]);
    config.block_time_ms = 100;
    config.slot_ms = 50;
    config.delta_ms = 40;
    let processes = Arc::new(Processes::new(members.clone()));
    let mut node = PspNode::new(config, keys[0].clone(), processes, &mut rng).unwrap();
    node.install_groups(Time::ZERO, 1, set);
    node.add_group_share(GroupId(0), shares.remove(0));
    node.start(Time::ZERO);
    let mut now = 0u64;
    let mut sent: Vec<Vec<u8>> = Vec::new();
    let mut pending = Vec::new();
    let mut finalized = 0u64;
    let mut rest = data;
    while let [op, tail @ ..] = rest {
        rest = tail;
        match op % 4 {
            0 => {
                // A message of up to 255 arbitrary bytes.
                let [len, tail @ ..] = rest else { break };
                let n = (*len as usize).min(tail.len());
                let (bytes, tail) = tail.split_at(n);
                rest = tail;
                if let Ok(m) = PspMessage::<V>::from_bytes(bytes) {
                    node.handle_message(Time::from_millis(now), Some(members[1].id), m);
                }
            }
            1 => {
                // A mutation of something the node sent.
                let [a, b, c, tail @ ..] = rest else { break };
                rest = tail;
                if let Some(bytes) = sent.get(*a as usize % sent.len().max(1)) {
                    let mut bytes = bytes.clone();
                    let at = usize::from(*b) % bytes.len().max(1);
                    if let Some(x) = bytes.get_mut(at) {
                        *x = *c;
                    }
                    if let Ok(m) = PspMessage::<V>::from_bytes(&bytes) {
                        node.handle_message(Time::from_millis(now), Some(members[2].id), m);
                    }
                }
            }
            2 => {
                let [step, tail @ ..] = rest else { break };
                rest = tail;
                now += u64::from(*step) * 4;
                node.handle_timeout(Time::from_millis(now));
            }
            _ => {
                // Judge the oldest pending payload.
                if let Some(hash) = pending.pop() {
                    node.payload_checked(Time::from_millis(now), hash, op & 0x80 == 0);
                }
            }
        }
        while let Some(o) = node.poll_output() {
            match o {
                Output::Broadcast(m)
                | Output::ToGroup { message: m, .. }
                | Output::Send { message: m, .. } => {
                    if sent.len() < 64 {
                        sent.push(m.to_bytes());
                    }
                }
                Output::RequestPayload { height, parent } => {
                    node.provide_payload(Time::from_millis(now), height, parent, vec![1], [0; 32]);
                }
                Output::ValidatePayload(b) => pending.push(b.hash()),
                Output::Event(ChainEvent::Finalized(b)) => {
                    assert_eq!(b.height(), finalized + 1, "finalized out of order");
                    finalized = b.height();
                }
                _ => {}
            }
        }
    }
});
