//! The testnet's state machine: MetaCoin on the EVM over a Merkle Patricia
//! world state, and governance (see `governance`). Every block's payload is
//! a batch of `sendCoin` calls and the governance items it carries; its
//! post-state root is what the block carries. The simulated processes all
//! share one ledger and each distinct (parent state, height, payload) is
//! executed once, for real — they would all compute the same thing.

use std::collections::HashMap;
use std::sync::Arc;

use dfn_psp::BlockHash;
use dfn_state::rlp::{Decode, Encode, Rlp, RlpError, decode_exact, encode_fields, fields_len};
use dfn_state::state::WorldState;
use dfn_state::trie::MemoryStore;
use dfn_state::{Address, B256, U256, keccak256};
use dfn_vm::{BlockEnv, Executor, Spec, StateHost, Transaction, TxType, create_address};

use crate::governance::{Council, GOVERNANCE_ACCOUNT, GovState, Item, LIMIT_SLOT, LOG_SLOT};

/// MetaCoin's creation bytecode (solc 0.8.37; see `examples/contracts`).
const METACOIN: &str = include_str!("../../../contracts/MetaCoin.bin");
/// `sendCoin(address,uint256)`.
const SEND_COIN: [u8; 4] = [0x90, 0xb9, 0x8a, 0x11];
/// MetaCoin units the deployer starts with.
pub const SUPPLY: u64 = 10_000;

/// One call in a payload: `sender` sends `amount` coins to `receiver`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Send {
    sender: Address,
    nonce: u64,
    receiver: Address,
    amount: u64,
}

impl Send {
    fn fields(&self) -> [&dyn Encode; 4] {
        [&self.sender, &self.nonce, &self.receiver, &self.amount]
    }
}

impl Encode for Send {
    fn encoded_len(&self) -> usize {
        fields_len(&self.fields())
    }
    fn encode(&self, out: &mut Vec<u8>) {
        encode_fields(&self.fields(), out);
    }
}

impl Decode for Send {
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        let [sender, nonce, receiver, amount] = rlp.fixed_list::<4>()?;
        Ok(Self {
            sender: sender.decode()?,
            nonce: nonce.decode()?,
            receiver: receiver.decode()?,
            amount: amount.decode()?,
        })
    }
}

/// A block's payload: the transfers, then the governance items.
struct Payload {
    sends: Vec<Send>,
    items: Vec<Item>,
}

impl Decode for Payload {
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        let [sends, items] = rlp.fixed_list::<2>()?;
        Ok(Self {
            sends: decode_list(&sends)?,
            items: decode_list(&items)?,
        })
    }
}

fn decode_list<T: Decode>(rlp: &Rlp<'_>) -> Result<Vec<T>, RlpError> {
    dfn_state::rlp::list_items(rlp)?
        .iter()
        .map(|s| s.decode())
        .collect()
}

/// Why a payload is invalid.
#[derive(Debug)]
pub enum Invalid {
    /// Not a batch.
    Encoding,
    /// The parent state is unknown here.
    UnknownParent,
    /// A transaction the EVM refuses (nonce, balance, ...).
    Transaction,
    /// More transfers than the limit governance set.
    TooManyTransfers,
    /// A governance item governance refuses.
    Governance,
}

/// The shared ledger.
pub struct Ledger {
    store: Option<MemoryStore>,
    /// Post-state root of each block executed (the genesis included).
    roots: HashMap<BlockHash, B256>,
    /// (parent root, height, payload hash) → (post root, transactions).
    executed: HashMap<(B256, u64, B256), (B256, usize)>,
    /// Governance state after each executed block, by post root (which
    /// commits to it).
    governance: HashMap<B256, Arc<GovState>>,
    council: Council,
    /// Logical milliseconds per height (governance's clock).
    block_time: u64,
    executor: Executor,
    contract: Address,
    accounts: Vec<Address>,
    /// Transactions executed, distinct payloads counted once.
    pub transactions_run: usize,
}

impl Ledger {
    /// The genesis state: `accounts` funded with ether for gas, MetaCoin
    /// deployed by the first of them (who holds the whole supply).
    pub fn new(
        genesis: BlockHash,
        accounts: usize,
        governance: GovState,
        council: Council,
        block_time: u64,
    ) -> Result<Self, String> {
        let accounts: Vec<Address> = (0..accounts.max(2))
            .map(|i| {
                let mut a = [0u8; 20];
                a[0] = 0xac;
                a[12..].copy_from_slice(&(i as u64).to_be_bytes());
                Address(a)
            })
            .collect();
        let mut state = WorldState::new(MemoryStore::new());
        for a in &accounts {
            state
                .set_balance(*a, U256::from(10u64).pow(U256::from(21)))
                .map_err(|e| e.to_string())?;
        }
        state.finalize_transaction().map_err(|e| e.to_string())?;
        let code = hex::decode(METACOIN.trim()).map_err(|e| e.to_string())?;
        let deployer = accounts[0];
        let mut executor = Executor::new(Spec::CANCUN);
        let tx = transaction(deployer, 0, None, code);
        let receipt = executor
            .transact(
                &mut StateHost::new(&mut state, |_| B256::ZERO),
                &BlockEnv::default(),
                &tx,
            )
            .map_err(|e| format!("{e:?}"))?;
        if !receipt.success() {
            return Err("MetaCoin deployment failed".into());
        }
        let contract = create_address(&deployer, 0);
        // The governance account exists (nonce 1) so its storage is never
        // swept away as an empty account's.
        state
            .set_nonce(GOVERNANCE_ACCOUNT, 1)
            .map_err(|e| e.to_string())?;
        commit_governance(&mut state, &governance).map_err(|e| e.to_string())?;
        let root = state.persist().map_err(|e| e.to_string())?;
        Ok(Self {
            store: Some(state.into_store()),
            roots: HashMap::from([(genesis, root)]),
            executed: HashMap::new(),
            governance: HashMap::from([(root, Arc::new(governance))]),
            council,
            block_time,
            executor,
            contract,
            accounts,
            transactions_run: 1,
        })
    }

    /// The post-state root of block `block`, if executed here.
    pub fn root(&self, block: &BlockHash) -> Option<B256> {
        self.roots.get(block).copied()
    }

    /// The governance state after block `block`, if executed here.
    pub fn governance(&self, block: &BlockHash) -> Option<Arc<GovState>> {
        self.governance.get(&self.root(block)?).cloned()
    }

    fn now(&self, height: u64) -> dfn_crypto::Time {
        dfn_crypto::Time::from_millis(height.saturating_mul(self.block_time))
    }

    /// A maker's payload on `parent`: as many sends between the accounts
    /// as the limit in force allows (demand is unbounded), chosen from the
    /// height (valid: nonces read from the parent state), and the
    /// governance items the council has due.
    pub fn propose(&mut self, parent: &BlockHash, height: u64) -> Option<Vec<u8>> {
        let root = self.root(parent)?;
        let governance = self.governance.get(&root)?.clone();
        let count = governance.max_transfers;
        let items = self.council.due(&governance, height, self.now(height));
        let mut state = WorldState::open(self.store.take()?, root);
        let n = self.accounts.len() as u64;
        let mut sends: Vec<Send> = Vec::new();
        let mut next_nonce: HashMap<Address, u64> = HashMap::new();
        for j in 0..count {
            let mix = height
                .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                .wrapping_add(j * 7919);
            // Early on most coins sit with the deployer: it sends first.
            let sender = if j % 3 == 0 {
                self.accounts[0]
            } else {
                self.accounts[(mix % n) as usize]
            };
            let receiver = self.accounts[((mix >> 17) % n) as usize];
            let nonce = match next_nonce.get(&sender) {
                Some(n) => *n,
                None => state.nonce(sender).unwrap_or(0),
            };
            next_nonce.insert(sender, nonce + 1);
            sends.push(Send {
                sender,
                nonce,
                receiver,
                amount: 1 + (mix >> 40) % 25,
            });
        }
        self.store = Some(state.into_store());
        let mut sends_rlp = Vec::new();
        dfn_state::rlp::encode_list(&sends, &mut sends_rlp);
        let mut items_rlp = Vec::new();
        dfn_state::rlp::encode_list(&items, &mut items_rlp);
        let mut out = Vec::new();
        dfn_state::rlp::encode_list_header(sends_rlp.len() + items_rlp.len(), &mut out);
        out.extend_from_slice(&sends_rlp);
        out.extend_from_slice(&items_rlp);
        Some(out)
    }

    /// Executes `payload` at `height` on `parent`'s state, records
    /// `block`'s post root; returns it with the number of transactions.
    pub fn execute(
        &mut self,
        block: Option<BlockHash>,
        parent: &BlockHash,
        height: u64,
        payload: &[u8],
    ) -> Result<(B256, usize), Invalid> {
        let parent_root = self.root(parent).ok_or(Invalid::UnknownParent)?;
        let key = (parent_root, height, keccak256(payload));
        if let Some(done) = self.executed.get(&key).copied() {
            if let Some(b) = block {
                self.roots.insert(b, done.0);
            }
            return Ok(done);
        }
        let Payload { sends, items } =
            decode_exact::<Payload>(payload).map_err(|_| Invalid::Encoding)?;
        let parent_governance = self
            .governance
            .get(&parent_root)
            .ok_or(Invalid::UnknownParent)?;
        if sends.len() as u64 > parent_governance.max_transfers {
            return Err(Invalid::TooManyTransfers);
        }
        let governance = parent_governance
            .apply(height, self.now(height), &items)
            .map_err(|_| Invalid::Governance)?;
        let store = self.store.take().ok_or(Invalid::UnknownParent)?;
        let mut state = WorldState::open(store, parent_root);
        let mut result = Ok(());
        for s in &sends {
            let mut data = SEND_COIN.to_vec();
            data.extend_from_slice(&[0u8; 12]);
            data.extend_from_slice(&s.receiver.0);
            data.extend_from_slice(&U256::from(s.amount).to_be_bytes::<32>());
            let tx = transaction(s.sender, s.nonce, Some(self.contract), data);
            let mut host = StateHost::new(&mut state, |_| B256::ZERO);
            if self
                .executor
                .transact(&mut host, &BlockEnv::default(), &tx)
                .is_err()
            {
                result = Err(Invalid::Transaction);
                break;
            }
        }
        if result.is_ok() {
            result = commit_governance(&mut state, &governance).map_err(|_| Invalid::Transaction);
        }
        let root = state.persist();
        self.store = Some(state.into_store());
        result?;
        let root = root.map_err(|_| Invalid::Transaction)?;
        self.transactions_run += sends.len();
        self.executed.insert(key, (root, sends.len()));
        self.governance.insert(root, Arc::new(governance));
        if let Some(b) = block {
            self.roots.insert(b, root);
        }
        Ok((root, sends.len()))
    }

    /// Every account's MetaCoin balance at the state of `block`.
    pub fn balances(&mut self, block: &BlockHash) -> Option<Vec<u64>> {
        let root = self.root(block)?;
        let mut state = WorldState::open(self.store.take()?, root);
        let balances = self
            .accounts
            .iter()
            .map(|a| {
                // `balances` is MetaCoin's slot 0: a holder's entry sits at
                // keccak256(pad32(holder) ‖ pad32(0)).
                let mut key = [0u8; 64];
                key[12..32].copy_from_slice(&a.0);
                let slot = U256::from_be_bytes(keccak256(key).0);
                state
                    .storage(self.contract, slot)
                    .map(|v| v.saturating_to::<u64>())
                    .unwrap_or(0)
            })
            .collect();
        self.store = Some(state.into_store());
        Some(balances)
    }
}

/// Writes what the state root commits to of governance: the log hash and
/// the limit in force.
fn commit_governance(
    state: &mut WorldState<MemoryStore>,
    governance: &GovState,
) -> Result<(), dfn_state::state::StateError> {
    let log = U256::from_be_bytes(governance.log.0);
    let limit = U256::from(governance.max_transfers);
    state.set_storage(GOVERNANCE_ACCOUNT, U256::from(LOG_SLOT), log)?;
    state.set_storage(GOVERNANCE_ACCOUNT, U256::from(LIMIT_SLOT), limit)?;
    state.finalize_transaction()
}

fn transaction(sender: Address, nonce: u64, to: Option<Address>, data: Vec<u8>) -> Transaction {
    Transaction {
        tx_type: TxType::Eip1559,
        sender,
        to,
        nonce,
        gas_limit: 1_000_000,
        max_fee_per_gas: U256::from(10),
        max_priority_fee_per_gas: U256::from(1),
        value: U256::ZERO,
        data,
        access_list: Vec::new(),
        blob_versioned_hashes: Vec::new(),
        max_fee_per_blob_gas: U256::ZERO,
    }
}
