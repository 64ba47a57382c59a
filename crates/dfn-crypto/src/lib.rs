#![doc = include_str!("../README.md")]
#![no_std]
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

pub mod aggregate;
pub mod backend;
pub mod dkg;
pub mod drand;
mod encoding;
pub mod error;
mod hex;
mod keygen;
mod keys;
mod pop;
mod signature;
mod signature_batch;
pub mod threshold;
mod time;
mod variant;

/// The `rand_core` this crate's APIs take random sources from.
pub use rand_core;

pub use aggregate::{aggregate_verify, fast_aggregate_verify};
pub use keys::{PublicKey, SecretKey};
pub use pop::ProofOfPossession;
pub use signature::{MessageHash, Signature};
pub use signature_batch::{SignedItem, invalid_signatures};
pub use time::Time;
pub use variant::{MinPk, MinSig, ScalarOf, Suite, Variant};
