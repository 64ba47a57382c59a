//! Uniform draws from hash digests, shared by the beacon-keyed selections
//! (tower builders, lottery tickets, USCID challenges).

/// `u256_be(digest) mod modulus`, exactly, by Horner's rule over the bytes
/// in `u128` (each step stays below `2^72`), which avoids 256-bit division.
/// `modulus` must not be 0; 0 yields 0.
pub(crate) fn reduce(digest: &[u8; 32], modulus: u64) -> u64 {
    if modulus == 0 {
        return 0;
    }
    let m = u128::from(modulus);
    let rest = digest
        .iter()
        .fold(0u128, |acc, &byte| ((acc << 8) | u128::from(byte)) % m);
    // `rest < modulus`, a u64.
    u64::try_from(rest).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::reduce;
    use crate::U256;

    #[test]
    fn matches_256_bit_remainder() {
        let digests = [[0xff; 32], [0x00; 32], [0x5a; 32], {
            let mut d = [0u8; 32];
            d[0] = 0x80;
            d[31] = 0x01;
            d
        }];
        for digest in digests {
            for modulus in [1u64, 2, 7, 1000, 1 << 32, u64::MAX] {
                let expected = U256::from_be_bytes(digest) % U256::from(modulus);
                assert_eq!(U256::from(reduce(&digest, modulus)), expected);
            }
        }
        assert_eq!(reduce(&[0xff; 32], 0), 0);
    }
}
