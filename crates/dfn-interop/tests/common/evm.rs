//! The example public contracts (`examples/contracts`, solc 0.8.37) on
//! dfn-vm: deployment, ABI encoding of the calls the tests make, and
//! reads of their storage (Solidity's layout) for the assertions.

use dfn_interop::{CallSpec, TwinRegistry};
use dfn_state::state::WorldState;
use dfn_state::trie::NodeStore;
use dfn_state::{Address, B256, U256, keccak256};
use dfn_vm::{BlockEnv, Executor, Receipt, Spec, StateHost, Transaction, TxType, create_address};

/// Deploys the contracts, issues the coin, appoints attesters.
pub const ISSUER: Address = Address([0x15; 20]);

/// The creation bytecode of `examples/contracts/<name>.bin`.
pub fn code(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../examples/contracts/{name}.bin",
        env!("CARGO_MANIFEST_DIR")
    );
    hex::decode(std::fs::read_to_string(path).unwrap().trim()).unwrap()
}

pub fn selector(signature: &str) -> Vec<u8> {
    keccak256(signature.as_bytes()).0[..4].to_vec()
}

pub fn address_word(a: Address) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(&a.0);
    w
}

pub fn word(v: u64) -> [u8; 32] {
    U256::from(v).to_be_bytes::<32>()
}

/// A name as the registry's `bytes32` key.
pub fn name_key(name: &str) -> [u8; 32] {
    keccak256(name.as_bytes()).0
}

/// The public chain's id (EIP-155), which signed posts are bound to.
pub const PUBLIC_CHAIN_ID: u64 = 1;

/// The block environment of public height `height`.
pub fn block(height: u64) -> BlockEnv {
    BlockEnv {
        number: height,
        timestamp: height,
        chain_id: PUBLIC_CHAIN_ID,
        ..BlockEnv::default()
    }
}

/// Runs a fee-free transaction from `sender` (its next nonce).
pub fn transact<S: NodeStore>(
    executor: &mut Executor,
    state: &mut WorldState<S>,
    env: &BlockEnv,
    sender: Address,
    to: Option<Address>,
    data: Vec<u8>,
) -> Receipt {
    let tx = Transaction {
        tx_type: TxType::Eip1559,
        sender,
        to,
        nonce: state.nonce(sender).unwrap(),
        gas_limit: 3_000_000,
        max_fee_per_gas: U256::ZERO,
        max_priority_fee_per_gas: U256::ZERO,
        value: U256::ZERO,
        data,
        access_list: vec![],
        blob_versioned_hashes: vec![],
        max_fee_per_blob_gas: U256::ZERO,
    };
    executor
        .transact(&mut StateHost::new(state, |_| B256::ZERO), env, &tx)
        .unwrap()
}

fn mapping_slot(key: [u8; 32], index: u64) -> U256 {
    let mut pre = key.to_vec();
    pre.extend_from_slice(&word(index));
    U256::from_be_bytes(keccak256(&pre).0)
}

/// The public contracts, deployed by [`ISSUER`] at nonces 0..4.
#[derive(Clone, Copy, Debug)]
pub struct Contracts {
    pub registry: TwinRegistry,
    pub coin: Address,
    pub identity: Address,
    pub arbitration: Address,
}

impl Contracts {
    /// Where `deploy` puts them.
    pub fn addresses() -> Self {
        Self {
            registry: TwinRegistry {
                address: create_address(&ISSUER, 0),
            },
            coin: create_address(&ISSUER, 1),
            identity: create_address(&ISSUER, 2),
            arbitration: create_address(&ISSUER, 3),
        }
    }

    /// Deploys the registry, the coin, the identity registry and the
    /// arbitration contract (in one block at `env`), mints `coins` to each
    /// holder and makes `attester` an attester.
    pub fn deploy<S: NodeStore>(
        state: &mut WorldState<S>,
        env: &BlockEnv,
        coins: &[(Address, u64)],
        attester: Address,
    ) -> Self {
        let c = Self::addresses();
        let mut e = Executor::new(Spec::CANCUN);
        let registry = c.registry.address;
        let with_args = |name: &str, args: &[[u8; 32]]| {
            let mut code = code(name);
            args.iter().for_each(|a| code.extend_from_slice(a));
            code
        };
        for (name, args, at) in [
            ("TwinRegistry", vec![], registry),
            (
                "StableCoin",
                vec![address_word(ISSUER), address_word(registry)],
                c.coin,
            ),
            (
                "IdentityRegistry",
                vec![address_word(ISSUER), address_word(registry)],
                c.identity,
            ),
            (
                "Arbitration",
                vec![address_word(c.coin), address_word(registry)],
                c.arbitration,
            ),
        ] {
            let r = transact(&mut e, state, env, ISSUER, None, with_args(name, &args));
            assert!(r.success(), "{name}: {r:?}");
            assert_eq!(r.created, Some(at));
        }
        for (holder, amount) in coins {
            let r = transact(
                &mut e,
                state,
                env,
                ISSUER,
                Some(c.coin),
                Self::data(
                    "mint(address,uint256)",
                    &[address_word(*holder), word(*amount)],
                ),
            );
            assert!(r.success());
        }
        let r = transact(
            &mut e,
            state,
            env,
            ISSUER,
            Some(c.identity),
            Self::data(
                "setAttester(address,bool)",
                &[address_word(attester), word(1)],
            ),
        );
        assert!(r.success());
        c
    }

    pub fn data(signature: &str, words: &[[u8; 32]]) -> Vec<u8> {
        let mut d = selector(signature);
        words.iter().for_each(|w| d.extend_from_slice(w));
        d
    }

    fn spec(contract: Address, signature: &str, words: &[[u8; 32]], valid_until: u64) -> CallSpec {
        CallSpec {
            contract,
            method: selector(signature),
            args: words.iter().flatten().copied().collect(),
            valid_until,
        }
    }

    /// `coin.transfer(to, amount)`.
    pub fn transfer(&self, to: Address, amount: u64, valid_until: u64) -> CallSpec {
        Self::spec(
            self.coin,
            "transfer(address,uint256)",
            &[address_word(to), word(amount)],
            valid_until,
        )
    }

    /// `coin.balanceOf(who)`.
    pub fn balance_of(&self, who: Address, valid_until: u64) -> CallSpec {
        Self::spec(
            self.coin,
            "balanceOf(address)",
            &[address_word(who)],
            valid_until,
        )
    }

    /// `identity.register(name)`.
    pub fn register(&self, name: &str, valid_until: u64) -> CallSpec {
        Self::spec(
            self.identity,
            "register(bytes32)",
            &[name_key(name)],
            valid_until,
        )
    }

    /// `identity.lookup(name)`.
    pub fn lookup(&self, name: &str, valid_until: u64) -> CallSpec {
        Self::spec(
            self.identity,
            "lookup(bytes32)",
            &[name_key(name)],
            valid_until,
        )
    }

    /// The coin balance of `who` (`balanceOf` is the mapping at slot 1).
    pub fn balance<S: NodeStore>(&self, state: &mut WorldState<S>, who: Address) -> U256 {
        state
            .storage(self.coin, mapping_slot(address_word(who), 1))
            .unwrap()
    }

    /// The owner of `name` (`identities` is the mapping at slot 0; the
    /// owner is the low 20 bytes of the struct's first word).
    pub fn owner<S: NodeStore>(&self, state: &mut WorldState<S>, name: &str) -> Address {
        let w = state
            .storage(self.identity, mapping_slot(name_key(name), 0))
            .unwrap()
            .to_be_bytes::<32>();
        Address::from_slice(&w[12..]).unwrap()
    }
}
