//! Table-driven tests of proposals: fee and deposit, execution, limits,
//! neuron management, rewards.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use dfn_bns::config::{DAY_MS, YEAR_MS};
use dfn_bns::error::GovernanceError;
use dfn_bns::{
    Action, DissolveState, Event, FollowKey, Governance, GovernanceConfig, ManagedCommand,
    NeuronCommand, Output, ProposalStatus, Tally, Topic, Vote,
};
use dfn_crypto::Time;

use common::*;

#[test]
fn fee_and_deposit() {
    let config = GovernanceConfig::default();
    let (fee, deposit) = (config.proposal_fee, config.proposal_deposit);
    for adopt in [true, false] {
        let mut g = Governance::new(config.clone(), Time::ZERO).unwrap();
        let p = create(&mut g, Time::ZERO, 1, STAKE, YEAR_MS);
        let big = create(&mut g, Time::ZERO, 2, 10 * STAKE, YEAR_MS);
        let id = propose(&mut g, Time::ZERO, p, motion());
        assert_eq!(g.neuron(p).unwrap().stake, STAKE - fee - deposit);
        assert_eq!(g.neuron(p).unwrap().held_deposits, deposit);
        g.check_invariants().unwrap();
        let vote = if adopt { Vote::Yes } else { Vote::No };
        command(
            &mut g,
            Time::from_millis(1),
            big,
            NeuronCommand::Vote { proposal: id, vote },
        )
        .unwrap();
        let n = g.neuron(p).unwrap();
        assert_eq!(n.held_deposits, 0);
        if adopt {
            assert_eq!(n.stake, STAKE - fee);
            assert_eq!(g.ledger().burned, u128::from(fee));
            assert_eq!(g.proposal(id).unwrap().status, ProposalStatus::Executed);
        } else {
            assert_eq!(n.stake, STAKE - fee - deposit);
            assert_eq!(g.ledger().burned, u128::from(fee + deposit));
            assert_eq!(g.proposal(id).unwrap().status, ProposalStatus::Rejected);
        }
        g.check_invariants().unwrap();
    }
    // Not enough stake for fee and deposit.
    let mut g = Governance::new(
        GovernanceConfig {
            min_stake: 1,
            ..config
        },
        Time::ZERO,
    )
    .unwrap();
    let poor = create(&mut g, Time::ZERO, 1, deposit, YEAR_MS);
    assert!(matches!(
        command(
            &mut g,
            Time::ZERO,
            poor,
            NeuronCommand::Propose { action: motion() }
        ),
        Err(GovernanceError::InsufficientStake { .. })
    ));
}

#[test]
fn execution_round_trip() {
    let actions = [
        Action::UpgradeCode {
            component: "vm".into(),
            code_hash: [1; 32],
        },
        Action::SetParameter {
            name: "block_time_ms".into(),
            value: 5_000u64.to_be_bytes().to_vec(),
        },
        Action::AddProcess { process: [2; 20] },
        Action::RemoveProcess { process: [2; 20] },
        Action::FreezeContract { contract: [3; 20] },
        Action::UnfreezeContract { contract: [3; 20] },
    ];
    for (i, action) in actions.into_iter().enumerate() {
        let mut g = Governance::new(GovernanceConfig::default(), Time::ZERO).unwrap();
        let p = create(&mut g, Time::ZERO, 1, STAKE, YEAR_MS);
        let id = propose(&mut g, Time::ZERO, p, action.clone());
        let outputs = drain(&mut g);
        assert!(outputs.contains(&Output::Execute {
            proposal: id,
            action
        }));
        assert_eq!(g.proposal(id).unwrap().status, ProposalStatus::Adopted);
        let result = if i % 2 == 0 {
            Ok(())
        } else {
            Err("host refused".to_string())
        };
        g.handle_execution(Time::from_millis(1), id, result.clone())
            .unwrap();
        let want = match result {
            Ok(()) => ProposalStatus::Executed,
            Err(reason) => ProposalStatus::Failed { reason },
        };
        assert_eq!(g.proposal(id).unwrap().status, want);
        // Reported once only.
        assert_eq!(
            g.handle_execution(Time::from_millis(2), id, Ok(())),
            Err(GovernanceError::NotAwaitingExecution(id))
        );
        g.check_invariants().unwrap();
    }
}

#[test]
fn limits_on_proposals() {
    let config = GovernanceConfig {
        max_open_proposals: 1,
        max_payload_bytes: 4,
        ..GovernanceConfig::default()
    };
    let mut g = Governance::new(config, Time::ZERO).unwrap();
    let p = create(&mut g, Time::ZERO, 1, 10 * STAKE, YEAR_MS);
    let long = Action::Motion {
        text: "hello".into(),
    };
    assert_eq!(
        command(
            &mut g,
            Time::ZERO,
            p,
            NeuronCommand::Propose { action: long }
        ),
        Err(GovernanceError::PayloadTooLarge(5))
    );
    propose(&mut g, Time::ZERO, p, Action::Motion { text: "hi".into() });
    assert_eq!(
        command(
            &mut g,
            Time::ZERO,
            p,
            NeuronCommand::Propose {
                action: Action::Motion { text: "2".into() }
            }
        ),
        Err(GovernanceError::TooManyProposals)
    );
    // Settled at the end of the first reward period after the deadline:
    // room again.
    g.handle_timeout(Time::from_millis(5 * DAY_MS));
    propose(
        &mut g,
        Time::from_millis(5 * DAY_MS),
        p,
        Action::Motion { text: "3".into() },
    );
}

#[test]
fn manage_neuron_by_managers() {
    let mut g = Governance::new(free_config(), Time::ZERO).unwrap();
    let target = create(&mut g, Time::ZERO, 1, 100, YEAR_MS);
    let m1 = create(&mut g, Time::ZERO, 2, 1, YEAR_MS);
    let m2 = create(&mut g, Time::ZERO, 3, 1_000, YEAR_MS);
    let m3 = create(&mut g, Time::ZERO, 4, 1, YEAR_MS);
    let outsider = create(&mut g, Time::ZERO, 5, 10_000, YEAR_MS);
    command(
        &mut g,
        Time::ZERO,
        target,
        NeuronCommand::SetFollowing {
            key: FollowKey::Topic(Topic::ManageNeuron),
            followees: vec![m1, m2, m3],
        },
    )
    .unwrap();
    // Managers follow nobody's lead on this topic: the catch-all is never used.
    command(
        &mut g,
        Time::ZERO,
        m3,
        NeuronCommand::SetFollowing {
            key: FollowKey::CatchAll,
            followees: vec![m1],
        },
    )
    .unwrap();
    let action = |command| Action::ManageNeuron {
        neuron: target,
        command,
    };
    assert_eq!(
        command(
            &mut g,
            Time::ZERO,
            outsider,
            NeuronCommand::Propose {
                action: action(ManagedCommand::StartDissolving)
            }
        ),
        Err(GovernanceError::NotManager(outsider))
    );
    let id = propose(
        &mut g,
        Time::ZERO,
        m1,
        action(ManagedCommand::StartDissolving),
    );
    let p = g.proposal(id).unwrap();
    assert_eq!(
        p.tally,
        Tally {
            yes: 1,
            no: 0,
            total: 3
        },
        "one vote per manager, whatever the stake"
    );
    assert_eq!(g.ballot(id, m3), Some(None));
    assert_eq!(g.ballot(id, outsider), None);
    command(
        &mut g,
        Time::from_millis(1),
        m3,
        NeuronCommand::Vote {
            proposal: id,
            vote: Vote::Yes,
        },
    )
    .unwrap();
    assert_eq!(g.proposal(id).unwrap().status, ProposalStatus::Executed);
    assert!(matches!(
        g.neuron(target).unwrap().dissolve,
        DissolveState::Dissolving { .. }
    ));
    // A second StartDissolving fails with a reason.
    let again = propose(
        &mut g,
        Time::from_millis(2),
        m1,
        action(ManagedCommand::StartDissolving),
    );
    command(
        &mut g,
        Time::from_millis(3),
        m2,
        NeuronCommand::Vote {
            proposal: again,
            vote: Vote::Yes,
        },
    )
    .unwrap();
    assert!(matches!(
        g.proposal(again).unwrap().status,
        ProposalStatus::Failed { .. }
    ));
    g.check_invariants().unwrap();
}

#[test]
fn rewards_follow_exercised_voting_power() {
    let config = GovernanceConfig {
        reward_pool_per_period: 1_000_000,
        ..free_config()
    };
    let mut g = Governance::new(config, Time::ZERO).unwrap();
    // Voting powers 2,700, 900 and 900 (1-year delay: +12.5 %).
    let a = create(&mut g, Time::ZERO, 1, 2_400, YEAR_MS);
    let b = create(&mut g, Time::ZERO, 2, 800, YEAR_MS);
    let c = create(&mut g, Time::ZERO, 3, 800, YEAR_MS);
    // A proposes (Yes); B votes; C misses the vote.
    let id = propose(
        &mut g,
        Time::ZERO,
        a,
        Action::AddProcess { process: [1; 20] },
    );
    command(
        &mut g,
        Time::from_millis(1),
        b,
        NeuronCommand::Vote {
            proposal: id,
            vote: Vote::No,
        },
    )
    .unwrap();
    // The first period (1 day) ends before the deadline: nothing settles,
    // the pool rolls over.
    g.handle_timeout(Time::from_millis(DAY_MS));
    assert!(drain(&mut g).iter().any(|o| matches!(
        o,
        Output::Event(Event::RewardsDistributed {
            proposals: 0,
            minted: 0,
            rolled_over: true,
            ..
        })
    )));
    // Deadline at 4 d; settled at the end of period 4 (4 d), with a pool of
    // 4 periods.
    g.handle_timeout(Time::from_millis(4 * DAY_MS));
    assert!(
        g.proposal(id).unwrap().electorate().is_none(),
        "ballots dropped once settled"
    );
    let pa = g.neuron(a).unwrap().maturity;
    let pb = g.neuron(b).unwrap().maturity;
    let pc = g.neuron(c).unwrap().maturity;
    assert_eq!(pc, 0, "missed votes earn nothing");
    assert_eq!(pa, 3 * pb, "in proportion to voting power");
    assert_eq!(
        (pa, pb),
        (2_400_000, 800_000),
        "4 periods' pool × 3,600 / 4,500"
    );
    assert_eq!(g.ledger().minted, u128::from(pa + pb));
    g.check_invariants().unwrap();
    // Staking the maturity adds it to the stake.
    command(
        &mut g,
        Time::from_millis(4 * DAY_MS),
        a,
        NeuronCommand::StakeMaturity,
    )
    .unwrap();
    assert_eq!(g.neuron(a).unwrap().stake, 2_400 + pa);
    g.check_invariants().unwrap();
}

#[test]
fn topic_weights_scale_rewards() {
    let config = GovernanceConfig {
        reward_pool_per_period: 1_200_000_000,
        ..free_config()
    };
    let mut g = Governance::new(config, Time::ZERO).unwrap();
    let a = create(&mut g, Time::ZERO, 1, 100, YEAR_MS);
    let b = create(&mut g, Time::ZERO, 2, 100, YEAR_MS);
    create(&mut g, Time::ZERO, 3, 1_000_000, YEAR_MS);
    // A votes only on a motion (weight 20), B only on a parameter change
    // (weight 1); equal voting power.
    let m = propose(&mut g, Time::ZERO, a, motion());
    let s = propose(
        &mut g,
        Time::ZERO,
        b,
        Action::SetParameter {
            name: "x".into(),
            value: vec![],
        },
    );
    assert!(g.ballot(m, b) == Some(None) && g.ballot(s, a) == Some(None));
    g.handle_timeout(Time::from_millis(4 * DAY_MS));
    let (ra, rb) = (g.neuron(a).unwrap().maturity, g.neuron(b).unwrap().maturity);
    assert!(rb > 0);
    assert!((19 * rb..=21 * rb).contains(&ra), "{ra} vs {rb}");
}

#[test]
fn a_long_silence_rolls_the_pool_over_in_one_step() {
    // One unit per 1 ms period: the pool at a boundary equals its time.
    let config = GovernanceConfig {
        reward_period_ms: 1,
        reward_pool_per_period: 1,
        ..free_config()
    };
    let mut g = Governance::new(config, Time::ZERO).unwrap();
    let late = Time::from_millis(1_000_000_000_000);
    g.handle_timeout(late);
    assert_eq!(
        drain(&mut g),
        vec![Output::Event(Event::RewardsDistributed {
            period_end: late,
            proposals: 0,
            minted: 0,
            rolled_over: true
        })]
    );
    let a = create(&mut g, late, 1, 10, YEAR_MS);
    let id = propose(&mut g, late, a, motion());
    let deadline = g.proposal(id).unwrap().deadline;
    g.handle_timeout(deadline.after(10));
    // The sole voter takes the whole accumulated pool.
    assert_eq!(g.neuron(a).unwrap().maturity, deadline.as_millis());
    g.check_invariants().unwrap();
}
