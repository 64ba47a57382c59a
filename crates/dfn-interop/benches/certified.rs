//! Time to verify one certified read at the private side (an account and
//! one storage slot, two confirmations), and the proof's size in bytes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs,
    dead_code
)]

#[path = "../tests/common/fixture.rs"]
mod fixture;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use dfn_interop::{CertifiedRead, ReadPolicy};
use dfn_state::{Address, U256};
use fixture::{Public, V};

/// A public chain of 16 groups with a state of 1,000 accounts and a
/// contract with 200 slots: the read is of the contract and one slot.
fn setup() -> (Public, CertifiedRead<V>) {
    let mut p = Public::new(3, 16, 4, 3);
    let contract = Address([0xcc; 20]);
    p.extend(|s| {
        for i in 0..1_000u32 {
            let mut a = [0u8; 20];
            a[..4].copy_from_slice(&i.to_be_bytes());
            s.set_balance(Address(a), U256::from(i + 1)).unwrap();
        }
        s.set_nonce(contract, 1).unwrap();
        for k in 0..200u64 {
            s.set_storage(contract, U256::from(k), U256::from(k + 1))
                .unwrap();
        }
    });
    p.extend(|_| {});
    p.extend(|_| {});
    let read = p.read(1, 2, contract, Some(U256::from(77u64)));
    (p, read)
}

fn bench(c: &mut Criterion) {
    let (p, read) = setup();
    let beacon = p.beacon(3);
    let policy = ReadPolicy::default();
    let bytes = read.to_bytes();
    let value = read.verify(&beacon, &policy).unwrap();
    assert_eq!(value.storage.unwrap().value, U256::from(78u64));
    println!(
        "certified read (account + slot, 2 confirmations, 16 groups): {} bytes; \
         account proof {} nodes, storage proof {} nodes",
        bytes.len(),
        read.account_proof.len(),
        read.storage.as_ref().unwrap().proof.len()
    );
    c.bench_function("interop::verify_certified/confirmations=2", |b| {
        b.iter(|| black_box(&read).verify(&beacon, &policy).unwrap())
    });
    c.bench_function("interop::decode_verify_certified/confirmations=2", |b| {
        b.iter(|| {
            CertifiedRead::<V>::from_bytes(black_box(&bytes))
                .unwrap()
                .verify(&beacon, &policy)
                .unwrap()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
