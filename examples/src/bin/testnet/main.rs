//! The dfn testnet: a network of processes in threshold groups, in the
//! deterministic simulator, running the real random beacon and the PSP
//! chain with real BLS signatures, executing MetaCoin transactions on the
//! EVM in every block and a BNS proposal adopted through following, with a
//! live progress line and a final report.
//!
//! `cargo run --release -p dfn-examples --bin testnet -- --help`

// A host program over fixed-size tables it built itself (no untrusted
// input reaches an index).
#![allow(clippy::indexing_slicing)]

mod governance;
mod host;
mod ledger;
mod plot;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use dfn_beacon::{GroupMember, ProcessId, deal_groups, formation_seed};
use dfn_crypto::SecretKey;
use dfn_examples::flags;
use dfn_psp::{BlockHash, MemoChecks, Processes, PspConfig, PspNode};
use dfn_sim::{BroadcastMode, Fault, Latency, LinkModel, NodeId, SimConfig, Simulation, Time};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use dfn_bns::Vote;
use governance::{Council, Genesis, GovState, Intent};
use host::{Directory, Process, V};
use ledger::{Ledger, SUPPLY};

const HELP: &str = "\
dfn testnet: beacon + PSP chain + EVM (MetaCoin) on a simulated WAN

USAGE: testnet [FLAGS]

  --processes N     processes (default 1000)
  --groups N        threshold groups (default 50)
  --group-size N    members per group, threshold n/2 + 1 (default 100)
  --heights N       run until every live process finalized N heights (default 30)
  --block-time MS   BT, the base block time (default 1000)
  --txs N           MetaCoin transfers per block until governance raises it
                    by half (default 20)
  --faulty PCT      percent of processes crashed from the start (default 0)
  --seed N          simulation seed (default 1)
  --json PATH       also write the report as JSON
  --svg PATH        also write a plot of finality latency per height (SVG)
  --help            this text";

struct Args {
    processes: usize,
    groups: usize,
    group_size: usize,
    heights: u64,
    block_time: u64,
    txs: usize,
    faulty: u32,
    seed: u64,
    json: Option<String>,
    svg: Option<String>,
}

fn parse_args() -> Result<Option<Args>, String> {
    let defaults = Args {
        processes: 1_000,
        groups: 50,
        group_size: 100,
        heights: 30,
        block_time: 1_000,
        txs: 20,
        faulty: 0,
        seed: 1,
        json: None,
        svg: None,
    };
    let Some(a) = flags::parse(defaults, |a, flag, value| {
        match flag {
            "--processes" => a.processes = flags::number(flag, value)?,
            "--groups" => a.groups = flags::number(flag, value)?,
            "--group-size" => a.group_size = flags::number(flag, value)?,
            "--heights" => a.heights = flags::number(flag, value)?,
            "--block-time" => a.block_time = flags::number(flag, value)?,
            "--txs" => a.txs = flags::number(flag, value)?,
            "--faulty" => a.faulty = flags::number(flag, value)?,
            "--seed" => a.seed = flags::number(flag, value)?,
            "--json" => a.json = Some(value.to_string()),
            "--svg" => a.svg = Some(value.to_string()),
            _ => return Err(flags::unknown(flag)),
        }
        Ok(())
    })?
    else {
        return Ok(None);
    };
    if a.group_size == 0 || a.group_size > a.processes || a.groups == 0 || a.faulty >= 50 {
        return Err("need 1 ≤ group size ≤ processes, at least one group, faulty < 50%".into());
    }
    if a.txs == 0 || a.txs > 600 {
        return Err("--txs must be between 1 and 600".into());
    }
    if a.block_time < 200 {
        return Err("--block-time must be at least 200 ms (BT > 2Δ with Δ ≥ 100 ms)".into());
    }
    Ok(Some(a))
}

fn main() -> ExitCode {
    flags::run("testnet", HELP, parse_args(), |args| run(&args))
}

fn config(args: &Args, seed: [u8; 32]) -> PspConfig {
    let mut c = PspConfig::new(seed);
    c.block_time_ms = args.block_time;
    c.slot_ms = args.block_time / 2;
    c.delta_ms = args.block_time / 2 - 1;
    c.stall_ms = 4 * args.block_time;
    c.relayers = 8;
    c.relay_backup_ms = 500;
    c.beacon.relayers = 8;
    c.beacon.relay_backup_ms = 500;
    c
}

fn run(args: &Args) -> Result<(), String> {
    let wall = Instant::now();
    let genesis_seed = *b"dfn testnet genesis seed, v1 ...";
    let mut rng = ChaCha20Rng::seed_from_u64(args.seed);
    println!(
        "dfn testnet: {} processes, {} groups of {} (threshold {}), BT {} ms, {} MetaCoin transfers per block",
        args.processes,
        args.groups,
        args.group_size,
        args.group_size / 2 + 1,
        args.block_time,
        args.txs
    );
    let keys: Vec<SecretKey<V>> = (0..args.processes)
        .map(|_| SecretKey::random(&mut rng))
        .collect();
    let members: Vec<GroupMember<V>> = keys
        .iter()
        .map(|k| GroupMember {
            id: ProcessId::of(&k.public_key()),
            key: k.public_key(),
        })
        .collect();
    let dealt = deal_groups(
        &members,
        &formation_seed(&genesis_seed, 0),
        args.group_size,
        args.groups,
        (args.group_size / 2 + 1) as u32,
        &mut rng,
    )
    .map_err(|e| e.to_string())?;
    let dir = Arc::new(Directory {
        groups: dealt
            .membership()
            .map(|(g, at)| (g, at.iter().map(|p| NodeId(*p as u32)).collect()))
            .collect(),
        nodes: members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id, NodeId(i as u32)))
            .collect(),
        ids: members.iter().map(|m| m.id).collect(),
    });
    let set = Arc::new(dealt.set);
    let processes = Arc::new(Processes::new(members));
    let genesis = BlockHash::genesis(&genesis_seed);
    let (governance, council) = governance_genesis(args, &keys)?;
    let ledger = Arc::new(Mutex::new(Ledger::new(
        genesis,
        100,
        governance,
        council,
        args.block_time,
    )?));
    let checks = Arc::new(MemoChecks::default());
    let config = config(args, genesis_seed);
    let mut nodes = Vec::with_capacity(args.processes);
    for (p, (key, my_shares)) in keys.into_iter().zip(dealt.shares).enumerate() {
        let mut node = PspNode::new(config, key, Arc::clone(&processes), &mut rng)
            .map_err(|e| e.to_string())?
            .with_checks(checks.clone(), checks.clone());
        node.install_groups(dfn_crypto::Time::ZERO, 1, Arc::clone(&set));
        for (group, share) in my_shares {
            node.add_group_share(group, share);
        }
        nodes.push(Process::new(
            node,
            NodeId(p as u32),
            Arc::clone(&dir),
            Arc::clone(&ledger),
        ));
    }
    let sim_config = SimConfig::new(args.seed)
        .with_link(LinkModel::new(Latency::Uniform { min: 50, max: 300 }))
        .with_broadcast(BroadcastMode::Direct);
    let mut sim = Simulation::new(sim_config, nodes).map_err(|e| e.to_string())?;
    // The faulty processes, spread evenly: `p` is faulty when
    // `(p · pct) mod 100 < pct` (exactly pct% of every 100 in a row).
    let pct = args.faulty as usize;
    let faulty: Vec<usize> = (0..args.processes)
        .filter(|p| (p * pct) % 100 < pct)
        .collect();
    for p in &faulty {
        sim.schedule(Time::ZERO, Fault::Crash(NodeId(*p as u32)))
            .map_err(|e| e.to_string())?;
    }
    let live: Vec<usize> = (0..args.processes)
        .filter(|p| !faulty.contains(p))
        .collect();
    println!(
        "set up in {:.1} s ({} processes crashed); WAN links 50–300 ms one way",
        wall.elapsed().as_secs_f64(),
        faulty.len()
    );
    let limit = Time::from_millis(
        args.heights
            .saturating_mul(args.block_time)
            .saturating_mul(6)
            + 60_000,
    );
    loop {
        let next = Time::from_millis(sim.now().as_millis() + args.block_time);
        sim.run_until(next);
        let nodes = sim.nodes();
        let finalized = live
            .iter()
            .map(|p| nodes[*p].finalized.len() as u64)
            .min()
            .unwrap_or(0);
        let height = live
            .iter()
            .map(|p| nodes[*p].node.height())
            .max()
            .unwrap_or(0);
        let txs: usize = live
            .first()
            .map(|p| nodes[*p].finalized.iter().map(|f| f.2).sum())
            .unwrap_or(0);
        let beacon = live
            .first()
            .and_then(|p| nodes[*p].beacon)
            .map_or("-".to_string(), |(h, r)| {
                format!("{h}:{}", hex::encode(&r[..6]))
            });
        println!(
            "height {height:>4} | beacon {beacon} | finalized {finalized:>4} | txs {txs:>6} | sim {:>7.1} s | wall {:>6.1} s",
            sim.now().as_millis() as f64 / 1e3,
            wall.elapsed().as_secs_f64()
        );
        if finalized >= args.heights || sim.now() >= limit {
            break;
        }
    }
    report(args, &sim, &live, &ledger, wall)
}

/// Units of stake in one token.
const TOKEN: u64 = 100_000_000;
/// Neurons 0, 1 and 2 lead: the others follow them.
const LEADERS: usize = 3;
/// The height from which leader 0 proposes, and from which leader 1 votes.
const PROPOSE_AT: u64 = 2;
const VOTE_AT: u64 = 4;

/// One neuron per process, controlled by the process's key. Leaders hold
/// 20 tokens; the others 1–9, with dissolve delays of 6 months to 8 years.
/// Odd neurons follow the three leaders on protocol parameters; even ones
/// follow the leaders and their predecessor through the catch-all list, so
/// their ballots need the cascade to reach them; every tenth follows nobody.
/// Leader 0 proposes to raise the transfer limit by half; leader 1 seconds
/// it; the followers carry it.
fn governance_genesis(args: &Args, keys: &[SecretKey<V>]) -> Result<(GovState, Council), String> {
    let leaders: Vec<usize> = (0..LEADERS.min(keys.len())).collect();
    let neurons: Vec<Genesis> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let leader = i < LEADERS;
            let followees = match () {
                _ if leader || i % 10 == 0 => Vec::new(),
                _ if i % 2 == 1 => leaders.clone(),
                _ => leaders.iter().copied().chain([i - 1]).collect(),
            };
            Genesis {
                controller: dfn_bns::KeyId::of(&key.public_key()),
                stake: if leader { 20 } else { 1 + i as u64 % 9 } * TOKEN,
                dissolve_delay_ms: dfn_bns::config::MONTH_MS * (6 + 6 * (i as u64 % 16)),
                followees,
                catch_all: i % 2 == 0,
            }
        })
        .collect();
    let (state, ids) = GovState::genesis(&neurons, args.txs as u64)?;
    let council = Council::new(
        leaders
            .iter()
            .map(|i| (ids[*i], keys[*i].clone()))
            .collect(),
        vec![
            Intent::Propose {
                leader: 0,
                limit: args.txs as u64 + (args.txs as u64 / 2).max(1),
                height: PROPOSE_AT,
            },
            Intent::Vote {
                leader: 1,
                vote: Vote::Yes,
                height: VOTE_AT,
            },
        ],
    );
    Ok((state, council))
}

/// p50, p90, p99.
fn percentiles(values: &mut [u64]) -> [u64; 3] {
    values.sort_unstable();
    let at = |q: usize| {
        values
            .get((values.len() * q / 100).min(values.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    [at(50), at(90), at(99)]
}

fn report(
    args: &Args,
    sim: &Simulation<Process>,
    live: &[usize],
    ledger: &Arc<Mutex<Ledger>>,
    wall: Instant,
) -> Result<(), String> {
    let nodes = sim.nodes();
    // Safety: every live process finalized the same blocks, in order.
    let mut chain: BTreeMap<u64, BlockHash> = BTreeMap::new();
    for p in live {
        let n = &nodes[*p];
        if n.alarms > 0 {
            return Err(format!("process {p} raised a finality alarm"));
        }
        for (i, (h, hash, _)) in n.finalized.iter().enumerate() {
            if *h != i as u64 + 1 || *chain.entry(*h).or_insert(*hash) != *hash {
                return Err(format!("process {p} disagrees at height {h}"));
            }
        }
    }
    let mut block_times = Vec::new();
    let mut finality = Vec::new();
    let mut finality_by_height: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    for p in live {
        let n = &nodes[*p];
        let entered: Vec<(&u64, &Time)> = n.entered.iter().collect();
        for w in entered.windows(2) {
            block_times.push(w[1].1.as_millis() - w[0].1.as_millis());
        }
        for (h, t) in &n.finalized_at {
            if let Some(e) = n.entered.get(&(h + 1)) {
                let latency = t.as_millis().saturating_sub(e.as_millis());
                finality.push(latency);
                finality_by_height.entry(*h).or_default().push(latency);
            }
        }
    }
    let bt = percentiles(&mut block_times);
    let fin = percentiles(&mut finality);
    let seconds = sim.now().as_millis() as f64 / 1e3;
    let bytes: u64 = sim
        .metrics()
        .nodes()
        .iter()
        .map(|c| c.sent_bytes + c.recv_bytes)
        .sum();
    let per_process = bytes as f64 / live.len().max(1) as f64 / seconds.max(1e-9) / 1e3;
    let reference = &nodes[live[0]];
    let txs: usize = reference.finalized.iter().map(|f| f.2).sum();
    let last = reference.finalized.last().map(|f| f.1);
    let mut ledger = ledger
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let balances = last.and_then(|b| ledger.balances(&b)).unwrap_or_default();
    let outcome = last
        .and_then(|b| ledger.governance(&b))
        .map(|g| governance_outcome(&g, args.txs as u64, &reference.finalized, args.block_time));
    let total: u64 = balances.iter().sum();
    let holders = balances.iter().filter(|b| **b > 0).count();
    println!();
    println!("report");
    println!("  finalized heights          {}", reference.finalized.len());
    println!(
        "  block time ms              p50 {} p90 {} p99 {}",
        bt[0], bt[1], bt[2]
    );
    println!(
        "  finality ms (after notarization) p50 {} p90 {} p99 {}",
        fin[0], fin[1], fin[2]
    );
    println!("  bandwidth per process      {per_process:.1} kB/s (sent + received)");
    println!(
        "  transactions finalized     {txs} (EVM executions: {})",
        ledger.transactions_run
    );
    println!("  MetaCoin supply            {total} of {SUPPLY} in {holders} accounts");
    match &outcome {
        Some(o) => println!("  governance                 {o}"),
        None => println!("  governance                 no proposal finalized"),
    }
    println!(
        "  simulated {seconds:.1} s in {:.1} s wall",
        wall.elapsed().as_secs_f64()
    );
    if total != SUPPLY {
        return Err(format!("MetaCoin supply is {total}, not {SUPPLY}"));
    }
    if let Some(path) = &args.json {
        let json = serde_json::json!({
            "processes": args.processes,
            "groups": args.groups,
            "group_size": args.group_size,
            "finalized_heights": reference.finalized.len(),
            "block_time_ms": {"p50": bt[0], "p90": bt[1], "p99": bt[2]},
            "finality_ms": {"p50": fin[0], "p90": fin[1], "p99": fin[2]},
            "bandwidth_kB_per_s": per_process,
            "transactions": txs,
            "metacoin_supply": total,
            "simulated_s": seconds,
            "governance": outcome.as_ref().map(GovernanceOutcome::json),
        });
        std::fs::write(path, json.to_string()).map_err(|e| format!("{path}: {e}"))?;
    }
    if let Some(path) = &args.svg {
        let series: Vec<(u64, [u64; 3])> = finality_by_height
            .iter_mut()
            .map(|(h, v)| (*h, percentiles(v)))
            .collect();
        std::fs::write(path, plot::finality(&series)).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

/// The proposal's fate, as the finalized chain's governance state says.
struct GovernanceOutcome {
    from: u64,
    to: Option<u64>,
    status: String,
    decided_height: Option<u64>,
    yes_bp: u128,
    no_bp: u128,
    cast: usize,
    /// Ballots cast by a signed proposal or vote rather than by following.
    direct: usize,
    ballots: usize,
    /// Distinct transfer counts of blocks decided before, and after.
    before: Vec<usize>,
    after: Vec<usize>,
}

fn governance_outcome(
    g: &GovState,
    from: u64,
    finalized: &[(u64, BlockHash, usize)],
    block_time: u64,
) -> GovernanceOutcome {
    let Some(p) = g.proposal() else {
        return GovernanceOutcome {
            from,
            to: None,
            status: "no proposal".into(),
            decided_height: None,
            yes_bp: 0,
            no_bp: 0,
            cast: 0,
            direct: 0,
            ballots: 0,
            before: Vec::new(),
            after: Vec::new(),
        };
    };
    let to = match &p.action {
        dfn_bns::Action::SetParameter { value, .. } => <[u8; 8]>::try_from(value.as_slice())
            .ok()
            .map(u64::from_be_bytes),
        _ => None,
    };
    let decided_height = p.decided_at.map(|t| t.as_millis() / block_time.max(1));
    let (cast, ballots) = g.ballots(p.id);
    let total = p.tally.total.max(1);
    let mut before = Vec::new();
    let mut after = Vec::new();
    for (h, _, txs) in finalized {
        let side = match decided_height {
            Some(d) if *h > d => &mut after,
            _ => &mut before,
        };
        if !side.contains(txs) {
            side.push(*txs);
        }
    }
    GovernanceOutcome {
        from,
        to,
        status: format!("{:?}", p.status),
        decided_height,
        yes_bp: p.tally.yes * 10_000 / total,
        no_bp: p.tally.no * 10_000 / total,
        cast,
        direct: g.direct_votes,
        ballots,
        before,
        after,
    }
}

impl GovernanceOutcome {
    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "parameter": governance::MAX_TRANSFERS,
            "from": self.from,
            "to": self.to,
            "status": self.status,
            "decided_height": self.decided_height,
            "yes_bp": self.yes_bp as u64,
            "no_bp": self.no_bp as u64,
            "ballots_cast": self.cast,
            "ballots_direct": self.direct,
            "ballots": self.ballots,
            "transfers_per_block_before": self.before,
            "transfers_per_block_after": self.after,
        })
    }
}

impl std::fmt::Display for GovernanceOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Some(to) = self.to else {
            return write!(f, "{}", self.status);
        };
        write!(
            f,
            "{} {} → {}: {}",
            governance::MAX_TRANSFERS,
            self.from,
            to,
            self.status
        )?;
        if let Some(h) = self.decided_height {
            write!(f, " at height {h}")?;
        }
        write!(
            f,
            " (yes {}.{:02} %, no {}.{:02} % of voting power; {} of {} ballots cast, {} directly, the rest by following); transfers per block {:?} before, {:?} after",
            self.yes_bp / 100,
            self.yes_bp % 100,
            self.no_bp / 100,
            self.no_bp % 100,
            self.cast,
            self.ballots,
            self.direct,
            self.before,
            self.after
        )
    }
}
