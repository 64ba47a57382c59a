//! Signed posts (dfn-interop) from arbitrary bytes: decoding never panics,
//! every accepted input re-encodes to itself, and recovering the poster
//! never panics; a post signed by a fixed key recovers to that key's
//! account only while neither its call nor its signature changed.
#![no_main]

use std::sync::LazyLock;

use dfn_interop::{PostDomain, PostKey, PublicCall, SignedPost, TwinId};
use dfn_state::Address;
use libfuzzer_sys::fuzz_target;

const DOMAIN: PostDomain = PostDomain {
    chain_id: 1,
    registry: Address([0x7e; 20]),
};

/// A key and a post it signed.
static SETUP: LazyLock<(PostKey, Vec<u8>)> = LazyLock::new(|| {
    let key = PostKey::from_bytes(&[0x11; 32]).unwrap();
    let call = PublicCall {
        twin: TwinId::for_call(&[0x42; 32], 1),
        contract: Address([0xc0; 20]),
        method: vec![0xa9, 0x05, 0x9c, 0xbb],
        args: vec![7; 64],
        valid_until: 100,
    };
    let post = key.sign(DOMAIN, call);
    (key, post.to_bytes())
});

fn check(bytes: &[u8]) {
    let (key, valid) = &*SETUP;
    let Ok(post) = SignedPost::from_bytes(bytes) else {
        return;
    };
    assert_eq!(
        post.to_bytes(),
        bytes,
        "the re-encoding differs from the input"
    );
    if let Ok(poster) = post.poster(DOMAIN) {
        assert!(
            poster != key.address() || bytes == valid.as_slice(),
            "a changed post still recovers to the signer"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let (_, valid) = &*SETUP;
    check(data);
    // Mutations of the valid post: pairs of (offset, xor mask).
    let mut mutated = valid.clone();
    for pair in data.chunks_exact(3) {
        let offset = usize::from(u16::from_be_bytes([pair[0], pair[1]])) % mutated.len();
        mutated[offset] ^= pair[2];
    }
    check(&mutated);
});
