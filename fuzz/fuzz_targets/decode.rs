//! Every decoder of dfn-crypto on arbitrary bytes, on both backends: no
//! panic, and both backends reach the same verdict (same error, or the same
//! re-encoded bytes).
#![no_main]

use dfn_crypto::backend::{Blst, PureRust};
use dfn_crypto::threshold::{PublicPolynomial, SecretKeyShare, SignatureShare};
use dfn_crypto::{MinPk, MinSig, ProofOfPossession, PublicKey, SecretKey, Signature};
use libfuzzer_sys::fuzz_target;

macro_rules! same {
    ($ty:ident < $v:ident >, $data:expr, $enc:expr) => {{
        let a = $ty::<$v<Blst>>::from_bytes($data);
        let b = $ty::<$v<PureRust>>::from_bytes($data);
        match (&a, &b) {
            (Ok(x), Ok(y)) => assert_eq!($enc(x), $enc(y)),
            (Err(x), Err(y)) => assert_eq!(x, y),
            _ => panic!("backends disagree: {a:?} vs {b:?}"),
        }
    }};
}

fuzz_target!(|data: &[u8]| {
    same!(PublicKey<MinSig>, data, |k: &PublicKey<_>| k.to_bytes().to_vec());
    same!(PublicKey<MinPk>, data, |k: &PublicKey<_>| k.to_bytes().to_vec());
    same!(Signature<MinSig>, data, |s: &Signature<_>| s.to_bytes().to_vec());
    same!(Signature<MinPk>, data, |s: &Signature<_>| s.to_bytes().to_vec());
    same!(ProofOfPossession<MinSig>, data, |p: &ProofOfPossession<_>| p.to_bytes().to_vec());
    same!(SignatureShare<MinSig>, data, |s: &SignatureShare<_>| s.to_bytes());
    same!(SignatureShare<MinPk>, data, |s: &SignatureShare<_>| s.to_bytes());
    same!(SecretKey<MinSig>, data, |k: &SecretKey<_>| k.to_bytes().to_vec());
    same!(SecretKeyShare<MinSig>, data, |k: &SecretKeyShare<_>| k.to_bytes().to_vec());
    if data.len() <= 96 * 8 {
        same!(PublicPolynomial<MinSig>, data, |p: &PublicPolynomial<_>| p.to_bytes());
        same!(PublicPolynomial<MinPk>, data, |p: &PublicPolynomial<_>| p.to_bytes());
    }
});
