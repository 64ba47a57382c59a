//! A neuron: locked stake, dissolve state, keys and follow lists.

use alloc::vec::Vec;

use dfn_crypto::Time;

use crate::config::{GovernanceConfig, VotingPowerConfig};
use crate::ids::{KeyId, NeuronId};
use crate::topic::{FollowKey, Topic};
use crate::voting_power::voting_power;

/// Whether a neuron is locked or on its way out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DissolveState {
    /// Locked with `delay_ms`; ages from `aging_since`.
    NotDissolving {
        /// Time it would take to dissolve once started.
        delay_ms: u64,
        /// Age is `now − aging_since`.
        aging_since: Time,
    },
    /// Dissolving: dissolved (and disbursable) from `when` on. Age is 0.
    Dissolving {
        /// When the stake becomes free.
        when: Time,
    },
}

/// Who may do what with a neuron.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Authority {
    /// The controller: everything.
    Controller,
    /// A hot key: vote and set following (except the managers of
    /// [`Topic::ManageNeuron`]).
    HotKey,
}

/// A neuron as governance keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Neuron {
    /// Its id.
    pub id: NeuronId,
    /// The account the deposit came from and disbursements go to.
    pub owner: KeyId,
    /// The key that controls the neuron.
    pub controller: KeyId,
    /// Keys that may vote and follow on the controller's behalf.
    pub hot_keys: Vec<KeyId>,
    /// Locked stake (counts for voting power).
    pub stake: u64,
    /// Rewards earned, not yet staked or disbursed (no voting power).
    pub maturity: u64,
    /// Proposal deposits held until their proposals are decided.
    pub held_deposits: u64,
    /// Locked or dissolving.
    pub dissolve: DissolveState,
    /// Follow lists, sorted by key; an empty list is never stored.
    pub following: Vec<(FollowKey, Vec<NeuronId>)>,
}

impl Neuron {
    /// Dissolve delay at `now`: the locked delay, or the time left while
    /// dissolving.
    pub fn dissolve_delay_ms(&self, now: Time) -> u64 {
        match self.dissolve {
            DissolveState::NotDissolving { delay_ms, .. } => delay_ms,
            DissolveState::Dissolving { when } => when.as_millis().saturating_sub(now.as_millis()),
        }
    }

    /// Age at `now`; 0 while dissolving.
    pub fn age_ms(&self, now: Time) -> u64 {
        match self.dissolve {
            DissolveState::NotDissolving { aging_since, .. } => {
                now.as_millis().saturating_sub(aging_since.as_millis())
            }
            DissolveState::Dissolving { .. } => 0,
        }
    }

    /// Whether the stake is free to disburse at `now`.
    pub fn is_dissolved(&self, now: Time) -> bool {
        matches!(self.dissolve, DissolveState::Dissolving { when } if when <= now)
    }

    /// Voting power at `now` (stake only; maturity and held deposits do
    /// not vote).
    pub fn voting_power(&self, config: &VotingPowerConfig, now: Time) -> u64 {
        voting_power(
            config,
            self.stake,
            self.dissolve_delay_ms(now),
            self.age_ms(now),
        )
    }

    /// Whether the neuron gets a ballot on a proposal created at `now`.
    pub fn is_eligible(&self, config: &GovernanceConfig, now: Time) -> bool {
        self.dissolve_delay_ms(now) >= config.min_dissolve_delay_to_vote_ms && self.stake > 0
    }

    /// The follow list for `key`, empty if none.
    pub fn followees(&self, key: FollowKey) -> &[NeuronId] {
        self.following
            .binary_search_by(|(k, _)| k.cmp(&key))
            .ok()
            .and_then(|i| self.following.get(i))
            .map_or(&[], |(_, list)| list.as_slice())
    }

    /// The list that decides this neuron's vote on `topic`: the topic's own,
    /// else the catch-all where it applies.
    pub fn followees_for(&self, config: &GovernanceConfig, topic: Topic) -> &[NeuronId] {
        let own = self.followees(FollowKey::Topic(topic));
        if own.is_empty() && config.catch_all_applies(topic) {
            self.followees(FollowKey::CatchAll)
        } else {
            own
        }
    }

    /// The authority of `key` over this neuron, if any.
    pub fn authority(&self, key: &KeyId) -> Option<Authority> {
        if *key == self.controller {
            Some(Authority::Controller)
        } else if self.hot_keys.contains(key) {
            Some(Authority::HotKey)
        } else {
            None
        }
    }

    /// Replaces a follow list (an empty list removes it).
    pub(crate) fn set_followees(&mut self, key: FollowKey, list: Vec<NeuronId>) {
        match self.following.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) if list.is_empty() => {
                self.following.remove(i);
            }
            Ok(i) => {
                if let Some(slot) = self.following.get_mut(i) {
                    slot.1 = list;
                }
            }
            Err(_) if list.is_empty() => {}
            Err(i) => self.following.insert(i, (key, list)),
        }
    }

    /// Everything the neuron holds: stake, maturity and held deposits.
    pub fn total_value(&self) -> u128 {
        u128::from(self.stake) + u128::from(self.maturity) + u128::from(self.held_deposits)
    }
}
