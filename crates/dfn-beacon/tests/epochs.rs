//! The group lifecycle across epochs: new groups formed from the value that
//! ends each epoch become active after the activation delay and expire
//! after their lifetime; the beacon keeps running through every hand-over,
//! and every height is signed by a group active in its epoch.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::collections::BTreeMap;
use std::sync::Arc;

use dfn_beacon::{
    BeaconConfig, BeaconEvent, BeaconMessage, BeaconNode, BeaconValue, EpochConfig, EpochError,
    GroupId, GroupMember, GroupSchedule, Output, ProcessId, deal_group, form_groups,
    formation_seed,
};
use dfn_crypto::threshold::SecretKeyShare;
use dfn_crypto::{MinSig, SecretKey, Time};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

type V = MinSig;
const GENESIS: [u8; 32] = [0xe7; 32];
const PROCESSES: usize = 30;
const GROUP: usize = 7;
const THRESHOLD: u32 = 4;

/// A group dealt for an epoch, and each owner's (process, share).
type Made = (Arc<dfn_beacon::Group<V>>, Vec<(usize, SecretKeyShare<V>)>);

#[test]
fn epoch_configuration() {
    let c = EpochConfig {
        heights_per_epoch: 10,
        activation_delay: 1,
        lifetime: 2,
    };
    assert_eq!(c.epoch_of(1), 0);
    assert_eq!(c.epoch_of(10), 0);
    assert_eq!(c.epoch_of(11), 1);
    assert_eq!(c.first_height(2), 21);
    assert_eq!(c.formation_height(0), None);
    assert_eq!(c.formation_height(3), Some(30));
    assert_eq!(c.active_epochs(3), 4..6);
    assert!(EpochConfig { lifetime: 0, ..c }.validate().is_err());
    assert!(matches!(
        GroupSchedule::<V>::new(
            EpochConfig {
                activation_delay: 0,
                ..c
            },
            vec![]
        ),
        Err(EpochError::InvalidConfig)
    ));
}

#[test]
fn groups_rotate_through_epochs() {
    let epochs = EpochConfig {
        heights_per_epoch: 5,
        activation_delay: 1,
        lifetime: 2,
    };
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let keys: Vec<SecretKey<V>> = (0..PROCESSES)
        .map(|_| SecretKey::random(&mut rng))
        .collect();
    let ids: Vec<ProcessId> = keys
        .iter()
        .map(|k| ProcessId::of(&k.public_key()))
        .collect();
    let position: BTreeMap<ProcessId, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut next_id = 0u64;
    // Forms and deals (trusted dealer; the DKG is exercised in
    // dkg_groups.rs) `count` groups for `epoch` from `randomness`.
    let mut make = |epoch: u64, randomness: &[u8; 32], count: usize, rng: &mut ChaCha20Rng| {
        let formed = form_groups(&ids, &formation_seed(randomness, epoch), GROUP, count).unwrap();
        formed
            .into_iter()
            .map(|members| {
                let list = members
                    .iter()
                    .map(|m| GroupMember {
                        id: *m,
                        key: keys[position[m]].public_key(),
                    })
                    .collect();
                let id = GroupId(next_id);
                next_id += 1;
                let (group, shares) = deal_group(id, list, THRESHOLD, rng).unwrap();
                let owners: Vec<usize> = members.iter().map(|m| position[m]).collect();
                (
                    Arc::new(group),
                    owners
                        .into_iter()
                        .zip(shares)
                        .collect::<Vec<(usize, SecretKeyShare<V>)>>(),
                )
            })
            .collect::<Vec<_>>()
    };
    let genesis = make(0, &GENESIS, 3, &mut rng);
    let mut schedule =
        GroupSchedule::new(epochs, genesis.iter().map(|(g, _)| Arc::clone(g)).collect()).unwrap();
    let mut nodes: Vec<BeaconNode<V>> = keys
        .iter()
        .map(|k| BeaconNode::new(BeaconConfig::new(GENESIS), k.clone(), &mut rng))
        .collect();
    let give_shares = |nodes: &mut Vec<BeaconNode<V>>, made: &[Made]| {
        for (group, shares) in made {
            for (p, share) in shares {
                nodes[*p].add_group_share(group.id(), share.clone());
            }
        }
    };
    give_shares(&mut nodes, &genesis);
    // A set is installed an epoch ahead: the groups active in epoch e + 1
    // were formed by epoch e (activation delay ≥ 1).
    let set0 = Arc::new(schedule.set_for(0).unwrap());
    let set1 = Arc::new(schedule.set_for(1).unwrap());
    for n in &mut nodes {
        n.install_groups(Time::ZERO, 1, Arc::clone(&set0));
        n.install_groups(Time::ZERO, epochs.first_height(1), Arc::clone(&set1));
        n.start(Time::ZERO);
    }

    let total_epochs = 6u64;
    let last_height = epochs.first_height(total_epochs) - 1;
    let mut values: Vec<Vec<BeaconValue<V>>> = vec![Vec::new(); PROCESSES];
    let mut installed = 0u64; // epochs whose set is installed
    let mut now = Time::ZERO;
    for _ in 0..200 {
        let mut in_flight = Vec::new();
        for (p, n) in nodes.iter_mut().enumerate() {
            while let Some(o) = n.poll_output() {
                match o {
                    Output::ToGroup { message, .. } | Output::Broadcast(message) => {
                        in_flight.push((p, message))
                    }
                    Output::Event(BeaconEvent::Value(v)) => values[p].push(v),
                    Output::Event(BeaconEvent::Stalled { height, .. }) => {
                        panic!("stall at {height}")
                    }
                    _ => {}
                }
            }
        }
        // The host: once the value that ends epoch e − 1 is known, form the
        // groups of epoch e (active from e + 1) and install the set of
        // e + 1, before anyone reaches it.
        while let Some(height) = epochs.formation_height(installed + 1) {
            let Some(value) = values[0].get(height as usize - 1) else {
                break;
            };
            let epoch = installed + 1;
            let made = make(epoch, &value.randomness, 2, &mut rng);
            give_shares(&mut nodes, &made);
            for (group, _) in &made {
                schedule.register(epoch, Arc::clone(group));
            }
            let set = Arc::new(schedule.set_for(epoch + 1).unwrap());
            for n in &mut nodes {
                n.install_groups(now, epochs.first_height(epoch + 1), Arc::clone(&set));
            }
            schedule.prune(epoch);
            installed = epoch;
        }
        if values.iter().all(|v| v.len() as u64 >= last_height) {
            break;
        }
        now = now.after(10);
        for (from, m) in &in_flight {
            for (p, n) in nodes.iter_mut().enumerate() {
                if p != *from {
                    n.handle_message(now, *m as BeaconMessage<V>);
                }
            }
        }
    }
    // Agreement, and every height signed by a group of its epoch's set.
    for v in &values {
        assert!(v.len() as u64 >= last_height, "{} values", v.len());
        assert_eq!(v[..last_height as usize], values[0][..last_height as usize]);
    }
    let genesis_ids: Vec<GroupId> = genesis.iter().map(|(g, _)| g.id()).collect();
    for value in &values[0][..last_height as usize] {
        let epoch = epochs.epoch_of(value.height);
        let in_genesis = genesis_ids.contains(&value.group);
        // Groups were numbered in formation order: 3 genesis, then 2 per epoch.
        let formed = if in_genesis {
            None
        } else {
            Some((value.group.0 - 3) / 2 + 1)
        };
        match formed {
            None => assert!(
                epoch < epochs.lifetime,
                "genesis group at height {}",
                value.height
            ),
            Some(formed) => assert!(
                epochs.active_epochs(formed).contains(&epoch),
                "group {:?} at height {}",
                value.group,
                value.height
            ),
        }
    }
    // The hand-overs happened: late heights are signed by formed groups only.
    assert!(
        values[0][last_height as usize - 5..last_height as usize]
            .iter()
            .all(|v| !genesis_ids.contains(&v.group))
    );
}
