//! Shared by the integration tests: a straightforward reference tally and
//! helpers to build governance states.
#![allow(dead_code)]

use dfn_bns::config::DAY_MS;
use dfn_bns::error::GovernanceError;
use dfn_bns::{
    Action, Governance, GovernanceConfig, KeyId, NeuronCommand, NeuronId, NewNeuron, Output,
    ProposalId, Reply, Vote,
};
use dfn_crypto::Time;

/// The naive reference: ballots as a plain vector, follow lists as given,
/// manual votes applied one at a time, each followed by sweeps over every
/// neuron recounting its followees from scratch until nothing changes.
pub struct Reference {
    pub ids: Vec<NeuronId>,
    pub power: Vec<u64>,
    /// Each voter's followees as ballot indices (`None`: no ballot).
    pub lists: Vec<Vec<Option<usize>>>,
    pub votes: Vec<Option<Vote>>,
}

impl Reference {
    pub fn new(ids: Vec<NeuronId>, power: Vec<u64>, lists: Vec<Vec<NeuronId>>) -> Self {
        let votes = vec![None; ids.len()];
        let lists = lists
            .iter()
            .map(|l| l.iter().map(|f| ids.binary_search(f).ok()).collect())
            .collect();
        Self {
            ids,
            power,
            lists,
            votes,
        }
    }

    fn index(&self, id: NeuronId) -> Option<usize> {
        self.ids.binary_search(&id).ok()
    }

    /// Applies a manual vote; false (and no change) when the neuron has no
    /// ballot or has voted.
    pub fn vote(&mut self, id: NeuronId, vote: Vote) -> bool {
        match self.index(id) {
            Some(i) if self.votes[i].is_none() => {
                self.votes[i] = Some(vote);
                self.settle();
                true
            }
            _ => false,
        }
    }

    fn settle(&mut self) {
        loop {
            let mut changed = false;
            for i in 0..self.ids.len() {
                if self.votes[i].is_some() || self.lists[i].is_empty() {
                    continue;
                }
                let (mut yes, mut no) = (0usize, 0usize);
                for f in &self.lists[i] {
                    match f.and_then(|j| self.votes[j]) {
                        Some(Vote::Yes) => yes += 1,
                        Some(Vote::No) => no += 1,
                        None => {}
                    }
                }
                let n = self.lists[i].len();
                if 2 * yes > n {
                    self.votes[i] = Some(Vote::Yes);
                    changed = true;
                } else if 2 * no >= n {
                    self.votes[i] = Some(Vote::No);
                    changed = true;
                }
            }
            if !changed {
                return;
            }
        }
    }

    /// `(yes, no, total)` voting power.
    pub fn tally(&self) -> (u128, u128, u128) {
        let mut t = (0u128, 0u128, 0u128);
        for (p, v) in self.power.iter().zip(&self.votes) {
            t.2 += u128::from(*p);
            match v {
                Some(Vote::Yes) => t.0 += u128::from(*p),
                Some(Vote::No) => t.1 += u128::from(*p),
                None => {}
            }
        }
        t
    }
}

pub const STAKE: u64 = 1_000_000_000;

pub fn key(i: u64) -> KeyId {
    let mut k = [0u8; 32];
    k[..8].copy_from_slice(&i.to_be_bytes());
    KeyId(k)
}

pub fn at_day(d: f64) -> Time {
    Time::from_millis((d * DAY_MS as f64) as u64)
}

/// Config with no fee or deposit and a minimum stake of 1, so that voting
/// power is easy to reason about.
pub fn free_config() -> GovernanceConfig {
    GovernanceConfig {
        proposal_fee: 0,
        proposal_deposit: 0,
        min_stake: 1,
        ..GovernanceConfig::default()
    }
}

pub fn create(g: &mut Governance, now: Time, i: u64, stake: u64, delay: u64) -> NeuronId {
    g.create_neuron(
        now,
        NewNeuron {
            owner: key(i),
            controller: key(i),
            hot_keys: Vec::new(),
            stake,
            dissolve_delay_ms: delay,
        },
    )
    .unwrap()
}

pub fn command(
    g: &mut Governance,
    now: Time,
    n: NeuronId,
    c: NeuronCommand,
) -> Result<Reply, GovernanceError> {
    let caller = g.neuron(n).map_or(key(n.0), |x| x.controller);
    g.handle_command(now, caller, n, c)
}

pub fn propose(g: &mut Governance, now: Time, n: NeuronId, action: Action) -> ProposalId {
    match command(g, now, n, NeuronCommand::Propose { action }).unwrap() {
        Reply::Proposed(id) => id,
        other => panic!("{other:?}"),
    }
}

pub fn motion() -> Action {
    Action::Motion {
        text: "more blocks".into(),
    }
}

pub fn drain(g: &mut Governance) -> Vec<Output> {
    std::iter::from_fn(|| g.poll_output()).collect()
}
