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
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod account;
mod address;
mod draw;
mod hash;
pub mod lazy;
pub mod lottery;
pub mod rlp;
pub mod shard;
pub mod state;
pub mod stream;
pub mod tower;
pub mod trie;
pub mod uscid;

pub use account::Account;
pub use address::Address;
pub use hash::{B256, EMPTY_ROOT, KECCAK_EMPTY, keccak256};
/// The 256-bit unsigned integer of balances and storage words (`ruint`).
pub use ruint::aliases::U256;
