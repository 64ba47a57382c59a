//! What a DKG participant tells its host: messages to broadcast, and
//! events (phase changes, rejected messages, evidence, the result).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt;

use thiserror::Error;

use super::body::{BodyError, Kind};
use super::error::{CombineError, ComplaintError, DealingError};
use super::evidence::Evidence;
use super::message::{EnvelopeError, SignedMessage};
use super::outcome::DkgOutput;
use crate::variant::Variant;

/// The phases of a run, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Phase {
    /// Dealers broadcast their dealings.
    Deal,
    /// Members check their shares and broadcast their complaints (or that
    /// they have none).
    Response,
    /// Accused dealers reveal the disputed shares.
    Justify,
    /// The run has finished, with a result or a failure.
    Done,
}

impl Phase {
    /// The phase a message kind belongs to.
    pub fn of(kind: Kind) -> Phase {
        match kind {
            Kind::Dealing => Phase::Deal,
            Kind::Responses => Phase::Response,
            Kind::Justifications => Phase::Justify,
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Deal => "deal",
            Phase::Response => "response",
            Phase::Justify => "justify",
            Phase::Done => "done",
        })
    }
}

/// What a participant asks of its host, drained with
/// [`Participant::poll_output`](super::Participant::poll_output).
#[derive(Debug)]
#[non_exhaustive]
pub enum Output<V: Variant> {
    /// Send this message to every member (the participant has already
    /// processed its own copy).
    Broadcast(SignedMessage<V>),
    /// Something happened.
    Event(Event<V>),
}

/// Something the host may want to know or act on.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<V: Variant> {
    /// A phase began.
    PhaseStarted(Phase),
    /// A message was not accepted, and why.
    Rejected(Rejection),
    /// Provable misbehaviour of a member: the signed messages that prove
    /// it, which anyone can check with [`Evidence::verify`].
    Evidence(Evidence<V>),
    /// The run's last phase ended and QUAL is decided (emitted just before
    /// [`Event::Completed`] or [`Event::Failed`]).
    Qualification {
        /// The qualified dealers, ascending.
        qualified: Vec<u32>,
        /// Every other dealer and why it is out.
        excluded: BTreeMap<u32, ExclusionReason>,
    },
    /// The run succeeded: the group's public polynomial and this member's
    /// share.
    Completed(DkgOutput<V>),
    /// The run failed.
    Failed(DkgFailure),
}

/// A message that was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The member the message claims to be from, when it could be read
    /// (not authenticated for reasons found before the signature check).
    pub sender: Option<u32>,
    /// The message kind, when it could be read.
    pub kind: Option<Kind>,
    /// Why.
    pub reason: RejectReason,
}

/// Why a message was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RejectReason {
    /// The bytes are not an envelope.
    #[error("malformed envelope: {0}")]
    Malformed(EnvelopeError),
    /// The message belongs to another run.
    #[error("the message belongs to another run")]
    WrongRun,
    /// The sender index is not a member's.
    #[error("sender {0} is not a member")]
    NotAMember(u32),
    /// The signature does not verify under the sender's key.
    #[error("the signature does not verify under the sender's key")]
    BadSignature,
    /// The message's phase is over.
    #[error("a {kind} message arrived in the {phase} phase, after its phase ended")]
    Late {
        /// The message kind.
        kind: Kind,
        /// The phase the participant was in.
        phase: Phase,
    },
    /// The same message was received before.
    #[error("duplicate message")]
    Duplicate,
    /// The sender signed another, different message of this kind (also
    /// reported as [`Evidence::Equivocation`] the first time).
    #[error("the sender already sent a different {0} message")]
    Equivocation(Kind),
    /// The body is malformed (also [`Evidence::MalformedMessage`]).
    #[error("malformed body: {0}")]
    MalformedBody(BodyError),
    /// The dealing fails its public checks (also
    /// [`Evidence::InvalidDealing`]).
    #[error("invalid dealing: {0}")]
    InvalidDealing(DealingError),
    /// A complaint does not verify (also [`Evidence::InvalidComplaint`]).
    #[error("invalid complaint: {0}")]
    InvalidComplaint(ComplaintError),
    /// A justification answers no valid complaint.
    #[error("a justification for member {accuser} answers no valid complaint")]
    UnsolicitedJustification {
        /// The accuser it names.
        accuser: u32,
    },
}

/// Why a dealer is not in the qualified set.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ExclusionReason {
    /// No dealing arrived.
    Silent,
    /// The dealing arrived after the deal phase ended.
    Late,
    /// The dealing's body is malformed.
    Malformed,
    /// The dealing fails its public checks (shape, proof of the ephemeral
    /// key).
    InvalidDealing,
    /// The dealer signed two different dealings.
    Equivocation,
    /// Valid complaints by these members went unanswered.
    Unanswered(Vec<u32>),
    /// The dealer's revealed shares for these members are wrong.
    BadJustification(Vec<u32>),
}

impl fmt::Display for ExclusionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExclusionReason::Silent => f.write_str("no dealing"),
            ExclusionReason::Late => f.write_str("dealing arrived late"),
            ExclusionReason::Malformed => f.write_str("malformed dealing"),
            ExclusionReason::InvalidDealing => f.write_str("invalid dealing"),
            ExclusionReason::Equivocation => f.write_str("two different dealings"),
            ExclusionReason::Unanswered(accusers) => {
                write!(f, "unanswered valid complaints by {accusers:?}")
            }
            ExclusionReason::BadJustification(accusers) => {
                write!(f, "wrong shares revealed for {accusers:?}")
            }
        }
    }
}

/// Why a run failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DkgFailure {
    /// Fewer than `t` dealers qualified.
    #[error("{} dealers qualified, {threshold} needed; excluded: {excluded:?}", qualified.len())]
    TooFewQualified {
        /// The qualified dealers, ascending.
        qualified: Vec<u32>,
        /// Dealers needed.
        threshold: u32,
        /// Every excluded dealer and why.
        excluded: BTreeMap<u32, ExclusionReason>,
    },
    /// Fewer than `t` members took part in the response phase, so fewer
    /// than `t` can be counted on to hold a share.
    #[error("{responded} members responded, {threshold} needed; excluded dealers: {excluded:?}")]
    TooFewResponders {
        /// Members whose responses arrived.
        responded: u32,
        /// Members needed.
        threshold: u32,
        /// Every excluded dealer and why.
        excluded: BTreeMap<u32, ExclusionReason>,
    },
    /// The qualified dealings and this member's shares do not combine (for
    /// honest members this happens with negligible probability).
    #[error("combining the qualified dealings failed: {0}")]
    Combine(CombineError),
    /// A qualified dealer's share for this member is missing: the member
    /// found it faulty but its complaint was not accepted.
    #[error("no valid share from qualified dealer {0}")]
    MissingShare(u32),
}
