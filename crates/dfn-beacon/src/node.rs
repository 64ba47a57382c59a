//! One process's beacon state machine (Sans-IO).

use alloc::collections::{BTreeMap, VecDeque};
use alloc::sync::Arc;
use alloc::vec::Vec;

use chacha20::ChaCha20Rng;
use dfn_crypto::threshold::SecretKeyShare;
use dfn_crypto::{MessageHash, SecretKey, Signature, Suite, Time, Variant};
use rand_core::{CryptoRng, SeedableRng};

use crate::event::{BeaconEvent, BeaconValue, Output, Rejection, ShareEvidence};
use crate::groups::{Group, GroupSet};
use crate::identity::ProcessId;
use crate::round;
use crate::share_set::{Admission, ShareSet};
use crate::verifier::{DirectVerifier, Verifier};
use crate::wire::{BeaconMessage, GroupId, ShareMessage, ValueMessage};

/// A beacon node's parameters; the same at every process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BeaconConfig {
    /// `σ⁰`: the value round 1 chains from.
    pub genesis_seed: [u8; 32],
    /// Messages for heights up to this far ahead of the current one are
    /// kept until their height comes; further ones are dropped.
    pub buffer_heights: u64,
    /// At most this many messages are kept for future heights in all.
    pub buffer_messages: usize,
    /// Without a new value for this long the node reports a stall and
    /// sends its share and the last value again (recovery from loss).
    pub stall_ms: u64,
    /// How many members of the signing group relay a value they recovered
    /// at once (a rotating choice: member `i` at height `h` when
    /// `(i − 1 + h) mod n < relayers`); the others relay it only if no
    /// copy reached them within `relay_backup_ms`. `0`: every member
    /// relays at once. Relaying is what carries the value to the processes
    /// outside the group; a few relayers spare the network `n` copies of
    /// it per round, the backup keeps it live if they fail. The other
    /// members also wait `relay_backup_ms` before recovering the value
    /// themselves (recovery is the costly step; the relayed copy usually
    /// comes first and needs one check).
    pub relayers: u32,
    /// See `relayers`.
    pub relay_backup_ms: u64,
}

impl BeaconConfig {
    /// Defaults: buffer 16 heights and 4,096 messages, stall after 10 s,
    /// every member relays.
    pub fn new(genesis_seed: [u8; 32]) -> Self {
        Self {
            genesis_seed,
            buffer_heights: 16,
            buffer_messages: 4_096,
            stall_ms: 10_000,
            relayers: 0,
            relay_backup_ms: 1_000,
        }
    }
}

/// The round in progress: who signs, what, and the shares so far.
struct Round<V: Variant> {
    group: Arc<Group<V>>,
    message: [u8; 32],
    hash: MessageHash<V>,
    /// Share messages received (this node's own included).
    shares: ShareSet<ShareMessage<V>>,
    /// This node's own share message, if a member.
    own: Option<ShareMessage<V>>,
    /// Shares found invalid: sent again, they are not checked again.
    invalid: Vec<dfn_crypto::threshold::SignatureShare<V>>,
    /// Whether a stall was reported for this round.
    stall_reported: bool,
    /// When this member, not a relayer of the round, recovers the value
    /// itself if no relayed copy came.
    recover_at: Option<Time>,
}

/// The beacon as one process runs it: knows the active groups and its own
/// shares, signs when its group is selected, collects and checks shares,
/// recovers, relays, and reports each value once, in height order.
///
/// Inputs: [`BeaconNode::start`], [`BeaconNode::handle_message`],
/// [`BeaconNode::handle_timeout`], and the host's group updates
/// ([`BeaconNode::install_groups`], [`BeaconNode::add_group_share`]).
/// Outputs: [`BeaconNode::poll_output`] until `None`, and
/// [`BeaconNode::poll_timeout`].
pub struct BeaconNode<V: Variant> {
    config: BeaconConfig,
    me: ProcessId,
    identity: SecretKey<V>,
    rng: ChaCha20Rng,
    verifier: Arc<dyn Verifier<V>>,
    /// Group sets by the first height they serve.
    group_sets: BTreeMap<u64, Arc<GroupSet<V>>>,
    shares: BTreeMap<GroupId, SecretKeyShare<V>>,
    /// Processes that signed an invalid share (evidence reported): their
    /// shares are ignored from then on.
    convicted: alloc::collections::BTreeSet<ProcessId>,
    /// The height being produced.
    height: u64,
    /// `σ^{height−1}` (compressed), or the genesis seed.
    previous: Vec<u8>,
    last_value: Option<ValueMessage<V>>,
    /// Values recovered here, to relay at these times unless a copy
    /// arrives first (oldest first, at most `buffer_heights`).
    pending_relays: VecDeque<(Time, ValueMessage<V>)>,
    round: Option<Round<V>>,
    /// The highest height this node signs shares for (`None`: no limit).
    /// A host that paces the beacon by another protocol (the PSP chain
    /// releases `σ^h` only once its height `h` is notarized) raises it.
    limit: Option<u64>,
    future: BTreeMap<u64, Vec<BeaconMessage<V>>>,
    buffered: usize,
    started: bool,
    waiting_reported: bool,
    next_check: Option<Time>,
    outputs: VecDeque<Output<V>>,
}

impl<V: Variant> core::fmt::Debug for BeaconNode<V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BeaconNode")
            .field("me", &self.me)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

impl<V: Variant> BeaconNode<V> {
    /// A node for the process whose identity key is `identity`. Batch
    /// verification weights come from a ChaCha20 generator seeded once
    /// from `rng`.
    pub fn new<R: CryptoRng + ?Sized>(
        config: BeaconConfig,
        identity: SecretKey<V>,
        rng: &mut R,
    ) -> Self {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        Self {
            me: ProcessId::of(&identity.public_key()),
            previous: config.genesis_seed.to_vec(),
            config,
            identity,
            rng: ChaCha20Rng::from_seed(seed),
            verifier: Arc::new(DirectVerifier),
            group_sets: BTreeMap::new(),
            shares: BTreeMap::new(),
            convicted: alloc::collections::BTreeSet::new(),
            height: 1,
            last_value: None,
            pending_relays: VecDeque::new(),
            round: None,
            limit: None,
            future: BTreeMap::new(),
            buffered: 0,
            started: false,
            waiting_reported: false,
            next_check: None,
            outputs: VecDeque::new(),
        }
    }

    /// Checks values and shares with `verifier` instead of directly (a
    /// host running many nodes shares one memoizing verifier among them).
    pub fn with_verifier(mut self, verifier: Arc<dyn Verifier<V>>) -> Self {
        self.verifier = verifier;
        self
    }

    /// Paces the node: it signs shares only for heights up to `limit`
    /// (raised later with [`BeaconNode::set_limit`]). It still accepts
    /// values and buffers shares for later heights, and does not report a
    /// stall while it waits for the limit.
    pub fn with_limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Raises the pacing limit to `limit` (lower values are ignored): if
    /// the node is a member of the group of its current height and that
    /// height is now within the limit, it signs and sends its share.
    pub fn set_limit(&mut self, now: Time, limit: u64) {
        let Some(current) = self.limit else { return };
        if limit <= current {
            return;
        }
        let was_held = self.height > current;
        self.limit = Some(limit);
        if was_held && self.height <= limit {
            self.next_check = Some(now.after(self.config.stall_ms));
            self.sign_own();
            self.try_recover(now);
        }
    }

    /// Whether the current height is beyond the pacing limit.
    fn held(&self) -> bool {
        self.limit.is_some_and(|limit| self.height > limit)
    }

    /// Signs and sends this node's share of the current round, if a member
    /// and not yet done.
    fn sign_own(&mut self) {
        let height = self.height;
        let Some(round) = self.round.as_mut() else {
            return;
        };
        if round.own.is_some() {
            return;
        }
        let Some(share) = self.shares.get(&round.group.id()) else {
            return;
        };
        let own = ShareMessage::new(
            height,
            round.group.id(),
            share.sign_hash(&round.hash),
            &self.identity,
        );
        round.own = Some(own);
        // Our own share is valid; a forged copy of it held already changes
        // nothing.
        let _ = round.shares.offer(own, |_| true);
        self.outputs.push_back(Output::ToGroup {
            group: round.group.id(),
            message: BeaconMessage::Share(own),
        });
    }

    /// This process's id.
    pub fn id(&self) -> ProcessId {
        self.me
    }

    /// The height being produced (one past the last value).
    pub fn height(&self) -> u64 {
        self.height
    }

    /// The groups serve heights from `first_height` on (until a later set
    /// takes over). Sets for heights already passed are pruned.
    pub fn install_groups(&mut self, now: Time, first_height: u64, groups: Arc<GroupSet<V>>) {
        self.group_sets.insert(first_height, groups);
        // Keep the set serving the current height and all later ones.
        let current = self
            .group_sets
            .range(..=self.height)
            .next_back()
            .map(|(h, _)| *h);
        if let Some(current) = current {
            self.group_sets = self.group_sets.split_off(&current);
        }
        if self.started && self.round.is_none() {
            self.enter_round(now);
        }
    }

    /// This process's secret share in group `group`.
    pub fn add_group_share(&mut self, group: GroupId, share: SecretKeyShare<V>) {
        self.shares.insert(group, share);
    }

    /// Starts producing at height 1 (or where the node stands).
    pub fn start(&mut self, now: Time) {
        if !self.started {
            self.started = true;
            self.next_check = Some(now.after(self.config.stall_ms));
            self.enter_round(now);
        }
    }

    /// The next output, `None` when there is nothing to do.
    pub fn poll_output(&mut self) -> Option<Output<V>> {
        self.outputs.pop_front()
    }

    /// When to call [`BeaconNode::handle_timeout`] next.
    pub fn poll_timeout(&self) -> Option<Time> {
        let relay = self.pending_relays.front().map(|(at, _)| *at);
        let recover = self.round.as_ref().and_then(|r| r.recover_at);
        [self.next_check, relay, recover]
            .into_iter()
            .flatten()
            .min()
    }

    /// The stall check: with no new value for `stall_ms`, reports the stall
    /// (once per height) and sends this node's share and the last value
    /// again.
    pub fn handle_timeout(&mut self, now: Time) {
        while self
            .pending_relays
            .front()
            .is_some_and(|(at, _)| *at <= now)
        {
            if let Some((_, value)) = self.pending_relays.pop_front() {
                self.outputs
                    .push_back(Output::Broadcast(BeaconMessage::Value(value)));
            }
        }
        if let Some(round) = self.round.as_mut() {
            if round.recover_at.is_some_and(|at| at <= now) {
                // No relayed copy came in time: recover here, relay at once.
                round.recover_at = None;
                self.recover(now, true);
            }
        }
        let Some(check) = self.next_check else { return };
        if now < check {
            return;
        }
        self.next_check = Some(now.after(self.config.stall_ms));
        if self.held() {
            // Waiting for the pacing host, not for the network.
            return;
        }
        if let Some(value) = self.last_value {
            self.outputs
                .push_back(Output::Broadcast(BeaconMessage::Value(value)));
        }
        let height = self.height;
        let Some(round) = self.round.as_mut() else {
            return;
        };
        if let Some(own) = round.own {
            self.outputs.push_back(Output::ToGroup {
                group: round.group.id(),
                message: BeaconMessage::Share(own),
            });
        }
        if !round.stall_reported {
            round.stall_reported = true;
            self.outputs.push_back(Output::Event(BeaconEvent::Stalled {
                height,
                group: round.group.id(),
                shares: u32::try_from(round.shares.members()).unwrap_or(u32::MAX),
                threshold: round.group.threshold(),
            }));
        }
    }

    /// A message arrived (from anyone: shares and values carry their own
    /// proof).
    pub fn handle_message(&mut self, now: Time, message: BeaconMessage<V>) {
        let height = message.height();
        if height < self.height {
            // Someone else relayed a value this node holds back. The value
            // of a height is unique, so only the same signature counts: a
            // forged copy cannot silence the backup relay.
            if let BeaconMessage::Value(v) = message {
                self.pending_relays.retain(|(_, pending)| *pending != v);
            }
            return self.reject(height, Rejection::Old);
        }
        if height > self.height || self.round.is_none() {
            return self.buffer(message);
        }
        match message {
            BeaconMessage::Share(share) => self.add_share(now, share),
            BeaconMessage::Value(value) => self.add_value(now, value),
        }
    }

    fn reject(&mut self, height: u64, reason: Rejection) {
        self.outputs
            .push_back(Output::Event(BeaconEvent::Rejected { height, reason }));
    }

    fn buffer(&mut self, message: BeaconMessage<V>) {
        let height = message.height();
        if height > self.height.saturating_add(self.config.buffer_heights) {
            return self.reject(height, Rejection::TooFarAhead);
        }
        if self.buffered >= self.config.buffer_messages {
            return self.reject(height, Rejection::BufferFull);
        }
        self.buffered += 1;
        self.future.entry(height).or_default().push(message);
    }

    /// Enters `self.height`: selects the group, signs if a member, and
    /// replays what was buffered for the height.
    fn enter_round(&mut self, now: Time) {
        let Some((_, groups)) = self.group_sets.range(..=self.height).next_back() else {
            if !self.waiting_reported {
                self.waiting_reported = true;
                let height = self.height;
                self.outputs
                    .push_back(Output::Event(BeaconEvent::WaitingForGroups { height }));
            }
            return;
        };
        let Some((_, group)) = groups.select(&self.previous) else {
            return;
        };
        let group = Arc::clone(group);
        self.waiting_reported = false;
        let message = round::message(&self.previous, self.height);
        let hash = MessageHash::<V>::new(Suite::Basic, &message);
        self.round = Some(Round {
            group,
            message,
            hash,
            shares: ShareSet::default(),
            own: None,
            invalid: Vec::new(),
            stall_reported: false,
            recover_at: None,
        });
        if !self.held() {
            self.sign_own();
        }
        // Drop what is now in the past, replay what is for this height.
        let later = self.future.split_off(&self.height);
        let dropped: usize = self.future.values().map(Vec::len).sum();
        self.future = later;
        let replay = self.future.remove(&self.height).unwrap_or_default();
        self.buffered = self.buffered.saturating_sub(dropped + replay.len());
        let height = self.height;
        for message in replay {
            if self.height != height {
                break; // a replayed value moved the node on
            }
            self.handle_message(now, message);
        }
        self.try_recover(now);
    }

    fn add_share(&mut self, now: Time, message: ShareMessage<V>) {
        let height = self.height;
        let Some(round) = self.round.as_mut() else {
            return;
        };
        if message.group != round.group.id() {
            return self.reject(height, Rejection::WrongGroup(message.group));
        }
        let index = message.share.index();
        let Some(member) = round.group.member(index) else {
            return self.reject(height, Rejection::NotAMember(index));
        };
        if round.invalid.contains(&message.share) {
            return self.reject(height, Rejection::Duplicate);
        }
        if self.convicted.contains(&member.id) {
            return self.reject(height, Rejection::Convicted(index));
        }
        let keys = round.group.keys();
        let (verifier, rng) = (&self.verifier, &mut self.rng);
        let admission = round.shares.offer(message, |m| {
            let one = core::slice::from_ref(&m.share);
            verifier
                .invalid_shares(keys, &round.message, &round.hash, one, rng)
                .is_empty()
        });
        match admission {
            Admission::Duplicate => self.reject(height, Rejection::Duplicate),
            Admission::Invalid(message) => self.report_invalid(Vec::from([message])),
            Admission::Held { members } if members >= round.group.threshold() as usize => {
                self.try_recover(now);
            }
            Admission::Held { .. } => {}
        }
    }

    fn add_value(&mut self, now: Time, value: ValueMessage<V>) {
        let height = self.height;
        let Some(round) = self.round.as_ref() else {
            return;
        };
        let key = round.group.keys().group_key();
        if self
            .verifier
            .verify_value(key, &round.message, &round.hash, &value.signature)
        {
            self.accept(now, value.signature, false, false);
        } else {
            self.reject(height, Rejection::BadValue);
        }
    }

    /// With shares from `t` members: recovers at once if this node relays
    /// the round's value (or is not a member), else after
    /// `relay_backup_ms` unless a relayed copy comes first.
    fn try_recover(&mut self, now: Time) {
        let height = self.height;
        let relayers = u64::from(self.config.relayers);
        let backup = self.config.relay_backup_ms;
        let Some(round) = self.round.as_mut() else {
            return;
        };
        if round.shares.members() < round.group.threshold() as usize {
            return;
        }
        let rank = round.group.relay_rank(&self.me, height);
        if relayers == 0 || rank.is_none_or(|r| r < relayers) {
            self.recover(now, false);
        } else if round.recover_at.is_none() {
            round.recover_at = Some(now.after(backup));
        }
    }

    /// Recovers the value from the shares held (`late`: after waiting for
    /// a relayed copy in vain, so it is relayed at once), reporting the
    /// invalid shares found on the way.
    fn recover(&mut self, now: Time, late: bool) {
        let Some(round) = self.round.as_mut() else {
            return;
        };
        let keys = round.group.keys();
        let (verifier, rng) = (&self.verifier, &mut self.rng);
        let (message, hash) = (&round.message, &round.hash);
        let recovery = round.shares.recover(
            keys.threshold(),
            |signature| verifier.verify_value(keys.group_key(), message, hash, signature),
            |shares| verifier.invalid_shares(keys, message, hash, shares, rng),
        );
        self.report_invalid(recovery.dropped);
        if let Some(signature) = recovery.signature {
            self.accept(now, signature, true, late);
        }
    }

    /// Remembers the shares of `messages` as invalid and reports each as
    /// evidence when its sender signed it (else as a forgery).
    fn report_invalid(&mut self, messages: Vec<ShareMessage<V>>) {
        let height = self.height;
        let Some(round) = self.round.as_mut() else {
            return;
        };
        for message in messages {
            round.invalid.push(message.share);
            let index = message.share.index();
            let sender = round
                .group
                .member(index)
                .filter(|member| self.verifier.verify_sender(&member.key, &message));
            if let Some(member) = sender {
                self.convicted.insert(member.id);
            }
            let event = if sender.is_some() {
                BeaconEvent::Evidence(ShareEvidence::InvalidShare { message })
            } else {
                BeaconEvent::Rejected {
                    height,
                    reason: Rejection::ForgedShare(index),
                }
            };
            self.outputs.push_back(Output::Event(event));
        }
    }

    /// `σ^h` is known: report it, relay it if recovered here, move on.
    fn accept(&mut self, now: Time, signature: Signature<V>, recovered: bool, late: bool) {
        let Some(round) = self.round.take() else {
            return;
        };
        let bytes = signature.to_bytes();
        let value = ValueMessage {
            height: self.height,
            signature,
        };
        self.outputs
            .push_back(Output::Event(BeaconEvent::Value(BeaconValue {
                height: self.height,
                group: round.group.id(),
                signature,
                randomness: round::randomness(bytes.as_ref()),
            })));
        if recovered {
            let rank = round.group.relay_rank(&self.me, self.height).unwrap_or(0);
            if late || self.config.relayers == 0 || rank < u64::from(self.config.relayers) {
                self.outputs
                    .push_back(Output::Broadcast(BeaconMessage::Value(value)));
            } else {
                if self.pending_relays.len() as u64 >= self.config.buffer_heights {
                    self.pending_relays.pop_front();
                }
                self.pending_relays
                    .push_back((now.after(self.config.relay_backup_ms), value));
            }
        }
        self.last_value = Some(value);
        self.previous = bytes.as_ref().to_vec();
        self.height += 1;
        self.next_check = Some(now.after(self.config.stall_ms));
        self.enter_round(now);
    }
}
