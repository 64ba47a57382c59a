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
/// Deriving them costs `t` Horner evaluations at the small points `1..=t`
/// (multiplications by integers of at most `log2 t` bits, never a full
/// scalar multiplication) and then one point addition per coefficient for
/// each further member, by stepping a table of backward differences: a
/// polynomial of degree `t − 1` has constant `(t−1)`-th differences, so
/// `f(x+1)` follows from the table at `x` with `t − 1` additions.
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
        let direct = t.min(n);
        let mut keys: Vec<V::PublicKeyPoint> = Vec::with_capacity(n as usize);
        keys.extend((1..=direct).map(|x| poly.evaluate_point(x)));
        if n > direct {
            // table[k] = ∇^k f(t) for k = 0..t−1, built in place from
            // f(1..=t): after pass k, work[i] = ∇^k f(i + 1) for i ≥ k.
            let mut work = keys.clone();
            let mut table = Vec::with_capacity(work.len());
            table.push(
                work.last()
                    .copied()
                    .unwrap_or_else(V::PublicKeyPoint::identity),
            );
            for k in 1..work.len() {
                for i in (k..work.len()).rev() {
                    if let Some(&prev) = work.get(i - 1) {
                        if let Some(cur) = work.get_mut(i) {
                            *cur = cur.add(&prev.neg());
                        }
                    }
                }
                table.push(
                    work.last()
                        .copied()
                        .unwrap_or_else(V::PublicKeyPoint::identity),
                );
            }
            // ∇^k f(x+1) = ∇^k f(x) + ∇^{k+1} f(x+1); the last is constant.
            for _ in direct..n {
                for k in (0..table.len().saturating_sub(1)).rev() {
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
