//! What the wire targets share: the two-backend verdict checks, the seed
//! encodings and the mutation that carries runs past the header checks.

/// The member limit given to the decoders.
pub const MAX_MEMBERS: u32 = 64;

/// Decodes with both backends: both must reach the same verdict (the same
/// error, or values that re-encode to the input itself).
#[allow(unused_macros)]
macro_rules! same {
    ($ty:ident < $v:ident >, $data:expr) => {{
        let a = $ty::<$v<dfn_crypto::backend::Blst>>::from_bytes($data, wire_harness::MAX_MEMBERS);
        let b =
            $ty::<$v<dfn_crypto::backend::PureRust>>::from_bytes($data, wire_harness::MAX_MEMBERS);
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

/// Decodes `data` as a `$ty` (a message decoder without a member limit:
/// `from_bytes`, `to_bytes`, `encoded_len`) for MinSig and MinPk on both
/// backends: the backends reach the same verdict, and whatever is accepted
/// re-encodes to exactly `data` and claims its length.
#[allow(unused_macros)]
macro_rules! same_message {
    ($ty:ident, $data:expr) => {{
        fn decode<V: dfn_crypto::Variant>(data: &[u8]) -> Result<Vec<u8>, String> {
            $ty::<V>::from_bytes(data)
                .map(|m| {
                    let bytes = m.to_bytes();
                    assert_eq!(bytes, data, "the re-encoding differs from the input");
                    assert_eq!(m.encoded_len(), data.len());
                    bytes
                })
                .map_err(|e| e.to_string())
        }
        use dfn_crypto::backend::{Blst, PureRust};
        use dfn_crypto::{MinPk, MinSig};
        let data: &[u8] = $data;
        assert_eq!(
            decode::<MinSig<Blst>>(data),
            decode::<MinSig<PureRust>>(data),
            "backends disagree"
        );
        assert_eq!(
            decode::<MinPk<Blst>>(data),
            decode::<MinPk<PureRust>>(data),
            "backends disagree"
        );
    }};
}

/// Decodes the hex seeds and checks each with `valid(position, bytes)`: a stale seed (after
/// a format change) stops the run instead of silently fuzzing only the
/// header checks.
pub fn seeds(hex: &[&str], valid: impl Fn(usize, &[u8]) -> bool) -> Vec<Vec<u8>> {
    let seeds: Vec<Vec<u8>> = hex.iter().map(|s| unhex(s)).collect();
    for (i, seed) in seeds.iter().enumerate() {
        assert!(valid(i, seed), "seed {i} no longer decodes: regenerate it");
    }
    seeds
}

/// A second input derived from `data` and a valid seed encoding, so that
/// runs reach the point, scalar and proof checks behind the header and
/// length checks: `data[0]` picks the seed (bits 0–6) and whether to cut it
/// at `u16_be(data[1..3])` (bit 7); each following 3-byte group
/// `u16_be(offset) ‖ x` XORs `x` into the byte at `offset mod len`.
pub fn mutate(data: &[u8], seeds: &[Vec<u8>]) -> Option<Vec<u8>> {
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
