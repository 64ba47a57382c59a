//! Time to verify one certified read at the private side (an account and
//! one storage slot, two confirmations), and the proof's size in bytes;
//! the same for one certified call result (the read of the twin
//! registry's result slot with the return data it commits to), on a
//! public state run by dfn-vm; and the time to decode, verify and deliver
//! one certified result into a private contract on a private dfn-vm (the
//! treasury's payment settled by the gateway's callback).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs,
    dead_code
)]

#[path = "../tests/common/evm.rs"]
mod evm;
#[path = "../tests/common/fixture.rs"]
mod fixture;
#[path = "../tests/common/private_evm.rs"]
mod private_evm;

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use dfn_interop::{
    CallOutcome, CallResult, CertifiedCalls, CertifiedRead, ReadPolicy, network_account,
    result_slot,
};
use dfn_state::{Address, U256};
use dfn_vm::{Executor, Spec};
use evm::{Contracts, ISSUER, block};
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

const CHAIN: [u8; 32] = [0x33; 32];

/// A public chain of 16 groups at height 1: the example contracts, 1,000
/// funded accounts and 200 earlier calls recorded in the registry, so the
/// proofs measured run through a populated state trie; and the executor
/// that built it.
fn busy_public() -> (Public, Executor) {
    let mut p = Public::new(3, 16, 4, 3);
    let c = Contracts::addresses();
    let account = network_account(&CHAIN);
    let mut e = Executor::new(Spec::CANCUN);
    p.extend(|s| {
        Contracts::deploy(s, &block(1), &[(account, 1_000_000)], ISSUER);
        for i in 0..1_000u32 {
            let mut a = [0u8; 20];
            a[..4].copy_from_slice(&i.to_be_bytes());
            s.set_balance(Address(a), U256::from(i + 1)).unwrap();
        }
        s.finalize_transaction().unwrap();
        let mut earlier = CertifiedCalls::new(
            [0x34; 32],
            c.registry.address,
            account,
            ReadPolicy::default(),
        );
        for i in 0..200u64 {
            earlier
                .call(i, c.transfer(Address([7; 20]), 1, 10), 0)
                .unwrap();
        }
        while let Some(dfn_interop::CallEvent::Post(call)) = earlier.poll_event() {
            c.registry
                .execute(&mut e, s, &block(1), account, &call)
                .unwrap();
        }
    });
    (p, e)
}

/// The same public chain shape, its state run by dfn-vm: height 1 deploys
/// the example contracts, funds 1,000 accounts and records 200 earlier
/// calls in the registry; height 2 executes the measured call
/// (`coin.balanceOf`) through the registry; heights 3 and 4 confirm.
fn call_setup() -> (Public, CallResult<V>) {
    let (mut p, mut e) = busy_public();
    let c = Contracts::addresses();
    let account = network_account(&CHAIN);
    let mut calls = CertifiedCalls::new(CHAIN, c.registry.address, account, ReadPolicy::default());
    calls.call(1, c.balance_of(account, 10), 1).unwrap();
    let Some(dfn_interop::CallEvent::Post(call)) = calls.poll_event() else {
        panic!("no post")
    };
    let mut recorded = None;
    p.extend(|s| {
        recorded = Some(
            c.registry
                .execute(&mut e, s, &block(2), account, &call)
                .unwrap(),
        )
    });
    p.extend(|_| {});
    p.extend(|_| {});
    let recorded = recorded.unwrap();
    let result = CallResult {
        read: p.read(
            2,
            2,
            c.registry.address,
            Some(result_slot(&network_account(&CHAIN), &call.twin)),
        ),
        success: recorded.success,
        output: recorded.output,
    };
    (p, result)
}

fn bench_call(c: &mut Criterion) {
    let (p, result) = call_setup();
    let beacon = p.beacon(4);
    let bytes = result.to_bytes();
    let fresh = || {
        let mut fresh = CertifiedCalls::new(
            CHAIN,
            Contracts::addresses().registry.address,
            network_account(&CHAIN),
            ReadPolicy::default(),
        );
        let spec = Contracts::addresses().balance_of(network_account(&CHAIN), 10);
        fresh.call(1, spec, 1).unwrap();
        fresh
    };
    assert!(matches!(
        fresh().handle_result(&beacon, &result),
        Ok(CallOutcome::Returned { success: true, .. })
    ));
    println!(
        "certified call result (registry slot + {} bytes of return data, 2 confirmations, \
         16 groups): {} bytes; account proof {} nodes, storage proof {} nodes",
        result.output.len(),
        bytes.len(),
        result.read.account_proof.len(),
        result.read.storage.as_ref().unwrap().proof.len()
    );
    c.bench_function("interop::verify_call_result/confirmations=2", |b| {
        b.iter_batched(
            fresh,
            |mut calls| calls.handle_result(&beacon, black_box(&result)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    c.bench_function("interop::decode_verify_call_result/confirmations=2", |b| {
        b.iter_batched(
            fresh,
            |mut calls| {
                let result = CallResult::<V>::from_bytes(black_box(&bytes)).unwrap();
                calls.handle_result(&beacon, &result).unwrap()
            },
            BatchSize::SmallInput,
        )
    });
}

/// The public chain of [`call_setup`] (16 groups, 1,000 funded accounts,
/// 200 earlier calls recorded); a private chain whose treasury pays 30
/// coins through the gateway (posted at public height 1); height 2
/// executes the transfer through the registry, heights 3 and 4 confirm.
fn deliver_setup() -> (Public, Vec<u8>) {
    let (mut p, mut e) = busy_public();
    let c = Contracts::addresses();
    let account = network_account(&CHAIN);
    let (mut chain, call) = paying_chain();
    let mut recorded = None;
    p.extend(|s| {
        recorded = Some(
            c.registry
                .execute(&mut e, s, &block(2), account, &call)
                .unwrap(),
        )
    });
    p.extend(|_| {});
    p.extend(|_| {});
    let recorded = recorded.unwrap();
    let result = CallResult::<V> {
        read: p.read(
            2,
            2,
            c.registry.address,
            Some(result_slot(&account, &call.twin)),
        ),
        success: recorded.success,
        output: recorded.output,
    };
    let bytes = result.to_bytes();
    let beacon = p.beacon(4);
    assert!(
        chain
            .handle_result(&private_evm::private_block(2), &beacon, &result)
            .is_ok()
    );
    (p, bytes)
}

/// A private chain whose treasury has just asked to pay 30 coins, and the
/// call it posted.
fn paying_chain() -> (private_evm::PrivateChain, dfn_interop::PublicCall) {
    let mut chain = private_evm::PrivateChain::new(CHAIN, network_account(&CHAIN), 1_000);
    let env = private_evm::private_block(1);
    let treasury = chain.contracts.treasury;
    let pay = private_evm::PrivateContracts::pay(Address([2; 20]), 30, 10);
    assert!(chain.transact(&env, treasury, pay, 1).success());
    let mut posts = chain.deliver(&env);
    (chain, posts.remove(0))
}

fn bench_deliver(c: &mut Criterion) {
    let (p, bytes) = deliver_setup();
    let beacon = p.beacon(4);
    let env = private_evm::private_block(2);
    println!(
        "certified result delivered into a private contract: {} bytes",
        bytes.len()
    );
    c.bench_function(
        "interop::decode_verify_deliver_result/confirmations=2",
        |b| {
            b.iter_batched(
                || paying_chain().0,
                |mut chain| {
                    let result = CallResult::<V>::from_bytes(black_box(&bytes)).unwrap();
                    chain.handle_result(&env, &beacon, &result).unwrap()
                },
                BatchSize::PerIteration,
            )
        },
    );
}

criterion_group!(benches, bench, bench_call, bench_deliver);
criterion_main!(benches);
