//! What a signed DKG message carries: one dealing, a member's responses
//! (its complaints; none means "all my shares are good"), or a dealer's
//! justifications.

use alloc::vec::Vec;

use thiserror::Error;

use super::complaint::{Complaint, Justification};
use super::dealing::Dealing;
use super::wire::{COMPLAINT_LEN, JUSTIFICATION_LEN, WireError};
use crate::variant::Variant;

/// The three kinds of signed DKG message, one per phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Kind {
    /// A dealer's [`Dealing`] (deal phase), tag `0x11`.
    Dealing,
    /// A member's complaints, possibly none (response phase), tag `0x12`.
    Responses,
    /// A dealer's answers to valid complaints (justification phase), tag
    /// `0x13`.
    Justifications,
}

impl Kind {
    /// The tag byte in the envelope.
    pub fn tag(self) -> u8 {
        match self {
            Kind::Dealing => 0x11,
            Kind::Responses => 0x12,
            Kind::Justifications => 0x13,
        }
    }

    /// The kind of a tag byte, `None` for unknown tags.
    pub fn from_tag(tag: u8) -> Option<Self> {
        match tag {
            0x11 => Some(Kind::Dealing),
            0x12 => Some(Kind::Responses),
            0x13 => Some(Kind::Justifications),
            _ => None,
        }
    }
}

impl core::fmt::Display for Kind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Kind::Dealing => "dealing",
            Kind::Responses => "responses",
            Kind::Justifications => "justifications",
        })
    }
}

/// The decoded body of a signed message. Encodings:
///
/// | kind | body |
/// |---|---|
/// | [`Kind::Dealing`] | the dealing's [wire encoding](crate::dkg::wire) |
/// | [`Kind::Responses`] | `u32_be(count) ‖ count × complaint (122 bytes each)` |
/// | [`Kind::Justifications`] | `u32_be(count) ‖ count × justification (42 bytes each)` |
///
/// The decoder checks what makes a body canonical and attributable to its
/// sender: a dealing's dealer, every complaint's accuser and every
/// justification's dealer is the sender; complaints are in strictly
/// ascending dealer order and justifications in strictly ascending accuser
/// order (so there is one encoding per set, and no entry twice); at most
/// `n` entries.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Body<V: Variant> {
    /// A dealing.
    Dealing(Dealing<V>),
    /// Complaints in ascending dealer order; empty: no complaint.
    Responses(Vec<Complaint<V>>),
    /// Justifications in ascending accuser order.
    Justifications(Vec<Justification<V>>),
}

/// Why a (signed) body is not a canonical body of its kind from its sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum BodyError {
    /// An item does not decode.
    #[error("item {item}: {error}")]
    Item {
        /// Position of the item (0 for a dealing).
        item: u32,
        /// What is wrong with it.
        error: WireError,
    },
    /// The body is too short for its item count, or too long.
    #[error("a {kind} body of {count} items is {expected} bytes, got {actual}")]
    WrongLength {
        /// The message kind.
        kind: Kind,
        /// Items announced.
        count: u32,
        /// Bytes the count requires (saturating).
        expected: usize,
        /// Bytes present.
        actual: usize,
    },
    /// More items than members.
    #[error("{count} items, at most {n} (one per member) are allowed")]
    TooManyItems {
        /// Items announced.
        count: u32,
        /// Group size.
        n: u32,
    },
    /// The dealer of a dealing, the accuser of a complaint or the dealer of
    /// a justification is not the sender.
    #[error("item {item} is attributed to member {claimed}, but member {sender} signed it")]
    NotFromSender {
        /// Position of the item.
        item: u32,
        /// The index the item names.
        claimed: u32,
        /// The signer.
        sender: u32,
    },
    /// Items are not in strictly ascending order of the other party
    /// (dealer for complaints, accuser for justifications).
    #[error("item {item} names member {index}, not after the previous item's")]
    NotAscending {
        /// Position of the item.
        item: u32,
        /// The index it names.
        index: u32,
    },
}

impl<V: Variant> Body<V> {
    /// The kind of message that carries this body.
    pub fn kind(&self) -> Kind {
        match self {
            Body::Dealing(_) => Kind::Dealing,
            Body::Responses(_) => Kind::Responses,
            Body::Justifications(_) => Kind::Justifications,
        }
    }

    /// The canonical encoding (see [`Body`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Body::Dealing(dealing) => dealing.to_bytes(),
            Body::Responses(complaints) => {
                encode_items(complaints, COMPLAINT_LEN, Complaint::to_bytes)
            }
            Body::Justifications(justifications) => {
                encode_items(justifications, JUSTIFICATION_LEN, Justification::to_bytes)
            }
        }
    }

    /// Decodes a body of `kind` signed by `sender` in a group of `n`.
    pub fn from_bytes(kind: Kind, bytes: &[u8], sender: u32, n: u32) -> Result<Self, BodyError> {
        match kind {
            Kind::Dealing => {
                let dealing = Dealing::from_bytes(bytes, n)
                    .map_err(|error| BodyError::Item { item: 0, error })?;
                check_sender(0, dealing.dealer(), sender)?;
                Ok(Body::Dealing(dealing))
            }
            Kind::Responses => {
                let complaints = decode_items(kind, bytes, n, COMPLAINT_LEN, |bytes| {
                    let complaint = Complaint::from_bytes(bytes, n)?;
                    Ok((complaint, complaint.accuser(), complaint.dealer()))
                })?;
                check_items(&complaints, sender)?;
                Ok(Body::Responses(
                    complaints.into_iter().map(|(c, ..)| c).collect(),
                ))
            }
            Kind::Justifications => {
                let justifications = decode_items(kind, bytes, n, JUSTIFICATION_LEN, |bytes| {
                    let justification = Justification::from_bytes(bytes, n)?;
                    let (dealer, accuser) = (justification.dealer(), justification.accuser());
                    Ok((justification, dealer, accuser))
                })?;
                check_items(&justifications, sender)?;
                Ok(Body::Justifications(
                    justifications.into_iter().map(|(j, ..)| j).collect(),
                ))
            }
        }
    }
}

fn check_sender(item: u32, claimed: u32, sender: u32) -> Result<(), BodyError> {
    if claimed != sender {
        return Err(BodyError::NotFromSender {
            item,
            claimed,
            sender,
        });
    }
    Ok(())
}

/// Every item is the sender's, and the other party's indices ascend.
fn check_items<T>(items: &[(T, u32, u32)], sender: u32) -> Result<(), BodyError> {
    let mut previous = 0;
    for (item, (_, own, other)) in (0u32..).zip(items) {
        check_sender(item, *own, sender)?;
        if *other <= previous {
            return Err(BodyError::NotAscending {
                item,
                index: *other,
            });
        }
        previous = *other;
    }
    Ok(())
}

fn encode_items<T>(items: &[T], item_len: usize, encode: impl Fn(&T) -> Vec<u8>) -> Vec<u8> {
    let count = u32::try_from(items.len()).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(4 + items.len() * item_len);
    out.extend_from_slice(&count.to_be_bytes());
    for item in items {
        out.extend_from_slice(&encode(item));
    }
    out
}

/// `u32_be(count) ‖ count` items of `item_len` bytes each; the count and
/// length are checked before anything is allocated. `decode` returns the
/// item with its sender-side and other-side indices.
fn decode_items<T>(
    kind: Kind,
    bytes: &[u8],
    n: u32,
    item_len: usize,
    decode: impl Fn(&[u8]) -> Result<(T, u32, u32), WireError>,
) -> Result<Vec<(T, u32, u32)>, BodyError> {
    let wrong_length = |count: u32| BodyError::WrongLength {
        kind,
        count,
        expected: (count as usize).saturating_mul(item_len).saturating_add(4),
        actual: bytes.len(),
    };
    let (count, rest) = bytes.split_first_chunk::<4>().ok_or(wrong_length(0))?;
    let count = u32::from_be_bytes(*count);
    if count > n {
        return Err(BodyError::TooManyItems { count, n });
    }
    if rest.len() != (count as usize).saturating_mul(item_len) {
        return Err(wrong_length(count));
    }
    let mut items = Vec::with_capacity(count as usize);
    for (item, bytes) in (0u32..).zip(rest.chunks_exact(item_len)) {
        items.push(decode(bytes).map_err(|error| BodyError::Item { item, error })?);
    }
    Ok(items)
}
