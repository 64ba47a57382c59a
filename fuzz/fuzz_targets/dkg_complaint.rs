//! The DKG complaint decoder on arbitrary bytes and on mutations of a valid
//! complaint, for MinSig and MinPk on both backends: no panic, both backends
//! reach the same verdict, and every accepted input re-encodes to itself.
#![no_main]

use std::sync::LazyLock;

use dfn_crypto::backend::{Blst, PureRust};
use dfn_crypto::dkg::Complaint;
use dfn_crypto::{MinPk, MinSig};
use libfuzzer_sys::fuzz_target;

/// The member limit given to the decoders.
const MAX_MEMBERS: u32 = 64;

/// A valid complaint (dealer 2, accuser 3), made like the fixtures of
/// `crates/dfn-crypto/tests/dkg_wire.rs` (seed `SEED` = 0x6466_6e5f_7769_7265,
/// n = 3, t = 2).
const SEED_HEX: [&str; 1] = [concat!(
    "01020000000200000003aaa7d5fb0f1c6e0128f1aba09b2f4fe275c47300ede12c9d6b293c57500bb704fc3bca122fa3",
    "0c9b5f6c8f6c9af1af323d11ec2407157c6c4ab3c92c7e9e07dd6182fa6463d28f5337ab1312c40c86570bdc36dfefc9",
    "0ecf9c20a397310211dbaaffda7522935933eb41ec0e9dc9b612",
)];

/// Decodes with both backends: both must reach the same verdict (the same
/// error, or values that re-encode to the input itself).
macro_rules! same {
    ($ty:ident < $v:ident >, $data:expr) => {{
        let a = $ty::<$v<Blst>>::from_bytes($data, MAX_MEMBERS);
        let b = $ty::<$v<PureRust>>::from_bytes($data, MAX_MEMBERS);
        match (&a, &b) {
            (Ok(x), Ok(y)) => {
                let (left, right) = (x.to_bytes(), y.to_bytes());
                assert_eq!(left, right, "the backends re-encode differently");
                assert_eq!(left, $data, "the re-encoding differs from the input");
            }
            (Err(x), Err(y)) => assert_eq!(x, y),
            _ => panic!("backends disagree: {a:?} vs {b:?}"),
        }
    }};
}

fn check(data: &[u8]) {
    same!(Complaint<MinSig>, data);
    same!(Complaint<MinPk>, data);
}

/// The seeds, checked once: a stale seed (after a format change) stops the
/// run instead of silently fuzzing only the header checks.
static SEEDS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let seeds: Vec<Vec<u8>> = SEED_HEX.iter().map(|s| unhex(s)).collect();
    assert!(Complaint::<MinSig<Blst>>::from_bytes(&seeds[0], MAX_MEMBERS).is_ok());
    seeds
});

/// A second input derived from `data` and a valid seed encoding, so that
/// runs reach the point, scalar and proof checks behind the header and
/// length checks: `data[0]` picks the seed (bits 0–6) and whether to cut it
/// at `u16_be(data[1..3])` (bit 7); each following 3-byte group
/// `u16_be(offset) ‖ x` XORs `x` into the byte at `offset mod len`.
fn mutate(data: &[u8], seeds: &[Vec<u8>]) -> Option<Vec<u8>> {
    let (&first, rest) = data.split_first()?;
    let seed = seeds.get(usize::from(first & 0x7f) % seeds.len())?;
    let mut out = seed.clone();
    let (cut, edits) = rest.split_first_chunk::<2>()?;
    for edit in edits.chunks_exact(3) {
        let offset = usize::from(u16::from_be_bytes([edit[0], edit[1]])) % out.len();
        out[offset] ^= edit[2];
    }
    if first & 0x80 != 0 {
        out.truncate(usize::from(u16::from_be_bytes(*cut)));
    }
    Some(out)
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("seed hex"))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if let Some(mutated) = mutate(data, &SEEDS) {
        check(&mutated);
    }
});
