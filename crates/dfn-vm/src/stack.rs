//! The operand stack of a frame: a buffer of the fork's full stack size,
//! allocated once and reused by later frames (see [`crate::pool`]), with
//! a length. Push and pop are one bounds check each: the buffer's end is
//! the stack limit, and an index below zero wraps to one past any end.

use alloc::vec;
use alloc::vec::Vec;

use dfn_state::U256;

use crate::error::Halt;

/// A frame's stack.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stack {
    /// `limit` words; those from `len` on are leftovers, never read.
    items: Vec<U256>,
    len: usize,
}

impl Stack {
    /// An empty stack holding at most `limit` words.
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            items: vec![U256::ZERO; limit],
            len: 0,
        }
    }

    /// Empties the stack for a new frame with the given limit.
    pub(crate) fn reset(&mut self, limit: usize) {
        self.items.resize(limit, U256::ZERO);
        self.len = 0;
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The items, bottom first.
    #[inline]
    pub(crate) fn as_slice(&self) -> &[U256] {
        self.items.get(..self.len).unwrap_or(&[])
    }

    #[inline(always)]
    pub(crate) fn push(&mut self, value: U256) -> Result<(), Halt> {
        let slot = self.items.get_mut(self.len).ok_or(Halt::StackOverflow)?;
        *slot = value;
        self.len += 1;
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn pop(&mut self) -> Result<U256, Halt> {
        let i = self.len.wrapping_sub(1);
        let value = *self.items.get(i).ok_or(Halt::StackUnderflow)?;
        self.len = i;
        Ok(value)
    }

    #[inline(always)]
    pub(crate) fn top(&mut self) -> Result<&mut U256, Halt> {
        let i = self.len.wrapping_sub(1);
        self.items.get_mut(i).ok_or(Halt::StackUnderflow)
    }

    /// DUPn: pushes a copy of the `n`-th item from the top (1 = top).
    #[inline(always)]
    pub(crate) fn dup(&mut self, n: usize) -> Result<(), Halt> {
        if n > self.len {
            return Err(Halt::StackUnderflow);
        }
        let value = *self.items.get(self.len - n).ok_or(Halt::StackUnderflow)?;
        self.push(value)
    }

    /// SWAPn: exchanges the top with the item `n` below it.
    #[inline(always)]
    pub(crate) fn swap(&mut self, n: usize) -> Result<(), Halt> {
        if n >= self.len {
            return Err(Halt::StackUnderflow);
        }
        // One range check; the swap inside the window needs none.
        let window = self
            .items
            .get_mut(self.len - 1 - n..self.len)
            .ok_or(Halt::StackUnderflow)?;
        window.swap(0, n);
        Ok(())
    }

    /// Drops items down to `len` (never grows).
    pub(crate) fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// Pushes `values` (bottom first); those beyond the limit are dropped.
    pub(crate) fn extend_from_slice(&mut self, values: &[U256]) {
        for v in values {
            if self.push(*v).is_err() {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_order() {
        let mut s = Stack::new(3);
        assert_eq!(s.pop(), Err(Halt::StackUnderflow));
        assert_eq!(s.top().err(), Some(Halt::StackUnderflow));
        for i in 1..=3u8 {
            s.push(U256::from(i)).unwrap();
        }
        assert_eq!(s.push(U256::ZERO), Err(Halt::StackOverflow));
        assert_eq!(s.dup(1), Err(Halt::StackOverflow));
        s.swap(2).unwrap();
        assert_eq!(s.as_slice(), &[U256::from(3), U256::from(2), U256::from(1)]);
        assert_eq!(s.swap(3), Err(Halt::StackUnderflow));
        assert_eq!(s.pop(), Ok(U256::from(1)));
        s.dup(2).unwrap();
        assert_eq!(s.as_slice(), &[U256::from(3), U256::from(2), U256::from(3)]);
        assert_eq!(s.dup(4), Err(Halt::StackUnderflow));
        s.truncate(1);
        s.extend_from_slice(&[U256::from(7), U256::from(8), U256::from(9)]);
        assert_eq!(s.as_slice(), &[U256::from(3), U256::from(7), U256::from(8)]);
        s.reset(3);
        assert_eq!(s.len(), 0);
        assert!(s.as_slice().is_empty());
    }
}
