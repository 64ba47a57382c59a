//! A dealer's broadcast: its Feldman commitment and every member's share,
//! encrypted to that member; and what a member does with it.

use alloc::vec::Vec;

use rand_core::CryptoRng;
use zeroize::{Zeroize, Zeroizing};

use super::complaint::Justification;
use super::encryption::{CIPHERTEXT_LEN, DkgPublicKey, DkgSecretKey, G1Of, open, seal, share_key};
use super::error::{DealerFault, DealingError, DecryptError};
use super::schnorr::SchnorrProof;
use super::transcript::{Context, share_aad, share_aad_prefix};
use crate::backend::{Point, Scalar};
use crate::keys::{SecretKey, random_nonzero_scalar};
use crate::threshold::{PublicPolynomial, SecretKeyShare, SecretPolynomial};
use crate::variant::{ScalarOf, Variant};

/// Dealer `dealer`'s contribution to a DKG run: the commitment to its
/// polynomial `f`, one ephemeral key `R = r·g₁` with a proof of knowledge of
/// `r`, and `f(j)` encrypted to member `j` for `j = 1..=n` (ciphertext
/// `j − 1`). See the [module docs](super) for the construction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dealing<V: Variant> {
    dealer: u32,
    commitment: PublicPolynomial<V>,
    ephemeral: G1Of<V>,
    ephemeral_proof: SchnorrProof<V>,
    ciphertexts: Vec<[u8; CIPHERTEXT_LEN]>,
}

/// Checks `1 ≤ t ≤ n ≤ u32::MAX` and `dealer ∈ 1..=n`; returns `n`.
fn check_group(n: usize, threshold: u32, dealer: u32) -> Result<u32, DealingError> {
    let invalid = DealingError::InvalidGroup { n, threshold };
    let n32 = u32::try_from(n).map_err(|_| invalid)?;
    if threshold == 0 || threshold > n32 {
        return Err(invalid);
    }
    if dealer == 0 || dealer > n32 {
        return Err(DealingError::DealerOutOfRange { dealer, n: n32 });
    }
    Ok(n32)
}

impl<V: Variant> Dealing<V> {
    /// Deals a fresh random secret with threshold `t` to `recipients`
    /// (member `j`'s encryption key is `recipients[j − 1]`). Returns the
    /// dealing to broadcast and the polynomial, which the dealer keeps until
    /// the run ends to answer complaints ([`Dealing::justify`]).
    pub fn deal<R: CryptoRng + ?Sized>(
        dealer: u32,
        threshold: u32,
        recipients: &[DkgPublicKey<V>],
        context: &[u8],
        rng: &mut R,
    ) -> Result<(Self, SecretPolynomial<V>), DealingError> {
        check_group(recipients.len(), threshold, dealer)?;
        let poly =
            SecretPolynomial::random(threshold, rng).map_err(|_| DealingError::InvalidGroup {
                n: recipients.len(),
                threshold,
            })?;
        let dealing = Self::deal_with_polynomial(dealer, &poly, recipients, context, rng)?;
        Ok((dealing, poly))
    }

    /// Deals the shares of a given polynomial (resharing an existing secret,
    /// or a refresh with `f(0) = 0`); its threshold is its number of
    /// coefficients.
    pub fn deal_with_polynomial<R: CryptoRng + ?Sized>(
        dealer: u32,
        poly: &SecretPolynomial<V>,
        recipients: &[DkgPublicKey<V>],
        context: &[u8],
        rng: &mut R,
    ) -> Result<Self, DealingError> {
        check_group(recipients.len(), poly.threshold(), dealer)?;
        encrypt_shares(
            dealer,
            poly.commitment(),
            |j| poly.evaluate(j),
            recipients,
            context,
            rng,
        )
    }

    /// A dealing from its parts (as decoded from the wire); check it with
    /// [`Dealing::verify`] before use.
    pub fn from_parts(
        dealer: u32,
        commitment: PublicPolynomial<V>,
        ephemeral: DkgPublicKey<V>,
        ephemeral_proof: SchnorrProof<V>,
        ciphertexts: Vec<[u8; CIPHERTEXT_LEN]>,
    ) -> Self {
        Self {
            dealer,
            commitment,
            ephemeral: *ephemeral.point(),
            ephemeral_proof,
            ciphertexts,
        }
    }

    /// The dealer's member index.
    pub fn dealer(&self) -> u32 {
        self.dealer
    }

    /// The Feldman commitment to the dealer's polynomial.
    pub fn commitment(&self) -> &PublicPolynomial<V> {
        &self.commitment
    }

    /// The ephemeral key `R = r·g₁` shared by all the ciphertexts.
    pub fn ephemeral(&self) -> &G1Of<V> {
        &self.ephemeral
    }

    /// The proof that the dealer knows `r`.
    pub fn ephemeral_proof(&self) -> &SchnorrProof<V> {
        &self.ephemeral_proof
    }

    /// The encrypted shares, member 1 first.
    pub fn ciphertexts(&self) -> &[[u8; CIPHERTEXT_LEN]] {
        &self.ciphertexts
    }

    /// Member `j`'s ciphertext, `None` outside `1..=n`.
    pub fn ciphertext(&self, recipient: u32) -> Option<&[u8; CIPHERTEXT_LEN]> {
        self.ciphertexts
            .get(usize::try_from(recipient.checked_sub(1)?).ok()?)
    }

    /// Structural check for a group of `n` with threshold `t`: the dealer
    /// index is in `1..=n`, the commitment has exactly `t` coefficients,
    /// there are exactly `n` ciphertexts and the ephemeral key is not the
    /// point at infinity.
    pub fn check_shape(&self, n: u32, threshold: u32) -> Result<(), DealingError> {
        check_group(n as usize, threshold, self.dealer)?;
        if self.commitment.threshold() != threshold {
            return Err(DealingError::WrongCommitmentLength {
                dealer: self.dealer,
                expected: threshold,
                actual: self.commitment.threshold(),
            });
        }
        if self.ciphertexts.len() != n as usize {
            return Err(DealingError::WrongCiphertextCount {
                dealer: self.dealer,
                expected: n,
                actual: self.ciphertexts.len(),
            });
        }
        if self.ephemeral.is_identity() {
            return Err(DealingError::IdentityEphemeral {
                dealer: self.dealer,
            });
        }
        Ok(())
    }

    /// Everything anyone can check about a dealing without a decryption
    /// key: [`Dealing::check_shape`] and the proof of knowledge of the
    /// ephemeral key under `context`. A dealing failing it is a public
    /// fault of its dealer.
    pub fn verify(&self, context: &[u8], n: u32, threshold: u32) -> Result<(), DealingError> {
        self.check_shape(n, threshold)?;
        self.verify_ephemeral(&Context::new(context)?)
    }

    /// The ephemeral key is finite and its proof verifies.
    pub(crate) fn verify_ephemeral(&self, context: &Context<'_>) -> Result<(), DealingError> {
        if self.ephemeral.is_identity() {
            return Err(DealingError::IdentityEphemeral {
                dealer: self.dealer,
            });
        }
        if !self
            .ephemeral_proof
            .verify(context, self.dealer, &self.ephemeral)
        {
            return Err(DealingError::BadEphemeralProof {
                dealer: self.dealer,
            });
        }
        Ok(())
    }

    /// Member `recipient`'s view: derives its share key from `sk·R`,
    /// decrypts and checks the share against the commitment (Feldman).
    ///
    /// A [`DecryptError::Fault`] is what a [`Complaint`](super::Complaint)
    /// proves; a [`DecryptError::Dealing`] means the dealing is publicly
    /// malformed (or the index is wrong) and must not be complained about.
    pub fn decrypt_share(
        &self,
        context: &[u8],
        recipient: u32,
        sk: &DkgSecretKey<V>,
    ) -> Result<SecretKeyShare<V>, DecryptError> {
        let share = self.decrypt_share_unchecked(context, recipient, sk)?;
        if !self.commitment.verify_share(&share) {
            return Err(DecryptError::Fault {
                dealer: self.dealer,
                recipient,
                fault: DealerFault::InconsistentShare,
            });
        }
        Ok(share)
    }

    fn out_of_range(&self, recipient: u32) -> DealingError {
        DealingError::RecipientOutOfRange {
            dealer: self.dealer,
            recipient,
            n: u32::try_from(self.ciphertexts.len()).unwrap_or(u32::MAX),
        }
    }

    /// Decrypts `ciphertext` for `recipient` with the shared point
    /// `S = sk·R` and checks the share: what both the member and a complaint
    /// verifier run.
    pub(crate) fn open_share(
        &self,
        context: &Context<'_>,
        recipient: u32,
        shared: &G1Of<V>,
        ciphertext: &[u8; CIPHERTEXT_LEN],
    ) -> Result<SecretKeyShare<V>, DealerFault> {
        let share = self.open_share_unchecked(context, recipient, shared, ciphertext)?;
        if !self.commitment.verify_share(&share) {
            return Err(DealerFault::InconsistentShare);
        }
        Ok(share)
    }

    /// [`Self::open_share`] without Feldman's check against the commitment.
    fn open_share_unchecked(
        &self,
        context: &Context<'_>,
        recipient: u32,
        shared: &G1Of<V>,
        ciphertext: &[u8; CIPHERTEXT_LEN],
    ) -> Result<SecretKeyShare<V>, DealerFault> {
        let key = share_key::<V>(shared, context, self.dealer, recipient, &self.ephemeral)
            .ok_or(DealerFault::Undecryptable)?;
        let prefix = share_aad_prefix(context, self.dealer, &self.commitment.to_bytes());
        let aad = share_aad(&prefix, recipient);
        let plaintext = open(&key, &aad, ciphertext).ok_or(DealerFault::Undecryptable)?;
        let scalar = Zeroizing::new(
            ScalarOf::<V>::from_be_bytes(&plaintext).ok_or(DealerFault::NonCanonicalShare)?,
        );
        if scalar.is_zero() {
            return Err(DealerFault::ZeroShare);
        }
        SecretKeyShare::new(recipient, SecretKey::from_scalar(*scalar))
            .map_err(|_| DealerFault::Undecryptable)
    }

    /// [`Self::decrypt_share`] without the check of the share against the
    /// commitment, for a member that checks all its shares at once with
    /// [`inconsistent_shares`](super::inconsistent_shares) (one batch
    /// instead of a full check per dealing). The share must not be used
    /// before that check passes.
    pub fn decrypt_share_unchecked(
        &self,
        context: &[u8],
        recipient: u32,
        sk: &DkgSecretKey<V>,
    ) -> Result<SecretKeyShare<V>, DecryptError> {
        self.verify_ephemeral(&Context::new(context)?)?;
        self.decrypt_verified_share_unchecked(context, recipient, sk)
    }

    /// [`Self::decrypt_share_unchecked`] for a dealing that already passed
    /// [`Dealing::verify`] under `context` (the proof is not checked again).
    pub(crate) fn decrypt_verified_share_unchecked(
        &self,
        context: &[u8],
        recipient: u32,
        sk: &DkgSecretKey<V>,
    ) -> Result<SecretKeyShare<V>, DecryptError> {
        let ciphertext = self
            .ciphertext(recipient)
            .ok_or_else(|| self.out_of_range(recipient))?;
        let context = Context::new(context)?;
        let shared = self.ephemeral.mul(sk.scalar());
        self.open_share_unchecked(&context, recipient, &shared, ciphertext)
            .map_err(|fault| DecryptError::Fault {
                dealer: self.dealer,
                recipient,
                fault,
            })
    }

    /// The dealer's answer to a complaint by `accuser`: the share `f(j)`
    /// from its polynomial, revealed in public. `poly` must be the
    /// polynomial this dealing commits to; a justification from another
    /// one fails [`Justification::verify`].
    pub fn justify(
        &self,
        poly: &SecretPolynomial<V>,
        accuser: u32,
    ) -> Result<Justification<V>, DealingError> {
        if self.ciphertext(accuser).is_none() {
            return Err(self.out_of_range(accuser));
        }
        let share = poly
            .share(accuser)
            .map_err(|_| self.out_of_range(accuser))?;
        Ok(Justification::new(self.dealer, share))
    }
}

/// Builds a dealing for `commitment` whose plaintext for member `j` is
/// `share_of(j)`; honest dealers pass `f(j)` and `f`'s commitment (tests
/// pass something else to play a cheating dealer).
pub(crate) fn encrypt_shares<V: Variant, R: CryptoRng + ?Sized>(
    dealer: u32,
    commitment: PublicPolynomial<V>,
    share_of: impl Fn(u32) -> ScalarOf<V>,
    recipients: &[DkgPublicKey<V>],
    context: &[u8],
    rng: &mut R,
) -> Result<Dealing<V>, DealingError> {
    let context = Context::new(context)?;
    let secret = Zeroizing::new(random_nonzero_scalar::<ScalarOf<V>, R>(rng));
    let ephemeral = G1Of::<V>::generator().mul(&secret);
    let ephemeral_proof = SchnorrProof::<V>::prove(&context, dealer, &secret, &ephemeral, rng);
    let prefix = share_aad_prefix(&context, dealer, &commitment.to_bytes());
    let mut ciphertexts = Vec::with_capacity(recipients.len());
    for (j, pk) in (1u32..).zip(recipients) {
        let shared = pk.point().mul(&secret);
        let key = share_key::<V>(&shared, &context, dealer, j, &ephemeral).ok_or(
            DealingError::Encryption {
                dealer,
                recipient: j,
            },
        )?;
        let mut share = share_of(j);
        let mut plaintext = share.to_be_bytes();
        share.zeroize();
        let sealed = seal(&key, &share_aad(&prefix, j), &plaintext);
        plaintext.zeroize();
        ciphertexts.push(sealed.ok_or(DealingError::Encryption {
            dealer,
            recipient: j,
        })?);
    }
    Ok(Dealing {
        dealer,
        commitment,
        ephemeral,
        ephemeral_proof,
        ciphertexts,
    })
}
