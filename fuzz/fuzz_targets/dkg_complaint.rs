//! The DKG complaint decoder on arbitrary bytes and on mutations of a valid
//! complaint, for MinSig and MinPk on both backends: no panic, both backends
//! reach the same verdict, and every accepted input re-encodes to itself.
#![no_main]

#[macro_use]
mod wire_harness;

use std::sync::LazyLock;

use dfn_crypto::backend::Blst;
use dfn_crypto::dkg::Complaint;
use dfn_crypto::{MinPk, MinSig};
use libfuzzer_sys::fuzz_target;

/// A valid complaint (dealer 2, accuser 3), made like the fixtures of
/// `crates/dfn-crypto/tests/dkg_wire.rs` (seed `SEED` = 0x6466_6e5f_7769_7265,
/// n = 3, t = 2).
const SEED_HEX: [&str; 1] = [concat!(
    "01020000000200000003aaa7d5fb0f1c6e0128f1aba09b2f4fe275c47300ede12c9d6b293c57500bb704fc3bca122fa3",
    "0c9b5f6c8f6c9af1af323d11ec2407157c6c4ab3c92c7e9e07dd6182fa6463d28f5337ab1312c40c86570bdc36dfefc9",
    "0ecf9c20a397310211dbaaffda7522935933eb41ec0e9dc9b612",
)];

fn check(data: &[u8]) {
    same!(Complaint<MinSig>, data);
    same!(Complaint<MinPk>, data);
}

/// The seeds, checked once.
static SEEDS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    wire_harness::seeds(&SEED_HEX, |_, seed| {
        Complaint::<MinSig<Blst>>::from_bytes(seed, wire_harness::MAX_MEMBERS).is_ok()
    })
});

fuzz_target!(|data: &[u8]| {
    check(data);
    if let Some(mutated) = wire_harness::mutate(data, &SEEDS) {
        check(&mutated);
    }
});
