//! Canonical, versioned byte encodings of the three DKG broadcast payloads
//! ([`Dealing`], [`Complaint`], [`Justification`]) and their strict
//! decoders.
//!
//! Every message starts with a version byte ([`WIRE_VERSION`] = 1) and a
//! kind tag ([`MessageKind`]), so no message of one kind can be read as
//! another. Integers are big-endian; points are compressed (ZCash flags);
//! scalars are 32 big-endian bytes; a proof is `challenge ‖ response`
//! (64 bytes). `P` is the size of a compressed point of the variant's
//! public-key group: 96 (G2) for MinSig, 48 (G1) for MinPk. The variant is
//! not on the wire: the run configuration fixes it.
//!
//! **Dealing** (kind 1), `126 + t·P + 48·n` bytes:
//!
//! | offset | bytes | field | decoder checks |
//! |---|---|---|---|
//! | 0 | 1 | version = 1 | known version |
//! | 1 | 1 | kind = 1 | a dealing |
//! | 2 | 4 | `dealer` | `1 ≤ dealer ≤ n` |
//! | 6 | 4 | `n` (members, ciphertexts) | `n ≤ max_members` |
//! | 10 | 4 | `t` (threshold, coefficients) | `1 ≤ t ≤ n` |
//! | 14 | 48 | ephemeral key `R` (G1) | on curve, in subgroup, not infinity |
//! | 62 | 64 | Schnorr proof of `log R` | canonical `c`, `z` |
//! | 126 | `t·P` | commitment `C_0 … C_{t−1}` | each on curve, in subgroup, not infinity |
//! | `126 + t·P` | `48·n` | ciphertexts of members `1..=n` | none (opaque) |
//!
//! The total length must equal the one `n` and `t` give, and is checked
//! before anything is allocated: a decoder allocates only in proportion to
//! its input, and a header claiming `n = 2^32 − 1` costs nothing.
//!
//! **Complaint** (kind 2), 122 bytes:
//!
//! | offset | bytes | field | decoder checks |
//! |---|---|---|---|
//! | 0 | 1 | version = 1 | known version |
//! | 1 | 1 | kind = 2 | a complaint |
//! | 2 | 4 | `dealer` | `1 ≤ dealer ≤ max_members` |
//! | 6 | 4 | `accuser` | `1 ≤ accuser ≤ max_members` |
//! | 10 | 48 | shared point `S` (G1) | on curve, in subgroup, not infinity |
//! | 58 | 64 | DLEQ proof | canonical `c`, `z` |
//!
//! **Justification** (kind 3), 42 bytes:
//!
//! | offset | bytes | field | decoder checks |
//! |---|---|---|---|
//! | 0 | 1 | version = 1 | known version |
//! | 1 | 1 | kind = 3 | a justification |
//! | 2 | 4 | `dealer` | `1 ≤ dealer ≤ max_members` |
//! | 6 | 4 | `accuser` (the share's index) | `1 ≤ accuser ≤ max_members` |
//! | 10 | 32 | the share `f(accuser)` | canonical (`< r`), nonzero |
//!
//! Decoders report the first failure as a [`WireError`] naming the field,
//! checking in this order: version, kind; for a dealing the 14-byte header,
//! `n ≤ max_members`, `1 ≤ t ≤ n`, `1 ≤ dealer ≤ n`, then the exact length;
//! for a complaint or justification the exact length, then `dealer` and
//! `accuser`; then the remaining fields in wire order. They never panic.
//! Every accepted input re-encodes to exactly the same bytes: there is one
//! encoding per value.
//! For a complaint or a justification, `max_members` is best the group
//! size `n` itself, so that out-of-range indices fail at the door.
//!
//! What decoding does **not** do: check the dealing against the group (its
//! `n` and `t` must be the run's; [`Dealing::verify`] does that and checks
//! the proof), verify any proof, or decide who may send what. The signature
//! by the sender's long-term key and the run context (nonce, epoch, group)
//! travel in the envelope of the protocol layer, which checks them before
//! these payloads are even decoded; the context is not repeated here
//! because every proof, key and tag inside is already bound to it.

use alloc::vec::Vec;
use core::fmt;

use thiserror::Error;

use super::complaint::{Complaint, Justification};
use super::dealing::Dealing;
use super::dleq::DleqProof;
use super::encryption::{CIPHERTEXT_LEN, DkgPublicKey, G1Of};
use super::error::ProofDecodeError;
use super::schnorr::SchnorrProof;
use crate::backend::Point;
use crate::encoding::decode_point;
use crate::error::{PointError, ScalarError};
use crate::keys::SecretKey;
use crate::threshold::{PublicPolynomial, SecretKeyShare};
use crate::variant::Variant;

/// The wire format version this module writes and reads.
pub const WIRE_VERSION: u8 = 1;

/// Bytes of an encoded [`Complaint`].
pub const COMPLAINT_LEN: usize = 2 + 4 + 4 + G1_LEN + PROOF_LEN;

/// Bytes of an encoded [`Justification`].
pub const JUSTIFICATION_LEN: usize = 2 + 4 + 4 + SCALAR_LEN;

/// Compressed G1 point (ephemeral keys, shared points).
const G1_LEN: usize = 48;
/// `challenge ‖ response`.
const PROOF_LEN: usize = 64;
/// A big-endian scalar.
const SCALAR_LEN: usize = 32;
/// Version and kind.
const PREFIX_LEN: usize = 2;
/// Version, kind, dealer, `n`, `t`: what must be read before a dealing's
/// length is known.
const DEALING_HEADER_LEN: usize = PREFIX_LEN + 4 + 4 + 4;
/// A dealing up to its commitment: header, ephemeral key, proof.
const DEALING_FIXED_LEN: usize = DEALING_HEADER_LEN + G1_LEN + PROOF_LEN;

/// The kind tag, byte 1 of every message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum MessageKind {
    /// A [`Dealing`], tag 1.
    Dealing,
    /// A [`Complaint`], tag 2.
    Complaint,
    /// A [`Justification`], tag 3.
    Justification,
}

impl MessageKind {
    /// The tag byte.
    pub fn tag(self) -> u8 {
        match self {
            MessageKind::Dealing => 1,
            MessageKind::Complaint => 2,
            MessageKind::Justification => 3,
        }
    }

    /// The kind of a tag byte, `None` for unknown tags.
    pub fn from_tag(tag: u8) -> Option<Self> {
        match tag {
            1 => Some(MessageKind::Dealing),
            2 => Some(MessageKind::Complaint),
            3 => Some(MessageKind::Justification),
            _ => None,
        }
    }

    /// Reads the version and kind of an encoded message without decoding
    /// the rest: what a receiver dispatches on.
    pub fn peek(bytes: &[u8]) -> Result<Self, WireError> {
        let tag = read_prefix(bytes, PREFIX_LEN)?;
        Self::from_tag(tag).ok_or(WireError::UnknownKind(tag))
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MessageKind::Dealing => "dealing",
            MessageKind::Complaint => "complaint",
            MessageKind::Justification => "justification",
        })
    }
}

/// A field of an encoded message, as named by a [`WireError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WireField {
    /// The dealer index.
    Dealer,
    /// The accuser index (complaints and justifications).
    Accuser,
    /// A dealing's ephemeral key `R`.
    Ephemeral,
    /// A dealing's proof of knowledge of the ephemeral secret.
    EphemeralProof,
    /// Coefficient `k` of a dealing's commitment (`C_k`, from 0).
    Commitment(u32),
    /// A complaint's revealed shared point `S`.
    SharedPoint,
    /// A complaint's DLEQ proof.
    ComplaintProof,
    /// A justification's revealed share.
    Share,
}

impl fmt::Display for WireField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireField::Dealer => f.write_str("dealer index"),
            WireField::Accuser => f.write_str("accuser index"),
            WireField::Ephemeral => f.write_str("ephemeral key"),
            WireField::EphemeralProof => f.write_str("ephemeral key proof"),
            WireField::Commitment(k) => write!(f, "commitment coefficient {k}"),
            WireField::SharedPoint => f.write_str("shared point"),
            WireField::ComplaintProof => f.write_str("complaint proof"),
            WireField::Share => f.write_str("share"),
        }
    }
}

/// Why bytes do not decode to a DKG message; each variant names the field
/// at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum WireError {
    /// Byte 0 is not a version this decoder reads.
    #[error("unknown wire format version {0} (this decoder reads version {WIRE_VERSION})")]
    UnknownVersion(u8),
    /// Byte 1 is not a known kind tag ([`MessageKind::peek`] only).
    #[error("unknown message kind tag {0}")]
    UnknownKind(u8),
    /// Byte 1 is the tag of another kind of message (or of none).
    #[error("expected a {expected} (tag {}), found tag {found}", expected.tag())]
    WrongKind {
        /// The kind the decoder reads.
        expected: MessageKind,
        /// The tag found.
        found: u8,
    },
    /// Too short to hold the header that says how long the message is
    /// (version and kind; for a dealing also dealer, `n` and `t`).
    #[error("truncated: the header is {expected} bytes, got {actual}")]
    Truncated {
        /// Bytes of the header.
        expected: usize,
        /// Bytes supplied.
        actual: usize,
    },
    /// The length is not the one the kind (and a dealing's `n` and `t`)
    /// require. `expected` saturates at `usize::MAX` where the true length
    /// does not fit.
    #[error("expected exactly {expected} bytes, got {actual}")]
    WrongLength {
        /// Bytes the message must have.
        expected: usize,
        /// Bytes supplied.
        actual: usize,
    },
    /// A dealing claims more members than the decoder accepts.
    #[error("the dealing claims {n} members; at most {max} are accepted")]
    TooManyMembers {
        /// Members claimed.
        n: u32,
        /// The limit given to the decoder.
        max: u32,
    },
    /// A dealing's threshold is not in `1..=n`.
    #[error("threshold {t} is outside 1..={n}")]
    InvalidThreshold {
        /// Threshold claimed.
        t: u32,
        /// Members claimed.
        n: u32,
    },
    /// A member index is not in `1..=n`.
    #[error("{field} {value} is outside 1..={n}")]
    InvalidIndex {
        /// Which index.
        field: WireField,
        /// Its value.
        value: u32,
        /// The bound: a dealing's `n`, or the `max_members` given to the
        /// decoder of a complaint or justification.
        n: u32,
    },
    /// A point is malformed, off the curve or the subgroup, or infinity.
    #[error("{field}: {error}")]
    Point {
        /// Which point.
        field: WireField,
        /// What is wrong with it.
        error: PointError,
    },
    /// A scalar is not canonical, or zero.
    #[error("{field}: {error}")]
    Scalar {
        /// Which scalar.
        field: WireField,
        /// What is wrong with it.
        error: ScalarError,
    },
    /// A proof's challenge or response is not canonical.
    #[error("{field}: {error}")]
    Proof {
        /// Which proof.
        field: WireField,
        /// What is wrong with it.
        error: ProofDecodeError,
    },
}

/// Checks version and kind; returns the kind tag (checked against
/// `expected` by the caller). `header` is what [`WireError::Truncated`]
/// reports as needed.
fn read_prefix(bytes: &[u8], header: usize) -> Result<u8, WireError> {
    let truncated = WireError::Truncated {
        expected: header,
        actual: bytes.len(),
    };
    let (&version, rest) = bytes.split_first().ok_or(truncated)?;
    if version != WIRE_VERSION {
        return Err(WireError::UnknownVersion(version));
    }
    rest.first().copied().ok_or(truncated)
}

/// Version and kind must be `WIRE_VERSION` and `kind`.
fn check_prefix(bytes: &[u8], kind: MessageKind, header: usize) -> Result<(), WireError> {
    let found = read_prefix(bytes, header)?;
    if found != kind.tag() {
        return Err(WireError::WrongKind {
            expected: kind,
            found,
        });
    }
    Ok(())
}

/// `index ∈ 1..=n`.
fn check_index(field: WireField, value: u32, n: u32) -> Result<u32, WireError> {
    if value == 0 || value > n {
        return Err(WireError::InvalidIndex { field, value, n });
    }
    Ok(value)
}

/// A cursor over a message whose total length has been checked; running
/// short is reported as the length error it would be (and cannot happen).
struct Reader<'a> {
    rest: &'a [u8],
    expected: usize,
    actual: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], expected: usize) -> Self {
        Self {
            rest: bytes,
            expected,
            actual: bytes.len(),
        }
    }

    fn short(&self) -> WireError {
        WireError::WrongLength {
            expected: self.expected,
            actual: self.actual,
        }
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], WireError> {
        let (head, rest) = self
            .rest
            .split_at_checked(len)
            .ok_or_else(|| self.short())?;
        self.rest = rest;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32, WireError> {
        let (head, rest) = self
            .rest
            .split_first_chunk::<4>()
            .ok_or_else(|| self.short())?;
        self.rest = rest;
        Ok(u32::from_be_bytes(*head))
    }
}

fn point<P: Point>(bytes: &[u8], field: WireField) -> Result<P, WireError> {
    decode_point(bytes).map_err(|error| WireError::Point { field, error })
}

fn proof_error(field: WireField) -> impl Fn(ProofDecodeError) -> WireError {
    move |error| WireError::Proof { field, error }
}

/// `u32::try_from(len)`, saturating (only a dealing built from parts with
/// more than `2^32 − 1` ciphertexts, some 200 GB, could saturate).
fn len_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

impl<V: Variant> Dealing<V> {
    /// Bytes of the encoding of a dealing for `n` members with threshold
    /// `threshold`: `126 + threshold·P + 48·n`, with `P` = 96 for MinSig and
    /// 48 for MinPk. Exact in `u64` for all `u32` inputs.
    pub fn encoded_len(n: u32, threshold: u32) -> u64 {
        DEALING_FIXED_LEN as u64
            + u64::from(threshold) * V::PublicKeyPoint::COMPRESSED_LEN as u64
            + u64::from(n) * CIPHERTEXT_LEN as u64
    }

    /// The canonical encoding: `version ‖ kind = 1 ‖ u32 dealer ‖ u32 n ‖
    /// u32 t ‖ R (48) ‖ Schnorr proof (64) ‖ C_0 … C_{t−1} ‖ n ciphertexts
    /// (48 each)`, see the layout table in the [module docs](self).
    ///
    /// Any dealing encodes; one that fails [`Dealing::check_shape`] (only
    /// possible from [`Dealing::from_parts`]) does not decode back.
    pub fn to_bytes(&self) -> Vec<u8> {
        let n = len_u32(self.ciphertexts().len());
        let t = self.commitment().threshold();
        let len = usize::try_from(Self::encoded_len(n, t)).unwrap_or(0);
        let mut out = Vec::with_capacity(len);
        out.push(WIRE_VERSION);
        out.push(MessageKind::Dealing.tag());
        out.extend_from_slice(&self.dealer().to_be_bytes());
        out.extend_from_slice(&n.to_be_bytes());
        out.extend_from_slice(&t.to_be_bytes());
        out.extend_from_slice(self.ephemeral().to_compressed().as_ref());
        out.extend_from_slice(&self.ephemeral_proof().to_bytes());
        out.extend_from_slice(&self.commitment().to_bytes());
        for ciphertext in self.ciphertexts() {
            out.extend_from_slice(ciphertext);
        }
        out
    }

    /// Decodes the canonical encoding of a dealing for at most
    /// `max_members` members. Checks the version, kind, `n ≤ max_members`,
    /// `1 ≤ t ≤ n`, `1 ≤ dealer ≤ n` and the exact length before
    /// allocating anything, then every point (curve, subgroup, not
    /// infinity) and the proof (canonical scalars). The proof is not
    /// verified and `n`, `t` are not compared with the run's: call
    /// [`Dealing::verify`] next.
    pub fn from_bytes(bytes: &[u8], max_members: u32) -> Result<Self, WireError> {
        check_prefix(bytes, MessageKind::Dealing, DEALING_HEADER_LEN)?;
        let truncated = WireError::Truncated {
            expected: DEALING_HEADER_LEN,
            actual: bytes.len(),
        };
        let header = bytes.get(PREFIX_LEN..DEALING_HEADER_LEN).ok_or(truncated)?;
        let mut reader = Reader::new(header, DEALING_HEADER_LEN);
        let dealer = reader.u32()?;
        let n = reader.u32()?;
        let t = reader.u32()?;
        if n > max_members {
            return Err(WireError::TooManyMembers {
                n,
                max: max_members,
            });
        }
        if t == 0 || t > n {
            return Err(WireError::InvalidThreshold { t, n });
        }
        check_index(WireField::Dealer, dealer, n)?;
        let expected = usize::try_from(Self::encoded_len(n, t)).unwrap_or(usize::MAX);
        if bytes.len() != expected {
            return Err(WireError::WrongLength {
                expected,
                actual: bytes.len(),
            });
        }

        // From here on every read is in bounds and every allocation is
        // bounded by the (checked) input length.
        let mut reader = Reader::new(bytes, expected);
        reader.take(DEALING_HEADER_LEN)?;
        let ephemeral =
            DkgPublicKey::from_bytes(reader.take(G1_LEN)?).map_err(|error| WireError::Point {
                field: WireField::Ephemeral,
                error,
            })?;
        let ephemeral_proof = SchnorrProof::from_bytes(reader.take(PROOF_LEN)?)
            .map_err(proof_error(WireField::EphemeralProof))?;
        let point_len = V::PublicKeyPoint::COMPRESSED_LEN;
        let mut coefficients = Vec::with_capacity(t as usize);
        for k in 0..t {
            let bytes = reader.take(point_len)?;
            coefficients.push(point(bytes, WireField::Commitment(k))?);
        }
        let commitment = PublicPolynomial::from_points_unchecked(coefficients);
        let mut ciphertexts = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let bytes = reader.take(CIPHERTEXT_LEN)?;
            let ciphertext: [u8; CIPHERTEXT_LEN] = bytes.try_into().map_err(|_| reader.short())?;
            ciphertexts.push(ciphertext);
        }
        if !reader.rest.is_empty() {
            return Err(reader.short());
        }
        Ok(Self::from_parts(
            dealer,
            commitment,
            ephemeral,
            ephemeral_proof,
            ciphertexts,
        ))
    }
}

impl<V: Variant> Complaint<V> {
    /// The canonical encoding, [`COMPLAINT_LEN`] = 122 bytes: `version ‖
    /// kind = 2 ‖ u32 dealer ‖ u32 accuser ‖ S (48) ‖ DLEQ proof (64)`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(COMPLAINT_LEN);
        out.push(WIRE_VERSION);
        out.push(MessageKind::Complaint.tag());
        out.extend_from_slice(&self.dealer().to_be_bytes());
        out.extend_from_slice(&self.accuser().to_be_bytes());
        out.extend_from_slice(self.shared().to_compressed().as_ref());
        out.extend_from_slice(&self.proof().to_bytes());
        out
    }

    /// Decodes the canonical encoding of a complaint whose indices are in
    /// `1..=max_members` (pass the group size). Checks the shared point
    /// (curve, subgroup, not infinity) and the proof's scalars; the proof
    /// itself is checked by [`Complaint::verify`].
    pub fn from_bytes(bytes: &[u8], max_members: u32) -> Result<Self, WireError> {
        check_prefix(bytes, MessageKind::Complaint, PREFIX_LEN)?;
        if bytes.len() != COMPLAINT_LEN {
            return Err(WireError::WrongLength {
                expected: COMPLAINT_LEN,
                actual: bytes.len(),
            });
        }
        let mut reader = Reader::new(bytes, COMPLAINT_LEN);
        reader.take(PREFIX_LEN)?;
        let dealer = check_index(WireField::Dealer, reader.u32()?, max_members)?;
        let accuser = check_index(WireField::Accuser, reader.u32()?, max_members)?;
        let shared: G1Of<V> = point(reader.take(G1_LEN)?, WireField::SharedPoint)?;
        let proof = DleqProof::from_bytes(reader.take(PROOF_LEN)?)
            .map_err(proof_error(WireField::ComplaintProof))?;
        Ok(Self::from_parts(dealer, accuser, shared, proof))
    }
}

impl<V: Variant> Justification<V> {
    /// The canonical encoding, [`JUSTIFICATION_LEN`] = 42 bytes: `version ‖
    /// kind = 3 ‖ u32 dealer ‖ u32 accuser ‖ share (32, big-endian)`. The
    /// share is public once a dealer justifies; the copy is not wiped.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(JUSTIFICATION_LEN);
        out.push(WIRE_VERSION);
        out.push(MessageKind::Justification.tag());
        out.extend_from_slice(&self.dealer().to_be_bytes());
        out.extend_from_slice(&self.accuser().to_be_bytes());
        out.extend_from_slice(&self.share().secret_key().to_bytes());
        out
    }

    /// Decodes the canonical encoding of a justification whose indices are
    /// in `1..=max_members` (pass the group size). The share must be a
    /// canonical nonzero scalar; whether it matches the dealing is checked
    /// by [`Justification::verify`].
    pub fn from_bytes(bytes: &[u8], max_members: u32) -> Result<Self, WireError> {
        check_prefix(bytes, MessageKind::Justification, PREFIX_LEN)?;
        if bytes.len() != JUSTIFICATION_LEN {
            return Err(WireError::WrongLength {
                expected: JUSTIFICATION_LEN,
                actual: bytes.len(),
            });
        }
        let mut reader = Reader::new(bytes, JUSTIFICATION_LEN);
        reader.take(PREFIX_LEN)?;
        let dealer = check_index(WireField::Dealer, reader.u32()?, max_members)?;
        let accuser = check_index(WireField::Accuser, reader.u32()?, max_members)?;
        let key =
            SecretKey::from_bytes(reader.take(SCALAR_LEN)?).map_err(|error| WireError::Scalar {
                field: WireField::Share,
                error,
            })?;
        let share = SecretKeyShare::new(accuser, key).map_err(|_| WireError::InvalidIndex {
            field: WireField::Accuser,
            value: accuser,
            n: max_members,
        })?;
        Ok(Self::new(dealer, share))
    }
}
