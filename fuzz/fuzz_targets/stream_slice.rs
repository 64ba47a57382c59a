//! Cross-shard stream slices on arbitrary bytes and on mutations of a
//! valid slice: decoding never panics, every accepted encoding re-encodes
//! to itself, and the destination shard takes nothing that does not verify
//! against the source's committed root (taking it twice delivers nothing
//! new).
#![no_main]

use std::sync::LazyLock;

use dfn_state::rlp::Encode;
use dfn_state::shard::{ShardId, ShardMap};
use dfn_state::stream::{ShardStreams, StreamConfig, StreamSlice};
use dfn_state::{Address, B256, U256};
use libfuzzer_sys::fuzz_target;

/// Shard 0's committed root and a valid slice of its stream to shard 1.
static VALID: LazyLock<(B256, Vec<u8>)> = LazyLock::new(|| {
    let map = ShardMap::new(2).unwrap();
    let mut source = ShardStreams::new(ShardId(0), map.clone(), StreamConfig::default());
    let on = |shard: u32| {
        (0u32..)
            .map(|i| {
                let mut a = [0u8; 20];
                a[16..].copy_from_slice(&i.to_be_bytes());
                Address(a)
            })
            .find(|a| map.shard_of(a) == ShardId(shard))
            .unwrap()
    };
    for i in 0..3u8 {
        source
            .call(on(0), on(1), U256::from(i), vec![i; 4])
            .unwrap();
    }
    let root = source.commit();
    (root, source.slice(ShardId(1), 0).unwrap().to_rlp())
});

fn take(bytes: &[u8]) {
    let (root, _) = &*VALID;
    let Ok(slice) = StreamSlice::from_rlp(bytes) else {
        return;
    };
    assert_eq!(
        slice.to_rlp(),
        bytes,
        "the re-encoding differs from the input"
    );
    let mut dest = ShardStreams::new(
        ShardId(1),
        ShardMap::new(2).unwrap(),
        StreamConfig::default(),
    );
    if let Ok(first) = dest.induct(&slice, root) {
        assert!(slice.verify(root).is_ok());
        assert!(first.len() <= slice.messages.len());
        assert!(dest.induct(&slice, root).unwrap().is_empty(), "taken twice");
    }
}

fuzz_target!(|data: &[u8]| {
    take(data);
    // The valid slice with the input's bytes written over it.
    let (_, valid) = &*VALID;
    if let [at_hi, at_lo, rest @ ..] = data {
        let mut mutated = valid.clone();
        let at = usize::from(u16::from_be_bytes([*at_hi, *at_lo])) % mutated.len();
        for (i, b) in rest.iter().take(8).enumerate() {
            if let Some(x) = mutated.get_mut(at + i) {
                *x = *b;
            }
        }
        take(&mutated);
    }
});
