//! RLP encoding: byte strings, integers as minimal big-endian strings, and
//! list headers.

use alloc::vec::Vec;

use ruint::aliases::U256;

use crate::address::Address;
use crate::hash::B256;

/// First header byte of a byte string (short form adds the length).
pub(crate) const STRING_OFFSET: u8 = 0x80;
/// First header byte of a list (short form adds the length).
pub(crate) const LIST_OFFSET: u8 = 0xc0;
/// Payloads shorter than this use the one-byte short header.
pub(crate) const SHORT_LIMIT: usize = 56;

/// A value with a canonical RLP encoding.
pub trait Encode {
    /// Length of the encoding in bytes, header included.
    fn encoded_len(&self) -> usize;

    /// Appends the encoding to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// The encoding in a new vector of exactly the right capacity.
    fn to_rlp(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode(&mut out);
        out
    }
}

/// Number of bytes in the minimal big-endian form of `len`.
const fn length_of_length(len: usize) -> usize {
    (usize::BITS as usize - len.leading_zeros() as usize).div_ceil(8)
}

/// Length of a header announcing `payload_len` bytes.
#[must_use]
pub const fn header_len(payload_len: usize) -> usize {
    if payload_len < SHORT_LIMIT {
        1
    } else {
        1 + length_of_length(payload_len)
    }
}

fn encode_header(offset: u8, payload_len: usize, out: &mut Vec<u8>) {
    if payload_len < SHORT_LIMIT {
        // Short form: the length lives in the first byte (< 56, so no overflow).
        out.push(offset.wrapping_add(payload_len as u8));
    } else {
        let len_bytes = payload_len.to_be_bytes();
        let skip = len_bytes.iter().take_while(|b| **b == 0).count();
        let significant = len_bytes.get(skip..).unwrap_or_default();
        // Long form: 55 + number of length bytes (at most 8) after the offset.
        out.push(
            offset
                .wrapping_add(55)
                .wrapping_add(significant.len() as u8),
        );
        out.extend_from_slice(significant);
    }
}

/// Appends the header of a list whose items take `payload_len` bytes.
pub fn encode_list_header(payload_len: usize, out: &mut Vec<u8>) {
    encode_header(LIST_OFFSET, payload_len, out);
}

/// Length of the encoding of the byte string `bytes`.
#[must_use]
pub fn bytes_len(bytes: &[u8]) -> usize {
    match bytes {
        [b] if *b < STRING_OFFSET => 1,
        _ => header_len(bytes.len()) + bytes.len(),
    }
}

/// Appends the encoding of the byte string `bytes`.
pub fn encode_bytes(bytes: &[u8], out: &mut Vec<u8>) {
    match bytes {
        // A single byte below 0x80 is its own encoding.
        [b] if *b < STRING_OFFSET => out.push(*b),
        _ => {
            encode_header(STRING_OFFSET, bytes.len(), out);
            out.extend_from_slice(bytes);
        }
    }
}

/// The big-endian bytes of an integer without leading zeros (empty for 0).
fn trim_leading_zeros(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    bytes.get(skip..).unwrap_or_default()
}

/// Appends a list of items, each encoded in turn.
pub fn encode_list<T: Encode>(items: &[T], out: &mut Vec<u8>) {
    let payload: usize = items.iter().map(Encode::encoded_len).sum();
    encode_list_header(payload, out);
    items.iter().for_each(|item| item.encode(out));
}

/// Length of the encoding of a list of items.
#[must_use]
pub fn list_len<T: Encode>(items: &[T]) -> usize {
    let payload: usize = items.iter().map(Encode::encoded_len).sum();
    header_len(payload) + payload
}

/// Length of the encoding of a list of fields of different types (a
/// struct encoded as an RLP list).
#[must_use]
pub fn fields_len(fields: &[&dyn Encode]) -> usize {
    let payload: usize = fields.iter().map(|f| f.encoded_len()).sum();
    header_len(payload) + payload
}

/// Appends a list of fields of different types (a struct encoded as an RLP
/// list).
pub fn encode_fields(fields: &[&dyn Encode], out: &mut Vec<u8>) {
    let payload: usize = fields.iter().map(|f| f.encoded_len()).sum();
    encode_list_header(payload, out);
    fields.iter().for_each(|f| f.encode(out));
}

impl Encode for [u8] {
    fn encoded_len(&self) -> usize {
        bytes_len(self)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        encode_bytes(self, out);
    }
}

impl<const N: usize> Encode for [u8; N] {
    fn encoded_len(&self) -> usize {
        bytes_len(self)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        encode_bytes(self, out);
    }
}

impl Encode for Vec<u8> {
    fn encoded_len(&self) -> usize {
        bytes_len(self)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        encode_bytes(self, out);
    }
}

impl Encode for str {
    fn encoded_len(&self) -> usize {
        bytes_len(self.as_bytes())
    }
    fn encode(&self, out: &mut Vec<u8>) {
        encode_bytes(self.as_bytes(), out);
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encoded_len(&self) -> usize {
        (**self).encoded_len()
    }
    fn encode(&self, out: &mut Vec<u8>) {
        (**self).encode(out);
    }
}

impl Encode for B256 {
    fn encoded_len(&self) -> usize {
        33
    }
    fn encode(&self, out: &mut Vec<u8>) {
        encode_bytes(&self.0, out);
    }
}

impl Encode for Address {
    fn encoded_len(&self) -> usize {
        21
    }
    fn encode(&self, out: &mut Vec<u8>) {
        encode_bytes(&self.0, out);
    }
}

impl Encode for bool {
    fn encoded_len(&self) -> usize {
        1
    }
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(if *self { 0x01 } else { STRING_OFFSET });
    }
}

macro_rules! encode_uint {
    ($($t:ty),*) => {$(
        impl Encode for $t {
            fn encoded_len(&self) -> usize {
                bytes_len(trim_leading_zeros(&self.to_be_bytes()))
            }
            fn encode(&self, out: &mut Vec<u8>) {
                encode_bytes(trim_leading_zeros(&self.to_be_bytes()), out);
            }
        }
    )*};
}
encode_uint!(u8, u16, u32, u64, u128, usize);

impl Encode for U256 {
    fn encoded_len(&self) -> usize {
        bytes_len(trim_leading_zeros(&self.to_be_bytes::<32>()))
    }
    fn encode(&self, out: &mut Vec<u8>) {
        encode_bytes(trim_leading_zeros(&self.to_be_bytes::<32>()), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn golden_encodings() {
        assert_eq!(0u64.to_rlp(), vec![0x80]);
        assert_eq!(0x7fu64.to_rlp(), vec![0x7f]);
        assert_eq!(0x80u64.to_rlp(), vec![0x81, 0x80]);
        assert_eq!(1024u64.to_rlp(), vec![0x82, 0x04, 0x00]);
        assert_eq!(b"dog".to_rlp(), vec![0x83, b'd', b'o', b'g']);
        assert_eq!([0u8; 0].to_rlp(), vec![0x80]);
        assert_eq!(U256::from(0x0400u64).to_rlp(), vec![0x82, 0x04, 0x00]);
        assert_eq!(true.to_rlp(), vec![0x01]);
        assert_eq!(false.to_rlp(), vec![0x80]);
        let mut out = Vec::new();
        encode_list::<&[u8]>(&[b"cat", b"dog"], &mut out);
        assert_eq!(
            out,
            vec![0xc8, 0x83, b'c', b'a', b't', 0x83, b'd', b'o', b'g']
        );
    }

    #[test]
    fn long_headers() {
        let long = vec![0xaau8; 56];
        let enc = long.to_rlp();
        assert_eq!(enc.get(..2), Some(&[0xb8, 56][..]));
        assert_eq!(enc.len(), long.encoded_len());
        let longer = vec![0u8; 0x0400];
        let enc = longer.to_rlp();
        assert_eq!(enc.get(..3), Some(&[0xb9, 0x04, 0x00][..]));
        let mut out = Vec::new();
        encode_list_header(0x0100, &mut out);
        assert_eq!(out, vec![0xf9, 0x01, 0x00]);
        assert_eq!(header_len(55), 1);
        assert_eq!(header_len(56), 2);
        assert_eq!(header_len(256), 3);
    }

    #[test]
    fn encoded_len_matches_encoding() {
        for v in [0u64, 1, 127, 128, 255, 256, u64::MAX] {
            assert_eq!(v.encoded_len(), v.to_rlp().len());
        }
        assert_eq!(U256::MAX.to_rlp().len(), 33);
        assert_eq!(B256::ZERO.to_rlp().len(), B256::ZERO.encoded_len());
        assert_eq!(Address::ZERO.to_rlp().len(), Address::ZERO.encoded_len());
    }
}
