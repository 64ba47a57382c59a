//! Five `node` processes on 127.0.0.1, each on its own port, talking
//! libp2p gossipsub over TCP: they agree on the beacon value of every
//! height and finalize the same blocks; with one killed the others keep
//! finalizing; restarted from scratch it catches up and reports the same
//! finalized blocks and beacon values as the others, past the height it
//! came back at.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const NODES: usize = 5;
const BIN: &str = env!("CARGO_BIN_EXE_node");
/// Every phase gets this long; a healthy run needs a fraction of it.
const PHASE: Duration = Duration::from_secs(45);

/// What one node process reported.
#[derive(Default, Debug)]
struct Report {
    /// Beacon randomness by height.
    beacon: BTreeMap<u64, String>,
    /// Finalized block hash by height.
    finalized: BTreeMap<u64, String>,
    /// The highest height entered.
    height: u64,
    alarms: usize,
    /// Lost blocks the state machine fetched again (`repair` lines).
    repairs: usize,
    /// The last lines, for failure messages.
    tail: Vec<String>,
}

impl Report {
    fn top_finalized(&self) -> u64 {
        self.finalized.keys().next_back().copied().unwrap_or(0)
    }

    fn take(&mut self, line: &str) {
        self.tail.push(line.to_string());
        if self.tail.len() > 12 {
            self.tail.remove(0);
        }
        let fields: HashMap<&str, &str> = line
            .split_whitespace()
            .filter_map(|f| f.split_once('='))
            .collect();
        let height = fields.get("height").and_then(|h| h.parse::<u64>().ok());
        match (fields.get("event").copied(), height) {
            (Some("beacon"), Some(h)) => {
                let value = fields["value"].to_string();
                if let Some(old) = self.beacon.insert(h, value.clone()) {
                    assert_eq!(old, value, "one node reported two beacon values at {h}");
                }
            }
            (Some("finalized"), Some(h)) => {
                let hash = fields["hash"].to_string();
                if let Some(old) = self.finalized.insert(h, hash.clone()) {
                    assert_eq!(old, hash, "one node finalized two blocks at {h}");
                }
            }
            (Some("height"), Some(h)) => self.height = self.height.max(h),
            (Some("alarm"), _) => self.alarms += 1,
            (Some("repair"), _) => self.repairs += 1,
            _ => {}
        }
    }
}

/// The running network; kills every child on drop.
struct Net {
    dir: PathBuf,
    children: Vec<Option<Child>>,
    readers: Vec<Option<std::thread::JoinHandle<()>>>,
    reports: Arc<Mutex<Vec<Report>>>,
}

impl Drop for Net {
    fn drop(&mut self) {
        for child in self.children.iter_mut().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Net {
    fn spawn(&mut self, i: usize) {
        self.reports.lock().unwrap()[i] = Report::default();
        let mut child = Command::new(BIN)
            .args(["run", "--genesis"])
            .arg(self.dir.join("genesis.json"))
            .arg("--key")
            .arg(self.dir.join(format!("node-{i}.key.json")))
            .args(["--stats-ms", "2000", "--start-wait-ms", "5000"])
            // A bound in case this test process dies without dropping.
            .args(["--exit-after-secs", "240"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn node");
        let stdout = child.stdout.take().unwrap();
        let reports = Arc::clone(&self.reports);
        self.readers[i] = Some(std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                reports.lock().unwrap()[i].take(&line);
            }
        }));
        self.children[i] = Some(child);
    }

    fn kill(&mut self, i: usize) {
        if let Some(mut child) = self.children[i].take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
        // Every line the dead process wrote is read before it restarts.
        if let Some(reader) = self.readers[i].take() {
            reader.join().unwrap();
        }
    }

    /// Waits until `done` holds for the reports, failing with a summary
    /// after `PHASE`.
    fn wait(&self, what: &str, done: impl Fn(&[Report]) -> bool) {
        let start = Instant::now();
        loop {
            let failure = {
                let reports = self.reports.lock().unwrap();
                if done(&reports) {
                    return;
                }
                if start.elapsed() > PHASE {
                    let summary: Vec<String> = reports
                        .iter()
                        .enumerate()
                        .map(|(i, r)| {
                            format!(
                                "node {i}: height {} finalized {}\n  {}",
                                r.height,
                                r.top_finalized(),
                                r.tail.join("\n  ")
                            )
                        })
                        .collect();
                    Some(summary.join("\n"))
                } else {
                    None
                }
            };
            // (The lock is released first, so the readers do not panic too.)
            if let Some(summary) = failure {
                panic!("timed out waiting for {what}:\n{summary}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Every pair of nodes agrees on every beacon value and finalized block
    /// both reported; each node's finalized heights run 1, 2, 3, ...
    /// without a gap. Returns how many (height, node) pairs were compared.
    fn check_agreement(&self) -> usize {
        let reports = self.reports.lock().unwrap();
        let mut compared = 0;
        for (i, a) in reports.iter().enumerate() {
            assert_eq!(a.alarms, 0, "node {i} raised a finality alarm");
            let top = a.top_finalized();
            assert!(
                a.finalized.keys().copied().eq(1..=top),
                "node {i} finalized heights with gaps: {:?}",
                a.finalized.keys().collect::<Vec<_>>()
            );
            for b in &reports[i + 1..] {
                for (h, v) in &a.beacon {
                    if let Some(w) = b.beacon.get(h) {
                        assert_eq!(v, w, "beacon values differ at height {h}");
                        compared += 1;
                    }
                }
                for (h, v) in &a.finalized {
                    if let Some(w) = b.finalized.get(h) {
                        assert_eq!(v, w, "finalized blocks differ at height {h}");
                        compared += 1;
                    }
                }
            }
        }
        compared
    }
}

/// Distinct free loopback ports (held open together, then released).
fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect()
}

fn deal(dir: &Path, ports: &[u16]) {
    let ports: Vec<String> = ports.iter().map(ToString::to_string).collect();
    let status = Command::new(BIN)
        .args(["genesis", "--nodes", &NODES.to_string(), "--out"])
        .arg(dir)
        .args(["--ports", &ports.join(",")])
        .args([
            "--groups",
            "3",
            "--block-time-ms",
            "500",
            "--delta-ms",
            "200",
        ])
        .args(["--slot-ms", "100", "--stall-ms", "1500"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "node genesis failed");
}

#[test]
fn five_nodes_agree_survive_a_crash_and_catch_up() {
    let started = Instant::now();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("dfn-node-loopback-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    deal(&dir, &free_ports(NODES));

    let mut net = Net {
        dir: dir.clone(),
        children: (0..NODES).map(|_| None).collect(),
        readers: (0..NODES).map(|_| None).collect(),
        reports: Arc::new(Mutex::new((0..NODES).map(|_| Report::default()).collect())),
    };
    for i in 0..NODES {
        net.spawn(i);
    }

    // 1. All five finalize and agree.
    net.wait("every node to finalize height 6", |r| {
        r.iter().all(|r| r.top_finalized() >= 6)
    });
    assert!(net.check_agreement() > 0);

    // 2. One node down: the other four keep finalizing.
    let victim = NODES - 1;
    net.kill(victim);
    let at_kill = {
        let r = net.reports.lock().unwrap();
        r[..victim].iter().map(Report::top_finalized).max().unwrap()
    };
    net.wait("the others to finalize 5 more heights", |r| {
        r[..victim].iter().all(|r| r.top_finalized() >= at_kill + 5)
    });
    net.check_agreement();

    // 3. Restarted from genesis with the same keys, it catches up: it
    // reports finalized blocks and beacon values past the height the
    // others had reached when it came back, equal to theirs.
    let at_restart = {
        let r = net.reports.lock().unwrap();
        r[..victim].iter().map(Report::top_finalized).max().unwrap()
    };
    net.spawn(victim);
    net.wait("the restarted node to catch up and finalize", |r| {
        let top = r[victim].top_finalized();
        top >= at_restart + 3
            && r[..victim].iter().all(|o| o.top_finalized() >= top)
            && r[victim].beacon.keys().next_back().copied().unwrap_or(0) >= at_restart + 3
    });
    let compared = net.check_agreement();
    let repairs = {
        let r = net.reports.lock().unwrap();
        // It finalized everything from height 1 (checked gap-free above),
        // including what was final before it restarted.
        assert!(r[victim].finalized.len() as u64 >= at_restart + 3);
        let common = r[victim]
            .beacon
            .keys()
            .filter(|h| r[0].beacon.contains_key(h))
            .count();
        assert!(
            common >= 3,
            "the restarted node shares too few beacon heights"
        );
        r[victim].repairs
    };
    drop(net);
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "loopback: {compared} agreeing (height, node pair) reports, {repairs} lost blocks fetched again, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
