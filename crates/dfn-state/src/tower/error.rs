//! What can be wrong with tower messages, fraud proofs and levels.

use super::level::BuilderId;
use crate::rlp::RlpError;

/// Why bytes are not a canonical level or fraud proof.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// The RLP is malformed or has the wrong shape.
    #[error(transparent)]
    Rlp(#[from] RlpError),
    /// The version item names an encoding this code does not know.
    #[error("unsupported encoding version {found}")]
    UnsupportedVersion {
        /// The version read.
        found: u64,
    },
}

/// Why a fraud proof does not prove fraud, on its own terms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FraudError {
    /// Re-execution reaches the level's claimed post-root: a false
    /// accusation.
    #[error("level {level} is correct: re-execution reaches its claimed post-root")]
    NoFraud {
        /// The accused level.
        level: u64,
    },
    /// The level is wrong, but not in the way the accuser says: the
    /// accuser's post-root (or claim that the batch is rejected) differs
    /// from re-execution.
    #[error("the accuser's outcome for level {level} differs from re-execution")]
    AccuserRootMismatch {
        /// The accused level.
        level: u64,
    },
}

/// Why the tower refused an input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TowerError {
    /// The configuration has a zero depth or zero builders per level.
    #[error("depth and builders per level must both be at least 1")]
    InvalidConfig,
    /// A level arrived for a height other than the next one.
    #[error("expected level {expected}, got level {found}")]
    WrongIndex {
        /// The next height.
        expected: u64,
        /// The level's height.
        found: u64,
    },
    /// A level does not start from the tower's current root.
    #[error("level {level} does not start from the tower's root")]
    WrongPreRoot {
        /// The level's height.
        level: u64,
    },
    /// A builder of one of the last `d` levels tried to build again before
    /// that level was buried `d` deep.
    #[error("builder {builder} built level {built} and may not build level {level}")]
    RebuildTooSoon {
        /// The builder.
        builder: BuilderId,
        /// The recent level it built.
        built: u64,
        /// The level it tried to build.
        level: u64,
    },
    /// A level's builders are not the ones the beacon drew.
    #[error("level {level}'s builders are not the ones the beacon drew")]
    WrongBuilders {
        /// The level's height.
        level: u64,
    },
    /// Fewer eligible builders than a level needs.
    #[error("{eligible} eligible builders, a level needs {needed}")]
    NotEnoughBuilders {
        /// Builders not excluded by the no-rebuild rule.
        eligible: usize,
        /// Builders per level.
        needed: usize,
    },
    /// The transition rejects the batch a builder was asked to build.
    #[error("the transition rejects the batch of level {level}")]
    BatchRejected {
        /// The level being built.
        level: u64,
    },
    /// A fraud proof names a level the tower does not hold.
    #[error("no level {level} in the tower")]
    UnknownLevel {
        /// The level named.
        level: u64,
    },
    /// A fraud proof names a level that is already final.
    #[error("level {level} is final")]
    LevelFinal {
        /// The level named.
        level: u64,
    },
    /// A fraud proof's level differs from the level the tower holds at that
    /// height.
    #[error("the fraud proof's level {level} is not the one in the tower")]
    LevelMismatch {
        /// The level named.
        level: u64,
    },
    /// The fraud proof does not prove fraud.
    #[error(transparent)]
    Fraud(#[from] FraudError),
}
