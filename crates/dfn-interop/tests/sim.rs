#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

//! In dfn-sim: a public chain whose state is run by dfn-vm with the
//! example contracts (twin registry, stable coin, identity registry,
//! arbitration), and two private chains whose methods reach the public
//! stable coin and identity registry through twinned methods and
//! certified calls, while public processes duplicate, serve stale state
//! and forge, processes crash and networks are partitioned.

mod common;

use std::collections::BTreeMap;

use common::evm::{Contracts, address_word};
use common::faults;
use common::network::build;
use common::private_host::{Invocation, RESULTS, Refusal};
use dfn_interop::{
    Abort, CallOutcome, Decision, OUTCOME_FAILED, OUTCOME_SUCCEEDED, TwinId, result_slot,
    result_word, twin_slot,
};
use dfn_sim::{NodeId, SimConfig, Simulation, Time};
use dfn_state::{Address, U256};

const PAYEE: Address = Address([0x02; 20]);
/// The call of network B that never reaches the public chain.
const LOST_CALL: u64 = 4;
const LOST_VALID_UNTIL: u64 = 22;

/// Network A pays twice (one succeeds, one lacks funds), registers "alice",
/// posts a payment that has expired before it is sent, and reads the
/// payee's balance by a certified call; network B registers "alice" too (one of
/// the two registrations fails), pays, looks "alice" up by a certified
/// call, and makes a certified call that is lost on the way and expires.
fn scripts() -> [BTreeMap<u64, Vec<Invocation>>; 2] {
    let c = Contracts::addresses();
    let mut a = BTreeMap::new();
    a.insert(2, vec![Invocation::transfer(1, PAYEE, 30, 60)]);
    a.insert(3, vec![Invocation::register(2, "alice", 60)]);
    a.insert(4, vec![Invocation::transfer(3, PAYEE, 1_000, 60)]);
    a.insert(5, vec![Invocation::transfer(4, PAYEE, 1, 1)]);
    a.insert(6, vec![Invocation::call(5, c.balance_of(PAYEE, 60))]);
    let mut b = BTreeMap::new();
    b.insert(2, vec![Invocation::register(1, "alice", 60)]);
    b.insert(3, vec![Invocation::transfer(2, PAYEE, 5, 60)]);
    b.insert(4, vec![Invocation::call(3, c.lookup("alice", 60))]);
    b.insert(
        5,
        vec![Invocation::call(
            LOST_CALL,
            c.balance_of(PAYEE, LOST_VALID_UNTIL),
        )],
    );
    [a, b]
}

fn twin_outcomes(decided: &BTreeMap<u64, Decision>) -> Vec<(u64, Option<Abort>)> {
    decided
        .iter()
        .map(|(id, d)| match d {
            Decision::Committed(_) => (*id, None),
            Decision::Aborted(reason, _) => (*id, Some(*reason)),
        })
        .collect()
}

/// A call's result (`None`: expired), without the height it was certified
/// at.
type Returned = Option<(bool, Vec<u8>)>;

fn call_outcomes(returned: &BTreeMap<u64, CallOutcome>) -> Vec<(u64, Returned)> {
    returned
        .iter()
        .map(|(id, o)| match o {
            CallOutcome::Returned {
                success, output, ..
            } => (*id, Some((*success, output.clone()))),
            _ => (*id, None),
        })
        .collect()
}

#[test]
fn private_networks_use_public_contracts_through_crashes_partitions_and_bad_answers() {
    let hosts = build(7, [100, 10], scripts());
    let mut sim = Simulation::new(SimConfig::new(7), hosts).unwrap();
    faults::misbehave(&mut sim);
    let chain_b = sim
        .with_node(NodeId(7), |h, _| h.private().unwrap().chain_id)
        .unwrap();
    faults::lose_call(&mut sim, TwinId::for_call(&chain_b, LOST_CALL));
    faults::crashes_and_partitions(&mut sim);
    let s = Time::from_millis;
    sim.run_until(s(40_000));

    let written: Vec<_> = (4..10)
        .map(|i| {
            sim.with_node(NodeId(i), |h, _| h.private_mut().unwrap().written())
                .unwrap()
        })
        .collect();
    let results: Vec<_> = (4..10)
        .map(|i| {
            sim.with_node(NodeId(i), |h, _| {
                let p = h.private_mut().unwrap();
                let ids: Vec<u64> = p.returned.keys().copied().collect();
                let state = p.twins.state();
                ids.into_iter()
                    .map(|id| (id, state.storage(RESULTS, U256::from(id)).unwrap()))
                    .collect::<BTreeMap<_, _>>()
            })
            .unwrap()
        })
        .collect();
    let nodes = sim.nodes();
    let public = nodes[0].public().unwrap();
    let c = public.contracts;
    let registry = c.registry.address;
    let tip = *public.finalized.last().unwrap();
    let mut state = public.state(&tip);
    assert!(
        public.finalized.len() > 20,
        "the public chain finalized {} heights",
        public.finalized.len()
    );
    for (n, node) in nodes.iter().enumerate().take(4).skip(1) {
        assert!(node.public().unwrap().misbehaved > 0, "node {n} answered");
    }

    let account = |i: usize| nodes[i].private().unwrap().account;
    let mut refused: BTreeMap<Refusal, u64> = BTreeMap::new();
    for (net, range) in [(0usize, 4..7), (1, 7..10)] {
        let first = nodes[range.start].private().unwrap();
        let (twins, calls): (&[u64], &[u64]) = if net == 0 {
            (&[1, 2, 3, 4], &[5])
        } else {
            (&[1, 2], &[3, LOST_CALL])
        };
        for i in range.clone() {
            let p = nodes[i].private().unwrap();
            assert_eq!(p.decided.len(), twins.len(), "net {net}: {:?}", p.decided);
            assert_eq!(p.returned.len(), calls.len(), "net {net}: {:?}", p.returned);
            // Processes may certify at different heights; the outcomes are
            // the same.
            assert_eq!(twin_outcomes(&p.decided), twin_outcomes(&first.decided));
            assert_eq!(call_outcomes(&p.returned), call_outcomes(&first.returned));
            for (why, n) in &p.refused {
                *refused.entry(*why).or_default() += n;
            }
            let (root, writes) = &written[i - 4];
            assert_eq!(
                *root,
                written[range.start - 4].0,
                "net {net}: states differ"
            );
            for call_id in twins {
                let committed = matches!(p.decided[call_id], Decision::Committed(_));
                // The private writes are all there or none.
                assert_eq!(
                    writes[call_id],
                    (committed, committed),
                    "net {net} {call_id}"
                );
            }
            // The private contract kept exactly the certified results.
            for (call_id, kept) in &results[i - 4] {
                let expected = match &p.returned[call_id] {
                    CallOutcome::Returned {
                        success, output, ..
                    } => result_word(*success, output),
                    _ => U256::ZERO,
                };
                assert_eq!(*kept, expected, "net {net} call {call_id}");
            }
        }
        // Each twin decision is what the public registry holds.
        for call_id in twins {
            let twin = TwinId::new(&first.chain_id, *call_id);
            let recorded = state
                .storage(registry, twin_slot(&first.account, &twin))
                .unwrap();
            let expected = match first.decided[call_id] {
                Decision::Committed(_) => U256::from(OUTCOME_SUCCEEDED),
                Decision::Aborted(Abort::Failed, _) => U256::from(OUTCOME_FAILED),
                Decision::Aborted(..) => U256::ZERO,
            };
            assert_eq!(recorded, expected, "net {net} twin {call_id}");
        }
        // Each call result is what the registry committed to.
        for call_id in calls {
            let id = TwinId::for_call(&first.chain_id, *call_id);
            let committed = state
                .storage(registry, result_slot(&first.account, &id))
                .unwrap();
            let expected = match &first.returned[call_id] {
                CallOutcome::Returned {
                    success, output, ..
                } => result_word(*success, output),
                _ => U256::ZERO,
            };
            assert_eq!(committed, expected, "net {net} call {call_id}");
        }
        let d = &first.decided;
        let r = &first.returned;
        if net == 0 {
            assert!(matches!(d[&1], Decision::Committed(_)));
            assert!(matches!(d[&3], Decision::Aborted(Abort::Failed, _)));
            assert!(matches!(d[&4], Decision::Aborted(Abort::Expired, _)));
            // The payee's balance, after some of the payments.
            let CallOutcome::Returned {
                success: true,
                output,
                ..
            } = &r[&5]
            else {
                panic!("balance call: {:?}", r[&5]);
            };
            let balance = U256::from_be_slice(output);
            assert!(
                [0u64, 5, 30, 35].map(U256::from).contains(&balance),
                "{balance}"
            );
        } else {
            assert!(matches!(d[&2], Decision::Committed(_)));
            let CallOutcome::Returned {
                success: true,
                output,
                ..
            } = &r[&3]
            else {
                panic!("lookup call: {:?}", r[&3]);
            };
            // The owner is nobody yet or one of the two networks.
            let owner = output[..32].to_vec();
            assert!(
                [Address::ZERO, account(4), account(7)]
                    .iter()
                    .any(|a| address_word(*a).to_vec() == owner),
                "owner {owner:?}"
            );
            assert!(
                matches!(r[&LOST_CALL], CallOutcome::Expired { height } if height > LOST_VALID_UNTIL)
            );
        }
    }
    println!("answers refused by the private processes: {refused:?}");
    // Each kind of bad answer reached a private process and was refused.
    for why in [Refusal::Forged, Refusal::Stale, Refusal::Replay] {
        assert!(
            refused.get(&why).copied().unwrap_or(0) > 0,
            "{why:?}: {refused:?}"
        );
    }
    // "alice" went to exactly one of the two networks, and the identity
    // registry names that network's account.
    let a = matches!(
        nodes[4].private().unwrap().decided[&2],
        Decision::Committed(_)
    );
    let b = matches!(
        nodes[7].private().unwrap().decided[&1],
        Decision::Committed(_)
    );
    assert!(a ^ b, "alice registered by A: {a}, by B: {b}");
    assert_eq!(c.owner(&mut state, "alice"), account(if a { 4 } else { 7 }));
    // No public state half-applied: the coins moved are the committed ones.
    assert_eq!(c.balance(&mut state, PAYEE), U256::from(35u64));
    assert_eq!(c.balance(&mut state, account(4)), U256::from(70u64));
    assert_eq!(c.balance(&mut state, account(7)), U256::from(5u64));
}

#[test]
fn a_run_is_identified_by_its_seed() {
    let run = |seed| {
        let hosts = build(seed, [100, 10], scripts());
        let mut sim = Simulation::new(SimConfig::new(seed), hosts).unwrap();
        sim.run_until(Time::from_millis(15_000));
        sim.audit_hash()
    };
    assert_eq!(run(3), run(3));
}
