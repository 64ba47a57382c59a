#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

//! Certified calls against a public chain whose state is run by dfn-vm
//! with the example contracts: results are believed only with a proof of
//! the registry slot that commits to them.

mod common;

use common::evm::{Contracts, ISSUER, address_word, block, word};
use common::fixture::{Public, V};
use dfn_interop::{
    CallError, CallEvent, CallOutcome, CallResult, CallSpec, CertError, CertifiedCalls,
    DecodeError, MAX_RETURN, PublicCall, ReadPolicy, Recorded, RegistryError, TwinId,
    network_account, result_slot, result_word, twin_slot,
};
use dfn_state::state::WorldState;
use dfn_state::{Address, U256};
use dfn_vm::{Executor, Spec};

const CHAIN: [u8; 32] = [0x77; 32];
const PAYEE: Address = Address([0x02; 20]);

fn contracts() -> Contracts {
    Contracts::addresses()
}

fn account() -> Address {
    network_account(&CHAIN)
}

/// Height 1 deploys the contracts and issues 50 coins to the private
/// chain's public account.
fn public() -> Public {
    let mut p = Public::new(31, 2, 3, 2);
    p.extend(|s| {
        Contracts::deploy(s, &block(1), &[(account(), 50)], ISSUER);
    });
    p
}

fn calls() -> CertifiedCalls {
    CertifiedCalls::new(
        CHAIN,
        contracts().registry.address,
        account(),
        ReadPolicy::default(),
    )
}

fn post(calls: &mut CertifiedCalls, call_id: u64, spec: CallSpec, posted_at: u64) -> PublicCall {
    let id = calls.call(call_id, spec, posted_at).unwrap();
    assert_eq!(id, TwinId::for_call(&CHAIN, call_id));
    assert_ne!(
        id,
        TwinId::new(&CHAIN, call_id),
        "calls and twins never share an id"
    );
    match calls.poll_event() {
        Some(CallEvent::Post(call)) => call,
        other => panic!("expected a post, got {other:?}"),
    }
}

fn run(s: &mut WorldState, height: u64, call: &PublicCall) -> Result<Recorded, RegistryError> {
    contracts().registry.execute(
        &mut Executor::new(Spec::CANCUN),
        s,
        &block(height),
        account(),
        call,
    )
}

/// What an honest public process answers for `call` at `height`.
fn answer(p: &Public, height: u64, call: &PublicCall, r: &Recorded) -> CallResult<V> {
    CallResult {
        read: p.read(
            height,
            2,
            contracts().registry.address,
            Some(result_slot(&account(), &call.twin)),
        ),
        success: r.success,
        output: r.output.clone(),
    }
}

#[test]
fn a_certified_call_returns_the_public_contracts_result() {
    let mut p = public();
    let mut c = calls();
    let pay = post(&mut c, 1, contracts().transfer(PAYEE, 30, 10), 1);
    let balance = post(&mut c, 2, contracts().balance_of(account(), 10), 1);
    let register = post(&mut c, 3, contracts().register("acme", 10), 1);
    let lookup = post(&mut c, 4, contracts().lookup("acme", 10), 1);
    assert_eq!(c.pending(), 4);
    let mut recorded = Vec::new();
    let h = p.extend(|s| {
        for call in [&pay, &balance, &register, &lookup] {
            recorded.push(run(s, 2, call).unwrap());
        }
    });
    p.extend(|_| {});
    p.extend(|_| {});
    let beacon = p.beacon(4);
    let expected = [
        word(1).to_vec(),
        word(20).to_vec(),
        word(1).to_vec(),
        [address_word(account()), word(0)].concat(),
    ];
    for ((call, r), output) in [&pay, &balance, &register, &lookup]
        .into_iter()
        .zip(&recorded)
        .zip(expected)
    {
        let result = answer(&p, h, call, r);
        let bytes = result.to_bytes();
        assert_eq!(CallResult::<V>::from_bytes(&bytes).unwrap(), result);
        assert_eq!(
            c.handle_result(&beacon, &result),
            Ok(CallOutcome::Returned {
                success: true,
                output: output.clone(),
                height: h
            })
        );
        assert_eq!(
            c.poll_event(),
            Some(CallEvent::Done {
                id: call.twin,
                outcome: CallOutcome::Returned {
                    success: true,
                    output,
                    height: h
                }
            })
        );
        // The same result again is a replay.
        assert_eq!(
            c.handle_result(&beacon, &result),
            Err(CallError::Replay(call.twin))
        );
    }
    assert_eq!(c.pending(), 0);
    // The public state holds the effects and the commitments together.
    let mut s = p.state_at(h);
    assert_eq!(contracts().balance(&mut s, PAYEE), U256::from(30u64));
    assert_eq!(contracts().owner(&mut s, "acme"), account());
    assert_eq!(
        s.storage(
            contracts().registry.address,
            result_slot(&account(), &pay.twin)
        )
        .unwrap(),
        result_word(true, &word(1))
    );
}

#[test]
fn a_failed_call_is_certified_as_failed_with_its_revert_data() {
    let mut p = public();
    let mut c = calls();
    let call = post(&mut c, 1, contracts().transfer(PAYEE, 80, 10), 1);
    let mut r = None;
    let h = p.extend(|s| r = Some(run(s, 2, &call).unwrap()));
    p.extend(|_| {});
    p.extend(|_| {});
    let r = r.unwrap();
    assert!(!r.success);
    let outcome = c.handle_result(&p.beacon(4), &answer(&p, h, &call, &r));
    assert_eq!(
        outcome,
        Ok(CallOutcome::Returned {
            success: false,
            output: r.output,
            height: h
        })
    );
    // Nothing moved on the public side.
    let mut s = p.state_at(h);
    assert_eq!(contracts().balance(&mut s, account()), U256::from(50u64));
}

#[test]
fn forged_stale_foreign_and_undecided_results_are_refused() {
    let mut p = public();
    let mut c = calls();
    let call = post(&mut c, 1, contracts().balance_of(account(), 10), 1);
    let mut r = None;
    let h = p.extend(|s| r = Some(run(s, 2, &call).unwrap()));
    p.extend(|_| {});
    p.extend(|_| {});
    let r = r.unwrap();
    let beacon = p.beacon(4);
    let honest = answer(&p, h, &call, &r);

    // Forged return data, or a forged flag, under a true proof.
    let mut forged = honest.clone();
    forged.output = word(1_000_000).to_vec();
    assert_eq!(
        c.handle_result(&beacon, &forged),
        Err(CallError::ResultMismatch(call.twin))
    );
    let mut flipped = honest.clone();
    flipped.success = false;
    assert_eq!(
        c.handle_result(&beacon, &flipped),
        Err(CallError::ResultMismatch(call.twin))
    );
    // A forged proof: a state where the slot commits to the forged data,
    // under the real notarized headers (the changed header is no longer
    // the parent of the next).
    let mut lie = p.state_at(h);
    lie.set_storage(
        contracts().registry.address,
        result_slot(&account(), &call.twin),
        result_word(true, &forged.output),
    )
    .unwrap();
    lie.finalize_transaction().unwrap();
    let mut headers: Vec<_> = (h..=h + 2).map(|x| p.header(x)).collect();
    headers[0].header.state_root = lie.state_root().unwrap().0;
    forged.read = dfn_interop::CertifiedRead::prove(
        &mut lie,
        headers,
        contracts().registry.address,
        Some(result_slot(&account(), &call.twin)),
    )
    .unwrap();
    assert_eq!(
        c.handle_result(&beacon, &forged),
        Err(CallError::Proof(CertError::NotAChild { height: h + 1 }))
    );
    // Alone (no confirmations demanded), the header's notarization fails.
    let mut alone = CertifiedCalls::new(
        CHAIN,
        contracts().registry.address,
        account(),
        ReadPolicy {
            confirmations: 0,
            min_height: 1,
        },
    );
    let call_alone = post(&mut alone, 1, contracts().balance_of(account(), 10), 1);
    assert_eq!(call_alone, call);
    forged.read.headers.truncate(1);
    assert_eq!(
        alone.handle_result(&beacon, &forged),
        Err(CallError::Proof(CertError::BadNotarization { height: h }))
    );
    // A stale proof: the state at the height the call was posted at.
    let stale = CallResult {
        read: p.read(
            1,
            2,
            contracts().registry.address,
            Some(result_slot(&account(), &call.twin)),
        ),
        ..honest.clone()
    };
    assert_eq!(
        c.handle_result(&beacon, &stale),
        Err(CallError::Proof(CertError::Stale {
            height: 1,
            min_height: 2
        }))
    );
    // Too few confirmations.
    let mut short = honest.clone();
    short.read.headers.truncate(2);
    assert_eq!(
        c.handle_result(&beacon, &short),
        Err(CallError::Proof(CertError::TooFewConfirmations {
            needed: 2,
            got: 1
        }))
    );
    // The result of another call (another chain's call id 1), the twin
    // slot instead of the result slot, another account, no slot.
    let other = TwinId::for_call(&[0x78; 32], 1);
    let registry = contracts().registry.address;
    for (slot, account, err) in [
        (
            Some(result_slot(&account(), &other)),
            registry,
            CallError::WrongCall(result_slot(&account(), &other)),
        ),
        (
            Some(twin_slot(&account(), &call.twin)),
            registry,
            CallError::WrongCall(twin_slot(&account(), &call.twin)),
        ),
        (
            Some(result_slot(&account(), &call.twin)),
            contracts().coin,
            CallError::WrongAccount {
                expected: registry,
                found: contracts().coin,
            },
        ),
        (None, registry, CallError::NoSlot),
    ] {
        let wrong = CallResult {
            read: p.read(h, 2, account, slot),
            ..honest.clone()
        };
        assert_eq!(c.handle_result(&beacon, &wrong), Err(err));
    }
    assert_eq!(c.pending(), 1);
    assert_eq!(c.poll_event(), None);
    // The honest answer still works after all of that.
    assert!(matches!(
        c.handle_result(&beacon, &honest),
        Ok(CallOutcome::Returned { success: true, .. })
    ));
}

#[test]
fn a_call_expires_only_past_valid_until_and_is_then_refused_publicly() {
    let mut p = public();
    let mut c = calls();
    let call = post(&mut c, 9, contracts().transfer(PAYEE, 5, 3), 1);
    for _ in 0..6 {
        p.extend(|_| {});
    }
    let beacon = p.beacon(7);
    let read = |h| CallResult::<V> {
        read: p.read(
            h,
            2,
            contracts().registry.address,
            Some(result_slot(&account(), &call.twin)),
        ),
        success: true,
        output: Vec::new(),
    };
    assert_eq!(
        c.handle_result(&beacon, &read(3)),
        Err(CallError::Undecided {
            id: call.twin,
            height: 3
        })
    );
    assert_eq!(
        c.handle_result(&beacon, &read(4)),
        Ok(CallOutcome::Expired { height: 4 })
    );
    assert_eq!(
        c.handle_result(&beacon, &read(5)),
        Err(CallError::Replay(call.twin))
    );
    // The registry refuses it from then on, changing nothing.
    let mut s = p.state_at(7);
    let root = s.state_root().unwrap();
    assert_eq!(
        run(&mut s, 4, &call),
        Err(RegistryError::Expired {
            valid_until: 3,
            height: 4
        })
    );
    assert_eq!(s.state_root().unwrap(), root);
}

#[test]
fn duplicates_and_posts_past_expiry_are_refused() {
    let mut c = calls();
    let call = post(&mut c, 1, contracts().balance_of(PAYEE, 10), 1);
    assert_eq!(
        c.call(1, contracts().balance_of(PAYEE, 10), 1),
        Err(CallError::Duplicate(call.twin))
    );
    assert_eq!(
        c.call(2, contracts().balance_of(PAYEE, 5), 5),
        Err(CallError::AlreadyExpired {
            valid_until: 5,
            posted_at: 5
        })
    );
    assert_eq!(c.pending(), 1);
    assert_eq!(c.call_of(&call.twin), Some(&call));
}

#[test]
fn the_registry_records_once_and_bounds_what_it_returns() {
    let mut p = public();
    let c = contracts();
    let call = PublicCall {
        twin: TwinId::for_call(&CHAIN, 1),
        contract: c.coin,
        method: common::evm::selector("name()"),
        args: Vec::new(),
        valid_until: 10,
    };
    p.extend(|s| {
        let r = run(s, 2, &call).unwrap();
        assert!(r.success);
        // ABI string: offset, length 15, "dfn stable coin".
        assert_eq!(&r.output[64..79], b"dfn stable coin");
        assert_eq!(run(s, 2, &call), Err(RegistryError::Duplicate(call.twin)));
    });
    // The private side never takes more than MAX_RETURN bytes of output.
    let result = CallResult {
        read: p.read(1, 0, c.registry.address, None),
        success: true,
        output: vec![0; MAX_RETURN + 1],
    };
    assert_eq!(
        CallResult::<V>::from_bytes(&result.to_bytes()),
        Err(DecodeError::TooMany {
            what: "output bytes",
            max: MAX_RETURN
        })
    );
}
