//! The pure-Rust backend on zkcrypto's `bls12_381` crate: no_std on every
//! target, no assembly, no `unsafe`. Slower than `blst`; zkcrypto offers no
//! multi-scalar multiplication, so [`Point::msm`] is a bucket (Pippenger)
//! method written here on its mixed additions.

use alloc::vec::Vec;

use bls12_381::hash_to_curve::{ExpandMessage, ExpandMsgXmd, HashToCurve};
use bls12_381::{G1Affine, G1Projective, G2Affine, G2Prepared, G2Projective, Gt};
use sha2::digest::typenum::U32;
use zeroize::Zeroize;

use super::{Backend, Point, Scalar};
use crate::error::PointError;

/// BLS12-381 on zkcrypto's pure-Rust `bls12_381` crate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PureRust;

/// An element of `F_r` for the [`PureRust`] backend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PureScalar(bls12_381::Scalar);

/// A point of G1 for the [`PureRust`] backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PureG1(G1Projective);

/// A point of G2 for the [`PureRust`] backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PureG2(G2Projective);

impl Zeroize for PureScalar {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl Scalar for PureScalar {
    fn zero() -> Self {
        Self(bls12_381::Scalar::zero())
    }

    fn one() -> Self {
        Self(bls12_381::Scalar::one())
    }

    fn from_u128(v: u128) -> Self {
        Self(bls12_381::Scalar::from_raw([
            v as u64,
            (v >> 64) as u64,
            0,
            0,
        ]))
    }

    fn from_be_bytes(bytes: &[u8; 32]) -> Option<Self> {
        let mut le = *bytes;
        le.reverse();
        let parsed = Option::from(bls12_381::Scalar::from_bytes(&le));
        le.zeroize();
        parsed.map(Self)
    }

    fn from_be_bytes_wide(bytes: &[u8; 64]) -> Self {
        let mut le = *bytes;
        le.reverse();
        let s = bls12_381::Scalar::from_bytes_wide(&le);
        le.zeroize();
        Self(s)
    }

    fn to_be_bytes(&self) -> [u8; 32] {
        let mut out = self.0.to_bytes();
        out.reverse();
        out
    }

    fn add(&self, rhs: &Self) -> Self {
        Self(self.0 + rhs.0)
    }

    fn sub(&self, rhs: &Self) -> Self {
        Self(self.0 - rhs.0)
    }

    fn mul(&self, rhs: &Self) -> Self {
        Self(self.0 * rhs.0)
    }

    fn neg(&self) -> Self {
        Self(-self.0)
    }

    fn invert(&self) -> Option<Self> {
        Option::from(self.0.invert()).map(Self)
    }
}

/// The base-field modulus `p`, big-endian.
const P_BE: [u8; 48] = [
    0x1a, 0x01, 0x11, 0xea, 0x39, 0x7f, 0xe6, 0x9a, 0x4b, 0x1b, 0xa7, 0xb6, 0x43, 0x4b, 0xac, 0xd7,
    0x64, 0x77, 0x4b, 0x84, 0xf3, 0x85, 0x12, 0xbf, 0x67, 0x30, 0xd2, 0xa0, 0xf6, 0xb0, 0xf6, 0x24,
    0x1e, 0xab, 0xff, 0xfe, 0xb1, 0x53, 0xff, 0xff, 0xb9, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xaa, 0xab,
];

/// Whether 48 big-endian bytes (with the three flag bits of the first byte
/// masked off when `mask_flags`) are a canonical element of `F_p`, i.e. `< p`.
fn fp_is_canonical(bytes: &[u8], mask_flags: bool) -> bool {
    let mut x = [0u8; 48];
    for (d, s) in x.iter_mut().zip(bytes) {
        *d = *s;
    }
    if mask_flags {
        if let Some(first) = x.first_mut() {
            *first &= 0b0001_1111;
        }
    }
    // Arrays compare lexicographically, which for equal-length big-endian
    // integers is numeric order.
    x < P_BE
}

/// Bits `start..start + c` (`c ≤ 16`) of a little-endian scalar.
fn window_digit(bytes: &[u8; 32], start: usize, c: usize) -> usize {
    let byte = |i: usize| usize::from(bytes.get(i).copied().unwrap_or(0));
    let first = start / 8;
    let word = byte(first) | byte(first + 1) << 8 | byte(first + 2) << 16;
    (word >> (start % 8)) & ((1 << c) - 1)
}

/// The window width minimizing Pippenger's addition count
/// `ceil(bits / c)·(n + 2^(c+1))`.
fn window_bits(n: usize, bits: usize) -> usize {
    (1..=16)
        .min_by_key(|&c| {
            bits.div_ceil(c)
                .saturating_mul(n.saturating_add(1 << (c + 1)))
        })
        .unwrap_or(1)
}

/// Bit length of the largest of the little-endian scalars.
fn max_bit_len(scalars: &[[u8; 32]]) -> usize {
    scalars
        .iter()
        .map(|s| {
            s.iter()
                .rposition(|&b| b != 0)
                .and_then(|i| s.get(i).map(|&b| i * 8 + (8 - b.leading_zeros() as usize)))
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0)
}

/// One group's wrapper; G1 and G2 differ only in types and sizes.
macro_rules! pure_point {
    ($name:ident, $proj:ty, $affine:ty, $len:literal, $check_x:expr) => {
        impl $name {
            /// `Σ scalars[i]·points[i]` by Pippenger's bucket method:
            /// scalars are cut into windows of `c` bits; per window every
            /// point is added (mixed, affine) into the bucket of its digit,
            /// and a running sum weighs bucket `d` by `d`. About
            /// `(bits / c)·(n + 2^(c+1))` additions and `bits` doublings,
            /// against `n·bits/2` additions for double-and-add.
            fn pippenger(points: &[Self], scalars: &[PureScalar]) -> Self {
                let n = points.len().min(scalars.len());
                let projective: Vec<$proj> = points.iter().take(n).map(|p| p.0).collect();
                let mut affine = alloc::vec![<$affine>::identity(); projective.len()];
                <$proj>::batch_normalize(&projective, &mut affine);
                let bytes: Vec<[u8; 32]> =
                    scalars.iter().take(n).map(|s| s.0.to_bytes()).collect();
                let top = max_bit_len(&bytes);
                if top == 0 {
                    return Self::identity();
                }
                let c = window_bits(n, top);
                let mut buckets = alloc::vec![<$proj>::identity(); (1usize << c) - 1];
                let mut acc = <$proj>::identity();
                for window in (0..top.div_ceil(c)).rev() {
                    for _ in 0..c {
                        acc = acc.double();
                    }
                    buckets.fill(<$proj>::identity());
                    for (p, s) in affine.iter().zip(&bytes) {
                        let digit = window_digit(s, window * c, c);
                        if let Some(bucket) = digit.checked_sub(1).and_then(|d| buckets.get_mut(d)) {
                            *bucket = bucket.add_mixed(p);
                        }
                    }
                    // Σ_d d·bucket[d] = Σ_d (Σ_{e ≥ d} bucket[e]).
                    let mut running = <$proj>::identity();
                    for bucket in buckets.iter().rev() {
                        running += bucket;
                        acc += running;
                    }
                }
                Self(acc)
            }
        }

        impl Point for $name {
            type Scalar = PureScalar;
            type Compressed = [u8; $len];
            const COMPRESSED_LEN: usize = $len;

            fn identity() -> Self {
                Self(<$proj>::identity())
            }

            fn generator() -> Self {
                Self(<$proj>::generator())
            }

            fn is_identity(&self) -> bool {
                bool::from(self.0.is_identity())
            }

            fn add(&self, rhs: &Self) -> Self {
                Self(self.0 + rhs.0)
            }

            fn neg(&self) -> Self {
                Self(-self.0)
            }

            fn double(&self) -> Self {
                Self(self.0.double())
            }

            fn mul(&self, s: &PureScalar) -> Self {
                Self(self.0 * s.0)
            }

            fn mul_u64(&self, k: u64) -> Self {
                let mut acc = <$proj>::identity();
                let top = u64::BITS - k.leading_zeros();
                for bit in (0..top).rev() {
                    acc = acc.double();
                    if (k >> bit) & 1 == 1 {
                        acc += self.0;
                    }
                }
                Self(acc)
            }

            fn msm(points: &[Self], scalars: &[PureScalar], _bits: usize) -> Self {
                // Windows span the longest scalar's actual bit length, which
                // is at most `bits` when the caller's bound holds and keeps
                // the sum exact when it does not.
                Self::pippenger(points, scalars)
            }

            fn hash_to_curve(msg: &[u8], dst: &[u8]) -> Self {
                Self(<$proj as HashToCurve<ExpandMsgXmd<sha2::Sha256>>>::hash_to_curve(
                    [msg], dst,
                ))
            }

            fn encode_to_curve(msg: &[u8], dst: &[u8]) -> Self {
                Self(<$proj as HashToCurve<ExpandMsgXmd<sha2::Sha256>>>::encode_to_curve(
                    [msg], dst,
                ))
            }

            fn to_compressed(&self) -> [u8; $len] {
                <$affine>::from(self.0).to_compressed()
            }

            fn compress_batch(points: &[Self], out: &mut Vec<u8>) {
                let projective: Vec<$proj> = points.iter().map(|p| p.0).collect();
                let mut affine = alloc::vec![<$affine>::identity(); projective.len()];
                <$proj>::batch_normalize(&projective, &mut affine);
                for a in &affine {
                    out.extend_from_slice(&a.to_compressed());
                }
            }

            fn from_compressed(bytes: &[u8; $len]) -> Result<Self, PointError> {
                let check_x: fn(&[u8; $len]) -> bool = $check_x;
                if !check_x(bytes) {
                    return Err(PointError::NonCanonicalCoordinate);
                }
                // Flags were checked by the caller and x is canonical, so
                // the only way left to fail is that x³ + b has no root.
                let affine: $affine = Option::from(<$affine>::from_compressed_unchecked(bytes))
                    .ok_or(PointError::NotOnCurve)?;
                if bool::from(affine.is_identity()) {
                    return Err(PointError::Infinity);
                }
                if !bool::from(affine.is_torsion_free()) {
                    return Err(PointError::NotInSubgroup);
                }
                Ok(Self(<$proj>::from(affine)))
            }
        }
    };
}

pure_point!(PureG1, G1Projective, G1Affine, 48, |b| fp_is_canonical(
    b, true
));
pure_point!(PureG2, G2Projective, G2Affine, 96, |b| {
    // x = c0 + c1·u is encoded c1 ‖ c0, the flags in c1's first byte.
    match b.split_first_chunk::<48>() {
        Some((c1, c0)) => fp_is_canonical(c1, true) && fp_is_canonical(c0, false),
        None => false,
    }
});

impl Backend for PureRust {
    type Scalar = PureScalar;
    type G1 = PureG1;
    type G2 = PureG2;

    fn pairing_product_is_one(g1: &[PureG1], g2: &[PureG2]) -> bool {
        let (ps, qs): (Vec<G1Affine>, Vec<G2Prepared>) = g1
            .iter()
            .zip(g2)
            .filter(|(p, q)| !p.is_identity() && !q.is_identity())
            .map(|(p, q)| (G1Affine::from(p.0), G2Prepared::from(G2Affine::from(q.0))))
            .unzip();
        if ps.is_empty() {
            return true;
        }
        let terms: Vec<(&G1Affine, &G2Prepared)> = ps.iter().zip(qs.iter()).collect();
        bls12_381::multi_miller_loop(&terms).final_exponentiation() == Gt::identity()
    }

    fn expand_message_xmd(msg: &[u8], dst: &[u8], len_in_bytes: usize) -> Option<Vec<u8>> {
        // bls12_381 panics past ell = 255; refuse those lengths first. It
        // applies the RFC's oversize-DST rule itself. `U32` is `L` of
        // RFC 9380 §5.3.3 for k = 128 (used only by the XOF expander).
        if len_in_bytes == 0 || len_in_bytes > 255 * 32 {
            return None;
        }
        let expander =
            ExpandMsgXmd::<sha2::Sha256>::init_expand::<_, U32>([msg], dst, len_in_bytes);
        Some(expander.into_vec())
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    fn scalar(v: u64) -> PureScalar {
        PureScalar::from_u64(v)
    }

    /// A pseudo-random full-width scalar from a seed.
    fn wide(seed: u8) -> PureScalar {
        let mut b = [0u8; 64];
        for (i, x) in b.iter_mut().enumerate() {
            *x = (i as u8)
                .wrapping_mul(31)
                .wrapping_add(seed)
                .wrapping_mul(7);
        }
        PureScalar::from_be_bytes_wide(&b)
    }

    const G1_GEN: &str = "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb";
    const G2_GEN: &str = "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8";

    #[test]
    fn scalar_round_trips() {
        for s in [
            scalar(0),
            scalar(1),
            scalar(0xdead_beef),
            wide(1),
            wide(2),
            wide(3),
        ] {
            let be = s.to_be_bytes();
            assert_eq!(PureScalar::from_be_bytes(&be), Some(s));
        }
        let mut one = [0u8; 32];
        one[31] = 1;
        assert_eq!(PureScalar::from_be_bytes(&one), Some(PureScalar::one()));
        assert_eq!(scalar(258).to_be_bytes()[30..], [1, 2]);
        assert_eq!(PureScalar::default(), PureScalar::zero());
        assert!(PureScalar::zero().is_zero());
        assert!(PureScalar::zero().invert().is_none());
        let w = wide(9);
        assert_eq!(w.mul(&w.invert().unwrap()), PureScalar::one());
        assert_eq!(w.add(&w.neg()), PureScalar::zero());
        assert_eq!(w.sub(&w), PureScalar::zero());
        let mut z = w;
        z.zeroize();
        assert!(z.is_zero());
    }

    #[test]
    fn scalar_rejects_non_canonical() {
        // r = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001
        let r = unhex("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");
        let r: [u8; 32] = r.try_into().unwrap();
        assert!(PureScalar::from_be_bytes(&r).is_none());
        assert!(PureScalar::from_be_bytes(&[0xff; 32]).is_none());
        let mut r_minus_1 = r;
        r_minus_1[31] = 0;
        let m1 = PureScalar::from_be_bytes(&r_minus_1).unwrap();
        assert_eq!(m1, PureScalar::one().neg());
        // Wide reduction: r itself (zero-extended) reduces to 0, r+5 to 5.
        let mut w = [0u8; 64];
        w[32..].copy_from_slice(&r);
        assert_eq!(PureScalar::from_be_bytes_wide(&w), PureScalar::zero());
        w[63] = 6;
        assert_eq!(PureScalar::from_be_bytes_wide(&w), scalar(5));
        // 2^256 mod r, from the top of a wide input.
        let mut w = [0u8; 64];
        w[31] = 1;
        let two_64 = scalar(1 << 63).mul(&scalar(2));
        let two_128 = two_64.mul(&two_64);
        let two_256 = two_128.mul(&two_128);
        assert_eq!(PureScalar::from_be_bytes_wide(&w), two_256);
    }

    #[test]
    fn generator_encodings() {
        assert_eq!(PureG1::generator().to_compressed().to_vec(), unhex(G1_GEN));
        assert_eq!(PureG2::generator().to_compressed().to_vec(), unhex(G2_GEN));
        let g1: [u8; 48] = unhex(G1_GEN).try_into().unwrap();
        let g2: [u8; 96] = unhex(G2_GEN).try_into().unwrap();
        assert_eq!(PureG1::from_compressed(&g1), Ok(PureG1::generator()));
        assert_eq!(PureG2::from_compressed(&g2), Ok(PureG2::generator()));
    }

    #[test]
    fn point_round_trips() {
        let p = PureG1::generator().mul(&wide(4));
        assert_eq!(PureG1::from_compressed(&p.to_compressed()), Ok(p));
        let q = PureG2::generator().mul(&wide(5));
        assert_eq!(PureG2::from_compressed(&q.to_compressed()), Ok(q));
        let q = q.neg();
        assert_eq!(PureG2::from_compressed(&q.to_compressed()), Ok(q));
    }

    /// Sets the compression flag on a big-endian x and keeps the rest.
    fn with_flag(mut bytes: Vec<u8>) -> Vec<u8> {
        bytes[0] |= 0x80;
        bytes
    }

    #[test]
    fn decoding_errors() {
        let p = unhex(
            "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab",
        );
        // x = p is not canonical.
        let x: [u8; 48] = with_flag(p.clone()).try_into().unwrap();
        assert_eq!(
            PureG1::from_compressed(&x),
            Err(PointError::NonCanonicalCoordinate)
        );
        // Largest 381-bit value is not canonical either.
        let mut x = [0xffu8; 48];
        x[0] = 0x9f;
        assert_eq!(
            PureG1::from_compressed(&x),
            Err(PointError::NonCanonicalCoordinate)
        );
        // G2: c1 = p, or c0 = p.
        let g2 = unhex(G2_GEN);
        let mut bad_c1 = with_flag(p.clone());
        bad_c1.extend_from_slice(&g2[48..]);
        let bad_c1: [u8; 96] = bad_c1.try_into().unwrap();
        assert_eq!(
            PureG2::from_compressed(&bad_c1),
            Err(PointError::NonCanonicalCoordinate)
        );
        let mut bad_c0 = g2[..48].to_vec();
        bad_c0.extend_from_slice(&p);
        let bad_c0: [u8; 96] = bad_c0.try_into().unwrap();
        assert_eq!(
            PureG2::from_compressed(&bad_c0),
            Err(PointError::NonCanonicalCoordinate)
        );

        // Find small x with no point (NotOnCurve) and small x on the curve
        // but outside the subgroup (NotInSubgroup; the cofactor is large, so
        // essentially every such point is).
        let mut seen_off = false;
        let mut seen_sub = false;
        for v in 1u8..=32 {
            let mut x = [0u8; 48];
            x[0] = 0x80;
            x[47] = v;
            match PureG1::from_compressed(&x) {
                Err(PointError::NotOnCurve) => seen_off = true,
                Err(PointError::NotInSubgroup) => seen_sub = true,
                other => panic!("unexpected {other:?} for x = {v}"),
            }
            let mut x2 = [0u8; 96];
            x2[0] = 0x80;
            x2[95] = v;
            match PureG2::from_compressed(&x2) {
                Err(PointError::NotOnCurve | PointError::NotInSubgroup) => {}
                other => panic!("unexpected {other:?} for G2 x = {v}"),
            }
        }
        assert!(seen_off && seen_sub);
    }

    #[test]
    fn group_laws_and_mul_u64() {
        let g = PureG1::generator();
        assert!(PureG1::identity().is_identity());
        assert!(g.add(&g.neg()).is_identity());
        assert_eq!(g.double(), g.add(&g));
        for k in [0u64, 1, 2, 3, 7, 255, 1 << 40, u64::MAX] {
            assert_eq!(g.mul_u64(k), g.mul(&scalar(k)), "k = {k}");
        }
        let h = PureG2::generator();
        for k in [0u64, 1, 5, 1000, u64::MAX] {
            assert_eq!(h.mul_u64(k), h.mul(&scalar(k)), "k = {k}");
        }
    }

    #[test]
    fn pippenger_matches_naive_sum_on_many_points() {
        let points: Vec<PureG1> = (1..=70u8)
            .map(|i| PureG1::generator().mul(&wide(i)))
            .collect();
        let scalars: Vec<PureScalar> = (100..170u8).map(wide).collect();
        let naive = points
            .iter()
            .zip(&scalars)
            .fold(PureG1::identity(), |acc, (p, s)| acc.add(&p.mul(s)));
        assert_eq!(PureG1::msm(&points, &scalars, 255), naive);
        assert_eq!(window_digit(&[0xff; 32], 250, 16), 0x3f);
        assert_eq!(window_bits(201, 255), 5);
    }

    #[test]
    fn msm_matches_naive_sum() {
        let points: Vec<PureG1> = (1..=5u8)
            .map(|i| PureG1::generator().mul(&wide(i)))
            .collect();
        let mut points = points;
        points.push(PureG1::identity());
        let full: Vec<PureScalar> = (10..16u8).map(wide).collect();
        let naive = |ps: &[PureG1], ss: &[PureScalar]| {
            ps.iter()
                .zip(ss)
                .fold(PureG1::identity(), |acc, (p, s)| acc.add(&p.mul(s)))
        };
        assert_eq!(PureG1::msm(&points, &full, 255), naive(&points, &full));
        let mut short: Vec<PureScalar> = [3u64, 0, (1 << 63) + 1, 12345, u64::MAX, 9]
            .iter()
            .map(|&v| scalar(v))
            .collect();
        assert_eq!(PureG1::msm(&points, &short, 64), naive(&points, &short));
        // Shorter slice wins.
        short.truncate(3);
        assert_eq!(PureG1::msm(&points, &short, 64), naive(&points, &short));
        assert_eq!(
            PureG1::msm(&points[..2], &full, 255),
            naive(&points[..2], &full)
        );
        assert!(PureG1::msm(&[], &full, 255).is_identity());
        assert!(PureG1::msm(&points, &[PureScalar::zero(); 6], 8).is_identity());

        let qs: Vec<PureG2> = (1..=3u8)
            .map(|i| PureG2::generator().mul(&wide(i)))
            .collect();
        let ss: Vec<PureScalar> = (20..23u8).map(wide).collect();
        let naive2 = qs
            .iter()
            .zip(&ss)
            .fold(PureG2::identity(), |acc, (q, s)| acc.add(&q.mul(s)));
        assert_eq!(PureG2::msm(&qs, &ss, 255), naive2);
    }

    #[test]
    fn pairing_bilinearity() {
        let a = wide(42);
        let p = PureG1::generator().mul(&wide(1));
        let q = PureG2::generator().mul(&wide(2));
        assert!(PureRust::pairing_product_is_one(
            &[p.mul(&a), p.neg()],
            &[q, q.mul(&a)]
        ));
        assert!(!PureRust::pairing_product_is_one(
            &[p.mul(&a), p],
            &[q, q.mul(&a)]
        ));
        assert!(!PureRust::pairing_product_is_one(&[p], &[q]));
        // Identity pairs are skipped; an empty product is one.
        assert!(PureRust::pairing_product_is_one(&[], &[]));
        assert!(PureRust::pairing_product_is_one(
            &[PureG1::identity(), p],
            &[q, PureG2::identity()]
        ));
    }

    #[test]
    fn hash_to_curve_is_in_group() {
        let dst = b"QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_";
        let h = PureG1::hash_to_curve(b"abc", dst);
        assert!(!h.is_identity());
        assert_eq!(PureG1::from_compressed(&h.to_compressed()), Ok(h));
        assert_ne!(h, PureG1::hash_to_curve(b"abd", dst));
        let h2 = PureG2::hash_to_curve(
            b"abc",
            b"QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_",
        );
        assert_eq!(PureG2::from_compressed(&h2.to_compressed()), Ok(h2));
    }

    #[test]
    fn expand_message_xmd_vectors() {
        let dst = b"QUUX-V01-CS02-with-expander-SHA256-128";
        let out = PureRust::expand_message_xmd(b"", dst, 32).unwrap();
        assert_eq!(
            out,
            unhex("68a985b87eb6b46952128911f2a4412bbc302a9d759667f87f7a21d803f07235")
        );
        let out = PureRust::expand_message_xmd(b"abc", dst, 32).unwrap();
        assert_eq!(
            out,
            unhex("d8ccab23b5985ccea865c6c97b6e5b8350e794e603b4b97902f53a8a0d605615")
        );
        assert!(PureRust::expand_message_xmd(b"", dst, 0).is_none());
        assert!(PureRust::expand_message_xmd(b"", dst, 255 * 32 + 1).is_none());
        assert!(PureRust::expand_message_xmd(b"", dst, 65536).is_none());
        // Over-long DSTs are reduced (RFC 9380 §5.3.3), not refused.
        assert!(PureRust::expand_message_xmd(b"", &[b'a'; 256], 32).is_some());
    }
}
