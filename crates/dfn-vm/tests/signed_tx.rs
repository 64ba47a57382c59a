//! Signed transaction decoding and sender recovery: every `txbytes` of
//! the Cancun `GeneralStateTests` (legacy, EIP-2930, EIP-1559 and
//! EIP-4844) decodes to the transaction the vector describes, with the
//! sender it names and a byte-exact re-encoding; plus the EIP-155 worked
//! example and the rejections (high s, wrong chain, non-canonical RLP).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::{collect, vectors_dir};
use dfn_state::{Address, B256, U256};
use dfn_vm::{SignedTransaction, TxDecodeError, TxType};
use serde_json::Value;

fn hex_bytes(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap().trim_start_matches("0x")).unwrap()
}

fn u256(v: &Value) -> U256 {
    let s = v.as_str().unwrap().trim_start_matches("0x");
    if s.is_empty() {
        U256::ZERO
    } else {
        U256::from_str_radix(s, 16).unwrap()
    }
}

fn address(v: &Value) -> Address {
    Address::from_slice(&hex_bytes(v)).unwrap()
}

/// Checks a decoded transaction against the vector's description of it.
fn check_fields(signed: &SignedTransaction, t: &Value, indexes: &Value, name: &str) {
    let tx = &signed.tx;
    let d = indexes["data"].as_u64().unwrap() as usize;
    let g = indexes["gas"].as_u64().unwrap() as usize;
    let v = indexes["value"].as_u64().unwrap() as usize;
    assert_eq!(tx.sender, address(&t["sender"]), "{name}: sender");
    assert_eq!(U256::from(tx.nonce), u256(&t["nonce"]), "{name}: nonce");
    assert_eq!(U256::from(tx.gas_limit), u256(&t["gasLimit"][g]), "{name}");
    assert_eq!(tx.value, u256(&t["value"][v]), "{name}: value");
    assert_eq!(tx.data, hex_bytes(&t["data"][d]), "{name}: data");
    let to = t["to"]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(|_| address(&t["to"]));
    assert_eq!(tx.to, to, "{name}: to");
    match t.get("gasPrice") {
        Some(p) => assert_eq!(tx.max_fee_per_gas, u256(p), "{name}: gas price"),
        None => {
            assert_eq!(tx.max_fee_per_gas, u256(&t["maxFeePerGas"]), "{name}");
            assert_eq!(
                tx.max_priority_fee_per_gas,
                u256(&t["maxPriorityFeePerGas"]),
                "{name}"
            );
        }
    }
    if let Some(list) = t
        .get("accessLists")
        .and_then(|l| l.get(d))
        .and_then(Value::as_array)
    {
        assert_eq!(tx.access_list.len(), list.len(), "{name}: access list");
        for (item, want) in tx.access_list.iter().zip(list) {
            assert_eq!(item.address, address(&want["address"]), "{name}");
            let keys: Vec<U256> = want["storageKeys"]
                .as_array()
                .unwrap()
                .iter()
                .map(u256)
                .collect();
            assert_eq!(item.storage_keys, keys, "{name}");
        }
    }
    if let Some(hashes) = t.get("blobVersionedHashes").and_then(Value::as_array) {
        assert_eq!(tx.tx_type, TxType::Blob, "{name}");
        let want: Vec<B256> = hashes
            .iter()
            .map(|h| B256::from_slice(&hex_bytes(h)).unwrap())
            .collect();
        assert_eq!(tx.blob_versioned_hashes, want, "{name}");
        assert_eq!(
            tx.max_fee_per_blob_gas,
            u256(&t["maxFeePerBlobGas"]),
            "{name}"
        );
    }
}

#[test]
fn state_test_txbytes_decode_to_their_senders() {
    let dir = vectors_dir();
    let mut files = Vec::new();
    collect(&dir, &mut files);
    let (mut valid, mut rejected_invalid, mut accepted_invalid) = (0usize, 0usize, 0usize);
    let mut by_type = [0usize; 4];
    let mut pre_155 = 0usize;
    for file in &files {
        let json: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        for (name, unit) in json.as_object().unwrap() {
            let Some(posts) = unit["post"].get("Cancun").and_then(Value::as_array) else {
                continue;
            };
            for post in posts {
                let Some(bytes) = post.get("txbytes") else {
                    continue;
                };
                let bytes = hex_bytes(bytes);
                let decoded = SignedTransaction::decode(&bytes, 1);
                if post.get("expectException").is_some() {
                    // Invalid for some reason: the decoder may or may not
                    // be the one to see it (a nonce or balance problem is
                    // found only against the state).
                    match decoded {
                        Ok(_) => accepted_invalid += 1,
                        Err(_) => rejected_invalid += 1,
                    }
                    continue;
                }
                let signed = decoded.unwrap_or_else(|e| panic!("{name}: {e}"));
                check_fields(&signed, &unit["transaction"], &post["indexes"], name);
                assert_eq!(signed.encode(), bytes, "{name}: re-encoding");
                assert_eq!(signed.hash, dfn_state::keccak256(&bytes), "{name}");
                by_type[match signed.tx.tx_type {
                    TxType::Legacy => 0,
                    TxType::AccessList => 1,
                    TxType::Eip1559 => 2,
                    TxType::Blob => 3,
                }] += 1;
                pre_155 += usize::from(signed.chain_id.is_none());
                valid += 1;
            }
        }
    }
    println!(
        "txbytes: {valid} valid decoded and matched (legacy {}, of which pre-EIP-155 {pre_155}; \
         EIP-2930 {}; EIP-1559 {}; EIP-4844 {}); of vectors expecting an exception, \
         {rejected_invalid} rejected by the decoder, {accepted_invalid} left to execution",
        by_type[0], by_type[1], by_type[2], by_type[3]
    );
    assert!(valid > 10_000, "only {valid} valid txbytes found");
    assert!(by_type.iter().all(|n| *n > 0), "{by_type:?}");
}

/// The worked example of EIP-155: nonce 9, 20 gwei, 21000 gas, 1 ether
/// to 0x3535…35 on chain 1, signed with the key 0x4646…46.
const EIP155_SIGNED: &str = "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";

#[test]
fn eip155_example() {
    let bytes = hex::decode(EIP155_SIGNED).unwrap();
    let signed = SignedTransaction::decode(&bytes, 1).unwrap();
    assert_eq!(signed.chain_id, Some(1));
    assert_eq!(
        hex::encode(signed.signing_hash().0),
        "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53"
    );
    assert_eq!(
        signed.tx.sender,
        address(&Value::String(
            "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f".into()
        ))
    );
    assert_eq!(signed.tx.nonce, 9);
    assert_eq!(signed.tx.max_fee_per_gas, U256::from(20_000_000_000u64));
    assert_eq!(signed.tx.value, U256::from(10u64).pow(U256::from(18)));
    assert_eq!(signed.encode(), bytes);
    assert_eq!(
        SignedTransaction::decode(&bytes, 5),
        Err(TxDecodeError::WrongChainId {
            expected: 5,
            found: 1
        })
    );
}

#[test]
fn rejections() {
    let bytes = hex::decode(EIP155_SIGNED).unwrap();
    let signed = SignedTransaction::decode(&bytes, 1).unwrap();

    // The same signature with s replaced by n - s (and y flipped) is
    // valid ECDSA but forbidden by EIP-2.
    let n = U256::from_str_radix(
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        16,
    )
    .unwrap();
    let mut high = signed.clone();
    high.signature.s = n - signed.signature.s;
    high.signature.y_parity = !signed.signature.y_parity;
    assert_eq!(
        SignedTransaction::decode(&high.encode(), 1),
        Err(TxDecodeError::HighS)
    );

    // r = 0 is out of range.
    let mut zero_r = signed.clone();
    zero_r.signature.r = U256::ZERO;
    assert_eq!(
        SignedTransaction::decode(&zero_r.encode(), 1),
        Err(TxDecodeError::InvalidSignature)
    );

    // A nonce written with a leading zero byte: 0x09 -> 0x81 0x09 is a
    // non-canonical single byte; the list header grows by one.
    let mut noncanonical = vec![0xf8, 0x6d, 0x81];
    noncanonical.extend_from_slice(&bytes[2..]);
    assert!(matches!(
        SignedTransaction::decode(&noncanonical, 1),
        Err(TxDecodeError::Rlp(_))
    ));

    // Trailing bytes, truncation, unknown type, empty input, bad v.
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(matches!(
        SignedTransaction::decode(&trailing, 1),
        Err(TxDecodeError::Rlp(_))
    ));
    assert!(matches!(
        SignedTransaction::decode(&bytes[..bytes.len() - 1], 1),
        Err(TxDecodeError::Rlp(_))
    ));
    assert_eq!(
        SignedTransaction::decode(&[0x04, 0xc0], 1),
        Err(TxDecodeError::UnknownType(4))
    );
    assert_eq!(SignedTransaction::decode(&[], 1), Err(TxDecodeError::Empty));
    let mut bad_v = bytes.clone();
    let v_at = bytes.len() - 67;
    assert_eq!(bad_v[v_at], 0x25);
    bad_v[v_at] = 0x1d; // v = 29
    assert_eq!(
        SignedTransaction::decode(&bad_v, 1),
        Err(TxDecodeError::InvalidV(29))
    );
}
