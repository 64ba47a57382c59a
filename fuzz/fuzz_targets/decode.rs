//! Every decoder of dfn-crypto on arbitrary bytes, on both backends: no
//! panic, and both backends reach the same verdict (same error, or the same
//! re-encoded bytes).
#![no_main]

use dfn_crypto::backend::{Blst, PureRust};
use dfn_crypto::threshold::{PublicPolynomial, SecretKeyShare, SignatureShare};
use dfn_crypto::{MinPk, MinSig, ProofOfPossession, PublicKey, SecretKey, Signature};
use libfuzzer_sys::fuzz_target;

macro_rules! same {
    ($ty:ident < $v:ident >, $data:expr, |$k:ident| $enc:expr) => {{
        let a = $ty::<$v<Blst>>::from_bytes($data);
        let b = $ty::<$v<PureRust>>::from_bytes($data);
        match (&a, &b) {
            (Ok(x), Ok(y)) => {
                let left = {
                    let $k = x;
                    $enc
                };
                let right = {
                    let $k = y;
                    $enc
                };
                assert_eq!(left, right);
            }
            (Err(x), Err(y)) => assert_eq!(x, y),
            _ => panic!("backends disagree: {a:?} vs {b:?}"),
        }
    }};
}

fuzz_target!(|data: &[u8]| {
    same!(PublicKey<MinSig>, data, |k| k.to_bytes().to_vec());
    same!(PublicKey<MinPk>, data, |k| k.to_bytes().to_vec());
    same!(Signature<MinSig>, data, |s| s.to_bytes().to_vec());
    same!(Signature<MinPk>, data, |s| s.to_bytes().to_vec());
    same!(ProofOfPossession<MinSig>, data, |p| p.to_bytes().to_vec());
    same!(SignatureShare<MinSig>, data, |s| s.to_bytes());
    same!(SignatureShare<MinPk>, data, |s| s.to_bytes());
    same!(SecretKey<MinSig>, data, |k| k.to_bytes().to_vec());
    same!(SecretKeyShare<MinSig>, data, |k| k.to_bytes().to_vec());
    if data.len() <= 96 * 8 {
        same!(PublicPolynomial<MinSig>, data, |p| p.to_bytes());
        same!(PublicPolynomial<MinPk>, data, |p| p.to_bytes());
    }
});
