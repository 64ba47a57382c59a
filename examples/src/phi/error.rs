//! What PHI refuses.

use thiserror::Error;

use super::types::{ApplicationId, ValidatorId};

/// A refused input; state is unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PhiError {
    /// A deposit below the minimum.
    #[error("deposit {deposit} below the minimum {min}")]
    DepositTooSmall {
        /// Offered.
        deposit: u64,
        /// Required.
        min: u64,
    },
    /// No such validator.
    #[error("unknown validator {0:?}")]
    UnknownValidator(ValidatorId),
    /// No such application.
    #[error("unknown application {0:?}")]
    UnknownApplication(ApplicationId),
    /// A loan of nothing.
    #[error("a loan must be of a positive amount")]
    ZeroAmount,
    /// A beacon value not above the last height seen.
    #[error("beacon height {height} not above the last one, {last}")]
    StaleBeacon {
        /// Offered.
        height: u64,
        /// Last seen.
        last: u64,
    },
    /// A decision from a validator nobody is waiting on.
    #[error("{validator:?} was not asked about {application:?}")]
    NotAsked {
        /// The application.
        application: ApplicationId,
        /// The validator.
        validator: ValidatorId,
    },
    /// An appeal of an application that is not rejected, or a second one.
    #[error("{0:?} cannot be appealed")]
    NotAppealable(ApplicationId),
    /// An outcome for an application without an outstanding loan.
    #[error("{0:?} has no outstanding loan")]
    NoLoan(ApplicationId),
    /// A withdrawal by a frozen validator, or one with outstanding loans,
    /// or above its deposit.
    #[error("{0:?} cannot withdraw that now")]
    CannotWithdraw(ValidatorId),
    /// An amount that does not fit.
    #[error("amount overflow")]
    Overflow,
    /// A broken invariant (a bug): what broke.
    #[error("invariant broken: {0}")]
    Invariant(&'static str),
}
