//! Threshold BLS: Shamir shares of a secret key, Feldman commitments, share
//! signatures, recovery of the group signature by Lagrange interpolation,
//! and batch verification of shares with bisection to blame bad ones.
//!
//! Conventions (`protocol.md` §1): a group has `n` members with indices
//! `1..=n`; the *threshold* `t` is the number of shares needed, so the
//! sharing polynomial has degree `t − 1`; index 0 is the group secret.

mod batch;
mod lagrange;
mod polynomial;
mod public_polynomial;
mod recover;
mod share;
mod share_keys;

pub use batch::{BATCH_WEIGHT_BITS, BatchOutcome};
pub use lagrange::lagrange_coefficients_at_zero;
pub use polynomial::SecretPolynomial;
pub use public_polynomial::PublicPolynomial;
pub use public_polynomial::PublicPolynomialDecodeError;
pub use recover::{recover_public_key, recover_signature};
pub use share::ShareDecodeError;
pub use share::{PublicKeyShare, SecretKeyShare, SignatureShare};
pub use share_keys::ShareKeys;
