//! Latency distributions and loss probabilities.

use serde::Serialize;

use crate::error::SimError;
use crate::rng::SimRng;

/// How long a message spends on a link, in whole milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Latency {
    /// Always the same.
    Fixed(u64),
    /// Uniform over `min..=max`.
    Uniform {
        /// Smallest value.
        min: u64,
        /// Largest value.
        max: u64,
    },
    /// Normal with the given mean and standard deviation, truncated below
    /// at `min` (a draw below `min` is redrawn, up to 64 times, then
    /// `min` is used), rounded to the nearest millisecond.
    ///
    /// Sampling uses floating point (Marsaglia's polar method with this
    /// crate's own logarithm, built from `+ - * /` and `sqrt` only, which
    /// IEEE 754 rounds exactly on every platform), so the draws, and hence
    /// the audit hash, are the same everywhere.
    Normal {
        /// Mean, in milliseconds.
        mean: u64,
        /// Standard deviation, in milliseconds.
        std_dev: u64,
        /// Lower bound, in milliseconds.
        min: u64,
    },
}

impl Latency {
    /// Whether the parameters make sense (`min <= max` for uniform).
    pub(crate) fn validate(&self) -> Result<(), SimError> {
        match *self {
            Latency::Uniform { min, max } if min > max => {
                Err(SimError::InvalidLatency { min, max })
            }
            _ => Ok(()),
        }
    }

    /// One draw, in milliseconds.
    pub fn sample(&self, rng: &mut SimRng) -> u64 {
        match *self {
            Latency::Fixed(ms) => ms,
            Latency::Uniform { min, max } => rng.range_inclusive(min, max),
            Latency::Normal { mean, std_dev, min } => {
                if std_dev == 0 {
                    return mean.max(min);
                }
                for _ in 0..64 {
                    let v = mean as f64 + std_dev as f64 * standard_normal(rng);
                    let r = (v + 0.5).floor();
                    if r >= min as f64 {
                        // In range of u64 for any sane configuration; the
                        // cast saturates otherwise.
                        return r as u64;
                    }
                }
                min
            }
        }
    }

    /// The mean of the distribution, ignoring truncation, in milliseconds.
    #[must_use]
    pub fn mean(&self) -> u64 {
        match *self {
            Latency::Fixed(ms) => ms,
            Latency::Uniform { min, max } => min / 2 + max / 2 + (min % 2 + max % 2) / 2,
            Latency::Normal { mean, .. } => mean,
        }
    }
}

/// A standard normal draw by Marsaglia's polar method.
fn standard_normal(rng: &mut SimRng) -> f64 {
    loop {
        let u = 2.0 * rng.unit_f64() - 1.0;
        let v = 2.0 * rng.unit_f64() - 1.0;
        let s = u * u + v * v;
        if s > 0.0 && s < 1.0 {
            return u * (-2.0 * ln(s) / s).sqrt();
        }
    }
}

/// Natural logarithm of a positive, finite, normal `x`, from exactly
/// rounded operations only (`f64::ln` calls the platform's libm, whose last
/// bit may differ between systems).
///
/// `x = m * 2^e` with `m` in `[1/sqrt 2, sqrt 2)`, then
/// `ln m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...)` with
/// `s = (m - 1) / (m + 1)`, `|s| < 0.172`; 12 terms reach double precision.
fn ln(x: f64) -> f64 {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    let mut e = exp;
    if m > core::f64::consts::SQRT_2 {
        m /= 2.0;
        e += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    let mut k = 1.0;
    for _ in 0..12 {
        sum += term / k;
        term *= s2;
        k += 2.0;
    }
    e as f64 * core::f64::consts::LN_2 + 2.0 * sum
}

/// A probability in parts per million (`0..=1_000_000`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Probability(u32);

impl Probability {
    /// Never.
    pub const ZERO: Probability = Probability(0);
    /// Always.
    pub const ONE: Probability = Probability(1_000_000);

    /// `ppm` parts per million; more than 1,000,000 is an error.
    pub fn from_ppm(ppm: u32) -> Result<Probability, SimError> {
        if ppm > 1_000_000 {
            return Err(SimError::InvalidProbability { ppm });
        }
        Ok(Probability(ppm))
    }

    /// `percent` percent; more than 100 is an error.
    pub fn from_percent(percent: u32) -> Result<Probability, SimError> {
        Probability::from_ppm(percent.saturating_mul(10_000))
    }

    /// Parts per million.
    #[must_use]
    pub const fn ppm(self) -> u32 {
        self.0
    }

    /// One draw: true with this probability. Draws nothing for 0.
    pub(crate) fn draw(self, rng: &mut SimRng) -> bool {
        self.0 != 0 && rng.below(1_000_000) < u64::from(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_ln_matches_libm() {
        for x in [
            1e-300, 1e-9, 0.001, 0.1, 0.5, 0.7, 0.71, 0.9999, 1.0, 1.5, 2.0, 10.0, 12345.678,
        ] {
            let ours = ln(x);
            let std = x.ln();
            assert!(
                (ours - std).abs() <= 4.0 * f64::EPSILON * std.abs().max(1.0),
                "{x}: {ours} vs {std}"
            );
        }
    }

    #[test]
    fn fixed_and_degenerate_draw_nothing() {
        let mut r = SimRng::for_purpose(1, 0);
        let before = r.clone().next_u64();
        assert_eq!(Latency::Fixed(7).sample(&mut r), 7);
        assert_eq!(Latency::Uniform { min: 4, max: 4 }.sample(&mut r), 4);
        assert_eq!(
            Latency::Normal {
                mean: 3,
                std_dev: 0,
                min: 5
            }
            .sample(&mut r),
            5
        );
        assert!(!Probability::ZERO.draw(&mut r));
        assert_eq!(r.next_u64(), before);
    }

    #[test]
    fn validation() {
        assert!(Latency::Uniform { min: 5, max: 4 }.validate().is_err());
        assert!(Latency::Uniform { min: 4, max: 4 }.validate().is_ok());
        assert!(Probability::from_ppm(1_000_001).is_err());
        assert_eq!(
            Probability::from_percent(25).map(Probability::ppm).ok(),
            Some(250_000)
        );
        assert!(Probability::from_percent(101).is_err());
        assert_eq!(Latency::Uniform { min: 3, max: 8 }.mean(), 5);
    }

    #[test]
    fn normal_respects_floor() {
        let mut r = SimRng::for_purpose(2, 0);
        let l = Latency::Normal {
            mean: 10,
            std_dev: 10,
            min: 8,
        };
        for _ in 0..2000 {
            assert!(l.sample(&mut r) >= 8);
        }
    }
}
