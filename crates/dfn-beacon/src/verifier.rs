//! The checks a node makes on what it receives, behind a trait so a host
//! running many nodes in one process can do each distinct check once.
//!
//! [`DirectVerifier`] checks everything itself: a value with one pairing
//! product, a failed set of shares by batch verification with bisection.
//! A simulator hosting thousands of nodes gives them one memoizing
//! verifier (every distinct check still runs, once, for real): the
//! thousands of nodes receive the same value and the same shares.

use alloc::vec::Vec;

use chacha20::ChaCha20Rng;
use dfn_crypto::threshold::{ShareKeys, SignatureShare};
use dfn_crypto::{MessageHash, PublicKey, Signature, Variant};

use crate::wire::ShareMessage;

/// How a node checks values and shares. Implementations must give the
/// verdict of the real check (the node's safety rests on it).
pub trait Verifier<V: Variant>: Send + Sync {
    /// Whether `signature` is `group_key`'s signature on `message`
    /// (`hash` is `message` hashed to the curve).
    fn verify_value(
        &self,
        group_key: &PublicKey<V>,
        message: &[u8; 32],
        hash: &MessageHash<V>,
        signature: &Signature<V>,
    ) -> bool;

    /// Whether `sender` (a member's identity key) signed the share message
    /// (checked only for shares found invalid, to tell evidence from
    /// forgery).
    fn verify_sender(&self, sender: &PublicKey<V>, message: &ShareMessage<V>) -> bool {
        message.verify_sender(sender)
    }

    /// The positions in `shares` of the shares that are not their member's
    /// signature share on `message`.
    fn invalid_shares(
        &self,
        keys: &ShareKeys<V>,
        message: &[u8; 32],
        hash: &MessageHash<V>,
        shares: &[SignatureShare<V>],
        rng: &mut ChaCha20Rng,
    ) -> Vec<usize>;
}

/// Checks everything directly.
#[derive(Clone, Copy, Debug, Default)]
pub struct DirectVerifier;

impl<V: Variant> Verifier<V> for DirectVerifier {
    fn verify_value(
        &self,
        group_key: &PublicKey<V>,
        _message: &[u8; 32],
        hash: &MessageHash<V>,
        signature: &Signature<V>,
    ) -> bool {
        group_key.verify_hash(hash, signature)
    }

    fn invalid_shares(
        &self,
        keys: &ShareKeys<V>,
        _message: &[u8; 32],
        hash: &MessageHash<V>,
        shares: &[SignatureShare<V>],
        rng: &mut ChaCha20Rng,
    ) -> Vec<usize> {
        keys.verify_shares(hash, shares, rng).invalid
    }
}
