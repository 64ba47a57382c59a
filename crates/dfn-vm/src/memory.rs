//! A frame's byte-addressed memory, grown in 32-byte words.

use alloc::vec::Vec;

use dfn_state::U256;

use crate::spec::Spec;

/// Memory of one call frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Memory {
    bytes: Vec<u8>,
}

/// Total memory cost of `words` words: `3a + a²/512` under Cancun.
#[must_use]
pub fn memory_cost(spec: &Spec, words: u64) -> u64 {
    words
        .saturating_mul(spec.memory_word)
        .saturating_add(words.saturating_mul(words) / spec.memory_quad_divisor)
}

impl Memory {
    /// Size in bytes (always a multiple of 32).
    #[inline]
    #[must_use]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Bytes allocated (kept when the memory is reused by another frame).
    pub(crate) fn capacity(&self) -> usize {
        self.bytes.capacity()
    }

    /// Whether nothing was ever touched.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The whole memory.
    #[must_use]
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes
    }

    /// Grows to `words` words (never shrinks).
    pub fn grow_to_words(&mut self, words: usize) {
        let len = words.saturating_mul(32);
        if len > self.bytes.len() {
            self.bytes.resize(len, 0);
        }
    }

    /// Shrinks back to `len` bytes (undoing an expansion).
    pub fn truncate(&mut self, len: usize) {
        self.bytes.truncate(len);
    }

    /// `len` bytes at `offset`; the range must be inside memory.
    #[inline]
    #[must_use]
    pub fn slice(&self, offset: usize, len: usize) -> &[u8] {
        offset
            .checked_add(len)
            .and_then(|end| self.bytes.get(offset..end))
            .unwrap_or(&[])
    }

    /// Writes `data` at `offset`; the range must be inside memory.
    #[inline]
    pub fn set(&mut self, offset: usize, data: &[u8]) {
        if let Some(dst) = offset
            .checked_add(data.len())
            .and_then(|end| self.bytes.get_mut(offset..end))
        {
            dst.copy_from_slice(data);
        }
    }

    /// Writes `len` bytes at `offset` from `src` starting at `src_offset`,
    /// zero-filling what lies past the end of `src` (CALLDATACOPY, CODECOPY).
    pub fn set_padded(&mut self, offset: usize, len: usize, src: &[u8], src_offset: usize) {
        let Some(dst) = offset
            .checked_add(len)
            .and_then(|end| self.bytes.get_mut(offset..end))
        else {
            return;
        };
        let available = src.get(src_offset..).unwrap_or(&[]);
        let n = available.len().min(len);
        let (head, tail) = dst.split_at_mut(n);
        head.copy_from_slice(available.get(..n).unwrap_or(&[]));
        tail.fill(0);
    }

    /// Copies `len` bytes within memory (MCOPY); both ranges inside memory.
    pub fn copy_within(&mut self, src: usize, dst: usize, len: usize) {
        if let Some(end) = src.checked_add(len) {
            if end <= self.bytes.len() && dst.saturating_add(len) <= self.bytes.len() {
                self.bytes.copy_within(src..end, dst);
            }
        }
    }

    /// The 32-byte word at `offset` (MLOAD); inside memory.
    #[inline]
    #[must_use]
    pub fn word(&self, offset: usize) -> U256 {
        let mut buf = [0u8; 32];
        if let Some(src) = offset
            .checked_add(32)
            .and_then(|end| self.bytes.get(offset..end))
        {
            buf.copy_from_slice(src);
        }
        U256::from_be_bytes(buf)
    }

    /// Writes a 32-byte word at `offset` (MSTORE); inside memory.
    #[inline]
    pub fn set_word(&mut self, offset: usize, value: &U256) {
        if let Some(dst) = offset
            .checked_add(32)
            .and_then(|end| self.bytes.get_mut(offset..end))
        {
            dst.copy_from_slice(&value.to_be_bytes::<32>());
        }
    }

    /// Sets one byte (MSTORE8); inside memory.
    #[inline]
    pub fn set_byte(&mut self, offset: usize, byte: u8) {
        if let Some(b) = self.bytes.get_mut(offset) {
            *b = byte;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_and_padding() {
        assert_eq!(memory_cost(&Spec::CANCUN, 1), 3);
        assert_eq!(memory_cost(&Spec::CANCUN, 32), 96 + 2);
        let mut m = Memory::default();
        m.grow_to_words(2);
        assert_eq!(m.len(), 64);
        m.set(0, &[0xff; 64]);
        m.set_padded(30, 4, &[1, 2, 3], 1);
        assert_eq!(m.slice(29, 6), &[0xff, 2, 3, 0, 0, 0xff]);
        m.copy_within(30, 0, 2);
        assert_eq!(m.slice(0, 3), &[2, 3, 0xff]);
    }
}
