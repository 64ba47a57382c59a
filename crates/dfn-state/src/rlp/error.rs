//! What can be wrong with RLP input.

/// Why some bytes are not the canonical RLP encoding of what was asked for.
///
/// Offsets count from the start of the input given to the decoder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RlpError {
    /// The item header, payload or an item inside a list runs past the end
    /// of its input or of its enclosing list.
    #[error("item at offset {offset} needs {needed} bytes but only {available} remain")]
    Truncated {
        /// Where the item starts.
        offset: usize,
        /// Bytes the header says the item occupies (header included).
        needed: usize,
        /// Bytes left in the input or the enclosing list.
        available: usize,
    },
    /// A single byte below `0x80` was wrapped in a one-byte string header
    /// (`0x81 0x00`); it must stand for itself.
    #[error(
        "byte {byte:#04x} at offset {offset} must be encoded as itself, not as a one-byte string"
    )]
    NonCanonicalSingleByte {
        /// Where the `0x81` header is.
        offset: usize,
        /// The wrapped byte.
        byte: u8,
    },
    /// A length below 56 was written in the long form.
    #[error("length {len} at offset {offset} must use the short form")]
    NonCanonicalLength {
        /// Where the header is.
        offset: usize,
        /// The length written.
        len: usize,
    },
    /// A long-form length starts with a zero byte.
    #[error("length at offset {offset} has a leading zero byte")]
    LeadingZeroInLength {
        /// Where the header is.
        offset: usize,
    },
    /// A long-form length does not fit in this machine's `usize`.
    #[error("length at offset {offset} does not fit in usize")]
    LengthOverflow {
        /// Where the header is.
        offset: usize,
    },
    /// Bytes follow the one item the input was meant to hold.
    #[error("{count} trailing bytes after the item ending at offset {end}")]
    TrailingBytes {
        /// Where the item ends.
        end: usize,
        /// How many bytes follow it.
        count: usize,
    },
    /// A byte string was expected; the item is a list.
    #[error("expected a byte string at offset {offset}, found a list")]
    ExpectedString {
        /// Where the item starts.
        offset: usize,
    },
    /// A list was expected; the item is a byte string.
    #[error("expected a list at offset {offset}, found a byte string")]
    ExpectedList {
        /// Where the item starts.
        offset: usize,
    },
    /// An integer's big-endian bytes start with zero (zero itself is the
    /// empty string).
    #[error("integer at offset {offset} has a leading zero byte")]
    LeadingZeroInInteger {
        /// Where the item starts.
        offset: usize,
    },
    /// An integer has more bytes than the target type holds.
    #[error("integer of {len} bytes at offset {offset} does not fit in {max} bytes")]
    IntegerOverflow {
        /// Where the item starts.
        offset: usize,
        /// Bytes in the payload.
        len: usize,
        /// Bytes the target type holds.
        max: usize,
    },
    /// A fixed-size byte string (hash, address) has the wrong length.
    #[error("expected {expected} bytes at offset {offset}, found {found}")]
    WrongLength {
        /// Where the item starts.
        offset: usize,
        /// Length required.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// A list has the wrong number of items for the structure decoded.
    #[error("list at offset {offset} has {found} items, expected {expected}")]
    WrongItemCount {
        /// Where the list starts.
        offset: usize,
        /// Items required.
        expected: usize,
        /// Items found.
        found: usize,
    },
    /// A boolean other than `0x80` (false) or `0x01` (true).
    #[error("byte string at offset {offset} is not a boolean")]
    InvalidBool {
        /// Where the item starts.
        offset: usize,
    },
    /// Well-formed RLP that is not a valid value of the type decoded (an
    /// unknown tag, a field combination the type forbids).
    #[error("item at offset {offset}: {what}")]
    Invalid {
        /// Where the item starts.
        offset: usize,
        /// What is wrong.
        what: &'static str,
    },
    /// Lists nest deeper than the owned tree allows.
    #[error("lists nested deeper than {limit} at offset {offset}")]
    TooDeep {
        /// Where the list that goes too deep starts.
        offset: usize,
        /// The limit ([`MAX_DEPTH`](super::MAX_DEPTH)).
        limit: usize,
    },
}
