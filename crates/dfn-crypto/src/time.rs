//! Time as the host tells it: the state machines of dfn never read a clock.

use core::fmt;
use core::ops::Add;

/// A point in time in milliseconds, on whatever clock the host runs (wall
/// clock, a simulator's virtual clock, or block heights scaled to
/// milliseconds). Only its order and differences matter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(u64);

impl Time {
    /// The origin of the host's clock.
    pub const ZERO: Time = Time(0);

    /// `ms` milliseconds after the origin.
    pub const fn from_millis(ms: u64) -> Self {
        Time(ms)
    }

    /// Milliseconds since the origin.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// `ms` milliseconds later, saturating at the end of time.
    pub const fn after(self, ms: u64) -> Self {
        Time(self.0.saturating_add(ms))
    }
}

impl Add<u64> for Time {
    type Output = Time;

    /// Adds milliseconds, saturating.
    fn add(self, ms: u64) -> Time {
        self.after(ms)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ms", self.0)
    }
}
