//! The group lifecycle: epochs of a fixed number of heights; groups formed
//! in an epoch (from the beacon value that ends the previous one) become
//! active a configured number of epochs later, and expire after a
//! configured number of active epochs, so an adaptive adversary has a
//! bounded time to corrupt a group.

use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ops::Range;

use dfn_crypto::Variant;
use thiserror::Error;

use crate::groups::{Group, GroupError, GroupSet};

/// How heights divide into epochs and how long groups live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EpochConfig {
    /// Heights per epoch (epoch `e` is heights `e·len + 1 ..= (e+1)·len`).
    pub heights_per_epoch: u64,
    /// Epochs between a group's formation and its activation (at least 1:
    /// its DKG runs in between).
    pub activation_delay: u64,
    /// Epochs a group stays active.
    pub lifetime: u64,
}

/// Why a lifecycle is unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EpochError {
    /// Epochs need at least one height, an activation delay of at least
    /// one epoch, and a lifetime of at least one epoch.
    #[error("epochs need ≥ 1 height, activation delay ≥ 1 and lifetime ≥ 1")]
    InvalidConfig,
    /// No group is active in the epoch.
    #[error("no group is active in epoch {0}")]
    NoGroups(u64),
    /// The active groups do not form a set.
    #[error(transparent)]
    Group(#[from] GroupError),
}

impl EpochConfig {
    /// Checks the parameters.
    pub fn validate(&self) -> Result<(), EpochError> {
        if self.heights_per_epoch == 0 || self.activation_delay == 0 || self.lifetime == 0 {
            return Err(EpochError::InvalidConfig);
        }
        Ok(())
    }

    /// The epoch of height `height` (heights start at 1).
    pub fn epoch_of(&self, height: u64) -> u64 {
        height.saturating_sub(1) / self.heights_per_epoch.max(1)
    }

    /// The first height of `epoch`.
    pub fn first_height(&self, epoch: u64) -> u64 {
        epoch
            .saturating_mul(self.heights_per_epoch)
            .saturating_add(1)
    }

    /// The height whose random value forms the groups of `epoch`: the last
    /// height of the epoch before (none for epoch 0, whose groups are the
    /// genesis groups).
    pub fn formation_height(&self, epoch: u64) -> Option<u64> {
        (epoch >= 1).then(|| epoch.saturating_mul(self.heights_per_epoch))
    }

    /// The epochs in which a group formed in `formed` is active.
    pub fn active_epochs(&self, formed: u64) -> Range<u64> {
        let start = formed.saturating_add(self.activation_delay);
        start..start.saturating_add(self.lifetime)
    }
}

/// Registered groups by the epoch they were formed in, and the set active
/// in each epoch. Genesis groups count as formed `activation_delay` epochs
/// before epoch 0, so they are active in epochs `0 .. lifetime`.
#[derive(Clone, Debug)]
pub struct GroupSchedule<V: Variant> {
    config: EpochConfig,
    genesis: Vec<Arc<Group<V>>>,
    formed: BTreeMap<u64, Vec<Arc<Group<V>>>>,
}

impl<V: Variant> GroupSchedule<V> {
    /// A schedule starting from the genesis groups.
    pub fn new(config: EpochConfig, genesis: Vec<Arc<Group<V>>>) -> Result<Self, EpochError> {
        config.validate()?;
        Ok(Self {
            config,
            genesis,
            formed: BTreeMap::new(),
        })
    }

    /// The lifecycle parameters.
    pub fn config(&self) -> &EpochConfig {
        &self.config
    }

    /// A group formed in epoch `formed` finished its DKG and registered.
    pub fn register(&mut self, formed: u64, group: Arc<Group<V>>) {
        self.formed.entry(formed).or_default().push(group);
    }

    /// The groups active in `epoch`.
    pub fn active(&self, epoch: u64) -> Vec<Arc<Group<V>>> {
        let genesis = (epoch < self.config.lifetime).then_some(&self.genesis);
        let formed = self
            .formed
            .iter()
            .filter(|(e, _)| self.config.active_epochs(**e).contains(&epoch))
            .map(|(_, groups)| groups);
        genesis
            .into_iter()
            .chain(formed)
            .flatten()
            .cloned()
            .collect()
    }

    /// The set of groups active in `epoch`, ready to install for its first
    /// height.
    pub fn set_for(&self, epoch: u64) -> Result<GroupSet<V>, EpochError> {
        let active = self.active(epoch);
        if active.is_empty() {
            return Err(EpochError::NoGroups(epoch));
        }
        Ok(GroupSet::new(active)?)
    }

    /// Forgets groups that expired before `epoch`.
    pub fn prune(&mut self, epoch: u64) {
        let config = self.config;
        self.formed
            .retain(|formed, _| config.active_epochs(*formed).end > epoch);
        if epoch >= config.lifetime {
            self.genesis.clear();
        }
    }
}
