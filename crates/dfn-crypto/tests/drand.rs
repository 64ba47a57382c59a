//! The real League of Entropy beacons in `drand/`: both chains' hashes,
//! rounds 1–3 of the chained `default` chain (MinPk) and of `quicknet`
//! (MinSig), and the negative cases of `reference.md` §1.2.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{read_vector, unhex};
use dfn_crypto::drand::{
    Beacon, ChainInfo, DrandError, Scheme, randomness, round_message, verify_chain,
};
use dfn_crypto::{MessageHash, MinSig, PublicKey, Signature};
use serde_json::Value;

struct Chain {
    scheme: Scheme,
    public_key: Vec<u8>,
    period: u32,
    genesis_time: i64,
    genesis_seed: Vec<u8>,
    beacon_id: String,
    hash: Vec<u8>,
}

impl Chain {
    fn info(&self) -> ChainInfo<'_> {
        ChainInfo {
            scheme: self.scheme,
            public_key: &self.public_key,
            period_seconds: self.period,
            genesis_time: self.genesis_time,
            genesis_seed: &self.genesis_seed,
            beacon_id: &self.beacon_id,
        }
    }
}

struct Round {
    round: u64,
    signature: Vec<u8>,
    previous: Vec<u8>,
    randomness: Vec<u8>,
}

impl Round {
    fn beacon(&self) -> Beacon<'_> {
        Beacon {
            round: self.round,
            signature: &self.signature,
            previous_signature: &self.previous,
        }
    }
}

fn load(name: &str) -> (Chain, Vec<Round>) {
    let chain = read_vector("drand/chains.jsonl")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|c| c["metadata"]["beaconID"] == name)
        .unwrap_or_else(|| panic!("chain {name} missing from drand/chains.jsonl"));
    let chain = Chain {
        scheme: Scheme::from_id(chain["schemeID"].as_str().unwrap()).unwrap(),
        public_key: unhex(chain["public_key"].as_str().unwrap()),
        period: chain["period"].as_u64().unwrap() as u32,
        genesis_time: chain["genesis_time"].as_i64().unwrap(),
        genesis_seed: unhex(chain["groupHash"].as_str().unwrap()),
        beacon_id: name.to_owned(),
        hash: unhex(chain["hash"].as_str().unwrap()),
    };
    let rounds: Vec<Round> = read_vector("drand/rounds.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["chain"] == name)
        .map(|r| Round {
            round: r["round"].as_u64().unwrap(),
            signature: unhex(r["signature"].as_str().unwrap()),
            previous: r["previous_signature"]
                .as_str()
                .map(unhex)
                .unwrap_or_default(),
            randomness: unhex(r["randomness"].as_str().unwrap()),
        })
        .collect();
    assert_eq!(rounds.len(), 3, "rounds 1-3 of {name}");
    (chain, rounds)
}

fn check_common(chain: &Chain, rounds: &[Round]) {
    let info = chain.info();
    assert_eq!(
        info.hash().as_slice(),
        chain.hash.as_slice(),
        "chain hash of {}",
        chain.beacon_id
    );
    for r in rounds {
        assert_eq!(
            randomness(&r.signature).as_slice(),
            r.randomness.as_slice(),
            "randomness of round {}",
            r.round
        );
        info.verify(r.round, &r.previous, &r.signature).unwrap();
    }
    let beacons: Vec<Beacon<'_>> = rounds.iter().map(Round::beacon).collect();
    verify_chain(&info, &beacons).unwrap();

    // A valid signature checked as another round fails.
    let r1 = &rounds[0];
    assert_eq!(
        info.verify(2, &r1.previous, &r1.signature),
        Err(DrandError::InvalidSignature { round: 2 })
    );
    // Byte 0 corrupted: either undecodable or invalid, never accepted.
    let mut corrupted = r1.signature.clone();
    corrupted[0] ^= 0x01;
    assert!(info.verify(1, &r1.previous, &corrupted).is_err());
    // A flipped byte in the middle of the signature.
    let mut flipped = r1.signature.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x80;
    assert!(info.verify(1, &r1.previous, &flipped).is_err());
    // Out-of-order beacons are refused.
    let swapped = [rounds[1].beacon(), rounds[0].beacon()];
    assert!(verify_chain(&info, &swapped).is_err());
    assert_eq!(
        info.verify(0, &r1.previous, &r1.signature),
        Err(DrandError::RoundZero)
    );
    assert_eq!(info.round_time(1), Some(chain.genesis_time));
    assert_eq!(
        info.round_time(3),
        Some(chain.genesis_time + 2 * i64::from(chain.period))
    );
}

#[test]
fn default_chain_rounds_verify() {
    let (chain, rounds) = load("default");
    assert_eq!(chain.scheme, Scheme::PedersenBlsChained);
    // Round 1 chains to the 32-byte genesis seed, not a signature.
    assert_eq!(rounds[0].previous, chain.genesis_seed);
    check_common(&chain, &rounds);
    let info = chain.info();

    // A chained round checked as the next round with the same previous
    // signature and signature fails.
    let r2 = &rounds[1];
    assert_eq!(
        info.verify(3, &r2.previous, &r2.signature),
        Err(DrandError::InvalidSignature { round: 3 })
    );
    // The pairing check alone passes for a signature over a wrong link only
    // if the link was signed; verify_chain catches a substituted link.
    let mut broken: Vec<Beacon<'_>> = rounds.iter().map(Round::beacon).collect();
    broken[2].previous_signature = &rounds[0].signature;
    assert!(matches!(
        verify_chain(&info, &broken),
        Err(DrandError::BrokenChain { round: 3 }) | Err(DrandError::InvalidSignature { round: 3 })
    ));
    // The chained rounds checked under an unchained scheme fail.
    let unchained = ChainInfo {
        scheme: Scheme::PedersenBlsUnchained,
        ..info.clone()
    };
    assert!(unchained.verify(2, &r2.previous, &r2.signature).is_err());
    // The message rule: SHA-256(previous ‖ u64_be(round)).
    let msg = round_message(Scheme::PedersenBlsChained, 2, &r2.previous);
    let mut manual = r2.previous.clone();
    manual.extend_from_slice(&2u64.to_be_bytes());
    assert_eq!(msg.as_slice(), sha2_digest(&manual).as_slice());
}

#[test]
fn quicknet_rounds_verify() {
    let (chain, rounds) = load("quicknet");
    assert_eq!(chain.scheme, Scheme::BlsUnchainedG1Rfc9380);
    check_common(&chain, &rounds);

    // The fastnet bug: hashing to G1 with the G2 DST must not verify.
    let pk = PublicKey::<MinSig>::from_bytes(&chain.public_key).unwrap();
    let sig = Signature::<MinSig>::from_bytes(&rounds[0].signature).unwrap();
    let msg = round_message(chain.scheme, 1, &[]);
    let wrong_dst =
        MessageHash::<MinSig>::with_dst(&msg, b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_");
    assert!(!pk.verify_hash(&wrong_dst, &sig));
    let right_dst =
        MessageHash::<MinSig>::with_dst(&msg, b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_");
    assert!(pk.verify_hash(&right_dst, &sig));
    // An unchained beacon checked under chained chain info fails.
    let chained = ChainInfo {
        scheme: Scheme::PedersenBlsChained,
        ..chain.info()
    };
    assert!(
        chained
            .verify(1, &chain.genesis_seed, &rounds[0].signature)
            .is_err()
    );
}

fn sha2_digest(bytes: &[u8]) -> [u8; 32] {
    dfn_crypto::drand::randomness(bytes)
}
