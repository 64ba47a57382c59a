//! IETF KeyGen (draft-irtf-cfrg-bls-signature §2.3, from draft-04 on).

use hkdf::HkdfExtract;
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::backend::Scalar;
use crate::error::KeyGenError;

/// Bytes of HKDF output reduced modulo `r`: `ceil((3·ceil(log2 r)) / 16)`.
const OKM_LEN: usize = 48;

/// Derives a nonzero scalar from at least 32 bytes of input key material.
///
/// `SK = OS2IP(HKDF-Expand(HKDF-Extract(salt, IKM ‖ 0x00), key_info ‖
/// I2OSP(48, 2), 48)) mod r`, with `salt = H(salt)` re-hashed before every
/// attempt, starting from `"BLS-SIG-KEYGEN-SALT-"`, until `SK ≠ 0`.
pub(crate) fn key_gen<S: Scalar>(ikm: &[u8], key_info: &[u8]) -> Result<S, KeyGenError> {
    if ikm.len() < 32 {
        return Err(KeyGenError::IkmTooShort(ikm.len()));
    }
    let mut salt: [u8; 32] = Sha256::digest(b"BLS-SIG-KEYGEN-SALT-").into();
    // HKDF-Expand to 48 bytes is far below its 255·32-byte limit, so it
    // cannot fail; its result is checked all the same.
    let length = (OKM_LEN as u16).to_be_bytes();
    loop {
        let mut extract = HkdfExtract::<Sha256>::new(Some(&salt));
        extract.input_ikm(ikm);
        extract.input_ikm(&[0]);
        let (_, expand) = extract.finalize();
        let mut wide = [0u8; 64];
        let (_, okm) = wide.split_at_mut(64 - OKM_LEN);
        let expanded = expand.expand_multi_info(&[key_info, &length], okm).is_ok();
        let sk = S::from_be_bytes_wide(&wide);
        wide.zeroize();
        if expanded && !sk.is_zero() {
            return Ok(sk);
        }
        salt = Sha256::digest(salt).into();
    }
}
