//! The governance state machine: neurons, proposals, ballots, time.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::String;
use alloc::vec::Vec;

use dfn_crypto::{Time, Variant};

use crate::config::GovernanceConfig;
use crate::electorate::{ElectorateBuilder, Tally};
use crate::error::{ConfigError, GovernanceError};
use crate::ids::{KeyId, NeuronId, ProposalId};
use crate::neuron::{Authority, Neuron};
use crate::output::{Event, Output};
use crate::proposal::{
    Action, Proposal, ProposalStatus, early_decision, final_decision, wait_for_quiet,
};
use crate::store::NeuronStore;
use crate::topic::{FollowKey, Topic};
use crate::vote::{SignedVote, Vote};

/// Where every unit of value came from and went: the invariant is that the
/// neurons hold `deposited + minted − burned − disbursed`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Deposits locked into neurons.
    pub deposited: u128,
    /// Rewards minted as maturity.
    pub minted: u128,
    /// Proposal fees and forfeited deposits.
    pub burned: u128,
    /// Paid out to owners.
    pub disbursed: u128,
}

/// A deposit the host has locked, to become a neuron.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewNeuron {
    /// The account the deposit came from; disbursements go back to it.
    pub owner: KeyId,
    /// The key that will control the neuron.
    pub controller: KeyId,
    /// Keys that may vote and follow for it (distinct, not the controller,
    /// at most the config's bound).
    pub hot_keys: Vec<KeyId>,
    /// The deposit.
    pub stake: u64,
    /// The initial dissolve delay (the neuron starts locked and aging).
    pub dissolve_delay_ms: u64,
}

/// What an accepted command produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reply {
    /// Done; nothing to report.
    Done,
    /// A split created this neuron.
    Split(NeuronId),
    /// The proposal was submitted with this id.
    Proposed(ProposalId),
    /// The vote was cast; this many ballots in all, with the cascade.
    Voted(usize),
}

/// The Blockchain Nervous System: one deterministic state machine holding
/// every neuron and proposal (see the crate docs for the rules and the host
/// loop).
#[derive(Clone, Debug)]
pub struct Governance {
    pub(crate) config: GovernanceConfig,
    /// The latest time seen; earlier times are read as this one.
    pub(crate) now: Time,
    pub(crate) neurons: NeuronStore,
    pub(crate) next_neuron: u64,
    pub(crate) proposals: BTreeMap<ProposalId, Proposal>,
    pub(crate) next_proposal: u64,
    pub(crate) ledger: Ledger,
    /// End of the current reward period.
    pub(crate) next_reward: Time,
    /// Pool of the current period, with what rolled over.
    pub(crate) reward_pool: u64,
    pub(crate) outputs: VecDeque<Output>,
}

impl Governance {
    /// Governance with no neuron and no proposal, its first reward period
    /// starting at `now`.
    pub fn new(config: GovernanceConfig, now: Time) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self {
            next_reward: now.after(config.reward_period_ms),
            reward_pool: config.reward_pool_per_period,
            config,
            now,
            neurons: NeuronStore::default(),
            next_neuron: 1,
            proposals: BTreeMap::new(),
            next_proposal: 1,
            ledger: Ledger::default(),
            outputs: VecDeque::new(),
        })
    }

    /// The config.
    pub fn config(&self) -> &GovernanceConfig {
        &self.config
    }

    /// The latest time governance has seen.
    pub fn now(&self) -> Time {
        self.now
    }

    /// A neuron.
    pub fn neuron(&self, id: NeuronId) -> Option<&Neuron> {
        self.neurons.get(&id)
    }

    /// Every neuron, in id order.
    pub fn neurons(&self) -> impl Iterator<Item = &Neuron> {
        self.neurons.values()
    }

    /// A proposal.
    pub fn proposal(&self, id: ProposalId) -> Option<&Proposal> {
        self.proposals.get(&id)
    }

    /// Every proposal, in id order.
    pub fn proposals(&self) -> impl Iterator<Item = &Proposal> {
        self.proposals.values()
    }

    /// `neuron`'s ballot on `proposal`: `None` without one, `Some(None)`
    /// while not cast.
    pub fn ballot(&self, proposal: ProposalId, neuron: NeuronId) -> Option<Option<Vote>> {
        self.proposals
            .get(&proposal)?
            .electorate
            .as_ref()?
            .ballot(neuron)
    }

    /// The value accounts.
    pub fn ledger(&self) -> Ledger {
        self.ledger
    }

    /// The next output for the host.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When [`Governance::handle_timeout`] should next be called: the
    /// earliest open deadline or the end of the reward period.
    pub fn poll_timeout(&self) -> Option<Time> {
        Some(
            self.next_deadline()
                .map_or(self.next_reward, |d| d.min(self.next_reward)),
        )
    }

    /// Processes deadlines and reward periods up to `now`.
    pub fn handle_timeout(&mut self, now: Time) {
        self.advance(now);
    }

    /// A signed direct vote: the signature must verify and its key be the
    /// neuron's controller or a hot key. Returns the ballots cast.
    pub fn handle_signed_vote<V: Variant>(
        &mut self,
        now: Time,
        vote: &SignedVote<V>,
    ) -> Result<usize, GovernanceError> {
        self.advance(now);
        let neuron = self
            .neurons
            .get(&vote.neuron)
            .ok_or(GovernanceError::UnknownNeuron(vote.neuron))?;
        neuron
            .authority(&vote.signer())
            .ok_or(GovernanceError::NotAuthorized(vote.neuron))?;
        if !vote.verify() {
            return Err(GovernanceError::BadSignature(vote.neuron));
        }
        self.cast(vote.proposal, vote.neuron, vote.vote)
    }

    /// The host's report on an adopted proposal it was asked to execute.
    pub fn handle_execution(
        &mut self,
        now: Time,
        proposal: ProposalId,
        result: Result<(), String>,
    ) -> Result<(), GovernanceError> {
        self.advance(now);
        let p = self
            .proposals
            .get_mut(&proposal)
            .ok_or(GovernanceError::UnknownProposal(proposal))?;
        if p.status != ProposalStatus::Adopted || !p.action.needs_host() {
            return Err(GovernanceError::NotAwaitingExecution(proposal));
        }
        self.finish_execution(proposal, result);
        Ok(())
    }

    /// Handles a command from `caller` (a key the host authenticated, e.g.
    /// the sender of a ledger transaction) on `neuron`.
    pub fn handle_command(
        &mut self,
        now: Time,
        caller: KeyId,
        neuron: NeuronId,
        command: crate::NeuronCommand,
    ) -> Result<Reply, GovernanceError> {
        self.advance(now);
        let authority = self
            .neurons
            .get(&neuron)
            .ok_or(GovernanceError::UnknownNeuron(neuron))?
            .authority(&caller)
            .ok_or(GovernanceError::NotAuthorized(neuron))?;
        if authority == Authority::HotKey && !command.hot_key_may() {
            return Err(GovernanceError::NotAuthorized(neuron));
        }
        self.apply_command(caller, neuron, command)
    }

    /// Moves time forward to `now`, deciding proposals whose deadline passed
    /// and settling reward periods, in time order.
    pub(crate) fn advance(&mut self, now: Time) {
        let now = now.max(self.now);
        loop {
            let deadline = self.next_deadline().filter(|d| *d <= now);
            match deadline {
                Some(d) if d <= self.next_reward => {
                    self.now = d;
                    self.close_voting(d);
                }
                _ if self.next_reward <= now => {
                    self.now = self.next_reward;
                    self.settle_rewards(now);
                }
                _ => break,
            }
        }
        self.now = now;
    }

    /// Earliest deadline of a proposal still open for voting.
    fn next_deadline(&self) -> Option<Time> {
        self.proposals
            .values()
            .filter(|p| p.status == ProposalStatus::Open)
            .map(|p| p.deadline)
            .min()
    }

    /// Decides, at the deadline, every open proposal whose deadline is `at`.
    fn close_voting(&mut self, at: Time) {
        let due: alloc::vec::Vec<ProposalId> = self
            .proposals
            .values()
            .filter(|p| p.status == ProposalStatus::Open && p.deadline <= at)
            .map(|p| p.id)
            .collect();
        for id in due {
            if let Some(p) = self.proposals.get(&id) {
                let adopt = final_decision(&p.tally, self.config.quorum_bp);
                self.decide(id, adopt);
            }
        }
    }

    /// Submits a proposal by `proposer` (already authorized).
    pub(crate) fn propose(
        &mut self,
        proposer: NeuronId,
        action: Action,
    ) -> Result<ProposalId, GovernanceError> {
        let now = self.now;
        let len = action.payload_len();
        if len > self.config.max_payload_bytes {
            return Err(GovernanceError::PayloadTooLarge(len));
        }
        let holding = self
            .proposals
            .values()
            .filter(|p| p.electorate.is_some())
            .count();
        if holding >= self.config.max_open_proposals {
            return Err(GovernanceError::TooManyProposals);
        }
        let neuron = self
            .neurons
            .get(&proposer)
            .ok_or(GovernanceError::UnknownNeuron(proposer))?;
        if !neuron.is_eligible(&self.config, now) {
            return Err(GovernanceError::NotEligible(proposer));
        }
        let (fee, deposit) = (self.config.proposal_fee, self.config.proposal_deposit);
        let cost = fee.checked_add(deposit).ok_or(GovernanceError::Overflow)?;
        // What is left must still be a neuron's minimum stake (and so
        // carry the proposer's ballot).
        let needed = cost
            .checked_add(self.config.min_stake)
            .ok_or(GovernanceError::Overflow)?;
        if neuron.stake < needed {
            return Err(GovernanceError::InsufficientStake {
                neuron: proposer,
                stake: neuron.stake,
                needed,
            });
        }
        if let Action::ManageNeuron { neuron: target, .. } = &action {
            let managers = self
                .neurons
                .get(target)
                .ok_or(GovernanceError::UnknownNeuron(*target))?
                .followees(FollowKey::Topic(Topic::ManageNeuron));
            if !managers.contains(&proposer) {
                return Err(GovernanceError::NotManager(proposer));
            }
        }
        // Paid before the ballots are made: the proposer's ballot carries
        // the voting power of what it has left.
        if let Some(n) = self.neurons.get_mut(&proposer) {
            n.stake -= cost;
            n.held_deposits += deposit;
        }
        let electorate = match &action {
            Action::ManageNeuron { neuron: target, .. } => {
                let mut managers = self
                    .neurons
                    .get(target)
                    .map(|t| t.followees(FollowKey::Topic(Topic::ManageNeuron)).to_vec())
                    .unwrap_or_default();
                managers.sort_unstable();
                // One vote per manager, no following: managers decide by
                // head count, whatever their stake. The ids are distinct and
                // sorted, so `add` cannot refuse one.
                let mut b = ElectorateBuilder::with_capacity(managers.len(), 0);
                for m in managers
                    .into_iter()
                    .filter(|m| self.neurons.contains_key(m))
                {
                    b.add(m, 1, &[]).ok();
                }
                b.build()
            }
            _ => {
                let topic = action.topic();
                let mut b = ElectorateBuilder::with_capacity(self.neurons.len(), 0);
                for n in self
                    .neurons
                    .values()
                    .filter(|n| n.is_eligible(&self.config, now))
                {
                    let power = n.voting_power(&self.config.voting_power, now);
                    // Follow lists are validated when set, so `add` cannot
                    // refuse one; were it to, the neuron still gets its
                    // ballot, without following, rather than losing it.
                    if b.add(n.id, power, n.followees_for(&self.config, topic))
                        .is_err()
                    {
                        b.add(n.id, power, &[]).ok();
                    }
                }
                b.build()
            }
        };
        self.ledger.burned += u128::from(fee);
        let id = ProposalId(self.next_proposal);
        self.next_proposal += 1;
        let deadline = now.after(self.config.voting_period_ms);
        let ballots = electorate.len();
        let topic = action.topic();
        self.proposals.insert(
            id,
            Proposal {
                id,
                proposer,
                action,
                created: now,
                deadline,
                fee,
                deposit,
                status: ProposalStatus::Open,
                decided_at: None,
                tally: electorate.tally(),
                settled: false,
                electorate: Some(electorate),
            },
        );
        self.outputs
            .push_back(Output::Event(Event::ProposalCreated {
                proposal: id,
                topic,
                deadline,
                ballots,
            }));
        self.cast(id, proposer, Vote::Yes)?;
        Ok(id)
    }

    /// Casts `neuron`'s ballot, cascades it, then applies the early
    /// decision and wait-for-quiet.
    pub(crate) fn cast(
        &mut self,
        proposal: ProposalId,
        neuron: NeuronId,
        vote: Vote,
    ) -> Result<usize, GovernanceError> {
        let now = self.now;
        let (period, quiet) = (self.config.voting_period_ms, self.config.wait_for_quiet_ms);
        let p = self
            .proposals
            .get_mut(&proposal)
            .ok_or(GovernanceError::UnknownProposal(proposal))?;
        if !p.accepts_votes(now) {
            return Err(GovernanceError::VotingClosed(proposal));
        }
        let electorate = p
            .electorate
            .as_mut()
            .ok_or(GovernanceError::VotingClosed(proposal))?;
        let cast = electorate.cast(neuron, vote)?;
        let before: Tally = p.tally;
        p.tally = electorate.tally();
        if p.status != ProposalStatus::Open {
            // Late ballots after an early decision count for rewards only.
            return Ok(cast);
        }
        if let Some(adopt) = early_decision(&p.tally) {
            self.decide(proposal, adopt);
        } else if before.yes_leads() != p.tally.yes_leads() {
            let extended = wait_for_quiet(p.created, p.deadline, now, period, quiet);
            if extended > p.deadline {
                p.deadline = extended;
                self.outputs
                    .push_back(Output::Event(Event::DeadlineExtended {
                        proposal,
                        deadline: extended,
                    }));
            }
        }
        Ok(cast)
    }

    /// Records the decision (once), settles the deposit and starts
    /// execution.
    fn decide(&mut self, id: ProposalId, adopt: bool) {
        let now = self.now;
        let Some(p) = self.proposals.get_mut(&id) else {
            return;
        };
        if p.status != ProposalStatus::Open {
            return;
        }
        p.decided_at = Some(now);
        p.status = if adopt {
            ProposalStatus::Adopted
        } else {
            ProposalStatus::Rejected
        };
        let (proposer, deposit, action) = (p.proposer, p.deposit, p.action.clone());
        if let Some(n) = self.neurons.get_mut(&proposer) {
            n.held_deposits -= deposit;
            if adopt {
                n.stake += deposit;
            } else {
                self.ledger.burned += u128::from(deposit);
            }
        }
        self.outputs.push_back(Output::Event(Event::Decided {
            proposal: id,
            adopted: adopt,
        }));
        if !adopt {
            return;
        }
        match action {
            Action::Motion { .. } => self.finish_execution(id, Ok(())),
            Action::ManageNeuron { neuron, command } => {
                let result = self
                    .apply_managed(neuron, command)
                    .map_err(|e| alloc::format!("{e}"));
                self.finish_execution(id, result);
            }
            action => self.outputs.push_back(Output::Execute {
                proposal: id,
                action,
            }),
        }
    }

    fn finish_execution(&mut self, id: ProposalId, result: Result<(), String>) {
        let Some(p) = self.proposals.get_mut(&id) else {
            return;
        };
        match result {
            Ok(()) => {
                p.status = ProposalStatus::Executed;
                self.outputs
                    .push_back(Output::Event(Event::Executed { proposal: id }));
            }
            Err(reason) => {
                p.status = ProposalStatus::Failed {
                    reason: reason.clone(),
                };
                self.outputs
                    .push_back(Output::Event(Event::ExecutionFailed {
                        proposal: id,
                        reason,
                    }));
            }
        }
    }
}
