//! The signed envelope every DKG message travels in.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use sha2::{Digest, Sha256};
use thiserror::Error;

use super::body::{Body, BodyError, Kind};
use crate::backend::Point;
use crate::error::PointError;
use crate::keys::{PublicKey, SecretKey};
use crate::signature::{MessageHash, Signature};
use crate::variant::{Suite, Variant};

/// The envelope format version.
pub const ENVELOPE_VERSION: u8 = 1;

/// The domain tag prefixed to every signed DKG message.
pub const SIGNING_TAG: &[u8] = b"DFN-DKG-V1";

/// Version, kind, run id, sender, body length.
const HEADER_LEN: usize = 1 + 1 + 32 + 4 + 4;

/// The 32-byte name of a run, derived from its context; every envelope
/// carries it so messages of other runs are dropped before any expensive
/// check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunId(pub [u8; 32]);

impl RunId {
    /// `SHA-256("DFN-DKG-V1 run" ‖ u32_be(|ctx|) ‖ ctx)`; `None` when the
    /// context is too long to frame.
    pub fn of_context(context: &[u8]) -> Option<Self> {
        let len = u32::try_from(context.len()).ok()?;
        let mut hasher = Sha256::new();
        hasher.update(b"DFN-DKG-V1 run");
        hasher.update(len.to_be_bytes());
        hasher.update(context);
        Some(RunId(hasher.finalize().into()))
    }
}

/// Why bytes are not a DKG envelope. Nothing in such bytes can be
/// attributed to anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// Shorter than the 42-byte header.
    #[error("truncated: the header is {HEADER_LEN} bytes, got {0}")]
    Truncated(usize),
    /// Byte 0 is not a version this decoder reads.
    #[error("unknown envelope version {0} (this decoder reads version {ENVELOPE_VERSION})")]
    UnknownVersion(u8),
    /// Byte 1 is not a DKG message kind.
    #[error("unknown message kind tag {0:#04x}")]
    UnknownKind(u8),
    /// The length is not header + body length + signature.
    #[error("expected exactly {expected} bytes, got {actual}")]
    WrongLength {
        /// Bytes the header announces (saturating).
        expected: usize,
        /// Bytes present.
        actual: usize,
    },
    /// The signature is not a valid compressed point of the signature
    /// group.
    #[error("signature: {0}")]
    Signature(PointError),
}

struct Inner<V: Variant> {
    bytes: Vec<u8>,
    kind: Kind,
    run: RunId,
    sender: u32,
    body: Result<Body<V>, BodyError>,
    signature: Signature<V>,
}

/// A DKG message as sent: its bytes, and what they decode to.
///
/// | offset | bytes | field |
/// |---|---|---|
/// | 0 | 1 | envelope version = 1 |
/// | 1 | 1 | [`Kind`] tag (`0x11` dealing, `0x12` responses, `0x13` justifications) |
/// | 2 | 32 | [`RunId`]: `SHA-256("DFN-DKG-V1 run" ‖ u32_be(|ctx|) ‖ ctx)` |
/// | 34 | 4 | sender's member index |
/// | 38 | 4 | body length `L` |
/// | 42 | `L` | [body](Body) |
/// | `42 + L` | 48 or 96 | the sender's signature (the variant's signature group) |
///
/// The signature is the sender's long-term key's, under the
/// proof-of-possession suite, on `"DFN-DKG-V1" ‖ bytes[0 .. 42 + L]`: it
/// covers the run, the sender, the kind and the body, so a message cannot
/// be replayed into another run or passed off as another member's.
///
/// Decoding ([`SignedMessage::from_bytes`]) checks the envelope: version,
/// kind, exact length, the signature's encoding. It decodes the body too but
/// keeps a body error rather than failing, because a correctly signed
/// malformed body is evidence against its sender. It verifies nothing: the
/// participant checks the run, the sender and the signature.
///
/// Cloning is cheap (the message is shared), so a host can hand one
/// decoded message to many participants, as a simulator does.
pub struct SignedMessage<V: Variant>(Arc<Inner<V>>);

impl<V: Variant> Clone for SignedMessage<V> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<V: Variant> PartialEq for SignedMessage<V> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.bytes == other.0.bytes
    }
}

impl<V: Variant> Eq for SignedMessage<V> {}

impl<V: Variant> fmt::Debug for SignedMessage<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedMessage")
            .field("kind", &self.0.kind)
            .field("sender", &self.0.sender)
            .field("len", &self.0.bytes.len())
            .field("body_ok", &self.0.body.is_ok())
            .finish()
    }
}

impl<V: Variant> SignedMessage<V> {
    /// Encodes `body` as member `sender`'s message in run `run` and signs
    /// it with `key`.
    pub fn sign(run: RunId, sender: u32, body: Body<V>, key: &SecretKey<V>) -> Self {
        let encoded = body.to_bytes();
        let kind = body.kind();
        let sig_len = <V::SignaturePoint as Point>::COMPRESSED_LEN;
        let mut bytes = Vec::with_capacity(HEADER_LEN + encoded.len() + sig_len);
        bytes.push(ENVELOPE_VERSION);
        bytes.push(kind.tag());
        bytes.extend_from_slice(&run.0);
        bytes.extend_from_slice(&sender.to_be_bytes());
        bytes.extend_from_slice(
            &u32::try_from(encoded.len())
                .unwrap_or(u32::MAX)
                .to_be_bytes(),
        );
        bytes.extend_from_slice(&encoded);
        let signature = key.sign(Suite::ProofOfPossession, &signed_bytes(&bytes));
        bytes.extend_from_slice(signature.to_bytes().as_ref());
        Self(Arc::new(Inner {
            bytes,
            kind,
            run,
            sender,
            body: Ok(body),
            signature,
        }))
    }

    /// Decodes an envelope from a group of `n` members (see
    /// [`SignedMessage`]). Allocates only in proportion to `bytes`.
    pub fn from_bytes(bytes: &[u8], n: u32) -> Result<Self, EnvelopeError> {
        let header: &[u8; HEADER_LEN] = bytes
            .first_chunk()
            .ok_or(EnvelopeError::Truncated(bytes.len()))?;
        let [version, tag, rest @ ..] = header;
        if *version != ENVELOPE_VERSION {
            return Err(EnvelopeError::UnknownVersion(*version));
        }
        let kind = Kind::from_tag(*tag).ok_or(EnvelopeError::UnknownKind(*tag))?;
        let (run, rest) = rest
            .split_first_chunk::<32>()
            .ok_or(EnvelopeError::Truncated(0))?;
        let (sender, rest) = rest
            .split_first_chunk::<4>()
            .ok_or(EnvelopeError::Truncated(0))?;
        let body_len = rest.first_chunk::<4>().ok_or(EnvelopeError::Truncated(0))?;
        let body_len = u32::from_be_bytes(*body_len) as usize;
        let sig_len = <V::SignaturePoint as Point>::COMPRESSED_LEN;
        let expected = HEADER_LEN.saturating_add(body_len).saturating_add(sig_len);
        if bytes.len() != expected {
            return Err(EnvelopeError::WrongLength {
                expected,
                actual: bytes.len(),
            });
        }
        let (signed, signature) = bytes.split_at(HEADER_LEN + body_len);
        let body_bytes = signed.get(HEADER_LEN..).unwrap_or_default();
        let signature = Signature::from_bytes(signature).map_err(EnvelopeError::Signature)?;
        let sender = u32::from_be_bytes(*sender);
        Ok(Self(Arc::new(Inner {
            bytes: bytes.to_vec(),
            kind,
            run: RunId(*run),
            sender,
            body: Body::from_bytes(kind, body_bytes, sender, n),
            signature,
        })))
    }

    /// The message's bytes, as sent.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0.bytes
    }

    /// The kind of message.
    pub fn kind(&self) -> Kind {
        self.0.kind
    }

    /// The run it claims to belong to.
    pub fn run(&self) -> RunId {
        self.0.run
    }

    /// The member index of its claimed sender.
    pub fn sender(&self) -> u32 {
        self.0.sender
    }

    /// The decoded body, or why it is malformed.
    pub fn body(&self) -> Result<&Body<V>, &BodyError> {
        self.0.body.as_ref()
    }

    /// The sender's signature.
    pub fn signature(&self) -> &Signature<V> {
        &self.0.signature
    }

    /// The signed bytes hashed to the curve (what [`SignedMessage::verify`]
    /// checks the signature against), for batch verification.
    pub(crate) fn signing_hash(&self) -> MessageHash<V> {
        let sig_len = <V::SignaturePoint as Point>::COMPRESSED_LEN;
        let signed = self
            .0
            .bytes
            .get(..self.0.bytes.len().saturating_sub(sig_len))
            .unwrap_or_default();
        MessageHash::new(Suite::ProofOfPossession, &signed_bytes(signed))
    }

    /// Whether `key` signed this message.
    pub fn verify(&self, key: &PublicKey<V>) -> bool {
        key.verify_hash(&self.signing_hash(), &self.0.signature)
    }
}

/// `SIGNING_TAG ‖ envelope without its signature`.
fn signed_bytes(envelope: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(SIGNING_TAG.len() + envelope.len());
    out.extend_from_slice(SIGNING_TAG);
    out.extend_from_slice(envelope);
    out
}
