//! Secret and public keys.

use core::fmt;

use rand_core::CryptoRng;
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::backend::{Point, Scalar};
use crate::encoding::decode_point;
use crate::error::{KeyGenError, PointError, ScalarError};
use crate::keygen::key_gen;
use crate::signature::{MessageHash, Signature};
use crate::variant::{ScalarOf, Suite, Variant};

/// A BLS secret key: a nonzero scalar, wiped from memory on drop.
///
/// `Debug` never prints the key; equality is constant-time.
#[derive(Clone)]
pub struct SecretKey<V: Variant> {
    scalar: ScalarOf<V>,
}

impl<V: Variant> ConstantTimeEq for SecretKey<V> {
    fn ct_eq(&self, other: &Self) -> Choice {
        let (mut a, mut b) = (self.to_bytes(), other.to_bytes());
        let equal = a.ct_eq(&b);
        a.zeroize();
        b.zeroize();
        equal
    }
}

impl<V: Variant> PartialEq for SecretKey<V> {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl<V: Variant> Eq for SecretKey<V> {}

impl<V: Variant> Zeroize for SecretKey<V> {
    fn zeroize(&mut self) {
        self.scalar.zeroize();
    }
}

impl<V: Variant> Drop for SecretKey<V> {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl<V: Variant> ZeroizeOnDrop for SecretKey<V> {}

impl<V: Variant> fmt::Debug for SecretKey<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl<V: Variant> SecretKey<V> {
    /// IETF KeyGen from at least 32 bytes of input key material and an
    /// optional `key_info` (may be empty).
    pub fn key_gen(ikm: &[u8], key_info: &[u8]) -> Result<Self, KeyGenError> {
        key_gen(ikm, key_info).map(Self::from_scalar)
    }

    /// A uniformly random key from a cryptographic RNG.
    pub fn random<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Self::from_scalar(random_nonzero_scalar::<ScalarOf<V>, R>(rng))
    }

    /// Decodes 32 big-endian bytes: rejects values `≥ r` and zero.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ScalarError> {
        let array: &[u8; 32] = bytes
            .try_into()
            .map_err(|_| ScalarError::WrongLength(bytes.len()))?;
        let scalar = ScalarOf::<V>::from_be_bytes(array).ok_or(ScalarError::NotCanonical)?;
        if scalar.is_zero() {
            return Err(ScalarError::Zero);
        }
        Ok(Self::from_scalar(scalar))
    }

    /// The 32-byte big-endian encoding. The caller owns wiping the copy.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.scalar.to_be_bytes()
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey<V> {
        PublicKey(V::PublicKeyPoint::generator().mul(&self.scalar))
    }

    /// Signs `msg` under `suite`.
    pub fn sign(&self, suite: Suite, msg: &[u8]) -> Signature<V> {
        self.sign_hash(&MessageHash::new(suite, msg))
    }

    /// Signs a message already hashed to the curve (hash once, sign or
    /// verify many times).
    pub fn sign_hash(&self, hash: &MessageHash<V>) -> Signature<V> {
        Signature::from_point(hash.point().mul(&self.scalar))
    }

    pub(crate) fn from_scalar(scalar: ScalarOf<V>) -> Self {
        Self { scalar }
    }

    pub(crate) fn scalar(&self) -> &ScalarOf<V> {
        &self.scalar
    }
}

/// A uniformly random nonzero scalar: 64 random bytes reduced modulo `r`
/// (statistical distance from uniform below `2^-256`).
pub(crate) fn random_nonzero_scalar<S: Scalar, R: CryptoRng + ?Sized>(rng: &mut R) -> S {
    loop {
        let mut wide = [0u8; 64];
        rng.fill_bytes(&mut wide);
        let s = S::from_be_bytes_wide(&wide);
        wide.zeroize();
        if !s.is_zero() {
            return s;
        }
    }
}

/// A BLS public key; never the point at infinity.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey<V: Variant>(V::PublicKeyPoint);

impl<V: Variant> fmt::Debug for PublicKey<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey<{}>(", V::NAME)?;
        crate::hex::write(f, self.to_bytes().as_ref())?;
        f.write_str(")")
    }
}

impl<V: Variant> PublicKey<V> {
    /// Decodes a compressed public key: checks length, flags, curve,
    /// subgroup, and rejects infinity.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, PointError> {
        decode_point(bytes).map(Self)
    }

    /// The compressed encoding (96 bytes for MinSig, 48 for MinPk).
    pub fn to_bytes(&self) -> <V::PublicKeyPoint as Point>::Compressed {
        self.0.to_compressed()
    }

    /// Verifies `sig` on `msg` under `suite`.
    pub fn verify(&self, suite: Suite, msg: &[u8], sig: &Signature<V>) -> bool {
        self.verify_hash(&MessageHash::new(suite, msg), sig)
    }

    /// Verifies `sig` on a message already hashed to the curve.
    pub fn verify_hash(&self, hash: &MessageHash<V>, sig: &Signature<V>) -> bool {
        V::verify_equation(&self.0, hash.point(), sig.point())
    }

    /// Wraps a point known not to be infinity.
    pub(crate) fn from_point(point: V::PublicKeyPoint) -> Self {
        Self(point)
    }

    pub(crate) fn point(&self) -> &V::PublicKeyPoint {
        &self.0
    }
}
