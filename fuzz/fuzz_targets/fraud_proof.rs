//! Fraud proofs from arbitrary bytes, and from byte-level mutations of a
//! valid one: decoding, verification against the toy transition and a
//! tower's checks never panic; every accepted encoding re-encodes to
//! itself; verification agrees with re-execution.
#![no_main]

use std::sync::LazyLock;

use dfn_state::B256;
use dfn_state::rlp::Encode;
use dfn_state::tower::{
    FraudError, FraudProof, HashTransition, Level, Tower, TowerConfig, TowerError, Transition,
};
use libfuzzer_sys::fuzz_target;

/// A tower whose top level is fraudulent, and the valid proof against it.
static TOWER: LazyLock<(Tower<HashTransition>, Vec<u8>)> = LazyLock::new(|| {
    let config = TowerConfig {
        depth: 3,
        builders_per_level: 2,
    };
    let mut tower = Tower::new(HashTransition, config, B256::ZERO, 0..8).expect("valid config");
    let honest = tower
        .build(&B256([1; 32]), b"honest")
        .expect("enough builders");
    tower
        .handle_level(honest, &B256([1; 32]))
        .expect("honest level");
    let mut bad = tower
        .build(&B256([2; 32]), b"bad")
        .expect("enough builders");
    bad.post_root = B256([0xee; 32]);
    tower
        .handle_level(bad, &B256([2; 32]))
        .expect("drawn builders");
    let proof = tower.reexecute().expect("the bad level is caught");
    (tower, proof.to_rlp())
});

fn check(bytes: &[u8]) {
    if let Ok(level) = Level::decode(bytes) {
        assert_eq!(level.to_rlp(), bytes, "a level re-encodes differently");
    }
    let Ok(proof) = FraudProof::decode(bytes) else {
        return;
    };
    assert_eq!(
        proof.to_rlp(),
        bytes,
        "a fraud proof re-encodes differently"
    );
    let outcome = HashTransition
        .apply(&proof.level.pre_root, &proof.level.inputs)
        .ok();
    match proof.verify(&HashTransition) {
        Ok(()) => {
            assert!(outcome != Some(proof.level.post_root) && outcome == proof.correct_post_root)
        }
        Err(FraudError::NoFraud { .. }) => assert_eq!(outcome, Some(proof.level.post_root)),
        Err(_) => assert_ne!(outcome, proof.correct_post_root),
    }
    let mut tower = TOWER.0.clone();
    let before = tower.next_index();
    match tower.handle_fraud_proof(&proof) {
        Ok(()) => assert!(tower.next_index() < before, "a valid proof rolls back"),
        Err(
            TowerError::Fraud(_)
            | TowerError::LevelMismatch { .. }
            | TowerError::UnknownLevel { .. },
        ) => {
            assert_eq!(tower.next_index(), before);
        }
        Err(other) => panic!("unexpected refusal {other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    // The same bytes as XOR mutations of the valid proof reach the deeper
    // checks more often than random bytes do.
    let mut mutated = TOWER.1.clone();
    for (i, byte) in data.iter().enumerate() {
        if let Some(slot) = mutated.get_mut(i % TOWER.1.len()) {
            *slot ^= byte;
        }
    }
    check(&mutated);
});
