#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

//! Authenticated posts: the public side runs a posted call as the account
//! its secp256k1 signature recovers to, so a forged post cannot spend
//! another network's stable coins.

mod common;

use common::evm::{Contracts, ISSUER, PUBLIC_CHAIN_ID, address_word, block, word};
use common::fixture::Public;
use dfn_interop::{
    DecodeError, OUTCOME_FAILED, OUTCOME_SUCCEEDED, PostDomain, PostError, PostKey, PublicCall,
    ReadPolicy, RegistryError, SIGNATURE_LEN, SignedPost, TwinId, twin_slot,
};
use dfn_state::{Address, U256, keccak256};
use dfn_vm::{Executor, Spec};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const CHAIN_A: [u8; 32] = [0xa0; 32];
const CHAIN_B: [u8; 32] = [0xb0; 32];
const PAYEE: Address = Address([0x02; 20]);

fn keys() -> (PostKey, PostKey) {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    (PostKey::random(&mut rng), PostKey::random(&mut rng))
}

fn transfer(chain: &[u8; 32], call_id: u64, to: Address, amount: u64) -> PublicCall {
    let spec = Contracts::addresses().transfer(to, amount, 100);
    PublicCall {
        twin: TwinId::for_call(chain, call_id),
        contract: spec.contract,
        method: spec.method,
        args: spec.args,
        valid_until: spec.valid_until,
    }
}

fn balance_slot(who: Address) -> U256 {
    let mut pre = address_word(who).to_vec();
    pre.extend_from_slice(&word(1));
    U256::from_be_bytes(keccak256(&pre).0)
}

#[test]
fn a_forged_post_cannot_spend_another_networks_coins() {
    let (a, b) = keys();
    let c = Contracts::addresses();
    let registry = c.registry;
    let mut p = Public::new(51, 2, 3, 2);
    p.extend(|s| {
        Contracts::deploy(s, &block(1), &[(a.address(), 50), (b.address(), 5)], ISSUER);
    });
    let domain = registry.domain(PUBLIC_CHAIN_ID);
    let honest = a.sign(domain, transfer(&CHAIN_A, 1, PAYEE, 1));
    let mut outcomes = Vec::new();
    let h = p.extend(|s| {
        let mut e = Executor::new(Spec::CANCUN);
        let mut run = |post: &SignedPost| registry.execute_signed(&mut e, s, &block(2), post);
        // B signs a transfer under A's call id, "for" A: it runs as B,
        // which holds 5 coins, and fails.
        outcomes.push(run(&b.sign(domain, transfer(&CHAIN_A, 2, PAYEE, 30))));
        // A's signature on a 1-coin payment, with the amount changed to 30:
        // the signature recovers to another account, which holds nothing.
        let mut altered = honest.clone();
        altered.call = transfer(&CHAIN_A, 1, PAYEE, 30);
        outcomes.push(run(&altered));
        // A's signature moved to a call of its own choosing by B.
        let mut moved = b.sign(domain, transfer(&CHAIN_B, 3, PAYEE, 30));
        moved.signature = honest.signature;
        outcomes.push(run(&moved));
        // A's post signed for another public chain that deploys the same
        // registry at the same address recovers to someone else here.
        let elsewhere = a.sign(
            registry.domain(PUBLIC_CHAIN_ID + 1),
            transfer(&CHAIN_A, 3, PAYEE, 30),
        );
        outcomes.push(run(&elsewhere));
        // A signature that is no signature: refused before anything runs.
        let mut garbage = honest.clone();
        garbage.signature = [0xff; SIGNATURE_LEN];
        outcomes.push(run(&garbage));
        // A's own post spends A's coins.
        outcomes.push(run(&honest));
    });
    let [forged, altered, moved, elsewhere, garbage, own] = outcomes.try_into().unwrap();
    let (poster, r) = forged.unwrap();
    assert_eq!(poster, b.address());
    assert!(!r.success, "B's post ran as B and lacked the coins");
    for outcome in [altered, moved, elsewhere] {
        let (poster, r) = outcome.unwrap();
        assert!(poster != a.address() && poster != b.address());
        assert!(!r.success);
    }
    assert!(matches!(
        garbage,
        Err(RegistryError::Post(PostError::BadSignature))
    ));
    let (poster, r) = own.unwrap();
    assert_eq!(poster, a.address());
    assert!(r.success);

    // A's balance, read with a proof: only its own payment left it.
    p.extend(|_| {});
    p.extend(|_| {});
    let beacon = p.beacon(p.height());
    let read = p.read(h, 2, c.coin, Some(balance_slot(a.address())));
    let value = read.verify(&beacon, &ReadPolicy::default()).unwrap();
    assert_eq!(value.storage.unwrap().value, U256::from(49u64));
    let mut state = p.state_at(h);
    assert_eq!(c.balance(&mut state, b.address()), U256::from(5u64));
    assert_eq!(c.balance(&mut state, PAYEE), U256::from(1u64));
    // The posts under A's call ids that others signed are recorded under
    // their signers, never under A: A's calls 1 and 2 show only A's own.
    let record = |s: &mut dfn_state::state::WorldState, id| {
        s.storage(
            registry.address,
            twin_slot(&a.address(), &TwinId::for_call(&CHAIN_A, id)),
        )
        .unwrap()
    };
    assert_eq!(record(&mut state, 1), U256::from(OUTCOME_SUCCEEDED));
    assert_eq!(record(&mut state, 2), U256::ZERO);
    assert_eq!(
        state
            .storage(
                registry.address,
                twin_slot(&b.address(), &TwinId::for_call(&CHAIN_A, 2))
            )
            .unwrap(),
        U256::from(OUTCOME_FAILED)
    );
}

#[test]
fn signed_posts_encode_canonically_and_bind_the_chain_and_registry() {
    let (a, _) = keys();
    let registry = Contracts::addresses().registry.domain(PUBLIC_CHAIN_ID);
    let post = a.sign(registry, transfer(&CHAIN_A, 1, PAYEE, 1));
    assert_eq!(post.poster(registry), Ok(a.address()));
    let bytes = post.to_bytes();
    assert_eq!(SignedPost::from_bytes(&bytes), Ok(post.clone()));
    // Signed for one registry, it stands for someone else at another, and
    // at the same registry address on another chain.
    let other = PostDomain {
        registry: Address([0x99; 20]),
        ..registry
    };
    assert_ne!(post.poster(other), Ok(a.address()));
    let other_chain = PostDomain {
        chain_id: PUBLIC_CHAIN_ID + 1,
        ..registry
    };
    assert_ne!(post.poster(other_chain), Ok(a.address()));
    // Strict decoding.
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(SignedPost::from_bytes(&trailing).is_err());
    let mut short = post.call.to_bytes();
    dfn_state::rlp::encode_bytes(&post.signature[..64], &mut short);
    let mut list = Vec::new();
    dfn_state::rlp::encode_list_header(short.len(), &mut list);
    list.extend_from_slice(&short);
    assert_eq!(
        SignedPost::from_bytes(&list),
        Err(DecodeError::SignatureLength(64))
    );
    // High s (the other half of the malleable pair), a bad parity byte and
    // a zero r are refused.
    let n = U256::from_str_radix(
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        16,
    )
    .unwrap();
    let s = U256::from_be_slice(&post.signature[32..64]);
    let mut high = post.clone();
    high.signature[32..64].copy_from_slice(&(n - s).to_be_bytes::<32>());
    high.signature[64] ^= 1;
    let mut parity = post.clone();
    parity.signature[64] = 2;
    let mut zero = post.clone();
    zero.signature[..32].fill(0);
    for bad in [high, parity, zero] {
        assert_eq!(bad.poster(registry), Err(PostError::BadSignature));
    }
    assert!(PostKey::from_bytes(&[0; 32]).is_err());
}
