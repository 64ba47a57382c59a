//! BN254 (alt_bn128) addition (0x06), scalar multiplication (0x07) and
//! pairing check (0x08), EIP-196/197, over `substrate-bn`.

use alloc::vec;
use alloc::vec::Vec;

use substrate_bn::{AffineG1, AffineG2, Fq, Fq2, Fr, G1, G2, Group, Gt};

use super::PrecompileError;

/// `len` bytes at `start`, zero-padded.
fn padded<const N: usize>(input: &[u8], start: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(src) = input.get(start.min(input.len())..) {
        let n = src.len().min(N);
        if let (Some(d), Some(s)) = (out.get_mut(..n), src.get(..n)) {
            d.copy_from_slice(s);
        }
    }
    out
}

fn fq(bytes: &[u8]) -> Result<Fq, PrecompileError> {
    Fq::from_slice(bytes).map_err(|_| PrecompileError::InvalidInput)
}

/// A G1 point from 64 bytes `x ‖ y`; `(0, 0)` is the point at infinity.
fn g1(bytes: &[u8; 64]) -> Result<G1, PrecompileError> {
    let (x, y) = bytes.split_at(32);
    let (x, y) = (fq(x)?, fq(y)?);
    if x.is_zero() && y.is_zero() {
        return Ok(G1::zero());
    }
    AffineG1::new(x, y)
        .map(G1::from)
        .map_err(|_| PrecompileError::InvalidInput)
}

/// A G2 point from 128 bytes `x_imag ‖ x_real ‖ y_imag ‖ y_real`.
fn g2(bytes: &[u8]) -> Result<G2, PrecompileError> {
    let part = |i: usize| fq(bytes.get(i * 32..i * 32 + 32).unwrap_or(&[]));
    let x = Fq2::new(part(1)?, part(0)?);
    let y = Fq2::new(part(3)?, part(2)?);
    if x.is_zero() && y.is_zero() {
        return Ok(G2::zero());
    }
    AffineG2::new(x, y)
        .map(G2::from)
        .map_err(|_| PrecompileError::InvalidInput)
}

fn encode_g1(p: G1) -> Vec<u8> {
    let mut out = vec![0u8; 64];
    if let Some(a) = AffineG1::from_jacobian(p) {
        let (x, y) = out.split_at_mut(32);
        // Both slices are exactly 32 bytes: these cannot fail.
        let _ = a.x().to_big_endian(x);
        let _ = a.y().to_big_endian(y);
    }
    out
}

/// ECADD: the sum of two points.
pub(super) fn add(input: &[u8]) -> Result<Vec<u8>, PrecompileError> {
    let p = g1(&padded::<64>(input, 0))?;
    let q = g1(&padded::<64>(input, 64))?;
    Ok(encode_g1(p + q))
}

/// ECMUL: a point times a scalar.
pub(super) fn mul(input: &[u8]) -> Result<Vec<u8>, PrecompileError> {
    let p = g1(&padded::<64>(input, 0))?;
    let s = Fr::from_slice(&padded::<32>(input, 64)).map_err(|_| PrecompileError::InvalidInput)?;
    Ok(encode_g1(p * s))
}

/// ECPAIRING: whether the product of the pairings is one.
pub(super) fn pairing(input: &[u8]) -> Result<Vec<u8>, PrecompileError> {
    if input.len() % 192 != 0 {
        return Err(PrecompileError::InvalidInput);
    }
    let mut pairs = Vec::with_capacity(input.len() / 192);
    for chunk in input.chunks_exact(192) {
        let (a, b) = chunk.split_at(64);
        pairs.push((g1(&padded::<64>(a, 0))?, g2(b)?));
    }
    let ok = substrate_bn::pairing_batch(&pairs) == Gt::one();
    let mut out = vec![0u8; 32];
    if let Some(last) = out.last_mut() {
        *last = u8::from(ok);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_arithmetic() {
        let mut gen_bytes = [0u8; 64];
        gen_bytes[31] = 1;
        gen_bytes[63] = 2;
        let doubled = add(&[gen_bytes, gen_bytes].concat()).unwrap();
        let mut two = gen_bytes.to_vec();
        let mut scalar = [0u8; 32];
        scalar[31] = 2;
        two.extend_from_slice(&scalar);
        assert_eq!(mul(&two).unwrap(), doubled);
        assert_eq!(add(&[]).unwrap(), vec![0u8; 64]);
        // (1, 3) is not on y² = x³ + 3.
        let mut bad = gen_bytes;
        bad[63] = 3;
        assert_eq!(add(&bad), Err(PrecompileError::InvalidInput));
        assert_eq!(pairing(&[]).unwrap()[31], 1);
        assert_eq!(pairing(&[0u8; 10]), Err(PrecompileError::InvalidInput));
    }
}
