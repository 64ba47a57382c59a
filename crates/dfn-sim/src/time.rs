//! Virtual time: whole milliseconds since the start of a run.

use core::fmt;
use core::ops::{Add, AddAssign, Sub};

use serde::Serialize;

/// A point in virtual time, in milliseconds since the start of the run.
///
/// The simulator's clock never reads a real clock: it jumps from one
/// scheduled event to the next. Protocol crates carry their own `Time`
/// type; convert with [`Time::from_millis`] and [`Time::as_millis`].
///
/// Arithmetic saturates instead of overflowing: `Time::MAX` stands for
/// "never".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Time(u64);

impl Time {
    /// The start of every run.
    pub const ZERO: Time = Time(0);
    /// The end of time; a deadline that never comes.
    pub const MAX: Time = Time(u64::MAX);

    /// The time `ms` milliseconds after the start.
    #[must_use]
    pub const fn from_millis(ms: u64) -> Time {
        Time(ms)
    }

    /// The time `s` seconds after the start (saturating).
    #[must_use]
    pub const fn from_secs(s: u64) -> Time {
        Time(s.saturating_mul(1000))
    }

    /// Milliseconds since the start.
    #[must_use]
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// `self + ms`, saturating at [`Time::MAX`].
    #[must_use]
    pub const fn saturating_add(self, ms: u64) -> Time {
        Time(self.0.saturating_add(ms))
    }

    /// Milliseconds from `earlier` to `self`, or 0 when `earlier` is later.
    #[must_use]
    pub const fn since(self, earlier: Time) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl Add<u64> for Time {
    type Output = Time;

    /// Adds milliseconds, saturating.
    fn add(self, ms: u64) -> Time {
        self.saturating_add(ms)
    }
}

impl AddAssign<u64> for Time {
    fn add_assign(&mut self, ms: u64) {
        *self = self.saturating_add(ms);
    }
}

impl Sub for Time {
    type Output = u64;

    /// Milliseconds between two times, saturating at 0.
    fn sub(self, earlier: Time) -> u64 {
        self.since(earlier)
    }
}

impl fmt::Display for Time {
    /// Seconds with millisecond precision: `12.345s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}s", self.0 / 1000, self.0 % 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(Time::MAX + 1, Time::MAX);
        assert_eq!(Time::from_millis(5) - Time::from_millis(9), 0);
        assert_eq!(Time::from_millis(9) - Time::from_millis(5), 4);
        let mut t = Time::ZERO;
        t += 1500;
        assert_eq!(t, Time::from_millis(1500));
        assert_eq!(Time::from_secs(u64::MAX), Time::MAX);
    }

    #[test]
    fn display_is_seconds_with_millis() {
        assert_eq!(Time::from_millis(12_345).to_string(), "12.345s");
        assert_eq!(Time::from_millis(7).to_string(), "0.007s");
    }
}
