//! Single signatures: sign, verify and hash-to-curve for both variants on
//! every enabled backend (`cargo bench -p dfn-crypto --all-features` for
//! both backends).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use dfn_crypto::backend::{Backend, Point, Scalar};
use dfn_crypto::{MinPk, MinSig, SecretKey, Suite, Variant};

const MSG: &[u8] = b"dfn benchmark message: 32 bytes!";

fn bench_variant<V: Variant>(c: &mut Criterion, backend: &str) {
    let label = format!("variant={},backend={backend}", V::NAME);
    let sk = SecretKey::<V>::key_gen(&[42u8; 32], b"").unwrap();
    let pk = sk.public_key();
    let sig = sk.sign(Suite::Basic, MSG);
    c.bench_function(&format!("bls::sign/{label}"), |b| {
        b.iter(|| sk.sign(Suite::Basic, black_box(MSG)))
    });
    c.bench_function(&format!("bls::verify/{label}"), |b| {
        b.iter(|| assert!(pk.verify(Suite::Basic, black_box(MSG), black_box(&sig))))
    });
    c.bench_function(&format!("bls::hash_to_curve/{label}"), |b| {
        b.iter(|| V::SignaturePoint::hash_to_curve(black_box(MSG), V::DST_BASIC))
    });
}

/// Multi-scalar multiplication, the core of recovery (255-bit Lagrange
/// weights) and of batch verification (64-bit random weights).
fn bench_msm<P: Point>(c: &mut Criterion, group: &str, backend: &str) {
    let mut group_bench = c.benchmark_group("bls");
    group_bench.sample_size(20);
    for n in [201usize, 402] {
        let points: Vec<P> = (1..=n as u64)
            .map(|i| P::generator().mul_u64(i * 7919 + 1))
            .collect();
        for bits in [64usize, 128, 255] {
            let scalars: Vec<P::Scalar> = (0..n as u64)
                .map(|i| {
                    let mut wide = [0u8; 64];
                    for (j, b) in wide.iter_mut().enumerate() {
                        *b = (i as u8)
                            .wrapping_mul(37)
                            .wrapping_add(j as u8)
                            .wrapping_mul(101);
                    }
                    let full = P::Scalar::from_be_bytes_wide(&wide).to_be_bytes();
                    // Keep the low `bits` bits.
                    let mut cut = [0u8; 32];
                    for (k, (d, s)) in cut.iter_mut().zip(full).enumerate() {
                        let bit_pos = (31 - k) * 8;
                        if bit_pos + 8 <= bits {
                            *d = s;
                        } else if bit_pos < bits {
                            *d = s & ((1u8 << (bits - bit_pos)) - 1);
                        }
                    }
                    P::Scalar::from_be_bytes(&cut).unwrap()
                })
                .collect();
            group_bench.bench_function(
                format!("msm/group={group},backend={backend},n={n},bits={bits}"),
                |b| b.iter(|| P::msm(black_box(&points), black_box(&scalars), bits)),
            );
        }
    }
    group_bench.finish();
}

fn bench_backend<B: Backend>(c: &mut Criterion, backend: &str) {
    bench_variant::<MinSig<B>>(c, backend);
    bench_variant::<MinPk<B>>(c, backend);
    bench_msm::<B::G1>(c, "G1", backend);
    bench_msm::<B::G2>(c, "G2", backend);
}

fn benches(c: &mut Criterion) {
    #[cfg(feature = "blst")]
    bench_backend::<dfn_crypto::backend::Blst>(c, "blst");
    #[cfg(feature = "bls12_381")]
    bench_backend::<dfn_crypto::backend::PureRust>(c, "bls12_381");
}

criterion_group!(bls, benches);
criterion_main!(bls);
