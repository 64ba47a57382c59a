//! One level of a validation tower and its canonical RLP encoding.

use alloc::vec::Vec;

use super::error::WireError;
use crate::hash::B256;
use crate::rlp::{Encode, Rlp, bytes_len, encode_bytes, encode_list_header, header_len};

/// Index of a process that may build tower levels.
pub type BuilderId = u32;

/// Version of the [`Level`] encoding (its first list item).
pub const LEVEL_VERSION: u64 = 1;

/// A batch of inputs applied to a shard, with the root it claims to reach
/// and the builders who attest to it.
///
/// Encoding (RLP, version 1):
/// `[1, index, pre_root, inputs, post_root, [builder, ...]]`, where
/// `index` and each builder are minimal big-endian integers, roots are
/// 32-byte strings and `inputs` is a byte string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Level {
    /// Height of the level in the tower (the first level is 0).
    pub index: u64,
    /// The state root the batch starts from: the previous level's post-root.
    pub pre_root: B256,
    /// The batch of inputs, opaque to the tower.
    pub inputs: Vec<u8>,
    /// The state root the builders claim the batch reaches.
    pub post_root: B256,
    /// The builders drawn for this level, in selection order; each attests
    /// to `post_root`.
    pub builders: Vec<BuilderId>,
}

impl Level {
    /// Length of the list payload (everything after the outer header).
    fn payload_len(&self) -> usize {
        let builders: usize = self.builders.iter().map(Encode::encoded_len).sum();
        LEVEL_VERSION.encoded_len()
            + self.index.encoded_len()
            + self.pre_root.encoded_len()
            + bytes_len(&self.inputs)
            + self.post_root.encoded_len()
            + header_len(builders)
            + builders
    }

    /// Decodes a level from its canonical encoding; trailing bytes are an
    /// error.
    pub fn decode(bytes: &[u8]) -> Result<Self, WireError> {
        Self::from_rlp(&Rlp::new(bytes)?)
    }

    /// Decodes a level from an RLP item (nested inside another structure).
    pub fn from_rlp(rlp: &Rlp<'_>) -> Result<Self, WireError> {
        let [version, index, pre_root, inputs, post_root, builders] = rlp.fixed_list::<6>()?;
        let version: u64 = version.decode()?;
        if version != LEVEL_VERSION {
            return Err(WireError::UnsupportedVersion { found: version });
        }
        // Each builder takes at least one byte of the input, so collecting
        // them allocates no more than the input justifies.
        let builders = builders
            .list()?
            .map(|item| item.and_then(|b| b.decode::<BuilderId>()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            index: index.decode()?,
            pre_root: pre_root.decode()?,
            inputs: inputs.decode()?,
            post_root: post_root.decode()?,
            builders,
        })
    }
}

impl Encode for Level {
    fn encoded_len(&self) -> usize {
        let payload = self.payload_len();
        header_len(payload) + payload
    }

    fn encode(&self, out: &mut Vec<u8>) {
        encode_list_header(self.payload_len(), out);
        LEVEL_VERSION.encode(out);
        self.index.encode(out);
        self.pre_root.encode(out);
        encode_bytes(&self.inputs, out);
        self.post_root.encode(out);
        let builders: usize = self.builders.iter().map(Encode::encoded_len).sum();
        encode_list_header(builders, out);
        self.builders.iter().for_each(|b| b.encode(out));
    }
}
