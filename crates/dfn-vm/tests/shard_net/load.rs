//! The per-shard load: each block, every one of the first
//! `txs_per_block` holders sends one transaction; a fraction of them are
//! cross-shard transfers, the rest local transfers. With `faults`, holder
//! 0 sends the requests that fail in each way instead.

use dfn_state::shard::ShardId;
use dfn_state::{Address, keccak256};
use dfn_vm::Transaction;

use super::deploy::{Deployment, transfer, transfer_remote, tx};

/// Gas of a credit at the destination: ample.
pub const CREDIT_GAS: u64 = 100_000;
/// Gas too small for a credit (past the intrinsic cost): it halts.
pub const LOW_GAS: u64 = 23_000;

#[derive(Clone, Copy, Debug)]
pub struct Load {
    pub txs_per_block: usize,
    /// Cross-shard transfers per thousand transactions.
    pub cross_permille: u64,
    /// Blocks 1..=load_heights carry transactions; later ones are empty.
    pub load_heights: u64,
    pub faults: bool,
    pub seed: u64,
}

fn draw(seed: u64, shard: u32, height: u64, i: usize) -> [u8; 32] {
    let mut pre = seed.to_be_bytes().to_vec();
    pre.extend_from_slice(&shard.to_be_bytes());
    pre.extend_from_slice(&height.to_be_bytes());
    pre.extend_from_slice(&(i as u64).to_be_bytes());
    keccak256(pre).0
}

fn pick(bytes: &[u8], n: usize) -> usize {
    (u64::from_be_bytes(bytes[..8].try_into().unwrap()) % n as u64) as usize
}

/// The transactions of block `height` of `shard`.
pub fn block_txs(dep: &Deployment, load: &Load, shard: ShardId, height: u64) -> Vec<Transaction> {
    if height == 0 || height > load.load_heights {
        return Vec::new();
    }
    let n = dep.count() as usize;
    let me = &dep.shards[shard.0 as usize];
    (0..load.txs_per_block)
        .map(|i| {
            let r = draw(load.seed, shard.0, height, i);
            let sender = me.holders[i];
            let amount = 1 + (r[8] % 10) as u64;
            let other = |byte: usize| {
                if n == 1 {
                    shard.0 as usize
                } else {
                    (shard.0 as usize + 1 + pick(&r[byte..], n - 1)) % n
                }
            };
            let holder_of = |s: usize| -> Address {
                let hs = &dep.shards[s].holders;
                hs[pick(&r[16..], hs.len())]
            };
            let data = if load.faults && i == 0 {
                let d = other(24);
                match height % 4 {
                    1 => transfer_remote(dep.shards[d].stranger, holder_of(d), amount, CREDIT_GAS),
                    2 => transfer_remote(holder_of(d), holder_of(d), amount, CREDIT_GAS),
                    3 => transfer_remote(dep.shards[d].token, holder_of(d), amount, LOW_GAS),
                    _ => transfer_remote(me.token, holder_of(shard.0 as usize), amount, CREDIT_GAS),
                }
            } else if pick(&r[0..], 1000) < load.cross_permille as usize {
                // With one shard the peer is this instance: the same
                // asynchronous path, executed in the next block.
                let d = other(24);
                transfer_remote(dep.shards[d].token, holder_of(d), amount, CREDIT_GAS)
            } else {
                transfer(holder_of(shard.0 as usize), amount)
            };
            tx(sender, Some(me.token), height - 1, 300_000, data)
        })
        .collect()
}
