//! Groups: their formation from the registry by a seeded permutation,
//! their keys, and the set of groups active for a range of heights with
//! the Merkle root a light client holds.

use alloc::sync::Arc;
use alloc::vec::Vec;

use dfn_crypto::threshold::{SecretKeyShare, SecretPolynomial, ShareKeys};
use dfn_crypto::{PublicKey, Variant};
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::identity::ProcessId;
use crate::merkle::{Hash, MerkleProof, MerkleTree};
use crate::round;
use crate::shuffle::shuffle_prefix;
use crate::wire::GroupId;

/// A group member: its process id and identity key (which signs its share
/// messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupMember<V: Variant> {
    /// The process id.
    pub id: ProcessId,
    /// Its identity key.
    pub key: PublicKey<V>,
}

/// A group with its threshold key: members in index order (member `i` of
/// the list is index `i + 1` of the sharing) and every member's public key
/// share.
#[derive(Clone, Debug)]
pub struct Group<V: Variant> {
    id: GroupId,
    members: Vec<GroupMember<V>>,
    keys: Arc<ShareKeys<V>>,
}

/// Why a group or group set cannot be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum GroupError {
    /// The share keys are for another number of members.
    #[error("{members} members but share keys for {keys}")]
    SizeMismatch {
        /// Members listed.
        members: usize,
        /// Share keys given.
        keys: u32,
    },
    /// Not enough eligible processes to form the groups asked for.
    #[error("{count} groups of {size} need {needed} processes, {eligible} are eligible")]
    NotEnoughProcesses {
        /// Groups asked for.
        count: usize,
        /// Group size.
        size: usize,
        /// Processes needed.
        needed: usize,
        /// Processes eligible.
        eligible: usize,
    },
    /// Two groups of one set share an id.
    #[error("group id {0:?} appears twice")]
    DuplicateId(GroupId),
    /// The threshold is not in `1..=n`.
    #[error("threshold {threshold} for {n} members")]
    InvalidThreshold {
        /// Threshold.
        threshold: u32,
        /// Members.
        n: usize,
    },
}

impl<V: Variant> Group<V> {
    /// A group from its members and share keys (from its DKG, or a trusted
    /// dealer).
    pub fn new(
        id: GroupId,
        members: Vec<GroupMember<V>>,
        keys: Arc<ShareKeys<V>>,
    ) -> Result<Self, GroupError> {
        if members.len() != keys.n() as usize {
            return Err(GroupError::SizeMismatch {
                members: members.len(),
                keys: keys.n(),
            });
        }
        Ok(Self { id, members, keys })
    }

    /// The group's id.
    pub fn id(&self) -> GroupId {
        self.id
    }

    /// The members, index 1 first.
    pub fn members(&self) -> &[GroupMember<V>] {
        &self.members
    }

    /// Member `index` (1-based).
    pub fn member(&self, index: u32) -> Option<&GroupMember<V>> {
        self.members
            .get(usize::try_from(index.checked_sub(1)?).ok()?)
    }

    /// The index (1-based) of process `id`, if a member.
    pub fn index_of(&self, id: &ProcessId) -> Option<u32> {
        let position = self.members.iter().position(|m| &m.id == id)?;
        u32::try_from(position).ok()?.checked_add(1)
    }

    /// Member `id`'s place in the rotation of relayers at `height`:
    /// `(index − 1 + height) mod n` (`None` for a non-member). The members
    /// with the `r` lowest places relay what the group produces at once;
    /// the rotation spreads that duty over the heights.
    pub fn relay_rank(&self, id: &ProcessId, height: u64) -> Option<u64> {
        let n = self.members.len().max(1) as u64;
        self.index_of(id)
            .map(|i| (u64::from(i) - 1 + height % n) % n)
    }

    /// Every member's public key share and the group key.
    pub fn keys(&self) -> &ShareKeys<V> {
        &self.keys
    }

    /// Shares needed.
    pub fn threshold(&self) -> u32 {
        self.keys.threshold()
    }

    /// The leaf a light client's Merkle proof opens:
    /// `u64_be(group id) ‖ compressed group key`.
    pub fn leaf(&self) -> Vec<u8> {
        let mut out = self.id.0.to_be_bytes().to_vec();
        out.extend_from_slice(self.keys.group_key().to_bytes().as_ref());
        out
    }
}

/// A trusted dealer's group (private networks, and simulations too large
/// to run every DKG): a fresh random polynomial, its share keys, and each
/// member's secret share in member order.
pub fn deal_group<V: Variant, R: CryptoRng + ?Sized>(
    id: GroupId,
    members: Vec<GroupMember<V>>,
    threshold: u32,
    rng: &mut R,
) -> Result<(Group<V>, Vec<SecretKeyShare<V>>), GroupError> {
    let n = u32::try_from(members.len()).map_err(|_| GroupError::InvalidThreshold {
        threshold,
        n: members.len(),
    })?;
    let invalid = GroupError::InvalidThreshold {
        threshold,
        n: members.len(),
    };
    let poly = SecretPolynomial::<V>::random(threshold, rng).map_err(|_| invalid)?;
    let keys = poly.commitment().share_keys(n).map_err(|_| invalid)?;
    let shares = poly.shares(n).map_err(|_| invalid)?;
    Ok((Group::new(id, members, Arc::new(keys))?, shares))
}

/// The groups active for a range of heights, in ascending id order, and
/// the Merkle tree of their keys.
#[derive(Clone, Debug)]
pub struct GroupSet<V: Variant> {
    groups: Vec<Arc<Group<V>>>,
    tree: MerkleTree,
}

impl<V: Variant> GroupSet<V> {
    /// The set of `groups` (sorted by id; ids must be distinct).
    pub fn new(mut groups: Vec<Arc<Group<V>>>) -> Result<Self, GroupError> {
        groups.sort_by_key(|g| g.id());
        if let Some(pair) = groups
            .windows(2)
            .find(|w| matches!(w, [a, b] if a.id() == b.id()))
        {
            if let Some(g) = pair.first() {
                return Err(GroupError::DuplicateId(g.id()));
            }
        }
        let leaves: Vec<Vec<u8>> = groups.iter().map(|g| g.leaf()).collect();
        Ok(Self {
            tree: MerkleTree::new(&leaves),
            groups,
        })
    }

    /// The groups, ascending by id.
    pub fn groups(&self) -> &[Arc<Group<V>>] {
        &self.groups
    }

    /// The group that signs the height after the one whose signature (or
    /// the genesis seed) is `previous`, with its position.
    pub fn select(&self, previous: &[u8]) -> Option<(usize, &Arc<Group<V>>)> {
        let position = round::select(previous, self.groups.len())?;
        Some((position, self.groups.get(position)?))
    }

    /// The group with id `id`.
    pub fn get(&self, id: GroupId) -> Option<&Arc<Group<V>>> {
        self.groups
            .binary_search_by_key(&id, |g| g.id())
            .ok()
            .and_then(|i| self.groups.get(i))
    }

    /// What a light client holds: the set's size and the Merkle root of
    /// the groups' leaves, bound together (see [`set_root`]).
    pub fn root(&self) -> Hash {
        set_root(self.groups.len() as u64, &self.tree.root())
    }

    /// The Merkle proof of the group at `position`.
    pub fn proof(&self, position: usize) -> Option<MerkleProof> {
        self.tree.proof(position)
    }
}

/// `SHA-256("DFN-GROUPSET-V1" ‖ u64_be(size) ‖ merkle_root)`: the
/// commitment to a group set. The size is in it because the group a value
/// selects depends on it, and a Merkle path alone does not fix it.
pub fn set_root(size: u64, merkle_root: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update(b"DFN-GROUPSET-V1");
    h.update(size.to_be_bytes());
    h.update(merkle_root);
    h.finalize().into()
}

/// The seed of the permutation that forms the groups of `epoch` from the
/// beacon's random value `randomness`:
/// `SHA-256("DFN-GROUPS-V1" ‖ randomness ‖ u64_be(epoch))`.
pub fn formation_seed(randomness: &[u8; 32], epoch: u64) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"DFN-GROUPS-V1");
    h.update(randomness);
    h.update(epoch.to_be_bytes());
    h.finalize().into()
}

/// Forms `count` groups of `size` from the eligible processes. The ids are
/// sorted ascending; group `g` is the first `size` ids of a Fisher–Yates
/// shuffle driven by ChaCha20 seeded with
/// `SHA-256("DFN-GROUP-V1" ‖ seed ‖ u64_be(g))`, in shuffle order (member
/// index order). Each group is a uniform sample of the registry, which is
/// what the resilience bound assumes; groups may overlap (1,000 processes
/// can form 50 groups of 100), and a process in several groups holds a
/// share in each. Swap indices are drawn by rejection sampling (unbiased).
pub fn form_groups(
    eligible: &[ProcessId],
    seed: &[u8; 32],
    size: usize,
    count: usize,
) -> Result<Vec<Vec<ProcessId>>, GroupError> {
    let mut sorted = eligible.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if size > sorted.len() || size == 0 {
        return Err(GroupError::NotEnoughProcesses {
            count,
            size,
            needed: size,
            eligible: sorted.len(),
        });
    }
    let groups = (0..count as u64)
        .map(|g| {
            let mut h = Sha256::new();
            h.update(b"DFN-GROUP-V1");
            h.update(seed);
            h.update(g.to_be_bytes());
            shuffle_prefix(sorted.len(), h.finalize().into(), size)
                .into_iter()
                .filter_map(|i| sorted.get(i).copied())
                .collect()
        })
        .collect();
    Ok(groups)
}
