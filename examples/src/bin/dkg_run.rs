//! A whole Joint-Feldman DKG in one process, every member simulated: each
//! dealer deals, each member checks and decrypts every dealing, checks its
//! shares in one batch and combines them; then every member's output is
//! compared and the group signs with the new shares. Prints wall time,
//! bytes broadcast and one member's checking time.
//!
//! `cargo run --release -p dfn-examples --bin dkg-run -- --n 100 --t 51`
//!
//! This is the cryptography only: messages are passed by function call,
//! not through the (not yet built) protocol state machine.

// Slices below are bounded by `1 ≤ t ≤ n`, checked when parsing arguments.
#![allow(clippy::indexing_slicing)]

use std::process::ExitCode;
use std::time::Instant;

use dfn_crypto::dkg::{
    Dealing, DkgOutput, DkgPublicKey, DkgSecretKey, combine, inconsistent_shares,
};
use dfn_crypto::threshold::recover_signature;
use dfn_crypto::{MessageHash, MinSig, Suite};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const USAGE: &str = "dkg-run: a whole DKG in one process, every member simulated

USAGE: dkg-run [--n N] [--t T] [--seed SEED] [--threads K]

  --n N        group size (default 100)
  --t T        shares needed (default n/2 + 1)
  --seed SEED  seed of the deterministic RNG (default 2017)
  --threads K  worker threads simulating members (default 1)";

const CONTEXT: &[u8] = b"dkg-run epoch 1";

struct Args {
    n: u32,
    t: u32,
    seed: u64,
    threads: usize,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut n = 100;
    let mut t = None;
    let mut seed = 2017;
    let mut threads = 1;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Ok(None);
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |e: std::num::ParseIntError| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--n" => n = value.parse().map_err(bad)?,
            "--t" => t = Some(value.parse().map_err(bad)?),
            "--seed" => seed = value.parse().map_err(bad)?,
            "--threads" => threads = value.parse().map_err(bad)?,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    let t = t.unwrap_or(n / 2 + 1);
    if t == 0 || t > n || threads == 0 {
        return Err(format!(
            "need 1 ≤ t ≤ n and threads ≥ 1, got t = {t}, n = {n}, threads = {threads}"
        ));
    }
    Ok(Some(Args {
        n,
        t,
        seed,
        threads,
    }))
}

/// Member `j`'s whole part after the dealings arrive.
fn member(
    j: u32,
    sk: &DkgSecretKey<MinSig>,
    dealings: &[Dealing<MinSig>],
    n: u32,
    t: u32,
    seed: u64,
) -> Result<DkgOutput<MinSig>, String> {
    let mut shares = Vec::with_capacity(dealings.len());
    for d in dealings {
        d.check_shape(n, t).map_err(|e| e.to_string())?;
        shares.push(
            d.decrypt_share_unchecked(CONTEXT, j, sk)
                .map_err(|e| e.to_string())?,
        );
    }
    let received: Vec<_> = dealings.iter().zip(&shares).collect();
    let mut rng = ChaCha20Rng::seed_from_u64(seed ^ u64::from(j));
    let bad = inconsistent_shares(&received, &mut rng);
    if !bad.is_empty() {
        return Err(format!(
            "member {j}: inconsistent shares from dealers {bad:?}"
        ));
    }
    let qualified: Vec<&Dealing<MinSig>> = dealings.iter().collect();
    combine(&qualified, &shares).map_err(|e| e.to_string())
}

fn run(args: &Args) -> Result<(), String> {
    let Args {
        n,
        t,
        seed,
        threads,
    } = *args;
    println!("== DKG, n = {n}, t = {t}, MinSig, {threads} thread(s)");
    let start = Instant::now();
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let secret_keys: Vec<DkgSecretKey<MinSig>> =
        (0..n).map(|_| DkgSecretKey::random(&mut rng)).collect();
    let public_keys: Vec<DkgPublicKey<MinSig>> =
        secret_keys.iter().map(DkgSecretKey::public_key).collect();

    let deal_start = Instant::now();
    let dealings: Vec<Dealing<MinSig>> = (1..=n)
        .map(|i| {
            Dealing::deal(i, t, &public_keys, CONTEXT, &mut rng)
                .map(|(d, _)| d)
                .map_err(|e| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    let deal_time = deal_start.elapsed();
    let dealing_bytes = dealings[0].to_bytes().len();
    println!(
        "{n} dealings in {:.2} s ({:.1} ms each); {dealing_bytes} bytes per dealer, {:.1} MB broadcast in all",
        deal_time.as_secs_f64(),
        deal_time.as_secs_f64() * 1e3 / f64::from(n),
        (dealing_bytes as f64) * f64::from(n) / 1e6
    );

    let one_start = Instant::now();
    member(n, &secret_keys[(n - 1) as usize], &dealings, n, t, seed)?;
    println!(
        "one member (index {n}) checks all {n} dealings and combines in {:.2} s",
        one_start.elapsed().as_secs_f64()
    );

    let members_start = Instant::now();
    let mut outputs: Vec<Option<Result<DkgOutput<MinSig>, String>>> =
        (0..n).map(|_| None).collect();
    std::thread::scope(|scope| {
        for (worker, chunk) in outputs
            .chunks_mut(n.div_ceil(threads as u32) as usize)
            .enumerate()
        {
            let (secret_keys, dealings) = (&secret_keys, &dealings);
            let first = worker * n.div_ceil(threads as u32) as usize;
            scope.spawn(move || {
                for (k, slot) in chunk.iter_mut().enumerate() {
                    let j = (first + k + 1) as u32;
                    *slot = Some(member(
                        j,
                        &secret_keys[j as usize - 1],
                        dealings,
                        n,
                        t,
                        seed,
                    ));
                }
            });
        }
    });
    let outputs: Vec<DkgOutput<MinSig>> = outputs
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Err("member not run".into())))
        .collect::<Result<_, _>>()?;
    println!(
        "all {n} members done in {:.1} s",
        members_start.elapsed().as_secs_f64()
    );

    let group_key = outputs[0].group_key();
    let agree = outputs.iter().all(|o| {
        o.group_key() == group_key && o.public_polynomial() == outputs[0].public_polynomial()
    });
    println!("every member derived the same group key and public polynomial: {agree}");
    let hash = MessageHash::<MinSig>::new(Suite::Basic, b"first beacon round");
    let shares: Vec<_> = outputs
        .iter()
        .rev()
        .take(t as usize)
        .map(|o| o.share().sign_hash(&hash))
        .collect();
    let sig = recover_signature(t, &shares).map_err(|e| e.to_string())?;
    let verifies = group_key.verify_hash(&hash, &sig);
    println!(
        "a threshold signature from {t} of the new shares verifies under the group key: {verifies}"
    );
    println!("total wall time {:.1} s", start.elapsed().as_secs_f64());
    if agree && verifies {
        Ok(())
    } else {
        Err("the DKG outputs disagree".into())
    }
}

fn main() -> ExitCode {
    match parse_args() {
        Ok(None) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Ok(Some(args)) => match run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
    }
}
