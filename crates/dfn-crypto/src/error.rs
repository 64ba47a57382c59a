//! Typed errors: each names what was wrong with which input.

use thiserror::Error;

/// Why bytes do not decode to a usable curve point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PointError {
    /// The input is not the length of a compressed point of this group.
    #[error("expected {expected} bytes, got {actual}")]
    WrongLength {
        /// Bytes a compressed point of this group has.
        expected: usize,
        /// Bytes supplied.
        actual: usize,
    },
    /// The compression flag (bit 7 of byte 0) is not set: uncompressed
    /// encodings are not accepted.
    #[error("the compression flag is not set")]
    NotCompressed,
    /// The infinity flag is set but the rest is not the canonical encoding
    /// of infinity (sign flag or coordinate bits set).
    #[error("non-canonical encoding of the point at infinity")]
    NonCanonicalInfinity,
    /// The canonical encoding of the point at infinity, which is never a
    /// valid key or signature.
    #[error("the point at infinity is not a valid key or signature")]
    Infinity,
    /// The x-coordinate is not a canonical field element (`≥ p`).
    #[error("the x-coordinate is not below the field modulus")]
    NonCanonicalCoordinate,
    /// No point on the curve has this x-coordinate.
    #[error("the point is not on the curve")]
    NotOnCurve,
    /// The point is on the curve but outside the prime-order subgroup.
    #[error("the point is not in the prime-order subgroup")]
    NotInSubgroup,
}

/// Why bytes do not decode to a secret key or secret share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ScalarError {
    /// A secret scalar is exactly 32 big-endian bytes.
    #[error("expected 32 bytes, got {0}")]
    WrongLength(usize),
    /// The value is not below the group order `r`.
    #[error("the value is not below the group order")]
    NotCanonical,
    /// Zero is never a valid secret key.
    #[error("zero is not a valid secret key")]
    Zero,
}

/// Errors of key generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum KeyGenError {
    /// IETF KeyGen requires at least 32 bytes of input key material.
    #[error("input key material must be at least 32 bytes, got {0}")]
    IkmTooShort(usize),
}

/// Errors of signature aggregation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AggregateError {
    /// Nothing to aggregate.
    #[error("cannot aggregate an empty set")]
    Empty,
    /// The inputs sum to the point at infinity (only possible with
    /// adversarially chosen keys or signatures).
    #[error("the aggregate is the point at infinity")]
    Infinity,
    /// Aggregate verification with the basic scheme requires distinct
    /// messages.
    #[error("messages {0} and {1} are equal; the basic scheme needs distinct messages")]
    DuplicateMessage(usize, usize),
    /// The numbers of keys and messages differ.
    #[error("{keys} public keys but {messages} messages")]
    LengthMismatch {
        /// Public keys supplied.
        keys: usize,
        /// Messages supplied.
        messages: usize,
    },
}

/// Errors of threshold operations.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ThresholdError {
    /// The threshold must be at least 1 and at most `n`.
    #[error("invalid threshold {threshold} for {n} members")]
    InvalidThreshold {
        /// Shares needed.
        threshold: u32,
        /// Group size.
        n: u32,
    },
    /// Member indices are 1..=n; 0 is the group secret.
    #[error("member index 0 is reserved for the group secret; indices start at 1")]
    ZeroIndex,
    /// An index appears twice among the shares to combine.
    #[error("member index {0} appears more than once")]
    DuplicateIndex(u32),
    /// Fewer shares than the threshold.
    #[error("{have} shares, {need} needed")]
    NotEnoughShares {
        /// Distinct shares supplied.
        have: usize,
        /// Shares needed.
        need: usize,
    },
    /// The recovered value is the point at infinity.
    #[error("the recovered point is the point at infinity")]
    Infinity,
    /// A public polynomial must have at least one coefficient.
    #[error("a polynomial needs at least one coefficient")]
    EmptyPolynomial,
}
