//! A public chain built directly (no network): dealt groups, the beacon
//! values, one notarized block per height on a `WorldState`, and the
//! certified reads of it.

use std::sync::Arc;

use dfn_beacon::{GroupId, GroupMember, GroupSet, ProcessId, deal_group, round};
use dfn_crypto::threshold::{SecretKeyShare, recover_signature};
use dfn_crypto::{MessageHash, MinSig, SecretKey, Signature, Suite};
use dfn_interop::{CertifiedRead, LightBeacon, NotarizedHeader};
use dfn_psp::{Block, BlockHash, Notarization, Proposal, notary_hash};
use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, B256, U256};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

pub type V = MinSig;

pub struct Public {
    pub genesis: [u8; 32],
    pub groups: GroupSet<V>,
    shares: Vec<Vec<SecretKeyShare<V>>>,
    threshold: u32,
    maker: SecretKey<V>,
    /// `σ^h` at index `h − 1`.
    pub values: Vec<Signature<V>>,
    pub blocks: Vec<Block<V>>,
    pub notarizations: Vec<Notarization<V>>,
    pub state: WorldState,
    /// The state root of height `h` at index `h − 1`.
    pub roots: Vec<B256>,
}

impl Public {
    /// `count` groups of `size` members, threshold `threshold`.
    pub fn new(seed: u64, count: u64, size: usize, threshold: u32) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let keys: Vec<SecretKey<V>> = (0..size).map(|_| SecretKey::random(&mut rng)).collect();
        let members: Vec<GroupMember<V>> = keys
            .iter()
            .map(|k| GroupMember {
                id: ProcessId::of(&k.public_key()),
                key: k.public_key(),
            })
            .collect();
        let mut list = Vec::new();
        let mut shares = Vec::new();
        for g in 0..count {
            let (group, s) = deal_group(GroupId(g), members.clone(), threshold, &mut rng).unwrap();
            list.push(Arc::new(group));
            shares.push(s);
        }
        let mut genesis = [0u8; 32];
        genesis[..8].copy_from_slice(&seed.to_be_bytes());
        Self {
            genesis,
            groups: GroupSet::new(list).unwrap(),
            shares,
            threshold,
            maker: keys[0].clone(),
            values: Vec::new(),
            blocks: Vec::new(),
            notarizations: Vec::new(),
            state: WorldState::new(MemoryStore::new()),
            roots: Vec::new(),
        }
    }

    pub fn height(&self) -> u64 {
        self.blocks.len() as u64
    }

    /// `σ^{h−1}` (the genesis seed for `h = 1`).
    pub fn previous(&self, height: u64) -> Vec<u8> {
        if height == 1 {
            self.genesis.to_vec()
        } else {
            self.values[height as usize - 2]
                .to_bytes()
                .as_ref()
                .to_vec()
        }
    }

    fn group_sign(&self, previous: &[u8], hash: &MessageHash<V>) -> Signature<V> {
        let (position, _) = self.groups.select(previous).unwrap();
        let shares: Vec<_> = self.shares[position]
            .iter()
            .take(self.threshold as usize)
            .map(|s| s.sign_hash(hash))
            .collect();
        recover_signature(self.threshold, &shares).unwrap()
    }

    /// Applies `payload` to the state and adds the next block (notarized),
    /// and the beacon value of its height.
    pub fn extend(&mut self, payload: impl FnOnce(&mut WorldState)) -> u64 {
        payload(&mut self.state);
        self.state.finalize_transaction().unwrap();
        let root = self.state.persist().unwrap();
        let height = self.height() + 1;
        let previous = self.previous(height);
        let parent = self
            .blocks
            .last()
            .map_or(BlockHash::genesis(&self.genesis), Block::hash);
        let block = Block::sign(
            Proposal {
                height,
                parent,
                slot: 0,
                maker: ProcessId::of(&self.maker.public_key()),
                state_root: root.0,
                payload: height.to_be_bytes().to_vec(),
            },
            &self.maker,
        );
        let notarization = Notarization {
            height,
            block: block.hash(),
            signature: self.group_sign(&previous, &notary_hash(height, &block.hash())),
        };
        let value = self.group_sign(
            &previous,
            &MessageHash::new(Suite::Basic, &round::message(&previous, height)),
        );
        self.values.push(value);
        self.blocks.push(block);
        self.notarizations.push(notarization);
        self.roots.push(root);
        height
    }

    /// A light beacon that verified the values of heights `1..=upto`.
    pub fn beacon(&self, upto: u64) -> LightBeacon {
        let mut beacon = LightBeacon::new(self.genesis, self.groups.root());
        for h in 1..=upto {
            let proof = self
                .groups
                .value_proof(&self.previous(h), h, self.values[h as usize - 1])
                .unwrap();
            beacon.accept(&proof).unwrap();
        }
        beacon
    }

    pub fn header(&self, height: u64) -> NotarizedHeader<V> {
        let i = height as usize - 1;
        NotarizedHeader::new(
            &self.blocks[i],
            &self.notarizations[i],
            &self.groups,
            &self.previous(height),
        )
        .unwrap()
    }

    /// The state as of `height`.
    pub fn state_at(&self, height: u64) -> WorldState {
        WorldState::open(self.state.store().clone(), self.roots[height as usize - 1])
    }

    /// A read of `address` (and `slot`) at `height` with `confirmations`
    /// descendants.
    pub fn read(
        &self,
        height: u64,
        confirmations: u64,
        address: Address,
        slot: Option<U256>,
    ) -> CertifiedRead<V> {
        let headers = (height..=height + confirmations)
            .map(|h| self.header(h))
            .collect();
        CertifiedRead::prove(&mut self.state_at(height), headers, address, slot).unwrap()
    }
}
