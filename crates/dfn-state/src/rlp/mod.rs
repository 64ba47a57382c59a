//! Recursive Length Prefix, Ethereum's serialization, decoded strictly.
//!
//! Encoding is canonical by construction. Decoding accepts only the
//! canonical form: a single byte below `0x80` wrapped in a string header,
//! a long-form length below 56, a length with leading zero bytes, an item
//! running past its input or list, trailing bytes, and integers with
//! leading zeros are each a distinct [`RlpError`].
//!
//! ```
//! use dfn_state::rlp::{Encode, Rlp, Value, decode_exact};
//!
//! let enc = ["cat", "dog"].as_slice().iter().fold(Vec::new(), |mut out, s| {
//!     s.encode(&mut out);
//!     out
//! });
//! let mut list = Vec::new();
//! dfn_state::rlp::encode_list_header(enc.len(), &mut list);
//! list.extend_from_slice(&enc);
//! assert_eq!(list, b"\xc8\x83cat\x83dog");
//!
//! let [cat, _dog] = Rlp::new(&list)?.fixed_list::<2>()?;
//! assert_eq!(cat.data()?, b"cat");
//! assert_eq!(decode_exact::<u64>(&1024u64.to_rlp())?, 1024);
//! assert!(Value::decode(&[0x81, 0x00]).is_err()); // 0x00 must stand alone
//! # Ok::<(), dfn_state::rlp::RlpError>(())
//! ```

mod decode;
mod encode;
mod error;
mod value;

pub use decode::{Decode, ListIter, Rlp, decode_exact, list_items};
pub use encode::{
    Encode, bytes_len, encode_bytes, encode_fields, encode_list, encode_list_header, fields_len,
    header_len, list_len,
};
pub use error::RlpError;
pub use value::{MAX_DEPTH, Value};
