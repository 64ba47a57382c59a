//! Threshold operations for a group of n = 400 with threshold t = 201:
//! recovery from 201 shares, batch verification of 201 shares against
//! verifying them one by one, and deriving all 400 public key shares; and
//! the same operations with commonware-cryptography (MinSig), the peer, in
//! the same run. Single thread: blst is built with `no-threads` and the
//! peer runs with its `Sequential` strategy.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use dfn_crypto::backend::Backend;
use dfn_crypto::threshold::{
    SecretPolynomial, SignatureShare, lagrange_coefficients_at_zero, recover_signature,
};
use dfn_crypto::{MessageHash, MinPk, MinSig, ScalarOf, Suite, Variant};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const N: u32 = 400;
const T: u32 = 201;
const MSG: &[u8] = b"dfn benchmark message: 32 bytes!";

fn bench_variant<V: Variant>(c: &mut Criterion, backend: &str) {
    let label = format!("variant={},backend={backend},n={N},t={T}", V::NAME);
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let poly = SecretPolynomial::<V>::random(T, &mut rng).unwrap();
    let commitment = poly.commitment();
    let keys = commitment.share_keys(N).unwrap();
    let hash = MessageHash::<V>::new(Suite::Basic, MSG);
    // Every other member signs: a realistic, non-contiguous index set.
    let shares: Vec<SignatureShare<V>> = (1..=N)
        .step_by(2)
        .chain((2..=N).step_by(2))
        .take(T as usize)
        .map(|i| poly.share(i).unwrap().sign_hash(&hash))
        .collect();

    let mut group = c.benchmark_group("threshold");
    group.sample_size(20);
    let indices: Vec<u32> = shares.iter().map(SignatureShare::index).collect();
    group.bench_function(format!("lagrange/{label}"), |b| {
        b.iter(|| lagrange_coefficients_at_zero::<ScalarOf<V>>(black_box(&indices)).unwrap())
    });
    group.bench_function(format!("recover/{label}"), |b| {
        b.iter(|| recover_signature(T, black_box(&shares)).unwrap())
    });
    group.bench_function(format!("recover_verified/{label}"), |b| {
        b.iter(|| {
            keys.recover_verified(black_box(&hash), black_box(&shares), &mut rng)
                .unwrap()
        })
    });
    group.bench_function(format!("batch_verify/{label},shares={T}"), |b| {
        b.iter(|| {
            assert!(
                keys.verify_shares(black_box(&hash), black_box(&shares), &mut rng)
                    .all_valid()
            )
        })
    });
    let mut bad = shares.clone();
    bad[17] = poly
        .share(bad[17].index())
        .unwrap()
        .sign(Suite::Basic, b"another message");
    group.bench_function(format!("batch_verify_one_bad/{label},shares={T}"), |b| {
        b.iter(|| {
            assert_eq!(
                keys.verify_shares(black_box(&hash), black_box(&bad), &mut rng)
                    .invalid,
                vec![17]
            )
        })
    });
    group.sample_size(10);
    group.bench_function(format!("verify_one_by_one/{label},shares={T}"), |b| {
        b.iter(|| {
            assert!(
                shares
                    .iter()
                    .all(|s| keys.verify_share(black_box(&hash), s))
            )
        })
    });
    group.bench_function(format!("share_keys/{label}"), |b| {
        b.iter(|| black_box(&commitment).share_keys(N).unwrap())
    });
    group.finish();
}

fn bench_backend<B: Backend>(c: &mut Criterion, backend: &str) {
    bench_variant::<MinSig<B>>(c, backend);
    bench_variant::<MinPk<B>>(c, backend);
}

/// The peer: commonware-cryptography's threshold MinSig with the same n, t.
mod peer {
    use super::*;
    use commonware_cryptography::bls12381::dkg::feldman_desmedt::deal;
    use commonware_cryptography::bls12381::primitives::ops::threshold;
    use commonware_cryptography::bls12381::primitives::sharing::Mode;
    use commonware_cryptography::bls12381::primitives::variant::MinSig as PeerMinSig;
    use commonware_parallel::Sequential;
    use commonware_utils::ordered::Set;
    use commonware_utils::{Faults, TryCollect, non_empty};
    use num_traits::ToPrimitive;

    /// Quorum `⌊n/2⌋ + 1` (201 of 400), dfn's default threshold.
    struct Majority;

    impl Faults for Majority {
        fn max_faults(n: impl ToPrimitive) -> u32 {
            let n = n.to_u32().expect("n fits in u32");
            n - (n / 2 + 1)
        }
    }

    pub fn bench(c: &mut Criterion) {
        let label = format!("variant=MinSig,n={N},t={T}");
        let namespace = b"dfn-bench";
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let players: Set<u32> = (0..N).try_collect().unwrap();
        let (output, shares) =
            deal::<PeerMinSig, _, Majority>(&mut rng, Mode::NonZeroCounter, players.clone())
                .unwrap();
        let sharing = output.public().clone();
        assert_eq!(sharing.required(), T);
        let partials: Vec<_> = shares
            .values()
            .iter()
            .step_by(2)
            .chain(shares.values().iter().skip(1).step_by(2))
            .take(T as usize)
            .map(|s| threshold::sign_message::<PeerMinSig>(s, namespace, MSG))
            .collect();
        sharing.precompute_partial_publics();

        let mut group = c.benchmark_group("peer_commonware");
        group.sample_size(20);
        group.bench_function(format!("recover/{label}"), |b| {
            b.iter(|| {
                threshold::recover::<PeerMinSig, _>(
                    black_box(&sharing),
                    black_box(&partials),
                    &Sequential,
                )
                .unwrap()
            })
        });
        group.bench_function(format!("batch_verify/{label},shares={T}"), |b| {
            b.iter(|| {
                threshold::batch_verify_same_message::<_, PeerMinSig, _>(
                    &mut rng,
                    black_box(&sharing),
                    namespace,
                    MSG,
                    non_empty![@partials.iter()],
                    &Sequential,
                )
                .unwrap()
            })
        });
        group.sample_size(10);
        group.bench_function(format!("share_keys/{label}"), |b| {
            b.iter_batched(
                || {
                    let mut rng = ChaCha20Rng::seed_from_u64(8);
                    deal::<PeerMinSig, _, Majority>(&mut rng, Mode::NonZeroCounter, players.clone())
                        .unwrap()
                        .0
                },
                |fresh| fresh.public().precompute_partial_publics(),
                BatchSize::PerIteration,
            )
        });
        group.finish();
    }
}

fn benches(c: &mut Criterion) {
    #[cfg(feature = "blst")]
    bench_backend::<dfn_crypto::backend::Blst>(c, "blst");
    #[cfg(feature = "bls12_381")]
    bench_backend::<dfn_crypto::backend::PureRust>(c, "bls12_381");
    peer::bench(c);
}

criterion_group!(threshold, benches);
criterion_main!(threshold);
