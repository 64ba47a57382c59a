//! Single signatures: sign, verify and hash-to-curve for both variants on
//! every enabled backend (`cargo bench -p dfn-crypto --all-features` for
//! both backends).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use dfn_crypto::backend::{Backend, Point};
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

fn bench_backend<B: Backend>(c: &mut Criterion, backend: &str) {
    bench_variant::<MinSig<B>>(c, backend);
    bench_variant::<MinPk<B>>(c, backend);
}

fn benches(c: &mut Criterion) {
    #[cfg(feature = "blst")]
    bench_backend::<dfn_crypto::backend::Blst>(c, "blst");
    #[cfg(feature = "bls12_381")]
    bench_backend::<dfn_crypto::backend::PureRust>(c, "bls12_381");
}

criterion_group!(bls, benches);
criterion_main!(bls);
