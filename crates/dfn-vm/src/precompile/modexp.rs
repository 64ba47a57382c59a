//! MODEXP (0x05, EIP-198) with EIP-2565 pricing.

use alloc::vec;
use alloc::vec::Vec;

use dfn_state::U256;
use num_bigint::BigUint;

/// Reads `len` bytes at `start` of `input`, zero-padded past its end.
fn padded(input: &[u8], start: usize, len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    if let Some(src) = input.get(start.min(input.len())..) {
        let n = src.len().min(len);
        if let (Some(d), Some(s)) = (out.get_mut(..n), src.get(..n)) {
            d.copy_from_slice(s);
        }
    }
    out
}

/// The three length words.
fn lengths(input: &[u8]) -> (U256, U256, U256) {
    let head = padded(input, 0, 96);
    let word = |i: usize| U256::from_be_slice(head.get(i * 32..i * 32 + 32).unwrap_or(&[]));
    (word(0), word(1), word(2))
}

/// EIP-2565 gas.
pub(super) fn cost(input: &[u8]) -> u64 {
    let (lb, le, lm) = lengths(input);
    let (Ok(lb), Ok(lm)) = (u64::try_from(lb), u64::try_from(lm)) else {
        return u64::MAX;
    };
    let words = u128::from(lb.max(lm).div_ceil(8));
    let mult = words * words;
    // Empty base and modulus: the minimum, however long the exponent.
    if mult == 0 {
        return 200;
    }
    let Ok(le) = u64::try_from(le) else {
        return u64::MAX;
    };
    // The exponent's first (up to) 32 bytes.
    let base_len = usize::try_from(lb).unwrap_or(usize::MAX);
    let head_len = le.min(32) as usize;
    let head = padded(input, 96usize.saturating_add(base_len), head_len);
    let head_bits = U256::from_be_slice(&head).bit_len() as u128;
    let iterations = if le <= 32 {
        head_bits.saturating_sub(1)
    } else {
        8 * u128::from(le - 32) + head_bits.saturating_sub(1)
    };
    let gas = mult.saturating_mul(iterations.max(1)) / 3;
    u64::try_from(gas.max(200)).unwrap_or(u64::MAX)
}

/// `base^exp mod m`, as many bytes as the modulus length.
pub(super) fn modexp(input: &[u8]) -> Vec<u8> {
    let (lb, le, lm) = lengths(input);
    // Gas has bounded every length that reaches here except those of an
    // empty modulus, whose result is empty whatever they are.
    let (Ok(lb), Ok(le), Ok(lm)) = (
        usize::try_from(lb),
        usize::try_from(le),
        usize::try_from(lm),
    ) else {
        return Vec::new();
    };
    if lm == 0 {
        return Vec::new();
    }
    let base = BigUint::from_bytes_be(&padded(input, 96, lb));
    let exp = BigUint::from_bytes_be(&padded(input, 96usize.saturating_add(lb), le));
    let modulus = BigUint::from_bytes_be(&padded(
        input,
        96usize.saturating_add(lb).saturating_add(le),
        lm,
    ));
    let mut out = vec![0u8; lm];
    if modulus == BigUint::ZERO {
        return out;
    }
    let result = base.modpow(&exp, &modulus).to_bytes_be();
    let skip = lm.saturating_sub(result.len());
    if let Some(dst) = out.get_mut(skip..) {
        let n = dst.len().min(result.len());
        if let (Some(d), Some(s)) = (dst.get_mut(..n), result.get(result.len() - n..)) {
            d.copy_from_slice(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fermat_and_pricing() {
        // 3^(p-1) mod p = 1 for p = 2^255 - 19 (EIP-198 example uses secp order; any prime works).
        let mut input = Vec::new();
        for len in [1u8, 32, 32] {
            let mut w = [0u8; 32];
            w[31] = len;
            input.extend_from_slice(&w);
        }
        input.push(3);
        let p: BigUint = (BigUint::from(1u8) << 255usize) - BigUint::from(19u8);
        let pm1: BigUint = &p - BigUint::from(1u8);
        let mut e = pm1.to_bytes_be();
        let mut m = p.to_bytes_be();
        input.append(&mut e);
        input.append(&mut m);
        let out = modexp(&input);
        assert_eq!(out.len(), 32);
        assert_eq!(out[31], 1);
        assert!(out[..31].iter().all(|b| *b == 0));
        // mult = 16, iterations = 254: 16·254/3 = 1354.
        assert_eq!(cost(&input), 1354);
        assert_eq!(cost(&[]), 200);
        assert!(modexp(&[]).is_empty());
    }
}
