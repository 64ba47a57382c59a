//! The chain message decoder on arbitrary bytes and on mutations of valid
//! messages of every kind, for MinSig and MinPk on both backends: no
//! panic, the backends reach the same verdict, and every accepted input
//! re-encodes to itself.
#![no_main]

#[macro_use]
#[allow(dead_code)]
mod wire_harness;

use std::sync::{Arc, LazyLock};

use dfn_beacon::{GroupId, ProcessId, ValueMessage};
use dfn_crypto::backend::Blst;
use dfn_crypto::threshold::SecretPolynomial;
use dfn_crypto::{MinSig, SecretKey, Suite};
use dfn_psp::{
    Block, BlockHash, CatchUpRequest, CatchUpResponse, Notarization, NotarizationShare, Proposal,
    PspMessage, notary_hash,
};
use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

/// One valid message of each kind, built from fixed keys (MinSig).
static SEEDS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    type V = MinSig<Blst>;
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let identity = SecretKey::<V>::random(&mut rng);
    let share = SecretPolynomial::<V>::random(2, &mut rng)
        .unwrap()
        .shares(3)
        .unwrap()
        .remove(0);
    let block = Arc::new(Block::sign(
        Proposal {
            height: 4,
            parent: BlockHash([2; 32]),
            slot: 1,
            maker: ProcessId::of(&identity.public_key()),
            state_root: [3; 32],
            payload: b"fuzz".to_vec(),
        },
        &identity,
    ));
    let s = share.sign_hash(&notary_hash::<V>(4, &block.hash()));
    let notarization = Notarization {
        height: 4,
        block: block.hash(),
        signature: identity.sign(Suite::Basic, b"n"),
    };
    let value = ValueMessage {
        height: 3,
        signature: identity.sign(Suite::Basic, b"v"),
    };
    let messages: Vec<PspMessage<V>> = vec![
        PspMessage::Block(Arc::clone(&block)),
        PspMessage::Share(NotarizationShare::new(
            4,
            block.hash(),
            GroupId(1),
            s,
            &identity,
        )),
        PspMessage::Notarization(notarization),
        PspMessage::Request(CatchUpRequest { from: 1, count: 8 }),
        PspMessage::Response(Arc::new(CatchUpResponse {
            height: 5,
            items: vec![
                value.into(),
                PspMessage::Block(block),
                PspMessage::Notarization(notarization),
            ],
        })),
    ];
    messages.iter().map(PspMessage::to_bytes).collect()
});

fuzz_target!(|data: &[u8]| {
    same_message!(PspMessage, data);
    if let Some(mutated) = wire_harness::mutate(data, &SEEDS) {
        same_message!(PspMessage, &mutated);
    }
});
