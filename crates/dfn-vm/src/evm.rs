//! The frame driver: runs frames on an explicit stack (no recursion, so
//! 1024 nested calls cost heap, not native stack), starts calls and
//! creates, and hands results back to the parent frame.

use alloc::sync::Arc;
use alloc::vec::Vec;

use dfn_state::rlp::{Encode, encode_list_header};
use dfn_state::{Address, B256, KECCAK_EMPTY, U256};

use crate::access::AccessSets;
use crate::analysis::{AnalysisCache, AnalyzedCode};
use crate::env::BlockEnv;
use crate::error::Halt;
use crate::frame::{Frame, FrameKind, FrameResult, Marks, Pending, Status};
use crate::host::Host;
use crate::keccak::keccak256;
use crate::log::Log;
use crate::memory::Memory;
use crate::pool::FramePool;
use crate::precompile;
use crate::spec::Spec;
use crate::stack::Stack;
use crate::tracer::Tracer;

/// The precompile whose touch survives a revert (mainnet history, kept
/// by every client: see the crate docs).
const RIPEMD160: Address = Address([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]);

/// Which call opcode (or the transaction) started a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallKind {
    Call,
    CallCode,
    DelegateCall,
    StaticCall,
}

/// A call to start.
#[derive(Clone, Debug)]
pub(crate) struct CallRequest {
    pub(crate) kind: CallKind,
    /// Whose code runs.
    pub(crate) code_address: Address,
    /// Whose storage it runs on (ADDRESS in the callee).
    pub(crate) address: Address,
    pub(crate) caller: Address,
    /// CALLVALUE in the callee.
    pub(crate) value: U256,
    pub(crate) input: Vec<u8>,
    /// Gas given, stipend included.
    pub(crate) gas: u64,
    pub(crate) is_static: bool,
    /// Depth of the new frame.
    pub(crate) depth: usize,
}

/// How a create derives its address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CreateScheme {
    Create,
    Create2 { salt: U256 },
}

/// A create to start.
#[derive(Clone, Debug)]
pub(crate) struct CreateRequest {
    pub(crate) scheme: CreateScheme,
    pub(crate) caller: Address,
    pub(crate) value: U256,
    pub(crate) init_code: Vec<u8>,
    pub(crate) gas: u64,
    pub(crate) depth: usize,
}

/// What the interpreter asks of the driver when it stops.
#[derive(Debug)]
pub(crate) enum Action {
    Call(CallRequest),
    Create(CreateRequest),
    /// The frame is over: success with output, revert with output, halt.
    Done(Status, Vec<u8>),
    /// The host has no answer yet for a state access of the current
    /// opcode; the frame is as it was before that opcode.
    Suspend,
}

/// What the driver does when it next runs.
#[derive(Debug)]
pub(crate) enum Step {
    /// Start a call or create (again, if it was suspended).
    Start(Action),
    /// Run the innermost frame from its program counter.
    Continue,
    /// Hand a finished frame's result to its parent.
    Deliver(FrameResult),
}

/// The frame stack of a transaction and the driver's next step: all that
/// a suspended execution needs to continue.
#[derive(Debug)]
pub(crate) struct RunState {
    pub(crate) frames: Vec<Frame>,
    pub(crate) step: Step,
}

/// How [`Evm::run`] stopped.
pub(crate) enum RunOutcome {
    /// The outermost frame ended.
    Finished(FrameResult),
    /// The host reported a pending access.
    Suspended,
}

/// What the driver does next.
#[allow(
    clippy::large_enum_variant,
    reason = "moved once per call; boxing would add an allocation per frame"
)]
enum Next {
    Run(Frame),
    Finished(FrameResult),
}

/// The interpreter's view of one transaction: host, fork rules, block,
/// transaction context, access sets and logs.
pub(crate) struct Evm<'a, 't, H: Host> {
    pub(crate) host: &'a mut H,
    pub(crate) spec: &'a Spec,
    /// [`Spec::cost_table`], widened by [`crate::interpreter::loop_costs`].
    pub(crate) costs: &'a [u64; 256],
    pub(crate) block: &'a BlockEnv,
    pub(crate) cache: &'a mut AnalysisCache,
    /// Spare stacks and memories for new frames.
    pub(crate) pool: &'a mut FramePool,
    pub(crate) origin: Address,
    pub(crate) gas_price: U256,
    pub(crate) blob_hashes: &'a [B256],
    pub(crate) blob_base_fee: U256,
    pub(crate) access: AccessSets,
    pub(crate) logs: Vec<Log>,
    pub(crate) memory_limit: u64,
    pub(crate) tracer: Option<&'t mut (dyn Tracer + 't)>,
    pub(crate) ripemd_touched: bool,
}

/// CREATE's address: `keccak(rlp([sender, nonce]))[12..]`.
#[must_use]
pub fn create_address(sender: &Address, nonce: u64) -> Address {
    let payload = sender.encoded_len() + nonce.encoded_len();
    let mut out = Vec::with_capacity(payload + 1);
    encode_list_header(payload, &mut out);
    sender.encode(&mut out);
    nonce.encode(&mut out);
    address_of_hash(keccak256(&out))
}

/// CREATE2's address: `keccak(0xff ‖ sender ‖ salt ‖ keccak(init_code))[12..]`.
#[must_use]
pub fn create2_address(sender: &Address, salt: U256, init_code_hash: &B256) -> Address {
    let mut buf = [0u8; 85];
    let (ff, rest) = buf.split_at_mut(1);
    ff.fill(0xff);
    let (s, rest) = rest.split_at_mut(20);
    s.copy_from_slice(&sender.0);
    let (salt_bytes, hash) = rest.split_at_mut(32);
    salt_bytes.copy_from_slice(&salt.to_be_bytes::<32>());
    hash.copy_from_slice(&init_code_hash.0);
    address_of_hash(keccak256(buf))
}

fn address_of_hash(hash: B256) -> Address {
    let mut a = [0u8; 20];
    if let Some(tail) = hash.0.get(12..) {
        a.copy_from_slice(tail);
    }
    Address(a)
}

impl<H: Host> Evm<'_, '_, H> {
    fn marks(&mut self) -> Marks {
        Marks {
            checkpoint: self.host.checkpoint(),
            access: self.access.mark(),
            logs: self.logs.len(),
        }
    }

    /// A stack (of the fork's limit) and a memory for a new frame.
    fn buffers(&mut self) -> (Stack, Memory) {
        (self.pool.stack(self.spec.max_stack), self.pool.memory())
    }

    fn keep(&mut self, marks: Marks) -> Result<(), H::Error> {
        self.host.commit(marks.checkpoint)
    }

    fn undo(&mut self, marks: Marks) -> Result<(), H::Error> {
        self.access.revert_to(marks.access);
        self.logs.truncate(marks.logs);
        self.host.revert(marks.checkpoint)
    }

    /// Runs the frames of `run` until the outermost ends, or until the host
    /// reports a pending state access (then `run` keeps everything needed
    /// to continue from that very access).
    pub(crate) fn run(&mut self, run: &mut RunState) -> Result<RunOutcome, H::Error> {
        loop {
            match core::mem::replace(&mut run.step, Step::Continue) {
                Step::Start(mut action) => {
                    let started = match &mut action {
                        Action::Call(req) => self.start_call(req),
                        Action::Create(req) => self.start_create(req),
                        Action::Done(..) | Action::Suspend => {
                            Ok(Next::Finished(FrameResult::halt(Halt::StackUnderflow)))
                        }
                    };
                    match started {
                        Ok(Next::Run(frame)) => run.frames.push(frame),
                        Ok(Next::Finished(result)) => {
                            run.step = Step::Deliver(result);
                            continue;
                        }
                        Err(e) if H::is_pending(&e) => {
                            run.step = Step::Start(action);
                            return Ok(RunOutcome::Suspended);
                        }
                        Err(e) => return Err(e),
                    }
                }
                Step::Deliver(result) => match run.frames.last_mut() {
                    None => return Ok(RunOutcome::Finished(result)),
                    Some(parent) => resume_parent(parent, result),
                },
                Step::Continue => {}
            }
            let Some(frame) = run.frames.last_mut() else {
                // Unreachable: a frame was just pushed or resumed.
                return Ok(RunOutcome::Finished(FrameResult::halt(
                    Halt::StackUnderflow,
                )));
            };
            match self.interpret(frame)? {
                Action::Suspend => return Ok(RunOutcome::Suspended),
                Action::Done(status, output) => {
                    let result = match run.frames.pop() {
                        Some(mut done) => {
                            let stack = core::mem::take(&mut done.stack);
                            let memory = core::mem::take(&mut done.memory);
                            self.pool.put(stack, memory);
                            self.finish(done, status, output)?
                        }
                        None => FrameResult::halt(Halt::StackUnderflow),
                    };
                    run.step = Step::Deliver(result);
                }
                start => run.step = Step::Start(start),
            }
        }
    }

    /// Starts a call. Every state read comes before the first change, so
    /// that a pending read can be retried as if nothing had happened.
    fn start_call(&mut self, req: &mut CallRequest) -> Result<Next, H::Error> {
        if req.depth > self.spec.max_call_depth {
            return Ok(Next::Finished(FrameResult::not_started(req.gas)));
        }
        let transfers = matches!(req.kind, CallKind::Call | CallKind::CallCode);
        if transfers && !req.value.is_zero() {
            let balance = self
                .host
                .account(req.caller)?
                .map_or(U256::ZERO, |a| a.balance);
            if balance < req.value {
                return Ok(Next::Finished(FrameResult::not_started(req.gas)));
            }
        }
        let precompile = self.spec.is_precompile(&req.code_address);
        let code = if precompile {
            None
        } else {
            let info = self.host.account(req.code_address)?;
            let hash = info.map_or(KECCAK_EMPTY, |a| a.code_hash);
            if hash == KECCAK_EMPTY {
                None
            } else if let Some(analyzed) = self.cache.get(&hash) {
                // Known code: its analysis is all the frame needs.
                Some(analyzed)
            } else {
                let code = self.host.code(req.code_address)?;
                Some(self.cache.get_or_analyze(hash, code))
            }
        };
        let marks = self.marks();
        match req.kind {
            CallKind::Call => self.host.transfer(req.caller, req.address, req.value)?,
            // A static call still touches its target (EIP-161), as clients do.
            CallKind::StaticCall => self.host.add_balance(req.address, U256::ZERO)?,
            CallKind::CallCode | CallKind::DelegateCall => {}
        }
        if precompile {
            if req.address == RIPEMD160 {
                self.ripemd_touched = true;
            }
            let result = match precompile::run(&req.code_address, &req.input, req.gas) {
                Ok((cost, output)) => FrameResult {
                    status: Status::Success,
                    output,
                    gas_left: req.gas - cost,
                    refund: 0,
                    created: None,
                },
                Err(_) => FrameResult::halt(Halt::PrecompileFailed),
            };
            if result.status == Status::Success {
                self.keep(marks)?;
            } else {
                self.undo(marks)?;
            }
            return Ok(Next::Finished(result));
        }
        let Some(code) = code else {
            self.keep(marks)?;
            return Ok(Next::Finished(FrameResult {
                status: Status::Success,
                output: Vec::new(),
                gas_left: req.gas,
                refund: 0,
                created: None,
            }));
        };
        Ok(Next::Run(Frame::new(
            code,
            req.gas,
            req.address,
            req.caller,
            req.value,
            core::mem::take(&mut req.input),
            req.is_static,
            req.depth,
            FrameKind::Call,
            marks,
            self.buffers(),
        )))
    }

    /// Starts a create; reads before changes, as [`Evm::start_call`].
    fn start_create(&mut self, req: &mut CreateRequest) -> Result<Next, H::Error> {
        if req.depth > self.spec.max_call_depth {
            return Ok(Next::Finished(FrameResult::not_started(req.gas)));
        }
        let creator = self.host.account(req.caller)?.unwrap_or_default();
        if creator.balance < req.value {
            return Ok(Next::Finished(FrameResult::not_started(req.gas)));
        }
        let Some(next_nonce) = creator.nonce.checked_add(1) else {
            return Ok(Next::Finished(FrameResult::not_started(req.gas)));
        };
        let address = match req.scheme {
            CreateScheme::Create => create_address(&req.caller, creator.nonce),
            CreateScheme::Create2 { salt } => {
                create2_address(&req.caller, salt, &keccak256(&req.init_code))
            }
        };
        let collision = match self.host.account(address)? {
            None => false,
            Some(a) if a.nonce != 0 || a.code_hash != KECCAK_EMPTY => true,
            // EIP-7610: storage alone is a collision too.
            Some(_) => self.host.has_storage(address)?,
        };
        // Both kept even if the create fails below: they are outside the marks.
        self.host.set_nonce(req.caller, next_nonce)?;
        self.access.warm_account(address);
        if collision {
            return Ok(Next::Finished(FrameResult::halt(Halt::CreateCollision)));
        }
        let marks = self.marks();
        self.host.create_account(address)?;
        self.host.set_nonce(address, 1)?;
        self.host.transfer(req.caller, address, req.value)?;
        let code = Arc::new(AnalyzedCode::new(&req.init_code));
        Ok(Next::Run(Frame::new(
            code,
            req.gas,
            address,
            req.caller,
            req.value,
            Vec::new(),
            false,
            req.depth,
            FrameKind::Create { address },
            marks,
            self.buffers(),
        )))
    }

    /// Ends a frame: keeps or undoes its changes, deposits created code.
    fn finish(
        &mut self,
        frame: Frame,
        status: Status,
        output: Vec<u8>,
    ) -> Result<FrameResult, H::Error> {
        match status {
            Status::Halt(reason) => {
                self.undo(frame.marks)?;
                Ok(FrameResult::halt(reason))
            }
            Status::Revert => {
                self.undo(frame.marks)?;
                Ok(FrameResult {
                    status: Status::Revert,
                    output,
                    gas_left: frame.gas,
                    refund: 0,
                    created: None,
                })
            }
            Status::Success => match frame.kind {
                FrameKind::Call => {
                    self.keep(frame.marks)?;
                    Ok(FrameResult {
                        status: Status::Success,
                        output,
                        gas_left: frame.gas,
                        refund: frame.refund,
                        created: None,
                    })
                }
                FrameKind::Create { address } => {
                    let failure = if output.len() > self.spec.max_code_size {
                        Some(Halt::CodeSizeLimit)
                    } else if self.spec.reject_ef_code && output.first() == Some(&0xef) {
                        Some(Halt::InvalidCodePrefix)
                    } else {
                        None
                    };
                    let deposit =
                        (output.len() as u64).saturating_mul(self.spec.code_deposit_per_byte);
                    let failure = failure.or((deposit > frame.gas).then_some(Halt::OutOfGas));
                    if let Some(reason) = failure {
                        self.undo(frame.marks)?;
                        return Ok(FrameResult::halt(reason));
                    }
                    self.host.set_code(address, &output)?;
                    self.keep(frame.marks)?;
                    Ok(FrameResult {
                        status: Status::Success,
                        output: Vec::new(),
                        gas_left: frame.gas - deposit,
                        refund: frame.refund,
                        created: Some(address),
                    })
                }
            },
        }
    }
}

/// Delivers a child's result to the frame that started it.
fn resume_parent(parent: &mut Frame, result: FrameResult) {
    parent.gas = parent.gas.saturating_add(result.gas_left);
    let ok = result.status == Status::Success;
    if ok {
        parent.refund = parent.refund.saturating_add(result.refund);
    }
    match core::mem::replace(&mut parent.pending, Pending::None) {
        Pending::Call {
            ret_offset,
            ret_len,
        } => {
            let n = ret_len.min(result.output.len());
            parent
                .memory
                .set(ret_offset, result.output.get(..n).unwrap_or(&[]));
            // The CALL popped seven items (six for DELEGATECALL and
            // STATICCALL): there is room for its result.
            let _ = parent.stack.push(U256::from(u8::from(ok)));
            parent.return_data = result.output;
        }
        Pending::Create => {
            let pushed = match result.created {
                Some(address) if ok => U256::from_be_slice(&address.0),
                _ => U256::ZERO,
            };
            // CREATE popped three items: there is room.
            let _ = parent.stack.push(pushed);
            parent.return_data = if result.status == Status::Revert {
                result.output
            } else {
                Vec::new()
            };
        }
        Pending::None => {}
    }
}
