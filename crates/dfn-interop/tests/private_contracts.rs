#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

//! In dfn-sim: the public chain of `sim.rs` (state run by dfn-vm, the
//! example public contracts) and two private networks, one of which runs
//! contracts on its own dfn-vm: its treasury pays and its onboarding desk
//! claims and looks up names through the private chain's gateway, and
//! certified results come back to the contracts' callbacks inside the
//! private blocks. The other network uses host methods (twinned methods,
//! certified calls) and races it for a name. Public processes duplicate,
//! serve stale state and forge; processes crash on both sides; networks
//! are partitioned; one request is lost and expires.

mod common;

use std::collections::BTreeMap;

use common::contract_host::Order;
use common::evm::Contracts;
use common::faults;
use common::host::Host;
use common::network::{Script, build_networks};
use common::private_evm::{
    PAID, PrivateContracts, RELEASED, answered, books, claimed, payment_state, recorded_owner,
};
use common::private_host::{Invocation, Refusal};
use dfn_interop::{CallOutcome, Decision, DeliveryStatus, TwinId, result_slot};
use dfn_sim::{Fault, NodeId, Restart, SimConfig, Simulation, Time};
use dfn_state::{Address, U256};

const PAYEE: Address = Address([0x02; 20]);
/// The treasury's opening books; the public account holds [`COINS_A`].
const OPENING: u64 = 1_000;
const COINS_A: u64 = 100;
/// Network A's request that never reaches the public chain.
const LOST_REQUEST: u64 = 5;
const LOST_VALID_UNTIL: u64 = 22;

/// Network A (contracts): request 0 pays 30 (succeeds), 1 claims "alice",
/// 2 pays 500 (more than the public account holds: fails there), 3 pays
/// with an expiry already past, 4 looks "alice" up, 5 pays 7 and is lost
/// on the way. Network B (host methods) registers "alice", pays 5 and
/// looks "alice" up.
fn scripts() -> [Script; 2] {
    let p = PrivateContracts::addresses();
    let order = |to, data| vec![Order { to, data }];
    let mut a = BTreeMap::new();
    a.insert(2, order(p.treasury, PrivateContracts::pay(PAYEE, 30, 60)));
    a.insert(3, order(p.onboarding, PrivateContracts::claim("alice", 60)));
    a.insert(4, order(p.treasury, PrivateContracts::pay(PAYEE, 500, 60)));
    a.insert(5, order(p.treasury, PrivateContracts::pay(PAYEE, 1, 1)));
    a.insert(6, order(p.onboarding, PrivateContracts::check("alice", 60)));
    a.insert(
        7,
        order(
            p.treasury,
            PrivateContracts::pay(PAYEE, 7, LOST_VALID_UNTIL),
        ),
    );
    let c = Contracts::addresses();
    let mut b = BTreeMap::new();
    b.insert(2, vec![Invocation::register(1, "alice", 60)]);
    b.insert(3, vec![Invocation::transfer(2, PAYEE, 5, 60)]);
    b.insert(4, vec![Invocation::call(3, c.lookup("alice", 60))]);
    [
        Script::Contracts {
            orders: a,
            opening: OPENING,
        },
        Script::Methods(b),
    ]
}

fn simulation(seed: u64) -> Simulation<Host> {
    let hosts = build_networks(seed, [COINS_A, 10], scripts());
    Simulation::new(SimConfig::new(seed), hosts).unwrap()
}

#[test]
fn private_contracts_call_public_contracts_through_crashes_partitions_and_bad_answers() {
    let mut sim = simulation(11);
    faults::misbehave(&mut sim);
    let chain_a = sim
        .with_node(NodeId(4), |h, _| h.contract().unwrap().chain_id)
        .unwrap();
    faults::lose_call(&mut sim, TwinId::for_call(&chain_a, LOST_REQUEST));
    faults::crashes_and_partitions(&mut sim);
    // And a process of network A, which runs the contracts, crashes too.
    let s = Time::from_millis;
    sim.schedule(s(10_000), Fault::Crash(NodeId(5))).unwrap();
    sim.schedule(s(13_000), Fault::Restart(NodeId(5), Restart::Resume))
        .unwrap();
    sim.run_until(s(40_000));

    let roots: Vec<_> = (4..7)
        .map(|i| {
            sim.with_node(NodeId(i), |h, _| h.contract_mut().unwrap().ledger.root())
                .unwrap()
        })
        .collect();
    // The private contracts' storage at a process of network A.
    let (treasury_books, payments, a_claimed, lookup_answered, seen) = sim
        .with_node(NodeId(4), |h, _| {
            let ledger = &mut h.contract_mut().unwrap().ledger;
            let p = ledger.contracts;
            let state = &mut ledger.state;
            let payments: Vec<u64> = (0..=LOST_REQUEST)
                .map(|id| payment_state(state, p.treasury, id))
                .collect();
            (
                books(state, p.treasury),
                payments,
                claimed(state, p.onboarding, "alice"),
                answered(state, p.onboarding, 4),
                recorded_owner(state, p.onboarding, "alice"),
            )
        })
        .unwrap();
    let nodes = sim.nodes();
    let public = nodes[0].public().unwrap();
    let c = public.contracts;
    let tip = *public.finalized.last().unwrap();
    let mut state = public.state(&tip);
    let first = nodes[4].contract().unwrap();
    let account_a = first.account;
    let account_b = nodes[7].private().unwrap().account;

    // Every request answered once, in the same way at every process of
    // network A, and the private states agree.
    let mut refused: BTreeMap<Refusal, u64> = BTreeMap::new();
    for (i, node) in nodes.iter().enumerate().take(7).skip(4) {
        let host = node.contract().unwrap();
        assert_eq!(host.ledger.gateway.pending(), 0, "node {i}");
        assert_eq!(host.ledger.delivered, first.ledger.delivered, "node {i}");
        assert_eq!(roots[i - 4], roots[0], "node {i}: private states differ");
        for (why, n) in host.refused.iter().chain(&host.refused_in_blocks) {
            *refused.entry(*why).or_default() += n;
        }
    }
    let delivered = &first.ledger.delivered;
    let ids: Vec<u64> = delivered.iter().map(|d| d.0).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        (0..=LOST_REQUEST).collect::<Vec<_>>(),
        "{delivered:?}"
    );
    let status: BTreeMap<u64, DeliveryStatus> = delivered.iter().map(|d| (d.0, d.1)).collect();
    assert!(
        delivered.iter().all(|d| d.2),
        "a callback failed: {delivered:?}"
    );
    assert_eq!(status[&0], DeliveryStatus::Ok);
    assert_eq!(status[&2], DeliveryStatus::Failed);
    assert_eq!(status[&3], DeliveryStatus::Expired);
    assert_eq!(status[&4], DeliveryStatus::Ok);
    assert_eq!(status[&LOST_REQUEST], DeliveryStatus::Expired);
    // Each answer is what the public registry committed to (nothing for
    // the expired ones).
    for (id, s) in &status {
        let committed = state
            .storage(
                c.registry.address,
                result_slot(&account_a, &TwinId::for_call(&chain_a, *id)),
            )
            .unwrap();
        assert_eq!(
            committed.is_zero(),
            *s == DeliveryStatus::Expired,
            "request {id}"
        );
    }

    // No half-applied state: the treasury's books balance, nothing is
    // locked, and what it booked as paid is what left its public account.
    assert_eq!(treasury_books, [970u64, 0, 30].map(U256::from));
    assert_eq!(payments[0], PAID);
    for id in [2, 3, LOST_REQUEST] {
        assert_eq!(payments[id as usize], RELEASED, "{id}");
    }
    assert_eq!(c.balance(&mut state, account_a), U256::from(COINS_A - 30));
    assert_eq!(c.balance(&mut state, account_b), U256::from(5u64));
    assert_eq!(c.balance(&mut state, PAYEE), U256::from(35u64));

    // "alice" went to exactly one network; the desk's claim is booked
    // exactly when it was A's, and its lookup recorded a certified owner.
    let b_registered = matches!(
        nodes[7].private().unwrap().decided[&1],
        Decision::Committed(_)
    );
    assert!(a_claimed ^ b_registered, "A {a_claimed}, B {b_registered}");
    assert_eq!(status[&1] == DeliveryStatus::Ok, a_claimed);
    let owner = c.owner(&mut state, "alice");
    assert_eq!(owner, if a_claimed { account_a } else { account_b });
    assert_eq!(lookup_answered, 1);
    assert!(
        [Address::ZERO, account_a, account_b].contains(&seen),
        "{seen}"
    );
    // Network B still gets its certified lookup.
    assert!(matches!(
        nodes[7].private().unwrap().returned[&3],
        CallOutcome::Returned { success: true, .. }
    ));

    println!("answers refused by network A: {refused:?}");
    for why in [Refusal::Forged, Refusal::Stale, Refusal::Replay] {
        assert!(
            refused.get(&why).copied().unwrap_or(0) > 0,
            "{why:?}: {refused:?}"
        );
    }
}

#[test]
fn a_run_with_private_contracts_is_identified_by_its_seed() {
    let run = |seed| {
        let mut sim = simulation(seed);
        sim.run_until(Time::from_millis(12_000));
        sim.audit_hash()
    };
    assert_eq!(run(5), run(5));
}
