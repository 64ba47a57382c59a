//! The chain store, scores and priority lists.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::cmp::{Ordering, Reverse};
use std::sync::Arc;

use dfn_beacon::{GroupMember, ProcessId};
use dfn_crypto::{MinSig, SecretKey};
use dfn_psp::{Block, BlockHash, ChainStore, PriorityList, Processes, Proposal, Score, TipKey};
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

type V = MinSig;

fn key() -> SecretKey<V> {
    SecretKey::random(&mut ChaCha20Rng::seed_from_u64(9))
}

fn block(k: &SecretKey<V>, height: u64, parent: BlockHash, slot: u32, tag: u8) -> Arc<Block<V>> {
    Arc::new(Block::sign(
        Proposal {
            height,
            parent,
            slot,
            maker: ProcessId([tag; 20]),
            state_root: [tag; 32],
            payload: vec![tag; 3],
        },
        k,
    ))
}

#[test]
fn scores_sum_exactly_and_the_best_tip_follows_them() {
    let k = key();
    let sig = *block(&k, 1, BlockHash::default(), 0, 0).signature();
    let genesis = BlockHash::genesis(&[1; 32]);
    let mut chain = ChainStore::<V>::new(genesis);
    let a1 = block(&k, 1, genesis, 1, 1); // ½
    let b1 = block(&k, 1, genesis, 0, 2); // 1
    let a2 = block(&k, 2, a1.hash(), 0, 3); // ½ + 1
    assert_eq!(chain.insert(Arc::clone(&a1), sig, 10), vec![a1.hash()]);
    assert_eq!(chain.insert(Arc::clone(&b1), sig, 10), vec![b1.hash()]);
    assert_eq!(chain.best_hash(), b1.hash());
    chain.insert(Arc::clone(&a2), sig, 10);
    assert_eq!(chain.best_hash(), a2.hash());
    assert_eq!(chain.score(&a2.hash()), Some(Score::weight(1).extend(0)));
    assert_eq!(chain.at_height(1).len(), 2);
    // Finalizing a1 drops the fork through b1.
    assert_eq!(chain.finalize(a1.hash()).unwrap().len(), 1);
    assert!(!chain.contains(&b1.hash()));
    assert_eq!(chain.finalized(), (1, a1.hash()));
    // The rule pointing at b1 now is a conflict, not a change.
    let mut other = ChainStore::<V>::new(genesis);
    other.insert(Arc::clone(&b1), sig, 10);
    other.finalize(b1.hash()).unwrap();
    other.insert(Arc::clone(&a1), sig, 10);
    assert!(other.finalize(a1.hash()).unwrap().is_empty());
    assert!(
        !other.contains(&a1.hash()),
        "a block below the finalized height is not linked"
    );
}

#[test]
fn blocks_arriving_before_their_parents_wait_and_link_in_order() {
    let k = key();
    let sig = *block(&k, 1, BlockHash::default(), 0, 0).signature();
    let genesis = BlockHash::genesis(&[2; 32]);
    let mut chain = ChainStore::<V>::new(genesis);
    let b1 = block(&k, 1, genesis, 0, 1);
    let b2 = block(&k, 2, b1.hash(), 0, 2);
    let b3 = block(&k, 3, b2.hash(), 2, 3);
    assert!(chain.insert(Arc::clone(&b3), sig, 10).is_empty());
    assert!(chain.insert(Arc::clone(&b2), sig, 10).is_empty());
    assert_eq!(chain.orphans(), 2);
    assert!(chain.has_orphan_at(3));
    let linked = chain.insert(Arc::clone(&b1), sig, 10);
    assert_eq!(linked, vec![b1.hash(), b2.hash(), b3.hash()]);
    assert_eq!(chain.orphans(), 0);
    assert_eq!(chain.best().height, 3);
    // A block whose parent is not one height below never links.
    let wrong = block(&k, 3, b1.hash(), 0, 4);
    assert!(chain.insert(wrong, sig, 10).is_empty());
    // The orphan cap holds.
    let mut capped = ChainStore::<V>::new(genesis);
    capped.insert(b3, sig, 1);
    capped.insert(b2, sig, 1);
    assert_eq!(capped.orphans(), 1);
    let from = chain.best_chain_from(2, 10);
    assert_eq!(from.len(), 2);
    assert_eq!(from[0].block.height(), 2);
    // Finalize everything, prune below 3: only height 3 is left.
    assert_eq!(chain.finalize(chain.best_hash()).unwrap().len(), 3);
    chain.prune_below(3);
    assert!(!chain.contains(&b1.hash()) && chain.finalized().0 == 3);
}

#[test]
fn priority_lists_are_seeded_permutations() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let members: Vec<GroupMember<V>> = (0..50)
        .map(|_| {
            let k = SecretKey::<V>::random(&mut rng);
            GroupMember {
                id: ProcessId::of(&k.public_key()),
                key: k.public_key(),
            }
        })
        .collect();
    let processes = Arc::new(Processes::new(members.clone()));
    let list = PriorityList::new(&processes, 7, &[3; 32], 16);
    assert_eq!(list.makers().len(), 16);
    assert_eq!(list, PriorityList::new(&processes, 7, &[3; 32], 16));
    assert_ne!(list, PriorityList::new(&processes, 8, &[3; 32], 16));
    assert_ne!(list, PriorityList::new(&processes, 7, &[4; 32], 16));
    let mut distinct = list.makers().to_vec();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 16);
    for (slot, maker) in list.makers().iter().enumerate() {
        assert_eq!(list.slot_of(maker), Some(slot as u32));
        assert_eq!(list.maker(slot as u32), Some(maker));
    }
    // The input order does not matter.
    let mut reversed = members;
    reversed.reverse();
    assert_eq!(
        list,
        PriorityList::new(&Arc::new(Processes::new(reversed)), 7, &[3; 32], 16)
    );
    // Slot 0 is uniform over the processes (a loose check over 5,000 draws).
    let mut counts = vec![0u32; 50];
    for h in 0..5_000u64 {
        let l = PriorityList::new(&processes, h, &[0; 32], 1);
        let i = processes
            .as_slice()
            .iter()
            .position(|p| p.id == l.makers()[0])
            .unwrap();
        counts[i] += 1;
    }
    assert!(counts.iter().all(|c| (50..=150).contains(c)), "{counts:?}");
}

fn tip() -> impl Strategy<Value = TipKey> {
    (0u128..8, 0u64..4, 0u8..4).prop_map(|(s, h, b)| TipKey {
        score: Score(s << 62),
        height: h,
        hash: Reverse(BlockHash([b; 32])),
    })
}

proptest! {
    /// Tips compare by a total order: antisymmetric, transitive, total,
    /// consistent with equality.
    #[test]
    fn tip_order_is_total(a in tip(), b in tip(), c in tip()) {
        let ab = a.cmp(&b);
        prop_assert_eq!(ab, b.cmp(&a).reverse());
        prop_assert_eq!(ab == Ordering::Equal, a == b);
        if a <= b && b <= c {
            prop_assert!(a <= c);
        }
        // Score decides first, then height, then the smaller hash.
        if a.score != b.score {
            prop_assert_eq!(ab, a.score.cmp(&b.score));
        } else if a.height != b.height {
            prop_assert_eq!(ab, a.height.cmp(&b.height));
        } else {
            prop_assert_eq!(ab, b.hash.0.cmp(&a.hash.0));
        }
    }

    /// A chain's score is the exact sum of 2^-slot, whatever the order.
    #[test]
    fn scores_are_exact_sums(slots in proptest::collection::vec(0u32..70, 0..40)) {
        let score = slots.iter().fold(Score::ZERO, |s, k| s.extend(*k));
        let expected: u128 = slots.iter().map(|k| if *k > 64 { 0 } else { 1u128 << (64 - k) }).sum();
        prop_assert_eq!(score, Score(expected));
        let mut reversed = slots.clone();
        reversed.reverse();
        prop_assert_eq!(reversed.iter().fold(Score::ZERO, |s, k| s.extend(*k)), score);
    }
}
