//! The ballots of one proposal and the follow cascade over them.
//!
//! At creation a proposal snapshots its electorate: one ballot per eligible
//! neuron with its voting power frozen, and each voter's follow list for
//! the proposal's topic. The lists are stored reversed (followee →
//! followers) in compressed sparse rows, and each ballot keeps two counters,
//! the yes and no votes seen among its followees. Casting a ballot walks a
//! worklist: every undecided follower of a newly cast ballot bumps one
//! counter and is cast at once when
//!
//! - `2 · yes > |F|` (Yes), or
//! - `2 · no ≥ |F|` (No),
//!
//! where `|F|` counts every followee, including those without a ballot here
//! (they never vote, so they count against a majority). Both counters only
//! grow and `yes + no ≤ |F|`, so at most one of the two conditions can ever
//! hold for a ballot: the outcome of a cascade does not depend on the order
//! the worklist is processed in, a ballot once cast never changes, and
//! cycles end because a ballot is cast at most once. Work is linear in the
//! ballots and follow edges reached.

use alloc::vec;
use alloc::vec::Vec;

use crate::error::{CastError, ElectorateError};
use crate::ids::NeuronId;
use crate::vote::Vote;

/// Votes and voting power of a proposal: `total` counts every ballot, cast
/// or not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Voting power of the Yes ballots.
    pub yes: u128,
    /// Voting power of the No ballots.
    pub no: u128,
    /// Voting power of all ballots.
    pub total: u128,
}

impl Tally {
    /// Whether Yes leads (the outcome wait-for-quiet watches).
    pub fn yes_leads(&self) -> bool {
        self.yes > self.no
    }
}

/// `vote` values of [`Slot`].
const UNCAST: u8 = 0;
const YES: u8 = 1;
const NO: u8 = 2;

/// One ballot: 16 bytes holding everything the cascade touches for it (its
/// power, where its followers start, its vote and counters), so that
/// reaching a ballot costs one cache miss, and popping it from the worklist
/// (right after casting it) usually none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Slot {
    power: u64,
    /// Its followers are `followers[start..next slot's start]`.
    start: u32,
    vote: u8,
    yes: u8,
    no: u8,
    /// Length of the voter's follow list; 0 means it never follows.
    need: u8,
}

/// Collects the voters of a proposal, in strictly ascending id order.
#[derive(Clone, Debug, Default)]
pub struct ElectorateBuilder {
    ids: Vec<NeuronId>,
    power: Vec<u64>,
    need: Vec<u8>,
    /// Every voter's followees, concatenated.
    followees: Vec<NeuronId>,
}

impl ElectorateBuilder {
    /// An empty builder with room for `voters` voters and `edges` follow
    /// edges.
    pub fn with_capacity(voters: usize, edges: usize) -> Self {
        Self {
            ids: Vec::with_capacity(voters),
            power: Vec::with_capacity(voters),
            need: Vec::with_capacity(voters),
            followees: Vec::with_capacity(edges),
        }
    }

    /// Adds a voter with its frozen voting power and its follow list for
    /// the proposal's topic (distinct ids, at most 255).
    pub fn add(
        &mut self,
        id: NeuronId,
        voting_power: u64,
        followees: &[NeuronId],
    ) -> Result<(), ElectorateError> {
        if self.ids.last().is_some_and(|last| *last >= id) {
            return Err(ElectorateError::NotAscending(id));
        }
        let need =
            u8::try_from(followees.len()).map_err(|_| ElectorateError::TooManyFollowees(id))?;
        for (i, f) in followees.iter().enumerate() {
            if followees.get(..i).is_some_and(|before| before.contains(f)) {
                return Err(ElectorateError::DuplicateFollowee(id, *f));
            }
        }
        self.ids.push(id);
        self.power.push(voting_power);
        self.need.push(need);
        self.followees.extend_from_slice(followees);
        Ok(())
    }

    /// Freezes the electorate: resolves follow edges to ballots and builds
    /// the reversed index.
    pub fn build(self) -> Electorate {
        let n = self.ids.len();
        let index = IdIndex::new(&self.ids);
        // Followee ballot index of every edge (None: no ballot), then the
        // follower rows by counting sort, followers in ascending order.
        let mut degree = vec![0u32; n + 1];
        let mut edges: Vec<(u32, u32)> = Vec::with_capacity(self.followees.len());
        let mut cursor = 0usize;
        for (follower, need) in self.need.iter().enumerate() {
            let end = cursor + usize::from(*need);
            for f in self.followees.get(cursor..end).unwrap_or(&[]) {
                if let Some(j) = index.get(*f) {
                    if let Some(d) = degree.get_mut(j as usize + 1) {
                        *d += 1;
                    }
                    edges.push((j, follower as u32));
                }
            }
            cursor = end;
        }
        for i in 1..degree.len() {
            let previous = degree.get(i - 1).copied().unwrap_or(0);
            if let Some(d) = degree.get_mut(i) {
                *d += previous;
            }
        }
        let mut fill: Vec<u32> = degree.clone();
        let mut followers = vec![0u32; edges.len()];
        for (followee, follower) in edges {
            if let Some(pos) = fill.get_mut(followee as usize) {
                if let Some(slot) = followers.get_mut(*pos as usize) {
                    *slot = follower;
                }
                *pos += 1;
            }
        }
        let total = self.power.iter().map(|p| u128::from(*p)).sum();
        let slots = self
            .need
            .iter()
            .zip(&self.power)
            .zip(&degree)
            .map(|((need, power), start)| Slot {
                power: *power,
                start: *start,
                need: *need,
                ..Slot::default()
            })
            .collect();
        Electorate {
            ids: self.ids,
            slots,
            followers,
            tally: Tally {
                yes: 0,
                no: 0,
                total,
            },
            work: Vec::new(),
        }
    }
}

/// Neuron id → ballot index: a direct table when the ids are dense (as
/// governance's sequential ids are), else binary search.
enum IdIndex<'a> {
    Dense { first: u64, table: Vec<u32> },
    Sparse(&'a [NeuronId]),
}

impl<'a> IdIndex<'a> {
    fn new(ids: &'a [NeuronId]) -> Self {
        match (ids.first(), ids.last()) {
            (Some(first), Some(last)) if (last.0 - first.0) / 4 < ids.len() as u64 => {
                let span = (last.0 - first.0) as usize + 1;
                let mut table = vec![u32::MAX; span];
                for (i, id) in ids.iter().enumerate() {
                    if let Some(t) = table.get_mut((id.0 - first.0) as usize) {
                        *t = i as u32;
                    }
                }
                IdIndex::Dense {
                    first: first.0,
                    table,
                }
            }
            _ => IdIndex::Sparse(ids),
        }
    }

    fn get(&self, id: NeuronId) -> Option<u32> {
        match self {
            IdIndex::Dense { first, table } => {
                id.0.checked_sub(*first)
                    .and_then(|k| table.get(usize::try_from(k).ok()?))
                    .copied()
                    .filter(|i| *i != u32::MAX)
            }
            IdIndex::Sparse(ids) => ids.binary_search(&id).ok().map(|i| i as u32),
        }
    }
}

/// The frozen ballots of one proposal (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Electorate {
    ids: Vec<NeuronId>,
    slots: Vec<Slot>,
    /// Every ballot's followers, ballot after ballot (see [`Slot::start`]).
    followers: Vec<u32>,
    tally: Tally,
    /// The cascade's worklist, kept to reuse its allocation.
    work: Vec<u32>,
}

impl Electorate {
    /// The number of ballots.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there is no ballot.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The current tally.
    pub fn tally(&self) -> Tally {
        self.tally
    }

    /// Whether `neuron` has a ballot, and its vote if cast.
    pub fn ballot(&self, neuron: NeuronId) -> Option<Option<Vote>> {
        let i = self.ids.binary_search(&neuron).ok()?;
        self.slots.get(i).map(|s| decode(s.vote))
    }

    /// The frozen voting power of `neuron`'s ballot.
    pub fn voting_power(&self, neuron: NeuronId) -> Option<u64> {
        let i = self.ids.binary_search(&neuron).ok()?;
        self.slots.get(i).map(|s| s.power)
    }

    /// Every ballot in ascending neuron order: id, voting power, vote.
    pub fn ballots(&self) -> impl Iterator<Item = (NeuronId, u64, Option<Vote>)> + '_ {
        self.ids
            .iter()
            .zip(&self.slots)
            .map(|(id, slot)| (*id, slot.power, decode(slot.vote)))
    }

    /// Casts `neuron`'s ballot and cascades it to its followers, theirs,
    /// and so on. Returns how many ballots were cast in all.
    pub fn cast(&mut self, neuron: NeuronId, vote: Vote) -> Result<usize, CastError> {
        let i = self
            .ids
            .binary_search(&neuron)
            .map_err(|_| CastError::NoBallot(neuron))?;
        let slot = self.slots.get_mut(i).ok_or(CastError::NoBallot(neuron))?;
        if slot.vote != UNCAST {
            return Err(CastError::AlreadyVoted(neuron));
        }
        slot.vote = encode(vote);
        let power = u128::from(slot.power);
        match vote {
            Vote::Yes => self.tally.yes += power,
            Vote::No => self.tally.no += power,
        }
        let mut work = core::mem::take(&mut self.work);
        work.push(i as u32);
        let mut cast = 1;
        while let Some(j) = work.pop() {
            let j = j as usize;
            let Some(slot) = self.slots.get(j) else {
                continue;
            };
            let (start, yes) = (slot.start as usize, slot.vote == YES);
            let end = self
                .slots
                .get(j + 1)
                .map_or(self.followers.len(), |next| next.start as usize);
            for f in self.followers.get(start..end).unwrap_or(&[]) {
                let Some(s) = self.slots.get_mut(*f as usize) else {
                    continue;
                };
                if s.vote != UNCAST {
                    continue;
                }
                let decided = if yes {
                    s.yes += 1;
                    (2 * u16::from(s.yes) > u16::from(s.need)).then_some(Vote::Yes)
                } else {
                    s.no += 1;
                    (2 * u16::from(s.no) >= u16::from(s.need)).then_some(Vote::No)
                };
                if let Some(v) = decided {
                    s.vote = encode(v);
                    cast += 1;
                    work.push(*f);
                    let power = u128::from(s.power);
                    match v {
                        Vote::Yes => self.tally.yes += power,
                        Vote::No => self.tally.no += power,
                    }
                }
            }
        }
        self.work = work;
        Ok(cast)
    }

    /// The tally recounted from the ballots (the invariant check compares
    /// it with the running one).
    pub fn recount(&self) -> Tally {
        let mut t = Tally::default();
        for (_, power, vote) in self.ballots() {
            t.total += u128::from(power);
            match vote {
                Some(Vote::Yes) => t.yes += u128::from(power),
                Some(Vote::No) => t.no += u128::from(power),
                None => {}
            }
        }
        t
    }

    /// Whether every ballot's follow counters are within its list length
    /// and the ids are strictly ascending (each neuron has one ballot).
    pub fn is_consistent(&self) -> bool {
        self.ids.windows(2).all(|w| matches!(w, [a, b] if a < b))
            && self
                .slots
                .iter()
                .all(|s| u16::from(s.yes) + u16::from(s.no) <= u16::from(s.need) && s.vote <= NO)
    }
}

fn encode(vote: Vote) -> u8 {
    match vote {
        Vote::Yes => YES,
        Vote::No => NO,
    }
}

fn decode(v: u8) -> Option<Vote> {
    match v {
        YES => Some(Vote::Yes),
        NO => Some(Vote::No),
        _ => None,
    }
}
