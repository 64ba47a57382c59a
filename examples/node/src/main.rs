//! `node`: one dfn process on a real network. `node genesis` deals a
//! network (public genesis file, one secret key file per process);
//! `node run` hosts the beacon and PSP chain state machines of one process
//! over libp2p (gossipsub on TCP with noise and yamux) and logs heights,
//! beacon values and finalized blocks to stdout, one parseable line each.

mod cli;
mod error;
mod genesis;
mod host;
mod log;
mod network;
mod p2p;

use std::process::ExitCode;

use crate::cli::{Command, HELP};
use crate::error::NodeError;
use crate::genesis::{GenesisFile, KeyFile, read_json};
use crate::network::Network;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("node: {e}");
            ExitCode::from(if matches!(e, NodeError::Usage(_)) {
                2
            } else {
                1
            })
        }
    }
}

fn run(args: &[String]) -> Result<(), NodeError> {
    match cli::parse(args)? {
        Command::Help => {
            print!("{HELP}");
            Ok(())
        }
        Command::Genesis { spec, out } => {
            let (genesis, keys) = genesis::deal(&spec)?;
            genesis::write(&out, &genesis, &keys)?;
            println!(
                "wrote {} and {} key files to {}",
                genesis::genesis_path(&out).display(),
                keys.len(),
                out.display()
            );
            Ok(())
        }
        Command::Run {
            genesis,
            key,
            options,
        } => {
            let genesis: GenesisFile = read_json(&genesis)?;
            let key: KeyFile = read_json(&key)?;
            let network = Network::from_genesis(&genesis)?;
            let keys = network.keys(&genesis, &key)?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| NodeError::Io("tokio runtime".into(), e))?;
            runtime.block_on(host::run(network, keys, options))
        }
    }
}
