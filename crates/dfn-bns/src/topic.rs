//! Proposal topics and the follow lists they select.

/// What a proposal is about. Following, reward weights and the catch-all
/// rule are per topic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Topic {
    /// Instructs one neuron on behalf of its managers (its followees on
    /// this topic). Only the managers vote; no cascade, no rewards.
    ManageNeuron,
    /// Replace the code of a system component.
    UpgradeCode,
    /// Change a protocol parameter.
    ProtocolParameter,
    /// Add or remove mining processes.
    ProcessMembership,
    /// Freeze or unfreeze a contract.
    ContractFreeze,
    /// A statement of intent; nothing to execute.
    Motion,
}

impl Topic {
    /// Every topic, in index order.
    pub const ALL: [Topic; 6] = [
        Topic::ManageNeuron,
        Topic::UpgradeCode,
        Topic::ProtocolParameter,
        Topic::ProcessMembership,
        Topic::ContractFreeze,
        Topic::Motion,
    ];

    /// The number of topics.
    pub const COUNT: usize = Topic::ALL.len();

    /// The topic's position in [`Topic::ALL`] (config tables are indexed by it).
    pub const fn index(self) -> usize {
        match self {
            Topic::ManageNeuron => 0,
            Topic::UpgradeCode => 1,
            Topic::ProtocolParameter => 2,
            Topic::ProcessMembership => 3,
            Topic::ContractFreeze => 4,
            Topic::Motion => 5,
        }
    }

    /// The topic at `index`, if any.
    pub fn from_index(index: usize) -> Option<Topic> {
        Topic::ALL.get(index).copied()
    }
}

/// Which follow list of a neuron: one per topic plus the catch-all, used for
/// a topic whose own list is empty (unless the config excludes the topic
/// from the catch-all).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FollowKey {
    /// The list used when a topic has none of its own.
    CatchAll,
    /// The list of one topic.
    Topic(Topic),
}
