//! Batch verification of signatures by different keys on different
//! messages names exactly the invalid ones.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use dfn_crypto::{
    MessageHash, MinPk, MinSig, PublicKey, SecretKey, Signature, Suite, Variant, invalid_signatures,
};
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn batch<V: Variant>(n: usize, bad: &[usize], seed: u64) -> Vec<usize> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let keys: Vec<SecretKey<V>> = (0..n).map(|_| SecretKey::random(&mut rng)).collect();
    let pks: Vec<PublicKey<V>> = keys.iter().map(SecretKey::public_key).collect();
    let hashes: Vec<MessageHash<V>> = (0..n)
        .map(|i| MessageHash::new(Suite::ProofOfPossession, format!("message {i}").as_bytes()))
        .collect();
    let sigs: Vec<Signature<V>> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            // A bad one signs another message.
            let hash = if bad.contains(&i) {
                MessageHash::new(Suite::ProofOfPossession, b"other")
            } else {
                hashes[i]
            };
            k.sign_hash(&hash)
        })
        .collect();
    let items: Vec<_> = (0..n).map(|i| (&pks[i], &hashes[i], &sigs[i])).collect();
    invalid_signatures(&items, &mut rng)
}

fn names_the_bad_ones<V: Variant>() {
    assert!(batch::<V>(0, &[], 1).is_empty());
    assert!(batch::<V>(1, &[], 1).is_empty());
    assert_eq!(batch::<V>(1, &[0], 1), vec![0]);
    assert!(batch::<V>(40, &[], 2).is_empty());
    assert_eq!(batch::<V>(40, &[0, 17, 39], 3), vec![0, 17, 39]);
    assert_eq!(
        batch::<V>(7, &[0, 1, 2, 3, 4, 5, 6], 4),
        (0..7).collect::<Vec<_>>()
    );
}

#[test]
fn min_sig() {
    names_the_bad_ones::<MinSig>();
}

#[test]
fn min_pk() {
    names_the_bad_ones::<MinPk>();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn any_subset(bad in proptest::collection::btree_set(0usize..24, 0..6), seed in any::<u64>()) {
        let bad: Vec<usize> = bad.into_iter().collect();
        prop_assert_eq!(batch::<MinSig>(24, &bad, seed), bad);
    }
}
