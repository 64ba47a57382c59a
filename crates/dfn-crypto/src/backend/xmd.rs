//! RFC 9380 §5.3.1 `expand_message_xmd` with SHA-256, written directly on
//! `sha2` so the pure-Rust backend can expose it byte for byte.

use alloc::vec::Vec;

use sha2::{Digest, Sha256};

/// Output size of SHA-256 in bytes (`b_in_bytes`).
const B_IN_BYTES: usize = 32;
/// Input block size of SHA-256 in bytes (`s_in_bytes`).
const S_IN_BYTES: usize = 64;

/// `expand_message_xmd(msg, DST, len_in_bytes)` with SHA-256.
///
/// `None` when `len_in_bytes` is 0, above 65535 or above `255 · 32`, or when
/// the DST is longer than 255 bytes (the RFC's oversize-DST hashing is left
/// to the caller).
pub(crate) fn expand_message_xmd_sha256(
    msg: &[u8],
    dst: &[u8],
    len_in_bytes: usize,
) -> Option<Vec<u8>> {
    if len_in_bytes == 0 {
        return None;
    }
    let ell = u8::try_from(len_in_bytes.div_ceil(B_IN_BYTES)).ok()?;
    let l_i_b_str = u16::try_from(len_in_bytes).ok()?.to_be_bytes();
    let dst_len = u8::try_from(dst.len()).ok()?;

    // DST_prime = DST ‖ I2OSP(len(DST), 1), fed to every hash call.
    let with_dst_prime = |mut h: Sha256| {
        h.update(dst);
        h.update([dst_len]);
        h.finalize()
    };

    // b_0 = H(Z_pad ‖ msg ‖ l_i_b_str ‖ I2OSP(0, 1) ‖ DST_prime)
    let mut h = Sha256::new();
    h.update([0u8; S_IN_BYTES]);
    h.update(msg);
    h.update(l_i_b_str);
    h.update([0u8]);
    let b_0 = with_dst_prime(h);

    // b_1 = H(b_0 ‖ I2OSP(1, 1) ‖ DST_prime)
    let mut h = Sha256::new();
    h.update(b_0);
    h.update([1u8]);
    let mut b_i = with_dst_prime(h);

    let mut out = Vec::with_capacity(usize::from(ell) * B_IN_BYTES);
    out.extend_from_slice(&b_i);
    // b_i = H(strxor(b_0, b_{i-1}) ‖ I2OSP(i, 1) ‖ DST_prime)
    for i in 2..=ell {
        let mut xored = [0u8; B_IN_BYTES];
        for ((x, a), b) in xored.iter_mut().zip(b_0.iter()).zip(b_i.iter()) {
            *x = a ^ b;
        }
        let mut h = Sha256::new();
        h.update(xored);
        h.update([i]);
        b_i = with_dst_prime(h);
        out.extend_from_slice(&b_i);
    }
    out.truncate(len_in_bytes);
    Some(out)
}
