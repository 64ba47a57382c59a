#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::fixture::Public;
use dfn_interop::{
    Abort, CallSpec, CertError, Decision, OUTCOME_FAILED, OUTCOME_SUCCEEDED, PublicCall,
    ReadPolicy, RegistryError, TwinError, TwinEvent, TwinId, Twins, Write, record_outcome,
    twin_slot,
};
use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, U256};

const REGISTRY: Address = Address([0x7e; 20]);
const COIN: Address = Address([0xc0; 20]);
const PAYER: Address = Address([0x01; 20]);
const PAYEE: Address = Address([0x02; 20]);
const CHAIN: [u8; 32] = [0x55; 32];
const ORDER: Address = Address([0x0d; 20]);

fn twins() -> Twins {
    let mut state = WorldState::new(MemoryStore::new());
    state.set_balance(ORDER, U256::from(1u64)).unwrap();
    state.finalize_transaction().unwrap();
    Twins::new(CHAIN, REGISTRY, ReadPolicy::default(), state)
}

/// A private order that marks itself paid (two slots and a balance) once
/// the public payment of `amount` succeeds.
fn order(twins: &mut Twins, call_id: u64, amount: u64, valid_until: u64) -> PublicCall {
    let writes = vec![
        Write::Storage {
            address: ORDER,
            key: U256::from(call_id),
            value: U256::from(amount),
        },
        Write::Storage {
            address: ORDER,
            key: U256::from(1000 + call_id),
            value: U256::from(1u64),
        },
        Write::Balance {
            address: Address([call_id as u8; 20]),
            value: U256::from(amount),
        },
    ];
    let spec = CallSpec {
        contract: COIN,
        method: b"transfer".to_vec(),
        args: amount.to_be_bytes().to_vec(),
        valid_until,
    };
    let twin = twins.invoke(call_id, writes, spec).unwrap();
    match twins.poll_event() {
        Some(TwinEvent::Post(call)) => {
            assert_eq!(call.twin, twin);
            assert_eq!(PublicCall::from_bytes(&call.to_bytes()).unwrap(), call);
            call
        }
        other => panic!("expected a post, got {other:?}"),
    }
}

/// The public method: the stable coin's transfer as a balance move.
fn pay(state: &mut WorldState, amount: u64) -> Result<(), ()> {
    let amount = U256::from(amount);
    if state.balance(PAYER).unwrap() < amount {
        return Err(());
    }
    state.sub_balance(PAYER, amount).unwrap();
    state.add_balance(PAYEE, amount).unwrap();
    Ok(())
}

fn public() -> Public {
    let mut p = Public::new(21, 2, 3, 2);
    p.extend(|s| s.set_balance(PAYER, U256::from(50u64)).unwrap());
    p
}

/// The private state's view of what an order wrote.
fn written(twins: &mut Twins, call_id: u64) -> (U256, U256, U256) {
    let s = twins.state();
    (
        s.storage(ORDER, U256::from(call_id)).unwrap(),
        s.storage(ORDER, U256::from(1000 + call_id)).unwrap(),
        s.balance(Address([call_id as u8; 20])).unwrap(),
    )
}

const NOTHING: (U256, U256, U256) = (U256::ZERO, U256::ZERO, U256::ZERO);

#[test]
fn a_certified_success_commits_every_write_at_once() {
    let mut p = public();
    let mut t = twins();
    let call = order(&mut t, 1, 30, 10);
    assert_eq!(t.pending(), 1);
    assert_eq!(t.tentative(&call.twin).unwrap().len(), 3);
    assert_eq!(written(&mut t, 1), NOTHING, "tentative writes stay apart");
    // The public chain executes the call at height 2.
    let h = p.extend(|s| {
        assert!(record_outcome(s, REGISTRY, &call, 2, |s| pay(s, 30)).unwrap());
    });
    for _ in 0..2 {
        p.extend(|_| {});
    }
    let root_before = t.state().state_root().unwrap();
    let proof = p.read(h, 2, REGISTRY, Some(twin_slot(&call.twin)));
    assert_eq!(
        t.handle_proof(&p.beacon(4), &proof),
        Ok(Decision::Committed(h))
    );
    assert_eq!(
        t.poll_event(),
        Some(TwinEvent::Committed {
            twin: call.twin,
            height: h
        })
    );
    assert_ne!(t.state().state_root().unwrap(), root_before);
    assert_eq!(
        written(&mut t, 1),
        (U256::from(30u64), U256::from(1u64), U256::from(30u64))
    );
    assert_eq!(t.pending(), 0);
    // The public side moved the coins and recorded the outcome together.
    let mut s = p.state_at(h);
    assert_eq!(s.balance(PAYEE).unwrap(), U256::from(30u64));
    assert_eq!(
        s.storage(REGISTRY, twin_slot(&call.twin)).unwrap(),
        U256::from(OUTCOME_SUCCEEDED)
    );
    // Replaying the proof changes nothing.
    let root = t.state().state_root().unwrap();
    assert_eq!(
        t.handle_proof(&p.beacon(4), &proof),
        Err(TwinError::Replay(call.twin))
    );
    assert_eq!(t.state().state_root().unwrap(), root);
    assert_eq!(t.poll_event(), None);
}

#[test]
fn a_certified_failure_aborts_and_the_public_side_keeps_only_the_record() {
    let mut p = public();
    let mut t = twins();
    let call = order(&mut t, 2, 80, 10);
    let h = p.extend(|s| {
        assert!(!record_outcome(s, REGISTRY, &call, 2, |s| pay(s, 80)).unwrap());
    });
    p.extend(|_| {});
    p.extend(|_| {});
    let root_before = t.state().state_root().unwrap();
    let proof = p.read(h, 2, REGISTRY, Some(twin_slot(&call.twin)));
    assert_eq!(
        t.handle_proof(&p.beacon(4), &proof),
        Ok(Decision::Aborted(Abort::Failed, h))
    );
    assert_eq!(t.state().state_root().unwrap(), root_before);
    assert_eq!(written(&mut t, 2), NOTHING);
    let mut s = p.state_at(h);
    assert_eq!(s.balance(PAYER).unwrap(), U256::from(50u64));
    assert_eq!(s.balance(PAYEE).unwrap(), U256::ZERO);
    assert_eq!(
        s.storage(REGISTRY, twin_slot(&call.twin)).unwrap(),
        U256::from(OUTCOME_FAILED)
    );
    assert_eq!(
        t.poll_event(),
        Some(TwinEvent::Aborted {
            twin: call.twin,
            reason: Abort::Failed,
            height: h
        })
    );
    // The locks are gone: a new twin may write the same slot.
    let relock = t.invoke(
        3,
        vec![Write::Storage {
            address: ORDER,
            key: U256::from(2u64),
            value: U256::from(9u64),
        }],
        CallSpec {
            contract: COIN,
            method: Vec::new(),
            args: Vec::new(),
            valid_until: 10,
        },
    );
    assert_eq!(relock, Ok(TwinId::new(&CHAIN, 3)));
}

#[test]
fn an_expired_call_aborts_only_past_valid_until() {
    let mut p = public();
    let mut t = twins();
    let call = order(&mut t, 4, 10, 3);
    for _ in 0..6 {
        p.extend(|_| {});
    }
    let beacon = p.beacon(7);
    let slot = Some(twin_slot(&call.twin));
    // At height 3 nothing is recorded yet and the call may still run.
    assert_eq!(
        t.handle_proof(&beacon, &p.read(3, 2, REGISTRY, slot)),
        Err(TwinError::Undecided {
            twin: call.twin,
            height: 3
        })
    );
    assert_eq!(written(&mut t, 4), NOTHING);
    assert_eq!(
        t.handle_proof(&beacon, &p.read(4, 2, REGISTRY, slot)),
        Ok(Decision::Aborted(Abort::Expired, 4))
    );
    assert_eq!(written(&mut t, 4), NOTHING);
    // The public chain refuses the call after valid_until, unchanged.
    let mut s = p.state_at(7);
    let root = s.state_root().unwrap();
    assert_eq!(
        record_outcome(&mut s, REGISTRY, &call, 8, |s| pay(s, 10)),
        Err(RegistryError::Expired {
            valid_until: 3,
            height: 8
        })
    );
    assert_eq!(s.state_root().unwrap(), root);
}

#[test]
fn duplicates_replays_and_foreign_proofs_are_refused() {
    let mut p = public();
    let mut t = twins();
    let call = order(&mut t, 5, 10, 10);
    // The same call id again.
    let again = t.invoke(
        5,
        Vec::new(),
        CallSpec {
            contract: COIN,
            method: Vec::new(),
            args: Vec::new(),
            valid_until: 10,
        },
    );
    assert_eq!(again, Err(TwinError::Duplicate(call.twin)));
    // A second method writing a locked slot.
    let conflict = t.invoke(
        6,
        vec![Write::Storage {
            address: ORDER,
            key: U256::from(5u64),
            value: U256::from(1u64),
        }],
        CallSpec {
            contract: COIN,
            method: Vec::new(),
            args: Vec::new(),
            valid_until: 10,
        },
    );
    assert_eq!(
        conflict,
        Err(TwinError::Conflict {
            address: ORDER,
            holder: call.twin
        })
    );
    // Another private chain's twin with the same call id.
    let foreign = PublicCall {
        twin: TwinId::new(&[0x66; 32], 5),
        ..call.clone()
    };
    let h = p.extend(|s| {
        record_outcome(s, REGISTRY, &foreign, 2, |s| pay(s, 10)).unwrap();
        // The public side records a twin once.
        assert_eq!(
            record_outcome(s, REGISTRY, &foreign, 2, |s| pay(s, 10)),
            Err(RegistryError::Duplicate(foreign.twin))
        );
    });
    p.extend(|_| {});
    p.extend(|_| {});
    let beacon = p.beacon(4);
    assert_eq!(
        t.handle_proof(
            &beacon,
            &p.read(h, 2, REGISTRY, Some(twin_slot(&foreign.twin)))
        ),
        Err(TwinError::UnknownTwin(twin_slot(&foreign.twin)))
    );
    // A read of another account, and one without a slot.
    assert_eq!(
        t.handle_proof(&beacon, &p.read(h, 2, PAYEE, Some(twin_slot(&call.twin)))),
        Err(TwinError::WrongAccount {
            expected: REGISTRY,
            found: PAYEE
        })
    );
    assert_eq!(
        t.handle_proof(&beacon, &p.read(h, 2, REGISTRY, None)),
        Err(TwinError::NoSlot)
    );
    // A forged proof of success.
    let mut forged = p.read(h, 2, REGISTRY, Some(twin_slot(&call.twin)));
    forged.headers[0].signature = p.notarizations[0].signature;
    assert_eq!(
        t.handle_proof(&beacon, &forged),
        Err(TwinError::Proof(CertError::BadNotarization { height: h }))
    );
    assert_eq!(t.pending(), 1);
    assert_eq!(written(&mut t, 5), NOTHING);
    assert_eq!(t.poll_event(), None);
}

#[test]
fn twins_resolve_in_any_order_without_touching_each_other() {
    let mut p = public();
    let mut t = twins();
    let first = order(&mut t, 7, 20, 10);
    let second = order(&mut t, 8, 20, 10);
    // The public chain runs the second first; the first then asks for more
    // than is left and fails.
    let h = p.extend(|s| {
        assert!(record_outcome(s, REGISTRY, &second, 2, |s| pay(s, 20)).unwrap());
        assert!(!record_outcome(s, REGISTRY, &first, 2, |s| pay(s, 40)).unwrap());
    });
    p.extend(|_| {});
    p.extend(|_| {});
    let beacon = p.beacon(4);
    let read = |c: &PublicCall| p.read(h, 2, REGISTRY, Some(twin_slot(&c.twin)));
    assert_eq!(
        t.handle_proof(&beacon, &read(&second)),
        Ok(Decision::Committed(h))
    );
    assert_eq!(written(&mut t, 7), NOTHING);
    assert_eq!(
        written(&mut t, 8),
        (U256::from(20u64), U256::from(1u64), U256::from(20u64))
    );
    assert_eq!(
        t.handle_proof(&beacon, &read(&first)),
        Ok(Decision::Aborted(Abort::Failed, h))
    );
    assert_eq!(written(&mut t, 7), NOTHING);
    assert_eq!(
        t.decision(&first.twin),
        Some(Decision::Aborted(Abort::Failed, h))
    );
    assert_eq!(t.decision(&second.twin), Some(Decision::Committed(h)));
}
