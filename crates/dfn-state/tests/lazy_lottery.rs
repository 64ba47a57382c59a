//! Lazy validation of queries and lottery charging: audit and win
//! frequencies against `p` and `1/M`, the cheater's expected loss, exact
//! accounting, solvency rules, typed errors, determinism.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::collections::BTreeMap;

use dfn_crypto::{MinSig, PublicKey, SecretKey, Signature, Suite};
use dfn_state::lazy::{
    ANSWER_DOMAIN, Answer, AnswerVerifier, AuditRate, LazyConfig, LazyError, LazyEvent,
    LazyValidator, SignedAnswer, is_audited,
};
use dfn_state::lottery::{
    LotteryAccount, LotteryConfig, LotteryError, LotteryEvent, LotteryLedger, OpKind, Operation,
    ticket_wins,
};
use dfn_state::rlp::Encode;
use dfn_state::{Address, B256, U256, keccak256};
use proptest::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

fn h(tag: &str, i: u64) -> B256 {
    let mut preimage = tag.as_bytes().to_vec();
    preimage.extend_from_slice(&i.to_be_bytes());
    keccak256(preimage)
}

/// A random 32-byte value (ChaCha8 is far cheaper than hashing in debug
/// builds, which matters for the statistical tests).
fn random_b256(rng: &mut ChaCha8Rng) -> B256 {
    let mut value = [0u8; 32];
    rng.fill_bytes(&mut value);
    B256(value)
}

/// `|measured − expected| ≤ z·σ` for a binomial count.
fn assert_binomial(label: &str, hits: u64, trials: u64, p: f64, z: f64) {
    let expected = p * trials as f64;
    let sigma = (trials as f64 * p * (1.0 - p)).sqrt();
    let measured = hits as f64 / trials as f64;
    println!(
        "{label}: {hits} of {trials} = {measured:.5}, expected {p:.5}, |diff| = {:.2} σ",
        (hits as f64 - expected).abs() / sigma
    );
    assert!(
        (hits as f64 - expected).abs() <= z * sigma,
        "{label}: {hits} hits of {trials}, expected {expected} ± {z}·{sigma}"
    );
}

// ---- lazy validation ----

/// The host's verifier: BLS MinSig (dfn-crypto) over the answer message.
struct BlsAnswerers(BTreeMap<Address, PublicKey<MinSig>>);

impl AnswerVerifier for BlsAnswerers {
    fn verify(&self, answerer: &Address, message: &[u8], signature: &[u8]) -> bool {
        let Some(key) = self.0.get(answerer) else {
            return false;
        };
        Signature::<MinSig>::from_bytes(signature)
            .is_ok_and(|sig| key.verify(Suite::Basic, message, &sig))
    }
}

fn secret(i: u8) -> SecretKey<MinSig> {
    let mut bytes = [0u8; 32];
    bytes[31] = i;
    bytes[0] = 0x11;
    SecretKey::from_bytes(&bytes).unwrap()
}

fn sign(key: &SecretKey<MinSig>, answerer: Address, answer: Answer) -> SignedAnswer {
    let signature = key.sign(Suite::Basic, &answer.signing_message());
    SignedAnswer {
        answer,
        answerer,
        signature: signature.to_bytes().as_ref().to_vec(),
    }
}

fn answer(i: u64, result: &str) -> Answer {
    Answer {
        query_hash: h("query", i),
        result_hash: keccak256(result),
        shard: 3,
        height: 10,
        state_root: h("root", 10),
    }
}

const ALICE: Address = Address([0xa1; 20]);
const MALLORY: Address = Address([0x66; 20]);

fn lazy_config() -> LazyConfig {
    LazyConfig {
        rate: AuditRate::new(1, 4).unwrap(),
        delay: 2,
        deposit: 400,
        max_gain: 100,
    }
}

fn validator() -> (
    LazyValidator<BlsAnswerers>,
    SecretKey<MinSig>,
    SecretKey<MinSig>,
) {
    let (alice, mallory) = (secret(1), secret(2));
    let keys = BlsAnswerers(BTreeMap::from([
        (ALICE, alice.public_key()),
        (MALLORY, mallory.public_key()),
    ]));
    let mut v = LazyValidator::new(keys, lazy_config()).unwrap();
    v.add_deposit(ALICE, 400).unwrap();
    v.add_deposit(MALLORY, 1000).unwrap();
    (v, alice, mallory)
}

#[test]
fn signed_answers_are_checked_committed_and_audited() {
    let (mut v, alice, mallory) = validator();
    let signed = sign(&alice, ALICE, answer(1, "42"));
    assert!(signed.answer.signing_message().starts_with(ANSWER_DOMAIN));

    // Signed by someone else, or altered after signing: refused.
    let forged = sign(&mallory, ALICE, answer(1, "42"));
    assert_eq!(
        v.commit(forged, 11),
        Err(LazyError::BadSignature { answerer: ALICE })
    );
    let mut altered = signed.clone();
    altered.answer.result_hash = keccak256("43");
    assert!(matches!(
        v.commit(altered, 11),
        Err(LazyError::BadSignature { .. })
    ));
    let mut garbage = signed.clone();
    garbage.signature = vec![0xff; 7];
    assert!(matches!(
        v.commit(garbage, 11),
        Err(LazyError::BadSignature { .. })
    ));
    // Committed in the block of the answered state itself: too early.
    assert_eq!(
        v.commit(signed.clone(), 10),
        Err(LazyError::CommittedTooEarly {
            answer_height: 10,
            block_height: 10
        })
    );

    let id = v.commit(signed.clone(), 11).unwrap();
    assert_eq!(id, signed.hash());
    assert_eq!(
        v.commit(signed.clone(), 11),
        Err(LazyError::DuplicateAnswer { answer: id })
    );
    // Decided by the beacon of height 13 (δ = 2); beacons come in order.
    assert_eq!(
        v.resolve(1, &B256::ZERO),
        Err(LazyError::BeaconOutOfOrder {
            expected: 0,
            found: 1
        })
    );
    let beacon13 = (0u64..)
        .map(|i| h("beacon", i))
        .find(|r| is_audited(r, &id, lazy_config().rate))
        .unwrap();
    for height in 0..13 {
        v.resolve(height, &h("other", height)).unwrap();
    }
    assert_eq!(v.poll_output(), None);
    v.resolve(13, &beacon13).unwrap();
    assert_eq!(
        v.poll_output(),
        Some(LazyEvent::AuditSelected {
            answer: id,
            query_hash: signed.answer.query_hash,
            state_root: signed.answer.state_root
        })
    );
    // Re-execution agrees: the deposit stays.
    v.handle_audit(&id, &keccak256("42")).unwrap();
    assert_eq!(
        v.poll_output(),
        Some(LazyEvent::AuditPassed {
            answer: id,
            answerer: ALICE
        })
    );
    assert_eq!(v.deposit_of(&ALICE), 400);
    assert_eq!(
        v.handle_audit(&id, &keccak256("42")),
        Err(LazyError::UnknownAudit { answer: id })
    );
    // Committing now for a beacon already seen is refused.
    let late = sign(&alice, ALICE, answer(2, "7"));
    assert_eq!(
        v.commit(late, 11),
        Err(LazyError::StaleCommitment {
            height: 11,
            next: 14
        })
    );
}

#[test]
fn a_failed_audit_forfeits_the_deposit() {
    let (mut v, _, mallory) = validator();
    let lie = sign(&mallory, MALLORY, answer(5, "wrong"));
    let id = v.commit(lie, 11).unwrap();
    let beacon = (0u64..)
        .map(|i| h("beacon", i))
        .find(|r| is_audited(r, &id, lazy_config().rate))
        .unwrap();
    for height in 0..13 {
        v.resolve(height, &h("other", height)).unwrap();
    }
    v.resolve(13, &beacon).unwrap();
    v.poll_output();
    v.handle_audit(&id, &keccak256("right")).unwrap();
    assert_eq!(
        v.poll_output(),
        Some(LazyEvent::Forfeited {
            answer: id,
            answerer: MALLORY,
            amount: 400
        })
    );
    assert_eq!(v.deposit_of(&MALLORY), 600);
    // A second failed audit takes another S; with less than S left, the
    // answerer may commit nothing more.
    let lie = sign(&mallory, MALLORY, answer(6, "wrong"));
    let id = v.commit(lie, 14).unwrap();
    let beacon = (0u64..)
        .map(|i| h("beacon", i))
        .find(|r| is_audited(r, &id, lazy_config().rate))
        .unwrap();
    v.resolve(14, &h("other", 14)).unwrap();
    v.resolve(15, &h("other", 15)).unwrap();
    v.resolve(16, &beacon).unwrap();
    v.poll_output();
    v.handle_audit(&id, &keccak256("right")).unwrap();
    assert_eq!(v.deposit_of(&MALLORY), 200);
    assert_eq!(
        v.commit(sign(&mallory, MALLORY, answer(7, "a")), 17),
        Err(LazyError::InsufficientDeposit {
            answerer: MALLORY,
            held: 200,
            required: 400
        })
    );
}

#[test]
fn the_deposit_rule_and_rates_are_checked() {
    assert_eq!(AuditRate::new(0, 5), Err(LazyError::InvalidRate));
    assert_eq!(AuditRate::new(6, 5), Err(LazyError::InvalidRate));
    let mut config = lazy_config();
    config.deposit = 399; // p·S = 99.75 < G = 100
    assert_eq!(
        config.check(),
        Err(LazyError::DepositTooSmall {
            deposit: 399,
            max_gain: 100
        })
    );
    config.deposit = 400;
    assert_eq!(config.check(), Ok(()));
    config.delay = 0;
    assert_eq!(config.check(), Err(LazyError::ZeroDelay));
    // p = 1 audits everything.
    let all = AuditRate::new(7, 7).unwrap();
    assert!((0..100).all(|i| is_audited(&h("r", i), &h("a", i), all)));
}

#[test]
fn audit_frequency_matches_p() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for (num, den, trials) in [(1u64, 100u64, 40_000u64), (1, 4, 8_000), (3, 1000, 40_000)] {
        let rate = AuditRate::new(num, den).unwrap();
        let hits = (0..trials)
            .filter(|_| is_audited(&random_b256(&mut rng), &random_b256(&mut rng), rate))
            .count() as u64;
        assert_binomial(
            &format!("audit p = {num}/{den}"),
            hits,
            trials,
            num as f64 / den as f64,
            4.0,
        );
    }
}

/// A fast stand-in signature for the statistical run (BLS is exercised
/// above): `keccak256(answerer ‖ message)`.
struct HashSignatures;

impl AnswerVerifier for HashSignatures {
    fn verify(&self, answerer: &Address, message: &[u8], signature: &[u8]) -> bool {
        signature == hash_signature(answerer, message).0
    }
}

fn hash_signature(answerer: &Address, message: &[u8]) -> B256 {
    keccak256([answerer.0.as_slice(), message].concat())
}

#[test]
fn a_cheating_answerer_loses_more_than_it_gains() {
    // Every answer is wrong and would gain G = 100; p = 1/20, S = 1.5·G/p.
    let config = LazyConfig {
        rate: AuditRate::new(1, 20).unwrap(),
        delay: 1,
        deposit: 3_000,
        max_gain: 100,
    };
    let n = 20_000u64;
    let mut v = LazyValidator::new(HashSignatures, config).unwrap();
    v.add_deposit(MALLORY, 1 << 40).unwrap();
    let (mut audits, mut forfeited) = (0u64, 0u128);
    for i in 0..n + 2 {
        if i < n {
            let mut lie = answer(i, "lie");
            lie.height = i;
            let signature = hash_signature(&MALLORY, &lie.signing_message()).0.to_vec();
            let signed = SignedAnswer {
                answer: lie,
                answerer: MALLORY,
                signature,
            };
            v.commit(signed, i + 1).unwrap();
        }
        v.resolve(i, &h("cheat beacon", i)).unwrap();
        while let Some(event) = v.poll_output() {
            match event {
                LazyEvent::AuditSelected { answer, .. } => {
                    audits += 1;
                    v.handle_audit(&answer, &keccak256("truth")).unwrap();
                }
                LazyEvent::Forfeited { amount, .. } => forfeited += amount,
                LazyEvent::Accepted { .. } => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    let gained = u128::from(n) * config.max_gain;
    assert_binomial("audits of the cheater", audits, n, 1.0 / 20.0, 4.0);
    println!(
        "cheater over {n} wrong answers: gained {gained}, forfeited {forfeited}, \
         net {} (expected n·(G − p·S) = {})",
        gained as i128 - forfeited as i128,
        n as i128 * (100 - 150)
    );
    assert_eq!(forfeited, u128::from(audits) * config.deposit);
    assert!(
        forfeited > gained,
        "cheating paid: gained {gained}, lost {forfeited}"
    );
}

#[test]
fn signed_answer_golden_bytes_and_decoding() {
    let signed = SignedAnswer {
        answer: Answer {
            query_hash: B256([0x01; 32]),
            result_hash: B256([0x02; 32]),
            shard: 3,
            height: 1024,
            state_root: B256([0x04; 32]),
        },
        answerer: Address([0x05; 20]),
        signature: vec![0xaa, 0xbb],
    };
    let bytes = signed.to_rlp();
    let golden = format!(
        "f88001a0{}a0{}03820400a0{}94{}82aabb",
        "01".repeat(32),
        "02".repeat(32),
        "04".repeat(32),
        "05".repeat(20)
    );
    assert_eq!(hex::encode(&bytes), golden);
    assert_eq!(SignedAnswer::decode(&bytes), Ok(signed.clone()));
    assert_eq!(
        hex::encode(signed.answer.signing_message()),
        format!(
            "{}f867a0{}a0{}03820400a0{}",
            hex::encode(ANSWER_DOMAIN),
            "01".repeat(32),
            "02".repeat(32),
            "04".repeat(32)
        )
    );
    let mut v2 = bytes.clone();
    v2[2] = 0x02;
    assert_eq!(
        SignedAnswer::decode(&v2),
        Err(LazyError::UnsupportedVersion { found: 2 })
    );
    assert!(matches!(
        SignedAnswer::decode(&bytes[..bytes.len() - 1]),
        Err(LazyError::Rlp(_))
    ));
    assert!(matches!(
        SignedAnswer::decode(&[0xc0]),
        Err(LazyError::Rlp(_))
    ));
}

// ---- lottery charging ----

const PAYER: Address = Address([0x70; 20]);

fn metered(i: u64, fee: u128) -> Operation {
    Operation {
        id: h("op", i),
        payer: PAYER,
        fee,
        kind: OpKind::Metered,
    }
}

#[test]
fn win_frequency_matches_one_over_m() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for (m, trials) in [(1000u64, 100_000u64), (10, 20_000)] {
        let wins = (0..trials)
            .filter(|_| ticket_wins(&random_b256(&mut rng), &random_b256(&mut rng), m))
            .count() as u64;
        assert_binomial(
            &format!("wins at M = {m}"),
            wins,
            trials,
            1.0 / m as f64,
            4.0,
        );
        // With fee F = 1 each, the charges are M·wins against n fees:
        // relative σ = √((M−1)/n) (reference.md §5.5), and paying under
        // n·F/2 has probability ≤ exp(−n/(8M)).
        let charged = wins * m;
        println!(
            "M = {m}, n = {trials}, F = 1: charged {charged} for fees {trials}, relative error \
             {:+.2} %, σ = {:.2} %",
            100.0 * (charged as f64 - trials as f64) / trials as f64,
            100.0 * ((m - 1) as f64 / trials as f64).sqrt()
        );
        assert!(charged > trials / 2);
    }
    assert!(!ticket_wins(&B256::ZERO, &B256::ZERO, 0));
    assert!(ticket_wins(&B256::ZERO, &B256::ZERO, 1));
}

/// Runs `n` metered operations with fees from `fee_of` through a ledger,
/// `per_height` per height; returns the ledger and the sum of charges.
fn run_lottery(
    config: LotteryConfig,
    n: u64,
    per_height: u64,
    seed: u64,
    fee_of: impl Fn(u64) -> u128,
) -> (LotteryLedger, u128, Vec<LotteryEvent>) {
    let mut ledger = LotteryLedger::new(config).unwrap();
    ledger.deposit(PAYER, u128::MAX / 4).unwrap();
    let mut events = Vec::new();
    let heights = n.div_ceil(per_height);
    for height in 0..=heights {
        for i in height * per_height..((height + 1) * per_height).min(n) {
            ledger.submit(metered(i, fee_of(i)), height).unwrap();
        }
        let beacon = h("lottery beacon", seed << 32 | height);
        ledger.resolve(height, &beacon).unwrap();
        events.extend(core::iter::from_fn(|| ledger.poll_output()));
    }
    let charged = events
        .iter()
        .map(|e| match e {
            LotteryEvent::TicketResolved { charged, .. } => *charged,
            other => panic!("unexpected {other:?}"),
        })
        .sum();
    (ledger, charged, events)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 6,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// The sum of charges converges to the sum of fees: with variance
    /// `F²·(M−1)` per operation (reference.md §5.5), it stays within five
    /// standard deviations, and the accounting is exact.
    #[test]
    fn charges_converge_to_fees(seed in any::<u64>(), m in prop::sample::select(vec![10u64, 50, 200])) {
        let n = 20_000u64;
        let config = LotteryConfig { multiplier: m, max_open_tickets: 10_000, ..LotteryConfig::default() };
        let fee_of = |i: u64| u128::from(1 + (seed ^ i.wrapping_mul(0x9e37_79b9)) % 100);
        let (ledger, charged, events) = run_lottery(config, n, 200, seed, fee_of);
        let fees: u128 = (0..n).map(fee_of).sum();
        let variance: f64 = (0..n).map(|i| (fee_of(i) as f64).powi(2) * (m - 1) as f64).sum();
        let diff = charged as f64 - fees as f64;
        prop_assert!(diff.abs() <= 5.0 * variance.sqrt(),
            "M = {}: charged {} vs fees {} (σ {})", m, charged, fees, variance.sqrt());
        prop_assert_eq!(events.len() as u64, n);
        prop_assert_eq!(ledger.fees_due(), U256::from(fees));
        prop_assert_eq!(ledger.pool(), U256::from(charged));
        prop_assert_eq!(ledger.account(&PAYER).unwrap().balance, u128::MAX / 4 - charged);
        prop_assert_eq!(ledger.account(&PAYER).unwrap().open_tickets, 0);
    }
}

#[test]
fn transfers_are_charged_in_full_never_by_lottery() {
    let mut ledger = LotteryLedger::new(LotteryConfig::default()).unwrap();
    ledger.deposit(PAYER, 25).unwrap();
    let transfer = Operation {
        kind: OpKind::Transfer,
        ..metered(1, 10)
    };
    // No reserve needed (25 < c·M·F = 20 000), only the fee itself.
    ledger.submit(transfer, 0).unwrap();
    assert_eq!(
        ledger.poll_output(),
        Some(LotteryEvent::TransferCharged {
            op: transfer.id,
            payer: PAYER,
            fee: 10
        })
    );
    assert_eq!(ledger.account(&PAYER).unwrap().balance, 15);
    assert_eq!(ledger.account(&PAYER).unwrap().open_tickets, 0);
    assert_eq!(ledger.pool(), U256::from(10));
    assert_eq!(ledger.fees_due(), U256::from(10));
    let big = Operation {
        fee: 16,
        ..transfer
    };
    assert_eq!(
        ledger.submit(big, 0),
        Err(LotteryError::InsufficientBalance {
            payer: PAYER,
            fee: 16,
            balance: 15
        })
    );
    assert_eq!(
        ledger.submit(metered(2, 10), 0),
        Err(LotteryError::InsufficientReserve {
            payer: PAYER,
            required: 20_000,
            balance: 15
        })
    );
}

#[test]
fn reserve_ticket_cap_and_ordering_are_enforced() {
    let config = LotteryConfig {
        multiplier: 10,
        reserve_factor: 2,
        max_open_tickets: 3,
        delay: 2,
    };
    assert_eq!(
        LotteryLedger::new(LotteryConfig { delay: 0, ..config }).err(),
        Some(LotteryError::InvalidConfig)
    );
    let mut ledger = LotteryLedger::new(config).unwrap();
    ledger.deposit(PAYER, 199).unwrap();
    assert_eq!(
        ledger.submit(metered(0, 10), 0),
        Err(LotteryError::InsufficientReserve {
            payer: PAYER,
            required: 200,
            balance: 199
        })
    );
    ledger.deposit(PAYER, 1).unwrap();
    assert_eq!(
        ledger.submit(metered(9, u128::MAX), 0),
        Err(LotteryError::Overflow)
    );
    for i in 0..3 {
        ledger.submit(metered(i, 10), 0).unwrap();
    }
    assert_eq!(
        ledger.submit(metered(3, 10), 0),
        Err(LotteryError::TooManyOpenTickets {
            payer: PAYER,
            limit: 3
        })
    );
    assert_eq!(
        ledger.submit(metered(0, 1), 0),
        Err(LotteryError::DuplicateOperation { op: h("op", 0) })
    );
    assert_eq!(
        ledger.resolve(1, &B256::ZERO),
        Err(LotteryError::BeaconOutOfOrder {
            expected: 0,
            found: 1
        })
    );
    for height in 0..3 {
        ledger.resolve(height, &h("b", height)).unwrap();
    }
    assert_eq!(ledger.account(&PAYER).unwrap().open_tickets, 0);
    // The beacon of height 2 is known: an inclusion at 0 is too late.
    assert_eq!(
        ledger.submit(metered(5, 1), 0),
        Err(LotteryError::StaleInclusion { height: 0, next: 3 })
    );
    ledger.submit(metered(5, 1), 1).unwrap();
}

#[test]
fn a_win_beyond_the_balance_takes_it_slashes_and_freezes() {
    let config = LotteryConfig {
        multiplier: 10,
        reserve_factor: 2,
        max_open_tickets: 10,
        delay: 1,
    };
    let beacon = h("decisive beacon", 0);
    // Three operations whose tickets win against `beacon`.
    let winners: Vec<u64> = (0u64..)
        .filter(|&i| ticket_wins(&beacon, &h("op", i), 10))
        .take(3)
        .collect();
    let mut ledger = LotteryLedger::new(config).unwrap();
    ledger.deposit(PAYER, 250).unwrap();
    ledger.deposit_penalty(PAYER, 70).unwrap();
    for &i in &winners {
        ledger.submit(metered(i, 10), 0).unwrap();
    }
    ledger.resolve(0, &h("nothing due", 0)).unwrap();
    assert_eq!(ledger.poll_output(), None);
    ledger.resolve(1, &beacon).unwrap();
    let events: Vec<LotteryEvent> = core::iter::from_fn(|| ledger.poll_output()).collect();
    let charged = events
        .iter()
        .filter(|e| matches!(e, LotteryEvent::TicketResolved { charged: 100, .. }))
        .count();
    assert_eq!(charged, 2);
    assert!(events.iter().any(|e| matches!(
        e,
        LotteryEvent::Defaulted {
            owed: 100,
            taken: 50,
            slashed: 70,
            ..
        }
    )));
    assert_eq!(
        ledger.account(&PAYER),
        Some(&LotteryAccount {
            balance: 0,
            penalty_deposit: 0,
            open_tickets: 0,
            frozen: true
        })
    );
    assert_eq!(ledger.pool(), U256::from(250 + 70));
    assert_eq!(ledger.fees_due(), U256::from(30));
    assert_eq!(
        ledger.submit(metered(1_000_000, 1), 2),
        Err(LotteryError::AccountFrozen { payer: PAYER })
    );
}

#[test]
fn same_inputs_same_outputs() {
    let config = LotteryConfig {
        multiplier: 20,
        max_open_tickets: 100,
        ..LotteryConfig::default()
    };
    let run = |seed| run_lottery(config, 2_000, 50, seed, |i| u128::from(i % 7 + 1));
    let (a, charged_a, events_a) = run(3);
    let (b, charged_b, events_b) = run(3);
    assert_eq!((charged_a, &events_a), (charged_b, &events_b));
    assert_eq!(a.pool(), b.pool());
    assert_ne!(run(4).2, events_a);
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Arbitrary bytes never panic the decoder; whatever decodes re-encodes
    /// to the same bytes.
    #[test]
    fn signed_answer_decoding_is_total(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(signed) = SignedAnswer::decode(&bytes) {
            prop_assert_eq!(signed.to_rlp(), bytes);
        }
    }

    /// Any signed answer round-trips through its encoding.
    #[test]
    fn signed_answer_round_trips(
        seed in any::<u64>(),
        shard in any::<u32>(),
        height in any::<u64>(),
        signature in prop::collection::vec(any::<u8>(), 0..100),
    ) {
        let signed = SignedAnswer {
            answer: Answer {
                query_hash: h("q", seed),
                result_hash: h("r", seed),
                shard,
                height,
                state_root: h("s", seed),
            },
            answerer: Address([seed as u8; 20]),
            signature,
        };
        prop_assert_eq!(SignedAnswer::decode(&signed.to_rlp()), Ok(signed));
    }
}

/// A lazy-validation run with honest and cheating answerers, as an event
/// log.
fn lazy_run(seed: u64) -> Vec<LazyEvent> {
    let mut v = LazyValidator::new(HashSignatures, lazy_config()).unwrap();
    v.add_deposit(ALICE, 1 << 20).unwrap();
    v.add_deposit(MALLORY, 1 << 20).unwrap();
    let mut log = Vec::new();
    for i in 0..200u64 {
        let (who, result) = if i % 3 == 0 {
            (MALLORY, "lie")
        } else {
            (ALICE, "truth")
        };
        let mut a = answer(i, result);
        a.height = i;
        let signature = hash_signature(&who, &a.signing_message()).0.to_vec();
        v.commit(
            SignedAnswer {
                answer: a,
                answerer: who,
                signature,
            },
            i + 1,
        )
        .unwrap();
        v.resolve(i, &h("run beacon", seed << 32 | i)).unwrap();
        while let Some(event) = v.poll_output() {
            if let LazyEvent::AuditSelected { answer, .. } = event {
                v.handle_audit(&answer, &keccak256("truth")).unwrap();
            }
            log.push(event);
        }
    }
    log
}

#[test]
fn lazy_validation_is_deterministic() {
    let log = lazy_run(1);
    assert!(log.iter().any(|e| matches!(e, LazyEvent::Forfeited { .. })));
    assert!(
        log.iter()
            .any(|e| matches!(e, LazyEvent::AuditPassed { .. }))
    );
    assert_eq!(lazy_run(1), log);
    assert_ne!(lazy_run(2), log);
}
