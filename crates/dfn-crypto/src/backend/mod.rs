//! The arithmetic a BLS12-381 implementation must supply.
//!
//! Everything above this module (keys, signatures, threshold sharing, batch
//! verification) is written once against these traits; a backend only maps
//! them onto a curve library. Two backends exist and may be compiled side by
//! side: [`Blst`] (feature `blst`, the default) and [`PureRust`] (feature
//! `bls12_381`, zkcrypto's crate, no_std on every target). They produce the
//! same bytes for the same inputs; `tests/backends_agree.rs` checks it.
//!
//! Backends never see untrusted bytes without the flag checks of the
//! crate's `encoding` module having run first, and they never panic.

use core::fmt::Debug;

use zeroize::Zeroize;

use crate::error::PointError;

#[cfg(feature = "blst")]
mod blst;
#[cfg(feature = "blst")]
pub use self::blst::Blst;

#[cfg(feature = "bls12_381")]
mod pure_rust;
#[cfg(feature = "bls12_381")]
pub use self::pure_rust::PureRust;

/// The backend the crate's type aliases use: `blst` when enabled, else the
/// pure-Rust one.
#[cfg(feature = "blst")]
pub type DefaultBackend = Blst;
/// The backend the crate's type aliases use: `blst` when enabled, else the
/// pure-Rust one.
#[cfg(all(not(feature = "blst"), feature = "bls12_381"))]
pub type DefaultBackend = PureRust;

#[cfg(not(any(feature = "blst", feature = "bls12_381")))]
compile_error!("dfn-crypto needs a curve backend: enable feature `blst` or `bls12_381`");

/// An element of the BLS12-381 scalar field `F_r`.
pub trait Scalar:
    Copy + Clone + PartialEq + Eq + Debug + Default + Zeroize + Send + Sync + 'static
{
    /// The additive identity.
    fn zero() -> Self;
    /// The multiplicative identity.
    fn one() -> Self;
    /// The field element `v` (always canonical: `v < 2^128 < r`).
    fn from_u128(v: u128) -> Self;
    /// The field element `v`.
    fn from_u64(v: u64) -> Self {
        Self::from_u128(u128::from(v))
    }
    /// Parses a canonical big-endian value; `None` when it is `≥ r`.
    fn from_be_bytes(bytes: &[u8; 32]) -> Option<Self>;
    /// Reduces a 64-byte big-endian integer modulo `r` (uniform when the
    /// input is uniform, as for key generation and random scalars).
    fn from_be_bytes_wide(bytes: &[u8; 64]) -> Self;
    /// The canonical big-endian encoding.
    fn to_be_bytes(&self) -> [u8; 32];
    /// `self + rhs`.
    fn add(&self, rhs: &Self) -> Self;
    /// `self - rhs`.
    fn sub(&self, rhs: &Self) -> Self;
    /// `self · rhs`.
    fn mul(&self, rhs: &Self) -> Self;
    /// `-self`.
    fn neg(&self) -> Self;
    /// `self⁻¹`, `None` for zero.
    fn invert(&self) -> Option<Self>;
    /// Whether this is zero.
    fn is_zero(&self) -> bool {
        *self == Self::zero()
    }
}

/// A prime-order subgroup of BLS12-381 (G1 or G2), in projective form.
pub trait Point: Copy + Clone + PartialEq + Eq + Debug + Send + Sync + 'static {
    /// The scalar field acting on the group.
    type Scalar: Scalar;
    /// The compressed encoding: `[u8; 48]` for G1, `[u8; 96]` for G2.
    type Compressed: AsRef<[u8]>
        + AsMut<[u8]>
        + Copy
        + Eq
        + Debug
        + Send
        + Sync
        + for<'a> TryFrom<&'a [u8]>;
    /// Length of the compressed encoding in bytes.
    const COMPRESSED_LEN: usize;

    /// The point at infinity.
    fn identity() -> Self;
    /// The standard generator.
    fn generator() -> Self;
    /// Whether this is the point at infinity.
    fn is_identity(&self) -> bool;
    /// `self + rhs`.
    fn add(&self, rhs: &Self) -> Self;
    /// `-self`.
    fn neg(&self) -> Self;
    /// `2·self`.
    fn double(&self) -> Self;
    /// `s·self`.
    fn mul(&self, s: &Self::Scalar) -> Self;
    /// `k·self` for a small integer: costs about `log2(k)` doublings instead
    /// of a full 255-bit ladder (Horner evaluation of public polynomials).
    fn mul_u64(&self, k: u64) -> Self;
    /// `Σ scalars[i]·points[i]`, where every scalar is known to be below
    /// `2^bits` (`bits ≤ 255`): short random weights make batch checks cheap.
    /// Slices of different lengths use the shorter one.
    fn msm(points: &[Self], scalars: &[Self::Scalar], bits: usize) -> Self;
    /// Hash to the curve, RFC 9380 `hash_to_curve` with
    /// `expand_message_xmd(SHA-256)` and the SSWU map (`_RO_` suites).
    fn hash_to_curve(msg: &[u8], dst: &[u8]) -> Self;
    /// RFC 9380 `encode_to_curve` (`_NU_` suites): one field element, one
    /// map; not a random oracle, so signatures never use it.
    fn encode_to_curve(msg: &[u8], dst: &[u8]) -> Self;
    /// The compressed encoding (ZCash flags).
    fn to_compressed(&self) -> Self::Compressed;
    /// Appends the compressed encodings of `points` to `out`. Compression
    /// needs affine coordinates, i.e. one field inversion per point;
    /// backends override this to share one inversion across the batch
    /// (Montgomery's trick), which makes encoding a 201-point commitment
    /// about ten times cheaper.
    fn compress_batch(points: &[Self], out: &mut alloc::vec::Vec<u8>) {
        for p in points {
            out.extend_from_slice(p.to_compressed().as_ref());
        }
    }
    /// Decodes a compressed point whose flag bits have already been checked
    /// and that is not the encoding of infinity: checks that `x` is a
    /// canonical field element, that the point is on the curve and that it
    /// lies in the prime-order subgroup.
    fn from_compressed(bytes: &Self::Compressed) -> Result<Self, PointError>;
}

/// A complete BLS12-381 implementation.
pub trait Backend: Copy + Clone + Debug + Default + PartialEq + Eq + Send + Sync + 'static {
    /// Elements of `F_r`.
    type Scalar: Scalar;
    /// Points of G1.
    type G1: Point<Scalar = Self::Scalar>;
    /// Points of G2.
    type G2: Point<Scalar = Self::Scalar>;

    /// Whether `Π e(g1[i], g2[i]) = 1` in `G_T`. Pairs holding the identity
    /// contribute `1` and are skipped. Slices of different lengths use the
    /// shorter one.
    fn pairing_product_is_one(g1: &[Self::G1], g2: &[Self::G2]) -> bool;

    /// RFC 9380 §5.3.1 `expand_message_xmd` with SHA-256, `None` when
    /// `len_in_bytes` is 0 or above `255·32`. A DST longer than 255 bytes is
    /// first reduced to `SHA-256("H2C-OVERSIZE-DST-" ‖ DST)` (§5.3.3).
    fn expand_message_xmd(
        msg: &[u8],
        dst: &[u8],
        len_in_bytes: usize,
    ) -> Option<alloc::vec::Vec<u8>>;
}
