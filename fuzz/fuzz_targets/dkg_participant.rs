//! One DKG participant (member 1 of 4, threshold 3, MinSig on blst) driven
//! by arbitrary input. Checks that nothing panics, that the run ends at
//! most once, and that every piece of evidence it reports verifies.
//!
//! The input is a list of operations, each a selector byte and its
//! operands:
//! - `0`: deliver a message of an honest run of the same group (members
//!   2–4's dealings and responses), optionally with one byte flipped;
//! - `1`: deliver a body of the fuzzer's bytes, correctly signed by a
//!   member (or a non-member) as one of the three kinds;
//! - `2`: advance the clock and fire the timeout;
//! - `3`: deliver raw bytes.
#![no_main]

use std::sync::{Arc, LazyLock};

use dfn_crypto::dkg::{
    DkgConfig, DkgSecretKey, Event, Kind, Member, Output, Participant, RunId, Schedule,
};
use dfn_crypto::{MinSig, SecretKey, Suite, Time};
use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

type V = MinSig;

const N: u32 = 4;
const PHASE_MS: u64 = 100;
const KINDS: [Kind; 3] = [Kind::Dealing, Kind::Responses, Kind::Justifications];

struct Setup {
    config: Arc<DkgConfig<V>>,
    signing: Vec<SecretKey<V>>,
    decryption: Vec<DkgSecretKey<V>>,
    /// Members 2–4's messages in an honest run.
    traffic: Vec<Vec<u8>>,
}

fn participant(setup: &Setup, me: u32) -> Participant<V> {
    let i = me as usize - 1;
    Participant::new(
        Arc::clone(&setup.config),
        me,
        setup.signing[i].clone(),
        setup.decryption[i].clone(),
        &mut ChaCha20Rng::seed_from_u64(u64::from(me)),
    )
    .expect("a valid participant")
}

static SETUP: LazyLock<Setup> = LazyLock::new(|| {
    let mut rng = ChaCha20Rng::seed_from_u64(0xdf);
    let signing: Vec<SecretKey<V>> = (0..N).map(|_| SecretKey::random(&mut rng)).collect();
    let decryption: Vec<DkgSecretKey<V>> = (0..N).map(|_| DkgSecretKey::random(&mut rng)).collect();
    let members = signing
        .iter()
        .zip(&decryption)
        .map(|(s, d)| Member {
            signing_key: s.public_key(),
            encryption_key: d.public_key(),
        })
        .collect();
    let config = Arc::new(DkgConfig {
        context: b"fuzz run".to_vec(),
        threshold: 3,
        members,
        schedule: Schedule {
            start: Time::ZERO,
            deal_ms: PHASE_MS,
            response_ms: PHASE_MS,
            justify_ms: PHASE_MS,
        },
        fast_sync: false,
    });
    let mut setup = Setup {
        config,
        signing,
        decryption,
        traffic: Vec::new(),
    };
    // An honest run of members 2–4 (member 1's messages are not needed:
    // the target's participant makes its own).
    let mut others: Vec<Participant<V>> = (2..=N).map(|m| participant(&setup, m)).collect();
    let mut sent = Vec::new();
    let step = |others: &mut Vec<Participant<V>>, sent: &mut Vec<Vec<u8>>| {
        for p in others.iter_mut() {
            while let Some(output) = p.poll_output() {
                if let Output::Broadcast(m) = output {
                    sent.push(m.as_bytes().to_vec());
                }
            }
        }
    };
    step(&mut others, &mut sent);
    let dealings = sent.clone();
    for p in others.iter_mut() {
        for d in &dealings {
            p.handle_bytes(Time::from_millis(1), d);
        }
        p.handle_timeout(Time::from_millis(PHASE_MS));
    }
    step(&mut others, &mut sent);
    setup.traffic = sent;
    setup
});

/// An envelope of this run around `body`, signed by `sender`'s key
/// (member 1's key for non-members).
fn signed(setup: &Setup, kind: Kind, sender: u32, body: &[u8]) -> Vec<u8> {
    let run = RunId::of_context(&setup.config.context).expect("short context");
    let mut out = vec![1, kind.tag()];
    out.extend_from_slice(&run.0);
    out.extend_from_slice(&sender.to_be_bytes());
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(body);
    let key = &setup.signing[(sender as usize).saturating_sub(1) % setup.signing.len()];
    let signature = key.sign(
        Suite::ProofOfPossession,
        &[b"DFN-DKG-V1".as_slice(), &out].concat(),
    );
    out.extend_from_slice(signature.to_bytes().as_ref());
    out
}

fuzz_target!(|data: &[u8]| {
    let setup = &*SETUP;
    let mut p = participant(setup, 1);
    let mut now = Time::ZERO;
    let mut finished = 0;
    let mut input = data.iter().copied();
    let mut next = || input.next();
    while let Some(op) = next() {
        match op % 4 {
            0 => {
                let Some(i) = next() else { break };
                let mut bytes = setup.traffic[usize::from(i) % setup.traffic.len()].clone();
                if op & 0x80 != 0 {
                    let (Some(hi), Some(lo), Some(x)) = (next(), next(), next()) else {
                        break;
                    };
                    let at = usize::from(u16::from_be_bytes([hi, lo])) % bytes.len();
                    bytes[at] ^= x;
                }
                p.handle_bytes(now, &bytes);
            }
            1 => {
                let (Some(kind), Some(sender), Some(len)) = (next(), next(), next()) else {
                    break;
                };
                let body: Vec<u8> = (0..len).map_while(|_| next()).collect();
                let kind = KINDS[usize::from(kind) % KINDS.len()];
                p.handle_bytes(now, &signed(setup, kind, u32::from(sender % 6), &body));
            }
            2 => {
                let Some(step) = next() else { break };
                now = now + u64::from(step) * 4;
                p.handle_timeout(now);
            }
            _ => {
                let Some(len) = next() else { break };
                let raw: Vec<u8> = (0..len).map_while(|_| next()).collect();
                p.handle_bytes(now, &raw);
            }
        }
        while let Some(output) = p.poll_output() {
            match output {
                Output::Event(Event::Completed(_) | Event::Failed(_)) => finished += 1,
                Output::Event(Event::Evidence(evidence)) => {
                    assert!(
                        evidence.verify(&setup.config),
                        "unverifiable evidence: {evidence:?}"
                    );
                }
                _ => {}
            }
        }
        assert!(finished <= 1, "the run ended twice");
        assert_eq!(finished == 1, p.poll_timeout().is_none());
    }
});
