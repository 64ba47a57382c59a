//! KZG point evaluation (0x0a, EIP-4844) over `bls12_381`.

use alloc::vec::Vec;

use bls12_381::{G1Affine, G1Projective, G2Affine, G2Projective, Scalar, pairing};
use sha2::{Digest, Sha256};

use super::PrecompileError;

/// `[τ]₂` of the Ethereum KZG ceremony (the second G2 point of its
/// trusted setup), compressed.
const TAU_G2: [u8; 96] = [
    0xb5, 0xbf, 0xd7, 0xdd, 0x8c, 0xde, 0xb1, 0x28, 0x84, 0x3b, 0xc2, 0x87, 0x23, 0x0a, 0xf3, 0x89,
    0x26, 0x18, 0x70, 0x75, 0xcb, 0xfb, 0xef, 0xa8, 0x10, 0x09, 0xa2, 0xce, 0x61, 0x5a, 0xc5, 0x3d,
    0x29, 0x14, 0xe5, 0x87, 0x0c, 0xb4, 0x52, 0xd2, 0xaf, 0xaa, 0xab, 0x24, 0xf3, 0x49, 0x9f, 0x72,
    0x18, 0x5c, 0xbf, 0xee, 0x53, 0x49, 0x27, 0x14, 0x73, 0x44, 0x29, 0xb7, 0xb3, 0x86, 0x08, 0xe2,
    0x39, 0x26, 0xc9, 0x11, 0xcc, 0xec, 0xea, 0xc9, 0xa3, 0x68, 0x51, 0x47, 0x7b, 0xa4, 0xc6, 0x0b,
    0x08, 0x70, 0x41, 0xde, 0x62, 0x10, 0x00, 0xed, 0xc9, 0x8e, 0xda, 0xda, 0x20, 0xc1, 0xde, 0xf2,
];

/// `FIELD_ELEMENTS_PER_BLOB ‖ BLS_MODULUS`, each a 32-byte big-endian word:
/// the output of every successful call.
const RETURN_VALUE: [u8; 64] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    0x00, 0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8,
    0x05, 0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00,
    0x01,
];

/// A canonical field element from 32 big-endian bytes.
fn scalar(be: &[u8]) -> Option<Scalar> {
    let mut le = [0u8; 32];
    le.copy_from_slice(be.get(..32)?);
    le.reverse();
    Option::from(Scalar::from_bytes(&le))
}

fn g1(bytes: &[u8]) -> Option<G1Affine> {
    let mut b = [0u8; 48];
    b.copy_from_slice(bytes.get(..48)?);
    Option::from(G1Affine::from_compressed(&b))
}

/// `versioned_hash ‖ z ‖ y ‖ commitment ‖ proof` (192 bytes): checks that
/// the commitment matches the hash and that the polynomial it commits to
/// takes the value `y` at `z`.
pub(super) fn point_evaluation(input: &[u8]) -> Result<Vec<u8>, PrecompileError> {
    let bad = PrecompileError::InvalidInput;
    if input.len() != 192 {
        return Err(bad);
    }
    let (hash, rest) = input.split_at(32);
    let (z, rest) = rest.split_at(32);
    let (y, rest) = rest.split_at(32);
    let (commitment, proof) = rest.split_at(48);
    let mut versioned = Sha256::digest(commitment);
    if let Some(first) = versioned.first_mut() {
        *first = 1;
    }
    if hash != versioned.as_slice() {
        return Err(bad);
    }
    let (z, y) = (scalar(z).ok_or(bad)?, scalar(y).ok_or(bad)?);
    let (commitment, proof) = (g1(commitment).ok_or(bad)?, g1(proof).ok_or(bad)?);
    let tau: G2Affine = Option::from(G2Affine::from_compressed(&TAU_G2)).ok_or(bad)?;
    // e(C − [y]₁, [1]₂) = e(π, [τ]₂ − [z]₂)
    let lhs_g1 = G1Affine::from(G1Projective::from(commitment) - G1Affine::generator() * y);
    let rhs_g2 = G2Affine::from(G2Projective::from(tau) - G2Affine::generator() * z);
    if pairing(&lhs_g1, &G2Affine::generator()) != pairing(&proof, &rhs_g2) {
        return Err(bad);
    }
    Ok(RETURN_VALUE.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_decode_and_bad_input_fails() {
        assert!(bool::from(G2Affine::from_compressed(&TAU_G2).is_some()));
        assert_eq!(
            point_evaluation(&[0u8; 191]),
            Err(PrecompileError::InvalidInput)
        );
        assert_eq!(
            point_evaluation(&[0u8; 192]),
            Err(PrecompileError::InvalidInput)
        );
    }
}
