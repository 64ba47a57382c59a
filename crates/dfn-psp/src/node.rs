//! One process's chain state machine (Sans-IO): the beacon inside, block
//! making, notarization, the chain store, finality, catch-up.

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::sync::Arc;
use alloc::vec::Vec;

use chacha20::ChaCha20Rng;
use dfn_beacon::share_set::Admission;
use dfn_beacon::{
    BeaconEvent, BeaconMessage, BeaconNode, GroupId, GroupSet, ProcessId, ValueMessage, Verifier,
};
use dfn_crypto::threshold::SecretKeyShare;
use dfn_crypto::{SecretKey, Signature, Time, Variant};
use rand_core::{CryptoRng, Rng, SeedableRng};

use crate::block::{Block, BlockHash, Proposal};
use crate::chain::{ChainStore, FinalityConflict};
use crate::checks::{DirectChecks, SignatureChecks};
use crate::config::{ConfigError, PspConfig};
use crate::event::{ChainEvent, Evidence, Output, Rejection};
use crate::priority::{PriorityList, Processes};
use crate::round::{Candidate, Round, Setup, Validity};
use crate::wire::{
    CatchUpRequest, CatchUpResponse, MAX_RESPONSE_ITEMS, Notarization, NotarizationShare,
    PspMessage, notary_hash,
};

/// How a notarization this node holds is to be relayed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relay {
    /// A copy came from the network: cancel a held-back relay of it.
    Received,
    /// Recovered here: at once if this node is among the height's
    /// relayers, else after the back-up delay unless a copy comes.
    Rotation,
    /// Recovered here after waiting in vain for a copy: at once.
    Now,
}

/// A message and its sender, if the host knows it.
type Received<V> = (Option<ProcessId>, PspMessage<V>);

/// The chain as one process runs it.
///
/// Inputs: [`PspNode::start`], [`PspNode::handle_message`],
/// [`PspNode::handle_timeout`], the host's answers
/// ([`PspNode::provide_payload`], [`PspNode::payload_checked`]) and group
/// updates ([`PspNode::install_groups`], [`PspNode::add_group_share`]).
/// Outputs: [`PspNode::poll_output`] until `None`, and
/// [`PspNode::poll_timeout`].
pub struct PspNode<V: Variant> {
    config: PspConfig,
    me: ProcessId,
    identity: SecretKey<V>,
    rng: ChaCha20Rng,
    checks: Arc<dyn SignatureChecks<V>>,
    processes: Arc<Processes<V>>,
    beacon: BeaconNode<V>,
    group_sets: BTreeMap<u64, Arc<GroupSet<V>>>,
    shares: BTreeMap<GroupId, SecretKeyShare<V>>,
    /// `σ^h` by height.
    values: BTreeMap<u64, Signature<V>>,
    chain: ChainStore<V>,
    round: Round<V>,
    started: bool,
    /// Blocks of the last heights left, for notarizations that come late.
    recent: BTreeMap<BlockHash, Arc<Block<V>>>,
    /// Verified notarizations whose blocks have not arrived.
    awaiting: BTreeMap<BlockHash, Notarization<V>>,
    /// Processes this node holds invalid-share evidence against.
    convicted: BTreeSet<ProcessId>,
    future: BTreeMap<u64, Vec<Received<V>>>,
    buffered: usize,
    pending_relays: VecDeque<(Time, Notarization<V>)>,
    /// Heights entered live whose finality check is due at `T_h` plus the
    /// base `BT` (checked then even if the process has moved on: a later
    /// look sees at least what the check needs).
    finality_checks: VecDeque<(Time, u64)>,
    /// The outstanding catch-up request: to whom, when sent.
    catch_up: Option<(ProcessId, Time)>,
    last_notarization: Option<Notarization<V>>,
    /// The last height entered from a catch-up response: heights up to it
    /// cannot be judged final here until two live heights pass, so they
    /// do not count as finality lag for the adaptive block time.
    resynced_at: u64,
    next_stall_check: Time,
    stall_reported: bool,
    outputs: VecDeque<Output<V>>,
}

impl<V: Variant> core::fmt::Debug for PspNode<V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PspNode")
            .field("me", &self.me)
            .field("height", &self.round.height)
            .field("finalized", &self.chain.finalized().0)
            .finish_non_exhaustive()
    }
}

impl<V: Variant> PspNode<V> {
    /// A node for the process whose identity key is `identity`, among the
    /// eligible block makers `processes`. Fails if the configuration
    /// breaks the finality rule's invariants (`BT > 2Δ`).
    pub fn new<R: CryptoRng + ?Sized>(
        config: PspConfig,
        identity: SecretKey<V>,
        processes: Arc<Processes<V>>,
        rng: &mut R,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        let beacon = BeaconNode::new(config.beacon, identity.clone(), rng).with_limit(0);
        let genesis = BlockHash::genesis(&config.beacon.genesis_seed);
        Ok(Self {
            me: ProcessId::of(&identity.public_key()),
            config,
            identity,
            rng: ChaCha20Rng::from_seed(seed),
            checks: Arc::new(DirectChecks),
            processes,
            beacon,
            group_sets: BTreeMap::new(),
            shares: BTreeMap::new(),
            values: BTreeMap::new(),
            chain: ChainStore::new(genesis),
            round: Round::new(1, Time::ZERO, true, config.block_time_ms),
            started: false,
            recent: BTreeMap::new(),
            awaiting: BTreeMap::new(),
            convicted: BTreeSet::new(),
            future: BTreeMap::new(),
            buffered: 0,
            pending_relays: VecDeque::new(),
            finality_checks: VecDeque::new(),
            catch_up: None,
            last_notarization: None,
            resynced_at: 0,
            next_stall_check: Time::ZERO,
            stall_reported: false,
            outputs: VecDeque::new(),
        })
    }

    /// Checks signatures with `checks` and the beacon's with `beacon`
    /// instead of directly (a host running many nodes shares memoizing
    /// checkers among them).
    pub fn with_checks(
        mut self,
        checks: Arc<dyn SignatureChecks<V>>,
        beacon: Arc<dyn Verifier<V>>,
    ) -> Self {
        self.checks = checks;
        self.beacon = self.beacon.with_verifier(beacon);
        self
    }

    /// This process's id.
    pub fn id(&self) -> ProcessId {
        self.me
    }

    /// The height this node is at (one above its highest notarization).
    pub fn height(&self) -> u64 {
        self.round.height
    }

    /// This process's slot at `height` if that is the current height and
    /// its priority list is known.
    pub fn slot_at(&self, height: u64) -> Option<u32> {
        if height != self.round.height {
            return None;
        }
        self.round.setup.as_ref().and_then(|s| s.my_slot)
    }

    /// The chain this node holds.
    pub fn chain(&self) -> &ChainStore<V> {
        &self.chain
    }

    /// The highest finalized height.
    pub fn finalized_height(&self) -> u64 {
        self.chain.finalized().0
    }

    /// The groups serve heights from `first_height` on (beacon and
    /// notarization alike).
    pub fn install_groups(&mut self, now: Time, first_height: u64, groups: Arc<GroupSet<V>>) {
        self.group_sets.insert(first_height, Arc::clone(&groups));
        self.beacon.install_groups(now, first_height, groups);
        self.pump_beacon(now);
        if self.started && self.round.setup.is_none() {
            self.setup_round(now);
        }
    }

    /// This process's secret share in group `group`.
    pub fn add_group_share(&mut self, group: GroupId, share: SecretKeyShare<V>) {
        self.beacon.add_group_share(group, share.clone());
        self.shares.insert(group, share);
    }

    /// Starts at height 1 on the genesis block.
    pub fn start(&mut self, now: Time) {
        if self.started {
            return;
        }
        self.started = true;
        self.beacon.start(now);
        self.enter_height(now, 1, true);
        self.pump_beacon(now);
    }

    /// The next output, `None` when there is nothing to do.
    pub fn poll_output(&mut self) -> Option<Output<V>> {
        self.outputs.pop_front()
    }

    /// When to call [`PspNode::handle_timeout`] next.
    pub fn poll_timeout(&self) -> Option<Time> {
        if !self.started {
            return None;
        }
        let r = &self.round;
        let wait = (!r.wait_over).then(|| r.wait_end());
        let make = match (&r.setup, r.payload_requested, r.parent_missing) {
            (
                Some(Setup {
                    my_slot: Some(k), ..
                }),
                None,
                false,
            ) => Some(r.slot_time(*k, self.config.slot_ms)),
            _ => None,
        };
        let relay = self.pending_relays.front().map(|(at, _)| *at);
        let finality = self.finality_checks.front().map(|(at, _)| *at);
        [
            self.beacon.poll_timeout(),
            finality,
            r.recover_at,
            wait,
            make,
            r.next_recognition,
            relay,
            Some(self.next_stall_check),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Timers: the notary wait, the maker's slot, recognition of later
    /// slots, relays, the stall check.
    pub fn handle_timeout(&mut self, now: Time) {
        if !self.started {
            return;
        }
        self.beacon.handle_timeout(now);
        self.pump_beacon(now);
        while self
            .pending_relays
            .front()
            .is_some_and(|(at, _)| *at <= now)
        {
            if let Some((_, n)) = self.pending_relays.pop_front() {
                self.outputs
                    .push_back(Output::Broadcast(PspMessage::Notarization(n)));
            }
        }
        if !self.round.wait_over && now >= self.round.wait_end() {
            self.round.wait_over = true;
        }
        while self
            .finality_checks
            .front()
            .is_some_and(|(at, _)| *at <= now)
        {
            if let Some((_, height)) = self.finality_checks.pop_front() {
                if !self.check_finality(height) {
                    self.repair(now);
                }
            }
        }
        if self.round.recover_at.is_some_and(|at| at <= now) {
            // No relayed copy came in time: recover here, relay at once.
            self.round.recover_at = None;
            let ready: Vec<BlockHash> = self.round.shares.keys().copied().collect();
            for block in ready {
                self.recover(now, block, true);
            }
        }
        self.maybe_propose(now);
        self.try_sign(now);
        if now >= self.next_stall_check {
            self.on_stall(now);
        }
    }

    /// A message arrived from process `from` (`None` if the host cannot
    /// tell; catch-up answers need a sender).
    pub fn handle_message(&mut self, now: Time, from: Option<ProcessId>, message: PspMessage<V>) {
        if !self.started {
            return;
        }
        match message {
            PspMessage::Beacon(m) => {
                self.beacon.handle_message(now, m);
                self.pump_beacon(now);
            }
            PspMessage::Request(r) => {
                if let Some(from) = from {
                    self.serve(from, r);
                }
            }
            PspMessage::Response(r) => self.apply_catch_up(now, from, &r),
            m => self.route(now, from, m),
        }
        if self.round.parent_missing {
            self.maybe_propose(now);
        }
    }

    /// Blocks, shares and notarizations, by height.
    fn route(&mut self, now: Time, from: Option<ProcessId>, message: PspMessage<V>) {
        let height = message.height();
        let current = self.round.height;
        if height > current {
            if height > current.saturating_add(1) {
                if let Some(from) = from {
                    self.request_catch_up(now, from);
                }
            }
            return self.buffer(height, from, message);
        }
        if height < current {
            return match message {
                PspMessage::Notarization(n) => self.on_old_notarization(now, n),
                PspMessage::Block(b) => self.on_old_block(b),
                _ => self.reject(height, Rejection::Old),
            };
        }
        if self.round.setup.is_none() {
            self.round.waiting.push((from, message));
            return;
        }
        match message {
            PspMessage::Block(b) => self.on_block(now, b),
            PspMessage::Share(s) => self.on_share(now, s),
            PspMessage::Notarization(n) => self.on_notarization(now, from, n),
            _ => {}
        }
    }

    fn reject(&mut self, height: u64, reason: Rejection) {
        self.event(ChainEvent::Rejected { height, reason });
    }

    fn event(&mut self, event: ChainEvent<V>) {
        self.outputs.push_back(Output::Event(event));
    }

    fn buffer(&mut self, height: u64, from: Option<ProcessId>, message: PspMessage<V>) {
        if height > self.round.height.saturating_add(self.config.buffer_heights)
            || self.buffered >= self.config.buffer_messages
        {
            return self.reject(height, Rejection::BufferFull);
        }
        self.buffered += 1;
        self.future.entry(height).or_default().push((from, message));
    }

    /// Forwards what the beacon says; a new value may set up the round.
    fn pump_beacon(&mut self, now: Time) {
        while let Some(output) = self.beacon.poll_output() {
            match output {
                dfn_beacon::Output::ToGroup { group, message } => {
                    self.outputs.push_back(Output::ToGroup {
                        group,
                        message: PspMessage::Beacon(message),
                    });
                }
                dfn_beacon::Output::Broadcast(message) => {
                    self.outputs
                        .push_back(Output::Broadcast(PspMessage::Beacon(message)));
                }
                dfn_beacon::Output::Event(event) => {
                    if let BeaconEvent::Value(v) = &event {
                        self.values.insert(v.height, v.signature);
                    }
                    self.event(ChainEvent::Beacon(event));
                }
                _ => {}
            }
        }
        if self.started && self.round.setup.is_none() {
            self.setup_round(now);
        }
    }

    /// `σ^{h−1}` as bytes (the genesis seed below height 1).
    fn previous_value(&self, height: u64) -> Option<Vec<u8>> {
        if height <= 1 {
            return Some(self.config.beacon.genesis_seed.to_vec());
        }
        self.values
            .get(&(height - 1))
            .map(|s| s.to_bytes().as_ref().to_vec())
    }

    /// The notary group of `height` (selected by `σ^{h−1}`).
    fn group_for(&self, height: u64) -> Option<Arc<dfn_beacon::Group<V>>> {
        let previous = self.previous_value(height)?;
        let (_, set) = self.group_sets.range(..=height).next_back()?;
        set.select(&previous).map(|(_, g)| Arc::clone(g))
    }

    /// Enters `height` at `now`.
    fn enter_height(&mut self, now: Time, height: u64, live: bool) {
        let previous_live = self.round.live && self.round.height + 1 == height;
        if !live {
            self.resynced_at = height;
        }
        let (finalized, _) = self.chain.finalized();
        let judged = finalized.max(self.resynced_at);
        let gap = height
            .saturating_sub(1)
            .saturating_sub(judged)
            .saturating_sub(2);
        let bt = self.config.block_time(gap);
        // Keep the blocks of the height left: a second notarization of it
        // may still come (and matters to the finality rule).
        let left = core::mem::replace(&mut self.round, Round::new(height, now, live, bt));
        for (hash, c) in left.candidates {
            self.recent.insert(hash, c.block);
        }
        self.recent
            .retain(|_, b| b.height().saturating_add(2) >= height);
        if live && previous_live && height >= 2 {
            if self.finality_checks.len() as u64 >= self.config.retain_heights.max(1) {
                self.finality_checks.pop_front();
            }
            // At `T_h` plus the base `BT`, not the backed-off one: the base
            // already exceeds `2Δ`, all the rule's safety asks of the wait.
            // Waiting the backed-off `BT` would let a process whose own
            // finality lags delay its own checks further, and the lag
            // would feed itself up to the block-time cap.
            let check = self.config.block_time_ms;
            self.finality_checks.push_back((now.after(check), height));
        }
        self.next_stall_check = now.after(self.config.stall_ms);
        self.stall_reported = false;
        self.event(ChainEvent::Height {
            height,
            block_time_ms: bt,
        });
        self.beacon.set_limit(now, height.saturating_sub(1));
        self.pump_beacon(now);
        self.prune();
        self.setup_round(now);
        // Replay what was buffered for this height; drop what is past.
        let later = self.future.split_off(&height);
        let dropped: usize = self.future.values().map(Vec::len).sum();
        self.future = later;
        let replay = self.future.remove(&height).unwrap_or_default();
        self.buffered = self.buffered.saturating_sub(dropped + replay.len());
        for (from, message) in replay {
            if self.round.height != height {
                break;
            }
            self.route(now, from, message);
        }
    }

    fn prune(&mut self) {
        let (finalized, _) = self.chain.finalized();
        let keep = finalized.saturating_sub(self.config.retain_heights);
        if keep > 0 {
            self.chain.prune_below(keep);
            self.values = self.values.split_off(&keep.saturating_sub(1));
        }
        self.awaiting.retain(|_, n| n.height > finalized);
    }

    /// With `σ^{h−1}` known: the notary group, the priority list, this
    /// node's roles; then what waited for them.
    fn setup_round(&mut self, now: Time) {
        if self.round.setup.is_some() {
            return;
        }
        let height = self.round.height;
        let (Some(previous), Some(group)) = (self.previous_value(height), self.group_for(height))
        else {
            return;
        };
        let randomness = dfn_beacon::round::randomness(&previous);
        let priority = PriorityList::new(&self.processes, height, &randomness, self.config.slots);
        self.round.setup = Some(Setup {
            my_slot: priority.slot_of(&self.me),
            share: self.shares.get(&group.id()).cloned(),
            group,
            priority,
        });
        for (from, message) in core::mem::take(&mut self.round.waiting) {
            self.route(now, from, message);
        }
        self.maybe_propose(now);
        self.try_sign(now);
    }

    // ---- block making -------------------------------------------------

    fn maybe_propose(&mut self, now: Time) {
        let r = &self.round;
        let Some(Setup {
            my_slot: Some(slot),
            ..
        }) = r.setup
        else {
            return;
        };
        if r.payload_requested.is_some() || now < r.slot_time(slot, self.config.slot_ms) {
            return;
        }
        // Build on the highest-scoring notarized chain, which must reach
        // the height below. If it does not, the slot's timer is spent: a
        // deadline left in the past would have the host call back at once,
        // forever. A message that links the missing block retries.
        let tip = self.chain.best();
        if tip.height + 1 != r.height {
            self.round.parent_missing = true;
            return;
        }
        // A valid better-slot block on a notarized parent is already here:
        // this one could not win; spare the network.
        let beaten = r.candidates.values().any(|c| {
            c.validity == Validity::Valid
                && c.block.slot() < slot
                && self.chain.contains(&c.block.parent())
        });
        let parent = tip.hash.0;
        let height = r.height;
        self.round.payload_requested = Some(parent);
        self.round.parent_missing = false;
        if !beaten {
            self.outputs
                .push_back(Output::RequestPayload { height, parent });
        }
    }

    /// The host's payload for the block this node makes at `height` on
    /// `parent` (as asked by [`Output::RequestPayload`]). A payload for
    /// another height or parent, or a second one, is refused
    /// ([`Rejection::StalePayload`]): a maker never proposes twice.
    pub fn provide_payload(
        &mut self,
        now: Time,
        height: u64,
        parent: BlockHash,
        payload: Vec<u8>,
        state_root: [u8; 32],
    ) {
        let r = &self.round;
        let slot = r.setup.as_ref().and_then(|s| s.my_slot);
        let (Some(slot), Some(asked)) = (slot, r.payload_requested) else {
            return self.reject(height, Rejection::StalePayload);
        };
        if r.height != height || asked != parent || r.own_block.is_some() {
            return self.reject(height, Rejection::StalePayload);
        }
        let block = Arc::new(Block::sign(
            Proposal {
                height,
                parent,
                slot,
                maker: self.me,
                state_root,
                payload,
            },
            &self.identity,
        ));
        self.round.own_block = Some(Arc::clone(&block));
        self.outputs
            .push_back(Output::Broadcast(PspMessage::Block(Arc::clone(&block))));
        self.add_candidate(block, Validity::Valid);
        self.try_sign(now);
    }

    // ---- blocks ---------------------------------------------------------

    fn on_block(&mut self, now: Time, block: Arc<Block<V>>) {
        let height = block.height();
        let hash = block.hash();
        if self.round.candidates.contains_key(&hash) {
            return;
        }
        let Some(maker) = self.processes.get(&block.maker()).copied() else {
            return self.reject(height, Rejection::UnknownMaker);
        };
        let Some(setup) = self.round.setup.as_ref() else {
            return;
        };
        if setup.priority.slot_of(&block.maker()) != Some(block.slot()) {
            return self.reject(height, Rejection::WrongSlot);
        }
        if !self.checks.maker_signed(&block, &maker.key) {
            return self.reject(height, Rejection::BadMakerSignature);
        }
        self.add_candidate(Arc::clone(&block), Validity::Pending);
        self.outputs.push_back(Output::ValidatePayload(block));
        self.link_awaiting(now, hash);
    }

    /// Records a block of the current height (and equivocation).
    fn add_candidate(&mut self, block: Arc<Block<V>>, validity: Validity) {
        let hash = block.hash();
        let others = self.round.by_maker.entry(block.maker()).or_default();
        let first_conflict = others.len() == 1;
        let previous = others.first().copied();
        others.push(hash);
        if let (true, Some(previous)) = (first_conflict, previous) {
            if let Some(first) = self.round.candidates.get(&previous) {
                let first = Arc::clone(&first.block);
                self.event(ChainEvent::Evidence(Evidence::Equivocation {
                    first,
                    second: Arc::clone(&block),
                }));
            }
        }
        self.round
            .candidates
            .insert(hash, Candidate { block, validity });
    }

    /// The host's verdict on a block's payload.
    pub fn payload_checked(&mut self, now: Time, block: BlockHash, valid: bool) {
        let height = self.round.height;
        let Some(c) = self.round.candidates.get_mut(&block) else {
            return;
        };
        if c.validity != Validity::Pending {
            return;
        }
        c.validity = if valid {
            Validity::Valid
        } else {
            Validity::Invalid
        };
        if valid {
            self.try_sign(now);
        } else {
            self.reject(height, Rejection::InvalidPayload);
        }
    }

    /// A block of a height already left: kept if a notarization waits for
    /// it.
    fn on_old_block(&mut self, block: Arc<Block<V>>) {
        let hash = block.hash();
        if self.awaiting.contains_key(&hash) {
            self.recent.insert(hash, block);
            self.link_awaiting(Time::ZERO, hash);
        } else {
            self.reject(block.height(), Rejection::Old);
        }
    }

    // ---- notarizing -----------------------------------------------------

    /// The signing rule: after `BT`, sign the best-slot valid recognized
    /// block on a notarized parent; later only strictly better slots (and
    /// every block of the same best slot: an equivocating maker's blocks
    /// are signed alike, so the group cannot deadlock); nothing once the
    /// height is notarized.
    fn try_sign(&mut self, now: Time) {
        let r = &self.round;
        let Some(setup) = r.setup.as_ref() else {
            return;
        };
        if r.notarized || now < r.wait_end() {
            return;
        }
        let Some(key_share) = setup.share.as_ref() else {
            return;
        };
        let slot_ms = self.config.slot_ms;
        let mut next_recognition: Option<Time> = None;
        let mut best: Option<u32> = None;
        for c in r.candidates.values() {
            if c.validity != Validity::Valid || !self.parent_ok(&c.block) {
                continue;
            }
            let at = r.slot_time(c.block.slot(), slot_ms);
            if at > now {
                next_recognition = Some(next_recognition.map_or(at, |n| n.min(at)));
                continue;
            }
            best = Some(best.map_or(c.block.slot(), |b| b.min(c.block.slot())));
        }
        let Some(best) = best.filter(|b| r.signed_slot.is_none_or(|s| *b <= s)) else {
            self.round.next_recognition = next_recognition;
            return;
        };
        let to_sign: Vec<BlockHash> = r
            .candidates
            .values()
            .filter(|c| {
                c.validity == Validity::Valid
                    && c.block.slot() == best
                    && !r.signed.contains(&c.block.hash())
                    && self.parent_ok(&c.block)
            })
            .map(|c| c.block.hash())
            .collect();
        let group = setup.group.id();
        let height = r.height;
        let key_share = key_share.clone();
        self.round.signed_slot = Some(best);
        self.round.next_recognition = next_recognition.filter(|_| best > 0);
        for hash in to_sign {
            let share = key_share.sign_hash(&notary_hash::<V>(height, &hash));
            let message = NotarizationShare::new(height, hash, group, share, &self.identity);
            self.round.signed.insert(hash);
            self.round.own_shares.push(message);
            self.outputs.push_back(Output::ToGroup {
                group,
                message: PspMessage::Share(message),
            });
            self.on_share(now, message);
            if self.round.height != height {
                return;
            }
        }
    }

    /// The parent is a linked notarized block of the height below.
    fn parent_ok(&self, block: &Block<V>) -> bool {
        let parent = block.parent();
        if block.height() == 1 {
            return parent == self.chain.genesis();
        }
        self.chain
            .get(&parent)
            .is_some_and(|p| p.block.height() + 1 == block.height())
    }

    fn on_share(&mut self, now: Time, message: NotarizationShare<V>) {
        let height = self.round.height;
        let Some(setup) = self.round.setup.as_ref() else {
            return;
        };
        let group = Arc::clone(&setup.group);
        if message.group != group.id() {
            return self.reject(height, Rejection::WrongGroup(message.group));
        }
        let index = message.share.index();
        let Some(member) = group.member(index).copied() else {
            return self.reject(height, Rejection::NotAMember(index));
        };
        if self.convicted.contains(&member.id) || self.round.invalid.contains(&message.share) {
            return self.reject(height, Rejection::Duplicate);
        }
        let (checks, rng) = (&self.checks, &mut self.rng);
        let set = self.round.shares.entry(message.block).or_default();
        let admission = set.offer(message, |m| {
            let one = core::slice::from_ref(&m.share);
            checks
                .invalid_shares(group.keys(), height, &m.block, one, rng)
                .is_empty()
        });
        match admission {
            Admission::Duplicate => self.reject(height, Rejection::Duplicate),
            Admission::Invalid(message) => self.report_invalid(Vec::from([message])),
            Admission::Held { members } if members >= group.threshold() as usize => {
                self.try_recover(now, message.block);
            }
            Admission::Held { .. } => {}
        }
    }

    /// With shares from `t` members for `block`: recovers at once if this
    /// node relays the height's notarization, else after
    /// `relay_backup_ms` unless a relayed copy comes first (recovery is
    /// the costly step; the copy needs one check).
    fn try_recover(&mut self, now: Time, block: BlockHash) {
        let height = self.round.height;
        let relayers = u64::from(self.config.relayers);
        let rank = self
            .round
            .setup
            .as_ref()
            .and_then(|s| s.group.relay_rank(&self.me, height));
        if relayers == 0 || rank.is_none_or(|r| r < relayers) {
            self.recover(now, block, false);
        } else if self.round.recover_at.is_none() {
            self.round.recover_at = Some(now.after(self.config.relay_backup_ms));
        }
    }

    /// Recovers `block`'s notarization from the shares held (`late`: after
    /// waiting for a relayed copy in vain, so the result is relayed at
    /// once), reporting the invalid shares found on the way.
    fn recover(&mut self, now: Time, block: BlockHash, late: bool) {
        let height = self.round.height;
        if self.round.notarized {
            return;
        }
        let Some(setup) = self.round.setup.as_ref() else {
            return;
        };
        let group = Arc::clone(&setup.group);
        let keys = group.keys();
        let Some(set) = self.round.shares.get_mut(&block) else {
            return;
        };
        let (checks, rng) = (&self.checks, &mut self.rng);
        let recovery = set.recover(
            keys.threshold(),
            |signature| {
                let n = Notarization {
                    height,
                    block,
                    signature: *signature,
                };
                checks.notarized(keys.group_key(), &n)
            },
            |shares| checks.invalid_shares(keys, height, &block, shares, rng),
        );
        self.report_invalid(recovery.dropped);
        if let Some(signature) = recovery.signature {
            let relay = if late { Relay::Now } else { Relay::Rotation };
            let n = Notarization {
                height,
                block,
                signature,
            };
            self.on_notarized(now, n, relay);
        }
    }

    /// Remembers the shares of `messages` as invalid and reports each as
    /// evidence when its sender signed it (else as a forgery).
    fn report_invalid(&mut self, messages: Vec<NotarizationShare<V>>) {
        let height = self.round.height;
        let Some(setup) = self.round.setup.as_ref() else {
            return;
        };
        let group = Arc::clone(&setup.group);
        for message in messages {
            self.round.invalid.push(message.share);
            let index = message.share.index();
            let sender = group
                .member(index)
                .filter(|member| self.checks.sender_signed(&member.key, &message));
            if let Some(member) = sender {
                self.convicted.insert(member.id);
            }
            self.event(if sender.is_some() {
                ChainEvent::Evidence(Evidence::InvalidShare(message))
            } else {
                ChainEvent::Rejected {
                    height,
                    reason: Rejection::ForgedShare(index),
                }
            });
        }
    }

    fn on_notarization(&mut self, now: Time, from: Option<ProcessId>, n: Notarization<V>) {
        let Some(setup) = self.round.setup.as_ref() else {
            return;
        };
        let key = *setup.group.keys().group_key();
        if !self.checks.notarized(&key, &n) {
            return self.reject(n.height, Rejection::BadNotarization);
        }
        if !self.round.candidates.contains_key(&n.block) {
            if let Some(from) = from {
                // The block has not come: the sender has it.
                self.awaiting.insert(n.block, n);
                self.request_catch_up(now, from);
            }
        }
        self.on_notarized(now, n, Relay::Received);
    }

    /// A notarization of a height already left: it may be a second
    /// notarized block there (the finality rule must see it).
    fn on_old_notarization(&mut self, now: Time, n: Notarization<V>) {
        if n.height <= self.chain.finalized().0 || self.chain.contains(&n.block) {
            self.pending_relays.retain(|(_, pending)| *pending != n);
            return;
        }
        let Some(group) = self.group_for(n.height) else {
            return;
        };
        if !self.checks.notarized(group.keys().group_key(), &n) {
            return self.reject(n.height, Rejection::BadNotarization);
        }
        self.awaiting.insert(n.block, n);
        self.link_awaiting(now, n.block);
    }

    /// A verified notarization: relay, link, and enter the next height if
    /// it is the first of this height.
    fn on_notarized(&mut self, now: Time, n: Notarization<V>, relay: Relay) {
        let height = self.round.height;
        if n.height != height {
            return;
        }
        self.relay(now, n, relay);
        self.awaiting.insert(n.block, n);
        self.link_awaiting(now, n.block);
        if !self.round.notarized {
            self.round.notarized = true;
            self.last_notarization = Some(n);
            self.enter_height(now, height + 1, true);
        }
    }

    fn relay(&mut self, now: Time, n: Notarization<V>, relay: Relay) {
        let relayers = u64::from(self.config.relayers);
        let rank = self
            .round
            .setup
            .as_ref()
            .and_then(|s| s.group.relay_rank(&self.me, n.height));
        match relay {
            Relay::Received => self.pending_relays.retain(|(_, pending)| *pending != n),
            Relay::Rotation if relayers != 0 && rank.is_some_and(|r| r >= relayers) => {
                if self.pending_relays.len() as u64 >= self.config.buffer_heights.max(1) {
                    self.pending_relays.pop_front();
                }
                self.pending_relays
                    .push_back((now.after(self.config.relay_backup_ms), n));
            }
            Relay::Rotation | Relay::Now => self
                .outputs
                .push_back(Output::Broadcast(PspMessage::Notarization(n))),
        }
    }

    /// Links the notarized block `hash` if both its notarization and its
    /// block are here.
    fn link_awaiting(&mut self, _now: Time, hash: BlockHash) {
        let Some(n) = self.awaiting.get(&hash).copied() else {
            return;
        };
        let block = self
            .round
            .candidates
            .get(&hash)
            .map(|c| Arc::clone(&c.block))
            .or_else(|| self.recent.get(&hash).cloned());
        let Some(block) = block else { return };
        self.awaiting.remove(&hash);
        self.link(block, n.signature);
    }

    fn link(&mut self, block: Arc<Block<V>>, signature: Signature<V>) {
        // A notarized block just above the finalized height that does not
        // extend the finalized block: the network notarized past a block
        // this process finalized against. Never silent.
        let (final_height, final_hash) = self.chain.finalized();
        if block.height() == final_height + 1 && block.parent() != final_hash {
            self.event(ChainEvent::FinalityAlarm(FinalityConflict {
                height: final_height,
                finalized: final_hash,
                other: block.parent(),
            }));
            return;
        }
        let max_orphans = self.config.buffer_messages;
        for hash in self.chain.insert(block, signature, max_orphans) {
            if let Some(entry) = self.chain.get(&hash) {
                let block = Arc::clone(&entry.block);
                self.event(ChainEvent::Notarized(block));
            }
        }
    }

    // ---- finality -------------------------------------------------------

    /// The two-confirmation rule for height `h`, at `T_h` plus the base
    /// `BT`: if every notarized block seen at `h − 1` has the same parent
    /// `B`, then `B` and its ancestors are final. Scheduled only for
    /// heights this process entered live right after a height it entered
    /// live too (the rule needs every notarization of `h − 1` to have
    /// reached it within `Δ`, which a process catching up cannot know),
    /// and decided only when it knows all of `h − 1` (no notarization
    /// there waits for its block or parent). Returns false when it could
    /// not decide for that reason.
    fn check_finality(&mut self, height: u64) -> bool {
        let below = height - 1;
        let pending =
            self.awaiting.values().any(|n| n.height == below) || self.chain.has_orphan_at(below);
        if pending {
            return false;
        }
        let parents: BTreeSet<BlockHash> = self
            .chain
            .at_height(below)
            .iter()
            .filter_map(|h| self.chain.get(h).map(|e| e.block.parent()))
            .collect();
        let Some(parent) = parents.first().copied().filter(|_| parents.len() == 1) else {
            return true;
        };
        match self.chain.finalize(parent) {
            Ok(blocks) => {
                for b in blocks {
                    self.event(ChainEvent::Finalized(b));
                }
            }
            Err(conflict) => self.event(ChainEvent::FinalityAlarm(conflict)),
        }
        true
    }

    // ---- stalls and catch-up ----------------------------------------------

    /// No new height for `stall_ms`: report once, and send again what this
    /// node contributed (lost messages, a healed partition).
    fn on_stall(&mut self, now: Time) {
        self.next_stall_check = now.after(self.config.stall_ms);
        self.repair(now);
        let height = self.round.height;
        if !self.stall_reported {
            self.stall_reported = true;
            self.event(ChainEvent::Stalled { height });
        }
        if let Some(n) = self.last_notarization {
            self.outputs
                .push_back(Output::Broadcast(PspMessage::Notarization(n)));
        }
        if let Some(block) = self.round.own_block.clone() {
            self.outputs
                .push_back(Output::Broadcast(PspMessage::Block(block)));
        }
        if let Some(setup) = self.round.setup.as_ref() {
            let group = setup.group.id();
            for share in &self.round.own_shares {
                self.outputs.push_back(Output::ToGroup {
                    group,
                    message: PspMessage::Share(*share),
                });
            }
        }
    }

    /// Asks `from`, which is ahead, for its chain from the height below
    /// this node's.
    fn request_catch_up(&mut self, now: Time, from: ProcessId) {
        let height = self.round.height.saturating_sub(1).max(1);
        self.request_chain(now, from, height);
    }

    /// Asks `to` for its notarized chain from `height`, unless a request
    /// is outstanding and not yet timed out. Returns whether it asked.
    fn request_chain(&mut self, now: Time, to: ProcessId, height: u64) -> bool {
        if to == self.me {
            return false;
        }
        if let Some((_, at)) = self.catch_up {
            if now < at.after(self.config.catch_up_timeout_ms) {
                return false;
            }
        }
        self.catch_up = Some((to, now));
        let request = CatchUpRequest {
            from: height,
            count: self.config.catch_up_batch,
        };
        self.outputs.push_back(Output::Send {
            to,
            message: PspMessage::Request(request),
        });
        true
    }

    /// Fetches notarized blocks that never came. Below the current height
    /// a notarization waits for its block, or a linked-later block for its
    /// parent: the block was lost (dropped while the node caught up, or
    /// lost on the way), and no sender is known to hold it when the
    /// notarization was recovered from shares or came as an old relay.
    /// Every later block waits on it and finality stops here. Called when
    /// a finality check cannot decide and on a stall; it asks a random
    /// other member of the lowest such height's notary group (a threshold
    /// of them signed there, so most hold the chain) for the chain from
    /// there, a member drawn afresh on each retry, at most once per
    /// catch-up timeout. The lowest height matters: after a fork the missing block
    /// may be the parent of a height this node already holds a block of.
    fn repair(&mut self, now: Time) {
        let current = self.round.height;
        let awaited = self
            .awaiting
            .values()
            .map(|n| n.height)
            .filter(|h| *h < current)
            .min();
        let orphaned = self.chain.lowest_missing_parent();
        let Some(lowest) = awaited.into_iter().chain(orphaned).min() else {
            return;
        };
        let missing = lowest.max(self.chain.finalized().0.saturating_add(1));
        let Some(group) = self.group_for(missing) else {
            return;
        };
        let me = self.me;
        let others = group.members().iter().filter(|m| m.id != me).count();
        let Some(pick) = u32::try_from(others).ok().filter(|n| *n > 0) else {
            return;
        };
        let index = (self.rng.next_u32() % pick) as usize;
        let Some(to) = group
            .members()
            .iter()
            .filter(|m| m.id != me)
            .nth(index)
            .map(|m| m.id)
        else {
            return;
        };
        if self.request_chain(now, to, missing) {
            self.event(ChainEvent::Refetch {
                height: missing,
                from: to,
            });
        }
    }

    /// Answers with this node's best chain from the height asked, with the
    /// beacon values that select each height's notary group.
    fn serve(&mut self, to: ProcessId, request: CatchUpRequest) {
        let count = request.count.min(self.config.catch_up_batch);
        let mut items = Vec::new();
        let entries = self.chain.best_chain_from(request.from, count);
        for entry in entries {
            // Room for two values, a block, its notarization and the
            // closing value: a response never exceeds what peers decode.
            if items.len() + 5 > MAX_RESPONSE_ITEMS {
                break;
            }
            let height = entry.block.height();
            for h in [height.saturating_sub(2), height.saturating_sub(1)] {
                if let Some(signature) = self.values.get(&h) {
                    let value = ValueMessage {
                        height: h,
                        signature: *signature,
                    };
                    let item = PspMessage::from(value);
                    if !items.contains(&item) {
                        items.push(item);
                    }
                }
            }
            // The best chain's block first, then every other notarized
            // block linked at that height: the finality rule needs all of
            // them, and one lost on the way is fetched only this way.
            let siblings = self
                .chain
                .at_height(height)
                .iter()
                .filter(|h| **h != entry.block.hash())
                .filter_map(|h| self.chain.get(h));
            for e in core::iter::once(entry).chain(siblings) {
                if items.len() + 3 > MAX_RESPONSE_ITEMS {
                    break;
                }
                items.push(PspMessage::Block(Arc::clone(&e.block)));
                items.push(PspMessage::Notarization(Notarization {
                    height,
                    block: e.block.hash(),
                    signature: e.notarization,
                }));
            }
        }
        if items.is_empty() {
            return;
        }
        let current = self.round.height;
        if let Some(signature) = self.values.get(&(current - 1)) {
            items.push(PspMessage::from(ValueMessage {
                height: current - 1,
                signature: *signature,
            }));
        }
        self.outputs.push_back(Output::Send {
            to,
            message: PspMessage::Response(Arc::new(CatchUpResponse {
                height: current,
                items,
            })),
        });
    }

    /// Takes a catch-up response: each beacon value through the beacon,
    /// each notarized block checked against its height's group, the node
    /// moved up to the top. Stops at the first item that does not verify.
    fn apply_catch_up(
        &mut self,
        now: Time,
        from: Option<ProcessId>,
        response: &CatchUpResponse<V>,
    ) {
        if from.is_some() && self.catch_up.is_some_and(|(to, _)| Some(to) == from) {
            self.catch_up = None;
        }
        let mut blocks: BTreeMap<BlockHash, Arc<Block<V>>> = BTreeMap::new();
        for item in &response.items {
            match item {
                PspMessage::Beacon(BeaconMessage::Value(v)) => {
                    if !self.values.contains_key(&v.height) {
                        self.beacon.handle_message(now, BeaconMessage::Value(*v));
                        self.pump_beacon(now);
                    }
                }
                PspMessage::Block(b) => {
                    blocks.insert(b.hash(), Arc::clone(b));
                }
                PspMessage::Notarization(n) => {
                    if n.height <= self.chain.finalized().0 || self.chain.contains(&n.block) {
                        continue;
                    }
                    let verified = self
                        .group_for(n.height)
                        .is_some_and(|g| self.checks.notarized(g.keys().group_key(), n));
                    let block = blocks.get(&n.block).filter(|b| b.height() == n.height);
                    let (true, Some(block)) = (verified, block) else {
                        return self.reject(n.height, Rejection::BadCatchUp);
                    };
                    self.link(Arc::clone(block), n.signature);
                    if n.height >= self.round.height {
                        self.round.notarized = true;
                        self.last_notarization = Some(*n);
                        self.enter_height(now, n.height + 1, false);
                    }
                }
                _ => return self.reject(response.height, Rejection::BadCatchUp),
            }
        }
        if let Some(from) = from {
            if response.height > self.round.height.saturating_add(1) {
                self.request_catch_up(now, from);
            }
        }
    }
}
