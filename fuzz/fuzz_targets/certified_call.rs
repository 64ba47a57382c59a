//! Certified-call results from arbitrary bytes and from mutations of a
//! valid result: decoding never panics, every accepted input re-encodes to
//! itself, and the private side's call machine never panics and accepts
//! only the result the fixed public chain committed to.
#![no_main]

use std::sync::{Arc, LazyLock};

use dfn_beacon::{GroupId, GroupMember, GroupSet, ProcessId, deal_group, round};
use dfn_crypto::{MessageHash, MinSig, SecretKey, Suite};
use dfn_interop::{
    CallEvent, CallOutcome, CallResult, CallSpec, CertifiedCalls, CertifiedRead, LightBeacon,
    NotarizedHeader, ReadPolicy, TwinId, result_slot, result_word,
};
use dfn_psp::{Block, BlockHash, Notarization, Proposal, notary_hash};
use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, U256};
use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

const CHAIN: [u8; 32] = [0x42; 32];
const REGISTRY: Address = Address([0x7e; 20]);
/// The private network's public account the calls are recorded under.
const POSTER: Address = Address([0x70; 20]);
const OUTPUT: [u8; 4] = [0xde, 0xad, 0xbe, 0xef];

/// A public chain of one 1-of-1 group, three notarized blocks over a state
/// where the registry commits to call 1's result (success, `OUTPUT`), the
/// light beacon that followed it, and the valid result at height 1.
static SETUP: LazyLock<(LightBeacon, Vec<u8>)> = LazyLock::new(|| {
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    let key = SecretKey::<MinSig>::random(&mut rng);
    let me = GroupMember {
        id: ProcessId::of(&key.public_key()),
        key: key.public_key(),
    };
    let (group, shares) = deal_group(GroupId(0), vec![me], 1, &mut rng).unwrap();
    let groups = GroupSet::new(vec![Arc::new(group)]).unwrap();
    let share = &shares[0];
    let genesis = [8u8; 32];
    let slot = result_slot(&POSTER, &TwinId::for_call(&CHAIN, 1));
    let mut state = WorldState::new(MemoryStore::new());
    state.set_nonce(REGISTRY, 1).unwrap();
    state
        .set_storage(REGISTRY, slot, result_word(true, &OUTPUT))
        .unwrap();
    state
        .set_storage(REGISTRY, U256::from(3u64), U256::from(4u64))
        .unwrap();
    state.finalize_transaction().unwrap();
    let root = state.persist().unwrap();
    let mut beacon = LightBeacon::new(genesis, groups.root());
    let (mut previous, mut parent) = (genesis.to_vec(), BlockHash::genesis(&genesis));
    let mut headers = Vec::new();
    for height in 1..=3u64 {
        let proposal = Proposal {
            height,
            parent,
            slot: 0,
            maker: me.id,
            state_root: root.0,
            payload: vec![],
        };
        let block = Block::sign(proposal, &key);
        let signature = *share
            .sign_hash(&notary_hash(height, &block.hash()))
            .signature();
        let n = Notarization {
            height,
            block: block.hash(),
            signature,
        };
        headers.push(NotarizedHeader::new(&block, &n, &groups, &previous).unwrap());
        let sigma = *share
            .sign_hash(&MessageHash::new(
                Suite::Basic,
                &round::message(&previous, height),
            ))
            .signature();
        beacon
            .accept(&groups.value_proof(&previous, height, sigma).unwrap())
            .unwrap();
        previous = sigma.to_bytes().as_ref().to_vec();
        parent = block.hash();
    }
    let read = CertifiedRead::prove(&mut state, headers, REGISTRY, Some(slot)).unwrap();
    let result = CallResult {
        read,
        success: true,
        output: OUTPUT.to_vec(),
    };
    (beacon, result.to_bytes())
});

/// A private side waiting for calls 1 and 2 (posted at height 0).
fn calls() -> CertifiedCalls {
    let mut calls = CertifiedCalls::new(CHAIN, REGISTRY, POSTER, ReadPolicy::default());
    for id in [1, 2] {
        let spec = CallSpec {
            contract: REGISTRY,
            method: vec![],
            args: vec![],
            valid_until: 100,
        };
        calls.call(id, spec, 0).unwrap();
    }
    while let Some(CallEvent::Post(_)) = calls.poll_event() {}
    calls
}

fn check(bytes: &[u8], valid: bool) {
    let (beacon, _) = &*SETUP;
    let Ok(result) = CallResult::<MinSig>::from_bytes(bytes) else {
        return;
    };
    assert_eq!(
        result.to_bytes(),
        bytes,
        "the re-encoding differs from the input"
    );
    let mut c = calls();
    match c.handle_result(beacon, &result) {
        Ok(CallOutcome::Returned {
            success,
            output,
            height,
        }) => {
            assert!(
                success && output == OUTPUT && height == 1,
                "accepted a false result"
            );
            assert_eq!(c.pending(), 1);
            // Once accepted, the same result is a replay.
            assert!(c.handle_result(beacon, &result).is_err());
        }
        Ok(other) => panic!("accepted {other:?}"),
        Err(e) => assert!(!valid, "refused the valid result: {e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let (_, valid) = &*SETUP;
    check(data, data == valid.as_slice());
    // Mutations of the valid result: pairs of (offset, xor mask).
    let mut mutated = valid.clone();
    for pair in data.chunks_exact(3) {
        let offset = usize::from(u16::from_be_bytes([pair[0], pair[1]])) % mutated.len();
        mutated[offset] ^= pair[2];
    }
    check(&mutated, mutated == *valid);
});
