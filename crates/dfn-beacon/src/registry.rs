//! The registry of processes: who may be drawn into groups.
//!
//! On a public network a process registers with its identity (key and
//! proof of possession) and a security deposit of at least the configured
//! minimum. A withdrawal is requested, and the deposit returns only after
//! the withdrawal delay; until then it can still be slashed on provable
//! misbehaviour (the host checks the evidence before calling
//! [`Registry::slash`]). On a private network a trusted dealer lists the
//! processes and there are no deposits.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use dfn_crypto::{PublicKey, Variant};
use thiserror::Error;

use crate::identity::{Identity, ProcessId};

/// Public or private network rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Network {
    /// Open registration against a deposit.
    Public {
        /// The smallest deposit accepted.
        min_deposit: u64,
        /// Epochs between a withdrawal request and the deposit's return.
        withdrawal_delay: u64,
    },
    /// A trusted dealer's fixed list; no deposits.
    Private,
}

/// A registered process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Registration<V: Variant> {
    /// Its identity key.
    pub key: PublicKey<V>,
    /// The deposit held (0 on private networks, and after slashing).
    pub deposit: u64,
    /// The epoch it registered in; eligible for groups from the next.
    pub since: u64,
    /// The epoch it asked to withdraw in, if it did.
    pub leaving: Option<u64>,
}

/// Why a registry operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The proof of possession does not verify.
    #[error("the proof of possession does not verify")]
    BadProofOfPossession,
    /// The deposit is below the minimum.
    #[error("deposit {offered} is below the minimum {minimum}")]
    DepositTooSmall {
        /// Offered.
        offered: u64,
        /// Required.
        minimum: u64,
    },
    /// The process is registered already.
    #[error("process {0} is registered already")]
    AlreadyRegistered(ProcessId),
    /// The process is not registered.
    #[error("process {0} is not registered")]
    Unknown(ProcessId),
    /// Registration is closed on a private network.
    #[error("a private network's processes are fixed by its dealer")]
    Private,
    /// The withdrawal delay has not passed.
    #[error("the deposit of {id} returns in epoch {ready}")]
    NotYet {
        /// The process.
        id: ProcessId,
        /// The first epoch it can be withdrawn in.
        ready: u64,
    },
    /// No withdrawal was requested.
    #[error("process {0} has not asked to withdraw")]
    NotLeaving(ProcessId),
}

/// The registered processes, by id.
#[derive(Clone, Debug)]
pub struct Registry<V: Variant> {
    network: Network,
    processes: BTreeMap<ProcessId, Registration<V>>,
}

impl<V: Variant> Registry<V> {
    /// An empty public registry.
    pub fn public(min_deposit: u64, withdrawal_delay: u64) -> Self {
        Self {
            network: Network::Public {
                min_deposit,
                withdrawal_delay,
            },
            processes: BTreeMap::new(),
        }
    }

    /// A private network's fixed list, eligible from epoch 0. Identities
    /// whose proof of possession fails are refused.
    pub fn private(identities: &[Identity<V>]) -> Result<Self, RegistryError> {
        let mut processes = BTreeMap::new();
        for identity in identities {
            if !identity.verify() {
                return Err(RegistryError::BadProofOfPossession);
            }
            let registration = Registration {
                key: identity.key,
                deposit: 0,
                since: 0,
                leaving: None,
            };
            if processes.insert(identity.id(), registration).is_some() {
                return Err(RegistryError::AlreadyRegistered(identity.id()));
            }
        }
        Ok(Self {
            network: Network::Private,
            processes,
        })
    }

    /// Registers `identity` with `deposit` in `epoch`.
    pub fn register(
        &mut self,
        identity: &Identity<V>,
        deposit: u64,
        epoch: u64,
    ) -> Result<ProcessId, RegistryError> {
        let Network::Public { min_deposit, .. } = self.network else {
            return Err(RegistryError::Private);
        };
        if deposit < min_deposit {
            return Err(RegistryError::DepositTooSmall {
                offered: deposit,
                minimum: min_deposit,
            });
        }
        if !identity.verify() {
            return Err(RegistryError::BadProofOfPossession);
        }
        let id = identity.id();
        if self.processes.contains_key(&id) {
            return Err(RegistryError::AlreadyRegistered(id));
        }
        self.processes.insert(
            id,
            Registration {
                key: identity.key,
                deposit,
                since: epoch,
                leaving: None,
            },
        );
        Ok(id)
    }

    /// The process asks to leave in `epoch`: no longer eligible for new
    /// groups; its deposit returns after the delay.
    pub fn request_withdrawal(&mut self, id: &ProcessId, epoch: u64) -> Result<(), RegistryError> {
        let registration = self
            .processes
            .get_mut(id)
            .ok_or(RegistryError::Unknown(*id))?;
        registration.leaving.get_or_insert(epoch);
        Ok(())
    }

    /// Removes a leaving process whose delay has passed and returns its
    /// deposit.
    pub fn withdraw(&mut self, id: &ProcessId, epoch: u64) -> Result<u64, RegistryError> {
        let delay = match self.network {
            Network::Public {
                withdrawal_delay, ..
            } => withdrawal_delay,
            Network::Private => 0,
        };
        let registration = self.processes.get(id).ok_or(RegistryError::Unknown(*id))?;
        let since = registration.leaving.ok_or(RegistryError::NotLeaving(*id))?;
        let ready = since.saturating_add(delay);
        if epoch < ready {
            return Err(RegistryError::NotYet { id: *id, ready });
        }
        let deposit = registration.deposit;
        self.processes.remove(id);
        Ok(deposit)
    }

    /// Takes the deposit of a process whose misbehaviour the host has
    /// proven (checked evidence) and removes it from the registry. Returns
    /// the amount slashed.
    pub fn slash(&mut self, id: &ProcessId) -> Result<u64, RegistryError> {
        self.processes
            .remove(id)
            .map(|r| r.deposit)
            .ok_or(RegistryError::Unknown(*id))
    }

    /// A registered process.
    pub fn get(&self, id: &ProcessId) -> Option<&Registration<V>> {
        self.processes.get(id)
    }

    /// Processes eligible for groups formed in `epoch`: registered before
    /// it (any time, on a private network) and not leaving; ascending ids.
    pub fn eligible(&self, epoch: u64) -> Vec<ProcessId> {
        self.processes
            .iter()
            .filter(|(_, r)| {
                r.leaving.is_none() && (r.since < epoch || matches!(self.network, Network::Private))
            })
            .map(|(id, _)| *id)
            .collect()
    }

    /// Registered processes.
    pub fn len(&self) -> usize {
        self.processes.len()
    }

    /// Whether none is registered.
    pub fn is_empty(&self) -> bool {
        self.processes.is_empty()
    }
}
