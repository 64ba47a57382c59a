//! Certified reads: a value of the public state proven to a private
//! process that trusts nothing but the public group-set roots.
//!
//! # What a proof proves
//!
//! A [`CertifiedRead`] carries a chain of public headers `B_h ← B_{h+1} ←
//! … ← B_{h+k}`, each with its notarization (the signature of the notary
//! group of its height, the group's key and the key's Merkle path), and
//! Merkle Patricia proofs of an account (and optionally one of its storage
//! slots) against `B_h`'s state root. [`CertifiedRead::verify`] checks,
//! with the verified beacon values of a [`LightBeacon`]:
//!
//! - each header's notary group is the one `σ^{height−1}` selects among
//!   the public groups (`G^h`), its key is in the group set whose root the
//!   private side holds, and the notarization is that key's signature on
//!   `"DFN-NOTARY-V1" ‖ u64_be(height) ‖ SHA-256(header)`;
//! - the headers are consecutive and each is the parent of the next;
//! - `h` is at least the policy's minimum height and `k` at least its
//!   number of confirmations;
//! - the account (or its absence) and the storage word (or its absence:
//!   zero) are those of `B_h`'s state root.
//!
//! It does not prove that any process *finalized* `B_h`. dfn-psp's
//! finality rule is a local observation: a process finalizes `B_h` when,
//! `BT` after entering `h + 2`, every notarized block it has seen at
//! `h + 1` is a child of `B_h`. That timing cannot be shown to a third
//! party; what can be shown is ancestry and notarizations: the notary
//! groups of `h + 1 … h + k` each built on `B_h`. An honest notary signs
//! only blocks on its highest-scoring notarized chain and stops signing at
//! a height once it sees a notarization there, so a competing branch gains
//! a notarized height only through a race of notarizations within `Δ`,
//! and each confirmation needs another such race. The proof certifies
//! "notarized, with `k` notarized descendants": that is what finality
//! rests on in the synchronous case dfn-psp assumes (`BT > 2Δ`, fewer than
//! `t` faulty members per group), not a proof of finality beyond it. The
//! verifier chooses `k` ([`ReadPolicy::confirmations`], default 2).

use alloc::vec::Vec;

use dfn_beacon::merkle::MerkleProof;
use dfn_beacon::{GroupId, round, set_root};
use dfn_crypto::{PublicKey, Signature, Variant};
use dfn_psp::{BlockHash, notary_hash};
use dfn_state::rlp::decode_exact;
use dfn_state::trie::verify_proof;
use dfn_state::{Account, Address, B256, EMPTY_ROOT, U256, keccak256};

use crate::error::CertError;
use crate::header::Header;
use crate::light::LightBeacon;

/// A public header with its notarization and what identifies the group
/// that signed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotarizedHeader<V: Variant> {
    /// The header.
    pub header: Header,
    /// The notary group's signature on the header's notary message.
    pub signature: Signature<V>,
    /// The notary group's id.
    pub group: GroupId,
    /// The notary group's public key.
    pub group_key: PublicKey<V>,
    /// The group leaf's Merkle path in the public group set (its position
    /// and the set's size are in it).
    pub path: MerkleProof,
}

/// A storage slot and its Merkle proof against the account's storage root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageRead {
    /// The slot.
    pub key: U256,
    /// The trie nodes on the slot's path, root first.
    pub proof: Vec<Vec<u8>>,
}

/// A value of the public state with the proof that the public chain
/// certified it (see the module docs for what is and is not proven).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertifiedRead<V: Variant> {
    /// The certified header first, then its confirming descendants in
    /// height order.
    pub headers: Vec<NotarizedHeader<V>>,
    /// The account read.
    pub address: Address,
    /// The trie nodes on the account's path, root first.
    pub account_proof: Vec<Vec<u8>>,
    /// The storage slot read, if any.
    pub storage: Option<StorageRead>,
}

/// What a verifier demands of a certified read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadPolicy {
    /// Notarized descendants the certified header must carry.
    pub confirmations: u32,
    /// The lowest public height accepted: reads of older states are stale.
    pub min_height: u64,
}

impl Default for ReadPolicy {
    /// Two confirmations (dfn-psp's finality depth), any height.
    fn default() -> Self {
        Self {
            confirmations: 2,
            min_height: 1,
        }
    }
}

/// A storage word proven at a certified height.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageValue {
    /// The slot.
    pub key: U256,
    /// Its value (zero when absent).
    pub value: U256,
}

/// What a verified [`CertifiedRead`] proves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertifiedValue {
    /// The certified height.
    pub height: u64,
    /// The certified block.
    pub block: BlockHash,
    /// Its state root.
    pub state_root: B256,
    /// The account read.
    pub address: Address,
    /// The account, `None` when it does not exist.
    pub account: Option<Account>,
    /// The storage word read, if one was.
    pub storage: Option<StorageValue>,
}

impl<V: Variant> NotarizedHeader<V> {
    /// Checks that the header is notarized by the group the beacon selects
    /// for its height.
    fn verify(&self, beacon: &LightBeacon) -> Result<(), CertError> {
        let height = self.header.height;
        let previous = beacon
            .previous(height)
            .ok_or(CertError::UnknownBeacon { height })?;
        let root = beacon
            .root(height)
            .ok_or(CertError::NoGroupSet { height })?;
        let bad_path = CertError::BadGroupPath {
            height,
            group: self.group,
        };
        let size = usize::try_from(self.path.size).map_err(|_| bad_path.clone())?;
        let expected = round::select(previous, size).ok_or(bad_path.clone())? as u64;
        if expected != self.path.index {
            return Err(CertError::WrongGroup {
                height,
                expected,
                actual: self.path.index,
            });
        }
        // The leaf is dfn-beacon's `Group::leaf`: u64_be(id) ‖ group key.
        let mut leaf = self.group.0.to_be_bytes().to_vec();
        leaf.extend_from_slice(self.group_key.to_bytes().as_ref());
        let merkle_root = self.path.root_of(&leaf).ok_or(bad_path.clone())?;
        // The set root binds the size the selection above used.
        if set_root(self.path.size, &merkle_root) != *root {
            return Err(bad_path);
        }
        let hash = notary_hash::<V>(height, &self.header.hash());
        if !self.group_key.verify_hash(&hash, &self.signature) {
            return Err(CertError::BadNotarization { height });
        }
        Ok(())
    }
}

impl<V: Variant> CertifiedRead<V> {
    /// Verifies the read under `policy` with the public beacon values
    /// `beacon` holds, and returns what it proves.
    pub fn verify(
        &self,
        beacon: &LightBeacon,
        policy: &ReadPolicy,
    ) -> Result<CertifiedValue, CertError> {
        let got = u32::try_from(self.headers.len().saturating_sub(1)).unwrap_or(u32::MAX);
        let (Some(first), true) = (self.headers.first(), got >= policy.confirmations) else {
            return Err(CertError::TooFewConfirmations {
                needed: policy.confirmations,
                got,
            });
        };
        let height = first.header.height;
        if height < policy.min_height {
            return Err(CertError::Stale {
                height,
                min_height: policy.min_height,
            });
        }
        // The cheap structural checks first, the pairings last.
        for pair in self.headers.windows(2) {
            if let [below, above] = pair {
                let expected = below.header.height.saturating_add(1);
                if above.header.height != expected {
                    return Err(CertError::WrongHeight {
                        expected,
                        actual: above.header.height,
                    });
                }
                if above.header.parent != below.header.hash() {
                    return Err(CertError::NotAChild {
                        height: above.header.height,
                    });
                }
            }
        }
        let state_root = B256(first.header.state_root);
        let account = self.verify_account(&state_root)?;
        let storage = match &self.storage {
            None => None,
            Some(read) => Some(verify_storage(account.as_ref(), read)?),
        };
        for header in &self.headers {
            header.verify(beacon)?;
        }
        Ok(CertifiedValue {
            height,
            block: first.header.hash(),
            state_root,
            address: self.address,
            account,
            storage,
        })
    }

    fn verify_account(&self, state_root: &B256) -> Result<Option<Account>, CertError> {
        if let Some(node) = self.account_proof.first() {
            let found = keccak256(node);
            if found != *state_root {
                return Err(CertError::StateRootMismatch {
                    expected: *state_root,
                    found,
                });
            }
        }
        let key = keccak256(self.address.0);
        let value = verify_proof(state_root, &key.0, &self.account_proof)
            .map_err(CertError::AccountProof)?;
        value
            .map(|bytes| decode_exact::<Account>(&bytes).map_err(CertError::InvalidAccount))
            .transpose()
    }
}

fn verify_storage(
    account: Option<&Account>,
    read: &StorageRead,
) -> Result<StorageValue, CertError> {
    let root = account.map_or(EMPTY_ROOT, |a| a.storage_root);
    let key = keccak256(read.key.to_be_bytes::<32>());
    let value = verify_proof(&root, &key.0, &read.proof).map_err(CertError::StorageProof)?;
    let value = match value {
        None => U256::ZERO,
        Some(bytes) => decode_exact::<U256>(&bytes).map_err(CertError::InvalidStorage)?,
    };
    Ok(StorageValue {
        key: read.key,
        value,
    })
}
