//! A stream slice: consecutive messages of one stream with the header,
//! each proven by a Merkle proof against the source shard's committed
//! streams root, so the destination believes nothing it cannot check.

use alloc::vec::Vec;

use thiserror::Error;

use crate::hash::B256;
use crate::rlp::{Decode, Encode, Rlp, RlpError, encode_fields, fields_len, list_items};
use crate::shard::ShardId;
use crate::trie::{ProofError, verify_proof};

use super::header::StreamHeader;
use super::message::StreamMessage;

/// The trie key of the header of the stream to `dst`: `0x00 ‖ u32_be(dst)`.
pub fn header_key(dst: ShardId) -> Vec<u8> {
    [&[0u8][..], &dst.0.to_be_bytes()].concat()
}

/// The trie key of message `index` of the stream to `dst`:
/// `0x01 ‖ u32_be(dst) ‖ u64_be(index)`.
pub fn message_key(dst: ShardId, index: u64) -> Vec<u8> {
    [&[1u8][..], &dst.0.to_be_bytes(), &index.to_be_bytes()].concat()
}

/// Consecutive messages `first..first + messages.len()` of the stream
/// `src → dst`, the stream's header, and their proofs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamSlice {
    /// The source shard.
    pub src: ShardId,
    /// The destination shard.
    pub dst: ShardId,
    /// The header.
    pub header: StreamHeader,
    /// The header's proof (trie nodes on its path, root first).
    pub header_proof: Vec<Vec<u8>>,
    /// The index of the first message.
    pub first: u64,
    /// The messages.
    pub messages: Vec<StreamMessage>,
    /// One proof per message.
    pub proofs: Vec<Vec<Vec<u8>>>,
}

/// Why a slice is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SliceError {
    /// A proof does not verify against the root.
    #[error("proof of {what:?}: {error}")]
    Proof {
        /// The header or a message index.
        what: SliceItem,
        /// Why.
        error: ProofError,
    },
    /// The proof verifies but to other content than the slice carries.
    #[error("{0:?} differs from what the root commits")]
    Mismatch(SliceItem),
    /// Messages outside the header's range, or not as many proofs as
    /// messages.
    #[error(
        "messages {first}..{end} outside the stream's {begin}..{stream_end}, or proofs missing"
    )]
    OutOfRange {
        /// First index carried.
        first: u64,
        /// One past the last carried.
        end: u64,
        /// The header's begin.
        begin: u64,
        /// The header's end.
        stream_end: u64,
    },
    /// The slice is for another stream than the receiver asked.
    #[error("slice of {src:?} → {dst:?} offered for another stream")]
    WrongStream {
        /// Its source.
        src: ShardId,
        /// Its destination.
        dst: ShardId,
    },
    /// The slice starts past the next index expected: messages would be
    /// skipped.
    #[error("slice starts at {first}, the next expected index is {expected}")]
    Gap {
        /// Its first index.
        first: u64,
        /// The next index expected.
        expected: u64,
    },
    /// The encoding is not a slice.
    #[error("encoding: {0}")]
    Encoding(RlpError),
}

/// Which part of a slice an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SliceItem {
    /// The header.
    Header,
    /// The message at this index.
    Message(u64),
}

impl StreamSlice {
    /// Checks every part against `root`, the source's committed streams
    /// root.
    pub fn verify(&self, root: &B256) -> Result<(), SliceError> {
        let end = self.first.saturating_add(self.messages.len() as u64);
        if self.proofs.len() != self.messages.len()
            || self.first < self.header.begin
            || end > self.header.end
        {
            return Err(SliceError::OutOfRange {
                first: self.first,
                end,
                begin: self.header.begin,
                stream_end: self.header.end,
            });
        }
        // A stream never written to has no header in the trie: its proof
        // of absence stands for the empty header.
        let absent = self.header == StreamHeader::default()
            && matches!(
                verify_proof(root, &header_key(self.dst), &self.header_proof),
                Ok(None)
            );
        if !absent {
            check(
                root,
                &header_key(self.dst),
                &self.header_proof,
                &self.header.to_rlp(),
                SliceItem::Header,
            )?;
        }
        for (i, (message, proof)) in self.messages.iter().zip(&self.proofs).enumerate() {
            let index = self.first + i as u64;
            check(
                root,
                &message_key(self.dst, index),
                proof,
                &message.to_rlp(),
                SliceItem::Message(index),
            )?;
        }
        Ok(())
    }

    /// Decodes a slice from its RLP encoding.
    pub fn from_rlp(bytes: &[u8]) -> Result<Self, SliceError> {
        crate::rlp::decode_exact(bytes).map_err(SliceError::Encoding)
    }
}

fn check(
    root: &B256,
    key: &[u8],
    proof: &[Vec<u8>],
    expected: &[u8],
    what: SliceItem,
) -> Result<(), SliceError> {
    match verify_proof(root, key, proof) {
        Ok(Some(value)) if value == expected => Ok(()),
        Ok(_) => Err(SliceError::Mismatch(what)),
        Err(error) => Err(SliceError::Proof { what, error }),
    }
}

/// A list of byte strings (one proof).
struct Nodes<'a>(&'a [Vec<u8>]);

impl Encode for Nodes<'_> {
    fn encoded_len(&self) -> usize {
        crate::rlp::list_len(self.0)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        crate::rlp::encode_list(self.0, out);
    }
}

struct Many<'a, T: Encode>(&'a [T]);

impl<T: Encode> Encode for Many<'_, T> {
    fn encoded_len(&self) -> usize {
        crate::rlp::list_len(self.0)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        crate::rlp::encode_list(self.0, out);
    }
}

impl StreamSlice {
    fn with_fields<R>(&self, f: impl FnOnce(&[&dyn Encode]) -> R) -> R {
        let proofs: Vec<Nodes<'_>> = self.proofs.iter().map(|p| Nodes(p)).collect();
        f(&[
            &self.src.0,
            &self.dst.0,
            &self.header,
            &Nodes(&self.header_proof),
            &self.first,
            &Many(&self.messages),
            &Many(&proofs),
        ])
    }
}

impl Encode for StreamSlice {
    fn encoded_len(&self) -> usize {
        self.with_fields(fields_len)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.with_fields(|fields| encode_fields(fields, out));
    }
}

fn nodes(rlp: &Rlp<'_>) -> Result<Vec<Vec<u8>>, RlpError> {
    list_items(rlp)?.iter().map(|n| n.decode()).collect()
}

impl Decode for StreamSlice {
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        let [src, dst, header, header_proof, first, messages, proofs] = rlp.fixed_list::<7>()?;
        Ok(Self {
            src: ShardId(src.decode()?),
            dst: ShardId(dst.decode()?),
            header: header.decode()?,
            header_proof: nodes(&header_proof)?,
            first: first.decode()?,
            messages: list_items(&messages)?
                .iter()
                .map(|m| m.decode())
                .collect::<Result<_, _>>()?,
            proofs: list_items(&proofs)?
                .iter()
                .map(nodes)
                .collect::<Result<_, _>>()?,
        })
    }
}
