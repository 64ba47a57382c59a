//! Drawing a level's builders from the beacon.

use alloc::vec::Vec;

use super::error::TowerError;
use super::level::BuilderId;
use crate::draw::reduce;
use crate::hash::{B256, keccak256};

/// Domain tag of the builder draw, so its hashes never collide with other
/// uses of the same beacon value.
const DRAW_DOMAIN: &[u8] = b"DFN-TOWER-BUILDERS-V1";

/// Draws `k` distinct builders for level `index` from `eligible`, keyed by
/// the beacon value `beacon`.
///
/// A partial Fisher–Yates shuffle: step `i` swaps position `i` with
/// `i + (u256_be(keccak256(tag ‖ beacon ‖ index ‖ i)) mod (n − i))` and
/// takes what lands at `i`. Every `k`-subset in every order is (up to a
/// bias below `n/2^256`) equally likely, and the result depends only on the
/// inputs, so `eligible` must be in an order every process agrees on;
/// [`Tower::draw_builders`](super::Tower::draw_builders) gives the same
/// result as this over the sorted eligible builders.
pub fn select_builders(
    beacon: &B256,
    index: u64,
    eligible: &[BuilderId],
    k: usize,
) -> Result<Vec<BuilderId>, TowerError> {
    draw_positions(beacon, index, eligible.len(), k)?
        .into_iter()
        .map(|position| {
            eligible
                .get(position)
                .copied()
                .ok_or(TowerError::NotEnoughBuilders {
                    eligible: eligible.len(),
                    needed: k,
                })
        })
        .collect()
}

/// The positions in `0..n` that [`select_builders`] takes, in order.
///
/// The shuffle is virtual: only the positions it swapped are stored (at
/// most `k`), so a draw costs `O(k²)` whatever `n` is.
pub(crate) fn draw_positions(
    beacon: &B256,
    index: u64,
    n: usize,
    k: usize,
) -> Result<Vec<usize>, TowerError> {
    if n < k {
        return Err(TowerError::NotEnoughBuilders {
            eligible: n,
            needed: k,
        });
    }
    // (position, value) for positions whose value is not the identity.
    let mut moved: Vec<(usize, usize)> = Vec::with_capacity(k);
    let value_at = |moved: &[(usize, usize)], position: usize| {
        moved
            .iter()
            .find(|(p, _)| *p == position)
            .map_or(position, |(_, v)| *v)
    };
    let mut taken = Vec::with_capacity(k);
    let mut preimage = Vec::with_capacity(DRAW_DOMAIN.len() + 32 + 8 + 8);
    for i in 0..k {
        preimage.clear();
        preimage.extend_from_slice(DRAW_DOMAIN);
        preimage.extend_from_slice(&beacon.0);
        preimage.extend_from_slice(&index.to_be_bytes());
        preimage.extend_from_slice(&(i as u64).to_be_bytes());
        let span = (n - i) as u64;
        let j = i + usize::try_from(reduce(&keccak256(&preimage).0, span)).unwrap_or(0);
        let (at_i, at_j) = (value_at(&moved, i), value_at(&moved, j));
        // Position i is never read again; position j now holds what was at i.
        match moved.iter_mut().find(|(p, _)| *p == j) {
            Some(slot) => slot.1 = at_i,
            None => moved.push((j, at_i)),
        }
        taken.push(at_j);
    }
    Ok(taken)
}
