//! Code analysis: which bytes are valid jump destinations, cached per
//! code hash so that a contract called many times is analysed once.

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use dfn_state::B256;
use dfn_state::state::WordHash;
use hashbrown::HashMap;

use crate::opcode;

/// Code with its jump-destination bitmap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyzedCode {
    /// The code followed by [`PADDING`] zero bytes.
    padded: Vec<u8>,
    len: usize,
    /// Bit `i` set: byte `i` is a JUMPDEST opcode (not push data).
    jumpdests: Vec<u64>,
}

/// Zero bytes after the code: a PUSH32 at the very end, and the STOP the
/// program counter finds past it, read inside the buffer.
pub const PADDING: usize = 33;

impl AnalyzedCode {
    /// Analyses `code`.
    #[must_use]
    pub fn new(code: &[u8]) -> Self {
        let mut jumpdests = vec![0u64; code.len().div_ceil(64)];
        let mut pc = 0usize;
        while let Some(&op) = code.get(pc) {
            if op == opcode::JUMPDEST {
                if let Some(word) = jumpdests.get_mut(pc / 64) {
                    *word |= 1 << (pc % 64);
                }
            } else if (opcode::PUSH1..=opcode::PUSH32).contains(&op) {
                pc += usize::from(op - opcode::PUSH1) + 1;
            }
            pc += 1;
        }
        let mut padded = Vec::with_capacity(code.len() + PADDING);
        padded.extend_from_slice(code);
        padded.resize(code.len() + PADDING, 0);
        Self {
            padded,
            len: code.len(),
            jumpdests,
        }
    }

    /// The code bytes.
    #[must_use]
    pub fn code(&self) -> &[u8] {
        self.padded.get(..self.len).unwrap_or(&[])
    }

    /// The code bytes followed by [`PADDING`] zeros.
    #[must_use]
    pub fn padded(&self) -> &[u8] {
        &self.padded
    }

    /// Whether `pc` is a valid jump destination.
    #[inline]
    #[must_use]
    pub fn is_jumpdest(&self, pc: usize) -> bool {
        self.jumpdests
            .get(pc / 64)
            .is_some_and(|w| w & (1 << (pc % 64)) != 0)
    }
}

/// Analyses kept by code hash across transactions.
#[derive(Clone, Debug, Default)]
pub struct AnalysisCache {
    entries: HashMap<B256, Arc<AnalyzedCode>, WordHash>,
}

impl AnalysisCache {
    /// The analysis of the code whose Keccak-256 is `hash`, if cached: a
    /// call to known code then needs neither the code nor its analysis.
    #[must_use]
    pub fn get(&self, hash: &B256) -> Option<Arc<AnalyzedCode>> {
        self.entries.get(hash).map(Arc::clone)
    }

    /// The analysis of `code`, whose Keccak-256 is `hash`.
    pub fn get_or_analyze(&mut self, hash: B256, code: Arc<[u8]>) -> Arc<AnalyzedCode> {
        Arc::clone(
            self.entries
                .entry(hash)
                .or_insert_with(|| Arc::new(AnalyzedCode::new(&code))),
        )
    }

    /// How many analyses are cached.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is cached.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_data_is_not_a_jumpdest() {
        // PUSH1 0x5b, JUMPDEST, PUSH2 0x5b5b, JUMPDEST
        let a = AnalyzedCode::new(&[0x60, 0x5b, 0x5b, 0x61, 0x5b, 0x5b, 0x5b]);
        assert_eq!(a.code().len(), 7);
        assert_eq!(a.padded().len(), 7 + PADDING);
        assert!(!a.is_jumpdest(1));
        assert!(a.is_jumpdest(2));
        assert!(!a.is_jumpdest(4));
        assert!(!a.is_jumpdest(5));
        assert!(a.is_jumpdest(6));
        assert!(!a.is_jumpdest(7));
        assert!(!a.is_jumpdest(1 << 40));
    }
}
