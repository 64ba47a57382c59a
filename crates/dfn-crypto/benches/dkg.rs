//! The cryptography of a Joint-Feldman DKG: one dealer's dealing, one
//! member's work on all the dealings it receives (decrypt and check each
//! share against its commitment, then combine), and whole runs with every
//! member simulated in one process for the smaller groups. Single thread.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use std::sync::Arc;

use dfn_crypto::dkg::{
    Body, Dealing, DkgConfig, DkgPublicKey, DkgSecretKey, Event, Member, Output, Participant,
    RunId, Schedule, SignedMessage, combine, inconsistent_shares,
};
use dfn_crypto::{MinPk, MinSig, SecretKey, Time, Variant};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const CONTEXT: &[u8] = b"dfn-bench epoch 1 group 7";

struct Group<V: Variant> {
    secret_keys: Vec<DkgSecretKey<V>>,
    public_keys: Vec<DkgPublicKey<V>>,
    dealings: Vec<Dealing<V>>,
}

fn group<V: Variant>(n: u32, t: u32, rng: &mut ChaCha20Rng) -> Group<V> {
    let secret_keys: Vec<DkgSecretKey<V>> = (0..n).map(|_| DkgSecretKey::random(rng)).collect();
    let public_keys: Vec<DkgPublicKey<V>> =
        secret_keys.iter().map(DkgSecretKey::public_key).collect();
    let dealings = (1..=n)
        .map(|i| Dealing::deal(i, t, &public_keys, CONTEXT, rng).unwrap().0)
        .collect();
    Group {
        secret_keys,
        public_keys,
        dealings,
    }
}

/// What member `j` does with every dealing: check its shape and proof,
/// decrypt its share, check all shares against their commitments in one
/// batch, and combine them into its share of the group key.
fn member_work<V: Variant>(g: &Group<V>, j: u32, n: u32, t: u32, rng: &mut ChaCha20Rng) {
    let sk = &g.secret_keys[(j - 1) as usize];
    let mut shares = Vec::with_capacity(g.dealings.len());
    for d in &g.dealings {
        d.check_shape(n, t).unwrap();
        shares.push(d.decrypt_share_unchecked(CONTEXT, j, sk).unwrap());
    }
    let received: Vec<_> = g.dealings.iter().zip(&shares).collect();
    assert!(inconsistent_shares(&received, rng).is_empty());
    let qualified: Vec<&Dealing<V>> = g.dealings.iter().collect();
    black_box(combine(&qualified, &shares).unwrap());
}

/// A whole run through the state machines: every member a `Participant`,
/// every message signed, delivered to every other member and checked there.
fn machine_run<V: Variant>(n: u32, t: u32, rng: &mut ChaCha20Rng) {
    let signing: Vec<SecretKey<V>> = (0..n).map(|_| SecretKey::random(rng)).collect();
    let decryption: Vec<DkgSecretKey<V>> = (0..n).map(|_| DkgSecretKey::random(rng)).collect();
    let members = signing
        .iter()
        .zip(&decryption)
        .map(|(s, d)| Member {
            signing_key: s.public_key(),
            encryption_key: d.public_key(),
        })
        .collect();
    let config = Arc::new(DkgConfig {
        context: CONTEXT.to_vec(),
        threshold: t,
        members,
        schedule: Schedule {
            start: Time::ZERO,
            deal_ms: 1_000,
            response_ms: 1_000,
            justify_ms: 1_000,
        },
        fast_sync: false,
    });
    let mut participants: Vec<Participant<V>> = (1..=n)
        .zip(signing.into_iter().zip(decryption))
        .map(|(me, (s, d))| Participant::new(Arc::clone(&config), me, s, d, rng).unwrap())
        .collect();
    let mut completed = 0;
    let mut now = Time::ZERO;
    loop {
        let mut in_flight = Vec::new();
        for p in &mut participants {
            while let Some(output) = p.poll_output() {
                match output {
                    Output::Broadcast(m) => in_flight.push((p.me(), m)),
                    Output::Event(Event::Completed(_)) => completed += 1,
                    _ => {}
                }
            }
        }
        if in_flight.is_empty() {
            let Some(next) = participants
                .iter()
                .filter_map(Participant::poll_timeout)
                .min()
            else {
                break;
            };
            now = next;
            participants.iter_mut().for_each(|p| p.handle_timeout(now));
        }
        for (from, message) in &in_flight {
            for p in participants.iter_mut().filter(|p| p.me() != *from) {
                p.handle_message(now, message.clone());
            }
        }
    }
    assert_eq!(completed, n);
}

/// One participant's work on the deal phase: receive every other member's
/// signed dealing (signature, proof of the ephemeral key, decryption of its
/// share) and, at the deadline, check all its shares in one batch and
/// publish its responses. The participant's own dealing is made in the
/// (untimed) setup.
fn participant_checks_all<V: Variant>(c: &mut Criterion, n: u32, t: u32) {
    let mut rng = ChaCha20Rng::seed_from_u64(u64::from(n) + 1);
    let signing: Vec<SecretKey<V>> = (0..n).map(|_| SecretKey::random(&mut rng)).collect();
    let decryption: Vec<DkgSecretKey<V>> = (0..n).map(|_| DkgSecretKey::random(&mut rng)).collect();
    let recipients: Vec<DkgPublicKey<V>> =
        decryption.iter().map(DkgSecretKey::public_key).collect();
    let config = Arc::new(DkgConfig {
        context: CONTEXT.to_vec(),
        threshold: t,
        members: signing
            .iter()
            .zip(&recipients)
            .map(|(s, d)| Member {
                signing_key: s.public_key(),
                encryption_key: *d,
            })
            .collect(),
        schedule: Schedule {
            start: Time::ZERO,
            deal_ms: 1_000,
            response_ms: 1_000,
            justify_ms: 1_000,
        },
        fast_sync: false,
    });
    let run = RunId::of_context(CONTEXT).unwrap();
    // The participant is member n: the batch check evaluates every
    // commitment at its index, and index n is the most expensive (member 1
    // would multiply by 1).
    let messages: Vec<SignedMessage<V>> = (1..n)
        .map(|i| {
            let (dealing, _) = Dealing::deal(i, t, &recipients, CONTEXT, &mut rng).unwrap();
            SignedMessage::sign(run, i, Body::Dealing(dealing), &signing[(i - 1) as usize])
        })
        .collect();
    let mut bench = c.benchmark_group("dkg");
    bench.sample_size(10);
    bench.bench_function(
        format!("participant_checks_all/variant={},n={n},t={t}", V::NAME),
        |b| {
            b.iter_batched(
                || {
                    Participant::new(
                        Arc::clone(&config),
                        n,
                        signing[(n - 1) as usize].clone(),
                        decryption[(n - 1) as usize].clone(),
                        &mut rng,
                    )
                    .unwrap()
                },
                |mut p| {
                    for m in &messages {
                        p.handle_message(Time::from_millis(1), m.clone());
                    }
                    p.handle_timeout(Time::from_millis(1_000));
                    assert_eq!(p.phase(), dfn_crypto::dkg::Phase::Response);
                    p
                },
                criterion::BatchSize::PerIteration,
            )
        },
    );
    bench.finish();
}

fn bench_group<V: Variant>(c: &mut Criterion, n: u32, t: u32, full_run: bool) {
    let label = format!("variant={},n={n},t={t}", V::NAME);
    let mut rng = ChaCha20Rng::seed_from_u64(u64::from(n));
    let g = group::<V>(n, t, &mut rng);
    let mut bench = c.benchmark_group("dkg");
    bench.sample_size(10);
    bench.bench_function(format!("deal/{label}"), |b| {
        b.iter(|| Dealing::<V>::deal(1, t, black_box(&g.public_keys), CONTEXT, &mut rng).unwrap())
    });
    bench.bench_function(format!("member_check_all/{label}"), |b| {
        b.iter(|| member_work(&g, n, n, t, &mut rng))
    });
    if full_run {
        bench.bench_function(format!("full_run/{label}"), |b| {
            b.iter(|| {
                let g = group::<V>(n, t, &mut rng);
                for j in 1..=n {
                    member_work(&g, j, n, t, &mut rng);
                }
            })
        });
    }
    // A run through the state machines takes 34 s at n = 100 and minutes
    // at n = 400: those sizes are measured by the `dkg-run` example.
    if n <= 32 {
        bench.bench_function(format!("participants/{label}"), |b| {
            b.iter(|| machine_run::<V>(n, t, &mut rng))
        });
    }
    bench.finish();
}

fn benches(c: &mut Criterion) {
    bench_group::<MinSig>(c, 28, 15, true);
    bench_group::<MinSig>(c, 100, 51, true);
    bench_group::<MinSig>(c, 400, 201, false);
    bench_group::<MinPk>(c, 400, 201, false);
    participant_checks_all::<MinSig>(c, 400, 201);
    participant_checks_all::<MinPk>(c, 400, 201);
}

criterion_group!(dkg, benches);
criterion_main!(dkg);
