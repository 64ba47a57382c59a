//! The two system accounts every shard has, the outbox's code, and the
//! byte layouts contracts see: the request header, the reply calldata and
//! the caller suffix.

use alloc::vec::Vec;

use dfn_state::{Address, U256};

use crate::log::Log;

/// The outbox: a contract calls it to send an asynchronous request.
/// `0x000000000000000000000000000000000000dF01` on every shard.
pub const OUTBOX: Address = system_address(0x01);

/// The relay: the sender of every call a shard makes on behalf of the
/// protocol (incoming requests and replies), so a contract knows such a
/// call by `msg.sender == RELAY`. It holds no code and, between calls, no
/// balance. `0x000000000000000000000000000000000000dF02` on every shard.
pub const RELAY: Address = system_address(0x02);

/// The system account `0x…dF<low>`: the range dfn reserves for accounts
/// the protocol itself runs (the shard outbox and relay here, the private
/// chains' gateway in dfn-interop). Nobody holds a key to them.
pub const fn system_address(low: u8) -> Address {
    let mut bytes = [0u8; 20];
    bytes[18] = 0xdf;
    bytes[19] = low;
    Address(bytes)
}

/// Bytes of the request header at the start of the outbox's calldata:
/// `destination (20) ‖ callback selector (4) ‖ gas (8, big-endian) ‖
/// callback gas (8, big-endian)`.
pub const HEADER_LEN: usize = 40;

/// The outbox's runtime code (35 bytes). With calldata shorter than the
/// header it reverts. Otherwise it takes the next request id from its slot
/// 0 (and stores id + 1), emits `LOG3(calldata; caller, callvalue, id)`,
/// and returns the id as one 32-byte word. The value sent stays in its
/// balance until the shard takes it out with the request at the end of
/// the transaction. Its log is the request: it appears in the receipt only
/// if every frame around the call succeeded, so a request is sent exactly
/// when the calling transaction commits it.
pub const OUTBOX_CODE: [u8; 35] = [
    0x60, 0x28, // PUSH1 40
    0x36, // CALLDATASIZE
    0x10, // LT              size < 40
    0x60, 0x1f, // PUSH1 revert
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
    0x34, // CALLVALUE
    0x33, // CALLER
    0x36, // CALLDATASIZE
    0x5f, // PUSH0
    0xa3, // LOG3            topics: caller, value, id
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

/// How a request ended, as the caller's callback receives it (`status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Status {
    /// The callee ran and returned; `data` is its return data.
    Ok = 0,
    /// The callee reverted; `data` is the revert data. Value refunded.
    Reverted = 1,
    /// The callee ran out of gas or halted exceptionally (or the gas did
    /// not cover the call's intrinsic cost). Value refunded.
    Halted = 2,
    /// No code at the destination (or a system address). Not executed;
    /// value refunded.
    DestinationMissing = 3,
    /// The stream to the destination's shard was full when the request was
    /// sent (back-pressure). Not executed; value refunded.
    StreamFull = 4,
    /// The destination's queue for requests from this shard was full. Not
    /// executed; value refunded.
    QueueFull = 5,
    /// The destination reached a shard that does not hold it. Not
    /// executed; value refunded.
    WrongShard = 6,
}

impl Status {
    /// The status code a contract sees.
    #[must_use]
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The status of a code, if it is one.
    #[must_use]
    pub const fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Status::Ok,
            1 => Status::Reverted,
            2 => Status::Halted,
            3 => Status::DestinationMissing,
            4 => Status::StreamFull,
            5 => Status::QueueFull,
            6 => Status::WrongShard,
            _ => return None,
        })
    }

    /// Whether the callee ran and its effects stand.
    #[must_use]
    pub const fn is_ok(self) -> bool {
        matches!(self, Status::Ok)
    }
}

/// A request as the outbox logged it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Emitted {
    /// The outbox's id for it (unique on this shard, returned to the caller).
    pub id: u64,
    /// The contract that called the outbox.
    pub caller: Address,
    /// The destination.
    pub callee: Address,
    /// Value sent along.
    pub value: U256,
    /// Selector of the caller's function the reply is delivered to (zero:
    /// no callback).
    pub callback: [u8; 4],
    /// Gas for the call at the destination.
    pub gas: u64,
    /// Gas for the callback.
    pub callback_gas: u64,
    /// Calldata for the callee.
    pub calldata: Vec<u8>,
}

/// The request the outbox's `log` stands for, if it is an outbox log.
/// Every log the outbox's code can emit parses.
pub(crate) fn parse_request(log: &Log) -> Option<Emitted> {
    if log.address != OUTBOX {
        return None;
    }
    let [caller, value, id] = log.topics.as_slice() else {
        return None;
    };
    let header = log.data.get(..HEADER_LEN)?;
    let (callee, rest) = header.split_at(20);
    let (callback, gases) = rest.split_at(4);
    let (gas, callback_gas) = gases.split_at(8);
    Some(Emitted {
        id: u64::try_from(U256::from_be_bytes(id.0)).ok()?,
        caller: Address::from_slice(caller.0.get(12..)?)?,
        callee: Address::from_slice(callee)?,
        value: U256::from_be_bytes(value.0),
        callback: callback.try_into().ok()?,
        gas: u64::from_be_bytes(gas.try_into().ok()?),
        callback_gas: u64::from_be_bytes(callback_gas.try_into().ok()?),
        calldata: log.data.get(HEADER_LEN..)?.to_vec(),
    })
}

/// Calldata of a call the relay makes: `data ‖ origin` (the 20 bytes a
/// contract reads as `msg.data[msg.data.length - 20:]`). `origin` is the
/// remote caller for a request and [`OUTBOX`] for a reply.
pub(crate) fn with_origin(mut data: Vec<u8>, origin: Address) -> Vec<u8> {
    data.extend_from_slice(&origin.0);
    data
}

/// The ABI calldata of a reply: `callback(uint256 id, uint256 status,
/// bytes data)`, followed by the [`OUTBOX`] as origin.
pub(crate) fn reply_calldata(callback: [u8; 4], id: u64, status: Status, data: &[u8]) -> Vec<u8> {
    let padded = data.len().div_ceil(32) * 32;
    let mut out = Vec::with_capacity(4 + 4 * 32 + padded + 20);
    out.extend_from_slice(&callback);
    out.extend_from_slice(&U256::from(id).to_be_bytes::<32>());
    out.extend_from_slice(&U256::from(status.code()).to_be_bytes::<32>());
    out.extend_from_slice(&U256::from(96u64).to_be_bytes::<32>());
    out.extend_from_slice(&U256::from(data.len()).to_be_bytes::<32>());
    out.extend_from_slice(data);
    out.resize(4 + 4 * 32 + padded, 0);
    with_origin(out, OUTBOX)
}
