//! An owned RLP tree, for data whose shape is not known in advance.

use alloc::vec::Vec;

use super::decode::Rlp;
use super::encode::{Encode, bytes_len, encode_bytes, encode_list_header, header_len};
use super::error::RlpError;

/// Any RLP item: a byte string or a list of items.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    /// A byte string.
    Bytes(Vec<u8>),
    /// A list of items.
    List(Vec<Value>),
}

/// How deeply lists may nest in a [`Value`]. The tree is dropped, compared
/// and encoded recursively, so its depth is bounded; no Ethereum structure
/// comes near it. The zero-copy [`Rlp`] view has no such limit.
pub const MAX_DEPTH: usize = 1024;

/// A list being filled while decoding: where it ends and what it holds.
struct Open {
    end: usize,
    items: Vec<Value>,
}

impl Value {
    /// Decodes `input`, which must hold exactly one item, checking every
    /// header in the tree.
    ///
    /// Works with an explicit stack; lists nested deeper than [`MAX_DEPTH`]
    /// are refused ([`RlpError::TooDeep`]). Every allocated item stands for
    /// at least one input byte.
    pub fn decode(input: &[u8]) -> Result<Self, RlpError> {
        let top = Rlp::new(input)?;
        let mut stack: Vec<Open> = Vec::new();
        let mut item = top;
        let mut pos = 0usize;
        loop {
            let mut finished = if item.is_list() {
                if stack.len() >= MAX_DEPTH {
                    return Err(RlpError::TooDeep {
                        offset: pos,
                        limit: MAX_DEPTH,
                    });
                }
                let header = item.header_len();
                stack.push(Open {
                    end: pos + item.raw().len(),
                    items: Vec::new(),
                });
                pos += header;
                None
            } else {
                pos += item.raw().len();
                Some(Value::Bytes(item.data()?.to_vec()))
            };
            // Close every list that ends here, innermost first.
            loop {
                match (finished.take(), stack.last_mut()) {
                    (Some(done), None) => return Ok(done),
                    (Some(done), Some(open)) => open.items.push(done),
                    (None, _) => {}
                }
                match stack.last() {
                    Some(open) if open.end == pos => {
                        let closed = stack.pop().map(|o| Value::List(o.items));
                        finished = closed;
                    }
                    _ => break,
                }
            }
            let end = stack.last().map_or(input.len(), |o| o.end);
            let window = input.get(pos..end).unwrap_or_default();
            let (next, _) = Rlp::split_first(window).map_err(|e| shift(e, pos))?;
            item = next;
        }
    }

    /// The bytes of a byte string, `None` for a list.
    #[must_use]
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            Value::List(_) => None,
        }
    }

    /// The items of a list, `None` for a byte string.
    #[must_use]
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) => Some(items),
            Value::Bytes(_) => None,
        }
    }

    fn payload_len(&self) -> usize {
        match self {
            Value::Bytes(b) => b.len(),
            Value::List(items) => items.iter().map(Encode::encoded_len).sum(),
        }
    }
}

/// Moves an error's offsets from a window of the input to the whole input.
fn shift(e: RlpError, by: usize) -> RlpError {
    match e {
        RlpError::Truncated {
            offset,
            needed,
            available,
        } => RlpError::Truncated {
            offset: offset + by,
            needed,
            available,
        },
        RlpError::NonCanonicalSingleByte { offset, byte } => RlpError::NonCanonicalSingleByte {
            offset: offset + by,
            byte,
        },
        RlpError::NonCanonicalLength { offset, len } => RlpError::NonCanonicalLength {
            offset: offset + by,
            len,
        },
        RlpError::LeadingZeroInLength { offset } => RlpError::LeadingZeroInLength {
            offset: offset + by,
        },
        RlpError::LengthOverflow { offset } => RlpError::LengthOverflow {
            offset: offset + by,
        },
        other => other,
    }
}

impl Encode for Value {
    fn encoded_len(&self) -> usize {
        match self {
            Value::Bytes(b) => bytes_len(b),
            Value::List(_) => {
                let payload = self.payload_len();
                header_len(payload) + payload
            }
        }
    }

    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Value::Bytes(b) => encode_bytes(b, out),
            Value::List(items) => {
                encode_list_header(self.payload_len(), out);
                items.iter().for_each(|i| i.encode(out));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn nested_round_trip() {
        // [ [], [[]], [ [], [[]] ] ]
        let enc = [0xc7, 0xc0, 0xc1, 0xc0, 0xc3, 0xc0, 0xc1, 0xc0];
        let v = Value::decode(&enc).unwrap();
        let e = || Value::List(vec![]);
        assert_eq!(
            v,
            Value::List(vec![
                e(),
                Value::List(vec![e()]),
                Value::List(vec![e(), Value::List(vec![e()])]),
            ])
        );
        assert_eq!(v.to_rlp(), enc);
    }

    fn nested(depth: usize) -> Vec<u8> {
        let mut enc = vec![0xc0u8];
        for _ in 0..depth {
            let mut outer = Vec::new();
            encode_list_header(enc.len(), &mut outer);
            outer.extend_from_slice(&enc);
            enc = outer;
        }
        enc
    }

    #[test]
    fn depth_limit() {
        // MAX_DEPTH lists in all: the innermost empty one and MAX_DEPTH - 1 around it.
        let ok = nested(MAX_DEPTH - 1);
        assert_eq!(Value::decode(&ok).unwrap().to_rlp(), ok);
        let too_deep = nested(MAX_DEPTH);
        assert!(matches!(
            Value::decode(&too_deep),
            Err(RlpError::TooDeep {
                limit: MAX_DEPTH,
                ..
            })
        ));
    }

    #[test]
    fn errors_carry_absolute_offsets() {
        // list of 3 bytes: [0x01, 0x81 0x05] – the second item is not canonical.
        let err = Value::decode(&[0xc3, 0x01, 0x81, 0x05]).unwrap_err();
        assert_eq!(err, RlpError::NonCanonicalSingleByte { offset: 2, byte: 5 });
        let err = Value::decode(&[0xc2, 0x83, 0x01]).unwrap_err();
        assert!(matches!(err, RlpError::Truncated { offset: 1, .. }));
    }
}
