//! The public block header a certified read starts from: the 130 bytes of
//! a `dfn_psp::Block` header, parsed so the verifier can read the height,
//! the parent and the state root, and hashed to the block's id.

use alloc::vec::Vec;

use dfn_beacon::ProcessId;
use dfn_psp::{BlockHash, HEADER_LEN, WIRE_VERSION};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// The kind byte of a block in dfn-psp's wire format.
const KIND_BLOCK: u8 = 3;

/// A dfn-psp block header (layout: see `dfn_psp::Block`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The height.
    pub height: u64,
    /// The parent block's hash.
    pub parent: BlockHash,
    /// The maker's slot.
    pub slot: u32,
    /// The maker.
    pub maker: ProcessId,
    /// SHA-256 of the payload.
    pub payload_hash: [u8; 32],
    /// The state root after the payload (the Keccak MPT root of the
    /// public `WorldState`).
    pub state_root: [u8; 32],
}

/// Why bytes are not a block header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// Not exactly [`HEADER_LEN`] bytes.
    #[error("a header is 130 bytes, got {0}")]
    Length(usize),
    /// The version byte is not dfn-psp's.
    #[error("unknown header version {0}")]
    Version(u8),
    /// The kind byte is not a block's.
    #[error("kind {0} is not a block")]
    Kind(u8),
}

impl Header {
    /// Parses exactly [`HEADER_LEN`] bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, HeaderError> {
        let short = HeaderError::Length(bytes.len());
        let b: &[u8; HEADER_LEN] = bytes.try_into().map_err(|_| short)?;
        let [version, kind, ..] = *b;
        if version != WIRE_VERSION {
            return Err(HeaderError::Version(version));
        }
        if kind != KIND_BLOCK {
            return Err(HeaderError::Kind(kind));
        }
        let mut r = Reader(b.get(2..).unwrap_or_default());
        Ok(Self {
            height: u64::from_be_bytes(r.take().ok_or(short)?),
            parent: BlockHash(r.take().ok_or(short)?),
            slot: u32::from_be_bytes(r.take().ok_or(short)?),
            maker: ProcessId(r.take().ok_or(short)?),
            payload_hash: r.take().ok_or(short)?,
            state_root: r.take().ok_or(short)?,
        })
    }

    /// The 130 header bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN);
        out.push(WIRE_VERSION);
        out.push(KIND_BLOCK);
        out.extend_from_slice(&self.height.to_be_bytes());
        out.extend_from_slice(&self.parent.0);
        out.extend_from_slice(&self.slot.to_be_bytes());
        out.extend_from_slice(&self.maker.0);
        out.extend_from_slice(&self.payload_hash);
        out.extend_from_slice(&self.state_root);
        out
    }

    /// The block's id: SHA-256 of the header bytes.
    pub fn hash(&self) -> BlockHash {
        BlockHash(Sha256::digest(self.to_bytes()).into())
    }
}

/// Reads fixed-size fields from a slice whose length was checked.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }
}
