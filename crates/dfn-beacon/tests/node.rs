//! The beacon node on small groups with direct delivery: agreement, relay
//! and halt, invalid and forged shares, stalls, buffering, light
//! verification of what the nodes produce, and the wire format.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::collections::BTreeMap;
use std::sync::Arc;

use dfn_beacon::{
    BeaconConfig, BeaconEvent, BeaconMessage, BeaconNode, BeaconValue, ChainVerifier, GroupId,
    GroupMember, GroupSet, LightError, Output, ProcessId, Rejection, ShareEvidence, ShareMessage,
    ValueMessage, WireError, deal_group, round, verify_value,
};
use dfn_crypto::threshold::SecretKeyShare;
use dfn_crypto::{MessageHash, MinPk, MinSig, SecretKey, Signature, Suite, Time, Variant};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const GENESIS: [u8; 32] = [0x5e; 32];

/// `groups` groups of `n` with threshold `t`, all keys from a trusted
/// dealer; process `p` is member `p % n + 1` of group `p / n`.
struct Network<V: Variant> {
    keys: Vec<SecretKey<V>>,
    shares: Vec<(GroupId, SecretKeyShare<V>)>,
    set: Arc<GroupSet<V>>,
}

fn network<V: Variant>(groups: usize, n: usize, t: u32, seed: u64) -> Network<V> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let keys: Vec<SecretKey<V>> = (0..groups * n)
        .map(|_| SecretKey::random(&mut rng))
        .collect();
    let mut shares = Vec::new();
    let mut list = Vec::new();
    for g in 0..groups {
        let members = keys[g * n..(g + 1) * n]
            .iter()
            .map(|k| GroupMember {
                id: ProcessId::of(&k.public_key()),
                key: k.public_key(),
            })
            .collect();
        let id = GroupId(100 + g as u64);
        let (group, group_shares) = deal_group(id, members, t, &mut rng).unwrap();
        shares.extend(group_shares.into_iter().map(|s| (id, s)));
        list.push(Arc::new(group));
    }
    Network {
        keys,
        shares,
        set: Arc::new(GroupSet::new(list).unwrap()),
    }
}

fn node<V: Variant>(net: &Network<V>, p: usize, config: BeaconConfig) -> BeaconNode<V> {
    let mut rng = ChaCha20Rng::seed_from_u64(p as u64);
    let mut node = BeaconNode::new(config, net.keys[p].clone(), &mut rng);
    node.install_groups(Time::ZERO, 1, Arc::clone(&net.set));
    let (group, share) = net.shares[p].clone();
    node.add_group_share(group, share);
    node
}

/// Everything a node put out, sorted.
#[derive(Default)]
struct Seen<V: Variant> {
    sent: Vec<BeaconMessage<V>>,
    values: Vec<BeaconValue<V>>,
    evidence: Vec<ShareEvidence<V>>,
    stalls: Vec<u64>,
    rejected: Vec<Rejection>,
}

fn drain<V: Variant>(node: &mut BeaconNode<V>, seen: &mut Seen<V>) {
    while let Some(output) = node.poll_output() {
        match output {
            Output::ToGroup { message, .. } | Output::Broadcast(message) => seen.sent.push(message),
            Output::Event(BeaconEvent::Value(v)) => seen.values.push(v),
            Output::Event(BeaconEvent::Evidence(e)) => seen.evidence.push(e),
            Output::Event(BeaconEvent::Stalled { height, .. }) => seen.stalls.push(height),
            Output::Event(BeaconEvent::Rejected { reason, .. }) => seen.rejected.push(reason),
            _ => {}
        }
    }
}

/// Runs `rounds` delivery rounds; `filter` may rewrite or drop a node's
/// messages (a faulty node).
fn run<V: Variant>(
    nodes: &mut [BeaconNode<V>],
    rounds: usize,
    mut filter: impl FnMut(usize, BeaconMessage<V>) -> Option<BeaconMessage<V>>,
) -> Vec<Seen<V>> {
    let mut seen: Vec<Seen<V>> = nodes.iter().map(|_| Seen::default()).collect();
    let mut now = Time::ZERO;
    nodes.iter_mut().for_each(|n| n.start(now));
    for _ in 0..rounds {
        let mut in_flight = Vec::new();
        for (p, node) in nodes.iter_mut().enumerate() {
            let before = seen[p].sent.len();
            drain(node, &mut seen[p]);
            for m in seen[p].sent[before..].iter().copied() {
                if let Some(m) = filter(p, m) {
                    in_flight.push((p, m));
                }
            }
        }
        now = now.after(10);
        for (from, m) in &in_flight {
            for (p, node) in nodes.iter_mut().enumerate() {
                if p != *from {
                    node.handle_message(now, *m);
                }
            }
        }
        nodes.iter_mut().for_each(|n| n.handle_timeout(now));
    }
    for (p, node) in nodes.iter_mut().enumerate() {
        drain(node, &mut seen[p]);
    }
    seen
}

/// Every node reports the same value at each height, heights in order.
fn agreed<V: Variant>(seen: &[Seen<V>], at_least: u64) -> Vec<BeaconValue<V>> {
    let reference = &seen[0].values;
    assert!(
        reference.len() as u64 >= at_least,
        "only {} values",
        reference.len()
    );
    for s in seen {
        for (i, v) in s.values.iter().enumerate() {
            assert_eq!(v.height, i as u64 + 1);
            if let Some(r) = reference.get(i) {
                assert_eq!(v, r);
            }
        }
    }
    reference.clone()
}

fn agreement_and_light_verification<V: Variant>() {
    let net = network::<V>(3, 7, 4, 1);
    let mut nodes: Vec<_> = (0..21)
        .map(|p| node(&net, p, BeaconConfig::new(GENESIS)))
        .collect();
    let seen = run(&mut nodes, 12, |_, m| Some(m));
    let values = agreed(&seen, 10);
    // A light client with only the set root checks the chain.
    let mut chain = ChainVerifier::new(GENESIS);
    let mut previous = GENESIS.to_vec();
    for v in &values {
        let proof = net
            .set
            .value_proof(&previous, v.height, v.signature)
            .unwrap();
        assert_eq!(chain.verify_next(&net.set.root(), &proof), Ok(v.randomness));
        assert_eq!(
            v.randomness,
            round::randomness(v.signature.to_bytes().as_ref())
        );
        previous = v.signature.to_bytes().as_ref().to_vec();
    }
    // The selected group signed each height.
    let mut previous = GENESIS.to_vec();
    for v in &values {
        assert_eq!(v.group, net.set.select(&previous).unwrap().1.id());
        previous = v.signature.to_bytes().as_ref().to_vec();
    }
    for s in &seen {
        assert!(s.evidence.is_empty() && s.stalls.is_empty());
    }
}

fn light_client_refuses_forgeries<V: Variant>() {
    let net = network::<V>(3, 4, 3, 2);
    let mut nodes: Vec<_> = (0..12)
        .map(|p| node(&net, p, BeaconConfig::new(GENESIS)))
        .collect();
    let values = agreed(&run(&mut nodes, 4, |_, m| Some(m)), 2);
    let v = values[0];
    let proof = net.set.value_proof(&GENESIS, 1, v.signature).unwrap();
    let root = net.set.root();
    assert!(verify_value(&root, &GENESIS, &proof).is_ok());
    // Another group's leaf, as if it had been selected.
    let other = (proof.path.index as usize + 1) % 3;
    let g = &net.set.groups()[other];
    let wrong = dfn_beacon::ValueProof {
        group: g.id(),
        group_key: *g.keys().group_key(),
        path: net.set.proof(other).unwrap(),
        ..proof.clone()
    };
    assert!(matches!(
        verify_value(&root, &GENESIS, &wrong),
        Err(LightError::WrongGroup { .. })
    ));
    // The same path claiming another set size (which would select another
    // position) does not match the root, which commits to the size.
    for size in [2, 4, 5] {
        let mut resized = proof.clone();
        resized.path.size = size;
        let selected = round::select(&GENESIS, size as usize).unwrap() as u64;
        resized.path.index = selected;
        assert!(
            verify_value(&root, &GENESIS, &resized).is_err(),
            "size {size}"
        );
    }
    // Another height's signature.
    let replayed = dfn_beacon::ValueProof {
        height: 2,
        ..proof.clone()
    };
    assert_eq!(
        verify_value(&root, &GENESIS, &replayed),
        Err(LightError::BadSignature)
    );
    let mut chain = ChainVerifier::new(GENESIS);
    assert_eq!(
        chain.verify_next(&root, &replayed),
        Err(LightError::WrongHeight {
            expected: 1,
            actual: 2
        })
    );
}

/// Members of one group (process 0..7 of group 100) send invalid shares,
/// signed with their identity: the others attribute them and still
/// produce every value, once `t` honest shares are in.
fn invalid_shares_are_attributed<V: Variant>() {
    let net = network::<V>(1, 7, 4, 3);
    let mut nodes: Vec<_> = (0..7)
        .map(|p| node(&net, p, BeaconConfig::new(GENESIS)))
        .collect();
    let bad = [1usize, 5];
    let keys = net.keys.clone();
    let seen = run(&mut nodes, 8, |p, m| match m {
        BeaconMessage::Share(s) if bad.contains(&p) => {
            // Sign another message with the real share key.
            let wrong = net.shares[p].1.sign(Suite::Basic, b"not the round message");
            Some(BeaconMessage::Share(ShareMessage::new(
                s.height, s.group, wrong, &keys[p],
            )))
        }
        other => Some(other),
    });
    let values = agreed(&seen[..1], 5);
    let group = &net.set.groups()[0];
    let mut previous: BTreeMap<u64, Vec<u8>> = BTreeMap::from([(1, GENESIS.to_vec())]);
    for v in &values {
        previous.insert(v.height + 1, v.signature.to_bytes().as_ref().to_vec());
    }
    let honest: Vec<usize> = (0..7).filter(|p| !bad.contains(p)).collect();
    for p in &honest {
        let s = &seen[*p];
        assert!(!s.evidence.is_empty(), "node {p} found nothing");
        for e in &s.evidence {
            let ShareEvidence::InvalidShare { message } = e else {
                unreachable!()
            };
            assert!(bad.contains(&(e.member_index() as usize - 1)));
            assert!(e.verify(group, &previous[&message.height]));
            // Against another chain's previous value the share may well be
            // invalid too, but against a *wrong* group it never verifies.
        }
        assert_eq!(s.values.len(), values.len().min(s.values.len()));
    }
}

/// A share whose identity signature is not the member's is dropped as a
/// forgery, not reported as evidence, and the value still comes.
fn forged_shares_are_not_evidence<V: Variant>() {
    let net = network::<V>(1, 4, 3, 4);
    let mut nodes: Vec<_> = (0..4)
        .map(|p| node(&net, p, BeaconConfig::new(GENESIS)))
        .collect();
    let keys = net.keys.clone();
    // Node 0 (delivered first) forges shares in member 2's name, signed
    // with its own key, instead of sending its own.
    let seen = run(&mut nodes, 4, |p, m| match m {
        BeaconMessage::Share(s) if p == 0 => {
            let wrong = SecretKeyShare::new(2, SecretKey::from_bytes(&[3; 32]).unwrap())
                .unwrap()
                .sign(Suite::Basic, b"forged");
            Some(BeaconMessage::Share(ShareMessage::new(
                s.height, s.group, wrong, &keys[0],
            )))
        }
        other => Some(other),
    });
    let values = agreed(&seen[1..], 2);
    for p in [2, 3] {
        assert!(seen[p].evidence.is_empty());
        assert!(
            seen[p].rejected.contains(&Rejection::ForgedShare(2)),
            "{:?}",
            seen[p].rejected
        );
        assert_eq!(seen[p].values[..2], values[..2]);
    }
}

/// With fewer than `t` members up, the group stalls visibly and nothing
/// is produced.
fn fewer_than_t_honest_stall_visibly<V: Variant>() {
    let net = network::<V>(1, 7, 4, 5);
    let config = BeaconConfig {
        stall_ms: 50,
        ..BeaconConfig::new(GENESIS)
    };
    // Members 4–7 are down: three of the four shares needed exist.
    let mut nodes: Vec<_> = (0..3).map(|p| node(&net, p, config)).collect();
    let seen = run(&mut nodes, 20, |_, m| Some(m));
    for (p, s) in seen.iter().enumerate() {
        assert!(s.values.is_empty(), "node {p} produced a value");
        assert_eq!(s.stalls, vec![1], "node {p}");
    }
}

/// A node that joins late catches up from relayed values alone, in order.
fn values_from_anyone_and_buffering<V: Variant>() {
    let net = network::<V>(2, 4, 3, 6);
    let mut nodes: Vec<_> = (0..8)
        .map(|p| node(&net, p, BeaconConfig::new(GENESIS)))
        .collect();
    let seen = run(&mut nodes, 8, |_, m| Some(m));
    let values = agreed(&seen, 5);
    // An observer outside every group, fed the values in reverse order.
    let mut rng = ChaCha20Rng::seed_from_u64(99);
    let mut observer = BeaconNode::<V>::new(
        BeaconConfig::new(GENESIS),
        SecretKey::random(&mut rng),
        &mut rng,
    );
    observer.install_groups(Time::ZERO, 1, Arc::clone(&net.set));
    observer.start(Time::ZERO);
    for v in values.iter().rev() {
        observer.handle_message(
            Time::ZERO,
            BeaconMessage::Value(ValueMessage {
                height: v.height,
                signature: v.signature,
            }),
        );
    }
    let mut out = Seen::default();
    drain(&mut observer, &mut out);
    assert_eq!(out.values, values);
    // Old, too far ahead, and bad values are refused.
    observer.handle_message(
        Time::ZERO,
        BeaconMessage::Value(ValueMessage {
            height: 1,
            signature: values[0].signature,
        }),
    );
    let far = observer.height() + 17;
    observer.handle_message(
        Time::ZERO,
        BeaconMessage::Value(ValueMessage {
            height: far,
            signature: values[0].signature,
        }),
    );
    let next = observer.height();
    observer.handle_message(
        Time::ZERO,
        BeaconMessage::Value(ValueMessage {
            height: next,
            signature: values[0].signature,
        }),
    );
    let mut out = Seen::default();
    drain(&mut observer, &mut out);
    assert_eq!(
        out.rejected,
        vec![Rejection::Old, Rejection::TooFarAhead, Rejection::BadValue]
    );
}

/// With one immediate relayer per round and its copies lost, processes
/// outside the group still get every value, from the others' backup
/// relays.
fn backup_relays_keep_observers_live<V: Variant>() {
    let net = network::<V>(1, 4, 3, 7);
    let config = BeaconConfig {
        relayers: 1,
        relay_backup_ms: 15,
        ..BeaconConfig::new(GENESIS)
    };
    let mut nodes: Vec<_> = (0..4).map(|p| node(&net, p, config)).collect();
    let mut rng = ChaCha20Rng::seed_from_u64(70);
    for _ in 0..2 {
        let mut observer = BeaconNode::<V>::new(config, SecretKey::random(&mut rng), &mut rng);
        observer.install_groups(Time::ZERO, 1, Arc::clone(&net.set));
        nodes.push(observer);
    }
    let seen = run(&mut nodes, 30, |p, m| match m {
        // Member p (index p + 1) is the immediate relayer of height h when
        // (p + h) mod 4 == 0: its copy is lost.
        BeaconMessage::Value(v) if p < 4 && (p as u64 + v.height) % 4 == 0 => None,
        other => Some(other),
    });
    let values = agreed(&seen, 5);
    for observer in &seen[4..] {
        assert!(
            observer.values.len() >= 5,
            "an observer has {} values",
            observer.values.len()
        );
        assert_eq!(observer.values[..5], values[..5]);
    }
}

/// A paced node signs nothing past its limit, reports no stall while held,
/// and signs as soon as the limit is raised; values still move it on.
fn pacing_holds_shares_until_the_limit<V: Variant>() {
    let net = network::<V>(1, 4, 3, 7);
    let mut config = BeaconConfig::new(GENESIS);
    config.stall_ms = 50;
    let mut nodes: Vec<_> = (0..4)
        .map(|p| node(&net, p, config).with_limit(0))
        .collect();
    let seen = run(&mut nodes, 20, |_, m| Some(m));
    for s in &seen {
        assert!(s.sent.is_empty() && s.values.is_empty() && s.stalls.is_empty());
    }
    nodes
        .iter_mut()
        .for_each(|n| n.set_limit(Time::from_millis(300), 2));
    let seen = run(&mut nodes, 20, |_, m| Some(m));
    let values = agreed(&seen, 2);
    assert_eq!(values.len(), 2, "signed past the limit");
    assert!(nodes.iter().all(|n| n.height() == 3));
    // A node held at 0 still follows the values others relay.
    let mut held = node(&net, 0, config).with_limit(0);
    held.start(Time::ZERO);
    for v in &values {
        let value = BeaconMessage::Value(dfn_beacon::ValueMessage {
            height: v.height,
            signature: v.signature,
        });
        held.handle_message(Time::from_millis(1), value);
    }
    assert_eq!(held.height(), 3);
}

macro_rules! both_variants {
    ($($name:ident),* $(,)?) => {
        mod min_sig {
            $(#[test] fn $name() { super::$name::<super::MinSig>(); })*
        }
        mod min_pk {
            $(#[test] fn $name() { super::$name::<super::MinPk>(); })*
        }
    };
}

both_variants!(
    agreement_and_light_verification,
    light_client_refuses_forgeries,
    invalid_shares_are_attributed,
    forged_shares_are_not_evidence,
    fewer_than_t_honest_stall_visibly,
    values_from_anyone_and_buffering,
    backup_relays_keep_observers_live,
    pacing_holds_shares_until_the_limit,
);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The encodings of fixed messages never change silently.
#[test]
fn golden_bytes_and_sizes() {
    let key = SecretKey::<MinSig>::from_bytes(&[1; 32]).unwrap();
    let share_key = SecretKeyShare::new(3, SecretKey::from_bytes(&[2; 32]).unwrap()).unwrap();
    let hash = MessageHash::<MinSig>::new(Suite::Basic, &round::message(&GENESIS, 1));
    let share = ShareMessage::new(1, GroupId(7), share_key.sign_hash(&hash), &key);
    let bytes = BeaconMessage::Share(share).to_bytes();
    assert_eq!(bytes.len(), 118);
    assert_eq!(
        hex(&bytes),
        "010100000000000000010000000000000007000000038aa3f40f1313d1c08f96a0ea4f1bb460eda0a19581eb429a1b87f0429be941d9304a06b6bba18bc87eec546f316522dea7fc6836b321f3a49662efa2834ca57f0df2dba263ca9e7e3a0c2d1ad3f88e4fc7f26b03ac888cccd2f763c81d213c7f"
    );
    let value = BeaconMessage::<MinSig>::Value(ValueMessage {
        height: 1,
        signature: share.signature,
    });
    assert_eq!(value.to_bytes().len(), 58);
    assert_eq!(BeaconMessage::Share(share).encoded_len(), 118);
    for m in [BeaconMessage::Share(share), value] {
        assert_eq!(BeaconMessage::<MinSig>::from_bytes(&m.to_bytes()), Ok(m));
    }
    let pk_share = ShareMessage::<MinPk>::new(
        1,
        GroupId(7),
        SecretKeyShare::new(3, SecretKey::from_bytes(&[2; 32]).unwrap())
            .unwrap()
            .sign(Suite::Basic, b"x"),
        &SecretKey::from_bytes(&[1; 32]).unwrap(),
    );
    assert_eq!(BeaconMessage::Share(pk_share).to_bytes().len(), 214);
    assert!(share.verify_sender(&key.public_key()));
}

#[test]
fn decoding_errors() {
    let key = SecretKey::<MinSig>::from_bytes(&[1; 32]).unwrap();
    let sig: Signature<MinSig> = key.sign(Suite::Basic, b"x");
    let value = BeaconMessage::Value(ValueMessage {
        height: 9,
        signature: sig,
    })
    .to_bytes();
    let decode = BeaconMessage::<MinSig>::from_bytes;
    assert_eq!(decode(&[]), Err(WireError::Truncated(0)));
    assert_eq!(decode(&[2, 2]), Err(WireError::UnknownVersion(2)));
    assert_eq!(decode(&[1, 9]), Err(WireError::UnknownKind(9)));
    assert_eq!(
        decode(&value[..57]),
        Err(WireError::WrongLength {
            expected: 58,
            actual: 57
        })
    );
    let mut bad_point = value.clone();
    bad_point[10] &= 0x7f;
    assert!(matches!(
        decode(&bad_point),
        Err(WireError::Point {
            field: "group signature",
            ..
        })
    ));
    let mut share = vec![1, 1];
    share.extend_from_slice(&1u64.to_be_bytes());
    share.extend_from_slice(&7u64.to_be_bytes());
    share.extend_from_slice(&0u32.to_be_bytes());
    share.extend_from_slice(sig.to_bytes().as_ref());
    share.extend_from_slice(sig.to_bytes().as_ref());
    assert_eq!(decode(&share), Err(WireError::ZeroIndex));
}
