//! Every number of PHI's rules.

use thiserror::Error;

/// The highest reputation; reputations live in `0..=MAX_REPUTATION`
/// (per mille).
pub const MAX_REPUTATION: u32 = 1_000;

/// One in a million: the unit of [`PhiConfig::stop_ppm`].
pub const PPM: u32 = 1_000_000;

/// PHI's parameters. Amounts are in the stable coin's smallest unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhiConfig {
    /// Smallest deposit to join, and to be drawn.
    pub min_deposit: u64,
    /// A new validator's reputation.
    pub initial_reputation: u32,
    /// Validators below this reputation are frozen: never drawn, and their
    /// deposit cannot be withdrawn until repaid loans lift them again.
    pub freeze_below: u32,
    /// A sequence never approves with fewer approvals than this.
    pub min_sequence: u32,
    /// A sequence stops (approving) at this many approvals.
    pub max_sequence: u32,
    /// After an approval by a validator of reputation `r` (and at least
    /// `min_sequence` approvals), the next beacon draw stops the sequence
    /// with probability `stop_ppm · r / MAX_REPUTATION` parts per million:
    /// the lower the reputations, the longer the chains.
    pub stop_ppm: u32,
    /// A drawn validator must answer within this many beacon heights, or it
    /// is skipped (and loses `silent_loss`).
    pub answer_heights: u64,
    /// Reputation gained by each approver of a repaid loan.
    pub repaid_gain: u32,
    /// Reputation lost by each approver of a defaulted loan.
    pub default_loss: u32,
    /// Reputation lost by the side an appeal overrules.
    pub overruled_loss: u32,
    /// Reputation lost by a validator that did not answer in time.
    pub silent_loss: u32,
    /// Of a repaid loan's principal, the fee (basis points) shared equally
    /// by its approvers and added to their deposits.
    pub fee_bp: u32,
    /// Of a defaulted loan's principal, the part (basis points) taken from
    /// its approvers' deposits, in equal shares capped by each deposit.
    pub cover_bp: u32,
}

impl Default for PhiConfig {
    fn default() -> Self {
        Self {
            min_deposit: 1_000,
            initial_reputation: 500,
            freeze_below: 200,
            min_sequence: 2,
            max_sequence: 12,
            stop_ppm: 500_000,
            answer_heights: 3,
            repaid_gain: 15,
            default_loss: 120,
            overruled_loss: 40,
            silent_loss: 25,
            fee_bp: 500,
            cover_bp: 10_000,
        }
    }
}

/// A configuration PHI refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PhiConfigError {
    /// `min_sequence` is 0 or above `max_sequence`.
    #[error("need 1 <= min_sequence <= max_sequence, got {min} and {max}")]
    SequenceBounds {
        /// `min_sequence`.
        min: u32,
        /// `max_sequence`.
        max: u32,
    },
    /// A reputation parameter above [`MAX_REPUTATION`], or the initial
    /// reputation already frozen.
    #[error("reputation parameters must lie in 0..=1000 with initial >= freeze_below")]
    Reputation,
    /// `stop_ppm` is 0 (sequences would never stop before the cap) or above
    /// a million.
    #[error("stop_ppm must lie in 1..=1000000, got {0}")]
    StopProbability(u32),
    /// A basis-point share above 100 %.
    #[error("fee_bp and cover_bp must be at most 10000")]
    BasisPoints,
    /// No deposit or no time to answer.
    #[error("min_deposit and answer_heights must be positive")]
    Zero,
}

impl PhiConfig {
    /// Checks every bound.
    pub fn validate(&self) -> Result<(), PhiConfigError> {
        if self.min_sequence == 0 || self.min_sequence > self.max_sequence {
            return Err(PhiConfigError::SequenceBounds {
                min: self.min_sequence,
                max: self.max_sequence,
            });
        }
        let reps = [
            self.initial_reputation,
            self.freeze_below,
            self.repaid_gain,
            self.default_loss,
            self.overruled_loss,
            self.silent_loss,
        ];
        if reps.iter().any(|r| *r > MAX_REPUTATION) || self.initial_reputation < self.freeze_below {
            return Err(PhiConfigError::Reputation);
        }
        if self.stop_ppm == 0 || self.stop_ppm > PPM {
            return Err(PhiConfigError::StopProbability(self.stop_ppm));
        }
        if self.fee_bp > 10_000 || self.cover_bp > 10_000 {
            return Err(PhiConfigError::BasisPoints);
        }
        if self.min_deposit == 0 || self.answer_heights == 0 {
            return Err(PhiConfigError::Zero);
        }
        Ok(())
    }

    /// The probability (ppm) that the draw after an approval by a validator
    /// of reputation `reputation` stops the sequence.
    pub fn stop_probability_ppm(&self, reputation: u32) -> u32 {
        let p = u64::from(self.stop_ppm) * u64::from(reputation.min(MAX_REPUTATION))
            / u64::from(MAX_REPUTATION);
        u32::try_from(p).unwrap_or(PPM)
    }
}
