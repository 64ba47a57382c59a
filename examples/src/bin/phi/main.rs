//! PHI, the seed's decentralized commercial bank: validators with
//! deposits approve loans in random sequences drawn from a real Threshold
//! Relay beacon; reputations and deposits follow how their loans fare;
//! rejected applications can be appealed to a new random sequence.
//!
//! `cargo run --release -p dfn-examples --bin phi -- --help`

use std::process::ExitCode;

use dfn_examples::flags;
use dfn_examples::phi::{PhiConfig, Status};
use dfn_examples::phi_demo::{DemoConfig, DemoRun, Temperament, run};

const HELP: &str = "\
phi: loans approved by random validator sequences from the random beacon

USAGE: phi [--seed N] [--validators N] [--applications N] [--narrate N]

  --seed N           seed of the beacon keys and the world (default 2017)
  --validators N     validators, at least 2 (default 24)
  --applications N   loan applications (default 60)
  --narrate N        applications told step by step (default 3)
  --help             this text";

fn parse_args() -> Result<Option<DemoConfig>, String> {
    flags::parse(DemoConfig::default(), |config, flag, value| {
        match flag {
            "--seed" => config.seed = flags::number(flag, value)?,
            "--validators" => config.validators = flags::number(flag, value)?,
            "--applications" => config.applications = flags::number(flag, value)?,
            "--narrate" => config.narrate = flags::number(flag, value)?,
            _ => return Err(flags::unknown(flag)),
        }
        Ok(())
    })
}

fn main() -> ExitCode {
    flags::run("phi", HELP, parse_args(), |config| {
        let (groups, size, threshold) = config.beacon;
        println!(
            "PHI: {} validators, {} applications; beacon: {groups} groups of {size}, threshold {threshold} (real BLS threshold signatures)",
            config.validators, config.applications
        );
        print_rules(&config.phi);
        let report = run(&config).map_err(|e| e.to_string())?;
        for line in &report.log {
            println!("{line}");
        }
        summary(&report);
        Ok(())
    })
}

fn print_rules(c: &PhiConfig) {
    println!(
        "rules: at least {} approvals; after an approval by reputation r the next beacon draw stops with p = {:.0}% × r/1000; at most {}; frozen below reputation {}",
        c.min_sequence,
        f64::from(c.stop_ppm) / 10_000.0,
        c.max_sequence,
        c.freeze_below
    );
    println!();
}

fn summary(run: &DemoRun) {
    let phi = &run.phi;
    let count = |s: Status| phi.applications().filter(|a| a.status == s).count();
    let appeals = phi.applications().filter(|a| a.appeal.is_some()).count();
    let appeals_won = phi
        .applications()
        .filter(|a| a.appeal.is_some() && matches!(a.status, Status::Repaid | Status::Defaulted))
        .count();
    let lengths = run.approved_lengths();
    let max = lengths.iter().copied().max().unwrap_or(0);
    println!();
    println!(
        "{} beacon heights; {} applications: {} repaid, {} defaulted, {} refused, {} rejected without appeal; {appeals} appealed ({appeals_won} approved on appeal)",
        run.heights,
        phi.applications().count(),
        count(Status::Repaid),
        count(Status::Defaulted),
        count(Status::Refused),
        count(Status::Rejected),
    );
    println!("approvals per approved sequence (nobody knew the length in advance):");
    for len in 1..=max {
        let n = lengths.iter().filter(|l| **l == len).count();
        if n > 0 {
            println!("  {len:>2}: {:<40} {n}", "#".repeat(n.min(40)));
        }
    }
    println!();
    println!(
        "{:<10} {:>5} {:>15} {:>16} {:>7}",
        "validators", "count", "mean reputation", "deposit change", "frozen"
    );
    for t in Temperament::ALL {
        if let Some((rep, change, frozen)) = run.by_temperament(t) {
            let n = run.members.iter().filter(|m| m.temperament == t).count();
            println!(
                "{:<10} {n:>5} {rep:>15} {change:>+16} {frozen:>7}",
                t.name()
            );
        }
    }
    let l = phi.ledger();
    println!();
    println!(
        "loans: {} PHI originated, {} repaid, {} defaulted; deposits: {} paid in, +{} fees, −{} slashed as compensation",
        l.originated, l.repaid, l.defaulted, l.deposited, l.fees, l.slashed
    );
    match phi.check_invariants() {
        Ok(()) => println!(
            "invariants hold: deposits conserved, reputations in 0..=1000, appeals drew fresh randomness"
        ),
        Err(e) => println!("INVARIANT BROKEN: {e}"),
    }
}
