//! What governance asks of its host and tells it.

use alloc::string::String;

use dfn_crypto::Time;

use crate::ids::{KeyId, NeuronId, ProposalId};
use crate::proposal::Action;
use crate::topic::Topic;

/// Drained with [`Governance::poll_output`](crate::Governance::poll_output)
/// until `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output {
    /// Carry out an adopted proposal's privileged operation, then report
    /// with [`Governance::handle_execution`](crate::Governance::handle_execution).
    Execute {
        /// The proposal.
        proposal: ProposalId,
        /// What to do.
        action: Action,
    },
    /// Pay a disbursed neuron's stake and maturity to its owner.
    Transfer {
        /// The disbursed neuron.
        neuron: NeuronId,
        /// The owner's account.
        to: KeyId,
        /// The amount.
        amount: u64,
    },
    /// Something happened.
    Event(Event),
}

/// Things a host may log, show or relay.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A proposal was submitted; its ballots are fixed.
    ProposalCreated {
        /// The proposal.
        proposal: ProposalId,
        /// Its topic.
        topic: Topic,
        /// Its first deadline.
        deadline: Time,
        /// How many ballots it holds.
        ballots: usize,
    },
    /// Wait-for-quiet moved a deadline.
    DeadlineExtended {
        /// The proposal.
        proposal: ProposalId,
        /// The new deadline.
        deadline: Time,
    },
    /// A proposal was decided (once).
    Decided {
        /// The proposal.
        proposal: ProposalId,
        /// Adopted or rejected.
        adopted: bool,
    },
    /// An adopted proposal was carried out.
    Executed {
        /// The proposal.
        proposal: ProposalId,
    },
    /// Carrying out an adopted proposal failed.
    ExecutionFailed {
        /// The proposal.
        proposal: ProposalId,
        /// Why.
        reason: String,
    },
    /// A reward period ended (or several in a row with nothing to settle,
    /// whose pools all rolled over).
    RewardsDistributed {
        /// End of the (last) period.
        period_end: Time,
        /// Proposals settled in it.
        proposals: usize,
        /// Minted as maturity.
        minted: u64,
        /// Whether the pool rolled over (nothing to settle).
        rolled_over: bool,
    },
}
