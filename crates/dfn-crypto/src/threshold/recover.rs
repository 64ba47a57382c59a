//! Recovery of a group value from `t` shares by Lagrange interpolation at 0.

use alloc::vec::Vec;

use super::lagrange::lagrange_coefficients_at_zero;
use super::share::{PublicKeyShare, SignatureShare};
use crate::backend::Point;
use crate::error::ThresholdError;
use crate::keys::PublicKey;
use crate::signature::Signature;
use crate::variant::Variant;

/// `Σ λ_i·P_i` over exactly the given (index, point) pairs: one batch
/// inversion for the weights and one multi-scalar multiplication.
fn interpolate<P: Point>(indices: &[u32], points: &[P]) -> Result<P, ThresholdError> {
    let weights = lagrange_coefficients_at_zero::<P::Scalar>(indices)?;
    let value = P::msm(points, &weights, 255);
    if value.is_identity() {
        return Err(ThresholdError::Infinity);
    }
    Ok(value)
}

/// Takes the first `threshold` shares after checking there are enough.
fn first<T>(threshold: u32, shares: &[T]) -> Result<&[T], ThresholdError> {
    if threshold == 0 {
        return Err(ThresholdError::InvalidThreshold {
            threshold,
            n: shares.len() as u32,
        });
    }
    let need = threshold as usize;
    shares.get(..need).ok_or(ThresholdError::NotEnoughShares {
        have: shares.len(),
        need,
    })
}

pub(crate) fn interpolate_signatures<V: Variant>(
    shares: &[SignatureShare<V>],
) -> Result<Signature<V>, ThresholdError> {
    let indices: Vec<u32> = shares.iter().map(SignatureShare::index).collect();
    let points: Vec<V::SignaturePoint> = shares.iter().map(|s| *s.signature().point()).collect();
    interpolate(&indices, &points).map(Signature::from_point)
}

/// Recovers the group signature from the first `threshold` shares.
///
/// The shares are not verified: any `t` valid shares give the same, unique
/// signature, and an invalid share gives a signature that fails to verify
/// under the group key. Verify the result (or use
/// [`ShareKeys::recover_verified`](super::ShareKeys::recover_verified),
/// which does that and falls back to blaming bad shares). A repeated index
/// is an error, never silently skipped.
pub fn recover_signature<V: Variant>(
    threshold: u32,
    shares: &[SignatureShare<V>],
) -> Result<Signature<V>, ThresholdError> {
    interpolate_signatures(first(threshold, shares)?)
}

/// Recovers the group public key from the first `threshold` public key
/// shares.
pub fn recover_public_key<V: Variant>(
    threshold: u32,
    shares: &[PublicKeyShare<V>],
) -> Result<PublicKey<V>, ThresholdError> {
    let shares = first(threshold, shares)?;
    let indices: Vec<u32> = shares.iter().map(PublicKeyShare::index).collect();
    let points: Vec<V::PublicKeyPoint> = shares.iter().map(|s| *s.public_key().point()).collect();
    interpolate(&indices, &points).map(PublicKey::from_point)
}
