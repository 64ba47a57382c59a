//! Batch verification of signatures by different keys on different
//! messages.
//!
//! `n` signatures `σ_i` by keys `pk_i` on messages hashed to `H_i` are all
//! valid, except with probability at most `2^-64`, when for secret random
//! 64-bit weights `ρ_i`
//! `e(Σρ_i·σ_i, −g)·Π e(ρ_i·H_i, pk_i) = 1`: one multi-pairing of `n + 1`
//! terms (one final exponentiation) instead of `n` two-term products, and
//! short scalar multiplications only. On failure, bisection names the bad
//! signatures, as for shares.

use alloc::vec::Vec;

use rand_core::CryptoRng;

use crate::backend::{Point, Scalar};
use crate::keys::PublicKey;
use crate::signature::{MessageHash, Signature};
use crate::threshold::BATCH_WEIGHT_BITS;
use crate::variant::{ScalarOf, Variant};

/// One signature to check: the key, the message hashed to the curve, the
/// signature.
pub type SignedItem<'a, V> = (&'a PublicKey<V>, &'a MessageHash<V>, &'a Signature<V>);

/// The positions of the invalid signatures among `items`, ascending (empty
/// when all are valid). The weights come from `rng` and must be unknown to
/// the signers.
pub fn invalid_signatures<V: Variant, R: CryptoRng + ?Sized>(
    items: &[SignedItem<'_, V>],
    rng: &mut R,
) -> Vec<usize> {
    let positions: Vec<usize> = (0..items.len()).collect();
    let mut invalid = Vec::new();
    bisect(items, &positions, false, rng, &mut invalid);
    invalid.sort_unstable();
    invalid
}

/// Finds the invalid items among `positions`; `known_bad` says a check of
/// exactly this set already failed.
fn bisect<V: Variant, R: CryptoRng + ?Sized>(
    items: &[SignedItem<'_, V>],
    positions: &[usize],
    known_bad: bool,
    rng: &mut R,
    invalid: &mut Vec<usize>,
) {
    if positions.is_empty() || (!known_bad && check(items, positions, rng)) {
        return;
    }
    match positions {
        [single] => invalid.push(*single),
        _ => {
            let (left, right) = positions.split_at(positions.len() / 2);
            let left_ok = check(items, left, rng);
            if !left_ok {
                bisect(items, left, true, rng, invalid);
            }
            // If the left half passed, the failure lies on the right.
            bisect(items, right, left_ok, rng, invalid);
        }
    }
}

/// The weighted check over `positions` (a plain verification for one).
fn check<V: Variant, R: CryptoRng + ?Sized>(
    items: &[SignedItem<'_, V>],
    positions: &[usize],
    rng: &mut R,
) -> bool {
    let chosen: Vec<&SignedItem<'_, V>> = positions.iter().filter_map(|p| items.get(*p)).collect();
    if let [(key, hash, sig)] = chosen.as_slice() {
        return key.verify_hash(hash, sig);
    }
    let weights: Vec<u64> = chosen.iter().map(|_| rng.next_u64().max(1)).collect();
    let scalars: Vec<ScalarOf<V>> = weights
        .iter()
        .map(|w| ScalarOf::<V>::from_u64(*w))
        .collect();
    let sigs: Vec<V::SignaturePoint> = chosen.iter().map(|(_, _, s)| *s.point()).collect();
    let mut sig_side = Vec::with_capacity(chosen.len() + 1);
    let mut key_side = Vec::with_capacity(chosen.len() + 1);
    sig_side.push(V::SignaturePoint::msm(&sigs, &scalars, BATCH_WEIGHT_BITS));
    key_side.push(V::PublicKeyPoint::generator().neg());
    for ((key, hash, _), weight) in chosen.iter().zip(&weights) {
        sig_side.push(hash.point().mul_u64(*weight));
        key_side.push(*key.point());
    }
    V::pairing_product_is_one(&sig_side, &key_side)
}
