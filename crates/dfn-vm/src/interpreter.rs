//! The opcode loop: executes one frame until it ends or starts a child.

use alloc::sync::Arc;
use alloc::vec::Vec;

use dfn_state::{Address, B256, U256};

use crate::arith;
use crate::error::Halt;
use crate::evm::{Action, CallKind, CallRequest, CreateRequest, CreateScheme, Evm};
use crate::frame::{Frame, Pending, Status};
use crate::host::Host;
use crate::keccak::keccak256;
use crate::log::Log;
use crate::opcode as op;
use crate::tracer::Step;

/// Why the loop stopped early: an exceptional halt or a host failure.
enum Exit<E> {
    Halt(Halt),
    Host(E),
}

impl<E> From<Halt> for Exit<E> {
    fn from(h: Halt) -> Self {
        Self::Halt(h)
    }
}

/// Host failures abort the whole transaction.
trait HostResult<T, E> {
    fn host(self) -> Result<T, Exit<E>>;
}

impl<T, E> HostResult<T, E> for Result<T, E> {
    #[inline]
    fn host(self) -> Result<T, Exit<E>> {
        self.map_err(Exit::Host)
    }
}

/// The low 160 bits of a word as an address.
#[inline]
fn to_address(word: U256) -> Address {
    let bytes = word.to_be_bytes::<32>();
    let mut a = [0u8; 20];
    a.copy_from_slice(bytes.get(12..).unwrap_or(&[0; 20]));
    Address(a)
}

#[inline]
fn address_word(a: &Address) -> U256 {
    U256::from_be_slice(&a.0)
}

#[inline]
fn words(len: U256) -> u64 {
    u64::try_from(len).map_or(u64::MAX, |n| n.div_ceil(32))
}

/// A word as an index into some data; past-the-end when it does not fit.
#[inline]
fn as_index(x: U256) -> usize {
    usize::try_from(x).unwrap_or(usize::MAX)
}

/// 32 bytes of `data` from `offset`, zero-padded.
#[inline]
fn load_word(data: &[u8], offset: U256) -> U256 {
    let mut buf = [0u8; 32];
    let start = as_index(offset);
    if let Some(src) = data.get(start..) {
        let n = src.len().min(32);
        if let (Some(d), Some(s)) = (buf.get_mut(..n), src.get(..n)) {
            d.copy_from_slice(s);
        }
    }
    U256::from_be_bytes(buf)
}

/// The `N` bytes after a PUSHn (n ≤ 8) at `pc`: one 8-byte read (the
/// code's padding keeps it inside the buffer) and a shift.
#[inline(always)]
fn push_word<const N: usize>(padded: &[u8], pc: usize) -> u64 {
    let word = padded
        .get(pc..pc + 8)
        .and_then(|s| <[u8; 8]>::try_from(s).ok())
        .map_or(0, u64::from_be_bytes);
    word >> (64 - 8 * N)
}

/// The static cost of an opcode undefined in the fork: more than any
/// frame's gas (a transaction's gas limit is a `u64` less its intrinsic
/// gas), so the loop's one gas check also catches undefined opcodes and
/// tells them apart only on that cold path.
pub(crate) const UNDEFINED: u64 = u64::MAX;

/// [`Spec::cost_table`] widened for the loop, with [`UNDEFINED`] for an
/// undefined opcode.
///
/// [`Spec::cost_table`]: crate::Spec::cost_table
pub(crate) fn loop_costs(table: [u32; 256]) -> [u64; 256] {
    table.map(|c| {
        if c == u32::MAX {
            UNDEFINED
        } else {
            u64::from(c)
        }
    })
}

impl<H: Host> Evm<'_, '_, H> {
    /// Runs `frame` until it finishes or starts a call or create.
    pub(crate) fn interpret(&mut self, frame: &mut Frame) -> Result<Action, H::Error> {
        let run = if self.tracer.is_some() {
            self.execute::<true>(frame)
        } else {
            self.execute::<false>(frame)
        };
        match run {
            Ok(action) => Ok(action),
            Err(Exit::Halt(reason)) => Ok(Action::Done(Status::Halt(reason), Vec::new())),
            Err(Exit::Host(e)) if H::is_pending(&e) => {
                let mark = frame.restore_retry();
                self.access.revert_to(mark);
                Ok(Action::Suspend)
            }
            Err(Exit::Host(e)) => Err(e),
        }
    }

    fn access_cost(&mut self, address: Address) -> u64 {
        if self.access.warm_account(address) {
            self.spec.cold_account_access
        } else {
            self.spec.warm_access
        }
    }

    #[allow(clippy::too_many_lines)]
    fn execute<const TRACE: bool>(&mut self, f: &mut Frame) -> Result<Action, Exit<H::Error>> {
        let spec = self.spec;
        let costs = self.costs;
        let limit = self.memory_limit;
        let code = Arc::clone(&f.code);
        let bytes: &[u8] = code.code();
        let padded: &[u8] = code.padded();
        // The program counter is a local; it is written back
        // only where the frame pauses for a child call or create.
        let mut pc = f.pc;
        loop {
            let opcode = padded.get(pc).copied().unwrap_or(op::STOP);
            let base = costs.get(usize::from(opcode)).copied().unwrap_or(UNDEFINED);
            if TRACE && base != UNDEFINED {
                if let Some(tracer) = self.tracer.as_deref_mut() {
                    tracer.step(&Step {
                        pc,
                        op: opcode,
                        gas: f.gas,
                        gas_cost: base,
                        stack: f.stack.as_slice(),
                        memory_size: f.memory.len(),
                        depth: f.depth + 1,
                        refund: f.refund,
                        return_data: &f.return_data,
                    });
                }
            }
            // Opcodes that read state (and so may be suspended) save the
            // frame as it was before this charge: `Frame::save_retry`.
            f.gas = match f.gas.checked_sub(base) {
                Some(gas) => gas,
                None if base == UNDEFINED => return Err(Halt::InvalidOpcode(opcode).into()),
                None => return Err(Halt::OutOfGas.into()),
            };
            pc += 1;
            match opcode {
                op::STOP => return Ok(Action::Done(Status::Success, Vec::new())),
                op::ADD => {
                    let a = f.pop()?;
                    let b = f.top()?;
                    *b = a.wrapping_add(*b);
                }
                op::MUL => {
                    let a = f.pop()?;
                    let b = f.top()?;
                    *b = a.wrapping_mul(*b);
                }
                op::SUB => {
                    let a = f.pop()?;
                    let b = f.top()?;
                    *b = a.wrapping_sub(*b);
                }
                op::DIV => {
                    let a = f.pop()?;
                    let b = f.top()?;
                    *b = arith::div(a, *b);
                }
                op::SDIV => {
                    let a = f.pop()?;
                    let b = f.top()?;
                    *b = arith::sdiv(a, *b);
                }
                op::MOD => {
                    let a = f.pop()?;
                    let b = f.top()?;
                    *b = arith::rem(a, *b);
                }
                op::SMOD => {
                    let a = f.pop()?;
                    let b = f.top()?;
                    *b = arith::smod(a, *b);
                }
                op::SIGNEXTEND => {
                    let b = f.pop()?;
                    let x = f.top()?;
                    *x = arith::signextend(b, *x);
                }
                op::LT => {
                    let a = f.pop()?;
                    let b = f.top()?;
                    *b = U256::from(u8::from(a < *b));
                }
                op::GT => {
                    let a = f.pop()?;
                    let b = f.top()?;
                    *b = U256::from(u8::from(a > *b));
                }
                op::SLT => {
                    let a = f.pop()?;
                    let b = f.top()?;
                    *b = U256::from(u8::from(arith::slt(&a, b)));
                }
                op::SGT => {
                    let a = f.pop()?;
                    let b = f.top()?;
                    *b = U256::from(u8::from(arith::slt(b, &a)));
                }
                op::EQ => {
                    let a = f.pop()?;
                    let b = f.top()?;
                    *b = U256::from(u8::from(a == *b));
                }
                op::ISZERO => {
                    let a = f.top()?;
                    *a = U256::from(u8::from(a.is_zero()));
                }
                op::AND => {
                    let a = f.pop()?;
                    let b = f.top()?;
                    *b &= a;
                }
                op::OR => {
                    let a = f.pop()?;
                    let b = f.top()?;
                    *b |= a;
                }
                op::XOR => {
                    let a = f.pop()?;
                    let b = f.top()?;
                    *b ^= a;
                }
                op::NOT => {
                    let a = f.top()?;
                    *a = !*a;
                }
                op::BYTE => {
                    let i = f.pop()?;
                    let x = f.top()?;
                    *x = arith::byte(i, *x);
                }
                op::SHL => {
                    let s = f.pop()?;
                    let x = f.top()?;
                    *x = arith::shl(s, *x);
                }
                op::SHR => {
                    let s = f.pop()?;
                    let x = f.top()?;
                    *x = arith::shr(s, *x);
                }
                op::SAR => {
                    let s = f.pop()?;
                    let x = f.top()?;
                    *x = arith::sar(s, *x);
                }
                op::ADDRESS => f.push(address_word(&f.address))?,
                op::CALLER => f.push(address_word(&f.caller))?,
                op::CALLVALUE => f.push(f.value)?,
                op::CALLDATALOAD => {
                    let offset = *f.top()?;
                    *f.top()? = load_word(&f.input, offset);
                }
                op::CALLDATASIZE => f.push(U256::from(f.input.len()))?,
                op::POP => {
                    f.pop()?;
                }
                op::MLOAD => {
                    let offset = *f.top()?;
                    let start = f.expand_word(spec, limit, offset)?;
                    *f.top()? = f.memory.word(start);
                }
                op::MSTORE => {
                    let offset = f.pop()?;
                    let value = f.pop()?;
                    let start = f.expand_word(spec, limit, offset)?;
                    f.memory.set_word(start, &value);
                }
                op::MSTORE8 => {
                    let offset = f.pop()?;
                    let value = f.pop()?;
                    let start = f.expand(spec, limit, offset, U256::from(1))?;
                    f.memory.set_byte(start, value.byte(0));
                }
                op::JUMP => {
                    let dest = as_index(f.pop()?);
                    if !code.is_jumpdest(dest) {
                        return Err(Halt::InvalidJump.into());
                    }
                    pc = dest;
                }
                op::JUMPI => {
                    let dest = f.pop()?;
                    let cond = f.pop()?;
                    if !cond.is_zero() {
                        let dest = as_index(dest);
                        if !code.is_jumpdest(dest) {
                            return Err(Halt::InvalidJump.into());
                        }
                        pc = dest;
                    }
                }
                op::PC => f.push(U256::from(pc - 1))?,
                op::MSIZE => f.push(U256::from(f.memory.len()))?,
                op::GAS => f.push(U256::from(f.gas))?,
                op::JUMPDEST => {}
                op::PUSH0 => f.push(U256::ZERO)?,
                op::PUSH1 => {
                    let b = padded.get(pc).copied().unwrap_or(0);
                    f.push(U256::from(b))?;
                    pc += 1;
                }
                // One arm per PUSHn (n ≤ 8), DUPn and SWAPn, each with its
                // constant: distinct targets make the compiler dispatch
                // these, the commonest opcodes, through the one jump table
                // rather than a chain of range checks.
                op::PUSH2 => {
                    f.push(U256::from(push_word::<2>(padded, pc)))?;
                    pc += 2;
                }
                op::PUSH3 => {
                    f.push(U256::from(push_word::<3>(padded, pc)))?;
                    pc += 3;
                }
                op::PUSH4 => {
                    f.push(U256::from(push_word::<4>(padded, pc)))?;
                    pc += 4;
                }
                op::PUSH5 => {
                    f.push(U256::from(push_word::<5>(padded, pc)))?;
                    pc += 5;
                }
                op::PUSH6 => {
                    f.push(U256::from(push_word::<6>(padded, pc)))?;
                    pc += 6;
                }
                op::PUSH7 => {
                    f.push(U256::from(push_word::<7>(padded, pc)))?;
                    pc += 7;
                }
                op::PUSH8 => {
                    f.push(U256::from(push_word::<8>(padded, pc)))?;
                    pc += 8;
                }
                op::PUSH9..=op::PUSH32 => {
                    // One 32-byte read (the padding keeps it inside the
                    // buffer, and reads zeros past the code) and a shift.
                    let n = usize::from(opcode - op::PUSH1) + 1;
                    let word = padded
                        .get(pc..pc + 32)
                        .and_then(|s| <[u8; 32]>::try_from(s).ok())
                        .map_or(U256::ZERO, U256::from_be_bytes);
                    f.push(word >> (256 - 8 * n))?;
                    pc += n;
                }
                op::DUP1 => f.stack.dup(1)?,
                op::DUP2 => f.stack.dup(2)?,
                op::DUP3 => f.stack.dup(3)?,
                op::DUP4 => f.stack.dup(4)?,
                op::DUP5 => f.stack.dup(5)?,
                op::DUP6 => f.stack.dup(6)?,
                op::DUP7 => f.stack.dup(7)?,
                op::DUP8 => f.stack.dup(8)?,
                op::DUP9 => f.stack.dup(9)?,
                op::DUP10 => f.stack.dup(10)?,
                op::DUP11 => f.stack.dup(11)?,
                op::DUP12 => f.stack.dup(12)?,
                op::DUP13 => f.stack.dup(13)?,
                op::DUP14 => f.stack.dup(14)?,
                op::DUP15 => f.stack.dup(15)?,
                op::DUP16 => f.stack.dup(16)?,
                op::SWAP1 => f.stack.swap(1)?,
                op::SWAP2 => f.stack.swap(2)?,
                op::SWAP3 => f.stack.swap(3)?,
                op::SWAP4 => f.stack.swap(4)?,
                op::SWAP5 => f.stack.swap(5)?,
                op::SWAP6 => f.stack.swap(6)?,
                op::SWAP7 => f.stack.swap(7)?,
                op::SWAP8 => f.stack.swap(8)?,
                op::SWAP9 => f.stack.swap(9)?,
                op::SWAP10 => f.stack.swap(10)?,
                op::SWAP11 => f.stack.swap(11)?,
                op::SWAP12 => f.stack.swap(12)?,
                op::SWAP13 => f.stack.swap(13)?,
                op::SWAP14 => f.stack.swap(14)?,
                op::SWAP15 => f.stack.swap(15)?,
                op::SWAP16 => f.stack.swap(16)?,
                _ => {
                    if let Some(action) = self.other(f, opcode, pc, base, bytes)? {
                        return Ok(action);
                    }
                }
            }
        }
    }

    /// The opcodes outside the hot loop: state access, environment,
    /// copies, logs, calls and creates, halts. Kept out of
    /// [`Evm::execute`] so that the loop stays small: with them inside,
    /// the common opcodes ran up to twice as slowly (SWAP was no longer
    /// inlined, more values were spilled). `pc` is past the opcode;
    /// `Some` ends the frame's run.
    #[inline(never)]
    #[allow(clippy::too_many_lines)]
    fn other(
        &mut self,
        f: &mut Frame,
        opcode: u8,
        pc: usize,
        base: u64,
        bytes: &[u8],
    ) -> Result<Option<Action>, Exit<H::Error>> {
        let spec = self.spec;
        let limit = self.memory_limit;
        match opcode {
            op::ADDMOD => {
                let a = f.pop()?;
                let b = f.pop()?;
                let n = f.top()?;
                *n = a.add_mod(b, *n);
            }
            op::MULMOD => {
                let a = f.pop()?;
                let b = f.pop()?;
                let n = f.top()?;
                *n = a.mul_mod(b, *n);
            }
            op::EXP => {
                let a = f.pop()?;
                let e = *f.top()?;
                f.charge(spec.exp_byte * e.byte_len() as u64)?;
                *f.top()? = a.wrapping_pow(e);
            }
            op::KECCAK256 => {
                let offset = f.pop()?;
                let len = f.pop()?;
                let start = f.expand(spec, limit, offset, len)?;
                f.charge(spec.keccak_word.saturating_mul(words(len)))?;
                let hash = keccak256(f.memory.slice(start, as_index(len)));
                f.push(U256::from_be_bytes(hash.0))?;
            }
            op::BALANCE => {
                f.save_retry(pc - 1, base, self.access.mark());
                let a = to_address(f.pop()?);
                f.charge(self.access_cost(a))?;
                let balance = self
                    .host
                    .account(a)
                    .host()?
                    .map_or(U256::ZERO, |i| i.balance);
                f.push(balance)?;
            }
            op::ORIGIN => f.push(address_word(&self.origin))?,
            op::CALLDATACOPY => {
                let (dst, src, len) = (f.pop()?, f.pop()?, f.pop()?);
                let dst = f.expand(spec, limit, dst, len)?;
                f.charge(spec.copy_word.saturating_mul(words(len)))?;
                let n = as_index(len);
                if n > 0 {
                    f.memory.set_padded(dst, n, &f.input, as_index(src));
                }
            }
            op::CODESIZE => f.push(U256::from(bytes.len()))?,
            op::CODECOPY => {
                let (dst, src, len) = (f.pop()?, f.pop()?, f.pop()?);
                let dst = f.expand(spec, limit, dst, len)?;
                f.charge(spec.copy_word.saturating_mul(words(len)))?;
                let n = as_index(len);
                if n > 0 {
                    f.memory.set_padded(dst, n, bytes, as_index(src));
                }
            }
            op::GASPRICE => f.push(self.gas_price)?,
            op::EXTCODESIZE => {
                f.save_retry(pc - 1, base, self.access.mark());
                let a = to_address(f.pop()?);
                f.charge(self.access_cost(a))?;
                let len = self.host.code(a).host()?.len();
                f.push(U256::from(len))?;
            }
            op::EXTCODECOPY => {
                f.save_retry(pc - 1, base, self.access.mark());
                let a = to_address(f.pop()?);
                let (dst, src, len) = (f.pop()?, f.pop()?, f.pop()?);
                let dst = f.expand(spec, limit, dst, len)?;
                f.charge(spec.copy_word.saturating_mul(words(len)))?;
                f.charge(self.access_cost(a))?;
                let n = as_index(len);
                if n > 0 {
                    let ext = self.host.code(a).host()?;
                    f.memory.set_padded(dst, n, &ext, as_index(src));
                }
            }
            op::RETURNDATASIZE => f.push(U256::from(f.return_data.len()))?,
            op::RETURNDATACOPY => {
                let (dst, src, len) = (f.pop()?, f.pop()?, f.pop()?);
                let dst = f.expand(spec, limit, dst, len)?;
                f.charge(spec.copy_word.saturating_mul(words(len)))?;
                let end = src.checked_add(len).ok_or(Halt::ReturnDataOutOfBounds)?;
                if end > U256::from(f.return_data.len()) {
                    return Err(Halt::ReturnDataOutOfBounds.into());
                }
                let n = as_index(len);
                if n > 0 {
                    let s = as_index(src);
                    let data = f.return_data.get(s..s + n).unwrap_or(&[]);
                    f.memory.set(dst, data);
                }
            }
            op::EXTCODEHASH => {
                f.save_retry(pc - 1, base, self.access.mark());
                let a = to_address(f.pop()?);
                f.charge(self.access_cost(a))?;
                let hash = match self.host.account(a).host()? {
                    Some(info) if !info.is_empty() => U256::from_be_bytes(info.code_hash.0),
                    _ => U256::ZERO,
                };
                f.push(hash)?;
            }
            op::BLOCKHASH => {
                f.save_retry(pc - 1, base, self.access.mark());
                let n = f.pop()?;
                let current = self.block.number;
                let hash = match u64::try_from(n) {
                    Ok(n) if n < current && current - n <= 256 => {
                        U256::from_be_bytes(self.host.block_hash(n).host()?.0)
                    }
                    _ => U256::ZERO,
                };
                f.push(hash)?;
            }
            op::COINBASE => f.push(address_word(&self.block.coinbase))?,
            op::TIMESTAMP => f.push(U256::from(self.block.timestamp))?,
            op::NUMBER => f.push(U256::from(self.block.number))?,
            op::PREVRANDAO => f.push(U256::from_be_bytes(self.block.prevrandao.0))?,
            op::GASLIMIT => f.push(U256::from(self.block.gas_limit))?,
            op::CHAINID => f.push(U256::from(self.block.chain_id))?,
            op::SELFBALANCE => {
                f.save_retry(pc - 1, base, self.access.mark());
                let balance = self
                    .host
                    .account(f.address)
                    .host()?
                    .map_or(U256::ZERO, |i| i.balance);
                f.push(balance)?;
            }
            op::BASEFEE => f.push(self.block.base_fee)?,
            op::BLOBHASH => {
                let i = f.top()?;
                *i = match usize::try_from(*i)
                    .ok()
                    .and_then(|i| self.blob_hashes.get(i))
                {
                    Some(h) => U256::from_be_bytes(h.0),
                    None => U256::ZERO,
                };
            }
            op::BLOBBASEFEE => f.push(self.blob_base_fee)?,
            op::SLOAD => {
                f.save_retry(pc - 1, base, self.access.mark());
                let key = f.pop()?;
                let cost = if self.access.warm_slot(f.address, key) {
                    spec.cold_sload
                } else {
                    spec.warm_access
                };
                f.charge(cost)?;
                let value = self.host.storage(f.address, key).host()?;
                f.push(value)?;
            }
            op::SSTORE => {
                f.save_retry(pc - 1, base, self.access.mark());
                self.sstore(f)?;
            }
            op::TLOAD => {
                f.save_retry(pc - 1, base, self.access.mark());
                let key = *f.top()?;
                *f.top()? = self.host.transient_storage(f.address, key).host()?;
            }
            op::TSTORE => {
                f.save_retry(pc - 1, base, self.access.mark());
                if f.is_static {
                    return Err(Halt::StaticViolation.into());
                }
                let key = f.pop()?;
                let value = f.pop()?;
                self.host
                    .set_transient_storage(f.address, key, value)
                    .host()?;
            }
            op::MCOPY => {
                let (dst, src, len) = (f.pop()?, f.pop()?, f.pop()?);
                if !len.is_zero() {
                    let end = dst.max(src).checked_add(len).ok_or(Halt::OutOfGas)?;
                    let end = u64::try_from(end).map_err(|_| Halt::OutOfGas)?;
                    f.expand_to(spec, limit, end)?;
                }
                f.charge(spec.copy_word.saturating_mul(words(len)))?;
                let n = as_index(len);
                if n > 0 {
                    f.memory.copy_within(as_index(src), as_index(dst), n);
                }
            }
            op::LOG0..=op::LOG4 => {
                if f.is_static {
                    return Err(Halt::StaticViolation.into());
                }
                let n = usize::from(opcode - op::LOG0);
                let offset = f.pop()?;
                let len = f.pop()?;
                let mut topics = Vec::with_capacity(n);
                for _ in 0..n {
                    topics.push(B256(f.pop()?.to_be_bytes::<32>()));
                }
                let start = f.expand(spec, limit, offset, len)?;
                f.charge(
                    spec.log_byte
                        .saturating_mul(u64::try_from(len).unwrap_or(u64::MAX)),
                )?;
                self.logs.push(Log {
                    address: f.address,
                    topics,
                    data: f.memory.slice(start, as_index(len)).to_vec(),
                });
            }
            op::CREATE | op::CREATE2 => {
                f.pc = pc;
                return self.create(f, opcode == op::CREATE2).map(Some);
            }
            op::CALL => {
                f.save_retry(pc - 1, base, self.access.mark());
                f.pc = pc;
                return self.call(f, CallKind::Call).map(Some);
            }
            op::CALLCODE => {
                f.pc = pc;
                return self.call(f, CallKind::CallCode).map(Some);
            }
            op::DELEGATECALL => {
                f.pc = pc;
                return self.call(f, CallKind::DelegateCall).map(Some);
            }
            op::STATICCALL => {
                f.pc = pc;
                return self.call(f, CallKind::StaticCall).map(Some);
            }
            op::RETURN | op::REVERT => {
                let offset = f.pop()?;
                let len = f.pop()?;
                let start = f.expand(spec, limit, offset, len)?;
                let output = f.memory.slice(start, as_index(len)).to_vec();
                let status = if opcode == op::RETURN {
                    Status::Success
                } else {
                    Status::Revert
                };
                return Ok(Some(Action::Done(status, output)));
            }
            op::SELFDESTRUCT => {
                f.save_retry(pc - 1, base, self.access.mark());
                self.selfdestruct(f)?;
                return Ok(Some(Action::Done(Status::Success, Vec::new())));
            }
            _ => return Err(Halt::InvalidOpcode(opcode).into()),
        }
        Ok(None)
    }

    /// SSTORE with EIP-2200 metering, EIP-2929 cold slots and EIP-3529 refunds.
    fn sstore(&mut self, f: &mut Frame) -> Result<(), Exit<H::Error>> {
        let spec = self.spec;
        if f.is_static {
            return Err(Halt::StaticViolation.into());
        }
        if f.gas <= spec.sstore_sentry {
            return Err(Halt::OutOfGas.into());
        }
        let key = f.pop()?;
        let new = f.pop()?;
        let mut cost = 0;
        if self.access.warm_slot(f.address, key) {
            cost += spec.cold_sload;
        }
        let (current, original) = self.host.storage_for_store(f.address, key).host()?;
        let clears = i64::try_from(spec.sstore_clears_refund).unwrap_or(0);
        let mut refund = 0i64;
        if new == current {
            cost += spec.warm_access;
        } else if original == current {
            if original.is_zero() {
                cost += spec.sstore_set;
            } else {
                cost += spec.sstore_reset;
                if new.is_zero() {
                    refund += clears;
                }
            }
        } else {
            cost += spec.warm_access;
            if !original.is_zero() {
                if current.is_zero() {
                    refund -= clears;
                } else if new.is_zero() {
                    refund += clears;
                }
            }
            if new == original {
                let back = if original.is_zero() {
                    spec.sstore_set - spec.warm_access
                } else {
                    spec.sstore_reset - spec.warm_access
                };
                refund += i64::try_from(back).unwrap_or(0);
            }
        }
        f.charge(cost)?;
        f.refund += refund;
        if new != current {
            self.host.set_storage(f.address, key, new).host()?;
        }
        Ok(())
    }

    /// CALL, CALLCODE, DELEGATECALL, STATICCALL: charges the caller and
    /// hands the driver the call to start.
    fn call(&mut self, f: &mut Frame, kind: CallKind) -> Result<Action, Exit<H::Error>> {
        let spec = self.spec;
        let requested = f.pop()?;
        let to = to_address(f.pop()?);
        let value = match kind {
            CallKind::Call | CallKind::CallCode => f.pop()?,
            CallKind::DelegateCall | CallKind::StaticCall => U256::ZERO,
        };
        let (in_off, in_len, out_off, out_len) = (f.pop()?, f.pop()?, f.pop()?, f.pop()?);
        if kind == CallKind::Call && f.is_static && !value.is_zero() {
            return Err(Halt::StaticViolation.into());
        }
        let in_start = f.expand(spec, self.memory_limit, in_off, in_len)?;
        let out_start = f.expand(spec, self.memory_limit, out_off, out_len)?;
        let mut cost = self.access_cost(to);
        if !value.is_zero() {
            cost += spec.call_value;
            if kind == CallKind::Call && self.host.account(to).host()?.is_none_or(|a| a.is_empty())
            {
                cost += spec.new_account;
            }
        }
        f.charge(cost)?;
        let available = f.gas - f.gas / 64;
        let gas = u64::try_from(requested).map_or(available, |r| r.min(available));
        f.charge(gas)?;
        let stipend = if value.is_zero() {
            0
        } else {
            spec.call_stipend
        };
        let input = f.memory.slice(in_start, as_index(in_len)).to_vec();
        f.return_data.clear();
        f.pending = Pending::Call {
            ret_offset: out_start,
            ret_len: as_index(out_len),
        };
        let (address, caller, value) = match kind {
            CallKind::Call | CallKind::StaticCall => (to, f.address, value),
            CallKind::CallCode => (f.address, f.address, value),
            CallKind::DelegateCall => (f.address, f.caller, f.value),
        };
        Ok(Action::Call(CallRequest {
            kind,
            code_address: to,
            address,
            caller,
            value,
            input,
            gas: gas + stipend,
            is_static: f.is_static || kind == CallKind::StaticCall,
            depth: f.depth + 1,
        }))
    }

    /// CREATE and CREATE2: charges the caller and hands the driver the
    /// create to start.
    fn create(&mut self, f: &mut Frame, create2: bool) -> Result<Action, Exit<H::Error>> {
        let spec = self.spec;
        if f.is_static {
            return Err(Halt::StaticViolation.into());
        }
        let value = f.pop()?;
        let offset = f.pop()?;
        let len = f.pop()?;
        let salt = if create2 { Some(f.pop()?) } else { None };
        if len > U256::from(spec.max_initcode_size) {
            return Err(Halt::InitcodeSizeLimit.into());
        }
        let start = f.expand(spec, self.memory_limit, offset, len)?;
        let w = words(len);
        f.charge(spec.initcode_word * w)?;
        if create2 {
            f.charge(spec.keccak_word * w)?;
        }
        let init_code = f.memory.slice(start, as_index(len)).to_vec();
        f.return_data.clear();
        let gas = f.gas - f.gas / 64;
        f.charge(gas)?;
        f.pending = Pending::Create;
        Ok(Action::Create(CreateRequest {
            scheme: match salt {
                Some(salt) => CreateScheme::Create2 { salt },
                None => CreateScheme::Create,
            },
            caller: f.address,
            value,
            init_code,
            gas,
            depth: f.depth + 1,
        }))
    }

    /// SELFDESTRUCT under EIP-6780: the balance always moves; the account
    /// is deleted only if this transaction created it.
    fn selfdestruct(&mut self, f: &mut Frame) -> Result<(), Exit<H::Error>> {
        let spec = self.spec;
        if f.is_static {
            return Err(Halt::StaticViolation.into());
        }
        let beneficiary = to_address(f.pop()?);
        let mut cost = 0;
        if self.access.warm_account(beneficiary) {
            cost += spec.cold_account_access;
        }
        let balance = self
            .host
            .account(f.address)
            .host()?
            .map_or(U256::ZERO, |i| i.balance);
        let beneficiary_empty = self
            .host
            .account(beneficiary)
            .host()?
            .is_none_or(|a| a.is_empty());
        let created = self.host.is_created_in_transaction(f.address).host()?;
        if !balance.is_zero() && beneficiary_empty {
            cost += spec.new_account;
        }
        f.charge(cost)?;
        let deletes = created || !spec.selfdestruct_only_same_tx;
        if beneficiary == f.address {
            if deletes {
                // Sent to itself and deleted: the balance is burned.
                self.host.sub_balance(f.address, balance).host()?;
            }
        } else {
            self.host.transfer(f.address, beneficiary, balance).host()?;
        }
        if deletes {
            self.host.selfdestruct(f.address).host()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        let a = Address([0xab; 20]);
        assert_eq!(to_address(address_word(&a) | (U256::MAX << 160)), a);
        assert_eq!(words(U256::from(33)), 2);
        assert_eq!(words(U256::MAX), u64::MAX);
        assert_eq!(load_word(&[1, 2], U256::from(1)), U256::from(2) << 248);
        assert_eq!(load_word(&[1, 2], U256::MAX), U256::ZERO);
    }
}
