//! The signed DKG envelope decoder and the body decoders behind it, for
//! MinSig and MinPk on both backends: no panic, the backends reach the same
//! verdict, and a body that decodes re-encodes to exactly its bytes.
//!
//! Three inputs per run: the raw bytes; the bytes as `kind selector ‖
//! sender ‖ body` wrapped in a well-formed envelope (random bytes rarely
//! carry a valid signature point); and a mutation of a valid responses or
//! justifications body in such an envelope.
#![no_main]

// Only the seed and mutation helpers are used here.
#[allow(unused_macros, dead_code)]
mod wire_harness;

use std::sync::LazyLock;

use dfn_crypto::backend::{Backend, Blst, PureRust};
use dfn_crypto::dkg::{Kind, SignedMessage};
use dfn_crypto::{MinPk, MinSig, SecretKey, Suite, Variant};
use libfuzzer_sys::fuzz_target;

/// The group size given to the decoder.
const N: u32 = 16;
/// Version, kind, run id, sender, body length.
const HEADER_LEN: usize = 42;
const KINDS: [Kind; 3] = [Kind::Dealing, Kind::Responses, Kind::Justifications];

/// Bodies: member 3's responses with one complaint about dealer 2, and
/// dealer 2's justifications with one answer to member 3 (the complaint
/// and justification seeds of the `dkg_complaint` and `dkg_justification`
/// targets, each behind a count of 1).
const BODY_SEED_HEX: [&str; 2] = [
    concat!(
        "0000000101020000000200000003aaa7d5fb0f1c6e0128f1aba09b2f4fe275c47300ede12c9d6b293c57500bb704fc3b",
        "ca122fa30c9b5f6c8f6c9af1af323d11ec2407157c6c4ab3c92c7e9e07dd6182fa6463d28f5337ab1312c40c86570bdc",
        "36dfefc90ecf9c20a397310211dbaaffda7522935933eb41ec0e9dc9b612",
    ),
    "00000001010300000002000000035fb3f2dc0398172e9597066c0fe061cb6772ee2cd99ec8612988eb275f8e7b0d",
];
/// Kind and sender of each body seed.
const BODY_SEED_SENDERS: [(Kind, u32); 2] = [(Kind::Responses, 3), (Kind::Justifications, 2)];

static BODY_SEEDS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    wire_harness::seeds(&BODY_SEED_HEX, |i, seed| {
        let (kind, sender) = BODY_SEED_SENDERS[i];
        let envelope = wrap(true, kind, sender, seed);
        SignedMessage::<MinSig<Blst>>::from_bytes(&envelope, N).is_ok_and(|m| m.body().is_ok())
    })
});

/// Some valid signature point of each variant (signing is slow; do it once).
static SIGNATURES: LazyLock<[Vec<u8>; 2]> = LazyLock::new(|| {
    fn sign<V: Variant>() -> Vec<u8> {
        let key = SecretKey::<V>::from_bytes(&[7; 32]).expect("a valid key");
        key.sign(Suite::ProofOfPossession, b"fuzz")
            .to_bytes()
            .as_ref()
            .to_vec()
    }
    [sign::<MinSig<Blst>>(), sign::<MinPk<Blst>>()]
});

/// A well-formed envelope around `body` with a valid signature point of
/// MinSig (`min_sig`) or MinPk.
fn wrap(min_sig: bool, kind: Kind, sender: u32, body: &[u8]) -> Vec<u8> {
    let mut out = vec![1, kind.tag()];
    out.extend_from_slice(&[0; 32]);
    out.extend_from_slice(&sender.to_be_bytes());
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&SIGNATURES[usize::from(!min_sig)]);
    out
}

fn decode<V: Variant>(data: &[u8]) -> Result<(Kind, u32, Result<Vec<u8>, String>), String> {
    SignedMessage::<V>::from_bytes(data, N)
        .map(|m| {
            assert_eq!(m.as_bytes(), data);
            let body = m.body().map(|b| b.to_bytes()).map_err(|e| e.to_string());
            if let Ok(body) = &body {
                let signed = &data[..data.len() - m.signature().to_bytes().as_ref().len()];
                assert_eq!(
                    &signed[HEADER_LEN..],
                    &body[..],
                    "the body is not canonical"
                );
            }
            (m.kind(), m.sender(), body)
        })
        .map_err(|e| e.to_string())
}

fn same<V1: Variant, V2: Variant>(data: &[u8]) {
    assert_eq!(decode::<V1>(data), decode::<V2>(data), "backends disagree");
}

fn check<B1: Backend, B2: Backend>(data: &[u8]) {
    same::<MinSig<B1>, MinSig<B2>>(data);
    same::<MinPk<B1>, MinPk<B2>>(data);
}

fn check_wrapped(kind: Kind, sender: u32, body: &[u8]) {
    check::<Blst, PureRust>(&wrap(true, kind, sender, body));
    check::<Blst, PureRust>(&wrap(false, kind, sender, body));
}

fuzz_target!(|data: &[u8]| {
    check::<Blst, PureRust>(data);
    if let [selector, sender, body @ ..] = data {
        let kind = KINDS[usize::from(*selector) % KINDS.len()];
        check_wrapped(kind, u32::from(*sender), body);
    }
    if let Some(body) = wire_harness::mutate(data, &BODY_SEEDS) {
        let (kind, sender) = BODY_SEED_SENDERS[usize::from(data[0] & 0x7f) % BODY_SEEDS.len()];
        check_wrapped(kind, sender, &body);
    }
});
