//! Feldman commitments: the public polynomial `A_k = a_k·g`.

use alloc::vec::Vec;

use super::share::{PublicKeyShare, SecretKeyShare};
use super::share_keys::ShareKeys;
use crate::backend::Point;
use crate::encoding::decode_point;
use crate::error::{PointError, ThresholdError};
use crate::keys::PublicKey;
use crate::variant::Variant;

/// The commitment to a sharing polynomial, `A_0..A_{t−1}` in the public-key
/// group. `A_0` is the group public key; `Σ_k i^k·A_k` is member `i`'s
/// public key share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicPolynomial<V: Variant> {
    coefficients: Vec<V::PublicKeyPoint>,
}

impl<V: Variant> PublicPolynomial<V> {
    /// A public polynomial from its coefficients (at least one).
    pub fn new(coefficients: &[PublicKey<V>]) -> Result<Self, ThresholdError> {
        if coefficients.is_empty() {
            return Err(ThresholdError::EmptyPolynomial);
        }
        Ok(Self::from_points_unchecked(
            coefficients.iter().map(|k| *k.point()).collect(),
        ))
    }

    pub(crate) fn from_points_unchecked(coefficients: Vec<V::PublicKeyPoint>) -> Self {
        Self { coefficients }
    }

    /// Decodes the concatenated compressed coefficients; each is checked
    /// like a public key. The threshold is the number of coefficients.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, PublicPolynomialDecodeError> {
        let len = V::PublicKeyPoint::COMPRESSED_LEN;
        if bytes.is_empty() || bytes.len() % len != 0 {
            return Err(PublicPolynomialDecodeError::Length(bytes.len()));
        }
        let coefficients = bytes
            .chunks_exact(len)
            .enumerate()
            .map(|(k, chunk)| {
                decode_point(chunk)
                    .map_err(|error| PublicPolynomialDecodeError::Coefficient { k, error })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { coefficients })
    }

    /// The concatenated compressed coefficients, `A_0` first.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(self.coefficients.len() * V::PublicKeyPoint::COMPRESSED_LEN);
        for c in &self.coefficients {
            out.extend_from_slice(c.to_compressed().as_ref());
        }
        out
    }

    /// Shares needed: the number of coefficients.
    pub fn threshold(&self) -> u32 {
        self.coefficients.len() as u32
    }

    /// The group public key `A_0`.
    pub fn public_key(&self) -> PublicKey<V> {
        PublicKey::from_point(
            self.coefficients
                .first()
                .copied()
                .unwrap_or_else(V::PublicKeyPoint::identity),
        )
    }

    /// `Σ_k x^k·A_k` by Horner's rule with small-integer multiplications.
    pub(crate) fn evaluate_point(&self, x: u32) -> V::PublicKeyPoint {
        self.coefficients
            .iter()
            .rev()
            .fold(V::PublicKeyPoint::identity(), |acc, a| {
                acc.mul_u64(u64::from(x)).add(a)
            })
    }

    /// Member `index`'s public key share.
    pub fn evaluate(&self, index: u32) -> Result<PublicKeyShare<V>, ThresholdError> {
        PublicKeyShare::new(index, PublicKey::from_point(self.evaluate_point(index)))
    }

    /// Whether a secret share is consistent with this commitment (Feldman's
    /// check `f(i)·g = Σ_k i^k·A_k`).
    pub fn verify_share(&self, share: &SecretKeyShare<V>) -> bool {
        share.public_key_share().public_key().point() == &self.evaluate_point(share.index())
    }

    /// The coefficient-wise sum: the commitment to the sum of the
    /// polynomials (how a DKG combines its dealers' commitments). The
    /// shorter polynomial is padded with zero coefficients.
    pub fn add(&self, other: &Self) -> Self {
        let (long, short) = if self.coefficients.len() >= other.coefficients.len() {
            (self, other)
        } else {
            (other, self)
        };
        let mut coefficients = long.coefficients.clone();
        for (c, o) in coefficients.iter_mut().zip(&short.coefficients) {
            *c = c.add(o);
        }
        Self { coefficients }
    }

    pub(crate) fn coefficients(&self) -> &[V::PublicKeyPoint] {
        &self.coefficients
    }

    /// Every member's public key share for a group of `n` (see
    /// [`ShareKeys`] for the cost).
    pub fn share_keys(&self, n: u32) -> Result<ShareKeys<V>, ThresholdError> {
        ShareKeys::derive(self, n)
    }
}

/// Why bytes do not decode to a public polynomial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PublicPolynomialDecodeError {
    /// Empty, or not a whole number of compressed points.
    #[error("{0} bytes is not a whole, nonzero number of compressed points")]
    Length(usize),
    /// Coefficient `k` is malformed.
    #[error("coefficient {k}: {error}")]
    Coefficient {
        /// Position of the bad coefficient.
        k: usize,
        /// What was wrong with it.
        error: PointError,
    },
}
