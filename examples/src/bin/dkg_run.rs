//! A whole Joint-Feldman DKG in one process: every member is a
//! `dfn_crypto::dkg::Participant` (the Sans-IO state machine), and a
//! synchronous broadcast network hands every signed message to every other
//! member. Prints wall time, bytes broadcast, and the time members spend on
//! each step; checks that all members agree and that the new shares make a
//! threshold signature.
//!
//! `cargo run --release -p dfn-examples --bin dkg-run -- --n 100 --t 51`
//!
//! Each participant verifies every message itself (signature, proofs,
//! shares), as it would on a real network; a message is decoded once and
//! shared by all recipients, as a simulator would.

// Slices below are bounded by `1 ≤ t ≤ n`, checked when parsing arguments.
#![allow(clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dfn_crypto::dkg::{
    DkgConfig, DkgOutput, DkgSecretKey, Event, Kind, Member, Output, Participant, Phase, Schedule,
    SignedMessage,
};
use dfn_crypto::threshold::recover_signature;
use dfn_crypto::{MessageHash, MinSig, SecretKey, Suite, Time};
use dfn_examples::flags;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const USAGE: &str = "dkg-run: a whole DKG in one process, every member a state machine

USAGE: dkg-run [--n N] [--t T] [--silent K] [--seed SEED] [--threads K]

  --n N        group size (default 100)
  --t T        shares needed (default n/2 + 1)
  --silent K   the last K members send nothing (default 0)
  --seed SEED  seed of the deterministic RNG (default 2017)
  --threads K  worker threads simulating members (default 2)";

const PHASE_MS: u64 = 10_000;

struct Args {
    n: u32,
    t: u32,
    silent: u32,
    seed: u64,
    threads: usize,
}

fn parse_args() -> Result<Option<Args>, String> {
    let defaults = Args {
        n: 100,
        t: 0,
        silent: 0,
        seed: 2017,
        threads: 2,
    };
    // The threshold's default depends on n: `None` until given.
    let parsed = flags::parse((defaults, None), |(args, t), flag, value| {
        match flag {
            "--n" => args.n = flags::number(flag, value)?,
            "--t" => *t = Some(flags::number(flag, value)?),
            "--silent" => args.silent = flags::number(flag, value)?,
            "--seed" => args.seed = flags::number(flag, value)?,
            "--threads" => args.threads = flags::number(flag, value)?,
            _ => return Err(flags::unknown(flag)),
        }
        Ok(())
    })?;
    let Some((mut args, t)) = parsed else {
        return Ok(None);
    };
    args.t = t.unwrap_or(args.n / 2 + 1);
    let Args {
        n,
        t,
        silent,
        threads,
        ..
    } = args;
    if t == 0 || t > n || silent >= n || threads == 0 {
        return Err(format!(
            "need 1 ≤ t ≤ n, silent < n and threads ≥ 1; got t = {t}, n = {n}, silent = {silent}, threads = {threads}"
        ));
    }
    Ok(Some(args))
}

/// One simulated member: its state machine, what it ended with, and the
/// time it spent per kind of work.
struct Node {
    participant: Participant<MinSig>,
    outbox: Vec<SignedMessage<MinSig>>,
    output: Option<Result<DkgOutput<MinSig>, String>>,
    excluded: usize,
    /// CPU time handling messages of each kind, and at each deadline.
    handling: BTreeMap<Kind, Duration>,
    deadlines: BTreeMap<Phase, Duration>,
}

impl Node {
    fn drain(&mut self) {
        while let Some(output) = self.participant.poll_output() {
            match output {
                Output::Broadcast(message) => self.outbox.push(message),
                Output::Event(Event::Completed(o)) => self.output = Some(Ok(o)),
                Output::Event(Event::Failed(f)) => self.output = Some(Err(f.to_string())),
                Output::Event(Event::Qualification { excluded, .. }) => {
                    self.excluded = excluded.len();
                }
                _ => {}
            }
        }
    }

    fn deliver(&mut self, now: Time, messages: &[(u32, SignedMessage<MinSig>)]) {
        for (from, message) in messages {
            if *from != self.participant.me() {
                let start = Instant::now();
                self.participant.handle_message(now, message.clone());
                *self.handling.entry(message.kind()).or_default() += start.elapsed();
            }
        }
        self.drain();
    }

    fn timeout(&mut self, now: Time) {
        let phase = self.participant.phase();
        let start = Instant::now();
        self.participant.handle_timeout(now);
        *self.deadlines.entry(phase).or_default() += start.elapsed();
        self.drain();
    }
}

/// Runs `work` on every node, `threads` workers each taking a contiguous
/// chunk.
fn parallel(nodes: &mut [Node], threads: usize, work: impl Fn(&mut Node) + Sync) {
    let chunk = nodes.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        for part in nodes.chunks_mut(chunk) {
            let work = &work;
            scope.spawn(move || part.iter_mut().for_each(work));
        }
    });
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

fn run(args: &Args) -> Result<(), String> {
    let Args {
        n,
        t,
        silent,
        seed,
        threads,
    } = *args;
    println!(
        "== DKG state machines, n = {n}, t = {t}, MinSig, {silent} silent, {threads} thread(s)"
    );
    let start = Instant::now();
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let signing: Vec<SecretKey<MinSig>> = (0..n).map(|_| SecretKey::random(&mut rng)).collect();
    let decryption: Vec<DkgSecretKey<MinSig>> =
        (0..n).map(|_| DkgSecretKey::random(&mut rng)).collect();
    let members = signing
        .iter()
        .zip(&decryption)
        .map(|(s, d)| Member {
            signing_key: s.public_key(),
            encryption_key: d.public_key(),
        })
        .collect();
    let config = Arc::new(DkgConfig {
        context: format!("dkg-run seed {seed}").into_bytes(),
        threshold: t,
        members,
        schedule: Schedule {
            start: Time::ZERO,
            deal_ms: PHASE_MS,
            response_ms: PHASE_MS,
            justify_ms: PHASE_MS,
        },
        fast_sync: false,
    });

    let deal_start = Instant::now();
    let seeds: Vec<u64> = (0..n).map(|_| rand_core::Rng::next_u64(&mut rng)).collect();
    let mut slots: Vec<Option<Result<Node, String>>> = (0..n).map(|_| None).collect();
    {
        let (config, signing, decryption, seeds) = (&config, &signing, &decryption, &seeds);
        let chunk = (n as usize).div_ceil(threads);
        std::thread::scope(|scope| {
            for (c, part) in slots.chunks_mut(chunk).enumerate() {
                scope.spawn(move || {
                    for (k, slot) in part.iter_mut().enumerate() {
                        let i = c * chunk + k;
                        let mut rng = ChaCha20Rng::seed_from_u64(seeds[i]);
                        *slot = Some(
                            Participant::new(
                                Arc::clone(config),
                                (i + 1) as u32,
                                signing[i].clone(),
                                decryption[i].clone(),
                                &mut rng,
                            )
                            .map(|participant| Node {
                                participant,
                                outbox: Vec::new(),
                                output: None,
                                excluded: 0,
                                handling: BTreeMap::new(),
                                deadlines: BTreeMap::new(),
                            })
                            .map_err(|e| e.to_string()),
                        );
                    }
                });
            }
        });
    }
    let mut nodes: Vec<Node> = slots
        .into_iter()
        .map(|s| s.unwrap_or_else(|| Err("member not started".into())))
        .collect::<Result<_, _>>()?;
    nodes.iter_mut().for_each(Node::drain);
    let deal_time = deal_start.elapsed();
    println!(
        "{n} members dealt in {:.2} s ({:.1} ms each, on {threads} threads)",
        deal_time.as_secs_f64(),
        deal_time.as_secs_f64() * 1e3 * threads as f64 / f64::from(n)
    );

    // The network: rounds of "deliver everything sent", then the next
    // deadline when nothing is in flight.
    let honest = (n - silent) as usize;
    let mut bytes: BTreeMap<Kind, (usize, usize)> = BTreeMap::new();
    let mut now = Time::ZERO;
    loop {
        let mut in_flight = Vec::new();
        for (i, node) in nodes.iter_mut().enumerate() {
            for message in node.outbox.drain(..) {
                if i < honest {
                    let entry = bytes.entry(message.kind()).or_default();
                    entry.0 += 1;
                    entry.1 += message.as_bytes().len();
                    in_flight.push((node.participant.me(), message));
                }
            }
        }
        if in_flight.is_empty() {
            let Some(next) = nodes
                .iter()
                .filter_map(|node| node.participant.poll_timeout())
                .min()
            else {
                break;
            };
            now = next;
            parallel(&mut nodes, threads, |node| node.timeout(now));
        } else {
            now = now + 1;
            parallel(&mut nodes, threads, |node| node.deliver(now, &in_flight));
        }
    }

    let mut total = 0;
    for (kind, (count, size)) in &bytes {
        total += size;
        println!(
            "{kind}: {count} messages, {size} bytes ({} per message)",
            size / count.max(&1)
        );
    }
    println!(
        "{:.2} MB broadcast in all (each member receives all of it but its own)",
        total as f64 / 1e6
    );
    let per_member =
        |f: &dyn Fn(&Node) -> Duration| median(nodes[..honest].iter().map(f).collect());
    let dealings = per_member(&|node| {
        node.handling
            .get(&Kind::Dealing)
            .copied()
            .unwrap_or_default()
    });
    let batch = per_member(&|node| {
        node.deadlines
            .get(&Phase::Deal)
            .copied()
            .unwrap_or_default()
    });
    let responses = per_member(&|node| {
        node.handling
            .get(&Kind::Responses)
            .copied()
            .unwrap_or_default()
    });
    let finish = per_member(&|node| {
        node.deadlines
            .get(&Phase::Response)
            .copied()
            .unwrap_or_default()
            + node
                .deadlines
                .get(&Phase::Justify)
                .copied()
                .unwrap_or_default()
    });
    println!("per member (median over members, one thread each):");
    println!(
        "  the deal phase: {} dealings received, then at the deadline their signatures \
         (one batch), proofs, decryption and one batch check of all shares: {:.3} s",
        n - silent - 1,
        (dealings + batch).as_secs_f64()
    );
    println!(
        "  receiving {} responses (signatures, complaints): {:.3} s",
        n - silent - 1,
        responses.as_secs_f64()
    );
    println!(
        "  finishing (QUAL, combining, checking its share): {:.3} s",
        finish.as_secs_f64()
    );
    println!(
        "  in all: {:.3} s",
        (dealings + batch + responses + finish).as_secs_f64()
    );

    let outputs: Vec<&DkgOutput<MinSig>> = nodes[..honest]
        .iter()
        .map(|node| match &node.output {
            Some(Ok(o)) => Ok(o),
            Some(Err(e)) => Err(format!("member {}: {e}", node.participant.me())),
            None => Err(format!("member {} did not finish", node.participant.me())),
        })
        .collect::<Result<_, _>>()?;
    let group_key = outputs[0].group_key();
    let agree = outputs.iter().all(|o| {
        o.public_polynomial() == outputs[0].public_polynomial()
            && o.qualified() == outputs[0].qualified()
    });
    println!(
        "every member derived the same group key and QUAL ({} dealers, {} excluded): {agree}",
        outputs[0].qualified().len(),
        nodes[0].excluded
    );
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
    flags::run("dkg-run", USAGE, parse_args(), |args| run(&args))
}
