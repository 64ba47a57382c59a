//! The arithmetic of a round: which group signs height `h`, what it signs,
//! and the random value that comes out (`protocol.md` §2).
//!
//! The message is drand's chained one, computed by the same function
//! (`dfn_crypto::drand::round_message`), so a drand verifier checks a dfn
//! beacon and the reverse.

use dfn_crypto::drand::{Scheme, round_message};
use sha2::{Digest, Sha256};

/// `m_h = SHA-256(σ^{h−1} ‖ u64_be(h))`, with `previous` the compressed
/// previous signature, or the 32-byte genesis seed for `h = 1`.
pub fn message(previous: &[u8], height: u64) -> [u8; 32] {
    round_message(Scheme::PedersenBlsChained, height, previous)
}

/// `r_h = SHA-256(σ^h)`.
pub fn randomness(signature: &[u8]) -> [u8; 32] {
    dfn_crypto::drand::randomness(signature)
}

/// The position of the group that signs the height after `previous` among
/// `count` groups: `u256_be(SHA-256(previous)) mod count` (the slide's
/// `G[r % |G|]`). `None` when there is no group.
pub fn select(previous: &[u8], count: usize) -> Option<usize> {
    let count = u128::try_from(count).ok().filter(|c| *c > 0)?;
    let digest = Sha256::digest(previous);
    let rem = digest
        .iter()
        .fold(0u128, |acc, byte| (acc * 256 + u128::from(*byte)) % count);
    usize::try_from(rem).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn selection_is_the_big_endian_remainder() {
        let previous = [7u8; 32];
        let digest = Sha256::digest(previous);
        // mod 256 is the last byte; mod 2 its parity.
        assert_eq!(select(&previous, 256), Some(usize::from(digest[31])));
        assert_eq!(select(&previous, 2), Some(usize::from(digest[31] & 1)));
        assert_eq!(select(&previous, 1), Some(0));
        assert_eq!(select(&previous, 0), None);
        // mod 3: 256 ≡ 1, so the byte sum decides.
        let sum: usize = digest.iter().map(|b| usize::from(*b)).sum();
        assert_eq!(select(&previous, 3), Some(sum % 3));
    }

    #[test]
    fn message_is_drands_chained_message() {
        let previous = [1u8; 48];
        let mut expected = Sha256::new();
        expected.update(previous);
        expected.update(5u64.to_be_bytes());
        assert_eq!(message(&previous, 5), <[u8; 32]>::from(expected.finalize()));
    }
}
