//! Stacks and memories of finished frames, kept by the [`Executor`] for
//! the frames of later calls and transactions: a short transaction
//! otherwise spends a noticeable part of its time allocating (and the
//! kernel zeroing) a fresh 32 KiB stack and a memory per frame.
//!
//! [`Executor`]: crate::Executor

use alloc::vec::Vec;

use crate::frame::Frame;
use crate::memory::Memory;
use crate::stack::Stack;

/// Buffers kept at most (deeper call chains allocate the rest).
const KEPT: usize = 8;
/// Memories larger than this are dropped rather than kept.
const KEPT_MEMORY_BYTES: usize = 1 << 20;

/// Spare frame buffers.
#[derive(Clone, Debug, Default)]
pub(crate) struct FramePool {
    stacks: Vec<Stack>,
    memories: Vec<Memory>,
    /// The (empty) frame stack of the last transaction.
    frames: Vec<Frame>,
}

impl FramePool {
    /// An empty frame stack, with room for the frames of a transaction
    /// as deep as the last one.
    pub(crate) fn frames(&mut self) -> Vec<Frame> {
        core::mem::take(&mut self.frames)
    }

    /// Takes back a finished transaction's frame stack.
    pub(crate) fn put_frames(&mut self, mut frames: Vec<Frame>) {
        frames.clear();
        if frames.capacity() <= KEPT {
            self.frames = frames;
        }
    }

    /// An empty stack of `limit` words.
    pub(crate) fn stack(&mut self, limit: usize) -> Stack {
        match self.stacks.pop() {
            Some(mut s) => {
                s.reset(limit);
                s
            }
            None => Stack::new(limit),
        }
    }

    /// An empty memory.
    pub(crate) fn memory(&mut self) -> Memory {
        self.memories.pop().unwrap_or_default()
    }

    /// Takes back a finished frame's buffers.
    pub(crate) fn put(&mut self, stack: Stack, mut memory: Memory) {
        if self.stacks.len() < KEPT {
            self.stacks.push(stack);
        }
        if self.memories.len() < KEPT && memory.capacity() <= KEPT_MEMORY_BYTES {
            memory.truncate(0);
            self.memories.push(memory);
        }
    }
}
