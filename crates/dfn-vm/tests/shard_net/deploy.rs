//! A sharded deployment of ShardToken: per shard, the outbox, one token
//! instance (pinned to the shard, peer of every other instance), a
//! stranger instance that accepts no credits, and holders.

use std::sync::Arc;

use dfn_state::shard::{ShardId, ShardMap};
use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, B256, U256, keccak256};
use dfn_vm::shard::OUTBOX;
use dfn_vm::shard::OUTBOX_CODE;
use dfn_vm::{BlockEnv, Executor, Spec, StateHost, Transaction, TxType, create_address};

/// Tokens each holder gets at deployment.
pub const EACH: u64 = 1_000_000;

pub fn token_code() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/contracts/ShardToken.bin"
    );
    hex::decode(std::fs::read_to_string(path).unwrap().trim()).unwrap()
}

pub fn selector(signature: &str) -> [u8; 4] {
    keccak256(signature.as_bytes()).0[..4].try_into().unwrap()
}

pub fn word(v: U256) -> [u8; 32] {
    v.to_be_bytes::<32>()
}

pub fn addr_word(a: Address) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(&a.0);
    w
}

pub fn tx(
    sender: Address,
    to: Option<Address>,
    nonce: u64,
    gas: u64,
    data: Vec<u8>,
) -> Transaction {
    Transaction {
        tx_type: TxType::Eip1559,
        sender,
        to,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: U256::ZERO,
        max_priority_fee_per_gas: U256::ZERO,
        value: U256::ZERO,
        data,
        access_list: vec![],
        blob_versioned_hashes: vec![],
        max_fee_per_blob_gas: U256::ZERO,
    }
}

/// Appends to `head` the offset word (`tail_offset`) of an `address[]`
/// argument; returns the argument's tail.
fn address_array(head: &mut Vec<u8>, tail_offset: usize, items: &[Address]) -> Vec<u8> {
    head.extend_from_slice(&word(U256::from(tail_offset)));
    let mut tail = word(U256::from(items.len())).to_vec();
    for a in items {
        tail.extend_from_slice(&addr_word(*a));
    }
    tail
}

/// The storage key of `balanceOf[holder]` (slot 0).
pub fn balance_key(holder: Address) -> U256 {
    let mut preimage = addr_word(holder).to_vec();
    preimage.extend_from_slice(&[0u8; 32]);
    U256::from_be_bytes(keccak256(preimage).0)
}

/// Slot of `pendingAmount`.
pub const PENDING_SLOT: u64 = 4;

pub struct Shard {
    pub token: Address,
    pub stranger: Address,
    pub holders: Vec<Address>,
    pub store: MemoryStore,
    pub genesis_root: B256,
}

pub struct Deployment {
    pub map: ShardMap,
    pub shards: Vec<Shard>,
}

fn derived(tag: &str, shard: u32, i: u64) -> Address {
    let mut pre = tag.as_bytes().to_vec();
    pre.extend_from_slice(&shard.to_be_bytes());
    pre.extend_from_slice(&i.to_be_bytes());
    Address::from_slice(&keccak256(pre).0[12..]).unwrap()
}

impl Deployment {
    /// `count` shards with `holders` token holders each (addresses that map
    /// to the shard).
    pub fn new(count: u32, holders: usize) -> Arc<Self> {
        let code = token_code();
        let deployer = |s: u32| derived("deployer", s, 0);
        let tokens: Vec<Address> = (0..count)
            .map(|s| create_address(&deployer(s), 0))
            .collect();
        let strangers: Vec<Address> = (0..count)
            .map(|s| create_address(&deployer(s), 1))
            .collect();
        let mut map = ShardMap::new(count).unwrap();
        for s in 0..count {
            map = map
                .pin(tokens[s as usize], ShardId(s))
                .unwrap()
                .pin(strangers[s as usize], ShardId(s))
                .unwrap();
        }
        let mut executor = Executor::new(Spec::CANCUN);
        let env = BlockEnv::default();
        let shards = (0..count)
            .map(|s| {
                let mut mine = Vec::new();
                let mut i = 0;
                while mine.len() < holders {
                    let a = derived("holder", s, i);
                    if map.shard_of(&a) == ShardId(s) {
                        mine.push(a);
                    }
                    i += 1;
                }
                let mut state = WorldState::new(MemoryStore::new());
                state.set_code(OUTBOX, &OUTBOX_CODE).unwrap();
                state.finalize_transaction().unwrap();
                let d = deployer(s);
                let mut run = |state: &mut WorldState, t: Transaction| {
                    let r = executor
                        .transact(&mut StateHost::new(state, |_| B256::ZERO), &env, &t)
                        .unwrap();
                    assert!(r.success(), "{r:?}");
                    r
                };
                // constructor(address[] holders, uint256 each)
                let mut head = Vec::new();
                let tail = address_array(&mut head, 64, &mine);
                head.extend_from_slice(&word(U256::from(EACH)));
                let mut data = code.clone();
                data.extend(head);
                data.extend(tail);
                let r = run(&mut state, tx(d, None, 0, 10_000_000, data));
                assert_eq!(r.created, Some(tokens[s as usize]));
                let mut data = code.clone();
                let mut head = Vec::new();
                let tail = address_array(&mut head, 64, &[]);
                head.extend_from_slice(&word(U256::ZERO));
                data.extend(head);
                data.extend(tail);
                let r = run(&mut state, tx(d, None, 1, 10_000_000, data));
                assert_eq!(r.created, Some(strangers[s as usize]));
                // addPeers(address[]): every instance, this one included.
                let mut data = selector("addPeers(address[])").to_vec();
                let mut head = Vec::new();
                let tail = address_array(&mut head, 32, &tokens);
                data.extend(head);
                data.extend(tail);
                run(
                    &mut state,
                    tx(d, Some(tokens[s as usize]), 2, 10_000_000, data),
                );
                let genesis_root = state.persist().unwrap();
                Shard {
                    token: tokens[s as usize],
                    stranger: strangers[s as usize],
                    holders: mine,
                    store: state.into_store(),
                    genesis_root,
                }
            })
            .collect();
        Arc::new(Self { map, shards })
    }

    pub fn count(&self) -> u32 {
        self.shards.len() as u32
    }

    pub fn supply(&self) -> U256 {
        U256::from(EACH) * U256::from(self.shards.len() * self.shards[0].holders.len())
    }
}

/// `transferRemote(peer, to, amount, gas)`.
pub fn transfer_remote(peer: Address, to: Address, amount: u64, gas: u64) -> Vec<u8> {
    let mut data = selector("transferRemote(address,address,uint256,uint64)").to_vec();
    data.extend_from_slice(&addr_word(peer));
    data.extend_from_slice(&addr_word(to));
    data.extend_from_slice(&word(U256::from(amount)));
    data.extend_from_slice(&word(U256::from(gas)));
    data
}

/// `transfer(to, amount)`.
pub fn transfer(to: Address, amount: u64) -> Vec<u8> {
    let mut data = selector("transfer(address,uint256)").to_vec();
    data.extend_from_slice(&addr_word(to));
    data.extend_from_slice(&word(U256::from(amount)));
    data
}
