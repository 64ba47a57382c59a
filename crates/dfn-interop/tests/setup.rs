#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::fixture::{Public, V};
use common::network::config;
use dfn_beacon::{GroupError, LightError};
use dfn_crypto::SecretKey;
use dfn_interop::{DealError, Dealer, Header, HeaderError, PublicCall, TwinId, private_chain_id};
use dfn_psp::ConfigError;
use dfn_state::Address;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sha2::{Digest, Sha256};

fn identities(n: usize, rng: &mut ChaCha20Rng) -> Vec<SecretKey<V>> {
    (0..n).map(|_| SecretKey::random(rng)).collect()
}

#[test]
fn a_dealer_gives_every_process_its_shares_and_a_runnable_node() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let dealer = Dealer {
        config: config([1; 32]),
        groups: 3,
        group_size: 4,
        threshold: 3,
    };
    let keys = identities(6, &mut rng);
    let network = dealer.deal(keys.clone(), &mut rng).unwrap();
    assert_eq!(network.groups.groups().len(), 3);
    assert_eq!(network.processes.len(), 6);
    for group in network.groups.groups() {
        let members = &network.members[&group.id()];
        assert_eq!(members.len(), 4);
        for (i, id) in members.iter().enumerate() {
            let k = network.keys.iter().find(|k| k.id == *id).unwrap();
            // The dealt share is the member's share of the group key.
            let share = &k.shares[&group.id()];
            assert_eq!(share.index(), i as u32 + 1);
            assert_eq!(
                group.keys().get(share.index()).unwrap().public_key(),
                share.public_key_share().public_key()
            );
        }
    }
    for (k, identity) in network.keys.iter().zip(&keys) {
        assert_eq!(k.identity.public_key(), identity.public_key());
    }
    let node = network.node(2, &mut rng).unwrap();
    assert_eq!(node.id(), network.keys[2].id);
    assert_eq!(
        network.node(6, &mut rng).err(),
        Some(DealError::NoProcess(6))
    );
    // Another dealing (other keys) is another chain.
    let other = dealer.deal(keys, &mut rng).unwrap();
    assert_ne!(other.chain_id(), network.chain_id());
    assert_eq!(
        network.chain_id(),
        private_chain_id(&[1; 32], &network.groups.root())
    );
}

#[test]
fn a_dealer_refuses_what_cannot_run() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let dealer = Dealer {
        config: config([2; 32]),
        groups: 1,
        group_size: 3,
        threshold: 2,
    };
    assert_eq!(
        dealer.deal(Vec::<SecretKey<V>>::new(), &mut rng).err(),
        Some(DealError::Empty)
    );
    let mut keys = identities(3, &mut rng);
    keys.push(keys[0].clone());
    let twice = dealer.deal(keys.clone(), &mut rng).err();
    assert!(matches!(twice, Some(DealError::Duplicate(_))));
    keys.truncate(2);
    assert!(matches!(
        dealer.deal(keys.clone(), &mut rng).err(),
        Some(DealError::Group(GroupError::NotEnoughProcesses { .. }))
    ));
    let keys = identities(3, &mut rng);
    let too_high = Dealer {
        threshold: 4,
        ..dealer
    };
    assert!(matches!(
        too_high.deal(keys.clone(), &mut rng).err(),
        Some(DealError::Group(GroupError::InvalidThreshold { .. }))
    ));
    let mut unsafe_config = dealer;
    unsafe_config.config.delta_ms = unsafe_config.config.block_time_ms;
    assert!(matches!(
        unsafe_config.deal(keys, &mut rng).err(),
        Some(DealError::Config(ConfigError::BlockTimeTooShort { .. }))
    ));
}

#[test]
fn the_light_beacon_keeps_only_verified_values() {
    let mut p = Public::new(31, 3, 3, 2);
    for _ in 0..4 {
        p.extend(|_| {});
    }
    let mut beacon = p.beacon(1);
    let proof = |h: u64| {
        p.groups
            .value_proof(&p.previous(h), h, p.values[h as usize - 1])
            .unwrap()
    };
    // Out of order.
    assert_eq!(
        beacon.accept(&proof(3)),
        Err(LightError::WrongHeight {
            expected: 2,
            actual: 3
        })
    );
    // Another height's signature.
    let mut forged = proof(2);
    forged.signature = p.values[2];
    assert_eq!(beacon.accept(&forged), Err(LightError::BadSignature));
    assert_eq!(beacon.height(), 1);
    assert_eq!(beacon.previous(3), None);
    beacon.accept(&proof(2)).unwrap();
    assert_eq!(beacon.previous(3), Some(p.values[1].to_bytes().as_ref()));
    assert_eq!(beacon.previous(1), Some(&p.genesis[..]));
    beacon.prune_below(3);
    assert_eq!(beacon.previous(2), None);
    assert!(beacon.previous(3).is_some());
    // A new group set from height 10 on.
    beacon.add_group_set(10, [9; 32]);
    assert_eq!(beacon.root(9), Some(&p.groups.root()));
    assert_eq!(beacon.root(10), Some(&[9; 32]));
}

#[test]
fn headers_parse_exactly_dfn_psp_blocks() {
    let mut p = Public::new(41, 1, 3, 2);
    p.extend(|_| {});
    let block = &p.blocks[0];
    let bytes = block.header_bytes();
    let header = Header::from_bytes(&bytes).unwrap();
    assert_eq!(header.to_bytes(), bytes);
    assert_eq!(header.hash(), block.hash());
    assert_eq!(header.height, 1);
    assert_eq!(header.state_root, block.state_root());
    assert_eq!(header.maker, block.maker());
    assert_eq!(
        Header::from_bytes(&bytes[1..]),
        Err(HeaderError::Length(129))
    );
    let mut b = bytes.clone();
    b[0] = 2;
    assert_eq!(Header::from_bytes(&b), Err(HeaderError::Version(2)));
    b[0] = 1;
    b[1] = 5;
    assert_eq!(Header::from_bytes(&b), Err(HeaderError::Kind(5)));
}

/// Golden bytes: the encodings of fixed values must never change silently
/// (the twin id was checked against Python's hashlib; the proof's digest
/// pins the whole encoding of a fixed chain's read).
#[test]
fn encodings_are_stable() {
    let call = PublicCall {
        twin: TwinId::new(&[1; 32], 7),
        contract: Address([0xc0; 20]),
        method: b"transfer".to_vec(),
        args: vec![1, 2, 3],
        valid_until: 300,
    };
    let hex: String = call.to_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        concat!(
            "f846a0",
            "e4223bd2ad74a6be166d6ae6070e4f7ae3ac671a96187cb7b6d07ff687da23bd",
            "94",
            "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0",
            "88",
            "7472616e73666572",
            "83010203",
            "82012c"
        )
    );
    let mut p = Public::new(51, 2, 3, 2);
    for _ in 0..3 {
        p.extend(|s| {
            s.set_balance(Address([7; 20]), dfn_state::U256::from(9u64))
                .unwrap()
        });
    }
    let proof = p.read(1, 2, Address([7; 20]), Some(dfn_state::U256::from(1u64)));
    let digest: String = Sha256::digest(proof.to_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        digest,
        "f52995ff8a9d7ce6fe94fcf8d53cb1fff7f1760ddd2e27ea543e6a7a9358b901"
    );
}
