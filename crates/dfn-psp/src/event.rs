//! What a chain node asks of its host and tells it.

use alloc::sync::Arc;

use dfn_beacon::{BeaconEvent, GroupId, ProcessId};
use dfn_crypto::{PublicKey, Variant};

use crate::block::{Block, BlockHash};
use crate::chain::FinalityConflict;
use crate::wire::{NotarizationShare, PspMessage};

/// What a node asks of its host, drained with
/// [`PspNode::poll_output`](crate::PspNode::poll_output).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output<V: Variant> {
    /// Send to every member of a group (signature shares).
    ToGroup {
        /// The group.
        group: GroupId,
        /// The message.
        message: PspMessage<V>,
    },
    /// Send to every process.
    Broadcast(PspMessage<V>),
    /// Send to one process (catch-up).
    Send {
        /// The process.
        to: ProcessId,
        /// The message.
        message: PspMessage<V>,
    },
    /// This process makes a block at `height` on `parent`: the host
    /// answers with [`PspNode::provide_payload`](crate::PspNode::provide_payload).
    RequestPayload {
        /// The height.
        height: u64,
        /// The notarized block the payload builds on.
        parent: BlockHash,
    },
    /// Judge a block's payload: the host answers with
    /// [`PspNode::payload_checked`](crate::PspNode::payload_checked). No
    /// block is signed before its payload is judged valid.
    ValidatePayload(Arc<Block<V>>),
    /// Something happened.
    Event(ChainEvent<V>),
}

/// Something a chain node reports.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChainEvent<V: Variant> {
    /// The process entered a height (it saw a notarization of the one
    /// below, or started).
    Height {
        /// The height entered.
        height: u64,
        /// `BT` at this height (the adaptive block time).
        block_time_ms: u64,
    },
    /// A block was notarized (reported once per block, when linked).
    Notarized(Arc<Block<V>>),
    /// A block is final: reported once per height, in height order.
    Finalized(Arc<Block<V>>),
    /// The beacon's event (values, evidence, stalls).
    Beacon(BeaconEvent<V>),
    /// Provable misbehaviour.
    Evidence(Evidence<V>),
    /// Two blocks finalized at one height: the network broke the delay
    /// bound the finality rule assumes. The first finalization stands.
    FinalityAlarm(FinalityConflict),
    /// No new height for the configured time (reported once per height).
    Stalled {
        /// The height waited at.
        height: u64,
    },
    /// A notarized block below the current height is missing here (a
    /// notarization waits for its block, or a block for its parent): the
    /// node asked `from`, a member of that height's notary group, for the
    /// chain from `height`.
    Refetch {
        /// The lowest height whose block is missing.
        height: u64,
        /// Who was asked.
        from: ProcessId,
    },
    /// A message was dropped.
    Rejected {
        /// The height it was for.
        height: u64,
        /// Why.
        reason: Rejection,
    },
}

/// Provable misbehaviour in the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Evidence<V: Variant> {
    /// A maker signed two different blocks at one height.
    Equivocation {
        /// One block.
        first: Arc<Block<V>>,
        /// The other.
        second: Arc<Block<V>>,
    },
    /// A notary signed (with its identity key) an invalid notarization
    /// share.
    InvalidShare(NotarizationShare<V>),
}

impl<V: Variant> Evidence<V> {
    /// Whether an equivocation holds against `maker` (its identity key):
    /// two different blocks, one height, one maker, both signed by it.
    /// (Invalid shares are checked against the height's group.)
    pub fn verify_equivocation(&self, maker: &PublicKey<V>) -> bool {
        match self {
            Evidence::Equivocation { first, second } => {
                first.hash() != second.hash()
                    && first.height() == second.height()
                    && first.maker() == second.maker()
                    && first.verify_maker(maker)
                    && second.verify_maker(maker)
            }
            Evidence::InvalidShare(_) => false,
        }
    }
}

/// Why a message was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// For a height already left.
    Old,
    /// The buffer for future heights is full.
    BufferFull,
    /// A block from a process that is not eligible.
    UnknownMaker,
    /// A block whose slot is not its maker's in the priority list.
    WrongSlot,
    /// A block whose maker signature does not verify.
    BadMakerSignature,
    /// A block whose payload the host judged invalid.
    InvalidPayload,
    /// A share from another group than the height's.
    WrongGroup(GroupId),
    /// A share from an index outside the group.
    NotAMember(u32),
    /// A share already held.
    Duplicate,
    /// An invalid share its sender did not sign (a forgery).
    ForgedShare(u32),
    /// A notarization that is not the group's signature.
    BadNotarization,
    /// A catch-up response item that does not verify or fit.
    BadCatchUp,
    /// A payload for a height or parent that is no longer asked for.
    StalePayload,
}
