//! Batch verification of signature shares on one message.
//!
//! Shares `σ_i` with keys `pk_i` are all valid, except with probability at
//! most `2^-λ`, when for secret random weights `ρ_i` of `λ` bits
//! `e(Σρ_i·σ_i, −g)·e(H(m), Σρ_i·pk_i) = 1` (small-exponent test, Bellare,
//! Garay, Rabin 1998). That costs one short multi-scalar multiplication in
//! each group and one two-term pairing product, instead of a pairing
//! product per share. Every point was subgroup-checked when it was decoded,
//! which the test requires.
//!
//! When the combined check fails, bisection names the bad shares: split,
//! check each half with fresh weights, recurse into failing halves; when
//! the left half passes, the right half is known to fail without a check.
//! With `b` bad shares among `N` that is at most about `1 + 2b·log2 N`
//! checks.

use alloc::vec::Vec;

use rand_core::CryptoRng;

use super::share::SignatureShare;
use super::share_keys::ShareKeys;
use crate::backend::{Point, Scalar};
use crate::signature::MessageHash;
use crate::variant::{ScalarOf, Variant};

/// Bits of the random weights, `λ`. 64 bits bound the chance that an
/// invalid share passes by `2^-64` per check, against weights the sender
/// cannot see. It is not consensus-critical on its own: a recovered group
/// signature is always verified against the group key before use.
pub const BATCH_WEIGHT_BITS: usize = 64;

/// The verdict of a batch check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Positions (in the checked slice) of the invalid shares, ascending.
    pub invalid: Vec<usize>,
    /// Pairing-product checks performed: 1 when every share is valid, 0
    /// when there was nothing to check (no shares, or none with a known
    /// key).
    pub checks: usize,
}

impl BatchOutcome {
    /// Whether every share was valid.
    pub fn all_valid(&self) -> bool {
        self.invalid.is_empty()
    }
}

/// A share paired with its member's key, ready for weighting.
struct Item<V: Variant> {
    position: usize,
    sig: V::SignaturePoint,
    key: V::PublicKeyPoint,
}

pub(crate) fn check_shares<V: Variant, R: CryptoRng + ?Sized>(
    keys: &ShareKeys<V>,
    hash: &MessageHash<V>,
    shares: &[SignatureShare<V>],
    rng: &mut R,
) -> BatchOutcome {
    let mut outcome = BatchOutcome::default();
    let mut items = Vec::with_capacity(shares.len());
    for (position, share) in shares.iter().enumerate() {
        match keys.point(share.index()) {
            Some(key) => items.push(Item::<V> {
                position,
                sig: *share.signature().point(),
                key: *key,
            }),
            None => outcome.invalid.push(position),
        }
    }
    if !items.is_empty() {
        bisect(&items, hash, false, rng, &mut outcome);
    }
    outcome.invalid.sort_unstable();
    outcome
}

/// Finds the invalid items of `items`; `known_bad` says a check of exactly
/// this set already failed.
fn bisect<V: Variant, R: CryptoRng + ?Sized>(
    items: &[Item<V>],
    hash: &MessageHash<V>,
    known_bad: bool,
    rng: &mut R,
    outcome: &mut BatchOutcome,
) {
    if !known_bad {
        outcome.checks += 1;
        if weighted_check(items, hash, rng) {
            return;
        }
    }
    match items {
        [] => {}
        [single] => outcome.invalid.push(single.position),
        _ => {
            let (left, right) = items.split_at(items.len() / 2);
            outcome.checks += 1;
            let left_ok = weighted_check(left, hash, rng);
            if !left_ok {
                bisect(left, hash, true, rng, outcome);
            }
            // If the left half passed, the whole set's failure lies right.
            bisect(right, hash, left_ok, rng, outcome);
        }
    }
}

/// `e(Σρ_i·σ_i, −g)·e(H(m), Σρ_i·pk_i) = 1` with fresh nonzero weights.
fn weighted_check<V: Variant, R: CryptoRng + ?Sized>(
    items: &[Item<V>],
    hash: &MessageHash<V>,
    rng: &mut R,
) -> bool {
    if let [single] = items {
        return V::verify_equation(&single.key, hash.point(), &single.sig);
    }
    let weights: Vec<ScalarOf<V>> = items
        .iter()
        .map(|_| ScalarOf::<V>::from_u64(rng.next_u64().max(1)))
        .collect();
    let sigs: Vec<V::SignaturePoint> = items.iter().map(|i| i.sig).collect();
    let keys: Vec<V::PublicKeyPoint> = items.iter().map(|i| i.key).collect();
    let sig_sum = V::SignaturePoint::msm(&sigs, &weights, BATCH_WEIGHT_BITS);
    let key_sum = V::PublicKeyPoint::msm(&keys, &weights, BATCH_WEIGHT_BITS);
    V::verify_equation(&key_sum, hash.point(), &sig_sum)
}
