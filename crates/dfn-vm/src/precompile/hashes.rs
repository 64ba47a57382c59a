//! SHA-256 (0x02) and RIPEMD-160 (0x03).

use alloc::vec::Vec;

use ripemd::Ripemd160;
use sha2::{Digest, Sha256};

/// SHA-256 of the input.
pub(super) fn sha256(input: &[u8]) -> Vec<u8> {
    Sha256::digest(input).to_vec()
}

/// RIPEMD-160 of the input, left-padded to 32 bytes.
pub(super) fn ripemd160(input: &[u8]) -> Vec<u8> {
    let mut out = alloc::vec![0u8; 12];
    out.extend_from_slice(&Ripemd160::digest(input));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_digests() {
        assert_eq!(
            hex::encode(sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex::encode(ripemd160(b"")),
            "0000000000000000000000009c1185a5c5e9fc54612808977ee8f548b2258d31"
        );
    }
}
