//! Links the dfn core crates with default features off into a `no_std`
//! crate. Built by `.ci/run`; never run.
#![no_std]

extern crate alloc;

use core::alloc::{GlobalAlloc, Layout};
use core::panic::PanicInfo;

use alloc::sync::Arc;
use alloc::vec::Vec;

use dfn_crypto::backend::PureRust;
use dfn_crypto::dkg::{DkgConfig, DkgSecretKey, Event, Member, Output, Participant, Schedule};
use dfn_crypto::threshold::recover_signature;
use dfn_crypto::{MessageHash, MinSig, SecretKey, Suite, Time};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

/// An allocator that never hands out memory: enough to link `alloc`.
struct NoAlloc;

// SAFETY: returning null is always a valid (failed) allocation.
unsafe impl GlobalAlloc for NoAlloc {
    unsafe fn alloc(&self, _layout: Layout) -> *mut u8 {
        core::ptr::null_mut()
    }
    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}

#[global_allocator]
static ALLOCATOR: NoAlloc = NoAlloc;

#[panic_handler]
fn panic(_info: &PanicInfo) -> ! {
    loop {}
}

/// Runs a small DKG through the participants' state machines and a
/// threshold signature, on the pure-Rust backend. Not generic, so every
/// function it reaches is compiled and linked, not only type-checked.
pub fn dkg_and_threshold_signature(seed: [u8; 32], msg: &[u8]) -> bool {
    type V = MinSig<PureRust>;
    const N: u32 = 3;
    let mut rng = ChaCha20Rng::from_seed(seed);
    let signing: Vec<SecretKey<V>> = (0..N).map(|_| SecretKey::random(&mut rng)).collect();
    let decryption: Vec<DkgSecretKey<V>> = (0..N).map(|_| DkgSecretKey::random(&mut rng)).collect();
    let members = signing
        .iter()
        .zip(&decryption)
        .map(|(s, d)| Member {
            signing_key: s.public_key(),
            encryption_key: d.public_key(),
        })
        .collect();
    let config = Arc::new(DkgConfig {
        context: b"no-std-check".to_vec(),
        threshold: 2,
        members,
        schedule: Schedule {
            start: Time::ZERO,
            deal_ms: 10,
            response_ms: 10,
            justify_ms: 10,
        },
        fast_sync: true,
    });
    let mut participants = Vec::new();
    for (me, (s, d)) in (1..=N).zip(signing.into_iter().zip(decryption)) {
        match Participant::new(Arc::clone(&config), me, s, d, &mut rng) {
            Ok(p) => participants.push(p),
            Err(_) => return false,
        }
    }
    let mut outputs = Vec::new();
    let mut now = Time::ZERO;
    loop {
        let mut in_flight = Vec::new();
        for p in &mut participants {
            while let Some(output) = p.poll_output() {
                match output {
                    Output::Broadcast(m) => in_flight.push((p.me(), m)),
                    Output::Event(Event::Completed(o)) => outputs.push(o),
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
        for (from, message) in in_flight {
            for p in participants.iter_mut().filter(|p| p.me() != from) {
                p.handle_bytes(now, message.as_bytes());
            }
        }
    }
    let hash = MessageHash::<V>::new(Suite::Basic, msg);
    let shares: Vec<_> = outputs.iter().map(|o| o.share().sign_hash(&hash)).collect();
    match (
        outputs.first(),
        recover_signature(config.threshold, &shares),
    ) {
        (Some(output), Ok(sig)) => output.group_key().verify_hash(&hash, &sig),
        _ => false,
    }
}

/// Builds a small secure trie, takes its root and checks a proof of one
/// key and of an absent one, so the trie and proof code is linked.
pub fn secure_trie_root_and_proof(keys: &[[u8; 4]]) -> bool {
    let mut trie = dfn_state::trie::SecureTrie::new(dfn_state::trie::MemoryStore::new());
    for key in keys {
        if trie.insert(key, key).is_err() {
            return false;
        }
    }
    let root = trie.commit();
    let present = keys.first().copied().unwrap_or([0; 4]);
    let absent = *b"none";
    let (Ok(yes), Ok(no)) = (trie.prove(&present), trie.prove(&absent)) else {
        return false;
    };
    type Secure = dfn_state::trie::SecureTrie;
    let found = Secure::verify_proof(&root, &present, &yes);
    let missing = Secure::verify_proof(&root, &absent, &no);
    matches!(found, Ok(Some(v)) if keys.is_empty() || v == present)
        && (keys.contains(&absent) || matches!(missing, Ok(None)))
}

/// Runs three beacon rounds among the four members of a dealt group, and
/// the resilience bound, on the pure-Rust backend: true if every member
/// reports the same three values.
pub fn beacon_rounds(seed: [u8; 32]) -> bool {
    use dfn_beacon::{
        BeaconConfig, BeaconEvent, BeaconNode, GroupId, GroupMember, GroupSet,
        Output as BeaconOutput, ProcessId, deal_group, resilience,
    };
    type V = MinSig<PureRust>;
    let mut rng = ChaCha20Rng::from_seed(seed);
    let keys: Vec<SecretKey<V>> = (0..4).map(|_| SecretKey::random(&mut rng)).collect();
    let members = keys
        .iter()
        .map(|k| GroupMember {
            id: ProcessId::of(&k.public_key()),
            key: k.public_key(),
        })
        .collect();
    let Ok((group, shares)) = deal_group(GroupId(1), members, 3, &mut rng) else {
        return false;
    };
    let Ok(set) = GroupSet::new(alloc::vec![Arc::new(group)]) else {
        return false;
    };
    let set = Arc::new(set);
    let mut nodes = Vec::new();
    for (key, share) in keys.into_iter().zip(shares) {
        let mut node = BeaconNode::new(BeaconConfig::new(seed), key, &mut rng);
        node.install_groups(Time::ZERO, 1, Arc::clone(&set));
        node.add_group_share(GroupId(1), share);
        node.start(Time::ZERO);
        nodes.push(node);
    }
    let mut values = Vec::new();
    for _ in 0..4 {
        let mut sent = Vec::new();
        for node in &mut nodes {
            while let Some(output) = node.poll_output() {
                match output {
                    BeaconOutput::ToGroup { message, .. } | BeaconOutput::Broadcast(message) => {
                        sent.push(message)
                    }
                    BeaconOutput::Event(BeaconEvent::Value(v)) => {
                        values.push((v.height, v.randomness))
                    }
                    _ => {}
                }
            }
        }
        for message in sent {
            nodes
                .iter_mut()
                .for_each(|n| n.handle_message(Time::ZERO, message));
        }
    }
    let third: Vec<_> = values.iter().filter(|(h, _)| *h == 3).collect();
    let bound = resilience::group_failure_probability(10_000, 3_000, 400, 201);
    third.len() == 4 && third.iter().all(|v| v.1 == third[0].1) && bound.is_some_and(|p| p < 1e-16)
}

/// Governance: three neurons, two of them following the first; the first
/// proposes a motion, its Yes cascades to its followers and adopts it; a
/// signed vote on the pure-Rust backend is checked and decoded.
pub fn bns_cascade(seed: [u8; 32]) -> bool {
    use dfn_bns::{
        Action, FollowKey, Governance, GovernanceConfig, KeyId, NeuronCommand, NewNeuron,
        ProposalStatus, Reply, SignedVote, Vote,
    };
    let Ok(mut bns) = Governance::new(GovernanceConfig::default(), Time::ZERO) else {
        return false;
    };
    let mut ids = Vec::new();
    for i in 1..=3u8 {
        let deposit = NewNeuron {
            owner: KeyId([i; 32]),
            controller: KeyId([i; 32]),
            hot_keys: Vec::new(),
            stake: 1_000_000_000,
            dissolve_delay_ms: dfn_bns::config::YEAR_MS,
        };
        match bns.create_neuron(Time::ZERO, deposit) {
            Ok(id) => ids.push(id),
            Err(_) => return false,
        }
    }
    let (Some(&leader), Some(&a), Some(&b)) = (ids.first(), ids.get(1), ids.get(2)) else {
        return false;
    };
    for (i, n) in [(2u8, a), (3, b)] {
        let follow = NeuronCommand::SetFollowing {
            key: FollowKey::CatchAll,
            followees: alloc::vec![leader],
        };
        if bns
            .handle_command(Time::ZERO, KeyId([i; 32]), n, follow)
            .is_err()
        {
            return false;
        }
    }
    let action = Action::Motion {
        text: alloc::string::String::from("no_std"),
    };
    let propose = NeuronCommand::Propose { action };
    let Ok(Reply::Proposed(id)) = bns.handle_command(Time::ZERO, KeyId([1; 32]), leader, propose)
    else {
        return false;
    };
    let key = SecretKey::<MinSig<PureRust>>::random(&mut ChaCha20Rng::from_seed(seed));
    let vote = SignedVote::sign(&key, a, id, Vote::Yes);
    let decoded = SignedVote::<MinSig<PureRust>>::from_bytes(&vote.to_bytes());
    bns.ballot(id, b) == Some(Some(Vote::Yes))
        && bns
            .proposal(id)
            .is_some_and(|p| p.status == ProposalStatus::Executed)
        && bns.check_invariants().is_ok()
        && decoded.is_ok_and(|v| v.verify())
}

/// The PSP chain with the beacon inside, as one process that is the whole
/// network (a group of one): it makes, notarizes and finalizes its own
/// blocks; the first three come out final, in order.
pub fn psp_finality(seed: [u8; 32]) -> bool {
    use dfn_beacon::{GroupId, GroupMember, GroupSet, ProcessId, deal_group};
    use dfn_psp::{ChainEvent, Output as ChainOutput, Processes, PspConfig, PspNode};
    type V = MinSig<PureRust>;
    let mut rng = ChaCha20Rng::from_seed(seed);
    let key = SecretKey::<V>::random(&mut rng);
    let me = GroupMember {
        id: ProcessId::of(&key.public_key()),
        key: key.public_key(),
    };
    let Ok((group, mut shares)) = deal_group(GroupId(0), alloc::vec![me], 1, &mut rng) else {
        return false;
    };
    let Ok(set) = GroupSet::new(alloc::vec![Arc::new(group)]) else {
        return false;
    };
    let mut config = PspConfig::new(seed);
    config.block_time_ms = 1_000;
    config.delta_ms = 400;
    let processes = Arc::new(Processes::new(alloc::vec![me]));
    let Ok(mut node) = PspNode::new(config, key, processes, &mut rng) else {
        return false;
    };
    node.install_groups(Time::ZERO, 1, Arc::new(set));
    node.add_group_share(GroupId(0), shares.remove(0));
    node.start(Time::ZERO);
    let mut finalized = Vec::new();
    for _ in 0..100 {
        let Some(now) = node.poll_timeout() else {
            return false;
        };
        node.handle_timeout(now);
        while let Some(output) = node.poll_output() {
            match output {
                ChainOutput::RequestPayload { height, parent } => {
                    node.provide_payload(now, height, parent, alloc::vec![1, 2, 3], [0; 32])
                }
                ChainOutput::ValidatePayload(block) => {
                    node.payload_checked(now, block.hash(), true)
                }
                ChainOutput::Event(ChainEvent::Finalized(block)) => finalized.push(block.height()),
                _ => {}
            }
        }
        if finalized.len() >= 3 {
            break;
        }
    }
    finalized.get(..3) == Some(&[1, 2, 3][..])
}

/// The EVM without std: a Cancun transaction runs a contract that stores
/// 42, over a dfn-state world state.
pub fn evm_transaction() -> bool {
    use dfn_state::state::WorldState;
    use dfn_state::trie::MemoryStore;
    use dfn_state::{Address, U256};
    use dfn_vm::{BlockEnv, Executor, Spec, StateHost, Transaction, TxType};
    let (alice, contract) = (Address([0xa1; 20]), Address([0xc0; 20]));
    let mut state = WorldState::new(MemoryStore::new());
    // PUSH1 42, PUSH0, SSTORE, STOP
    let setup = state
        .set_balance(alice, U256::from(10u64.pow(18)))
        .and_then(|()| state.set_code(contract, &[0x60, 42, 0x5f, 0x55, 0x00]))
        .and_then(|()| state.finalize_transaction());
    if setup.is_err() {
        return false;
    }
    let tx = Transaction {
        tx_type: TxType::Eip1559,
        sender: alice,
        to: Some(contract),
        nonce: 0,
        gas_limit: 100_000,
        max_fee_per_gas: U256::from(10),
        max_priority_fee_per_gas: U256::from(1),
        value: U256::ZERO,
        data: Vec::new(),
        access_list: Vec::new(),
        blob_versioned_hashes: Vec::new(),
        max_fee_per_blob_gas: U256::ZERO,
    };
    let mut executor = Executor::new(Spec::CANCUN);
    let mut host = StateHost::new(&mut state, |_| Default::default());
    let ok = executor
        .transact(&mut host, &BlockEnv::default(), &tx)
        .is_ok_and(|r| r.success());
    ok && state.storage(contract, U256::ZERO).ok() == Some(U256::from(42))
}
