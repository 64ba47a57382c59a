//! Encodings: every message round-trips; malformed bytes are typed errors,
//! never panics.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::sync::Arc;

use dfn_beacon::{BeaconMessage, GroupId, ProcessId, ValueMessage};
use dfn_crypto::threshold::SecretPolynomial;
use dfn_crypto::{MinPk, MinSig, SecretKey, Suite, Variant};
use dfn_psp::{
    Block, BlockHash, CatchUpRequest, CatchUpResponse, MAX_RESPONSE_ITEMS, Notarization,
    NotarizationShare, Proposal, PspMessage, WireError, notary_hash,
};
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn messages<V: Variant>() -> Vec<PspMessage<V>> {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let identity = SecretKey::<V>::random(&mut rng);
    let poly = SecretPolynomial::<V>::random(2, &mut rng).unwrap();
    let share = poly.shares(3).unwrap().remove(1);
    let block = Arc::new(Block::sign(
        Proposal {
            height: 9,
            parent: BlockHash([1; 32]),
            slot: 2,
            maker: ProcessId::of(&identity.public_key()),
            state_root: [7; 32],
            payload: b"payload".to_vec(),
        },
        &identity,
    ));
    let s = share.sign_hash(&notary_hash::<V>(9, &block.hash()));
    let share = NotarizationShare::new(9, block.hash(), GroupId(3), s, &identity);
    let notarization = Notarization {
        height: 9,
        block: block.hash(),
        signature: identity.sign(Suite::Basic, b"x"),
    };
    let value = ValueMessage {
        height: 8,
        signature: identity.sign(Suite::Basic, b"y"),
    };
    vec![
        PspMessage::Block(Arc::clone(&block)),
        PspMessage::Share(share),
        PspMessage::Notarization(notarization),
        PspMessage::Request(CatchUpRequest { from: 3, count: 64 }),
        PspMessage::Beacon(BeaconMessage::Value(value)),
        PspMessage::Response(Arc::new(CatchUpResponse {
            height: 10,
            items: vec![
                PspMessage::from(value),
                PspMessage::Block(block),
                PspMessage::Notarization(notarization),
            ],
        })),
    ]
}

fn round_trip<V: Variant>() {
    for m in messages::<V>() {
        let bytes = m.to_bytes();
        assert_eq!(bytes.len(), m.encoded_len(), "{m:?}");
        assert_eq!(PspMessage::<V>::from_bytes(&bytes).unwrap(), m);
        // Every strict prefix fails, so does any trailing byte.
        for cut in 0..bytes.len() {
            assert!(PspMessage::<V>::from_bytes(&bytes[..cut]).is_err());
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(PspMessage::<V>::from_bytes(&longer).is_err());
    }
}

#[test]
fn every_message_round_trips_minsig_and_minpk() {
    round_trip::<MinSig>();
    round_trip::<MinPk>();
    let m = messages::<MinSig>();
    assert_eq!(m[1].encoded_len(), 150, "share message");
    assert_eq!(m[2].encoded_len(), 90, "notarization");
}

#[test]
fn malformed_messages_are_typed_errors() {
    let m = messages::<MinSig>();
    let mut block = m[0].to_bytes();
    // Change a payload byte: the header's payload hash no longer matches.
    let at = block.len() - 49;
    block[at] ^= 1;
    assert_eq!(
        PspMessage::<MinSig>::from_bytes(&block),
        Err(WireError::PayloadHash)
    );
    let mut version = m[3].to_bytes();
    version[0] = 9;
    assert_eq!(
        PspMessage::<MinSig>::from_bytes(&version),
        Err(WireError::UnknownVersion(9))
    );
    assert_eq!(
        PspMessage::<MinSig>::from_bytes(&[1, 99]),
        Err(WireError::UnknownKind(99))
    );
    // A share or a request inside a response is not allowed.
    let nested = CatchUpResponse {
        height: 1,
        items: vec![m[1].clone()],
    };
    let bytes = PspMessage::Response(Arc::new(nested)).to_bytes();
    assert_eq!(
        PspMessage::<MinSig>::from_bytes(&bytes),
        Err(WireError::UnknownKind(4))
    );
    let mut many = vec![1, 7];
    many.extend_from_slice(&1u64.to_be_bytes());
    many.extend_from_slice(&(MAX_RESPONSE_ITEMS as u32 + 1).to_be_bytes());
    assert_eq!(
        PspMessage::<MinSig>::from_bytes(&many),
        Err(WireError::TooManyItems(MAX_RESPONSE_ITEMS as u32 + 1))
    );
    let mut huge = m[0].to_bytes()[..130].to_vec();
    huge.extend_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(
        PspMessage::<MinSig>::from_bytes(&huge),
        Err(WireError::PayloadTooLarge(u64::from(u32::MAX)))
    );
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = PspMessage::<MinSig>::from_bytes(&bytes);
        let _ = PspMessage::<MinPk>::from_bytes(&bytes);
    }

    #[test]
    fn mutated_messages_never_panic(index in 0usize..6, at in any::<usize>(), byte in any::<u8>()) {
        let mut bytes = messages::<MinSig>()[index].to_bytes();
        let at = at % bytes.len();
        bytes[at] = byte;
        if let Ok(m) = PspMessage::<MinSig>::from_bytes(&bytes) {
            prop_assert_eq!(m.to_bytes(), bytes);
        }
    }
}
