//! Shares of a secret key, of its public key and of signatures.

use core::fmt;

use crate::backend::Point;
use crate::error::{PointError, ScalarError, ThresholdError};
use crate::keys::{PublicKey, SecretKey};
use crate::signature::{MessageHash, Signature};
use crate::variant::{Suite, Variant};

fn check_index(index: u32) -> Result<u32, ThresholdError> {
    if index == 0 {
        Err(ThresholdError::ZeroIndex)
    } else {
        Ok(index)
    }
}

/// Member `index`'s share `f(index)` of the group secret.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKeyShare<V: Variant> {
    index: u32,
    key: SecretKey<V>,
}

impl<V: Variant> fmt::Debug for SecretKeyShare<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SecretKeyShare {{ index: {}, key: <redacted> }}",
            self.index
        )
    }
}

impl<V: Variant> SecretKeyShare<V> {
    /// A share from its index (1..=n) and secret value.
    pub fn new(index: u32, key: SecretKey<V>) -> Result<Self, ThresholdError> {
        Ok(Self {
            index: check_index(index)?,
            key,
        })
    }

    /// Decodes `u32_be(index) ‖ secret (32 bytes)`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ShareDecodeError<ScalarError>> {
        let (index, rest) = split_index(bytes)?;
        let key = SecretKey::from_bytes(rest).map_err(ShareDecodeError::Value)?;
        Ok(Self { index, key })
    }

    /// The encoding `u32_be(index) ‖ secret (32 bytes, big-endian)`. The
    /// caller owns wiping the copy.
    pub fn to_bytes(&self) -> [u8; 36] {
        let mut out = [0u8; 36];
        let (head, tail) = out.split_at_mut(4);
        head.copy_from_slice(&self.index.to_be_bytes());
        tail.copy_from_slice(&self.key.to_bytes());
        out
    }

    /// The member index.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The share as a secret key (signing with it gives a signature share).
    pub fn secret_key(&self) -> &SecretKey<V> {
        &self.key
    }

    /// This member's public key share.
    pub fn public_key_share(&self) -> PublicKeyShare<V> {
        PublicKeyShare {
            index: self.index,
            key: self.key.public_key(),
        }
    }

    /// Signs `msg` under `suite`: a share of the group signature.
    pub fn sign(&self, suite: Suite, msg: &[u8]) -> SignatureShare<V> {
        self.sign_hash(&MessageHash::new(suite, msg))
    }

    /// Signs a message already hashed to the curve.
    pub fn sign_hash(&self, hash: &MessageHash<V>) -> SignatureShare<V> {
        SignatureShare {
            index: self.index,
            sig: self.key.sign_hash(hash),
        }
    }
}

/// Member `index`'s public key share `f(index)·g`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKeyShare<V: Variant> {
    index: u32,
    key: PublicKey<V>,
}

impl<V: Variant> PublicKeyShare<V> {
    /// A public key share from its index (1..=n) and key.
    pub fn new(index: u32, key: PublicKey<V>) -> Result<Self, ThresholdError> {
        Ok(Self {
            index: check_index(index)?,
            key,
        })
    }

    /// The member index.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The key.
    pub fn public_key(&self) -> &PublicKey<V> {
        &self.key
    }

    /// Verifies a signature share on `msg` under `suite`; a share of
    /// another member never verifies.
    pub fn verify(&self, suite: Suite, msg: &[u8], share: &SignatureShare<V>) -> bool {
        self.verify_hash(&MessageHash::new(suite, msg), share)
    }

    /// Verifies a signature share on a message already hashed to the curve.
    pub fn verify_hash(&self, hash: &MessageHash<V>, share: &SignatureShare<V>) -> bool {
        share.index == self.index && self.key.verify_hash(hash, &share.sig)
    }
}

/// Member `index`'s signature share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureShare<V: Variant> {
    index: u32,
    sig: Signature<V>,
}

impl<V: Variant> SignatureShare<V> {
    /// A signature share from its index (1..=n) and signature.
    pub fn new(index: u32, sig: Signature<V>) -> Result<Self, ThresholdError> {
        Ok(Self {
            index: check_index(index)?,
            sig,
        })
    }

    /// Decodes the canonical encoding `u32_be(index) ‖ compressed signature`
    /// (52 bytes for MinSig, 100 for MinPk).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ShareDecodeError<PointError>> {
        let (index, rest) = split_index(bytes)?;
        let sig = Signature::from_bytes(rest).map_err(ShareDecodeError::Value)?;
        Ok(Self { index, sig })
    }

    /// The canonical encoding `u32_be(index) ‖ compressed signature`.
    pub fn to_bytes(&self) -> alloc::vec::Vec<u8> {
        let mut out = alloc::vec::Vec::with_capacity(4 + V::SignaturePoint::COMPRESSED_LEN);
        out.extend_from_slice(&self.index.to_be_bytes());
        out.extend_from_slice(self.sig.to_bytes().as_ref());
        out
    }

    /// The member index.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The signature share as a plain signature (it verifies under the
    /// member's public key share).
    pub fn signature(&self) -> &Signature<V> {
        &self.sig
    }
}

/// Why bytes do not decode to a share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShareDecodeError<E> {
    /// Shorter than the 4-byte index.
    #[error("a share starts with a 4-byte index; got {0} bytes")]
    Truncated(usize),
    /// Index 0 is the group secret, not a member.
    #[error("member index 0 is not a share")]
    ZeroIndex,
    /// The value after the index is malformed.
    #[error("malformed share value: {0}")]
    Value(E),
}

fn split_index<E>(bytes: &[u8]) -> Result<(u32, &[u8]), ShareDecodeError<E>> {
    let (head, rest) = bytes
        .split_first_chunk::<4>()
        .ok_or(ShareDecodeError::Truncated(bytes.len()))?;
    let index = u32::from_be_bytes(*head);
    if index == 0 {
        return Err(ShareDecodeError::ZeroIndex);
    }
    Ok((index, rest))
}
