//! Strict RLP decoding: zero-copy views over validated item framing.
//!
//! Every header is checked when it is read: a single byte below `0x80` in
//! a one-byte string, a long form for a length below 56, a length with
//! leading zeros or running past its input are all errors. Nothing is
//! allocated on the strength of a length read from the input.

use alloc::vec::Vec;

use ruint::aliases::U256;

use super::encode::{LIST_OFFSET, SHORT_LIMIT, STRING_OFFSET};
use super::error::RlpError;
use crate::address::Address;
use crate::hash::B256;

/// One RLP item whose header has been checked: a byte string or a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rlp<'a> {
    /// The whole item, header included.
    raw: &'a [u8],
    /// The payload (string bytes or concatenated list items).
    payload: &'a [u8],
    is_list: bool,
    /// Where the item starts in the decoder's input.
    offset: usize,
}

/// Reads one item header at the start of `input` (which sits at `offset`
/// of the original input) and returns the item and the bytes after it.
fn split_item(input: &[u8], offset: usize) -> Result<(Rlp<'_>, &[u8]), RlpError> {
    let truncated = |needed: usize| RlpError::Truncated {
        offset,
        needed,
        available: input.len(),
    };
    let (&first, rest) = input.split_first().ok_or(truncated(1))?;
    let (is_list, header_len, payload_len) = match first {
        0..STRING_OFFSET => {
            let (raw, after) = input.split_at_checked(1).ok_or(truncated(1))?;
            let item = Rlp {
                raw,
                payload: raw,
                is_list: false,
                offset,
            };
            return Ok((item, after));
        }
        STRING_OFFSET..=0xb7 => (false, 1, usize::from(first - STRING_OFFSET)),
        0xb8..=0xbf => {
            let n = usize::from(first - 0xb7);
            (
                false,
                1 + n,
                read_long_length(rest, n, offset, input.len())?,
            )
        }
        LIST_OFFSET..=0xf7 => (true, 1, usize::from(first - LIST_OFFSET)),
        0xf8..=0xff => {
            let n = usize::from(first - 0xf7);
            (true, 1 + n, read_long_length(rest, n, offset, input.len())?)
        }
    };
    let total = header_len
        .checked_add(payload_len)
        .ok_or(RlpError::LengthOverflow { offset })?;
    let (raw, after) = input.split_at_checked(total).ok_or(truncated(total))?;
    let payload = raw.get(header_len..).unwrap_or_default();
    if !is_list && payload_len == 1 {
        if let Some(&byte) = payload.first() {
            if byte < STRING_OFFSET {
                return Err(RlpError::NonCanonicalSingleByte { offset, byte });
            }
        }
    }
    Ok((
        Rlp {
            raw,
            payload,
            is_list,
            offset,
        },
        after,
    ))
}

/// Reads the `n`-byte big-endian length of a long-form header.
fn read_long_length(
    rest: &[u8],
    n: usize,
    offset: usize,
    available: usize,
) -> Result<usize, RlpError> {
    let bytes = rest.get(..n).ok_or(RlpError::Truncated {
        offset,
        needed: 1 + n,
        available,
    })?;
    if bytes.first() == Some(&0) {
        return Err(RlpError::LeadingZeroInLength { offset });
    }
    let mut len: usize = 0;
    for &b in bytes {
        len = len
            .checked_mul(256)
            .and_then(|l| l.checked_add(usize::from(b)))
            .ok_or(RlpError::LengthOverflow { offset })?;
    }
    if len < SHORT_LIMIT {
        return Err(RlpError::NonCanonicalLength { offset, len });
    }
    Ok(len)
}

impl<'a> Rlp<'a> {
    /// Reads `input` as exactly one item: bytes after it are an error.
    ///
    /// Only this item's header is checked here; items inside a list are
    /// checked as they are read ([`Rlp::list`]). Use
    /// [`Value::decode`](super::Value::decode) to check a whole tree at once.
    pub fn new(input: &'a [u8]) -> Result<Self, RlpError> {
        let (item, rest) = split_item(input, 0)?;
        if rest.is_empty() {
            Ok(item)
        } else {
            Err(RlpError::TrailingBytes {
                end: item.raw.len(),
                count: rest.len(),
            })
        }
    }

    /// Reads the first item of `input` and returns it with the bytes after it.
    pub fn split_first(input: &'a [u8]) -> Result<(Self, &'a [u8]), RlpError> {
        split_item(input, 0)
    }

    /// Whether the item is a list.
    #[must_use]
    pub const fn is_list(&self) -> bool {
        self.is_list
    }

    /// The whole encoding of the item, header included.
    #[must_use]
    pub const fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Length of the item's header (0 for a single byte below `0x80`).
    #[must_use]
    pub const fn header_len(&self) -> usize {
        self.raw.len() - self.payload.len()
    }

    /// Where the item starts in the decoder's input.
    #[must_use]
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// The bytes of a byte string.
    pub fn data(&self) -> Result<&'a [u8], RlpError> {
        if self.is_list {
            Err(RlpError::ExpectedString {
                offset: self.offset,
            })
        } else {
            Ok(self.payload)
        }
    }

    /// The items of a list, read (and checked) one by one.
    pub fn list(&self) -> Result<ListIter<'a>, RlpError> {
        if self.is_list {
            Ok(ListIter {
                rest: self.payload,
                offset: self.offset + (self.raw.len() - self.payload.len()),
            })
        } else {
            Err(RlpError::ExpectedList {
                offset: self.offset,
            })
        }
    }

    /// The items of a list that must have exactly `N` items.
    pub fn fixed_list<const N: usize>(&self) -> Result<[Rlp<'a>; N], RlpError> {
        let mut items = [*self; N];
        let mut found = 0;
        for item in self.list()? {
            let item = item?;
            if let Some(slot) = items.get_mut(found) {
                *slot = item;
            }
            found += 1;
        }
        if found == N {
            Ok(items)
        } else {
            Err(RlpError::WrongItemCount {
                offset: self.offset,
                expected: N,
                found,
            })
        }
    }

    /// Decodes the item as a `T`.
    pub fn decode<T: Decode>(&self) -> Result<T, RlpError> {
        T::decode(self)
    }

    /// The bytes of a canonical unsigned integer of at most `max` bytes.
    fn uint_bytes(&self, max: usize) -> Result<&'a [u8], RlpError> {
        let bytes = self.data()?;
        if bytes.first() == Some(&0) {
            return Err(RlpError::LeadingZeroInInteger {
                offset: self.offset,
            });
        }
        if bytes.len() > max {
            return Err(RlpError::IntegerOverflow {
                offset: self.offset,
                len: bytes.len(),
                max,
            });
        }
        Ok(bytes)
    }
}

/// The items of an RLP list, in order. Yields an error (then stops) at the
/// first item whose header is wrong.
#[derive(Clone, Debug)]
pub struct ListIter<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl<'a> Iterator for ListIter<'a> {
    type Item = Result<Rlp<'a>, RlpError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match split_item(self.rest, self.offset) {
            Ok((item, rest)) => {
                self.offset += item.raw.len();
                self.rest = rest;
                Some(Ok(item))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// A value that can be read from its canonical RLP encoding.
pub trait Decode: Sized {
    /// Decodes one item.
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError>;
}

/// Decodes `input`, which must hold exactly one item, as a `T`.
pub fn decode_exact<T: Decode>(input: &[u8]) -> Result<T, RlpError> {
    T::decode(&Rlp::new(input)?)
}

impl Decode for Vec<u8> {
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        rlp.data().map(<[u8]>::to_vec)
    }
}

impl<const N: usize> Decode for [u8; N] {
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        let data = rlp.data()?;
        <[u8; N]>::try_from(data).map_err(|_| RlpError::WrongLength {
            offset: rlp.offset,
            expected: N,
            found: data.len(),
        })
    }
}

impl Decode for B256 {
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        <[u8; 32]>::decode(rlp).map(Self)
    }
}

impl Decode for Address {
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        <[u8; 20]>::decode(rlp).map(Self)
    }
}

impl Decode for bool {
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        match rlp.data()? {
            [] => Ok(false),
            [1] => Ok(true),
            _ => Err(RlpError::InvalidBool { offset: rlp.offset }),
        }
    }
}

macro_rules! decode_uint {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
                const SIZE: usize = core::mem::size_of::<$t>();
                let bytes = rlp.uint_bytes(SIZE)?;
                Ok(bytes.iter().fold(0, |acc: $t, &b| (acc << 4 << 4) | <$t>::from(b)))
            }
        }
    )*};
}
decode_uint!(u8, u16, u32, u64, u128);

impl Decode for U256 {
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        let bytes = rlp.uint_bytes(32)?;
        let mut word = [0u8; 32];
        if let Some(tail) = word.get_mut(32 - bytes.len()..) {
            tail.copy_from_slice(bytes);
        }
        Ok(U256::from_be_bytes(word))
    }
}

/// Collects the items of a list into a vector (one entry per item actually
/// present, so the allocation is bounded by the input).
pub fn list_items<'a>(rlp: &Rlp<'a>) -> Result<Vec<Rlp<'a>>, RlpError> {
    rlp.list()?.collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rlp::Encode;

    #[test]
    fn strings_and_lists() {
        let rlp = Rlp::new(&[0x83, b'd', b'o', b'g']).unwrap();
        assert_eq!(rlp.data().unwrap(), b"dog");
        assert!(rlp.list().is_err());
        let enc = [0xc8, 0x83, b'c', b'a', b't', 0x83, b'd', b'o', b'g'];
        let rlp = Rlp::new(&enc).unwrap();
        let [a, b] = rlp.fixed_list::<2>().unwrap();
        assert_eq!(a.data().unwrap(), b"cat");
        assert_eq!(b.data().unwrap(), b"dog");
        assert_eq!(b.offset(), 5);
        assert!(matches!(
            rlp.fixed_list::<3>(),
            Err(RlpError::WrongItemCount {
                expected: 3,
                found: 2,
                ..
            })
        ));
    }

    #[test]
    fn strict_headers() {
        assert!(matches!(
            Rlp::new(&[0x81, 0x05]),
            Err(RlpError::NonCanonicalSingleByte { byte: 5, .. })
        ));
        assert!(Rlp::new(&[0x81, 0x80]).is_ok());
        assert!(matches!(
            Rlp::new(&[0xb8, 0x01, 0xff]),
            Err(RlpError::NonCanonicalLength { len: 1, .. })
        ));
        assert!(matches!(
            Rlp::new(&[0xb9, 0x00, 0x40]),
            Err(RlpError::LeadingZeroInLength { offset: 0 })
        ));
        assert!(matches!(
            Rlp::new(&[0x80, 0x00]),
            Err(RlpError::TrailingBytes { end: 1, count: 1 })
        ));
        assert!(matches!(Rlp::new(&[]), Err(RlpError::Truncated { .. })));
        assert!(matches!(
            Rlp::new(&[0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            Err(RlpError::LengthOverflow { .. } | RlpError::Truncated { .. })
        ));
    }

    #[test]
    fn nested_item_past_list_end() {
        // The list claims 2 bytes of payload, its item claims 3.
        let rlp = Rlp::new(&[0xc2, 0x83, 0x01]).unwrap();
        let first = rlp.list().unwrap().next().unwrap();
        assert!(matches!(first, Err(RlpError::Truncated { offset: 1, .. })));
    }

    #[test]
    fn integers() {
        for v in [0u64, 1, 0x7f, 0x80, 0xffff, u64::MAX] {
            assert_eq!(decode_exact::<u64>(&v.to_rlp()).unwrap(), v);
        }
        assert!(matches!(
            decode_exact::<u64>(&[0x82, 0x00, 0x01]),
            Err(RlpError::LeadingZeroInInteger { .. })
        ));
        assert!(matches!(
            decode_exact::<u64>(&[0x00]),
            Err(RlpError::LeadingZeroInInteger { .. })
        ));
        assert!(matches!(
            decode_exact::<u8>(&[0x82, 0x01, 0x00]),
            Err(RlpError::IntegerOverflow { len: 2, max: 1, .. })
        ));
        let big = U256::MAX - U256::from(5u8);
        assert_eq!(decode_exact::<U256>(&big.to_rlp()).unwrap(), big);
        assert_eq!(decode_exact::<U256>(&[0x80]).unwrap(), U256::ZERO);
        assert!(decode_exact::<bool>(&[0x02]).is_err());
        assert!(decode_exact::<bool>(&[0x01]).unwrap());
    }

    #[test]
    fn fixed_bytes() {
        let h = B256([7; 32]);
        assert_eq!(decode_exact::<B256>(&h.to_rlp()).unwrap(), h);
        assert!(matches!(
            decode_exact::<Address>(&h.to_rlp()),
            Err(RlpError::WrongLength {
                expected: 20,
                found: 32,
                ..
            })
        ));
    }
}
