//! Blocks: the header every process hashes and the maker signs, and the
//! opaque payload it commits to.

use alloc::vec::Vec;
use core::fmt;

use dfn_beacon::ProcessId;
use dfn_crypto::{PublicKey, SecretKey, Signature, Suite, Variant};
use sha2::{Digest, Sha256};

use crate::wire::{KIND_BLOCK, WIRE_VERSION};

/// The domain tag of a maker's signature on its block.
pub const BLOCK_TAG: &[u8] = b"DFN-BLOCK-V1";

/// Bytes of a block header.
pub const HEADER_LEN: usize = 2 + 8 + 32 + 4 + 20 + 32 + 32;

/// A block's id: SHA-256 of its header.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlockHash(pub [u8; 32]);

impl BlockHash {
    /// The hash of the genesis block of the chain seeded by `seed`:
    /// `SHA-256("DFN-GENESIS-V1" ‖ seed)`.
    pub fn genesis(seed: &[u8; 32]) -> Self {
        let mut h = Sha256::new();
        h.update(b"DFN-GENESIS-V1");
        h.update(seed);
        BlockHash(h.finalize().into())
    }
}

impl fmt::Debug for BlockHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlockHash(")?;
        for b in self.0.iter().take(6) {
            write!(f, "{b:02x}")?;
        }
        write!(f, "…)")
    }
}

/// A block: `{height, parent, slot, maker, payload hash, state root}` (the
/// header), the payload, and the maker's signature on the header's hash.
///
/// Header layout (130 bytes; the hash is SHA-256 of it):
///
/// | offset | bytes | field |
/// |---|---|---|
/// | 0 | 1 | version = 1 |
/// | 1 | 1 | kind = 3 |
/// | 2 | 8 | height |
/// | 10 | 32 | parent hash |
/// | 42 | 4 | slot (the maker's position in the priority list) |
/// | 46 | 20 | maker's process id |
/// | 66 | 32 | SHA-256 of the payload |
/// | 98 | 32 | state root after the payload |
#[derive(Clone, PartialEq, Eq)]
pub struct Block<V: Variant> {
    height: u64,
    parent: BlockHash,
    slot: u32,
    maker: ProcessId,
    payload_hash: [u8; 32],
    state_root: [u8; 32],
    payload: Vec<u8>,
    signature: Signature<V>,
    hash: BlockHash,
}

impl<V: Variant> fmt::Debug for Block<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Block")
            .field("height", &self.height)
            .field("slot", &self.slot)
            .field("maker", &self.maker)
            .field("hash", &self.hash)
            .field("parent", &self.parent)
            .field("payload_len", &self.payload.len())
            .finish()
    }
}

/// The fields a maker fills in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// The height.
    pub height: u64,
    /// The notarized block it extends.
    pub parent: BlockHash,
    /// The maker's slot at the height.
    pub slot: u32,
    /// The maker.
    pub maker: ProcessId,
    /// The state root after the payload (the host's; opaque here).
    pub state_root: [u8; 32],
    /// The payload (the host's; opaque here).
    pub payload: Vec<u8>,
}

impl<V: Variant> Block<V> {
    /// The block of `proposal`, signed with the maker's identity key.
    pub fn sign(proposal: Proposal, identity: &SecretKey<V>) -> Self {
        let payload_hash: [u8; 32] = Sha256::digest(&proposal.payload).into();
        let hash = header_hash(&header(&proposal, &payload_hash));
        let signature = identity.sign(Suite::ProofOfPossession, &signed_bytes(&hash));
        Self {
            height: proposal.height,
            parent: proposal.parent,
            slot: proposal.slot,
            maker: proposal.maker,
            payload_hash,
            state_root: proposal.state_root,
            payload: proposal.payload,
            signature,
            hash,
        }
    }

    /// Reassembles a decoded block (the payload hash is recomputed, so
    /// the header always commits to the payload carried).
    pub(crate) fn from_parts(
        proposal: Proposal,
        claimed_payload_hash: [u8; 32],
        signature: Signature<V>,
    ) -> Option<Self> {
        let payload_hash: [u8; 32] = Sha256::digest(&proposal.payload).into();
        if payload_hash != claimed_payload_hash {
            return None;
        }
        let hash = header_hash(&header(&proposal, &payload_hash));
        Some(Self {
            height: proposal.height,
            parent: proposal.parent,
            slot: proposal.slot,
            maker: proposal.maker,
            payload_hash,
            state_root: proposal.state_root,
            payload: proposal.payload,
            signature,
            hash,
        })
    }

    /// Whether `key` (the maker's identity key) signed the block.
    pub fn verify_maker(&self, key: &PublicKey<V>) -> bool {
        key.verify(
            Suite::ProofOfPossession,
            &signed_bytes(&self.hash),
            &self.signature,
        )
    }

    /// The block's hash.
    pub fn hash(&self) -> BlockHash {
        self.hash
    }

    /// The height.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// The parent's hash.
    pub fn parent(&self) -> BlockHash {
        self.parent
    }

    /// The maker's slot.
    pub fn slot(&self) -> u32 {
        self.slot
    }

    /// The maker.
    pub fn maker(&self) -> ProcessId {
        self.maker
    }

    /// SHA-256 of the payload.
    pub fn payload_hash(&self) -> [u8; 32] {
        self.payload_hash
    }

    /// The state root after the payload.
    pub fn state_root(&self) -> [u8; 32] {
        self.state_root
    }

    /// The payload.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The maker's signature.
    pub fn signature(&self) -> &Signature<V> {
        &self.signature
    }

    /// The header bytes (what the hash covers).
    pub fn header_bytes(&self) -> Vec<u8> {
        header(
            &Proposal {
                height: self.height,
                parent: self.parent,
                slot: self.slot,
                maker: self.maker,
                state_root: self.state_root,
                payload: Vec::new(),
            },
            &self.payload_hash,
        )
    }
}

fn header(p: &Proposal, payload_hash: &[u8; 32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN);
    out.push(WIRE_VERSION);
    out.push(KIND_BLOCK);
    out.extend_from_slice(&p.height.to_be_bytes());
    out.extend_from_slice(&p.parent.0);
    out.extend_from_slice(&p.slot.to_be_bytes());
    out.extend_from_slice(&p.maker.0);
    out.extend_from_slice(payload_hash);
    out.extend_from_slice(&p.state_root);
    out
}

fn header_hash(header: &[u8]) -> BlockHash {
    BlockHash(Sha256::digest(header).into())
}

/// `BLOCK_TAG ‖ hash`: what the maker signs.
fn signed_bytes(hash: &BlockHash) -> Vec<u8> {
    [BLOCK_TAG, &hash.0].concat()
}
