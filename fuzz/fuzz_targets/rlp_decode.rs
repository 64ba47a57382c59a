//! Strict RLP decoding of arbitrary bytes: never panics, and whatever
//! decodes re-encodes to exactly the input (canonical form is unique).
#![no_main]

use dfn_state::rlp::{Encode, Rlp, Value, decode_exact};
use dfn_state::{Account, U256};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = Value::decode(data) {
        assert_eq!(
            value.to_rlp(),
            data,
            "decoded RLP did not re-encode to its input"
        );
    }
    // The zero-copy view walks one level; its items must agree with the tree.
    if let Ok(rlp) = Rlp::new(data) {
        if let Ok(items) = rlp.list() {
            for item in items.flatten() {
                let _ = item.data();
            }
        }
    }
    if let Ok(n) = decode_exact::<u64>(data) {
        assert_eq!(n.to_rlp(), data);
    }
    if let Ok(n) = decode_exact::<U256>(data) {
        assert_eq!(n.to_rlp(), data);
    }
    if let Ok(account) = decode_exact::<Account>(data) {
        assert_eq!(account.to_rlp(), data);
    }
});
