//! Malformed encodings never panic and are rejected with the precise typed
//! error, on every enabled backend; when both backends are compiled in,
//! they give identical results for identical bytes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(missing_docs)]

use dfn_crypto::backend::Backend;
use dfn_crypto::error::{PointError, ScalarError};
use dfn_crypto::threshold::{
    PublicPolynomial, PublicPolynomialDecodeError, SecretKeyShare, ShareDecodeError, SignatureShare,
};
use dfn_crypto::{
    MinPk, MinSig, ProofOfPossession, PublicKey, SecretKey, Signature, Suite, Variant,
};
use proptest::collection::vec;
use proptest::prelude::*;

/// The base field modulus `p`, big-endian (48 bytes).
const P: [u8; 48] = [
    0x1a, 0x01, 0x11, 0xea, 0x39, 0x7f, 0xe6, 0x9a, 0x4b, 0x1b, 0xa7, 0xb6, 0x43, 0x4b, 0xac, 0xd7,
    0x64, 0x77, 0x4b, 0x84, 0xf3, 0x85, 0x12, 0xbf, 0x67, 0x30, 0xd2, 0xa0, 0xf6, 0xb0, 0xf6, 0x24,
    0x1e, 0xab, 0xff, 0xfe, 0xb1, 0x53, 0xff, 0xff, 0xb9, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xaa, 0xab,
];

/// The group order `r`, big-endian (32 bytes).
const R: [u8; 32] = [
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
];

/// The compressed standard generator of G1 (ZCash encoding).
const G1_GENERATOR: &str = concat!(
    "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905",
    "a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb",
);
/// The compressed standard generator of G2 (ZCash encoding, `x.c1 ‖ x.c0`).
const G2_GENERATOR: &str = concat!(
    "93e02b6052719f607dacd3a088274f65596bd0d09920b61a",
    "b5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e",
    "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02",
    "b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8",
);

const COMPRESSED: u8 = 0x80;
const INFINITY: u8 = 0x40;
const SIGN: u8 = 0x20;

/// A big-endian integer plus a small value (no overflow past the array).
fn add_small<const N: usize>(mut x: [u8; N], mut v: u64) -> [u8; N] {
    let mut carry = 0u16;
    for byte in x.iter_mut().rev() {
        let sum = u16::from(*byte) + (v & 0xff) as u16 + carry;
        *byte = sum as u8;
        carry = sum >> 8;
        v >>= 8;
    }
    assert_eq!((carry, v), (0, 0), "add_small overflowed");
    x
}

/// A big-endian 48-byte field element holding the small value `v`.
fn fp(v: u64) -> [u8; 48] {
    add_small([0u8; 48], v)
}

fn with_flags(mut bytes: Vec<u8>, flags: u8) -> Vec<u8> {
    bytes[0] |= flags;
    bytes
}

/// `p mod m` for a small modulus.
fn p_mod(m: u64) -> u64 {
    P.iter()
        .fold(0u128, |acc, &b| (acc * 256 + u128::from(b)) % u128::from(m)) as u64
}

/// The Jacobi symbol `(a/n)` for odd `n`.
fn jacobi(mut a: u64, mut n: u64) -> i8 {
    assert!(n % 2 == 1);
    a %= n;
    let mut result = 1;
    while a != 0 {
        while a % 2 == 0 {
            a /= 2;
            if n % 8 == 3 || n % 8 == 5 {
                result = -result;
            }
        }
        core::mem::swap(&mut a, &mut n);
        if a % 4 == 3 && n % 4 == 3 {
            result = -result;
        }
        a %= n;
    }
    if n == 1 { result } else { 0 }
}

/// Whether the small value `a` (`0 < a < p`) is a square modulo `p`, by
/// quadratic reciprocity: independent of any curve library.
fn is_square_mod_p(mut a: u64) -> bool {
    assert!(a > 0);
    assert_eq!(p_mod(8), 3, "p ≡ 3 (mod 8)");
    let mut result = 1i8;
    // (2/p) = −1 for p ≡ 3 (mod 8).
    while a % 2 == 0 {
        a /= 2;
        result = -result;
    }
    if a > 1 {
        // (a/p) = (p/a)·(−1)^((a−1)/2 · (p−1)/2), and (p−1)/2 is odd.
        if a % 4 == 3 {
            result = -result;
        }
        result *= jacobi(p_mod(a), a);
    }
    result == 1
}

/// Whether `x` (a small integer) is the x-coordinate of a point of
/// E: y² = x³ + 4 over F_p.
fn g1_x_on_curve(x: u64) -> bool {
    is_square_mod_p(x * x * x + 4)
}

/// Whether `x` (a small integer in F_p ⊂ F_p²) is the x-coordinate of a
/// point of E': y² = x³ + 4(1 + i) over F_p²: `a + bi` is a square iff its
/// norm `a² + b²` is a square in F_p (p ≡ 3 mod 4).
fn g2_x_on_curve(x: u64) -> bool {
    let a = x * x * x + 4;
    is_square_mod_p(a * a + 16)
}

/// A compressed point of `len` bytes (48 or 96) whose x is the small value
/// `v` (in `x.c0` for G2) and whose flags are `flags`.
fn small_x(len: usize, v: u64, flags: u8) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    bytes[len - 48..].copy_from_slice(&fp(v));
    with_flags(bytes, flags)
}

/// Every decoder, as a uniform function from bytes to the debug rendering
/// of its result. A successful decoding must re-encode to the input.
fn decode_all<B: Backend>(bytes: &[u8]) -> Vec<String> {
    fn point<T, E: core::fmt::Debug, C: AsRef<[u8]>>(
        bytes: &[u8],
        decoded: Result<T, E>,
        encode: impl Fn(&T) -> C,
    ) -> String {
        if let Ok(value) = &decoded {
            assert_eq!(
                encode(value).as_ref(),
                bytes,
                "accepted a non-canonical encoding"
            );
        }
        format!("{:?}", decoded.map(|_| ()))
    }
    let mut out = vec![
        point(
            bytes,
            PublicKey::<MinSig<B>>::from_bytes(bytes),
            PublicKey::to_bytes,
        ),
        point(
            bytes,
            PublicKey::<MinPk<B>>::from_bytes(bytes),
            PublicKey::to_bytes,
        ),
        point(
            bytes,
            Signature::<MinSig<B>>::from_bytes(bytes),
            Signature::to_bytes,
        ),
        point(
            bytes,
            Signature::<MinPk<B>>::from_bytes(bytes),
            Signature::to_bytes,
        ),
        point(
            bytes,
            ProofOfPossession::<MinSig<B>>::from_bytes(bytes),
            ProofOfPossession::to_bytes,
        ),
        point(
            bytes,
            ProofOfPossession::<MinPk<B>>::from_bytes(bytes),
            ProofOfPossession::to_bytes,
        ),
        point(
            bytes,
            SecretKey::<MinSig<B>>::from_bytes(bytes),
            SecretKey::to_bytes,
        ),
        point(
            bytes,
            SecretKey::<MinPk<B>>::from_bytes(bytes),
            SecretKey::to_bytes,
        ),
        point(
            bytes,
            SignatureShare::<MinSig<B>>::from_bytes(bytes),
            SignatureShare::to_bytes,
        ),
        point(
            bytes,
            SignatureShare::<MinPk<B>>::from_bytes(bytes),
            SignatureShare::to_bytes,
        ),
        point(
            bytes,
            PublicPolynomial::<MinSig<B>>::from_bytes(bytes),
            PublicPolynomial::to_bytes,
        ),
        point(
            bytes,
            PublicPolynomial::<MinPk<B>>::from_bytes(bytes),
            PublicPolynomial::to_bytes,
        ),
    ];
    out.push(point(
        bytes,
        SecretKeyShare::<MinSig<B>>::from_bytes(bytes),
        encode_secret_share,
    ));
    out.push(point(
        bytes,
        SecretKeyShare::<MinPk<B>>::from_bytes(bytes),
        encode_secret_share,
    ));
    out
}

/// SecretKeyShare has `from_bytes` but no `to_bytes`: its documented
/// encoding `u32_be(index) ‖ secret`, by hand.
fn encode_secret_share<V: Variant>(share: &SecretKeyShare<V>) -> Vec<u8> {
    let mut v = share.index().to_be_bytes().to_vec();
    v.extend_from_slice(&share.secret_key().to_bytes());
    v
}

type PointDecoder = fn(&[u8]) -> Result<(), PointError>;

/// Named decoders of one group's points.
type Decoders = Vec<(&'static str, PointDecoder)>;

fn share_value<E>(result: Result<(), ShareDecodeError<E>>) -> Result<(), E> {
    match result {
        Ok(()) => Ok(()),
        Err(ShareDecodeError::Value(e)) => Err(e),
        Err(_) => panic!("the share's index is valid; only its value can be wrong"),
    }
}

fn with_index(bytes: &[u8]) -> Vec<u8> {
    let mut v = 7u32.to_be_bytes().to_vec();
    v.extend_from_slice(bytes);
    v
}

fn polynomial_coefficient(
    result: Result<(), PublicPolynomialDecodeError>,
) -> Result<(), PointError> {
    match result {
        Ok(()) => Ok(()),
        Err(PublicPolynomialDecodeError::Coefficient { k: 0, error }) => Err(error),
        Err(e) => panic!("unexpected {e:?}"),
    }
}

/// Decoders of compressed G1 points (48 bytes). `with_polynomial`
/// includes the one-coefficient public polynomial, which reports lengths
/// differently.
fn g1_decoders<B: Backend>(with_polynomial: bool) -> Decoders {
    let mut v: Decoders = vec![
        ("PublicKey<MinPk>", |b| {
            PublicKey::<MinPk<B>>::from_bytes(b).map(drop)
        }),
        ("Signature<MinSig>", |b| {
            Signature::<MinSig<B>>::from_bytes(b).map(drop)
        }),
        ("ProofOfPossession<MinSig>", |b| {
            ProofOfPossession::<MinSig<B>>::from_bytes(b).map(drop)
        }),
        ("SignatureShare<MinSig>", |b| {
            share_value(SignatureShare::<MinSig<B>>::from_bytes(&with_index(b)).map(drop))
        }),
    ];
    if with_polynomial {
        v.push(("PublicPolynomial<MinPk>", |b| {
            polynomial_coefficient(PublicPolynomial::<MinPk<B>>::from_bytes(b).map(drop))
        }));
    }
    v
}

/// Decoders of compressed G2 points (96 bytes).
fn g2_decoders<B: Backend>(with_polynomial: bool) -> Decoders {
    let mut v: Decoders = vec![
        ("PublicKey<MinSig>", |b| {
            PublicKey::<MinSig<B>>::from_bytes(b).map(drop)
        }),
        ("Signature<MinPk>", |b| {
            Signature::<MinPk<B>>::from_bytes(b).map(drop)
        }),
        ("ProofOfPossession<MinPk>", |b| {
            ProofOfPossession::<MinPk<B>>::from_bytes(b).map(drop)
        }),
        ("SignatureShare<MinPk>", |b| {
            share_value(SignatureShare::<MinPk<B>>::from_bytes(&with_index(b)).map(drop))
        }),
    ];
    if with_polynomial {
        v.push(("PublicPolynomial<MinSig>", |b| {
            polynomial_coefficient(PublicPolynomial::<MinSig<B>>::from_bytes(b).map(drop))
        }));
    }
    v
}

/// `(length, decoders, a valid encoding)` for G1 and for G2.
fn groups<B: Backend>(with_polynomial: bool) -> [(usize, Decoders, Vec<u8>); 2] {
    let sk = SecretKey::<MinPk<B>>::from_bytes(&[0x42; 32]).unwrap();
    let g1 = sk.public_key().to_bytes().as_ref().to_vec();
    let g2 = sk.sign(Suite::Basic, b"valid").to_bytes().as_ref().to_vec();
    [
        (48, g1_decoders::<B>(with_polynomial), g1),
        (96, g2_decoders::<B>(with_polynomial), g2),
    ]
}

fn assert_all(
    decoders: &[(&'static str, PointDecoder)],
    bytes: &[u8],
    expected: Result<(), PointError>,
) {
    for (name, decode) in decoders {
        assert_eq!(decode(bytes), expected, "{name} on {}", hex::encode(bytes));
    }
}

/// Malformed encodings of `len`-byte points, with the error each must give.
fn flag_cases(len: usize, valid: &[u8]) -> Vec<(Vec<u8>, PointError)> {
    let zeros = vec![0u8; len];
    let mut cases = vec![
        // Compression flag missing.
        (zeros.clone(), PointError::NotCompressed),
        (
            with_flags(zeros.clone(), INFINITY),
            PointError::NotCompressed,
        ),
        (
            with_flags(zeros.clone(), INFINITY | SIGN),
            PointError::NotCompressed,
        ),
        (
            {
                let mut v = valid.to_vec();
                v[0] &= !COMPRESSED;
                v
            },
            PointError::NotCompressed,
        ),
        // The canonical point at infinity.
        (
            with_flags(zeros.clone(), COMPRESSED | INFINITY),
            PointError::Infinity,
        ),
        // Infinity with the sign flag, coordinate bits or trailing bytes.
        (
            with_flags(zeros.clone(), COMPRESSED | INFINITY | SIGN),
            PointError::NonCanonicalInfinity,
        ),
        (
            with_flags(zeros.clone(), COMPRESSED | INFINITY | 0x01),
            PointError::NonCanonicalInfinity,
        ),
        (
            with_flags(zeros.clone(), COMPRESSED | INFINITY | 0x10),
            PointError::NonCanonicalInfinity,
        ),
        (
            with_flags(vec![0xff; len], 0),
            PointError::NonCanonicalInfinity,
        ),
        (
            with_flags(valid.to_vec(), COMPRESSED | INFINITY),
            PointError::NonCanonicalInfinity,
        ),
    ];
    for k in [1, len / 2, 47, 48, len - 1] {
        if k < len {
            let mut v = with_flags(zeros.clone(), COMPRESSED | INFINITY);
            v[k] = 1;
            cases.push((v, PointError::NonCanonicalInfinity));
        }
    }
    cases
}

/// x-coordinates that are not field elements (`≥ p`), with the compression
/// flag (and sometimes the sign flag) set.
fn non_canonical_x(len: usize) -> Vec<Vec<u8>> {
    let top_bits_set = {
        let mut v = [0xffu8; 48];
        v[0] = 0x1f;
        v
    };
    let coordinates = [P, add_small(P, 1), add_small(P, 0x1234_5678), top_bits_set];
    let mut out = Vec::new();
    for x in coordinates {
        for flags in [COMPRESSED, COMPRESSED | SIGN] {
            if len == 48 {
                out.push(with_flags(x.to_vec(), flags));
            } else {
                // x = c1·i + c0: c1 ≥ p, or c0 ≥ p, or both.
                for (c1, c0) in [(x, fp(0)), (x, fp(1)), (fp(0), x), (fp(5), x), (x, x)] {
                    out.push(with_flags([c1, c0].concat(), flags));
                }
            }
        }
    }
    out
}

/// Small x values with their expected classification: on the curve (then
/// certainly outside the subgroup: the cofactor is about 2^126 for G1 and
/// far larger for G2) or not.
fn small_x_cases(len: usize) -> Vec<(Vec<u8>, PointError)> {
    let mut out = Vec::new();
    for x in 0..48u64 {
        let on_curve = if len == 48 {
            g1_x_on_curve(x)
        } else {
            g2_x_on_curve(x)
        };
        let expected = if on_curve {
            PointError::NotInSubgroup
        } else {
            PointError::NotOnCurve
        };
        for flags in [COMPRESSED, COMPRESSED | SIGN] {
            out.push((small_x(len, x, flags), expected));
        }
    }
    out
}

fn generators_have_their_known_encodings<B: Backend>() {
    let one = SecretKey::<MinPk<B>>::from_bytes(&fp(1)[16..]).unwrap();
    assert_eq!(hex::encode(one.public_key().to_bytes()), G1_GENERATOR);
    let one = SecretKey::<MinSig<B>>::from_bytes(&fp(1)[16..]).unwrap();
    assert_eq!(hex::encode(one.public_key().to_bytes()), G2_GENERATOR);
    let g1 = hex::decode(G1_GENERATOR).unwrap();
    let g2 = hex::decode(G2_GENERATOR).unwrap();
    assert_all(&g1_decoders::<B>(true), &g1, Ok(()));
    assert_all(&g2_decoders::<B>(true), &g2, Ok(()));
}

fn wrong_lengths<B: Backend>() {
    for (len, decoders, valid) in groups::<B>(false) {
        let other = if len == 48 { 96 } else { 48 };
        for actual in [0, 1, len - 1, len + 1, other, 2 * len, 200] {
            let mut bytes = valid.clone();
            bytes.resize(actual, 0);
            assert_all(
                &decoders,
                &bytes,
                Err(PointError::WrongLength {
                    expected: len,
                    actual,
                }),
            );
        }
    }
}

fn public_polynomial_lengths_and_positions<B: Backend>() {
    for (len, _, valid) in groups::<B>(false) {
        let decode = |b: &[u8]| {
            if len == 48 {
                PublicPolynomial::<MinPk<B>>::from_bytes(b).map(|p| p.threshold())
            } else {
                PublicPolynomial::<MinSig<B>>::from_bytes(b).map(|p| p.threshold())
            }
        };
        for bad in [0, 1, len - 1, len + 1, 2 * len - 1, 3 * len + 7] {
            let mut bytes = valid.repeat(4);
            bytes.truncate(bad);
            assert_eq!(
                decode(&bytes),
                Err(PublicPolynomialDecodeError::Length(bad))
            );
        }
        assert_eq!(decode(&valid.repeat(3)), Ok(3));
        let infinity = with_flags(vec![0; len], COMPRESSED | INFINITY);
        let bytes = [valid.clone(), valid.clone(), infinity].concat();
        assert_eq!(
            decode(&bytes),
            Err(PublicPolynomialDecodeError::Coefficient {
                k: 2,
                error: PointError::Infinity
            })
        );
        let mut first_bad = valid.repeat(2);
        first_bad[0] &= !COMPRESSED;
        assert_eq!(
            decode(&first_bad),
            Err(PublicPolynomialDecodeError::Coefficient {
                k: 0,
                error: PointError::NotCompressed
            })
        );
    }
}

fn flag_errors<B: Backend>() {
    for (len, decoders, valid) in groups::<B>(true) {
        for (bytes, error) in flag_cases(len, &valid) {
            assert_all(&decoders, &bytes, Err(error));
        }
    }
}

fn coordinates_not_below_p<B: Backend>() {
    for (len, decoders, _) in groups::<B>(true) {
        for bytes in non_canonical_x(len) {
            assert_all(&decoders, &bytes, Err(PointError::NonCanonicalCoordinate));
        }
    }
}

fn off_curve_and_off_subgroup_points<B: Backend>() {
    for (len, decoders, _) in groups::<B>(true) {
        let cases = small_x_cases(len);
        assert!(
            cases.iter().any(|(_, e)| *e == PointError::NotOnCurve),
            "no off-curve x below 48"
        );
        assert!(
            cases.iter().any(|(_, e)| *e == PointError::NotInSubgroup),
            "no on-curve x below 48"
        );
        for (bytes, error) in cases {
            assert_all(&decoders, &bytes, Err(error));
        }
    }
}

fn valid_points_and_their_negations<B: Backend>() {
    for (len, decoders, valid) in groups::<B>(true) {
        assert_eq!(valid.len(), len);
        assert_all(&decoders, &valid, Ok(()));
        // Flipping the sign flag gives −P, also in the subgroup.
        let flipped = {
            let mut v = valid.clone();
            v[0] ^= SIGN;
            v
        };
        assert_all(&decoders, &flipped, Ok(()));
        let (a, b) = if len == 48 {
            let a = PublicKey::<MinPk<B>>::from_bytes(&valid).unwrap();
            let b = PublicKey::<MinPk<B>>::from_bytes(&flipped).unwrap();
            assert_eq!(b.to_bytes().as_ref().to_vec(), flipped);
            (format!("{a:?}"), format!("{b:?}"))
        } else {
            let a = Signature::<MinPk<B>>::from_bytes(&valid).unwrap();
            let b = Signature::<MinPk<B>>::from_bytes(&flipped).unwrap();
            assert_eq!(b.to_bytes().as_ref().to_vec(), flipped);
            (format!("{a:?}"), format!("{b:?}"))
        };
        assert_ne!(a, b);
    }
}

fn secret_keys<B: Backend>() {
    let both = |bytes: &[u8]| -> Result<[u8; 32], ScalarError> {
        let a = SecretKey::<MinSig<B>>::from_bytes(bytes).map(|k| k.to_bytes());
        let b = SecretKey::<MinPk<B>>::from_bytes(bytes).map(|k| k.to_bytes());
        assert_eq!(a, b);
        a
    };
    for len in [0, 1, 31, 33, 48, 64] {
        assert_eq!(both(&vec![1; len]), Err(ScalarError::WrongLength(len)));
    }
    assert_eq!(both(&[0; 32]), Err(ScalarError::Zero));
    assert_eq!(both(&R), Err(ScalarError::NotCanonical));
    assert_eq!(both(&add_small(R, 1)), Err(ScalarError::NotCanonical));
    assert_eq!(both(&add_small(R, 1 << 40)), Err(ScalarError::NotCanonical));
    assert_eq!(both(&[0xff; 32]), Err(ScalarError::NotCanonical));
    let mut r_high = [0u8; 32];
    r_high[0] = 0x74;
    assert_eq!(both(&r_high), Err(ScalarError::NotCanonical));
    let mut r_minus_1 = R;
    r_minus_1[31] = 0;
    assert_eq!(both(&r_minus_1), Ok(r_minus_1));
    let one = add_small([0u8; 32], 1);
    assert_eq!(both(&one), Ok(one));
}

fn share_encodings<B: Backend>() {
    let sig_share = |b: &[u8]| SignatureShare::<MinSig<B>>::from_bytes(b).map(|s| s.index());
    let key_share = |b: &[u8]| SecretKeyShare::<MinSig<B>>::from_bytes(b).map(|s| s.index());
    for len in 0..4 {
        assert_eq!(
            sig_share(&vec![1; len]),
            Err(ShareDecodeError::Truncated(len))
        );
        assert_eq!(
            key_share(&vec![1; len]),
            Err(ShareDecodeError::Truncated(len))
        );
    }
    let sig = SecretKey::<MinSig<B>>::from_bytes(&[9; 32])
        .unwrap()
        .sign(Suite::Basic, b"s");
    let sig_bytes = sig.to_bytes().as_ref().to_vec();
    let share = |index: u32, rest: &[u8]| [&index.to_be_bytes()[..], rest].concat();
    assert_eq!(
        sig_share(&share(0, &sig_bytes)),
        Err(ShareDecodeError::ZeroIndex)
    );
    assert_eq!(sig_share(&share(u32::MAX, &sig_bytes)), Ok(u32::MAX));
    assert_eq!(
        sig_share(&share(1, &[])),
        Err(ShareDecodeError::Value(PointError::WrongLength {
            expected: 48,
            actual: 0
        }))
    );
    assert_eq!(
        SignatureShare::<MinPk<B>>::from_bytes(&share(1, &sig_bytes)).map(|s| s.index()),
        Err(ShareDecodeError::Value(PointError::WrongLength {
            expected: 96,
            actual: 48
        }))
    );
    assert_eq!(
        sig_share(&share(3, &with_flags(vec![0; 48], COMPRESSED | INFINITY))),
        Err(ShareDecodeError::Value(PointError::Infinity))
    );
    assert_eq!(
        key_share(&share(0, &[5; 32])),
        Err(ShareDecodeError::ZeroIndex)
    );
    assert_eq!(key_share(&share(2, &[5; 32])), Ok(2));
    assert_eq!(
        key_share(&share(2, &[0; 32])),
        Err(ShareDecodeError::Value(ScalarError::Zero))
    );
    assert_eq!(
        key_share(&share(2, &R)),
        Err(ShareDecodeError::Value(ScalarError::NotCanonical))
    );
    assert_eq!(
        key_share(&share(2, &[5; 31])),
        Err(ShareDecodeError::Value(ScalarError::WrongLength(31)))
    );
}

fn arbitrary_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        vec(any::<u8>(), 0..200),
        prop::sample::select(vec![4usize, 32, 36, 48, 52, 96, 100, 144, 192])
            .prop_flat_map(|len| vec(any::<u8>(), len)),
    ]
}

fn check_random_x_below_p<B: Backend>(
    len: usize,
    sign: bool,
    x: &[u8],
) -> Result<(), TestCaseError> {
    let mut bytes = x[..len].to_vec();
    for k in (0..len).step_by(48) {
        bytes[k] %= P[0];
    }
    bytes[0] |= COMPRESSED | if sign { SIGN } else { 0 };
    let decoders = if len == 48 {
        g1_decoders::<B>(true)
    } else {
        g2_decoders::<B>(true)
    };
    let first = (decoders[0].1)(&bytes);
    prop_assert!(
        matches!(
            first,
            Err(PointError::NotOnCurve | PointError::NotInSubgroup)
        ),
        "{:?}",
        first
    );
    for (name, decode) in &decoders {
        prop_assert_eq!(decode(&bytes), first, "{}", name);
    }
    Ok(())
}

macro_rules! backend_suite {
    ($name:ident, $b:ty) => {
        mod $name {
            use super::*;

            type B = $b;

            #[test]
            fn generators_have_their_known_encodings() {
                super::generators_have_their_known_encodings::<B>();
            }

            #[test]
            fn wrong_lengths() {
                super::wrong_lengths::<B>();
            }

            #[test]
            fn public_polynomial_lengths_and_positions() {
                super::public_polynomial_lengths_and_positions::<B>();
            }

            #[test]
            fn flag_errors() {
                super::flag_errors::<B>();
            }

            #[test]
            fn coordinates_not_below_p() {
                super::coordinates_not_below_p::<B>();
            }

            #[test]
            fn off_curve_and_off_subgroup_points() {
                super::off_curve_and_off_subgroup_points::<B>();
            }

            #[test]
            fn valid_points_and_their_negations() {
                super::valid_points_and_their_negations::<B>();
            }

            #[test]
            fn secret_keys() {
                super::secret_keys::<B>();
            }

            #[test]
            fn share_encodings() {
                super::share_encodings::<B>();
            }

            proptest! {
                #![proptest_config(ProptestConfig {
                    failure_persistence: None,
                    ..ProptestConfig::with_cases(256)
                })]

                /// Arbitrary bytes never panic any decoder, and whatever is
                /// accepted is the canonical encoding of what was decoded.
                #[test]
                fn arbitrary_bytes_never_panic(bytes in arbitrary_bytes()) {
                    prop_assert_eq!(decode_all::<B>(&bytes).len(), 14);
                }

                /// Compressed encodings with a random x below p (top byte
                /// below p's) are either off the curve or off the subgroup.
                #[test]
                fn random_x_below_p(
                    len in prop::sample::select(vec![48usize, 96]),
                    sign in any::<bool>(),
                    x in vec(any::<u8>(), 96),
                ) {
                    check_random_x_below_p::<B>(len, sign, &x)?;
                }
            }
        }
    };
}

#[cfg(feature = "blst")]
backend_suite!(blst, dfn_crypto::backend::Blst);
#[cfg(feature = "bls12_381")]
backend_suite!(pure_rust, dfn_crypto::backend::PureRust);

/// The reference square test the curve checks rely on, checked against
/// facts that hold for any prime: squares are squares, and the Legendre
/// symbol is multiplicative.
#[test]
fn reciprocity_helper_is_sound() {
    // 4 = 2² is a square; so is every perfect square.
    for v in [1u64, 4, 9, 16, 25, 1 << 20, 12345 * 12345] {
        assert!(is_square_mod_p(v), "{v}");
    }
    // p ≡ 3 (mod 4): −1 is not a square, so exactly one of a and p − a is.
    // For a small non-square `a`, a·b² is a non-square as well.
    let non_square = (2..100).find(|&a| !is_square_mod_p(a)).unwrap();
    for b in 1..20u64 {
        assert!(!is_square_mod_p(non_square * b * b));
    }
    // Multiplicativity: (ab/p) = (a/p)(b/p).
    for a in 1..40u64 {
        for b in 1..40u64 {
            assert_eq!(
                is_square_mod_p(a * b),
                is_square_mod_p(a) == is_square_mod_p(b),
                "{a}·{b}"
            );
        }
    }
}

#[cfg(all(feature = "blst", feature = "bls12_381"))]
mod backends_agree_on_errors {
    use dfn_crypto::backend::{Blst, PureRust};

    use super::*;

    fn corpus() -> Vec<Vec<u8>> {
        let mut out = vec![
            Vec::new(),
            vec![0; 4],
            vec![0; 32],
            R.to_vec(),
            [&[0, 0, 0, 1][..], &R].concat(),
        ];
        for (len, _, valid) in groups::<Blst>(true) {
            out.push(valid.clone());
            for actual in [len - 1, len + 1] {
                let mut v = valid.clone();
                v.resize(actual, 0);
                out.push(v);
            }
            out.extend(flag_cases(len, &valid).into_iter().map(|(b, _)| b));
            out.extend(non_canonical_x(len));
            out.extend(small_x_cases(len).into_iter().map(|(b, _)| b));
            out.push(with_index(&valid));
            out.push(valid.repeat(2));
        }
        out
    }

    /// Point-sized inputs with random flags and a first coordinate byte
    /// below p's, so that most reach the backends' curve checks.
    fn flagged_bytes() -> impl Strategy<Value = Vec<u8>> {
        let lengths = prop::sample::select(vec![48usize, 96, 52, 100]);
        (lengths, vec(any::<u8>(), 100), any::<u8>()).prop_map(|(len, mut v, flags)| {
            v.truncate(len);
            v[0] = (v[0] % P[0]) | (flags & 0xe0);
            v
        })
    }

    #[test]
    fn identical_results_on_crafted_inputs() {
        for bytes in corpus() {
            assert_eq!(
                decode_all::<Blst>(&bytes),
                decode_all::<PureRust>(&bytes),
                "{}",
                hex::encode(&bytes)
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::with_cases(128)
        })]

        #[test]
        fn identical_results_on_random_inputs(
            bytes in prop_oneof![vec(any::<u8>(), 0..200), flagged_bytes()]
        ) {
            prop_assert_eq!(decode_all::<Blst>(&bytes), decode_all::<PureRust>(&bytes));
        }
    }
}
