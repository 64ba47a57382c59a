//! Unique state copy ids (`protocol.md` §4, `reference.md` §5.6): each
//! stored copy of a shard gets its own id,
//! `USCID = SHA-256(shard ‖ holder ‖ epoch ‖ r)`, is stored *encoded under
//! that id*, and its holder proves possession when the beacon challenges
//! it.
//!
//! # What the encoding is, and is not
//!
//! Chunk `i` of the copy is XORed with a keystream
//! `SHA-256(tag ‖ USCID ‖ i ‖ j)` (`j` counting 32-byte blocks), and the
//! encoded chunks are committed by a binary Merkle root. Two copies of the
//! same data under different USCIDs therefore differ in every chunk, and a
//! holder answering challenges for two USCIDs from one stored copy must
//! re-encode each challenged chunk on the fly. This is a **per-copy
//! commitment, not a proof-of-replication seal**: the encoding is cheap
//! (one hash per 32 bytes), so a holder that keeps one plain copy can
//! encode challenged chunks at answer time. It makes copies distinct and
//! accountable per USCID (rewards and slashing address `(USCID, chunk)`);
//! making one physical copy per USCID *costly to fake* needs a slow seal
//! (Filecoin-style PoRep) or tight answer deadlines, which this module does
//! not provide.
//!
//! Fixed-width integers are big-endian: shard `u32`, epoch `u64`, chunk
//! and block indices `u32`. Leaves are `SHA-256(0x00 ‖ encoded chunk)`,
//! inner nodes `SHA-256(0x01 ‖ left ‖ right)`; the leaf row is padded to a
//! power of two with zero hashes.

use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use crate::draw::reduce;
use crate::hash::B256;
use crate::rlp::{Encode, Rlp, RlpError, bytes_len, encode_bytes, encode_list_header, header_len};

/// Domain tag of the keystream that encodes a copy.
const KEYSTREAM_DOMAIN: &[u8] = b"DFN-USCID-KEYSTREAM-V1";
/// Version of the [`ChunkProof`] encoding (its first list item).
pub const CHUNK_PROOF_VERSION: u64 = 1;
/// Domain tag of the challenge draw.
const CHALLENGE_DOMAIN: &[u8] = b"DFN-USCID-CHALLENGE-V1";
/// Stands in for missing leaves of the padded tree; no chunk hashes to it
/// (finding one would be a SHA-256 preimage).
const PADDING_LEAF: B256 = B256::ZERO;

/// The id of one stored copy of a shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uscid(pub B256);

impl Uscid {
    /// `SHA-256(shard ‖ holder ‖ epoch ‖ r)` for the copy of `shard` held
    /// by `holder` in `epoch`, with `beacon` the epoch's beacon value `r`.
    #[must_use]
    pub fn new(shard: u32, holder: &B256, epoch: u64, beacon: &B256) -> Self {
        Self(B256(
            Sha256::new()
                .chain_update(shard.to_be_bytes())
                .chain_update(holder.0)
                .chain_update(epoch.to_be_bytes())
                .chain_update(beacon.0)
                .finalize()
                .into(),
        ))
    }
}

/// Why a copy cannot be encoded, or a possession proof is rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UscidError {
    /// Chunks must hold at least one byte.
    #[error("chunk length must be at least 1")]
    ZeroChunkLength,
    /// There is nothing to store.
    #[error("a copy must hold at least one byte")]
    EmptyData,
    /// More chunks than a `u32` index can address.
    #[error("{chunks} chunks exceed the u32 index range")]
    TooManyChunks {
        /// Chunks needed.
        chunks: u64,
    },
    /// A chunk index past the end of the copy.
    #[error("chunk {index} is past the copy's {count} chunks")]
    IndexOutOfRange {
        /// The index.
        index: u32,
        /// Chunks in the copy.
        count: u32,
    },
    /// The response holds a different number of answers than challenges.
    #[error("{found} answers for {expected} challenges")]
    WrongAnswerCount {
        /// Challenges issued.
        expected: usize,
        /// Answers given.
        found: usize,
    },
    /// An answer is for a chunk other than the one challenged there.
    #[error("answer {position} is for chunk {found}, chunk {expected} was challenged")]
    WrongIndex {
        /// Position in the response.
        position: usize,
        /// The challenged chunk.
        expected: u32,
        /// The chunk answered.
        found: u32,
    },
    /// A chunk has the wrong length for its position in the copy.
    #[error("chunk {index} has {found} bytes, expected {expected}")]
    WrongChunkLength {
        /// The chunk.
        index: u32,
        /// Its length in the committed copy.
        expected: u64,
        /// The length given.
        found: usize,
    },
    /// A Merkle path of the wrong length for the committed tree.
    #[error("path for chunk {index} has {found} nodes, the tree needs {expected}")]
    WrongPathLength {
        /// The chunk.
        index: u32,
        /// The tree's depth.
        expected: usize,
        /// Nodes given.
        found: usize,
    },
    /// The chunk and path do not lead to the committed root.
    #[error("chunk {index} does not match the committed root")]
    RootMismatch {
        /// The chunk.
        index: u32,
    },
    /// The bytes are not a canonical chunk proof.
    #[error(transparent)]
    Rlp(#[from] RlpError),
    /// The version item names an encoding this code does not know.
    #[error("unsupported encoding version {found}")]
    UnsupportedVersion {
        /// The version read.
        found: u64,
    },
}

/// What a holder registers for its copy: the USCID, the copy's shape and
/// the Merkle root of the encoded chunks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CopyCommitment {
    /// The copy's id.
    pub uscid: Uscid,
    /// Length of the plain data in bytes.
    pub data_len: u64,
    /// Bytes per chunk (the last chunk may be shorter).
    pub chunk_len: u32,
    /// Merkle root over the encoded chunks.
    pub root: B256,
}

impl CopyCommitment {
    /// Number of chunks, checked: the shape must be one
    /// [`EncodedCopy::encode`] can produce.
    pub fn chunk_count(&self) -> Result<u32, UscidError> {
        if self.chunk_len == 0 {
            return Err(UscidError::ZeroChunkLength);
        }
        if self.data_len == 0 {
            return Err(UscidError::EmptyData);
        }
        let chunks = self.data_len.div_ceil(u64::from(self.chunk_len));
        u32::try_from(chunks).map_err(|_| UscidError::TooManyChunks { chunks })
    }

    /// Length of chunk `index` (every chunk is full but the last).
    fn chunk_len_at(&self, index: u32, count: u32) -> u64 {
        if index.saturating_add(1) == count {
            self.data_len - u64::from(index) * u64::from(self.chunk_len)
        } else {
            u64::from(self.chunk_len)
        }
    }
}

/// A Merkle proof of one encoded chunk: the holder's answer to a challenge.
///
/// Encoding (RLP, version 1): `[1, index, chunk, [sibling, ...]]`, each
/// sibling a 32-byte string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkProof {
    /// The chunk's index.
    pub index: u32,
    /// The encoded chunk.
    pub chunk: Vec<u8>,
    /// Sibling hashes from the leaf up to the root.
    pub path: Vec<B256>,
}

impl ChunkProof {
    fn path_len(&self) -> usize {
        self.path.iter().map(Encode::encoded_len).sum()
    }

    fn payload_len(&self) -> usize {
        let path = self.path_len();
        CHUNK_PROOF_VERSION.encoded_len()
            + self.index.encoded_len()
            + bytes_len(&self.chunk)
            + header_len(path)
            + path
    }

    /// Decodes a chunk proof from its canonical encoding; trailing bytes
    /// are an error.
    pub fn decode(bytes: &[u8]) -> Result<Self, UscidError> {
        let [version, index, chunk, path] = Rlp::new(bytes)?.fixed_list::<4>()?;
        let version: u64 = version.decode()?;
        if version != CHUNK_PROOF_VERSION {
            return Err(UscidError::UnsupportedVersion { found: version });
        }
        // Each sibling takes 33 bytes of the input: the vector is bounded
        // by the input's length.
        let path = path
            .list()?
            .map(|item| item.and_then(|node| node.decode::<B256>()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            index: index.decode()?,
            chunk: chunk.decode()?,
            path,
        })
    }
}

impl Encode for ChunkProof {
    fn encoded_len(&self) -> usize {
        let payload = self.payload_len();
        header_len(payload) + payload
    }

    fn encode(&self, out: &mut Vec<u8>) {
        encode_list_header(self.payload_len(), out);
        CHUNK_PROOF_VERSION.encode(out);
        self.index.encode(out);
        encode_bytes(&self.chunk, out);
        encode_list_header(self.path_len(), out);
        self.path.iter().for_each(|node| node.encode(out));
    }
}

/// XORs `chunk` (chunk `index` of the copy `uscid`) with its keystream:
/// encodes a plain chunk and decodes an encoded one.
fn apply_keystream(uscid: &Uscid, index: u32, chunk: &mut [u8]) {
    for (block, bytes) in (0u32..).zip(chunk.chunks_mut(32)) {
        let pad: [u8; 32] = Sha256::new()
            .chain_update(KEYSTREAM_DOMAIN)
            .chain_update(uscid.0.0)
            .chain_update(index.to_be_bytes())
            .chain_update(block.to_be_bytes())
            .finalize()
            .into();
        bytes.iter_mut().zip(pad).for_each(|(b, p)| *b ^= p);
    }
}

fn leaf_hash(chunk: &[u8]) -> B256 {
    B256(
        Sha256::new()
            .chain_update([0x00])
            .chain_update(chunk)
            .finalize()
            .into(),
    )
}

fn node_hash(left: &B256, right: &B256) -> B256 {
    B256(
        Sha256::new()
            .chain_update([0x01])
            .chain_update(left.0)
            .chain_update(right.0)
            .finalize()
            .into(),
    )
}

/// Depth of the padded tree over `count` leaves.
fn tree_depth(count: u32) -> usize {
    u64::from(count).next_power_of_two().trailing_zeros() as usize
}

/// A copy encoded under its USCID, with its Merkle tree: what a holder
/// stores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedCopy {
    commitment: CopyCommitment,
    chunks: Vec<Vec<u8>>,
    /// Rows of the tree, leaves first, root last.
    rows: Vec<Vec<B256>>,
}

impl EncodedCopy {
    /// Encodes `data` under `uscid` in chunks of `chunk_len` bytes.
    pub fn encode(uscid: Uscid, data: &[u8], chunk_len: u32) -> Result<Self, UscidError> {
        let data_len = data.len() as u64;
        let shape = CopyCommitment {
            uscid,
            data_len,
            chunk_len,
            root: B256::ZERO,
        };
        shape.chunk_count()?;
        let chunks: Vec<Vec<u8>> = (0u32..)
            .zip(data.chunks(chunk_len as usize))
            .map(|(index, plain)| {
                let mut chunk = plain.to_vec();
                apply_keystream(&uscid, index, &mut chunk);
                chunk
            })
            .collect();
        let mut row: Vec<B256> = chunks.iter().map(|c| leaf_hash(c)).collect();
        row.resize(row.len().next_power_of_two(), PADDING_LEAF);
        let mut rows = Vec::new();
        while row.len() > 1 {
            let parent = row
                .chunks(2)
                .map(|pair| match pair {
                    [left, right] => node_hash(left, right),
                    // Rows have power-of-two lengths, so pairs are complete.
                    _ => PADDING_LEAF,
                })
                .collect();
            rows.push(core::mem::replace(&mut row, parent));
        }
        let root = row.first().copied().unwrap_or(PADDING_LEAF);
        rows.push(row);
        Ok(Self {
            commitment: CopyCommitment { root, ..shape },
            chunks,
            rows,
        })
    }

    /// What the holder registers.
    #[must_use]
    pub const fn commitment(&self) -> &CopyCommitment {
        &self.commitment
    }

    /// The plain data back.
    #[must_use]
    pub fn decode(&self) -> Vec<u8> {
        let mut data = Vec::with_capacity(self.chunks.iter().map(Vec::len).sum());
        for (index, chunk) in (0u32..).zip(&self.chunks) {
            let mut plain = chunk.clone();
            apply_keystream(&self.commitment.uscid, index, &mut plain);
            data.extend_from_slice(&plain);
        }
        data
    }

    /// The proof of chunk `index`.
    pub fn prove(&self, index: u32) -> Result<ChunkProof, UscidError> {
        let count = self.chunks.len() as u32;
        let chunk = self
            .chunks
            .get(index as usize)
            .ok_or(UscidError::IndexOutOfRange { index, count })?;
        let mut position = index as usize;
        let mut path = Vec::with_capacity(self.rows.len().saturating_sub(1));
        for row in self.rows.iter().take(self.rows.len().saturating_sub(1)) {
            path.push(row.get(position ^ 1).copied().unwrap_or(PADDING_LEAF));
            position /= 2;
        }
        Ok(ChunkProof {
            index,
            chunk: chunk.clone(),
            path,
        })
    }

    /// The answer to a challenge: a proof for each challenged chunk, in
    /// order.
    pub fn respond(&self, challenge: &[u32]) -> Result<Vec<ChunkProof>, UscidError> {
        challenge.iter().map(|&index| self.prove(index)).collect()
    }
}

/// The `count` chunk indices the beacon value `beacon` challenges for the
/// copy `commitment`: index `j` is
/// `u256_be(SHA-256(tag ‖ beacon ‖ USCID ‖ j)) mod chunk_count`. Keyed by
/// the USCID, so copies of the same shard are challenged at different
/// chunks.
pub fn challenge(
    commitment: &CopyCommitment,
    beacon: &B256,
    count: u32,
) -> Result<Vec<u32>, UscidError> {
    let chunks = commitment.chunk_count()?;
    Ok((0..count)
        .map(|j| {
            let digest: [u8; 32] = Sha256::new()
                .chain_update(CHALLENGE_DOMAIN)
                .chain_update(beacon.0)
                .chain_update(commitment.uscid.0.0)
                .chain_update(j.to_be_bytes())
                .finalize()
                .into();
            // The remainder is below `chunks`, a u32.
            u32::try_from(reduce(&digest, u64::from(chunks))).unwrap_or(0)
        })
        .collect())
}

/// Checks one chunk proof against the registered commitment.
pub fn verify_chunk(commitment: &CopyCommitment, proof: &ChunkProof) -> Result<(), UscidError> {
    let count = commitment.chunk_count()?;
    let index = proof.index;
    if index >= count {
        return Err(UscidError::IndexOutOfRange { index, count });
    }
    let expected = commitment.chunk_len_at(index, count);
    if proof.chunk.len() as u64 != expected {
        return Err(UscidError::WrongChunkLength {
            index,
            expected,
            found: proof.chunk.len(),
        });
    }
    let depth = tree_depth(count);
    if proof.path.len() != depth {
        return Err(UscidError::WrongPathLength {
            index,
            expected: depth,
            found: proof.path.len(),
        });
    }
    let mut position = index;
    let mut node = leaf_hash(&proof.chunk);
    for sibling in &proof.path {
        node = if position % 2 == 0 {
            node_hash(&node, sibling)
        } else {
            node_hash(sibling, &node)
        };
        position /= 2;
    }
    if node == commitment.root {
        Ok(())
    } else {
        Err(UscidError::RootMismatch { index })
    }
}

/// Checks a holder's response to the challenge of `beacon` (`count`
/// chunks): one proof per challenged chunk, in challenge order, each
/// leading to the registered root.
pub fn verify_response(
    commitment: &CopyCommitment,
    beacon: &B256,
    count: u32,
    response: &[ChunkProof],
) -> Result<(), UscidError> {
    let challenged = challenge(commitment, beacon, count)?;
    if response.len() != challenged.len() {
        return Err(UscidError::WrongAnswerCount {
            expected: challenged.len(),
            found: response.len(),
        });
    }
    for (position, (&expected, proof)) in challenged.iter().zip(response).enumerate() {
        if proof.index != expected {
            return Err(UscidError::WrongIndex {
                position,
                expected,
                found: proof.index,
            });
        }
        verify_chunk(commitment, proof)?;
    }
    Ok(())
}
