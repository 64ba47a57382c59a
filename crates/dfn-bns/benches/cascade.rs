//! `bns::cascade/neurons=1000000`: one tipping vote cascading over a
//! million ballots, each neuron with 5 followees on the topic.
//!
//! Half the neurons follow the same five leaders; the other half follow
//! five neurons drawn uniformly (cycles included). Four leaders have voted
//! (two yes, two no), which decides no one yet; the timed vote is the
//! fifth leader's yes, which tips the first half and then spreads through
//! the random half. The electorate is cloned outside the timing.
//!
//! `bns::cascade/neurons=1000000,peer=btree` runs the same vote through the
//! straightforward cascade the IC's NNS describes (a `BTreeSet` worklist in
//! ascending id order, ballots and follow lists in `BTreeMap`s, each
//! follower's followees recounted when one of them votes), as the peer.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use dfn_bns::{Electorate, ElectorateBuilder, NeuronId, Vote};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

const NEURONS: u64 = 1_000_000;
const FOLLOWEES: usize = 5;

/// Every neuron's followees on the topic (ids 1..=NEURONS).
fn follow_lists() -> Vec<Vec<NeuronId>> {
    let mut rng = ChaCha20Rng::seed_from_u64(42);
    let leaders: Vec<NeuronId> = (1..=5).map(NeuronId).collect();
    (1..=NEURONS)
        .map(|id| {
            let mut list = Vec::with_capacity(FOLLOWEES);
            if id > 5 {
                if id % 2 == 0 {
                    list.extend_from_slice(&leaders);
                } else {
                    while list.len() < FOLLOWEES {
                        let f = NeuronId(rng.next_u64() % NEURONS + 1);
                        if f.0 != id && !list.contains(&f) {
                            list.push(f);
                        }
                    }
                }
            }
            list
        })
        .collect()
}

const PRE_VOTES: [(u64, Vote); 4] = [(1, Vote::Yes), (2, Vote::Yes), (3, Vote::No), (4, Vote::No)];

fn electorate(lists: &[Vec<NeuronId>]) -> Electorate {
    let mut b = ElectorateBuilder::with_capacity(lists.len(), lists.len() * FOLLOWEES);
    for (i, list) in lists.iter().enumerate() {
        b.add(NeuronId(i as u64 + 1), 1_000 + i as u64 % 1_000_000, list)
            .unwrap();
    }
    let mut e = b.build();
    for (leader, vote) in PRE_VOTES {
        e.cast(NeuronId(leader), vote).unwrap();
    }
    e
}

/// The peer: maps and a sorted worklist, recounting on every change.
#[derive(Clone)]
struct BTreeCascade {
    ballots: BTreeMap<NeuronId, Option<Vote>>,
    followees: BTreeMap<NeuronId, Vec<NeuronId>>,
    followers: BTreeMap<NeuronId, Vec<NeuronId>>,
}

impl BTreeCascade {
    fn new(lists: &[Vec<NeuronId>]) -> Self {
        let mut c = BTreeCascade {
            ballots: BTreeMap::new(),
            followees: BTreeMap::new(),
            followers: BTreeMap::new(),
        };
        for (i, list) in lists.iter().enumerate() {
            let id = NeuronId(i as u64 + 1);
            c.ballots.insert(id, None);
            for f in list {
                c.followers.entry(*f).or_default().push(id);
            }
            c.followees.insert(id, list.clone());
        }
        for (leader, vote) in PRE_VOTES {
            c.cast(NeuronId(leader), vote);
        }
        c
    }

    fn cast(&mut self, neuron: NeuronId, vote: Vote) -> usize {
        self.ballots.insert(neuron, Some(vote));
        let mut cast = 1;
        let mut work = BTreeSet::from([neuron]);
        while let Some(n) = work.pop_first() {
            for f in self.followers.get(&n).map_or(&[][..], Vec::as_slice) {
                if self.ballots.get(f) != Some(&None) {
                    continue;
                }
                let list = &self.followees[f];
                let count = |v| {
                    list.iter()
                        .filter(|x| self.ballots.get(x) == Some(&Some(v)))
                        .count()
                };
                let decided = if 2 * count(Vote::Yes) > list.len() {
                    Some(Vote::Yes)
                } else if 2 * count(Vote::No) >= list.len() {
                    Some(Vote::No)
                } else {
                    None
                };
                if let Some(v) = decided {
                    self.ballots.insert(*f, Some(v));
                    work.insert(*f);
                    cast += 1;
                }
            }
        }
        cast
    }
}

fn cascade(c: &mut Criterion) {
    let lists = follow_lists();
    let base = electorate(&lists);
    let cast = base.clone().cast(NeuronId(5), Vote::Yes).unwrap();
    let peer = BTreeCascade::new(&lists);
    assert_eq!(
        peer.clone().cast(NeuronId(5), Vote::Yes),
        cast,
        "the peer casts the same ballots"
    );
    println!("bns::cascade: the timed vote casts {cast} of {NEURONS} ballots");
    let mut group = c.benchmark_group("bns::cascade");
    group.sample_size(10);
    group.bench_function(format!("neurons={NEURONS}"), |bench| {
        bench.iter_batched(
            || base.clone(),
            |mut e| {
                e.cast(NeuronId(5), Vote::Yes).unwrap();
                e
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function(format!("neurons={NEURONS},peer=btree"), |bench| {
        bench.iter_batched(
            || peer.clone(),
            |mut p| {
                p.cast(NeuronId(5), Vote::Yes);
                p
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, cascade);
criterion_main!(benches);
