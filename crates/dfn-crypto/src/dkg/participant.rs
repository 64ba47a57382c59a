//! One member's DKG state machine (Sans-IO): signed messages and deadlines
//! in, signed messages and events out.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::sync::Arc;
use alloc::vec::Vec;

use chacha20::ChaCha20Rng;
use rand_core::{CryptoRng, SeedableRng};
use zeroize::Zeroizing;

use super::board::{Board, evidence, reject};
use super::body::{Body, Kind};
use super::check::inconsistent_shares;
use super::complaint::Complaint;
use super::config::{ConfigError, DkgConfig, Member};
use super::encryption::{DkgPublicKey, DkgSecretKey};
use super::error::{DealerFault, DecryptError};
use super::event::{DkgFailure, Event, ExclusionReason, Output, Phase, RejectReason, Rejection};
use super::evidence::Evidence;
use super::message::{RunId, SignedMessage};
use super::outcome::{DkgOutput, combine};
use crate::keys::SecretKey;
use crate::signature::MessageHash;
use crate::signature_batch::{SignedItem, invalid_signatures};
use crate::threshold::{SecretKeyShare, SecretPolynomial};
use crate::time::Time;
use crate::variant::Variant;

/// Distinct signed messages kept per sender and kind: the first, and one
/// conflicting version as evidence. Later versions are refused, which
/// bounds what a member that signs without end can make others store.
const MAX_VERSIONS: usize = 2;

/// Member `me`'s side of a DKG run. See the [module docs](super) for the
/// protocol and the host loop.
pub struct Participant<V: Variant> {
    config: Arc<DkgConfig<V>>,
    run: RunId,
    me: u32,
    signing_key: SecretKey<V>,
    decryption_key: DkgSecretKey<V>,
    rng: ChaCha20Rng,
    phase: Phase,
    /// This dealer's polynomial, kept to answer complaints.
    polynomial: Option<SecretPolynomial<V>>,
    board: Board<V>,
    /// Distinct messages seen per `(sender, kind)`.
    seen: BTreeMap<(u32, Kind), Vec<SignedMessage<V>>>,
    /// This member's shares by dealer: decrypted (checked at the end of
    /// the deal phase), or revealed in a justification.
    shares: BTreeMap<u32, SecretKeyShare<V>>,
    /// Dealers whose share to this member is faulty.
    faults: BTreeMap<u32, DealerFault>,
    /// Accepted messages of a phase not yet begun.
    pending: Vec<SignedMessage<V>>,
    /// Dealings whose signature is checked in one batch when the deal phase
    /// ends, in arrival order, at most one per sender.
    unverified: Vec<SignedMessage<V>>,
    outputs: VecDeque<Output<V>>,
}

impl<V: Variant> core::fmt::Debug for Participant<V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Participant")
            .field("me", &self.me)
            .field("phase", &self.phase)
            .finish_non_exhaustive()
    }
}

impl<V: Variant> Participant<V> {
    /// Starts member `me`'s side of the run `config` describes, at the
    /// schedule's start: deals at once (the dealing is the first output).
    /// `signing_key` and `decryption_key` must match the keys registered
    /// for `me`. The randomness for the run (the polynomial, proof nonces,
    /// batch-check weights) is drawn from a ChaCha20 generator seeded once
    /// from `rng`.
    pub fn new<R: CryptoRng + ?Sized>(
        config: Arc<DkgConfig<V>>,
        me: u32,
        signing_key: SecretKey<V>,
        decryption_key: DkgSecretKey<V>,
        rng: &mut R,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        let n = config.n();
        let member = config
            .member(me)
            .ok_or(ConfigError::NotAMember { index: me, n })?;
        if member.signing_key != signing_key.public_key()
            || member.encryption_key != decryption_key.public_key()
        {
            return Err(ConfigError::KeyMismatch(me));
        }
        let run = RunId::of_context(&config.context)
            .ok_or(ConfigError::ContextTooLong(config.context.len()))?;
        let mut seed = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(seed.as_mut());
        let mut participant = Self {
            board: Board::new(Arc::clone(&config)),
            config,
            run,
            me,
            signing_key,
            decryption_key,
            rng: ChaCha20Rng::from_seed(*seed),
            phase: Phase::Deal,
            polynomial: None,
            seen: BTreeMap::new(),
            shares: BTreeMap::new(),
            faults: BTreeMap::new(),
            pending: Vec::new(),
            unverified: Vec::new(),
            outputs: VecDeque::new(),
        };
        participant.deal()?;
        Ok(participant)
    }

    /// This member's index.
    pub fn me(&self) -> u32 {
        self.me
    }

    /// The run's id, as every envelope of the run carries it.
    pub fn run_id(&self) -> RunId {
        self.run
    }

    /// The phase the participant is in.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The next output, `None` when there is nothing to do. Drain after
    /// every input.
    pub fn poll_output(&mut self) -> Option<Output<V>> {
        self.outputs.pop_front()
    }

    /// When the current phase ends: call [`Participant::handle_timeout`]
    /// then. `None` once the run is done.
    pub fn poll_timeout(&self) -> Option<Time> {
        let schedule = &self.config.schedule;
        match self.phase {
            Phase::Deal => Some(schedule.deal_deadline()),
            Phase::Response => Some(schedule.response_deadline()),
            Phase::Justify => Some(schedule.justify_deadline()),
            Phase::Done => None,
        }
    }

    /// The host's clock reached `now`: ends every phase whose deadline has
    /// passed.
    pub fn handle_timeout(&mut self, now: Time) {
        self.advance(now);
    }

    /// Decodes `bytes` from the network and handles the message (see
    /// [`Participant::handle_message`]).
    pub fn handle_bytes(&mut self, now: Time, bytes: &[u8]) {
        match SignedMessage::from_bytes(bytes, self.config.n()) {
            Ok(message) => self.handle_message(now, message),
            Err(error) => {
                self.advance(now);
                self.outputs
                    .push_back(Output::Event(Event::Rejected(Rejection {
                        sender: None,
                        kind: None,
                        reason: RejectReason::Malformed(error),
                    })));
            }
        }
    }

    /// A message arrived at `now` (from anyone: messages are
    /// self-authenticating, so who relayed it does not matter). Deadlines
    /// up to `now` are applied first, so a message is late exactly when its
    /// phase's deadline is at or before `now`.
    pub fn handle_message(&mut self, now: Time, message: SignedMessage<V>) {
        self.advance(now);
        if let Some(message) = self.admit(message) {
            if Phase::of(message.kind()) > self.phase {
                self.pending.push(message);
            } else {
                self.process(&message);
            }
        }
        self.advance(now);
    }

    /// The checks every message passes before its content counts: run,
    /// sender, phase, duplicates, signature, equivocation, body.
    fn admit(&mut self, message: SignedMessage<V>) -> Option<SignedMessage<V>> {
        if message.run() != self.run {
            reject(&mut self.outputs, &message, RejectReason::WrongRun);
            return None;
        }
        let sender = message.sender();
        let Some(member) = self.config.member(sender) else {
            reject(
                &mut self.outputs,
                &message,
                RejectReason::NotAMember(sender),
            );
            return None;
        };
        let kind = message.kind();
        let versions = self
            .seen
            .get(&(sender, kind))
            .map_or(&[][..], Vec::as_slice);
        if versions.contains(&message) {
            reject(&mut self.outputs, &message, RejectReason::Duplicate);
            return None;
        }
        if Phase::of(kind) < self.phase {
            // A late dealing explains a dealer's absence, if it is genuine.
            if kind == Kind::Dealing
                && !self.board.has_dealing(sender)
                && message.verify(&member.signing_key)
            {
                self.board.note_late(sender);
            }
            let phase = self.phase;
            reject(
                &mut self.outputs,
                &message,
                RejectReason::Late { kind, phase },
            );
            return None;
        }
        if versions.len() >= MAX_VERSIONS {
            reject(
                &mut self.outputs,
                &message,
                RejectReason::Equivocation(kind),
            );
            return None;
        }
        if kind == Kind::Dealing && self.phase == Phase::Deal {
            return self.defer_dealing(message);
        }
        if !message.verify(&member.signing_key) {
            reject(&mut self.outputs, &message, RejectReason::BadSignature);
            return None;
        }
        self.admit_verified(message)
    }

    /// A dealing in the deal phase: the first from a sender waits, its
    /// signature unchecked, for the batch check at the end of the phase
    /// (one multi-pairing for all dealings instead of one pairing product
    /// each). A second, different one makes both be checked at once, so a
    /// forgery that arrived first cannot shadow the real dealing.
    fn defer_dealing(&mut self, message: SignedMessage<V>) -> Option<SignedMessage<V>> {
        let sender = message.sender();
        let pending = self.unverified.iter().position(|m| m.sender() == sender);
        let seen = self.seen.contains_key(&(sender, Kind::Dealing));
        match pending {
            Some(at) if self.unverified.get(at) == Some(&message) => {
                reject(&mut self.outputs, &message, RejectReason::Duplicate);
            }
            None if !seen => self.unverified.push(message),
            _ => {
                let earlier = pending.map(|at| self.unverified.remove(at));
                for m in earlier.into_iter().chain(core::iter::once(message)) {
                    if self.verify_sender(&m) {
                        if let Some(admitted) = self.admit_verified(m) {
                            self.process(&admitted);
                        }
                    } else {
                        reject(&mut self.outputs, &m, RejectReason::BadSignature);
                    }
                }
            }
        }
        None
    }

    fn verify_sender(&self, message: &SignedMessage<V>) -> bool {
        self.config
            .member(message.sender())
            .is_some_and(|m| message.verify(&m.signing_key))
    }

    /// Checks the signatures of the dealings waiting for it in one batch,
    /// then admits and processes the authentic ones in arrival order.
    fn verify_deferred(&mut self) {
        let waiting = core::mem::take(&mut self.unverified);
        let hashes: Vec<MessageHash<V>> = waiting.iter().map(SignedMessage::signing_hash).collect();
        let keys: Vec<Option<&Member<V>>> = waiting
            .iter()
            .map(|m| self.config.member(m.sender()))
            .collect();
        let items: Vec<SignedItem<'_, V>> = waiting
            .iter()
            .zip(&hashes)
            .zip(&keys)
            .filter_map(|((m, h), k)| Some((&k.as_ref()?.signing_key, h, m.signature())))
            .collect();
        // Every waiting sender is a member (checked on arrival), so the
        // positions line up.
        let invalid = if items.len() == waiting.len() {
            invalid_signatures(&items, &mut self.rng)
        } else {
            (0..waiting.len()).collect()
        };
        for (position, message) in waiting.into_iter().enumerate() {
            if invalid.binary_search(&position).is_ok() {
                reject(&mut self.outputs, &message, RejectReason::BadSignature);
            } else if let Some(admitted) = self.admit_verified(message) {
                self.process(&admitted);
            }
        }
    }

    /// What follows a good signature: record the message, handle
    /// equivocation and malformed bodies.
    fn admit_verified(&mut self, message: SignedMessage<V>) -> Option<SignedMessage<V>> {
        let (sender, kind) = (message.sender(), message.kind());
        let versions = self.seen.entry((sender, kind)).or_default();
        versions.push(message.clone());
        if let [first, second] = versions.as_slice() {
            evidence(
                &mut self.outputs,
                Evidence::Equivocation {
                    first: first.clone(),
                    second: second.clone(),
                },
            );
            // Two dealings: the dealer is out, whichever arrived first.
            // Two sets of responses or justifications: both count, so the
            // outcome does not depend on which arrived first.
            if kind == Kind::Dealing {
                self.board.disqualify(sender, ExclusionReason::Equivocation);
                reject(
                    &mut self.outputs,
                    &message,
                    RejectReason::Equivocation(kind),
                );
                return None;
            }
        }
        if let Err(error) = message.body() {
            if kind == Kind::Dealing {
                self.board.disqualify(sender, ExclusionReason::Malformed);
            }
            reject(
                &mut self.outputs,
                &message,
                RejectReason::MalformedBody(*error),
            );
            evidence(
                &mut self.outputs,
                Evidence::MalformedMessage {
                    message: message.clone(),
                },
            );
            return None;
        }
        Some(message)
    }

    /// Applies an admitted message of the current phase.
    fn process(&mut self, message: &SignedMessage<V>) {
        match message.kind() {
            Kind::Dealing => self.receive_dealing(message),
            Kind::Responses => self.board.add_responses(message, &mut self.outputs),
            Kind::Justifications => {
                if let Some(revealed) =
                    self.board
                        .add_justifications(message, self.me, &mut self.outputs)
                {
                    self.shares
                        .insert(revealed.dealer(), revealed.share().clone());
                }
            }
        }
    }

    /// Records a dealing and decrypts this member's share (checked against
    /// the commitment in one batch when the phase ends).
    fn receive_dealing(&mut self, message: &SignedMessage<V>) {
        let dealer = message.sender();
        let Some(dealing) = self.board.add_dealing(message, &mut self.outputs) else {
            return;
        };
        if dealer == self.me {
            return;
        }
        match dealing.decrypt_verified_share_unchecked(
            &self.config.context,
            self.me,
            &self.decryption_key,
        ) {
            Ok(share) => {
                self.shares.insert(dealer, share);
            }
            Err(DecryptError::Fault { fault, .. }) => {
                self.faults.insert(dealer, fault);
            }
            // The dealing passed its public checks; nothing to complain of.
            Err(DecryptError::Dealing(_)) => {}
        }
    }

    /// Signs `body`, processes it as any member's message, and broadcasts.
    fn publish(&mut self, body: Body<V>) {
        let message = SignedMessage::sign(self.run, self.me, body, &self.signing_key);
        self.seen
            .entry((self.me, message.kind()))
            .or_default()
            .push(message.clone());
        self.process(&message);
        self.outputs.push_back(Output::Broadcast(message));
    }

    fn deal(&mut self) -> Result<(), ConfigError> {
        let recipients: Vec<DkgPublicKey<V>> = self
            .config
            .members
            .iter()
            .map(|m| m.encryption_key)
            .collect();
        let (dealing, polynomial) = super::dealing::Dealing::deal(
            self.me,
            self.config.threshold,
            &recipients,
            &self.config.context,
            &mut self.rng,
        )
        .map_err(ConfigError::Deal)?;
        let own = polynomial
            .share(self.me)
            .map_err(|_| ConfigError::NotAMember {
                index: self.me,
                n: self.config.n(),
            })?;
        self.shares.insert(self.me, own);
        self.polynomial = Some(polynomial);
        self.start_phase(Phase::Deal);
        self.publish(Body::Dealing(dealing));
        Ok(())
    }

    fn start_phase(&mut self, phase: Phase) {
        self.phase = phase;
        self.outputs
            .push_back(Output::Event(Event::PhaseStarted(phase)));
    }

    /// Ends phases whose deadline is at or before `now`, or, with fast
    /// sync, whose messages are all in.
    fn advance(&mut self, now: Time) {
        let schedule = self.config.schedule;
        let fast = self.config.fast_sync;
        loop {
            match self.phase {
                Phase::Deal
                    if now >= schedule.deal_deadline()
                        || (fast
                            && self.board.all_dealt(|d| {
                                self.unverified.iter().any(|m| m.sender() == d)
                            })) =>
                {
                    self.end_deal();
                }
                Phase::Response
                    if now >= schedule.response_deadline()
                        || (fast && self.board.all_responded()) =>
                {
                    self.end_response();
                }
                Phase::Justify
                    if now >= schedule.justify_deadline()
                        || (fast && self.board.all_justified()) =>
                {
                    self.finish();
                }
                _ => return,
            }
        }
    }

    /// Checks the waiting dealings' signatures, then the decrypted shares,
    /// each in one batch, and publishes this member's complaints (none: all
    /// its shares are good).
    fn end_deal(&mut self) {
        self.verify_deferred();
        let received: Vec<_> = self
            .shares
            .iter()
            .filter(|(dealer, _)| **dealer != self.me)
            .filter_map(|(dealer, share)| Some((self.board.candidate(*dealer)?, share)))
            .collect();
        for dealer in inconsistent_shares(&received, &mut self.rng) {
            self.shares.remove(&dealer);
            self.faults.insert(dealer, DealerFault::InconsistentShare);
        }
        let mut complaints = Vec::new();
        for dealer in self.faults.keys() {
            let Some(dealing) = self.board.candidate(*dealer) else {
                continue;
            };
            if let Ok(complaint) = Complaint::create(
                dealing,
                &self.config.context,
                self.me,
                &self.decryption_key,
                &mut self.rng,
            ) {
                complaints.push(complaint);
            }
        }
        self.start_phase(Phase::Response);
        self.publish(Body::Responses(complaints));
        self.process_pending(Kind::Responses);
    }

    /// Answers the valid complaints against this member, if any, or
    /// finishes at once when nobody has one to answer.
    fn end_response(&mut self) {
        if self.board.accused().is_empty() {
            self.finish();
            return;
        }
        self.start_phase(Phase::Justify);
        let accusers = self.board.valid_accusers(self.me);
        if let (false, Some(dealing), Some(polynomial)) = (
            accusers.is_empty(),
            self.board.candidate(self.me),
            self.polynomial.as_ref(),
        ) {
            let justifications = accusers
                .iter()
                .filter_map(|accuser| dealing.justify(polynomial, *accuser).ok())
                .collect();
            self.publish(Body::Justifications(justifications));
        }
        self.process_pending(Kind::Justifications);
    }

    fn process_pending(&mut self, kind: Kind) {
        let (now, later): (Vec<_>, Vec<_>) = core::mem::take(&mut self.pending)
            .into_iter()
            .partition(|m| m.kind() == kind);
        self.pending = later;
        for message in &now {
            self.process(message);
        }
    }

    /// Decides QUAL and combines; wipes the secrets the run no longer
    /// needs.
    fn finish(&mut self) {
        self.start_phase(Phase::Done);
        let (qualified, excluded) = self.board.qualify();
        let result = self.outcome(&qualified, &excluded);
        self.polynomial = None;
        self.shares.clear();
        self.pending.clear();
        self.unverified.clear();
        self.outputs.push_back(Output::Event(Event::Qualification {
            qualified,
            excluded,
        }));
        self.outputs.push_back(Output::Event(match result {
            Ok(output) => Event::Completed(output),
            Err(failure) => Event::Failed(failure),
        }));
    }

    fn outcome(
        &self,
        qualified: &[u32],
        excluded: &BTreeMap<u32, ExclusionReason>,
    ) -> Result<DkgOutput<V>, DkgFailure> {
        let threshold = self.config.threshold;
        if qualified.len() < threshold as usize {
            return Err(DkgFailure::TooFewQualified {
                qualified: qualified.to_vec(),
                threshold,
                excluded: excluded.clone(),
            });
        }
        let responded = self.board.responders();
        if responded < threshold {
            return Err(DkgFailure::TooFewResponders {
                responded,
                threshold,
                excluded: excluded.clone(),
            });
        }
        let dealings = self.board.dealings_of(qualified);
        let shares = qualified
            .iter()
            .map(|dealer| {
                self.shares
                    .get(dealer)
                    .cloned()
                    .ok_or(DkgFailure::MissingShare(*dealer))
            })
            .collect::<Result<Vec<_>, _>>()?;
        combine(&dealings, &shares).map_err(DkgFailure::Combine)
    }
}
