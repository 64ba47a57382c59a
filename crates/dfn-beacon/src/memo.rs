//! A memoizing [`Verifier`] for hosts that run many nodes in one process
//! (`std` only).

use std::collections::HashMap;
use std::sync::Mutex;
use std::vec::Vec;

use chacha20::ChaCha20Rng;
use dfn_crypto::threshold::{ShareKeys, SignatureShare};
use dfn_crypto::{MessageHash, PublicKey, Signature, Variant};

use crate::verifier::Verifier;
use crate::wire::{BeaconMessage, ShareMessage};

/// (signer, message, signature) → verdict.
type Memo = HashMap<(Vec<u8>, Vec<u8>, Vec<u8>), bool>;

/// Every distinct signature check done once, for real, and remembered: a
/// host running many nodes in one process (a simulator, a test network)
/// gives them all one `MemoVerifier`, since they all receive the same
/// values and shares. A check is known by its signer (a public key, or a
/// group key and member index for a share), its message and its
/// signature, so a verdict is never reused for another key. Memory grows
/// with the distinct checks made.
///
/// dfn-psp builds its chain checks on the same table.
#[derive(Default)]
pub struct MemoVerifier {
    memo: Mutex<Memo>,
}

impl MemoVerifier {
    fn memo(&self) -> std::sync::MutexGuard<'_, Memo> {
        // A poisoned lock only means another thread panicked mid-insert;
        // every entry in the map is a finished verdict.
        self.memo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The verdict of `check` on (`signer`, `message`, `signature`): run
    /// once, then remembered.
    pub fn check(
        &self,
        signer: &[u8],
        message: &[u8],
        signature: &[u8],
        check: impl FnOnce() -> bool,
    ) -> bool {
        let key = (signer.to_vec(), message.to_vec(), signature.to_vec());
        if let Some(verdict) = self.memo().get(&key) {
            return *verdict;
        }
        // The lock is not held while the check runs: other threads may
        // check other things meanwhile (or this one twice, harmlessly).
        let verdict = check();
        self.memo().insert(key, verdict);
        verdict
    }

    /// The positions of the shares that `is_valid` refuses, each share
    /// (group key, member index, `message`, share) checked once.
    pub fn invalid_shares<V: Variant>(
        &self,
        keys: &ShareKeys<V>,
        message: &[u8],
        shares: &[SignatureShare<V>],
        is_valid: impl Fn(&SignatureShare<V>) -> bool,
    ) -> Vec<usize> {
        let group = keys.group_key().to_bytes();
        shares
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                let mut signer = group.as_ref().to_vec();
                signer.extend_from_slice(&s.index().to_be_bytes());
                !self.check(&signer, message, &s.to_bytes(), || is_valid(s))
            })
            .map(|(i, _)| i)
            .collect()
    }
}

impl<V: Variant> Verifier<V> for MemoVerifier {
    fn verify_value(
        &self,
        group_key: &PublicKey<V>,
        message: &[u8; 32],
        hash: &MessageHash<V>,
        signature: &Signature<V>,
    ) -> bool {
        self.check(
            group_key.to_bytes().as_ref(),
            message,
            signature.to_bytes().as_ref(),
            || group_key.verify_hash(hash, signature),
        )
    }

    fn verify_sender(&self, sender: &PublicKey<V>, message: &ShareMessage<V>) -> bool {
        // The encoding carries the sender's signature.
        let bytes = BeaconMessage::Share(*message).to_bytes();
        self.check(sender.to_bytes().as_ref(), &bytes, &[], || {
            message.verify_sender(sender)
        })
    }

    fn invalid_shares(
        &self,
        keys: &ShareKeys<V>,
        message: &[u8; 32],
        hash: &MessageHash<V>,
        shares: &[SignatureShare<V>],
        _rng: &mut ChaCha20Rng,
    ) -> Vec<usize> {
        MemoVerifier::invalid_shares(self, keys, message, shares, |s| keys.verify_share(hash, s))
    }
}
