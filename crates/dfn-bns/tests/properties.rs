//! Property tests: the invariants over random command sequences, and the
//! cascade against the naive reference tally on random follow graphs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;

use dfn_bns::config::{DAY_MS, MONTH_MS};
use dfn_bns::{
    Action, ElectorateBuilder, Event, FollowKey, Governance, GovernanceConfig, KeyId,
    ManagedCommand, NeuronCommand, NeuronId, NewNeuron, Output, ProposalId, Topic, Vote,
};
use dfn_crypto::Time;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use sha2::{Digest, Sha256};

use common::Reference;

fn config() -> GovernanceConfig {
    GovernanceConfig {
        min_stake: 10,
        proposal_fee: 3,
        proposal_deposit: 20,
        min_dissolve_delay_to_vote_ms: MONTH_MS,
        voting_period_ms: DAY_MS,
        wait_for_quiet_ms: DAY_MS / 4,
        reward_period_ms: DAY_MS / 4,
        reward_pool_per_period: 1_000,
        max_followees: 3,
        max_hot_keys: 2,
        max_open_proposals: 4,
        ..GovernanceConfig::default()
    }
}

fn key(i: u8) -> KeyId {
    KeyId([i; 32])
}

/// One step of a random run; numbers are folded onto existing things by
/// the driver.
#[derive(Clone, Debug)]
enum Op {
    Create {
        owner: u8,
        stake: u64,
        delay_months: u64,
    },
    Command {
        neuron: u64,
        caller: u8,
        kind: u8,
        a: u64,
        list: Vec<u64>,
    },
    Execute {
        proposal: u64,
        ok: bool,
    },
    Advance {
        ms: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0u8..4, 0u64..200, 0u64..30).prop_map(|(owner, stake, delay_months)| Op::Create { owner, stake, delay_months }),
        6 => (0u64..12, 0u8..6, 0u8..16, 0u64..1_000, prop::collection::vec(0u64..12, 0..4))
            .prop_map(|(neuron, caller, kind, a, list)| Op::Command { neuron, caller, kind, a, list }),
        1 => (0u64..8, any::<bool>()).prop_map(|(proposal, ok)| Op::Execute { proposal, ok }),
        2 => (0u64..(2 * DAY_MS)).prop_map(|ms| Op::Advance { ms }),
    ]
}

fn action(kind: u64, a: u64, list: &[u64]) -> Action {
    match kind % 7 {
        0 => Action::Motion {
            text: "m".repeat((a % 5) as usize),
        },
        1 => Action::UpgradeCode {
            component: "vm".into(),
            code_hash: [a as u8; 32],
        },
        2 => Action::SetParameter {
            name: "p".into(),
            value: a.to_be_bytes().to_vec(),
        },
        3 => Action::AddProcess {
            process: [a as u8; 20],
        },
        4 => Action::FreezeContract {
            contract: [a as u8; 20],
        },
        5 => Action::ManageNeuron {
            neuron: NeuronId(a % 12),
            command: if a % 2 == 0 {
                ManagedCommand::StartDissolving
            } else {
                ManagedCommand::SetFollowing {
                    key: FollowKey::CatchAll,
                    followees: list.iter().map(|x| NeuronId(*x)).collect(),
                }
            },
        },
        _ => Action::RemoveProcess {
            process: [a as u8; 20],
        },
    }
}

fn vote(a: u64) -> Vote {
    if a % 3 == 0 { Vote::No } else { Vote::Yes }
}

/// Applies `op`; errors are part of the run (refused commands change
/// nothing).
fn step(g: &mut Governance, now: &mut Time, op: &Op) -> String {
    match op {
        Op::Create {
            owner,
            stake,
            delay_months,
        } => format!(
            "{:?}",
            g.create_neuron(
                *now,
                NewNeuron {
                    owner: key(*owner),
                    controller: key(*owner),
                    hot_keys: Vec::new(),
                    stake: *stake,
                    dissolve_delay_ms: delay_months * MONTH_MS / 4,
                },
            )
        ),
        Op::Command {
            neuron,
            caller,
            kind,
            a,
            list,
        } => {
            let n = NeuronId(*neuron);
            let followees: Vec<NeuronId> = list.iter().map(|x| NeuronId(*x)).collect();
            let topic = Topic::from_index((*a % 6) as usize).unwrap();
            let proposal = ProposalId(a % 8);
            let command = match kind {
                0 => NeuronCommand::IncreaseDissolveDelay {
                    additional_ms: a * MONTH_MS / 100,
                },
                1 => NeuronCommand::StartDissolving,
                2 => NeuronCommand::StopDissolving,
                3 => NeuronCommand::Disburse,
                4 => NeuronCommand::Split { amount: *a },
                5 => NeuronCommand::Merge {
                    source: NeuronId(a % 12),
                },
                6 => NeuronCommand::SetFollowing {
                    key: FollowKey::Topic(topic),
                    followees,
                },
                7 => NeuronCommand::SetFollowing {
                    key: FollowKey::CatchAll,
                    followees,
                },
                8 => NeuronCommand::AddHotKey {
                    key: key(4 + (*a % 2) as u8),
                },
                9 => NeuronCommand::RemoveHotKey {
                    key: key(4 + (*a % 2) as u8),
                },
                10 => NeuronCommand::StakeMaturity,
                11 | 12 => NeuronCommand::Vote {
                    proposal,
                    vote: vote(*a / 8),
                },
                _ => NeuronCommand::Propose {
                    action: action(a / 8, *a, list),
                },
            };
            // Mostly the controller, sometimes a hot key or a stranger.
            let caller = match caller {
                0..=3 => g.neuron(n).map_or(key(0), |x| x.controller),
                4 => key(4),
                _ => key(9),
            };
            format!("{:?}", g.handle_command(*now, caller, n, command))
        }
        Op::Execute { proposal, ok } => {
            let result = if *ok {
                Ok(())
            } else {
                Err("refused".to_string())
            };
            format!(
                "{:?}",
                g.handle_execution(*now, ProposalId(*proposal), result)
            )
        }
        Op::Advance { ms } => {
            *now = now.after(*ms);
            g.handle_timeout(*now);
            String::new()
        }
    }
}

/// Runs `ops`, checking every invariant after each step and that each
/// proposal is decided and executed at most once; returns an audit hash of
/// every result and output.
fn run(ops: &[Op]) -> [u8; 32] {
    let mut g = Governance::new(config(), Time::ZERO).unwrap();
    let mut now = Time::ZERO;
    let mut audit = Sha256::new();
    let mut decided: BTreeMap<ProposalId, usize> = BTreeMap::new();
    let mut executed: BTreeMap<ProposalId, usize> = BTreeMap::new();
    for op in ops {
        audit.update(step(&mut g, &mut now, op).as_bytes());
        if let Err(e) = g.check_invariants() {
            panic!("after {op:?}: {e}");
        }
        while let Some(out) = g.poll_output() {
            match &out {
                Output::Event(Event::Decided { proposal, .. }) => {
                    *decided.entry(*proposal).or_default() += 1
                }
                Output::Execute { proposal, .. }
                | Output::Event(
                    Event::Executed { proposal } | Event::ExecutionFailed { proposal, .. },
                ) => *executed.entry(*proposal).or_default() += 1,
                _ => {}
            }
            audit.update(format!("{out:?}").as_bytes());
        }
    }
    assert!(
        decided.values().all(|c| *c == 1),
        "decided more than once: {decided:?}"
    );
    for p in g.proposals() {
        assert_eq!(decided.contains_key(&p.id), p.status.is_decided());
    }
    // Once per host request, plus once for the host's result.
    assert!(executed.values().all(|c| *c <= 2), "{executed:?}");
    audit.finalize().into()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn invariants_hold_over_random_runs(ops in prop::collection::vec(op(), 1..120)) {
        run(&ops);
    }

    /// The cascade against the naive fixed point, on random electorates with
    /// sparse ids, follow lists naming neurons with and without ballots
    /// (cycles and self-follows included) and random manual votes.
    #[test]
    fn cascade_matches_reference(
        present in prop::collection::vec(any::<bool>(), 1..60),
        lists in prop::collection::vec(prop::collection::btree_set(1u64..70, 0..6), 60),
        powers in prop::collection::vec(0u64..1_000, 60),
        votes in prop::collection::vec((1u64..70, any::<bool>()), 0..12),
    ) {
        let ids: Vec<NeuronId> = present.iter().enumerate().filter(|(_, p)| **p).map(|(i, _)| NeuronId(i as u64 + 1)).collect();
        let mut b = ElectorateBuilder::default();
        let mut ref_power = Vec::new();
        let mut ref_lists = Vec::new();
        for (k, id) in ids.iter().enumerate() {
            let list: Vec<NeuronId> = lists[k].iter().map(|x| NeuronId(*x)).collect();
            b.add(*id, powers[k], &list).unwrap();
            ref_power.push(powers[k]);
            ref_lists.push(list);
        }
        let mut e = b.build();
        let mut r = Reference::new(ids.clone(), ref_power, ref_lists);
        for (id, yes) in votes {
            let v = if yes { Vote::Yes } else { Vote::No };
            prop_assert_eq!(e.cast(NeuronId(id), v).is_ok(), r.vote(NeuronId(id), v));
            for (k, id) in ids.iter().enumerate() {
                prop_assert_eq!(e.ballot(*id), Some(r.votes[k]));
            }
            let t = e.tally();
            prop_assert_eq!((t.yes, t.no, t.total), r.tally());
        }
    }
}

#[test]
fn runs_are_deterministic() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..8 {
        let ops = prop::collection::vec(op(), 50..100)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        assert_eq!(run(&ops), run(&ops));
    }
}
