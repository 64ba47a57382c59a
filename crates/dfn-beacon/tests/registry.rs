//! The registry (deposits, withdrawal, slashing, private lists), group
//! formation, and the registration of group keys after a DKG.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::collections::BTreeSet;
use std::sync::Arc;

use dfn_beacon::{
    GroupId, GroupMember, GroupRegistration, Identity, ProcessId, RegistrationError,
    RegistrationTally, Registry, RegistryError, form_groups, formation_seed,
};
use dfn_crypto::threshold::SecretPolynomial;
use dfn_crypto::{MinSig, ProofOfPossession, SecretKey};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

type V = MinSig;

fn identities(n: usize, seed: u64) -> Vec<(SecretKey<V>, Identity<V>)> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let key = SecretKey::random(&mut rng);
            let identity = Identity {
                key: key.public_key(),
                pop: ProofOfPossession::prove(&key),
            };
            (key, identity)
        })
        .collect()
}

#[test]
fn public_registry_lifecycle() {
    let ids = identities(3, 1);
    let mut registry = Registry::<V>::public(100, 2);
    let a = registry.register(&ids[0].1, 100, 0).unwrap();
    let b = registry.register(&ids[1].1, 500, 1).unwrap();
    assert_eq!(a, ids[0].1.id());
    assert_eq!(
        registry.register(&ids[0].1, 100, 0),
        Err(RegistryError::AlreadyRegistered(a))
    );
    assert_eq!(
        registry.register(&ids[2].1, 99, 0),
        Err(RegistryError::DepositTooSmall {
            offered: 99,
            minimum: 100
        })
    );
    // A proof of possession for another key is refused.
    let stolen = Identity {
        key: ids[2].1.key,
        pop: ids[0].1.pop,
    };
    assert_eq!(
        registry.register(&stolen, 100, 0),
        Err(RegistryError::BadProofOfPossession)
    );
    // Eligible from the epoch after registration.
    assert_eq!(registry.eligible(1), vec![a]);
    let mut both = vec![a, b];
    both.sort();
    assert_eq!(registry.eligible(2), both);
    // Withdrawal: out of new groups at once, deposit back after the delay.
    registry.request_withdrawal(&b, 3).unwrap();
    assert_eq!(registry.eligible(4), vec![a]);
    assert_eq!(
        registry.withdraw(&b, 4),
        Err(RegistryError::NotYet { id: b, ready: 5 })
    );
    assert_eq!(registry.withdraw(&a, 4), Err(RegistryError::NotLeaving(a)));
    assert_eq!(registry.withdraw(&b, 5), Ok(500));
    assert!(registry.get(&b).is_none());
    // Slashing takes the deposit.
    assert_eq!(registry.slash(&a), Ok(100));
    assert_eq!(registry.slash(&a), Err(RegistryError::Unknown(a)));
    assert!(registry.is_empty());
}

#[test]
fn private_registry() {
    let ids = identities(3, 2);
    let list: Vec<_> = ids.iter().map(|(_, i)| *i).collect();
    let mut registry = Registry::<V>::private(&list).unwrap();
    assert_eq!(registry.len(), 3);
    assert_eq!(registry.eligible(0).len(), 3);
    assert_eq!(
        registry.register(&ids[0].1, 1_000, 0),
        Err(RegistryError::Private)
    );
    let mut duplicated = list.clone();
    duplicated.push(list[0]);
    assert!(matches!(
        Registry::<V>::private(&duplicated),
        Err(RegistryError::AlreadyRegistered(_))
    ));
}

#[test]
fn group_formation_is_seeded_and_uniform() {
    let ids: Vec<ProcessId> = (0..100u8).map(|i| ProcessId([i; 20])).collect();
    let seed = formation_seed(&[1; 32], 7);
    let groups = form_groups(&ids, &seed, 10, 50).unwrap();
    assert_eq!(groups.len(), 50);
    // Deterministic, independent of the input order, no repeats in a group.
    let mut reversed = ids.clone();
    reversed.reverse();
    assert_eq!(form_groups(&reversed, &seed, 10, 50).unwrap(), groups);
    for g in &groups {
        assert_eq!(g.iter().collect::<BTreeSet<_>>().len(), 10);
    }
    assert_ne!(
        form_groups(&ids, &formation_seed(&[1; 32], 8), 10, 50).unwrap(),
        groups
    );
    // Every process is drawn about 500 · 10 / 100 = 5 times per 50 groups;
    // over 400 groups each count is near 40 (binomial, sd ≈ 6).
    let many = form_groups(&ids, &seed, 10, 400).unwrap();
    for id in &ids {
        let count = many.iter().filter(|g| g.contains(id)).count();
        assert!((15..=65).contains(&count), "{id} drawn {count} times");
    }
    assert!(form_groups(&ids, &seed, 101, 1).is_err());
}

#[test]
fn registration_needs_t_members_on_one_key() {
    let ids = identities(5, 3);
    let members: Vec<GroupMember<V>> = ids
        .iter()
        .map(|(_, i)| GroupMember {
            id: i.id(),
            key: i.key,
        })
        .collect();
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let real = Arc::new(
        SecretPolynomial::<V>::random(3, &mut rng)
            .unwrap()
            .commitment(),
    );
    let other = Arc::new(
        SecretPolynomial::<V>::random(3, &mut rng)
            .unwrap()
            .commitment(),
    );
    let group = GroupId(9);
    let vote = |m: usize, public: &Arc<_>| {
        GroupRegistration::new(group, m as u32 + 1, Arc::clone(public), &ids[m].0)
    };
    let mut tally = RegistrationTally::new(group, members.clone(), 3);
    // Two members vouch for another key; a forger signs for member 3.
    assert!(tally.add(&vote(0, &other)).unwrap().is_none());
    assert!(tally.add(&vote(1, &other)).unwrap().is_none());
    let forged = GroupRegistration {
        member: 3,
        ..vote(4, &real)
    };
    assert!(tally.add(&forged).unwrap().is_none());
    assert!(tally.add(&vote(0, &real)).unwrap().is_none());
    // The third signature makes three for `real`, one forged: the
    // aggregate fails, the forgery is dropped, two remain.
    assert!(tally.add(&vote(1, &real)).unwrap().is_none());
    // Member 3's own vote makes three again, and they verify.
    let registered = tally.add(&vote(2, &real)).unwrap().unwrap();
    assert_eq!(registered.id(), group);
    assert_eq!(registered.keys().group_key(), &real.public_key());
    assert!(
        tally.add(&vote(3, &real)).unwrap().is_none(),
        "reported once"
    );
    // Wrong group, index, threshold.
    let mut tally = RegistrationTally::new(group, members, 3);
    assert_eq!(
        tally
            .add(&GroupRegistration {
                group: GroupId(1),
                ..vote(0, &real)
            })
            .unwrap_err(),
        RegistrationError::NotAMember {
            group: GroupId(1),
            member: 1
        }
    );
    assert_eq!(
        tally
            .add(&GroupRegistration {
                member: 6,
                ..vote(0, &real)
            })
            .unwrap_err(),
        RegistrationError::NotAMember { group, member: 6 }
    );
    let short = Arc::new(
        SecretPolynomial::<V>::random(2, &mut rng)
            .unwrap()
            .commitment(),
    );
    assert_eq!(
        tally.add(&vote(0, &short)).unwrap_err(),
        RegistrationError::WrongThreshold {
            expected: 3,
            actual: 2
        }
    );
}
