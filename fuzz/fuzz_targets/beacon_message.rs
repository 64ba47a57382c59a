//! The beacon message decoder on arbitrary bytes and on mutations of valid
//! messages, for MinSig and MinPk on both backends: no panic, the backends
//! reach the same verdict, and every accepted input re-encodes to itself.
#![no_main]

#[macro_use]
#[allow(dead_code)]
mod wire_harness;

use std::sync::LazyLock;

use dfn_beacon::BeaconMessage;
use dfn_crypto::MinSig;
use dfn_crypto::backend::Blst;
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
    wire_harness::seeds(&SEED_HEX, |_, seed| {
        BeaconMessage::<MinSig<Blst>>::from_bytes(seed).is_ok()
    })
});

fuzz_target!(|data: &[u8]| {
    same_message!(BeaconMessage, data);
    if let Some(mutated) = wire_harness::mutate(data, &SEEDS) {
        same_message!(BeaconMessage, &mutated);
    }
});
