//! How the DKG binds its inputs into hashes: the framed run context, the
//! associated data of an encrypted share, Fiat–Shamir challenges and the
//! encoding of `(challenge, response)` proofs.

use sha2::{Digest, Sha256};

use super::error::{DealingError, ProofDecodeError};
use crate::backend::Scalar;

/// The run context preceded by its length as `u32_be`, so that nothing
/// hashed after it can be mistaken for part of it.
#[derive(Clone, Copy)]
pub(crate) struct Context<'a> {
    len: [u8; 4],
    bytes: &'a [u8],
}

impl<'a> Context<'a> {
    /// Frames `bytes`; contexts of `2^32` bytes or more are refused.
    pub(crate) fn new(bytes: &'a [u8]) -> Result<Self, DealingError> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| DealingError::ContextTooLong(bytes.len()))?
            .to_be_bytes();
        Ok(Self { len, bytes })
    }

    /// `u32_be(len)` and the context itself.
    pub(crate) fn parts(&self) -> [&[u8]; 2] {
        [&self.len, self.bytes]
    }

    fn hash_into(&self, hasher: &mut Sha256) {
        hasher.update(self.len);
        hasher.update(self.bytes);
    }
}

/// SHA-256 over `context ‖ u32_be(dealer) ‖ commitment`, the part of every
/// share's associated data that is the same for all recipients: cloned
/// and completed per recipient by [`share_aad`].
pub(crate) fn share_aad_prefix(context: &Context<'_>, dealer: u32, commitment: &[u8]) -> Sha256 {
    let mut hasher = Sha256::new();
    context.hash_into(&mut hasher);
    hasher.update(dealer.to_be_bytes());
    hasher.update(commitment);
    hasher
}

/// The associated data of recipient `j`'s ciphertext:
/// `SHA-256(u32_be(|ctx|) ‖ ctx ‖ u32_be(dealer) ‖ commitment ‖ u32_be(j))`.
pub(crate) fn share_aad(prefix: &Sha256, recipient: u32) -> [u8; 32] {
    prefix
        .clone()
        .chain_update(recipient.to_be_bytes())
        .finalize()
        .into()
}

/// A Fiat–Shamir challenge: `d = SHA-256(u8(|tag|) ‖ tag ‖ context ‖
/// parts…)`, then `SHA-256(d ‖ 0x01) ‖ SHA-256(d ‖ 0x02)` reduced modulo `r`
/// as a 64-byte big-endian integer. Tags are short constants and every part
/// has a fixed length, so the hashed string determines its pieces.
pub(crate) fn challenge<S: Scalar>(tag: &[u8], context: &Context<'_>, parts: &[&[u8]]) -> S {
    let mut hasher = Sha256::new_with_prefix([u8::try_from(tag.len()).unwrap_or(u8::MAX)]);
    hasher.update(tag);
    context.hash_into(&mut hasher);
    for part in parts {
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut wide = [0u8; 64];
    let (high, low) = wide.split_at_mut(32);
    high.copy_from_slice(
        &Sha256::new()
            .chain_update(digest)
            .chain_update([1])
            .finalize(),
    );
    low.copy_from_slice(
        &Sha256::new()
            .chain_update(digest)
            .chain_update([2])
            .finalize(),
    );
    S::from_be_bytes_wide(&wide)
}

/// `challenge ‖ response`, 32 bytes big-endian each.
pub(crate) fn encode_proof<S: Scalar>(challenge: &S, response: &S) -> [u8; 64] {
    let mut out = [0u8; 64];
    let (c, z) = out.split_at_mut(32);
    c.copy_from_slice(&challenge.to_be_bytes());
    z.copy_from_slice(&response.to_be_bytes());
    out
}

/// Decodes `challenge ‖ response`, both canonical.
pub(crate) fn decode_proof<S: Scalar>(bytes: &[u8]) -> Result<(S, S), ProofDecodeError> {
    let bytes: &[u8; 64] = bytes
        .try_into()
        .map_err(|_| ProofDecodeError::WrongLength(bytes.len()))?;
    let (c, z) = bytes
        .split_first_chunk::<32>()
        .ok_or(ProofDecodeError::WrongLength(64))?;
    let z: &[u8; 32] = z
        .try_into()
        .map_err(|_| ProofDecodeError::WrongLength(64))?;
    let c = S::from_be_bytes(c).ok_or(ProofDecodeError::NonCanonicalChallenge)?;
    let z = S::from_be_bytes(z).ok_or(ProofDecodeError::NonCanonicalResponse)?;
    Ok((c, z))
}
