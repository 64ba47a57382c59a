//! Who may make a block at a height, and in which slot.
//!
//! The priority list of height `h` is a permutation of the eligible
//! processes (ids ascending), drawn by the seeded Fisher–Yates shuffle of
//! `dfn_beacon::shuffle` with the seed
//! `SHA-256("DFN-PRIORITY-V1" ‖ r_{h−1} ‖ u64_be(h))`, where `r_{h−1}` is
//! the beacon's random value of the previous height (domain-separated from
//! group formation's `DFN-GROUP-V1`). Position = slot. Only the first
//! `slots` positions are drawn: later slots would weigh `2^-slots` or less.

use alloc::sync::Arc;
use alloc::vec::Vec;

use dfn_beacon::shuffle::shuffle_prefix;
use dfn_beacon::{GroupMember, ProcessId};
use dfn_crypto::Variant;
use sha2::{Digest, Sha256};

/// The processes eligible to make blocks, ascending by id, with their
/// identity keys (which sign their blocks).
#[derive(Clone, Debug)]
pub struct Processes<V: Variant> {
    sorted: Vec<GroupMember<V>>,
}

impl<V: Variant> Processes<V> {
    /// The set of `processes` (sorted here; a repeated id keeps its first
    /// key).
    pub fn new(mut processes: Vec<GroupMember<V>>) -> Self {
        processes.sort_by_key(|p| p.id);
        processes.dedup_by_key(|p| p.id);
        Self { sorted: processes }
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// Process `id`, if eligible.
    pub fn get(&self, id: &ProcessId) -> Option<&GroupMember<V>> {
        self.sorted
            .binary_search_by_key(id, |p| p.id)
            .ok()
            .and_then(|i| self.sorted.get(i))
    }

    /// The processes, ascending by id.
    pub fn as_slice(&self) -> &[GroupMember<V>] {
        &self.sorted
    }
}

/// The first slots of a height's priority list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriorityList {
    height: u64,
    makers: Vec<ProcessId>,
}

impl PriorityList {
    /// The list of `height` from `previous_randomness` (`r_{h−1}`), its
    /// first `slots` positions.
    pub fn new<V: Variant>(
        processes: &Arc<Processes<V>>,
        height: u64,
        previous_randomness: &[u8; 32],
        slots: u32,
    ) -> Self {
        let mut h = Sha256::new();
        h.update(b"DFN-PRIORITY-V1");
        h.update(previous_randomness);
        h.update(height.to_be_bytes());
        let makers = shuffle_prefix(processes.len(), h.finalize().into(), slots as usize)
            .into_iter()
            .filter_map(|i| processes.as_slice().get(i).map(|p| p.id))
            .collect();
        Self { height, makers }
    }

    /// The height.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// The slot of `maker`, if within the drawn slots.
    pub fn slot_of(&self, maker: &ProcessId) -> Option<u32> {
        let position = self.makers.iter().position(|m| m == maker)?;
        u32::try_from(position).ok()
    }

    /// The maker of `slot`.
    pub fn maker(&self, slot: u32) -> Option<&ProcessId> {
        self.makers.get(usize::try_from(slot).ok()?)
    }

    /// The makers, slot 0 first.
    pub fn makers(&self) -> &[ProcessId] {
        &self.makers
    }
}
