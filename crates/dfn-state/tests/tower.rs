//! Validation towers: escape frequency against `f^(k·d)`, fraud proofs,
//! rollback, penalties, the no-rebuild rule, finality, encodings.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use dfn_state::rlp::Encode;
use dfn_state::tower::{
    BuilderId, FraudError, FraudProof, HashTransition, Level, Tower, TowerConfig, TowerError,
    TowerEvent, Transition, WireError, select_builders,
};
use dfn_state::{B256, keccak256};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

/// A beacon stream from a seeded ChaCha8 (cheaper than hashing in debug
/// builds, which matters for the statistical test).
struct Beacons(ChaCha8Rng);

impl Beacons {
    fn new(seed: u64) -> Self {
        Self(ChaCha8Rng::seed_from_u64(seed))
    }

    fn next(&mut self) -> B256 {
        let mut value = [0u8; 32];
        self.0.fill_bytes(&mut value);
        B256(value)
    }
}

fn config(depth: u64, k: usize) -> TowerConfig {
    TowerConfig {
        depth,
        builders_per_level: k,
    }
}

fn tower(depth: u64, k: usize, builders: u32) -> Tower<HashTransition> {
    Tower::new(HashTransition, config(depth, k), B256::ZERO, 0..builders).unwrap()
}

fn drain<T: Transition>(tower: &mut Tower<T>) -> Vec<TowerEvent> {
    core::iter::from_fn(|| tower.poll_output()).collect()
}

/// Appends an honest level for `inputs`, drawn by the next beacon.
fn append_honest<T: Transition>(tower: &mut Tower<T>, beacons: &mut Beacons, inputs: &[u8]) {
    let beacon = beacons.next();
    let level = tower.build(&beacon, inputs).unwrap();
    tower.handle_level(level, &beacon).unwrap();
}

/// Appends a level claiming a wrong post-root; returns it.
fn append_bad<T: Transition>(tower: &mut Tower<T>, beacons: &mut Beacons) -> Level {
    let beacon = beacons.next();
    let mut level = tower.build(&beacon, b"bad batch").unwrap();
    level.post_root = keccak256(b"a root nobody computed");
    tower.handle_level(level.clone(), &beacon).unwrap();
    level
}

/// One simulated bad level on `tower` (empty on entry): builders
/// `0..faulty` are faulty. The bad level's `k` builders are all faulty (the
/// condition of the bound); each of the next `d` levels either has an
/// honest builder, who re-executes and proves the fraud (which empties the
/// tower again), or only faulty ones, who build on the bad root. Returns
/// whether the bad level became final.
fn bad_level_escapes(
    tower: &mut Tower<HashTransition>,
    faulty: BuilderId,
    all: &[BuilderId],
    beacons: &mut Beacons,
) -> bool {
    let (depth, k) = (tower.config().depth, tower.config().builders_per_level);
    // Draw beacons until the first level's builders are all faulty; the
    // tower is empty, so every builder is eligible.
    let beacon = loop {
        let beacon = beacons.next();
        let drawn = select_builders(&beacon, 0, all, k).unwrap();
        if drawn.iter().all(|&b| b < faulty) {
            break beacon;
        }
    };
    let mut bad = tower.build(&beacon, b"level 0").unwrap();
    bad.post_root = keccak256(b"wrong root of level 0");
    let bad_root = bad.post_root;
    tower.handle_level(bad, &beacon).unwrap();
    for height in 1..=depth {
        let beacon = beacons.next();
        let level = tower.build(&beacon, &height.to_be_bytes()).unwrap();
        if level.builders.iter().any(|&b| b >= faulty) {
            let proof = tower
                .reexecute()
                .expect("the honest builder finds the fraud");
            assert_eq!(proof.level.index, 0);
            tower.handle_fraud_proof(&proof).unwrap();
            assert_eq!(tower.next_index(), 0);
            return false;
        }
        tower.handle_level(level, &beacon).unwrap();
    }
    assert_eq!(tower.final_len(), 1);
    assert_eq!(tower.final_root(), bad_root);
    true
}

#[test]
fn bad_levels_escape_with_probability_f_to_the_kd() {
    const TOTAL: BuilderId = 1000;
    const FAULTY: BuilderId = 300;
    let f = f64::from(FAULTY) / f64::from(TOTAL);
    let all: Vec<BuilderId> = (0..TOTAL).collect();
    // (k, d, trials): trials sized for about 100 or more expected escapes.
    for (k, d, trials) in [
        (1, 2, 2_000u32),
        (2, 1, 2_000),
        (1, 3, 4_000),
        (2, 2, 8_000),
    ] {
        let mut beacons = Beacons::new((k as u64) << 32 | d);
        let fresh = Tower::new(HashTransition, config(d, k), B256::ZERO, 0..TOTAL).unwrap();
        let mut tower = fresh.clone();
        let mut escapes = 0u32;
        for _ in 0..trials {
            if bad_level_escapes(&mut tower, FAULTY, &all, &mut beacons) {
                escapes += 1;
                tower = fresh.clone();
            }
        }
        let expected = f.powi(i32::try_from(k as u64 * d).unwrap());
        let measured = f64::from(escapes) / f64::from(trials);
        let sigma = (expected * (1.0 - expected) / f64::from(trials)).sqrt();
        println!(
            "k={k} d={d} trials={trials}: escaped {escapes}, measured {measured:.5}, \
             f^(k·d) = {expected:.5}, |diff| = {:.2} σ; caught before depth d: {:.5}",
            (measured - expected).abs() / sigma,
            1.0 - measured
        );
        assert!(
            (measured - expected).abs() <= 4.0 * sigma,
            "k={k} d={d}: measured {measured} vs f^(k·d) {expected} (σ {sigma})"
        );
    }
}

#[test]
fn fraud_proof_accepts_real_fraud_and_rejects_false_accusation() {
    let mut beacons = Beacons::new(1);
    let mut tower = tower(3, 2, 20);
    append_honest(&mut tower, &mut beacons, b"honest");
    let bad = append_bad(&mut tower, &mut beacons);
    let honest = tower.pending().next().unwrap().clone();

    // Anyone can check the real fraud with the transition alone.
    let proof = tower.reexecute().unwrap();
    assert_eq!(proof.level, bad);
    let correct = HashTransition.apply(&bad.pre_root, &bad.inputs).unwrap();
    assert_eq!(proof.correct_post_root, Some(correct));
    assert_eq!(proof.verify(&HashTransition), Ok(()));

    // Accusing the honest level is false, whatever root the accuser names.
    let false_accusation = FraudProof {
        level: honest.clone(),
        correct_post_root: Some(keccak256(b"made up")),
    };
    assert_eq!(
        false_accusation.verify(&HashTransition),
        Err(FraudError::NoFraud { level: 0 })
    );
    assert_eq!(
        tower.handle_fraud_proof(&false_accusation),
        Err(TowerError::Fraud(FraudError::NoFraud { level: 0 }))
    );

    // A wrong level with the wrong "correct" root proves nothing either.
    let wrong_claim = FraudProof {
        level: bad.clone(),
        correct_post_root: Some(keccak256(b"also made up")),
    };
    assert_eq!(
        wrong_claim.verify(&HashTransition),
        Err(FraudError::AccuserRootMismatch { level: 1 })
    );
    let wrong_claim = FraudProof {
        level: bad.clone(),
        correct_post_root: None,
    };
    assert_eq!(
        wrong_claim.verify(&HashTransition),
        Err(FraudError::AccuserRootMismatch { level: 1 })
    );

    // A valid proof about a level the tower does not hold is refused.
    let mut other = bad.clone();
    other.inputs = b"other batch".to_vec();
    let forged = FraudProof {
        correct_post_root: HashTransition.apply(&other.pre_root, &other.inputs).ok(),
        level: other,
    };
    assert_eq!(forged.verify(&HashTransition), Ok(()));
    assert_eq!(
        tower.handle_fraud_proof(&forged),
        Err(TowerError::LevelMismatch { level: 1 })
    );
    let mut beyond = proof.clone();
    beyond.level.index = 7;
    assert_eq!(
        tower.handle_fraud_proof(&beyond),
        Err(TowerError::UnknownLevel { level: 7 })
    );
    assert_eq!(tower.handle_fraud_proof(&proof), Ok(()));
}

/// Rejects batches starting with `0xff`, otherwise hashes like
/// `HashTransition`.
struct PickyTransition;

impl Transition for PickyTransition {
    type Error = &'static str;

    fn apply(&self, pre_root: &B256, inputs: &[u8]) -> Result<B256, Self::Error> {
        match inputs.first() {
            Some(0xff) => Err("rejected batch"),
            _ => Ok(HashTransition.apply(pre_root, inputs).unwrap()),
        }
    }
}

#[test]
fn a_level_whose_batch_is_rejected_is_fraud() {
    let mut beacons = Beacons::new(2);
    let mut tower = Tower::new(PickyTransition, config(2, 1), B256::ZERO, 0..10).unwrap();
    let beacon = beacons.next();
    assert_eq!(
        tower.build(&beacon, &[0xff]),
        Err(TowerError::BatchRejected { level: 0 })
    );
    let mut level = tower.build(&beacon, &[0x01]).unwrap();
    level.inputs = vec![0xff, 0x01];
    tower.handle_level(level, &beacon).unwrap();
    let proof = tower.reexecute().unwrap();
    assert_eq!(proof.correct_post_root, None);
    assert_eq!(proof.verify(&PickyTransition), Ok(()));
    tower.handle_fraud_proof(&proof).unwrap();
    assert_eq!(tower.next_index(), 0);
}

#[test]
fn rollback_restores_the_pre_fraud_tower_and_penalizes_the_bad_levels_builders() {
    let mut beacons = Beacons::new(3);
    // Depth 5: the five levels below stay open to fraud proofs.
    let mut tower = tower(5, 2, 30);
    append_honest(&mut tower, &mut beacons, b"a");
    append_honest(&mut tower, &mut beacons, b"b");
    let before: Vec<Level> = tower.pending().cloned().collect();
    let (tip, next, eligible) = (
        tower.tip_root(),
        tower.next_index(),
        tower.eligible_builders(),
    );

    let bad = append_bad(&mut tower, &mut beacons);
    // Two more levels built on the bad root, by builders who did not check.
    append_honest(&mut tower, &mut beacons, b"c");
    append_honest(&mut tower, &mut beacons, b"d");
    assert_eq!(tower.next_index(), 5);
    drain(&mut tower);

    let proof = tower.reexecute().unwrap();
    assert_eq!(proof.level, bad);
    tower.handle_fraud_proof(&proof).unwrap();

    assert_eq!(tower.pending().cloned().collect::<Vec<_>>(), before);
    assert_eq!(tower.tip_root(), tip);
    assert_eq!(tower.next_index(), next);
    assert_eq!(tower.eligible_builders(), eligible);

    let mut expected = vec![TowerEvent::RolledBack {
        level: 2,
        removed: 3,
    }];
    expected.extend(
        bad.builders
            .iter()
            .map(|&builder| TowerEvent::Penalized { builder, level: 2 }),
    );
    assert_eq!(drain(&mut tower), expected);
    let penalized: Vec<BuilderId> = tower.penalties().keys().copied().collect();
    let mut bad_builders = bad.builders.clone();
    bad_builders.sort_unstable();
    assert_eq!(penalized, bad_builders);
    assert!(tower.penalties().values().all(|&count| count == 1));
}

#[test]
fn the_no_rebuild_rule_holds_until_buried_d_deep() {
    // Three builders, one per level, depth 2: each level's builder sits out
    // the next two levels, so the draws are forced after the first.
    let mut beacons = Beacons::new(4);
    let mut tower = tower(2, 1, 3);
    let beacon = beacons.next();
    let first = tower.build(&beacon, b"0").unwrap();
    let b0 = first.builders[0];
    tower.handle_level(first, &beacon).unwrap();
    assert!(!tower.eligible_builders().contains(&b0));

    // b0 tries to build level 1.
    let beacon = beacons.next();
    let mut again = tower.build(&beacon, b"1").unwrap();
    again.builders = vec![b0];
    assert_eq!(
        tower.handle_level(again, &beacon),
        Err(TowerError::RebuildTooSoon {
            builder: b0,
            built: 0,
            level: 1
        })
    );
    // Nor may it build level 2, while level 0 is one of the last two.
    append_honest(&mut tower, &mut beacons, b"1");
    assert_eq!(tower.eligible_builders().len(), 1);
    assert!(!tower.eligible_builders().contains(&b0));
    let beacon = beacons.next();
    let mut again = tower.build(&beacon, b"2").unwrap();
    again.builders = vec![b0];
    assert!(matches!(
        tower.handle_level(again, &beacon),
        Err(TowerError::RebuildTooSoon { builder, built: 0, level: 2 }) if builder == b0
    ));
    // Level 2 buries level 0 two deep: b0 is drawn for level 3 (the only
    // eligible builder left).
    append_honest(&mut tower, &mut beacons, b"2");
    assert_eq!(tower.eligible_builders(), vec![b0]);
    let beacon = beacons.next();
    assert_eq!(tower.build(&beacon, b"3").unwrap().builders, vec![b0]);
}

#[test]
fn levels_are_checked_and_become_final_at_depth_d() {
    let mut beacons = Beacons::new(5);
    let mut tower = tower(3, 2, 12);
    let beacon = beacons.next();
    let level = tower.build(&beacon, b"0").unwrap();

    let mut wrong = level.clone();
    wrong.index = 1;
    assert_eq!(
        tower.handle_level(wrong, &beacon),
        Err(TowerError::WrongIndex {
            expected: 0,
            found: 1
        })
    );
    let mut wrong = level.clone();
    wrong.pre_root = keccak256(b"elsewhere");
    assert_eq!(
        tower.handle_level(wrong, &beacon),
        Err(TowerError::WrongPreRoot { level: 0 })
    );
    let mut wrong = level.clone();
    wrong.builders.reverse();
    assert_eq!(
        tower.handle_level(wrong, &beacon),
        Err(TowerError::WrongBuilders { level: 0 })
    );
    let other_beacon = beacons.next();
    assert_eq!(
        tower.handle_level(level.clone(), &other_beacon),
        Err(TowerError::WrongBuilders { level: 0 })
    );
    tower.handle_level(level.clone(), &beacon).unwrap();

    for height in 1..=3u64 {
        assert_eq!(tower.final_len(), 0, "level 0 is not final below depth 3");
        drain(&mut tower);
        append_honest(&mut tower, &mut beacons, &height.to_be_bytes());
    }
    assert_eq!(
        drain(&mut tower),
        vec![
            TowerEvent::Appended { level: 3 },
            TowerEvent::Final {
                level: 0,
                post_root: level.post_root
            }
        ]
    );
    assert_eq!(tower.final_len(), 1);
    assert_eq!(tower.pending().len(), 3);

    // A final level cannot be disputed, even with a "proof".
    let mut stale = level;
    stale.post_root = keccak256(b"x");
    let proof = FraudProof {
        correct_post_root: HashTransition.apply(&stale.pre_root, &stale.inputs).ok(),
        level: stale,
    };
    assert_eq!(
        tower.handle_fraud_proof(&proof),
        Err(TowerError::LevelFinal { level: 0 })
    );
    assert_eq!(
        Tower::new(HashTransition, config(0, 1), B256::ZERO, 0..3).err(),
        Some(TowerError::InvalidConfig)
    );
    assert_eq!(tower.draw_builders(&beacons.next()).map(|b| b.len()), Ok(2));
    let small = Tower::new(HashTransition, config(3, 4), B256::ZERO, 0..3).unwrap();
    assert_eq!(
        small.draw_builders(&B256::ZERO),
        Err(TowerError::NotEnoughBuilders {
            eligible: 3,
            needed: 4
        })
    );
}

/// A run with faulty builders and fraud proofs, as an event log.
fn simulate(seed: u64) -> (Vec<TowerEvent>, B256) {
    let mut beacons = Beacons::new(seed);
    let mut tower = tower(3, 2, 40);
    let mut log = Vec::new();
    for step in 0u64..60 {
        let beacon = beacons.next();
        let drawn = tower.draw_builders(&beacon).unwrap();
        if drawn.iter().any(|&b| b >= 12) {
            if let Some(proof) = tower.reexecute() {
                tower.handle_fraud_proof(&proof).unwrap();
                log.extend(drain(&mut tower));
                continue;
            }
        }
        let mut level = tower.build(&beacon, &step.to_be_bytes()).unwrap();
        if drawn.iter().all(|&b| b < 12) && step % 2 == 0 {
            level.post_root = keccak256(step.to_be_bytes());
        }
        tower.handle_level(level, &beacon).unwrap();
        log.extend(drain(&mut tower));
    }
    (log, tower.tip_root())
}

#[test]
fn same_seed_same_run() {
    let (log, root) = simulate(11);
    assert!(log.iter().any(|e| matches!(e, TowerEvent::Final { .. })));
    assert_eq!(simulate(11), (log.clone(), root));
    assert_ne!(simulate(12).0, log);
}

fn sample_level() -> Level {
    Level {
        index: 7,
        pre_root: B256([0x11; 32]),
        inputs: b"batch".to_vec(),
        post_root: B256([0x22; 32]),
        builders: vec![3, 300],
    }
}

#[test]
fn level_and_fraud_proof_golden_bytes() {
    let level = sample_level();
    let bytes = level.to_rlp();
    let golden = concat!(
        "f84f",
        "01",
        "07",
        "a01111111111111111111111111111111111111111111111111111111111111111",
        "856261746368",
        "a02222222222222222222222222222222222222222222222222222222222222222",
        "c4",
        "03",
        "82012c",
    );
    assert_eq!(hex::encode(&bytes), golden);
    assert_eq!(bytes.len(), level.encoded_len());
    assert_eq!(Level::decode(&bytes), Ok(level.clone()));

    let proof = FraudProof {
        level: level.clone(),
        correct_post_root: Some(B256([0x33; 32])),
    };
    let bytes = proof.to_rlp();
    assert_eq!(
        hex::encode(&bytes),
        format!("f87301{golden}a0{}", "33".repeat(32))
    );
    assert_eq!(bytes.len(), proof.encoded_len());
    assert_eq!(FraudProof::decode(&bytes), Ok(proof));

    let none = FraudProof {
        level,
        correct_post_root: None,
    };
    let bytes = none.to_rlp();
    assert_eq!(hex::encode(&bytes), format!("f85301{golden}80"));
    assert_eq!(FraudProof::decode(&bytes), Ok(none));
}

#[test]
fn malformed_encodings_are_typed_errors() {
    let level = sample_level();
    let mut bytes = level.to_rlp();
    bytes.push(0);
    assert!(matches!(Level::decode(&bytes), Err(WireError::Rlp(_))));

    let mut v2 = level.to_rlp();
    v2[2] = 0x02;
    assert_eq!(
        Level::decode(&v2),
        Err(WireError::UnsupportedVersion { found: 2 })
    );

    let proof = FraudProof {
        level,
        correct_post_root: None,
    };
    let mut bytes = proof.to_rlp();
    // Replace the empty root by a 2-byte string, fixing the outer length.
    bytes.pop();
    bytes.extend_from_slice(&[0x82, 0xab, 0xcd]);
    bytes[1] += 2;
    assert!(matches!(FraudProof::decode(&bytes), Err(WireError::Rlp(_))));
    assert!(FraudProof::decode(&[]).is_err());
    assert!(FraudProof::decode(&[0xc0]).is_err());
}

#[test]
fn the_towers_draw_is_select_builders_over_the_eligible() {
    let mut beacons = Beacons::new(6);
    let mut tower = tower(4, 3, 50);
    for height in 0u64..6 {
        for _ in 0..20 {
            let beacon = beacons.next();
            let drawn = tower.draw_builders(&beacon).unwrap();
            let eligible = tower.eligible_builders();
            assert_eq!(eligible.len(), 50 - 3 * tower.pending().len());
            assert_eq!(
                drawn,
                select_builders(&beacon, tower.next_index(), &eligible, 3).unwrap()
            );
            let mut distinct = drawn.clone();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), 3);
        }
        append_honest(&mut tower, &mut beacons, &height.to_be_bytes());
    }
}
