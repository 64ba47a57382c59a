//! ethereum/tests `RLPTests`: canonical encodings of strings, integers and
//! nested lists; invalid encodings the decoder must refuse; random valid
//! RLP that must decode and re-encode to the same bytes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{read_json, unhex, vectors_dir};
use dfn_state::rlp::{Encode, RlpError, Value as Rlp};
use serde_json::Value;

/// Big-endian bytes of a non-negative decimal number of any size.
fn decimal_to_be(digits: &str) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new(); // big-endian, no leading zeros
    for d in digits.bytes() {
        assert!(d.is_ascii_digit(), "bad digit in {digits}");
        let mut carry = u32::from(d - b'0');
        for byte in out.iter_mut().rev() {
            let v = u32::from(*byte) * 10 + carry;
            *byte = (v & 0xff) as u8;
            carry = v >> 8;
        }
        while carry > 0 {
            out.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    out
}

/// The RLP tree a JSON input stands for: strings are bytes (a `#` prefix
/// marks a big integer in decimal), numbers are integers, arrays are lists.
fn to_rlp(v: &Value) -> Rlp {
    match v {
        Value::String(s) => match s.strip_prefix('#') {
            Some(digits) => Rlp::Bytes(decimal_to_be(digits)),
            None => Rlp::Bytes(s.as_bytes().to_vec()),
        },
        Value::Number(n) => {
            let n = n.as_u64().expect("non-negative integer");
            Rlp::Bytes(
                n.to_be_bytes()
                    .into_iter()
                    .skip_while(|b| *b == 0)
                    .collect(),
            )
        }
        Value::Array(items) => Rlp::List(items.iter().map(to_rlp).collect()),
        other => panic!("unexpected input {other}"),
    }
}

#[test]
fn rlptest_encodes_and_decodes() {
    let cases = read_json("ethereum-tests/RLPTests/rlptest.json");
    let cases = cases.as_object().expect("object of cases");
    for (name, case) in cases {
        let value = to_rlp(&case["in"]);
        let expected = unhex(case["out"].as_str().expect("out"));
        assert_eq!(value.to_rlp(), expected, "{name}: encoding");
        assert_eq!(value.encoded_len(), expected.len(), "{name}: length");
        assert_eq!(Rlp::decode(&expected).unwrap(), value, "{name}: decoding");
    }
    assert_eq!(cases.len(), 28);
}

#[test]
fn invalid_rlp_is_refused() {
    let cases = read_json("ethereum-tests/RLPTests/invalidRLPTest.json");
    let cases = cases.as_object().expect("object of cases");
    for (name, case) in cases {
        assert_eq!(case["in"], "INVALID", "{name}");
        let bytes = unhex(case["out"].as_str().expect("out"));
        let err = match Rlp::decode(&bytes) {
            Ok(v) => panic!("{name}: decoded {v:?}"),
            Err(e) => e,
        };
        // The error says what is wrong, as the case's name does.
        let kind_ok = match name.as_str() {
            n if n.starts_with("bytesShouldBeSingleByte") => {
                matches!(err, RlpError::NonCanonicalSingleByte { .. })
            }
            n if n.starts_with("leadingZeros") => {
                matches!(err, RlpError::LeadingZeroInLength { .. })
            }
            n if n.starts_with("nonOptimal") || n.starts_with("wrongSizeList") => {
                matches!(err, RlpError::NonCanonicalLength { .. })
            }
            n if n.starts_with("lessThan") || n == "emptyEncoding" => {
                matches!(
                    err,
                    RlpError::Truncated { .. } | RlpError::LengthOverflow { .. }
                )
            }
            _ => true,
        };
        assert!(kind_ok, "{name}: unexpected error {err:?}");
    }
    assert_eq!(cases.len(), 26);
}

#[test]
fn random_rlp_round_trips() {
    let dir = vectors_dir().join("ethereum-tests/RLPTests/RandomRLPTests");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut count = 0;
    for file in files {
        let rel = file
            .strip_prefix(vectors_dir())
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let cases = read_json(&rel);
        for (name, case) in cases.as_object().expect("object of cases") {
            let bytes = unhex(case["out"].as_str().expect("out"));
            let decoded = Rlp::decode(&bytes).unwrap_or_else(|e| panic!("{rel}/{name}: {e}"));
            match case["in"].as_str() {
                Some("VALID") => assert_eq!(decoded.to_rlp(), bytes, "{rel}/{name}"),
                other => panic!("{rel}/{name}: unexpected `in` {other:?}"),
            }
            count += 1;
        }
    }
    assert!(count >= 1, "no random RLP vectors in {}", dir.display());
}
