//! One call frame: code, program counter, stack, memory, gas, and what
//! its caller waits for.

use alloc::sync::Arc;
use alloc::vec::Vec;

use dfn_state::state::Checkpoint;
use dfn_state::{Address, U256};

use crate::analysis::AnalyzedCode;
use crate::error::Halt;
use crate::memory::{Memory, memory_cost};
use crate::spec::Spec;
use crate::stack::Stack;

/// The journal marks a frame reverts to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Marks {
    pub(crate) checkpoint: Checkpoint,
    pub(crate) access: usize,
    pub(crate) logs: usize,
}

/// How a frame was entered: it decides what its end means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FrameKind {
    /// A message call; its output is returned.
    Call,
    /// Contract creation at `address`; its output becomes the code.
    Create {
        /// The new account.
        address: Address,
    },
}

/// Where a frame's parent wants the result of the child it started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pending {
    /// Nothing started.
    None,
    /// A call: output goes to memory `[offset, offset + len)`.
    Call { ret_offset: usize, ret_len: usize },
    /// A create: the new address (or zero) is pushed.
    Create,
}

/// A running frame.
#[derive(Clone, Debug)]
pub(crate) struct Frame {
    pub(crate) code: Arc<AnalyzedCode>,
    pub(crate) pc: usize,
    pub(crate) stack: Stack,
    pub(crate) memory: Memory,
    pub(crate) gas: u64,
    /// Refund so far; an SSTORE may take back part of an earlier refund
    /// of the same transaction, so it can go negative within a frame.
    pub(crate) refund: i64,
    pub(crate) return_data: Vec<u8>,
    /// Whose storage and balance the code acts on (ADDRESS).
    pub(crate) address: Address,
    /// CALLER.
    pub(crate) caller: Address,
    /// CALLVALUE.
    pub(crate) value: U256,
    pub(crate) input: Vec<u8>,
    pub(crate) is_static: bool,
    /// 0 for the transaction's own frame.
    pub(crate) depth: usize,
    pub(crate) kind: FrameKind,
    pub(crate) marks: Marks,
    pub(crate) pending: Pending,
    /// The frame as it was before the current state-accessing opcode.
    pub(crate) retry: Retry,
}

/// Most stack items an opcode pops (CALL).
const MAX_POPS: usize = 7;

/// What an opcode that reads state may change before its read: restored
/// when the host answers "pending", so that the opcode runs again from
/// the start once the answer is there.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Retry {
    pc: usize,
    gas: u64,
    refund: i64,
    stack_len: usize,
    /// The top items, bottom first; `popped` of them are valid.
    top: [U256; MAX_POPS],
    popped: usize,
    memory_len: usize,
    access: usize,
}

/// How a frame ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// STOP, RETURN or SELFDESTRUCT (or a successful precompile).
    Success,
    /// REVERT: changes undone, gas left returned.
    Revert,
    /// Exceptional halt: changes undone, all gas consumed.
    Halt(Halt),
}

/// What a finished frame hands its parent.
#[derive(Clone, Debug)]
pub(crate) struct FrameResult {
    pub(crate) status: Status,
    pub(crate) output: Vec<u8>,
    pub(crate) gas_left: u64,
    pub(crate) refund: i64,
    /// For a successful create, the new account.
    pub(crate) created: Option<Address>,
}

impl FrameResult {
    pub(crate) fn halt(reason: Halt) -> Self {
        Self {
            status: Status::Halt(reason),
            output: Vec::new(),
            gas_left: 0,
            refund: 0,
            created: None,
        }
    }

    /// A call or create that failed before running (depth, balance):
    /// its gas goes back.
    pub(crate) fn not_started(gas: u64) -> Self {
        Self {
            status: Status::Revert,
            output: Vec::new(),
            gas_left: gas,
            refund: 0,
            created: None,
        }
    }
}

impl Frame {
    #[allow(
        clippy::too_many_arguments,
        reason = "one field each (buffers from the pool); called from two places"
    )]
    pub(crate) fn new(
        code: Arc<AnalyzedCode>,
        gas: u64,
        address: Address,
        caller: Address,
        value: U256,
        input: Vec<u8>,
        is_static: bool,
        depth: usize,
        kind: FrameKind,
        marks: Marks,
        (stack, memory): (Stack, Memory),
    ) -> Self {
        Self {
            code,
            pc: 0,
            stack,
            memory,
            gas,
            refund: 0,
            return_data: Vec::new(),
            address,
            caller,
            value,
            input,
            is_static,
            depth,
            kind,
            marks,
            pending: Pending::None,
            retry: Retry::default(),
        }
    }

    /// Remembers the frame as it was before the opcode at `pc`, whose
    /// static cost `base` is already charged, touches state. Only the
    /// opcodes that read state call it, first thing, so that the other
    /// opcodes pay nothing for suspension.
    #[inline]
    pub(crate) fn save_retry(&mut self, pc: usize, base: u64, access: usize) {
        let len = self.stack.len();
        let popped = len.min(MAX_POPS);
        let mut top = [U256::ZERO; MAX_POPS];
        if let (Some(dst), Some(src)) = (
            top.get_mut(..popped),
            self.stack.as_slice().get(len - popped..),
        ) {
            dst.copy_from_slice(src);
        }
        self.retry = Retry {
            pc,
            gas: self.gas + base,
            refund: self.refund,
            stack_len: len,
            top,
            popped,
            memory_len: self.memory.len(),
            access,
        };
    }

    /// Puts the frame back as [`Frame::save_retry`] found it; returns the
    /// access-set mark to revert to.
    pub(crate) fn restore_retry(&mut self) -> usize {
        let r = self.retry;
        self.stack.truncate(r.stack_len - r.popped);
        self.stack
            .extend_from_slice(r.top.get(..r.popped).unwrap_or(&[]));
        self.pc = r.pc;
        self.gas = r.gas;
        self.refund = r.refund;
        self.memory.truncate(r.memory_len);
        r.access
    }

    #[inline(always)]
    pub(crate) fn charge(&mut self, cost: u64) -> Result<(), Halt> {
        self.gas = self.gas.checked_sub(cost).ok_or(Halt::OutOfGas)?;
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn pop(&mut self) -> Result<U256, Halt> {
        self.stack.pop()
    }

    /// Pushes a word; the stack's buffer is the fork's stack limit.
    #[inline(always)]
    pub(crate) fn push(&mut self, value: U256) -> Result<(), Halt> {
        self.stack.push(value)
    }

    #[inline(always)]
    pub(crate) fn top(&mut self) -> Result<&mut U256, Halt> {
        self.stack.top()
    }

    /// [`Frame::expand`] for a 32-byte word, with an inlined fast path
    /// for the common case of memory already large enough.
    #[inline]
    pub(crate) fn expand_word(
        &mut self,
        spec: &Spec,
        limit: u64,
        offset: U256,
    ) -> Result<usize, Halt> {
        let [low, rest @ ..] = *offset.as_limbs();
        if rest == [0; 3]
            && low
                .checked_add(32)
                .is_some_and(|end| end <= self.memory.len() as u64)
        {
            return usize::try_from(low).map_err(|_| Halt::MemoryLimit);
        }
        self.expand(spec, limit, offset, U256::from(32u8))
    }

    /// Makes memory cover `[offset, offset + len)`, charging the
    /// expansion; returns `offset` as an index (0 when `len` is 0, which
    /// touches nothing whatever the offset).
    pub(crate) fn expand(
        &mut self,
        spec: &Spec,
        limit: u64,
        offset: U256,
        len: U256,
    ) -> Result<usize, Halt> {
        if len.is_zero() {
            return Ok(0);
        }
        let off = u64::try_from(offset).map_err(|_| Halt::OutOfGas)?;
        let n = u64::try_from(len).map_err(|_| Halt::OutOfGas)?;
        let end = off.checked_add(n).ok_or(Halt::OutOfGas)?;
        self.expand_to(spec, limit, end)?;
        usize::try_from(off).map_err(|_| Halt::MemoryLimit)
    }

    /// Makes memory at least `end` bytes long, charging the expansion.
    pub(crate) fn expand_to(&mut self, spec: &Spec, limit: u64, end: u64) -> Result<(), Halt> {
        let old_len = self.memory.len() as u64;
        if end <= old_len {
            return Ok(());
        }
        let new_words = end.div_ceil(32);
        // A cost beyond any gas limit: report out of gas, as an
        // unbounded machine would.
        if new_words > u64::from(u32::MAX) {
            return Err(Halt::OutOfGas);
        }
        let cost = memory_cost(spec, new_words) - memory_cost(spec, old_len / 32);
        self.charge(cost)?;
        if end > limit {
            return Err(Halt::MemoryLimit);
        }
        self.memory
            .grow_to_words(usize::try_from(new_words).map_err(|_| Halt::MemoryLimit)?);
        Ok(())
    }
}
