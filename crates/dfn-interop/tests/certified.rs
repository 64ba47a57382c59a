#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::fixture::{Public, V};
use dfn_beacon::GroupId;
use dfn_interop::{CertError, CertifiedRead, DecodeError, MAX_HEADERS, ReadPolicy};
use dfn_state::{Address, EMPTY_ROOT, U256};

const ALICE: Address = Address([0xa1; 20]);
const NOBODY: Address = Address([0xee; 20]);

/// Six heights on three groups of four (threshold 3): Alice gets 100 at
/// height 1, a slot at height 2, then 10 more per height.
fn chain() -> Public {
    let mut p = Public::new(11, 3, 4, 3);
    p.extend(|s| s.set_balance(ALICE, U256::from(100u64)).unwrap());
    p.extend(|s| {
        s.set_nonce(ALICE, 1).unwrap();
        s.set_storage(ALICE, U256::from(7u64), U256::from(42u64))
            .unwrap();
    });
    for _ in 3..=6 {
        p.extend(|s| s.add_balance(ALICE, U256::from(10u64)).unwrap());
    }
    p
}

#[test]
fn a_read_with_two_confirmations_verifies_and_round_trips() {
    let p = chain();
    let beacon = p.beacon(6);
    let read = p.read(2, 2, ALICE, Some(U256::from(7u64)));
    let bytes = read.to_bytes();
    let decoded = CertifiedRead::<V>::from_bytes(&bytes).unwrap();
    assert_eq!(decoded, read);
    assert_eq!(decoded.to_bytes(), bytes);
    let value = decoded.verify(&beacon, &ReadPolicy::default()).unwrap();
    assert_eq!(value.height, 2);
    assert_eq!(value.block, p.blocks[1].hash());
    assert_eq!(value.state_root, p.roots[1]);
    let account = value.account.unwrap();
    assert_eq!((account.nonce, account.balance), (1, U256::from(100u64)));
    let slot = value.storage.unwrap();
    assert_eq!(
        (slot.key, slot.value),
        (U256::from(7u64), U256::from(42u64))
    );
    // Later heights certify later states.
    let later = p
        .read(4, 2, ALICE, None)
        .verify(&beacon, &ReadPolicy::default())
        .unwrap();
    assert_eq!(later.account.unwrap().balance, U256::from(120u64));
    assert_eq!(later.storage, None);
}

#[test]
fn absence_is_certified_too() {
    let p = chain();
    let beacon = p.beacon(6);
    let value = p
        .read(3, 2, NOBODY, Some(U256::from(1u64)))
        .verify(&beacon, &ReadPolicy::default())
        .unwrap();
    assert_eq!(value.account, None);
    assert_eq!(value.storage.unwrap().value, U256::ZERO);
    let unset = p
        .read(3, 2, ALICE, Some(U256::from(8u64)))
        .verify(&beacon, &ReadPolicy::default())
        .unwrap();
    assert_eq!(unset.storage.unwrap().value, U256::ZERO);
}

#[test]
fn a_forged_notarization_is_rejected() {
    let p = chain();
    let beacon = p.beacon(6);
    let policy = ReadPolicy::default();
    // Another height's notarization on the certified header.
    let mut read = p.read(2, 2, ALICE, None);
    read.headers[0].signature = p.notarizations[0].signature;
    assert_eq!(
        read.verify(&beacon, &policy),
        Err(CertError::BadNotarization { height: 2 })
    );
    // A forged confirmation.
    let mut read = p.read(2, 2, ALICE, None);
    read.headers[2].signature = p.notarizations[4].signature;
    assert_eq!(
        read.verify(&beacon, &policy),
        Err(CertError::BadNotarization { height: 4 })
    );
}

#[test]
fn a_group_other_than_the_selected_one_is_rejected() {
    let p = chain();
    let beacon = p.beacon(6);
    let policy = ReadPolicy::default();
    let mut read = p.read(2, 2, ALICE, None);
    let selected = read.headers[0].path.index as usize;
    let other = (selected + 1) % p.groups.groups().len();
    let group = &p.groups.groups()[other];
    read.headers[0].group = group.id();
    read.headers[0].group_key = *group.keys().group_key();
    read.headers[0].path = p.groups.proof(other).unwrap();
    assert_eq!(
        read.verify(&beacon, &policy),
        Err(CertError::WrongGroup {
            height: 2,
            expected: selected as u64,
            actual: other as u64
        })
    );
    // The selected position with another key: not in the set.
    let mut read = p.read(2, 2, ALICE, None);
    read.headers[0].group_key = *group.keys().group_key();
    assert!(matches!(
        read.verify(&beacon, &policy),
        Err(CertError::BadGroupPath { height: 2, .. })
    ));
    let mut read = p.read(2, 2, ALICE, None);
    read.headers[1].group = GroupId(99);
    assert!(matches!(
        read.verify(&beacon, &policy),
        Err(CertError::BadGroupPath { height: 3, .. })
    ));
}

#[test]
fn stale_unconfirmed_and_unlinked_reads_are_rejected() {
    let p = chain();
    let beacon = p.beacon(6);
    let read = p.read(2, 2, ALICE, None);
    let strict = ReadPolicy {
        confirmations: 2,
        min_height: 3,
    };
    assert_eq!(
        read.verify(&beacon, &strict),
        Err(CertError::Stale {
            height: 2,
            min_height: 3
        })
    );
    let deep = ReadPolicy {
        confirmations: 3,
        min_height: 1,
    };
    assert_eq!(
        read.verify(&beacon, &deep),
        Err(CertError::TooFewConfirmations { needed: 3, got: 2 })
    );
    assert!(p.read(2, 3, ALICE, None).verify(&beacon, &deep).is_ok());
    let mut skipped = p.read(2, 3, ALICE, None);
    skipped.headers.remove(1);
    assert_eq!(
        skipped.verify(&beacon, &ReadPolicy::default()),
        Err(CertError::WrongHeight {
            expected: 3,
            actual: 4
        })
    );
    // A header with a changed state root is another block: its child no
    // longer links to it.
    let mut changed = p.read(2, 2, ALICE, None);
    changed.headers[0].header.state_root = p.roots[0].0;
    assert_eq!(
        changed.verify(&beacon, &ReadPolicy::default()),
        Err(CertError::NotAChild { height: 3 })
    );
    // Without confirmations the same change fails on the notarization.
    let mut alone = p.read(2, 0, ALICE, None);
    alone.headers[0].header.state_root = p.roots[0].0;
    alone.account_proof = p.read(1, 0, ALICE, None).account_proof;
    let none = ReadPolicy {
        confirmations: 0,
        min_height: 1,
    };
    assert_eq!(
        alone.verify(&beacon, &none),
        Err(CertError::BadNotarization { height: 2 })
    );
}

#[test]
fn a_proof_needs_the_beacon_values_that_select_its_groups() {
    let p = chain();
    // σ^3 selects the notary of height 4, the last confirmation of a read
    // at 2.
    let behind = p.beacon(2);
    assert_eq!(
        p.read(2, 2, ALICE, None)
            .verify(&behind, &ReadPolicy::default()),
        Err(CertError::UnknownBeacon { height: 4 })
    );
    assert!(
        p.read(2, 2, ALICE, None)
            .verify(&p.beacon(3), &ReadPolicy::default())
            .is_ok()
    );
    // A beacon following another public chain knows other groups.
    let other = Public::new(12, 3, 4, 3);
    let mut other_chain = other;
    for _ in 0..6 {
        other_chain.extend(|_| {});
    }
    let foreign = p
        .read(2, 2, ALICE, None)
        .verify(&other_chain.beacon(6), &ReadPolicy::default());
    assert!(matches!(
        foreign,
        Err(CertError::BadGroupPath { .. } | CertError::WrongGroup { .. })
    ));
}

#[test]
fn trie_proofs_must_match_the_certified_state_root() {
    let p = chain();
    let beacon = p.beacon(6);
    let policy = ReadPolicy::default();
    // An account proof of another height's state.
    let mut read = p.read(2, 2, ALICE, None);
    read.account_proof = p.read(5, 0, ALICE, None).account_proof;
    assert_eq!(
        read.verify(&beacon, &policy),
        Err(CertError::StateRootMismatch {
            expected: p.roots[1],
            found: p.roots[4]
        })
    );
    // A truncated account proof.
    let mut read = p.read(2, 2, ALICE, None);
    read.account_proof.truncate(0);
    assert!(matches!(
        read.verify(&beacon, &policy),
        Err(CertError::AccountProof(_))
    ));
    // A storage proof of another slot, and a forged node.
    let mut read = p.read(2, 2, ALICE, Some(U256::from(8u64)));
    read.storage.as_mut().unwrap().proof = p
        .read(2, 0, ALICE, Some(U256::from(7u64)))
        .storage
        .unwrap()
        .proof;
    read.storage.as_mut().unwrap().proof.push(vec![0xc0]);
    assert!(matches!(
        read.verify(&beacon, &policy),
        Err(CertError::StorageProof(_))
    ));
    let mut read = p.read(2, 2, ALICE, Some(U256::from(7u64)));
    let node = &mut read.storage.as_mut().unwrap().proof[0];
    let last = node.len() - 1;
    node[last] ^= 1;
    assert!(matches!(
        read.verify(&beacon, &policy),
        Err(CertError::StorageProof(_))
    ));
    // Absent account: its storage is the empty trie.
    let empty = p.read(2, 0, NOBODY, Some(U256::from(1u64)));
    assert!(empty.storage.as_ref().unwrap().proof.is_empty());
    assert_eq!(EMPTY_ROOT, dfn_state::keccak256([0x80]));
}

#[test]
fn decoding_is_strict_and_bounded() {
    let p = chain();
    let read = p.read(2, 2, ALICE, Some(U256::from(7u64)));
    let bytes = read.to_bytes();
    for len in 0..bytes.len() {
        assert!(CertifiedRead::<V>::from_bytes(&bytes[..len]).is_err());
    }
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(matches!(
        CertifiedRead::<V>::from_bytes(&trailing),
        Err(DecodeError::Rlp(_))
    ));
    // Version 2: the byte after the outer list header.
    let mut v2 = bytes.clone();
    let header = 1 + usize::from(v2[0] - 0xf7);
    assert_eq!(v2[header], 1);
    v2[header] = 2;
    assert_eq!(
        CertifiedRead::<V>::from_bytes(&v2),
        Err(DecodeError::Version(2))
    );
    let mut long = p.read(1, 0, ALICE, None);
    long.headers = vec![p.header(1); MAX_HEADERS + 1];
    assert!(matches!(
        CertifiedRead::<V>::from_bytes(&long.to_bytes()),
        Err(DecodeError::TooMany { .. })
    ));
    // Every single-bit change is refused by the decoder or the verifier.
    let beacon = p.beacon(6);
    for i in (0..bytes.len()).step_by(7) {
        let mut b = bytes.clone();
        b[i] ^= 0x10;
        if let Ok(r) = CertifiedRead::<V>::from_bytes(&b) {
            assert!(
                r.verify(&beacon, &ReadPolicy::default()).is_err(),
                "byte {i}"
            );
        }
    }
}
