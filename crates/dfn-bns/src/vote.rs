//! Votes, and votes signed by a neuron's key.
//!
//! A signed vote can be relayed by anyone (the owner's device, the neuron
//! client, a gossip layer): governance checks the signature and that the
//! key is the neuron's controller or one of its hot keys.
//!
//! Signed message: `"DFN-BNS-VOTE-V1" ‖ u64_be(neuron) ‖ u64_be(proposal) ‖
//! u8(vote)` under the basic (`_NUL_`) suite of the key's variant.
//!
//! Encoding (version 1), `P` and `S` the variant's key and signature sizes:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | version, `1` |
//! | 1 | 8 | neuron id, big-endian |
//! | 9 | 8 | proposal id, big-endian |
//! | 17 | 1 | vote: `1` yes, `2` no |
//! | 18 | `P` | compressed public key |
//! | `18 + P` | `S` | compressed signature |

use alloc::vec::Vec;

use dfn_crypto::backend::Point;
use dfn_crypto::{PublicKey, SecretKey, Signature, Suite, Variant};

use crate::error::VoteDecodeError;
use crate::ids::{KeyId, NeuronId, ProposalId};

/// Domain tag of vote signatures.
pub const VOTE_TAG: &[u8] = b"DFN-BNS-VOTE-V1";
/// Version byte of [`SignedVote`]'s encoding.
pub const VOTE_VERSION: u8 = 1;

/// A ballot's choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Vote {
    /// Adopt.
    Yes,
    /// Reject.
    No,
}

impl Vote {
    /// Its byte in messages: 1 yes, 2 no.
    pub fn to_byte(self) -> u8 {
        match self {
            Vote::Yes => 1,
            Vote::No => 2,
        }
    }

    /// The vote of a message byte.
    pub fn from_byte(b: u8) -> Option<Vote> {
        match b {
            1 => Some(Vote::Yes),
            2 => Some(Vote::No),
            _ => None,
        }
    }
}

/// A direct vote signed by a key of the neuron.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedVote<V: Variant> {
    /// The voting neuron.
    pub neuron: NeuronId,
    /// The proposal.
    pub proposal: ProposalId,
    /// The choice.
    pub vote: Vote,
    /// The signer's public key (its [`KeyId`] must be authorized).
    pub key: PublicKey<V>,
    /// Signature on [`SignedVote::message`].
    pub signature: Signature<V>,
}

impl<V: Variant> SignedVote<V> {
    /// The bytes a vote's signature covers.
    pub fn message(neuron: NeuronId, proposal: ProposalId, vote: Vote) -> [u8; 32] {
        let mut m = [0u8; 32];
        let (tag, rest) = m.split_at_mut(VOTE_TAG.len());
        tag.copy_from_slice(VOTE_TAG);
        let (n, rest) = rest.split_at_mut(8);
        n.copy_from_slice(&neuron.0.to_be_bytes());
        let (p, rest) = rest.split_at_mut(8);
        p.copy_from_slice(&proposal.0.to_be_bytes());
        if let Some(v) = rest.first_mut() {
            *v = vote.to_byte();
        }
        m
    }

    /// Signs a vote with `key`.
    pub fn sign(key: &SecretKey<V>, neuron: NeuronId, proposal: ProposalId, vote: Vote) -> Self {
        let signature = key.sign(Suite::Basic, &Self::message(neuron, proposal, vote));
        Self {
            neuron,
            proposal,
            vote,
            key: key.public_key(),
            signature,
        }
    }

    /// Whether the signature is valid for the carried key.
    pub fn verify(&self) -> bool {
        self.key.verify(
            Suite::Basic,
            &Self::message(self.neuron, self.proposal, self.vote),
            &self.signature,
        )
    }

    /// The signer's key id.
    pub fn signer(&self) -> KeyId {
        KeyId::of(&self.key)
    }

    /// The canonical encoding (see the module docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let key = self.key.to_bytes();
        let sig = self.signature.to_bytes();
        let mut out = Vec::with_capacity(18 + key.as_ref().len() + sig.as_ref().len());
        out.push(VOTE_VERSION);
        out.extend_from_slice(&self.neuron.0.to_be_bytes());
        out.extend_from_slice(&self.proposal.0.to_be_bytes());
        out.push(self.vote.to_byte());
        out.extend_from_slice(key.as_ref());
        out.extend_from_slice(sig.as_ref());
        out
    }

    /// Decodes the canonical encoding; checks lengths and points, not the
    /// signature.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VoteDecodeError> {
        let key_len = <V::PublicKeyPoint as Point>::COMPRESSED_LEN;
        let sig_len = <V::SignaturePoint as Point>::COMPRESSED_LEN;
        if bytes.len() != 18 + key_len + sig_len {
            return Err(VoteDecodeError::Length(bytes.len()));
        }
        let (head, rest) = bytes.split_at(18);
        let (key, sig) = rest.split_at(key_len);
        let [version, n @ .., vote] = head else {
            return Err(VoteDecodeError::Length(bytes.len()));
        };
        if *version != VOTE_VERSION {
            return Err(VoteDecodeError::Version(*version));
        }
        let (neuron, proposal) = n.split_at(8);
        let word = |s: &[u8]| {
            s.try_into()
                .map(u64::from_be_bytes)
                .map_err(|_| VoteDecodeError::Length(bytes.len()))
        };
        Ok(Self {
            neuron: NeuronId(word(neuron)?),
            proposal: ProposalId(word(proposal)?),
            vote: Vote::from_byte(*vote).ok_or(VoteDecodeError::Vote(*vote))?,
            key: PublicKey::from_bytes(key).map_err(VoteDecodeError::Key)?,
            signature: Signature::from_bytes(sig).map_err(VoteDecodeError::Signature)?,
        })
    }
}
