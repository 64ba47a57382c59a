//! The public side of twinning and certified calls: the twin registry, an
//! EVM contract (`examples/contracts/TwinRegistry.sol`) that executes a
//! call posted by a private network and records its outcome under the
//! call's id in the same transaction, so that a certified read of one
//! storage slot proves it.
//!
//! Records are keyed by the poster and the id,
//! `key = keccak256(u256(poster) ‖ id)` ([`record_key`]): the poster is the
//! account that sent the registry transaction, so nobody can record an
//! outcome under another network's ids. Storage layout (Solidity mappings,
//! so the slot of key `k` in the mapping at index `n` is
//! `keccak256(k ‖ u256(n))`):
//!
//! - `outcome[key]` (index 0): [`OUTCOME_SUCCEEDED`] or [`OUTCOME_FAILED`];
//!   twinned methods read it ([`twin_slot`]).
//! - `result[key]` (index 1): `keccak256(u8(ok) ‖ return data)`; certified
//!   calls read it ([`result_slot`], [`result_word`]).
//!
//! The method runs in a frame of its own inside the registry's
//! transaction: when it fails (or returns more than [`MAX_RETURN`] bytes)
//! its effects are undone by the EVM and only the record "failed" is
//! written. [`TwinRegistry::execute`] refuses, before anything runs, what
//! the contract would revert on (an expired call, an id already recorded),
//! so a refused call changes nothing, not even a nonce.

use alloc::vec::Vec;

use dfn_state::state::{StateError, WorldState};
use dfn_state::trie::NodeStore;
use dfn_state::{Address, B256, U256, keccak256};
use dfn_vm::{BlockEnv, Executor, InvalidTransaction, StateHost, Transaction, TxType, VmError};
use thiserror::Error;

use crate::post::{PostDomain, PostError, SignedPost};
use crate::twin::{PublicCall, TwinId};

/// The `outcome` value of a call whose method succeeded.
pub const OUTCOME_SUCCEEDED: u64 = 1;
/// The `outcome` value of a call whose method failed.
pub const OUTCOME_FAILED: u64 = 2;
/// The longest return data a method may give (longer is a failure).
pub const MAX_RETURN: usize = 1024;
/// The gas limit of a registry transaction.
pub const CALL_GAS: u64 = 1_000_000;
/// `execute(bytes32,address,bytes,uint256)`.
const EXECUTE: [u8; 4] = [0xdb, 0x72, 0x42, 0x0c];

fn mapping_slot(key: &[u8; 32], index: u8) -> U256 {
    let mut preimage = [0u8; 64];
    let (k, i) = preimage.split_at_mut(32);
    k.copy_from_slice(key);
    if let Some(last) = i.last_mut() {
        *last = index;
    }
    U256::from_be_bytes(keccak256(preimage).0)
}

/// The key the registry records `id` under when `poster` posted it:
/// `keccak256(u256(poster) ‖ id)` (Solidity's `abi.encode(poster, id)`).
pub fn record_key(poster: &Address, id: &TwinId) -> [u8; 32] {
    let mut preimage = [0u8; 64];
    let (account, key) = preimage.split_at_mut(32);
    if let Some(low) = account.get_mut(12..) {
        low.copy_from_slice(&poster.0);
    }
    key.copy_from_slice(&id.0);
    keccak256(preimage).0
}

/// The registry slot holding the outcome of `twin` posted by `poster`
/// (`outcome[record_key(poster, twin)]`).
pub fn twin_slot(poster: &Address, twin: &TwinId) -> U256 {
    mapping_slot(&record_key(poster, twin), 0)
}

/// The registry slot holding the result commitment of the call `id`
/// posted by `poster` (`result[record_key(poster, id)]`).
pub fn result_slot(poster: &Address, id: &TwinId) -> U256 {
    mapping_slot(&record_key(poster, id), 1)
}

/// The commitment the registry stores for a result:
/// `keccak256(u8(success) ‖ output)`.
pub fn result_word(success: bool, output: &[u8]) -> U256 {
    let mut preimage = Vec::with_capacity(output.len().saturating_add(1));
    preimage.push(u8::from(success));
    preimage.extend_from_slice(output);
    U256::from_be_bytes(keccak256(&preimage).0)
}

/// An account named by a private chain's id: the last 20 bytes of
/// `keccak256("DFN-NETWORK-ACCOUNT-V1" ‖ chain_id)`. Nobody holds its key,
/// so only [`TwinRegistry::execute`] (which takes the sender as given) can
/// post from it; a deployed network posts from its
/// [`PostKey`](crate::PostKey)'s account through
/// [`TwinRegistry::execute_signed`].
pub fn network_account(chain_id: &[u8; 32]) -> Address {
    let mut preimage = b"DFN-NETWORK-ACCOUNT-V1".to_vec();
    preimage.extend_from_slice(chain_id);
    let hash = keccak256(&preimage).0;
    let mut address = [0u8; 20];
    address.copy_from_slice(hash.get(12..).unwrap_or(&[0u8; 20]));
    Address(address)
}

/// Why the public chain refuses a call or the registry transaction failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The call's expiry height has passed: it is never executed.
    #[error("call expired at height {valid_until}, now {height}")]
    Expired {
        /// The call's last valid height.
        valid_until: u64,
        /// The height it was offered at.
        height: u64,
    },
    /// The poster recorded this id already (a duplicate or a replayed
    /// call).
    #[error("{0:?} already has an outcome")]
    Duplicate(TwinId),
    /// The EVM refused the transaction (nothing changed).
    #[error("invalid transaction: {0}")]
    Invalid(InvalidTransaction),
    /// The registry transaction itself reverted (its nonce is spent, no
    /// outcome is recorded): the registry is missing or out of gas.
    #[error("the registry transaction reverted")]
    Reverted,
    /// The registry's return value is not `(bool, bytes)`.
    #[error("malformed registry output")]
    Output,
    /// The state failed underneath.
    #[error("state: {0}")]
    State(#[from] StateError),
    /// A signed post whose signature is malformed or recovers to no key.
    #[error("post: {0}")]
    Post(#[from] PostError),
}

/// What the registry recorded for one call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// Whether the method succeeded.
    pub success: bool,
    /// Its return data (success) or revert data (failure; empty when
    /// longer than [`MAX_RETURN`]).
    pub output: Vec<u8>,
    /// Gas the registry transaction used.
    pub gas_used: u64,
}

/// The twin registry deployed at `address` on the public chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TwinRegistry {
    /// The registry contract.
    pub address: Address,
}

fn word(value: U256) -> [u8; 32] {
    value.to_be_bytes::<32>()
}

impl TwinRegistry {
    /// The ABI call data of `execute(id, contract, method ‖ args,
    /// valid_until)`.
    pub fn call_data(call: &PublicCall) -> Vec<u8> {
        let data_len = call.method.len().saturating_add(call.args.len());
        let padded = data_len.div_ceil(32).saturating_mul(32);
        let len = padded.saturating_add(4 + 5 * 32);
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(&EXECUTE);
        out.extend_from_slice(&call.twin.0);
        out.extend_from_slice(&[0u8; 12]);
        out.extend_from_slice(&call.contract.0);
        out.extend_from_slice(&word(U256::from(4u64 * 32)));
        out.extend_from_slice(&word(U256::from(call.valid_until)));
        out.extend_from_slice(&word(U256::from(data_len)));
        out.extend_from_slice(&call.method);
        out.extend_from_slice(&call.args);
        out.resize(len, 0);
        out
    }

    /// The registry transaction posting `call` from `sender` (fees zero:
    /// the public chain of the examples charges none).
    pub fn transaction(&self, sender: Address, nonce: u64, call: &PublicCall) -> Transaction {
        Transaction {
            tx_type: TxType::Eip1559,
            sender,
            to: Some(self.address),
            nonce,
            gas_limit: CALL_GAS,
            max_fee_per_gas: U256::ZERO,
            max_priority_fee_per_gas: U256::ZERO,
            value: U256::ZERO,
            data: Self::call_data(call),
            access_list: Vec::new(),
            blob_versioned_hashes: Vec::new(),
            max_fee_per_blob_gas: U256::ZERO,
        }
    }

    /// Executes `call` posted by `sender` in the block `block` (with the
    /// sender's next nonce): the method runs on the EVM and its outcome is
    /// recorded, all in one transaction. An expired call or an id `sender`
    /// already recorded is refused and changes nothing.
    pub fn execute<S: NodeStore>(
        &self,
        executor: &mut Executor,
        state: &mut WorldState<S>,
        block: &BlockEnv,
        sender: Address,
        call: &PublicCall,
    ) -> Result<Recorded, RegistryError> {
        if block.number > call.valid_until {
            return Err(RegistryError::Expired {
                valid_until: call.valid_until,
                height: block.number,
            });
        }
        if !state
            .storage(self.address, twin_slot(&sender, &call.twin))?
            .is_zero()
        {
            return Err(RegistryError::Duplicate(call.twin));
        }
        let tx = self.transaction(sender, state.nonce(sender)?, call);
        let receipt = executor
            .transact(&mut StateHost::new(state, |_| B256::ZERO), block, &tx)
            .map_err(|e| match e {
                VmError::Host(e) => RegistryError::State(e),
                VmError::Invalid(e) => RegistryError::Invalid(e),
                _ => RegistryError::Reverted,
            })?;
        if !receipt.success() {
            return Err(RegistryError::Reverted);
        }
        let (success, output) = decode_output(&receipt.output).ok_or(RegistryError::Output)?;
        Ok(Recorded {
            success,
            output,
            gas_used: receipt.gas_used,
        })
    }

    /// Where posts to this registry on the chain `chain_id` run.
    pub fn domain(&self, chain_id: u64) -> PostDomain {
        PostDomain {
            chain_id,
            registry: self.address,
        }
    }

    /// Executes a signed post as the account its signature recovers to
    /// ([`SignedPost::poster`] in this registry's domain on `block`'s
    /// chain), whatever account the post may claim to be for: the public methods see that account as the caller, so a
    /// post can spend only its signer's coins. Returns the poster and the
    /// record; refusals as for [`execute`](Self::execute), and a bad
    /// signature changes nothing.
    pub fn execute_signed<S: NodeStore>(
        &self,
        executor: &mut Executor,
        state: &mut WorldState<S>,
        block: &BlockEnv,
        post: &SignedPost,
    ) -> Result<(Address, Recorded), RegistryError> {
        let poster = post.poster(self.domain(block.chain_id))?;
        let recorded = self.execute(executor, state, block, poster, &post.call)?;
        Ok((poster, recorded))
    }
}

/// Decodes the ABI encoding of `(bool, bytes)`.
fn decode_output(out: &[u8]) -> Option<(bool, Vec<u8>)> {
    let read = |at: usize| -> Option<usize> {
        let w: [u8; 32] = out.get(at..at.checked_add(32)?)?.try_into().ok()?;
        usize::try_from(U256::from_be_bytes(w)).ok()
    };
    let success = match read(0)? {
        0 => false,
        1 => true,
        _ => return None,
    };
    let offset = read(32)?;
    let len = read(offset)?;
    let start = offset.checked_add(32)?;
    let data = out.get(start..start.checked_add(len)?)?;
    Some((success, data.to_vec()))
}
