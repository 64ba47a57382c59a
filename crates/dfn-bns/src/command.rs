//! Commands on neurons: lifecycle, keys, following, voting, proposing.

use alloc::vec::Vec;

use dfn_crypto::Time;

use crate::error::GovernanceError;
use crate::governance::{Governance, NewNeuron, Reply};
use crate::ids::{KeyId, NeuronId, ProposalId};
use crate::neuron::{DissolveState, Neuron};
use crate::output::Output;
use crate::proposal::{Action, ManagedCommand};
use crate::topic::{FollowKey, Topic};
use crate::vote::Vote;

/// What a neuron's controller (or, for voting and following, a hot key)
/// may ask.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NeuronCommand {
    /// Lengthen the dissolve delay (never shorten it): a locked neuron adds
    /// to its delay (capped at the maximum, age kept); a dissolving one
    /// pushes its dissolve time (at most the maximum from now); a dissolved
    /// one locks again with the added delay and age 0.
    IncreaseDissolveDelay {
        /// Milliseconds to add; positive.
        additional_ms: u64,
    },
    /// Start dissolving: free after the current delay; age drops to 0.
    StartDissolving,
    /// Stop dissolving: lock with the time that was left; aging restarts.
    StopDissolving,
    /// Pay out a dissolved neuron's stake and maturity to its owner and
    /// remove it.
    Disburse,
    /// Move `amount` of stake into a new neuron with the same keys,
    /// dissolve state, age and following.
    Split {
        /// Stake of the new neuron.
        amount: u64,
    },
    /// Move all of `source`'s stake and maturity into this neuron and
    /// remove `source` (both locked, both controlled by the caller). The
    /// delay becomes the larger one; the age the stake-weighted mean.
    Merge {
        /// The neuron to absorb.
        source: NeuronId,
    },
    /// Replace one follow list (empty clears it).
    SetFollowing {
        /// Which list.
        key: FollowKey,
        /// The followees: distinct, existing, not the neuron itself.
        followees: Vec<NeuronId>,
    },
    /// Add a hot key.
    AddHotKey {
        /// The key.
        key: KeyId,
    },
    /// Remove a hot key.
    RemoveHotKey {
        /// The key.
        key: KeyId,
    },
    /// Add the maturity to the stake.
    StakeMaturity,
    /// Vote directly.
    Vote {
        /// The proposal.
        proposal: ProposalId,
        /// The vote.
        vote: Vote,
    },
    /// Submit a proposal, paying its fee and deposit from the stake.
    Propose {
        /// What it asks.
        action: Action,
    },
}

impl NeuronCommand {
    /// Whether a hot key may issue this command.
    pub fn hot_key_may(&self) -> bool {
        match self {
            NeuronCommand::Vote { .. } => true,
            NeuronCommand::SetFollowing { key, .. } => {
                *key != FollowKey::Topic(Topic::ManageNeuron)
            }
            _ => false,
        }
    }
}

impl Governance {
    /// A deposit the host has locked becomes a neuron, locked with
    /// `dissolve_delay_ms` and aging from `now`.
    pub fn create_neuron(
        &mut self,
        now: Time,
        new: NewNeuron,
    ) -> Result<NeuronId, GovernanceError> {
        self.advance(now);
        if new.stake < self.config.min_stake {
            return Err(GovernanceError::StakeTooSmall {
                stake: new.stake,
                min: self.config.min_stake,
            });
        }
        if new.dissolve_delay_ms > self.config.voting_power.max_dissolve_delay_ms {
            return Err(GovernanceError::BadDissolveDelay(new.dissolve_delay_ms));
        }
        let hot_keys_ok = new.hot_keys.len() <= self.config.max_hot_keys
            && new.hot_keys.iter().enumerate().all(|(i, k)| {
                *k != new.controller && !new.hot_keys.get(..i).is_some_and(|b| b.contains(k))
            });
        if !hot_keys_ok {
            return Err(GovernanceError::BadHotKey(NeuronId(self.next_neuron)));
        }
        let id = self.insert_neuron(Neuron {
            id: NeuronId(0),
            owner: new.owner,
            controller: new.controller,
            hot_keys: new.hot_keys,
            stake: new.stake,
            maturity: 0,
            held_deposits: 0,
            dissolve: DissolveState::NotDissolving {
                delay_ms: new.dissolve_delay_ms,
                aging_since: self.now,
            },
            following: Vec::new(),
        });
        self.ledger.deposited += u128::from(new.stake);
        Ok(id)
    }

    fn insert_neuron(&mut self, mut neuron: Neuron) -> NeuronId {
        let id = NeuronId(self.next_neuron);
        self.next_neuron += 1;
        neuron.id = id;
        self.neurons.insert(id, neuron);
        id
    }

    fn neuron_mut(&mut self, id: NeuronId) -> Result<&mut Neuron, GovernanceError> {
        self.neurons
            .get_mut(&id)
            .ok_or(GovernanceError::UnknownNeuron(id))
    }

    /// Applies an authorized command.
    pub(crate) fn apply_command(
        &mut self,
        caller: KeyId,
        id: NeuronId,
        command: NeuronCommand,
    ) -> Result<Reply, GovernanceError> {
        match command {
            NeuronCommand::IncreaseDissolveDelay { additional_ms } => {
                self.increase_delay(id, additional_ms).map(|()| Reply::Done)
            }
            NeuronCommand::StartDissolving => self.start_dissolving(id).map(|()| Reply::Done),
            NeuronCommand::StopDissolving => self.stop_dissolving(id).map(|()| Reply::Done),
            NeuronCommand::Disburse => self.disburse(id).map(|()| Reply::Done),
            NeuronCommand::Split { amount } => self.split(id, amount).map(Reply::Split),
            NeuronCommand::Merge { source } => self.merge(caller, id, source).map(|()| Reply::Done),
            NeuronCommand::SetFollowing { key, followees } => {
                self.set_following(id, key, followees).map(|()| Reply::Done)
            }
            NeuronCommand::AddHotKey { key } => {
                let max = self.config.max_hot_keys;
                let n = self.neuron_mut(id)?;
                if n.hot_keys.len() >= max || n.hot_keys.contains(&key) || key == n.controller {
                    return Err(GovernanceError::BadHotKey(id));
                }
                n.hot_keys.push(key);
                Ok(Reply::Done)
            }
            NeuronCommand::RemoveHotKey { key } => {
                let n = self.neuron_mut(id)?;
                let at = n
                    .hot_keys
                    .iter()
                    .position(|k| *k == key)
                    .ok_or(GovernanceError::BadHotKey(id))?;
                n.hot_keys.remove(at);
                Ok(Reply::Done)
            }
            NeuronCommand::StakeMaturity => {
                let n = self.neuron_mut(id)?;
                n.stake = n
                    .stake
                    .checked_add(n.maturity)
                    .ok_or(GovernanceError::Overflow)?;
                n.maturity = 0;
                Ok(Reply::Done)
            }
            NeuronCommand::Vote { proposal, vote } => {
                self.cast(proposal, id, vote).map(Reply::Voted)
            }
            NeuronCommand::Propose { action } => self.propose(id, action).map(Reply::Proposed),
        }
    }

    /// Applies an adopted neuron-management proposal.
    pub(crate) fn apply_managed(
        &mut self,
        id: NeuronId,
        command: ManagedCommand,
    ) -> Result<(), GovernanceError> {
        match command {
            ManagedCommand::Vote { proposal, vote } => self.cast(proposal, id, vote).map(|_| ()),
            ManagedCommand::SetFollowing { key, followees } => {
                self.set_following(id, key, followees)
            }
            ManagedCommand::StartDissolving => self.start_dissolving(id),
            ManagedCommand::StopDissolving => self.stop_dissolving(id),
            ManagedCommand::IncreaseDissolveDelay { additional_ms } => {
                self.increase_delay(id, additional_ms)
            }
        }
    }

    fn increase_delay(&mut self, id: NeuronId, additional_ms: u64) -> Result<(), GovernanceError> {
        let now = self.now;
        let max = self.config.voting_power.max_dissolve_delay_ms;
        if additional_ms == 0 {
            return Err(GovernanceError::BadDissolveDelay(0));
        }
        let n = self.neuron_mut(id)?;
        n.dissolve = match n.dissolve {
            DissolveState::NotDissolving {
                delay_ms,
                aging_since,
            } => DissolveState::NotDissolving {
                delay_ms: delay_ms.saturating_add(additional_ms).min(max),
                aging_since,
            },
            DissolveState::Dissolving { when } if when > now => DissolveState::Dissolving {
                when: Time::from_millis(when.as_millis().saturating_add(additional_ms))
                    .min(now.after(max)),
            },
            DissolveState::Dissolving { .. } => DissolveState::NotDissolving {
                delay_ms: additional_ms.min(max),
                aging_since: now,
            },
        };
        Ok(())
    }

    fn start_dissolving(&mut self, id: NeuronId) -> Result<(), GovernanceError> {
        let now = self.now;
        let n = self.neuron_mut(id)?;
        match n.dissolve {
            DissolveState::NotDissolving { delay_ms, .. } => {
                n.dissolve = DissolveState::Dissolving {
                    when: now.after(delay_ms),
                };
                Ok(())
            }
            DissolveState::Dissolving { .. } => Err(GovernanceError::Dissolving(id)),
        }
    }

    fn stop_dissolving(&mut self, id: NeuronId) -> Result<(), GovernanceError> {
        let now = self.now;
        let n = self.neuron_mut(id)?;
        match n.dissolve {
            DissolveState::Dissolving { when } if when > now => {
                n.dissolve = DissolveState::NotDissolving {
                    delay_ms: when.as_millis() - now.as_millis(),
                    aging_since: now,
                };
                Ok(())
            }
            _ => Err(GovernanceError::NotDissolving(id)),
        }
    }

    fn disburse(&mut self, id: NeuronId) -> Result<(), GovernanceError> {
        let now = self.now;
        let n = self
            .neurons
            .get(&id)
            .ok_or(GovernanceError::UnknownNeuron(id))?;
        if !n.is_dissolved(now) {
            return Err(GovernanceError::NotDissolved(id));
        }
        if n.held_deposits > 0 {
            return Err(GovernanceError::HeldDeposits(id));
        }
        let amount = n
            .stake
            .checked_add(n.maturity)
            .ok_or(GovernanceError::Overflow)?;
        let to = n.owner;
        self.neurons.remove(&id);
        self.ledger.disbursed += u128::from(amount);
        self.outputs.push_back(Output::Transfer {
            neuron: id,
            to,
            amount,
        });
        Ok(())
    }

    fn split(&mut self, id: NeuronId, amount: u64) -> Result<NeuronId, GovernanceError> {
        let min = self.config.min_stake;
        let parent = self
            .neurons
            .get(&id)
            .ok_or(GovernanceError::UnknownNeuron(id))?;
        if amount < min {
            return Err(GovernanceError::StakeTooSmall { stake: amount, min });
        }
        let needed = amount.checked_add(min).ok_or(GovernanceError::Overflow)?;
        if parent.stake < needed {
            return Err(GovernanceError::InsufficientStake {
                neuron: id,
                stake: parent.stake,
                needed,
            });
        }
        let child = Neuron {
            stake: amount,
            maturity: 0,
            held_deposits: 0,
            ..parent.clone()
        };
        self.neuron_mut(id)?.stake -= amount;
        Ok(self.insert_neuron(child))
    }

    fn merge(
        &mut self,
        caller: KeyId,
        id: NeuronId,
        source: NeuronId,
    ) -> Result<(), GovernanceError> {
        let now = self.now;
        if id == source {
            return Err(GovernanceError::SelfMerge(id));
        }
        let target = self
            .neurons
            .get(&id)
            .ok_or(GovernanceError::UnknownNeuron(id))?;
        let src = self
            .neurons
            .get(&source)
            .ok_or(GovernanceError::UnknownNeuron(source))?;
        if src.controller != caller || target.controller != caller {
            return Err(GovernanceError::NotAuthorized(source));
        }
        if src.held_deposits > 0 {
            return Err(GovernanceError::HeldDeposits(source));
        }
        let (
            DissolveState::NotDissolving { delay_ms: d_t, .. },
            DissolveState::NotDissolving { delay_ms: d_s, .. },
        ) = (target.dissolve, src.dissolve)
        else {
            let dissolving = if matches!(target.dissolve, DissolveState::Dissolving { .. }) {
                id
            } else {
                source
            };
            return Err(GovernanceError::Dissolving(dissolving));
        };
        let stake = target
            .stake
            .checked_add(src.stake)
            .ok_or(GovernanceError::Overflow)?;
        let maturity = target
            .maturity
            .checked_add(src.maturity)
            .ok_or(GovernanceError::Overflow)?;
        let weighted = u128::from(target.age_ms(now)) * u128::from(target.stake)
            + u128::from(src.age_ms(now)) * u128::from(src.stake);
        let age = u64::try_from(weighted / u128::from(stake.max(1))).unwrap_or(u64::MAX);
        let aging_since = Time::from_millis(now.as_millis().saturating_sub(age));
        self.neurons.remove(&source);
        let n = self.neuron_mut(id)?;
        n.stake = stake;
        n.maturity = maturity;
        n.dissolve = DissolveState::NotDissolving {
            delay_ms: d_t.max(d_s),
            aging_since,
        };
        Ok(())
    }

    fn set_following(
        &mut self,
        id: NeuronId,
        key: FollowKey,
        followees: Vec<NeuronId>,
    ) -> Result<(), GovernanceError> {
        if followees.len() > self.config.max_followees {
            return Err(GovernanceError::BadFollowees(id, "too many followees"));
        }
        for (i, f) in followees.iter().enumerate() {
            if *f == id {
                return Err(GovernanceError::BadFollowees(
                    id,
                    "a neuron cannot follow itself",
                ));
            }
            if followees.get(..i).is_some_and(|before| before.contains(f)) {
                return Err(GovernanceError::BadFollowees(
                    id,
                    "a followee is listed twice",
                ));
            }
            if !self.neurons.contains_key(f) {
                return Err(GovernanceError::BadFollowees(
                    id,
                    "a followee does not exist",
                ));
            }
        }
        self.neuron_mut(id)?.set_followees(key, followees);
        Ok(())
    }
}
