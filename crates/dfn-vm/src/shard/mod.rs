//! Shards: EVM contracts calling each other across shards, asynchronously.
//!
//! dfn-state holds the scale-out machinery (shard map, streams with
//! proofs, towers); this module runs the EVM on it. A [`ShardNode`] is one
//! replica of one shard; [`EvmTransition`] lets a validation tower
//! re-execute its blocks.
//!
//! # Programming model
//!
//! Every shard has two system accounts:
//!
//! - the **outbox** [`OUTBOX`] (`0x…dF01`), a small contract
//!   ([`OUTBOX_CODE`]). A contract sends a request by calling it with
//!   `destination (20 bytes) ‖ callback selector (4) ‖ gas (8, big-endian)
//!   ‖ callback gas (8, big-endian) ‖ calldata`, and any value. The call returns the request's id (one
//!   32-byte word, unique on the shard) at once and nothing else happens
//!   synchronously: no code of the destination runs in the caller's
//!   transaction. In Solidity:
//!
//!   ```solidity
//!   (bool ok, bytes memory ret) = OUTBOX.call{value: v}(
//!       abi.encodePacked(dest, this.onReply.selector, uint64(gas), uint64(callbackGas),
//!                        abi.encodeCall(...)));
//!   uint256 id = abi.decode(ret, (uint256));
//!   ```
//!
//!   The request is sent only if the calling transaction commits it (the
//!   outbox's log is the request; a reverted frame sends nothing).
//! - the **relay** [`RELAY`] (`0x…dF02`), the sender of every call the
//!   protocol makes. Such a call's calldata ends with 20 bytes naming who
//!   is calling: `msg.data[msg.data.length - 20:]` is the remote caller for
//!   a request, and the outbox for a reply. A contract checks
//!   `msg.sender == RELAY` and that suffix (so no remote contract can fake
//!   a reply by calling the callback as a request).
//!
//! At the destination, in a later block, the relay calls `destination`
//! with `calldata ‖ caller`, the value and the gas, as a transaction of
//! its own (gas price 0: the gas is a bound on work, not a payment). The
//! request's one answer comes back to the caller's shard, which credits
//! any refund to the caller and then calls
//! `callback(uint256 id, uint256 status, bytes data)` on it with the
//! callback gas (a zero selector means no callback). `status` is a [`Status`]:
//! `0` ok (`data` = return data), `1` reverted (revert data), `2` out of
//! gas or halted, `3` no contract at the destination, `4` the stream to
//! the destination's shard was full (back-pressure), `5` the
//! destination's queue was full, `6` the destination is not on the shard
//! its address maps to. On every status but `0` the value comes back.
//!
//! Every request gets exactly one reply, delivered once, and requests
//! between two shards execute in the order they were sent. Nothing is
//! locked across shards: between request and reply the caller's state can
//! change, so a contract records what the request is for (keyed by id)
//! and settles it in the callback — for a token, debit on send, refund on
//! a failed status (see `examples/contracts/ShardToken.sol`). Requests to
//! an address on the caller's own shard take the same path (executed in
//! the next block), so a contract need not know where its peers live.
//!
//! # Blocks and roots
//!
//! A block executes the deliveries (replies and same-shard requests left
//! from the previous block, then the requests and replies of the inducted
//! slices, source by source, each in stream order) and then its
//! transactions. Its tower level root is [`level_root`]`(state root,
//! effects hash)`, binding the account state and the messages sent.

mod block;
mod codec;
mod exec;
mod node;
mod system;
mod transition;

pub use block::{Answer, Delivery, Origin, ShardBlock};
pub use codec::{BLOCK_VERSION, effects_hash};
pub use exec::{BLOCK_GAS_LIMIT, BlockError, BlockOutcome, execute_block, level_root};
pub use node::{Executed, NodeError, ShardNode, level_inputs};
pub use system::{Emitted, HEADER_LEN, OUTBOX, OUTBOX_CODE, RELAY, Status, system_address};
pub use transition::{EvmTransition, TransitionError};
