//! Shared by the integration tests: a public chain built directly, and a
//! dfn-sim host for public and private chain nodes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs,
    dead_code
)]

pub mod chain_host;
pub mod contract_host;
pub mod evm;
pub mod faults;
pub mod fixture;
pub mod host;
pub mod messages;
pub mod network;
pub mod private_evm;
pub mod private_host;
pub mod public_host;
