//! A trusted dealer's groups for a whole network: private networks (which
//! need no Sybil resistance) and simulations too large to run every DKG.

use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;

use dfn_crypto::Variant;
use dfn_crypto::threshold::SecretKeyShare;
use rand_core::CryptoRng;

use crate::groups::{GroupError, GroupMember, GroupSet, deal_group, form_groups};
use crate::identity::ProcessId;
use crate::wire::GroupId;

/// The groups a dealer made for a list of processes.
#[derive(Clone, Debug)]
pub struct DealtGroups<V: Variant> {
    /// The groups, ids `0..count`.
    pub set: GroupSet<V>,
    /// Each group's members, as positions in the list dealt to, in member
    /// order (index 1 first).
    pub members: Vec<Vec<usize>>,
    /// Each process's share in each of its groups, in the order of the
    /// list dealt to.
    pub shares: Vec<BTreeMap<GroupId, SecretKeyShare<V>>>,
}

impl<V: Variant> DealtGroups<V> {
    /// Each group's id with its members' positions in the list dealt to.
    pub fn membership(&self) -> impl Iterator<Item = (GroupId, &[usize])> {
        self.set
            .groups()
            .iter()
            .zip(&self.members)
            .map(|(g, at)| (g.id(), at.as_slice()))
    }
}

/// Forms `count` groups of `size` from `processes` with
/// [`form_groups`] seeded by `seed` (the same permutation the beacon uses
/// for its epochs, so the membership is what a DKG-formed network of the
/// same seed would have) and deals each group's key with threshold
/// `threshold` from `rng` ([`deal_group`]). A process listed twice holds
/// its shares at its first position.
pub fn deal_groups<V: Variant, R: CryptoRng + ?Sized>(
    processes: &[GroupMember<V>],
    seed: &[u8; 32],
    size: usize,
    count: usize,
    threshold: u32,
    rng: &mut R,
) -> Result<DealtGroups<V>, GroupError> {
    let mut position: BTreeMap<ProcessId, usize> = BTreeMap::new();
    for (i, p) in processes.iter().enumerate() {
        position.entry(p.id).or_insert(i);
    }
    let ids: Vec<ProcessId> = position.keys().copied().collect();
    let formed = form_groups(&ids, seed, size, count)?;
    let mut shares = alloc::vec![BTreeMap::new(); processes.len()];
    let mut groups = Vec::with_capacity(formed.len());
    let mut members = Vec::with_capacity(formed.len());
    for (g, group_ids) in (0u64..).zip(formed) {
        let id = GroupId(g);
        let at: Vec<usize> = group_ids
            .iter()
            .filter_map(|p| position.get(p).copied())
            .collect();
        let group_members = at
            .iter()
            .filter_map(|i| processes.get(*i).copied())
            .collect();
        let (group, group_shares) = deal_group(id, group_members, threshold, rng)?;
        for (i, share) in at.iter().zip(group_shares) {
            if let Some(mine) = shares.get_mut(*i) {
                mine.insert(id, share);
            }
        }
        members.push(at);
        groups.push(Arc::new(group));
    }
    Ok(DealtGroups {
        set: GroupSet::new(groups)?,
        members,
        shares,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::groups::formation_seed;
    use dfn_crypto::threshold::recover_signature;
    use dfn_crypto::{MessageHash, MinSig, SecretKey, Suite};
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn every_member_holds_a_share_of_its_group_key() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let processes: Vec<GroupMember<MinSig>> = (0..30)
            .map(|_| {
                let key = SecretKey::<MinSig>::random(&mut rng).public_key();
                GroupMember {
                    id: ProcessId::of(&key),
                    key,
                }
            })
            .collect();
        let seed = formation_seed(&[3; 32], 0);
        let dealt = deal_groups(&processes, &seed, 7, 5, 4, &mut rng).unwrap();
        let ids: Vec<ProcessId> = processes.iter().map(|p| p.id).collect();
        let formed = form_groups(&ids, &seed, 7, 5).unwrap();
        let hash = MessageHash::<MinSig>::new(Suite::Basic, b"m");
        for (g, group) in dealt.set.groups().iter().enumerate() {
            let at = &dealt.members[g];
            let listed: Vec<ProcessId> = at.iter().map(|i| processes[*i].id).collect();
            assert_eq!(listed, formed[g], "the beacon's permutation");
            let sigs: Vec<_> = at
                .iter()
                .map(|i| dealt.shares[*i][&group.id()].sign_hash(&hash))
                .collect();
            let signature = recover_signature(4, &sigs[..4]).unwrap();
            assert!(group.keys().group_key().verify_hash(&hash, &signature));
        }
        let held: usize = dealt.shares.iter().map(BTreeMap::len).sum();
        assert_eq!(held, 7 * 5);
    }
}
