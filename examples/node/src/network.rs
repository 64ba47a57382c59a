//! The genesis and a key file, decoded and checked against each other: what
//! one process needs to run.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use dfn_beacon::{Group, GroupId, GroupMember, GroupSet, ProcessId};
use dfn_crypto::threshold::{PublicPolynomial, SecretKeyShare};
use dfn_crypto::{PublicKey, SecretKey};
use dfn_psp::{Processes, PspConfig};
use libp2p::identity::Keypair;
use libp2p::{Multiaddr, PeerId};
use sha2::{Digest, Sha256};

use crate::error::NodeError;
use crate::genesis::{
    GENESIS_VERSION, GenesisFile, KeyFile, V, hex32, p2p_keypair, peer_id, process_id,
};

/// One process of the network as the others reach it.
#[derive(Clone, Debug)]
pub struct Peer {
    /// Its position in the genesis list (the index the logs print).
    pub index: usize,
    /// Its process id.
    pub id: ProcessId,
    /// Its libp2p peer id (authenticates its gossip).
    pub peer: PeerId,
    /// Where it listens.
    pub addr: Multiaddr,
}

/// The public network: chain parameters, processes, groups.
#[derive(Clone, Debug)]
pub struct Network {
    /// The chain's parameters.
    pub config: PspConfig,
    /// The groups (every height from 1 on).
    pub groups: Arc<GroupSet<V>>,
    /// The eligible block makers.
    pub processes: Arc<Processes<V>>,
    /// Every process, in genesis order.
    pub peers: Vec<Peer>,
    /// A short name of this chain (genesis seed and group-set root): the
    /// gossip topics carry it, so two networks never mix.
    pub tag: String,
}

/// One process's secrets.
pub struct Keys {
    /// Its index in the genesis list.
    pub index: usize,
    /// The BLS identity key.
    pub identity: SecretKey<V>,
    /// The libp2p identity.
    pub p2p: Keypair,
    /// Its share in each of its groups.
    pub shares: BTreeMap<GroupId, SecretKeyShare<V>>,
}

impl Network {
    /// Decodes and checks a genesis file.
    pub fn from_genesis(genesis: &GenesisFile) -> Result<Self, NodeError> {
        if genesis.version != GENESIS_VERSION {
            return Err(NodeError::Genesis(format!(
                "version {} (this node reads {GENESIS_VERSION})",
                genesis.version
            )));
        }
        let c = &genesis.chain;
        let seed = hex32("genesis seed", &c.genesis_seed)?;
        let mut config = PspConfig::new(seed);
        config.block_time_ms = c.block_time_ms;
        config.slot_ms = c.slot_ms;
        config.delta_ms = c.delta_ms;
        config.max_block_time_ms = c.max_block_time_ms;
        config.stall_ms = c.stall_ms;
        config.catch_up_timeout_ms = c.catch_up_timeout_ms;
        config.beacon.stall_ms = c.beacon_stall_ms;
        config.validate()?;

        let mut peers = Vec::with_capacity(genesis.processes.len());
        let mut members = BTreeMap::new();
        for (index, p) in genesis.processes.iter().enumerate() {
            let id = process_id(&p.id)?;
            let key_bytes = hex::decode(&p.key)
                .map_err(|e| NodeError::Genesis(format!("process {index} key: {e}")))?;
            let key = PublicKey::<V>::from_bytes(&key_bytes)
                .map_err(|e| NodeError::Genesis(format!("process {index} key: {e}")))?;
            if ProcessId::of(&key) != id {
                return Err(NodeError::Genesis(format!(
                    "process {index}: id {id} is not its key's"
                )));
            }
            let addr: Multiaddr = p
                .addr
                .parse()
                .map_err(|e| NodeError::Genesis(format!("process {index} addr: {e}")))?;
            if members.insert(id, GroupMember { id, key }).is_some() {
                return Err(NodeError::Genesis(format!("process {id} appears twice")));
            }
            peers.push(Peer {
                index,
                id,
                peer: peer_id(&p.peer_id)?,
                addr,
            });
        }
        let distinct: BTreeSet<PeerId> = peers.iter().map(|p| p.peer).collect();
        if peers.is_empty() || distinct.len() != peers.len() {
            return Err(NodeError::Genesis(
                "processes missing or peer ids repeated".into(),
            ));
        }

        let mut groups = Vec::with_capacity(genesis.groups.len());
        for g in &genesis.groups {
            let group_members = g
                .members
                .iter()
                .map(|m| {
                    let id = process_id(m)?;
                    members.get(&id).copied().ok_or_else(|| {
                        NodeError::Genesis(format!("group {} holds unknown process {id}", g.id))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let poly_bytes = hex::decode(&g.polynomial)
                .map_err(|e| NodeError::Genesis(format!("group {} polynomial: {e}", g.id)))?;
            let poly = PublicPolynomial::<V>::from_bytes(&poly_bytes)
                .map_err(|e| NodeError::Genesis(format!("group {} polynomial: {e}", g.id)))?;
            let n = u32::try_from(group_members.len())
                .map_err(|_| NodeError::Genesis(format!("group {} too large", g.id)))?;
            let keys = poly.share_keys(n)?;
            groups.push(Arc::new(Group::new(
                GroupId(g.id),
                group_members,
                Arc::new(keys),
            )?));
        }
        if groups.is_empty() {
            return Err(NodeError::Genesis("no groups".into()));
        }
        let groups = Arc::new(GroupSet::new(groups)?);
        let mut tag = Sha256::new();
        tag.update(b"DFN-NODE-CHAIN-V1");
        tag.update(seed);
        tag.update(groups.root());
        let tag = hex::encode(tag.finalize().get(..8).unwrap_or_default());
        Ok(Self {
            config,
            groups,
            processes: Arc::new(Processes::new(members.into_values().collect())),
            peers,
            tag,
        })
    }

    /// The process with libp2p identity `peer`.
    pub fn by_peer(&self, peer: &PeerId) -> Option<&Peer> {
        self.peers.iter().find(|p| &p.peer == peer)
    }

    /// The process with id `id`.
    pub fn by_id(&self, id: &ProcessId) -> Option<&Peer> {
        self.peers.iter().find(|p| &p.id == id)
    }

    /// Decodes a key file and checks it against this network: the identity
    /// and libp2p keys are the listed ones, every share is a member's and
    /// consistent with its group's public polynomial.
    pub fn keys(&self, genesis: &GenesisFile, file: &KeyFile) -> Result<Keys, NodeError> {
        let me = self
            .peers
            .get(file.index)
            .ok_or_else(|| NodeError::Key(format!("no process {} in the genesis", file.index)))?;
        let identity = SecretKey::<V>::from_bytes(&hex32("identity", &file.identity)?)
            .map_err(|e| NodeError::Key(format!("identity: {e}")))?;
        if ProcessId::of(&identity.public_key()) != me.id {
            return Err(NodeError::Key(format!(
                "identity is not process {}'s",
                file.index
            )));
        }
        let p2p = p2p_keypair(&hex32("p2p", &file.p2p)?)?;
        if p2p.public().to_peer_id() != me.peer {
            return Err(NodeError::Key(format!(
                "p2p key is not process {}'s",
                file.index
            )));
        }
        let mut shares = BTreeMap::new();
        for entry in &file.shares {
            let id = GroupId(entry.group);
            let group = self.groups.get(id).ok_or_else(|| {
                NodeError::Key(format!("share for unknown group {}", entry.group))
            })?;
            let bytes = hex::decode(&entry.share)
                .map_err(|e| NodeError::Key(format!("group {} share: {e}", entry.group)))?;
            let share = SecretKeyShare::<V>::from_bytes(&bytes)
                .map_err(|e| NodeError::Key(format!("group {} share: {e}", entry.group)))?;
            let polynomial = genesis
                .groups
                .iter()
                .find(|g| g.id == entry.group)
                .and_then(|g| hex::decode(&g.polynomial).ok())
                .and_then(|b| PublicPolynomial::<V>::from_bytes(&b).ok())
                .ok_or_else(|| NodeError::Key(format!("group {} polynomial", entry.group)))?;
            if group.index_of(&me.id) != Some(share.index()) || !polynomial.verify_share(&share) {
                return Err(NodeError::Key(format!(
                    "share for group {} is not this member's",
                    entry.group
                )));
            }
            shares.insert(id, share);
        }
        Ok(Keys {
            index: file.index,
            identity,
            p2p,
            shares,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]

    use super::*;
    use crate::genesis::{ChainParams, DealSpec, deal};

    fn dealt() -> (GenesisFile, Vec<KeyFile>) {
        let spec = DealSpec {
            nodes: 4,
            groups: 2,
            group_size: 3,
            threshold: 2,
            addrs: (0..4)
                .map(|i| format!("/ip4/127.0.0.1/tcp/{}", 9000 + i).parse().unwrap())
                .collect(),
            chain: ChainParams {
                genesis_seed: String::new(),
                block_time_ms: 1_000,
                slot_ms: 250,
                delta_ms: 300,
                max_block_time_ms: 8_000,
                stall_ms: 5_000,
                beacon_stall_ms: 5_000,
                catch_up_timeout_ms: 2_000,
            },
            seed: Some(1),
        };
        let (genesis, keys) = deal(&spec).unwrap();
        // Through JSON, as the files on disk.
        let text = serde_json::to_string(&genesis).unwrap();
        (serde_json::from_str(&text).unwrap(), keys)
    }

    #[test]
    fn every_dealt_key_file_loads_against_the_genesis() {
        let (genesis, files) = dealt();
        let network = Network::from_genesis(&genesis).unwrap();
        assert_eq!(network.peers.len(), 4);
        assert_eq!(network.groups.groups().len(), 2);
        let mut shares = 0;
        for file in &files {
            let keys = network.keys(&genesis, file).unwrap();
            assert_eq!(
                keys.p2p.public().to_peer_id(),
                network.peers[file.index].peer
            );
            shares += keys.shares.len();
        }
        assert_eq!(shares, 2 * 3, "every member of every group holds a share");
    }

    #[test]
    fn the_same_seed_deals_the_same_network() {
        assert_eq!(dealt(), dealt());
    }

    #[test]
    fn another_process_key_file_is_refused() {
        let (genesis, files) = dealt();
        let network = Network::from_genesis(&genesis).unwrap();
        let mut file = files[1].clone();
        file.index = 0;
        assert!(matches!(
            network.keys(&genesis, &file),
            Err(NodeError::Key(_))
        ));
    }

    #[test]
    fn another_member_share_is_refused() {
        let (genesis, mut files) = dealt();
        let network = Network::from_genesis(&genesis).unwrap();
        // Two holders of group 0 swap their shares.
        let holders: Vec<usize> = files
            .iter()
            .filter(|f| f.shares.iter().any(|s| s.group == 0))
            .map(|f| f.index)
            .collect();
        let (a, b) = (holders[0], holders[1]);
        let share_of = |f: &KeyFile| {
            f.shares
                .iter()
                .find(|s| s.group == 0)
                .unwrap()
                .share
                .clone()
        };
        let stolen = share_of(&files[b]);
        for s in &mut files[a].shares {
            if s.group == 0 {
                s.share = stolen.clone();
            }
        }
        assert!(matches!(
            network.keys(&genesis, &files[a]),
            Err(NodeError::Key(_))
        ));
    }

    #[test]
    fn a_tampered_genesis_is_refused() {
        let (genesis, _) = dealt();
        let mut wrong_id = genesis.clone();
        wrong_id.processes[0].id = wrong_id.processes[1].id.clone();
        assert!(matches!(
            Network::from_genesis(&wrong_id),
            Err(NodeError::Genesis(_))
        ));
        let mut short_poly = genesis.clone();
        short_poly.groups[0].polynomial.truncate(10);
        assert!(matches!(
            Network::from_genesis(&short_poly),
            Err(NodeError::Genesis(_))
        ));
        let mut garbage = genesis.clone();
        garbage.processes[2].key = "zz".into();
        assert!(matches!(
            Network::from_genesis(&garbage),
            Err(NodeError::Genesis(_))
        ));
        let mut unsafe_timing = genesis;
        unsafe_timing.chain.delta_ms = unsafe_timing.chain.block_time_ms;
        assert!(matches!(
            Network::from_genesis(&unsafe_timing),
            Err(NodeError::Config(_))
        ));
    }
}
