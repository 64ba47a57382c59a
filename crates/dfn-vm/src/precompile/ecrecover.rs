//! ECRECOVER (0x01): the address whose key signed a hash.

use alloc::vec::Vec;

use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};

use crate::keccak::keccak256;

/// `hash ‖ v ‖ r ‖ s` (zero-padded to 128 bytes) to the 32-byte
/// left-padded signer address, or empty output if the signature is invalid.
pub(super) fn ecrecover(input: &[u8]) -> Vec<u8> {
    let mut buf = [0u8; 128];
    let n = input.len().min(128);
    if let (Some(d), Some(s)) = (buf.get_mut(..n), input.get(..n)) {
        d.copy_from_slice(s);
    }
    recover(&buf).unwrap_or_default()
}

fn recover(buf: &[u8; 128]) -> Option<Vec<u8>> {
    let (hash, rest) = buf.split_at(32);
    let (v, sig) = rest.split_at(32);
    let (v_high, v_last) = v.split_at(31);
    if v_high.iter().any(|b| *b != 0) {
        return None;
    }
    let recid = match v_last.first()? {
        27 => 0u8,
        28 => 1u8,
        _ => return None,
    };
    let mut signature = Signature::from_slice(sig).ok()?;
    let mut recid = RecoveryId::from_byte(recid)?;
    // Ethereum's precompile accepts high s; k256 verifies only low s, so
    // use the equivalent low-s signature with the other recovery id.
    if let Some(low) = signature.normalize_s() {
        signature = low;
        recid = RecoveryId::new(!recid.is_y_odd(), recid.is_x_reduced());
    }
    let key = VerifyingKey::recover_from_prehash(hash, &signature, recid).ok()?;
    let point = key.to_encoded_point(false);
    let hashed = keccak256(point.as_bytes().get(1..)?);
    let mut out = alloc::vec![0u8; 12];
    out.extend_from_slice(hashed.0.get(12..)?);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_signature() {
        // From the ecrecover examples of the Ethereum state tests.
        let input = hex::decode(concat!(
            "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c",
            "000000000000000000000000000000000000000000000000000000000000001c",
            "73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f",
            "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549"
        ))
        .unwrap();
        assert_eq!(
            hex::encode(ecrecover(&input)),
            "000000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b"
        );
        assert!(ecrecover(&input[..64]).is_empty());
    }
}
