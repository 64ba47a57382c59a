//! Chaum–Pedersen proof of equality of discrete logarithms: an accuser shows
//! that the point it reveals is `S = sk·R` for the `sk` behind its
//! encryption key `PK = sk·g₁`, without revealing `sk`.

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use super::encryption::G1Of;
use super::error::ProofDecodeError;
use super::transcript::{Context, challenge, decode_proof, encode_proof};
use crate::backend::{Point, Scalar};
use crate::keys::random_nonzero_scalar;
use crate::variant::{ScalarOf, Variant};

/// Domain tag of the DLEQ challenge.
const TAG: &[u8] = b"DFN-DKG-DLEQ-V1";

/// The statement `log_g₁(PK) = log_R(S)` of one complaint.
pub(crate) struct Statement<'a, V: Variant> {
    pub(crate) dealer: u32,
    pub(crate) accuser: u32,
    pub(crate) public_key: &'a G1Of<V>,
    pub(crate) ephemeral: &'a G1Of<V>,
    pub(crate) shared: &'a G1Of<V>,
}

impl<V: Variant> Statement<'_, V> {
    /// `c = H(tag, context, dealer, accuser, g₁, PK, R, S, A₁, A₂)`.
    fn challenge(&self, context: &Context<'_>, a1: &G1Of<V>, a2: &G1Of<V>) -> ScalarOf<V> {
        challenge(
            TAG,
            context,
            &[
                &self.dealer.to_be_bytes(),
                &self.accuser.to_be_bytes(),
                G1Of::<V>::generator().to_compressed().as_ref(),
                self.public_key.to_compressed().as_ref(),
                self.ephemeral.to_compressed().as_ref(),
                self.shared.to_compressed().as_ref(),
                a1.to_compressed().as_ref(),
                a2.to_compressed().as_ref(),
            ],
        )
    }
}

/// A Chaum–Pedersen proof `(c, z)` that `log_g₁(PK) = log_R(S)`:
/// `A₁ = z·g₁ − c·PK`, `A₂ = z·R − c·S`, `c = H(…, A₁, A₂)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DleqProof<V: Variant> {
    challenge: ScalarOf<V>,
    response: ScalarOf<V>,
}

impl<V: Variant> DleqProof<V> {
    /// Proves the statement with the secret `sk`.
    pub(crate) fn prove<R: CryptoRng + ?Sized>(
        statement: &Statement<'_, V>,
        context: &Context<'_>,
        secret: &ScalarOf<V>,
        rng: &mut R,
    ) -> Self {
        let nonce = Zeroizing::new(random_nonzero_scalar::<ScalarOf<V>, R>(rng));
        let a1 = G1Of::<V>::generator().mul(&nonce);
        let a2 = statement.ephemeral.mul(&nonce);
        let challenge = statement.challenge(context, &a1, &a2);
        let response = nonce.add(&challenge.mul(secret));
        Self {
            challenge,
            response,
        }
    }

    /// Whether the proof verifies for the statement and context.
    pub(crate) fn verify(&self, statement: &Statement<'_, V>, context: &Context<'_>) -> bool {
        let (c, z) = (&self.challenge, &self.response);
        let a1 = G1Of::<V>::generator()
            .mul(z)
            .add(&statement.public_key.mul(c).neg());
        let a2 = statement
            .ephemeral
            .mul(z)
            .add(&statement.shared.mul(c).neg());
        statement.challenge(context, &a1, &a2) == *c
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
