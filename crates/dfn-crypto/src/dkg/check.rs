//! A member's check of all the shares it received, in one batch.

use alloc::vec::Vec;

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use super::dealing::Dealing;
use crate::backend::{Point, Scalar};
use crate::threshold::{BATCH_WEIGHT_BITS, SecretKeyShare};
use crate::variant::{ScalarOf, Variant};

/// The dealers whose share is inconsistent with their commitment (empty
/// when all are consistent), for `(dealing, share)` pairs as a member holds
/// them after [`Dealing::decrypt_share_unchecked`].
///
/// Checking share `s_i` from dealer `i` alone is Feldman's
/// `s_i·g = C_i(j)`: a Horner evaluation and a full scalar multiplication.
/// Here the multiplications are shared: with secret random 64-bit weights
/// `ρ_i`, all shares are consistent, except with probability `2^-64`, when
/// `Σ ρ_i·C_i(j) = (Σ ρ_i·s_i)·g` (one short multi-scalar multiplication
/// and one scalar multiplication). Only when that fails is each share
/// compared on its own, to name the dealers. Sound against colluding
/// dealers, unlike comparing plain sums: offsetting errors cancel only
/// under weights they cannot see.
pub fn inconsistent_shares<V: Variant, R: CryptoRng + ?Sized>(
    received: &[(&Dealing<V>, &SecretKeyShare<V>)],
    rng: &mut R,
) -> Vec<u32> {
    let evaluations: Vec<V::PublicKeyPoint> = received
        .iter()
        .map(|(dealing, share)| dealing.commitment().evaluate_point(share.index()))
        .collect();
    let weights: Vec<ScalarOf<V>> = received
        .iter()
        .map(|_| ScalarOf::<V>::from_u64(rng.next_u64().max(1)))
        .collect();
    let mut weighted = Zeroizing::new(ScalarOf::<V>::zero());
    for ((_, share), weight) in received.iter().zip(&weights) {
        *weighted = weighted.add(&share.secret_key().scalar().mul(weight));
    }
    let g = V::PublicKeyPoint::generator();
    if V::PublicKeyPoint::msm(&evaluations, &weights, BATCH_WEIGHT_BITS) == g.mul(&weighted) {
        return Vec::new();
    }
    received
        .iter()
        .zip(&evaluations)
        .filter(|((_, share), evaluation)| g.mul(share.secret_key().scalar()) != **evaluation)
        .map(|((dealing, _), _)| dealing.dealer())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;
    use crate::dkg::{DkgPublicKey, DkgSecretKey};
    use crate::keys::SecretKey;
    use crate::{MinPk, MinSig};

    const CONTEXT: &[u8] = b"check tests";

    /// Member `j`'s shares from `n` honest dealings.
    fn received<V: Variant>(n: u32, t: u32, j: u32) -> (Vec<Dealing<V>>, Vec<SecretKeyShare<V>>) {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let sks: Vec<DkgSecretKey<V>> = (0..n).map(|_| DkgSecretKey::random(&mut rng)).collect();
        let pks: Vec<DkgPublicKey<V>> = sks.iter().map(DkgSecretKey::public_key).collect();
        let dealings: Vec<Dealing<V>> = (1..=n)
            .map(|i| Dealing::deal(i, t, &pks, CONTEXT, &mut rng).unwrap().0)
            .collect();
        let shares = dealings
            .iter()
            .map(|d| {
                d.decrypt_share_unchecked(CONTEXT, j, &sks[(j - 1) as usize])
                    .unwrap()
            })
            .collect();
        (dealings, shares)
    }

    fn shifted<V: Variant>(share: &SecretKeyShare<V>, delta: &ScalarOf<V>) -> SecretKeyShare<V> {
        let value = share.secret_key().scalar().add(delta);
        SecretKeyShare::new(share.index(), SecretKey::from_scalar(value)).unwrap()
    }

    fn check<V: Variant>() {
        let (dealings, mut shares) = received::<V>(6, 3, 4);
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let pairs = |shares: &[SecretKeyShare<V>]| -> Vec<u32> {
            let received: Vec<_> = dealings.iter().zip(shares).collect();
            inconsistent_shares(&received, &mut ChaCha20Rng::seed_from_u64(7))
        };
        assert!(pairs(&shares).is_empty());
        assert!(inconsistent_shares::<V, _>(&[], &mut rng).is_empty());

        // Two colluding dealers whose errors cancel in a plain sum are both
        // named: the weights make them count differently.
        let delta = ScalarOf::<V>::from_u64(12345);
        shares[1] = shifted(&shares[1], &delta);
        shares[4] = shifted(&shares[4], &delta.neg());
        let plain_sum = shares.iter().fold(ScalarOf::<V>::zero(), |acc, s| {
            acc.add(s.secret_key().scalar())
        });
        let combined = dealings
            .iter()
            .skip(1)
            .fold(dealings[0].commitment().clone(), |acc, d| {
                acc.add(d.commitment())
            });
        let share = SecretKeyShare::new(4, SecretKey::from_scalar(plain_sum)).unwrap();
        assert!(
            combined.verify_share(&share),
            "the plain sum cannot see offsetting errors"
        );
        assert_eq!(pairs(&shares), alloc::vec![2, 5]);

        // A single bad share is named alone.
        let (_, mut shares) = received::<V>(6, 3, 4);
        shares[0] = shifted(&shares[0], &ScalarOf::<V>::one());
        assert_eq!(pairs(&shares), alloc::vec![1]);
    }

    #[test]
    fn batch_check_names_bad_and_colluding_dealers_min_sig() {
        check::<MinSig>();
    }

    #[test]
    fn batch_check_names_bad_and_colluding_dealers_min_pk() {
        check::<MinPk>();
    }
}
