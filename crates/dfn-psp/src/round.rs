//! The state of the height a node is at: the notary group and priority
//! list once the beacon value is known, the blocks seen, what this node
//! signed, and the notarization shares collected.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::sync::Arc;
use alloc::vec::Vec;

use dfn_beacon::share_set::ShareSet;
use dfn_beacon::{Group, ProcessId};
use dfn_crypto::threshold::{SecretKeyShare, SignatureShare};
use dfn_crypto::{Time, Variant};

use crate::block::{Block, BlockHash};
use crate::priority::PriorityList;
use crate::wire::{NotarizationShare, PspMessage};

/// What the previous beacon value fixes about a height.
pub(crate) struct Setup<V: Variant> {
    pub group: Arc<Group<V>>,
    pub priority: PriorityList,
    /// This process's slot, if among the drawn ones.
    pub my_slot: Option<u32>,
    /// This process's key share in the notary group, if a member.
    pub share: Option<SecretKeyShare<V>>,
}

/// Where a block's payload stands with the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Validity {
    Pending,
    Valid,
    Invalid,
}

pub(crate) struct Candidate<V: Variant> {
    pub block: Arc<Block<V>>,
    pub validity: Validity,
}

pub(crate) struct Round<V: Variant> {
    pub height: u64,
    /// `T_h`.
    pub entered_at: Time,
    /// Entered from a notarization received as it was broadcast (not from
    /// a catch-up response).
    pub live: bool,
    /// `BT` at this height.
    pub block_time: u64,
    pub setup: Option<Setup<V>>,
    /// Messages that need the setup, replayed when it comes.
    pub waiting: Vec<(Option<ProcessId>, PspMessage<V>)>,
    pub candidates: BTreeMap<BlockHash, Candidate<V>>,
    /// Blocks per maker (two or more: equivocation).
    pub by_maker: BTreeMap<ProcessId, Vec<BlockHash>>,
    /// The slot of the blocks signed (only strictly better ones, or ties
    /// of an equivocating maker, are signed after).
    pub signed_slot: Option<u32>,
    pub signed: BTreeSet<BlockHash>,
    pub own_shares: Vec<NotarizationShare<V>>,
    /// The notarization shares held, per block.
    pub shares: BTreeMap<BlockHash, ShareSet<NotarizationShare<V>>>,
    pub invalid: Vec<SignatureShare<V>>,
    pub wait_over: bool,
    pub payload_requested: Option<BlockHash>,
    /// This maker's slot has come but its chain does not reach the height
    /// below (a block there is missing): it proposes once that links, not
    /// on a timer.
    pub parent_missing: bool,
    pub own_block: Option<Arc<Block<V>>>,
    /// A notarization of this height was seen.
    pub notarized: bool,
    /// When a valid block becomes recognizable next.
    pub next_recognition: Option<Time>,
    /// When this member, not a relayer of the height, recovers a
    /// notarization itself if no relayed copy came.
    pub recover_at: Option<Time>,
}

impl<V: Variant> Round<V> {
    pub fn new(height: u64, entered_at: Time, live: bool, bt: u64) -> Self {
        Self {
            height,
            entered_at,
            live,
            block_time: bt,
            setup: None,
            waiting: Vec::new(),
            candidates: BTreeMap::new(),
            by_maker: BTreeMap::new(),
            signed_slot: None,
            signed: BTreeSet::new(),
            own_shares: Vec::new(),
            shares: BTreeMap::new(),
            invalid: Vec::new(),
            wait_over: false,
            payload_requested: None,
            parent_missing: false,
            own_block: None,
            notarized: false,
            next_recognition: None,
            recover_at: None,
        }
    }

    /// `T_h + BT`: notaries sign nothing before.
    pub fn wait_end(&self) -> Time {
        self.entered_at.after(self.block_time)
    }

    /// `T_h + BT + k·Δslot`: when a block of slot `k` is made and
    /// recognized.
    pub fn slot_time(&self, slot: u32, slot_ms: u64) -> Time {
        self.wait_end()
            .after(u64::from(slot).saturating_mul(slot_ms))
    }
}
