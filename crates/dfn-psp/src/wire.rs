//! The chain's messages and their canonical encodings.
//!
//! Every message starts with `version = 1` and a kind byte. Kinds 1 and 2
//! are the beacon's own messages (`dfn_beacon::BeaconMessage`, encoded by
//! dfn-beacon), carried unchanged.
//!
//! | kind | message | layout after the two prefix bytes |
//! |---|---|---|
//! | 3 | block | header fields (see [`Block`]), `u32` payload length, payload, maker signature `S` |
//! | 4 | notarization share | height 8, block hash 32, group id 8, member index 4, share `S`, identity signature `S` |
//! | 5 | notarization | height 8, block hash 32, group signature `S` |
//! | 6 | catch-up request | first height wanted 8, heights wanted 4 |
//! | 7 | catch-up response | sender's height 8, item count 4, items: `u32` length and an encoded kind 2, 3 or 5 message each |
//!
//! `S` is a compressed signature: 48 bytes for MinSig, 96 for MinPk. A
//! MinSig share message is 150 bytes, a notarization 90.
//!
//! A notarization share is member `index`'s signature share, under its key
//! share of the height's notary group, on
//! `"DFN-NOTARY-V1" ‖ u64_be(height) ‖ block hash`; `t` of them recover the
//! notarization, the group's signature on the same bytes. The identity
//! signature (on `"DFN-NOTARY-V1" ‖` the message bytes before it) makes an
//! invalid share attributable; it is checked only when the share fails.

use alloc::sync::Arc;
use alloc::vec::Vec;

use dfn_beacon::{BeaconMessage, GroupId, ProcessId, ValueMessage};
use dfn_crypto::backend::Point;
use dfn_crypto::error::PointError;
use dfn_crypto::threshold::SignatureShare;
use dfn_crypto::{MessageHash, PublicKey, SecretKey, Signature, Suite, Variant};
use thiserror::Error;

use crate::block::{Block, BlockHash, HEADER_LEN, Proposal};

/// The wire format version.
pub const WIRE_VERSION: u8 = 1;
/// The domain tag of notarizations and their shares.
pub const NOTARY_TAG: &[u8] = b"DFN-NOTARY-V1";
/// The largest payload a block may carry.
pub const MAX_PAYLOAD: usize = 8 << 20;
/// The most items a catch-up response may carry.
pub const MAX_RESPONSE_ITEMS: usize = 4_096;

pub(crate) const KIND_BLOCK: u8 = 3;
const KIND_SHARE: u8 = 4;
const KIND_NOTARIZATION: u8 = 5;
const KIND_REQUEST: u8 = 6;
const KIND_RESPONSE: u8 = 7;

/// A member's signature share on a block of its height.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotarizationShare<V: Variant> {
    /// The height.
    pub height: u64,
    /// The block signed.
    pub block: BlockHash,
    /// The notary group.
    pub group: GroupId,
    /// The share (its index is the member's index in the group).
    pub share: SignatureShare<V>,
    /// The sender's identity signature over the fields above.
    pub signature: Signature<V>,
}

/// A block's notarization: the notary group's signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Notarization<V: Variant> {
    /// The height.
    pub height: u64,
    /// The block.
    pub block: BlockHash,
    /// The group's signature on the notary message.
    pub signature: Signature<V>,
}

/// A request for the notarized chain from `from` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatchUpRequest {
    /// The first height wanted.
    pub from: u64,
    /// How many heights.
    pub count: u32,
}

/// Notarized blocks with their notarizations and the beacon values that
/// select their notary groups, in height order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatchUpResponse<V: Variant> {
    /// The sender's current height (more may follow).
    pub height: u64,
    /// Beacon values, blocks and notarizations.
    pub items: Vec<PspMessage<V>>,
}

/// A chain message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PspMessage<V: Variant> {
    /// A beacon share or value.
    Beacon(BeaconMessage<V>),
    /// A block.
    Block(Arc<Block<V>>),
    /// A notarization share.
    Share(NotarizationShare<V>),
    /// A notarization.
    Notarization(Notarization<V>),
    /// A catch-up request.
    Request(CatchUpRequest),
    /// A catch-up response.
    Response(Arc<CatchUpResponse<V>>),
}

/// Why bytes are not a chain message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum WireError {
    /// Fewer bytes than the message needs.
    #[error("truncated: {0} bytes")]
    Truncated(usize),
    /// Unknown version byte.
    #[error("unknown version {0}")]
    UnknownVersion(u8),
    /// Unknown kind byte (or a kind not allowed where it appears).
    #[error("unknown or misplaced message kind {0}")]
    UnknownKind(u8),
    /// Bytes left over after the message.
    #[error("{0} trailing bytes")]
    Trailing(usize),
    /// A payload over [`MAX_PAYLOAD`].
    #[error("payload of {0} bytes")]
    PayloadTooLarge(u64),
    /// A response with more than [`MAX_RESPONSE_ITEMS`] items.
    #[error("{0} response items")]
    TooManyItems(u32),
    /// The header's payload hash is not the payload's.
    #[error("payload hash mismatch")]
    PayloadHash,
    /// A member index of 0.
    #[error("member index 0")]
    ZeroIndex,
    /// A beacon message inside does not decode.
    #[error("beacon message: {0}")]
    Beacon(dfn_beacon::WireError),
    /// A signature does not decode.
    #[error("{field}: {error}")]
    Point {
        /// Which field.
        field: &'static str,
        /// What is wrong.
        error: PointError,
    },
}

fn sig_len<V: Variant>() -> usize {
    <V::SignaturePoint as Point>::COMPRESSED_LEN
}

/// `NOTARY_TAG ‖ u64_be(height) ‖ block`: what a notarization signs.
pub fn notary_message(height: u64, block: &BlockHash) -> Vec<u8> {
    let mut out = Vec::with_capacity(NOTARY_TAG.len() + 40);
    out.extend_from_slice(NOTARY_TAG);
    out.extend_from_slice(&height.to_be_bytes());
    out.extend_from_slice(&block.0);
    out
}

/// The notary message hashed to the curve.
pub fn notary_hash<V: Variant>(height: u64, block: &BlockHash) -> MessageHash<V> {
    MessageHash::new(Suite::Basic, &notary_message(height, block))
}

impl<V: Variant> dfn_beacon::share_set::CarriesShare<V> for NotarizationShare<V> {
    fn share(&self) -> SignatureShare<V> {
        self.share
    }
}

impl<V: Variant> NotarizationShare<V> {
    /// Member `share.index()` of `group` sends its share on `block`,
    /// signed with its identity key.
    pub fn new(
        height: u64,
        block: BlockHash,
        group: GroupId,
        share: SignatureShare<V>,
        identity: &SecretKey<V>,
    ) -> Self {
        let unsigned = Self::unsigned_bytes(height, &block, group, &share);
        let signature = identity.sign(Suite::ProofOfPossession, &tagged(&unsigned));
        Self {
            height,
            block,
            group,
            share,
            signature,
        }
    }

    fn unsigned_bytes(
        height: u64,
        block: &BlockHash,
        group: GroupId,
        share: &SignatureShare<V>,
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(54 + 2 * sig_len::<V>());
        out.push(WIRE_VERSION);
        out.push(KIND_SHARE);
        out.extend_from_slice(&height.to_be_bytes());
        out.extend_from_slice(&block.0);
        out.extend_from_slice(&group.0.to_be_bytes());
        out.extend_from_slice(&share.index().to_be_bytes());
        out.extend_from_slice(share.signature().to_bytes().as_ref());
        out
    }

    /// Whether `identity` (the sender's key) signed this message.
    pub fn verify_sender(&self, identity: &PublicKey<V>) -> bool {
        let unsigned = Self::unsigned_bytes(self.height, &self.block, self.group, &self.share);
        identity.verify(
            Suite::ProofOfPossession,
            &tagged(&unsigned),
            &self.signature,
        )
    }
}

fn tagged(bytes: &[u8]) -> Vec<u8> {
    [NOTARY_TAG, bytes].concat()
}

impl<V: Variant> PspMessage<V> {
    /// The height the message is about (a request's first height; a
    /// response's sender height).
    pub fn height(&self) -> u64 {
        match self {
            PspMessage::Beacon(m) => m.height(),
            PspMessage::Block(b) => b.height(),
            PspMessage::Share(s) => s.height,
            PspMessage::Notarization(n) => n.height,
            PspMessage::Request(r) => r.from,
            PspMessage::Response(r) => r.height,
        }
    }

    /// Bytes of the encoding.
    pub fn encoded_len(&self) -> usize {
        let s = sig_len::<V>();
        match self {
            PspMessage::Beacon(m) => m.encoded_len(),
            PspMessage::Block(b) => HEADER_LEN + 4 + b.payload().len() + s,
            PspMessage::Share(_) => 54 + 2 * s,
            PspMessage::Notarization(_) => 42 + s,
            PspMessage::Request(_) => 14,
            PspMessage::Response(r) => {
                14 + r.items.iter().map(|i| 4 + i.encoded_len()).sum::<usize>()
            }
        }
    }

    /// The canonical encoding (see the [module docs](self)).
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            PspMessage::Beacon(m) => m.to_bytes(),
            PspMessage::Block(b) => {
                let mut out = b.header_bytes();
                out.extend_from_slice(&(b.payload().len() as u32).to_be_bytes());
                out.extend_from_slice(b.payload());
                out.extend_from_slice(b.signature().to_bytes().as_ref());
                out
            }
            PspMessage::Share(s) => {
                let mut out =
                    NotarizationShare::unsigned_bytes(s.height, &s.block, s.group, &s.share);
                out.extend_from_slice(s.signature.to_bytes().as_ref());
                out
            }
            PspMessage::Notarization(n) => {
                let mut out = Vec::with_capacity(42 + sig_len::<V>());
                out.push(WIRE_VERSION);
                out.push(KIND_NOTARIZATION);
                out.extend_from_slice(&n.height.to_be_bytes());
                out.extend_from_slice(&n.block.0);
                out.extend_from_slice(n.signature.to_bytes().as_ref());
                out
            }
            PspMessage::Request(r) => {
                let mut out = Vec::with_capacity(14);
                out.push(WIRE_VERSION);
                out.push(KIND_REQUEST);
                out.extend_from_slice(&r.from.to_be_bytes());
                out.extend_from_slice(&r.count.to_be_bytes());
                out
            }
            PspMessage::Response(r) => {
                let mut out = Vec::with_capacity(self.encoded_len());
                out.push(WIRE_VERSION);
                out.push(KIND_RESPONSE);
                out.extend_from_slice(&r.height.to_be_bytes());
                out.extend_from_slice(&(r.items.len() as u32).to_be_bytes());
                for item in &r.items {
                    let bytes = item.to_bytes();
                    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
                    out.extend_from_slice(&bytes);
                }
                out
            }
        }
    }

    /// Decodes a message: exact length, points on the curve and in the
    /// subgroup, payload hash matching, bounded sizes. Signatures are not
    /// verified (the node does that, with the keys of the height).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, WireError> {
        Self::decode(bytes, true)
    }

    fn decode(bytes: &[u8], top: bool) -> Result<Self, WireError> {
        let mut r = Reader { bytes, at: 0 };
        let version = r.u8()?;
        if version != WIRE_VERSION {
            return Err(WireError::UnknownVersion(version));
        }
        let kind = r.u8()?;
        let message = match kind {
            1 | 2 if top || kind == 2 => {
                return BeaconMessage::from_bytes(bytes)
                    .map(PspMessage::Beacon)
                    .map_err(WireError::Beacon);
            }
            KIND_BLOCK => {
                let height = r.u64()?;
                let parent = BlockHash(r.array()?);
                let slot = r.u32()?;
                let maker = ProcessId(r.array()?);
                let payload_hash: [u8; 32] = r.array()?;
                let state_root = r.array()?;
                let len = r.u32()?;
                if len as usize > MAX_PAYLOAD {
                    return Err(WireError::PayloadTooLarge(u64::from(len)));
                }
                let payload = r.take(len as usize)?.to_vec();
                let signature = r.signature("maker signature")?;
                let proposal = Proposal {
                    height,
                    parent,
                    slot,
                    maker,
                    state_root,
                    payload,
                };
                let block = Block::from_parts(proposal, payload_hash, signature)
                    .ok_or(WireError::PayloadHash)?;
                PspMessage::Block(Arc::new(block))
            }
            KIND_SHARE if top => {
                let height = r.u64()?;
                let block = BlockHash(r.array()?);
                let group = GroupId(r.u64()?);
                let index = r.u32()?;
                let share = r.signature("share")?;
                let share = SignatureShare::new(index, share).map_err(|_| WireError::ZeroIndex)?;
                let signature = r.signature("identity signature")?;
                PspMessage::Share(NotarizationShare {
                    height,
                    block,
                    group,
                    share,
                    signature,
                })
            }
            KIND_NOTARIZATION => PspMessage::Notarization(Notarization {
                height: r.u64()?,
                block: BlockHash(r.array()?),
                signature: r.signature("group signature")?,
            }),
            KIND_REQUEST if top => PspMessage::Request(CatchUpRequest {
                from: r.u64()?,
                count: r.u32()?,
            }),
            KIND_RESPONSE if top => {
                let height = r.u64()?;
                let count = r.u32()?;
                if count as usize > MAX_RESPONSE_ITEMS {
                    return Err(WireError::TooManyItems(count));
                }
                let mut items = Vec::new();
                for _ in 0..count {
                    let len = r.u32()?;
                    items.push(Self::decode(r.take(len as usize)?, false)?);
                }
                PspMessage::Response(Arc::new(CatchUpResponse { height, items }))
            }
            other => return Err(WireError::UnknownKind(other)),
        };
        match bytes.len() - r.at {
            0 => Ok(message),
            extra => Err(WireError::Trailing(extra)),
        }
    }
}

impl<V: Variant> From<ValueMessage<V>> for PspMessage<V> {
    fn from(value: ValueMessage<V>) -> Self {
        PspMessage::Beacon(BeaconMessage::Value(value))
    }
}

/// A cursor over untrusted bytes: every read is bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        let end = self
            .at
            .checked_add(n)
            .ok_or(WireError::Truncated(self.bytes.len()))?;
        let out = self
            .bytes
            .get(self.at..end)
            .ok_or(WireError::Truncated(self.bytes.len()))?;
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        let slice = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, WireError> {
        Ok(u8::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, WireError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, WireError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    fn signature<V: Variant>(&mut self, field: &'static str) -> Result<Signature<V>, WireError> {
        let bytes = self.take(sig_len::<V>())?;
        Signature::from_bytes(bytes).map_err(|error| WireError::Point { field, error })
    }
}
