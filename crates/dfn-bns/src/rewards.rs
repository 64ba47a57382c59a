//! Thought mining: each reward period's pool, shared by voting power
//! exercised.
//!
//! At the end of a period every proposal whose voting has ended and that
//! has not been settled yet is settled together:
//!
//! ```text
//! total       = Σ_p w(topic_p) · total_voting_power_p
//! exercised_i = Σ_p w(topic_p) · vp_i,p · [i cast a ballot on p]
//! reward_i    = ⌊pool · exercised_i / total⌋
//! ```
//!
//! Missed votes earn nothing (their share is simply never minted). When no
//! proposal with positive weight settles, the pool rolls over to the next
//! period; otherwise the rounding residue is not carried. Rewards are
//! credited as maturity; a neuron that no longer exists gets nothing.
//! Ballots are dropped once settled.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use dfn_crypto::Time;

use crate::governance::Governance;
use crate::ids::{NeuronId, ProposalId};
use crate::output::{Event, Output};

impl Governance {
    /// Ends the current reward period at `self.now` (its boundary), and
    /// every following empty period ending by `until`.
    pub(crate) fn settle_rewards(&mut self, until: Time) {
        let end = self.now;
        let due: Vec<ProposalId> = self
            .proposals
            .values()
            .filter(|p| !p.settled && p.status.is_decided() && p.deadline <= end)
            .map(|p| p.id)
            .collect();
        let mut total: u128 = 0;
        let mut exercised: BTreeMap<NeuronId, u128> = BTreeMap::new();
        for id in &due {
            let Some(p) = self.proposals.get_mut(id) else {
                continue;
            };
            let weight = u128::from(self.config.reward_weight(p.action.topic()));
            if let Some(e) = p.electorate.take() {
                total += weight * e.tally().total;
                if weight > 0 {
                    for (neuron, power, vote) in e.ballots() {
                        if vote.is_some() {
                            *exercised.entry(neuron).or_default() += weight * u128::from(power);
                        }
                    }
                }
            }
            p.settled = true;
        }
        let pool = self.reward_pool;
        let mut minted: u64 = 0;
        let rolled_over = total == 0;
        if !rolled_over {
            // Keep both sides of the ratio below 2^64 so that pool · share
            // fits u128. Shifting both rounds each share down, and a sum of
            // floors never exceeds the floor of the sum, so the rewards
            // never exceed the pool.
            let shift = 128 - total.leading_zeros();
            let shift = shift.saturating_sub(64);
            let denominator = total >> shift;
            for (neuron, share) in exercised {
                let reward = u128::from(pool) * (share >> shift) / denominator.max(1);
                let reward = u64::try_from(reward).unwrap_or(0);
                if let Some(n) = self.neurons.get_mut(&neuron) {
                    if let Some(m) = n.maturity.checked_add(reward) {
                        n.maturity = m;
                        minted += reward;
                    }
                }
            }
            self.ledger.minted += u128::from(minted);
        }
        let (per_period, period) = (
            self.config.reward_pool_per_period,
            self.config.reward_period_ms,
        );
        // Periods that would settle nothing either (they end before `until`
        // and before any unsettled deadline) are rolled over at once, so a
        // long silence costs one step, not one per period.
        let skipped = if rolled_over {
            let next_due = self
                .proposals
                .values()
                .filter(|p| !p.settled)
                .map(|p| p.deadline.as_millis())
                .min();
            let to_until = until.as_millis().saturating_sub(end.as_millis()) / period;
            let to_due = next_due.map_or(u64::MAX, |d| {
                d.saturating_sub(end.as_millis()).saturating_sub(1) / period
            });
            to_until.min(to_due)
        } else {
            0
        };
        let last_end = end.after(skipped.saturating_mul(period));
        self.reward_pool = if rolled_over {
            pool.saturating_add(per_period.saturating_mul(skipped.saturating_add(1)))
        } else {
            per_period
        };
        self.next_reward = last_end.after(period);
        self.outputs
            .push_back(Output::Event(Event::RewardsDistributed {
                period_end: last_end,
                proposals: due.len(),
                minted,
                rolled_over,
            }));
    }
}
