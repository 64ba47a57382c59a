//! What PHI asks of its host and tells it.

use super::types::{ApplicationId, ValidatorId};

/// Drained with [`Phi::poll_output`](super::Phi::poll_output) until `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PhiOutput {
    /// Ask a drawn validator's client for its decision; answer with
    /// [`Phi::handle_decision`](super::Phi::handle_decision) within
    /// `answer_heights` beacon heights.
    Ask {
        /// The application.
        application: ApplicationId,
        /// The validator.
        validator: ValidatorId,
        /// 0 first sequence, 1 appeal.
        attempt: u32,
        /// Position in the sequence, from 0.
        step: u32,
    },
    /// Something happened.
    Event(PhiEvent),
}

/// Things a host may log or show.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PhiEvent {
    /// A draw stopped a sequence after `length` approvals: approved.
    Stopped {
        /// The application.
        application: ApplicationId,
        /// 0 or 1.
        attempt: u32,
        /// Approvals in the sequence.
        length: u32,
        /// The height whose value stopped it (`None`: the cap did, or no
        /// validator was left to draw).
        height: Option<u64>,
    },
    /// A drawn validator rejected: the sequence ends.
    Rejected {
        /// The application.
        application: ApplicationId,
        /// 0 or 1.
        attempt: u32,
        /// Who rejected.
        by: ValidatorId,
    },
    /// A drawn validator did not answer in time and was skipped.
    Silent {
        /// The application.
        application: ApplicationId,
        /// The validator.
        validator: ValidatorId,
    },
    /// No eligible validator was left: the application is refused.
    NoValidators {
        /// The application.
        application: ApplicationId,
    },
    /// The loan was created (the stable coin minted to the applicant).
    Originated {
        /// The application.
        application: ApplicationId,
        /// Principal.
        amount: u64,
        /// Liable validators.
        approvers: Vec<ValidatorId>,
    },
    /// Refused for good.
    Refused {
        /// The application.
        application: ApplicationId,
    },
    /// Repaid: each approver's deposit grew by `fee_each`.
    Repaid {
        /// The application.
        application: ApplicationId,
        /// Fee credited to each approver.
        fee_each: u64,
    },
    /// Defaulted: `slashed` taken from the approvers' deposits in all.
    Defaulted {
        /// The application.
        application: ApplicationId,
        /// Taken from deposits.
        slashed: u64,
    },
    /// A validator's reputation fell below the line.
    Frozen {
        /// The validator.
        validator: ValidatorId,
    },
    /// A frozen validator's reputation rose back above the line.
    Unfrozen {
        /// The validator.
        validator: ValidatorId,
    },
}
