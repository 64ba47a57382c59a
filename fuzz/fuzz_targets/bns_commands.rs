//! Governance (dfn-bns) driven by arbitrary sequences of commands: neuron
//! creation, every neuron command from controllers, hot keys and strangers,
//! signed votes (valid and altered), execution reports, raw signed-vote
//! bytes and time. Checks after every step that nothing panics and that
//! every invariant holds (value conserved, tallies match their ballots, no
//! neuron counted twice, each proposal decided at most once).
//!
//! Each operation is a selector byte and its operands; missing bytes read
//! as zero.
#![no_main]

use std::collections::BTreeMap;
use std::sync::LazyLock;

use dfn_bns::config::{DAY_MS, MONTH_MS};
use dfn_bns::{
    Action, Event, FollowKey, Governance, GovernanceConfig, KeyId, ManagedCommand, NeuronCommand,
    NeuronId, NewNeuron, Output, ProposalId, SignedVote, Topic, Vote,
};
use dfn_crypto::{MinSig, SecretKey, Time};
use libfuzzer_sys::fuzz_target;

/// Two BLS keys (controllers of the neurons of owners 0 and 1), for signed
/// votes. Signing and checking cost about a millisecond, so an input gets
/// at most two.
static KEYS: LazyLock<Vec<SecretKey<MinSig>>> = LazyLock::new(|| {
    (1..=2u8)
        .map(|i| SecretKey::key_gen(&[i; 32], b"fuzz").expect("valid ikm"))
        .collect()
});
const MAX_SIGNED: usize = 2;

fn key_id(owner: u8) -> KeyId {
    match KEYS.get(usize::from(owner)) {
        Some(k) => KeyId::of(&k.public_key()),
        None => KeyId([owner; 32]),
    }
}

fn config() -> GovernanceConfig {
    GovernanceConfig {
        min_stake: 10,
        proposal_fee: 3,
        proposal_deposit: 20,
        min_dissolve_delay_to_vote_ms: MONTH_MS,
        voting_period_ms: DAY_MS,
        wait_for_quiet_ms: DAY_MS / 4,
        reward_period_ms: DAY_MS / 4,
        reward_pool_per_period: 1_000,
        max_followees: 3,
        max_hot_keys: 2,
        max_open_proposals: 4,
        max_payload_bytes: 64,
        ..GovernanceConfig::default()
    }
}

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u64 {
        u64::from(self.u8()) << 8 | u64::from(self.u8())
    }
    fn take(&mut self, n: usize) -> &[u8] {
        let (head, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        head
    }
    fn ids(&mut self) -> Vec<NeuronId> {
        let n = self.u8() % 5;
        (0..n)
            .map(|_| NeuronId(u64::from(self.u8() % 16)))
            .collect()
    }
}

fn action(b: &mut Bytes) -> Action {
    let a = b.u8();
    match b.u8() % 8 {
        0 => Action::Motion {
            text: "m".repeat(usize::from(a % 80)),
        },
        1 => Action::UpgradeCode {
            component: "vm".into(),
            code_hash: [a; 32],
        },
        2 => Action::SetParameter {
            name: "p".into(),
            value: vec![a; usize::from(a % 70)],
        },
        3 => Action::AddProcess { process: [a; 20] },
        4 => Action::RemoveProcess { process: [a; 20] },
        5 => Action::FreezeContract { contract: [a; 20] },
        6 => Action::UnfreezeContract { contract: [a; 20] },
        _ => {
            let neuron = NeuronId(u64::from(a % 16));
            let command = match b.u8() % 5 {
                0 => ManagedCommand::StartDissolving,
                1 => ManagedCommand::StopDissolving,
                2 => ManagedCommand::IncreaseDissolveDelay {
                    additional_ms: b.u16() * 60_000,
                },
                3 => ManagedCommand::Vote {
                    proposal: ProposalId(u64::from(b.u8() % 8)),
                    vote: if b.u8() % 2 == 0 { Vote::Yes } else { Vote::No },
                },
                _ => ManagedCommand::SetFollowing {
                    key: FollowKey::CatchAll,
                    followees: b.ids(),
                },
            };
            Action::ManageNeuron { neuron, command }
        }
    }
}

fn command(b: &mut Bytes) -> NeuronCommand {
    let topic = Topic::from_index(usize::from(b.u8() % 6)).unwrap_or(Topic::Motion);
    match b.u8() % 13 {
        0 => NeuronCommand::IncreaseDissolveDelay {
            additional_ms: b.u16() * 3_600_000,
        },
        1 => NeuronCommand::StartDissolving,
        2 => NeuronCommand::StopDissolving,
        3 => NeuronCommand::Disburse,
        4 => NeuronCommand::Split { amount: b.u16() },
        5 => NeuronCommand::Merge {
            source: NeuronId(u64::from(b.u8() % 16)),
        },
        6 => NeuronCommand::SetFollowing {
            key: FollowKey::Topic(topic),
            followees: b.ids(),
        },
        7 => NeuronCommand::SetFollowing {
            key: FollowKey::CatchAll,
            followees: b.ids(),
        },
        8 => NeuronCommand::AddHotKey {
            key: key_id(b.u8() % 6),
        },
        9 => NeuronCommand::RemoveHotKey {
            key: key_id(b.u8() % 6),
        },
        10 => NeuronCommand::StakeMaturity,
        11 => NeuronCommand::Vote {
            proposal: ProposalId(u64::from(b.u8() % 8)),
            vote: if b.u8() % 2 == 0 { Vote::Yes } else { Vote::No },
        },
        _ => NeuronCommand::Propose { action: action(b) },
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(mut g) = Governance::new(config(), Time::ZERO) else {
        panic!("the fuzz config is valid");
    };
    let mut now = Time::ZERO;
    let mut b = Bytes(data);
    let mut signed = 0;
    let mut decided: BTreeMap<ProposalId, u32> = BTreeMap::new();
    while !b.0.is_empty() {
        match b.u8() % 7 {
            0 => {
                let owner = b.u8() % 4;
                let new = NewNeuron {
                    owner: key_id(owner),
                    controller: key_id(owner),
                    hot_keys: Vec::new(),
                    stake: b.u16() % 1_000,
                    dissolve_delay_ms: u64::from(b.u8()) * MONTH_MS / 8,
                };
                let _ = g.create_neuron(now, new);
            }
            1 | 2 => {
                let neuron = NeuronId(u64::from(b.u8() % 16));
                let caller = match b.u8() % 4 {
                    0 | 1 => g.neuron(neuron).map_or(key_id(0), |n| n.controller),
                    2 => key_id(4),
                    _ => key_id(5),
                };
                let _ = g.handle_command(now, caller, neuron, command(&mut b));
            }
            3 => {
                let proposal = ProposalId(u64::from(b.u8() % 8));
                let result = if b.u8() % 2 == 0 {
                    Ok(())
                } else {
                    Err("host refused".into())
                };
                let _ = g.handle_execution(now, proposal, result);
            }
            4 => {
                now = now.after(b.u16() * 60_000);
                g.handle_timeout(now);
            }
            5 if signed < MAX_SIGNED => {
                signed += 1;
                let k = usize::from(b.u8() % 2);
                let neuron = NeuronId(u64::from(b.u8() % 16));
                let proposal = ProposalId(u64::from(b.u8() % 8));
                let vote = if b.u8() % 2 == 0 { Vote::Yes } else { Vote::No };
                if let Some(key) = KEYS.get(k) {
                    let mut v = SignedVote::sign(key, neuron, proposal, vote);
                    if b.u8() % 4 == 0 {
                        v.proposal = ProposalId(v.proposal.0 + 1);
                    }
                    let _ = g.handle_signed_vote(now, &v);
                }
            }
            6 => {
                // Raw bytes as a signed vote: decoding never panics, and what
                // decodes re-encodes to itself.
                let bytes = b.take(18 + 96 + 48);
                if let Ok(v) = SignedVote::<MinSig>::from_bytes(bytes) {
                    assert_eq!(v.to_bytes(), bytes);
                }
            }
            _ => {}
        }
        if let Err(e) = g.check_invariants() {
            panic!("invariant broken: {e}");
        }
        while let Some(out) = g.poll_output() {
            if let Output::Event(Event::Decided { proposal, .. }) = out {
                let count = decided.entry(proposal).or_default();
                *count += 1;
                assert_eq!(*count, 1, "{proposal} decided twice");
            }
        }
    }
});
