//! The beacon's round rule is drand's chained scheme: the real rounds of
//! the League of Entropy `default` chain, checked with the beacon's own
//! message and randomness functions and a plain BLS verification, match
//! drand's signatures and randomness. (The full drand verifier, all three
//! schemes and chain hashes, is `dfn_beacon::drand`, tested in dfn-crypto.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::path::PathBuf;

use dfn_beacon::round;
use dfn_crypto::{MinPk, PublicKey, Signature, Suite};
use serde_json::Value;

fn read(relative: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors");
    let path = dir.join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "test vectors not found at {} ({e}): ../shared/vectors must sit beside the project",
            path.display()
        )
    })
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

#[test]
fn default_chain_rounds_follow_the_beacon_rule() {
    let chains: Vec<Value> = read("drand/chains.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let default = chains
        .iter()
        .find(|c| c["schemeID"] == "pedersen-bls-chained")
        .unwrap();
    let key =
        PublicKey::<MinPk>::from_bytes(&unhex(default["public_key"].as_str().unwrap())).unwrap();
    let mut previous = unhex(default["groupHash"].as_str().unwrap());
    let mut checked = 0;
    for line in read("drand/rounds.jsonl").lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        if r["chain"] != "default" {
            continue;
        }
        let height = r["round"].as_u64().unwrap();
        let sig_bytes = unhex(r["signature"].as_str().unwrap());
        assert_eq!(
            unhex(r["previous_signature"].as_str().unwrap()),
            previous,
            "round {height}"
        );
        let signature = Signature::<MinPk>::from_bytes(&sig_bytes).unwrap();
        assert!(
            key.verify(Suite::Basic, &round::message(&previous, height), &signature),
            "round {height}"
        );
        assert_eq!(
            round::randomness(&sig_bytes).to_vec(),
            unhex(r["randomness"].as_str().unwrap())
        );
        previous = sig_bytes;
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} rounds");
}
