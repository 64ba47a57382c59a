#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::collections::BTreeMap;

use common::host::{Host, IDENTITY, Invocation, REGISTRY, build};
use dfn_interop::{Abort, Decision, OUTCOME_FAILED, OUTCOME_SUCCEEDED, TwinId, twin_slot};
use dfn_sim::{Fault, NodeId, Restart, SimConfig, Simulation, Time};
use dfn_state::{Address, U256, keccak256};

const PAYER: Address = Address([0x01; 20]);
const PAYER_B: Address = Address([0x03; 20]);
const PAYEE: Address = Address([0x02; 20]);

/// Network A pays twice (one succeeds, one lacks funds), registers "alice"
/// and posts a call that has expired before it is sent; network B
/// registers "alice" too (one of the two registrations fails) and pays.
fn scripts() -> [BTreeMap<u64, Vec<Invocation>>; 2] {
    let mut a = BTreeMap::new();
    a.insert(2, vec![Invocation::transfer(1, PAYER, PAYEE, 30, 60)]);
    a.insert(3, vec![Invocation::register(2, "alice", 60)]);
    a.insert(4, vec![Invocation::transfer(3, PAYER, PAYEE, 1_000, 60)]);
    a.insert(5, vec![Invocation::transfer(4, PAYER, PAYEE, 1, 1)]);
    let mut b = BTreeMap::new();
    b.insert(2, vec![Invocation::register(1, "alice", 60)]);
    b.insert(3, vec![Invocation::transfer(2, PAYER_B, PAYEE, 5, 60)]);
    [a, b]
}

/// Expected twins per network: (call id, method is a transfer, amount).
const A: [u64; 4] = [1, 2, 3, 4];
const B: [u64; 2] = [1, 2];

fn outcomes(decided: &BTreeMap<u64, Decision>) -> Vec<(u64, Option<Abort>)> {
    decided
        .iter()
        .map(|(id, d)| match d {
            Decision::Committed(_) => (*id, None),
            Decision::Aborted(reason, _) => (*id, Some(*reason)),
        })
        .collect()
}

#[test]
fn private_networks_twin_with_the_public_chain_through_crashes_and_partitions() {
    let hosts = build(7, &[(PAYER, 100), (PAYER_B, 10)], scripts());
    let mut sim = Simulation::new(SimConfig::new(7), hosts).unwrap();
    // Public process 3 answers every read with a forged proof of success.
    sim.with_node(NodeId(3), |h, _| {
        if let Host::Public(p) = h {
            p.forger = true;
        }
    })
    .unwrap();
    // A public process crashes and comes back; network A is cut off from
    // the public chain for a while; a process of network B crashes.
    let s = Time::from_millis;
    sim.schedule(s(6_000), Fault::Crash(NodeId(1))).unwrap();
    sim.schedule(s(9_000), Fault::Restart(NodeId(1), Restart::Resume))
        .unwrap();
    sim.schedule(s(5_000), Fault::Crash(NodeId(8))).unwrap();
    sim.schedule(s(8_000), Fault::Restart(NodeId(8), Restart::Resume))
        .unwrap();
    sim.schedule(
        s(7_000),
        Fault::Partition(vec![vec![NodeId(4), NodeId(5), NodeId(6)]]),
    )
    .unwrap();
    sim.schedule(s(12_000), Fault::Heal).unwrap();
    sim.run_until(s(40_000));

    let written: Vec<_> = (4..10)
        .map(|i| {
            sim.with_node(NodeId(i), |h, _| h.private_mut().unwrap().written())
                .unwrap()
        })
        .collect();
    let nodes = sim.nodes();
    let public = nodes[0].public().unwrap();
    let tip = *public.finalized.last().unwrap();
    let mut state = public.state(&tip);
    assert!(
        public.finalized.len() > 20,
        "the public chain finalized {} heights",
        public.finalized.len()
    );
    assert!(
        nodes[3].public().unwrap().forged > 0,
        "the forger was asked"
    );

    let mut paid = U256::ZERO;
    for (net, calls, range) in [(1u8, &A[..], 4..7), (2, &B[..], 7..10)] {
        let first = nodes[range.start].private().unwrap();
        for i in range.clone() {
            let p = nodes[i].private().unwrap();
            assert_eq!(p.decided.len(), calls.len(), "net {net}: {:?}", p.decided);
            // Processes may certify an outcome at different heights; the
            // outcome is the same.
            assert_eq!(
                outcomes(&p.decided),
                outcomes(&first.decided),
                "net {net}: processes disagree"
            );
            assert!(
                p.rejected_proofs > 0,
                "forged, undecided and replayed reads are refused"
            );
            let (root, writes) = &written[i - 4];
            assert_eq!(
                *root,
                written[range.start - 4].0,
                "net {net}: private states differ"
            );
            for call_id in calls {
                let committed = matches!(p.decided[call_id], Decision::Committed(_));
                // The private writes are all there or none.
                assert_eq!(
                    writes[call_id],
                    (committed, committed),
                    "net {net} call {call_id}"
                );
            }
        }
        // Each decision is what the public registry holds.
        for call_id in calls {
            let twin = TwinId::new(&first.chain_id, *call_id);
            let recorded = state.storage(REGISTRY, twin_slot(&twin)).unwrap();
            let expected = match first.decided[call_id] {
                Decision::Committed(_) => U256::from(OUTCOME_SUCCEEDED),
                Decision::Aborted(Abort::Failed, _) => U256::from(OUTCOME_FAILED),
                Decision::Aborted(Abort::Expired, _) => U256::ZERO,
                Decision::Aborted(..) => unreachable!(),
            };
            assert_eq!(recorded, expected, "net {net} call {call_id}");
        }
        let d = &first.decided;
        if net == 1 {
            assert!(matches!(d[&1], Decision::Committed(_)));
            assert!(matches!(d[&3], Decision::Aborted(Abort::Failed, _)));
            assert!(matches!(d[&4], Decision::Aborted(Abort::Expired, _)));
            paid += U256::from(30u64);
        } else {
            assert!(matches!(d[&2], Decision::Committed(_)));
            paid += U256::from(5u64);
        }
    }
    // "alice" went to exactly one of the two networks.
    let a = matches!(
        nodes[4].private().unwrap().decided[&2],
        Decision::Committed(_)
    );
    let b = matches!(
        nodes[7].private().unwrap().decided[&1],
        Decision::Committed(_)
    );
    assert!(a ^ b, "alice registered by A: {a}, by B: {b}");
    let alice = U256::from_be_bytes(keccak256(b"alice").0);
    assert_eq!(state.storage(IDENTITY, alice).unwrap(), U256::from(1u64));
    // No public state half-applied: the coins moved are the committed ones.
    assert_eq!(state.balance(PAYEE).unwrap(), paid);
    assert_eq!(state.balance(PAYER).unwrap(), U256::from(70u64));
    assert_eq!(state.balance(PAYER_B).unwrap(), U256::from(5u64));
}

#[test]
fn a_run_is_identified_by_its_seed() {
    let run = |seed| {
        let hosts = build(seed, &[(PAYER, 100), (PAYER_B, 10)], scripts());
        let mut sim = Simulation::new(SimConfig::new(seed), hosts).unwrap();
        sim.run_until(Time::from_millis(15_000));
        sim.audit_hash()
    };
    assert_eq!(run(3), run(3));
}
