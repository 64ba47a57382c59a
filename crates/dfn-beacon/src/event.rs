//! What a beacon node tells its host.

use dfn_crypto::{Signature, Variant};

use crate::groups::Group;
use crate::round;
use crate::wire::{BeaconMessage, GroupId, ShareMessage};
use dfn_crypto::{MessageHash, Suite};

/// What a node asks of its host, drained with
/// [`BeaconNode::poll_output`](crate::BeaconNode::poll_output).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output<V: Variant> {
    /// Send to every member of the group (signature shares: only the group
    /// needs them; everyone else gets the recovered value).
    ToGroup {
        /// The group.
        group: GroupId,
        /// The message.
        message: BeaconMessage<V>,
    },
    /// Send to every process (recovered values).
    Broadcast(BeaconMessage<V>),
    /// Something happened.
    Event(BeaconEvent<V>),
}

/// A value of the beacon, reported once per height, in height order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BeaconValue<V: Variant> {
    /// The height.
    pub height: u64,
    /// The group that signed it.
    pub group: GroupId,
    /// `σ^h`, the group's unique signature on `m_h`.
    pub signature: Signature<V>,
    /// `r_h = SHA-256(σ^h)`.
    pub randomness: [u8; 32],
}

/// Provable misbehaviour in the beacon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShareEvidence<V: Variant> {
    /// A member signed (with its identity key) a share that is not its
    /// signature share on the height's message.
    InvalidShare {
        /// The signed share message.
        message: ShareMessage<V>,
    },
}

impl<V: Variant> ShareEvidence<V> {
    /// Whether the evidence holds for `group`, with `previous` the chain's
    /// own `σ^{h−1}` (or the genesis seed) — the verifier supplies it from
    /// its chain, never from the reporter: the sender signed the message
    /// and the share fails under its public key share.
    pub fn verify(&self, group: &Group<V>, previous: &[u8]) -> bool {
        match self {
            ShareEvidence::InvalidShare { message } => {
                let index = message.share.index();
                let (Some(member), Some(key)) = (group.member(index), group.keys().get(index))
                else {
                    return false;
                };
                let hash =
                    MessageHash::<V>::new(Suite::Basic, &round::message(previous, message.height));
                message.group == group.id()
                    && message.verify_sender(&member.key)
                    && !key.verify_hash(&hash, &message.share)
            }
        }
    }

    /// The culprit's member index in its group.
    pub fn member_index(&self) -> u32 {
        match self {
            ShareEvidence::InvalidShare { message } => message.share.index(),
        }
    }
}

/// Something a node reports.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BeaconEvent<V: Variant> {
    /// The beacon's value at a height.
    Value(BeaconValue<V>),
    /// A member sent an invalid share.
    Evidence(ShareEvidence<V>),
    /// No value for the configured time: the selected group has not
    /// produced `threshold` valid shares here (fewer than `t` honest
    /// members stall the beacon visibly instead of producing anything
    /// wrong). Reported once per height.
    Stalled {
        /// The height waited for.
        height: u64,
        /// The selected group.
        group: GroupId,
        /// Members whose shares are held (not found invalid).
        shares: u32,
        /// Shares needed.
        threshold: u32,
    },
    /// No group set is installed for the height: the node waits for the
    /// host.
    WaitingForGroups {
        /// The height.
        height: u64,
    },
    /// A message was dropped.
    Rejected {
        /// The height it was for.
        height: u64,
        /// Why.
        reason: Rejection,
    },
}

/// Why a message was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// For a height already produced.
    Old,
    /// Too far ahead to buffer.
    TooFarAhead,
    /// The buffer for future heights is full.
    BufferFull,
    /// A share from a group that is not the height's.
    WrongGroup(GroupId),
    /// A share from an index outside the group.
    NotAMember(u32),
    /// A share already held, or a third one for one member.
    Duplicate,
    /// An invalid share whose identity signature does not verify: someone
    /// else's forgery, not evidence against the member.
    ForgedShare(u32),
    /// A value that is not the group's signature on the height's message.
    BadValue,
    /// A share from a member this node holds evidence against (it signed
    /// an invalid share before): ignored unchecked.
    Convicted(u32),
}
