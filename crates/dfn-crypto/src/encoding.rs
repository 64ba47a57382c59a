//! Compressed point encodings (ZCash / IETF flags) and their strict
//! decoding.
//!
//! Byte 0 carries three flags: bit 7 "compressed" (always set here), bit 6
//! "infinity", bit 5 "y is the larger root". The flag checks are the same
//! for both groups and both backends, so they live here and every backend
//! reports the same error for the same bytes.

use crate::backend::Point;
use crate::error::PointError;

const COMPRESSED: u8 = 0x80;
const INFINITY: u8 = 0x40;

/// Decodes a compressed point that must not be the point at infinity (a
/// key, signature, share or commitment): checks length, flags, field
/// canonicity, curve equation and subgroup membership.
pub(crate) fn decode_point<P: Point>(bytes: &[u8]) -> Result<P, PointError> {
    let compressed = P::Compressed::try_from(bytes).map_err(|_| PointError::WrongLength {
        expected: P::COMPRESSED_LEN,
        actual: bytes.len(),
    })?;
    let Some((&first, rest)) = compressed.as_ref().split_first() else {
        return Err(PointError::WrongLength {
            expected: P::COMPRESSED_LEN,
            actual: 0,
        });
    };
    if first & COMPRESSED == 0 {
        return Err(PointError::NotCompressed);
    }
    if first & INFINITY != 0 {
        let canonical = first & !(COMPRESSED | INFINITY) == 0 && rest.iter().all(|&b| b == 0);
        return Err(if canonical {
            PointError::Infinity
        } else {
            PointError::NonCanonicalInfinity
        });
    }
    // For a finite point the sign flag selects the root; the backend reads it.
    P::from_compressed(&compressed)
}
