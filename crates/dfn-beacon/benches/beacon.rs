//! One beacon round at one member of a group of 400 with threshold 201:
//! making its share message, and recovering `σ^h` from 201 shares (combine,
//! verify once), plus the node's whole handling of a round's shares.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use dfn_beacon::{
    BeaconConfig, BeaconMessage, BeaconNode, GroupId, GroupMember, GroupSet, Output, ProcessId,
    ShareMessage, deal_group, round,
};
use dfn_crypto::{MessageHash, MinSig, SecretKey, Suite, Time};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const N: usize = 400;
const T: u32 = 201;

fn benches(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(400);
    let keys: Vec<SecretKey<MinSig>> = (0..N).map(|_| SecretKey::random(&mut rng)).collect();
    let members = keys
        .iter()
        .map(|k| GroupMember {
            id: ProcessId::of(&k.public_key()),
            key: k.public_key(),
        })
        .collect();
    let (group, shares) = deal_group(GroupId(7), members, T, &mut rng).unwrap();
    let set = Arc::new(GroupSet::new(vec![Arc::new(group)]).unwrap());
    let genesis = [9u8; 32];
    let hash = MessageHash::<MinSig>::new(Suite::Basic, &round::message(&genesis, 1));
    let messages: Vec<BeaconMessage<MinSig>> = shares
        .iter()
        .zip(&keys)
        .map(|(s, k)| BeaconMessage::Share(ShareMessage::new(1, GroupId(7), s.sign_hash(&hash), k)))
        .collect();

    let mut bench = c.benchmark_group("beacon");
    bench.sample_size(10);
    bench.bench_function("share_message/variant=MinSig", |b| {
        b.iter(|| {
            ShareMessage::new(
                1,
                GroupId(7),
                shares[0].sign_hash(black_box(&hash)),
                &keys[0],
            )
        })
    });
    bench.bench_function("recover/variant=MinSig,n=400,t=201", |b| {
        let sig_shares: Vec<_> = shares
            .iter()
            .take(T as usize)
            .map(|s| s.sign_hash(&hash))
            .collect();
        let group = set.groups()[0].clone();
        b.iter(|| {
            group
                .keys()
                .recover_verified(&hash, black_box(&sig_shares), &mut rng)
                .unwrap()
        })
    });
    bench.bench_function("round_at_member/variant=MinSig,n=400,t=201", |b| {
        // A member's whole round: enter (select, hash, sign), take 200
        // other shares, recover, verify, relay.
        b.iter(|| {
            let mut node = BeaconNode::new(BeaconConfig::new(genesis), keys[0].clone(), &mut rng);
            node.install_groups(Time::ZERO, 1, Arc::clone(&set));
            node.add_group_share(GroupId(7), shares[0].clone());
            node.start(Time::ZERO);
            for m in &messages[1..T as usize] {
                node.handle_message(Time::ZERO, *m);
            }
            let mut relayed = false;
            while let Some(o) = node.poll_output() {
                relayed |= matches!(o, Output::Broadcast(_));
            }
            assert!(relayed && node.height() == 2);
        })
    });
    bench.finish();
}

criterion_group!(beacon, benches);
criterion_main!(beacon);
