//! The host of one process: a tokio event loop that feeds the Sans-IO
//! `PspNode` (beacon inside) with gossip and direct messages and its
//! timers on a monotonic clock, and carries its outputs to the network.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use dfn_beacon::{BeaconEvent, ProcessId};
use dfn_crypto::Time;
use dfn_psp::{Block, BlockHash, ChainEvent, Output, PspMessage, PspNode};
use libp2p::futures::StreamExt;
use libp2p::gossipsub::{self, IdentTopic};
use libp2p::request_response;
use libp2p::swarm::SwarmEvent;
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::{Multiaddr, PeerId, Swarm};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sha2::{Digest, Sha256};

use crate::error::NodeError;
use crate::genesis::V;
use crate::log::{Log, Stats};
use crate::network::{Keys, Network};
use crate::p2p::{Behaviour, BehaviourEvent, broadcast_topic, build_swarm, group_topic};

/// How `node run` runs.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Where to listen (default: this process's genesis address).
    pub listen: Option<Multiaddr>,
    /// Addresses that replace the genesis ones, by peer id.
    pub peers: Vec<(PeerId, Multiaddr)>,
    /// Start the chain once every other process is reachable, or after
    /// this long, whichever comes first.
    pub start_wait: Duration,
    /// How often the `stats` line is printed.
    pub stats_every: Duration,
    /// Exit after this long (a bound for scripted runs).
    pub exit_after: Option<Duration>,
    /// Log every message the state machine rejects.
    pub verbose: bool,
}

/// How often unreachable peers are dialled again.
const REDIAL_EVERY: Duration = Duration::from_millis(1_000);

/// The state root a payload commits to: `SHA-256("DFN-NODE-STATE-V1" ‖
/// parent ‖ payload)`. The node's "execution" is this hash, so every
/// process can check a block's payload without shared state.
fn state_root(parent: &BlockHash, payload: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"DFN-NODE-STATE-V1");
    h.update(parent.0);
    h.update(payload);
    h.finalize().into()
}

/// What a direct message is, for the log: `request from=H count=N` or
/// `response height=H items=N`.
fn describe(message: &PspMessage<V>) -> String {
    match message {
        PspMessage::Request(r) => {
            format!("kind=catch-up-request from={} count={}", r.from, r.count)
        }
        PspMessage::Response(r) => {
            format!(
                "kind=catch-up-response height={} items={}",
                r.height,
                r.items.len()
            )
        }
        _ => "kind=other".into(),
    }
}

/// A payload is valid if its state root is the one it commits to.
fn payload_valid(block: &Block<V>) -> bool {
    block.state_root() == state_root(&block.parent(), block.payload())
}

struct Host {
    node: PspNode<V>,
    swarm: Swarm<Behaviour>,
    network: Network,
    index: usize,
    broadcast: IdentTopic,
    origin: Instant,
    log: Log,
    stats: Stats,
    started: bool,
    start_by: Instant,
    next_redial: Instant,
    next_stats: Instant,
    stats_every: Duration,
    stop_at: Option<Instant>,
    verbose: bool,
    /// Peers with an open connection.
    connected: BTreeSet<PeerId>,
    /// Peers subscribed to the broadcast topic.
    subscribed: BTreeSet<PeerId>,
}

/// Runs process `keys.index` of `network` until `exit_after` (or forever).
pub async fn run(network: Network, keys: Keys, options: RunOptions) -> Result<(), NodeError> {
    let index = keys.index;
    let me = network
        .peers
        .get(index)
        .cloned()
        .ok_or_else(|| NodeError::Key(format!("no process {index}")))?;
    let origin = Instant::now();
    let log = Log::new(index, origin);

    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| NodeError::Entropy(e.to_string()))?;
    let mut rng = ChaCha20Rng::from_seed(seed);
    let mut node = PspNode::new(
        network.config,
        keys.identity,
        network.processes.clone(),
        &mut rng,
    )?;
    node.install_groups(Time::ZERO, 1, network.groups.clone());
    let groups: Vec<u64> = keys.shares.keys().map(|g| g.0).collect();
    for (group, share) in keys.shares {
        node.add_group_share(group, share);
    }

    let mut swarm = build_swarm(keys.p2p)?;
    let broadcast = broadcast_topic(&network.tag);
    let gossip = &mut swarm.behaviour_mut().gossip;
    let mut topics = vec![broadcast.clone()];
    topics.extend(groups.iter().map(|g| group_topic(&network.tag, *g)));
    for topic in &topics {
        gossip
            .subscribe(topic)
            .map_err(|e| NodeError::Network(format!("subscribe {topic}: {e}")))?;
    }
    let listen = options.listen.clone().unwrap_or_else(|| me.addr.clone());
    swarm
        .listen_on(listen.clone())
        .map_err(|e| NodeError::Network(format!("listen on {listen}: {e}")))?;

    let mut network = network;
    for (peer, addr) in &options.peers {
        match network.peers.iter_mut().find(|p| &p.peer == peer) {
            Some(p) => p.addr = addr.clone(),
            None => {
                return Err(NodeError::Usage(format!(
                    "--peer {peer} is not in the genesis"
                )));
            }
        }
    }
    let groups_text = groups
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    log.line(
        "boot",
        &[
            ("id", &me.id),
            ("peer", &me.peer),
            ("groups", &groups_text),
            ("chain", &network.tag),
        ],
    );

    let now = Instant::now();
    let mut host = Host {
        node,
        swarm,
        network,
        index,
        broadcast,
        origin,
        log,
        stats: Stats::default(),
        started: false,
        start_by: now + options.start_wait,
        next_redial: now,
        next_stats: now + options.stats_every,
        stats_every: options.stats_every,
        stop_at: options.exit_after.map(|d| now + d),
        verbose: options.verbose,
        connected: BTreeSet::new(),
        subscribed: BTreeSet::new(),
    };
    host.event_loop().await;
    Ok(())
}

impl Host {
    /// The monotonic clock the state machine runs on (ms since start).
    fn now(&self) -> Time {
        Time::from_millis(u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    fn instant(&self, t: Time) -> Instant {
        self.origin + Duration::from_millis(t.as_millis())
    }

    async fn event_loop(&mut self) {
        loop {
            let wake = self.wake_at();
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm(event),
                () = tokio::time::sleep_until(wake.into()) => self.on_timer(),
            }
            self.pump();
            if self.stop_at.is_some_and(|at| Instant::now() >= at) {
                self.log.line("exit", &[("height", &self.node.height())]);
                return;
            }
        }
    }

    /// The earliest timer: the state machine's, the start, redial, stats,
    /// the exit.
    fn wake_at(&self) -> Instant {
        let node = self
            .started
            .then(|| self.node.poll_timeout())
            .flatten()
            .map(|t| self.instant(t));
        let start = (!self.started).then_some(self.start_by);
        [
            node,
            start,
            Some(self.next_redial),
            Some(self.next_stats),
            self.stop_at,
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(self.next_stats)
    }

    fn on_timer(&mut self) {
        let instant = Instant::now();
        if !self.started && instant >= self.start_by {
            self.start();
        }
        if self.started {
            let now = self.now();
            if self.node.poll_timeout().is_some_and(|t| t <= now) {
                self.node.handle_timeout(now);
            }
        }
        if instant >= self.next_redial {
            self.next_redial = instant + REDIAL_EVERY;
            self.redial();
        }
        if instant >= self.next_stats {
            self.next_stats = instant + self.stats_every;
            self.log.stats(
                &self.stats,
                self.node.height(),
                self.node.finalized_height(),
                self.connected.len(),
            );
        }
    }

    fn start(&mut self) {
        self.started = true;
        let now = self.now();
        self.log.line("start", &[("peers", &self.subscribed.len())]);
        self.node.start(now);
    }

    /// Dials every other process that has no open connection.
    fn redial(&mut self) {
        let targets: Vec<(PeerId, Multiaddr)> = self
            .network
            .peers
            .iter()
            .filter(|p| p.index != self.index && !self.connected.contains(&p.peer))
            .map(|p| (p.peer, p.addr.clone()))
            .collect();
        for (peer, addr) in targets {
            let opts = DialOpts::peer_id(peer)
                .addresses(vec![addr])
                .condition(PeerCondition::DisconnectedAndNotDialing)
                .build();
            if self.swarm.dial(opts).is_err() {
                self.stats.dial_failed += 1;
            }
        }
    }

    fn on_swarm(&mut self, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::Behaviour(BehaviourEvent::Gossip(e)) => self.on_gossip(e),
            SwarmEvent::Behaviour(BehaviourEvent::Direct(e)) => self.on_direct(e),
            SwarmEvent::NewListenAddr { address, .. } => {
                self.log.line("listening", &[("addr", &address)]);
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                num_established,
                ..
            } => {
                self.connected.insert(peer_id);
                if num_established.get() == 1 {
                    self.log_peer("peer-up", &peer_id);
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established: 0,
                ..
            } => {
                self.connected.remove(&peer_id);
                self.subscribed.remove(&peer_id);
                self.log_peer("peer-down", &peer_id);
            }
            SwarmEvent::OutgoingConnectionError { .. } => self.stats.dial_failed += 1,
            _ => {}
        }
    }

    fn log_peer(&self, event: &str, peer: &PeerId) {
        match self.network.by_peer(peer) {
            Some(p) => self.log.line(event, &[("peer", &p.index)]),
            None => self.log.line(event, &[("peer", peer)]),
        }
    }

    fn on_gossip(&mut self, event: gossipsub::Event) {
        match event {
            gossipsub::Event::Message { message, .. } => {
                self.stats.gossip_in += 1;
                // Signed gossip: the source is the authenticated author.
                let from = message
                    .source
                    .and_then(|p| self.network.by_peer(&p))
                    .map(|p| p.id);
                let Some(from) = from else {
                    self.stats.unknown_sender += 1;
                    return;
                };
                match PspMessage::<V>::from_bytes(&message.data) {
                    Ok(
                        m @ (PspMessage::Beacon(_)
                        | PspMessage::Block(_)
                        | PspMessage::Share(_)
                        | PspMessage::Notarization(_)),
                    ) => {
                        // (Ignored by the state machine until it starts.)
                        let now = self.now();
                        self.node.handle_message(now, Some(from), m);
                    }
                    Ok(_) => self.stats.misrouted += 1,
                    Err(_) => self.stats.decode_errors += 1,
                }
            }
            gossipsub::Event::Subscribed { peer_id, topic } if topic == self.broadcast.hash() => {
                self.subscribed.insert(peer_id);
                let others = self.network.peers.len().saturating_sub(1);
                if !self.started && self.subscribed.len() >= others {
                    self.start();
                }
            }
            gossipsub::Event::Unsubscribed { peer_id, topic } if topic == self.broadcast.hash() => {
                self.subscribed.remove(&peer_id);
            }
            _ => {}
        }
    }

    fn on_direct(&mut self, event: request_response::Event<Vec<u8>, ()>) {
        match event {
            request_response::Event::Message {
                peer,
                message:
                    request_response::Message::Request {
                        request, channel, ..
                    },
                ..
            } => {
                self.stats.direct_in += 1;
                // Acknowledge at once; the answer (if any) travels as a
                // request of its own.
                let _ = self.swarm.behaviour_mut().direct.send_response(channel, ());
                let Some(from) = self.network.by_peer(&peer).map(|p| p.id) else {
                    self.stats.unknown_sender += 1;
                    return;
                };
                match PspMessage::<V>::from_bytes(&request) {
                    Ok(m @ (PspMessage::Request(_) | PspMessage::Response(_))) => {
                        if let Some(p) = self.network.by_peer(&peer) {
                            self.log
                                .line("direct-in", &[("peer", &p.index), ("what", &describe(&m))]);
                        }
                        let now = self.now();
                        self.node.handle_message(now, Some(from), m);
                    }
                    Ok(_) => self.stats.misrouted += 1,
                    Err(_) => self.stats.decode_errors += 1,
                }
            }
            request_response::Event::OutboundFailure { .. } => self.stats.send_failed += 1,
            _ => {}
        }
    }

    /// Carries out everything the state machine asked for.
    fn pump(&mut self) {
        while let Some(output) = self.node.poll_output() {
            match output {
                Output::ToGroup { group, message } => {
                    let topic = group_topic(&self.network.tag, group.0);
                    self.publish(topic, &message);
                }
                Output::Broadcast(message) => {
                    let topic = self.broadcast.clone();
                    self.publish(topic, &message);
                }
                Output::Send { to, message } => self.send(&to, &message),
                Output::RequestPayload { height, parent } => {
                    let payload =
                        format!("dfn-node block height={height} maker={}", self.index).into_bytes();
                    let root = state_root(&parent, &payload);
                    let now = self.now();
                    self.node
                        .provide_payload(now, height, parent, payload, root);
                }
                Output::ValidatePayload(block) => {
                    let now = self.now();
                    self.node
                        .payload_checked(now, block.hash(), payload_valid(&block));
                }
                Output::Event(event) => self.report(event),
                _ => {}
            }
        }
    }

    fn publish(&mut self, topic: IdentTopic, message: &PspMessage<V>) {
        let gossip = &mut self.swarm.behaviour_mut().gossip;
        match gossip.publish(topic, message.to_bytes()) {
            Ok(_) => self.stats.published += 1,
            // No peer subscribed yet, or too large: the state machine's
            // stall timers send its part again.
            Err(_) => self.stats.publish_failed += 1,
        }
    }

    fn send(&mut self, to: &ProcessId, message: &PspMessage<V>) {
        let Some(peer) = self.network.by_id(to).cloned() else {
            self.stats.send_failed += 1;
            return;
        };
        self.swarm
            .behaviour_mut()
            .direct
            .send_request_with_addresses(&peer.peer, message.to_bytes(), vec![peer.addr]);
        self.stats.sent += 1;
        self.log.line(
            "direct-out",
            &[("peer", &peer.index), ("what", &describe(message))],
        );
    }

    fn maker_index(&self, block: &Block<V>) -> String {
        self.network
            .by_id(&block.maker())
            .map_or_else(|| block.maker().to_string(), |p| p.index.to_string())
    }

    fn report(&mut self, event: ChainEvent<V>) {
        match event {
            ChainEvent::Height {
                height,
                block_time_ms,
            } => self
                .log
                .line("height", &[("height", &height), ("bt_ms", &block_time_ms)]),
            ChainEvent::Beacon(BeaconEvent::Value(v)) => self.log.line(
                "beacon",
                &[
                    ("height", &v.height),
                    ("group", &v.group.0),
                    ("value", &hex::encode(v.randomness)),
                ],
            ),
            ChainEvent::Beacon(BeaconEvent::Stalled { height, .. }) => {
                self.log.line("beacon-stalled", &[("height", &height)]);
            }
            ChainEvent::Notarized(b) => self.log.line(
                "notarized",
                &[
                    ("height", &b.height()),
                    ("hash", &hex::encode(b.hash().0)),
                    ("slot", &b.slot()),
                    ("maker", &self.maker_index(&b)),
                ],
            ),
            ChainEvent::Finalized(b) => self.log.line(
                "finalized",
                &[
                    ("height", &b.height()),
                    ("hash", &hex::encode(b.hash().0)),
                    ("maker", &self.maker_index(&b)),
                ],
            ),
            ChainEvent::FinalityAlarm(c) => self.log.line(
                "alarm",
                &[
                    ("height", &c.height),
                    ("finalized", &hex::encode(c.finalized.0)),
                    ("other", &hex::encode(c.other.0)),
                ],
            ),
            ChainEvent::Stalled { height } => self.log.line("stalled", &[("height", &height)]),
            ChainEvent::Refetch { height, from } => {
                let peer = self
                    .network
                    .by_id(&from)
                    .map_or_else(|| from.to_string(), |p| p.index.to_string());
                self.log
                    .line("repair", &[("height", &height), ("peer", &peer)]);
            }
            ChainEvent::Evidence(_) => self.log.line("evidence", &[]),
            ChainEvent::Rejected { height, reason } => {
                self.stats.rejected += 1;
                if self.verbose {
                    self.log.line(
                        "rejected",
                        &[("height", &height), ("reason", &format!("{reason:?}"))],
                    );
                }
            }
            ChainEvent::Beacon(BeaconEvent::Rejected { height, reason }) => {
                self.stats.rejected += 1;
                if self.verbose {
                    self.log.line(
                        "beacon-rejected",
                        &[("height", &height), ("reason", &format!("{reason:?}"))],
                    );
                }
            }
            _ => {}
        }
    }
}
