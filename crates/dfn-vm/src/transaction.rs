//! Transactions: their fields, validation, intrinsic gas, execution
//! and receipts.

use alloc::boxed::Box;
use alloc::vec::Vec;

use dfn_state::{Address, B256, U256};

use crate::access::AccessSets;
use crate::analysis::AnalysisCache;
use crate::env::BlockEnv;
use crate::error::{InvalidTransaction, VmError};
use crate::evm::{
    Action, CallKind, CallRequest, CreateRequest, CreateScheme, Evm, RunOutcome, RunState, Step,
};
use crate::frame::{FrameResult, Status};
use crate::host::Host;
use crate::log::Log;
use crate::pool::FramePool;
use crate::spec::Spec;
use crate::tracer::Tracer;

/// Transaction envelope types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxType {
    /// Pre-EIP-2718 (type 0).
    Legacy,
    /// EIP-2930 access-list transaction (type 1).
    AccessList,
    /// EIP-1559 fee-market transaction (type 2).
    Eip1559,
    /// EIP-4844 blob transaction (type 3).
    Blob,
}

/// One entry of an EIP-2930 access list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessListItem {
    /// The account warmed.
    pub address: Address,
    /// Its slots warmed.
    pub storage_keys: Vec<U256>,
}

/// A transaction whose sender is known (signature already checked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    /// Envelope type.
    pub tx_type: TxType,
    /// Sender.
    pub sender: Address,
    /// Recipient, or `None` to create a contract.
    pub to: Option<Address>,
    /// Must equal the sender's nonce.
    pub nonce: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Fee cap per gas (the gas price for legacy and EIP-2930 transactions).
    pub max_fee_per_gas: U256,
    /// Priority fee cap per gas (the gas price for legacy and EIP-2930).
    pub max_priority_fee_per_gas: U256,
    /// Value sent.
    pub value: U256,
    /// Calldata, or initcode for a creation.
    pub data: Vec<u8>,
    /// Accounts and slots warm from the start (EIP-2930).
    pub access_list: Vec<AccessListItem>,
    /// Blob versioned hashes (EIP-4844).
    pub blob_versioned_hashes: Vec<B256>,
    /// Blob fee cap per blob gas (EIP-4844).
    pub max_fee_per_blob_gas: U256,
}

/// The outcome of an executed transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// How the transaction's own frame ended.
    pub status: Status,
    /// Gas used after refunds (what the sender pays for).
    pub gas_used: u64,
    /// Refund granted (already subtracted from `gas_used`).
    pub gas_refunded: u64,
    /// Logs, empty unless the transaction succeeded.
    pub logs: Vec<Log>,
    /// Return data or revert data.
    pub output: Vec<u8>,
    /// The contract created, if a creation succeeded.
    pub created: Option<Address>,
}

impl Receipt {
    /// Whether the transaction succeeded (status 1 in its receipt).
    #[must_use]
    pub fn success(&self) -> bool {
        self.status == Status::Success
    }
}

/// Execution limits beyond the fork's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest memory of one frame in bytes; beyond it the frame halts.
    /// Reaching the default (64 MiB) costs over 8·10⁹ gas, so it never
    /// changes the outcome of a transaction that fits in a block.
    pub memory_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_bytes: 64 << 20,
        }
    }
}

/// Executes transactions under one fork, keeping code analyses across them.
#[derive(Clone, Debug)]
pub struct Executor {
    spec: Spec,
    /// [`Spec::cost_table`] as the interpreter loop reads it.
    costs: [u64; 256],
    limits: Limits,
    cache: AnalysisCache,
    pool: FramePool,
    /// The access sets of the last transaction, kept for their
    /// allocations.
    spare_access: AccessSets,
}

/// Gas a transaction costs before any code runs.
#[must_use]
pub fn intrinsic_gas(spec: &Spec, tx: &Transaction) -> u64 {
    let zeros = tx.data.iter().filter(|b| **b == 0).count() as u64;
    let nonzeros = tx.data.len() as u64 - zeros;
    let mut gas =
        spec.tx_base + zeros * spec.tx_data_zero + nonzeros.saturating_mul(spec.tx_data_nonzero);
    if tx.to.is_none() {
        gas += spec.tx_create + spec.initcode_word * (tx.data.len() as u64).div_ceil(32);
    }
    for item in &tx.access_list {
        gas = gas
            .saturating_add(spec.tx_access_list_address)
            .saturating_add(
                spec.tx_access_list_key
                    .saturating_mul(item.storage_keys.len() as u64),
            );
    }
    gas
}

impl Executor {
    /// An executor for `spec` with default limits.
    #[must_use]
    pub fn new(spec: Spec) -> Self {
        Self::with_limits(spec, Limits::default())
    }

    /// An executor for `spec` with the given limits.
    #[must_use]
    pub fn with_limits(spec: Spec, limits: Limits) -> Self {
        Self {
            costs: crate::interpreter::loop_costs(spec.cost_table()),
            spec,
            limits,
            cache: AnalysisCache::default(),
            pool: FramePool::default(),
            spare_access: AccessSets::unallocated(),
        }
    }

    /// The fork rules.
    #[must_use]
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// Validates and executes `tx`, then finalizes the transaction in the
    /// host (EIP-161 clearing, self-destructs). An invalid transaction
    /// changes nothing. For a host that may answer "pending", use
    /// [`Executor::start`]; here a pending answer is [`VmError::Suspended`].
    pub fn transact<H: Host>(
        &mut self,
        host: &mut H,
        block: &BlockEnv,
        tx: &Transaction,
    ) -> Result<Receipt, VmError<H::Error>> {
        self.start(block, tx)
            .resume(host)?
            .ok_or(VmError::Suspended)
    }

    /// As [`Executor::transact`], calling `tracer` before every opcode.
    pub fn transact_traced<H: Host>(
        &mut self,
        host: &mut H,
        block: &BlockEnv,
        tx: &Transaction,
        tracer: &mut dyn Tracer,
    ) -> Result<Receipt, VmError<H::Error>> {
        self.start_traced(block, tx, tracer)
            .resume(host)?
            .ok_or(VmError::Suspended)
    }

    /// A resumable execution of `tx`: nothing runs until
    /// [`Execution::resume`].
    pub fn start<'a>(&'a mut self, block: &'a BlockEnv, tx: &'a Transaction) -> Execution<'a> {
        Execution {
            executor: self,
            block,
            tx,
            tracer: None,
            stage: Stage::Validate,
        }
    }

    /// As [`Executor::start`], calling `tracer` before every opcode.
    pub fn start_traced<'a>(
        &'a mut self,
        block: &'a BlockEnv,
        tx: &'a Transaction,
        tracer: &'a mut dyn Tracer,
    ) -> Execution<'a> {
        Execution {
            executor: self,
            block,
            tx,
            tracer: Some(tracer),
            stage: Stage::Validate,
        }
    }

    /// Checks everything that makes a transaction invalid; returns the
    /// effective gas price and the intrinsic gas.
    fn validate<H: Host>(
        &self,
        host: &mut H,
        block: &BlockEnv,
        tx: &Transaction,
    ) -> Result<(U256, u64), VmError<H::Error>> {
        let spec = &self.spec;
        let blob_gas = self.blob_gas(tx);
        if tx.tx_type == TxType::Blob {
            if tx.to.is_none()
                || tx.blob_versioned_hashes.is_empty()
                || tx.blob_versioned_hashes.len() > spec.max_blobs_per_tx
            {
                return Err(InvalidTransaction::InvalidBlobs.into());
            }
            if tx
                .blob_versioned_hashes
                .iter()
                .any(|h| h.0.first() != Some(&1))
            {
                return Err(InvalidTransaction::BlobHashVersion.into());
            }
            if tx.max_fee_per_blob_gas < block.blob_base_fee(spec.blob_base_fee_update_fraction) {
                return Err(InvalidTransaction::BlobFeeCapTooLow.into());
            }
        }
        if tx.max_priority_fee_per_gas > tx.max_fee_per_gas {
            return Err(InvalidTransaction::PriorityFeeAboveFeeCap.into());
        }
        if tx.max_fee_per_gas < block.base_fee {
            return Err(InvalidTransaction::FeeCapBelowBaseFee {
                max_fee: tx.max_fee_per_gas,
                base_fee: block.base_fee,
            }
            .into());
        }
        if tx.gas_limit > block.gas_limit {
            return Err(InvalidTransaction::GasLimitAboveBlock {
                tx: tx.gas_limit,
                block: block.gas_limit,
            }
            .into());
        }
        if tx.to.is_none() && tx.data.len() > spec.max_initcode_size {
            return Err(InvalidTransaction::InitcodeTooLarge(tx.data.len()).into());
        }
        let intrinsic = intrinsic_gas(spec, tx);
        if intrinsic > tx.gas_limit {
            return Err(InvalidTransaction::IntrinsicGasTooLow {
                limit: tx.gas_limit,
                intrinsic,
            }
            .into());
        }
        let sender = host
            .account(tx.sender)
            .map_err(VmError::Host)?
            .unwrap_or_default();
        if sender.code_hash != dfn_state::KECCAK_EMPTY {
            return Err(InvalidTransaction::SenderHasCode(tx.sender).into());
        }
        if sender.nonce == u64::MAX {
            return Err(InvalidTransaction::NonceOverflow.into());
        }
        if sender.nonce != tx.nonce {
            return Err(InvalidTransaction::NonceMismatch {
                tx: tx.nonce,
                state: sender.nonce,
            }
            .into());
        }
        let needed = U256::from(tx.gas_limit)
            .checked_mul(tx.max_fee_per_gas)
            .and_then(|g| g.checked_add(tx.value))
            .and_then(|g| {
                U256::from(blob_gas)
                    .checked_mul(tx.max_fee_per_blob_gas)
                    .and_then(|b| g.checked_add(b))
            })
            .ok_or(InvalidTransaction::FeeOverflow)?;
        if sender.balance < needed {
            return Err(InvalidTransaction::InsufficientFunds {
                balance: sender.balance,
                needed,
            }
            .into());
        }
        let price = tx
            .max_fee_per_gas
            .min(block.base_fee.saturating_add(tx.max_priority_fee_per_gas));
        Ok((price, intrinsic))
    }

    fn blob_gas(&self, tx: &Transaction) -> u64 {
        (tx.blob_versioned_hashes.len() as u64).saturating_mul(self.spec.gas_per_blob)
    }
}

/// Where a resumable execution stands.
#[derive(Debug)]
enum Stage {
    /// Not yet validated: nothing has changed.
    Validate,
    /// Gas bought; frames running or suspended.
    Running(Box<Running>),
    /// Finished or failed: resuming again does nothing.
    Done,
}

/// The state of a running transaction between two resumptions.
#[derive(Debug)]
struct Running {
    run: RunState,
    access: AccessSets,
    logs: Vec<Log>,
    ripemd_touched: bool,
    price: U256,
    blob_base_fee: U256,
}

/// A transaction whose execution can stop at a state read the host
/// cannot answer yet and continue later from that very read, without
/// running anything twice.
///
/// ```
/// # use dfn_state::{Address, U256};
/// # use dfn_vm::{BlockEnv, Executor, Spec, Transaction, TxType};
/// # fn demo<H: dfn_vm::Host>(host: &mut H, tx: &Transaction) -> Result<(), dfn_vm::VmError<H::Error>> {
/// let mut executor = Executor::new(Spec::CANCUN);
/// let block = BlockEnv::default();
/// let mut execution = executor.start(&block, tx);
/// let receipt = loop {
///     match execution.resume(host)? {
///         Some(receipt) => break receipt,
///         // The host reported a pending read: fetch the data, then resume.
///         None => {}
///     }
/// };
/// # let _ = receipt; Ok(()) }
/// ```
pub struct Execution<'a> {
    executor: &'a mut Executor,
    block: &'a BlockEnv,
    tx: &'a Transaction,
    tracer: Option<&'a mut dyn Tracer>,
    stage: Stage,
}

impl core::fmt::Debug for Execution<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Execution")
            .field("tx", self.tx)
            .field("stage", &self.stage)
            .finish_non_exhaustive()
    }
}

impl Execution<'_> {
    /// Runs until the transaction is done (`Some(receipt)`) or the host
    /// reports a pending read (`None`: make the answer available, then
    /// call again). An error ends the execution; the host's open
    /// checkpoints are then its own to discard.
    pub fn resume<H: Host>(&mut self, host: &mut H) -> Result<Option<Receipt>, VmError<H::Error>> {
        let result = self.step(host);
        if !matches!(result, Ok(None)) {
            self.stage = Stage::Done;
        }
        result
    }

    fn step<H: Host>(&mut self, host: &mut H) -> Result<Option<Receipt>, VmError<H::Error>> {
        if matches!(self.stage, Stage::Validate) {
            match self.begin(host) {
                Ok(running) => self.stage = Stage::Running(Box::new(running)),
                Err(VmError::Host(e)) if H::is_pending(&e) => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        let Stage::Running(running) = &mut self.stage else {
            return Err(VmError::Finished);
        };
        let executor = &mut *self.executor;
        let spec = &executor.spec;
        let mut evm = Evm {
            host: &mut *host,
            spec,
            costs: &executor.costs,
            block: self.block,
            cache: &mut executor.cache,
            pool: &mut executor.pool,
            origin: self.tx.sender,
            gas_price: running.price,
            blob_hashes: &self.tx.blob_versioned_hashes,
            blob_base_fee: running.blob_base_fee,
            access: core::mem::replace(&mut running.access, AccessSets::unallocated()),
            logs: core::mem::take(&mut running.logs),
            memory_limit: executor.limits.memory_bytes,
            tracer: self.tracer.as_mut().map(|t| &mut **t as &mut dyn Tracer),
            ripemd_touched: running.ripemd_touched,
        };
        let outcome = evm.run(&mut running.run);
        running.access = core::mem::replace(&mut evm.access, AccessSets::unallocated());
        running.logs = core::mem::take(&mut evm.logs);
        running.ripemd_touched = evm.ripemd_touched;
        match outcome.map_err(VmError::Host)? {
            RunOutcome::Suspended => Ok(None),
            RunOutcome::Finished(result) => {
                executor.spare_access =
                    core::mem::replace(&mut running.access, AccessSets::unallocated());
                executor
                    .pool
                    .put_frames(core::mem::take(&mut running.run.frames));
                let logs = core::mem::take(&mut running.logs);
                let (price, ripemd) = (running.price, running.ripemd_touched);
                settle(spec, host, self.block, self.tx, price, ripemd, result, logs).map(Some)
            }
        }
    }

    /// Validates, buys gas and warms the transaction's accounts.
    fn begin<H: Host>(&mut self, host: &mut H) -> Result<Running, VmError<H::Error>> {
        let (tx, block) = (self.tx, self.block);
        let (price, intrinsic) = self.executor.validate(host, block, tx)?;
        // Read before the writes below so that only reads can be pending.
        host.account(block.coinbase).map_err(VmError::Host)?;
        let spec = &self.executor.spec;
        let blob_base_fee = block.blob_base_fee(spec.blob_base_fee_update_fraction);
        let upfront = U256::from(tx.gas_limit) * price
            + U256::from(self.executor.blob_gas(tx)) * blob_base_fee;
        host.sub_balance(tx.sender, upfront)
            .map_err(VmError::Host)?;

        let mut access =
            core::mem::replace(&mut self.executor.spare_access, AccessSets::unallocated());
        access.clear();
        access.warm_account(tx.sender);
        if let Some(to) = tx.to {
            access.warm_account(to);
        }
        access.warm_precompiles(spec.last_precompile);
        if spec.warm_coinbase {
            access.warm_account(block.coinbase);
        }
        for item in &tx.access_list {
            access.warm_account(item.address);
            for key in &item.storage_keys {
                access.warm_slot(item.address, *key);
            }
        }

        let gas = tx.gas_limit - intrinsic;
        let first = match tx.to {
            Some(to) => {
                host.set_nonce(tx.sender, tx.nonce.saturating_add(1))
                    .map_err(VmError::Host)?;
                Action::Call(CallRequest {
                    kind: CallKind::Call,
                    code_address: to,
                    address: to,
                    caller: tx.sender,
                    value: tx.value,
                    input: tx.data.clone(),
                    gas,
                    is_static: false,
                    depth: 0,
                })
            }
            None => Action::Create(CreateRequest {
                scheme: CreateScheme::Create,
                caller: tx.sender,
                value: tx.value,
                init_code: tx.data.clone(),
                gas,
                depth: 0,
            }),
        };
        Ok(Running {
            run: RunState {
                frames: self.executor.pool.frames(),
                step: Step::Start(first),
            },
            access,
            logs: Vec::new(),
            ripemd_touched: false,
            price,
            blob_base_fee,
        })
    }
}

/// Refunds, fee payment, coinbase reward and the end of the transaction.
#[allow(
    clippy::too_many_arguments,
    reason = "the settlement's inputs, each used once"
)]
fn settle<H: Host>(
    spec: &Spec,
    host: &mut H,
    block: &BlockEnv,
    tx: &Transaction,
    price: U256,
    ripemd_touched: bool,
    result: FrameResult,
    logs: Vec<Log>,
) -> Result<Receipt, VmError<H::Error>> {
    let used = tx.gas_limit - result.gas_left;
    let refund = if result.status == Status::Success {
        u64::try_from(result.refund.max(0))
            .unwrap_or(0)
            .min(used / spec.max_refund_quotient)
    } else {
        0
    };
    let used = used - refund;
    let returned = U256::from(tx.gas_limit - used) * price;
    host.add_balance(tx.sender, returned)
        .map_err(VmError::Host)?;
    let tip = price.saturating_sub(block.base_fee);
    host.add_balance(block.coinbase, U256::from(used) * tip)
        .map_err(VmError::Host)?;
    if ripemd_touched {
        // The touch of 0x03 survives a revert: mainnet history that
        // every client reproduces (see the README).
        let mut ripemd = Address::ZERO;
        if let Some(last) = ripemd.0.last_mut() {
            *last = 3;
        }
        host.touch(ripemd).map_err(VmError::Host)?;
    }
    host.finalize_transaction().map_err(VmError::Host)?;
    let success = result.status == Status::Success;
    Ok(Receipt {
        status: result.status,
        gas_used: used,
        gas_refunded: refund,
        logs: if success { logs } else { Vec::new() },
        output: result.output,
        created: result.created,
    })
}
