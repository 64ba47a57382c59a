//! Private contracts calling public contracts: the gateway of a private
//! chain run by dfn-vm, modelled on dfn-vm's shard outbox.
//!
//! # Programming model
//!
//! A private chain has two system accounts:
//!
//! - the **gateway** [`GATEWAY`] (`0x…dF10`), a small contract
//!   ([`GATEWAY_CODE`]). A private contract calls a public contract by
//!   calling the gateway with `destination (20 bytes) ‖ callback selector
//!   (4) ‖ callback gas (8, big-endian) ‖ valid until (8, big-endian, a
//!   public height) ‖ calldata` and no value. The call returns the
//!   request's id (one 32-byte word, unique on the private chain) at once;
//!   nothing runs on the public chain synchronously. In Solidity:
//!
//!   ```solidity
//!   (bool ok, bytes memory ret) = GATEWAY.call(abi.encodePacked(
//!       coin, this.onResult.selector, uint64(callbackGas), uint64(validUntil),
//!       abi.encodeCall(IStableCoin.transfer, (to, amount))));
//!   uint256 id = abi.decode(ret, (uint256));
//!   ```
//!
//!   The gateway's log is the request ([`Request::from_log`]): it is in the
//!   receipt only if every frame around the call succeeded, so a reverted
//!   frame sends nothing.
//! - the **delivery** account [`DELIVERY`] (`0x…dF11`), the sender of every
//!   answer. It holds no code and nobody holds its key (no signature
//!   recovers to it), so a call from it is the private chain's own doing: a
//!   contract checks `msg.sender == DELIVERY` in its callback.
//!
//! The private node collects the requests of every executed block
//! ([`Gateway::collect`]), posts each to the public chain as a certified
//! call through the twin registry ([`GatewayEvent::Post`]; the call's id is
//! [`TwinId::for_call`]`(chain id, request id)`), and when a
//! [`CallResult`] verified by [`CertifiedCalls`] arrives
//! ([`Gateway::handle_result`]), or the call is certified expired, it
//! delivers the answer ([`GatewayEvent::Deliver`], [`deliver`]) as a system
//! transaction calling `callback(uint256 id, uint256 status, bytes data)`
//! on the requesting contract with the callback gas. `status` is a
//! [`DeliveryStatus`]: 0 the public method returned (`data` its return
//! data), 1 it reverted (`data` its revert data), 2 it expired unexecuted.
//!
//! Every request gets at most one answer: the certified-call machine
//! refuses a second result for an ended call, and a forged, stale or
//! mismatched one. Nothing is locked across chains, so a contract records
//! what each request is for and settles it in the callback: it holds its
//! effect tentatively (an escrowed amount) and commits it on a certified
//! success or releases it otherwise, so no effect is ever half applied
//! (`examples/contracts/PrivateTreasury.sol`). A callback that reverts
//! (or runs out of its gas) leaves the contract as it was: the answer is
//! spent and the contract must offer its own way out.
//!
//! [`Gateway`] is a Sans-IO machine: a replicated private chain feeds it
//! the same inputs in the same order at every process (the receipts of
//! finalized blocks, the results its blocks carry) and gets the same
//! deliveries.

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::vec::Vec;

use dfn_crypto::Variant;
use dfn_state::state::{StateError, WorldState};
use dfn_state::trie::NodeStore;
use dfn_state::{Address, B256, U256};
use dfn_vm::shard::system_address;
use dfn_vm::{
    BlockEnv, Executor, InvalidTransaction, Log, Receipt, StateHost, Transaction, TxType, VmError,
};
use thiserror::Error;

use crate::call::{CallError, CallEvent, CallOutcome, CallResult, CertifiedCalls};
use crate::certified::ReadPolicy;
use crate::light::LightBeacon;
use crate::twin::{CallSpec, PublicCall, TwinId};

/// The gateway: a private contract calls it to call a public contract.
/// `0x000000000000000000000000000000000000dF10` on every private chain.
pub const GATEWAY: Address = system_address(0x10);

/// The sender of every answer the gateway delivers.
/// `0x000000000000000000000000000000000000dF11`; no code, no key.
pub const DELIVERY: Address = system_address(0x11);

/// Bytes of the request header at the start of the gateway's calldata:
/// `destination (20) ‖ callback selector (4) ‖ callback gas (8) ‖ valid
/// until (8)`.
pub const HEADER_LEN: usize = 40;

/// The gateway's runtime code (36 bytes). It reverts on calldata shorter
/// than the header or on any value sent. Otherwise it takes the next
/// request id from its slot 0 (and stores id + 1), emits
/// `LOG2(calldata; caller, id)` and returns the id as one 32-byte word.
/// Its log is the request: in the receipt only if every frame around the
/// call succeeded.
pub const GATEWAY_CODE: [u8; 36] = [
    0x34, // CALLVALUE
    0x60, 0x28, // PUSH1 40
    0x36, // CALLDATASIZE
    0x10, // LT              size < 40
    0x17, // OR              value != 0 or size < 40
    0x60, 0x20, // PUSH1 revert
    0x57, // JUMPI
    0x5f, // PUSH0
    0x54, // SLOAD           id
    0x80, // DUP1
    0x60, 0x01, // PUSH1 1
    0x01, // ADD
    0x5f, // PUSH0
    0x55, // SSTORE          slot 0 = id + 1
    0x36, // CALLDATASIZE
    0x5f, // PUSH0
    0x5f, // PUSH0
    0x37, // CALLDATACOPY    memory[0..size] = calldata
    0x80, // DUP1
    0x33, // CALLER
    0x36, // CALLDATASIZE
    0x5f, // PUSH0
    0xa2, // LOG2            topics: caller, id
    0x5f, // PUSH0
    0x52, // MSTORE          memory[0..32] = id
    0x60, 0x20, // PUSH1 32
    0x5f, // PUSH0
    0xf3, // RETURN
    0x5b, // JUMPDEST        revert:
    0x5f, // PUSH0
    0x5f, // PUSH0
    0xfd, // REVERT
];

/// Installs the gateway's code in a private chain's genesis state.
pub fn install<S: NodeStore>(state: &mut WorldState<S>) -> Result<(), StateError> {
    state.set_code(GATEWAY, &GATEWAY_CODE)?;
    state.finalize_transaction()
}

/// Why the gateway could not take an input or deliver an answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum GatewayError {
    /// A log of the gateway that is not a request (the gateway's code
    /// cannot emit one; the receipts are not of this chain).
    #[error("malformed gateway log")]
    Malformed,
    /// The certified-call machine refused (a duplicate request id, a
    /// forged, stale, replayed or mismatched result, ...).
    #[error("call: {0}")]
    Call(#[from] CallError),
    /// The delivery transaction is invalid (its callback gas does not cover
    /// the intrinsic cost or exceeds the block's gas limit).
    #[error("invalid delivery: {0}")]
    Invalid(InvalidTransaction),
    /// The EVM stopped for a reason other than an invalid transaction.
    #[error("evm failed")]
    Vm,
    /// The state failed underneath.
    #[error("state: {0}")]
    State(#[from] StateError),
}

/// A request as the gateway logged it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The gateway's id for it (unique on the private chain).
    pub id: u64,
    /// The private contract that called the gateway (gets the answer).
    pub caller: Address,
    /// The public contract called.
    pub contract: Address,
    /// The caller's function the answer is delivered to (zero: none).
    pub callback: [u8; 4],
    /// Gas for the delivery transaction.
    pub callback_gas: u64,
    /// The last public height the call may execute at.
    pub valid_until: u64,
    /// Calldata for the public contract (selector and ABI arguments).
    pub calldata: Vec<u8>,
}

impl Request {
    /// The request a log stands for: `Ok(None)` if the log is not the
    /// gateway's, an error if it is but does not parse.
    pub fn from_log(log: &Log) -> Result<Option<Self>, GatewayError> {
        if log.address != GATEWAY {
            return Ok(None);
        }
        Self::parse(log).map(Some).ok_or(GatewayError::Malformed)
    }

    fn parse(log: &Log) -> Option<Self> {
        let [caller, id] = log.topics.as_slice() else {
            return None;
        };
        let header = log.data.get(..HEADER_LEN)?;
        let (contract, rest) = header.split_at(20);
        let (callback, rest) = rest.split_at(4);
        let (gas, valid_until) = rest.split_at(8);
        Some(Self {
            id: u64::try_from(U256::from_be_bytes(id.0)).ok()?,
            caller: Address::from_slice(caller.0.get(12..)?)?,
            contract: Address::from_slice(contract)?,
            callback: callback.try_into().ok()?,
            callback_gas: u64::from_be_bytes(gas.try_into().ok()?),
            valid_until: u64::from_be_bytes(valid_until.try_into().ok()?),
            calldata: log.data.get(HEADER_LEN..)?.to_vec(),
        })
    }

    /// The public call it asks for (the registry runs `method ‖ args`).
    fn spec(&self) -> CallSpec {
        let split = self.calldata.len().min(4);
        let (method, args) = self.calldata.split_at(split);
        CallSpec {
            contract: self.contract,
            method: method.to_vec(),
            args: args.to_vec(),
            valid_until: self.valid_until,
        }
    }
}

/// How a request ended, as the callback receives it (`status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum DeliveryStatus {
    /// The public method ran and returned; certified.
    Ok = 0,
    /// The public method reverted (its effects undone); certified.
    Failed = 1,
    /// The call expired unexecuted: certified, or known at posting.
    Expired = 2,
}

impl DeliveryStatus {
    /// The status of a certified call's outcome.
    pub fn of(outcome: &CallOutcome) -> Self {
        match outcome {
            CallOutcome::Returned { success: true, .. } => DeliveryStatus::Ok,
            CallOutcome::Returned { .. } => DeliveryStatus::Failed,
            CallOutcome::Expired { .. } => DeliveryStatus::Expired,
        }
    }

    /// The status code a contract sees.
    pub const fn code(self) -> u8 {
        self as u8
    }
}

/// An answer to deliver to a private contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The request answered.
    pub request: Request,
    /// How it ended.
    pub status: DeliveryStatus,
    /// The return or revert data (empty on expiry).
    pub data: Vec<u8>,
    /// The certified public height (`None`: expired before posting).
    pub height: Option<u64>,
}

impl Delivery {
    fn of(request: Request, outcome: CallOutcome) -> Self {
        let status = DeliveryStatus::of(&outcome);
        let (data, height) = match outcome {
            CallOutcome::Returned { output, height, .. } => (output, Some(height)),
            CallOutcome::Expired { height } => (Vec::new(), Some(height)),
        };
        Self {
            request,
            status,
            data,
            height,
        }
    }

    /// The ABI calldata of the callback: `callback(uint256 id, uint256
    /// status, bytes data)`.
    pub fn calldata(&self) -> Vec<u8> {
        let word = |v: U256| v.to_be_bytes::<32>();
        let padded = self.data.len().div_ceil(32).saturating_mul(32);
        let len = padded.saturating_add(4 + 4 * 32);
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(&self.request.callback);
        out.extend_from_slice(&word(U256::from(self.request.id)));
        out.extend_from_slice(&word(U256::from(self.status.code())));
        out.extend_from_slice(&word(U256::from(96u64)));
        out.extend_from_slice(&word(U256::from(self.data.len())));
        out.extend_from_slice(&self.data);
        out.resize(len, 0);
        out
    }

    /// The system transaction that delivers it (from [`DELIVERY`] with
    /// its next nonce `nonce`, gas price zero: the gas bounds the work).
    pub fn transaction(&self, nonce: u64) -> Transaction {
        Transaction {
            tx_type: TxType::Eip1559,
            sender: DELIVERY,
            to: Some(self.request.caller),
            nonce,
            gas_limit: self.request.callback_gas,
            max_fee_per_gas: U256::ZERO,
            max_priority_fee_per_gas: U256::ZERO,
            value: U256::ZERO,
            data: self.calldata(),
            access_list: Vec::new(),
            blob_versioned_hashes: Vec::new(),
            max_fee_per_blob_gas: U256::ZERO,
        }
    }
}

/// Runs `delivery`'s system transaction on the private state: the
/// callback's receipt (reverted or not: the answer is spent either way),
/// `None` when the request named no callback.
pub fn deliver<S: NodeStore>(
    executor: &mut Executor,
    state: &mut WorldState<S>,
    env: &BlockEnv,
    delivery: &Delivery,
) -> Result<Option<Receipt>, GatewayError> {
    if delivery.request.callback == [0; 4] {
        return Ok(None);
    }
    let tx = delivery.transaction(state.nonce(DELIVERY)?);
    executor
        .transact(&mut StateHost::new(state, |_| B256::ZERO), env, &tx)
        .map(Some)
        .map_err(|e| match e {
            VmError::Host(e) => GatewayError::State(e),
            VmError::Invalid(e) => GatewayError::Invalid(e),
            _ => GatewayError::Vm,
        })
}

/// What the gateway machine reports.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GatewayEvent {
    /// Post this call to the public chain (through the twin registry).
    Post(PublicCall),
    /// Deliver this answer ([`deliver`]).
    Deliver(Delivery),
}

/// A private chain's gateway: its requests in flight and their certified
/// calls.
#[derive(Debug)]
pub struct Gateway {
    chain_id: [u8; 32],
    calls: CertifiedCalls,
    requests: BTreeMap<TwinId, Request>,
    /// Requests answered as expired at posting (never posted).
    expired_at_posting: BTreeSet<TwinId>,
    events: VecDeque<GatewayEvent>,
}

impl Gateway {
    /// The gateway of the private chain `chain_id`, calling through the
    /// public twin `registry` from the network's public account `poster`
    /// and accepting results under `policy`.
    pub fn new(chain_id: [u8; 32], registry: Address, poster: Address, policy: ReadPolicy) -> Self {
        Self {
            chain_id,
            calls: CertifiedCalls::new(chain_id, registry, poster, policy),
            requests: BTreeMap::new(),
            expired_at_posting: BTreeSet::new(),
            events: VecDeque::new(),
        }
    }

    /// Takes the requests among an executed transaction's `logs`
    /// (its receipt's) and posts each; `posted_at` is a public height the
    /// chain has verified, the same at every process (results certified at
    /// or below it are stale). A request whose `valid_until` is not above
    /// `posted_at` cannot run any more: it is answered as expired at once.
    /// Returns the requests taken. On an error nothing is taken.
    pub fn collect(&mut self, logs: &[Log], posted_at: u64) -> Result<usize, GatewayError> {
        let mut requests = Vec::new();
        let mut seen = BTreeSet::new();
        for log in logs {
            if let Some(request) = Request::from_log(log)? {
                let id = TwinId::for_call(&self.chain_id, request.id);
                let known = self.requests.contains_key(&id)
                    || self.calls.outcome(&id).is_some()
                    || self.expired_at_posting.contains(&id);
                if known || !seen.insert(id) {
                    return Err(CallError::Duplicate(id).into());
                }
                requests.push(request);
            }
        }
        let taken = requests.len();
        for request in requests {
            match self.calls.call(request.id, request.spec(), posted_at) {
                Ok(id) => {
                    self.requests.insert(id, request);
                }
                Err(CallError::AlreadyExpired { .. }) => {
                    let id = TwinId::for_call(&self.chain_id, request.id);
                    self.expired_at_posting.insert(id);
                    self.events.push_back(GatewayEvent::Deliver(Delivery {
                        request,
                        status: DeliveryStatus::Expired,
                        data: Vec::new(),
                        height: None,
                    }));
                }
                Err(e) => return Err(e.into()),
            }
        }
        self.forward();
        Ok(taken)
    }

    /// A public process's answer to one of the calls: verified and checked
    /// by the certified-call machine; on success the answer is queued for
    /// delivery ([`GatewayEvent::Deliver`]) and its status returned.
    /// Anything else is refused and changes nothing.
    pub fn handle_result<V: Variant>(
        &mut self,
        beacon: &LightBeacon,
        result: &CallResult<V>,
    ) -> Result<DeliveryStatus, GatewayError> {
        let outcome = self.calls.handle_result(beacon, result)?;
        self.forward();
        Ok(DeliveryStatus::of(&outcome))
    }

    /// Whether [`handle_result`](Self::handle_result) would accept
    /// `result` now, and for which call; changes nothing.
    pub fn check_result<V: Variant>(
        &self,
        beacon: &LightBeacon,
        result: &CallResult<V>,
    ) -> Result<TwinId, GatewayError> {
        Ok(self.calls.check_result(beacon, result)?.0)
    }

    /// Turns the certified-call machine's events into the gateway's.
    fn forward(&mut self) {
        while let Some(event) = self.calls.poll_event() {
            match event {
                CallEvent::Post(call) => self.events.push_back(GatewayEvent::Post(call)),
                CallEvent::Done { id, outcome } => {
                    if let Some(request) = self.requests.remove(&id) {
                        let delivery = Delivery::of(request, outcome);
                        self.events.push_back(GatewayEvent::Deliver(delivery));
                    }
                }
            }
        }
    }

    /// The next event, `None` when drained.
    pub fn poll_event(&mut self) -> Option<GatewayEvent> {
        self.events.pop_front()
    }

    /// The public calls still waiting for their result (to post again and
    /// to ask public processes about), in id order.
    pub fn in_flight(&self) -> impl Iterator<Item = &PublicCall> + '_ {
        self.requests.keys().filter_map(|id| self.calls.call_of(id))
    }

    /// The request behind a call id, while it waits.
    pub fn request(&self, id: &TwinId) -> Option<&Request> {
        self.requests.get(id)
    }

    /// How a call ended, if it did.
    pub fn outcome(&self, id: &TwinId) -> Option<&CallOutcome> {
        self.calls.outcome(id)
    }

    /// Requests waiting for their answer.
    pub fn pending(&self) -> usize {
        self.requests.len()
    }
}
