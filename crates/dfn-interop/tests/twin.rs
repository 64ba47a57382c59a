#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::evm::{Contracts, ISSUER, block};
use common::fixture::Public;
use dfn_interop::{
    Abort, CallSpec, CertError, Decision, OUTCOME_FAILED, OUTCOME_SUCCEEDED, PublicCall,
    ReadPolicy, Recorded, RegistryError, TwinError, TwinEvent, TwinId, Twins, Write,
    network_account, twin_slot,
};
use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, U256};
use dfn_vm::{Executor, Spec};

const PAYEE: Address = Address([0x02; 20]);
const CHAIN: [u8; 32] = [0x55; 32];
const ORDER: Address = Address([0x0d; 20]);

fn contracts() -> Contracts {
    Contracts::addresses()
}

fn registry() -> Address {
    contracts().registry.address
}

/// The private chain's public account: it holds the coins it pays with.
fn payer() -> Address {
    network_account(&CHAIN)
}

fn twins() -> Twins {
    let mut state = WorldState::new(MemoryStore::new());
    state.set_balance(ORDER, U256::from(1u64)).unwrap();
    state.finalize_transaction().unwrap();
    Twins::new(CHAIN, registry(), payer(), ReadPolicy::default(), state)
}

/// The public chain executes `call` through the EVM twin registry at
/// `height`.
fn run(s: &mut WorldState, height: u64, call: &PublicCall) -> Result<Recorded, RegistryError> {
    contracts().registry.execute(
        &mut Executor::new(Spec::CANCUN),
        s,
        &block(height),
        payer(),
        call,
    )
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
    let spec = contracts().transfer(PAYEE, amount, valid_until);
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

/// A public chain whose first block deploys the example contracts and
/// issues 50 coins to the private chain's account.
fn public() -> Public {
    let mut p = Public::new(21, 2, 3, 2);
    p.extend(|s| {
        Contracts::deploy(s, &block(1), &[(payer(), 50)], ISSUER);
    });
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
        assert!(run(s, 2, &call).unwrap().success);
    });
    for _ in 0..2 {
        p.extend(|_| {});
    }
    let root_before = t.state().state_root().unwrap();
    let proof = p.read(h, 2, registry(), Some(twin_slot(&payer(), &call.twin)));
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
    assert_eq!(contracts().balance(&mut s, PAYEE), U256::from(30u64));
    assert_eq!(contracts().balance(&mut s, payer()), U256::from(20u64));
    assert_eq!(
        s.storage(registry(), twin_slot(&payer(), &call.twin))
            .unwrap(),
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
        let recorded = run(s, 2, &call).unwrap();
        assert!(!recorded.success);
        // The coin's revert reason comes back: InsufficientBalance(...).
        assert_eq!(
            recorded.output[..4],
            common::evm::selector("InsufficientBalance(address,uint256,uint256)")
        );
    });
    p.extend(|_| {});
    p.extend(|_| {});
    let root_before = t.state().state_root().unwrap();
    let proof = p.read(h, 2, registry(), Some(twin_slot(&payer(), &call.twin)));
    assert_eq!(
        t.handle_proof(&p.beacon(4), &proof),
        Ok(Decision::Aborted(Abort::Failed, h))
    );
    assert_eq!(t.state().state_root().unwrap(), root_before);
    assert_eq!(written(&mut t, 2), NOTHING);
    let mut s = p.state_at(h);
    assert_eq!(contracts().balance(&mut s, payer()), U256::from(50u64));
    assert_eq!(contracts().balance(&mut s, PAYEE), U256::ZERO);
    assert_eq!(
        s.storage(registry(), twin_slot(&payer(), &call.twin))
            .unwrap(),
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
            contract: contracts().coin,
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
    let slot = Some(twin_slot(&payer(), &call.twin));
    // At height 3 nothing is recorded yet and the call may still run.
    assert_eq!(
        t.handle_proof(&beacon, &p.read(3, 2, registry(), slot)),
        Err(TwinError::Undecided {
            twin: call.twin,
            height: 3
        })
    );
    assert_eq!(written(&mut t, 4), NOTHING);
    assert_eq!(
        t.handle_proof(&beacon, &p.read(4, 2, registry(), slot)),
        Ok(Decision::Aborted(Abort::Expired, 4))
    );
    assert_eq!(written(&mut t, 4), NOTHING);
    // The public chain refuses the call after valid_until, unchanged.
    let mut s = p.state_at(7);
    let root = s.state_root().unwrap();
    assert_eq!(
        run(&mut s, 8, &call),
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
            contract: contracts().coin,
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
            contract: contracts().coin,
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
        run(s, 2, &foreign).unwrap();
        // The public side records a twin once.
        assert_eq!(
            run(s, 2, &foreign),
            Err(RegistryError::Duplicate(foreign.twin))
        );
    });
    p.extend(|_| {});
    p.extend(|_| {});
    let beacon = p.beacon(4);
    assert_eq!(
        t.handle_proof(
            &beacon,
            &p.read(h, 2, registry(), Some(twin_slot(&payer(), &foreign.twin)))
        ),
        Err(TwinError::UnknownTwin(twin_slot(&payer(), &foreign.twin)))
    );
    // A read of another account, and one without a slot.
    assert_eq!(
        t.handle_proof(
            &beacon,
            &p.read(h, 2, PAYEE, Some(twin_slot(&payer(), &call.twin)))
        ),
        Err(TwinError::WrongAccount {
            expected: registry(),
            found: PAYEE
        })
    );
    assert_eq!(
        t.handle_proof(&beacon, &p.read(h, 2, registry(), None)),
        Err(TwinError::NoSlot)
    );
    // A forged proof of success.
    let mut forged = p.read(h, 2, registry(), Some(twin_slot(&payer(), &call.twin)));
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
    let first = order(&mut t, 7, 40, 10);
    let second = order(&mut t, 8, 20, 10);
    // The public chain runs the second first; the first then asks for more
    // than is left and fails.
    let h = p.extend(|s| {
        assert!(run(s, 2, &second).unwrap().success);
        assert!(!run(s, 2, &first).unwrap().success);
    });
    p.extend(|_| {});
    p.extend(|_| {});
    let beacon = p.beacon(4);
    let read = |c: &PublicCall| p.read(h, 2, registry(), Some(twin_slot(&payer(), &c.twin)));
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
