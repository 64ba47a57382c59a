//! PHI's rules and invariants: sequence lengths follow their design and
//! grow as reputations fall, deposits are conserved, reputations stay
//! bounded, appeals read fresh randomness and draw new validators, bad
//! approvals are slashed; and the demo, on a real beacon, ends with the
//! careless worse off than the diligent.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::process::Command;

use dfn_examples::phi::{
    ApplicationId, Decision, Draw, LoanApplication, LoanOutcome, MAX_REPUTATION, Phi, PhiConfig,
    PhiError, PhiEvent, PhiOutput, Status, ValidatorId, Verdict,
};
use dfn_examples::phi_demo::{DemoConfig, Temperament, run};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

/// Stand-in beacon values for rule tests (the demo test uses the real one).
fn value(seed: u64, height: u64) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"test beacon")
        .chain_update(seed.to_be_bytes())
        .chain_update(height.to_be_bytes())
        .finalize()
        .into()
}

fn loan(amount: u64) -> LoanApplication {
    LoanApplication {
        applicant: 1,
        amount,
        credit_score: 700,
    }
}

/// Feeds beacon values until no application is validating, answering each
/// ask with `decide` (`None`: silence). Returns the next unused height.
fn drive(
    phi: &mut Phi,
    seed: u64,
    mut height: u64,
    mut decide: impl FnMut(&Phi, ApplicationId, ValidatorId, u32, u32) -> Option<Decision>,
) -> u64 {
    for _ in 0..10_000 {
        if !phi.applications().any(|a| a.status == Status::Validating) {
            return height;
        }
        phi.handle_beacon(height, &value(seed, height)).unwrap();
        height += 1;
        while let Some(out) = phi.poll_output() {
            if let PhiOutput::Ask {
                application,
                validator,
                attempt,
                step,
            } = out
            {
                if let Some(d) = decide(phi, application, validator, attempt, step) {
                    phi.handle_decision(application, validator, d).unwrap();
                }
            }
        }
        phi.check_invariants().unwrap();
    }
    panic!("applications still validating");
}

fn always(_: &Phi, _: ApplicationId, _: ValidatorId, _: u32, _: u32) -> Option<Decision> {
    Some(Decision::Approve)
}

/// Lengths of `n` all-approving sequences among 40 equal validators of
/// reputation `reputation`.
fn lengths(config: &PhiConfig, reputation: u32, n: usize, seed: u64) -> Vec<u32> {
    let config = PhiConfig {
        initial_reputation: reputation,
        freeze_below: 0,
        ..config.clone()
    };
    let mut phi = Phi::new(config).unwrap();
    for _ in 0..40 {
        phi.join(10_000).unwrap();
    }
    for _ in 0..n {
        phi.submit(loan(100)).unwrap();
    }
    drive(&mut phi, seed, 1, always);
    phi.applications()
        .map(|a| {
            assert_eq!(a.first.verdict, Some(Verdict::Approved));
            a.first.approvals()
        })
        .collect()
}

#[test]
fn sequence_lengths_follow_the_geometric_design() {
    // p = 0.4 at full reputation: P(L = 2 + k) = 0.6^k · 0.4 below the cap,
    // P(L = 12) = 0.6^10.
    let config = PhiConfig {
        stop_ppm: 400_000,
        min_sequence: 2,
        max_sequence: 12,
        ..PhiConfig::default()
    };
    let n = 4_000;
    let ls = lengths(&config, MAX_REPUTATION, n, 11);
    for len in 2..=12u32 {
        let k = i32::try_from(len - 2).unwrap();
        let p = if len < 12 {
            0.6f64.powi(k) * 0.4
        } else {
            0.6f64.powi(10)
        };
        let expected = p * n as f64;
        let sigma = (n as f64 * p * (1.0 - p)).sqrt();
        let seen = ls.iter().filter(|l| **l == len).count() as f64;
        assert!(
            (seen - expected).abs() <= 5.0 * sigma + 1.0,
            "length {len}: {seen} seen, {expected:.1} expected"
        );
    }
    assert!(ls.iter().all(|l| (2..=12).contains(l)));
    // Nobody could have told the length: every length from 2 to 8 occurs.
    for len in 2..=8 {
        assert!(ls.contains(&len), "no sequence of length {len}");
    }
}

#[test]
fn lower_reputation_means_longer_sequences() {
    let config = PhiConfig::default();
    let mean = |v: &[u32]| v.iter().map(|l| f64::from(*l)).sum::<f64>() / v.len() as f64;
    let high = mean(&lengths(&config, MAX_REPUTATION, 1_000, 3));
    let low = mean(&lengths(&config, 250, 1_000, 3));
    // p = 0.5 vs 0.125: means about 3.0 and 7.2 (capped at 12).
    assert!(high < 3.3, "{high}");
    assert!(low > 6.5, "{low}");
}

/// One validator per id: the first drawn approves, the second rejects.
fn approve_then_reject(
    _: &Phi,
    _: ApplicationId,
    _: ValidatorId,
    attempt: u32,
    step: u32,
) -> Option<Decision> {
    if attempt == 0 && step == 1 {
        Some(Decision::Reject)
    } else {
        Some(Decision::Approve)
    }
}

#[test]
fn an_appeal_reads_fresh_randomness_and_overrules_the_rejecter() {
    let config = PhiConfig::default();
    let mut phi = Phi::new(config.clone()).unwrap();
    for _ in 0..12 {
        phi.join(5_000).unwrap();
    }
    let id = phi.submit(loan(1_000)).unwrap();
    let h = drive(&mut phi, 5, 1, approve_then_reject);
    let app = phi.application(id).unwrap().clone();
    assert_eq!(app.status, Status::Rejected);
    let Some(Verdict::Rejected { by: rejecter }) = app.first.verdict else {
        panic!("{app:?}")
    };
    let first_approver = app.first.approvers().next().unwrap();
    // Beacon values keep coming before the appeal is filed: the appeal must
    // not use them either.
    phi.handle_beacon(h, &value(5, h)).unwrap();
    phi.handle_beacon(h + 1, &value(5, h + 1)).unwrap();
    phi.appeal(id).unwrap();
    assert_eq!(phi.appeal(id), Err(PhiError::NotAppealable(id)));
    drive(&mut phi, 5, h + 2, approve_then_reject);
    let app = phi.application(id).unwrap();
    let appeal = app.appeal.as_ref().unwrap();
    assert_eq!(appeal.verdict, Some(Verdict::Approved));
    assert!(appeal.heights.iter().all(|x| *x >= h + 2));
    assert!(
        appeal
            .steps
            .iter()
            .all(|s| !app.first.contains(s.validator))
    );
    // The appeal's draw at a height differs from what the first sequence
    // would have drawn from the same value.
    let hh = appeal.heights[0];
    assert_ne!(
        Draw::derive(id, 1, 0, hh, &value(5, hh)),
        Draw::derive(id, 0, 0, hh, &value(5, hh))
    );
    assert_eq!(app.status, Status::Outstanding);
    assert!(app.liable.contains(&first_approver));
    assert!(!app.liable.contains(&rejecter));
    assert_eq!(
        phi.validator(rejecter).unwrap().reputation,
        config.initial_reputation - config.overruled_loss
    );
    phi.check_invariants().unwrap();
}

#[test]
fn a_rejected_appeal_refuses_and_overrules_the_first_approvers() {
    let config = PhiConfig::default();
    let mut phi = Phi::new(config.clone()).unwrap();
    for _ in 0..12 {
        phi.join(5_000).unwrap();
    }
    let id = phi.submit(loan(1_000)).unwrap();
    let h = drive(&mut phi, 9, 1, approve_then_reject);
    phi.appeal(id).unwrap();
    drive(&mut phi, 9, h, |_, _, _, attempt, _| {
        Some(if attempt == 1 {
            Decision::Reject
        } else {
            Decision::Approve
        })
    });
    let app = phi.application(id).unwrap();
    assert_eq!(app.status, Status::Refused);
    let approver = app.first.approvers().next().unwrap();
    let v = phi.validator(approver).unwrap();
    assert_eq!(
        v.reputation,
        config.initial_reputation - config.overruled_loss
    );
    assert_eq!(v.liabilities, 0);
}

#[test]
fn a_default_slashes_the_approvers_and_freezes_them() {
    let config = PhiConfig {
        initial_reputation: 300,
        default_loss: 150,
        ..PhiConfig::default()
    };
    let mut phi = Phi::new(config.clone()).unwrap();
    for _ in 0..6 {
        phi.join(2_000).unwrap();
    }
    let bad = phi.submit(loan(3_000)).unwrap();
    let good = phi.submit(loan(1_000)).unwrap();
    drive(&mut phi, 1, 1, always);
    let liable = phi.application(bad).unwrap().liable.clone();
    let n = u64::try_from(liable.len()).unwrap();
    // Liable validators cannot withdraw.
    assert_eq!(
        phi.withdraw(liable[0], 1),
        Err(PhiError::CannotWithdraw(liable[0]))
    );
    let before: Vec<u64> = liable
        .iter()
        .map(|v| phi.validator(*v).unwrap().deposit)
        .collect();
    phi.handle_outcome(bad, LoanOutcome::Defaulted).unwrap();
    let per = 3_000u64.div_ceil(n);
    for (v, b) in liable.iter().zip(before) {
        let val = phi.validator(*v).unwrap();
        assert_eq!(val.deposit, b - per.min(b));
        assert_eq!(val.reputation, 150);
        assert!(val.is_frozen(&config));
    }
    let frozen: Vec<_> = std::iter::from_fn(|| phi.poll_output())
        .filter(|o| matches!(o, PhiOutput::Event(PhiEvent::Frozen { .. })))
        .collect();
    assert_eq!(frozen.len(), liable.len());
    assert_eq!(
        phi.handle_outcome(bad, LoanOutcome::Repaid),
        Err(PhiError::NoLoan(bad))
    );
    // The other loan repaid: its approvers earn the fee.
    let good_liable = phi.application(good).unwrap().liable.clone();
    let deposits: Vec<u64> = good_liable
        .iter()
        .map(|v| phi.validator(*v).unwrap().deposit)
        .collect();
    phi.handle_outcome(good, LoanOutcome::Repaid).unwrap();
    let fee_each =
        1_000 * u64::from(config.fee_bp) / 10_000 / u64::try_from(good_liable.len()).unwrap();
    for (v, d) in good_liable.iter().zip(deposits) {
        assert_eq!(phi.validator(*v).unwrap().deposit, d + fee_each);
    }
    // Frozen validators are never drawn again.
    let next = phi.submit(loan(10)).unwrap();
    drive(&mut phi, 2, 100, always);
    let app = phi.application(next).unwrap();
    for s in &app.first.steps {
        assert!(!phi.validator(s.validator).unwrap().is_frozen(&config));
    }
    phi.check_invariants().unwrap();
}

#[test]
fn silent_validators_are_skipped_and_lose_reputation() {
    let config = PhiConfig::default();
    let mut phi = Phi::new(config.clone()).unwrap();
    for _ in 0..8 {
        phi.join(5_000).unwrap();
    }
    let silent = ValidatorId(1);
    for amount in 1..=10 {
        phi.submit(loan(amount * 100)).unwrap();
    }
    drive(&mut phi, 4, 1, |_, _, v, _, _| {
        (v != silent).then_some(Decision::Approve)
    });
    let v = phi.validator(silent).unwrap();
    let skipped: u32 = phi
        .applications()
        .map(|a| u32::try_from(a.first.steps.iter().filter(|s| s.silent).count()).unwrap())
        .sum();
    assert!(skipped > 0);
    assert_eq!(v.silent, skipped);
    assert_eq!(
        v.reputation,
        config.initial_reputation - skipped * config.silent_loss
    );
    assert!(phi.applications().all(|a| a.status == Status::Outstanding));
    assert!(phi.applications().all(|a| !a.liable.contains(&silent)));
}

#[test]
fn stale_beacon_values_and_unasked_decisions_are_refused() {
    let mut phi = Phi::new(PhiConfig::default()).unwrap();
    let v = phi.join(5_000).unwrap();
    phi.join(5_000).unwrap();
    let id = phi.submit(loan(100)).unwrap();
    phi.handle_beacon(3, &value(0, 3)).unwrap();
    assert_eq!(
        phi.handle_beacon(3, &value(0, 3)),
        Err(PhiError::StaleBeacon { height: 3, last: 3 })
    );
    let asked = phi.application(id).unwrap().first.waiting_on().unwrap().0;
    let other = if asked == v { ValidatorId(2) } else { v };
    assert!(phi.handle_decision(id, other, Decision::Approve).is_err());
    assert!(phi.join(1).is_err());
    assert!(phi.submit(loan(0)).is_err());
    assert!(
        Phi::new(PhiConfig {
            min_sequence: 0,
            ..PhiConfig::default()
        })
        .is_err()
    );
}

#[derive(Clone, Debug)]
enum Op {
    Join(u64),
    Submit(u64),
    Beacon([u8; 32]),
    Decide(bool, bool),
    Appeal(usize),
    Outcome(usize, bool),
    Withdraw(usize, u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (500u64..20_000).prop_map(Op::Join),
        (1u64..5_000).prop_map(Op::Submit),
        any::<[u8; 32]>().prop_map(Op::Beacon),
        any::<[u8; 32]>().prop_map(Op::Beacon),
        (any::<bool>(), any::<bool>()).prop_map(|(a, b)| Op::Decide(a, b)),
        any::<usize>().prop_map(Op::Appeal),
        (any::<usize>(), any::<bool>()).prop_map(|(i, r)| Op::Outcome(i, r)),
        (any::<usize>(), 0u64..5_000).prop_map(|(i, a)| Op::Withdraw(i, a)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn deposits_are_conserved_and_reputations_bounded(ops in prop::collection::vec(op(), 1..300)) {
        let config = PhiConfig { answer_heights: 2, ..PhiConfig::default() };
        let mut phi = Phi::new(config).unwrap();
        let mut height = 0u64;
        let mut asks: Vec<(ApplicationId, ValidatorId)> = Vec::new();
        let (mut paid_in, mut withdrawn) = (0u128, 0u128);
        for op in ops {
            match op {
                Op::Join(d) => {
                    if phi.join(d).is_ok() {
                        paid_in += u128::from(d);
                    }
                }
                Op::Submit(a) => { phi.submit(loan(a)).unwrap(); }
                Op::Beacon(r) => {
                    height += 1;
                    phi.handle_beacon(height, &r).unwrap();
                }
                Op::Decide(approve, keep) => {
                    if let Some((a, v)) = asks.pop() {
                        let d = if approve { Decision::Approve } else { Decision::Reject };
                        // Refused when the ask expired; state unchanged then.
                        let _ = phi.handle_decision(a, v, d);
                        if keep { asks.insert(0, (a, v)); }
                    }
                }
                Op::Appeal(i) => {
                    let rejected: Vec<_> = phi.applications()
                        .filter(|a| a.status == Status::Rejected).map(|a| a.id).collect();
                    if !rejected.is_empty() {
                        phi.appeal(rejected[i % rejected.len()]).unwrap();
                    }
                }
                Op::Outcome(i, repaid) => {
                    let open: Vec<_> = phi.applications()
                        .filter(|a| a.status == Status::Outstanding).map(|a| a.id).collect();
                    if !open.is_empty() {
                        let o = if repaid { LoanOutcome::Repaid } else { LoanOutcome::Defaulted };
                        phi.handle_outcome(open[i % open.len()], o).unwrap();
                    }
                }
                Op::Withdraw(i, amount) => {
                    let n = phi.validators().count();
                    if n > 0 {
                        let v = ValidatorId(u64::try_from(i % n).unwrap() + 1);
                        if phi.withdraw(v, amount).is_ok() {
                            withdrawn += u128::from(amount);
                        }
                    }
                }
            }
            while let Some(out) = phi.poll_output() {
                if let PhiOutput::Ask { application, validator, .. } = out {
                    asks.push((application, validator));
                }
            }
            phi.check_invariants().unwrap();
            let l = phi.ledger();
            prop_assert_eq!(l.deposited, paid_in);
            prop_assert_eq!(l.withdrawn, withdrawn);
            let held: u128 = phi.validators().map(|v| u128::from(v.deposit)).sum();
            prop_assert_eq!(held + l.slashed, paid_in + l.fees - withdrawn);
            prop_assert!(phi.validators().all(|v| v.reputation <= MAX_REPUTATION));
            for a in phi.applications() {
                if let Some(appeal) = &a.appeal {
                    let last = a.first.heights.iter().max().copied().unwrap_or(0);
                    prop_assert!(appeal.heights.iter().all(|h| *h > last));
                }
            }
        }
    }
}

#[test]
fn the_demo_on_a_real_beacon_punishes_carelessness() {
    let run = run(&DemoConfig::default()).unwrap();
    let phi = &run.phi;
    phi.check_invariants().unwrap();
    assert!(
        phi.applications()
            .all(|a| !matches!(a.status, Status::Validating | Status::Outstanding))
    );
    let (diligent_rep, diligent_change, _) = run.by_temperament(Temperament::Diligent).unwrap();
    let (careless_rep, careless_change, _) = run.by_temperament(Temperament::Careless).unwrap();
    assert!(
        diligent_rep > careless_rep,
        "{diligent_rep} vs {careless_rep}"
    );
    assert!(diligent_change > careless_change);
    let l = phi.ledger();
    assert!(l.slashed > 0 && l.fees > 0);
    assert!(phi.applications().any(|a| a.appeal.is_some()));
    assert!(
        phi.applications()
            .any(|a| matches!(a.status, Status::Repaid | Status::Defaulted) && a.appeal.is_some())
    );
    // Sequences of many lengths, none known in advance.
    let lengths = run.approved_lengths();
    let distinct: std::collections::BTreeSet<_> = lengths.iter().collect();
    assert!(distinct.len() >= 3, "{lengths:?}");
}

#[test]
fn the_demo_is_a_function_of_its_seed() {
    let small = DemoConfig {
        validators: 10,
        applications: 12,
        ..DemoConfig::default()
    };
    let a = run(&small).unwrap();
    let b = run(&small).unwrap();
    assert_eq!(a.log, b.log);
    assert_eq!(a.phi.ledger(), b.phi.ledger());
    let c = run(&DemoConfig { seed: 1, ..small }).unwrap();
    assert_ne!(a.log, c.log);
}

#[test]
fn the_binary_runs_and_refuses_bad_flags() {
    let bin = env!("CARGO_BIN_EXE_phi");
    let out = Command::new(bin)
        .args(["--validators", "10", "--applications", "10"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("invariants hold"), "{stdout}");
    let help = Command::new(bin).arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("--validators"));
    let bad = Command::new(bin).args(["--seed", "-1"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
