//! The signed envelope of DKG messages and the bodies inside it: round
//! trips, golden bytes, one crafted input per error, and signatures that
//! bind the run, the sender and the body.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(missing_docs)]

use dfn_crypto::dkg::{
    Body, BodyError, Complaint, Dealing, DkgSecretKey, ENVELOPE_VERSION, EnvelopeError, Kind,
    RunId, SignedMessage, WireError, WireField,
};
use dfn_crypto::error::PointError;
use dfn_crypto::{MinPk, MinSig, SecretKey, Variant};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const N: u32 = 5;
const T: u32 = 3;
const CONTEXT: &[u8] = b"dfn dkg envelope test";

fn run() -> RunId {
    RunId::of_context(CONTEXT).unwrap()
}

fn key<V: Variant>(byte: u8) -> SecretKey<V> {
    SecretKey::from_bytes(&[byte; 32]).unwrap()
}

/// A group's decryption keys and member 2's dealing.
fn dealing<V: Variant>() -> (Vec<DkgSecretKey<V>>, Dealing<V>) {
    let mut rng = ChaCha20Rng::seed_from_u64(17);
    let sks: Vec<DkgSecretKey<V>> = (0..N).map(|_| DkgSecretKey::random(&mut rng)).collect();
    let pks: Vec<_> = sks.iter().map(DkgSecretKey::public_key).collect();
    let (dealing, _) = Dealing::deal(2, T, &pks, CONTEXT, &mut rng).unwrap();
    (sks, dealing)
}

/// An envelope built from the documented layout, with any signature bytes.
fn envelope(version: u8, tag: u8, sender: u32, body: &[u8], signature: &[u8]) -> Vec<u8> {
    let mut out = vec![version, tag];
    out.extend_from_slice(&run().0);
    out.extend_from_slice(&sender.to_be_bytes());
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(signature);
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn round_trips<V: Variant>() {
    let (sks, dealing) = dealing::<V>();
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let complaint = Complaint::create(&dealing, CONTEXT, 4, &sks[3], &mut rng).unwrap();
    let justification = dealing
        .justify(
            &dfn_crypto::threshold::SecretPolynomial::random(T, &mut rng).unwrap(),
            4,
        )
        .unwrap();
    let bodies = [
        (2, Body::Dealing(dealing.clone())),
        (4, Body::Responses(vec![])),
        (4, Body::Responses(vec![complaint])),
        (2, Body::Justifications(vec![justification])),
    ];
    for (sender, body) in bodies {
        let signer = key::<V>(sender as u8);
        let message = SignedMessage::sign(run(), sender, body.clone(), &signer);
        let decoded = SignedMessage::<V>::from_bytes(message.as_bytes(), N).unwrap();
        assert_eq!(decoded, message);
        assert_eq!(decoded.kind(), body.kind());
        assert_eq!(decoded.sender(), sender);
        assert_eq!(decoded.run(), run());
        assert_eq!(decoded.body().unwrap(), &body);
        assert!(decoded.verify(&signer.public_key()));
        assert!(!decoded.verify(&key::<V>(99).public_key()));
        // The layout, by hand.
        let signature = decoded.signature().to_bytes();
        let by_hand = envelope(
            1,
            body.kind().tag(),
            sender,
            &body.to_bytes(),
            signature.as_ref(),
        );
        assert_eq!(by_hand, message.as_bytes());
    }
}

#[test]
fn round_trip_min_sig() {
    round_trips::<MinSig>();
}

#[test]
fn round_trip_min_pk() {
    round_trips::<MinPk>();
}

/// The encoding of a fixed message never changes silently: member 3's
/// empty responses, signed by the key `[3; 32]`.
#[test]
fn golden() {
    assert_eq!(
        hex(&run().0),
        "856c8fe66e4207a52420d76b43f528f93e731d7ed4440cf4e5f62585fd676d8c"
    );
    let min_sig = SignedMessage::sign(run(), 3, Body::Responses(vec![]), &key::<MinSig>(3));
    assert_eq!(
        hex(min_sig.as_bytes()),
        "0112856c8fe66e4207a52420d76b43f528f93e731d7ed4440cf4e5f62585fd676d8c000000030000000400000000b3b95ffa351beb9cc1b66172be4dc2e904605885f12256afa86a2261fa29a73be7ebdcbdbe0cfe9b47754e740684565e"
    );
    let min_pk = SignedMessage::sign(run(), 3, Body::Responses(vec![]), &key::<MinPk>(3));
    assert_eq!(
        hex(min_pk.as_bytes()),
        "0112856c8fe66e4207a52420d76b43f528f93e731d7ed4440cf4e5f62585fd676d8c0000000300000004000000008c4ffa189f4bd227d1233b230a2d079abede41636d8725793433a614c9e41320d48936a5d7fba11aa6612e031cd1d9d9002d684942351fe540750bf389b742c3a05b2f303148a8a66f4b1d9592fae01f4fd78fd7b406b1c6d388c9ca3098fc07"
    );
}

/// The signature covers the run, the sender, the kind and the body.
#[test]
fn signature_binds_every_field() {
    let signer = key::<MinSig>(3);
    let message = SignedMessage::sign(run(), 3, Body::Responses(vec![]), &signer);
    let bytes = message.as_bytes();
    for at in [1, 2, 33, 37, 41] {
        let mut tampered = bytes.to_vec();
        tampered[at] ^= if at == 1 { 0x02 } else { 0x01 };
        if let Ok(m) = SignedMessage::<MinSig>::from_bytes(&tampered, N) {
            assert!(!m.verify(&signer.public_key()), "byte {at}");
        }
    }
    // Tag 0x11 ^ 0x02 = 0x13: a justification body now; still refused.
    let mut retagged = bytes.to_vec();
    retagged[1] = Kind::Justifications.tag();
    let m = SignedMessage::<MinSig>::from_bytes(&retagged, N).unwrap();
    assert!(!m.verify(&signer.public_key()));
}

#[test]
fn envelope_errors() {
    let signature = SignedMessage::sign(run(), 3, Body::<MinSig>::Responses(vec![]), &key(3))
        .signature()
        .to_bytes();
    let empty = 0u32.to_be_bytes();
    let good = envelope(1, 0x12, 3, &empty, signature.as_ref());
    assert!(SignedMessage::<MinSig>::from_bytes(&good, N).is_ok());
    let mut not_a_point = signature.as_ref().to_vec();
    not_a_point[0] &= 0x7f; // compression flag cleared
    let cases: Vec<(Vec<u8>, EnvelopeError)> = vec![
        (vec![], EnvelopeError::Truncated(0)),
        (good[..41].to_vec(), EnvelopeError::Truncated(41)),
        (
            envelope(2, 0x12, 3, &empty, signature.as_ref()),
            EnvelopeError::UnknownVersion(2),
        ),
        (
            envelope(1, 0x02, 3, &empty, signature.as_ref()),
            EnvelopeError::UnknownKind(0x02),
        ),
        (
            good[..good.len() - 1].to_vec(),
            EnvelopeError::WrongLength {
                expected: good.len(),
                actual: good.len() - 1,
            },
        ),
        (
            [good.as_slice(), &[0]].concat(),
            EnvelopeError::WrongLength {
                expected: good.len(),
                actual: good.len() + 1,
            },
        ),
        (
            envelope(1, 0x12, 3, &empty, &not_a_point),
            EnvelopeError::Signature(PointError::NotCompressed),
        ),
    ];
    for (bytes, expected) in cases {
        assert_eq!(
            SignedMessage::<MinSig>::from_bytes(&bytes, N).unwrap_err(),
            expected
        );
        assert!(!expected.to_string().is_empty());
    }
    // A length field claiming 4 GiB is refused by comparing lengths, before
    // anything is allocated or read.
    let mut huge = good.clone();
    huge[38..42].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(matches!(
        SignedMessage::<MinSig>::from_bytes(&huge, N),
        Err(EnvelopeError::WrongLength { .. })
    ));
    assert_eq!(ENVELOPE_VERSION, 1);
}

#[test]
fn body_errors() {
    let (sks, dealing) = dealing::<MinSig>();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let about = |accuser: u32, rng: &mut ChaCha20Rng| {
        Complaint::create(&dealing, CONTEXT, accuser, &sks[accuser as usize - 1], rng)
            .unwrap()
            .to_bytes()
    };
    let count = |c: u32| c.to_be_bytes().to_vec();
    let complaint4 = about(4, &mut rng);
    let cases: Vec<(Kind, u32, Vec<u8>, BodyError)> = vec![
        (
            Kind::Responses,
            4,
            vec![0, 0],
            BodyError::WrongLength {
                kind: Kind::Responses,
                count: 0,
                expected: 4,
                actual: 2,
            },
        ),
        (
            Kind::Responses,
            4,
            [count(1), complaint4.clone(), vec![0]].concat(),
            BodyError::WrongLength {
                kind: Kind::Responses,
                count: 1,
                expected: 126,
                actual: 127,
            },
        ),
        (
            Kind::Responses,
            4,
            count(N + 1),
            BodyError::TooManyItems { count: N + 1, n: N },
        ),
        (
            Kind::Responses,
            3,
            [count(1), complaint4.clone()].concat(),
            BodyError::NotFromSender {
                item: 0,
                claimed: 4,
                sender: 3,
            },
        ),
        (
            Kind::Responses,
            4,
            [count(2), complaint4.clone(), complaint4.clone()].concat(),
            BodyError::NotAscending { item: 1, index: 2 },
        ),
        (
            Kind::Responses,
            4,
            [count(1), vec![0; 122]].concat(),
            BodyError::Item {
                item: 0,
                error: WireError::UnknownVersion(0),
            },
        ),
        (
            Kind::Dealing,
            3,
            dealing.to_bytes(),
            BodyError::NotFromSender {
                item: 0,
                claimed: 2,
                sender: 3,
            },
        ),
        (
            Kind::Justifications,
            2,
            [count(1), {
                let mut j = vec![1, 3];
                j.extend_from_slice(&2u32.to_be_bytes());
                j.extend_from_slice(&9u32.to_be_bytes());
                j.extend_from_slice(&[1; 32]);
                j
            }]
            .concat(),
            BodyError::Item {
                item: 0,
                error: WireError::InvalidIndex {
                    field: WireField::Accuser,
                    value: 9,
                    n: N,
                },
            },
        ),
    ];
    for (kind, sender, body, expected) in cases {
        let message =
            SignedMessage::sign(run(), sender, Body::<MinSig>::Responses(vec![]), &key(1));
        let bytes = envelope(
            1,
            kind.tag(),
            sender,
            &body,
            message.signature().to_bytes().as_ref(),
        );
        let decoded = SignedMessage::<MinSig>::from_bytes(&bytes, N).unwrap();
        assert_eq!(decoded.body().unwrap_err(), &expected);
        assert!(!expected.to_string().is_empty());
    }
}
