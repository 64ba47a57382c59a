//! The network's genesis: a trusted dealer fixes the processes, forms the
//! groups and deals their keys, and writes one public genesis file plus one
//! secret key file per process.
//!
//! The genesis file holds only public facts (chain parameters, each
//! process's BLS key, libp2p peer id and address, each group's members and
//! public polynomial); a key file holds one process's BLS identity key, its
//! libp2p key and its secret share in each of its groups.

use std::path::{Path, PathBuf};

use dfn_beacon::{GroupMember, ProcessId, form_groups, formation_seed};
use dfn_crypto::threshold::SecretPolynomial;
use dfn_crypto::{MinSig, SecretKey};
use libp2p::identity::Keypair;
use libp2p::{Multiaddr, PeerId};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::error::NodeError;

/// The signature variant every dfn node runs (48-byte signatures).
pub type V = MinSig;

/// The genesis file format version.
pub const GENESIS_VERSION: u32 = 1;

/// The chain parameters a genesis fixes (the rest keep dfn-psp's defaults).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainParams {
    /// The genesis seed `σ⁰` (32 bytes, hex).
    pub genesis_seed: String,
    /// `BT`, the base block time.
    pub block_time_ms: u64,
    /// `Δslot`.
    pub slot_ms: u64,
    /// `Δ`, the delay bound (`BT > 2Δ`).
    pub delta_ms: u64,
    /// The cap of the adaptive block time.
    pub max_block_time_ms: u64,
    /// Chain stall resend interval.
    pub stall_ms: u64,
    /// Beacon stall resend interval.
    pub beacon_stall_ms: u64,
    /// A catch-up request unanswered this long may be sent again.
    pub catch_up_timeout_ms: u64,
}

/// One process as every other process knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessEntry {
    /// The process id (20 bytes, hex).
    pub id: String,
    /// The BLS identity public key (compressed, hex).
    pub key: String,
    /// The libp2p peer id (base58).
    pub peer_id: String,
    /// Where it listens (a multiaddr).
    pub addr: String,
}

/// One group: members in index order and the public polynomial.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupEntry {
    /// The group id.
    pub id: u64,
    /// Member process ids in index order (member `i` is index `i + 1`).
    pub members: Vec<String>,
    /// The concatenated compressed coefficients `A_0..A_{t−1}`, hex.
    pub polynomial: String,
}

/// The public genesis file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisFile {
    /// [`GENESIS_VERSION`].
    pub version: u32,
    /// Chain parameters.
    pub chain: ChainParams,
    /// Every process, in dealing order (its position is its index).
    pub processes: Vec<ProcessEntry>,
    /// Every group, ascending by id.
    pub groups: Vec<GroupEntry>,
}

/// One process's secret share in one group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareEntry {
    /// The group id.
    pub group: u64,
    /// The share (4-byte index ‖ 32-byte scalar, hex).
    pub share: String,
}

/// One process's secret key file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyFile {
    /// The process's index in the genesis list.
    pub index: usize,
    /// The BLS identity secret key (32 bytes, hex).
    pub identity: String,
    /// The libp2p ed25519 secret key (32 bytes, hex).
    pub p2p: String,
    /// Its shares.
    pub shares: Vec<ShareEntry>,
}

/// What the dealer is asked for.
#[derive(Clone, Debug)]
pub struct DealSpec {
    /// Processes.
    pub nodes: usize,
    /// Groups.
    pub groups: usize,
    /// Members per group.
    pub group_size: usize,
    /// Shares needed per group.
    pub threshold: u32,
    /// Each process's listen address, in order.
    pub addrs: Vec<Multiaddr>,
    /// Chain parameters (the genesis seed is drawn by the dealer).
    pub chain: ChainParams,
    /// Draw keys from this seed (reproducible, insecure) instead of OS
    /// entropy.
    pub seed: Option<u64>,
}

/// The dealer's RNG: OS entropy unless a seed is given.
fn dealer_rng(seed: Option<u64>) -> Result<ChaCha20Rng, NodeError> {
    match seed {
        Some(seed) => Ok(ChaCha20Rng::seed_from_u64(seed)),
        None => {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| NodeError::Entropy(e.to_string()))?;
            Ok(ChaCha20Rng::from_seed(bytes))
        }
    }
}

/// Deals a network: the genesis file and one key file per process.
pub fn deal(spec: &DealSpec) -> Result<(GenesisFile, Vec<KeyFile>), NodeError> {
    if spec.addrs.len() != spec.nodes {
        return Err(NodeError::Usage(format!(
            "{} addresses for {} nodes",
            spec.addrs.len(),
            spec.nodes
        )));
    }
    if spec.nodes == 0 || spec.groups == 0 {
        return Err(NodeError::Usage(
            "need at least one node and one group".into(),
        ));
    }
    if spec.group_size == 0 || spec.group_size > spec.nodes {
        return Err(NodeError::Usage(format!(
            "group size {} for {} nodes",
            spec.group_size, spec.nodes
        )));
    }
    if spec.threshold == 0 || spec.threshold as usize > spec.group_size {
        return Err(NodeError::Usage(format!(
            "threshold {} for groups of {}",
            spec.threshold, spec.group_size
        )));
    }
    let mut rng = dealer_rng(spec.seed)?;
    let mut genesis_seed = [0u8; 32];
    rng.fill_bytes(&mut genesis_seed);
    let chain = ChainParams {
        genesis_seed: hex::encode(genesis_seed),
        ..spec.chain.clone()
    };
    let mut identities = Vec::with_capacity(spec.nodes);
    let mut p2p = Vec::with_capacity(spec.nodes);
    for _ in 0..spec.nodes {
        identities.push(SecretKey::<V>::random(&mut rng));
        let mut secret = [0u8; 32];
        rng.fill_bytes(&mut secret);
        p2p.push(secret);
    }
    let members: Vec<GroupMember<V>> = identities
        .iter()
        .map(|k| GroupMember {
            id: ProcessId::of(&k.public_key()),
            key: k.public_key(),
        })
        .collect();
    let ids: Vec<ProcessId> = members.iter().map(|m| m.id).collect();
    let formed = form_groups(
        &ids,
        &formation_seed(&genesis_seed, 0),
        spec.group_size,
        spec.groups,
    )?;
    let mut keys: Vec<KeyFile> = identities
        .iter()
        .zip(&p2p)
        .enumerate()
        .map(|(index, (identity, p2p))| KeyFile {
            index,
            identity: hex::encode(identity.to_bytes()),
            p2p: hex::encode(p2p),
            shares: Vec::new(),
        })
        .collect();
    let mut groups = Vec::with_capacity(formed.len());
    for (g, group_ids) in (0u64..).zip(formed) {
        let poly = SecretPolynomial::<V>::random(spec.threshold, &mut rng)?;
        let n = u32::try_from(group_ids.len())
            .map_err(|_| NodeError::Usage("group too large".into()))?;
        let shares = poly.shares(n)?;
        for (member, share) in group_ids.iter().zip(shares) {
            let index = ids.iter().position(|id| id == member).ok_or_else(|| {
                NodeError::Genesis(format!("formed group holds unknown {member}"))
            })?;
            if let Some(k) = keys.get_mut(index) {
                k.shares.push(ShareEntry {
                    group: g,
                    share: hex::encode(share.to_bytes()),
                });
            }
        }
        groups.push(GroupEntry {
            id: g,
            members: group_ids.iter().map(ToString::to_string).collect(),
            polynomial: hex::encode(poly.commitment().to_bytes()),
        });
    }
    let mut processes = Vec::with_capacity(spec.nodes);
    for ((member, secret), addr) in members.iter().zip(&p2p).zip(&spec.addrs) {
        processes.push(ProcessEntry {
            id: member.id.to_string(),
            key: hex::encode(member.key.to_bytes()),
            peer_id: p2p_keypair(secret)?.public().to_peer_id().to_string(),
            addr: addr.to_string(),
        });
    }
    let genesis = GenesisFile {
        version: GENESIS_VERSION,
        chain,
        processes,
        groups,
    };
    Ok((genesis, keys))
}

/// The libp2p identity of a 32-byte ed25519 secret.
pub fn p2p_keypair(secret: &[u8; 32]) -> Result<Keypair, NodeError> {
    let mut copy = *secret;
    Keypair::ed25519_from_bytes(&mut copy).map_err(|e| NodeError::Key(format!("p2p key: {e}")))
}

/// Where the dealt files go in `dir`.
pub fn genesis_path(dir: &Path) -> PathBuf {
    dir.join("genesis.json")
}

/// The key file of process `index` in `dir`.
pub fn key_path(dir: &Path, index: usize) -> PathBuf {
    dir.join(format!("node-{index}.key.json"))
}

/// Writes the genesis and key files into `dir` (created if missing).
pub fn write(dir: &Path, genesis: &GenesisFile, keys: &[KeyFile]) -> Result<(), NodeError> {
    std::fs::create_dir_all(dir).map_err(|e| NodeError::Io(dir.display().to_string(), e))?;
    write_json(&genesis_path(dir), genesis)?;
    for key in keys {
        write_json(&key_path(dir, key.index), key)?;
    }
    Ok(())
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), NodeError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| NodeError::Json(path.display().to_string(), e))?;
    std::fs::write(path, text + "\n").map_err(|e| NodeError::Io(path.display().to_string(), e))
}

/// Reads and parses a JSON file.
pub fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, NodeError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| NodeError::Io(path.display().to_string(), e))?;
    serde_json::from_str(&text).map_err(|e| NodeError::Json(path.display().to_string(), e))
}

/// The 32 bytes of a hex field.
pub fn hex32(field: &str, text: &str) -> Result<[u8; 32], NodeError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out)
        .map_err(|e| NodeError::Genesis(format!("{field}: {e}")))?;
    Ok(out)
}

/// A process id from its hex form.
pub fn process_id(text: &str) -> Result<ProcessId, NodeError> {
    let mut out = [0u8; 20];
    hex::decode_to_slice(text, &mut out)
        .map_err(|e| NodeError::Genesis(format!("process id {text}: {e}")))?;
    Ok(ProcessId(out))
}

/// A peer id from its base58 form.
pub fn peer_id(text: &str) -> Result<PeerId, NodeError> {
    text.parse()
        .map_err(|e| NodeError::Genesis(format!("peer id {text}: {e}")))
}
