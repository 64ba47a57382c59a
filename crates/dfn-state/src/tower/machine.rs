//! The tower state machine: levels in, finality, rollbacks and penalties
//! out.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

use super::error::TowerError;
use super::fraud::FraudProof;
use super::level::{BuilderId, Level};
use super::selection::draw_positions;
use super::transition::Transition;
use crate::hash::B256;

/// Tower parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TowerConfig {
    /// `d`: a level is final once `d` levels are above it, its builders may
    /// not build again until then, and each builder re-executes the `d`
    /// levels below the one it builds.
    pub depth: u64,
    /// `k`: builders drawn per level, all attesting to its post-root.
    pub builders_per_level: usize,
}

/// What the tower reports, drained with [`Tower::poll_output`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TowerEvent {
    /// A level was accepted on top of the tower (not yet final).
    Appended {
        /// Its height.
        level: u64,
    },
    /// A level has `d` levels above it and can no longer be rolled back.
    Final {
        /// Its height.
        level: u64,
        /// Its post-root, now the shard's final root.
        post_root: B256,
    },
    /// A valid fraud proof removed a level and every level above it.
    RolledBack {
        /// The fraudulent level, now the next height to build.
        level: u64,
        /// How many levels were removed.
        removed: u64,
    },
    /// A builder attested to a fraudulent level and forfeits its deposit.
    Penalized {
        /// The builder.
        builder: BuilderId,
        /// The fraudulent level.
        level: u64,
    },
}

/// A validation tower for one shard.
///
/// It holds the final root and the at most `d` levels above it that can
/// still be rolled back. The host feeds it levels (with the beacon value
/// their builders were drawn from) and fraud proofs; it checks the
/// selection and the no-rebuild rule, finalizes levels buried `d` deep,
/// and on a valid fraud proof rolls back to the level before the fraud and
/// penalizes that level's builders. A builder's own duty, re-executing the
/// levels below before building, is [`Tower::reexecute`].
#[derive(Clone, Debug)]
pub struct Tower<T> {
    transition: T,
    config: TowerConfig,
    /// Registered builders, sorted, without duplicates.
    builders: Vec<BuilderId>,
    final_root: B256,
    final_len: u64,
    pending: VecDeque<Level>,
    penalties: BTreeMap<BuilderId, u64>,
    events: VecDeque<TowerEvent>,
}

impl<T: Transition> Tower<T> {
    /// A tower starting at `genesis_root`, built by `builders`.
    pub fn new(
        transition: T,
        config: TowerConfig,
        genesis_root: B256,
        builders: impl IntoIterator<Item = BuilderId>,
    ) -> Result<Self, TowerError> {
        if config.depth == 0 || config.builders_per_level == 0 {
            return Err(TowerError::InvalidConfig);
        }
        let mut builders: Vec<BuilderId> = builders.into_iter().collect();
        builders.sort_unstable();
        builders.dedup();
        Ok(Self {
            transition,
            config,
            builders,
            final_root: genesis_root,
            final_len: 0,
            pending: VecDeque::new(),
            penalties: BTreeMap::new(),
            events: VecDeque::new(),
        })
    }

    /// The parameters.
    #[must_use]
    pub const fn config(&self) -> &TowerConfig {
        &self.config
    }

    /// Height of the next level to build.
    #[must_use]
    pub fn next_index(&self) -> u64 {
        self.final_len + self.pending.len() as u64
    }

    /// Root the next level starts from: the top level's claimed post-root.
    #[must_use]
    pub fn tip_root(&self) -> B256 {
        self.pending
            .back()
            .map_or(self.final_root, |level| level.post_root)
    }

    /// Post-root of the highest final level (the genesis root before any).
    #[must_use]
    pub const fn final_root(&self) -> B256 {
        self.final_root
    }

    /// Number of final levels.
    #[must_use]
    pub const fn final_len(&self) -> u64 {
        self.final_len
    }

    /// The levels that are not final yet, lowest first.
    pub fn pending(&self) -> impl ExactSizeIterator<Item = &Level> {
        self.pending.iter()
    }

    /// Penalties so far: how many fraudulent levels each builder attested.
    #[must_use]
    pub const fn penalties(&self) -> &BTreeMap<BuilderId, u64> {
        &self.penalties
    }

    /// The builder, if any, of a non-final level, with that level's height.
    fn recent_level_of(&self, builder: BuilderId) -> Option<u64> {
        self.pending
            .iter()
            .find(|level| level.builders.contains(&builder))
            .map(|level| level.index)
    }

    /// Positions in `builders` of the builders of the last `d` levels,
    /// sorted, without duplicates.
    fn recent_ranks(&self) -> Vec<usize> {
        let mut ranks: Vec<usize> = self
            .pending
            .iter()
            .flat_map(|level| level.builders.iter())
            .filter_map(|b| self.builders.binary_search(b).ok())
            .collect();
        ranks.sort_unstable();
        ranks.dedup();
        ranks
    }

    /// Builders that may build the next level: all registered builders
    /// except those of the last `d` levels (the no-rebuild rule), sorted.
    #[must_use]
    pub fn eligible_builders(&self) -> Vec<BuilderId> {
        let recent = self.recent_ranks();
        (0..self.builders.len())
            .filter(|rank| recent.binary_search(rank).is_err())
            .filter_map(|rank| self.builders.get(rank).copied())
            .collect()
    }

    /// The builders `beacon` draws for the next level: the same as
    /// [`select_builders`](super::select_builders) over
    /// [`Tower::eligible_builders`], without listing them (a draw costs
    /// `O(k²·d)`, not `O(builders)`).
    pub fn draw_builders(&self, beacon: &B256) -> Result<Vec<BuilderId>, TowerError> {
        let recent = self.recent_ranks();
        let eligible = self.builders.len() - recent.len();
        let k = self.config.builders_per_level;
        draw_positions(beacon, self.next_index(), eligible, k)?
            .into_iter()
            .map(|position| {
                // The position-th eligible builder: step over each excluded
                // rank at or below it.
                let rank = recent
                    .iter()
                    .fold(position, |rank, &e| if e <= rank { rank + 1 } else { rank });
                self.builders
                    .get(rank)
                    .copied()
                    .ok_or(TowerError::NotEnoughBuilders {
                        eligible,
                        needed: k,
                    })
            })
            .collect()
    }

    /// The level honest builders drawn by `beacon` publish for `inputs`:
    /// the batch applied to the tip root.
    pub fn build(&self, beacon: &B256, inputs: &[u8]) -> Result<Level, TowerError> {
        let index = self.next_index();
        let pre_root = self.tip_root();
        let post_root = self
            .transition
            .apply(&pre_root, inputs)
            .map_err(|_| TowerError::BatchRejected { level: index })?;
        Ok(Level {
            index,
            pre_root,
            inputs: inputs.to_vec(),
            post_root,
            builders: self.draw_builders(beacon)?,
        })
    }

    /// A builder's duty before building: re-execute the non-final levels
    /// (the `d` below the next one), lowest first, and return a fraud proof
    /// for the first whose claimed post-root is wrong.
    #[must_use]
    pub fn reexecute(&self) -> Option<FraudProof> {
        self.pending.iter().find_map(|level| {
            let outcome = self.transition.apply(&level.pre_root, &level.inputs).ok();
            (outcome != Some(level.post_root)).then(|| FraudProof {
                level: level.clone(),
                correct_post_root: outcome,
            })
        })
    }

    /// Accepts `level`, whose builders were drawn by `beacon`, on top of
    /// the tower, and finalizes the level it buries `d` deep.
    ///
    /// The tower does not re-execute here: that is the builders' duty
    /// ([`Tower::reexecute`]), and a wrong level is removed later by a fraud
    /// proof.
    pub fn handle_level(&mut self, level: Level, beacon: &B256) -> Result<(), TowerError> {
        let expected = self.next_index();
        if level.index != expected {
            return Err(TowerError::WrongIndex {
                expected,
                found: level.index,
            });
        }
        if level.pre_root != self.tip_root() {
            return Err(TowerError::WrongPreRoot { level: level.index });
        }
        if let Some((builder, built)) = level
            .builders
            .iter()
            .find_map(|&b| self.recent_level_of(b).map(|built| (b, built)))
        {
            return Err(TowerError::RebuildTooSoon {
                builder,
                built,
                level: level.index,
            });
        }
        if level.builders != self.draw_builders(beacon)? {
            return Err(TowerError::WrongBuilders { level: level.index });
        }
        self.events
            .push_back(TowerEvent::Appended { level: level.index });
        self.pending.push_back(level);
        if self.pending.len() as u64 > self.config.depth {
            if let Some(buried) = self.pending.pop_front() {
                self.final_root = buried.post_root;
                self.final_len += 1;
                self.events.push_back(TowerEvent::Final {
                    level: buried.index,
                    post_root: buried.post_root,
                });
            }
        }
        Ok(())
    }

    /// Checks `proof` against the level the tower holds and by
    /// re-execution; if it holds, removes that level and all above it and
    /// penalizes the level's builders.
    pub fn handle_fraud_proof(&mut self, proof: &FraudProof) -> Result<(), TowerError> {
        let index = proof.level.index;
        if index < self.final_len {
            return Err(TowerError::LevelFinal { level: index });
        }
        let position = usize::try_from(index - self.final_len)
            .map_err(|_| TowerError::UnknownLevel { level: index })?;
        let held = self
            .pending
            .get(position)
            .ok_or(TowerError::UnknownLevel { level: index })?;
        if *held != proof.level {
            return Err(TowerError::LevelMismatch { level: index });
        }
        proof.verify(&self.transition)?;
        let removed = self.pending.split_off(position);
        self.events.push_back(TowerEvent::RolledBack {
            level: index,
            removed: removed.len() as u64,
        });
        for &builder in &proof.level.builders {
            *self.penalties.entry(builder).or_default() += 1;
            self.events.push_back(TowerEvent::Penalized {
                builder,
                level: index,
            });
        }
        Ok(())
    }

    /// The next event, oldest first.
    pub fn poll_output(&mut self) -> Option<TowerEvent> {
        self.events.pop_front()
    }
}
