//! Warm accounts and slots of a transaction (EIP-2929), journaled so that
//! a reverted frame makes what it warmed cold again.

use alloc::vec::Vec;

use dfn_state::{Address, U256};
use hashbrown::HashSet;

/// One warming, to undo on revert.
#[derive(Clone, Copy, Debug)]
enum Warmed {
    Account(Address),
    Slot(Address, U256),
}

/// The access sets of one transaction. Lookup-only tables: nothing is
/// ever iterated, so hash order cannot reach an output.
#[derive(Clone, Debug)]
pub struct AccessSets {
    accounts: HashSet<Address>,
    slots: HashSet<(Address, U256)>,
    log: Vec<Warmed>,
}

impl Default for AccessSets {
    /// Empty, with room for the accounts every transaction warms
    /// (sender, recipient, coinbase, precompiles) without regrowing.
    fn default() -> Self {
        Self {
            accounts: HashSet::with_capacity(32),
            slots: HashSet::with_capacity(32),
            log: Vec::with_capacity(64),
        }
    }
}

impl AccessSets {
    /// Empty and unallocated: a placeholder while the sets are lent out.
    pub(crate) fn unallocated() -> Self {
        Self {
            accounts: HashSet::new(),
            slots: HashSet::new(),
            log: Vec::new(),
        }
    }

    /// Warms an account; returns whether it was cold.
    pub fn warm_account(&mut self, address: Address) -> bool {
        let cold = self.accounts.insert(address);
        if cold {
            self.log.push(Warmed::Account(address));
        }
        cold
    }

    /// Warms a slot; returns whether it was cold.
    pub fn warm_slot(&mut self, address: Address, key: U256) -> bool {
        let cold = self.slots.insert((address, key));
        if cold {
            self.log.push(Warmed::Slot(address, key));
        }
        cold
    }

    /// Whether an account is warm.
    #[must_use]
    pub fn is_warm(&self, address: &Address) -> bool {
        self.accounts.contains(address)
    }

    /// A mark to revert to.
    #[must_use]
    pub fn mark(&self) -> usize {
        self.log.len()
    }

    /// Makes cold again everything warmed since `mark`.
    pub fn revert_to(&mut self, mark: usize) {
        while self.log.len() > mark {
            match self.log.pop() {
                Some(Warmed::Account(a)) => {
                    self.accounts.remove(&a);
                }
                Some(Warmed::Slot(a, k)) => {
                    self.slots.remove(&(a, k));
                }
                None => break,
            }
        }
    }

    /// Forgets everything (a new transaction).
    pub fn clear(&mut self) {
        self.accounts.clear();
        self.slots.clear();
        self.log.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revert_makes_cold_again() {
        let mut s = AccessSets::default();
        let a = Address([1; 20]);
        assert!(s.warm_account(a));
        let m = s.mark();
        assert!(s.warm_slot(a, U256::from(1)));
        assert!(!s.warm_account(a));
        s.revert_to(m);
        assert!(s.is_warm(&a));
        assert!(s.warm_slot(a, U256::from(1)));
    }
}
