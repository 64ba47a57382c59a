//! Typed errors: each says what was wrong with which input.

use alloc::string::String;

use dfn_crypto::error::PointError;
use thiserror::Error;

use crate::ids::{NeuronId, ProposalId};

/// A config that breaks a bound.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The maximum dissolve delay or maximum age is zero.
    #[error("the maximum dissolve delay and the maximum age must be positive")]
    ZeroBonusHorizon,
    /// A voting power bonus exceeds its ceiling (900 % delay, 400 % age).
    #[error("a voting power bonus exceeds its ceiling (900 % dissolve delay, 400 % age)")]
    BonusAboveCeiling,
    /// The minimum dissolve delay to vote exceeds the maximum delay.
    #[error("the minimum dissolve delay to vote exceeds the maximum dissolve delay")]
    MinDelayAboveMax,
    /// The minimum stake is zero.
    #[error("the minimum stake must be positive")]
    ZeroMinStake,
    /// The followee bound is outside `1..=255`.
    #[error("max_followees {0} is outside 1..=255")]
    MaxFollowees(usize),
    /// The voting or reward period is zero.
    #[error("voting and reward periods must be positive")]
    ZeroPeriod,
    /// The quorum exceeds 10,000 basis points.
    #[error("quorum {0} bp exceeds 10000")]
    Quorum(u32),
    /// No proposal could ever be open.
    #[error("max_open_proposals must be positive")]
    NoOpenProposals,
}

/// A voter list that cannot form an electorate.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ElectorateError {
    /// Voters must be added in strictly ascending id order.
    #[error("{0} added out of ascending order (or twice)")]
    NotAscending(NeuronId),
    /// A follow list longer than 255.
    #[error("{0} has more than 255 followees")]
    TooManyFollowees(NeuronId),
    /// A follow list names a neuron twice.
    #[error("{0} follows {1} twice")]
    DuplicateFollowee(NeuronId, NeuronId),
}

/// A ballot that cannot be cast.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CastError {
    /// The neuron has no ballot on this proposal.
    #[error("{0} has no ballot")]
    NoBallot(NeuronId),
    /// The ballot was already cast (directly or by following); it never
    /// changes.
    #[error("{0} already voted")]
    AlreadyVoted(NeuronId),
}

/// A signed vote's bytes that do not decode.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum VoteDecodeError {
    /// Wrong total length.
    #[error("signed vote of {0} bytes has the wrong length")]
    Length(usize),
    /// Unknown version byte.
    #[error("unknown signed vote version {0}")]
    Version(u8),
    /// Vote byte neither 1 nor 2.
    #[error("vote byte {0} is neither 1 (yes) nor 2 (no)")]
    Vote(u8),
    /// The public key does not decode.
    #[error("public key: {0}")]
    Key(PointError),
    /// The signature does not decode.
    #[error("signature: {0}")]
    Signature(PointError),
}

/// A command, vote or report governance refused; nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum GovernanceError {
    /// No such neuron.
    #[error("{0} does not exist")]
    UnknownNeuron(NeuronId),
    /// No such proposal.
    #[error("{0} does not exist")]
    UnknownProposal(ProposalId),
    /// The caller holds no key of the neuron, or not one allowed this
    /// command.
    #[error("caller is not authorized for this command on {0}")]
    NotAuthorized(NeuronId),
    /// A vote's signature does not verify.
    #[error("bad signature on the vote of {0}")]
    BadSignature(NeuronId),
    /// Stake below the minimum (at creation or after a split).
    #[error("stake {stake} is below the minimum {min}")]
    StakeTooSmall {
        /// The stake offered.
        stake: u64,
        /// The minimum.
        min: u64,
    },
    /// Not enough stake for the fee and deposit, or for a split.
    #[error("{neuron} has stake {stake}, needs {needed}")]
    InsufficientStake {
        /// The neuron.
        neuron: NeuronId,
        /// Its stake.
        stake: u64,
        /// What the command needs.
        needed: u64,
    },
    /// A dissolve delay beyond the maximum, or an increase of zero.
    #[error("dissolve delay {0} ms is not allowed")]
    BadDissolveDelay(u64),
    /// The command needs a neuron that is not dissolving.
    #[error("{0} is dissolving")]
    Dissolving(NeuronId),
    /// The command needs a dissolving neuron that has not dissolved yet.
    #[error("{0} is not dissolving (or has already dissolved)")]
    NotDissolving(NeuronId),
    /// Disbursing needs a dissolved neuron.
    #[error("{0} has not dissolved")]
    NotDissolved(NeuronId),
    /// The neuron still holds proposal deposits.
    #[error("{0} holds deposits of undecided proposals")]
    HeldDeposits(NeuronId),
    /// A follow list too long, with duplicates, naming the neuron itself or
    /// a neuron that does not exist.
    #[error("invalid follow list for {0}: {1}")]
    BadFollowees(NeuronId, &'static str),
    /// Too many hot keys, a key listed twice or the controller as hot key,
    /// or removing a key that is not there (at creation: the id the neuron
    /// would have had).
    #[error("invalid hot key change on {0}")]
    BadHotKey(NeuronId),
    /// Merging a neuron into itself.
    #[error("cannot merge {0} into itself")]
    SelfMerge(NeuronId),
    /// The neuron's dissolve delay is too short to vote or propose.
    #[error("{0} is not eligible to vote")]
    NotEligible(NeuronId),
    /// Too many proposals hold ballots.
    #[error("too many open proposals")]
    TooManyProposals,
    /// The payload exceeds the cap.
    #[error("payload of {0} bytes exceeds the cap")]
    PayloadTooLarge(usize),
    /// A neuron-management proposal by a neuron that is not a manager.
    #[error("{0} is not a manager of the target neuron")]
    NotManager(NeuronId),
    /// Voting on the proposal has ended.
    #[error("voting on {0} has ended")]
    VotingClosed(ProposalId),
    /// The ballot cannot be cast.
    #[error(transparent)]
    Cast(#[from] CastError),
    /// An execution report for a proposal not waiting for one.
    #[error("{0} is not waiting for execution")]
    NotAwaitingExecution(ProposalId),
    /// Amount arithmetic would overflow.
    #[error("amount overflow")]
    Overflow,
}

/// A broken invariant: a bug, never a user error.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum InvariantError {
    /// Held value differs from deposits + rewards − fees − disbursements.
    #[error("stake not conserved: neurons hold {held}, ledger says {expected}")]
    StakeNotConserved {
        /// Sum over neurons.
        held: u128,
        /// What the ledger accounts for.
        expected: u128,
    },
    /// A proposal's running tally differs from its ballots, or counts a
    /// neuron twice.
    #[error("{0}: tally does not match its ballots")]
    Tally(ProposalId),
    /// A proposal's status and decision time disagree.
    #[error("{0}: status and decision disagree")]
    Decision(ProposalId),
    /// A neuron breaks a bound (follow list, hot keys, deposits).
    #[error("{0}: {1}")]
    Neuron(NeuronId, String),
}
