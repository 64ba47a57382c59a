//! BLAKE2F (0x09, EIP-152): the BLAKE2b compression function F.

use alloc::vec::Vec;

use super::PrecompileError;

const IV: [u64; 8] = [
    0x6a09_e667_f3bc_c908,
    0xbb67_ae85_84ca_a73b,
    0x3c6e_f372_fe94_f82b,
    0xa54f_f53a_5f1d_36f1,
    0x510e_527f_ade6_82d1,
    0x9b05_688c_2b3e_6c1f,
    0x1f83_d9ab_fb41_bd6b,
    0x5be0_cd19_137e_2179,
];

const SIGMA: [[usize; 16]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

const INPUT_LEN: usize = 213;

/// The round count (the gas), after checking the input's length.
pub(super) fn rounds(input: &[u8]) -> Result<u32, PrecompileError> {
    if input.len() != INPUT_LEN {
        return Err(PrecompileError::InvalidInput);
    }
    let head = input.get(..4).ok_or(PrecompileError::InvalidInput)?;
    let mut r = [0u8; 4];
    r.copy_from_slice(head);
    Ok(u32::from_be_bytes(r))
}

fn word(input: &[u8], offset: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(s) = input.get(offset..offset + 8) {
        b.copy_from_slice(s);
    }
    u64::from_le_bytes(b)
}

/// The mixing function G on four words of `v`.
#[allow(clippy::indexing_slicing, reason = "indices are constants below 16")]
fn g(v: &mut [u64; 16], a: usize, b: usize, c: usize, d: usize, x: u64, y: u64) {
    v[a] = v[a].wrapping_add(v[b]).wrapping_add(x);
    v[d] = (v[d] ^ v[a]).rotate_right(32);
    v[c] = v[c].wrapping_add(v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(24);
    v[a] = v[a].wrapping_add(v[b]).wrapping_add(y);
    v[d] = (v[d] ^ v[a]).rotate_right(16);
    v[c] = v[c].wrapping_add(v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(63);
}

/// F(h, m, t, f) with the given number of rounds.
#[allow(
    clippy::indexing_slicing,
    reason = "SIGMA entries are below 16 and every index is below its array's length"
)]
pub(crate) fn compress(rounds: u32, h: &mut [u64; 8], m: &[u64; 16], t: [u64; 2], last: bool) {
    let mut v = [0u64; 16];
    v[..8].copy_from_slice(h);
    v[8..].copy_from_slice(&IV);
    v[12] ^= t[0];
    v[13] ^= t[1];
    if last {
        v[14] = !v[14];
    }
    for i in 0..rounds as usize {
        let s = &SIGMA[i % 10];
        g(&mut v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        g(&mut v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        g(&mut v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        g(&mut v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        g(&mut v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        g(&mut v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        g(&mut v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        g(&mut v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for i in 0..8 {
        h[i] ^= v[i] ^ v[i + 8];
    }
}

/// `rounds ‖ h ‖ m ‖ t ‖ f` (213 bytes) to the new state `h` (64 bytes).
pub(super) fn blake2f(input: &[u8]) -> Result<Vec<u8>, PrecompileError> {
    let r = rounds(input)?;
    let last = match input.get(212) {
        Some(0) => false,
        Some(1) => true,
        _ => return Err(PrecompileError::InvalidInput),
    };
    let mut h = [0u64; 8];
    for (i, x) in h.iter_mut().enumerate() {
        *x = word(input, 4 + i * 8);
    }
    let mut m = [0u64; 16];
    for (i, x) in m.iter_mut().enumerate() {
        *x = word(input, 68 + i * 8);
    }
    let t = [word(input, 196), word(input, 204)];
    compress(r, &mut h, &m, t, last);
    Ok(h.iter().flat_map(|x| x.to_le_bytes()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blake2b_of_abc() {
        // EIP-152 vector 5: one 12-round compression of "abc" is BLAKE2b-512("abc").
        let mut input = 12u32.to_be_bytes().to_vec();
        let mut h = IV;
        h[0] ^= 0x0101_0040;
        input.extend(h.iter().flat_map(|x| x.to_le_bytes()));
        let mut m = [0u8; 128];
        m[..3].copy_from_slice(b"abc");
        input.extend_from_slice(&m);
        input.extend_from_slice(&3u64.to_le_bytes());
        input.extend_from_slice(&0u64.to_le_bytes());
        input.push(1);
        let out = blake2f(&input).unwrap();
        assert_eq!(
            hex::encode(out),
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"
        );
        assert_eq!(rounds(&input[1..]), Err(PrecompileError::InvalidInput));
        input[212] = 2;
        assert_eq!(blake2f(&input), Err(PrecompileError::InvalidInput));
    }
}
