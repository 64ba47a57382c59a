//! A private chain's state run by dfn-vm: the gateway installed, the
//! example private contracts (`examples/contracts/PrivateTreasury.sol`,
//! `PrivateOnboarding.sol`) deployed, transactions of the network's clerk
//! and the gateway's deliveries executed, and reads of the contracts'
//! storage (Solidity's layout) for the assertions.

use dfn_interop::{
    CallResult, DeliveryStatus, Gateway, GatewayError, GatewayEvent, PublicCall, ReadPolicy,
    deliver, install,
};
use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, B256, U256, keccak256};
use dfn_vm::{BlockEnv, Executor, Receipt, Spec, create_address};

use super::evm::{Contracts, address_word, code, name_key, selector, transact, word};
use super::fixture::V;

/// Deploys the private contracts.
pub const ADMIN: Address = Address([0xad; 20]);
/// The treasurer and officer: sends the network's private transactions.
pub const CLERK: Address = Address([0xc1; 20]);
/// Gas a private contract's callback gets (the contracts ask for it).
pub const CALLBACK_GAS: u64 = 200_000;

/// A payment's state in the treasury.
pub const PENDING: u64 = 1;
pub const PAID: u64 = 2;
pub const RELEASED: u64 = 3;

fn mapping_slot(key: [u8; 32], index: u64) -> U256 {
    let mut pre = key.to_vec();
    pre.extend_from_slice(&word(index));
    U256::from_be_bytes(keccak256(&pre).0)
}

/// The block environment of private height `height`.
pub fn private_block(height: u64) -> BlockEnv {
    BlockEnv {
        number: height,
        timestamp: height,
        ..BlockEnv::default()
    }
}

/// The private contracts, deployed by [`ADMIN`] at nonces 0 and 1.
#[derive(Clone, Copy, Debug)]
pub struct PrivateContracts {
    pub treasury: Address,
    pub onboarding: Address,
}

impl PrivateContracts {
    pub fn addresses() -> Self {
        Self {
            treasury: create_address(&ADMIN, 0),
            onboarding: create_address(&ADMIN, 1),
        }
    }

    /// `treasury.pay(to, amount, valid_until)`.
    pub fn pay(to: Address, amount: u64, valid_until: u64) -> Vec<u8> {
        Contracts::data(
            "pay(address,uint256,uint64)",
            &[address_word(to), word(amount), word(valid_until)],
        )
    }

    /// `onboarding.claim(name, valid_until)`.
    pub fn claim(name: &str, valid_until: u64) -> Vec<u8> {
        Contracts::data(
            "claim(bytes32,uint64)",
            &[name_key(name), word(valid_until)],
        )
    }

    /// `onboarding.check(name, valid_until)`.
    pub fn check(name: &str, valid_until: u64) -> Vec<u8> {
        Contracts::data(
            "check(bytes32,uint64)",
            &[name_key(name), word(valid_until)],
        )
    }

    /// `onResult(id, status, data)` with a 32-byte `data`, as anyone could
    /// call it.
    pub fn on_result(id: u64, status: u64, data: [u8; 32]) -> Vec<u8> {
        let mut d = selector("onResult(uint256,uint256,bytes)");
        for w in [word(id), word(status), word(96), word(32), data] {
            d.extend_from_slice(&w);
        }
        d
    }
}

/// The treasury's books: `(available, locked, paid)` (slots 0, 1, 2).
pub fn books(state: &mut WorldState, treasury: Address) -> [U256; 3] {
    [0u64, 1, 2].map(|s| state.storage(treasury, U256::from(s)).unwrap())
}

/// The state of payment `id` (the byte above the payee in the first
/// word of `payments[id]`, the mapping at slot 3).
pub fn payment_state(state: &mut WorldState, treasury: Address, id: u64) -> u64 {
    let w = state
        .storage(treasury, mapping_slot(word(id), 3))
        .unwrap()
        .to_be_bytes::<32>();
    u64::from(w[11])
}

/// Whether the onboarding desk claimed `name` (`claimed`, slot 1).
pub fn claimed(state: &mut WorldState, onboarding: Address, name: &str) -> bool {
    !state
        .storage(onboarding, mapping_slot(name_key(name), 1))
        .unwrap()
        .is_zero()
}

/// The owner of `name` the desk recorded from a lookup (`owner`, slot 2).
pub fn recorded_owner(state: &mut WorldState, onboarding: Address, name: &str) -> Address {
    let w = state
        .storage(onboarding, mapping_slot(name_key(name), 2))
        .unwrap()
        .to_be_bytes::<32>();
    Address::from_slice(&w[12..]).unwrap()
}

/// `answered[id]` (slot 4): 1 + the status delivered, 0 if none.
pub fn answered(state: &mut WorldState, onboarding: Address, id: u64) -> u64 {
    state
        .storage(onboarding, mapping_slot(word(id), 4))
        .unwrap()
        .to::<u64>()
}

/// One private chain's replicated state: executed in the same order at
/// every process, it ends in the same root.
pub struct PrivateChain {
    pub state: WorldState,
    executor: Executor,
    pub gateway: Gateway,
    pub contracts: PrivateContracts,
    /// Every answer delivered: request id, status, whether the callback
    /// succeeded.
    pub delivered: Vec<(u64, DeliveryStatus, bool)>,
}

impl PrivateChain {
    /// The genesis of the private chain `chain_id` whose public account is
    /// `account`: the gateway, the
    /// treasury of the public coin (`opening` coins on its books) and the
    /// onboarding desk of the public identity registry, both run by
    /// [`CLERK`].
    pub fn new(chain_id: [u8; 32], account: Address, opening: u64) -> Self {
        let public = Contracts::addresses();
        let mut state = WorldState::new(MemoryStore::new());
        install(&mut state).unwrap();
        let mut executor = Executor::new(Spec::CANCUN);
        let env = private_block(0);
        let contracts = PrivateContracts::addresses();
        for (name, args, at) in [
            (
                "PrivateTreasury",
                vec![
                    address_word(public.coin),
                    address_word(CLERK),
                    word(opening),
                ],
                contracts.treasury,
            ),
            (
                "PrivateOnboarding",
                vec![address_word(public.identity), address_word(CLERK)],
                contracts.onboarding,
            ),
        ] {
            let mut data = code(name);
            args.iter().for_each(|a| data.extend_from_slice(a));
            let r = transact(&mut executor, &mut state, &env, ADMIN, None, data);
            assert!(r.success(), "{name}: {r:?}");
            assert_eq!(r.created, Some(at));
        }
        state.persist().unwrap();
        Self {
            state,
            executor,
            gateway: Gateway::new(
                chain_id,
                public.registry.address,
                account,
                ReadPolicy::default(),
            ),
            contracts,
            delivered: Vec::new(),
        }
    }

    /// Runs a transaction of the clerk to `to` in the private block `env`
    /// and hands its requests to the gateway (posted at the verified public
    /// height `posted_at`); then delivers whatever is ready.
    pub fn transact(
        &mut self,
        env: &BlockEnv,
        to: Address,
        data: Vec<u8>,
        posted_at: u64,
    ) -> Receipt {
        let r = transact(
            &mut self.executor,
            &mut self.state,
            env,
            CLERK,
            Some(to),
            data,
        );
        self.gateway.collect(&r.logs, posted_at).unwrap();
        r
    }

    /// A certified result: accepted and delivered in the private block
    /// `env`, or refused with nothing changed.
    pub fn handle_result(
        &mut self,
        env: &BlockEnv,
        beacon: &dfn_interop::LightBeacon,
        result: &CallResult<V>,
    ) -> Result<DeliveryStatus, GatewayError> {
        let status = self.gateway.handle_result(beacon, result)?;
        self.deliver(env);
        Ok(status)
    }

    /// Delivers every answer ready, in order; returns the calls to post.
    pub fn deliver(&mut self, env: &BlockEnv) -> Vec<PublicCall> {
        let mut posts = Vec::new();
        while let Some(event) = self.gateway.poll_event() {
            match event {
                GatewayEvent::Post(call) => posts.push(call),
                GatewayEvent::Deliver(d) => {
                    let receipt = deliver(&mut self.executor, &mut self.state, env, &d).unwrap();
                    let ok = receipt.is_some_and(|r| r.success());
                    self.delivered.push((d.request.id, d.status, ok));
                }
                _ => {}
            }
        }
        posts
    }

    /// The state root (persisting what was executed).
    pub fn root(&mut self) -> B256 {
        self.state.persist().unwrap()
    }
}
