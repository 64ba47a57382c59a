//! What a run measures: per-node traffic, drops, delays, event spreads and
//! probes. Read it with [`Simulation::metrics`](crate::Simulation::metrics)
//! or as a [`Report`](crate::Report).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use crate::gossip::BitSet;
use crate::histogram::Histogram;
use crate::node::NodeId;
use crate::time::Time;

/// Traffic counters of one node. "Sent" counts copies the node put on the
/// wire (a direct broadcast to `n - 1` nodes is `n - 1` copies; gossip
/// relays count the copies they forward both as sent and as forwarded).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NodeCounters {
    /// Copies put on the wire.
    pub sent_msgs: u64,
    /// Bytes put on the wire.
    pub sent_bytes: u64,
    /// Of those, copies forwarded for other nodes' gossip broadcasts.
    pub forwarded_msgs: u64,
    /// Of those, bytes forwarded for other nodes' gossip broadcasts.
    pub forwarded_bytes: u64,
    /// Messages handed to the node.
    pub recv_msgs: u64,
    /// Bytes handed to the node.
    pub recv_bytes: u64,
    /// Gossip copies that arrived after the node had the message already.
    pub duplicate_msgs: u64,
    /// Events the node reported.
    pub events: u64,
}

/// Copies that were not delivered, by cause.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Drops {
    /// Lost on the link (its loss probability).
    pub loss: u64,
    /// Sent across, or in flight across, a partition.
    pub partition: u64,
    /// Dropped by a rule ([`Simulation::add_rule`](crate::Simulation::add_rule)).
    pub rule: u64,
    /// Arrived at a crashed node.
    pub crashed: u64,
    /// Addressed to a node id that does not exist.
    pub invalid: u64,
}

/// Where a [`Probe`] starts its clock for one instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum ProbeStart {
    /// At time zero.
    RunStart,
    /// When the first node reported an event with this label and the same
    /// instance (e.g. `"round_start"` for round 7).
    FirstEvent(&'static str),
}

/// A latency measured across nodes: for each instance (round, height), the
/// time from `start` until `per_mille / 1000` of all nodes have reported an
/// event labelled `end` with that instance. "Time from round start to
/// beacon value at 90% of nodes" is
/// `Probe::new("beacon@90%", ProbeStart::FirstEvent("round_start"), "beacon", 900)`.
///
/// Nodes count once per instance however often they report; the fraction is
/// of all nodes in the simulation, crashed or not, rounded up. An instance
/// whose end is reached before its start is counted as unstarted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Probe {
    /// Row name in reports.
    pub name: String,
    /// Where the clock starts.
    pub start: ProbeStart,
    /// The label of the event that ends it.
    pub end: &'static str,
    /// Fraction of nodes, in thousandths.
    pub per_mille: u32,
}

impl Probe {
    /// A probe; see the type's documentation.
    #[must_use]
    pub fn new(name: &str, start: ProbeStart, end: &'static str, per_mille: u32) -> Probe {
        Probe {
            name: name.to_owned(),
            start,
            end,
            per_mille: per_mille.min(1000),
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct ProbeState {
    pub(crate) probe: Probe,
    pub(crate) needed: u64,
    pending: HashMap<u64, (BitSet, u64)>,
    done: HashSet<u64>,
    pub(crate) unstarted: u64,
    pub(crate) histogram: Histogram,
}

/// Statistics of one event label.
#[derive(Clone, Debug, Default)]
pub struct LabelStats {
    /// Events reported with this label.
    pub count: u64,
    /// For events with an instance: time after the first report of the same
    /// instance by any node (0 for the first node itself).
    pub spread: Histogram,
    first: HashMap<u64, Time>,
}

impl LabelStats {
    /// When the first node reported this label with `instance`.
    #[must_use]
    pub fn first(&self, instance: u64) -> Option<Time> {
        self.first.get(&instance).copied()
    }
}

/// Everything a run measures.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    pub(crate) nodes: Vec<NodeCounters>,
    pub(crate) drops: Drops,
    pub(crate) link_delay: Histogram,
    pub(crate) delivery_age: Histogram,
    pub(crate) labels: BTreeMap<&'static str, LabelStats>,
    pub(crate) probes: Vec<ProbeState>,
    pub(crate) deliveries: u64,
    /// Per node, how often its timer was found busy.
    pub(crate) busy_timers: BTreeMap<NodeId, u64>,
    pub(crate) timers: u64,
    pub(crate) faults: u64,
    pub(crate) events: u64,
    pub(crate) wall_nanos: u128,
}

impl Metrics {
    pub(crate) fn new(n: usize) -> Metrics {
        Metrics {
            nodes: vec![NodeCounters::default(); n],
            ..Metrics::default()
        }
    }

    /// Counters of every node, by id.
    #[must_use]
    pub fn nodes(&self) -> &[NodeCounters] {
        &self.nodes
    }

    /// Undelivered copies by cause.
    #[must_use]
    pub fn drops(&self) -> Drops {
        self.drops
    }

    /// Per copy put on the wire: milliseconds from leaving the node's
    /// outbox to arrival (uplink queueing, transmission, latency, jitter,
    /// rule delays), including copies later dropped on arrival.
    #[must_use]
    pub fn link_delay(&self) -> &Histogram {
        &self.link_delay
    }

    /// Per delivered message: milliseconds since its origin sent it (for
    /// gossip, over all relay hops).
    #[must_use]
    pub fn delivery_age(&self) -> &Histogram {
        &self.delivery_age
    }

    /// Statistics per event label, sorted by label.
    #[must_use]
    pub fn labels(&self) -> &BTreeMap<&'static str, LabelStats> {
        &self.labels
    }

    /// The values of the probe named `name`, if there is one.
    #[must_use]
    pub fn probe(&self, name: &str) -> Option<&Histogram> {
        self.probes
            .iter()
            .find(|p| p.probe.name == name)
            .map(|p| &p.histogram)
    }

    /// The nodes whose timer fired more than [`SPIN_LIMIT`] times at one
    /// instant, and how often that happened: a busy timer (a deadline left
    /// in the past that handling does not move). The simulator then stops
    /// waking the node at that instant so the run goes on; any entry is a
    /// bug in the node, which a real host would show as a spinning core.
    ///
    /// [`SPIN_LIMIT`]: crate::SPIN_LIMIT
    #[must_use]
    pub fn busy_timers(&self) -> &BTreeMap<NodeId, u64> {
        &self.busy_timers
    }

    /// Messages delivered to running nodes.
    #[must_use]
    pub fn deliveries(&self) -> u64 {
        self.deliveries
    }

    /// Events processed: deliveries (including copies dropped on arrival),
    /// timeouts fired and faults applied.
    #[must_use]
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Timeouts fired.
    #[must_use]
    pub fn timeouts(&self) -> u64 {
        self.timers
    }

    /// Wall-clock seconds spent inside the run methods.
    #[must_use]
    pub fn wall_seconds(&self) -> f64 {
        self.wall_nanos as f64 / 1e9
    }

    pub(crate) fn add_probe(&mut self, probe: Probe, n: usize) {
        let needed = (n as u64 * u64::from(probe.per_mille))
            .div_ceil(1000)
            .max(1);
        self.probes.push(ProbeState {
            probe,
            needed,
            pending: HashMap::new(),
            done: HashSet::new(),
            unstarted: 0,
            histogram: Histogram::new(),
        });
    }

    pub(crate) fn on_event(
        &mut self,
        now: Time,
        node: u32,
        label: &'static str,
        instance: Option<u64>,
        n: usize,
    ) {
        if let Some(c) = self.nodes.get_mut(node as usize) {
            c.events += 1;
        }
        let stats = self.labels.entry(label).or_default();
        stats.count += 1;
        let Some(inst) = instance else {
            return;
        };
        let first = *stats.first.entry(inst).or_insert(now);
        stats.spread.record(now.since(first));
        for p in &mut self.probes {
            if p.probe.end != label || p.done.contains(&inst) {
                continue;
            }
            let (seen, count) = p
                .pending
                .entry(inst)
                .or_insert_with(|| (BitSet::with_len(n), 0));
            if !seen.insert(node) {
                continue;
            }
            *count += 1;
            if *count < p.needed {
                continue;
            }
            p.pending.remove(&inst);
            p.done.insert(inst);
            let start = match p.probe.start {
                ProbeStart::RunStart => Some(Time::ZERO),
                ProbeStart::FirstEvent(l) => self.labels.get(l).and_then(|s| s.first(inst)),
            };
            match start {
                Some(s) if s <= now => p.histogram.record(now.since(s)),
                _ => p.unstarted += 1,
            }
        }
    }
}

impl Drops {
    /// All drops.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.loss + self.partition + self.rule + self.crashed + self.invalid
    }
}
