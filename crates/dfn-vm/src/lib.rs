#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
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

pub mod access;
pub mod analysis;
mod arith;
pub mod env;
pub mod error;
mod evm;
mod frame;
pub mod host;
mod interpreter;
mod keccak;
pub mod log;
pub mod memory;
pub mod opcode;
mod pool;
pub mod precompile;
pub mod shard;
pub mod signed;
pub mod spec;
mod stack;
pub mod tracer;
pub mod transaction;

pub use env::BlockEnv;
pub use error::{Halt, InvalidTransaction, VmError};
pub use evm::{create_address, create2_address};
pub use frame::Status;
pub use host::{Host, StateHost};
pub use log::{Log, logs_bloom, logs_hash};
pub use signed::{SignedTransaction, TxDecodeError, TxSignature};
pub use spec::Spec;
pub use transaction::{
    AccessListItem, Execution, Executor, Limits, Receipt, Transaction, TxType, intrinsic_gas,
};
