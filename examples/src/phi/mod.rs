//! PHI, the seed's decentralized commercial bank: loans originated by
//! random sequences of validators drawn from the random beacon.
//!
//! A Sans-IO, deterministic state machine ([`Phi`]): validators join with
//! deposits, applications are submitted, beacon values, validators'
//! decisions and loan outcomes go in; requests to validators
//! ([`PhiOutput::Ask`]) and events come out of [`Phi::poll_output`]. No
//! clock (the beacon height is the only time), no randomness of its own,
//! no float.
//!
//! # Rules
//!
//! - **Validators.** Anyone joins with a security deposit of at least
//!   `min_deposit` and starts at `initial_reputation` (of
//!   [`MAX_REPUTATION`]). A validator is drawn with probability
//!   proportional to `deposit × reputation` (the slide's "choice of
//!   validators: size of their deposit, reputation") among the eligible
//!   ones: not frozen, deposit at least the minimum, not yet drawn for the
//!   application.
//! - **Sequences.** Each application is decided by a sequence of
//!   validators. Every step reads the next beacon value (one value per
//!   step, never one seen before the step was due) and derives a private
//!   draw from it ([`Draw`]). Once the sequence holds `min_sequence`
//!   approvals, the draw first decides whether to stop: after an approval
//!   by a validator of reputation `r`, it stops with probability
//!   `stop_ppm · r / MAX_REPUTATION`. If it does not stop, it draws the next
//!   validator, who approves or rejects. A rejection ends the sequence
//!   rejecting; a stop (or `max_sequence` approvals) ends it approving.
//! - **Unpredictability.** Who is next and how long the sequence runs are
//!   both decided by beacon values that do not exist yet when the previous
//!   validator decides: neither the applicant, nor the validators, nor the
//!   host can know the length or the members in advance, and a validator
//!   approving cannot know whether it is the last one. Because the
//!   stopping probability scales with the last approver's reputation, low
//!   reputations make sequences longer (more validators to convince, the
//!   fee shared more ways).
//! - **Silence.** A drawn validator must answer within `answer_heights`
//!   heights; otherwise it loses `silent_loss` reputation and the step is
//!   drawn again.
//! - **Loans.** An approved application becomes a loan; every approver on
//!   the way is liable. Repaid: each gains `repaid_gain` reputation and an
//!   equal share of `fee_bp` of the principal, added to its deposit.
//!   Defaulted: each loses `default_loss` reputation and an equal share of
//!   `cover_bp` of the principal is slashed from its deposit (capped by
//!   it).
//! - **Freezing.** Below `freeze_below` reputation a validator is frozen:
//!   never drawn, and its deposit cannot be withdrawn; outcomes of its
//!   outstanding loans still move its reputation and may lift it. A
//!   validator liable for an outstanding loan cannot withdraw either.
//! - **Appeals.** A rejection by the first sequence may be appealed once.
//!   A new sequence decides for good: it reads only beacon values produced
//!   after the appeal was filed and never draws a member of the first
//!   sequence. If it approves, the first sequence's rejecter is overruled;
//!   if it rejects, the first sequence's approvers are; the overruled lose
//!   `overruled_loss` reputation. An approved appeal makes the first
//!   sequence's approvers liable too.
//!
//! # Invariants ([`Phi::check_invariants`])
//!
//! Deposits are conserved (`Σ deposits = deposited + fees − slashed −
//! withdrawn`), reputations stay in `0..=MAX_REPUTATION`, liabilities
//! match outstanding loans, a sequence reads strictly increasing heights
//! from its opening, an appeal reads only heights after the first
//! sequence's and draws only new validators.

mod config;
mod draw;
mod error;
mod machine;
mod output;
mod types;

pub use config::{MAX_REPUTATION, PPM, PhiConfig, PhiConfigError};
pub use draw::{DRAW_TAG, Draw};
pub use error::PhiError;
pub use machine::{Phi, PhiLedger};
pub use output::{PhiEvent, PhiOutput};
pub use types::{
    Application, ApplicationId, Decision, LoanApplication, LoanOutcome, Sequence, Status, Step,
    Validator, ValidatorId, Verdict,
};
