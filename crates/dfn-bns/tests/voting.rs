//! Table-driven tests of voting: the follow rule and cascade, decisions,
//! quorum, wait for quiet, catch-all lists, signed votes and their encoding.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use dfn_bns::config::{DAY_MS, YEAR_MS};
use dfn_bns::error::GovernanceError;
use dfn_bns::{
    Action, ElectorateBuilder, Event, FollowKey, Governance, GovernanceConfig, KeyId,
    NeuronCommand, NeuronId, NewNeuron, Output, ProposalId, ProposalStatus, SignedVote, Tally,
    Topic, Vote, early_decision, final_decision, wait_for_quiet,
};
use dfn_crypto::{MinPk, MinSig, SecretKey, Time};

use common::*;

#[test]
fn follow_rule_table() {
    // (list length, yes votes cast first, then no votes, the follower's ballot)
    let rows: [(u64, u64, u64, Option<Vote>); 12] = [
        (0, 0, 0, None),
        (1, 1, 0, Some(Vote::Yes)),
        (1, 0, 1, Some(Vote::No)),
        (2, 1, 0, None),
        (2, 0, 1, Some(Vote::No)),
        (2, 1, 1, Some(Vote::No)),
        (3, 1, 1, None),
        (3, 2, 0, Some(Vote::Yes)),
        (4, 2, 2, Some(Vote::No)),
        (5, 2, 2, None),
        (5, 3, 2, Some(Vote::Yes)),
        (5, 2, 3, Some(Vote::No)),
    ];
    for (k, yes, no, want) in rows {
        let follower = NeuronId(k + 1);
        let mut b = ElectorateBuilder::default();
        for i in 1..=k {
            b.add(NeuronId(i), 10, &[]).unwrap();
        }
        let list: Vec<NeuronId> = (1..=k).map(NeuronId).collect();
        b.add(follower, 7, &list).unwrap();
        let mut e = b.build();
        for i in 1..=yes {
            e.cast(NeuronId(i), Vote::Yes).unwrap();
        }
        for i in yes + 1..=yes + no {
            e.cast(NeuronId(i), Vote::No).unwrap();
        }
        assert_eq!(
            e.ballot(follower),
            Some(want),
            "list {k}, {yes} yes, {no} no"
        );
        assert_eq!(e.tally(), e.recount());
    }
}

#[test]
fn followee_without_ballot_counts_against_majority_and_cycles_end() {
    // 3 follows 1 and 99 (no ballot): 1 yes of 2 is no majority.
    let mut b = ElectorateBuilder::default();
    b.add(NeuronId(1), 1, &[]).unwrap();
    b.add(NeuronId(2), 1, &[NeuronId(3)]).unwrap();
    b.add(NeuronId(3), 1, &[NeuronId(1), NeuronId(99)]).unwrap();
    b.add(NeuronId(4), 1, &[NeuronId(5)]).unwrap();
    b.add(NeuronId(5), 1, &[NeuronId(4)]).unwrap();
    let mut e = b.build();
    assert_eq!(e.cast(NeuronId(1), Vote::Yes), Ok(1));
    assert_eq!(e.ballot(NeuronId(3)), Some(None));
    // A cycle 4 ↔ 5: a manual vote on one casts the other, once.
    assert_eq!(e.cast(NeuronId(4), Vote::No), Ok(2));
    assert_eq!(e.ballot(NeuronId(5)), Some(Some(Vote::No)));
    assert!(
        e.cast(NeuronId(5), Vote::Yes).is_err(),
        "a ballot never changes"
    );
    assert_eq!(e.ballot(NeuronId(99)), None);
    // A No from 99's side never comes; 1 No alone (1 of 2) decides No.
    let mut b = ElectorateBuilder::default();
    b.add(NeuronId(1), 1, &[]).unwrap();
    b.add(NeuronId(3), 1, &[NeuronId(1), NeuronId(99)]).unwrap();
    let mut e = b.build();
    e.cast(NeuronId(1), Vote::No).unwrap();
    assert_eq!(e.ballot(NeuronId(3)), Some(Some(Vote::No)));
}

#[test]
fn electorate_builder_rejects_bad_input() {
    let mut b = ElectorateBuilder::default();
    b.add(NeuronId(5), 1, &[]).unwrap();
    assert!(b.add(NeuronId(5), 1, &[]).is_err());
    assert!(b.add(NeuronId(4), 1, &[]).is_err());
    assert!(b.add(NeuronId(6), 1, &[NeuronId(1), NeuronId(1)]).is_err());
    let long: Vec<NeuronId> = (100..400).map(NeuronId).collect();
    assert!(b.add(NeuronId(7), 1, &long).is_err());
}

#[test]
fn decision_table() {
    // (yes, no, total, early, final with 3 % quorum)
    let rows = [
        (51, 0, 100, Some(true), true),
        (50, 0, 100, None, true),
        (0, 50, 100, Some(false), false),
        (10, 9, 100, None, true),
        (2, 1, 100, None, false),
        (3, 2, 100, None, true),
        (5, 5, 100, None, false),
        (0, 0, 0, Some(false), false),
    ];
    for (yes, no, total, early, fin) in rows {
        let t = Tally { yes, no, total };
        assert_eq!(early_decision(&t), early, "{t:?}");
        assert_eq!(final_decision(&t, 300), fin, "{t:?}");
    }
}

#[test]
fn wait_for_quiet_worked_examples() {
    // NNS: V = 4 d, W = 2 d; flips at 1 d → 4.5 d, 3.9 d → 5.95 d, then
    // 5 d → 6.5 d, 6.5 d → 7.25 d (reference.md §6.3).
    let (v, w) = (4 * DAY_MS, 2 * DAY_MS);
    let rows = [
        (4.0, 1.0, 4.5),
        (4.0, 3.9, 5.95),
        (5.95, 5.0, 6.5),
        (6.5, 6.5, 7.25),
        (6.0, 0.5, 6.0),
    ];
    for (deadline, now, want) in rows {
        let got = wait_for_quiet(Time::ZERO, at_day(deadline), at_day(now), v, w);
        assert_eq!(
            got,
            at_day(want),
            "flip at {now} d with deadline {deadline} d"
        );
    }
    // Never beyond created + V + 2W.
    let latest = wait_for_quiet(Time::ZERO, at_day(7.999), at_day(7.999), v, w);
    assert!(latest <= at_day(8.0));
}

#[test]
fn wait_for_quiet_in_governance() {
    let mut g = Governance::new(free_config(), Time::ZERO).unwrap();
    let p = create(&mut g, Time::ZERO, 1, 100, YEAR_MS);
    let a = create(&mut g, Time::ZERO, 2, 100, YEAR_MS);
    let b = create(&mut g, Time::ZERO, 3, 150, YEAR_MS);
    create(&mut g, Time::ZERO, 4, 1_000, YEAR_MS);
    let id = propose(&mut g, Time::ZERO, p, motion());
    assert_eq!(g.proposal(id).unwrap().deadline, at_day(4.0));
    // No at 1 d: yes = no, the lead flips.
    command(
        &mut g,
        at_day(1.0),
        a,
        NeuronCommand::Vote {
            proposal: id,
            vote: Vote::No,
        },
    )
    .unwrap();
    assert_eq!(g.proposal(id).unwrap().deadline, at_day(4.5));
    // Another No at 3.9 d does not flip (No already leads).
    command(
        &mut g,
        at_day(3.9),
        b,
        NeuronCommand::Vote {
            proposal: id,
            vote: Vote::No,
        },
    )
    .unwrap();
    assert_eq!(g.proposal(id).unwrap().deadline, at_day(4.5));
    assert!(
        drain(&mut g)
            .iter()
            .any(|o| matches!(o, Output::Event(Event::DeadlineExtended { .. })))
    );
    // Undecided at 4.2 d, rejected at 4.5 d (no leads).
    g.handle_timeout(at_day(4.2));
    assert_eq!(g.proposal(id).unwrap().status, ProposalStatus::Open);
    assert_eq!(g.poll_timeout(), Some(at_day(4.5)));
    g.handle_timeout(at_day(4.5));
    assert_eq!(g.proposal(id).unwrap().status, ProposalStatus::Rejected);
    assert_eq!(g.proposal(id).unwrap().decided_at, Some(at_day(4.5)));
    g.check_invariants().unwrap();
}

#[test]
fn quorum_at_deadline() {
    // Proposer holds 2 % of the voting power: Yes leads but misses the 3 %
    // quorum; with 4 % it passes.
    for (proposer_stake, adopted) in [(2u64, false), (4, true)] {
        let mut g = Governance::new(free_config(), Time::ZERO).unwrap();
        let p = create(&mut g, Time::ZERO, 1, proposer_stake, YEAR_MS);
        create(&mut g, Time::ZERO, 2, 100 - proposer_stake, YEAR_MS);
        let id = propose(&mut g, Time::ZERO, p, motion());
        g.handle_timeout(at_day(4.0));
        assert_eq!(g.proposal(id).unwrap().status.is_adopted(), adopted);
    }
}

#[test]
fn catch_all_and_topic_lists() {
    let config = GovernanceConfig {
        catch_all_excluded: vec![Topic::UpgradeCode],
        ..free_config()
    };
    let mut g = Governance::new(config, Time::ZERO).unwrap();
    let leader = create(&mut g, Time::ZERO, 1, 10, YEAR_MS);
    let other = create(&mut g, Time::ZERO, 2, 10, YEAR_MS);
    let f = create(&mut g, Time::ZERO, 3, 10, YEAR_MS);
    create(&mut g, Time::ZERO, 4, 1_000, YEAR_MS);
    let set = |g: &mut Governance, key, list: Vec<NeuronId>| {
        command(
            g,
            Time::ZERO,
            f,
            NeuronCommand::SetFollowing {
                key,
                followees: list,
            },
        )
        .unwrap();
    };
    set(&mut g, FollowKey::CatchAll, vec![leader]);
    set(&mut g, FollowKey::Topic(Topic::ContractFreeze), vec![other]);
    // (action, does F follow the leader's Yes?)
    let rows = [
        (
            Action::Motion {
                text: String::new(),
            },
            true,
        ),
        (Action::FreezeContract { contract: [0; 20] }, false),
        (
            Action::UpgradeCode {
                component: String::new(),
                code_hash: [0; 32],
            },
            false,
        ),
    ];
    for (action, follows) in rows {
        let id = propose(&mut g, Time::ZERO, leader, action.clone());
        let want = if follows {
            Some(Some(Vote::Yes))
        } else {
            Some(None)
        };
        assert_eq!(g.ballot(id, f), want, "{action:?}");
    }
}

#[test]
fn signed_votes() {
    let sk = SecretKey::<MinSig>::key_gen(&[7; 32], b"").unwrap();
    let hot = SecretKey::<MinPk>::key_gen(&[8; 32], b"").unwrap();
    let stranger = SecretKey::<MinSig>::key_gen(&[9; 32], b"").unwrap();
    let mut g = Governance::new(free_config(), Time::ZERO).unwrap();
    let p = create(&mut g, Time::ZERO, 1, 10, YEAR_MS);
    let v = g
        .create_neuron(
            Time::ZERO,
            NewNeuron {
                owner: key(2),
                controller: KeyId::of(&sk.public_key()),
                hot_keys: Vec::new(),
                stake: 10,
                dissolve_delay_ms: YEAR_MS,
            },
        )
        .unwrap();
    let w = create(&mut g, Time::ZERO, 3, 10, YEAR_MS);
    create(&mut g, Time::ZERO, 4, 100, YEAR_MS);
    g.handle_command(
        Time::ZERO,
        KeyId::of(&sk.public_key()),
        w,
        NeuronCommand::StartDissolving,
    )
    .unwrap_err();
    command(
        &mut g,
        Time::ZERO,
        w,
        NeuronCommand::AddHotKey {
            key: KeyId::of(&hot.public_key()),
        },
    )
    .unwrap();
    let id = propose(&mut g, Time::ZERO, p, motion());
    let now = Time::from_millis(1);
    // Signed by a stranger, or a valid signature over another vote: refused.
    let forged = SignedVote::sign(&stranger, v, id, Vote::Yes);
    assert_eq!(
        g.handle_signed_vote(now, &forged),
        Err(GovernanceError::NotAuthorized(v))
    );
    let mut altered = SignedVote::sign(&sk, v, id, Vote::No);
    altered.vote = Vote::Yes;
    assert_eq!(
        g.handle_signed_vote(now, &altered),
        Err(GovernanceError::BadSignature(v))
    );
    // The controller's and a hot key's (other variant) votes count once.
    assert_eq!(
        g.handle_signed_vote(now, &SignedVote::sign(&sk, v, id, Vote::Yes)),
        Ok(1)
    );
    assert!(
        g.handle_signed_vote(now, &SignedVote::sign(&sk, v, id, Vote::No))
            .is_err()
    );
    assert_eq!(
        g.handle_signed_vote(now, &SignedVote::sign(&hot, w, id, Vote::No)),
        Ok(1)
    );
    assert_eq!(g.ballot(id, v), Some(Some(Vote::Yes)));
    assert_eq!(g.ballot(id, w), Some(Some(Vote::No)));
    // After the deadline no vote is taken.
    let late = SignedVote::sign(&sk, v, id, Vote::Yes);
    g.handle_timeout(Time::from_millis(4 * DAY_MS));
    assert_eq!(
        g.handle_signed_vote(Time::from_millis(4 * DAY_MS), &late),
        Err(GovernanceError::VotingClosed(id))
    );
}

#[test]
fn signed_vote_encoding_golden() {
    let sk = SecretKey::<MinSig>::key_gen(&[7; 32], b"").unwrap();
    let vote = SignedVote::sign(&sk, NeuronId(0x0102), ProposalId(0x0304), Vote::No);
    assert!(vote.verify());
    let bytes = vote.to_bytes();
    assert_eq!(bytes.len(), 18 + 96 + 48);
    assert_eq!(
        &bytes[..18],
        &[1, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 3, 4, 2]
    );
    assert_eq!(
        hex(&SignedVote::<MinSig>::message(
            NeuronId(0x0102),
            ProposalId(0x0304),
            Vote::No
        )),
        GOLDEN_MESSAGE
    );
    assert_eq!(hex(&bytes[18 + 96..]), GOLDEN_SIGNATURE);
    assert_eq!(SignedVote::<MinSig>::from_bytes(&bytes), Ok(vote));
    // Each field's error.
    let mut bad = bytes.clone();
    bad[0] = 2;
    assert!(SignedVote::<MinSig>::from_bytes(&bad).is_err());
    let mut bad = bytes.clone();
    bad[17] = 3;
    assert!(SignedVote::<MinSig>::from_bytes(&bad).is_err());
    assert!(SignedVote::<MinSig>::from_bytes(&bytes[1..]).is_err());
    assert!(SignedVote::<MinPk>::from_bytes(&bytes).is_err());
    let mut bad = bytes;
    bad[18] ^= 0x20;
    assert!(
        SignedVote::<MinSig>::from_bytes(&bad).is_err()
            || !SignedVote::<MinSig>::from_bytes(&bad).unwrap().verify()
    );
}

const GOLDEN_MESSAGE: &str = "44464e2d424e532d564f54452d56310000000000000102000000000000030402";
const GOLDEN_SIGNATURE: &str = "b29600fd767c8be77ef39829adf9f456e2f86428ae063d6ca158e7519f9e6e6a66b5ba9510ef452322d317b6f6e3ec64";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
