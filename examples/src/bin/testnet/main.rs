//! The dfn testnet: a network of processes in threshold groups, in the
//! deterministic simulator, running the real random beacon and the PSP
//! chain with real BLS signatures, executing MetaCoin transactions on the
//! EVM in every block, with a live progress line and a final report.
//!
//! `cargo run --release -p dfn-examples --bin testnet -- --help`

// A host program over fixed-size tables it built itself (no untrusted
// input reaches an index).
#![allow(clippy::indexing_slicing)]

mod host;
mod ledger;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use dfn_beacon::{
    GroupId, GroupMember, GroupSet, ProcessId, deal_group, form_groups, formation_seed,
};
use dfn_crypto::SecretKey;
use dfn_crypto::threshold::SecretKeyShare;
use dfn_psp::{BlockHash, MemoChecks, Processes, PspConfig, PspNode};
use dfn_sim::{BroadcastMode, Fault, Latency, LinkModel, NodeId, SimConfig, Simulation, Time};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

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
  --txs N           MetaCoin transfers per block (default 20)
  --faulty PCT      percent of processes crashed from the start (default 0)
  --seed N          simulation seed (default 1)
  --json PATH       also write the report as JSON
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
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut a = Args {
        processes: 1_000,
        groups: 50,
        group_size: 100,
        heights: 30,
        block_time: 1_000,
        txs: 20,
        faulty: 0,
        seed: 1,
        json: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Ok(None);
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |e: std::num::ParseIntError| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--processes" => a.processes = value.parse().map_err(bad)?,
            "--groups" => a.groups = value.parse().map_err(bad)?,
            "--group-size" => a.group_size = value.parse().map_err(bad)?,
            "--heights" => a.heights = value.parse().map_err(bad)?,
            "--block-time" => a.block_time = value.parse().map_err(bad)?,
            "--txs" => a.txs = value.parse().map_err(bad)?,
            "--faulty" => a.faulty = value.parse().map_err(bad)?,
            "--seed" => a.seed = value.parse().map_err(bad)?,
            "--json" => a.json = Some(value),
            _ => return Err(format!("unknown flag {flag} (see --help)")),
        }
    }
    if a.group_size == 0 || a.group_size > a.processes || a.groups == 0 || a.faulty >= 50 {
        return Err("need 1 ≤ group size ≤ processes, at least one group, faulty < 50%".into());
    }
    if a.block_time < 200 {
        return Err("--block-time must be at least 200 ms (BT > 2Δ with Δ ≥ 100 ms)".into());
    }
    Ok(Some(a))
}

fn main() {
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => return println!("{HELP}"),
        Err(e) => {
            eprintln!("testnet: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("testnet: {e}");
        std::process::exit(1);
    }
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
    let ids: Vec<ProcessId> = keys
        .iter()
        .map(|k| ProcessId::of(&k.public_key()))
        .collect();
    let members: Vec<GroupMember<V>> = keys
        .iter()
        .zip(&ids)
        .map(|(k, id)| GroupMember {
            id: *id,
            key: k.public_key(),
        })
        .collect();
    let formed = form_groups(
        &ids,
        &formation_seed(&genesis_seed, 0),
        args.group_size,
        args.groups,
    )
    .map_err(|e| e.to_string())?;
    let position: HashMap<ProcessId, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut shares: Vec<Vec<(GroupId, SecretKeyShare<V>)>> = vec![Vec::new(); args.processes];
    let mut groups = Vec::new();
    let mut directory = BTreeMap::new();
    let threshold = (args.group_size / 2 + 1) as u32;
    for (g, group_members) in formed.iter().enumerate() {
        let id = GroupId(g as u64);
        let list = group_members.iter().map(|m| members[position[m]]).collect();
        let (group, group_shares) =
            deal_group(id, list, threshold, &mut rng).map_err(|e| e.to_string())?;
        for (m, share) in group_members.iter().zip(group_shares) {
            shares[position[m]].push((id, share));
        }
        directory.insert(
            id,
            group_members
                .iter()
                .map(|m| NodeId(position[m] as u32))
                .collect(),
        );
        groups.push(Arc::new(group));
    }
    let set = Arc::new(GroupSet::new(groups).map_err(|e| e.to_string())?);
    let processes = Arc::new(Processes::new(members));
    let dir = Arc::new(Directory {
        groups: directory,
        nodes: position
            .iter()
            .map(|(id, p)| (*id, NodeId(*p as u32)))
            .collect(),
        ids: ids.clone(),
    });
    let genesis = BlockHash::genesis(&genesis_seed);
    let ledger = Arc::new(Mutex::new(Ledger::new(genesis, 100)?));
    let checks = Arc::new(MemoChecks::default());
    let config = config(args, genesis_seed);
    let mut nodes = Vec::with_capacity(args.processes);
    for (p, (key, my_shares)) in keys.into_iter().zip(shares).enumerate() {
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
            args.txs,
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
    for p in live {
        let n = &nodes[*p];
        let entered: Vec<(&u64, &Time)> = n.entered.iter().collect();
        for w in entered.windows(2) {
            block_times.push(w[1].1.as_millis() - w[0].1.as_millis());
        }
        for (h, t) in &n.finalized_at {
            if let Some(e) = n.entered.get(&(h + 1)) {
                finality.push(t.as_millis().saturating_sub(e.as_millis()));
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
    println!("  governance                 not in the testnet yet (dfn-bns runs standalone)");
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
        });
        std::fs::write(path, json.to_string()).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}
