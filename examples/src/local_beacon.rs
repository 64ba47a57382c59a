//! A small Threshold Relay beacon in one process: a few groups with keys
//! from a trusted dealer, every member a real [`BeaconNode`], messages
//! handed to every node in rounds. Each value is a real threshold BLS
//! signature chained from the previous one, so the randomness the
//! examples draw from is the beacon's own.

use std::collections::VecDeque;
use std::sync::Arc;

use dfn_beacon::{
    BeaconConfig, BeaconEvent, BeaconNode, BeaconValue, GroupId, GroupMember, GroupSet, Output,
    ProcessId, deal_group,
};
use dfn_crypto::{MinSig, SecretKey, Time};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Rounds of message delivery allowed per height before giving up.
const ROUNDS_PER_HEIGHT: usize = 16;

/// Why the local beacon could not be built or stopped producing.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LocalBeaconError {
    /// A group could not be dealt (threshold outside `1..=size`, no group).
    #[error("bad group shape: {0}")]
    Shape(String),
    /// No new value after many rounds of delivery.
    #[error("the beacon stalled at height {0}")]
    Stalled(u64),
}

/// One beacon value as the examples use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Value {
    /// The height.
    pub height: u64,
    /// The group that signed it.
    pub group: GroupId,
    /// `r_h = SHA-256(σ^h)`.
    pub randomness: [u8; 32],
}

/// `groups` disjoint groups of `size` members with threshold `threshold`,
/// producing beacon values on demand.
pub struct LocalBeacon {
    nodes: Vec<BeaconNode<MinSig>>,
    ready: VecDeque<BeaconValue<MinSig>>,
    height: u64,
}

impl LocalBeacon {
    /// Deals the groups from `seed` (keys, shares and the genesis value all
    /// follow from it) and starts every node.
    pub fn new(
        seed: u64,
        groups: usize,
        size: usize,
        threshold: u32,
    ) -> Result<Self, LocalBeaconError> {
        if groups == 0 {
            return Err(LocalBeaconError::Shape("no group".into()));
        }
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let keys: Vec<SecretKey<MinSig>> = (0..groups * size)
            .map(|_| SecretKey::random(&mut rng))
            .collect();
        let mut set = Vec::new();
        let mut shares = Vec::new();
        for (g, chunk) in keys.chunks(size).enumerate() {
            let members = chunk
                .iter()
                .map(|k| GroupMember {
                    id: ProcessId::of(&k.public_key()),
                    key: k.public_key(),
                })
                .collect();
            let id = GroupId(u64::try_from(g).unwrap_or(u64::MAX));
            let (group, group_shares) = deal_group(id, members, threshold, &mut rng)
                .map_err(|e| LocalBeaconError::Shape(e.to_string()))?;
            set.push(Arc::new(group));
            shares.push((id, group_shares));
        }
        let set = Arc::new(GroupSet::new(set).map_err(|e| LocalBeaconError::Shape(e.to_string()))?);
        let genesis: [u8; 32] = Sha256::new()
            .chain_update(b"DFN-EXAMPLES-GENESIS-V1")
            .chain_update(seed.to_be_bytes())
            .finalize()
            .into();
        let mut nodes = Vec::with_capacity(keys.len());
        for (i, key) in keys.into_iter().enumerate() {
            let mut node = BeaconNode::new(BeaconConfig::new(genesis), key, &mut rng);
            node.install_groups(Time::ZERO, 1, Arc::clone(&set));
            let (group, member) = (i / size.max(1), i % size.max(1));
            if let Some((id, group_shares)) = shares.get(group) {
                if let Some(share) = group_shares.get(member) {
                    node.add_group_share(*id, share.clone());
                }
            }
            node.start(Time::ZERO);
            nodes.push(node);
        }
        Ok(Self {
            nodes,
            ready: VecDeque::new(),
            height: 0,
        })
    }

    /// The next value, in height order: delivers every node's messages to
    /// every node until the first node reports a new height.
    pub fn next_value(&mut self) -> Result<Value, LocalBeaconError> {
        for _ in 0..ROUNDS_PER_HEIGHT {
            if let Some(v) = self.ready.pop_front() {
                self.height = v.height;
                return Ok(Value {
                    height: v.height,
                    group: v.group,
                    randomness: v.randomness,
                });
            }
            let mut sent = Vec::new();
            for (i, node) in self.nodes.iter_mut().enumerate() {
                while let Some(output) = node.poll_output() {
                    match output {
                        Output::ToGroup { message, .. } | Output::Broadcast(message) => {
                            sent.push(message)
                        }
                        Output::Event(BeaconEvent::Value(v)) if i == 0 => self.ready.push_back(v),
                        _ => {}
                    }
                }
            }
            for message in sent {
                for node in &mut self.nodes {
                    node.handle_message(Time::ZERO, message);
                }
            }
        }
        Err(LocalBeaconError::Stalled(self.height))
    }
}
