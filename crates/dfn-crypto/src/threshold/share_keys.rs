//! Every member's public key share, derived once per group and epoch.

use alloc::vec::Vec;

use rand_core::CryptoRng;

use super::batch::{BatchOutcome, check_shares};
use super::public_polynomial::PublicPolynomial;
use super::recover::interpolate_signatures;
use super::share::{PublicKeyShare, SignatureShare};
use crate::backend::Point;
use crate::error::ThresholdError;
use crate::keys::PublicKey;
use crate::signature::{MessageHash, Signature};
use crate::variant::Variant;

/// The public key shares of members `1..=n` and the group public key.
///
/// Deriving them never multiplies by a full-size scalar. The forward
/// differences `Δ^k f(0)` (`k < t`) come from the coefficients by Horner's
/// rule in the binomial basis (`t²/2` multiplications by integers below
/// `t`), and each member's key then follows from the table with `t − 1`
/// point additions, since `f(x+1) = f(x) + Δf(x)` and the `(t−1)`-th
/// difference of a degree-`t−1` polynomial is constant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareKeys<V: Variant> {
    group_key: PublicKey<V>,
    threshold: u32,
    keys: Vec<V::PublicKeyPoint>,
}

impl<V: Variant> ShareKeys<V> {
    pub(crate) fn derive(poly: &PublicPolynomial<V>, n: u32) -> Result<Self, ThresholdError> {
        let t = poly.threshold();
        if t == 0 || t > n {
            return Err(ThresholdError::InvalidThreshold { threshold: t, n });
        }
        let mut table = forward_differences_at_zero(poly.coefficients());
        let mut keys = Vec::with_capacity(n as usize);
        for _ in 0..n {
            // Δ^k f(x+1) = Δ^k f(x) + Δ^{k+1} f(x), ascending in k so that
            // each step reads the old Δ^{k+1}.
            for k in 0..table.len().saturating_sub(1) {
                if let Some(&next) = table.get(k + 1) {
                    if let Some(cur) = table.get_mut(k) {
                        *cur = cur.add(&next);
                    }
                }
            }
            keys.push(
                table
                    .first()
                    .copied()
                    .unwrap_or_else(V::PublicKeyPoint::identity),
            );
        }
        Ok(Self {
            group_key: poly.public_key(),
            threshold: t,
            keys,
        })
    }

    /// Group size `n`.
    pub fn n(&self) -> u32 {
        self.keys.len() as u32
    }

    /// Shares needed to recover a group signature.
    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    /// The group public key.
    pub fn group_key(&self) -> &PublicKey<V> {
        &self.group_key
    }

    /// Member `index`'s public key share, `None` outside `1..=n`.
    pub fn get(&self, index: u32) -> Option<PublicKeyShare<V>> {
        let point = *self.keys.get(index.checked_sub(1)? as usize)?;
        PublicKeyShare::new(index, PublicKey::from_point(point)).ok()
    }

    pub(crate) fn point(&self, index: u32) -> Option<&V::PublicKeyPoint> {
        self.keys.get(index.checked_sub(1)? as usize)
    }

    /// Verifies one signature share (one two-term pairing product).
    pub fn verify_share(&self, hash: &MessageHash<V>, share: &SignatureShare<V>) -> bool {
        self.get(share.index())
            .is_some_and(|pk| pk.verify_hash(hash, share))
    }

    /// Checks many shares of one message at once (random linear
    /// combination, see [`BatchOutcome`]) and names the invalid ones.
    /// A share whose index is outside `1..=n` is invalid; a repeated
    /// index is judged on its own merits each time.
    pub fn verify_shares<R: CryptoRng + ?Sized>(
        &self,
        hash: &MessageHash<V>,
        shares: &[SignatureShare<V>],
        rng: &mut R,
    ) -> BatchOutcome {
        check_shares(self, hash, shares, rng)
    }

    /// Recovers the group signature and proves it valid, spending as little
    /// as possible: combine the first `t` distinct shares and verify the
    /// result once against the group key (a valid result *is* the unique
    /// group signature, whatever went in). Only when that fails are the
    /// shares batch-checked (all of them, repeated indices included, so a
    /// forged share cannot shadow a valid one of the same member), the
    /// invalid ones dropped and `t` distinct valid ones combined. Returns
    /// the signature and the member indices of the invalid shares found,
    /// ascending (empty on the fast path).
    pub fn recover_verified<R: CryptoRng + ?Sized>(
        &self,
        hash: &MessageHash<V>,
        shares: &[SignatureShare<V>],
        rng: &mut R,
    ) -> Result<(Signature<V>, Vec<u32>), ThresholdError> {
        let need = self.threshold as usize;
        let distinct = first_distinct(shares);
        if distinct.len() < need {
            return Err(ThresholdError::NotEnoughShares {
                have: distinct.len(),
                need,
            });
        }
        let candidate = interpolate_signatures(distinct.get(..need).unwrap_or_default())?;
        if self.group_key.verify_hash(hash, &candidate) {
            return Ok((candidate, Vec::new()));
        }
        // Check every share received, repeated indices included: a forged
        // share must not shadow a valid share of the same member.
        let outcome = check_shares(self, hash, shares, rng);
        let mut invalid = Vec::with_capacity(outcome.invalid.len());
        let mut kept = Vec::with_capacity(shares.len());
        for (position, share) in shares.iter().enumerate() {
            if outcome.invalid.binary_search(&position).is_ok() {
                invalid.push(share.index());
            } else {
                kept.push(*share);
            }
        }
        invalid.sort_unstable();
        invalid.dedup();
        let valid = first_distinct(&kept);
        if valid.len() < need {
            return Err(ThresholdError::NotEnoughShares {
                have: valid.len(),
                need,
            });
        }
        let sig = interpolate_signatures(valid.get(..need).unwrap_or_default())?;
        Ok((sig, invalid))
    }
}

/// The shares in order, keeping only the first share of each index.
fn first_distinct<V: Variant>(shares: &[SignatureShare<V>]) -> Vec<SignatureShare<V>> {
    let mut seen = alloc::collections::BTreeSet::new();
    shares
        .iter()
        .filter(|s| seen.insert(s.index()))
        .copied()
        .collect()
}

/// `[Δ^0 f(0), …, Δ^{t−1} f(0)]` for `f(x) = Σ_j A_j·x^j`.
///
/// In the binomial basis `f(x) = Σ_k b_k·C(x, k)` the coefficients are the
/// forward differences at 0: `b_k = Δ^k f(0)`. Horner's rule works in that
/// basis too, because `x·C(x, k) = (k+1)·C(x, k+1) + k·C(x, k)`: multiplying
/// by `x` maps `b_m` to `m·(b_m + b_{m−1})`. Each step costs one addition and
/// one small-integer multiplication per term.
fn forward_differences_at_zero<P: Point>(coefficients: &[P]) -> Vec<P> {
    let mut table: Vec<P> = Vec::with_capacity(coefficients.len());
    for a in coefficients.iter().rev() {
        table.push(P::identity());
        for m in (1..table.len()).rev() {
            if let Some(&lower) = table.get(m - 1) {
                if let Some(cur) = table.get_mut(m) {
                    *cur = cur.add(&lower).mul_u64(m as u64);
                }
            }
        }
        // b'_0 = 0·b_0, plus the next coefficient.
        if let Some(first) = table.first_mut() {
            *first = *a;
        }
    }
    table
}
