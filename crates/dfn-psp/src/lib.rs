#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod block;
mod chain;
mod checks;
mod config;
mod event;
#[cfg(feature = "std")]
mod memo;
mod node;
mod priority;
mod round;
mod score;
mod wire;

pub use block::{BLOCK_TAG, Block, BlockHash, HEADER_LEN, Proposal};
pub use chain::{ChainEntry, ChainStore, FinalityConflict, TipKey};
pub use checks::{DirectChecks, SignatureChecks};
pub use config::{ConfigError, PspConfig};
pub use event::{ChainEvent, Evidence, Output, Rejection};
#[cfg(feature = "std")]
pub use memo::MemoChecks;
pub use node::PspNode;
pub use priority::{PriorityList, Processes};
pub use score::Score;
pub use wire::{
    CatchUpRequest, CatchUpResponse, MAX_PAYLOAD, MAX_RESPONSE_ITEMS, NOTARY_TAG, Notarization,
    NotarizationShare, PspMessage, WIRE_VERSION, WireError, notary_hash, notary_message,
};
