//! Registering a group's public key after its DKG.
//!
//! Each member that completed the group's DKG signs, with its identity key,
//! the group id and the hash of the public polynomial it derived. A group
//! key is registered once `t` distinct members vouch for the same
//! polynomial: a group has fewer than `t` faulty members (that is what the
//! resilience bound buys), so at least one honest member is among them,
//! and honest members all derive the same polynomial from the DKG. Anyone
//! can check a registration from the group's member list alone.

use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;

use dfn_crypto::threshold::PublicPolynomial;
use dfn_crypto::{SecretKey, Signature, Suite, Variant, fast_aggregate_verify};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::groups::{Group, GroupError, GroupMember};
use crate::wire::GroupId;

/// The domain tag of registration signatures.
pub const REGISTRATION_TAG: &[u8] = b"DFN-GROUP-REGISTRATION-V1";

/// Member `member` of group `group` vouches for the group's public
/// polynomial.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRegistration<V: Variant> {
    /// The group.
    pub group: GroupId,
    /// The vouching member's index in the group (1-based).
    pub member: u32,
    /// The public polynomial its DKG produced.
    pub public: Arc<PublicPolynomial<V>>,
    /// The member's identity signature on
    /// `REGISTRATION_TAG ‖ u64_be(group) ‖ SHA-256(polynomial)`.
    pub signature: Signature<V>,
}

/// Why a registration is not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RegistrationError {
    /// The member index is outside the group.
    #[error("group {group:?} has no member {member}")]
    NotAMember {
        /// The group.
        group: GroupId,
        /// The index given.
        member: u32,
    },
    /// The identity signature does not verify.
    #[error("the registration of member {member} of group {group:?} is not signed by it")]
    BadSignature {
        /// The group.
        group: GroupId,
        /// The member.
        member: u32,
    },
    /// The polynomial's threshold is not the group's.
    #[error("the polynomial has threshold {actual}, the group {expected}")]
    WrongThreshold {
        /// The group's threshold.
        expected: u32,
        /// The polynomial's.
        actual: u32,
    },
    /// The registered polynomial does not give share keys for the group.
    #[error(transparent)]
    Group(#[from] GroupError),
}

fn signed_bytes<V: Variant>(group: GroupId, public: &PublicPolynomial<V>) -> Vec<u8> {
    let mut out = REGISTRATION_TAG.to_vec();
    out.extend_from_slice(&group.0.to_be_bytes());
    out.extend_from_slice(&Sha256::digest(public.to_bytes()));
    out
}

impl<V: Variant> GroupRegistration<V> {
    /// Member `member` vouches for `public`, signing with its identity key.
    pub fn new(
        group: GroupId,
        member: u32,
        public: Arc<PublicPolynomial<V>>,
        identity: &SecretKey<V>,
    ) -> Self {
        let signature = identity.sign(Suite::ProofOfPossession, &signed_bytes(group, &public));
        Self {
            group,
            member,
            public,
            signature,
        }
    }

    /// Whether the member named signed it.
    pub fn verify(&self, members: &[GroupMember<V>]) -> bool {
        let Some(member) = usize::try_from(self.member)
            .ok()
            .and_then(|m| m.checked_sub(1))
            .and_then(|m| members.get(m))
        else {
            return false;
        };
        member.key.verify(
            Suite::ProofOfPossession,
            &signed_bytes(self.group, &self.public),
            &self.signature,
        )
    }
}

/// A polynomial and the members vouching for it, with their (not yet
/// verified) signatures.
type Votes<V> = (Arc<PublicPolynomial<V>>, BTreeMap<u32, Signature<V>>);

/// The registrations of one group, until `t` members agree.
///
/// Signatures are not checked one by one: members vouching for the same
/// polynomial sign the same message, so once `t` of them are in, their
/// signatures are aggregated and checked at once (`FastAggregateVerify`;
/// identity keys carry proofs of possession). Only if that fails are they
/// checked one by one, and the bad ones dropped.
#[derive(Clone, Debug)]
pub struct RegistrationTally<V: Variant> {
    group: GroupId,
    members: Vec<GroupMember<V>>,
    threshold: u32,
    /// Vouching members per polynomial (by the hash of its encoding).
    votes: BTreeMap<[u8; 32], Votes<V>>,
    /// Whether the group was registered (reported once).
    done: bool,
}

impl<V: Variant> RegistrationTally<V> {
    /// A tally for group `group` of `members` (index order) with threshold
    /// `threshold`.
    pub fn new(group: GroupId, members: Vec<GroupMember<V>>, threshold: u32) -> Self {
        Self {
            group,
            members,
            threshold,
            votes: BTreeMap::new(),
            done: false,
        }
    }

    /// Counts a registration; returns the registered group once `t`
    /// members vouch for one polynomial.
    pub fn add(
        &mut self,
        registration: &GroupRegistration<V>,
    ) -> Result<Option<Group<V>>, RegistrationError> {
        let (group, member) = (registration.group, registration.member);
        if self.done {
            return Ok(None);
        }
        if group != self.group || member == 0 || member as usize > self.members.len() {
            return Err(RegistrationError::NotAMember { group, member });
        }
        if registration.public.threshold() != self.threshold {
            return Err(RegistrationError::WrongThreshold {
                expected: self.threshold,
                actual: registration.public.threshold(),
            });
        }
        let key: [u8; 32] = Sha256::digest(registration.public.to_bytes()).into();
        let members = &self.members;
        let (public, signatures) = self
            .votes
            .entry(key)
            .or_insert_with(|| (Arc::clone(&registration.public), BTreeMap::new()));
        match signatures.get(&member) {
            Some(held) if *held == registration.signature => return Ok(None),
            // Two signatures for one vote: at most one is the member's.
            Some(_) => {
                if !registration.verify(members) {
                    return Err(RegistrationError::BadSignature { group, member });
                }
                signatures.insert(member, registration.signature);
            }
            None => {
                signatures.insert(member, registration.signature);
            }
        }
        if signatures.len() < self.threshold as usize {
            return Ok(None);
        }
        let message = signed_bytes(self.group, public);
        let keys: Vec<_> = signatures
            .keys()
            .filter_map(|m| members.get((*m as usize).checked_sub(1)?).map(|g| g.key))
            .collect();
        let aggregate = Signature::aggregate(signatures.values());
        let valid = aggregate.is_ok_and(|sig| fast_aggregate_verify(&keys, &message, &sig));
        if !valid {
            // Keep only the members' own signatures.
            signatures.retain(|m, sig| {
                members
                    .get((*m as usize).wrapping_sub(1))
                    .is_some_and(|g| g.key.verify(Suite::ProofOfPossession, &message, sig))
            });
            if signatures.len() < self.threshold as usize {
                return Ok(None);
            }
        }
        let n = u32::try_from(self.members.len()).map_err(|_| GroupError::SizeMismatch {
            members: self.members.len(),
            keys: 0,
        })?;
        let keys = public
            .share_keys(n)
            .map_err(|_| GroupError::InvalidThreshold {
                threshold: self.threshold,
                n: self.members.len(),
            })?;
        self.done = true;
        Ok(Some(Group::new(
            self.group,
            self.members.clone(),
            Arc::new(keys),
        )?))
    }
}
