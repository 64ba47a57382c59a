//! The result of a run: the group's public polynomial from the qualified
//! dealers' commitments, and a member's share as the sum of its shares.

use alloc::vec::Vec;

use zeroize::Zeroizing;

use super::dealing::Dealing;
use super::error::{CombineError, DealingError};
use crate::backend::{Point, Scalar};
use crate::error::ThresholdError;
use crate::keys::{PublicKey, SecretKey};
use crate::threshold::{PublicPolynomial, SecretKeyShare, ShareKeys};
use crate::variant::{ScalarOf, Variant};

/// A member's result of a DKG run.
#[derive(Clone, Debug)]
pub struct DkgOutput<V: Variant> {
    public: PublicPolynomial<V>,
    share: SecretKeyShare<V>,
    n: u32,
    qualified: Vec<u32>,
}

impl<V: Variant> DkgOutput<V> {
    /// The group's public polynomial `A_k = Σ_{i∈QUAL} C_ik`.
    pub fn public_polynomial(&self) -> &PublicPolynomial<V> {
        &self.public
    }

    /// The group public key `A_0`.
    pub fn group_key(&self) -> PublicKey<V> {
        self.public.public_key()
    }

    /// This member's share `x_j = Σ_{i∈QUAL} f_i(j)` of the group secret.
    pub fn share(&self) -> &SecretKeyShare<V> {
        &self.share
    }

    /// Group size `n`.
    pub fn n(&self) -> u32 {
        self.n
    }

    /// Shares needed to sign for the group.
    pub fn threshold(&self) -> u32 {
        self.public.threshold()
    }

    /// The qualified dealers, ascending.
    pub fn qualified(&self) -> &[u32] {
        &self.qualified
    }

    /// Every member's public key share (what every member and observer
    /// derives identically from the qualified dealings).
    pub fn share_keys(&self) -> Result<ShareKeys<V>, ThresholdError> {
        self.public.share_keys(self.n)
    }
}

/// The group's public polynomial from the qualified dealings, with
/// everything an observer can check: QUAL is non-empty, its dealer indices
/// are strictly ascending (the one order every member uses), and every
/// dealing has the shape of the first (same `n`, same threshold, dealer
/// index in range, finite ephemeral key); `n` is the number of ciphertexts
/// of the first dealing.
pub fn combine_public<V: Variant>(
    qualified: &[&Dealing<V>],
) -> Result<PublicPolynomial<V>, CombineError> {
    combine_commitments(qualified).map(|(public, _)| public)
}

/// [`combine_public`], also returning `n`.
fn combine_commitments<V: Variant>(
    qualified: &[&Dealing<V>],
) -> Result<(PublicPolynomial<V>, u32), CombineError> {
    let (first, rest) = qualified
        .split_first()
        .ok_or(CombineError::EmptyQualifiedSet)?;
    let n = u32::try_from(first.ciphertexts().len()).map_err(|_| DealingError::InvalidGroup {
        n: first.ciphertexts().len(),
        threshold: first.commitment().threshold(),
    })?;
    let threshold = first.commitment().threshold();
    first.check_shape(n, threshold)?;
    let mut public = first.commitment().clone();
    let mut previous = first.dealer();
    for dealing in rest {
        if dealing.dealer() <= previous {
            return Err(CombineError::NotAscending {
                previous,
                next: dealing.dealer(),
            });
        }
        dealing.check_shape(n, threshold)?;
        public = public.add(dealing.commitment());
        previous = dealing.dealer();
    }
    if public.public_key().point().is_identity() {
        return Err(CombineError::GroupKeyIdentity);
    }
    Ok((public, n))
}

/// Combines a member's shares from the qualified dealers: `my_shares[k]`
/// is its share from `qualified[k]` (decrypted, or adopted from a verified
/// justification). QUAL must be listed in strictly ascending dealer order
/// (see [`combine_public`] for the checks on the dealings); all shares must
/// be for the same member. The combined share is checked once against the
/// group polynomial; only if that fails are the shares checked one by one
/// to name the dealer whose share is wrong.
pub fn combine<V: Variant>(
    qualified: &[&Dealing<V>],
    my_shares: &[SecretKeyShare<V>],
) -> Result<DkgOutput<V>, CombineError> {
    let (public, n) = combine_commitments(qualified)?;
    if qualified.len() != my_shares.len() {
        return Err(CombineError::LengthMismatch {
            dealings: qualified.len(),
            shares: my_shares.len(),
        });
    }
    let index = my_shares
        .first()
        .map(SecretKeyShare::index)
        .ok_or(CombineError::EmptyQualifiedSet)?;
    if index == 0 || index > n {
        return Err(CombineError::ShareIndexOutOfRange { index, n });
    }
    let mut sum = Zeroizing::new(ScalarOf::<V>::zero());
    for (dealing, share) in qualified.iter().zip(my_shares) {
        if share.index() != index {
            return Err(CombineError::MixedShareIndices {
                dealer: dealing.dealer(),
                expected: index,
                actual: share.index(),
            });
        }
        *sum = sum.add(share.secret_key().scalar());
    }
    if sum.is_zero() {
        return Err(CombineError::ZeroShare(index));
    }
    let share = SecretKeyShare::new(index, SecretKey::from_scalar(*sum))
        .map_err(|_| CombineError::ShareIndexOutOfRange { index, n })?;
    if !public.verify_share(&share) {
        let culprit = qualified
            .iter()
            .zip(my_shares)
            .find(|(dealing, share)| !dealing.commitment().verify_share(share))
            .map_or(0, |(dealing, _)| dealing.dealer());
        return Err(CombineError::InconsistentShare {
            dealer: culprit,
            index,
        });
    }
    Ok(DkgOutput {
        public,
        share,
        n,
        qualified: qualified.iter().map(|d| d.dealer()).collect(),
    })
}
