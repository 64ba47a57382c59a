//! The beacon's two messages and their canonical encodings.
//!
//! **Share** (kind 1): member `index` of group `group` signs height
//! `height`; the share is itself a signature, checkable against the
//! member's public key share, so it needs no envelope to be believed. The
//! sender's identity signature over it is what makes an *invalid* share
//! attributable (evidence); it is checked only when the share fails.
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 1 | version = 1 |
//! | 1 | 1 | kind = 1 |
//! | 2 | 8 | height |
//! | 10 | 8 | group id |
//! | 18 | 4 | member index in the group (1-based) |
//! | 22 | `S` | signature share on `m_h` |
//! | `22 + S` | `S` | the sender's identity signature on `"DFN-BEACON-V1" ‖ bytes[0 .. 22 + S]` |
//!
//! **Value** (kind 2): the recovered group signature of a height.
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 1 | version = 1 |
//! | 1 | 1 | kind = 2 |
//! | 2 | 8 | height |
//! | 10 | `S` | group signature `σ^h` |
//!
//! `S` is the size of a compressed signature: 48 bytes for MinSig, 96 for
//! MinPk. A MinSig share message is 118 bytes and a value 58.

use alloc::vec::Vec;

use dfn_crypto::backend::Point;
use dfn_crypto::error::PointError;
use dfn_crypto::threshold::SignatureShare;
use dfn_crypto::{PublicKey, SecretKey, Signature, Suite, Variant};
use thiserror::Error;

/// The wire format version.
pub const WIRE_VERSION: u8 = 1;

/// The domain tag of identity signatures on share messages.
pub const SHARE_TAG: &[u8] = b"DFN-BEACON-V1";

/// A group's id: assigned when it is formed, unique for the network's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupId(pub u64);

/// A member's signature share on a height's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShareMessage<V: Variant> {
    /// The height signed.
    pub height: u64,
    /// The group signing.
    pub group: GroupId,
    /// The share (its index is the member's index in the group).
    pub share: SignatureShare<V>,
    /// The sender's identity signature over the fields above.
    pub signature: Signature<V>,
}

/// A recovered group signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueMessage<V: Variant> {
    /// The height.
    pub height: u64,
    /// `σ^h`.
    pub signature: Signature<V>,
}

/// A beacon message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BeaconMessage<V: Variant> {
    /// A signature share.
    Share(ShareMessage<V>),
    /// A recovered signature.
    Value(ValueMessage<V>),
}

/// Why bytes are not a beacon message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum WireError {
    /// Fewer than the two prefix bytes.
    #[error("truncated: {0} bytes")]
    Truncated(usize),
    /// Unknown version byte.
    #[error("unknown version {0}")]
    UnknownVersion(u8),
    /// Unknown kind byte.
    #[error("unknown message kind {0}")]
    UnknownKind(u8),
    /// The length is not the kind's.
    #[error("expected exactly {expected} bytes, got {actual}")]
    WrongLength {
        /// Bytes the kind requires.
        expected: usize,
        /// Bytes present.
        actual: usize,
    },
    /// A member index of 0.
    #[error("member index 0 (indices start at 1)")]
    ZeroIndex,
    /// A signature share, identity signature or group signature does not
    /// decode.
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

impl<V: Variant> crate::share_set::CarriesShare<V> for ShareMessage<V> {
    fn share(&self) -> SignatureShare<V> {
        self.share
    }
}

impl<V: Variant> ShareMessage<V> {
    /// Member `share.index()` of `group` sends its share for `height`,
    /// signed with its identity key.
    pub fn new(
        height: u64,
        group: GroupId,
        share: SignatureShare<V>,
        identity: &SecretKey<V>,
    ) -> Self {
        let unsigned = Self::unsigned_bytes(height, group, &share);
        let signature = identity.sign(Suite::ProofOfPossession, &tagged(&unsigned));
        Self {
            height,
            group,
            share,
            signature,
        }
    }

    fn unsigned_bytes(height: u64, group: GroupId, share: &SignatureShare<V>) -> Vec<u8> {
        let mut out = Vec::with_capacity(22 + 2 * sig_len::<V>());
        out.push(WIRE_VERSION);
        out.push(1);
        out.extend_from_slice(&height.to_be_bytes());
        out.extend_from_slice(&group.0.to_be_bytes());
        out.extend_from_slice(&share.index().to_be_bytes());
        out.extend_from_slice(share.signature().to_bytes().as_ref());
        out
    }

    /// Whether `identity` (the sender's key) signed this message.
    pub fn verify_sender(&self, identity: &PublicKey<V>) -> bool {
        let unsigned = Self::unsigned_bytes(self.height, self.group, &self.share);
        identity.verify(
            Suite::ProofOfPossession,
            &tagged(&unsigned),
            &self.signature,
        )
    }
}

/// `SHARE_TAG ‖ bytes`.
fn tagged(bytes: &[u8]) -> Vec<u8> {
    [SHARE_TAG, bytes].concat()
}

impl<V: Variant> BeaconMessage<V> {
    /// The height the message is about.
    pub fn height(&self) -> u64 {
        match self {
            BeaconMessage::Share(s) => s.height,
            BeaconMessage::Value(v) => v.height,
        }
    }

    /// Bytes of the encoding.
    pub fn encoded_len(&self) -> usize {
        match self {
            BeaconMessage::Share(_) => 22 + 2 * sig_len::<V>(),
            BeaconMessage::Value(_) => 10 + sig_len::<V>(),
        }
    }

    /// The canonical encoding (see the [module docs](self)).
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            BeaconMessage::Share(s) => {
                let mut out = ShareMessage::unsigned_bytes(s.height, s.group, &s.share);
                out.extend_from_slice(s.signature.to_bytes().as_ref());
                out
            }
            BeaconMessage::Value(v) => {
                let mut out = Vec::with_capacity(10 + sig_len::<V>());
                out.push(WIRE_VERSION);
                out.push(2);
                out.extend_from_slice(&v.height.to_be_bytes());
                out.extend_from_slice(v.signature.to_bytes().as_ref());
                out
            }
        }
    }

    /// Decodes a message: exact length, points on the curve and in the
    /// subgroup, never infinity. Signatures are not verified.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, WireError> {
        let [version, kind, rest @ ..] = bytes else {
            return Err(WireError::Truncated(bytes.len()));
        };
        if *version != WIRE_VERSION {
            return Err(WireError::UnknownVersion(*version));
        }
        let s = sig_len::<V>();
        let point = |field: &'static str, bytes: &[u8]| {
            Signature::<V>::from_bytes(bytes).map_err(|error| WireError::Point { field, error })
        };
        let length = |expected: usize| {
            if bytes.len() == expected {
                Ok(())
            } else {
                Err(WireError::WrongLength {
                    expected,
                    actual: bytes.len(),
                })
            }
        };
        match kind {
            1 => {
                length(22 + 2 * s)?;
                let (height, rest) = split_u64(rest)?;
                let (group, rest) = split_u64(rest)?;
                let (index, rest) = rest
                    .split_first_chunk::<4>()
                    .ok_or(WireError::Truncated(bytes.len()))?;
                let index = u32::from_be_bytes(*index);
                let (share, signature) = rest
                    .split_at_checked(s)
                    .ok_or(WireError::Truncated(bytes.len()))?;
                let share = SignatureShare::new(index, point("share", share)?)
                    .map_err(|_| WireError::ZeroIndex)?;
                Ok(BeaconMessage::Share(ShareMessage {
                    height,
                    group: GroupId(group),
                    share,
                    signature: point("identity signature", signature)?,
                }))
            }
            2 => {
                length(10 + s)?;
                let (height, rest) = split_u64(rest)?;
                Ok(BeaconMessage::Value(ValueMessage {
                    height,
                    signature: point("group signature", rest)?,
                }))
            }
            other => Err(WireError::UnknownKind(*other)),
        }
    }
}

fn split_u64(bytes: &[u8]) -> Result<(u64, &[u8]), WireError> {
    let (head, rest) = bytes
        .split_first_chunk::<8>()
        .ok_or(WireError::Truncated(bytes.len()))?;
    Ok((u64::from_be_bytes(*head), rest))
}
