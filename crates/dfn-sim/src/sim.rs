//! The simulator: hosts the nodes, carries their messages, fires their
//! timers, applies faults, and keeps the audit log and metrics.

mod fault_injection;
mod transport;

use core::fmt;
use std::collections::HashMap;
use std::time::Instant;

use crate::audit::{AuditHash, AuditSink, TAG_EVENT};
use crate::config::{BroadcastMode, SimConfig};
use crate::error::SimError;
use crate::faults::{Action, Envelope, Fault, Restart, Rule};
use crate::gossip::{BitSet, Overlay};
use crate::link::{Bandwidth, LinkModel, Placement, RegionId};
use crate::message::SimEvent;
use crate::metrics::{Metrics, Probe};
use crate::node::{Node, NodeId, Output};
use crate::queue::EventQueue;
use crate::report::Report;
use crate::rng::{SimRng, Stream};
use crate::time::Time;

/// Receiver id written in the audit record of a broadcast.
const BROADCAST: u32 = u32::MAX;

/// A scheduled event.
///
/// A unicast message travels inside its event: the queue's buckets are
/// read in order, so the message arrives in cache with the event, where a
/// side table indexed by slot would cost a cache miss per delivery.
/// Broadcast copies share one [`Flight`] and carry its slot.
#[derive(Debug)]
enum Ev<M> {
    /// A unicast message arrives at `to`.
    Unicast {
        to: u32,
        from: u32,
        len: u32,
        number: u64,
        sent: Time,
        msg: M,
    },
    /// A copy of the broadcast in flight slot `flight` arrives at `to`,
    /// sent by `relay`.
    Shared { to: u32, relay: u32, flight: u32 },
    /// The node's timer, if it is still generation `generation`.
    Timer { node: u32, generation: u32 },
    /// The scheduled fault number `index`.
    Fault { index: u32 },
}

/// A broadcast with copies on the wire; copies refer to it by slot.
struct Flight<M> {
    msg: M,
    origin: u32,
    len: u32,
    number: u64,
    sent: Time,
    /// Copies scheduled and not yet arrived.
    refs: u32,
    /// Gossip: nodes that have the message.
    seen: Option<BitSet>,
}

/// Per-node state the simulator keeps beside the node.
#[derive(Clone, Copy, Debug)]
struct Meta {
    up: bool,
    /// Partition side; all 0 when healed.
    side: u32,
    /// The deadline scheduled for the node, if any.
    timer: Option<Time>,
    /// Generation of the scheduled timer event.
    generation: u32,
    /// When the uplink is free, in microseconds.
    uplink_free_us: u64,
    uplink: Option<Bandwidth>,
}

/// How many times in a row a node's timer may fire at one instant before
/// the simulator calls it busy ([`Metrics::busy_timers`]) and stops waking
/// it there.
///
/// [`Metrics::busy_timers`]: crate::Metrics::busy_timers
pub const SPIN_LIMIT: u32 = 10_000;

/// A delivery, as an observer set with
/// [`Simulation::on_delivery`] sees it.
#[derive(Debug)]
pub struct Delivery<'a, M> {
    /// Arrival time.
    pub now: Time,
    /// The node that created the message (what the receiving node is told).
    pub origin: NodeId,
    /// The node whose copy arrived (the origin, or a gossip relay).
    pub relay: NodeId,
    /// The receiver.
    pub to: NodeId,
    /// The message.
    pub msg: &'a M,
}

/// An event a node reported, kept when
/// [`SimConfig::keep_events`] is set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded<E> {
    /// When.
    pub time: Time,
    /// Which node.
    pub node: NodeId,
    /// The event.
    pub event: E,
}

type Factory<N> = Box<dyn FnMut(NodeId, Time) -> N>;
type Observer<M> = Box<dyn FnMut(&Delivery<'_, M>)>;

/// A network of nodes of type `N` in virtual time.
///
/// Build it with [`Simulation::new`], configure links, faults, rules and
/// probes, then drive it with [`run_until`](Simulation::run_until),
/// [`run_until_quiet`](Simulation::run_until_quiet) or
/// [`step`](Simulation::step). The nodes start at the first of these calls
/// (or [`with_node`](Simulation::with_node)): each has its outputs drained
/// and its timeout read at time zero, in id order.
pub struct Simulation<N: Node> {
    config: SimConfig,
    now: Time,
    started: bool,
    /// The last timer fired: its node, its instant, and how many times in
    /// a row that node's timer fired at that instant. Events of one
    /// instant run in the order they were queued, so a node that keeps
    /// asking to be woken now ends up alone at that instant.
    wakes: (u32, Time, u32),
    nodes: Vec<N>,
    meta: Vec<Meta>,
    regions: Vec<RegionId>,
    overrides: HashMap<(u32, u32), LinkModel>,
    overlay: Overlay,
    queue: EventQueue<Ev<N::Message>>,
    flights: Vec<Option<Flight<N::Message>>>,
    free_flights: Vec<u32>,
    spare_sets: Vec<BitSet>,
    latency_rng: SimRng,
    loss_rng: SimRng,
    rules: Vec<Rule<N::Message>>,
    faults: Vec<Option<Fault>>,
    /// Whether a partition holds (side checks are skipped otherwise).
    partitioned: bool,
    factory: Option<Factory<N>>,
    observer: Option<Observer<N::Message>>,
    events: Vec<Recorded<N::Event>>,
    audit: AuditSink,
    metrics: Metrics,
    next_number: u64,
}

impl<N: Node> fmt::Debug for Simulation<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulation")
            .field("seed", &self.config.seed)
            .field("now", &self.now)
            .field("nodes", &self.nodes.len())
            .field("queued", &self.queue.len())
            .finish_non_exhaustive()
    }
}

impl<N: Node> Simulation<N> {
    /// A simulation of `nodes`, node `i` having id `NodeId(i)`.
    pub fn new(config: SimConfig, nodes: Vec<N>) -> Result<Simulation<N>, SimError> {
        let n = nodes.len();
        if n >= BROADCAST as usize {
            return Err(SimError::TooManyNodes(n));
        }
        config.link.validate()?;
        let regions = match &config.geo {
            None => Vec::new(),
            Some(geo) => {
                geo.validate()?;
                let r = geo.regions();
                match geo.placement() {
                    Placement::RoundRobin => (0..n).map(|i| (i % r) as RegionId).collect(),
                    Placement::Random => {
                        let mut rng = SimRng::stream(config.seed, Stream::Placement);
                        (0..n).map(|_| rng.below(r as u64) as RegionId).collect()
                    }
                    Placement::Explicit(list) => {
                        if list.len() < n {
                            return Err(SimError::PlacementTooShort {
                                given: list.len(),
                                nodes: n,
                            });
                        }
                        if let Some(&bad) = list.iter().find(|&&g| usize::from(g) >= r) {
                            return Err(SimError::UnknownRegion {
                                region: bad,
                                regions: r,
                            });
                        }
                        list.iter().take(n).copied().collect()
                    }
                }
            }
        };
        let overlay = match config.broadcast {
            BroadcastMode::Gossip { fanout } => {
                let mut rng = SimRng::stream(config.seed, Stream::Topology);
                Overlay::build(n, fanout, &mut rng)
            }
            BroadcastMode::Direct => Overlay::default(),
        };
        let meta = Meta {
            up: true,
            side: 0,
            timer: None,
            generation: 0,
            uplink_free_us: 0,
            uplink: config.uplink,
        };
        Ok(Simulation {
            now: Time::ZERO,
            started: false,
            wakes: (0, Time::ZERO, 0),
            meta: vec![meta; n],
            nodes,
            regions,
            overrides: HashMap::new(),
            overlay,
            queue: EventQueue::new(),
            flights: Vec::new(),
            free_flights: Vec::new(),
            spare_sets: Vec::new(),
            latency_rng: SimRng::stream(config.seed, Stream::Latency),
            loss_rng: SimRng::stream(config.seed, Stream::Loss),
            rules: Vec::new(),
            faults: Vec::new(),
            partitioned: false,
            factory: None,
            observer: None,
            events: Vec::new(),
            audit: AuditSink::new(config.seed),
            metrics: Metrics::new(n),
            next_number: 0,
            config,
        })
    }

    // ----- configuration -------------------------------------------------

    /// The factory that builds a node again for [`Restart::Fresh`].
    pub fn set_factory(&mut self, factory: impl FnMut(NodeId, Time) -> N + 'static) {
        self.factory = Some(Box::new(factory));
    }

    /// Call `observer` for every message handed to a running node, before
    /// the node sees it. For tests and tracing; it cannot change anything.
    pub fn on_delivery(&mut self, observer: impl FnMut(&Delivery<'_, N::Message>) + 'static) {
        self.observer = Some(Box::new(observer));
    }

    /// Use `link` from `from` to `to` (one direction), whatever the default
    /// or geographic model says.
    pub fn set_link(&mut self, from: NodeId, to: NodeId, link: LinkModel) -> Result<(), SimError> {
        self.check(from)?;
        self.check(to)?;
        link.validate()?;
        self.overrides.insert((from.0, to.0), link);
        Ok(())
    }

    /// Use `link` between `a` and `b`, both directions.
    pub fn set_link_pair(&mut self, a: NodeId, b: NodeId, link: LinkModel) -> Result<(), SimError> {
        self.set_link(a, b, link)?;
        self.set_link(b, a, link)
    }

    /// Limit the node's uplink (`None`: unlimited); see
    /// [`SimConfig::uplink`].
    pub fn set_uplink(&mut self, node: NodeId, uplink: Option<Bandwidth>) -> Result<(), SimError> {
        self.check(node)?;
        if let Some(m) = self.meta.get_mut(node.index()) {
            m.uplink = uplink;
        }
        Ok(())
    }

    /// Apply `fault` at time `at` (not before now). Node ids are checked
    /// here, and a [`Restart::Fresh`] needs the factory set already.
    pub fn schedule(&mut self, at: Time, fault: Fault) -> Result<(), SimError> {
        if at < self.now {
            return Err(SimError::InThePast { at, now: self.now });
        }
        match &fault {
            Fault::Crash(id) | Fault::Restart(id, Restart::Resume) => self.check(*id)?,
            Fault::Restart(id, Restart::Fresh) => {
                self.check(*id)?;
                if self.factory.is_none() {
                    return Err(SimError::NoFactory(*id));
                }
            }
            Fault::Partition(sides) => {
                for id in sides.iter().flatten() {
                    self.check(*id)?;
                }
            }
            Fault::Heal => {}
        }
        let index = u32::try_from(self.faults.len()).unwrap_or(u32::MAX);
        self.faults.push(Some(fault));
        self.queue.push(at.as_millis(), Ev::Fault { index });
        Ok(())
    }

    /// Drop or delay ([`Action`]) the copies sent in `start..end` for
    /// which `matches` returns true. Rules are checked in the order they
    /// were added and the first match applies; a copy is checked when it is
    /// put on the wire (each hop of a gossip broadcast is a copy). Checking
    /// costs nothing while no rule is installed.
    pub fn add_rule(
        &mut self,
        start: Time,
        end: Time,
        action: Action,
        matches: impl FnMut(&Envelope<'_, N::Message>) -> bool + 'static,
    ) {
        self.rules.push(Rule {
            start,
            end,
            action,
            matches: Box::new(matches),
        });
    }

    /// Measure a cross-node latency; see [`Probe`].
    pub fn add_probe(&mut self, probe: Probe) {
        let n = self.nodes.len();
        self.metrics.add_probe(probe, n);
    }

    // ----- inspection ----------------------------------------------------

    /// The run's configuration.
    #[must_use]
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// Current virtual time.
    #[must_use]
    pub fn now(&self) -> Time {
        self.now
    }

    /// Number of nodes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there are no nodes.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The node with id `id`.
    #[must_use]
    pub fn node(&self, id: NodeId) -> Option<&N> {
        self.nodes.get(id.index())
    }

    /// All nodes, by id.
    #[must_use]
    pub fn nodes(&self) -> &[N] {
        &self.nodes
    }

    /// Whether the node is running (not crashed).
    #[must_use]
    pub fn is_up(&self, id: NodeId) -> bool {
        self.meta.get(id.index()).is_some_and(|m| m.up)
    }

    /// The node's region in the geographic model, if there is one.
    #[must_use]
    pub fn region(&self, id: NodeId) -> Option<RegionId> {
        self.regions.get(id.index()).copied()
    }

    /// The node's gossip overlay neighbours (empty in direct mode).
    #[must_use]
    pub fn overlay_neighbours(&self, id: NodeId) -> Vec<NodeId> {
        self.overlay
            .neighbours(id.0)
            .iter()
            .map(|&p| NodeId(p))
            .collect()
    }

    /// Events queued (including timer events that have been superseded).
    #[must_use]
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// The audit hash of everything sent, delivered, reported and applied
    /// so far.
    #[must_use]
    pub fn audit_hash(&self) -> AuditHash {
        self.audit.hash()
    }

    /// Records in the audit log so far.
    #[must_use]
    pub fn audit_records(&self) -> u64 {
        self.audit.records()
    }

    /// The run's measurements.
    #[must_use]
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// A report of the run so far: tables, CSV, JSON.
    #[must_use]
    pub fn report(&self) -> Report {
        Report::new(
            self.config.seed,
            self.now,
            self.nodes.len(),
            &self.metrics,
            self.audit_hash(),
        )
    }

    /// The events reported so far, when [`SimConfig::keep_events`] is set;
    /// the log starts again empty.
    pub fn take_events(&mut self) -> Vec<Recorded<N::Event>> {
        core::mem::take(&mut self.events)
    }

    /// Bytes the simulator holds besides the nodes' own heap: per-node
    /// tables, overlay, queue and in-flight messages (their `size_of`, not
    /// any heap they point to).
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        self.nodes.capacity() * core::mem::size_of::<N>()
            + self.meta.capacity() * core::mem::size_of::<Meta>()
            + self.metrics.nodes.capacity() * core::mem::size_of::<crate::metrics::NodeCounters>()
            + self.regions.capacity() * core::mem::size_of::<RegionId>()
            + self.overlay.heap_bytes()
            + self.queue.heap_bytes()
            + self.flights.capacity() * core::mem::size_of::<Option<Flight<N::Message>>>()
            + self.free_flights.capacity() * 4
    }

    // ----- driving -------------------------------------------------------

    /// Call into a running node (a command such as `propose`), then carry
    /// out what it outputs.
    pub fn with_node<R>(
        &mut self,
        id: NodeId,
        f: impl FnOnce(&mut N, Time) -> R,
    ) -> Result<R, SimError> {
        self.check(id)?;
        self.start();
        if !self.is_up(id) {
            return Err(SimError::NodeDown(id));
        }
        let now = self.now;
        let node = self
            .nodes
            .get_mut(id.index())
            .ok_or(SimError::UnknownNode {
                node: id,
                nodes: self.meta.len(),
            })?;
        let r = f(node, now);
        self.drain(id.0);
        Ok(r)
    }

    /// Process the next event, if any; its time.
    pub fn step(&mut self) -> Option<Time> {
        let clock = Instant::now();
        self.start();
        let t = self.queue.pop().map(|(t, ev)| {
            self.now = Time::from_millis(t);
            self.dispatch(ev);
            self.now
        });
        self.metrics.wall_nanos += clock.elapsed().as_nanos();
        t
    }

    /// Process every event up to and including time `end`, then set the
    /// clock to `end`. Returns the number of events processed.
    pub fn run_until(&mut self, end: Time) -> u64 {
        let clock = Instant::now();
        self.start();
        let before = self.metrics.events;
        while let Some((t, ev)) = self.queue.pop_until(end.as_millis()) {
            self.now = Time::from_millis(t);
            self.dispatch(ev);
        }
        self.now = self.now.max(end);
        self.metrics.wall_nanos += clock.elapsed().as_nanos();
        self.metrics.events - before
    }

    /// [`run_until`](Simulation::run_until) `now + ms`.
    pub fn run_for(&mut self, ms: u64) -> u64 {
        self.run_until(self.now + ms)
    }

    /// Process events until none is left or the next one is after `limit`;
    /// the clock stays at the last event processed. Returns the number of
    /// events processed.
    pub fn run_until_quiet(&mut self, limit: Time) -> u64 {
        let clock = Instant::now();
        self.start();
        let before = self.metrics.events;
        while let Some((t, ev)) = self.queue.pop_until(limit.as_millis()) {
            self.now = Time::from_millis(t);
            self.dispatch(ev);
        }
        self.metrics.wall_nanos += clock.elapsed().as_nanos();
        self.metrics.events - before
    }

    // ----- internals -----------------------------------------------------

    fn check(&self, id: NodeId) -> Result<(), SimError> {
        if id.index() < self.nodes.len() {
            Ok(())
        } else {
            Err(SimError::UnknownNode {
                node: id,
                nodes: self.nodes.len(),
            })
        }
    }

    fn start(&mut self) {
        if self.started {
            return;
        }
        self.started = true;
        for i in 0..self.nodes.len() {
            self.drain(i as u32);
        }
    }

    fn dispatch(&mut self, ev: Ev<N::Message>) {
        match ev {
            Ev::Unicast {
                to,
                from,
                len,
                number,
                sent,
                msg,
            } => self.deliver_unicast(to, from, len, number, sent, msg),
            Ev::Shared { to, relay, flight } => self.deliver_shared(to, relay, flight),
            Ev::Timer { node, generation } => {
                let Some(m) = self.meta.get_mut(node as usize) else {
                    return;
                };
                if !m.up || m.generation != generation || m.timer.is_none() {
                    return; // superseded, or the node is down
                }
                m.timer = None;
                let now = self.now;
                let (last, at, count) = self.wakes;
                let count = if last == node && at == now {
                    count.saturating_add(1)
                } else {
                    1
                };
                self.wakes = (node, now, count);
                if count > SPIN_LIMIT {
                    *self.metrics.busy_timers.entry(NodeId(node)).or_insert(0) += 1;
                    return; // not re-armed: the node asked to be woken here
                }
                self.metrics.timers += 1;
                self.metrics.events += 1;
                let now = self.now;
                if let Some(n) = self.nodes.get_mut(node as usize) {
                    n.handle_timeout(now);
                }
                self.drain(node);
            }
            Ev::Fault { index } => {
                let fault = self.faults.get_mut(index as usize).and_then(Option::take);
                if let Some(fault) = fault {
                    self.metrics.faults += 1;
                    self.metrics.events += 1;
                    self.apply(fault);
                }
            }
        }
    }

    /// Carry out everything the node has to say, then re-read its timer.
    fn drain(&mut self, node: u32) {
        loop {
            let Some(out) = self.nodes.get_mut(node as usize).and_then(N::poll_output) else {
                break;
            };
            match out {
                Output::Send { to, msg } => self.send(node, to.0, msg),
                Output::Broadcast(msg) => self.broadcast(node, msg),
                Output::Event(ev) => self.report_event(node, ev),
            }
        }
        let deadline = self.nodes.get(node as usize).and_then(N::poll_timeout);
        let now = self.now;
        let Some(m) = self.meta.get_mut(node as usize) else {
            return;
        };
        match deadline {
            None => m.timer = None,
            Some(t) if m.timer == Some(t) => {}
            Some(t) => {
                m.generation = m.generation.wrapping_add(1);
                m.timer = Some(t);
                let generation = m.generation;
                self.queue
                    .push(t.max(now).as_millis(), Ev::Timer { node, generation });
            }
        }
    }

    fn report_event(&mut self, node: u32, ev: N::Event) {
        let label = ev.label();
        let instance = ev.instance();
        let now = self.now;
        self.audit.record(TAG_EVENT, now.as_millis());
        self.audit.write_u32(node);
        self.audit.write_u64(label.len() as u64);
        self.audit.write(label.as_bytes());
        match instance {
            Some(i) => {
                self.audit.write_u8(1);
                self.audit.write_u64(i);
            }
            None => self.audit.write_u8(0),
        }
        ev.audit(&mut self.audit);
        let n = self.nodes.len();
        self.metrics.on_event(now, node, label, instance, n);
        if self.config.keep_events {
            self.events.push(Recorded {
                time: now,
                node: NodeId(node),
                event: ev,
            });
        }
    }
}
