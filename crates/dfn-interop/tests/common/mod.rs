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

pub mod evm;
pub mod fixture;
pub mod host;
