//! 20-byte account addresses.

use core::fmt;

use crate::hash::{B256, keccak256};

/// A 20-byte Ethereum account address.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Address(pub [u8; 20]);

/// Three machine words (8 + 8 + 4 bytes) rather than a length and a byte
/// slice: the EVM's state caches and access sets hash an address on
/// every state access, and a hasher takes whole words fastest.
impl core::hash::Hash for Address {
    #[inline]
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        // Constant ranges of a 20-byte array: the checks compile away.
        let word = |at: usize| {
            self.0
                .get(at..at + 8)
                .and_then(|s| <[u8; 8]>::try_from(s).ok())
                .map_or(0, u64::from_le_bytes)
        };
        let tail = self
            .0
            .get(16..20)
            .and_then(|s| <[u8; 4]>::try_from(s).ok())
            .map_or(0, u32::from_le_bytes);
        state.write_u64(word(0));
        state.write_u64(word(8));
        state.write_u32(tail);
    }
}

impl Address {
    /// The zero address.
    pub const ZERO: Self = Self([0; 20]);

    /// The bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// Reads an address from a slice of exactly 20 bytes.
    #[must_use]
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; 20]>::try_from(bytes).ok().map(Self)
    }

    /// Keccak-256 of the address: its key in the secure account trie.
    #[must_use]
    pub fn trie_key(&self) -> B256 {
        keccak256(self.0)
    }
}

impl From<[u8; 20]> for Address {
    fn from(bytes: [u8; 20]) -> Self {
        Self(bytes)
    }
}

impl AsRef<[u8]> for Address {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}
