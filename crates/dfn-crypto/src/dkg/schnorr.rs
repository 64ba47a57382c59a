//! Schnorr proof of knowledge of a dealing's ephemeral secret `r` (for
//! `R = r·g₁`), bound to the run context and the dealer index.
//!
//! Without it a dealer could publish `R = R_k + a·g₁` for another dealer's
//! `R_k`, send garbage, and read `sk_j·R_k` out of the complaints it
//! provokes: the key of dealer `k`'s ciphertexts. With it, a dealer knows the
//! discrete logarithm of its `R`, so the point a complaint reveals,
//! `sk_j·R = r·PK_j`, is one it could compute anyway.

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use super::encryption::G1Of;
use super::error::ProofDecodeError;
use super::transcript::{Context, challenge, decode_proof, encode_proof};
use crate::backend::{Point, Scalar};
use crate::keys::random_nonzero_scalar;
use crate::variant::{ScalarOf, Variant};

/// Domain tag of the ephemeral-key proof's challenge.
const TAG: &[u8] = b"DFN-DKG-EPHEMERAL-V1";

/// A Schnorr proof `(c, z)` that the dealer knows `r` with `R = r·g₁`:
/// `A = z·g₁ − c·R` and `c = H(tag, context, dealer, g₁, R, A)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchnorrProof<V: Variant> {
    challenge: ScalarOf<V>,
    response: ScalarOf<V>,
}

fn schnorr_challenge<V: Variant>(
    context: &Context<'_>,
    dealer: u32,
    ephemeral: &G1Of<V>,
    commitment: &G1Of<V>,
) -> ScalarOf<V> {
    challenge(
        TAG,
        context,
        &[
            &dealer.to_be_bytes(),
            G1Of::<V>::generator().to_compressed().as_ref(),
            ephemeral.to_compressed().as_ref(),
            commitment.to_compressed().as_ref(),
        ],
    )
}

impl<V: Variant> SchnorrProof<V> {
    /// Proves knowledge of `secret` for `ephemeral = secret·g₁`.
    pub(crate) fn prove<R: CryptoRng + ?Sized>(
        context: &Context<'_>,
        dealer: u32,
        secret: &ScalarOf<V>,
        ephemeral: &G1Of<V>,
        rng: &mut R,
    ) -> Self {
        let nonce = Zeroizing::new(random_nonzero_scalar::<ScalarOf<V>, R>(rng));
        let commitment = G1Of::<V>::generator().mul(&nonce);
        let challenge = schnorr_challenge::<V>(context, dealer, ephemeral, &commitment);
        let response = nonce.add(&challenge.mul(secret));
        Self {
            challenge,
            response,
        }
    }

    /// Whether the proof verifies for `ephemeral`, `dealer` and `context`.
    pub(crate) fn verify(&self, context: &Context<'_>, dealer: u32, ephemeral: &G1Of<V>) -> bool {
        let commitment = G1Of::<V>::generator()
            .mul(&self.response)
            .add(&ephemeral.mul(&self.challenge).neg());
        schnorr_challenge::<V>(context, dealer, ephemeral, &commitment) == self.challenge
    }

    /// The encoding `c ‖ z`, 32 big-endian bytes each.
    pub fn to_bytes(&self) -> [u8; 64] {
        encode_proof(&self.challenge, &self.response)
    }

    /// Decodes `c ‖ z`; both must be canonical scalars.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ProofDecodeError> {
        let (challenge, response) = decode_proof(bytes)?;
        Ok(Self {
            challenge,
            response,
        })
    }
}
