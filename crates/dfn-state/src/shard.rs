//! Shards: which shard holds an address, and what the chain records of
//! each shard.
//!
//! **Assignment rule.** An address belongs to shard
//! `u64_be(keccak256(address)[0..8]) mod count`, unless it is pinned to a
//! shard explicitly (system contracts, or accounts a deployment places by
//! hand). Hashing spreads accounts evenly whatever their addresses look
//! like (contract addresses are themselves hashes; externally chosen ones
//! are not). Changing the count or a pin moves accounts: it is a protocol
//! parameter, changed only by governance.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt;

use thiserror::Error;

use crate::address::Address;
use crate::hash::{B256, keccak256};
use crate::rlp::{Decode, Encode, Rlp, RlpError};
use crate::trie::{MemoryStore, Trie};

/// A shard's number, `0..count`.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShardId(pub u32);

impl fmt::Debug for ShardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "shard {}", self.0)
    }
}

/// Why a shard map cannot be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ShardError {
    /// No shard at all.
    #[error("a network needs at least one shard")]
    NoShards,
    /// A pin to a shard that does not exist.
    #[error("{shard:?} is not below the shard count {count}")]
    UnknownShard {
        /// The shard named.
        shard: ShardId,
        /// Shards in the network.
        count: u32,
    },
}

/// The assignment of addresses to shards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardMap {
    count: u32,
    pinned: BTreeMap<Address, ShardId>,
}

impl ShardMap {
    /// `count` shards, no pins.
    pub fn new(count: u32) -> Result<Self, ShardError> {
        if count == 0 {
            return Err(ShardError::NoShards);
        }
        Ok(Self {
            count,
            pinned: BTreeMap::new(),
        })
    }

    /// Pins `address` to `shard`.
    pub fn pin(mut self, address: Address, shard: ShardId) -> Result<Self, ShardError> {
        if shard.0 >= self.count {
            return Err(ShardError::UnknownShard {
                shard,
                count: self.count,
            });
        }
        self.pinned.insert(address, shard);
        Ok(self)
    }

    /// The number of shards.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The shards, in order.
    pub fn shards(&self) -> impl Iterator<Item = ShardId> {
        (0..self.count).map(ShardId)
    }

    /// The shard holding `address`.
    pub fn shard_of(&self, address: &Address) -> ShardId {
        if let Some(shard) = self.pinned.get(address) {
            return *shard;
        }
        let digest = keccak256(address.0);
        let mut head = [0u8; 8];
        head.copy_from_slice(digest.0.get(..8).unwrap_or(&[0; 8]));
        ShardId((u64::from_be_bytes(head) % u64::from(self.count)) as u32)
    }
}

/// What the chain records of one shard at one height.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardCommitment {
    /// The shard.
    pub shard: ShardId,
    /// Its account state root.
    pub state_root: B256,
    /// The root of its outgoing streams (headers and messages).
    pub streams_root: B256,
    /// The height of its validation tower.
    pub tower_height: u64,
}

impl ShardCommitment {
    fn fields(&self) -> [&dyn Encode; 4] {
        [
            &self.shard.0,
            &self.state_root,
            &self.streams_root,
            &self.tower_height,
        ]
    }
}

impl Encode for ShardCommitment {
    fn encoded_len(&self) -> usize {
        crate::rlp::fields_len(&self.fields())
    }

    fn encode(&self, out: &mut Vec<u8>) {
        crate::rlp::encode_fields(&self.fields(), out);
    }
}

impl Decode for ShardCommitment {
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        let [shard, state_root, streams_root, tower_height] = rlp.fixed_list::<4>()?;
        Ok(Self {
            shard: ShardId(shard.decode()?),
            state_root: state_root.decode()?,
            streams_root: streams_root.decode()?,
            tower_height: tower_height.decode()?,
        })
    }
}

/// The root of one height's shard commitments: a trie from
/// `u32_be(shard)` to the RLP of its commitment. A block carries this
/// root; a Merkle proof from it opens any one shard's commitment.
pub fn commitments_root(commitments: &[ShardCommitment]) -> B256 {
    let mut trie = Trie::new(MemoryStore::default());
    for c in commitments {
        // The in-memory store cannot fail.
        let _ = trie.insert(&c.shard.0.to_be_bytes(), &c.to_rlp());
    }
    trie.root()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rlp::decode_exact;

    #[test]
    fn addresses_spread_over_shards_and_pins_win() {
        let map = ShardMap::new(16).unwrap();
        let mut counts = [0u32; 16];
        for i in 0..16_000u32 {
            let mut a = [0u8; 20];
            a[16..].copy_from_slice(&i.to_be_bytes());
            counts[map.shard_of(&Address(a)).0 as usize] += 1;
        }
        assert!(
            counts.iter().all(|c| (850..=1150).contains(c)),
            "{counts:?}"
        );
        let a = Address([7; 20]);
        let pinned = map.clone().pin(a, ShardId(3)).unwrap();
        assert_eq!(pinned.shard_of(&a), ShardId(3));
        assert!(matches!(
            map.pin(a, ShardId(16)),
            Err(ShardError::UnknownShard { .. })
        ));
        assert_eq!(ShardMap::new(0), Err(ShardError::NoShards));
    }

    #[test]
    fn commitments_round_trip_and_root_changes_with_any_field() {
        let c = ShardCommitment {
            shard: ShardId(2),
            state_root: B256([1; 32]),
            streams_root: B256([2; 32]),
            tower_height: 9,
        };
        assert_eq!(decode_exact::<ShardCommitment>(&c.to_rlp()).unwrap(), c);
        let root = commitments_root(&[c]);
        let mut d = c;
        d.tower_height = 10;
        assert_ne!(commitments_root(&[d]), root);
    }
}
