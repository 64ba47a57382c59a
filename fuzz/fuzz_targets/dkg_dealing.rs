//! The DKG dealing decoder on arbitrary bytes and on mutations of valid
//! dealings, for MinSig and MinPk on both backends: no panic, both backends
//! reach the same verdict, and every accepted input re-encodes to itself.
#![no_main]

#[macro_use]
mod wire_harness;

use std::sync::LazyLock;

use dfn_crypto::backend::Blst;
use dfn_crypto::dkg::Dealing;
use dfn_crypto::{MinPk, MinSig};
use libfuzzer_sys::fuzz_target;

/// Valid dealings (dealer 2, n = 3, t = 2), made like the fixtures of
/// `crates/dfn-crypto/tests/dkg_wire.rs` (seed `SEED` = 0x6466_6e5f_7769_7265,
/// n = 3, t = 2): MinSig, then MinPk.
const SEED_HEX: [&str; 2] = [
    concat!(
        "01010000000200000003000000028ed1bf08640beba20bb3257aa7e21466b045f3a4219086fae5a851c074487679ae93",
        "2157eee3bc96542c6413b4b8d054535fcfb55b71356d2d3bcf9e9bfb7da6885928276cc1a6f7c96076d9adfc1cee14f1",
        "921bcee7749a1283b4a03e4d30b877df9817b9047099850c4bc8b31b4b3a9453a1b9d807c4e1ed18e3d5738f354301f7",
        "138c6b03b65acf7cd562312daaeb8ad5fd4abfab9c143a5e18487eb0470b1931cc83b524285679f3d1b5abb485257e30",
        "afd58f6144beeff35de1c567b23c4f4faa75686cf00e8cf12ccbda5d86ca924a3b309915797b1248b6f861516d697d05",
        "f1bf020c33bfa96fe7960dbe5b9babdcbd117ace16393d07795b7ac145e906478f3ff2c09f59e048ca33233302d49eb2",
        "5cd6987d7d824187101888e459c0426eb9197833f244d3362df3344124ad61d1a27cd1e4e7f244bae473e2165e508a06",
        "2911668d46096125f801d05fca4639c94cbedd5659c31310cf52a4fae66d359e4f01d309893717ece27d667e4b2911ad",
        "f9e51ad88c697afb2b77122e62b8abc16b2a5b557d49277501a3e3f0d00ae2a6239652453c91440bf7ec0ac0ea191345",
        "2c77c3c0b085dba7cab9f93672bdf0fa2eee72bfd025aa24df00e725bc9d",
    ),
    concat!(
        "01010000000200000003000000028ed1bf08640beba20bb3257aa7e21466b045f3a4219086fae5a851c074487679ae93",
        "2157eee3bc96542c6413b4b8d054535fcfb55b71356d2d3bcf9e9bfb7da6885928276cc1a6f7c96076d9adfc1cee14f1",
        "921bcee7749a1283b4a03e4d30b877df9817b9047099850c4bc8b31b4b3ab04a222bac689e94b5d0ced68e9055e9d934",
        "c4be722a8895762d9e9ab1db3d1cd19894e81fe5fba2fe172f591f32b38688bb18b91e0e8777c871b40d2a76d9e40a51",
        "af08160d2048f8e222bd48dd3d250e990251f0cd25aeef29e956577720a761d1a27cd1e4e7f244bae473e2165e508a06",
        "2911668d46096125f801d05fca468ddc115caea4812d35fc9569fc5230b9359e4f01d309893717ece27d667e4b2911ad",
        "f9e51ad88c697afb2b77122e62b812fdabd204a3e9049e91ed95f25a4df3e2a6239652453c91440bf7ec0ac0ea191345",
        "2c77c3c0b085dba7cab9f93672bd53158aa0e4668e68f0c938641d990ebb",
    ),
];

fn check(data: &[u8]) {
    same!(Dealing<MinSig>, data);
    same!(Dealing<MinPk>, data);
}

/// The seeds, checked once.
static SEEDS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    // Seed 0 is a MinSig dealing, seed 1 a MinPk one.
    wire_harness::seeds(&SEED_HEX, |i, seed| match i {
        0 => Dealing::<MinSig<Blst>>::from_bytes(seed, wire_harness::MAX_MEMBERS).is_ok(),
        _ => Dealing::<MinPk<Blst>>::from_bytes(seed, wire_harness::MAX_MEMBERS).is_ok(),
    })
});

fuzz_target!(|data: &[u8]| {
    check(data);
    if let Some(mutated) = wire_harness::mutate(data, &SEEDS) {
        check(&mutated);
    }
});
