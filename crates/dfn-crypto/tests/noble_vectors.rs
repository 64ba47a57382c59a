//! Every line of noble-curves' BLS vectors (`bls-noble/`), basic `_NUL_`
//! suites, empty messages included, on every enabled backend.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{read_vector, unhex};
use dfn_crypto::backend::Backend;
use dfn_crypto::{MinPk, MinSig, PublicKey, SecretKey, Signature, Suite, Variant};

/// Signs and verifies every `secret:message:signature` line; returns the
/// number of lines checked.
fn check_file<V: Variant>(file: &str) -> usize {
    let text = read_vector(file);
    let mut count = 0;
    for (line_no, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.trim().split(':').collect();
        let [sk_hex, msg_hex, sig_hex] = fields.as_slice() else {
            panic!("{file}:{}: expected three fields", line_no + 1);
        };
        let sk = SecretKey::<V>::from_bytes(&unhex(sk_hex)).unwrap();
        let msg = unhex(msg_hex);
        let expected = unhex(sig_hex);
        let sig = sk.sign(Suite::Basic, &msg);
        assert_eq!(
            sig.to_bytes().as_ref(),
            expected.as_slice(),
            "{file}:{}",
            line_no + 1
        );
        let decoded = Signature::<V>::from_bytes(&expected).unwrap();
        let pk = PublicKey::<V>::from_bytes(sk.public_key().to_bytes().as_ref()).unwrap();
        assert!(
            pk.verify(Suite::Basic, &msg, &decoded),
            "{file}:{}",
            line_no + 1
        );
        // The same signature must not verify for another message or suite.
        let mut other = msg.clone();
        other.push(0);
        assert!(
            !pk.verify(Suite::Basic, &other, &decoded),
            "{file}:{}",
            line_no + 1
        );
        assert!(
            !pk.verify(Suite::ProofOfPossession, &msg, &decoded),
            "{file}:{}",
            line_no + 1
        );
        count += 1;
    }
    count
}

fn check_backend<B: Backend>() {
    assert_eq!(check_file::<MinPk<B>>("bls-noble/min_pk.txt"), 263);
    assert_eq!(check_file::<MinSig<B>>("bls-noble/min_sig.txt"), 128);
}

#[cfg(feature = "blst")]
#[test]
fn noble_vectors_blst() {
    check_backend::<dfn_crypto::backend::Blst>();
}

#[cfg(feature = "bls12_381")]
#[test]
fn noble_vectors_pure_rust() {
    check_backend::<dfn_crypto::backend::PureRust>();
}
