//! Table-driven tests of neurons: dissolving, eligibility, split and merge,
//! following and hot keys, config bounds.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use dfn_bns::config::{MONTH_MS, YEAR_MS};
use dfn_bns::error::GovernanceError;
use dfn_bns::{
    DissolveState, FollowKey, Governance, GovernanceConfig, NeuronCommand, NeuronId, NewNeuron,
    Output, Reply, Topic, Vote,
};
use dfn_crypto::Time;

use common::*;

#[test]
fn dissolve_lifecycle_table() {
    let config = GovernanceConfig::default();
    let max = config.voting_power.max_dissolve_delay_ms;
    let mut g = Governance::new(config, Time::ZERO).unwrap();
    let n = create(&mut g, Time::ZERO, 1, STAKE, 6 * MONTH_MS);
    let t = |months: u64| Time::from_millis(months * MONTH_MS);
    // (time, command, ok, dissolve delay after, age after)
    type Row = (Time, NeuronCommand, bool, u64, u64);
    let rows: Vec<Row> = vec![
        (
            t(1),
            NeuronCommand::StopDissolving,
            false,
            6 * MONTH_MS,
            MONTH_MS,
        ),
        (
            t(1),
            NeuronCommand::IncreaseDissolveDelay { additional_ms: 0 },
            false,
            6 * MONTH_MS,
            MONTH_MS,
        ),
        (
            t(2),
            NeuronCommand::IncreaseDissolveDelay {
                additional_ms: MONTH_MS,
            },
            true,
            7 * MONTH_MS,
            2 * MONTH_MS,
        ),
        (
            t(2),
            NeuronCommand::IncreaseDissolveDelay {
                additional_ms: 100 * YEAR_MS,
            },
            true,
            max,
            2 * MONTH_MS,
        ),
        (t(3), NeuronCommand::Disburse, false, max, 3 * MONTH_MS),
        (t(3), NeuronCommand::StartDissolving, true, max, 0),
        (t(3), NeuronCommand::StartDissolving, false, max, 0),
        (
            t(5),
            NeuronCommand::StopDissolving,
            true,
            max - 2 * MONTH_MS,
            0,
        ),
        (
            t(6),
            NeuronCommand::StartDissolving,
            true,
            max - 2 * MONTH_MS,
            0,
        ),
        (
            t(7),
            NeuronCommand::IncreaseDissolveDelay {
                additional_ms: MONTH_MS,
            },
            true,
            max - 2 * MONTH_MS,
            0,
        ),
        (t(7), NeuronCommand::Disburse, false, max - 2 * MONTH_MS, 0),
    ];
    for (i, (now, cmd, ok, delay, age)) in rows.into_iter().enumerate() {
        let result = command(&mut g, now, n, cmd.clone());
        assert_eq!(result.is_ok(), ok, "row {i}: {cmd:?} → {result:?}");
        let neuron = g.neuron(n).unwrap();
        assert_eq!(neuron.dissolve_delay_ms(now), delay, "row {i}: delay");
        assert_eq!(neuron.age_ms(now), age, "row {i}: age");
        g.check_invariants().unwrap();
    }
    // Dissolved once the delay has run out: disburse pays the owner.
    let when = match g.neuron(n).unwrap().dissolve {
        DissolveState::Dissolving { when } => when,
        other => panic!("{other:?}"),
    };
    drain(&mut g);
    command(&mut g, when, n, NeuronCommand::Disburse).unwrap();
    assert!(g.neuron(n).is_none());
    let transfers: Vec<_> = drain(&mut g)
        .into_iter()
        .filter(|o| matches!(o, Output::Transfer { .. }))
        .collect();
    assert_eq!(
        transfers,
        vec![Output::Transfer {
            neuron: n,
            to: key(1),
            amount: STAKE
        }]
    );
    assert_eq!(g.ledger().disbursed, u128::from(STAKE));
    g.check_invariants().unwrap();
}

#[test]
fn a_dissolved_neuron_relocks_with_the_added_delay() {
    let mut g = Governance::new(GovernanceConfig::default(), Time::ZERO).unwrap();
    let n = create(&mut g, Time::ZERO, 1, STAKE, MONTH_MS);
    command(&mut g, Time::ZERO, n, NeuronCommand::StartDissolving).unwrap();
    let later = Time::from_millis(2 * MONTH_MS);
    command(
        &mut g,
        later,
        n,
        NeuronCommand::IncreaseDissolveDelay {
            additional_ms: 3 * MONTH_MS,
        },
    )
    .unwrap();
    assert_eq!(
        g.neuron(n).unwrap().dissolve,
        DissolveState::NotDissolving {
            delay_ms: 3 * MONTH_MS,
            aging_since: later
        }
    );
}

#[test]
fn creation_and_eligibility() {
    let config = GovernanceConfig::default();
    let (min_stake, min_delay) = (config.min_stake, config.min_dissolve_delay_to_vote_ms);
    let mut g = Governance::new(config, Time::ZERO).unwrap();
    let new = |stake, delay| NewNeuron {
        owner: key(1),
        controller: key(1),
        hot_keys: Vec::new(),
        stake,
        dissolve_delay_ms: delay,
    };
    assert!(
        g.create_neuron(Time::ZERO, new(min_stake - 1, min_delay))
            .is_err()
    );
    assert!(
        g.create_neuron(Time::ZERO, new(min_stake, 9 * YEAR_MS))
            .is_err()
    );
    let short = g
        .create_neuron(Time::ZERO, new(STAKE, min_delay - 1))
        .unwrap();
    let voter = g.create_neuron(Time::ZERO, new(STAKE, min_delay)).unwrap();
    // Too short a delay neither proposes nor gets a ballot.
    assert_eq!(
        command(
            &mut g,
            Time::ZERO,
            short,
            NeuronCommand::Propose { action: motion() }
        ),
        Err(GovernanceError::NotEligible(short))
    );
    let id = propose(&mut g, Time::ZERO, voter, motion());
    assert_eq!(g.ballot(id, short), None);
    assert_eq!(g.ballot(id, voter), Some(Some(Vote::Yes)));
}

#[test]
fn split_and_merge_conserve_stake() {
    let config = GovernanceConfig::default();
    let min = config.min_stake;
    let mut g = Governance::new(config, Time::ZERO).unwrap();
    let a = create(&mut g, Time::ZERO, 1, 5 * min, YEAR_MS);
    command(
        &mut g,
        Time::ZERO,
        a,
        NeuronCommand::SetFollowing {
            key: FollowKey::CatchAll,
            followees: vec![],
        },
    )
    .unwrap();
    let later = Time::from_millis(MONTH_MS);
    assert!(command(&mut g, later, a, NeuronCommand::Split { amount: min - 1 }).is_err());
    assert!(command(&mut g, later, a, NeuronCommand::Split { amount: 5 * min }).is_err());
    let Reply::Split(b) =
        command(&mut g, later, a, NeuronCommand::Split { amount: 2 * min }).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        g.neuron(a).unwrap().stake + g.neuron(b).unwrap().stake,
        5 * min
    );
    assert_eq!(g.neuron(b).unwrap().age_ms(later), MONTH_MS, "age is kept");
    g.check_invariants().unwrap();
    // Merge needs the same controller, locked neurons, not itself.
    let other = create(&mut g, later, 9, min, YEAR_MS);
    assert!(command(&mut g, later, a, NeuronCommand::Merge { source: other }).is_err());
    assert_eq!(
        command(&mut g, later, a, NeuronCommand::Merge { source: a }),
        Err(GovernanceError::SelfMerge(a))
    );
    let merged_at = Time::from_millis(2 * MONTH_MS);
    command(
        &mut g,
        merged_at,
        b,
        NeuronCommand::IncreaseDissolveDelay {
            additional_ms: YEAR_MS,
        },
    )
    .unwrap();
    command(&mut g, merged_at, a, NeuronCommand::Merge { source: b }).unwrap();
    assert!(g.neuron(b).is_none());
    let n = g.neuron(a).unwrap();
    assert_eq!(n.stake, 5 * min);
    assert_eq!(n.dissolve_delay_ms(merged_at), 2 * YEAR_MS);
    assert_eq!(n.age_ms(merged_at), 2 * MONTH_MS);
    g.check_invariants().unwrap();
}

#[test]
fn following_validation_and_hot_keys() {
    let config = GovernanceConfig {
        max_followees: 2,
        max_hot_keys: 1,
        ..GovernanceConfig::default()
    };
    let mut g = Governance::new(config, Time::ZERO).unwrap();
    let a = create(&mut g, Time::ZERO, 1, STAKE, YEAR_MS);
    let b = create(&mut g, Time::ZERO, 2, STAKE, YEAR_MS);
    let c = create(&mut g, Time::ZERO, 3, STAKE, YEAR_MS);
    let follow = |list: Vec<u64>| NeuronCommand::SetFollowing {
        key: FollowKey::Topic(Topic::Motion),
        followees: list.into_iter().map(NeuronId).collect(),
    };
    // (followees, accepted)
    let rows = [
        (vec![2, 3, 2], false),
        (vec![1], false),
        (vec![2, 2], false),
        (vec![77], false),
        (vec![2, 3], true),
    ];
    for (list, ok) in rows {
        assert_eq!(
            command(&mut g, Time::ZERO, a, follow(list.clone())).is_ok(),
            ok,
            "{list:?}"
        );
    }
    assert_eq!(
        g.neuron(a)
            .unwrap()
            .followees(FollowKey::Topic(Topic::Motion)),
        &[b, c]
    );
    // A hot key may vote and follow, not dissolve, not set managers.
    command(
        &mut g,
        Time::ZERO,
        a,
        NeuronCommand::AddHotKey { key: key(50) },
    )
    .unwrap();
    assert!(
        command(
            &mut g,
            Time::ZERO,
            a,
            NeuronCommand::AddHotKey { key: key(51) }
        )
        .is_err()
    );
    let hot = |g: &mut Governance, c| g.handle_command(Time::ZERO, key(50), a, c);
    assert!(hot(&mut g, follow(vec![b.0])).is_ok());
    assert_eq!(
        hot(&mut g, NeuronCommand::StartDissolving),
        Err(GovernanceError::NotAuthorized(a))
    );
    let managers = NeuronCommand::SetFollowing {
        key: FollowKey::Topic(Topic::ManageNeuron),
        followees: vec![b],
    };
    assert_eq!(
        hot(&mut g, managers),
        Err(GovernanceError::NotAuthorized(a))
    );
    assert_eq!(
        g.handle_command(Time::ZERO, key(99), a, follow(vec![])),
        Err(GovernanceError::NotAuthorized(a))
    );
    command(
        &mut g,
        Time::ZERO,
        a,
        NeuronCommand::RemoveHotKey { key: key(50) },
    )
    .unwrap();
    assert!(hot(&mut g, follow(vec![])).is_err());
}

#[test]
fn config_bounds() {
    let ok = GovernanceConfig::default();
    assert!(ok.validate().is_ok());
    let bad = [
        GovernanceConfig {
            max_followees: 0,
            ..ok.clone()
        },
        GovernanceConfig {
            max_followees: 256,
            ..ok.clone()
        },
        GovernanceConfig {
            quorum_bp: 10_001,
            ..ok.clone()
        },
        GovernanceConfig {
            voting_period_ms: 0,
            ..ok.clone()
        },
        GovernanceConfig {
            min_stake: 0,
            ..ok.clone()
        },
        GovernanceConfig {
            min_dissolve_delay_to_vote_ms: 9 * YEAR_MS,
            ..ok.clone()
        },
        GovernanceConfig {
            voting_power: dfn_bns::VotingPowerConfig {
                max_age_bonus_percent: 401,
                ..ok.voting_power.clone()
            },
            ..ok.clone()
        },
    ];
    for c in bad {
        assert!(Governance::new(c.clone(), Time::ZERO).is_err(), "{c:?}");
    }
}

#[test]
fn hot_keys_at_creation() {
    let config = GovernanceConfig {
        max_hot_keys: 2,
        ..GovernanceConfig::default()
    };
    let mut g = Governance::new(config, Time::ZERO).unwrap();
    let new = |hot_keys: Vec<u64>| NewNeuron {
        owner: key(1),
        controller: key(1),
        hot_keys: hot_keys.into_iter().map(key).collect(),
        stake: STAKE,
        dissolve_delay_ms: YEAR_MS,
    };
    // (hot keys, accepted)
    let rows = [
        (vec![2, 3, 4], false),
        (vec![2, 2], false),
        (vec![1], false),
        (vec![2, 3], true),
    ];
    for (keys, ok) in rows {
        assert_eq!(
            g.create_neuron(Time::ZERO, new(keys.clone())).is_ok(),
            ok,
            "{keys:?}"
        );
    }
    let n = NeuronId(1);
    assert_eq!(g.neuron(n).unwrap().hot_keys, vec![key(2), key(3)]);
    let id = propose(&mut g, Time::ZERO, n, motion());
    // Its own Yes as proposer is cast; a hot key can follow but not propose.
    assert_eq!(g.ballot(id, n), Some(Some(Vote::Yes)));
    let propose_again = NeuronCommand::Propose { action: motion() };
    assert_eq!(
        g.handle_command(Time::ZERO, key(3), n, propose_again),
        Err(GovernanceError::NotAuthorized(n))
    );
}
