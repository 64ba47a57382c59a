//! Cross-shard streams (`protocol.md` §4): a gap-free FIFO stream of
//! messages per ordered pair of shards, committed in the source shard's
//! streams trie; the destination takes slices proven against the root the
//! chain recorded, in index order (the index makes delivery exactly
//! once), and acknowledges in its own stream's header (`signals_end`,
//! reject signals), by which the source garbage-collects. Every request
//! gets exactly one response: the callee's, or a reject the source derives
//! from the destination's signal.
//!
//! **Programming model.** A cross-shard call is asynchronous: the caller's
//! transaction sends the request ([`ShardStreams::call`] returns its
//! [`CallId`] at once, or [`SendError::StreamFull`] — the caller sees the
//! back-pressure synchronously) and ends. The callee runs when the request
//! reaches its shard ([`Inbound::Request`]); its result travels back and is
//! delivered to the caller as a response message ([`Inbound::Response`],
//! carrying the call id, the outcome and any refund), which the caller's
//! shard executes as a callback into the caller. Nothing is locked across
//! shards and there is no global order between streams.

mod header;
mod message;
mod slice;
mod streams;

pub use header::StreamHeader;
pub use message::{CallId, Outcome, RejectReason, Request, Response, StreamMessage};
pub use slice::{SliceError, SliceItem, StreamSlice, header_key, message_key};
pub use streams::{Inbound, RespondError, SendError, ShardStreams, StreamConfig};
