//! The neuron client against governance: instructed votes, following before
//! the deadline, misses.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dfn_bns::config::{DAY_MS, YEAR_MS};
use dfn_bns::{
    Action, ClientOutput, FollowKey, Governance, GovernanceConfig, KeyId, NeuronClient,
    NeuronCommand, NeuronId, NewNeuron, Reply, Topic, Vote,
};
use dfn_crypto::{MinSig, SecretKey, Time};

const MARGIN: u64 = 3_600_000;

struct World {
    g: Governance,
    keys: Vec<SecretKey<MinSig>>,
    ids: Vec<NeuronId>,
}

/// Neurons 0–2 small; neuron 3 holds most of the voting power, so nothing
/// is decided early.
fn world() -> World {
    let config = GovernanceConfig {
        proposal_fee: 0,
        proposal_deposit: 0,
        min_stake: 1,
        ..GovernanceConfig::default()
    };
    let mut g = Governance::new(config, Time::ZERO).unwrap();
    let keys: Vec<SecretKey<MinSig>> = (0..4u8)
        .map(|i| SecretKey::key_gen(&[i + 1; 32], b"").unwrap())
        .collect();
    let ids = keys
        .iter()
        .zip([10, 10, 10, 1_000])
        .map(|(k, stake)| {
            let id = KeyId::of(&k.public_key());
            g.create_neuron(
                Time::ZERO,
                NewNeuron {
                    owner: id,
                    controller: id,
                    hot_keys: Vec::new(),
                    stake,
                    dissolve_delay_ms: YEAR_MS,
                },
            )
            .unwrap()
        })
        .collect();
    World { g, keys, ids }
}

fn propose(w: &mut World, by: usize) -> dfn_bns::ProposalId {
    let caller = KeyId::of(&w.keys[by].public_key());
    let action = Action::Motion { text: "m".into() };
    match w
        .g
        .handle_command(
            Time::ZERO,
            caller,
            w.ids[by],
            NeuronCommand::Propose { action },
        )
        .unwrap()
    {
        Reply::Proposed(id) => id,
        other => panic!("{other:?}"),
    }
}

/// Delivers the client's outputs to governance; returns the misses.
fn deliver(
    w: &mut World,
    client: &mut NeuronClient<MinSig>,
    now: Time,
) -> Vec<dfn_bns::ProposalId> {
    let mut missed = Vec::new();
    while let Some(out) = client.poll_output() {
        match out {
            ClientOutput::Vote(v) => {
                w.g.handle_signed_vote(now, &v).unwrap();
            }
            ClientOutput::Missed(p) => missed.push(p),
            other => panic!("{other:?}"),
        }
    }
    missed
}

#[test]
fn owner_instruction_is_voted_at_once() {
    let mut w = world();
    let id = propose(&mut w, 0);
    let deadline = w.g.proposal(id).unwrap().deadline;
    let mut client = NeuronClient::new(w.ids[1], w.keys[1].clone(), MARGIN);
    client.handle_proposal(Time::ZERO, id, Topic::Motion, deadline);
    assert_eq!(client.poll_output(), None);
    assert_eq!(
        client.poll_timeout(),
        Some(Time::from_millis(deadline.as_millis() - MARGIN))
    );
    client.instruct(Time::from_millis(10), id, Vote::No);
    assert!(deliver(&mut w, &mut client, Time::from_millis(10)).is_empty());
    assert_eq!(w.g.ballot(id, w.ids[1]), Some(Some(Vote::No)));
    assert_eq!(client.poll_timeout(), None);
}

#[test]
fn without_instruction_the_client_follows_before_the_deadline() {
    let mut w = world();
    let id = propose(&mut w, 0);
    let deadline = w.g.proposal(id).unwrap().deadline;
    let mut client = NeuronClient::new(w.ids[1], w.keys[1].clone(), MARGIN);
    client.set_following(FollowKey::CatchAll, vec![w.ids[0], w.ids[2]]);
    client.set_following(FollowKey::Topic(Topic::UpgradeCode), vec![w.ids[3]]);
    client.handle_proposal(Time::ZERO, id, Topic::Motion, deadline);
    // Neuron 0 (the proposer) voted Yes, neuron 2 votes No: 1 of 2 is a
    // No by the majority rule, but the owner still has time.
    client.handle_ballot(Time::ZERO, id, w.ids[0], Vote::Yes);
    w.g.handle_signed_vote(
        Time::from_millis(5),
        &dfn_bns::SignedVote::sign(&w.keys[2], w.ids[2], id, Vote::No),
    )
    .unwrap();
    client.handle_ballot(Time::from_millis(5), id, w.ids[2], Vote::No);
    assert_eq!(client.poll_output(), None);
    let follow_at = client.poll_timeout().unwrap();
    assert_eq!(follow_at.as_millis(), deadline.as_millis() - MARGIN);
    client.handle_timeout(follow_at);
    assert!(deliver(&mut w, &mut client, follow_at).is_empty());
    assert_eq!(w.g.ballot(id, w.ids[1]), Some(Some(Vote::No)));
}

#[test]
fn undecided_followees_mean_a_missed_vote() {
    let mut w = world();
    let id = propose(&mut w, 0);
    let deadline = w.g.proposal(id).unwrap().deadline;
    let mut client = NeuronClient::new(w.ids[1], w.keys[1].clone(), MARGIN);
    client.set_following(FollowKey::CatchAll, vec![w.ids[2], w.ids[3], w.ids[0]]);
    client.handle_proposal(Time::ZERO, id, Topic::Motion, deadline);
    client.handle_ballot(Time::ZERO, id, w.ids[0], Vote::Yes);
    let follow_at = client.poll_timeout().unwrap();
    client.handle_timeout(follow_at);
    assert_eq!(client.poll_output(), None, "1 yes of 3 decides nothing");
    assert_eq!(client.poll_timeout(), Some(deadline));
    // A second Yes before the deadline decides it.
    let later = Time::from_millis(follow_at.as_millis() + 1);
    client.handle_ballot(later, id, w.ids[3], Vote::Yes);
    assert!(deliver(&mut w, &mut client, later).is_empty());
    assert_eq!(w.g.ballot(id, w.ids[1]), Some(Some(Vote::Yes)));

    // Another proposal where nothing decides: missed at the deadline.
    let id2 = propose(&mut w, 0);
    let mut client = NeuronClient::new(w.ids[1], w.keys[1].clone(), MARGIN);
    client.set_following(FollowKey::CatchAll, vec![w.ids[2], w.ids[3], w.ids[0]]);
    client.handle_proposal(Time::ZERO, id2, Topic::Motion, deadline);
    client.handle_timeout(Time::from_millis(4 * DAY_MS));
    assert_eq!(
        deliver(&mut w, &mut client, Time::from_millis(4 * DAY_MS)),
        vec![id2]
    );
}

#[test]
fn a_ballot_already_cast_on_chain_ends_the_clients_work() {
    let mut w = world();
    let id = propose(&mut w, 0);
    let mut client = NeuronClient::new(w.ids[1], w.keys[1].clone(), MARGIN);
    client.handle_proposal(Time::ZERO, id, Topic::Motion, Time::from_millis(4 * DAY_MS));
    client.handle_ballot(Time::ZERO, id, w.ids[1], Vote::Yes);
    client.instruct(Time::ZERO, id, Vote::No);
    assert_eq!(client.poll_output(), None);
    assert_eq!(client.poll_timeout(), None);
}
