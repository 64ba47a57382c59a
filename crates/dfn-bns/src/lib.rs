#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

extern crate alloc;

mod client;
mod command;
pub mod config;
pub mod electorate;
pub mod error;
mod governance;
mod ids;
mod invariants;
mod neuron;
mod output;
mod proposal;
mod rewards;
mod store;
mod topic;
mod vote;
pub mod voting_power;

pub use client::{ClientOutput, NeuronClient};
pub use command::NeuronCommand;
pub use config::{GovernanceConfig, VotingPowerConfig};
pub use electorate::{Electorate, ElectorateBuilder, Tally};
pub use governance::{Governance, Ledger, NewNeuron, Reply};
pub use ids::{KeyId, NeuronId, ProposalId};
pub use neuron::{Authority, DissolveState, Neuron};
pub use output::{Event, Output};
pub use proposal::{
    Action, Address, ManagedCommand, Proposal, ProposalStatus, early_decision, final_decision,
    wait_for_quiet,
};
pub use topic::{FollowKey, Topic};
pub use vote::{SignedVote, VOTE_TAG, VOTE_VERSION, Vote};
