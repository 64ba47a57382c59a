#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

//! The example public contracts (`examples/contracts`) on dfn-vm: what
//! each does when called directly and when a private network calls it
//! through the twin registry.

mod common;

use common::evm::{Contracts, ISSUER, address_word, block, name_key, selector, transact, word};
use dfn_interop::{PublicCall, Recorded, TwinId, network_account};
use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, U256};
use dfn_vm::{Executor, Receipt, Spec};

const ALICE: Address = Address([0xa1; 20]);
const BOB: Address = Address([0xb0; 20]);
const ARBITER: Address = Address([0xab; 20]);
const CHAIN: [u8; 32] = [0x99; 32];

struct World {
    state: WorldState,
    e: Executor,
    c: Contracts,
}

impl World {
    fn new() -> Self {
        let mut state = WorldState::new(MemoryStore::new());
        let c = Contracts::deploy(
            &mut state,
            &block(1),
            &[(ALICE, 100), (network_account(&CHAIN), 60)],
            ARBITER,
        );
        Self {
            state,
            e: Executor::new(Spec::CANCUN),
            c,
        }
    }

    fn send(&mut self, from: Address, to: Address, sig: &str, words: &[[u8; 32]]) -> Receipt {
        let data = Contracts::data(sig, words);
        transact(
            &mut self.e,
            &mut self.state,
            &block(2),
            from,
            Some(to),
            data,
        )
    }

    /// A call posted by the private chain `CHAIN` through the registry.
    fn twin(&mut self, n: u64, to: Address, sig: &str, words: &[[u8; 32]]) -> Recorded {
        let call = PublicCall {
            twin: TwinId::new(&CHAIN, n),
            contract: to,
            method: selector(sig),
            args: words.iter().flatten().copied().collect(),
            valid_until: 10,
        };
        self.c
            .registry
            .execute(
                &mut self.e,
                &mut self.state,
                &block(2),
                network_account(&CHAIN),
                &call,
            )
            .unwrap()
    }

    fn balance(&mut self, who: Address) -> U256 {
        self.c.balance(&mut self.state, who)
    }
}

fn reverted_with(r: &Receipt, error: &str) -> bool {
    !r.success() && r.output[..4] == selector(error)[..]
}

#[test]
fn the_stable_coin_moves_mints_and_burns_only_as_allowed() {
    let mut w = World::new();
    let coin = w.c.coin;
    let r = w.send(
        ALICE,
        coin,
        "transfer(address,uint256)",
        &[address_word(BOB), word(30)],
    );
    assert!(r.success());
    assert_eq!(r.output, word(1));
    assert_eq!(
        (w.balance(ALICE), w.balance(BOB)),
        (U256::from(70u64), U256::from(30u64))
    );
    let r = w.send(
        BOB,
        coin,
        "transfer(address,uint256)",
        &[address_word(ALICE), word(31)],
    );
    assert!(reverted_with(
        &r,
        "InsufficientBalance(address,uint256,uint256)"
    ));
    // Only the issuer mints and burns.
    let r = w.send(
        ALICE,
        coin,
        "mint(address,uint256)",
        &[address_word(ALICE), word(5)],
    );
    assert!(reverted_with(&r, "NotIssuer(address)"));
    let r = w.send(
        ISSUER,
        coin,
        "burn(address,uint256)",
        &[address_word(BOB), word(10)],
    );
    assert!(r.success());
    assert_eq!(w.balance(BOB), U256::from(20u64));
    // An allowance is spent by transferFrom and no further.
    let r = w.send(
        ALICE,
        coin,
        "approve(address,uint256)",
        &[address_word(BOB), word(15)],
    );
    assert!(r.success());
    let from = |amount| [address_word(ALICE), address_word(BOB), word(amount)];
    let r = w.send(
        BOB,
        coin,
        "transferFrom(address,address,uint256)",
        &from(10),
    );
    assert!(r.success());
    let r = w.send(
        BOB,
        coin,
        "transferFrom(address,address,uint256)",
        &from(10),
    );
    assert!(reverted_with(
        &r,
        "InsufficientAllowance(address,uint256,uint256)"
    ));
    assert_eq!(w.balance(BOB), U256::from(30u64));
    // Appending an address to a direct call does not make it that caller:
    // only the registry (the trusted forwarder) speaks for others.
    let mut data = Contracts::data("transfer(address,uint256)", &[address_word(BOB), word(50)]);
    data.extend_from_slice(&network_account(&CHAIN).0);
    let r = transact(&mut w.e, &mut w.state, &block(2), BOB, Some(coin), data);
    assert!(reverted_with(
        &r,
        "InsufficientBalance(address,uint256,uint256)"
    ));
    assert_eq!(w.balance(network_account(&CHAIN)), U256::from(60u64));
    // Through the registry, the private network spends its own coins.
    let r = w.twin(
        1,
        coin,
        "transfer(address,uint256)",
        &[address_word(BOB), word(50)],
    );
    assert!(r.success);
    assert_eq!(w.balance(network_account(&CHAIN)), U256::from(10u64));
    assert_eq!(w.balance(BOB), U256::from(80u64));
}

#[test]
fn the_identity_registry_registers_once_and_counts_attestations() {
    let mut w = World::new();
    let id = w.c.identity;
    let acme = name_key("acme");
    // A private network registers "acme" through the registry: it owns it.
    let r = w.twin(1, id, "register(bytes32)", &[acme]);
    assert!(r.success);
    assert_eq!(w.c.owner(&mut w.state, "acme"), network_account(&CHAIN));
    let r = w.send(ALICE, id, "register(bytes32)", &[acme]);
    assert!(reverted_with(&r, "NameTaken(bytes32,address)"));
    // Only appointed attesters attest, once each.
    let r = w.send(ALICE, id, "attest(bytes32)", &[acme]);
    assert!(reverted_with(&r, "NotAttester(address)"));
    let r = w.send(ARBITER, id, "attest(bytes32)", &[acme]);
    assert!(r.success());
    assert_eq!(r.output, word(1));
    let r = w.send(ARBITER, id, "attest(bytes32)", &[acme]);
    assert!(reverted_with(&r, "AlreadyAttested(bytes32,address)"));
    let r = w.send(ARBITER, id, "attest(bytes32)", &[name_key("nobody")]);
    assert!(reverted_with(&r, "UnknownName(bytes32)"));
    let r = w.send(BOB, id, "lookup(bytes32)", &[acme]);
    assert_eq!(
        r.output,
        [address_word(network_account(&CHAIN)), word(1)].concat()
    );
    // The admin appoints attesters, nobody else.
    let r = w.send(
        ALICE,
        id,
        "setAttester(address,bool)",
        &[address_word(ALICE), word(1)],
    );
    assert!(reverted_with(&r, "NotAdmin(address)"));
}

#[test]
fn arbitration_escrows_and_releases_to_the_side_the_arbiter_favours() {
    let mut w = World::new();
    let (arb, coin) = (w.c.arbitration, w.c.coin);
    let net = network_account(&CHAIN);
    let open = |amount| [address_word(ALICE), address_word(ARBITER), word(amount)];
    // Without an allowance the escrow cannot be taken: the failed method
    // leaves no dispute behind, only the registry's record.
    let r = w.twin(1, arb, "open(address,address,uint256)", &open(40));
    assert!(!r.success);
    let r = w.send(BOB, arb, "disputes()", &[]);
    assert_eq!(r.output, word(0));
    // The private network approves the contract and opens a dispute
    // against Alice, escrowing 40.
    let r = w.twin(
        2,
        coin,
        "approve(address,uint256)",
        &[address_word(arb), word(40)],
    );
    assert!(r.success);
    let r = w.twin(3, arb, "open(address,address,uint256)", &open(40));
    assert!(r.success);
    assert_eq!(r.output, word(1));
    assert_eq!(w.balance(net), U256::from(20u64));
    assert_eq!(w.balance(arb), U256::from(40u64));
    // Only the arbiter rules, and only once.
    let r = w.send(ALICE, arb, "rule(uint256,bool)", &[word(1), word(0)]);
    assert!(reverted_with(&r, "NotArbiter(uint256,address)"));
    let r = w.send(ARBITER, arb, "rule(uint256,bool)", &[word(1), word(0)]);
    assert!(r.success());
    assert_eq!(w.balance(ALICE), U256::from(140u64));
    assert_eq!(w.balance(arb), U256::ZERO);
    let r = w.send(ARBITER, arb, "rule(uint256,bool)", &[word(1), word(1)]);
    assert!(reverted_with(&r, "NotOpen(uint256)"));
    // A dispute Alice opens directly, ruled for her: her escrow returns.
    let r = w.send(
        ALICE,
        coin,
        "approve(address,uint256)",
        &[address_word(arb), word(10)],
    );
    assert!(r.success());
    let against = [address_word(net), address_word(ARBITER), word(10)];
    let r = w.send(ALICE, arb, "open(address,address,uint256)", &against);
    assert_eq!(r.output, word(2));
    assert_eq!(w.balance(ALICE), U256::from(130u64));
    let r = w.send(ARBITER, arb, "rule(uint256,bool)", &[word(2), word(1)]);
    assert!(r.success());
    assert_eq!(w.balance(ALICE), U256::from(140u64));
}
