//! Whole runs of the DKG state machine over a small simulated broadcast
//! network: honest members are [`Participant`]s, faulty ones are scripts
//! that send what a cheating member would. Every delivery to every member
//! gets its own random delay, so members see messages in different orders.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet, BinaryHeap};
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Reverse;

use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

use super::dealing::encrypt_shares;
use super::*;
use crate::backend::Scalar;
use crate::keys::{PublicKey, SecretKey};
use crate::threshold::{SecretPolynomial, SignatureShare, recover_signature};
use crate::time::Time;
use crate::variant::{MinPk, MinSig, ScalarOf, Suite, Variant};

const START: Time = Time::from_millis(1_000);
const PHASE_MS: u64 = 1_000;
/// Deliveries take 1..=MAX_DELAY ms: far inside a phase.
const MAX_DELAY: u64 = 50;
const CONTEXT: &[u8] = b"dfn participant test: epoch 3, group 11";

/// A group's registered keys and the secrets behind them.
struct Setup<V: Variant> {
    config: Arc<DkgConfig<V>>,
    signing: Vec<SecretKey<V>>,
    decryption: Vec<DkgSecretKey<V>>,
}

impl<V: Variant> Setup<V> {
    fn new(n: u32, t: u32, fast_sync: bool, seed: u64) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let signing: Vec<SecretKey<V>> = (0..n).map(|_| SecretKey::random(&mut rng)).collect();
        let decryption: Vec<DkgSecretKey<V>> =
            (0..n).map(|_| DkgSecretKey::random(&mut rng)).collect();
        let members = signing
            .iter()
            .zip(&decryption)
            .map(|(s, d)| Member {
                signing_key: s.public_key(),
                encryption_key: d.public_key(),
            })
            .collect();
        let config = DkgConfig {
            context: CONTEXT.to_vec(),
            threshold: t,
            members,
            schedule: Schedule {
                start: START,
                deal_ms: PHASE_MS,
                response_ms: PHASE_MS,
                justify_ms: PHASE_MS,
            },
            fast_sync,
        };
        Self {
            config: Arc::new(config),
            signing,
            decryption,
        }
    }

    fn n(&self) -> u32 {
        self.config.n()
    }

    fn t(&self) -> u32 {
        self.config.threshold
    }

    fn run(&self) -> RunId {
        RunId::of_context(CONTEXT).unwrap()
    }

    fn recipients(&self) -> Vec<DkgPublicKey<V>> {
        self.decryption
            .iter()
            .map(DkgSecretKey::public_key)
            .collect()
    }

    fn participant(&self, me: u32, seed: u64) -> Participant<V> {
        let mut rng = ChaCha20Rng::seed_from_u64(seed ^ u64::from(me) << 32);
        Participant::new(
            Arc::clone(&self.config),
            me,
            self.signing[me as usize - 1].clone(),
            self.decryption[me as usize - 1].clone(),
            &mut rng,
        )
        .unwrap()
    }

    fn sign(&self, sender: u32, body: Body<V>) -> SignedMessage<V> {
        SignedMessage::sign(self.run(), sender, body, &self.signing[sender as usize - 1])
    }

    fn deadline(&self, phase: Phase) -> Time {
        let s = self.config.schedule;
        match phase {
            Phase::Deal => s.deal_deadline(),
            Phase::Response => s.response_deadline(),
            _ => s.justify_deadline(),
        }
    }
}

/// Messages a script sends, with when.
type Sends<V> = Vec<(Time, SignedMessage<V>)>;

/// A member of the simulated network.
enum Actor<V: Variant> {
    Honest(Box<Participant<V>>),
    /// Sends these messages at these times and ignores everything.
    Scripted(Sends<V>),
}

/// What each honest member saw and ended with.
struct Outcome<V: Variant> {
    events: BTreeMap<u32, Vec<Event<V>>>,
    finished_at: BTreeMap<u32, Time>,
    bytes_broadcast: BTreeMap<u32, usize>,
}

impl<V: Variant> Outcome<V> {
    fn outputs(&self) -> BTreeMap<u32, &DkgOutput<V>> {
        self.events
            .iter()
            .map(|(member, events)| {
                let output = events
                    .iter()
                    .find_map(|e| match e {
                        Event::Completed(o) => Some(o),
                        _ => None,
                    })
                    .unwrap_or_else(|| panic!("member {member} did not complete: {events:?}"));
                (*member, output)
            })
            .collect()
    }

    fn failures(&self) -> BTreeMap<u32, &DkgFailure> {
        self.events
            .iter()
            .map(|(member, events)| {
                let failure = events
                    .iter()
                    .find_map(|e| match e {
                        Event::Failed(f) => Some(f),
                        _ => None,
                    })
                    .unwrap_or_else(|| panic!("member {member} did not fail: {events:?}"));
                (*member, failure)
            })
            .collect()
    }

    fn evidence(&self, member: u32) -> Vec<&Evidence<V>> {
        self.events[&member]
            .iter()
            .filter_map(|e| match e {
                Event::Evidence(ev) => Some(ev),
                _ => None,
            })
            .collect()
    }

    fn rejections(&self, member: u32) -> Vec<&Rejection> {
        self.events[&member]
            .iter()
            .filter_map(|e| match e {
                Event::Rejected(r) => Some(r),
                _ => None,
            })
            .collect()
    }

    /// Every honest member completed with the same group polynomial and
    /// QUAL, and each share fits the polynomial; returns the QUAL.
    fn agreed(&self) -> Vec<u32> {
        let outputs = self.outputs();
        let (_, first) = outputs.first_key_value().unwrap();
        for (member, output) in &outputs {
            assert_eq!(output.public_polynomial(), first.public_polynomial());
            assert_eq!(output.qualified(), first.qualified());
            assert_eq!(output.share().index(), *member);
            assert!(output.public_polynomial().verify_share(output.share()));
        }
        first.qualified().to_vec()
    }
}

/// The broadcast network: every message reaches every other member after
/// its own random delay.
struct Network<V: Variant> {
    members: Vec<u32>,
    delays: ChaCha20Rng,
    messages: Vec<SignedMessage<V>>,
    /// (arrival, sequence, recipient, message index)
    queue: BinaryHeap<Reverse<(Time, u64, u32, usize)>>,
    sequence: u64,
    outcome: Outcome<V>,
}

impl<V: Variant> Network<V> {
    fn broadcast(&mut self, from: u32, sent: Time, message: SignedMessage<V>) {
        *self.outcome.bytes_broadcast.entry(from).or_default() += message.as_bytes().len();
        self.messages.push(message);
        for to in &self.members {
            if *to != from {
                let arrival = sent + 1 + self.delays.next_u64() % MAX_DELAY;
                self.queue.push(Reverse((
                    arrival,
                    self.sequence,
                    *to,
                    self.messages.len() - 1,
                )));
                self.sequence += 1;
            }
        }
    }

    fn drain(&mut self, member: u32, now: Time, participant: &mut Participant<V>) {
        while let Some(output) = participant.poll_output() {
            match output {
                Output::Broadcast(message) => self.broadcast(member, now, message),
                Output::Event(event) => {
                    if matches!(event, Event::Completed(_) | Event::Failed(_)) {
                        self.outcome.finished_at.insert(member, now);
                    }
                    self.outcome.events.entry(member).or_default().push(event);
                }
            }
        }
    }
}

/// Runs the network until nothing is left to happen; `delay_seed` drives
/// the per-delivery delays.
fn simulate<V: Variant>(mut actors: BTreeMap<u32, Actor<V>>, delay_seed: u64) -> Outcome<V> {
    let mut net = Network {
        members: actors.keys().copied().collect(),
        delays: ChaCha20Rng::seed_from_u64(delay_seed),
        messages: Vec::new(),
        queue: BinaryHeap::new(),
        sequence: 0,
        outcome: Outcome {
            events: BTreeMap::new(),
            finished_at: BTreeMap::new(),
            bytes_broadcast: BTreeMap::new(),
        },
    };
    for (member, actor) in actors.iter_mut() {
        match actor {
            Actor::Honest(p) => net.drain(*member, START, p),
            // Pop from the back: latest first in the vector.
            Actor::Scripted(script) => script.sort_by_key(|(t, _)| Reverse(*t)),
        }
    }
    loop {
        let next_timer = actors
            .iter()
            .filter_map(|(m, a)| match a {
                Actor::Honest(p) => p.poll_timeout().map(|t| (t, *m)),
                Actor::Scripted(script) => script.last().map(|(t, _)| (*t, *m)),
            })
            .min();
        let next_delivery = net.queue.peek().map(|Reverse((t, ..))| *t);
        match (next_timer, next_delivery) {
            (None, None) => break,
            (Some((t, member)), d) if d.is_none_or(|d| t <= d) => {
                match actors.get_mut(&member).unwrap() {
                    Actor::Honest(p) => {
                        p.handle_timeout(t);
                        net.drain(member, t, p);
                    }
                    Actor::Scripted(script) => {
                        let (_, message) = script.pop().unwrap();
                        net.broadcast(member, t, message);
                    }
                }
            }
            _ => {
                let Reverse((t, _, to, index)) = net.queue.pop().unwrap();
                if let Actor::Honest(p) = actors.get_mut(&to).unwrap() {
                    p.handle_message(t, net.messages[index].clone());
                    net.drain(to, t, p);
                }
            }
        }
    }
    net.outcome
}

/// How a scripted member misbehaves (or not).
#[derive(Clone, Debug)]
enum Script {
    /// Deals and responds honestly (a target for false complaints).
    Honest,
    /// Sends nothing.
    Silent,
    /// Encrypts wrong shares to `to`; reveals the right ones when accused
    /// if `justify`.
    BadShares { to: Vec<u32>, justify: bool },
    /// Commits to another polynomial than the one it shares; "justifies"
    /// with shares of the one it shared.
    OtherCommitment { accusers: Vec<u32> },
    /// Commits to `t − 1` coefficients.
    ShortCommitment,
    /// Signs two different dealings.
    Equivocation,
    /// Signs a dealing body that does not decode.
    Malformed,
    /// Deals honestly, after the deal phase.
    Late,
    /// Deals honestly and never responds.
    Mute,
}

/// The messages member `me` sends under `script`, and its dealing (for
/// members that deal decodably).
fn script<V: Variant>(
    setup: &Setup<V>,
    me: u32,
    script: &Script,
    seed: u64,
) -> (Sends<V>, Option<Dealing<V>>) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed ^ 0xbad ^ u64::from(me) << 40);
    let (t, recipients) = (setup.t(), setup.recipients());
    let (honest, poly) = Dealing::deal(me, t, &recipients, CONTEXT, &mut rng).unwrap();
    let respond_at = setup.deadline(Phase::Deal) + 1;
    let justify_at = setup.deadline(Phase::Response) + 1;
    let respond = (respond_at, setup.sign(me, Body::Responses(vec![])));
    let justify = |accusers: &[u32], poly: &SecretPolynomial<V>, dealing: &Dealing<V>| {
        let list = accusers
            .iter()
            .map(|a| dealing.justify(poly, *a).unwrap())
            .collect();
        (justify_at, setup.sign(me, Body::Justifications(list)))
    };
    let deal = |dealing: &Dealing<V>| (START, setup.sign(me, Body::Dealing(dealing.clone())));
    match script {
        Script::Honest => (vec![deal(&honest), respond], Some(honest)),
        Script::Silent => (vec![], None),
        Script::Mute => (vec![deal(&honest)], Some(honest)),
        Script::Late => (
            vec![(setup.deadline(Phase::Deal) + 10, deal(&honest).1), respond],
            Some(honest),
        ),
        Script::BadShares {
            to,
            justify: answer,
        } => {
            let one = ScalarOf::<V>::from_u64(1);
            let bad = encrypt_shares(
                me,
                poly.commitment(),
                |j| {
                    let share = poly.evaluate(j);
                    if to.contains(&j) {
                        share.add(&one)
                    } else {
                        share
                    }
                },
                &recipients,
                CONTEXT,
                &mut rng,
            )
            .unwrap();
            let mut sends = vec![deal(&bad), respond];
            if *answer {
                sends.push(justify(to, &poly, &bad));
            }
            (sends, Some(bad))
        }
        Script::OtherCommitment { accusers } => {
            let other = SecretPolynomial::<V>::random(t, &mut rng).unwrap();
            let bad = encrypt_shares(
                me,
                other.commitment(),
                |j| poly.evaluate(j),
                &recipients,
                CONTEXT,
                &mut rng,
            )
            .unwrap();
            let revealed = accusers
                .iter()
                .map(|a| Justification::new(me, poly.share(*a).unwrap()))
                .collect();
            let sends = vec![
                deal(&bad),
                respond,
                (justify_at, setup.sign(me, Body::Justifications(revealed))),
            ];
            (sends, Some(bad))
        }
        Script::ShortCommitment => {
            let (short, _) = Dealing::deal(me, t - 1, &recipients, CONTEXT, &mut rng).unwrap();
            (vec![deal(&short), respond], Some(short))
        }
        Script::Equivocation => {
            let (second, _) = Dealing::deal(me, t, &recipients, CONTEXT, &mut rng).unwrap();
            (vec![deal(&honest), deal(&second), respond], Some(honest))
        }
        Script::Malformed => {
            let mut body = honest.to_bytes();
            body.truncate(body.len() - 1);
            let message = sign_raw(setup, me, Kind::Dealing.tag(), &body);
            (vec![(START, message), respond], None)
        }
    }
}

/// An envelope built from the documented layout by hand (not by
/// [`SignedMessage::sign`]), so any body can be signed.
fn sign_raw<V: Variant>(setup: &Setup<V>, sender: u32, tag: u8, body: &[u8]) -> SignedMessage<V> {
    let mut bytes = vec![1, tag];
    bytes.extend_from_slice(&setup.run().0);
    bytes.extend_from_slice(&sender.to_be_bytes());
    bytes.extend_from_slice(&(body.len() as u32).to_be_bytes());
    bytes.extend_from_slice(body);
    let signed = [b"DFN-DKG-V1".as_slice(), &bytes].concat();
    let signature = setup.signing[sender as usize - 1].sign(Suite::ProofOfPossession, &signed);
    bytes.extend_from_slice(signature.to_bytes().as_ref());
    SignedMessage::from_bytes(&bytes, setup.n()).unwrap()
}

/// Honest participants for every member without a script.
fn actors<V: Variant>(
    setup: &Setup<V>,
    scripts: &BTreeMap<u32, Sends<V>>,
    seed: u64,
) -> BTreeMap<u32, Actor<V>> {
    (1..=setup.n())
        .map(|m| {
            let actor = match scripts.get(&m) {
                Some(sends) => Actor::Scripted(sends.clone()),
                None => Actor::Honest(Box::new(setup.participant(m, seed))),
            };
            (m, actor)
        })
        .collect()
}

fn scripts<V: Variant>(
    setup: &Setup<V>,
    faults: &[(u32, Script)],
    seed: u64,
) -> BTreeMap<u32, Sends<V>> {
    faults
        .iter()
        .map(|(m, s)| (*m, script(setup, *m, s, seed).0))
        .collect()
}

/// `t` honest members sign a message with their shares; the recovered
/// signature verifies under the group key.
fn check_threshold_signature<V: Variant>(setup: &Setup<V>, outcome: &Outcome<V>) {
    let outputs = outcome.outputs();
    let msg = b"signed by the group the DKG made";
    let shares: Vec<SignatureShare<V>> = outputs
        .values()
        .take(setup.t() as usize)
        .map(|o| o.share().sign(Suite::Basic, msg))
        .collect();
    assert_eq!(
        shares.len(),
        setup.t() as usize,
        "fewer than t honest members"
    );
    let signature = recover_signature(setup.t(), &shares).unwrap();
    let group_key: PublicKey<V> = outputs.values().next().unwrap().group_key();
    assert!(group_key.verify(Suite::Basic, msg, &signature));
}

/// Every member's evidence verifies and names the expected culprits.
fn check_evidence<V: Variant>(setup: &Setup<V>, outcome: &Outcome<V>, culprits: &[u32]) {
    for member in outcome.outputs().keys() {
        let found: BTreeSet<u32> = outcome
            .evidence(*member)
            .iter()
            .map(|e| {
                assert!(
                    e.verify(&setup.config),
                    "member {member}: {e:?} does not verify"
                );
                e.culprit()
            })
            .collect();
        assert_eq!(found, culprits.iter().copied().collect(), "member {member}");
    }
}

fn exclusions<V: Variant>(outcome: &Outcome<V>) -> BTreeMap<u32, ExclusionReason> {
    let mut all = outcome.events.values().map(|events| {
        events
            .iter()
            .find_map(|e| match e {
                Event::Qualification { excluded, .. } => Some(excluded.clone()),
                _ => None,
            })
            .unwrap()
    });
    let first = all.next().unwrap();
    assert!(all.all(|e| e == first), "members disagree on exclusions");
    first
}

fn honest_run<V: Variant>() {
    let setup = Setup::<V>::new(7, 4, false, 1);
    let outcome = simulate(actors(&setup, &BTreeMap::new(), 1), 1);
    assert_eq!(outcome.agreed(), (1..=7).collect::<Vec<_>>());
    assert!(exclusions(&outcome).is_empty());
    check_threshold_signature(&setup, &outcome);
    check_evidence(&setup, &outcome, &[]);
    for member in 1..=7 {
        assert!(
            outcome.rejections(member).is_empty(),
            "{:?}",
            outcome.rejections(member)
        );
        // Every member finishes at the response deadline: nobody had
        // anything to justify.
        assert_eq!(
            outcome.finished_at[&member],
            setup.deadline(Phase::Response)
        );
    }
    // Dealing + empty responses per member, exactly.
    let dealing = Dealing::<V>::encoded_len(7, 4) as usize;
    let sig = <V::SignaturePoint as crate::backend::Point>::COMPRESSED_LEN;
    let expected = (42 + dealing + sig) + (42 + 4 + sig);
    assert!(outcome.bytes_broadcast.values().all(|b| *b == expected));
}

fn fast_sync_finishes_early<V: Variant>() {
    let setup = Setup::<V>::new(7, 4, true, 2);
    let outcome = simulate(actors(&setup, &BTreeMap::new(), 2), 2);
    assert_eq!(outcome.agreed().len(), 7);
    for at in outcome.finished_at.values() {
        // Two rounds of messages, each at most MAX_DELAY.
        assert!(*at <= START + 2 * MAX_DELAY, "finished at {at}");
    }
}

/// Silent, late, invalid (short commitment) and wrong-share dealers; the
/// last answers its complaints and stays.
fn silent_late_invalid_and_justified_dealers<V: Variant>() {
    let setup = Setup::<V>::new(10, 6, false, 3);
    let faults = [
        (7, Script::ShortCommitment),
        (8, Script::Late),
        (
            9,
            Script::BadShares {
                to: vec![1, 2],
                justify: true,
            },
        ),
        (10, Script::Silent),
    ];
    let outcome = simulate(actors(&setup, &scripts(&setup, &faults, 3), 3), 3);
    assert_eq!(outcome.agreed(), vec![1, 2, 3, 4, 5, 6, 9]);
    let excluded = exclusions(&outcome);
    assert_eq!(
        excluded,
        BTreeMap::from([
            (7, ExclusionReason::InvalidDealing),
            (8, ExclusionReason::Late),
            (10, ExclusionReason::Silent),
        ])
    );
    check_threshold_signature(&setup, &outcome);
    check_evidence(&setup, &outcome, &[7, 9]);
}

/// Equivocation, a commitment to another polynomial, wrong shares left
/// unanswered, and a malformed dealing: all four excluded.
fn equivocating_lying_unanswering_and_malformed_dealers<V: Variant>() {
    let setup = Setup::<V>::new(10, 6, false, 4);
    let faults = [
        (7, Script::Malformed),
        (
            8,
            Script::BadShares {
                to: vec![3],
                justify: false,
            },
        ),
        (
            9,
            Script::OtherCommitment {
                accusers: (1..=6).collect(),
            },
        ),
        (10, Script::Equivocation),
    ];
    let outcome = simulate(actors(&setup, &scripts(&setup, &faults, 4), 4), 4);
    assert_eq!(outcome.agreed(), vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(
        exclusions(&outcome),
        BTreeMap::from([
            (7, ExclusionReason::Malformed),
            (8, ExclusionReason::Unanswered(vec![3])),
            (9, ExclusionReason::BadJustification((1..=6).collect())),
            (10, ExclusionReason::Equivocation),
        ])
    );
    check_threshold_signature(&setup, &outcome);
    check_evidence(&setup, &outcome, &[7, 8, 9, 10]);
}

/// A member falsely accuses an honest dealer: the dealer stays, the
/// accuser is named in evidence (and keeps its own honest dealing in).
fn false_complaint<V: Variant>() {
    let setup = Setup::<V>::new(7, 4, false, 5);
    let (target_sends, target) = script(&setup, 7, &Script::Honest, 5);
    let (mut accuser_sends, _) = script(&setup, 6, &Script::Honest, 5);
    let mut rng = ChaCha20Rng::seed_from_u64(55);
    let lie =
        Complaint::create(&target.unwrap(), CONTEXT, 6, &setup.decryption[5], &mut rng).unwrap();
    accuser_sends[1].1 = setup.sign(6, Body::Responses(vec![lie]));
    let scripts = BTreeMap::from([(6, accuser_sends), (7, target_sends)]);
    let outcome = simulate(actors(&setup, &scripts, 5), 5);
    assert_eq!(outcome.agreed(), (1..=7).collect::<Vec<_>>());
    check_threshold_signature(&setup, &outcome);
    check_evidence(&setup, &outcome, &[6]);
    for member in 1..=5 {
        assert!(matches!(
            outcome.evidence(member)[..],
            [Evidence::FalseComplaint { .. }]
        ));
    }
}

/// `n − t` dealers faulty in the same way, for every way: the run
/// completes, and exactly the dealers the rules exclude are out.
fn n_minus_t_faulty_of_each_kind<V: Variant>() {
    let honest: Vec<u32> = (1..=6).collect();
    let faulty = 7..=10;
    let kinds: Vec<(Script, Option<ExclusionReason>)> = vec![
        (Script::Silent, Some(ExclusionReason::Silent)),
        (Script::Late, Some(ExclusionReason::Late)),
        (Script::Malformed, Some(ExclusionReason::Malformed)),
        (
            Script::ShortCommitment,
            Some(ExclusionReason::InvalidDealing),
        ),
        (Script::Equivocation, Some(ExclusionReason::Equivocation)),
        (
            Script::BadShares {
                to: vec![2, 5],
                justify: false,
            },
            Some(ExclusionReason::Unanswered(vec![2, 5])),
        ),
        (
            Script::BadShares {
                to: vec![2, 5],
                justify: true,
            },
            None,
        ),
        (
            Script::OtherCommitment {
                accusers: honest.clone(),
            },
            Some(ExclusionReason::BadJustification(honest.clone())),
        ),
        (Script::Mute, None),
    ];
    for (round, (kind, reason)) in kinds.into_iter().enumerate() {
        let seed = 100 + round as u64;
        let setup = Setup::<V>::new(10, 6, false, seed);
        let faults: Vec<_> = faulty.clone().map(|m| (m, kind.clone())).collect();
        let outcome = simulate(actors(&setup, &scripts(&setup, &faults, seed), seed), seed);
        let expected: BTreeMap<u32, ExclusionReason> = match &reason {
            Some(reason) => faulty.clone().map(|m| (m, reason.clone())).collect(),
            None => BTreeMap::new(),
        };
        assert_eq!(exclusions(&outcome), expected, "{kind:?}");
        let qualified: Vec<u32> = (1..=10).filter(|d| !expected.contains_key(d)).collect();
        assert_eq!(outcome.agreed(), qualified, "{kind:?}");
        check_threshold_signature(&setup, &outcome);
        for member in outcome.outputs().keys() {
            for evidence in outcome.evidence(*member) {
                assert!(evidence.verify(&setup.config));
                assert!(
                    faulty.contains(&evidence.culprit()),
                    "{kind:?}: {evidence:?}"
                );
            }
        }
    }
}

/// More than `n − t` silent dealers: the run fails and says who and why.
fn too_few_qualified<V: Variant>() {
    let setup = Setup::<V>::new(7, 4, false, 6);
    let faults: Vec<_> = (4..=7).map(|m| (m, Script::Silent)).collect();
    let outcome = simulate(actors(&setup, &scripts(&setup, &faults, 6), 6), 6);
    for failure in outcome.failures().values() {
        assert_eq!(
            **failure,
            DkgFailure::TooFewQualified {
                qualified: vec![1, 2, 3],
                threshold: 4,
                excluded: (4..=7).map(|m| (m, ExclusionReason::Silent)).collect(),
            }
        );
    }
}

/// Enough good dealings, too few members responding.
fn too_few_responders<V: Variant>() {
    let setup = Setup::<V>::new(7, 4, false, 7);
    let faults: Vec<_> = (4..=7).map(|m| (m, Script::Mute)).collect();
    let outcome = simulate(actors(&setup, &scripts(&setup, &faults, 7), 7), 7);
    for failure in outcome.failures().values() {
        assert_eq!(
            **failure,
            DkgFailure::TooFewResponders {
                responded: 3,
                threshold: 4,
                excluded: BTreeMap::new(),
            }
        );
    }
}

/// Table-driven: one participant, one input each, the rejection expected.
fn rejections<V: Variant>() {
    let setup = Setup::<V>::new(4, 3, false, 8);
    let other_run = RunId::of_context(b"another run").unwrap();
    let (dealing2, _) = Dealing::<V>::deal(
        2,
        3,
        &setup.recipients(),
        CONTEXT,
        &mut ChaCha20Rng::seed_from_u64(9),
    )
    .unwrap();
    let good = setup.sign(2, Body::Dealing(dealing2.clone()));
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let poly2 = SecretPolynomial::<V>::random(3, &mut rng).unwrap();
    let one = ScalarOf::<V>::from_u64(1);
    let cheating2 = encrypt_shares(
        2,
        poly2.commitment(),
        |j| {
            if j == 1 {
                poly2.evaluate(j).add(&one)
            } else {
                poly2.evaluate(j)
            }
        },
        &setup.recipients(),
        CONTEXT,
        &mut rng,
    )
    .unwrap();
    let forged = SignedMessage::sign(
        setup.run(),
        2,
        Body::Dealing(dealing2.clone()),
        &setup.signing[2],
    );
    let cases: Vec<(&str, Sends<V>, RejectReason)> = vec![
        (
            "another run",
            vec![(
                START,
                SignedMessage::sign(
                    other_run,
                    2,
                    Body::Dealing(dealing2.clone()),
                    &setup.signing[1],
                ),
            )],
            RejectReason::WrongRun,
        ),
        (
            "not a member",
            vec![(
                START,
                SignedMessage::sign(setup.run(), 9, Body::Responses(vec![]), &setup.signing[1]),
            )],
            RejectReason::NotAMember(9),
        ),
        (
            "forged signature",
            vec![(START, forged.clone())],
            RejectReason::BadSignature,
        ),
        (
            // A forgery first cannot shadow the real dealing: the second
            // arrival makes both be checked, and only the forgery goes.
            "forgery before the real dealing",
            vec![(START, forged), (START + 1, good.clone())],
            RejectReason::BadSignature,
        ),
        (
            "duplicate",
            vec![(START, good.clone()), (START + 1, good.clone())],
            RejectReason::Duplicate,
        ),
        (
            "late dealing",
            vec![(setup.deadline(Phase::Deal), good.clone())],
            RejectReason::Late {
                kind: Kind::Dealing,
                phase: Phase::Response,
            },
        ),
        (
            "dealing from another sender",
            vec![(
                START,
                sign_raw(&setup, 3, Kind::Dealing.tag(), &dealing2.to_bytes()),
            )],
            RejectReason::MalformedBody(BodyError::NotFromSender {
                item: 0,
                claimed: 2,
                sender: 3,
            }),
        ),
        (
            // Dealer 2 cheats member 1, so there is a justification phase;
            // then it "answers" member 3, who never complained.
            "unsolicited justification",
            vec![
                (START, setup.sign(2, Body::Dealing(cheating2.clone()))),
                (
                    setup.deadline(Phase::Response),
                    setup.sign(
                        2,
                        Body::Justifications(vec![cheating2.justify(&poly2, 3).unwrap()]),
                    ),
                ),
            ],
            RejectReason::UnsolicitedJustification { accuser: 3 },
        ),
    ];
    for (name, inputs, expected) in cases {
        let mut p = setup.participant(1, 8);
        let mut rejected = Vec::new();
        for (now, message) in inputs {
            p.handle_message(now, message);
        }
        // Dealings' signatures are checked when the deal phase ends.
        p.handle_timeout(setup.deadline(Phase::Deal));
        while let Some(output) = p.poll_output() {
            if let Output::Event(Event::Rejected(r)) = output {
                rejected.push(r.reason);
            }
        }
        assert_eq!(rejected, vec![expected], "{name}");
    }
    // Bytes that are no envelope at all.
    let mut p = setup.participant(1, 8);
    p.handle_bytes(START, &[1, 0x11, 0]);
    let rejected: Vec<_> = core::iter::from_fn(|| p.poll_output())
        .filter_map(|o| match o {
            Output::Event(Event::Rejected(r)) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(
        rejected,
        vec![Rejection {
            sender: None,
            kind: None,
            reason: RejectReason::Malformed(EnvelopeError::Truncated(3))
        }]
    );
}

/// Evidence does not verify once relabelled or under another run.
fn evidence_is_checked<V: Variant>() {
    let setup = Setup::<V>::new(7, 4, false, 5);
    let (target_sends, target) = script(&setup, 7, &Script::Honest, 5);
    let mut rng = ChaCha20Rng::seed_from_u64(55);
    let lie =
        Complaint::create(&target.unwrap(), CONTEXT, 6, &setup.decryption[5], &mut rng).unwrap();
    let dealing = target_sends[0].1.clone();
    let responses = setup.sign(6, Body::Responses(vec![lie]));
    let truth = Evidence::FalseComplaint {
        dealing: dealing.clone(),
        responses: responses.clone(),
    };
    assert!(truth.verify(&setup.config));
    assert_eq!(truth.culprit(), 6);
    assert!(
        !Evidence::DealerFault {
            dealing: dealing.clone(),
            responses: responses.clone()
        }
        .verify(&setup.config)
    );
    assert!(
        !Evidence::InvalidComplaint {
            dealing: dealing.clone(),
            responses
        }
        .verify(&setup.config)
    );
    assert!(
        !Evidence::Equivocation {
            first: dealing.clone(),
            second: dealing.clone()
        }
        .verify(&setup.config)
    );
    let mut other = (*setup.config).clone();
    other.context = b"another run".to_vec();
    assert!(!truth.verify(&other));
}

macro_rules! both_variants {
    ($($name:ident),* $(,)?) => {
        mod min_sig {
            $(#[test] fn $name() { super::$name::<super::MinSig>(); })*
        }
        mod min_pk {
            $(#[test] fn $name() { super::$name::<super::MinPk>(); })*
        }
    };
}

both_variants!(
    honest_run,
    fast_sync_finishes_early,
    silent_late_invalid_and_justified_dealers,
    equivocating_lying_unanswering_and_malformed_dealers,
    false_complaint,
    n_minus_t_faulty_of_each_kind,
    too_few_qualified,
    too_few_responders,
    rejections,
    evidence_is_checked,
);

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// Whatever order messages arrive in, every honest member ends with
    /// the group key of the reference run (same dealers' randomness, other
    /// delays), faulty dealers included.
    #[test]
    fn group_key_is_independent_of_arrival_order(delay_seed in any::<u64>()) {
        let setup = Setup::<MinSig>::new(7, 4, false, 10);
        let faults = [
            (6, Script::BadShares { to: vec![1, 4], justify: true }),
            (7, Script::Equivocation),
        ];
        let scripts = scripts(&setup, &faults, 10);
        let reference = simulate(actors(&setup, &scripts, 10), 0);
        let shuffled = simulate(actors(&setup, &scripts, 10), delay_seed);
        prop_assert_eq!(shuffled.agreed(), vec![1, 2, 3, 4, 5, 6]);
        let key = |o: &Outcome<MinSig>| o.outputs().values().next().unwrap().group_key();
        prop_assert_eq!(key(&reference), key(&shuffled));
    }
}
