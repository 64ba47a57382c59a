//! The testnet's governance: one dfn-bns `Governance` replicated as chain
//! state. Blocks carry governance items (signed proposals and signed votes);
//! every process applies a block's items at the block's logical time
//! (height × BT), so all replicas hold the same governance state. The state
//! root commits to it: a system account's storage holds the hash chain of
//! every item applied (with its height) and the parameter in force.
//!
//! The parameter is `max_transfers_per_block`, a chain rule: a block with
//! more MetaCoin transfers than the limit in force at its parent is invalid.
//! An adopted `SetParameter` proposal changes it for the blocks after the
//! one that decided it.

use dfn_bns::{
    Action, FollowKey, Governance, GovernanceConfig, KeyId, NeuronCommand, NeuronId, NewNeuron,
    Output, ProposalId, SignedVote, Topic, Vote,
};
use dfn_crypto::{PublicKey, SecretKey, Signature, Suite, Time};
use dfn_state::rlp::{Decode, Encode, Rlp, RlpError, encode_fields, fields_len};
use dfn_state::{Address, B256, keccak256};

use crate::host::V;

/// The parameter governance changes in the testnet.
pub const MAX_TRANSFERS: &str = "max_transfers_per_block";
/// The account whose storage commits to the governance state.
pub const GOVERNANCE_ACCOUNT: Address = Address(*b"dfn-bns governance\0\0");
/// Storage slot of the governance log hash.
pub const LOG_SLOT: u64 = 0;
/// Storage slot of the transfer limit in force.
pub const LIMIT_SLOT: u64 = 1;
/// Domain tag of a signed proposal.
const PROPOSE_TAG: &[u8] = b"DFN-TESTNET-PROPOSE-V1";
/// Bounds on the transfer limit a proposal may set.
const LIMIT_RANGE: core::ops::RangeInclusive<u64> = 1..=1_000;

/// A proposal to set [`MAX_TRANSFERS`], signed by the proposing neuron's
/// controller (the testnet's stand-in for a ledger transaction's sender).
#[derive(Clone, Debug)]
pub struct SignedProposal {
    neuron: NeuronId,
    limit: u64,
    key: PublicKey<V>,
    signature: Signature<V>,
}

impl SignedProposal {
    fn message(neuron: NeuronId, limit: u64) -> Vec<u8> {
        let mut m = PROPOSE_TAG.to_vec();
        m.extend_from_slice(&neuron.0.to_be_bytes());
        m.extend_from_slice(MAX_TRANSFERS.as_bytes());
        m.extend_from_slice(&limit.to_be_bytes());
        m
    }

    fn sign(key: &SecretKey<V>, neuron: NeuronId, limit: u64) -> Self {
        Self {
            neuron,
            limit,
            key: key.public_key(),
            signature: key.sign(Suite::Basic, &Self::message(neuron, limit)),
        }
    }

    fn verify(&self) -> bool {
        self.key.verify(
            Suite::Basic,
            &Self::message(self.neuron, self.limit),
            &self.signature,
        )
    }
}

/// What a block may carry besides transfers.
#[derive(Clone, Debug)]
pub enum Item {
    /// Submit a proposal.
    Propose(SignedProposal),
    /// A direct vote.
    Vote(SignedVote<V>),
}

impl Item {
    fn kind(&self) -> u64 {
        match self {
            Item::Propose(_) => 0,
            Item::Vote(_) => 1,
        }
    }

    fn body(&self) -> Vec<u8> {
        match self {
            Item::Propose(p) => {
                let key = p.key.to_bytes();
                let sig = p.signature.to_bytes();
                let fields: [&dyn Encode; 4] =
                    [&p.neuron.0, &p.limit, &key.as_ref(), &sig.as_ref()];
                let mut out = Vec::with_capacity(fields_len(&fields));
                encode_fields(&fields, &mut out);
                out
            }
            Item::Vote(v) => v.to_bytes(),
        }
    }
}

impl Encode for Item {
    fn encoded_len(&self) -> usize {
        fields_len(&[&self.kind(), &self.body()])
    }
    fn encode(&self, out: &mut Vec<u8>) {
        encode_fields(&[&self.kind(), &self.body()], out);
    }
}

impl Decode for Item {
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        let [kind, body] = rlp.fixed_list::<2>()?;
        let invalid = |what| RlpError::Invalid {
            offset: body.offset(),
            what,
        };
        let bytes: Vec<u8> = body.decode()?;
        match kind.decode::<u64>()? {
            0 => dfn_state::rlp::decode_exact::<ProposalBody>(&bytes).map(|b| Item::Propose(b.0)),
            1 => SignedVote::from_bytes(&bytes)
                .map(Item::Vote)
                .map_err(|_| invalid("not a signed vote")),
            _ => Err(invalid("unknown governance item")),
        }
    }
}

/// A signed proposal decoded from an item's body.
struct ProposalBody(SignedProposal);

impl Decode for ProposalBody {
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        let [neuron, limit, key, signature] = rlp.fixed_list::<4>()?;
        let point = |item: &Rlp<'_>, what| RlpError::Invalid {
            offset: item.offset(),
            what,
        };
        let key_bytes: Vec<u8> = key.decode()?;
        let signature_bytes: Vec<u8> = signature.decode()?;
        Ok(Self(SignedProposal {
            neuron: NeuronId(neuron.decode()?),
            limit: limit.decode()?,
            key: PublicKey::from_bytes(&key_bytes).map_err(|_| point(&key, "not a public key"))?,
            signature: Signature::from_bytes(&signature_bytes)
                .map_err(|_| point(&signature, "not a signature"))?,
        }))
    }
}

/// The governance state after a block.
#[derive(Clone)]
pub struct GovState {
    bns: Governance,
    /// Hash chain of every item applied, with its height.
    pub log: B256,
    /// The transfer limit in force for the next block.
    pub max_transfers: u64,
    /// Ballots cast by signed proposals and votes (not by following).
    pub direct_votes: usize,
}

/// A neuron at genesis.
pub struct Genesis {
    /// Its controller.
    pub controller: KeyId,
    /// Its stake.
    pub stake: u64,
    /// Its dissolve delay.
    pub dissolve_delay_ms: u64,
    /// Whom it follows on protocol parameters (empty: nobody).
    pub followees: Vec<usize>,
    /// Whether it follows through the catch-all list rather than the topic.
    pub catch_all: bool,
}

impl GovState {
    /// The state at genesis: the neurons and their follow lists; the
    /// neurons' ids in the order given.
    pub fn genesis(
        neurons: &[Genesis],
        max_transfers: u64,
    ) -> Result<(Self, Vec<NeuronId>), String> {
        let config = GovernanceConfig::default();
        let mut bns = Governance::new(config, Time::ZERO).map_err(|e| e.to_string())?;
        let mut ids = Vec::with_capacity(neurons.len());
        for n in neurons {
            let new = NewNeuron {
                owner: n.controller,
                controller: n.controller,
                hot_keys: Vec::new(),
                stake: n.stake,
                dissolve_delay_ms: n.dissolve_delay_ms,
            };
            ids.push(
                bns.create_neuron(Time::ZERO, new)
                    .map_err(|e| e.to_string())?,
            );
        }
        for (n, id) in neurons.iter().zip(&ids) {
            if n.followees.is_empty() {
                continue;
            }
            let key = if n.catch_all {
                FollowKey::CatchAll
            } else {
                FollowKey::Topic(Topic::ProtocolParameter)
            };
            let followees = n
                .followees
                .iter()
                .filter_map(|f| ids.get(*f).copied())
                .collect();
            bns.handle_command(
                Time::ZERO,
                n.controller,
                *id,
                NeuronCommand::SetFollowing { key, followees },
            )
            .map_err(|e| e.to_string())?;
        }
        let log = keccak256(b"dfn testnet governance genesis");
        let state = Self {
            bns,
            log,
            max_transfers,
            direct_votes: 0,
        };
        Ok((state, ids))
    }

    /// The state after a block at `height` carrying `items`, at logical
    /// time `now`. Any item governance refuses makes the block invalid.
    pub fn apply(&self, height: u64, now: Time, items: &[Item]) -> Result<Self, String> {
        let mut next = self.clone();
        for item in items {
            match item {
                Item::Propose(p) => {
                    if !p.verify() {
                        return Err("bad proposal signature".into());
                    }
                    let action = Action::SetParameter {
                        name: MAX_TRANSFERS.into(),
                        value: p.limit.to_be_bytes().to_vec(),
                    };
                    next.bns
                        .handle_command(
                            now,
                            KeyId::of(&p.key),
                            p.neuron,
                            NeuronCommand::Propose { action },
                        )
                        .map_err(|e| e.to_string())?;
                }
                Item::Vote(v) => {
                    next.bns
                        .handle_signed_vote(now, v)
                        .map_err(|e| e.to_string())?;
                }
            }
            next.direct_votes += 1;
        }
        next.bns.handle_timeout(now);
        while let Some(output) = next.bns.poll_output() {
            if let Output::Execute { proposal, action } = output {
                let result = next.execute(&action);
                next.bns
                    .handle_execution(now, proposal, result)
                    .map_err(|e| e.to_string())?;
            }
        }
        let mut entry = next.log.0.to_vec();
        entry.extend_from_slice(&height.to_be_bytes());
        dfn_state::rlp::encode_list(items, &mut entry);
        next.log = keccak256(&entry);
        Ok(next)
    }

    /// Carries out an adopted action: only the transfer limit is known.
    fn execute(&mut self, action: &Action) -> Result<(), String> {
        let Action::SetParameter { name, value } = action else {
            return Err("the testnet executes parameter changes only".into());
        };
        let limit = <[u8; 8]>::try_from(value.as_slice())
            .map(u64::from_be_bytes)
            .map_err(|_| "the value is not a u64".to_string())?;
        if name != MAX_TRANSFERS || !LIMIT_RANGE.contains(&limit) {
            return Err(format!("no parameter {name} = {limit}"));
        }
        self.max_transfers = limit;
        Ok(())
    }

    /// Whether `neuron` already submitted a proposal.
    fn has_proposed(&self, neuron: NeuronId) -> bool {
        self.bns.proposals().any(|p| p.proposer == neuron)
    }

    /// The first proposal, if any.
    pub fn proposal(&self) -> Option<&dfn_bns::Proposal> {
        self.bns.proposals().next()
    }

    /// Ballots cast on `proposal` (directly or by following), and ballots
    /// in all.
    pub fn ballots(&self, proposal: ProposalId) -> (usize, usize) {
        let ballots: Vec<Option<Vote>> = self
            .bns
            .neurons()
            .filter_map(|n| self.bns.ballot(proposal, n.id))
            .collect();
        (ballots.iter().flatten().count(), ballots.len())
    }
}

/// What the leaders intend, and when their clients act on it.
pub enum Intent {
    /// Leader `leader` proposes the new limit from `height` on.
    Propose {
        leader: usize,
        limit: u64,
        height: u64,
    },
    /// Leader `leader` votes on the first proposal from `height` on.
    Vote {
        leader: usize,
        vote: Vote,
        height: u64,
    },
}

/// The leaders' clients: their keys and intents. A maker asks them what to
/// include on top of a parent state.
pub struct Council {
    leaders: Vec<(NeuronId, SecretKey<V>)>,
    intents: Vec<Intent>,
}

impl Council {
    /// `leaders[i]`: leader `i`'s neuron and controller key.
    pub fn new(leaders: Vec<(NeuronId, SecretKey<V>)>, intents: Vec<Intent>) -> Self {
        Self { leaders, intents }
    }

    /// The items due at `height` that `parent` has not applied yet.
    pub fn due(&self, parent: &GovState, height: u64, now: Time) -> Vec<Item> {
        let mut items = Vec::new();
        for intent in &self.intents {
            match intent {
                Intent::Propose {
                    leader,
                    limit,
                    height: from,
                } if height >= *from => {
                    if let Some((neuron, key)) = self.leaders.get(*leader)
                        && !parent.has_proposed(*neuron)
                    {
                        items.push(Item::Propose(SignedProposal::sign(key, *neuron, *limit)));
                    }
                }
                Intent::Vote {
                    leader,
                    vote,
                    height: from,
                } if height >= *from => {
                    let Some((neuron, key)) = self.leaders.get(*leader) else {
                        continue;
                    };
                    let Some(p) = parent.proposal() else { continue };
                    if p.accepts_votes(now) && parent.bns.ballot(p.id, *neuron) == Some(None) {
                        items.push(Item::Vote(SignedVote::sign(key, *neuron, p.id, *vote)));
                    }
                }
                _ => {}
            }
        }
        items
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use dfn_bns::ProposalStatus;
    use dfn_bns::config::YEAR_MS;
    use dfn_state::rlp::{decode_exact, encode_list};
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    const TOKEN: u64 = 100_000_000;

    /// Three leaders; six followers of all three.
    fn setup() -> (GovState, Vec<(NeuronId, SecretKey<V>)>) {
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        let keys: Vec<SecretKey<V>> = (0..9).map(|_| SecretKey::random(&mut rng)).collect();
        let neurons: Vec<Genesis> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| Genesis {
                controller: KeyId::of(&k.public_key()),
                stake: 10 * TOKEN,
                dissolve_delay_ms: YEAR_MS,
                followees: if i < 3 { Vec::new() } else { vec![0, 1, 2] },
                catch_all: i % 2 == 0,
            })
            .collect();
        let (state, ids) = GovState::genesis(&neurons, 20).unwrap();
        let leaders = ids.into_iter().zip(keys).take(3).collect();
        (state, leaders)
    }

    fn roundtrip(items: &[Item]) -> Vec<Item> {
        let mut bytes = Vec::new();
        encode_list(items, &mut bytes);
        let list = dfn_state::rlp::Rlp::new(&bytes).unwrap();
        let decoded: Vec<Item> = dfn_state::rlp::list_items(&list)
            .unwrap()
            .iter()
            .map(|i| i.decode().unwrap())
            .collect();
        let mut again = Vec::new();
        encode_list(&decoded, &mut again);
        assert_eq!(bytes, again);
        decoded
    }

    #[test]
    fn a_proposal_seconded_by_one_leader_is_carried_by_the_followers() {
        let (genesis, leaders) = setup();
        let council = Council::new(
            leaders,
            vec![
                Intent::Propose {
                    leader: 0,
                    limit: 30,
                    height: 2,
                },
                Intent::Vote {
                    leader: 1,
                    vote: Vote::Yes,
                    height: 3,
                },
            ],
        );
        let at = |h: u64| Time::from_millis(h * 1_000);
        assert!(council.due(&genesis, 1, at(1)).is_empty());
        let items = roundtrip(&council.due(&genesis, 2, at(2)));
        let proposed = genesis.apply(2, at(2), &items).unwrap();
        // One leader of three: the followers wait.
        let p = proposed.proposal().unwrap();
        assert_eq!(p.status, ProposalStatus::Open);
        assert_eq!(proposed.ballots(p.id), (1, 9));
        assert!(council.due(&proposed, 2, at(2)).is_empty(), "proposed once");

        let items = roundtrip(&council.due(&proposed, 3, at(3)));
        let decided = proposed.apply(3, at(3), &items).unwrap();
        let p = decided.proposal().unwrap();
        assert_eq!(p.status, ProposalStatus::Executed);
        assert_eq!(decided.ballots(p.id), (8, 9));
        assert_eq!((decided.max_transfers, decided.direct_votes), (30, 2));
        assert_ne!(decided.log, proposed.log);
        assert!(council.due(&decided, 4, at(4)).is_empty(), "voted once");
    }

    #[test]
    fn forged_and_repeated_items_make_a_block_invalid() {
        let (genesis, leaders) = setup();
        let (neuron, key) = &leaders[0];
        let (_, other) = &leaders[1];
        let now = Time::from_millis(1_000);
        // Signed by a key that does not control the neuron.
        let forged = Item::Propose(SignedProposal::sign(other, *neuron, 30));
        assert!(genesis.apply(1, now, &[forged]).is_err());
        // A signature over another limit.
        let mut tampered = SignedProposal::sign(key, *neuron, 30);
        tampered.limit = 1_000;
        assert!(genesis.apply(1, now, &[Item::Propose(tampered)]).is_err());
        // A vote twice.
        let good = Item::Propose(SignedProposal::sign(key, *neuron, 30));
        let proposed = genesis.apply(1, now, &[good]).unwrap();
        let id = proposed.proposal().unwrap().id;
        let vote = Item::Vote(SignedVote::sign(&leaders[2].1, leaders[2].0, id, Vote::No));
        assert!(proposed.apply(2, now, &[vote.clone(), vote]).is_err());
    }

    #[test]
    fn item_decoding_refuses_garbage_without_panicking() {
        for bytes in [
            &[][..],
            &[0xc0],
            &[0xc2, 0x02, 0x80],
            &[0xc3, 0x00, 0x81, 0x00],
        ] {
            assert!(decode_exact::<Item>(bytes).is_err(), "{bytes:?}");
        }
    }
}
