//! The signature shares a node holds for one message (a beacon round, a
//! block to notarize): admission, counting, and recovery that verifies the
//! combined signature once and looks for invalid shares only when it fails.
//!
//! The beacon node and dfn-psp's notaries collect shares the same way; the
//! rules live here once. What a share message is, which checks come before
//! admission (group, membership, convictions) and how a dropped share is
//! reported stay with the caller.
//!
//! Rules:
//! - a message already held, or another message carrying the same share, is
//!   a duplicate;
//! - a member may have at most two distinct shares held (a valid share is
//!   unique, so a second one proves one of them invalid; more add nothing);
//! - once a share was found invalid the set is *suspicious*: each new share
//!   is checked on arrival, so that combining, the costly step, runs at
//!   most once more, on shares known good;
//! - recovery combines the first share of each member, verifies the result
//!   once, and on failure drops the shares the caller's check finds invalid
//!   and tries again (each pass drops at least one share, so it ends).

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use dfn_crypto::threshold::{SignatureShare, recover_signature};
use dfn_crypto::{Signature, Variant};

/// A message that carries one signature share.
pub trait CarriesShare<V: Variant>: Copy + PartialEq {
    /// The share.
    fn share(&self) -> SignatureShare<V>;
}

/// What became of a message offered to a [`ShareSet`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission<M> {
    /// Held; the set now has shares from `members` distinct members.
    Held {
        /// Distinct members with a share held.
        members: usize,
    },
    /// Already held, or a third share of one member: ignored.
    Duplicate,
    /// Checked on arrival (the set is suspicious) and invalid: not held.
    Invalid(M),
}

/// What a recovery attempt produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovery<V: Variant, M> {
    /// The group signature, verified, if shares from `t` members were left.
    pub signature: Option<Signature<V>>,
    /// The messages whose shares were found invalid and dropped, in the
    /// order they were held.
    pub dropped: Vec<M>,
}

/// The shares held for one message.
#[derive(Clone, Debug)]
pub struct ShareSet<M> {
    held: Vec<M>,
    /// Distinct members with a share held.
    members: usize,
    suspicious: bool,
}

impl<M> Default for ShareSet<M> {
    fn default() -> Self {
        Self {
            held: Vec::new(),
            members: 0,
            suspicious: false,
        }
    }
}

impl<M> ShareSet<M> {
    /// Distinct members with a share held.
    pub fn members(&self) -> usize {
        self.members
    }

    /// The messages held, in arrival order.
    pub fn held(&self) -> &[M] {
        &self.held
    }
}

impl<M> ShareSet<M> {
    /// Offers `message`. `is_valid` checks one share; it is called only
    /// when the set is suspicious.
    pub fn offer<V: Variant>(
        &mut self,
        message: M,
        is_valid: impl FnOnce(&M) -> bool,
    ) -> Admission<M>
    where
        M: CarriesShare<V>,
    {
        let share = message.share();
        let index = share.index();
        let mut same_member = 0;
        for m in self.held.iter().filter(|m| m.share().index() == index) {
            if *m == message || m.share() == share {
                return Admission::Duplicate;
            }
            same_member += 1;
        }
        if same_member >= 2 {
            return Admission::Duplicate;
        }
        if self.suspicious && !is_valid(&message) {
            return Admission::Invalid(message);
        }
        if same_member == 0 {
            self.members += 1;
        }
        self.held.push(message);
        Admission::Held {
            members: self.members,
        }
    }

    /// Recovers the group signature of threshold `t`. `verify` checks a
    /// combined signature; `find_invalid` returns the positions of the
    /// invalid shares among those given (called only when the combination
    /// fails to verify).
    pub fn recover<V: Variant>(
        &mut self,
        t: u32,
        verify: impl Fn(&Signature<V>) -> bool,
        mut find_invalid: impl FnMut(&[SignatureShare<V>]) -> Vec<usize>,
    ) -> Recovery<V, M>
    where
        M: CarriesShare<V>,
    {
        let mut dropped = Vec::new();
        while self.members >= t as usize {
            let shares: Vec<SignatureShare<V>> = self.held.iter().map(|m| m.share()).collect();
            let mut seen = BTreeSet::new();
            let first: Vec<SignatureShare<V>> = shares
                .iter()
                .filter(|s| seen.insert(s.index()))
                .copied()
                .collect();
            if let Ok(signature) = recover_signature(t, &first)
                && verify(&signature)
            {
                return Recovery {
                    signature: Some(signature),
                    dropped,
                };
            }
            let invalid = find_invalid(&shares);
            if invalid.is_empty() {
                break;
            }
            self.suspicious = true;
            let start = dropped.len();
            for position in invalid.iter().rev() {
                if *position < self.held.len() {
                    let message = self.held.remove(*position);
                    let index = message.share().index();
                    if !self.held.iter().any(|m| m.share().index() == index) {
                        self.members = self.members.saturating_sub(1);
                    }
                    dropped.push(message);
                }
            }
            if let Some(pass) = dropped.get_mut(start..) {
                pass.reverse();
            }
        }
        Recovery {
            signature: None,
            dropped,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use dfn_crypto::threshold::SecretPolynomial;
    use dfn_crypto::{MessageHash, MinSig, Suite};
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    impl CarriesShare<MinSig> for SignatureShare<MinSig> {
        fn share(&self) -> SignatureShare<MinSig> {
            *self
        }
    }

    #[test]
    fn recovery_drops_invalid_shares_and_then_checks_on_arrival() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let poly = SecretPolynomial::<MinSig>::random(3, &mut rng).unwrap();
        let keys = poly.commitment().share_keys(5).unwrap();
        let hash = MessageHash::<MinSig>::new(Suite::Basic, b"round");
        let other = MessageHash::<MinSig>::new(Suite::Basic, b"other");
        let good: Vec<_> = (1..=5)
            .map(|i| poly.share(i).unwrap().sign_hash(&hash))
            .collect();
        let bad = poly.share(1).unwrap().sign_hash(&other);

        let mut set = ShareSet::default();
        assert_eq!(set.offer(bad, |_| true), Admission::Held { members: 1 });
        assert_eq!(set.offer(bad, |_| true), Admission::Duplicate);
        assert_eq!(set.offer(good[1], |_| true), Admission::Held { members: 2 });
        assert_eq!(set.offer(good[2], |_| true), Admission::Held { members: 3 });

        let verify = |s: &Signature<MinSig>| keys.group_key().verify_hash(&hash, s);
        let find = |shares: &[SignatureShare<MinSig>]| -> Vec<usize> {
            (0..shares.len())
                .filter(|i| !keys.verify_share(&hash, &shares[*i]))
                .collect()
        };
        let r = set.recover(3, verify, find);
        assert_eq!((r.signature, r.dropped), (None, Vec::from([bad])));
        assert_eq!(set.members(), 2);

        // Suspicious now: a bad share is refused on arrival, a good one held.
        let forged = poly.share(4).unwrap().sign_hash(&other);
        let valid = |s: &SignatureShare<MinSig>| keys.verify_share(&hash, s);
        assert_eq!(set.offer(forged, valid), Admission::Invalid(forged));
        assert_eq!(set.offer(good[0], valid), Admission::Held { members: 3 });
        let r = set.recover(3, verify, find);
        assert!(r.dropped.is_empty());
        assert!(verify(&r.signature.unwrap()));
    }

    #[test]
    fn a_member_holds_at_most_two_distinct_shares() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let poly = SecretPolynomial::<MinSig>::random(2, &mut rng).unwrap();
        let share = poly.share(1).unwrap();
        let mut set = ShareSet::default();
        for (i, m) in [b"a", b"b", b"c"].iter().enumerate() {
            let s = share.sign_hash(&MessageHash::<MinSig>::new(Suite::Basic, *m));
            let expected = if i < 2 {
                Admission::Held { members: 1 }
            } else {
                Admission::Duplicate
            };
            assert_eq!(set.offer(s, |_| true), expected);
        }
        assert_eq!(set.held().len(), 2);
    }
}
