//! What a shard block holds: deliveries (incoming requests and replies)
//! and transactions, plus the roots it starts from; and what executing it
//! answers.

use alloc::vec::Vec;

use dfn_state::shard::ShardId;
use dfn_state::stream::CallId;
use dfn_state::{Address, B256, U256};

use super::system::Status;
use crate::transaction::Transaction;

/// Where a request executed here came from, so its answer can go back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// From another shard's stream, as that shard's call `call`.
    Remote {
        /// The source shard.
        shard: ShardId,
        /// The stream's id of the call.
        call: CallId,
    },
    /// From this shard (caller and callee on the same shard), as the
    /// outbox's request `id`.
    Local {
        /// The outbox's id.
        id: u64,
    },
}

/// Something a block executes before its transactions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// A request to execute: the relay calls `callee` with
    /// `calldata ‖ caller`, `value` and `gas`.
    Call {
        /// Where the answer goes.
        origin: Origin,
        /// The requesting contract (on the origin shard).
        caller: Address,
        /// The contract called (here).
        callee: Address,
        /// Value sent along.
        value: U256,
        /// Gas for the call.
        gas: u64,
        /// Calldata.
        calldata: Vec<u8>,
    },
    /// The one answer to request `id` made here: `refund` is credited to
    /// `caller`, then the relay calls its `callback` (unless zero).
    Reply {
        /// The outbox's id of the request.
        id: u64,
        /// The requesting contract.
        caller: Address,
        /// Its callback selector.
        callback: [u8; 4],
        /// Gas for the callback.
        gas: u64,
        /// How the request ended.
        status: Status,
        /// Return or revert data.
        data: Vec<u8>,
        /// Value coming back (the request's value unless it succeeded).
        refund: U256,
    },
}

/// The answer to a [`Delivery::Call`] executed in a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// Where it goes.
    pub origin: Origin,
    /// The requesting contract.
    pub caller: Address,
    /// The contract called.
    pub callee: Address,
    /// Value going back.
    pub refund: U256,
    /// How the call ended.
    pub status: Status,
    /// Return or revert data.
    pub data: Vec<u8>,
}

/// One block of one shard: the unit a tower level re-executes.
///
/// Deliveries run first, in order, then transactions. `pre_state_root`
/// and `pre_effects` open the level root the block starts from
/// ([`level_root`](super::level_root)), so a re-executor knows which state
/// to load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardBlock {
    /// The account state root before the block.
    pub pre_state_root: B256,
    /// The effects hash of the block before (zero before the first).
    pub pre_effects: B256,
    /// Block number (NUMBER).
    pub number: u64,
    /// Timestamp in seconds (TIMESTAMP).
    pub timestamp: u64,
    /// Incoming requests and replies, in execution order.
    pub deliveries: Vec<Delivery>,
    /// Transactions, in execution order.
    pub txs: Vec<Transaction>,
}
