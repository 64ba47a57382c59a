//! Transient storage (EIP-1153): per-account words that live for one
//! transaction.

use alloc::collections::BTreeMap;

use ruint::aliases::U256;

use crate::address::Address;

/// Transient storage of every account; zero words are not kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransientStorage {
    words: BTreeMap<(Address, U256), U256>,
}

impl TransientStorage {
    /// The word at `key` of `address` (zero if never set).
    #[must_use]
    pub fn get(&self, address: Address, key: U256) -> U256 {
        self.words
            .get(&(address, key))
            .copied()
            .unwrap_or(U256::ZERO)
    }

    /// Sets a word; returns the previous one.
    pub fn set(&mut self, address: Address, key: U256, value: U256) -> U256 {
        let previous = if value.is_zero() {
            self.words.remove(&(address, key))
        } else {
            self.words.insert((address, key), value)
        };
        previous.unwrap_or(U256::ZERO)
    }

    /// Forgets every word (at the end of a transaction).
    pub fn clear(&mut self) {
        self.words.clear();
    }

    /// Whether every word is zero.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_clear() {
        let mut t = TransientStorage::default();
        let a = Address([1; 20]);
        assert_eq!(t.set(a, U256::from(1), U256::from(7)), U256::ZERO);
        assert_eq!(t.get(a, U256::from(1)), U256::from(7));
        assert_eq!(t.set(a, U256::from(1), U256::ZERO), U256::from(7));
        assert!(t.is_empty());
        t.set(a, U256::from(2), U256::from(3));
        t.clear();
        assert_eq!(t.get(a, U256::from(2)), U256::ZERO);
    }
}
