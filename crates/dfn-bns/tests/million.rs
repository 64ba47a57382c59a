//! A cascade over 1,000,000 neurons with random follow graphs (cycles
//! included), through governance, checked ballot by ballot and decision by
//! decision against the naive reference tally after every direct vote.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Instant;

use dfn_bns::config::{DAY_MS, YEAR_MS};
use dfn_bns::{
    Action, FollowKey, Governance, GovernanceConfig, KeyId, NeuronCommand, NeuronId, NewNeuron,
    ProposalStatus, Reply, Tally, Topic, Vote, early_decision, final_decision,
};
use dfn_crypto::Time;
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

use common::Reference;

const NEURONS: u64 = 1_000_000;
/// Followees are drawn from these first neurons half of the time, so that
/// votes of popular neurons cascade far.
const POPULAR: u64 = 20;

fn key(i: u64) -> KeyId {
    let mut k = [0u8; 32];
    k[..8].copy_from_slice(&i.to_be_bytes());
    KeyId(k)
}

fn list(rng: &mut ChaCha20Rng, me: u64, len: usize) -> Vec<NeuronId> {
    let mut l = Vec::with_capacity(len);
    while l.len() < len {
        let f = if rng.next_u32() % 2 == 0 {
            rng.next_u64() % POPULAR + 1
        } else {
            rng.next_u64() % NEURONS + 1
        };
        if f != me && !l.contains(&NeuronId(f)) {
            l.push(NeuronId(f));
        }
    }
    l
}

#[test]
fn million_neuron_cascade_matches_reference() {
    let started = Instant::now();
    let config = GovernanceConfig::default();
    let min_stake = config.min_stake;
    let mut g = Governance::new(config.clone(), Time::ZERO).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(1_000_000);
    for i in 1..=NEURONS {
        let stake = min_stake + rng.next_u64() % (100 * min_stake);
        // About 3 % fall below the 3-month minimum and get no ballot.
        let delay = rng.next_u64() % (8 * YEAR_MS);
        g.create_neuron(
            Time::ZERO,
            NewNeuron {
                owner: key(i),
                controller: key(i),
                hot_keys: Vec::new(),
                stake,
                dissolve_delay_ms: delay,
            },
        )
        .unwrap();
    }
    // Motion lists of 1–9 followees (5 on average); a third of the neurons
    // also have a catch-all list, used on topics without their own list.
    let now = Time::from_millis(DAY_MS);
    for i in 1..=NEURONS {
        let n = NeuronId(i);
        let len = 1 + (rng.next_u32() % 9) as usize;
        let followees = list(&mut rng, i, len);
        g.handle_command(
            now,
            key(i),
            n,
            NeuronCommand::SetFollowing {
                key: FollowKey::Topic(Topic::Motion),
                followees,
            },
        )
        .unwrap();
        if rng.next_u32() % 3 == 0 {
            let followees = list(&mut rng, i, 3);
            g.handle_command(
                now,
                key(i),
                n,
                NeuronCommand::SetFollowing {
                    key: FollowKey::CatchAll,
                    followees,
                },
            )
            .unwrap();
        }
    }
    let built = started.elapsed();

    // The proposer: an eligible neuron outside the popular set.
    let proposer = (POPULAR + 1..=NEURONS)
        .map(NeuronId)
        .find(|n| g.neuron(*n).unwrap().is_eligible(&config, now))
        .unwrap();
    let action = Action::Motion {
        text: "a million neurons".into(),
    };
    let Reply::Proposed(id) = g
        .handle_command(
            now,
            key(proposer.0),
            proposer,
            NeuronCommand::Propose { action },
        )
        .unwrap()
    else {
        panic!()
    };

    // The reference electorate, from the same neurons.
    let eligible: Vec<_> = g
        .neurons()
        .filter(|n| n.is_eligible(&config, now))
        .collect();
    let ids = eligible.iter().map(|n| n.id).collect();
    let power = eligible
        .iter()
        .map(|n| n.voting_power(&config.voting_power, now))
        .collect();
    let lists = eligible
        .iter()
        .map(|n| n.followees_for(&config, Topic::Motion).to_vec())
        .collect();
    let mut reference = Reference::new(ids, power, lists);
    assert!(reference.vote(proposer, Vote::Yes));
    let mut decision: Option<bool> = None;
    let mut cascade_time = std::time::Duration::ZERO;
    let mut cast_total = 0;
    let mut reference_time = std::time::Duration::ZERO;

    // Every ballot (neuron, frozen power, vote), the tally and the decision
    // agree with the reference.
    let check = |g: &Governance, reference: &Reference, decision: Option<bool>| {
        let proposal = g.proposal(id).unwrap();
        let e = proposal.electorate().unwrap();
        assert_eq!(e.len(), reference.ids.len());
        for ((neuron, power, vote), k) in e.ballots().zip(0..) {
            assert_eq!(
                (neuron, power, vote),
                (reference.ids[k], reference.power[k], reference.votes[k])
            );
        }
        let (yes, no, total) = reference.tally();
        assert_eq!(proposal.tally, Tally { yes, no, total });
        let status = &proposal.status;
        assert_eq!(status.is_decided().then(|| status.is_adopted()), decision);
    };
    let (yes, no, total) = reference.tally();
    decision = decision.or(early_decision(&Tally { yes, no, total }));
    check(&g, &reference, decision);

    // Direct votes by popular neurons (some already cast by following:
    // refused by both), then by random ones.
    for k in 0..15u64 {
        let voter = NeuronId(if k < 12 {
            rng.next_u64() % POPULAR + 1
        } else {
            rng.next_u64() % NEURONS + 1
        });
        let vote = if rng.next_u32() % 2 == 0 {
            Vote::Yes
        } else {
            Vote::No
        };
        let t = Instant::now();
        let result = g.handle_command(
            now.after(k + 1),
            key(voter.0),
            voter,
            NeuronCommand::Vote { proposal: id, vote },
        );
        cascade_time += t.elapsed();
        if let Ok(Reply::Voted(cast)) = result {
            cast_total += cast;
        }
        let t = Instant::now();
        let accepted = reference.vote(voter, vote);
        reference_time += t.elapsed();
        assert_eq!(result.is_ok(), accepted, "vote {k} by {voter}");
        let (yes, no, total) = reference.tally();
        decision = decision.or(early_decision(&Tally { yes, no, total }));
        check(&g, &reference, decision);
        g.check_invariants().unwrap();
    }
    // At the deadline (if still open): the quorum rule on the same tally.
    g.handle_timeout(g.proposal(id).unwrap().deadline);
    let (yes, no, total) = reference.tally();
    let final_adopted =
        decision.unwrap_or_else(|| final_decision(&Tally { yes, no, total }, config.quorum_bp));
    let status = &g.proposal(id).unwrap().status;
    assert_ne!(*status, ProposalStatus::Open);
    assert_eq!(status.is_adopted(), final_adopted);
    let cast_by_following = reference.votes.iter().filter(|v| v.is_some()).count();
    println!(
        "1,000,000 neurons: built in {built:?}; {} ballots, {cast_by_following} cast; direct votes cascaded {cast_total} ballots in {cascade_time:?} (reference {reference_time:?}); total {:?}",
        reference.ids.len(),
        started.elapsed()
    );
    assert!(
        cast_by_following > 100_000,
        "the cascades reached far: {cast_by_following}"
    );
}
