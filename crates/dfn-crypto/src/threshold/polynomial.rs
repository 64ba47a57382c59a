//! Secret sharing polynomials over the scalar field.

use alloc::vec::Vec;
use core::fmt;

use rand_core::CryptoRng;
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::public_polynomial::PublicPolynomial;
use super::share::SecretKeyShare;
use crate::backend::{Point, Scalar};
use crate::error::ThresholdError;
use crate::keys::{SecretKey, random_nonzero_scalar};
use crate::variant::{ScalarOf, Variant};

/// `f(x) = a_0 + a_1·x + … + a_{t−1}·x^{t−1}` with `a_0` the group secret:
/// any `t` of the shares `f(1..=n)` determine it, `t − 1` reveal nothing.
/// Coefficients are wiped on drop; equality is constant-time in their
/// values (not in their number, which is public).
#[derive(Clone)]
pub struct SecretPolynomial<V: Variant> {
    coefficients: Vec<ScalarOf<V>>,
}

impl<V: Variant> PartialEq for SecretPolynomial<V> {
    fn eq(&self, other: &Self) -> bool {
        if self.coefficients.len() != other.coefficients.len() {
            return false;
        }
        let mut equal = Choice::from(1);
        for (a, b) in self.coefficients.iter().zip(&other.coefficients) {
            let (mut x, mut y) = (a.to_be_bytes(), b.to_be_bytes());
            equal &= x.ct_eq(&y);
            x.zeroize();
            y.zeroize();
        }
        equal.into()
    }
}

impl<V: Variant> Eq for SecretPolynomial<V> {}

impl<V: Variant> fmt::Debug for SecretPolynomial<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SecretPolynomial {{ threshold: {}, coefficients: <redacted> }}",
            self.threshold()
        )
    }
}

impl<V: Variant> Zeroize for SecretPolynomial<V> {
    fn zeroize(&mut self) {
        self.coefficients.iter_mut().for_each(Zeroize::zeroize);
    }
}

impl<V: Variant> Drop for SecretPolynomial<V> {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl<V: Variant> ZeroizeOnDrop for SecretPolynomial<V> {}

impl<V: Variant> SecretPolynomial<V> {
    /// A random polynomial for threshold `t ≥ 1` (degree `t − 1`), with a
    /// random group secret.
    pub fn random<R: CryptoRng + ?Sized>(
        threshold: u32,
        rng: &mut R,
    ) -> Result<Self, ThresholdError> {
        let secret = SecretKey::random(rng);
        Self::with_secret(&secret, threshold, rng)
    }

    /// A random polynomial for threshold `t ≥ 1` whose value at 0 is
    /// `secret` (a dealer sharing an existing key).
    pub fn with_secret<R: CryptoRng + ?Sized>(
        secret: &SecretKey<V>,
        threshold: u32,
        rng: &mut R,
    ) -> Result<Self, ThresholdError> {
        if threshold == 0 {
            return Err(ThresholdError::InvalidThreshold { threshold, n: 0 });
        }
        let mut coefficients = Vec::with_capacity(threshold as usize);
        coefficients.push(*secret.scalar());
        coefficients.extend((1..threshold).map(|_| random_nonzero_scalar::<ScalarOf<V>, R>(rng)));
        Ok(Self { coefficients })
    }

    /// Shares needed to recover the secret: the number of coefficients.
    pub fn threshold(&self) -> u32 {
        self.coefficients.len() as u32
    }

    /// The group secret `f(0)`.
    pub fn secret(&self) -> SecretKey<V> {
        SecretKey::from_scalar(self.coefficients.first().copied().unwrap_or_default())
    }

    /// `f(x)` by Horner's rule.
    pub fn evaluate(&self, x: u32) -> ScalarOf<V> {
        let x = ScalarOf::<V>::from_u64(u64::from(x));
        self.coefficients
            .iter()
            .rev()
            .fold(ScalarOf::<V>::zero(), |acc, a| acc.mul(&x).add(a))
    }

    /// Member `index`'s share `f(index)`.
    pub fn share(&self, index: u32) -> Result<SecretKeyShare<V>, ThresholdError> {
        SecretKeyShare::new(index, SecretKey::from_scalar(self.evaluate(index)))
    }

    /// The shares of members `1..=n`; needs `t ≤ n`.
    pub fn shares(&self, n: u32) -> Result<Vec<SecretKeyShare<V>>, ThresholdError> {
        if self.threshold() > n {
            return Err(ThresholdError::InvalidThreshold {
                threshold: self.threshold(),
                n,
            });
        }
        (1..=n).map(|i| self.share(i)).collect()
    }

    /// The Feldman commitment `(a_0·g, …, a_{t−1}·g)` in the public-key
    /// group: it lets anyone check a share and derive every public key
    /// share.
    pub fn commitment(&self) -> PublicPolynomial<V> {
        let g = V::PublicKeyPoint::generator();
        PublicPolynomial::from_points_unchecked(
            self.coefficients.iter().map(|a| g.mul(a)).collect(),
        )
    }
}
