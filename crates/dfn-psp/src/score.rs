//! Block weights and chain scores, exact and identical at every process.
//!
//! A block of slot `k` weighs `w(k) = 2^-k`; a chain scores the sum of its
//! blocks' weights. Scores are Q64.64 fixed-point integers in a `u128`:
//! `w(k) = 2^(64−k)` for `k ≤ 64` and `0` beyond (slots past 64 carry no
//! weight), so sums are exact (below 2^64 blocks) and every process orders
//! chains the same way; floats would not.

use core::fmt;

/// A chain score in Q64.64 fixed point (`1.0 = 2^64`).
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score(pub u128);

impl Score {
    /// The empty chain's score.
    pub const ZERO: Score = Score(0);

    /// The weight of a block made in slot `slot`: `2^-slot`.
    pub fn weight(slot: u32) -> Score {
        if slot > 64 {
            Score(0)
        } else {
            Score(1u128 << (64 - slot))
        }
    }

    /// This score extended by a block of slot `slot` (saturating, which
    /// takes 2^64 slot-0 blocks to reach).
    pub fn extend(self, slot: u32) -> Score {
        Score(self.0.saturating_add(Score::weight(slot).0))
    }
}

impl fmt::Debug for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Score({self})")
    }
}

impl fmt::Display for Score {
    /// Integer part and six decimals (display only; comparisons use the
    /// exact value).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 >> 64;
        let frac = ((self.0 & u128::from(u64::MAX)) * 1_000_000) >> 64;
        write!(f, "{whole}.{frac:06}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_halve_per_slot_and_vanish_past_64() {
        assert_eq!(Score::weight(0), Score(1 << 64));
        assert_eq!(Score::weight(1).0 * 2, Score::weight(0).0);
        assert_eq!(Score::weight(64), Score(1));
        assert_eq!(Score::weight(65), Score(0));
        assert_eq!(Score::weight(u32::MAX), Score(0));
        let s = Score::ZERO.extend(0).extend(1).extend(2);
        assert_eq!(alloc::format!("{s}"), "1.750000");
        assert_eq!(Score(u128::MAX).extend(0), Score(u128::MAX));
    }
}
