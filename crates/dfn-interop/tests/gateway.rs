#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

//! Private contracts on a private dfn-vm calling public contracts through
//! the gateway: requests taken from the private receipts, posted through
//! the public twin registry, answered with certified results that the
//! private chain delivers to the contracts' callbacks. The assertions read
//! the contracts' storage on both chains.

mod common;

use std::time::Instant;

use common::evm::{Contracts, ISSUER, address_word, block, selector, transact, word};
use common::fixture::{Public, V};
use common::private_evm::{
    CALLBACK_GAS, CLERK, PAID, PENDING, PrivateChain, PrivateContracts, RELEASED, answered, books,
    claimed, payment_state, private_block, recorded_owner,
};
use dfn_interop::{
    CallError, CallResult, CertError, CertifiedRead, DELIVERY, DeliveryStatus, GATEWAY,
    GatewayError, PublicCall, Recorded, Request, TwinId, network_account, result_slot, result_word,
};
use dfn_state::{Address, B256, U256};
use dfn_vm::{Executor, Log, Spec};

const CHAIN: [u8; 32] = [0x51; 32];
const OTHER: [u8; 32] = [0x52; 32];
const PAYEE: Address = Address([0x02; 20]);

fn account() -> Address {
    network_account(&CHAIN)
}

/// Height 1 deploys the public contracts and issues 50 coins to the
/// private network's public account (its treasury books 100: more than
/// the public side holds, so a large payment fails there).
fn setup() -> (Public, PrivateChain) {
    let mut p = Public::new(41, 2, 3, 2);
    p.extend(|s| {
        Contracts::deploy(s, &block(1), &[(account(), 50)], ISSUER);
    });
    (p, PrivateChain::new(CHAIN, account(), 100))
}

/// The public chain runs `calls` (posted by `poster`) at its next height
/// and adds two confirmations; the height and what the registry recorded.
fn execute(p: &mut Public, poster: Address, calls: &[PublicCall]) -> (u64, Vec<Recorded>) {
    let registry = Contracts::addresses().registry;
    let height = p.height() + 1;
    let mut recorded = Vec::new();
    p.extend(|s| {
        for call in calls {
            let mut e = Executor::new(Spec::CANCUN);
            recorded.push(
                registry
                    .execute(&mut e, s, &block(height), poster, call)
                    .unwrap(),
            );
        }
    });
    p.extend(|_| {});
    p.extend(|_| {});
    (height, recorded)
}

/// An honest answer for `call` of network A, certified at `height`.
fn answer(p: &Public, height: u64, call: &PublicCall, r: Option<&Recorded>) -> CallResult<V> {
    answer_for(p, account(), height, call, r)
}

/// An honest answer for `call` posted by `poster`, certified at `height`.
fn answer_for(
    p: &Public,
    poster: Address,
    height: u64,
    call: &PublicCall,
    r: Option<&Recorded>,
) -> CallResult<V> {
    let registry = Contracts::addresses().registry.address;
    CallResult {
        read: p.read(height, 2, registry, Some(result_slot(&poster, &call.twin))),
        success: r.is_none_or(|r| r.success),
        output: r.map(|r| r.output.clone()).unwrap_or_default(),
    }
}

/// The clerk pays through the treasury at private height `at`; the posts.
fn pay(
    chain: &mut PrivateChain,
    at: u64,
    amount: u64,
    valid_until: u64,
    posted_at: u64,
) -> Vec<PublicCall> {
    let env = private_block(at);
    let treasury = chain.contracts.treasury;
    let r = chain.transact(
        &env,
        treasury,
        PrivateContracts::pay(PAYEE, amount, valid_until),
        posted_at,
    );
    assert!(r.success(), "{r:?}");
    chain.deliver(&env)
}

#[test]
fn a_payment_commits_on_a_certified_public_transfer() {
    let (mut p, mut chain) = setup();
    let treasury = chain.contracts.treasury;
    let posts = pay(&mut chain, 1, 30, 10, 1);
    let [call] = posts.as_slice() else {
        panic!("{posts:?}")
    };
    // The request as the gateway logged it, posted as a certified call.
    assert_eq!(call.twin, TwinId::for_call(&CHAIN, 0));
    let request = chain.gateway.request(&call.twin).unwrap().clone();
    assert_eq!(request.caller, treasury);
    assert_eq!(request.contract, Contracts::addresses().coin);
    assert_eq!(
        request.callback,
        selector("onResult(uint256,uint256,bytes)")[..]
    );
    assert_eq!(
        (request.callback_gas, request.valid_until),
        (CALLBACK_GAS, 10)
    );
    assert_eq!(call.method, selector("transfer(address,uint256)"));
    assert_eq!(call.args, [address_word(PAYEE), word(30)].concat());
    // Tentative: the amount is escrowed, nothing paid.
    assert_eq!(
        books(&mut chain.state, treasury),
        [70u64, 30, 0].map(U256::from)
    );
    assert_eq!(payment_state(&mut chain.state, treasury, 0), PENDING);

    let (h, recorded) = execute(&mut p, account(), &posts);
    assert!(recorded[0].success);
    let beacon = p.beacon(p.height());
    let result = answer(&p, h, call, Some(&recorded[0]));
    let bytes = result.to_bytes();
    let env = private_block(2);
    let started = Instant::now();
    let decoded = CallResult::<V>::from_bytes(&bytes).unwrap();
    let status = chain.handle_result(&env, &beacon, &decoded);
    let elapsed = started.elapsed();
    assert_eq!(status, Ok(DeliveryStatus::Ok));
    println!(
        "decode, verify and deliver one certified result into a private contract: {elapsed:?} \
         (result {} bytes)",
        bytes.len()
    );
    assert_eq!(chain.delivered, vec![(0, DeliveryStatus::Ok, true)]);
    // Committed on both sides, all at once.
    assert_eq!(
        books(&mut chain.state, treasury),
        [70u64, 0, 30].map(U256::from)
    );
    assert_eq!(payment_state(&mut chain.state, treasury, 0), PAID);
    let c = Contracts::addresses();
    let mut public = p.state_at(p.height());
    assert_eq!(c.balance(&mut public, account()), U256::from(20u64));
    assert_eq!(c.balance(&mut public, PAYEE), U256::from(30u64));

    // The same result again is a replay: nothing is delivered twice.
    let root = chain.root();
    assert_eq!(
        chain.handle_result(&env, &beacon, &decoded),
        Err(GatewayError::Call(CallError::Replay(call.twin)))
    );
    assert_eq!(chain.root(), root);
    assert_eq!(chain.delivered.len(), 1);
}

#[test]
fn a_failed_public_transfer_releases_the_escrow() {
    let (mut p, mut chain) = setup();
    let treasury = chain.contracts.treasury;
    // The books allow 80, the public account holds 50: the transfer
    // reverts on the public chain.
    let posts = pay(&mut chain, 1, 80, 10, 1);
    assert_eq!(
        books(&mut chain.state, treasury),
        [20u64, 80, 0].map(U256::from)
    );
    let (h, recorded) = execute(&mut p, account(), &posts);
    assert!(!recorded[0].success);
    let beacon = p.beacon(p.height());
    let result = answer(&p, h, &posts[0], Some(&recorded[0]));
    assert_eq!(
        chain.handle_result(&private_block(2), &beacon, &result),
        Ok(DeliveryStatus::Failed)
    );
    assert_eq!(
        books(&mut chain.state, treasury),
        [100u64, 0, 0].map(U256::from)
    );
    assert_eq!(payment_state(&mut chain.state, treasury, 0), RELEASED);
    // Nothing moved publicly either.
    let c = Contracts::addresses();
    let mut public = p.state_at(p.height());
    assert_eq!(c.balance(&mut public, account()), U256::from(50u64));
    assert_eq!(c.balance(&mut public, PAYEE), U256::ZERO);
}

#[test]
fn an_expired_call_releases_the_escrow_only_past_valid_until() {
    let (mut p, mut chain) = setup();
    let treasury = chain.contracts.treasury;
    let posts = pay(&mut chain, 1, 10, 3, 1);
    // Never executed: the public chain moves on without it.
    for _ in 0..5 {
        p.extend(|_| {});
    }
    let beacon = p.beacon(p.height());
    let registry = Contracts::addresses().registry;
    // At valid_until the slot is empty but the call could still run.
    let early = answer(&p, 3, &posts[0], None);
    assert_eq!(
        chain.handle_result(&private_block(2), &beacon, &early),
        Err(GatewayError::Call(CallError::Undecided {
            id: posts[0].twin,
            height: 3
        }))
    );
    assert_eq!(
        books(&mut chain.state, treasury),
        [90u64, 10, 0].map(U256::from)
    );
    // The registry refuses it from then on.
    let mut e = Executor::new(Spec::CANCUN);
    let mut later = p.state_at(4);
    assert!(
        registry
            .execute(&mut e, &mut later, &block(4), account(), &posts[0])
            .is_err()
    );
    let expired = answer(&p, 4, &posts[0], None);
    assert_eq!(
        chain.handle_result(&private_block(2), &beacon, &expired),
        Ok(DeliveryStatus::Expired)
    );
    assert_eq!(
        books(&mut chain.state, treasury),
        [100u64, 0, 0].map(U256::from)
    );
    assert_eq!(payment_state(&mut chain.state, treasury, 0), RELEASED);

    // A payment whose expiry is not above the verified public height is
    // answered at once, never posted.
    let posts = pay(&mut chain, 3, 10, 5, 5);
    assert!(posts.is_empty());
    assert_eq!(chain.gateway.pending(), 0);
    assert_eq!(
        chain.delivered.last(),
        Some(&(1, DeliveryStatus::Expired, true))
    );
    assert_eq!(payment_state(&mut chain.state, treasury, 1), RELEASED);
    assert_eq!(
        books(&mut chain.state, treasury),
        [100u64, 0, 0].map(U256::from)
    );
}

#[test]
fn forged_stale_mismatched_and_foreign_results_change_nothing() {
    let (mut p, mut chain) = setup();
    let treasury = chain.contracts.treasury;
    // Posted when public height 2 was verified.
    p.extend(|_| {});
    let posts = pay(&mut chain, 1, 30, 20, 2);
    let (h, recorded) = execute(&mut p, account(), &posts);
    let beacon = p.beacon(p.height());
    let honest = answer(&p, h, &posts[0], Some(&recorded[0]));
    let env = private_block(2);
    let root = chain.root();
    let mut refused = Vec::new();

    // Forged return data under a true proof.
    let mut forged = honest.clone();
    forged.output = word(0).to_vec();
    refused.push(chain.handle_result(&env, &beacon, &forged));
    // A forged proof: a state committing to the forged data under the real
    // headers.
    let registry = Contracts::addresses().registry.address;
    let slot = result_slot(&account(), &posts[0].twin);
    let mut lie = p.state_at(h);
    lie.set_storage(registry, slot, result_word(true, &forged.output))
        .unwrap();
    lie.finalize_transaction().unwrap();
    let mut headers: Vec<_> = (h..=h + 2).map(|x| p.header(x)).collect();
    headers[0].header.state_root = lie.state_root().unwrap().0;
    forged.read = CertifiedRead::prove(&mut lie, headers, registry, Some(slot)).unwrap();
    refused.push(chain.handle_result(&env, &beacon, &forged));
    // A stale read: certified at the posting height (the slot empty then).
    let stale = answer(&p, 2, &posts[0], None);
    refused.push(chain.handle_result(&env, &beacon, &stale));
    // A result for another network's call of the same request id.
    let mut other = PrivateChain::new(OTHER, network_account(&OTHER), 100);
    let theirs = pay(&mut other, 1, 30, 20, 2);
    let mut q = Public::new(41, 2, 3, 2);
    q.extend(|s| {
        Contracts::deploy(s, &block(1), &[(network_account(&OTHER), 50)], ISSUER);
    });
    q.extend(|_| {});
    let (qh, qr) = execute(&mut q, network_account(&OTHER), &theirs);
    refused.push(chain.handle_result(
        &env,
        &q.beacon(q.height()),
        &answer_for(&q, network_account(&OTHER), qh, &theirs[0], Some(&qr[0])),
    ));

    assert!(
        matches!(
            refused.as_slice(),
            [
                Err(GatewayError::Call(CallError::ResultMismatch(_))),
                Err(GatewayError::Call(CallError::Proof(
                    CertError::NotAChild { .. }
                ))),
                Err(GatewayError::Call(CallError::Proof(CertError::Stale {
                    height: 2,
                    min_height: 3
                }))),
                Err(GatewayError::Call(CallError::WrongCall(_))),
            ]
        ),
        "{refused:?}"
    );
    // Nothing happened: still escrowed, nothing delivered, same root.
    assert_eq!(chain.root(), root);
    assert!(chain.delivered.is_empty());
    assert_eq!(
        books(&mut chain.state, treasury),
        [70u64, 30, 0].map(U256::from)
    );
    // The honest one settles it.
    assert_eq!(
        chain.handle_result(&env, &beacon, &honest),
        Ok(DeliveryStatus::Ok)
    );
    assert_eq!(
        books(&mut chain.state, treasury),
        [70u64, 0, 30].map(U256::from)
    );
}

#[test]
fn only_the_delivery_account_settles_and_a_reverted_frame_sends_nothing() {
    let (_, mut chain) = setup();
    let treasury = chain.contracts.treasury;
    let posts = pay(&mut chain, 1, 30, 10, 1);
    assert_eq!(posts.len(), 1);
    let env = private_block(2);
    let mut e = Executor::new(Spec::CANCUN);
    // The clerk (or anyone) calling the callback is refused.
    let r = transact(
        &mut e,
        &mut chain.state,
        &env,
        CLERK,
        Some(treasury),
        PrivateContracts::on_result(0, 0, word(1)),
    );
    assert!(!r.success());
    assert_eq!(
        books(&mut chain.state, treasury),
        [70u64, 30, 0].map(U256::from)
    );
    // A payment over the books reverts: its gateway call is undone with
    // it, so no request exists.
    let r = chain.transact(&env, treasury, PrivateContracts::pay(PAYEE, 71, 10), 1);
    assert!(!r.success() && r.logs.is_empty());
    assert!(chain.deliver(&env).is_empty());
    // The gateway itself refuses a short header.
    let short = transact(
        &mut e,
        &mut chain.state,
        &env,
        CLERK,
        Some(GATEWAY),
        vec![0; 39],
    );
    assert!(!short.success());
    assert_eq!(chain.gateway.pending(), 1);
    assert_eq!(chain.state.nonce(DELIVERY).unwrap(), 0);
}

#[test]
fn gateway_logs_parse_strictly() {
    let mut data = [7u8; 20].to_vec();
    data.extend_from_slice(&[1, 2, 3, 4]);
    data.extend_from_slice(&9u64.to_be_bytes());
    data.extend_from_slice(&11u64.to_be_bytes());
    data.extend_from_slice(b"call");
    let log = Log {
        address: GATEWAY,
        topics: vec![B256(address_word(Address([5; 20]))), B256(word(3))],
        data: data.clone(),
    };
    assert_eq!(
        Request::from_log(&log),
        Ok(Some(Request {
            id: 3,
            caller: Address([5; 20]),
            contract: Address([7; 20]),
            callback: [1, 2, 3, 4],
            callback_gas: 9,
            valid_until: 11,
            calldata: b"call".to_vec(),
        }))
    );
    let other = Log {
        address: Address([1; 20]),
        ..log.clone()
    };
    assert_eq!(Request::from_log(&other), Ok(None));
    for bad in [
        Log {
            data: data[..39].to_vec(),
            ..log.clone()
        },
        Log {
            topics: vec![log.topics[0]],
            ..log.clone()
        },
        Log {
            topics: vec![log.topics[0], B256([0xff; 32])],
            ..log.clone()
        },
    ] {
        assert_eq!(Request::from_log(&bad), Err(GatewayError::Malformed));
    }
}

#[test]
fn the_onboarding_desk_claims_and_looks_up_names_by_certified_calls() {
    let (mut p, mut chain) = setup();
    let desk = chain.contracts.onboarding;
    let mut other = PrivateChain::new(OTHER, network_account(&OTHER), 0);
    let env = private_block(1);
    // Both networks claim "acme"; this one looks it up after.
    assert!(
        chain
            .transact(&env, desk, PrivateContracts::claim("acme", 10), 1)
            .success()
    );
    let mine = chain.deliver(&env);
    assert!(
        other
            .transact(&env, desk, PrivateContracts::claim("acme", 10), 1)
            .success()
    );
    let theirs = other.deliver(&env);
    let (h, r1) = execute(&mut p, account(), &mine);
    let (h2, r2) = execute(&mut p, network_account(&OTHER), &theirs);
    assert!(r1[0].success && !r2[0].success);
    let beacon = p.beacon(p.height());
    let env = private_block(2);
    assert_eq!(
        chain.handle_result(&env, &beacon, &answer(&p, h, &mine[0], Some(&r1[0]))),
        Ok(DeliveryStatus::Ok)
    );
    assert_eq!(
        other.handle_result(
            &env,
            &beacon,
            &answer_for(&p, network_account(&OTHER), h2, &theirs[0], Some(&r2[0]))
        ),
        Ok(DeliveryStatus::Failed)
    );
    assert!(claimed(&mut chain.state, desk, "acme"));
    assert!(!claimed(&mut other.state, desk, "acme"));
    assert_eq!(answered(&mut chain.state, desk, 0), 1);
    assert_eq!(answered(&mut other.state, desk, 0), 2);

    let posted_at = p.height();
    assert!(
        chain
            .transact(
                &env,
                desk,
                PrivateContracts::check("acme", posted_at + 10),
                posted_at
            )
            .success()
    );
    let lookup = chain.deliver(&env);
    let (h3, r3) = execute(&mut p, account(), &lookup);
    let beacon = p.beacon(p.height());
    assert_eq!(
        chain.handle_result(
            &private_block(3),
            &beacon,
            &answer(&p, h3, &lookup[0], Some(&r3[0]))
        ),
        Ok(DeliveryStatus::Ok)
    );
    assert_eq!(recorded_owner(&mut chain.state, desk, "acme"), account());
    assert_eq!(answered(&mut chain.state, desk, 1), 1);
}

#[test]
fn a_request_is_taken_once() {
    let (_, mut chain) = setup();
    let treasury = chain.contracts.treasury;
    let env = private_block(1);
    let live = chain.transact(&env, treasury, PrivateContracts::pay(PAYEE, 5, 10), 1);
    let gone = chain.transact(&env, treasury, PrivateContracts::pay(PAYEE, 5, 1), 1);
    assert_eq!(chain.deliver(&env).len(), 1);
    // The same receipts again (a block executed twice) are refused whole,
    // for a call in flight and for one answered as expired at posting.
    for logs in [&live.logs, &gone.logs] {
        assert!(matches!(
            chain.gateway.collect(logs, 1),
            Err(GatewayError::Call(CallError::Duplicate(_)))
        ));
    }
    assert_eq!(chain.gateway.pending(), 1);
    assert!(chain.deliver(&env).is_empty());
    assert_eq!(
        chain.delivered,
        vec![(1, DeliveryStatus::Expired, true)],
        "answered once"
    );
}
