//! Warm accounts and slots of a transaction (EIP-2929), journaled so that
//! a reverted frame makes what it warmed cold again.

use alloc::vec::Vec;

use dfn_state::state::WordHash;
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
    accounts: HashSet<Address, WordHash>,
    slots: HashSet<(Address, U256), WordHash>,
    log: Vec<Warmed>,
    /// Accounts `0x01..=precompiles` are warm without being listed: every
    /// transaction warms all precompiles, and a check of the address is
    /// cheaper than ten insertions.
    precompiles: u8,
}

impl Default for AccessSets {
    /// Empty, with room for the accounts every transaction warms
    /// (sender, recipient, coinbase, precompiles) without regrowing.
    fn default() -> Self {
        Self {
            accounts: HashSet::with_capacity_and_hasher(32, WordHash::default()),
            slots: HashSet::with_capacity_and_hasher(32, WordHash::default()),
            log: Vec::with_capacity(64),
            precompiles: 0,
        }
    }
}

impl AccessSets {
    /// Empty and unallocated: a placeholder while the sets are lent out.
    pub(crate) fn unallocated() -> Self {
        Self {
            accounts: HashSet::default(),
            slots: HashSet::default(),
            log: Vec::new(),
            precompiles: 0,
        }
    }

    /// Warms the precompiles `0x01..=last` until [`AccessSets::clear`]
    /// (a revert does not make them cold: they are warm from the start).
    pub fn warm_precompiles(&mut self, last: u8) {
        self.precompiles = last;
    }

    fn is_warm_precompile(&self, address: &Address) -> bool {
        let (head, tail) = address.0.split_at(19);
        tail.first()
            .is_some_and(|b| *b != 0 && *b <= self.precompiles)
            && head.iter().all(|b| *b == 0)
    }

    /// Warms an account; returns whether it was cold.
    pub fn warm_account(&mut self, address: Address) -> bool {
        if self.is_warm_precompile(&address) {
            return false;
        }
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
        self.is_warm_precompile(address) || self.accounts.contains(address)
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
        self.precompiles = 0;
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

    #[test]
    fn precompiles_warm_until_cleared() {
        let mut s = AccessSets::default();
        let mut p = Address::ZERO;
        p.0[19] = 9;
        assert!(!s.is_warm(&p));
        s.warm_precompiles(10);
        let m = s.mark();
        assert!(!s.warm_account(p));
        assert!(s.is_warm(&p));
        s.revert_to(m);
        assert!(s.is_warm(&p));
        // Neither 0x00 nor 0x0b, nor an address merely ending in 0x09.
        assert!(s.warm_account(Address::ZERO));
        p.0[19] = 11;
        assert!(s.warm_account(p));
        let mut q = Address([1; 20]);
        q.0[19] = 9;
        assert!(s.warm_account(q));
        s.clear();
        p.0[19] = 9;
        assert!(!s.is_warm(&p));
    }
}
