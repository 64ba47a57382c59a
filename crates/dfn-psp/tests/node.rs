//! One small network driven by hand (instant delivery, explicit time): the
//! rules a single node must keep, observed at its outputs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use dfn_beacon::{GroupId, GroupMember, GroupSet, ProcessId, deal_group};
use dfn_crypto::threshold::SecretKeyShare;
use dfn_crypto::{MinSig, SecretKey, Time};
use dfn_psp::{
    Block, BlockHash, ChainEvent, ConfigError, Evidence, Output, Processes, Proposal, PspConfig,
    PspMessage, PspNode, Rejection,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

type V = MinSig;

/// How the hosts answer payload checks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Judge {
    /// Valid at once.
    Accept,
    /// Held until the test answers.
    Hold,
    /// Payloads starting with 0xFF are invalid.
    RejectMarked,
}

struct Net {
    nodes: Vec<PspNode<V>>,
    keys: Vec<SecretKey<V>>,
    ids: Vec<ProcessId>,
    now: Time,
    queue: VecDeque<(usize, Option<ProcessId>, PspMessage<V>)>,
    judge: Judge,
    held: Vec<(usize, Arc<Block<V>>)>,
    requests: Vec<(usize, u64, BlockHash)>,
    /// Answer payload requests automatically.
    auto_payload: bool,
    events: Vec<(usize, ChainEvent<V>)>,
    /// Blocks sent, by maker.
    makers: BTreeMap<BlockHash, ProcessId>,
    /// Shares sent on blocks the sender did not make itself (a maker's own
    /// payload comes from its own host and needs no other judgment).
    shares_sent: usize,
    /// The process that is down: nothing reaches it, it does nothing.
    down: Option<usize>,
    /// The last block broadcast, with its sender.
    last_block: Option<(usize, Arc<Block<V>>)>,
    /// What a process restarted from nothing is built from again.
    config: PspConfig,
    processes: Arc<Processes<V>>,
    groups: Arc<GroupSet<V>>,
    shares: Vec<SecretKeyShare<V>>,
}

impl Net {
    /// `n` processes, one group of all of them with threshold `t`.
    fn new(n: usize, t: u32) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(n as u64);
        let keys: Vec<SecretKey<V>> = (0..n).map(|_| SecretKey::random(&mut rng)).collect();
        let members: Vec<GroupMember<V>> = keys
            .iter()
            .map(|k| GroupMember {
                id: ProcessId::of(&k.public_key()),
                key: k.public_key(),
            })
            .collect();
        let (group, shares) = deal_group(GroupId(0), members.clone(), t, &mut rng).unwrap();
        let set = Arc::new(GroupSet::new(vec![Arc::new(group)]).unwrap());
        let processes = Arc::new(Processes::new(members.clone()));
        let mut config = PspConfig::new([5; 32]);
        config.block_time_ms = 1_000;
        config.slot_ms = 500;
        config.delta_ms = 400;
        let mut net = Net {
            nodes: Vec::new(),
            ids: members.iter().map(|m| m.id).collect(),
            keys,
            now: Time::ZERO,
            queue: VecDeque::new(),
            judge: Judge::Accept,
            held: Vec::new(),
            requests: Vec::new(),
            auto_payload: true,
            events: Vec::new(),
            makers: BTreeMap::new(),
            shares_sent: 0,
            down: None,
            last_block: None,
            config,
            processes,
            groups: set,
            shares,
        };
        net.nodes = (0..n).map(|i| net.build(i)).collect();
        net
    }

    /// Process `i` as it is at genesis: its keys, the groups, nothing else.
    fn build(&self, i: usize) -> PspNode<V> {
        let mut rng = ChaCha20Rng::seed_from_u64(1_000 + i as u64);
        let mut node = PspNode::new(
            self.config,
            self.keys[i].clone(),
            Arc::clone(&self.processes),
            &mut rng,
        )
        .unwrap();
        node.install_groups(Time::ZERO, 1, Arc::clone(&self.groups));
        node.add_group_share(GroupId(0), self.shares[i].clone());
        node
    }

    fn start(&mut self) {
        for n in &mut self.nodes {
            n.start(Time::ZERO);
        }
        self.settle();
    }

    fn index(&self, id: &ProcessId) -> usize {
        self.ids.iter().position(|i| i == id).unwrap()
    }

    /// Drains outputs and delivers messages until nothing moves.
    fn settle(&mut self) {
        loop {
            let mut moved = false;
            for i in 0..self.nodes.len() {
                while let Some(o) = self.nodes[i].poll_output() {
                    moved = true;
                    self.route(i, o);
                }
            }
            while let Some((to, from, m)) = self.queue.pop_front() {
                moved = true;
                if self.down != Some(to) {
                    self.nodes[to].handle_message(self.now, from, m);
                }
            }
            if !moved {
                return;
            }
        }
    }

    fn route(&mut self, i: usize, o: Output<V>) {
        let from = Some(self.ids[i]);
        match o {
            Output::ToGroup { message, .. } | Output::Broadcast(message) => {
                match &message {
                    PspMessage::Block(b) => {
                        self.makers.insert(b.hash(), b.maker());
                        self.last_block = Some((i, Arc::clone(b)));
                    }
                    PspMessage::Share(s) if self.makers.get(&s.block) != from.as_ref() => {
                        self.shares_sent += 1;
                    }
                    _ => {}
                }
                for to in 0..self.nodes.len() {
                    if to != i {
                        self.queue.push_back((to, from, message.clone()));
                    }
                }
            }
            Output::Send { to, message } => {
                let to = self.index(&to);
                self.queue.push_back((to, from, message));
            }
            Output::RequestPayload { height, parent } => {
                self.requests.push((i, height, parent));
                if self.auto_payload {
                    let payload = format!("from {i}").into_bytes();
                    self.nodes[i].provide_payload(self.now, height, parent, payload, [0; 32]);
                }
            }
            Output::ValidatePayload(block) => match self.judge {
                Judge::Accept => self.nodes[i].payload_checked(self.now, block.hash(), true),
                Judge::Hold => self.held.push((i, block)),
                Judge::RejectMarked => {
                    let ok = block.payload().first() != Some(&0xFF);
                    self.nodes[i].payload_checked(self.now, block.hash(), ok);
                }
            },
            Output::Event(e) => self.events.push((i, e)),
            _ => {}
        }
    }

    /// Advances time to `until`, firing timers on the way.
    fn run_until(&mut self, until: u64) {
        loop {
            let down = self.down;
            let up = |(i, _): &(usize, &PspNode<V>)| Some(*i) != down;
            let next = self
                .nodes
                .iter()
                .enumerate()
                .filter(up)
                .filter_map(|(_, n)| n.poll_timeout())
                .min();
            let Some(next) = next.filter(|t| t.as_millis() <= until) else {
                self.now = Time::from_millis(until);
                return;
            };
            self.now = next.max(self.now);
            for i in 0..self.nodes.len() {
                if Some(i) == self.down {
                    continue;
                }
                if self.nodes[i].poll_timeout().is_some_and(|t| t <= self.now) {
                    self.nodes[i].handle_timeout(self.now);
                }
            }
            self.settle();
        }
    }

    fn finalized(&self, node: usize) -> Vec<u64> {
        self.events
            .iter()
            .filter(|(i, _)| *i == node)
            .filter_map(|(_, e)| match e {
                ChainEvent::Finalized(b) => Some(b.height()),
                _ => None,
            })
            .collect()
    }
}

#[test]
fn a_small_network_finalizes_each_height_once_in_order() {
    let mut net = Net::new(5, 3);
    net.start();
    net.run_until(20_000);
    let reference = net.finalized(0);
    assert!(reference.len() >= 10, "{reference:?}");
    assert_eq!(reference, (1..=reference.len() as u64).collect::<Vec<_>>());
    for i in 1..5 {
        let f = net.finalized(i);
        let common = f.len().min(reference.len());
        assert!(common + 1 >= reference.len());
        assert_eq!(f[..common], reference[..common]);
    }
    // Every maker asked once per height at most.
    let mut asked = BTreeMap::new();
    for (i, h, _) in &net.requests {
        *asked.entry((*i, *h)).or_insert(0) += 1;
    }
    assert!(asked.values().all(|c| *c == 1));
}

#[test]
fn nothing_is_signed_before_the_payload_is_judged_valid() {
    let mut net = Net::new(4, 3);
    net.judge = Judge::Hold;
    net.start();
    net.run_until(5_000);
    assert!(!net.held.is_empty(), "no block was made");
    assert_eq!(net.shares_sent, 0, "a share was sent for an unjudged block");
    assert!(net.nodes.iter().all(|n| n.height() == 1));
    // The hosts judge: the height is notarized.
    for (i, block) in std::mem::take(&mut net.held) {
        net.nodes[i].payload_checked(net.now, block.hash(), true);
    }
    net.settle();
    net.run_until(5_100);
    assert!(net.shares_sent > 0);
    assert!(net.nodes.iter().all(|n| n.height() >= 2));
}

#[test]
fn an_invalid_payload_is_never_notarized() {
    let mut net = Net::new(4, 3);
    net.judge = Judge::RejectMarked;
    net.auto_payload = false;
    net.start();
    net.run_until(1_000);
    // Every maker of height 1 proposes a payload the hosts reject.
    let requests = std::mem::take(&mut net.requests);
    assert!(!requests.is_empty());
    for (i, h, parent) in requests {
        net.nodes[i].provide_payload(net.now, h, parent, vec![0xFF, 1], [0; 32]);
    }
    net.settle();
    net.run_until(10_000);
    assert!(
        net.nodes.iter().all(|n| n.height() == 1),
        "an invalid block was notarized"
    );
    assert!(net.events.iter().any(|(_, e)| matches!(
        e,
        ChainEvent::Rejected {
            reason: Rejection::InvalidPayload,
            ..
        }
    )));
}

#[test]
fn a_maker_proposes_once_per_height() {
    let mut net = Net::new(4, 3);
    net.auto_payload = false;
    net.start();
    net.run_until(1_000);
    let (i, h, parent) = net.requests[0];
    net.nodes[i].provide_payload(net.now, h, parent, b"one".to_vec(), [0; 32]);
    net.nodes[i].provide_payload(net.now, h, parent, b"two".to_vec(), [0; 32]);
    net.nodes[i].provide_payload(net.now, h + 1, parent, b"three".to_vec(), [0; 32]);
    let mut blocks = 0;
    let mut stale = 0;
    while let Some(o) = net.nodes[i].poll_output() {
        match o {
            Output::Broadcast(PspMessage::Block(_)) => blocks += 1,
            Output::Event(ChainEvent::Rejected {
                reason: Rejection::StalePayload,
                ..
            }) => stale += 1,
            _ => {}
        }
    }
    assert_eq!((blocks, stale), (1, 2));
}

#[test]
fn equivocation_is_evidence_and_both_blocks_are_signed_alike() {
    let mut net = Net::new(4, 3);
    net.auto_payload = false;
    net.start();
    net.run_until(1_000);
    // The slot-0 maker signs two blocks.
    let (i, h, parent) = *net
        .requests
        .iter()
        .find(|(i, _, _)| net.nodes[*i].slot_at(1) == Some(0))
        .unwrap();
    let make = |payload: &[u8]| {
        Arc::new(Block::sign(
            Proposal {
                height: h,
                parent,
                slot: 0,
                maker: net.ids[i],
                state_root: [0; 32],
                payload: payload.to_vec(),
            },
            &net.keys[i],
        ))
    };
    let (a, b) = (make(b"a"), make(b"b"));
    let observer = (i + 1) % 4;
    net.nodes[observer].handle_message(
        net.now,
        Some(net.ids[i]),
        PspMessage::Block(Arc::clone(&a)),
    );
    net.nodes[observer].handle_message(
        net.now,
        Some(net.ids[i]),
        PspMessage::Block(Arc::clone(&b)),
    );
    let mut evidence = None;
    let mut signed = Vec::new();
    while let Some(o) = net.nodes[observer].poll_output() {
        match o {
            Output::Event(ChainEvent::Evidence(e)) => evidence = Some(e),
            Output::ValidatePayload(block) => {
                net.nodes[observer].payload_checked(net.now, block.hash(), true)
            }
            Output::ToGroup {
                message: PspMessage::Share(s),
                ..
            } => signed.push(s.block),
            _ => {}
        }
    }
    while let Some(o) = net.nodes[observer].poll_output() {
        if let Output::ToGroup {
            message: PspMessage::Share(s),
            ..
        } = o
        {
            signed.push(s.block);
        }
    }
    let evidence = evidence.expect("no equivocation evidence");
    assert!(evidence.verify_equivocation(&net.keys[i].public_key()));
    assert!(!evidence.verify_equivocation(&net.keys[observer].public_key()));
    assert!(matches!(evidence, Evidence::Equivocation { .. }));
    signed.sort();
    let mut both = vec![a.hash(), b.hash()];
    both.sort();
    assert_eq!(signed, both, "the tied blocks are signed alike");
}

/// A process restarted from nothing hears of the current height first
/// from its block, far above its own height 1: the block is dropped (past
/// the buffer) and it catches up to the height below. It then recovers
/// that height's notarization from the group's shares, so no notarization
/// from a peer ever names a sender that has the block. The notarized block
/// must still be fetched, or every later block waits on it and finality
/// stops at this process.
#[test]
fn a_fresh_restart_fetches_the_block_it_dropped_while_catching_up() {
    let mut net = Net::new(5, 3);
    net.start();
    net.down = Some(4);
    net.run_until(8_000);
    // The hosts hold their verdicts, so the next block is out but no
    // notary has signed it.
    net.judge = Judge::Hold;
    let mut t = net.now.as_millis();
    while net.held.is_empty() {
        t += 10;
        assert!(t < 20_000, "no block was made");
        net.run_until(t);
    }
    let (maker, block) = net.last_block.clone().unwrap();
    let height = block.height();
    assert_eq!(net.nodes[0].height(), height);
    assert!(height > 6, "the restart must begin past the buffer");
    net.nodes[4] = net.build(4);
    net.down = None;
    net.nodes[4].start(net.now);
    net.nodes[4].handle_message(net.now, Some(net.ids[maker]), PspMessage::Block(block));
    net.settle();
    assert_eq!(
        net.nodes[4].height(),
        height,
        "it caught up to the live height"
    );
    // The verdicts come, the notaries sign.
    net.judge = Judge::Accept;
    for (i, block) in std::mem::take(&mut net.held) {
        net.nodes[i].payload_checked(net.now, block.hash(), true);
    }
    net.settle();
    net.run_until(16_000);
    let live = net.finalized(0).last().copied().unwrap();
    let restarted = net.finalized(4);
    let refetched: Vec<u64> = net
        .events
        .iter()
        .filter_map(|(i, e)| match e {
            ChainEvent::Refetch { height, .. } if *i == 4 => Some(*height),
            _ => None,
        })
        .collect();
    assert_eq!(refetched, [height], "the dropped block was fetched once");
    assert!(
        restarted.last().is_some_and(|h| *h + 1 >= live),
        "the restarted process finalized up to {:?}, the others {live}",
        restarted.last()
    );
}

#[test]
fn a_config_without_bt_over_two_delta_is_refused() {
    let mut config = PspConfig::new([0; 32]);
    config.delta_ms = config.block_time_ms / 2;
    let key = SecretKey::<V>::random(&mut ChaCha20Rng::seed_from_u64(1));
    let processes = Arc::new(Processes::new(Vec::new()));
    let err = PspNode::new(config, key, processes, &mut ChaCha20Rng::seed_from_u64(2)).unwrap_err();
    assert!(matches!(err, ConfigError::BlockTimeTooShort { .. }));
}
