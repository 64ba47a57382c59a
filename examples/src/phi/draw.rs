//! Turning one beacon value into one step of one sequence.
//!
//! Every sequence step consumes the next beacon value produced after the
//! step became due. From it, a draw private to the step is derived:
//!
//! ```text
//! draw = SHA-256("DFN-PHI-DRAW-V1" ‖ u64_be(application) ‖ u32_be(attempt)
//!                ‖ u32_be(step) ‖ u64_be(height) ‖ r_height)
//! ```
//!
//! Bytes `0..8` (big-endian, mod 10⁶) decide whether the sequence stops
//! here; bytes `8..24` (big-endian `u128`, mod the total weight) pick the
//! next validator. Tagging with the application and attempt keeps two
//! sequences that read the same beacon value independent; an appeal
//! (attempt 1) reads only values produced after it was filed.

use sha2::{Digest, Sha256};

use super::config::PPM;
use super::types::ApplicationId;

/// Domain tag of the draw.
pub const DRAW_TAG: &[u8] = b"DFN-PHI-DRAW-V1";

/// The randomness of one step of one sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Draw(pub [u8; 32]);

impl Draw {
    /// The draw of `step` of sequence `attempt` of `application`, from the
    /// beacon value `randomness` at `height`.
    pub fn derive(
        application: ApplicationId,
        attempt: u32,
        step: u32,
        height: u64,
        randomness: &[u8; 32],
    ) -> Self {
        let mut h = Sha256::new();
        h.update(DRAW_TAG);
        h.update(application.0.to_be_bytes());
        h.update(attempt.to_be_bytes());
        h.update(step.to_be_bytes());
        h.update(height.to_be_bytes());
        h.update(randomness);
        Draw(h.finalize().into())
    }

    /// Whether the sequence stops, with probability `probability_ppm`
    /// parts per million.
    pub fn stops(&self, probability_ppm: u32) -> bool {
        let [a, b, c, d, e, f, g, h, ..] = self.0;
        let x = u64::from_be_bytes([a, b, c, d, e, f, g, h]) % u64::from(PPM);
        x < u64::from(probability_ppm)
    }

    /// A position in `0..total` (uniform up to a bias below `total / 2¹²⁸`);
    /// `None` when `total` is 0.
    pub fn pick(&self, total: u128) -> Option<u128> {
        if total == 0 {
            return None;
        }
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(self.0.get(8..24)?);
        Some(u128::from_be_bytes(bytes) % total)
    }
}
