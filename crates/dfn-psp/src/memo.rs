//! The chain's signature checks on dfn-beacon's memo table, for hosts that
//! run many nodes in one process (`std` only).

use chacha20::ChaCha20Rng;
use dfn_crypto::threshold::{ShareKeys, SignatureShare};
use dfn_crypto::{PublicKey, Variant};
use std::vec::Vec;

use crate::block::{Block, BlockHash};
use crate::checks::SignatureChecks;
use crate::wire::{Notarization, NotarizationShare, PspMessage, notary_hash, notary_message};

/// Every signature check of the beacon and the chain, each distinct one
/// done once, for real, and remembered: a host running many nodes in one
/// process (a simulator, a test network) gives them all one `MemoChecks`
/// (as their [`SignatureChecks`] and their beacon's `Verifier`), since
/// they all receive the same blocks, shares and notarizations. Memory
/// grows with the distinct checks made.
pub type MemoChecks = dfn_beacon::MemoVerifier;

impl<V: Variant> SignatureChecks<V> for MemoChecks {
    fn maker_signed(&self, block: &Block<V>, maker: &PublicKey<V>) -> bool {
        self.check(
            maker.to_bytes().as_ref(),
            &block.hash().0,
            block.signature().to_bytes().as_ref(),
            || block.verify_maker(maker),
        )
    }

    fn notarized(&self, group_key: &PublicKey<V>, n: &Notarization<V>) -> bool {
        self.check(
            group_key.to_bytes().as_ref(),
            &notary_message(n.height, &n.block),
            n.signature.to_bytes().as_ref(),
            || group_key.verify_hash(&notary_hash(n.height, &n.block), &n.signature),
        )
    }

    fn sender_signed(&self, sender: &PublicKey<V>, share: &NotarizationShare<V>) -> bool {
        // The encoding carries the sender's signature.
        let bytes = PspMessage::Share(*share).to_bytes();
        self.check(sender.to_bytes().as_ref(), &bytes, &[], || {
            share.verify_sender(sender)
        })
    }

    fn invalid_shares(
        &self,
        keys: &ShareKeys<V>,
        height: u64,
        block: &BlockHash,
        shares: &[SignatureShare<V>],
        _rng: &mut ChaCha20Rng,
    ) -> Vec<usize> {
        let hash = notary_hash::<V>(height, block);
        let message = notary_message(height, block);
        self.invalid_shares(keys, &message, shares, |s| keys.verify_share(&hash, s))
    }
}
