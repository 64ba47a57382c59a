//! The Blockchain Nervous System governing the chain: neurons, following,
//! proposals that change the PSP block time, votes cascading, decisions,
//! execution on the real `PspConfig`, and rewards.
//!
//! `cargo run --release -p dfn-examples --bin governance -- --help`

use std::process::ExitCode;

use dfn_examples::flags;
use dfn_examples::governance::{ScenarioConfig, run};

const HELP: &str = "\
governance: the BNS changes a protocol parameter through following

USAGE: governance [--seed N] [--neurons N]

  --seed N      seed of stakes, dissolve delays and direct votes (default 2017)
  --neurons N   neurons, three leaders included; at least 10 (default 40)
  --help        this text";

fn parse_args() -> Result<Option<ScenarioConfig>, String> {
    flags::parse(ScenarioConfig::default(), |config, flag, value| {
        match flag {
            "--seed" => config.seed = flags::number(flag, value)?,
            "--neurons" => config.neurons = flags::number(flag, value)?,
            _ => return Err(flags::unknown(flag)),
        }
        Ok(())
    })
}

fn main() -> ExitCode {
    flags::run("governance", HELP, parse_args(), |config| {
        let report = run(config).map_err(|e| e.to_string())?;
        for line in &report.log {
            println!("{line}");
        }
        Ok(())
    })
}
