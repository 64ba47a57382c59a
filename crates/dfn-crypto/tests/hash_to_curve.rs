//! RFC 9380 vectors: `hash_to_curve` (`_RO_`) and `encode_to_curve` (`_NU_`)
//! for G1 and G2, and `expand_message_xmd` with SHA-256, on every enabled
//! backend.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{read_vector, unhex};
use dfn_crypto::backend::{Backend, Point};
use serde_json::Value;

/// `(p − 1) / 2` for the BLS12-381 base field: a coordinate above it is the
/// "larger" root and sets the sign flag of the compressed encoding.
const HALF_P: &str = "0d0088f51cbff34d258dd3db21a5d66bb23ba5c279c2895fb39869507b587b120f55ffff58a9ffffdcff7fffffffd555";

fn is_larger_root(y: &[u8]) -> bool {
    y > unhex(HALF_P).as_slice()
}

/// The compressed encoding of an affine point written as RFC 9380 JSON
/// (`"0x.."` in G1, `"0xc0,0xc1"` in G2): x with flags, c1 first in G2.
fn compress(x: &str, y: &str) -> Vec<u8> {
    let xs: Vec<Vec<u8>> = x.split(',').map(unhex).collect();
    let ys: Vec<Vec<u8>> = y.split(',').map(unhex).collect();
    let (mut out, sign) = match (xs.as_slice(), ys.as_slice()) {
        ([x], [y]) => (x.clone(), is_larger_root(y)),
        ([x0, x1], [y0, y1]) => {
            let sign = if y1.iter().any(|&b| b != 0) {
                is_larger_root(y1)
            } else {
                is_larger_root(y0)
            };
            ([x1.as_slice(), x0.as_slice()].concat(), sign)
        }
        _ => panic!("unexpected point shape {x} / {y}"),
    };
    out[0] |= 0x80 | if sign { 0x20 } else { 0 };
    out
}

/// Which RFC 9380 operation a suite file exercises.
#[derive(Clone, Copy)]
enum Op {
    /// `hash_to_curve` (`_RO_`).
    Hash,
    /// `encode_to_curve` (`_NU_`).
    Encode,
}

fn check_suite<P: Point>(file: &str, op: Op) -> usize {
    let json: Value = serde_json::from_str(&read_vector(&format!("hash-to-curve/{file}"))).unwrap();
    let dst = json["dst"].as_str().unwrap().as_bytes();
    let vectors = json["vectors"].as_array().unwrap();
    assert!(!vectors.is_empty(), "{file} has no vectors");
    for v in vectors {
        let msg = v["msg"].as_str().unwrap();
        let expected = compress(v["P"]["x"].as_str().unwrap(), v["P"]["y"].as_str().unwrap());
        let got = match op {
            Op::Hash => P::hash_to_curve(msg.as_bytes(), dst),
            Op::Encode => P::encode_to_curve(msg.as_bytes(), dst),
        }
        .to_compressed();
        assert_eq!(got.as_ref(), expected.as_slice(), "{file}, msg {msg:?}");
    }
    vectors.len()
}

fn check_expand<B: Backend>(file: &str) -> usize {
    let json: Value = serde_json::from_str(&read_vector(&format!("hash-to-curve/{file}"))).unwrap();
    let dst = json["DST"].as_str().unwrap().as_bytes();
    let tests = json["tests"].as_array().unwrap();
    assert!(!tests.is_empty(), "{file} has no tests");
    for t in tests {
        let msg = t["msg"].as_str().unwrap();
        let len = usize::from_str_radix(
            t["len_in_bytes"].as_str().unwrap().trim_start_matches("0x"),
            16,
        )
        .unwrap();
        let expected = unhex(t["uniform_bytes"].as_str().unwrap());
        let got = B::expand_message_xmd(msg.as_bytes(), dst, len).expect("length in range");
        assert_eq!(got, expected, "{file}, msg {msg:?}, len {len}");
    }
    tests.len()
}

fn check_backend<B: Backend>() {
    let g1 = |file, op| check_suite::<B::G1>(file, op);
    let g2 = |file, op| check_suite::<B::G2>(file, op);
    assert_eq!(g1("BLS12381G1_XMD_SHA-256_SSWU_RO_.json", Op::Hash), 5);
    assert_eq!(g2("BLS12381G2_XMD_SHA-256_SSWU_RO_.json", Op::Hash), 5);
    assert_eq!(g1("BLS12381G1_XMD_SHA-256_SSWU_NU_.json", Op::Encode), 5);
    assert_eq!(g2("BLS12381G2_XMD_SHA-256_SSWU_NU_.json", Op::Encode), 5);
    assert_eq!(check_expand::<B>("expand_message_xmd_SHA256_38.json"), 10);
    assert_eq!(check_expand::<B>("expand_message_xmd_SHA256_256.json"), 10);
    // Out-of-range output lengths are refused, not truncated.
    assert!(B::expand_message_xmd(b"", b"DST", 0).is_none());
    assert!(B::expand_message_xmd(b"", b"DST", 255 * 32 + 1).is_none());
}

#[cfg(feature = "blst")]
#[test]
fn rfc9380_blst() {
    check_backend::<dfn_crypto::backend::Blst>();
}

#[cfg(feature = "bls12_381")]
#[test]
fn rfc9380_pure_rust() {
    check_backend::<dfn_crypto::backend::PureRust>();
}
