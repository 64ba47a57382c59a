//! Aggregate signatures (draft-irtf-cfrg-bls-signature §2.8–2.9, §3.3.4).

use alloc::vec::Vec;

use crate::backend::Point;
use crate::error::AggregateError;
use crate::keys::PublicKey;
use crate::signature::{MessageHash, Signature};
use crate::variant::{Suite, Variant};

fn sum<P: Point>(points: impl Iterator<Item = P>) -> Result<P, AggregateError> {
    let mut points = points.peekable();
    if points.peek().is_none() {
        return Err(AggregateError::Empty);
    }
    let total = points.fold(P::identity(), |acc, p| acc.add(&p));
    if total.is_identity() {
        return Err(AggregateError::Infinity);
    }
    Ok(total)
}

impl<V: Variant> Signature<V> {
    /// `Aggregate`: the sum of the signatures.
    pub fn aggregate<'a>(
        sigs: impl IntoIterator<Item = &'a Signature<V>>,
    ) -> Result<Self, AggregateError> {
        sum(sigs.into_iter().map(|s| *s.point())).map(Self::from_point)
    }
}

impl<V: Variant> PublicKey<V> {
    /// The sum of the keys. Only meaningful for keys whose proofs of
    /// possession were checked (otherwise a rogue key can cancel others).
    pub fn aggregate<'a>(
        keys: impl IntoIterator<Item = &'a PublicKey<V>>,
    ) -> Result<Self, AggregateError> {
        sum(keys.into_iter().map(|k| *k.point())).map(Self::from_point)
    }
}

/// `FastAggregateVerify` of the proof-of-possession scheme: every signer
/// signed the same `msg`. Each key's proof of possession must have been
/// verified before (see [`crate::ProofOfPossession`]); that is the caller's
/// duty. An empty key list never verifies.
pub fn fast_aggregate_verify<V: Variant>(
    keys: &[PublicKey<V>],
    msg: &[u8],
    sig: &Signature<V>,
) -> bool {
    match PublicKey::aggregate(keys) {
        Ok(aggregate) => aggregate.verify(Suite::ProofOfPossession, msg, sig),
        Err(_) => false,
    }
}

/// `AggregateVerify` of the basic scheme: signer `i` signed `msgs[i]`, and
/// the messages must be pairwise distinct (the basic scheme's defence
/// against rogue keys). One multi-pairing of `n + 1` terms.
pub fn aggregate_verify<V: Variant>(
    keys: &[PublicKey<V>],
    msgs: &[&[u8]],
    sig: &Signature<V>,
) -> Result<bool, AggregateError> {
    if keys.len() != msgs.len() {
        return Err(AggregateError::LengthMismatch {
            keys: keys.len(),
            messages: msgs.len(),
        });
    }
    if keys.is_empty() {
        return Err(AggregateError::Empty);
    }
    let mut order: Vec<usize> = (0..msgs.len()).collect();
    order.sort_by_key(|&i| msgs.get(i).copied().unwrap_or_default());
    for pair in order.windows(2) {
        if let [a, b] = *pair {
            if msgs.get(a) == msgs.get(b) {
                return Err(AggregateError::DuplicateMessage(a.min(b), a.max(b)));
            }
        }
    }
    let mut sig_side = Vec::with_capacity(keys.len() + 1);
    let mut pk_side = Vec::with_capacity(keys.len() + 1);
    sig_side.push(*sig.point());
    pk_side.push(V::PublicKeyPoint::generator().neg());
    for (key, msg) in keys.iter().zip(msgs) {
        sig_side.push(*MessageHash::<V>::new(Suite::Basic, msg).point());
        pk_side.push(*key.point());
    }
    Ok(V::pairing_product_is_one(&sig_side, &pk_side))
}
