//! A memoizing [`SignatureChecks`] and beacon [`Verifier`] for hosts that
//! run many nodes in one process (`std` only).

use std::collections::HashMap;
use std::sync::Mutex;
use std::vec::Vec;

use chacha20::ChaCha20Rng;
use dfn_beacon::{BeaconMessage, ShareMessage, Verifier};
use dfn_crypto::threshold::{ShareKeys, SignatureShare};
use dfn_crypto::{MessageHash, PublicKey, Signature, Variant};

use crate::block::{Block, BlockHash};
use crate::checks::SignatureChecks;
use crate::wire::{Notarization, NotarizationShare, PspMessage, notary_hash};

/// (key, message, signature) → verdict.
type Memo = HashMap<(Vec<u8>, Vec<u8>, Vec<u8>), bool>;

/// Every signature check of the beacon and the chain, each distinct one
/// done once, for real, and remembered: a host running many nodes in one
/// process (a simulator, a test network) gives them all one `MemoChecks`,
/// since they all receive the same blocks, shares and notarizations.
/// Memory grows with the distinct checks made.
#[derive(Default)]
pub struct MemoChecks {
    memo: Mutex<Memo>,
}

impl MemoChecks {
    fn memo(&self) -> std::sync::MutexGuard<'_, Memo> {
        // A poisoned lock only means another thread panicked mid-insert;
        // every entry in the map is a finished verdict.
        self.memo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn check(
        &self,
        key: Vec<u8>,
        message: Vec<u8>,
        sig: Vec<u8>,
        f: impl FnOnce() -> bool,
    ) -> bool {
        let k = (key, message, sig);
        if let Some(v) = self.memo().get(&k) {
            return *v;
        }
        let v = f();
        self.memo().insert(k, v);
        v
    }

    fn invalid<V: Variant>(
        &self,
        tag: &[u8],
        shares: &[SignatureShare<V>],
        check: impl Fn(&SignatureShare<V>) -> bool,
    ) -> Vec<usize> {
        shares
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                let key = s.index().to_be_bytes().to_vec();
                !self.check(key, tag.to_vec(), s.to_bytes(), || check(s))
            })
            .map(|(i, _)| i)
            .collect()
    }
}

impl<V: Variant> Verifier<V> for MemoChecks {
    fn verify_value(
        &self,
        group_key: &PublicKey<V>,
        message: &[u8; 32],
        hash: &MessageHash<V>,
        signature: &Signature<V>,
    ) -> bool {
        self.check(
            group_key.to_bytes().as_ref().to_vec(),
            message.to_vec(),
            signature.to_bytes().as_ref().to_vec(),
            || group_key.verify_hash(hash, signature),
        )
    }

    fn verify_sender(&self, sender: &PublicKey<V>, message: &ShareMessage<V>) -> bool {
        let bytes = BeaconMessage::Share(*message).to_bytes();
        self.check(
            sender.to_bytes().as_ref().to_vec(),
            bytes,
            Vec::new(),
            || message.verify_sender(sender),
        )
    }

    fn invalid_shares(
        &self,
        keys: &ShareKeys<V>,
        message: &[u8; 32],
        hash: &MessageHash<V>,
        shares: &[SignatureShare<V>],
        _rng: &mut ChaCha20Rng,
    ) -> Vec<usize> {
        self.invalid(message, shares, |s| keys.verify_share(hash, s))
    }
}

impl<V: Variant> SignatureChecks<V> for MemoChecks {
    fn maker_signed(&self, block: &Block<V>, maker: &PublicKey<V>) -> bool {
        self.check(
            maker.to_bytes().as_ref().to_vec(),
            block.hash().0.to_vec(),
            block.signature().to_bytes().as_ref().to_vec(),
            || block.verify_maker(maker),
        )
    }

    fn notarized(&self, group_key: &PublicKey<V>, n: &Notarization<V>) -> bool {
        self.check(
            group_key.to_bytes().as_ref().to_vec(),
            n.block.0.to_vec(),
            n.signature.to_bytes().as_ref().to_vec(),
            || group_key.verify_hash(&notary_hash(n.height, &n.block), &n.signature),
        )
    }

    fn sender_signed(&self, sender: &PublicKey<V>, share: &NotarizationShare<V>) -> bool {
        let bytes = PspMessage::Share(*share).to_bytes();
        self.check(
            sender.to_bytes().as_ref().to_vec(),
            bytes,
            Vec::new(),
            || share.verify_sender(sender),
        )
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
        self.invalid(&block.0, shares, |s| keys.verify_share(&hash, s))
    }
}
