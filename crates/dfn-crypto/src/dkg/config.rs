//! Who takes part in a DKG run, with which keys, and when each phase ends.

use alloc::vec::Vec;

use thiserror::Error;

use super::encryption::DkgPublicKey;
use super::error::DealingError;
use crate::keys::PublicKey;
use crate::time::Time;
use crate::variant::Variant;

/// A member's registered public keys: the long-term signing key that
/// authenticates its DKG messages, and the encryption key its shares are
/// encrypted to. The signing key is of the group's variant and is assumed
/// registered with a proof of possession (it signs under the `_POP_`
/// suite).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member<V: Variant> {
    /// Verifies the member's signed DKG messages.
    pub signing_key: PublicKey<V>,
    /// Receives the member's encrypted shares.
    pub encryption_key: DkgPublicKey<V>,
}

/// Phase deadlines, as offsets from the run's start in milliseconds.
///
/// Each must be long enough for a message sent at the start of its phase
/// to reach every member (the broadcast channel's delay bound) plus the
/// members' processing: at `n = 400` a member spends about 2 s checking
/// the dealings when the deal phase ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// When the run starts: members deal at once.
    pub start: Time,
    /// Length of the deal phase.
    pub deal_ms: u64,
    /// Length of the response phase (complaints, or "all good").
    pub response_ms: u64,
    /// Length of the justification phase.
    pub justify_ms: u64,
}

impl Schedule {
    /// End of the deal phase.
    pub fn deal_deadline(&self) -> Time {
        self.start.after(self.deal_ms)
    }

    /// End of the response phase.
    pub fn response_deadline(&self) -> Time {
        self.deal_deadline().after(self.response_ms)
    }

    /// End of the justification phase, when the run finishes at the latest.
    pub fn justify_deadline(&self) -> Time {
        self.response_deadline().after(self.justify_ms)
    }
}

/// Everything every member must agree on before a run: identical at all of
/// them, or their outputs differ.
#[derive(Clone, Debug)]
pub struct DkgConfig<V: Variant> {
    /// The run context: bytes that make this run unique (a run nonce, the
    /// epoch, the group id). Bound into every key, proof and signature.
    pub context: Vec<u8>,
    /// Shares needed to sign for the group (`t`): the sharing polynomials
    /// have `t` coefficients. `1 ≤ t ≤ n`.
    pub threshold: u32,
    /// The members; member `j` is `members[j − 1]`.
    pub members: Vec<Member<V>>,
    /// Phase deadlines.
    pub schedule: Schedule,
    /// End a phase as soon as every member's message for it is in, instead
    /// of waiting for its deadline ("fast sync").
    ///
    /// Safe only when every member receives the same messages in the same
    /// order (the DKG runs over a consensus log): over plain gossip a member
    /// that moved on early could miss a faulty dealer's second, conflicting
    /// dealing that others saw, and disagree on the qualified set. Off by
    /// default.
    pub fast_sync: bool,
}

/// Why a configuration cannot run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// There must be between 1 and `u32::MAX − 1` members and the
    /// threshold must be in `1..=n`.
    #[error("invalid group: threshold {threshold} for {n} members")]
    InvalidGroup {
        /// Members listed.
        n: usize,
        /// Threshold given.
        threshold: u32,
    },
    /// The run context must fit a `u32` length prefix.
    #[error("the run context is {0} bytes; at most 2^32 - 1 are allowed")]
    ContextTooLong(usize),
    /// Every phase must last at least one millisecond.
    #[error("every phase must last at least 1 ms")]
    EmptyPhase,
    /// The participant's index is not a member's.
    #[error("member index {index} is outside 1..={n}")]
    NotAMember {
        /// The index given.
        index: u32,
        /// Group size.
        n: u32,
    },
    /// The participant's secret keys do not match the keys registered for
    /// its index.
    #[error("the keys given do not match the keys registered for member {0}")]
    KeyMismatch(u32),
    /// Dealing failed (cannot happen for a valid configuration; reported
    /// rather than panicking).
    #[error("dealing failed: {0}")]
    Deal(#[from] DealingError),
}

impl<V: Variant> DkgConfig<V> {
    /// Group size `n`.
    pub fn n(&self) -> u32 {
        u32::try_from(self.members.len()).unwrap_or(u32::MAX)
    }

    /// Member `index`'s keys, `None` outside `1..=n`.
    pub fn member(&self, index: u32) -> Option<&Member<V>> {
        self.members
            .get(usize::try_from(index.checked_sub(1)?).ok()?)
    }

    /// Checks the group, the context and the schedule.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let n = self.members.len();
        let invalid = ConfigError::InvalidGroup {
            n,
            threshold: self.threshold,
        };
        let n32 = u32::try_from(n).map_err(|_| invalid)?;
        if n32 == 0 || n32 == u32::MAX || self.threshold == 0 || self.threshold > n32 {
            return Err(invalid);
        }
        if u32::try_from(self.context.len()).is_err() {
            return Err(ConfigError::ContextTooLong(self.context.len()));
        }
        let s = &self.schedule;
        if s.deal_ms == 0 || s.response_ms == 0 || s.justify_ms == 0 {
            return Err(ConfigError::EmptyPhase);
        }
        Ok(())
    }
}
