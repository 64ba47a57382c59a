//! Merkle proof verification of arbitrary proofs never panics; proofs of
//! a trie built from the input verify, and changing any byte of one makes
//! it fail.
#![no_main]

use dfn_state::B256;
use dfn_state::trie::{MemoryStore, Trie, verify_proof};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        // Raw: a root, a key, then proof nodes split on length bytes.
        if rest.len() < 33 {
            return;
        }
        let (root, rest) = rest.split_at(32);
        let root = B256::from_slice(root).unwrap_or_default();
        let (&key_len, mut rest) = rest.split_first().unwrap_or((&0, &[]));
        let key_len = usize::from(key_len % 40).min(rest.len());
        let key = &rest[..key_len];
        rest = &rest[key_len..];
        let mut proof = Vec::new();
        while let Some((&len, tail)) = rest.split_first() {
            let len = usize::from(len).min(tail.len());
            proof.push(&tail[..len]);
            rest = &tail[len..];
        }
        let _ = verify_proof(&root, key, &proof);
    } else {
        // Built: pairs of short keys and values from the input.
        let mut trie = Trie::new(MemoryStore::new());
        let mut keys = Vec::new();
        for chunk in rest.chunks(5) {
            let (key, value) = chunk.split_at(chunk.len().min(3));
            if trie.insert(key, value).is_err() {
                return;
            }
            keys.push(key.to_vec());
        }
        let root = trie.root();
        for key in keys.iter().chain([b"zz".to_vec()].iter()) {
            let proof = trie.prove(key).expect("in-memory trie");
            let value = verify_proof(&root, key, &proof).expect("honest proof verifies");
            assert_eq!(value.as_deref(), trie.get(key).expect("in-memory trie"));
            // Flip one byte (chosen from the input) of one node.
            if let (Some(&pick), false) = (rest.first(), proof.is_empty()) {
                let mut bad = proof.clone();
                let node = usize::from(pick) % bad.len();
                let byte = usize::from(pick) % bad[node].len();
                bad[node][byte] ^= 0x01;
                assert!(
                    verify_proof(&root, key, &bad).is_err(),
                    "tampered proof accepted"
                );
            }
        }
    }
});
