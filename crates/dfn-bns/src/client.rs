//! The neuron client: the software on the owner's device (the slide's
//! "neuron client software").
//!
//! It watches proposals; when the owner gives an instruction before the
//! deadline it signs and sends that vote at once. When the owner has not
//! spoken by `deadline − follow_margin_ms`, it looks at the follow list the
//! owner configured for the proposal's topic (else the catch-all list,
//! never for neuron management) and votes as the majority rule says (yes
//! when more than half of the followees voted yes, no when at least half
//! voted no), re-checking on every followee ballot it sees until the
//! deadline. If governance has already cast the neuron's ballot (the
//! on-chain cascade), it does nothing. Sans-IO like governance: the host
//! feeds it what it observes and sends what it outputs.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

use dfn_crypto::{SecretKey, Time, Variant};

use crate::ids::{NeuronId, ProposalId};
use crate::topic::{FollowKey, Topic};
use crate::vote::{SignedVote, Vote};

/// What the client asks of its host.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientOutput<V: Variant> {
    /// Send this vote to governance.
    Vote(SignedVote<V>),
    /// The deadline passed without a vote (no instruction, followees
    /// undecided).
    Missed(ProposalId),
}

/// A watched proposal.
#[derive(Clone, Debug)]
struct Watched {
    topic: Topic,
    deadline: Time,
    instruction: Option<Vote>,
    followee_votes: BTreeMap<NeuronId, Vote>,
    done: bool,
}

/// One neuron's client (see the module docs).
#[derive(Debug)]
pub struct NeuronClient<V: Variant> {
    neuron: NeuronId,
    key: SecretKey<V>,
    follow_margin_ms: u64,
    /// The latest time seen.
    now: Time,
    following: BTreeMap<FollowKey, Vec<NeuronId>>,
    proposals: BTreeMap<ProposalId, Watched>,
    outputs: VecDeque<ClientOutput<V>>,
}

impl<V: Variant> NeuronClient<V> {
    /// A client voting for `neuron` with `key` (its controller or a hot
    /// key), following `follow_margin_ms` before each deadline.
    pub fn new(neuron: NeuronId, key: SecretKey<V>, follow_margin_ms: u64) -> Self {
        Self {
            neuron,
            key,
            follow_margin_ms,
            now: Time::ZERO,
            following: BTreeMap::new(),
            proposals: BTreeMap::new(),
            outputs: VecDeque::new(),
        }
    }

    /// The owner's follow list for `key` (an empty list clears it).
    pub fn set_following(&mut self, key: FollowKey, followees: Vec<NeuronId>) {
        if followees.is_empty() {
            self.following.remove(&key);
        } else {
            self.following.insert(key, followees);
        }
    }

    /// A proposal appeared (or its deadline moved).
    pub fn handle_proposal(
        &mut self,
        now: Time,
        proposal: ProposalId,
        topic: Topic,
        deadline: Time,
    ) {
        let w = self.proposals.entry(proposal).or_insert(Watched {
            topic,
            deadline,
            instruction: None,
            followee_votes: BTreeMap::new(),
            done: false,
        });
        w.deadline = w.deadline.max(deadline);
        self.step(now, proposal);
    }

    /// A ballot was seen cast on a proposal (by any neuron; the client's
    /// own neuron's ballot ends its work on that proposal).
    pub fn handle_ballot(&mut self, now: Time, proposal: ProposalId, neuron: NeuronId, vote: Vote) {
        let Some(w) = self.proposals.get_mut(&proposal) else {
            return;
        };
        if neuron == self.neuron {
            w.done = true;
            return;
        }
        w.followee_votes.entry(neuron).or_insert(vote);
        self.step(now, proposal);
    }

    /// The owner's instruction.
    pub fn instruct(&mut self, now: Time, proposal: ProposalId, vote: Vote) {
        if let Some(w) = self.proposals.get_mut(&proposal) {
            w.instruction.get_or_insert(vote);
            self.step(now, proposal);
        }
    }

    /// Wakes the client at `now` (see [`NeuronClient::poll_timeout`]).
    pub fn handle_timeout(&mut self, now: Time) {
        let ids: Vec<ProposalId> = self
            .proposals
            .iter()
            .filter(|(_, w)| !w.done)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            self.step(now, id);
        }
    }

    /// The next output.
    pub fn poll_output(&mut self) -> Option<ClientOutput<V>> {
        self.outputs.pop_front()
    }

    /// When to call [`NeuronClient::handle_timeout`] next: the follow
    /// time of a proposal not reached yet, else the deadline (to report a
    /// miss).
    pub fn poll_timeout(&self) -> Option<Time> {
        self.proposals
            .values()
            .filter(|w| !w.done)
            .map(|w| {
                let follow_at =
                    Time::from_millis(w.deadline.as_millis().saturating_sub(self.follow_margin_ms));
                if self.now < follow_at {
                    follow_at
                } else {
                    w.deadline
                }
            })
            .min()
    }

    /// The follow rule on what the client has seen.
    fn vote_by_following(&self, w: &Watched) -> Option<Vote> {
        let list = self.following.get(&FollowKey::Topic(w.topic)).or_else(|| {
            (w.topic != Topic::ManageNeuron)
                .then(|| self.following.get(&FollowKey::CatchAll))
                .flatten()
        })?;
        let yes = list
            .iter()
            .filter(|f| w.followee_votes.get(f) == Some(&Vote::Yes))
            .count();
        let no = list
            .iter()
            .filter(|f| w.followee_votes.get(f) == Some(&Vote::No))
            .count();
        if 2 * yes > list.len() {
            Some(Vote::Yes)
        } else if 2 * no >= list.len() {
            Some(Vote::No)
        } else {
            None
        }
    }

    fn step(&mut self, now: Time, proposal: ProposalId) {
        self.now = self.now.max(now);
        let now = self.now;
        let Some(w) = self.proposals.get(&proposal) else {
            return;
        };
        if w.done {
            return;
        }
        let vote = if now >= w.deadline {
            None
        } else if let Some(v) = w.instruction {
            Some(v)
        } else if now.as_millis().saturating_add(self.follow_margin_ms) >= w.deadline.as_millis() {
            match self.vote_by_following(w) {
                Some(v) => Some(v),
                None => return,
            }
        } else {
            return;
        };
        let output = match vote {
            Some(v) => ClientOutput::Vote(SignedVote::sign(&self.key, self.neuron, proposal, v)),
            None => ClientOutput::Missed(proposal),
        };
        self.outputs.push_back(output);
        if let Some(w) = self.proposals.get_mut(&proposal) {
            w.done = true;
        }
    }
}
