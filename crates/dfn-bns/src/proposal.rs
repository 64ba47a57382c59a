//! Proposals: what they ask, their life cycle and the decision rules.

use alloc::string::String;
use alloc::vec::Vec;

use dfn_crypto::Time;

use crate::electorate::{Electorate, Tally};
use crate::ids::{NeuronId, ProposalId};
use crate::topic::{FollowKey, Topic};
use crate::vote::Vote;

/// A 20-byte process or contract address.
pub type Address = [u8; 20];

/// What an adopted proposal does. Everything but motions and neuron
/// management is a privileged operation the host carries out.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Replace a component's code with the code of hash `code_hash`.
    UpgradeCode {
        /// Which component (as the host names it).
        component: String,
        /// SHA-256 of the new code.
        code_hash: [u8; 32],
    },
    /// Set a protocol parameter.
    SetParameter {
        /// The parameter's name.
        name: String,
        /// Its new value, encoded as the host defines.
        value: Vec<u8>,
    },
    /// Admit a mining process.
    AddProcess {
        /// Its id.
        process: Address,
    },
    /// Remove a mining process.
    RemoveProcess {
        /// Its id.
        process: Address,
    },
    /// Freeze a contract.
    FreezeContract {
        /// Its address.
        contract: Address,
    },
    /// Unfreeze a contract.
    UnfreezeContract {
        /// Its address.
        contract: Address,
    },
    /// A statement; adopting it executes nothing.
    Motion {
        /// The text.
        text: String,
    },
    /// Act for `neuron`, decided by its managers (its followees on
    /// [`Topic::ManageNeuron`]); governance applies it itself.
    ManageNeuron {
        /// The managed neuron.
        neuron: NeuronId,
        /// What to do.
        command: ManagedCommand,
    },
}

/// What managers may make a neuron do: never move its funds.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ManagedCommand {
    /// Vote on a proposal.
    Vote {
        /// The proposal.
        proposal: ProposalId,
        /// The vote.
        vote: Vote,
    },
    /// Replace a follow list.
    SetFollowing {
        /// Which list.
        key: FollowKey,
        /// The new followees.
        followees: Vec<NeuronId>,
    },
    /// Start dissolving.
    StartDissolving,
    /// Stop dissolving.
    StopDissolving,
    /// Lengthen the dissolve delay.
    IncreaseDissolveDelay {
        /// Milliseconds to add.
        additional_ms: u64,
    },
}

impl Action {
    /// The action's topic.
    pub fn topic(&self) -> Topic {
        match self {
            Action::UpgradeCode { .. } => Topic::UpgradeCode,
            Action::SetParameter { .. } => Topic::ProtocolParameter,
            Action::AddProcess { .. } | Action::RemoveProcess { .. } => Topic::ProcessMembership,
            Action::FreezeContract { .. } | Action::UnfreezeContract { .. } => {
                Topic::ContractFreeze
            }
            Action::Motion { .. } => Topic::Motion,
            Action::ManageNeuron { .. } => Topic::ManageNeuron,
        }
    }

    /// Size of the variable-length payload (checked against the config's
    /// cap).
    pub fn payload_len(&self) -> usize {
        match self {
            Action::UpgradeCode { component, .. } => component.len() + 32,
            Action::SetParameter { name, value } => name.len() + value.len(),
            Action::Motion { text } => text.len(),
            Action::ManageNeuron {
                command: ManagedCommand::SetFollowing { followees, .. },
                ..
            } => 8 * followees.len(),
            _ => 0,
        }
    }

    /// Whether the host carries it out (an [`Output::Execute`](crate::Output::Execute)).
    pub fn needs_host(&self) -> bool {
        !matches!(self, Action::Motion { .. } | Action::ManageNeuron { .. })
    }
}

/// Where a proposal is in its life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProposalStatus {
    /// Ballots being cast; not decided.
    Open,
    /// Adopted; waiting for the host's execution result.
    Adopted,
    /// Adopted and carried out.
    Executed,
    /// Adopted, but carrying it out failed.
    Failed {
        /// Why, as the host (or governance, for neuron management) said.
        reason: String,
    },
    /// Rejected.
    Rejected,
}

impl ProposalStatus {
    /// Whether a decision was taken.
    pub fn is_decided(&self) -> bool {
        !matches!(self, ProposalStatus::Open)
    }

    /// Whether it was adopted (whatever became of its execution).
    pub fn is_adopted(&self) -> bool {
        matches!(
            self,
            ProposalStatus::Adopted | ProposalStatus::Executed | ProposalStatus::Failed { .. }
        )
    }
}

/// A proposal as governance keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// Its id.
    pub id: ProposalId,
    /// The neuron that submitted it (and paid fee and deposit).
    pub proposer: NeuronId,
    /// What it asks.
    pub action: Action,
    /// Submission time.
    pub created: Time,
    /// End of voting (moved by wait-for-quiet).
    pub deadline: Time,
    /// The fee burnt at submission.
    pub fee: u64,
    /// The deposit held until the decision.
    pub deposit: u64,
    /// Life-cycle state.
    pub status: ProposalStatus,
    /// When it was decided.
    pub decided_at: Option<Time>,
    /// The tally as of the last ballot (kept after the ballots are dropped).
    pub tally: Tally,
    /// Whether its voters were rewarded (its ballots are then dropped).
    pub settled: bool,
    /// The ballots, until settlement.
    pub(crate) electorate: Option<Electorate>,
}

impl Proposal {
    /// The proposal's topic.
    pub fn topic(&self) -> Topic {
        self.action.topic()
    }

    /// The ballots, until the proposal's rewards are settled.
    pub fn electorate(&self) -> Option<&Electorate> {
        self.electorate.as_ref()
    }

    /// Whether ballots are still accepted at `now`.
    pub fn accepts_votes(&self, now: Time) -> bool {
        now < self.deadline && !self.settled
    }
}

/// The early decision: adopt when `2 · yes > total`, reject when
/// `2 · no ≥ total`, else none yet. `Some(true)` means adopt.
pub fn early_decision(t: &Tally) -> Option<bool> {
    if 2 * t.yes > t.total {
        Some(true)
    } else if 2 * t.no >= t.total {
        Some(false)
    } else {
        None
    }
}

/// The decision at the deadline: adopt iff `yes > no` and
/// `yes · 10⁴ ≥ total · quorum_bp`.
pub fn final_decision(t: &Tally, quorum_bp: u32) -> bool {
    t.yes > t.no && t.yes * 10_000 >= t.total * u128::from(quorum_bp)
}

/// Wait for quiet: when the leading side changed at `now` (before the
/// deadline), voting goes on until at least `now + W + V/2 − (now −
/// created)/2`, which never passes `created + V + 2W`.
pub fn wait_for_quiet(
    created: Time,
    deadline: Time,
    now: Time,
    period_ms: u64,
    quiet_ms: u64,
) -> Time {
    let elapsed = now.as_millis().saturating_sub(created.as_millis());
    let extended = now
        .after(quiet_ms)
        .after(period_ms / 2)
        .as_millis()
        .saturating_sub(elapsed / 2);
    deadline.max(Time::from_millis(extended))
}
