//! A tour of dfn-crypto, the part of dfn that exists today: a group of
//! `n` processes with threshold `t` shares a key, its members sign a beacon
//! message, any `t` shares recover the one group signature, a corrupted
//! share is caught and named, and the real League of Entropy (drand)
//! beacons verify with the same code.
//!
//! `cargo run --release -p dfn-examples --bin crypto-tour -- --help`

// Slices below are bounded by `1 ≤ t ≤ n`, checked when parsing arguments.
#![allow(clippy::indexing_slicing)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use dfn_crypto::drand::{Beacon, ChainInfo, Scheme, randomness, verify_chain};
use dfn_crypto::threshold::{SecretPolynomial, SignatureShare, recover_signature};
use dfn_crypto::{MessageHash, MinSig, Suite};
use dfn_examples::flags;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const USAGE: &str = "crypto-tour: threshold BLS and drand verification with dfn-crypto

USAGE: crypto-tour [--n N] [--t T] [--seed SEED] [--vectors DIR]

  --n N          group size (default 400)
  --t T          shares needed (default 201)
  --seed SEED    seed of the deterministic RNG (default 2017)
  --vectors DIR  test vector folder holding drand/ (default ../shared/vectors)";

struct Args {
    n: u32,
    t: u32,
    seed: u64,
    vectors: PathBuf,
}

fn parse_args() -> Result<Option<Args>, String> {
    let defaults = Args {
        n: 400,
        t: 201,
        seed: 2017,
        vectors: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
    };
    let parsed = flags::parse(defaults, |args, flag, value| {
        match flag {
            "--n" => args.n = flags::number(flag, value)?,
            "--t" => args.t = flags::number(flag, value)?,
            "--seed" => args.seed = flags::number(flag, value)?,
            "--vectors" => args.vectors = PathBuf::from(value),
            _ => return Err(flags::unknown(flag)),
        }
        Ok(())
    })?;
    if let Some(args) = &parsed
        && (args.t == 0 || args.t > args.n)
    {
        return Err(format!(
            "need 1 ≤ t ≤ n, got t = {} and n = {}",
            args.t, args.n
        ));
    }
    Ok(parsed)
}

fn ms(since: Instant) -> String {
    format!("{:.1} ms", since.elapsed().as_secs_f64() * 1e3)
}

fn threshold_tour(args: &Args) -> Result<(), String> {
    let (n, t) = (args.n, args.t);
    let mut rng = ChaCha20Rng::seed_from_u64(args.seed);
    println!("== Threshold group: n = {n}, t = {t}, MinSig (48-byte signatures, 96-byte keys)");

    let start = Instant::now();
    let poly = SecretPolynomial::<MinSig>::random(t, &mut rng).map_err(|e| e.to_string())?;
    let commitment = poly.commitment();
    let shares = poly.shares(n).map_err(|e| e.to_string())?;
    println!(
        "dealt {n} secret shares and a {t}-point commitment in {}",
        ms(start)
    );

    let start = Instant::now();
    let keys = commitment.share_keys(n).map_err(|e| e.to_string())?;
    println!("derived all {n} public key shares in {}", ms(start));
    println!("group key {}", hex::encode(keys.group_key().to_bytes()));

    // The beacon's round-1 message: SHA-256(σ⁰ ‖ u64_be(1)).
    let seed = [0x42u8; 32];
    let msg = dfn_crypto::drand::round_message(Scheme::PedersenBlsChained, 1, &seed);
    let hash = MessageHash::<MinSig>::new(Suite::Basic, &msg);

    let start = Instant::now();
    let sig_shares: Vec<SignatureShare<MinSig>> =
        shares.iter().map(|s| s.sign_hash(&hash)).collect();
    println!(
        "{n} members signed in {} ({} bytes per share)",
        ms(start),
        sig_shares[0].to_bytes().len()
    );

    let start = Instant::now();
    let first = recover_signature(t, &sig_shares[..t as usize]).map_err(|e| e.to_string())?;
    println!(
        "recovered the group signature from shares 1..={t} in {}",
        ms(start)
    );
    let last = recover_signature(t, &sig_shares[(n - t) as usize..]).map_err(|e| e.to_string())?;
    println!(
        "shares {}..={n} recover the same signature: {}",
        n - t + 1,
        first == last
    );
    println!(
        "it verifies under the group key: {}",
        keys.group_key().verify_hash(&hash, &first)
    );
    println!(
        "beacon randomness SHA-256(σ) = {}",
        hex::encode(randomness(first.to_bytes().as_ref()))
    );
    if t > 1 {
        let short =
            recover_signature(t - 1, &sig_shares[..(t - 1) as usize]).map_err(|e| e.to_string())?;
        println!(
            "t − 1 shares give a signature that verifies: {}",
            keys.group_key().verify_hash(&hash, &short)
        );
    }

    let mut received = sig_shares[..t as usize].to_vec();
    let victim = received.len() / 3;
    received[victim] = shares[victim].sign(Suite::Basic, b"a different message");
    let start = Instant::now();
    let outcome = keys.verify_shares(&hash, &received, &mut rng);
    println!(
        "batch-verified {} shares with one bad share in {}: {} pairing checks, invalid: member {:?}",
        received.len(),
        ms(start),
        outcome.checks,
        outcome
            .invalid
            .iter()
            .map(|&p| received[p].index())
            .collect::<Vec<_>>()
    );
    received.extend_from_slice(&sig_shares[t as usize..]);
    let start = Instant::now();
    let (sig, blamed) = keys
        .recover_verified(&hash, &received, &mut rng)
        .map_err(|e| e.to_string())?;
    println!(
        "recover_verified with the bad share among {}: same signature = {}, blamed members {blamed:?}, {}",
        received.len(),
        sig == first,
        ms(start)
    );
    if sig != first || first != last || !keys.group_key().verify_hash(&hash, &first) {
        return Err("threshold signatures disagree".into());
    }
    Ok(())
}

fn field<'a>(v: &'a serde_json::Value, key: &str) -> Result<&'a serde_json::Value, String> {
    v.get(key).ok_or_else(|| format!("missing field {key}"))
}

fn hex_field(v: &serde_json::Value, key: &str) -> Result<Vec<u8>, String> {
    let s = field(v, key)?
        .as_str()
        .ok_or_else(|| format!("{key} is not a string"))?;
    hex::decode(s).map_err(|e| format!("{key}: {e}"))
}

fn drand_tour(dir: &std::path::Path) -> Result<(), String> {
    let read = |name: &str| {
        let path = dir.join("drand").join(name);
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let parse = |text: String| -> Result<Vec<serde_json::Value>, String> {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).map_err(|e| e.to_string()))
            .collect()
    };
    let chains = parse(read("chains.jsonl")?)?;
    let rounds = parse(read("rounds.jsonl")?)?;
    for chain in &chains {
        let name = field(field(chain, "metadata")?, "beaconID")?
            .as_str()
            .unwrap_or("default")
            .to_owned();
        let scheme_id = field(chain, "schemeID")?.as_str().unwrap_or_default();
        let scheme =
            Scheme::from_id(scheme_id).ok_or_else(|| format!("unsupported scheme {scheme_id}"))?;
        let public_key = hex_field(chain, "public_key")?;
        let genesis_seed = hex_field(chain, "groupHash")?;
        let info = ChainInfo {
            scheme,
            public_key: &public_key,
            period_seconds: field(chain, "period")?.as_u64().unwrap_or_default() as u32,
            genesis_time: field(chain, "genesis_time")?.as_i64().unwrap_or_default(),
            genesis_seed: &genesis_seed,
            beacon_id: &name,
        };
        let hash_ok = info.hash().as_slice() == hex_field(chain, "hash")?.as_slice();
        println!(
            "== drand chain {name} ({scheme_id}): chain hash recomputed and matches: {hash_ok}"
        );
        let mine: Vec<&serde_json::Value> = rounds
            .iter()
            .filter(|r| r.get("chain").and_then(|c| c.as_str()) == Some(&name))
            .collect();
        let sigs: Vec<(u64, Vec<u8>, Vec<u8>)> = mine
            .iter()
            .map(|r| {
                let previous = if r.get("previous_signature").is_some() {
                    hex_field(r, "previous_signature")?
                } else {
                    Vec::new()
                };
                Ok((
                    field(r, "round")?.as_u64().unwrap_or_default(),
                    hex_field(r, "signature")?,
                    previous,
                ))
            })
            .collect::<Result<_, String>>()?;
        let beacons: Vec<Beacon<'_>> = sigs
            .iter()
            .map(|(round, sig, prev)| Beacon {
                round: *round,
                signature: sig,
                previous_signature: prev,
            })
            .collect();
        let start = Instant::now();
        verify_chain(&info, &beacons).map_err(|e| format!("{name}: {e}"))?;
        for b in &beacons {
            println!(
                "round {}: verified, randomness {}",
                b.round,
                hex::encode(randomness(b.signature))
            );
        }
        println!("{} rounds verified in {}", beacons.len(), ms(start));
        if !hash_ok {
            return Err(format!("chain hash of {name} does not match"));
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    flags::run("crypto-tour", USAGE, parse_args(), |args| {
        threshold_tour(&args)?;
        drand_tour(&args.vectors)?;
        println!("== all checks passed");
        Ok(())
    })
}
