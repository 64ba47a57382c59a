//! Nodes of the in-memory trie arena, their cached references, and their
//! RLP encoding.
//!
//! A leaf keeps its *whole* key, not only the rest of its path: the rest
//! is the key from the leaf's depth on, so a leaf that moves up or down a
//! level (a split, a merge) keeps its bytes, and its hex-prefix encoding is
//! a flag byte followed by a plain copy of the key's tail.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::num::NonZeroU32;

use super::hex_prefix;
use super::nibbles::nibble_at;
use crate::hash::{B256, keccak256};
use crate::rlp::{bytes_len, encode_bytes, encode_list_header, header_len};

/// Bytes kept inside the node up to this length (a 32-byte key or a small
/// value), on the heap beyond it.
const INLINE: usize = 32;

/// A short byte string stored without a heap allocation.
#[derive(Clone, Debug)]
pub(crate) enum SmallBytes {
    Inline { len: u8, buf: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl SmallBytes {
    pub(crate) fn new(bytes: &[u8]) -> Self {
        let mut buf = [0u8; INLINE];
        match buf.get_mut(..bytes.len()) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                // bytes.len() <= INLINE = 32, so it fits in a u8.
                Self::Inline {
                    len: bytes.len() as u8,
                    buf,
                }
            }
            None => Self::Heap(bytes.into()),
        }
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Self::Inline { len, buf } => buf.get(..usize::from(*len)).unwrap_or_default(),
            Self::Heap(b) => b,
        }
    }
}

/// Index of a node in the arena (slot number plus one, so that
/// `Option<NodeId>` is four bytes and a branch's 16 children fit in 64).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NodeId(NonZeroU32);

impl NodeId {
    pub(crate) fn from_index(index: usize) -> Option<Self> {
        u32::try_from(index)
            .ok()
            .and_then(|i| i.checked_add(1))
            .and_then(NonZeroU32::new)
            .map(Self)
    }

    pub(crate) fn index(self) -> usize {
        (self.0.get() - 1) as usize
    }
}

/// A trie node in the arena.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    /// A value and its whole key.
    Leaf { key: SmallBytes, value: SmallBytes },
    /// A shared run of nibbles (one per byte) leading to a branch.
    Extension { path: Box<[u8]>, child: NodeId },
    /// Sixteen children by next nibble, and the value of a key ending here.
    Branch {
        children: [Option<NodeId>; 16],
        value: Option<Box<[u8]>>,
    },
    /// Not loaded: the node lives in the store under the slot's cached hash.
    Stored,
    /// An unused slot, on the free list.
    Free,
}

/// What a parent writes for a child: its hash, or its whole encoding when
/// that is under 32 bytes. Kept per node so that an unchanged subtree is
/// never encoded or hashed again.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cache {
    /// [`DIRTY`], [`HASHED`], or the length (below 32) of an inline encoding.
    state: u8,
    /// Whether the node is in the node store (or embedded in a stored parent).
    pub(crate) persisted: bool,
    bytes: [u8; 32],
}

const DIRTY: u8 = 0xff;
const HASHED: u8 = 32;

/// A child reference as it appears in its parent's encoding.
pub(crate) enum Ref<'a> {
    Hash(&'a [u8; 32]),
    Inline(&'a [u8]),
}

impl Cache {
    pub(crate) const DIRTY: Self = Self {
        state: DIRTY,
        persisted: false,
        bytes: [0; 32],
    };

    /// A node known by hash that is already in the store.
    pub(crate) const fn stored(hash: B256) -> Self {
        Self {
            state: HASHED,
            persisted: true,
            bytes: hash.0,
        }
    }

    /// The reference for an encoding: inline below 32 bytes, else its hash.
    pub(crate) fn from_encoding(encoded: &[u8]) -> Self {
        let mut bytes = [0u8; 32];
        match bytes
            .get_mut(..encoded.len())
            .filter(|_| encoded.len() < 32)
        {
            Some(dst) => {
                dst.copy_from_slice(encoded);
                Self {
                    // encoded.len() < 32.
                    state: encoded.len() as u8,
                    persisted: false,
                    bytes,
                }
            }
            None => Self {
                state: HASHED,
                persisted: false,
                bytes: keccak256(encoded).0,
            },
        }
    }

    /// A dirty cache whose bytes carry a sequence number (used only while
    /// a batch is being sorted).
    pub(crate) fn order(seq: usize) -> Self {
        let mut bytes = [0u8; 32];
        if let Some(dst) = bytes.get_mut(..8) {
            dst.copy_from_slice(&(seq as u64).to_be_bytes());
        }
        Self {
            state: DIRTY,
            persisted: false,
            bytes,
        }
    }

    /// The sequence number stored by [`Cache::order`].
    pub(crate) fn order_of(&self) -> u64 {
        let mut head = [0u8; 8];
        if let Some(src) = self.bytes.get(..8) {
            head.copy_from_slice(src);
        }
        u64::from_be_bytes(head)
    }

    pub(crate) const fn is_dirty(&self) -> bool {
        self.state == DIRTY
    }

    pub(crate) const fn is_hashed(&self) -> bool {
        self.state == HASHED
    }

    pub(crate) fn reference(&self) -> Ref<'_> {
        if self.state == HASHED {
            Ref::Hash(&self.bytes)
        } else {
            Ref::Inline(
                self.bytes
                    .get(..usize::from(self.state))
                    .unwrap_or_default(),
            )
        }
    }

    /// The hash of the node: the cached hash, or the hash of the inline
    /// encoding (a root is always hashed, however short).
    pub(crate) fn hash(&self) -> B256 {
        match self.reference() {
            Ref::Hash(h) => B256(*h),
            Ref::Inline(enc) => keccak256(enc),
        }
    }

    /// Length of the reference in a parent's encoding.
    fn ref_len(&self) -> usize {
        match self.reference() {
            Ref::Hash(_) => 33,
            Ref::Inline(enc) => enc.len(),
        }
    }

    fn write_ref(&self, out: &mut Vec<u8>) {
        match self.reference() {
            Ref::Hash(h) => {
                out.push(0xa0);
                out.extend_from_slice(h);
            }
            Ref::Inline(enc) => out.extend_from_slice(enc),
        }
    }
}

/// Appends the encoding of a leaf holding `key` at nibble depth `depth`.
pub(crate) fn encode_leaf(key: &[u8], depth: usize, value: &[u8], out: &mut Vec<u8>) {
    // The path is the key from nibble `depth` on: for an even depth the
    // flag byte 0x20 then the key's tail bytes; for an odd one 0x3N with
    // the first path nibble N, then the bytes after it.
    let (first, tail) = if depth % 2 == 0 {
        (0x20, key.get(depth / 2..).unwrap_or_default())
    } else {
        (
            0x30 | nibble_at(key, depth),
            key.get(depth / 2 + 1..).unwrap_or_default(),
        )
    };
    let hp_len = 1 + tail.len();
    // A lone flag byte is below 0x80 and so stands for itself.
    let path_len = if hp_len == 1 {
        1
    } else {
        header_len(hp_len) + hp_len
    };
    encode_list_header(path_len + bytes_len(value), out);
    if hp_len == 1 {
        out.push(first);
    } else {
        encode_string_header(hp_len, out);
        out.push(first);
        out.extend_from_slice(tail);
    }
    encode_bytes(value, out);
}

/// Appends the header of a byte string of `len` bytes (`len` > 1).
fn encode_string_header(len: usize, out: &mut Vec<u8>) {
    if len < 56 {
        // len < 56 so the sum stays below 0xb8.
        out.push(0x80 + len as u8);
    } else {
        let be = len.to_be_bytes();
        let skip = be.iter().take_while(|b| **b == 0).count();
        let significant = be.get(skip..).unwrap_or_default();
        out.push(0xb7 + significant.len() as u8);
        out.extend_from_slice(significant);
    }
}

/// Appends the encoding of an extension with `path` (nibbles) and a child
/// whose reference is `child`.
pub(crate) fn encode_extension(path: &[u8], child: &Cache, out: &mut Vec<u8>) {
    let hp_len = hex_prefix::encoded_len(path.len());
    let path_len = if hp_len == 1 {
        1
    } else {
        header_len(hp_len) + hp_len
    };
    encode_list_header(path_len + child.ref_len(), out);
    if hp_len > 1 {
        encode_string_header(hp_len, out);
    }
    hex_prefix::encode(path, false, out);
    child.write_ref(out);
}

/// Appends the encoding of a branch whose children have the given
/// references (`None` for an empty slot).
pub(crate) fn encode_branch(
    children: &[Option<&Cache>; 16],
    value: Option<&[u8]>,
    out: &mut Vec<u8>,
) {
    let refs: usize = children.iter().map(|c| c.map_or(1, Cache::ref_len)).sum();
    let value_len = value.map_or(1, bytes_len);
    encode_list_header(refs + value_len, out);
    for child in children {
        match child {
            Some(c) => c.write_ref(out),
            None => out.push(0x80),
        }
    }
    match value {
        Some(v) => encode_bytes(v, out),
        None => out.push(0x80),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rlp::Value;
    use alloc::vec;

    #[test]
    fn small_bytes() {
        let short = SmallBytes::new(b"abc");
        assert!(matches!(short, SmallBytes::Inline { len: 3, .. }));
        assert_eq!(short.as_slice(), b"abc");
        let long = SmallBytes::new(&[7; 33]);
        assert!(matches!(long, SmallBytes::Heap(_)));
        assert_eq!(long.as_slice(), &[7; 33]);
    }

    #[test]
    fn leaf_encoding_matches_generic_rlp() {
        let key = [0x12, 0x34, 0x56];
        for depth in 0..=6 {
            let mut out = vec![];
            encode_leaf(&key, depth, b"value", &mut out);
            let nibbles: Vec<u8> = (depth..6).map(|i| nibble_at(&key, i)).collect();
            let mut hp = vec![];
            hex_prefix::encode(&nibbles, true, &mut hp);
            let expected = Value::List(vec![Value::Bytes(hp), Value::Bytes(b"value".to_vec())]);
            assert_eq!(out, crate::rlp::Encode::to_rlp(&expected), "depth {depth}");
        }
    }

    #[test]
    fn cache_references() {
        let short = Cache::from_encoding(&[0xc2, 0x20, 0x01]);
        assert!(matches!(
            short.reference(),
            Ref::Inline(&[0xc2, 0x20, 0x01])
        ));
        assert_eq!(short.hash(), keccak256([0xc2, 0x20, 0x01]));
        let long = Cache::from_encoding(&[0u8; 32]);
        assert!(long.is_hashed());
        assert_eq!(long.hash(), keccak256([0u8; 32]));
        assert!(Cache::DIRTY.is_dirty());
    }
}
