//! The journal: what each change overwrote, so that a call frame's changes
//! can be undone (`revert`) or folded into its parent (`commit`).

use alloc::boxed::Box;
use alloc::vec::Vec;

use ruint::aliases::U256;

use super::cache::CachedAccount;
use super::error::StateError;
use crate::address::Address;
use crate::hash::B256;

/// An open checkpoint: its nesting depth (0 for the outermost).
///
/// Checkpoints close in nested order: only the innermost open one can be
/// committed or reverted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Checkpoint(pub(crate) usize);

impl Checkpoint {
    /// Nesting depth (0 for the outermost).
    #[must_use]
    pub const fn depth(self) -> usize {
        self.0
    }
}

/// One change, with the value it replaced.
///
/// Room is left for EIP-2929 warm/cold access sets (an "address warmed"
/// or "slot warmed" entry undone by making it cold again).
#[derive(Clone, Debug)]
pub(crate) enum Entry {
    /// The account did not exist and now does.
    Appeared {
        address: Address,
    },
    /// The account was (re)created by CREATE: everything it was before.
    Created {
        address: Address,
        previous: Box<CachedAccount>,
    },
    /// First touch in the transaction (EIP-161).
    Touched {
        address: Address,
    },
    BalanceChanged {
        address: Address,
        previous: U256,
    },
    NonceChanged {
        address: Address,
        previous: u64,
    },
    CodeChanged {
        address: Address,
        previous: B256,
    },
    StorageChanged {
        address: Address,
        key: U256,
        previous: U256,
    },
    TransientChanged {
        address: Address,
        key: U256,
        previous: U256,
    },
    /// Marked for deletion at the end of the transaction.
    SelfDestructed {
        address: Address,
    },
}

/// The entries since the start of the transaction and the open
/// checkpoints (each the journal length when it opened).
#[derive(Clone, Debug, Default)]
pub(crate) struct Journal {
    entries: Vec<Entry>,
    open: Vec<usize>,
}

impl Journal {
    /// An empty journal with room for `entries` changes before it grows.
    pub(crate) fn with_capacity(entries: usize) -> Self {
        Self {
            entries: Vec::with_capacity(entries),
            open: Vec::new(),
        }
    }

    pub(crate) fn record(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    pub(crate) fn checkpoint(&mut self) -> Checkpoint {
        self.open.push(self.entries.len());
        Checkpoint(self.open.len() - 1)
    }

    fn check_innermost(&self, cp: Checkpoint) -> Result<(), StateError> {
        let innermost = self.open.len().checked_sub(1);
        if innermost == Some(cp.0) {
            Ok(())
        } else {
            Err(StateError::NotInnermostCheckpoint {
                given: cp.0,
                innermost,
            })
        }
    }

    /// Closes `cp`, keeping its changes (an outer revert still undoes them).
    pub(crate) fn commit(&mut self, cp: Checkpoint) -> Result<(), StateError> {
        self.check_innermost(cp)?;
        self.open.pop();
        Ok(())
    }

    /// Closes `cp` and returns its entries, newest first, to be undone.
    pub(crate) fn revert(&mut self, cp: Checkpoint) -> Result<Vec<Entry>, StateError> {
        self.check_innermost(cp)?;
        let start = self.open.pop().unwrap_or(0);
        let mut undone = self.entries.split_off(start.min(self.entries.len()));
        undone.reverse();
        Ok(undone)
    }

    pub(crate) fn open_checkpoints(&self) -> usize {
        self.open.len()
    }

    /// Forgets everything (at the end of a transaction).
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.open.clear();
    }
}
