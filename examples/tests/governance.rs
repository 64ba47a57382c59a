//! The governance scenario end to end: a parameter change adopted through
//! following takes effect on the chain's config and the chain runs with
//! it; a rejected proposal and a failed execution change nothing; rewards
//! go to those who voted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::process::Command;

use dfn_bns::{Action, ProposalStatus};
use dfn_examples::governance::{ParameterChange, ParameterError, ScenarioConfig, run};
use dfn_psp::PspConfig;

#[test]
fn the_block_time_change_is_adopted_through_following_and_takes_effect() {
    for (seed, neurons) in [(2017, 40), (1, 10), (7, 25), (99, 120)] {
        let r = run(ScenarioConfig { seed, neurons }).unwrap();
        let p1 = &r.proposals[0];
        assert_eq!(p1.status, ProposalStatus::Executed, "seed {seed}");
        assert_eq!(p1.change, ParameterChange::BlockTimeMs(3_500));
        // Adopted early, by a majority that only following made: the
        // neurons that voted Yes themselves hold at most half the power.
        assert!(2 * p1.tally.yes > p1.tally.total, "seed {seed}");
        assert!(2 * p1.direct_yes <= p1.tally.total, "seed {seed}: {p1:?}");
        assert!(p1.followed > 0);
        assert!(p1.decided_at < p1.deadlines.0);
        // The config changed, passes its own checks, and the chain runs
        // with it: a height every 3.5 s instead of 5 s.
        assert_eq!(r.psp_before.block_time_ms, 5_000);
        assert_eq!(r.psp_after.block_time_ms, 3_500);
        assert!(r.psp_after.validate().is_ok());
        assert_eq!(r.intervals_ms, (5_000, 3_500), "seed {seed}");
        r.governance.check_invariants().unwrap();
    }
}

#[test]
fn a_rejected_proposal_changes_nothing() {
    let r = run(ScenarioConfig::default()).unwrap();
    let p2 = &r.proposals[1];
    assert_eq!(p2.status, ProposalStatus::Rejected);
    assert!(p2.tally.no > p2.tally.yes);
    // The late No flipped the lead: wait-for-quiet moved the deadline, and
    // the decision came at the moved deadline.
    assert!(p2.deadlines.1 > p2.deadlines.0, "{p2:?}");
    assert_eq!(p2.decided_at, p2.deadlines.1);
    assert_ne!(r.psp_after.block_time_ms, 3_200);
    // Its deposit was burnt with the fees.
    let cfg = r.governance.config();
    let fees = 3 * u128::from(cfg.proposal_fee);
    assert_eq!(
        r.governance.ledger().burned,
        fees + u128::from(cfg.proposal_deposit)
    );
}

#[test]
fn an_adopted_change_the_chain_refuses_fails_and_changes_nothing() {
    let r = run(ScenarioConfig::default()).unwrap();
    let p3 = &r.proposals[2];
    assert!(
        matches!(&p3.status, ProposalStatus::Failed { reason } if reason.contains("must exceed twice the delay bound")),
        "{p3:?}"
    );
    assert_eq!(r.psp_after.block_time_ms, 3_500);
}

#[test]
fn rewards_go_to_voters_only() {
    let r = run(ScenarioConfig::default()).unwrap();
    assert!(r.minted > 0);
    let g = &r.governance;
    // The proposers voted (at least on their own proposals).
    for leader in 1..=3 {
        let n = g.neuron(dfn_bns::NeuronId(leader)).unwrap();
        assert!(n.maturity > 0, "neuron {leader}");
    }
    // Neurons without a ballot (dissolve delay below the minimum) earn
    // nothing.
    let min = g.config().min_dissolve_delay_to_vote_ms;
    let ineligible: Vec<_> = g
        .neurons()
        .filter(|n| n.dissolve_delay_ms(g.now()) < min)
        .collect();
    assert!(!ineligible.is_empty());
    assert!(ineligible.iter().all(|n| n.maturity == 0));
    assert_eq!(g.ledger().minted, u128::from(r.minted));
}

#[test]
fn parameter_changes_round_trip_and_bad_ones_are_refused() {
    for change in [
        ParameterChange::BlockTimeMs(4_000),
        ParameterChange::SlotMs(700),
        ParameterChange::DeltaMs(1_000),
    ] {
        assert_eq!(
            ParameterChange::from_action(&change.to_action()),
            Ok(change)
        );
    }
    let config = PspConfig::new([0; 32]);
    assert!(matches!(
        ParameterChange::BlockTimeMs(4_000).apply(&config),
        Err(ParameterError::Invalid(_))
    ));
    assert_eq!(
        ParameterChange::SlotMs(700).apply(&config).unwrap().slot_ms,
        700
    );
    let bad_name = Action::SetParameter {
        name: "psp.gas".into(),
        value: 1u64.to_be_bytes().to_vec(),
    };
    assert!(matches!(
        ParameterChange::from_action(&bad_name),
        Err(ParameterError::UnknownName(_))
    ));
    let bad_value = Action::SetParameter {
        name: "psp.slot_ms".into(),
        value: vec![1, 2, 3],
    };
    assert!(matches!(
        ParameterChange::from_action(&bad_value),
        Err(ParameterError::BadValue(_))
    ));
    let motion = Action::Motion { text: "x".into() };
    assert_eq!(
        ParameterChange::from_action(&motion),
        Err(ParameterError::NotAParameter)
    );
}

#[test]
fn the_same_seed_tells_the_same_story() {
    let a = run(ScenarioConfig {
        seed: 5,
        neurons: 30,
    })
    .unwrap();
    let b = run(ScenarioConfig {
        seed: 5,
        neurons: 30,
    })
    .unwrap();
    assert_eq!(a.log, b.log);
    assert!(
        run(ScenarioConfig {
            seed: 5,
            neurons: 9
        })
        .is_err()
    );
}

#[test]
fn the_binary_prints_the_story_and_refuses_bad_flags() {
    let bin = env!("CARGO_BIN_EXE_governance");
    let out = Command::new(bin)
        .args(["--neurons", "20"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ADOPTED"), "{stdout}");
    assert!(stdout.contains("wait-for-quiet"), "{stdout}");
    let help = Command::new(bin).arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("--neurons"));
    let bad = Command::new(bin).args(["--seed", "x"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
