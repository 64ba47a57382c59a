//! A sharded EVM network in dfn-sim: shared by the sharded simulation
//! tests and the scaling benchmark.

#![allow(dead_code)]

pub mod deploy;
pub mod load;
pub mod replica;

use std::sync::Arc;

use dfn_sim::{NodeId, SimConfig, Simulation};
use dfn_state::U256;

use deploy::{Deployment, PENDING_SLOT, balance_key};
use replica::{NetConfig, Replica};

pub fn network(dep: &Arc<Deployment>, cfg: NetConfig, seed: u64) -> Simulation<Replica> {
    let n = dep.count() * cfg.replicas;
    let nodes = (0..n)
        .map(|i| Replica::new(dep.clone(), cfg, NodeId(i)))
        .collect();
    Simulation::new(SimConfig::new(seed), nodes).unwrap()
}

/// Token balances summed over all holders and shards, and the amounts
/// pending (debited, unsettled), as replica `replica` of each shard sees them.
pub fn token_totals(
    sim: &mut Simulation<Replica>,
    dep: &Deployment,
    replicas: u32,
    replica: u32,
) -> (U256, U256) {
    let mut balances = U256::ZERO;
    let mut pending = U256::ZERO;
    for (s, shard) in dep.shards.iter().enumerate() {
        let id = NodeId(s as u32 * replicas + replica);
        let (b, p) = sim
            .with_node(id, |r, _| {
                let mut b = U256::ZERO;
                for h in dep.shards.iter().flat_map(|sh| sh.holders.iter()) {
                    b += r.node.storage(shard.token, balance_key(*h)).unwrap();
                }
                let p = r
                    .node
                    .storage(shard.token, U256::from(PENDING_SLOT))
                    .unwrap();
                (b, p)
            })
            .unwrap();
        balances += b;
        pending += p;
    }
    (balances, pending)
}
