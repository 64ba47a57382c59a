//! The beacon message decoder on arbitrary bytes and on mutations of valid
//! messages, for MinSig and MinPk on both backends: no panic, the backends
//! reach the same verdict, and every accepted input re-encodes to itself.
#![no_main]

// Only the seed and mutation helpers are used here.
#[allow(unused_macros, dead_code)]
mod wire_harness;

use std::sync::LazyLock;

use dfn_beacon::BeaconMessage;
use dfn_crypto::backend::{Backend, Blst, PureRust};
use dfn_crypto::{MinPk, MinSig, Variant};
use libfuzzer_sys::fuzz_target;

/// A MinSig share message (the golden bytes of `crates/dfn-beacon/tests/node.rs`)
/// and a MinSig value message whose signature is that share message's
/// identity signature.
const SEED_HEX: [&str; 2] = [
    concat!(
        "010100000000000000010000000000000007000000038aa3f40f1313d1c08f96a0ea4f1bb460eda0a19581eb",
        "429a1b87f0429be941d9304a06b6bba18bc87eec546f316522dea7fc6836b321f3a49662efa2834ca57f0df2",
        "dba263ca9e7e3a0c2d1ad3f88e4fc7f26b03ac888cccd2f763c81d213c7f",
    ),
    concat!(
        "01020000000000000009a7fc6836b321f3a49662efa2834ca57f0df2dba263ca9e7e3a0c2d1ad3f88e4fc7f2",
        "6b03ac888cccd2f763c81d213c7f",
    ),
];

static SEEDS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    wire_harness::seeds(&SEED_HEX, |_, seed| BeaconMessage::<MinSig<Blst>>::from_bytes(seed).is_ok())
});

fn decode<V: Variant>(data: &[u8]) -> Result<Vec<u8>, String> {
    BeaconMessage::<V>::from_bytes(data)
        .map(|m| {
            let bytes = m.to_bytes();
            assert_eq!(bytes, data, "the re-encoding differs from the input");
            assert_eq!(m.encoded_len(), data.len());
            bytes
        })
        .map_err(|e| e.to_string())
}

fn same<B1: Backend, B2: Backend>(data: &[u8]) {
    assert_eq!(decode::<MinSig<B1>>(data), decode::<MinSig<B2>>(data), "backends disagree");
    assert_eq!(decode::<MinPk<B1>>(data), decode::<MinPk<B2>>(data), "backends disagree");
}

fuzz_target!(|data: &[u8]| {
    same::<Blst, PureRust>(data);
    if let Some(mutated) = wire_harness::mutate(data, &SEEDS) {
        same::<Blst, PureRust>(&mutated);
    }
});
