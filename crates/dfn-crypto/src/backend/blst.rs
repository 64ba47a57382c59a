//! The [`Blst`] backend: Supranational's assembly-optimized C library.
//!
//! Why `unsafe` is allowed here, and only here: blst's Rust crate exposes
//! the group and field arithmetic a threshold scheme needs (scalar
//! multiplication, point addition, field inversion, raw Miller loops) only
//! through its C functions. Every call below passes pointers to live,
//! properly aligned values owned by the calling frame, with lengths taken
//! from the Rust slices they describe; none of the called functions retains
//! a pointer. blst is built with `no-threads`, so a host embedding dfn never
//! sees threads it did not start.
#![allow(unsafe_code)]

use alloc::vec::Vec;

use blst::{
    BLST_ERROR, blst_fp12, blst_fr, blst_p1, blst_p1_affine, blst_p2, blst_p2_affine, blst_scalar,
};
use zeroize::Zeroize;

use super::{Backend, Point, Scalar};
use crate::error::PointError;

/// BLS12-381 arithmetic on `blst` (feature `blst`, the default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Blst;

/// An element of `F_r` in blst's Montgomery representation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlstScalar(blst_fr);

impl Zeroize for BlstScalar {
    fn zeroize(&mut self) {
        self.0.l.zeroize();
    }
}

impl BlstScalar {
    /// The canonical little-endian bytes, as blst's multi-scalar
    /// multiplication wants them.
    fn to_le(self) -> blst_scalar {
        let mut s = blst_scalar::default();
        // SAFETY: both pointers refer to live locals.
        unsafe { blst::blst_scalar_from_fr(&mut s, &self.0) };
        s
    }
}

impl Scalar for BlstScalar {
    fn zero() -> Self {
        Self(blst_fr::default())
    }

    fn one() -> Self {
        Self::from_u64(1)
    }

    fn from_u128(v: u128) -> Self {
        let limbs = [v as u64, (v >> 64) as u64, 0, 0];
        let mut fr = blst_fr::default();
        // SAFETY: `blst_fr_from_uint64` reads four limbs (little-endian)
        // from a live array.
        unsafe { blst::blst_fr_from_uint64(&mut fr, limbs.as_ptr()) };
        Self(fr)
    }

    fn from_be_bytes(bytes: &[u8; 32]) -> Option<Self> {
        let mut s = blst_scalar::default();
        let mut fr = blst_fr::default();
        // SAFETY: reads 32 bytes from a live array; writes live locals.
        let canonical = unsafe {
            blst::blst_scalar_from_bendian(&mut s, bytes.as_ptr());
            let ok = blst::blst_scalar_fr_check(&s);
            blst::blst_fr_from_scalar(&mut fr, &s);
            ok
        };
        s.b.zeroize();
        canonical.then_some(Self(fr))
    }

    fn from_be_bytes_wide(bytes: &[u8; 64]) -> Self {
        let mut s = blst_scalar::default();
        let mut fr = blst_fr::default();
        // SAFETY: reads `bytes.len()` bytes from a live array. The return
        // value only says whether the reduced value is nonzero.
        unsafe {
            blst::blst_scalar_from_be_bytes(&mut s, bytes.as_ptr(), bytes.len());
            blst::blst_fr_from_scalar(&mut fr, &s);
        }
        s.b.zeroize();
        Self(fr)
    }

    fn to_be_bytes(&self) -> [u8; 32] {
        let mut s = self.to_le();
        let mut out = [0u8; 32];
        // SAFETY: writes 32 bytes into a live array.
        unsafe { blst::blst_bendian_from_scalar(out.as_mut_ptr(), &s) };
        s.b.zeroize();
        out
    }

    fn add(&self, rhs: &Self) -> Self {
        let mut out = blst_fr::default();
        // SAFETY: live locals.
        unsafe { blst::blst_fr_add(&mut out, &self.0, &rhs.0) };
        Self(out)
    }

    fn sub(&self, rhs: &Self) -> Self {
        let mut out = blst_fr::default();
        // SAFETY: live locals.
        unsafe { blst::blst_fr_sub(&mut out, &self.0, &rhs.0) };
        Self(out)
    }

    fn mul(&self, rhs: &Self) -> Self {
        let mut out = blst_fr::default();
        // SAFETY: live locals.
        unsafe { blst::blst_fr_mul(&mut out, &self.0, &rhs.0) };
        Self(out)
    }

    fn neg(&self) -> Self {
        let mut out = blst_fr::default();
        // SAFETY: live locals.
        unsafe { blst::blst_fr_cneg(&mut out, &self.0, true) };
        Self(out)
    }

    fn invert(&self) -> Option<Self> {
        if self.is_zero() {
            return None;
        }
        let mut out = blst_fr::default();
        // SAFETY: live locals.
        unsafe { blst::blst_fr_inverse(&mut out, &self.0) };
        Some(Self(out))
    }
}

/// Maps blst's decoding status to ours. Flags were checked before, so
/// `BAD_ENCODING` can only mean a coordinate not below `p`.
fn decode_error(err: BLST_ERROR) -> PointError {
    match err {
        BLST_ERROR::BLST_POINT_NOT_ON_CURVE => PointError::NotOnCurve,
        BLST_ERROR::BLST_POINT_NOT_IN_GROUP => PointError::NotInSubgroup,
        BLST_ERROR::BLST_PK_IS_INFINITY => PointError::Infinity,
        _ => PointError::NonCanonicalCoordinate,
    }
}

/// One group's wrapper; G1 and G2 differ only in the names of blst's
/// functions and in sizes.
macro_rules! blst_point {
    (
        $(#[$doc:meta])* $name:ident, $raw:ty, $affine:ty, $affines:ty, $len:literal,
        generator = $generator:ident, add = $add:ident, double = $double:ident,
        mult = $mult:ident, cneg = $cneg:ident, is_inf = $is_inf:ident,
        is_equal = $is_equal:ident, compress = $compress:ident,
        uncompress = $uncompress:ident, from_affine = $from_affine:ident,
        in_group = $in_group:ident, hash = $hash:ident, encode = $encode:ident,
        to_affines = $to_affines:ident, affine_compress = $affine_compress:ident
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default)]
        pub struct $name($raw);

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                // SAFETY: live values.
                unsafe { blst::$is_equal(&self.0, &other.0) }
            }
        }

        impl Eq for $name {}

        impl Point for $name {
            type Scalar = BlstScalar;
            type Compressed = [u8; $len];
            const COMPRESSED_LEN: usize = $len;

            fn identity() -> Self {
                // blst represents infinity with z = 0.
                Self(<$raw>::default())
            }

            fn generator() -> Self {
                // SAFETY: blst returns a pointer to a static constant.
                Self(unsafe { *blst::$generator() })
            }

            fn is_identity(&self) -> bool {
                // SAFETY: live value.
                unsafe { blst::$is_inf(&self.0) }
            }

            fn add(&self, rhs: &Self) -> Self {
                let mut out = <$raw>::default();
                // SAFETY: live locals; handles equal inputs and infinity.
                unsafe { blst::$add(&mut out, &self.0, &rhs.0) };
                Self(out)
            }

            fn neg(&self) -> Self {
                let mut out = self.0;
                // SAFETY: live local.
                unsafe { blst::$cneg(&mut out, true) };
                Self(out)
            }

            fn double(&self) -> Self {
                let mut out = <$raw>::default();
                // SAFETY: live locals.
                unsafe { blst::$double(&mut out, &self.0) };
                Self(out)
            }

            fn mul(&self, s: &BlstScalar) -> Self {
                let mut le = s.to_le();
                let mut out = <$raw>::default();
                // SAFETY: 255 bits are read from the 32-byte scalar.
                unsafe { blst::$mult(&mut out, &self.0, le.b.as_ptr(), 255) };
                le.b.zeroize();
                Self(out)
            }

            fn mul_u64(&self, k: u64) -> Self {
                // Plain double-and-add: for the small multipliers of Horner
                // steps it beats blst's windowed ladder, whose table set-up
                // dominates at a few bits.
                let top = u64::BITS - k.leading_zeros();
                let mut acc = Self::identity();
                for bit in (0..top).rev() {
                    acc = acc.double();
                    if (k >> bit) & 1 == 1 {
                        acc = acc.add(self);
                    }
                }
                acc
            }

            fn msm(points: &[Self], scalars: &[BlstScalar], bits: usize) -> Self {
                let bits = bits.clamp(1, 255);
                let nbytes = bits.div_ceil(8);
                // blst's Pippenger mishandles infinity and zero scalars:
                // drop those terms, they contribute nothing.
                let mut raw = Vec::with_capacity(points.len());
                let mut packed = Vec::with_capacity(points.len() * nbytes);
                for (p, s) in points.iter().zip(scalars) {
                    if p.is_identity() || s.is_zero() {
                        continue;
                    }
                    raw.push(p.0);
                    packed.extend(s.to_le().b.iter().take(nbytes));
                }
                match raw.as_slice() {
                    [] => Self::identity(),
                    [p] => {
                        let mut out = <$raw>::default();
                        // SAFETY: `packed` holds `nbytes ≥ ceil(bits/8)` bytes.
                        unsafe { blst::$mult(&mut out, p, packed.as_ptr(), bits) };
                        Self(out)
                    }
                    _ => Self(<$affines>::from(&raw).mult(&packed, bits)),
                }
            }

            fn hash_to_curve(msg: &[u8], dst: &[u8]) -> Self {
                let mut out = <$raw>::default();
                // SAFETY: pointer/length pairs come from live slices; no
                // augmentation string.
                unsafe {
                    blst::$hash(&mut out, msg.as_ptr(), msg.len(), dst.as_ptr(), dst.len(), core::ptr::null(), 0)
                };
                Self(out)
            }

            fn encode_to_curve(msg: &[u8], dst: &[u8]) -> Self {
                let mut out = <$raw>::default();
                // SAFETY: as for `hash_to_curve`.
                unsafe {
                    blst::$encode(&mut out, msg.as_ptr(), msg.len(), dst.as_ptr(), dst.len(), core::ptr::null(), 0)
                };
                Self(out)
            }

            fn to_compressed(&self) -> [u8; $len] {
                let mut out = [0u8; $len];
                // SAFETY: writes exactly `$len` bytes into a live array.
                unsafe { blst::$compress(out.as_mut_ptr(), &self.0) };
                out
            }

            fn compress_batch(points: &[Self], out: &mut Vec<u8>) {
                if points.is_empty() {
                    return;
                }
                let raw: Vec<$raw> = points.iter().map(|p| p.0).collect();
                let mut affine = alloc::vec![<$affine>::default(); raw.len()];
                // A pointer array whose second entry is null tells blst that
                // the first points at `raw.len()` contiguous points.
                let inputs: [*const $raw; 2] = [raw.as_ptr(), core::ptr::null()];
                // SAFETY: `affine` and `raw` both hold `raw.len()` points.
                unsafe { blst::$to_affines(affine.as_mut_ptr(), inputs.as_ptr(), raw.len()) };
                for a in &affine {
                    let mut bytes = [0u8; $len];
                    // SAFETY: writes exactly `$len` bytes into a live array.
                    unsafe { blst::$affine_compress(bytes.as_mut_ptr(), a) };
                    out.extend_from_slice(&bytes);
                }
            }

            fn from_compressed(bytes: &[u8; $len]) -> Result<Self, PointError> {
                let mut affine = <$affine>::default();
                // SAFETY: reads exactly `$len` bytes from a live array.
                let status = unsafe { blst::$uncompress(&mut affine, bytes.as_ptr()) };
                if status != BLST_ERROR::BLST_SUCCESS {
                    return Err(decode_error(status));
                }
                let mut point = <$raw>::default();
                // SAFETY: live locals.
                let in_group = unsafe {
                    blst::$from_affine(&mut point, &affine);
                    blst::$in_group(&point)
                };
                if !in_group {
                    return Err(PointError::NotInSubgroup);
                }
                Ok(Self(point))
            }
        }
    };
}

blst_point!(
    /// A point of G1 (blst, Jacobian coordinates).
    BlstG1, blst_p1, blst_p1_affine, blst::p1_affines, 48,
    generator = blst_p1_generator, add = blst_p1_add_or_double, double = blst_p1_double,
    mult = blst_p1_mult, cneg = blst_p1_cneg, is_inf = blst_p1_is_inf,
    is_equal = blst_p1_is_equal, compress = blst_p1_compress,
    uncompress = blst_p1_uncompress, from_affine = blst_p1_from_affine,
    in_group = blst_p1_in_g1, hash = blst_hash_to_g1, encode = blst_encode_to_g1,
    to_affines = blst_p1s_to_affine, affine_compress = blst_p1_affine_compress
);

blst_point!(
    /// A point of G2 (blst, Jacobian coordinates).
    BlstG2, blst_p2, blst_p2_affine, blst::p2_affines, 96,
    generator = blst_p2_generator, add = blst_p2_add_or_double, double = blst_p2_double,
    mult = blst_p2_mult, cneg = blst_p2_cneg, is_inf = blst_p2_is_inf,
    is_equal = blst_p2_is_equal, compress = blst_p2_compress,
    uncompress = blst_p2_uncompress, from_affine = blst_p2_from_affine,
    in_group = blst_p2_in_g2, hash = blst_hash_to_g2, encode = blst_encode_to_g2,
    to_affines = blst_p2s_to_affine, affine_compress = blst_p2_affine_compress
);

impl Backend for Blst {
    type Scalar = BlstScalar;
    type G1 = BlstG1;
    type G2 = BlstG2;

    fn pairing_product_is_one(g1: &[BlstG1], g2: &[BlstG2]) -> bool {
        let mut ps = Vec::with_capacity(g1.len());
        let mut qs = Vec::with_capacity(g2.len());
        for (p, q) in g1.iter().zip(g2) {
            if p.is_identity() || q.is_identity() {
                continue;
            }
            let mut pa = blst_p1_affine::default();
            let mut qa = blst_p2_affine::default();
            // SAFETY: live locals.
            unsafe {
                blst::blst_p1_to_affine(&mut pa, &p.0);
                blst::blst_p2_to_affine(&mut qa, &q.0);
            }
            ps.push(pa);
            qs.push(qa);
        }
        if ps.is_empty() {
            return true;
        }
        let p_ptrs: Vec<*const blst_p1_affine> = ps.iter().map(|p| p as *const _).collect();
        let q_ptrs: Vec<*const blst_p2_affine> = qs.iter().map(|q| q as *const _).collect();
        let mut ml = blst_fp12::default();
        let mut fe = blst_fp12::default();
        // SAFETY: both pointer arrays hold `ps.len()` pointers to live
        // affine points, which outlive the call.
        unsafe {
            blst::blst_miller_loop_n(&mut ml, q_ptrs.as_ptr(), p_ptrs.as_ptr(), ps.len());
            blst::blst_final_exp(&mut fe, &ml);
            blst::blst_fp12_is_one(&fe)
        }
    }

    fn expand_message_xmd(msg: &[u8], dst: &[u8], len_in_bytes: usize) -> Option<Vec<u8>> {
        // RFC 9380 §5.3.1: ell = ceil(len / 32) ≤ 255. blst reduces DSTs
        // over 255 bytes with the RFC's "H2C-OVERSIZE-DST-" rule itself.
        if len_in_bytes == 0 || len_in_bytes > 255 * 32 {
            return None;
        }
        let mut out = alloc::vec![0u8; len_in_bytes];
        // SAFETY: pointer/length pairs come from live slices and `out`
        // holds `len_in_bytes` bytes.
        unsafe {
            blst::blst_expand_message_xmd(
                out.as_mut_ptr(),
                out.len(),
                msg.as_ptr(),
                msg.len(),
                dst.as_ptr(),
                dst.len(),
            )
        };
        Some(out)
    }
}
