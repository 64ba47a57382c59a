//! Authenticated posts: a private network signs each call it posts to the
//! public chain with the secp256k1 key of its public account, and the
//! public side runs the call as the account the signature recovers to,
//! never as an account the post names. The twin registry then appends
//! that account to the public method's call data (`msg.sender` of
//! `execute`), so a post can spend only its signer's coins.
//!
//! The signature covers `keccak256("DFN-POST-V1" ‖ u64_be(chain id) ‖
//! registry ‖ the call's canonical encoding)`: the public chain's id
//! (EIP-155) and the registry's address keep a post for one registry from
//! being run by another, on this chain or any other that deploys the same
//! registry at the same address, and the call's twin id (recorded
//! once by the registry) and `valid_until` make a post single-use and
//! short-lived, so it carries no account nonce. (Ethereum nonces order
//! every transaction of an account: a post refused for expiry, or lost on
//! the way, would leave a gap that blocks the network's later posts.)
//! Signatures are recoverable ECDSA (`r ‖ s ‖ y parity`, 65 bytes) with a
//! low `s` (EIP-2), as Ethereum's.

use alloc::vec::Vec;

use dfn_state::rlp::{Rlp, encode_bytes, encode_list_header};
use dfn_state::{Address, B256, keccak256};
use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};
use rand_core::CryptoRng;
use thiserror::Error;

use crate::codec::DecodeError;
use crate::twin::PublicCall;

/// Bytes of a post's signature: `r (32) ‖ s (32) ‖ y parity (1)`.
pub const SIGNATURE_LEN: usize = 65;

/// Where a post may run: a public chain and its twin registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostDomain {
    /// The public chain's id (EIP-155; the `chain_id` of its blocks).
    pub chain_id: u64,
    /// The twin registry's address there.
    pub registry: Address,
}

/// Why a post was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PostError {
    /// The secret key bytes are not a secp256k1 scalar in range.
    #[error("invalid secret key")]
    BadKey,
    /// `r` or `s` out of range, `s` high, or a parity byte other than 0/1.
    #[error("malformed signature")]
    BadSignature,
    /// No public key recovers from the signature and hash.
    #[error("no public key recovers from the signature")]
    Unrecoverable,
}

/// A private network's key for its public account.
#[derive(Clone)]
pub struct PostKey(SigningKey);

impl core::fmt::Debug for PostKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("PostKey").field(&self.address()).finish()
    }
}

fn address_of(key: &VerifyingKey) -> Address {
    let point = key.to_encoded_point(false);
    let hashed = keccak256(point.as_bytes().get(1..).unwrap_or(&[]));
    let mut address = [0u8; 20];
    address.copy_from_slice(hashed.0.get(12..).unwrap_or(&[0; 20]));
    Address(address)
}

impl PostKey {
    /// A fresh key (the dealer of a private network draws one and hands it
    /// to the network's processes with their other keys).
    pub fn random<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        loop {
            let mut secret = [0u8; 32];
            rng.fill_bytes(&mut secret);
            if let Ok(key) = Self::from_bytes(&secret) {
                return key;
            }
        }
    }

    /// The key of the secret scalar `secret` (big-endian).
    pub fn from_bytes(secret: &[u8; 32]) -> Result<Self, PostError> {
        SigningKey::from_slice(secret)
            .map(Self)
            .map_err(|_| PostError::BadKey)
    }

    /// The public account: the last 20 bytes of the Keccak-256 of the
    /// uncompressed public key, as Ethereum's.
    pub fn address(&self) -> Address {
        address_of(self.0.verifying_key())
    }

    /// Signs `call` to run in `domain`.
    pub fn sign(&self, domain: PostDomain, call: PublicCall) -> SignedPost {
        let hash = SignedPost::signing_hash(domain, &call);
        let mut signature = [0u8; SIGNATURE_LEN];
        // Signing a 32-byte prehash with a valid key cannot fail; an error
        // would leave a zero signature, which recovers to nobody.
        if let Ok((sig, recid)) = self.0.sign_prehash_recoverable(&hash.0) {
            let (sig, flip) = match sig.normalize_s() {
                Some(low) => (low, true),
                None => (sig, false),
            };
            let (rs, parity) = signature.split_at_mut(64);
            rs.copy_from_slice(&sig.to_bytes());
            if let Some(p) = parity.first_mut() {
                *p = u8::from(recid.is_y_odd() ^ flip);
            }
        }
        SignedPost { call, signature }
    }
}

/// A call signed by the account that posts it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedPost {
    /// The call.
    pub call: PublicCall,
    /// `r ‖ s ‖ y parity` over [`SignedPost::signing_hash`].
    pub signature: [u8; SIGNATURE_LEN],
}

impl SignedPost {
    /// `keccak256("DFN-POST-V1" ‖ u64_be(chain id) ‖ registry ‖
    /// call.to_bytes())`.
    pub fn signing_hash(domain: PostDomain, call: &PublicCall) -> B256 {
        let mut preimage = b"DFN-POST-V1".to_vec();
        preimage.extend_from_slice(&domain.chain_id.to_be_bytes());
        preimage.extend_from_slice(&domain.registry.0);
        preimage.extend_from_slice(&call.to_bytes());
        keccak256(preimage)
    }

    /// The account whose key signed this post for `domain`.
    pub fn poster(&self, domain: PostDomain) -> Result<Address, PostError> {
        let (rs, parity) = self.signature.split_at(64);
        let parity = match parity {
            [0] => false,
            [1] => true,
            _ => return Err(PostError::BadSignature),
        };
        let sig = Signature::from_slice(rs).map_err(|_| PostError::BadSignature)?;
        if sig.normalize_s().is_some() {
            return Err(PostError::BadSignature);
        }
        let hash = Self::signing_hash(domain, &self.call);
        let key = VerifyingKey::recover_from_prehash(&hash.0, &sig, RecoveryId::new(parity, false))
            .map_err(|_| PostError::Unrecoverable)?;
        Ok(address_of(&key))
    }

    /// The canonical encoding: the RLP list `[call, signature]`, the call
    /// in its own canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut inner = self.call.to_bytes();
        encode_bytes(&self.signature, &mut inner);
        let mut out = Vec::with_capacity(inner.len().saturating_add(9));
        encode_list_header(inner.len(), &mut out);
        out.extend_from_slice(&inner);
        out
    }

    /// Decodes the canonical encoding of untrusted bytes (never panics).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let [call, signature] = Rlp::new(bytes)?.fixed_list::<2>()?;
        let signature = signature.data()?;
        let signature: [u8; SIGNATURE_LEN] = signature
            .try_into()
            .map_err(|_| DecodeError::SignatureLength(signature.len()))?;
        Ok(Self {
            call: PublicCall::from_bytes(call.raw())?,
            signature,
        })
    }
}
