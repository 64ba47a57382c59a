//! A private network set up by a trusted dealer (`protocol.md` §6): the
//! dealer fixes the process list, forms the groups and deals their keys,
//! so no Sybil resistance and no DKG are needed; every process then runs
//! the same `dfn_psp::PspNode` (with the beacon inside) as the public
//! chain.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::sync::Arc;
use alloc::vec::Vec;

use dfn_beacon::{GroupError, GroupId, GroupMember, GroupSet, ProcessId, deal_groups};
use dfn_crypto::threshold::SecretKeyShare;
use dfn_crypto::{SecretKey, Time, Variant};
use dfn_psp::{ConfigError, Processes, PspConfig, PspNode};
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::post::PostKey;

/// What the dealer decides besides the process list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dealer {
    /// The chain's parameters (the genesis seed names the network).
    pub config: PspConfig,
    /// How many groups.
    pub groups: usize,
    /// Members per group.
    pub group_size: usize,
    /// Shares needed per group.
    pub threshold: u32,
}

/// Why a private network cannot be dealt or a node built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DealError {
    /// The process list is empty, or no group was asked for.
    #[error("a network needs at least one process and one group")]
    Empty,
    /// Two identities have one process id.
    #[error("process {0} appears twice")]
    Duplicate(ProcessId),
    /// The groups cannot be formed or dealt.
    #[error("groups: {0}")]
    Group(#[from] GroupError),
    /// The chain parameters break the finality rule's invariants.
    #[error("config: {0}")]
    Config(#[from] ConfigError),
    /// No process at this position of the dealt list.
    #[error("no process {0}")]
    NoProcess(usize),
}

/// One process's key material: its identity key and its secret share in
/// each group it belongs to.
#[derive(Clone, Debug)]
pub struct ProcessKeys<V: Variant> {
    /// The process id.
    pub id: ProcessId,
    /// The identity key (signs blocks and share messages).
    pub identity: SecretKey<V>,
    /// Its share in each of its groups.
    pub shares: BTreeMap<GroupId, SecretKeyShare<V>>,
}

/// A dealt private network: everything its processes need to run.
#[derive(Clone, Debug)]
pub struct PrivateNetwork<V: Variant> {
    /// The chain's parameters.
    pub config: PspConfig,
    /// The groups (serving every height from 1).
    pub groups: Arc<GroupSet<V>>,
    /// The eligible block makers (every process).
    pub processes: Arc<Processes<V>>,
    /// Each process's keys, in the order the identities were given.
    pub keys: Vec<ProcessKeys<V>>,
    /// Which processes are in each group.
    pub members: BTreeMap<GroupId, Vec<ProcessId>>,
    /// The key of the network's public account: every process holds it and
    /// signs the network's posts to the public chain with it.
    pub post_key: PostKey,
}

/// The private chain's id: `SHA-256("DFN-PRIVATE-CHAIN-V1" ‖ genesis seed ‖
/// group-set root)`. Twin ids are derived from it, so two private networks
/// never name the same twin.
pub fn private_chain_id(genesis_seed: &[u8; 32], group_set_root: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"DFN-PRIVATE-CHAIN-V1");
    h.update(genesis_seed);
    h.update(group_set_root);
    h.finalize().into()
}

impl Dealer {
    /// Deals a network of the processes with identity keys `identities`:
    /// groups formed from the ids by dfn-beacon's seeded permutation
    /// (seeded by the genesis seed, epoch 0), each group's polynomial drawn
    /// from `rng`.
    pub fn deal<V: Variant, R: CryptoRng + ?Sized>(
        &self,
        identities: Vec<SecretKey<V>>,
        rng: &mut R,
    ) -> Result<PrivateNetwork<V>, DealError> {
        self.config.validate()?;
        if identities.is_empty() || self.groups == 0 {
            return Err(DealError::Empty);
        }
        let members: Vec<GroupMember<V>> = identities
            .iter()
            .map(|k| GroupMember {
                id: ProcessId::of(&k.public_key()),
                key: k.public_key(),
            })
            .collect();
        let mut seen = BTreeSet::new();
        for m in &members {
            if !seen.insert(m.id) {
                return Err(DealError::Duplicate(m.id));
            }
        }
        let seed = dfn_beacon::formation_seed(&self.config.beacon.genesis_seed, 0);
        let dealt = deal_groups(
            &members,
            &seed,
            self.group_size,
            self.groups,
            self.threshold,
            rng,
        )?;
        let membership = dealt
            .membership()
            .map(|(g, at)| {
                let ids = at.iter().filter_map(|p| members.get(*p)).map(|m| m.id);
                (g, ids.collect())
            })
            .collect();
        let keys = identities
            .into_iter()
            .zip(&members)
            .zip(dealt.shares)
            .map(|((identity, m), shares)| ProcessKeys {
                id: m.id,
                shares,
                identity,
            })
            .collect();
        // Drawn last, so the groups are those of the same seed without it.
        let post_key = PostKey::random(rng);
        Ok(PrivateNetwork {
            config: self.config,
            groups: Arc::new(dealt.set),
            processes: Arc::new(Processes::new(members)),
            keys,
            members: membership,
            post_key,
        })
    }
}

impl<V: Variant> PrivateNetwork<V> {
    /// The chain id ([`private_chain_id`]).
    pub fn chain_id(&self) -> [u8; 32] {
        private_chain_id(&self.config.beacon.genesis_seed, &self.groups.root())
    }

    /// The chain node of process `index` (its position in the dealt list),
    /// with the groups installed and its shares added, ready to
    /// [`start`](PspNode::start).
    pub fn node<R: CryptoRng + ?Sized>(
        &self,
        index: usize,
        rng: &mut R,
    ) -> Result<PspNode<V>, DealError> {
        let keys = self.keys.get(index).ok_or(DealError::NoProcess(index))?;
        let mut node = PspNode::new(
            self.config,
            keys.identity.clone(),
            Arc::clone(&self.processes),
            rng,
        )?;
        node.install_groups(Time::ZERO, 1, Arc::clone(&self.groups));
        for (group, share) in &keys.shares {
            node.add_group_share(*group, share.clone());
        }
        Ok(node)
    }
}
