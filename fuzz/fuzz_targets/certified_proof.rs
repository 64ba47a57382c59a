//! Certified-read proofs from arbitrary bytes and from mutations of a
//! valid proof: decoding never panics, every accepted input re-encodes to
//! itself, and verification against a fixed public chain never panics and
//! accepts only what is true of the chain (a mutation may still be a valid
//! proof of something true, such as another address's absence).
#![no_main]

use std::sync::{Arc, LazyLock};

use dfn_beacon::{GroupId, GroupMember, GroupSet, ProcessId, deal_group, round};
use dfn_crypto::{MessageHash, MinSig, SecretKey, Suite};
use dfn_interop::{CertifiedRead, CertifiedValue, LightBeacon, NotarizedHeader, ReadPolicy};
use dfn_psp::{Block, BlockHash, Notarization, Proposal, notary_hash};
use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, U256};
use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

/// A public chain of one 1-of-1 group, three notarized blocks over a state
/// with one account and two slots, the light beacon that followed it, and
/// the valid proof of slot 1 at height 1.
static SETUP: LazyLock<(LightBeacon, Vec<u8>)> = LazyLock::new(|| {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let key = SecretKey::<MinSig>::random(&mut rng);
    let me = GroupMember {
        id: ProcessId::of(&key.public_key()),
        key: key.public_key(),
    };
    let (group, shares) = deal_group(GroupId(0), vec![me], 1, &mut rng).unwrap();
    let groups = GroupSet::new(vec![Arc::new(group)]).unwrap();
    let share = &shares[0];
    let genesis = [9u8; 32];
    let account = ACCOUNT;
    let mut state = WorldState::new(MemoryStore::new());
    state.set_nonce(account, 1).unwrap();
    state
        .set_storage(account, U256::from(1u64), U256::from(5u64))
        .unwrap();
    state
        .set_storage(account, U256::from(2u64), U256::from(6u64))
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
    let proof = CertifiedRead::prove(&mut state, headers, account, Some(U256::from(1u64))).unwrap();
    (beacon, proof.to_bytes())
});

const ACCOUNT: Address = Address([0xaa; 20]);

/// Whether a verified value is true of the fixed chain.
fn truthful(v: &CertifiedValue) -> bool {
    let slot = |k: U256| {
        if k == U256::from(1u64) {
            U256::from(5u64)
        } else if k == U256::from(2u64) {
            U256::from(6u64)
        } else {
            U256::ZERO
        }
    };
    let storage_true = v.storage.is_none_or(|s| {
        let expected = if v.address == ACCOUNT {
            slot(s.key)
        } else {
            U256::ZERO
        };
        s.value == expected
    });
    let account_true = match v.account {
        Some(a) => v.address == ACCOUNT && a.nonce == 1 && a.balance.is_zero(),
        None => v.address != ACCOUNT,
    };
    v.height == 1 && storage_true && account_true
}

fn check(bytes: &[u8], valid: bool) {
    let (beacon, _) = &*SETUP;
    if let Ok(read) = CertifiedRead::<MinSig>::from_bytes(bytes) {
        assert_eq!(
            read.to_bytes(),
            bytes,
            "the re-encoding differs from the input"
        );
        match read.verify(beacon, &ReadPolicy::default()) {
            Ok(value) => assert!(truthful(&value), "accepted a false value: {value:?}"),
            Err(e) => assert!(!valid, "refused the valid proof: {e}"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (_, valid) = &*SETUP;
    check(data, data == valid.as_slice());
    // Mutations of the valid proof: pairs of (offset, xor mask).
    let mut mutated = valid.clone();
    for pair in data.chunks_exact(3) {
        let offset = usize::from(u16::from_be_bytes([pair[0], pair[1]])) % mutated.len();
        mutated[offset] ^= pair[2];
    }
    check(&mutated, mutated == *valid);
});
