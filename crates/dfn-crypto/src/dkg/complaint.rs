//! Complaints that anyone can check, and the dealer's public answer.

use rand_core::CryptoRng;

use super::dealing::Dealing;
use super::dleq::{DleqProof, Statement};
use super::encryption::{DkgPublicKey, DkgSecretKey, G1Of};
use super::error::{ComplaintError, DealerFault};
use super::transcript::Context;
use crate::backend::{Point, Scalar};
use crate::threshold::SecretKeyShare;
use crate::variant::Variant;

/// Member `accuser`'s claim that `dealer`'s ciphertext to it is faulty.
///
/// It reveals the shared point `S = sk·R` of that one ciphertext with a
/// DLEQ proof that `S` is right; anyone can then derive the share key,
/// decrypt and judge, without learning the accuser's secret key or any
/// other member's share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Complaint<V: Variant> {
    dealer: u32,
    accuser: u32,
    shared: G1Of<V>,
    proof: DleqProof<V>,
}

/// What a verified complaint shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComplaintVerdict {
    /// The dealer is at fault: its ciphertext to the accuser does not give
    /// a valid share, for this reason.
    Valid(DealerFault),
    /// The share decrypts and is consistent with the commitment: the
    /// complaint is false, and is evidence against the accuser.
    False,
}

impl<V: Variant> Complaint<V> {
    /// Member `accuser` complains about `dealing`: reveals `S = sk·R` and
    /// proves it with a nonce from `rng`. Call it only after
    /// [`Dealing::decrypt_share`] returned a
    /// [`DecryptError::Fault`](super::DecryptError::Fault): a complaint
    /// about a good share is a provable lie. Refuses (revealing nothing)
    /// when the dealing's ephemeral key or its proof is bad.
    pub fn create<R: CryptoRng + ?Sized>(
        dealing: &Dealing<V>,
        context: &[u8],
        accuser: u32,
        sk: &DkgSecretKey<V>,
        rng: &mut R,
    ) -> Result<Self, ComplaintError> {
        check_accuser(dealing, accuser)?;
        let context = Context::new(context)?;
        dealing.verify_ephemeral(&context)?;
        let shared = dealing.ephemeral().mul(sk.scalar());
        let public_key = sk.public_key();
        let statement = Statement {
            dealer: dealing.dealer(),
            accuser,
            public_key: public_key.point(),
            ephemeral: dealing.ephemeral(),
            shared: &shared,
        };
        let proof = DleqProof::prove(&statement, &context, sk.scalar(), rng);
        Ok(Self {
            dealer: dealing.dealer(),
            accuser,
            shared,
            proof,
        })
    }

    /// A complaint from its parts (as decoded from the wire).
    pub fn from_parts(dealer: u32, accuser: u32, shared: G1Of<V>, proof: DleqProof<V>) -> Self {
        Self {
            dealer,
            accuser,
            shared,
            proof,
        }
    }

    /// The dealer complained about.
    pub fn dealer(&self) -> u32 {
        self.dealer
    }

    /// The complaining member.
    pub fn accuser(&self) -> u32 {
        self.accuser
    }

    /// The revealed shared point `S = sk·R`.
    pub fn shared(&self) -> &G1Of<V> {
        &self.shared
    }

    /// The proof that `S` is right.
    pub fn proof(&self) -> &DleqProof<V> {
        &self.proof
    }

    /// Judges the complaint against `dealing` under `context`, with
    /// `accuser_pk` the accuser's registered encryption key: checks the
    /// indices, the dealing's ephemeral key, and the DLEQ proof, then
    /// decrypts the accuser's ciphertext with `S` and rules.
    pub fn verify(
        &self,
        dealing: &Dealing<V>,
        context: &[u8],
        accuser_pk: &DkgPublicKey<V>,
    ) -> Result<ComplaintVerdict, ComplaintError> {
        if self.dealer != dealing.dealer() {
            return Err(ComplaintError::DealerMismatch {
                complaint: self.dealer,
                dealing: dealing.dealer(),
            });
        }
        let ciphertext = check_accuser(dealing, self.accuser)?;
        let context = Context::new(context)?;
        dealing.verify_ephemeral(&context)?;
        if self.shared.is_identity() {
            return Err(ComplaintError::IdentitySharedPoint {
                dealer: self.dealer,
                accuser: self.accuser,
            });
        }
        let statement = Statement {
            dealer: self.dealer,
            accuser: self.accuser,
            public_key: accuser_pk.point(),
            ephemeral: dealing.ephemeral(),
            shared: &self.shared,
        };
        if !self.proof.verify(&statement, &context) {
            return Err(ComplaintError::BadProof {
                dealer: self.dealer,
                accuser: self.accuser,
            });
        }
        Ok(
            match dealing.open_share(&context, self.accuser, &self.shared, ciphertext) {
                Ok(_) => ComplaintVerdict::False,
                Err(fault) => ComplaintVerdict::Valid(fault),
            },
        )
    }
}

/// The accuser's ciphertext, or why the index is wrong.
fn check_accuser<V: Variant>(
    dealing: &Dealing<V>,
    accuser: u32,
) -> Result<&[u8; super::encryption::CIPHERTEXT_LEN], ComplaintError> {
    dealing
        .ciphertext(accuser)
        .ok_or_else(|| ComplaintError::AccuserOutOfRange {
            dealer: dealing.dealer(),
            accuser,
            n: u32::try_from(dealing.ciphertexts().len()).unwrap_or(u32::MAX),
        })
}

/// A dealer's public answer to a complaint: the accuser's share `f(j)` in
/// the clear. Anyone checks it against the commitment; the accuser adopts
/// it. (It was the accuser's secret; after a complaint it no longer is.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Justification<V: Variant> {
    dealer: u32,
    share: SecretKeyShare<V>,
}

impl<V: Variant> Justification<V> {
    /// Dealer `dealer` reveals `share` (its index is the accuser's).
    pub fn new(dealer: u32, share: SecretKeyShare<V>) -> Self {
        Self { dealer, share }
    }

    /// The dealer.
    pub fn dealer(&self) -> u32 {
        self.dealer
    }

    /// The accuser whose share this is.
    pub fn accuser(&self) -> u32 {
        self.share.index()
    }

    /// The revealed share; after [`Justification::verify`] the accuser
    /// uses it as its share from this dealer.
    pub fn share(&self) -> &SecretKeyShare<V> {
        &self.share
    }

    /// Whether the justification answers for `dealing`'s dealer, names a
    /// member of its group, and reveals a nonzero share consistent with the
    /// commitment. A dealer whose justification fails is disqualified.
    pub fn verify(&self, dealing: &Dealing<V>) -> bool {
        self.dealer == dealing.dealer()
            && dealing.ciphertext(self.accuser()).is_some()
            && !self.share.secret_key().scalar().is_zero()
            && dealing.commitment().verify_share(&self.share)
    }
}
