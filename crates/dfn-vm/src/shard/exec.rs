//! Executing one shard block over a world state: the function both the
//! shard node and a tower's re-executor run, so they cannot disagree.

use alloc::vec::Vec;

use dfn_state::state::{StateError, WorldState};
use dfn_state::trie::NodeStore;
use dfn_state::{Address, B256, U256, keccak256};
use thiserror::Error;

use super::block::{Answer, Delivery, Origin, ShardBlock};
use super::codec::effects_hash;
use super::system::{Emitted, OUTBOX, RELAY, Status, parse_request, reply_calldata, with_origin};
use crate::env::BlockEnv;
use crate::error::VmError;
use crate::frame::Status as FrameStatus;
use crate::host::StateHost;
use crate::transaction::{Executor, Receipt, Transaction, TxType};

/// Gas limit of a shard block's environment (GASLIMIT); a transaction or
/// a delivery may ask for at most this much.
pub const BLOCK_GAS_LIMIT: u64 = 30_000_000;

/// Why a block could not be executed at all (a valid block always can:
/// these are missing state or a broken store, never a contract's doing).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum BlockError {
    /// The state could not be read or written.
    #[error("state: {0}")]
    State(#[from] StateError),
    /// The EVM stopped for a reason other than an invalid transaction.
    #[error("evm: {0}")]
    Vm(VmError<StateError>),
}

/// What executing a block produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockOutcome {
    /// The account state root after the block.
    pub state_root: B256,
    /// The hash of the block's effects ([`effects_hash`]).
    pub effects: B256,
    /// Requests sent, in order.
    pub emitted: Vec<Emitted>,
    /// Answers to the block's [`Delivery::Call`]s, in order.
    pub answers: Vec<Answer>,
    /// One entry per transaction: its receipt, or `None` if it was invalid
    /// (skipped, no effect).
    pub receipts: Vec<Option<Receipt>>,
}

/// The root a tower level commits for a shard:
/// `keccak256("DFN-EVM-LEVEL-V1" ‖ state_root ‖ effects)`. It binds the
/// account state and the messages the block sent, so a fraud proof catches
/// a wrong message as surely as a wrong balance.
#[must_use]
pub fn level_root(state_root: &B256, effects: &B256) -> B256 {
    let mut preimage = Vec::with_capacity(16 + 64);
    preimage.extend_from_slice(b"DFN-EVM-LEVEL-V1");
    preimage.extend_from_slice(&state_root.0);
    preimage.extend_from_slice(&effects.0);
    keccak256(preimage)
}

/// Executes `block` on `state` (which must be at `block.pre_state_root`):
/// deliveries first, then transactions, each as its own EVM transaction,
/// and persists the result.
pub fn execute_block<S: NodeStore>(
    executor: &mut Executor,
    state: &mut WorldState<S>,
    block: &ShardBlock,
) -> Result<BlockOutcome, BlockError> {
    let env = BlockEnv {
        number: block.number,
        timestamp: block.timestamp,
        gas_limit: BLOCK_GAS_LIMIT,
        ..BlockEnv::default()
    };
    let mut run = Run {
        executor,
        state,
        env,
        emitted: Vec::new(),
    };
    let mut answers = Vec::new();
    for delivery in &block.deliveries {
        match delivery {
            Delivery::Call {
                origin,
                caller,
                callee,
                value,
                gas,
                calldata,
            } => answers.push(run.call(*origin, *caller, *callee, *value, *gas, calldata)?),
            Delivery::Reply {
                id,
                caller,
                callback,
                gas,
                status,
                data,
                refund,
            } => {
                if !refund.is_zero() {
                    run.state.add_balance(*caller, *refund)?;
                    run.state.finalize_transaction()?;
                }
                if *callback != [0; 4] {
                    let data = reply_calldata(*callback, *id, *status, data);
                    run.relay(*caller, U256::ZERO, *gas, data)?;
                }
            }
        }
    }
    let mut receipts = Vec::with_capacity(block.txs.len());
    for tx in &block.txs {
        receipts.push(run.transact(tx)?);
    }
    let state_root = run.state.persist()?;
    let effects = effects_hash(&run.emitted, &answers);
    Ok(BlockOutcome {
        state_root,
        effects,
        emitted: run.emitted,
        answers,
        receipts,
    })
}

struct Run<'a, S: NodeStore> {
    executor: &'a mut Executor,
    state: &'a mut WorldState<S>,
    env: BlockEnv,
    emitted: Vec<Emitted>,
}

impl<S: NodeStore> Run<'_, S> {
    /// Runs `tx`; `None` if it is invalid. Takes the value of every request
    /// it sent out of the outbox (it now travels with the request).
    fn transact(&mut self, tx: &Transaction) -> Result<Option<Receipt>, BlockError> {
        let result = self.executor.transact(
            &mut StateHost::new(self.state, |_| B256::ZERO),
            &self.env,
            tx,
        );
        let receipt = match result {
            Ok(receipt) => receipt,
            Err(VmError::Invalid(_)) => return Ok(None),
            Err(VmError::Host(e)) => return Err(BlockError::State(e)),
            Err(other) => return Err(BlockError::Vm(other)),
        };
        let before = self.emitted.len();
        self.emitted
            .extend(receipt.logs.iter().filter_map(parse_request));
        let escrow = self
            .emitted
            .get(before..)
            .unwrap_or_default()
            .iter()
            .fold(U256::ZERO, |sum, e| sum.saturating_add(e.value));
        if !escrow.is_zero() {
            self.state.sub_balance(OUTBOX, escrow)?;
            self.state.finalize_transaction()?;
        }
        Ok(Some(receipt))
    }

    /// The relay calls `to`; the status of the call.
    fn relay(
        &mut self,
        to: Address,
        value: U256,
        gas: u64,
        data: Vec<u8>,
    ) -> Result<(Status, Vec<u8>), BlockError> {
        let tx = Transaction {
            tx_type: TxType::Eip1559,
            sender: RELAY,
            to: Some(to),
            nonce: self.state.nonce(RELAY)?,
            gas_limit: gas,
            max_fee_per_gas: U256::ZERO,
            max_priority_fee_per_gas: U256::ZERO,
            value,
            data,
            access_list: Vec::new(),
            blob_versioned_hashes: Vec::new(),
            max_fee_per_blob_gas: U256::ZERO,
        };
        Ok(match self.transact(&tx)? {
            None => (Status::Halted, Vec::new()),
            Some(receipt) => {
                let status = match receipt.status {
                    FrameStatus::Success => Status::Ok,
                    FrameStatus::Revert => Status::Reverted,
                    FrameStatus::Halt(_) => Status::Halted,
                };
                (status, receipt.output)
            }
        })
    }

    /// Executes an incoming request and answers it.
    fn call(
        &mut self,
        origin: Origin,
        caller: Address,
        callee: Address,
        value: U256,
        gas: u64,
        calldata: &[u8],
    ) -> Result<Answer, BlockError> {
        let answer = |status: Status, data: Vec<u8>, refund: U256| Answer {
            origin,
            caller,
            callee,
            refund,
            status,
            data,
        };
        let system = callee == OUTBOX || callee == RELAY;
        if system || self.state.code(callee)?.is_empty() {
            return Ok(answer(Status::DestinationMissing, Vec::new(), value));
        }
        // The value enters this shard in the relay's hands, which pays it
        // on with the call; if the call fails, it leaves again as a refund.
        if !value.is_zero() {
            self.state.add_balance(RELAY, value)?;
            self.state.finalize_transaction()?;
        }
        let (status, data) =
            self.relay(callee, value, gas, with_origin(calldata.to_vec(), caller))?;
        let refund = if status.is_ok() { U256::ZERO } else { value };
        if !refund.is_zero() {
            self.state.sub_balance(RELAY, refund)?;
            self.state.finalize_transaction()?;
        }
        Ok(answer(status, data, refund))
    }
}
