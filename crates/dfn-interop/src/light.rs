//! A private process's view of the public beacon: it follows the public
//! chain's beacon as a light client, holding only the Merkle roots of the
//! public group sets, and keeps the verified values `σ^h` it needs to know
//! which group notarizes each public height.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use dfn_beacon::merkle::Hash;
use dfn_beacon::{ChainVerifier, LightError, ValueProof};
use dfn_crypto::Variant;

/// The public beacon as a light client sees it.
///
/// Values arrive in height order from any (untrusted) public process as
/// [`ValueProof`]s; each is checked against the group-set root serving
/// its height ([`dfn_beacon::verify_value`]: the selected group, its key's
/// Merkle path, its signature) before it is kept.
#[derive(Clone, Debug)]
pub struct LightBeacon {
    genesis_seed: [u8; 32],
    /// Group-set roots by the first height they serve.
    roots: BTreeMap<u64, Hash>,
    verifier: ChainVerifier,
    /// Verified `σ^h` (compressed) by height.
    values: BTreeMap<u64, Vec<u8>>,
}

impl LightBeacon {
    /// A light client of the public chain seeded by `genesis_seed`, whose
    /// group set with root `root` serves heights from 1 on.
    pub fn new(genesis_seed: [u8; 32], root: Hash) -> Self {
        let mut roots = BTreeMap::new();
        roots.insert(1, root);
        Self {
            genesis_seed,
            roots,
            verifier: ChainVerifier::new(genesis_seed),
            values: BTreeMap::new(),
        }
    }

    /// A new group set (with root `root`) serves heights from
    /// `first_height` on. The roots come from where the private network
    /// takes its trust in the public one (its configuration, or a public
    /// registry it already verified).
    pub fn add_group_set(&mut self, first_height: u64, root: Hash) {
        self.roots.insert(first_height, root);
    }

    /// The root of the group set serving `height`.
    pub fn root(&self, height: u64) -> Option<&Hash> {
        self.roots.range(..=height).next_back().map(|(_, r)| r)
    }

    /// The highest verified height (0 before any).
    pub fn height(&self) -> u64 {
        self.verifier.next_height().saturating_sub(1)
    }

    /// Verifies the next value and keeps it. Returns its randomness.
    pub fn accept<V: Variant>(&mut self, proof: &ValueProof<V>) -> Result<[u8; 32], LightError> {
        let root = *self.root(proof.height).ok_or(LightError::NotInSet)?;
        let randomness = self.verifier.verify_next(&root, proof)?;
        self.values
            .insert(proof.height, proof.signature.to_bytes().as_ref().to_vec());
        Ok(randomness)
    }

    /// `σ^{h−1}`, the value that selects the group of height `h` (the
    /// genesis seed for `h = 1`), if verified.
    pub fn previous(&self, height: u64) -> Option<&[u8]> {
        match height {
            0 => None,
            1 => Some(&self.genesis_seed),
            h => self.values.get(&(h - 1)).map(Vec::as_slice),
        }
    }

    /// Forgets the values only heights below `height` need (those heights
    /// can no longer be certified here; a policy's minimum height makes
    /// them stale anyway).
    pub fn prune_below(&mut self, height: u64) {
        self.values = self.values.split_off(&height.saturating_sub(1));
    }
}
