//! Why a frame halts, why a transaction is invalid, and what can go wrong
//! in the host.

use dfn_state::{Address, U256};

/// An exceptional halt: the frame ends, its state changes are undone and
/// all the gas it was given is consumed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Halt {
    /// Not enough gas for the next step.
    #[error("out of gas")]
    OutOfGas,
    /// An opcode needed more items than the stack holds.
    #[error("stack underflow")]
    StackUnderflow,
    /// A push beyond the stack limit.
    #[error("stack overflow")]
    StackOverflow,
    /// JUMP or JUMPI to a byte that is not a JUMPDEST.
    #[error("invalid jump destination")]
    InvalidJump,
    /// An opcode undefined in this fork (or INVALID).
    #[error("invalid opcode 0x{0:02x}")]
    InvalidOpcode(u8),
    /// A state change inside a static call.
    #[error("state change in a static call")]
    StaticViolation,
    /// RETURNDATACOPY past the end of the return data.
    #[error("return data read out of bounds")]
    ReturnDataOutOfBounds,
    /// CREATE or CREATE2 onto an account with code or a nonce.
    #[error("contract address collision")]
    CreateCollision,
    /// Created code larger than the fork allows (EIP-170).
    #[error("created code too large")]
    CodeSizeLimit,
    /// CREATE or CREATE2 initcode larger than the fork allows (EIP-3860).
    #[error("initcode too large")]
    InitcodeSizeLimit,
    /// Created code starting with 0xEF (EIP-3541).
    #[error("created code starts with 0xEF")]
    InvalidCodePrefix,
    /// A precompile rejected its input.
    #[error("precompile failed")]
    PrecompileFailed,
    /// Memory beyond the configured limit.
    #[error("memory limit exceeded")]
    MemoryLimit,
}

/// Why a transaction is invalid: it is rejected and changes no state.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidTransaction {
    /// The nonce differs from the sender's.
    #[error("nonce {tx} differs from the sender's {state}")]
    NonceMismatch {
        /// The transaction's nonce.
        tx: u64,
        /// The sender's nonce.
        state: u64,
    },
    /// The sender's nonce is at its maximum (EIP-2681).
    #[error("sender nonce at its maximum")]
    NonceOverflow,
    /// The sender has code (EIP-3607).
    #[error("sender {0} has code")]
    SenderHasCode(Address),
    /// The gas limit does not cover the intrinsic gas.
    #[error("gas limit {limit} below intrinsic gas {intrinsic}")]
    IntrinsicGasTooLow {
        /// The transaction's gas limit.
        limit: u64,
        /// The gas the transaction needs before executing.
        intrinsic: u64,
    },
    /// The gas limit exceeds the block's.
    #[error("gas limit {tx} above the block's {block}")]
    GasLimitAboveBlock {
        /// The transaction's gas limit.
        tx: u64,
        /// The block gas limit.
        block: u64,
    },
    /// The fee cap is below the block's base fee.
    #[error("max fee per gas {max_fee} below base fee {base_fee}")]
    FeeCapBelowBaseFee {
        /// The transaction's fee cap.
        max_fee: U256,
        /// The block's base fee.
        base_fee: U256,
    },
    /// The priority fee exceeds the fee cap.
    #[error("priority fee above the fee cap")]
    PriorityFeeAboveFeeCap,
    /// The sender cannot pay for gas and value.
    #[error("sender balance {balance} below the {needed} needed")]
    InsufficientFunds {
        /// The sender's balance.
        balance: U256,
        /// Gas limit times fee cap, plus value, plus blob fee.
        needed: U256,
    },
    /// A creation transaction's initcode is too large (EIP-3860).
    #[error("initcode of {0} bytes is too large")]
    InitcodeTooLarge(usize),
    /// `gas_limit · max_fee + value` does not fit in 256 bits.
    #[error("fee arithmetic overflows")]
    FeeOverflow,
    /// A blob transaction without blobs, or with too many, or that creates.
    #[error("invalid blob transaction")]
    InvalidBlobs,
    /// A blob versioned hash without the KZG version byte 0x01.
    #[error("blob versioned hash has the wrong version byte")]
    BlobHashVersion,
    /// The blob fee cap is below the block's blob base fee.
    #[error("max fee per blob gas below the blob base fee")]
    BlobFeeCapTooLow,
}

/// What stops execution as a whole: the host failed, or the transaction
/// was invalid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VmError<E> {
    /// The host could not answer a state access.
    #[error("host: {0}")]
    Host(E),
    /// The transaction is invalid.
    #[error("invalid transaction: {0}")]
    Invalid(#[from] InvalidTransaction),
    /// The host answered "pending" to `Executor::transact`, which cannot
    /// suspend (`Executor::start` can).
    #[error("the host has no answer yet; use Executor::start to suspend and resume")]
    Suspended,
    /// `Execution::resume` after the execution ended.
    #[error("the execution has ended")]
    Finished,
}
