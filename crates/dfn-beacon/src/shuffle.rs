//! The seeded Fisher–Yates shuffle behind group formation (§2) and the
//! PSP chain's priority lists (§3): one implementation, so both draw the
//! same way.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use chacha20::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

/// The first `k` positions of a Fisher–Yates shuffle of `0..n` driven by
/// ChaCha20 seeded with `seed`: step `i` swaps position `i` with position
/// `i + below(n − i)`. Swap targets are drawn by rejection sampling
/// (unbiased). The prefix is computed with a sparse map of displaced
/// positions, in `O(k log k)` whatever `n` is, and equals the first `k`
/// entries of the full shuffle.
pub fn shuffle_prefix(n: usize, seed: [u8; 32], k: usize) -> Vec<usize> {
    let k = k.min(n);
    let mut rng = ChaCha20Rng::from_seed(seed);
    // Positions whose entry is not their own index.
    let mut moved: BTreeMap<usize, usize> = BTreeMap::new();
    let mut out = Vec::with_capacity(k);
    for i in 0..k {
        let j = i + below(&mut rng, (n - i) as u64) as usize;
        let at_i = moved.get(&i).copied().unwrap_or(i);
        let at_j = moved.get(&j).copied().unwrap_or(j);
        // Position i is final after this step; j receives i's entry.
        moved.insert(j, at_i);
        out.push(at_j);
    }
    out
}

/// A uniform draw from `0..bound` (`bound ≥ 1`) by rejection.
fn below(rng: &mut ChaCha20Rng, bound: u64) -> u64 {
    // Values in the last partial block of u64::MAX would bias the result.
    let zone = u64::MAX - (u64::MAX % bound);
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % bound;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use super::*;

    /// The dense shuffle the prefix must agree with.
    fn dense(n: usize, seed: [u8; 32]) -> Vec<usize> {
        let mut rng = ChaCha20Rng::from_seed(seed);
        let mut v: Vec<usize> = (0..n).collect();
        for i in 0..n {
            let j = i + below(&mut rng, (n - i) as u64) as usize;
            v.swap(i, j);
        }
        v
    }

    #[test]
    fn prefix_is_the_dense_shuffle_prefix() {
        for (n, s) in [(1, 0u8), (2, 1), (10, 2), (257, 3), (1000, 4)] {
            let seed = [s; 32];
            let full = dense(n, seed);
            for k in [0, 1, n / 2, n] {
                assert_eq!(shuffle_prefix(n, seed, k), full[..k]);
            }
            let mut sorted = full.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..n).collect::<Vec<_>>());
        }
        assert_eq!(shuffle_prefix(3, [0; 32], 10).len(), 3);
    }
}
