//! 32-byte hashes and Keccak-256.

use core::fmt;

use sha3::{Digest, Keccak256};

/// A 32-byte value: a Keccak-256 hash, a trie root, a code hash.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct B256(pub [u8; 32]);

impl B256 {
    /// All zero bytes.
    pub const ZERO: Self = Self([0; 32]);

    /// The bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Reads a hash from a slice of exactly 32 bytes.
    #[must_use]
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; 32]>::try_from(bytes).ok().map(Self)
    }
}

impl From<[u8; 32]> for B256 {
    fn from(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl AsRef<[u8]> for B256 {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for B256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for B256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// Keccak-256 (the pre-standard SHA-3 padding Ethereum uses) of `data`.
#[must_use]
pub fn keccak256(data: impl AsRef<[u8]>) -> B256 {
    B256(Keccak256::digest(data.as_ref()).into())
}

/// Keccak-256 of the empty string: the code hash of an account without code.
pub const KECCAK_EMPTY: B256 = B256([
    0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d, 0xb2, 0xdc, 0xc7, 0x03, 0xc0,
    0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82, 0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70,
]);

/// Root of the empty trie: Keccak-256 of the RLP empty string `0x80`.
pub const EMPTY_ROOT: B256 = B256([
    0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45, 0xe6, 0x92, 0xc0, 0xf8, 0x6e,
    0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c, 0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21,
]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_are_the_hashes_they_claim() {
        assert_eq!(keccak256([]), KECCAK_EMPTY);
        assert_eq!(keccak256([0x80]), EMPTY_ROOT);
    }

    #[test]
    fn display_is_prefixed_lower_hex() {
        let mut bytes = [0u8; 32];
        bytes[0] = 0xab;
        bytes[31] = 0x01;
        let s = alloc::format!("{}", B256(bytes));
        assert!(s.starts_with("0xab00"));
        assert!(s.ends_with("0001"));
        assert_eq!(s.len(), 66);
    }
}
