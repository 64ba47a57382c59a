//! Light verification: checking beacon values while holding only the
//! Merkle root of the active group keys.
//!
//! A [`ValueProof`] carries the value, the key of the group that signed it
//! and the key's Merkle path. The verifier checks that the group is the one
//! the previous value selects (its position in the set), that its key is
//! in the set (the path), and that the signature is the group's on the
//! height's message. [`ChainVerifier`] walks a sequence of values from
//! genesis.

use alloc::vec::Vec;

use dfn_crypto::{PublicKey, Signature, Suite, Variant};
use thiserror::Error;

use crate::groups::{GroupSet, set_root};
use crate::merkle::{Hash, MerkleProof};
use crate::round;
use crate::wire::GroupId;

/// A beacon value with what a light client needs to check it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueProof<V: Variant> {
    /// The height.
    pub height: u64,
    /// `σ^h`.
    pub signature: Signature<V>,
    /// The signing group's id.
    pub group: GroupId,
    /// The signing group's public key.
    pub group_key: PublicKey<V>,
    /// The group's leaf in the set's Merkle tree (its position and the set
    /// size are in it).
    pub path: MerkleProof,
}

/// Why a value does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum LightError {
    /// The group is not the one the previous value selects.
    #[error("the previous value selects group position {expected}, the proof is for {actual}")]
    WrongGroup {
        /// Position selected by the previous value.
        expected: u64,
        /// Position in the proof.
        actual: u64,
    },
    /// The group key is not in the set with this root.
    #[error("the group key is not in the set")]
    NotInSet,
    /// The signature is not the group's on the height's message.
    #[error("the signature does not verify under the group key")]
    BadSignature,
    /// Values must come in consecutive heights from the verifier's
    /// position.
    #[error("expected height {expected}, got {actual}")]
    WrongHeight {
        /// The next height.
        expected: u64,
        /// The height given.
        actual: u64,
    },
}

/// Checks `proof` against the set root `root` ([`GroupSet::root`]), with `previous` the
/// signature of the height before (or the genesis seed). Returns the
/// value's randomness.
pub fn verify_value<V: Variant>(
    root: &Hash,
    previous: &[u8],
    proof: &ValueProof<V>,
) -> Result<[u8; 32], LightError> {
    let size = usize::try_from(proof.path.size).map_err(|_| LightError::NotInSet)?;
    let expected = round::select(previous, size).ok_or(LightError::NotInSet)? as u64;
    if expected != proof.path.index {
        return Err(LightError::WrongGroup {
            expected,
            actual: proof.path.index,
        });
    }
    let mut leaf = proof.group.0.to_be_bytes().to_vec();
    leaf.extend_from_slice(proof.group_key.to_bytes().as_ref());
    // The path gives the tree's root; the set root binds it to the size
    // the selection above used.
    let merkle_root = proof.path.root_of(&leaf).ok_or(LightError::NotInSet)?;
    if set_root(proof.path.size, &merkle_root) != *root {
        return Err(LightError::NotInSet);
    }
    let message = round::message(previous, proof.height);
    if !proof
        .group_key
        .verify(Suite::Basic, &message, &proof.signature)
    {
        return Err(LightError::BadSignature);
    }
    Ok(round::randomness(proof.signature.to_bytes().as_ref()))
}

impl<V: Variant> GroupSet<V> {
    /// The light-client proof of the value `signature` at `height`, which
    /// the group selected by `previous` signed. `None` when the set is
    /// empty.
    pub fn value_proof(
        &self,
        previous: &[u8],
        height: u64,
        signature: Signature<V>,
    ) -> Option<ValueProof<V>> {
        let (position, group) = self.select(previous)?;
        Some(ValueProof {
            height,
            signature,
            group: group.id(),
            group_key: *group.keys().group_key(),
            path: self.proof(position)?,
        })
    }
}

/// Verifies a beacon chain from genesis, one value at a time.
#[derive(Clone, Debug)]
pub struct ChainVerifier {
    previous: Vec<u8>,
    next: u64,
}

impl ChainVerifier {
    /// A verifier at height 1, chaining from `genesis_seed`.
    pub fn new(genesis_seed: [u8; 32]) -> Self {
        Self {
            previous: genesis_seed.to_vec(),
            next: 1,
        }
    }

    /// The next height expected.
    pub fn next_height(&self) -> u64 {
        self.next
    }

    /// Checks the next value against `root` (the root of the group set
    /// serving its height) and moves on. Returns its randomness.
    pub fn verify_next<V: Variant>(
        &mut self,
        root: &Hash,
        proof: &ValueProof<V>,
    ) -> Result<[u8; 32], LightError> {
        if proof.height != self.next {
            return Err(LightError::WrongHeight {
                expected: self.next,
                actual: proof.height,
            });
        }
        let randomness = verify_value(root, &self.previous, proof)?;
        self.previous = proof.signature.to_bytes().as_ref().to_vec();
        self.next += 1;
        Ok(randomness)
    }
}
