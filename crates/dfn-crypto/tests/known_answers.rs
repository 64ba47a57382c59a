//! Known-answer tests from `reference.md` §1.3 (drand's and Ethereum's
//! published signatures), proofs of possession, and IETF KeyGen checked
//! against blst's independent implementation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::unhex;
use dfn_crypto::backend::Backend;
use dfn_crypto::error::KeyGenError;
use dfn_crypto::{MinPk, MinSig, ProofOfPossession, PublicKey, SecretKey, Signature, Suite};

fn check_known_answers<B: Backend>() {
    // drand crypto/curve_test.go, MinPk basic suite.
    let sk = SecretKey::<MinPk<B>>::from_bytes(&unhex(
        "643d6c704505385387a20d98aba19664e3ee81c600d21a0da910cc87f5dc4ab3",
    ))
    .unwrap();
    let sig = sk.sign(Suite::Basic, b"pass the signature");
    assert_eq!(
        hex::encode(sig.to_bytes()),
        "9940ca447bab3bab393c3a07866349343630437167eaeab063ef1e47acedc51e85c513121cf319a8832c3d136d7f36490fa7241194b403a3bbbba9e7d5e73c9a86f67a9585c6fe077cd6576b2f76560efbab3550d9d5124242c728e3a7ef6989"
    );

    // ethereum/bls12-381-tests, MinPk proof-of-possession suite.
    let cases = [
        (
            "263dbd792f5b1be47ed85f8938c0f29586af0d3ac7b977f21c278fe1462040e3",
            [0x56u8; 32],
            "882730e5d03f6b42c3abc26d3372625034e1d871b65a8a6b900a56dae22da98abbe1b68f85e49fe7652a55ec3d0591c20767677e33e5cbb1207315c41a9ac03be39c2e7668edc043d6cb1d9fd93033caa8a1c5b0e84bedaeb6c64972503a43eb",
        ),
        (
            "328388aff0d4a5b7dc9205abd374e7e98f3cd9f3418edb4eafda5fb16473d216",
            [0xabu8; 32],
            "ae82747ddeefe4fd64cf9cedb9b04ae3e8a43420cd255e3c7cd06a8d88b7c7f8638543719981c5d16fa3527c468c25f0026704a6951bde891360c7e8d12ddee0559004ccdbe6046b55bae1b257ee97f7cdb955773d7cf29adf3ccbb9975e4eb9",
        ),
    ];
    for (sk_hex, msg, sig_hex) in cases {
        let sk = SecretKey::<MinPk<B>>::from_bytes(&unhex(sk_hex)).unwrap();
        let sig = sk.sign(Suite::ProofOfPossession, &msg);
        assert_eq!(hex::encode(sig.to_bytes()), sig_hex);
        let decoded = Signature::<MinPk<B>>::from_bytes(&unhex(sig_hex)).unwrap();
        assert!(
            sk.public_key()
                .verify(Suite::ProofOfPossession, &msg, &decoded)
        );
        assert!(!sk.public_key().verify(Suite::Basic, &msg, &decoded));
    }
    let sk = SecretKey::<MinPk<B>>::from_bytes(&unhex(cases[1].0)).unwrap();
    assert_eq!(
        hex::encode(sk.public_key().to_bytes()),
        "b53d21a4cfd562c469cc81514d4ce5a6b577d8403d32a394dc265dd190b47fa9f829fdd7963afdf972e5e77854051f6f"
    );
}

fn check_pop<B: Backend>() {
    let a = SecretKey::<MinSig<B>>::key_gen(&[7u8; 32], b"").unwrap();
    let b = SecretKey::<MinSig<B>>::key_gen(&[8u8; 32], b"").unwrap();
    let proof = ProofOfPossession::prove(&a);
    assert!(proof.verify(&a.public_key()));
    assert!(!proof.verify(&b.public_key()));
    let decoded = ProofOfPossession::<MinSig<B>>::from_bytes(proof.to_bytes().as_ref()).unwrap();
    assert_eq!(decoded, proof);
    // A proof is not a signature of the key bytes under the signing DST.
    let as_sig = a.sign(Suite::ProofOfPossession, a.public_key().to_bytes().as_ref());
    assert_ne!(as_sig.to_bytes(), proof.to_bytes());
}

#[cfg(feature = "blst")]
#[test]
fn known_answers_blst() {
    check_known_answers::<dfn_crypto::backend::Blst>();
    check_pop::<dfn_crypto::backend::Blst>();
}

#[cfg(feature = "bls12_381")]
#[test]
fn known_answers_pure_rust() {
    check_known_answers::<dfn_crypto::backend::PureRust>();
    check_pop::<dfn_crypto::backend::PureRust>();
}

/// IETF KeyGen has no published vectors (draft-06 Appendix B is "TBA"), so
/// it is checked against blst's own implementation of the same draft.
#[test]
fn key_gen_matches_blst() {
    for seed in 0u8..32 {
        let ikm: Vec<u8> = (0..32 + usize::from(seed))
            .map(|i| (i as u8).wrapping_mul(31) ^ seed)
            .collect();
        let info: &[u8] = if seed % 2 == 0 { b"" } else { b"dfn key info" };
        let ours = SecretKey::<MinPk>::key_gen(&ikm, info).unwrap();
        let theirs = blst::min_pk::SecretKey::key_gen(&ikm, info).unwrap();
        assert_eq!(ours.to_bytes(), theirs.to_bytes(), "seed {seed}");
        assert_eq!(
            ours.public_key().to_bytes().as_slice(),
            theirs.sk_to_pk().compress().as_slice(),
            "seed {seed}"
        );
    }
    assert_eq!(
        SecretKey::<MinPk>::key_gen(&[1u8; 31], b"").unwrap_err(),
        KeyGenError::IkmTooShort(31)
    );
    let pk = PublicKey::<MinPk>::from_bytes(
        &SecretKey::<MinPk>::key_gen(&[1u8; 32], b"")
            .unwrap()
            .public_key()
            .to_bytes(),
    )
    .unwrap();
    assert_eq!(
        pk,
        SecretKey::<MinPk>::key_gen(&[1u8; 32], b"")
            .unwrap()
            .public_key()
    );
}
