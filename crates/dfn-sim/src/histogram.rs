//! A small log-linear histogram of `u64` values (milliseconds, bytes).
//!
//! Values below 16 have a bucket each; above, every power of two is split
//! into 16 equal buckets, so a quantile is within 1/16 (6.25%) of the true
//! value, below it. Count, sum, minimum and maximum are exact. At most 976
//! buckets, allocated up to the largest value seen.

use serde::Serialize;

const SUB_BITS: u32 = 4;
const SUB: u64 = 1 << SUB_BITS;

/// A histogram of `u64` values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Histogram {
    counts: Vec<u64>,
    count: u64,
    sum: u128,
    min: u64,
    max: u64,
}

fn bucket_of(v: u64) -> usize {
    if v < SUB {
        return v as usize;
    }
    let e = 63 - v.leading_zeros(); // >= SUB_BITS
    let shift = e - SUB_BITS;
    let mantissa = (v >> shift) & (SUB - 1);
    (SUB + u64::from(shift) * SUB + mantissa) as usize
}

/// The smallest value that falls in `bucket`.
fn bucket_floor(bucket: usize) -> u64 {
    let b = bucket as u64;
    if b < SUB {
        return b;
    }
    let shift = (b - SUB) / SUB;
    let mantissa = (b - SUB) % SUB;
    (SUB | mantissa) << shift
}

impl Histogram {
    /// An empty histogram.
    #[must_use]
    pub fn new() -> Histogram {
        Histogram::default()
    }

    /// Record one value.
    pub fn record(&mut self, v: u64) {
        let b = bucket_of(v);
        if b >= self.counts.len() {
            self.counts.resize(b + 1, 0);
        }
        if let Some(c) = self.counts.get_mut(b) {
            *c += 1;
        }
        if self.count == 0 || v < self.min {
            self.min = v;
        }
        self.max = self.max.max(v);
        self.count += 1;
        self.sum += u128::from(v);
    }

    /// Number of values recorded.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Smallest value, or 0 when empty.
    #[must_use]
    pub fn min(&self) -> u64 {
        self.min
    }

    /// Largest value, or 0 when empty.
    #[must_use]
    pub fn max(&self) -> u64 {
        self.max
    }

    /// Mean, rounded down, or 0 when empty.
    #[must_use]
    pub fn mean(&self) -> u64 {
        if self.count == 0 {
            return 0;
        }
        u64::try_from(self.sum / u128::from(self.count)).unwrap_or(u64::MAX)
    }

    /// The value at quantile `per_mille / 1000` (500 is the median): the
    /// lower bound of the bucket holding it, clamped to `[min, max]`. 0 when
    /// empty.
    #[must_use]
    pub fn quantile(&self, per_mille: u32) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let q = u128::from(per_mille.min(1000));
        // Rank of the wanted value, 1-based.
        let rank = ((u128::from(self.count) * q).div_ceil(1000)).max(1);
        let mut seen = 0u128;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += u128::from(c);
            if seen >= rank {
                return bucket_floor(b).clamp(self.min, self.max);
            }
        }
        self.max
    }

    /// Add every value of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        if other.count == 0 {
            return;
        }
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.min = if self.count == 0 {
            other.min
        } else {
            self.min.min(other.min)
        };
        self.max = self.max.max(other.max);
        self.count += other.count;
        self.sum += other.sum;
    }

    /// Count, min, mean, median, 90th, 99th percentile and max.
    #[must_use]
    pub fn summary(&self) -> Summary {
        Summary {
            count: self.count,
            min: self.min,
            mean: self.mean(),
            p50: self.quantile(500),
            p90: self.quantile(900),
            p99: self.quantile(990),
            max: self.max,
        }
    }
}

/// The usual figures of a [`Histogram`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Number of values.
    pub count: u64,
    /// Smallest value.
    pub min: u64,
    /// Mean, rounded down.
    pub mean: u64,
    /// Median (within 6.25%).
    pub p50: u64,
    /// 90th percentile (within 6.25%).
    pub p90: u64,
    /// 99th percentile (within 6.25%).
    pub p99: u64,
    /// Largest value.
    pub max: u64,
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotone_and_floors_invert_them() {
        let mut last = 0;
        for v in (0..5000u64).chain([u64::MAX / 3, u64::MAX]) {
            let b = bucket_of(v);
            assert!(b >= last);
            last = b;
            let floor = bucket_floor(b);
            assert!(floor <= v);
            // Relative error below 1/16.
            assert!(v - floor <= v / 16, "{v} {floor}");
            assert_eq!(bucket_of(floor), b);
        }
        assert!(bucket_of(u64::MAX) < 976);
    }

    #[test]
    fn quantiles_of_a_uniform_sequence() {
        let mut h = Histogram::new();
        for v in 1..=1000u64 {
            h.record(v);
        }
        assert_eq!(h.count(), 1000);
        assert_eq!(h.min(), 1);
        assert_eq!(h.max(), 1000);
        assert_eq!(h.mean(), 500);
        let p50 = h.quantile(500);
        assert!((470..=500).contains(&p50), "{p50}");
        let p90 = h.quantile(900);
        assert!((845..=900).contains(&p90), "{p90}");
        assert_eq!(h.quantile(0), 1);
        assert!(h.quantile(1000) >= 960);
    }

    #[test]
    fn small_values_are_exact_and_merge_adds() {
        let mut a = Histogram::new();
        for v in [3, 3, 3, 7] {
            a.record(v);
        }
        assert_eq!(a.quantile(500), 3);
        assert_eq!(a.quantile(1000), 7);
        let mut b = Histogram::new();
        b.record(1);
        b.merge(&a);
        assert_eq!(b.count(), 5);
        assert_eq!(b.min(), 1);
        assert_eq!(b.max(), 7);
        assert_eq!(Histogram::new().summary(), Summary::default());
    }
}
