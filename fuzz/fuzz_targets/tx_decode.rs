//! Signed transaction decoding (dfn-vm) on arbitrary bytes and on
//! mutations of valid legacy (EIP-155 and pre-155), EIP-2930, EIP-1559
//! and EIP-4844 transactions: never panics; whatever decodes was signed
//! for chain 1 (or for no chain), has a low s, hashes to the hash of the
//! input and re-encodes to exactly the input (the RLP is canonical).
#![no_main]

use std::sync::LazyLock;

use dfn_state::keccak256;
use dfn_vm::SignedTransaction;
use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
mod wire_harness;

/// EIP-155's worked example; a pre-EIP-155 legacy, an EIP-2930, an
/// EIP-1559 and an EIP-4844 transaction of the Cancun state tests.
const SEED_HEX: [&str; 5] = [
    "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
    "f885010a8404c4b40094cccccccccccccccccccccccccccccccccccccccc80a4ebd141d500000000000000000000000000000000000000000000000000000000000000101ba03f25317a016b655317d9024ed96dc1dcb00af63d80ce8522a88c8a797345ac6ea044675118eeab285dcc3a51650c5e016fdd4843c1f2f640884511b5232b45140d",
    "01f89b0180078304ef0094000000000000000000000000000000000000aaaa0180f838f7940000000000000000000000000000000000000000e1a0000000000000000000000000000000000000000000000000000000000000000001a02e16eb72206c93c471b5894800495ee9c64ae2d9823bcc4d6adeb5d9d9af0dd4a03be6691e933a0816c59d059a556c27c6753e6ce76d1e357b9201865c80b28df3",
    "02f8690180808207d083061a8094a00000000000000000000000000000000000000a808470ac643ec001a0d291a8b33b4d2414a921a32715b55846147d0a6ffe6c5992a115e0fa60ab4d57a02f5701d3d33d024aa80b46ed86dba7bfbd825b2172f4c5c6aeeadb1c28685d57",
    "03f8e20180800e8307a1209400000000000000000000000000000000000001008080f85bf859940000000000000000000000000000000000000064f842a00000000000000000000000000000000000000000000000000000000000000064a000000000000000000000000000000000000000000000000000000000000000c801e1a0010000000000000000000000000000000000000000000000000000000000000080a0761c57067863b4c53c56fda018ef8909a06e616d0f2f8207bcc98c597e0aaef2a00d83d7c24990daf5a641e4b714e7a54d842e3ada0840c0bb9df9dd91fde8851c",
];

static SEEDS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    wire_harness::seeds(&SEED_HEX, |_, seed| {
        SignedTransaction::decode(seed, 1).is_ok()
    })
});

fn check(data: &[u8]) {
    let Ok(signed) = SignedTransaction::decode(data, 1) else {
        return;
    };
    assert!(
        matches!(signed.chain_id, None | Some(1)),
        "accepted another chain"
    );
    assert_eq!(
        signed.encode(),
        data,
        "the re-encoding differs from the input"
    );
    assert_eq!(signed.hash, keccak256(data));
    let half_n = dfn_state::U256::from_str_radix(
        "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0",
        16,
    )
    .unwrap();
    assert!(signed.signature.s <= half_n, "accepted a high s");
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if let Some(mutated) = wire_harness::mutate(data, &SEEDS) {
        // An unchanged seed is known good; skipping it spares a
        // signature recovery on every short input.
        if !SEEDS.contains(&mutated) {
            check(&mutated);
        }
    }
});
