//! The signature checks a chain node makes, behind a trait so a host
//! running many nodes in one process can do each distinct check once
//! (thousands of simulated processes receive the same blocks and
//! notarizations). Implementations must return the real verdict.

use alloc::vec::Vec;

use chacha20::ChaCha20Rng;
use dfn_crypto::threshold::{ShareKeys, SignatureShare};
use dfn_crypto::{PublicKey, Variant};

use crate::block::{Block, BlockHash};
use crate::wire::{Notarization, NotarizationShare, notary_hash};

/// How a node checks what it receives.
pub trait SignatureChecks<V: Variant>: Send + Sync {
    /// Whether `maker` (the maker's identity key) signed `block`.
    fn maker_signed(&self, block: &Block<V>, maker: &PublicKey<V>) -> bool {
        block.verify_maker(maker)
    }

    /// Whether `notarization` is `group_key`'s signature on its block.
    fn notarized(&self, group_key: &PublicKey<V>, notarization: &Notarization<V>) -> bool {
        group_key.verify_hash(
            &notary_hash(notarization.height, &notarization.block),
            &notarization.signature,
        )
    }

    /// Whether `sender` signed the share message (checked only for shares
    /// found invalid, to tell evidence from forgery).
    fn sender_signed(&self, sender: &PublicKey<V>, share: &NotarizationShare<V>) -> bool {
        share.verify_sender(sender)
    }

    /// The positions in `shares` of those that are not their member's
    /// share on `block` at `height`.
    fn invalid_shares(
        &self,
        keys: &ShareKeys<V>,
        height: u64,
        block: &BlockHash,
        shares: &[SignatureShare<V>],
        rng: &mut ChaCha20Rng,
    ) -> Vec<usize> {
        let hash = notary_hash(height, block);
        keys.verify_shares(&hash, shares, rng).invalid
    }
}

/// Checks everything directly (the trait's provided methods).
#[derive(Clone, Copy, Debug, Default)]
pub struct DirectChecks;

impl<V: Variant> SignatureChecks<V> for DirectChecks {}
