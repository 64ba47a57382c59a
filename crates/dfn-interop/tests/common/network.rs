//! Setting up the interop simulation: the public network and two private
//! networks dealt by `dfn_interop::Dealer`, each with its post key and
//! script, as dfn-sim hosts.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use dfn_beacon::ProcessId;
use dfn_interop::{LightBeacon, PostKey};
use dfn_sim::NodeId;
use dfn_state::Address;

use super::chain_host::{ChainHost, Net};
use super::contract_host::{ContractHost, Order};
use super::fixture::V;
use super::host::Host;
use super::private_host::{Invocation, PrivateHost};
use super::public_host::PublicHost;

pub const PUBLIC_GENESIS: [u8; 32] = *b"dfn interop public chain genesis";

pub fn config(genesis: [u8; 32]) -> dfn_psp::PspConfig {
    let mut c = dfn_psp::PspConfig::new(genesis);
    c.block_time_ms = 1_000;
    c.delta_ms = 400;
    c.slot_ms = 200;
    c
}

fn net_of(id: u8, network: &dfn_interop::PrivateNetwork<V>, offset: u32) -> Arc<Net> {
    let nodes: BTreeMap<ProcessId, NodeId> = network
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.id, NodeId(offset + i as u32)))
        .collect();
    Arc::new(Net {
        id,
        groups: Arc::clone(&network.groups),
        members: network
            .members
            .iter()
            .map(|(g, ps)| (*g, ps.iter().map(|p| nodes[p]).collect()))
            .collect(),
        ids: nodes.iter().map(|(p, n)| (*n, *p)).collect(),
        all: nodes.values().copied().collect(),
        nodes,
    })
}

fn deal(
    genesis: [u8; 32],
    processes: usize,
    groups: usize,
    size: usize,
    threshold: u32,
    rng: &mut rand_chacha::ChaCha20Rng,
) -> dfn_interop::PrivateNetwork<V> {
    let identities = (0..processes)
        .map(|_| dfn_crypto::SecretKey::random(rng))
        .collect();
    dfn_interop::Dealer {
        config: config(genesis),
        groups,
        group_size: size,
        threshold,
    }
    .deal(identities, rng)
    .unwrap()
}

/// What a private network runs.
pub enum Script {
    /// Host methods over the private state: twinned methods and certified
    /// calls by height.
    Methods(BTreeMap<u64, Vec<Invocation>>),
    /// Contracts on dfn-vm: the clerk's transactions by height, and what
    /// the treasury books at genesis.
    Contracts {
        orders: BTreeMap<u64, Vec<Order>>,
        opening: u64,
    },
}

/// [`build_networks`] with two networks of host methods.
pub fn build(
    seed: u64,
    coins: [u64; 2],
    scripts: [BTreeMap<u64, Vec<Invocation>>; 2],
) -> Vec<Host> {
    build_networks(seed, coins, scripts.map(Script::Methods))
}

/// Four public processes (two groups of three, threshold two), then two
/// private networks of three processes (one group, threshold two), each
/// running its script; network `n`'s public account starts with
/// `coins[n]` of the stable coin.
pub fn build_networks(seed: u64, coins: [u64; 2], scripts: [Script; 2]) -> Vec<Host> {
    use rand_core::SeedableRng;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let public = deal(PUBLIC_GENESIS, 4, 2, 3, 2, &mut rng);
    let public_net = net_of(0, &public, 0);
    let networks: Vec<_> = (0..2u8)
        .map(|n| {
            let mut genesis = *b"dfn interop private chain  #0   ";
            genesis[27] = b'0' + n;
            deal(genesis, 3, 1, 3, 2, &mut rng)
        })
        .collect();
    // Each network's key for its public account, as its dealer drew it.
    let keys: Vec<PostKey> = networks.iter().map(|n| n.post_key.clone()).collect();
    let allocation: Vec<(Address, u64)> = keys
        .iter()
        .zip(coins)
        .map(|(k, c)| (k.address(), c))
        .collect();
    let mut hosts = Vec::new();
    for i in 0..public.keys.len() {
        let chain = ChainHost {
            node: public.node(i, &mut rng).unwrap(),
            net: Arc::clone(&public_net),
            me: NodeId(i as u32),
            out: VecDeque::new(),
        };
        hosts.push(Host::Public(Box::new(PublicHost::new(
            chain,
            PUBLIC_GENESIS,
            &allocation,
        ))));
    }
    let publics: Vec<NodeId> = (0..public.keys.len() as u32).map(NodeId).collect();
    for (n, ((network, script), key)) in networks.iter().zip(scripts).zip(keys).enumerate() {
        let offset = hosts.len() as u32;
        let net = net_of(n as u8 + 1, network, offset);
        for i in 0..network.keys.len() {
            let chain = ChainHost {
                node: network.node(i, &mut rng).unwrap(),
                net: Arc::clone(&net),
                me: NodeId(offset + i as u32),
                out: VecDeque::new(),
            };
            let beacon = LightBeacon::new(PUBLIC_GENESIS, public.groups.root());
            let (publics, id) = (publics.clone(), network.chain_id());
            hosts.push(match &script {
                Script::Methods(m) => Host::Private(Box::new(PrivateHost::new(
                    chain,
                    publics,
                    beacon,
                    id,
                    key.clone(),
                    Arc::new(m.clone()),
                ))),
                Script::Contracts { orders, opening } => {
                    Host::Contract(Box::new(ContractHost::new(
                        chain,
                        publics,
                        beacon,
                        id,
                        key.clone(),
                        *opening,
                        Arc::new(orders.clone()),
                    )))
                }
            });
        }
    }
    hosts
}
