//! The chain's parameters.

use dfn_beacon::BeaconConfig;
use thiserror::Error;

/// The chain's parameters; the same at every process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PspConfig {
    /// The beacon's parameters (its genesis seed is the chain's too).
    pub beacon: BeaconConfig,
    /// `BT`, the base block time: a process enters height `h` at `T_h`
    /// (its first sight of a notarization at `h − 1`), and notaries sign
    /// nothing before `T_h + BT`.
    pub block_time_ms: u64,
    /// `Δslot`: a block of slot `k` is made and recognized no earlier than
    /// `T_h + BT + k·Δslot`.
    pub slot_ms: u64,
    /// `Δ`, the network delay bound the finality rule is safe under. Must
    /// satisfy `BT > 2Δ` (checked by [`PspConfig::validate`]): a process
    /// that enters `h` relays the notarization it saw, every correct
    /// process has it within `Δ` and stops signing at `h − 1`, and any
    /// notarization of `h − 1` formed before then reaches the process
    /// within another `Δ`: by `T_h + BT` it has seen every notarized block
    /// of `h − 1`.
    pub delta_ms: u64,
    /// Slots drawn from the priority list; makers beyond make nothing
    /// (their blocks would weigh `2^-slots` or less).
    pub slots: u32,
    /// Adaptive block time: for each height by which the notarized height
    /// runs ahead of the finalized height beyond the normal two, `BT` is
    /// multiplied by `backoff_num / backoff_den` (default 3/2), up to
    /// `max_block_time_ms`; it returns to the base as finality catches up.
    pub backoff_num: u64,
    /// See `backoff_num`.
    pub backoff_den: u64,
    /// The cap of the adaptive block time.
    pub max_block_time_ms: u64,
    /// Messages up to this many heights ahead are kept until their height
    /// comes; further ones start a catch-up instead.
    pub buffer_heights: u64,
    /// At most this many messages are kept for future heights.
    pub buffer_messages: usize,
    /// Without a new height for this long the process reports a stall
    /// once and sends its latest notarization, block and shares again.
    pub stall_ms: u64,
    /// Heights per catch-up request.
    pub catch_up_batch: u32,
    /// A catch-up request unanswered for this long may be sent again.
    pub catch_up_timeout_ms: u64,
    /// Finalized heights kept (to serve catch-up) before pruning.
    pub retain_heights: u64,
    /// How many notaries relay a notarization they recovered at once (a
    /// rotating choice, as for beacon values); the others relay it after
    /// `relay_backup_ms` unless a copy reached them. `0`: all at once.
    pub relayers: u32,
    /// See `relayers`.
    pub relay_backup_ms: u64,
}

/// A configuration the protocol's guarantees do not hold under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `BT ≤ 2Δ`: finality would not be safe.
    #[error("block time {block_time_ms} ms must exceed twice the delay bound {delta_ms} ms")]
    BlockTimeTooShort {
        /// `BT`.
        block_time_ms: u64,
        /// `Δ`.
        delta_ms: u64,
    },
    /// No slot, or a zero back-off denominator, or a cap below the base.
    #[error("invalid parameter: {0}")]
    Invalid(&'static str),
}

impl PspConfig {
    /// The defaults of `protocol.md` §3: `BT` 5 s, `Δslot` 1 s, `Δ` 2 s,
    /// 16 slots, back-off ×3/2 up to 60 s.
    pub fn new(genesis_seed: [u8; 32]) -> Self {
        Self {
            beacon: BeaconConfig::new(genesis_seed),
            block_time_ms: 5_000,
            slot_ms: 1_000,
            delta_ms: 2_000,
            slots: 16,
            backoff_num: 3,
            backoff_den: 2,
            max_block_time_ms: 60_000,
            buffer_heights: 4,
            buffer_messages: 16_384,
            stall_ms: 20_000,
            catch_up_batch: 64,
            catch_up_timeout_ms: 2_000,
            retain_heights: 1_024,
            relayers: 0,
            relay_backup_ms: 1_000,
        }
    }

    /// Checks the invariants the guarantees rest on.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.block_time_ms <= self.delta_ms.saturating_mul(2) {
            return Err(ConfigError::BlockTimeTooShort {
                block_time_ms: self.block_time_ms,
                delta_ms: self.delta_ms,
            });
        }
        if self.slots == 0 {
            return Err(ConfigError::Invalid("slots must be at least 1"));
        }
        if self.backoff_den == 0 || self.backoff_num < self.backoff_den {
            return Err(ConfigError::Invalid("back-off factor must be at least 1"));
        }
        if self.max_block_time_ms < self.block_time_ms {
            return Err(ConfigError::Invalid("max block time below the block time"));
        }
        Ok(())
    }

    /// `BT` at a height whose previous height runs `gap` heights ahead of
    /// the finalized height beyond the normal two:
    /// `min(BT · (num/den)^gap, max)`, in integer milliseconds.
    pub fn block_time(&self, gap: u64) -> u64 {
        let mut bt = self.block_time_ms;
        for _ in 0..gap {
            bt = bt.saturating_mul(self.backoff_num) / self.backoff_den.max(1);
            if bt >= self.max_block_time_ms {
                return self.max_block_time_ms;
            }
        }
        bt.min(self.max_block_time_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_time_backs_off_by_three_halves_and_caps() {
        let c = PspConfig::new([0; 32]);
        assert_eq!(c.block_time(0), 5_000);
        assert_eq!(c.block_time(1), 7_500);
        assert_eq!(c.block_time(2), 11_250);
        assert_eq!(c.block_time(100), 60_000);
        assert!(c.validate().is_ok());
        let bad = PspConfig {
            delta_ms: 2_500,
            ..c
        };
        assert_eq!(
            bad.validate(),
            Err(ConfigError::BlockTimeTooShort {
                block_time_ms: 5_000,
                delta_ms: 2_500
            })
        );
    }
}
