//! The invariants governance keeps, checked on demand (tests and fuzzing
//! call it after every step).

use alloc::string::ToString;

use crate::error::InvariantError;
use crate::governance::Governance;
use crate::proposal::ProposalStatus;

impl Governance {
    /// Checks that
    ///
    /// - no value was created or destroyed except by rewards (minted) and
    ///   fees or forfeited deposits (burnt): the neurons' stake, maturity
    ///   and held deposits add up to `deposited + minted − burned −
    ///   disbursed`;
    /// - voting power is never counted twice: each proposal holds at most
    ///   one ballot per neuron, its running tally equals a recount of its
    ///   ballots, and `yes + no ≤ total`;
    /// - a proposal is decided once: it has a decision time iff its status
    ///   is decided, no later than its deadline, and only a decided
    ///   proposal is settled;
    /// - every neuron is within its bounds, and its held deposits are those
    ///   of its undecided proposals.
    pub fn check_invariants(&self) -> Result<(), InvariantError> {
        let held: u128 = self.neurons.values().map(|n| n.total_value()).sum();
        let l = &self.ledger;
        let expected = (l.deposited + l.minted).checked_sub(l.burned + l.disbursed);
        if expected != Some(held) {
            return Err(InvariantError::StakeNotConserved {
                held,
                expected: expected.unwrap_or(0),
            });
        }
        for p in self.proposals.values() {
            if let Some(e) = &p.electorate {
                let recount = e.recount();
                if recount != p.tally
                    || recount.yes + recount.no > recount.total
                    || !e.is_consistent()
                {
                    return Err(InvariantError::Tally(p.id));
                }
            }
            let decided_ok = match (&p.status, p.decided_at) {
                (ProposalStatus::Open, None) => !p.settled,
                (ProposalStatus::Open, Some(_)) | (_, None) => false,
                (_, Some(at)) => at <= p.deadline && at >= p.created,
            };
            if !decided_ok || (p.electorate.is_none() != p.settled) {
                return Err(InvariantError::Decision(p.id));
            }
        }
        for n in self.neurons.values() {
            let pending: u128 = self
                .proposals
                .values()
                .filter(|p| p.proposer == n.id && p.status == ProposalStatus::Open)
                .map(|p| u128::from(p.deposit))
                .sum();
            if pending != u128::from(n.held_deposits) {
                return Err(InvariantError::Neuron(
                    n.id,
                    "held deposits differ from open proposals".to_string(),
                ));
            }
            if n.hot_keys.len() > self.config.max_hot_keys {
                return Err(InvariantError::Neuron(
                    n.id,
                    "too many hot keys".to_string(),
                ));
            }
            for (_, list) in &n.following {
                if list.is_empty() || list.len() > self.config.max_followees || list.contains(&n.id)
                {
                    return Err(InvariantError::Neuron(
                        n.id,
                        "follow list out of bounds".to_string(),
                    ));
                }
            }
        }
        Ok(())
    }
}
