//! Lagrange coefficients at 0 over a set of member indices.

use alloc::vec::Vec;

use crate::backend::Scalar;
use crate::error::ThresholdError;

/// `λ_i = Π_{j≠i} j / (j − i)` for every `i` in `indices` (in that order),
/// so that `f(0) = Σ λ_i·f(i)` for any polynomial of degree `< len`.
///
/// Cost: the `t²` small integer factors are multiplied in `u128` and folded
/// into the field only when a product would overflow (about `t²/4` field
/// multiplications instead of `t²`), and all `t` denominators are inverted
/// with one field inversion (Montgomery's trick).
///
/// Errors on an empty set, a zero index or a repeated index.
pub fn lagrange_coefficients_at_zero<S: Scalar>(indices: &[u32]) -> Result<Vec<S>, ThresholdError> {
    if indices.is_empty() {
        return Err(ThresholdError::NotEnoughShares { have: 0, need: 1 });
    }
    let mut sorted: Vec<u32> = indices.to_vec();
    sorted.sort_unstable();
    if sorted.first() == Some(&0) {
        return Err(ThresholdError::ZeroIndex);
    }
    if let Some(pair) = sorted.windows(2).find(|w| w.first() == w.get(1)) {
        return Err(ThresholdError::DuplicateIndex(
            pair.first().copied().unwrap_or_default(),
        ));
    }

    // numerator Π_j j, shared by all; denominator_i = i · Π_{j≠i} (j − i).
    // numerator Π_j j, shared by all; denominator_i = i · Π_{j≠i} (j − i),
    // whose sign is that of (−1)^(number of indices below i).
    let numerator: S = product(indices.iter().map(|&j| u64::from(j)));
    let denominators: Vec<S> = indices
        .iter()
        .map(|&i| {
            let below = sorted.partition_point(|&j| j < i);
            let distances = indices
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| u64::from(j.abs_diff(i)));
            let magnitude: S = product(core::iter::once(u64::from(i)).chain(distances));
            if below % 2 == 1 {
                magnitude.neg()
            } else {
                magnitude
            }
        })
        .collect();
    let inverses = batch_invert(&denominators).ok_or(ThresholdError::ZeroIndex)?;
    Ok(inverses.iter().map(|inv| numerator.mul(inv)).collect())
}

/// `Π factors` in the field, multiplying in `u128` while it fits.
fn product<S: Scalar>(factors: impl Iterator<Item = u64>) -> S {
    let mut acc = S::one();
    let mut small: u128 = 1;
    for f in factors {
        match small.checked_mul(u128::from(f)) {
            Some(p) => small = p,
            None => {
                acc = acc.mul(&S::from_u128(small));
                small = u128::from(f);
            }
        }
    }
    acc.mul(&S::from_u128(small))
}

/// Inverts every element with one field inversion; `None` if any is zero.
pub(crate) fn batch_invert<S: Scalar>(values: &[S]) -> Option<Vec<S>> {
    // prefix[k] = v_0 · … · v_{k−1}
    let mut prefix = Vec::with_capacity(values.len());
    let mut acc = S::one();
    for v in values {
        prefix.push(acc);
        acc = acc.mul(v);
    }
    let mut inv = acc.invert()?;
    let mut out = alloc::vec![S::zero(); values.len()];
    for ((slot, v), before) in out.iter_mut().zip(values).zip(&prefix).rev() {
        *slot = inv.mul(before);
        inv = inv.mul(v);
    }
    Some(out)
}
