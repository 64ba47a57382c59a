//! Unique state copy ids: per-copy encoding, commitments, beacon
//! challenges and their verification.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use dfn_state::rlp::{Encode, RlpError};
use dfn_state::uscid::{
    ChunkProof, CopyCommitment, EncodedCopy, Uscid, UscidError, challenge, verify_chunk,
    verify_response,
};
use dfn_state::{B256, keccak256};
use proptest::prelude::*;

fn shard_data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

fn uscid(holder: u8, epoch: u64) -> Uscid {
    Uscid::new(4, &B256([holder; 32]), epoch, &keccak256(b"epoch beacon"))
}

#[test]
fn uscid_is_sha256_of_its_fields() {
    let id = Uscid::new(4, &B256([0xab; 32]), 9, &B256([0xcd; 32]));
    let mut preimage = 4u32.to_be_bytes().to_vec();
    preimage.extend_from_slice(&[0xab; 32]);
    preimage.extend_from_slice(&9u64.to_be_bytes());
    preimage.extend_from_slice(&[0xcd; 32]);
    use sha2::Digest;
    assert_eq!(id.0.0, <[u8; 32]>::from(sha2::Sha256::digest(&preimage)));
    // Every field matters.
    assert_ne!(id, Uscid::new(5, &B256([0xab; 32]), 9, &B256([0xcd; 32])));
    assert_ne!(id, Uscid::new(4, &B256([0xac; 32]), 9, &B256([0xcd; 32])));
    assert_ne!(id, Uscid::new(4, &B256([0xab; 32]), 10, &B256([0xcd; 32])));
    assert_ne!(id, Uscid::new(4, &B256([0xab; 32]), 9, &B256([0xce; 32])));
}

#[test]
fn copies_are_encoded_per_uscid_and_decode_back() {
    let data = shard_data(10_000);
    let a = EncodedCopy::encode(uscid(1, 0), &data, 1024).unwrap();
    let b = EncodedCopy::encode(uscid(2, 0), &data, 1024).unwrap();
    assert_eq!(a.decode(), data);
    assert_eq!(b.decode(), data);
    assert_ne!(a.commitment().root, b.commitment().root);
    // Every chunk differs between the two copies, and from the plain data.
    for index in 0..10 {
        let (pa, pb) = (a.prove(index).unwrap(), b.prove(index).unwrap());
        assert_ne!(pa.chunk, pb.chunk);
        let start = index as usize * 1024;
        assert_ne!(pa.chunk, data[start..(start + 1024).min(data.len())]);
    }
    assert_eq!(a.commitment().data_len, 10_000);
    assert_eq!(a.commitment().chunk_count(), Ok(10));
    assert_eq!(
        EncodedCopy::encode(uscid(1, 0), &data, 1024).unwrap(),
        a,
        "encoding is deterministic"
    );
}

#[test]
fn honest_answers_verify_and_challenges_depend_on_beacon_and_uscid() {
    let data = shard_data(5_000);
    let copy = EncodedCopy::encode(uscid(1, 0), &data, 256).unwrap();
    let other = EncodedCopy::encode(uscid(2, 0), &data, 256).unwrap();
    let commitment = *copy.commitment();
    let beacon = keccak256(b"challenge beacon");
    let indices = challenge(&commitment, &beacon, 8).unwrap();
    assert_eq!(indices.len(), 8);
    assert!(indices.iter().all(|&i| i < 20));
    assert_ne!(
        indices,
        challenge(&commitment, &keccak256(b"next"), 8).unwrap()
    );
    assert_ne!(indices, challenge(other.commitment(), &beacon, 8).unwrap());
    let response = copy.respond(&indices).unwrap();
    assert_eq!(verify_response(&commitment, &beacon, 8, &response), Ok(()));
    // Every chunk, the short last one included, proves on its own.
    for index in 0..20 {
        assert_eq!(
            verify_chunk(&commitment, &copy.prove(index).unwrap()),
            Ok(())
        );
    }
    assert_eq!(
        copy.prove(20),
        Err(UscidError::IndexOutOfRange {
            index: 20,
            count: 20
        })
    );
}

#[test]
fn a_copy_under_another_uscid_does_not_answer() {
    let data = shard_data(4_096);
    let mine = EncodedCopy::encode(uscid(1, 0), &data, 512).unwrap();
    let theirs = EncodedCopy::encode(uscid(1, 1), &data, 512).unwrap();
    let beacon = keccak256(b"b");
    // The holder answers the challenge for `mine` from the `theirs` copy.
    let indices = challenge(mine.commitment(), &beacon, 4).unwrap();
    let response = theirs.respond(&indices).unwrap();
    assert_eq!(
        verify_response(mine.commitment(), &beacon, 4, &response),
        Err(UscidError::RootMismatch { index: indices[0] })
    );
}

#[test]
fn bad_answers_are_typed_errors() {
    let data = shard_data(3_000);
    let copy = EncodedCopy::encode(uscid(3, 0), &data, 1000).unwrap();
    let commitment = *copy.commitment();
    let beacon = keccak256(b"c");
    let indices = challenge(&commitment, &beacon, 3).unwrap();
    let good = copy.respond(&indices).unwrap();

    assert_eq!(
        verify_response(&commitment, &beacon, 3, &good[..2]),
        Err(UscidError::WrongAnswerCount {
            expected: 3,
            found: 2
        })
    );
    let mut swapped = good.clone();
    swapped[0] = copy.prove((indices[0] + 1) % 3).unwrap();
    assert_eq!(
        verify_response(&commitment, &beacon, 3, &swapped),
        Err(UscidError::WrongIndex {
            position: 0,
            expected: indices[0],
            found: (indices[0] + 1) % 3
        })
    );
    let mut flipped = good[0].clone();
    flipped.chunk[17] ^= 1;
    assert_eq!(
        verify_chunk(&commitment, &flipped),
        Err(UscidError::RootMismatch {
            index: flipped.index
        })
    );
    let mut short = good[0].clone();
    short.chunk.pop();
    assert_eq!(
        verify_chunk(&commitment, &short),
        Err(UscidError::WrongChunkLength {
            index: short.index,
            expected: 1000,
            found: 999
        })
    );
    let mut long_path = good[0].clone();
    long_path.path.push(B256::ZERO);
    assert_eq!(
        verify_chunk(&commitment, &long_path),
        Err(UscidError::WrongPathLength {
            index: long_path.index,
            expected: 2,
            found: 3
        })
    );
    let beyond = ChunkProof {
        index: 3,
        chunk: vec![0; 1000],
        path: vec![B256::ZERO; 2],
    };
    assert_eq!(
        verify_chunk(&commitment, &beyond),
        Err(UscidError::IndexOutOfRange { index: 3, count: 3 })
    );
    let broken = CopyCommitment {
        chunk_len: 0,
        ..commitment
    };
    assert_eq!(
        challenge(&broken, &beacon, 1),
        Err(UscidError::ZeroChunkLength)
    );
    let huge = CopyCommitment {
        data_len: u64::MAX,
        chunk_len: 1,
        ..commitment
    };
    assert_eq!(
        verify_chunk(&huge, &good[0]),
        Err(UscidError::TooManyChunks { chunks: u64::MAX })
    );
    assert_eq!(
        EncodedCopy::encode(uscid(3, 0), &[], 10),
        Err(UscidError::EmptyData)
    );
    assert_eq!(
        EncodedCopy::encode(uscid(3, 0), &data, 0),
        Err(UscidError::ZeroChunkLength)
    );
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any data and chunk size: every chunk proves, decoding returns the
    /// data, and arbitrary proofs never panic the verifier.
    #[test]
    fn every_chunk_proves(
        data in prop::collection::vec(any::<u8>(), 1..2_000),
        chunk_len in 1u32..300,
        junk in prop::collection::vec(any::<u8>(), 0..64),
        index in any::<u32>(),
        path_len in 0usize..12,
    ) {
        let copy = EncodedCopy::encode(uscid(7, 7), &data, chunk_len).unwrap();
        prop_assert_eq!(copy.decode(), data);
        let count = copy.commitment().chunk_count().unwrap();
        for i in 0..count {
            prop_assert_eq!(verify_chunk(copy.commitment(), &copy.prove(i).unwrap()), Ok(()));
        }
        let forged = ChunkProof { index: index % (count + 1), chunk: junk, path: vec![B256::ZERO; path_len] };
        prop_assert!(verify_chunk(copy.commitment(), &forged).is_err());
    }
}

#[test]
fn chunk_proof_golden_bytes_and_decoding() {
    let proof = ChunkProof {
        index: 5,
        chunk: vec![0xaa, 0xbb, 0xcc],
        path: vec![B256([0x01; 32]), B256([0x02; 32])],
    };
    let bytes = proof.to_rlp();
    assert_eq!(
        hex::encode(&bytes),
        format!(
            "f84a010583aabbccf842a0{}a0{}",
            "01".repeat(32),
            "02".repeat(32)
        )
    );
    assert_eq!(bytes.len(), proof.encoded_len());
    assert_eq!(ChunkProof::decode(&bytes), Ok(proof));
    let mut v2 = bytes.clone();
    v2[2] = 0x02;
    assert_eq!(
        ChunkProof::decode(&v2),
        Err(UscidError::UnsupportedVersion { found: 2 })
    );
    assert!(matches!(
        ChunkProof::decode(&bytes[..bytes.len() - 1]),
        Err(UscidError::Rlp(_))
    ));
    // A 31-byte sibling.
    let short = [vec![0xe4, 0x01, 0x05, 0x80, 0xe0, 0x9f], vec![0u8; 31]].concat();
    assert!(matches!(
        ChunkProof::decode(&short),
        Err(UscidError::Rlp(RlpError::WrongLength {
            expected: 32,
            found: 31,
            ..
        }))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Arbitrary bytes never panic the decoder; whatever decodes re-encodes
    /// to the same bytes and verifies (or fails) without panicking.
    #[test]
    fn chunk_proof_decoding_is_total(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(proof) = ChunkProof::decode(&bytes) {
            prop_assert_eq!(proof.to_rlp(), bytes);
            let copy = EncodedCopy::encode(uscid(8, 8), &shard_data(700), 100).unwrap();
            let _ = verify_chunk(copy.commitment(), &proof);
        }
    }
}
