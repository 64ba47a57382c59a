//! The command line: `node genesis ...` and `node run ...`.

use std::path::PathBuf;
use std::time::Duration;

use libp2p::multiaddr::Protocol;
use libp2p::{Multiaddr, PeerId};

use crate::error::NodeError;
use crate::genesis::{ChainParams, DealSpec};
use crate::host::RunOptions;

/// The usage text.
pub const HELP: &str = "\
node: a networked dfn process (random beacon + PSP chain over libp2p gossipsub)

USAGE:
  node genesis --nodes N --out DIR [options]   deal a network: DIR/genesis.json, DIR/node-<i>.key.json
  node run --genesis FILE --key FILE [options] run one process
  node --help

GENESIS OPTIONS:
  --nodes N             processes (required)
  --out DIR             where to write the files (required)
  --host IP             IPv4 address the processes listen on [127.0.0.1]
  --base-port P         process i listens on port P+i [7000]
  --ports P1,P2,...     explicit ports, one per process (instead of --base-port)
  --groups G            threshold groups [2]
  --group-size S        members per group [N]
  --threshold T         shares needed per group [S/2+1]
  --block-time-ms BT    base block time [1000]
  --delta-ms D          delay bound, BT > 2D [300]
  --slot-ms S           delay between block-maker slots [BT/4]
  --stall-ms S          resend interval without progress [5*BT, at least 1000]
  --seed N              deal from a seeded RNG (reproducible, NOT secret)

RUN OPTIONS:
  --genesis FILE        the genesis file (required)
  --key FILE            this process's key file (required)
  --listen MULTIADDR    listen address [the process's genesis address]
  --peer MULTIADDR      a peer's address, ending in /p2p/<peer id>; replaces
                        that peer's genesis address (repeatable)
  --start-wait-ms MS    start the chain when all peers are subscribed, or
                        after this long [3000]
  --stats-ms MS         period of the stats line [5000]
  --exit-after-secs S   exit after S seconds [run until killed]
  --verbose             also log every message the state machine rejects

OUTPUT (stdout, one event per line):
  t_ms=<ms> node=<i> event=<kind> key=value ...
  kinds: boot listening peer-up peer-down start height beacon notarized
         finalized direct-out direct-in repair stalled beacon-stalled alarm
         evidence stats exit (and rejected, beacon-rejected with --verbose)
";

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// Print [`HELP`].
    Help,
    /// Deal a network into a directory.
    Genesis {
        /// What to deal.
        spec: DealSpec,
        /// Where.
        out: PathBuf,
    },
    /// Run one process.
    Run {
        /// The genesis file.
        genesis: PathBuf,
        /// The key file.
        key: PathBuf,
        /// How.
        options: RunOptions,
    },
}

/// Flags that take no value.
const SWITCHES: &[&str] = &["--verbose"];

/// Flags and their values, in order.
struct Flags<'a> {
    args: &'a [String],
    at: usize,
}

impl<'a> Flags<'a> {
    /// The next `--flag` and its value (`None` at the end).
    fn next(&mut self) -> Result<Option<(&'a str, &'a str)>, NodeError> {
        let Some(flag) = self.args.get(self.at) else {
            return Ok(None);
        };
        if !flag.starts_with("--") {
            return Err(NodeError::Usage(format!("unexpected argument {flag}")));
        }
        if SWITCHES.contains(&flag.as_str()) {
            self.at += 1;
            return Ok(Some((flag.as_str(), "")));
        }
        let value = self
            .args
            .get(self.at + 1)
            .ok_or_else(|| NodeError::Usage(format!("{flag} needs a value")))?;
        self.at += 2;
        Ok(Some((flag.as_str(), value.as_str())))
    }
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, NodeError> {
    value
        .parse()
        .map_err(|_| NodeError::Usage(format!("{flag}: {value} is not a valid number")))
}

fn multiaddr(flag: &str, value: &str) -> Result<Multiaddr, NodeError> {
    value
        .parse()
        .map_err(|e| NodeError::Usage(format!("{flag}: {value}: {e}")))
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, NodeError> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        return Ok(Command::Help);
    }
    match args.split_first() {
        None => Ok(Command::Help),
        Some((command, rest)) => match command.as_str() {
            "help" => Ok(Command::Help),
            "genesis" => parse_genesis(rest),
            "run" => parse_run(rest),
            other => Err(NodeError::Usage(format!(
                "unknown command {other} (try --help)"
            ))),
        },
    }
}

fn parse_genesis(args: &[String]) -> Result<Command, NodeError> {
    let mut flags = Flags { args, at: 0 };
    let (mut nodes, mut out) = (None, None);
    let mut host = "127.0.0.1".to_string();
    let mut base_port: u16 = 7_000;
    let mut ports: Option<Vec<u16>> = None;
    let mut groups = 2usize;
    let (mut group_size, mut threshold) = (None, None);
    let mut block_time_ms = 1_000u64;
    let mut delta_ms = 300u64;
    let (mut slot_ms, mut stall_ms, mut seed) = (None, None, None);
    while let Some((flag, value)) = flags.next()? {
        match flag {
            "--nodes" => nodes = Some(number::<usize>(flag, value)?),
            "--out" => out = Some(PathBuf::from(value)),
            "--host" => host = value.to_string(),
            "--base-port" => base_port = number(flag, value)?,
            "--ports" => {
                ports = Some(
                    value
                        .split(',')
                        .map(|p| number::<u16>(flag, p))
                        .collect::<Result<_, _>>()?,
                );
            }
            "--groups" => groups = number(flag, value)?,
            "--group-size" => group_size = Some(number::<usize>(flag, value)?),
            "--threshold" => threshold = Some(number::<u32>(flag, value)?),
            "--block-time-ms" => block_time_ms = number(flag, value)?,
            "--delta-ms" => delta_ms = number(flag, value)?,
            "--slot-ms" => slot_ms = Some(number::<u64>(flag, value)?),
            "--stall-ms" => stall_ms = Some(number::<u64>(flag, value)?),
            "--seed" => seed = Some(number::<u64>(flag, value)?),
            other => return Err(NodeError::Usage(format!("genesis: unknown flag {other}"))),
        }
    }
    let nodes = nodes.ok_or_else(|| NodeError::Usage("genesis needs --nodes".into()))?;
    let out = out.ok_or_else(|| NodeError::Usage("genesis needs --out".into()))?;
    let ip: std::net::Ipv4Addr = host
        .parse()
        .map_err(|_| NodeError::Usage(format!("--host: {host} is not an IPv4 address")))?;
    let ports = match ports {
        Some(p) => p,
        None => (0..nodes)
            .map(|i| {
                u16::try_from(i)
                    .ok()
                    .and_then(|i| base_port.checked_add(i))
                    .ok_or_else(|| NodeError::Usage("ports run past 65535".into()))
            })
            .collect::<Result<_, _>>()?,
    };
    let addrs = ports
        .iter()
        .map(|port| {
            Multiaddr::empty()
                .with(Protocol::Ip4(ip))
                .with(Protocol::Tcp(*port))
        })
        .collect();
    let group_size = group_size.unwrap_or(nodes);
    let threshold = threshold.unwrap_or_else(|| u32::try_from(group_size / 2 + 1).unwrap_or(1));
    let stall_ms = stall_ms.unwrap_or_else(|| block_time_ms.saturating_mul(5).max(1_000));
    let chain = ChainParams {
        genesis_seed: String::new(),
        block_time_ms,
        slot_ms: slot_ms.unwrap_or(block_time_ms / 4),
        delta_ms,
        max_block_time_ms: block_time_ms.saturating_mul(8),
        stall_ms,
        beacon_stall_ms: stall_ms,
        catch_up_timeout_ms: block_time_ms.saturating_mul(2).max(500),
    };
    Ok(Command::Genesis {
        spec: DealSpec {
            nodes,
            groups,
            group_size,
            threshold,
            addrs,
            chain,
            seed,
        },
        out,
    })
}

/// A `--peer` address: it must name its peer id.
fn peer_addr(value: &str) -> Result<(PeerId, Multiaddr), NodeError> {
    let mut addr = multiaddr("--peer", value)?;
    match addr.pop() {
        Some(Protocol::P2p(peer)) => Ok((peer, addr)),
        _ => Err(NodeError::Usage(format!(
            "--peer {value}: the address must end in /p2p/<peer id>"
        ))),
    }
}

fn parse_run(args: &[String]) -> Result<Command, NodeError> {
    let mut flags = Flags { args, at: 0 };
    let (mut genesis, mut key) = (None, None);
    let mut options = RunOptions {
        listen: None,
        peers: Vec::new(),
        start_wait: Duration::from_millis(3_000),
        stats_every: Duration::from_millis(5_000),
        exit_after: None,
        verbose: false,
    };
    while let Some((flag, value)) = flags.next()? {
        match flag {
            "--genesis" => genesis = Some(PathBuf::from(value)),
            "--key" => key = Some(PathBuf::from(value)),
            "--listen" => options.listen = Some(multiaddr(flag, value)?),
            "--peer" => options.peers.push(peer_addr(value)?),
            "--start-wait-ms" => options.start_wait = Duration::from_millis(number(flag, value)?),
            "--stats-ms" => {
                options.stats_every = Duration::from_millis(number::<u64>(flag, value)?.max(100));
            }
            "--exit-after-secs" => {
                options.exit_after = Some(Duration::from_secs(number(flag, value)?));
            }
            "--verbose" => options.verbose = true,
            other => return Err(NodeError::Usage(format!("run: unknown flag {other}"))),
        }
    }
    Ok(Command::Run {
        genesis: genesis.ok_or_else(|| NodeError::Usage("run needs --genesis".into()))?,
        key: key.ok_or_else(|| NodeError::Usage("run needs --key".into()))?,
        options,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn genesis_defaults_follow_the_node_count() {
        let Command::Genesis { spec, .. } =
            parse(&args("genesis --nodes 7 --out /tmp/x --base-port 9000")).unwrap()
        else {
            panic!("not a genesis command");
        };
        assert_eq!((spec.group_size, spec.threshold), (7, 4));
        assert_eq!(spec.addrs.len(), 7);
        assert_eq!(spec.addrs[6].to_string(), "/ip4/127.0.0.1/tcp/9006");
        assert_eq!(spec.chain.slot_ms, 250);
    }

    #[test]
    fn bad_command_lines_are_usage_errors() {
        for line in [
            "genesis --out /tmp/x",
            "genesis --nodes five --out /tmp/x",
            "genesis --nodes 3 --out /tmp/x --frobnicate 1",
            "run --genesis g.json",
            "run --genesis g.json --key k.json --peer /ip4/127.0.0.1/tcp/1",
            "run --genesis g.json --key",
            "launch",
        ] {
            assert!(
                matches!(parse(&args(line)), Err(NodeError::Usage(_))),
                "{line}"
            );
        }
    }

    #[test]
    fn a_peer_address_names_its_peer() {
        let peer = crate::genesis::p2p_keypair(&[7; 32])
            .unwrap()
            .public()
            .to_peer_id();
        let line = format!("run --genesis g --key k --peer /ip4/127.0.0.1/tcp/5/p2p/{peer}");
        let Command::Run { options, .. } = parse(&args(&line)).unwrap() else {
            panic!("not a run command");
        };
        assert_eq!(options.peers.len(), 1);
        assert_eq!(options.peers[0].0, peer);
        assert_eq!(options.peers[0].1.to_string(), "/ip4/127.0.0.1/tcp/5");
    }
}
