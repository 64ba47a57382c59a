//! A run's figures as a printable table, CSV or JSON.

use core::fmt;
use std::fmt::Write as _;

use serde::Serialize;

use crate::audit::AuditHash;
use crate::histogram::Summary;
use crate::metrics::{Drops, Metrics, NodeCounters};
use crate::time::Time;

/// Everything measured in a run, ready to print ([`fmt::Display`] gives
/// tables), to write as CSV ([`Report::nodes_csv`],
/// [`Report::histograms_csv`]) or as JSON ([`Report::to_json`]).
///
/// Rates "per second" are per second of virtual time, except
/// `events_per_wall_second`, which measures the simulator itself.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The run's seed.
    pub seed: u64,
    /// Number of nodes.
    pub nodes: usize,
    /// Virtual time reached, in milliseconds.
    pub sim_ms: u64,
    /// Wall-clock seconds spent running.
    pub wall_seconds: f64,
    /// Events processed (deliveries and drops on arrival, timeouts,
    /// faults).
    pub events: u64,
    /// Events per wall-clock second.
    pub events_per_wall_second: f64,
    /// Events per virtual second.
    pub events_per_sim_second: f64,
    /// Messages handed to nodes.
    pub deliveries: u64,
    /// Timeouts fired.
    pub timeouts: u64,
    /// Copies put on the wire, all nodes.
    pub copies_sent: u64,
    /// Bytes put on the wire, all nodes.
    pub bytes_sent: u64,
    /// Undelivered copies by cause.
    pub drops: Drops,
    /// Gossip copies that reached a node that had the message already.
    pub duplicates: u64,
    /// Milliseconds from a copy leaving its sender's outbox to arrival.
    pub link_delay_ms: Summary,
    /// Milliseconds from a message's origin sending it to its delivery.
    pub delivery_age_ms: Summary,
    /// Per event label: count, and spread after the first node (ms).
    pub labels: Vec<LabelRow>,
    /// Probe results (ms).
    pub probes: Vec<ProbeRow>,
    /// Per-node rates across nodes.
    pub traffic: Vec<TrafficRow>,
    /// Every node's counters and rates.
    pub per_node: Vec<NodeRow>,
    /// The audit hash, hex.
    pub audit_hash: String,
}

/// One event label.
#[derive(Clone, Debug, Serialize)]
pub struct LabelRow {
    /// The label.
    pub label: String,
    /// Events reported.
    pub count: u64,
    /// Milliseconds after the first node reported the same instance.
    pub spread_ms: Summary,
}

/// One probe.
#[derive(Clone, Debug, Serialize)]
pub struct ProbeRow {
    /// The probe's name.
    pub name: String,
    /// Instances whose end came before their start.
    pub unstarted: u64,
    /// Milliseconds from start to the fraction of nodes, per instance.
    pub ms: Summary,
}

/// A per-node rate summarized over nodes.
#[derive(Clone, Debug, Serialize)]
pub struct TrafficRow {
    /// What is measured.
    pub quantity: &'static str,
    /// Lowest node.
    pub min: f64,
    /// Median node.
    pub median: f64,
    /// Mean over nodes.
    pub mean: f64,
    /// Highest node.
    pub max: f64,
}

/// One node's counters and rates per virtual second.
#[derive(Clone, Debug, Serialize)]
pub struct NodeRow {
    /// The node id.
    pub node: u32,
    /// Its counters.
    #[serde(flatten)]
    pub counters: NodeCounters,
    /// Copies sent per second.
    pub sent_msgs_per_s: f64,
    /// Bytes sent per second.
    pub sent_bytes_per_s: f64,
    /// Messages received per second.
    pub recv_msgs_per_s: f64,
    /// Bytes received per second.
    pub recv_bytes_per_s: f64,
}

fn per_s(count: u64, ms: u64) -> f64 {
    if ms == 0 {
        0.0
    } else {
        count as f64 * 1000.0 / ms as f64
    }
}

fn traffic(quantity: &'static str, mut values: Vec<f64>) -> TrafficRow {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let mean = if n == 0 {
        0.0
    } else {
        values.iter().sum::<f64>() / n as f64
    };
    TrafficRow {
        quantity,
        min: values.first().copied().unwrap_or(0.0),
        median: values.get(n / 2).copied().unwrap_or(0.0),
        mean,
        max: values.last().copied().unwrap_or(0.0),
    }
}

impl Report {
    pub(crate) fn new(seed: u64, now: Time, nodes: usize, m: &Metrics, audit: AuditHash) -> Report {
        let sim_ms = now.as_millis();
        let wall_seconds = m.wall_seconds();
        let per_node: Vec<NodeRow> = m
            .nodes()
            .iter()
            .enumerate()
            .map(|(i, c)| NodeRow {
                node: u32::try_from(i).unwrap_or(u32::MAX),
                counters: *c,
                sent_msgs_per_s: per_s(c.sent_msgs, sim_ms),
                sent_bytes_per_s: per_s(c.sent_bytes, sim_ms),
                recv_msgs_per_s: per_s(c.recv_msgs, sim_ms),
                recv_bytes_per_s: per_s(c.recv_bytes, sim_ms),
            })
            .collect();
        let traffic = vec![
            traffic(
                "sent msgs/s",
                per_node.iter().map(|r| r.sent_msgs_per_s).collect(),
            ),
            traffic(
                "sent bytes/s",
                per_node.iter().map(|r| r.sent_bytes_per_s).collect(),
            ),
            traffic(
                "recv msgs/s",
                per_node.iter().map(|r| r.recv_msgs_per_s).collect(),
            ),
            traffic(
                "recv bytes/s",
                per_node.iter().map(|r| r.recv_bytes_per_s).collect(),
            ),
        ];
        Report {
            seed,
            nodes,
            sim_ms,
            wall_seconds,
            events: m.events(),
            events_per_wall_second: if wall_seconds > 0.0 {
                m.events() as f64 / wall_seconds
            } else {
                0.0
            },
            events_per_sim_second: per_s(m.events(), sim_ms),
            deliveries: m.deliveries(),
            timeouts: m.timeouts(),
            copies_sent: m.nodes().iter().map(|c| c.sent_msgs).sum(),
            bytes_sent: m.nodes().iter().map(|c| c.sent_bytes).sum(),
            drops: m.drops(),
            duplicates: m.nodes().iter().map(|c| c.duplicate_msgs).sum(),
            link_delay_ms: m.link_delay().summary(),
            delivery_age_ms: m.delivery_age().summary(),
            labels: m
                .labels()
                .iter()
                .map(|(l, s)| LabelRow {
                    label: (*l).to_owned(),
                    count: s.count,
                    spread_ms: s.spread.summary(),
                })
                .collect(),
            probes: m
                .probes
                .iter()
                .map(|p| ProbeRow {
                    name: p.probe.name.clone(),
                    unstarted: p.unstarted,
                    ms: p.histogram.summary(),
                })
                .collect(),
            traffic,
            per_node,
            audit_hash: audit.to_hex(),
        }
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }

    /// One CSV row per node: counters and rates per virtual second.
    #[must_use]
    pub fn nodes_csv(&self) -> String {
        let mut s = String::from(
            "node,sent_msgs,sent_bytes,forwarded_msgs,forwarded_bytes,recv_msgs,recv_bytes,\
             duplicate_msgs,events,sent_msgs_per_s,sent_bytes_per_s,recv_msgs_per_s,recv_bytes_per_s\n",
        );
        for r in &self.per_node {
            let c = &r.counters;
            let _ = writeln!(
                s,
                "{},{},{},{},{},{},{},{},{},{:.3},{:.3},{:.3},{:.3}",
                r.node,
                c.sent_msgs,
                c.sent_bytes,
                c.forwarded_msgs,
                c.forwarded_bytes,
                c.recv_msgs,
                c.recv_bytes,
                c.duplicate_msgs,
                c.events,
                r.sent_msgs_per_s,
                r.sent_bytes_per_s,
                r.recv_msgs_per_s,
                r.recv_bytes_per_s
            );
        }
        s
    }

    /// One CSV row per histogram (link delay, delivery age, each label's
    /// spread, each probe), in milliseconds.
    #[must_use]
    pub fn histograms_csv(&self) -> String {
        let mut s = String::from("histogram,count,min,mean,p50,p90,p99,max\n");
        for (name, h) in self.histogram_rows() {
            let _ = writeln!(
                s,
                "{},{},{},{},{},{},{},{}",
                csv_field(&name),
                h.count,
                h.min,
                h.mean,
                h.p50,
                h.p90,
                h.p99,
                h.max
            );
        }
        s
    }

    fn histogram_rows(&self) -> Vec<(String, Summary)> {
        let mut rows = vec![
            ("link delay".to_owned(), self.link_delay_ms),
            ("delivery age".to_owned(), self.delivery_age_ms),
        ];
        for l in &self.labels {
            rows.push((format!("event {} spread", l.label), l.spread_ms));
        }
        for p in &self.probes {
            rows.push((format!("probe {}", p.name), p.ms));
        }
        rows
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn si(v: f64) -> String {
    if v >= 1e9 {
        format!("{:.2}G", v / 1e9)
    } else if v >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if v >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else {
        format!("{v:.1}")
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "seed {}, {} nodes, {} simulated in {:.3} s wall",
            self.seed,
            self.nodes,
            Time::from_millis(self.sim_ms),
            self.wall_seconds
        )?;
        writeln!(
            f,
            "events {} ({}/s wall, {}/s simulated); deliveries {}, timeouts {}",
            self.events,
            si(self.events_per_wall_second),
            si(self.events_per_sim_second),
            self.deliveries,
            self.timeouts
        )?;
        let d = &self.drops;
        writeln!(
            f,
            "copies sent {} ({} bytes), gossip duplicates {}; dropped {}: loss {}, partition {}, rule {}, crashed {}, invalid {}",
            self.copies_sent,
            self.bytes_sent,
            self.duplicates,
            d.total(),
            d.loss,
            d.partition,
            d.rule,
            d.crashed,
            d.invalid
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "{:<32} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
            "histogram (ms)", "count", "min", "mean", "p50", "p90", "p99", "max"
        )?;
        for (name, h) in self.histogram_rows() {
            writeln!(
                f,
                "{:<32} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
                name, h.count, h.min, h.mean, h.p50, h.p90, h.p99, h.max
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "{:<32} {:>10} {:>10} {:>10} {:>10}",
            "per node, per simulated second", "min", "median", "mean", "max"
        )?;
        for t in &self.traffic {
            writeln!(
                f,
                "{:<32} {:>10} {:>10} {:>10} {:>10}",
                t.quantity,
                si(t.min),
                si(t.median),
                si(t.mean),
                si(t.max)
            )?;
        }
        if !self.labels.is_empty() {
            writeln!(f)?;
            writeln!(f, "{:<32} {:>10}", "event", "count")?;
            for l in &self.labels {
                writeln!(f, "{:<32} {:>10}", l.label, l.count)?;
            }
        }
        writeln!(f)?;
        write!(f, "audit {}", self.audit_hash)
    }
}
