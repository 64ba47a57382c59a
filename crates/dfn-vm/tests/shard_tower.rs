//! Validation towers over real EVM shards: levels are ShardToken blocks
//! (with cross-shard deliveries) re-executed by `EvmTransition`; a level
//! claiming a wrong EVM transition is caught by a fraud proof, rolled back
//! and its builders penalized.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod shard_net;

use dfn_state::rlp::{Encode, decode_exact};
use dfn_state::shard::ShardId;
use dfn_state::state::WorldState;
use dfn_state::stream::StreamConfig;
use dfn_state::tower::{FraudError, FraudProof, Tower, TowerConfig, TowerError, TowerEvent};
use dfn_state::{B256, U256};
use dfn_vm::shard::{
    Delivery, EvmTransition, Executed, ShardBlock, ShardNode, execute_block, level_inputs,
    level_root,
};
use dfn_vm::{Executor, Spec};

use shard_net::deploy::{Deployment, balance_key};
use shard_net::load::{Load, block_txs};

/// Runs two shards for `heights` blocks, exchanging slices directly;
/// returns shard 0's node and its executed blocks.
fn run_two_shards(heights: u64) -> (ShardNode, Vec<Executed>, Deployment) {
    let dep = Deployment::new(2, 8);
    let load = Load {
        txs_per_block: 8,
        cross_permille: 500,
        load_heights: heights,
        faults: true,
        seed: 2,
    };
    let mut nodes: Vec<ShardNode> = (0..2)
        .map(|s| {
            let g = &dep.shards[s];
            ShardNode::new(
                ShardId(s as u32),
                dep.map.clone(),
                StreamConfig::default(),
                Spec::CANCUN,
                g.store.clone(),
                g.genesis_root,
            )
        })
        .collect();
    let mut executed = Vec::new();
    for h in 1..=heights {
        let s01 = nodes[0].slice(ShardId(1)).unwrap();
        let s10 = nodes[1].slice(ShardId(0)).unwrap();
        let (r0, r1) = (
            nodes[0].commitment().streams_root,
            nodes[1].commitment().streams_root,
        );
        let ex0 = nodes[0]
            .execute(h, block_txs(&dep, &load, ShardId(0), h), &[(&s10, r1)])
            .unwrap();
        let ex1 = nodes[1]
            .execute(h, block_txs(&dep, &load, ShardId(1), h), &[(&s01, r0)])
            .unwrap();
        assert!(ex0.refused.is_empty() && ex1.refused.is_empty());
        executed.push(ex0);
    }
    let node = nodes.swap_remove(0);
    let dep = std::sync::Arc::try_unwrap(dep).ok().unwrap();
    (node, executed, dep)
}

fn beacon(i: u64) -> B256 {
    B256([i as u8 + 1; 32])
}

#[test]
fn blocks_round_trip_and_reexecute_to_the_same_roots() {
    let (node, executed, _) = run_two_shards(6);
    let transition = EvmTransition::new(node.store(), Spec::CANCUN);
    let mut deliveries = 0;
    for ex in &executed {
        let inputs = level_inputs(ex);
        assert_eq!(decode_exact::<ShardBlock>(&inputs).unwrap(), ex.block);
        use dfn_state::tower::Transition;
        assert_eq!(
            transition.apply(&ex.pre_root, &inputs).unwrap(),
            ex.post_root
        );
        deliveries += ex.block.deliveries.len();
    }
    assert!(executed.iter().any(|ex| {
        ex.block
            .deliveries
            .iter()
            .any(|d| matches!(d, Delivery::Call { .. }))
    }));
    assert!(deliveries > 10, "{deliveries}");
    // Inputs that are not a block, or a block from another root, do not apply.
    use dfn_state::tower::Transition;
    assert!(
        transition
            .apply(&executed[0].pre_root, b"not a block")
            .is_err()
    );
    assert!(
        transition
            .apply(&executed[1].pre_root, &level_inputs(&executed[0]))
            .is_err()
    );
}

#[test]
fn a_wrong_evm_transition_is_caught_and_rolled_back() {
    let (node, executed, dep) = run_two_shards(8);
    let transition = EvmTransition::new(node.store(), Spec::CANCUN);
    let config = TowerConfig {
        depth: 3,
        builders_per_level: 2,
    };
    let genesis = level_root(&dep.shards[0].genesis_root, &B256::ZERO);
    assert_eq!(genesis, executed[0].pre_root);
    let mut tower = Tower::new(&transition, config, genesis, 0..20).unwrap();

    // Levels 0..4 are honest: a builder's level is the node's block.
    for (i, ex) in executed.iter().take(4).enumerate() {
        let level = tower.build(&beacon(i as u64), &level_inputs(ex)).unwrap();
        assert_eq!(level.post_root, ex.post_root);
        assert!(tower.reexecute().is_none());
        tower.handle_level(level, &beacon(i as u64)).unwrap();
    }

    // Level 4's builders credit someone a million tokens while executing
    // the honest block, and claim the root they reach.
    let ex = &executed[4];
    let mut scratch = node.store().clone();
    let mut state = WorldState::open(&mut scratch, ex.block.pre_state_root);
    let thief = dep.shards[0].holders[3];
    state
        .set_storage(
            dep.shards[0].token,
            balance_key(thief),
            U256::from(1u64 << 40),
        )
        .unwrap();
    state.finalize_transaction().unwrap();
    let forged = execute_block(&mut Executor::new(Spec::CANCUN), &mut state, &ex.block).unwrap();
    let mut bad = tower.build(&beacon(4), &level_inputs(ex)).unwrap();
    bad.post_root = level_root(&forged.state_root, &forged.effects);
    assert_ne!(bad.post_root, ex.post_root);
    let bad_builders = bad.builders.clone();
    tower.handle_level(bad.clone(), &beacon(4)).unwrap();

    // The next builder re-executes the levels below and finds the fraud;
    // anyone can check the proof with the EVM alone.
    let proof = tower.reexecute().expect("level 4 is wrong");
    assert_eq!(proof.level, bad);
    assert_eq!(proof.correct_post_root, Some(ex.post_root));
    let decoded = FraudProof::decode(&proof.to_rlp()).unwrap();
    assert_eq!(decoded, proof);
    decoded.verify(&transition).unwrap();
    // An accusation of an honest level is refused.
    let honest = tower.pending().next().unwrap().clone();
    let false_proof = FraudProof {
        level: honest.clone(),
        correct_post_root: Some(B256([9; 32])),
    };
    assert_eq!(
        false_proof.verify(&transition),
        Err(FraudError::NoFraud {
            level: honest.index
        })
    );

    while tower.poll_output().is_some() {}
    tower.handle_fraud_proof(&proof).unwrap();
    assert_eq!(tower.next_index(), 4);
    assert_eq!(tower.tip_root(), executed[3].post_root);
    let events: Vec<TowerEvent> = std::iter::from_fn(|| tower.poll_output()).collect();
    assert_eq!(
        events[0],
        TowerEvent::RolledBack {
            level: 4,
            removed: 1
        }
    );
    for b in &bad_builders {
        assert_eq!(tower.penalties().get(b), Some(&1));
    }

    // The honest level 4 and the rest build on, and become final.
    for (i, ex) in executed.iter().enumerate().skip(4) {
        let b = beacon(100 + i as u64);
        let level = tower.build(&b, &level_inputs(ex)).unwrap();
        assert_eq!(level.post_root, ex.post_root);
        tower.handle_level(level, &b).unwrap();
    }
    assert_eq!(tower.final_len(), 8 - 3);
    assert_eq!(tower.final_root(), executed[4].post_root);
    assert!(matches!(
        tower.handle_fraud_proof(&proof),
        Err(TowerError::LevelFinal { level: 4 })
    ));
}
