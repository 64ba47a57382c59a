//! Twinned methods at the private side (`reference.md` §7, a degenerate
//! two-phase commit): a private method runs tentatively and emits one
//! public call `C = (contract, method, args, valid_until)` named by
//! `twin_id = SHA-256("DFN-TWIN-V1" ‖ private_chain_id ‖ u64_be(call_id))`.
//! The private side commits the method's writes when a certified read of
//! the public twin registry shows the twin succeeded, aborts them when it
//! shows a failure, or when a certified height above `valid_until` shows
//! no entry (the public chain refuses the call after `valid_until`, so no
//! entry can appear later).
//!
//! Tentative writes are kept apart from the committed state and applied
//! in one step on commit, so the private state never holds part of a
//! method. A pending twin locks the balances and slots it writes; a second
//! method writing one of them is refused until the first is decided (the
//! public side holds no locks: it never depends on private state).
//!
//! [`Twins`] is a Sans-IO state machine: inputs are [`Twins::invoke`] and
//! [`Twins::handle_proof`], outputs are drained with
//! [`Twins::poll_event`]. Same inputs, same outputs and the same state.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

use dfn_crypto::Variant;
use dfn_state::rlp::{Encode, Rlp, RlpError, encode_fields, fields_len};
use dfn_state::state::{StateError, WorldState};
use dfn_state::trie::{MemoryStore, NodeStore};
use dfn_state::{Address, U256};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::certified::{CertifiedRead, ReadPolicy};
use crate::error::CertError;
use crate::light::LightBeacon;
use crate::registry::{OUTCOME_FAILED, OUTCOME_SUCCEEDED, twin_slot};

/// A twin's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TwinId(pub [u8; 32]);

impl TwinId {
    /// `SHA-256("DFN-TWIN-V1" ‖ chain_id ‖ u64_be(call_id))`.
    pub fn new(chain_id: &[u8; 32], call_id: u64) -> Self {
        Self::tagged(b"DFN-TWIN-V1", chain_id, call_id)
    }

    /// `SHA-256(tag ‖ chain_id ‖ u64_be(call_id))`: the tag keeps twin ids
    /// and certified-call ids apart.
    pub(crate) fn tagged(tag: &[u8], chain_id: &[u8; 32], call_id: u64) -> Self {
        let mut h = Sha256::new();
        h.update(tag);
        h.update(chain_id);
        h.update(call_id.to_be_bytes());
        TwinId(h.finalize().into())
    }
}

/// The public call a twinned method posts to the public chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicCall {
    /// The twin it belongs to.
    pub twin: TwinId,
    /// The public contract called.
    pub contract: Address,
    /// The method: for an EVM contract its 4-byte selector (the registry
    /// calls it with `method ‖ args`).
    pub method: Vec<u8>,
    /// The arguments (ABI-encoded for an EVM contract).
    pub args: Vec<u8>,
    /// The last public height at which the call may execute.
    pub valid_until: u64,
}

impl PublicCall {
    fn fields(&self) -> [&dyn Encode; 5] {
        [
            &self.twin.0,
            &self.contract,
            &self.method,
            &self.args,
            &self.valid_until,
        ]
    }

    /// The canonical encoding, an RLP list `[twin, contract, method, args,
    /// valid_until]`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let fields = self.fields();
        let mut out = Vec::with_capacity(fields_len(&fields));
        encode_fields(&fields, &mut out);
        out
    }

    /// Decodes the canonical encoding.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, RlpError> {
        let [twin, contract, method, args, valid_until] = Rlp::new(bytes)?.fixed_list::<5>()?;
        Ok(Self {
            twin: TwinId(twin.decode()?),
            contract: contract.decode()?,
            method: method.decode()?,
            args: args.decode()?,
            valid_until: valid_until.decode()?,
        })
    }
}

/// One write of a private method, applied on commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Write {
    /// Set an account's balance.
    Balance {
        /// The account.
        address: Address,
        /// The new balance.
        value: U256,
    },
    /// Set a storage slot.
    Storage {
        /// The account.
        address: Address,
        /// The slot.
        key: U256,
        /// The new value.
        value: U256,
    },
}

impl Write {
    /// What the write locks: the account and, for storage, the slot.
    fn lock(&self) -> (Address, Option<U256>) {
        match self {
            Write::Balance { address, .. } => (*address, None),
            Write::Storage { address, key, .. } => (*address, Some(*key)),
        }
    }
}

/// The public twin the private side waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallSpec {
    /// The public contract.
    pub contract: Address,
    /// The method: for an EVM contract its 4-byte selector (the registry
    /// calls it with `method ‖ args`).
    pub method: Vec<u8>,
    /// The arguments (ABI-encoded for an EVM contract).
    pub args: Vec<u8>,
    /// The last public height it may execute at.
    pub valid_until: u64,
}

/// Why a twin was aborted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Abort {
    /// The public twin failed.
    Failed,
    /// A certified height above `valid_until` shows no outcome.
    Expired,
}

/// What the twin machine reports.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TwinEvent {
    /// Post this call to the public chain.
    Post(PublicCall),
    /// The twin's writes are committed (the public twin succeeded, as
    /// certified at `height`).
    Committed {
        /// The twin.
        twin: TwinId,
        /// The certified public height.
        height: u64,
    },
    /// The twin's writes are dropped.
    Aborted {
        /// The twin.
        twin: TwinId,
        /// Why.
        reason: Abort,
        /// The certified public height.
        height: u64,
    },
}

/// Why an input to the twin machine was refused (nothing changed).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TwinError {
    /// The call id was used before.
    #[error("twin {0:?} exists already")]
    Duplicate(TwinId),
    /// A pending twin writes the same balance or slot.
    #[error("{address} is locked by pending twin {holder:?}")]
    Conflict {
        /// The account.
        address: Address,
        /// The twin holding the lock.
        holder: TwinId,
    },
    /// The proof does not verify.
    #[error("proof: {0}")]
    Proof(#[from] CertError),
    /// The proof reads another account than the twin registry.
    #[error("the proof reads {found}, not the registry {expected}")]
    WrongAccount {
        /// The registry.
        expected: Address,
        /// The account read.
        found: Address,
    },
    /// The proof reads no storage slot.
    #[error("the proof reads no registry slot")]
    NoSlot,
    /// The twin was decided already: a replayed proof.
    #[error("twin {0:?} was decided already")]
    Replay(TwinId),
    /// No pending twin has this slot: a proof for another twin.
    #[error("no pending twin has slot {0}")]
    UnknownTwin(U256),
    /// No outcome yet and `valid_until` not passed at the certified height.
    #[error("twin {twin:?} undecided at height {height}")]
    Undecided {
        /// The twin.
        twin: TwinId,
        /// The certified height.
        height: u64,
    },
    /// The registry slot holds a value that is no outcome.
    #[error("registry slot holds {0}, not an outcome")]
    InvalidOutcome(U256),
    /// Applying the writes failed (the state is unchanged).
    #[error("state: {0}")]
    State(#[from] StateError),
}

#[derive(Clone, Debug)]
struct Pending {
    call: PublicCall,
    writes: Vec<Write>,
}

/// How a twin ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Committed at this certified height.
    Committed(u64),
    /// Aborted at this certified height.
    Aborted(Abort, u64),
}

/// The private side's twinned methods over its committed state.
#[derive(Debug)]
pub struct Twins<S: NodeStore = MemoryStore> {
    chain_id: [u8; 32],
    registry: Address,
    poster: Address,
    policy: ReadPolicy,
    state: WorldState<S>,
    pending: BTreeMap<TwinId, Pending>,
    slots: BTreeMap<U256, TwinId>,
    locks: BTreeMap<(Address, Option<U256>), TwinId>,
    decided: BTreeMap<TwinId, Decision>,
    events: VecDeque<TwinEvent>,
}

impl<S: NodeStore> Twins<S> {
    /// The twins of the private chain `chain_id` over the committed
    /// `state`, waiting for outcomes in the public `registry` recorded for
    /// the network's public account `poster` (the account its posts are
    /// signed by), accepting reads under `policy`.
    pub fn new(
        chain_id: [u8; 32],
        registry: Address,
        poster: Address,
        policy: ReadPolicy,
        state: WorldState<S>,
    ) -> Self {
        Self {
            chain_id,
            registry,
            poster,
            policy,
            state,
            pending: BTreeMap::new(),
            slots: BTreeMap::new(),
            locks: BTreeMap::new(),
            decided: BTreeMap::new(),
            events: VecDeque::new(),
        }
    }

    /// Runs a private method tentatively: its `writes` are held apart
    /// until its public twin is decided, and its call is posted
    /// ([`TwinEvent::Post`]). `call_id` names the invocation in the private
    /// chain (a transaction id): reusing one is a duplicate.
    pub fn invoke(
        &mut self,
        call_id: u64,
        writes: Vec<Write>,
        spec: CallSpec,
    ) -> Result<TwinId, TwinError> {
        let twin = TwinId::new(&self.chain_id, call_id);
        if self.pending.contains_key(&twin) || self.decided.contains_key(&twin) {
            return Err(TwinError::Duplicate(twin));
        }
        if let Some((lock, holder)) = writes
            .iter()
            .find_map(|w| self.locks.get(&w.lock()).map(|h| (w.lock(), *h)))
        {
            return Err(TwinError::Conflict {
                address: lock.0,
                holder,
            });
        }
        for w in &writes {
            self.locks.insert(w.lock(), twin);
        }
        let call = PublicCall {
            twin,
            contract: spec.contract,
            method: spec.method,
            args: spec.args,
            valid_until: spec.valid_until,
        };
        self.slots.insert(twin_slot(&self.poster, &twin), twin);
        self.pending.insert(
            twin,
            Pending {
                call: call.clone(),
                writes,
            },
        );
        self.events.push_back(TwinEvent::Post(call));
        Ok(twin)
    }

    /// A certified read of the twin registry: verifies it under the
    /// policy with the public beacon values `beacon` holds, then commits,
    /// aborts, or (no outcome yet, not expired) reports the twin
    /// undecided. Anything else is refused and changes nothing.
    pub fn handle_proof<V: Variant>(
        &mut self,
        beacon: &LightBeacon,
        proof: &CertifiedRead<V>,
    ) -> Result<Decision, TwinError> {
        let value = proof.verify(beacon, &self.policy)?;
        if value.address != self.registry {
            return Err(TwinError::WrongAccount {
                expected: self.registry,
                found: value.address,
            });
        }
        let slot = value.storage.ok_or(TwinError::NoSlot)?;
        let Some(twin) = self.slots.get(&slot.key).copied() else {
            return Err(TwinError::UnknownTwin(slot.key));
        };
        if self.decided.contains_key(&twin) {
            return Err(TwinError::Replay(twin));
        }
        let Some(pending) = self.pending.get(&twin) else {
            return Err(TwinError::UnknownTwin(slot.key));
        };
        let (writes, valid_until) = (pending.writes.clone(), pending.call.valid_until);
        let height = value.height;
        let decision = if slot.value == U256::from(OUTCOME_SUCCEEDED) {
            self.apply(&writes)?;
            Decision::Committed(height)
        } else if slot.value == U256::from(OUTCOME_FAILED) {
            Decision::Aborted(Abort::Failed, height)
        } else if !slot.value.is_zero() {
            return Err(TwinError::InvalidOutcome(slot.value));
        } else if height > valid_until {
            Decision::Aborted(Abort::Expired, height)
        } else {
            return Err(TwinError::Undecided { twin, height });
        };
        self.finish(twin, decision);
        Ok(decision)
    }

    /// Applies every write or none.
    fn apply(&mut self, writes: &[Write]) -> Result<(), TwinError> {
        let checkpoint = self.state.checkpoint();
        let result = writes.iter().try_for_each(|w| match *w {
            Write::Balance { address, value } => self.state.set_balance(address, value),
            Write::Storage {
                address,
                key,
                value,
            } => self.state.set_storage(address, key, value),
        });
        match result {
            Ok(()) => self.state.commit(checkpoint)?,
            Err(e) => {
                self.state.revert(checkpoint)?;
                return Err(e.into());
            }
        }
        self.state.finalize_transaction()?;
        Ok(())
    }

    fn finish(&mut self, twin: TwinId, decision: Decision) {
        if let Some(p) = self.pending.remove(&twin) {
            for w in &p.writes {
                self.locks.remove(&w.lock());
            }
        }
        self.decided.insert(twin, decision);
        self.events.push_back(match decision {
            Decision::Committed(height) => TwinEvent::Committed { twin, height },
            Decision::Aborted(reason, height) => TwinEvent::Aborted {
                twin,
                reason,
                height,
            },
        });
    }

    /// The next event, `None` when drained.
    pub fn poll_event(&mut self) -> Option<TwinEvent> {
        self.events.pop_front()
    }

    /// The committed private state (tentative writes are not in it).
    pub fn state(&mut self) -> &mut WorldState<S> {
        &mut self.state
    }

    /// The tentative writes of a pending twin.
    pub fn tentative(&self, twin: &TwinId) -> Option<&[Write]> {
        self.pending.get(twin).map(|p| p.writes.as_slice())
    }

    /// The public call of a pending twin (to post it again).
    pub fn call(&self, twin: &TwinId) -> Option<&PublicCall> {
        self.pending.get(twin).map(|p| &p.call)
    }

    /// How a twin ended, if it did.
    pub fn decision(&self, twin: &TwinId) -> Option<Decision> {
        self.decided.get(twin).copied()
    }

    /// Twins waiting for their public outcome.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }
}
