//! Keccak-256 for the interpreter (KECCAK256, CREATE2, sender recovery).
//!
//! With the `asm-keccak` feature (on by default, std targets) it is the
//! CRYPTOGAMS assembly of `keccak-asm`, the implementation revm and
//! alloy use: KECCAK256 is a large share of short contract calls (mapping
//! slots). Without it, the pure-Rust `sha3` of dfn-state, which builds
//! everywhere, no_std included. Both compute the same function; the
//! state tests check it through every storage key and CREATE2 address.

/// Keccak-256 (Ethereum's pre-standard SHA-3 padding) of `data`.
#[cfg(feature = "asm-keccak")]
#[inline]
#[must_use]
pub(crate) fn keccak256(data: impl AsRef<[u8]>) -> dfn_state::B256 {
    use keccak_asm::Keccak256;
    dfn_state::B256(Keccak256::digest(data.as_ref()).into())
}

#[cfg(not(feature = "asm-keccak"))]
pub(crate) use dfn_state::keccak256;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_dfn_state() {
        for len in [0usize, 1, 32, 64, 135, 136, 137, 300] {
            let data: alloc::vec::Vec<u8> = (0..len).map(|i| i as u8).collect();
            assert_eq!(keccak256(&data), dfn_state::keccak256(&data), "{len}");
        }
    }
}
