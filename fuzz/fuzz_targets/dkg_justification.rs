//! The DKG justification decoder on arbitrary bytes and on mutations of a
//! valid justification, for MinSig and MinPk on both backends: no panic,
//! both backends reach the same verdict, and every accepted input re-encodes
//! to itself.
#![no_main]

#[macro_use]
mod wire_harness;

use std::sync::LazyLock;

use dfn_crypto::backend::Blst;
use dfn_crypto::dkg::Justification;
use dfn_crypto::{MinPk, MinSig};
use libfuzzer_sys::fuzz_target;

/// A valid justification (dealer 2, accuser 3), made like the fixtures of
/// `crates/dfn-crypto/tests/dkg_wire.rs` (seed `SEED` = 0x6466_6e5f_7769_7265,
/// n = 3, t = 2).
const SEED_HEX: [&str; 1] = [concat!(
    "010300000002000000035fb3f2dc0398172e9597066c0fe061cb6772ee2cd99ec8612988eb275f8e7b0d",
)];

fn check(data: &[u8]) {
    same!(Justification<MinSig>, data);
    same!(Justification<MinPk>, data);
}

/// The seeds, checked once.
static SEEDS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    wire_harness::seeds(&SEED_HEX, |_, seed| {
        Justification::<MinSig<Blst>>::from_bytes(seed, wire_harness::MAX_MEMBERS).is_ok()
    })
});

fuzz_target!(|data: &[u8]| {
    check(data);
    if let Some(mutated) = wire_harness::mutate(data, &SEEDS) {
        check(&mutated);
    }
});
