//! Certified calls: a private contract calls a public contract and
//! believes the result only from a proof.
//!
//! The call `C = (contract, method, args, valid_until)` is named by
//! `id = SHA-256("DFN-CALL-V1" ‖ chain_id ‖ u64_be(call_id))` (a
//! [`TwinId`] of its own domain, so calls and twins never share an id) and
//! posted to the public chain, where the twin registry executes it on the
//! EVM and stores `keccak256(u8(ok) ‖ return data)` at
//! [`result_slot`]`(poster, id)` in the same transaction. A public process answers
//! with a [`CallResult`]: the claimed success flag and return data, and a
//! [`CertifiedRead`] of that slot. [`CertifiedCalls::handle_result`]
//! accepts it only when the read verifies end to end, is of the registry
//! at a height above the one the call was posted at, and the slot holds
//! the commitment of exactly the claimed flag and data. A certified height
//! above `valid_until` with an empty slot proves the call expired (the
//! registry refuses it from then on).
//!
//! [`CertifiedCalls`] is a Sans-IO state machine like [`Twins`](crate::Twins):
//! inputs [`CertifiedCalls::call`] and [`CertifiedCalls::handle_result`],
//! outputs drained with [`CertifiedCalls::poll_event`].

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

use dfn_crypto::Variant;
use dfn_state::rlp::{Encode, Rlp, encode_bytes, encode_list_header};
use dfn_state::{Address, U256};
use thiserror::Error;

use crate::certified::{CertifiedRead, ReadPolicy};
use crate::codec::DecodeError;
use crate::error::CertError;
use crate::light::LightBeacon;
use crate::registry::{MAX_RETURN, result_slot, result_word};
use crate::twin::{CallSpec, PublicCall, TwinId};

impl TwinId {
    /// The id of a certified call:
    /// `SHA-256("DFN-CALL-V1" ‖ chain_id ‖ u64_be(call_id))`.
    pub fn for_call(chain_id: &[u8; 32], call_id: u64) -> Self {
        Self::tagged(b"DFN-CALL-V1", chain_id, call_id)
    }
}

/// A public process's answer to a certified call: the claimed result and
/// the certified read of the registry slot that commits to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallResult<V: Variant> {
    /// The read of `result_slot(poster, id)` in the twin registry.
    pub read: CertifiedRead<V>,
    /// Whether the public method succeeded.
    pub success: bool,
    /// Its return (or revert) data, at most [`MAX_RETURN`] bytes.
    pub output: Vec<u8>,
}

impl<V: Variant> CallResult<V> {
    /// The canonical encoding: the RLP list `[read, success, output]`, the
    /// read in its own canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut inner = self.read.to_bytes();
        self.success.encode(&mut inner);
        encode_bytes(&self.output, &mut inner);
        let mut out = Vec::with_capacity(inner.len().saturating_add(9));
        encode_list_header(inner.len(), &mut out);
        out.extend_from_slice(&inner);
        out
    }

    /// Decodes the canonical encoding of untrusted bytes (never panics;
    /// output longer than [`MAX_RETURN`] is refused).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let [read, success, output] = Rlp::new(bytes)?.fixed_list::<3>()?;
        let output = output.data()?;
        if output.len() > MAX_RETURN {
            return Err(DecodeError::TooMany {
                what: "output bytes",
                max: MAX_RETURN,
            });
        }
        Ok(Self {
            read: CertifiedRead::from_bytes(read.raw())?,
            success: success.decode()?,
            output: output.to_vec(),
        })
    }
}

/// How a certified call ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallOutcome {
    /// The public method ran; its result, certified at `height`.
    Returned {
        /// Whether it succeeded.
        success: bool,
        /// Its return (or revert) data.
        output: Vec<u8>,
        /// The certified public height.
        height: u64,
    },
    /// A certified height above `valid_until` shows no result.
    Expired {
        /// The certified public height.
        height: u64,
    },
}

/// What the certified-call machine reports.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallEvent {
    /// Post this call to the public chain.
    Post(PublicCall),
    /// The call ended.
    Done {
        /// The call.
        id: TwinId,
        /// How.
        outcome: CallOutcome,
    },
}

/// Why an input to the certified-call machine was refused (nothing
/// changed).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CallError {
    /// The call id was used before.
    #[error("call {0:?} exists already")]
    Duplicate(TwinId),
    /// The call's `valid_until` is not above the height it is posted at.
    #[error("call valid until {valid_until} posted at {posted_at}")]
    AlreadyExpired {
        /// The call's last valid height.
        valid_until: u64,
        /// The public height known when posting.
        posted_at: u64,
    },
    /// The read does not verify (forged, stale, unconfirmed, ...).
    #[error("proof: {0}")]
    Proof(#[from] CertError),
    /// The read is of another account than the twin registry.
    #[error("the proof reads {found}, not the registry {expected}")]
    WrongAccount {
        /// The registry.
        expected: Address,
        /// The account read.
        found: Address,
    },
    /// The read reads no storage slot.
    #[error("the proof reads no registry slot")]
    NoSlot,
    /// No pending call has this result slot: a result of another call.
    #[error("no pending call has slot {0}")]
    WrongCall(U256),
    /// The call ended already: a replayed result.
    #[error("call {0:?} ended already")]
    Replay(TwinId),
    /// The claimed flag and data are not what the registry committed to.
    #[error("the claimed result of {0:?} is not the committed one")]
    ResultMismatch(TwinId),
    /// No result yet and `valid_until` not passed at the certified height.
    #[error("call {id:?} undecided at height {height}")]
    Undecided {
        /// The call.
        id: TwinId,
        /// The certified height.
        height: u64,
    },
}

#[derive(Clone, Debug)]
struct Pending {
    call: PublicCall,
    posted_at: u64,
}

/// The private side's certified calls.
#[derive(Debug)]
pub struct CertifiedCalls {
    chain_id: [u8; 32],
    registry: Address,
    poster: Address,
    policy: ReadPolicy,
    pending: BTreeMap<TwinId, Pending>,
    slots: BTreeMap<U256, TwinId>,
    decided: BTreeMap<TwinId, CallOutcome>,
    events: VecDeque<CallEvent>,
}

impl CertifiedCalls {
    /// The certified calls of the private chain `chain_id` through the
    /// public `registry`, recorded there for the network's public account
    /// `poster` (the account its posts are signed by), accepting reads
    /// under `policy`.
    pub fn new(chain_id: [u8; 32], registry: Address, poster: Address, policy: ReadPolicy) -> Self {
        Self {
            chain_id,
            registry,
            poster,
            policy,
            pending: BTreeMap::new(),
            slots: BTreeMap::new(),
            decided: BTreeMap::new(),
            events: VecDeque::new(),
        }
    }

    /// Calls a public contract: posts the call ([`CallEvent::Post`]).
    /// `posted_at` is the highest public height the caller has verified
    /// (its light beacon's): only reads certified above it are accepted
    /// for this call, so no older state can stand in for its result.
    pub fn call(
        &mut self,
        call_id: u64,
        spec: CallSpec,
        posted_at: u64,
    ) -> Result<TwinId, CallError> {
        let id = TwinId::for_call(&self.chain_id, call_id);
        if self.pending.contains_key(&id) || self.decided.contains_key(&id) {
            return Err(CallError::Duplicate(id));
        }
        if spec.valid_until <= posted_at {
            return Err(CallError::AlreadyExpired {
                valid_until: spec.valid_until,
                posted_at,
            });
        }
        let call = PublicCall {
            twin: id,
            contract: spec.contract,
            method: spec.method,
            args: spec.args,
            valid_until: spec.valid_until,
        };
        self.slots.insert(result_slot(&self.poster, &id), id);
        self.pending.insert(
            id,
            Pending {
                call: call.clone(),
                posted_at,
            },
        );
        self.events.push_back(CallEvent::Post(call));
        Ok(id)
    }

    /// A public process's answer: verified (under the policy, above the
    /// call's posting height, with the public beacon values `beacon`
    /// holds) and checked against the committed result. Ends the call with
    /// its result, or as expired; anything else is refused and changes
    /// nothing.
    pub fn handle_result<V: Variant>(
        &mut self,
        beacon: &LightBeacon,
        result: &CallResult<V>,
    ) -> Result<CallOutcome, CallError> {
        let (id, outcome) = self.check_result(beacon, result)?;
        self.pending.remove(&id);
        self.decided.insert(id, outcome.clone());
        self.events.push_back(CallEvent::Done {
            id,
            outcome: outcome.clone(),
        });
        Ok(outcome)
    }

    /// What [`handle_result`](Self::handle_result) would do with `result`,
    /// without doing it: the call it ends and how, or why it is refused.
    /// A block maker uses it to pick the results worth including.
    pub fn check_result<V: Variant>(
        &self,
        beacon: &LightBeacon,
        result: &CallResult<V>,
    ) -> Result<(TwinId, CallOutcome), CallError> {
        // Which call: from the slot the read claims (checked below).
        let slot = result
            .read
            .storage
            .as_ref()
            .map(|s| s.key)
            .ok_or(CallError::NoSlot)?;
        let Some(id) = self.slots.get(&slot).copied() else {
            return Err(CallError::WrongCall(slot));
        };
        if self.decided.contains_key(&id) {
            return Err(CallError::Replay(id));
        }
        let Some(pending) = self.pending.get(&id) else {
            return Err(CallError::WrongCall(slot));
        };
        let policy = ReadPolicy {
            min_height: self
                .policy
                .min_height
                .max(pending.posted_at.saturating_add(1)),
            ..self.policy
        };
        let value = result.read.verify(beacon, &policy)?;
        if value.address != self.registry {
            return Err(CallError::WrongAccount {
                expected: self.registry,
                found: value.address,
            });
        }
        let word = value.storage.ok_or(CallError::NoSlot)?.value;
        let height = value.height;
        let outcome = if word.is_zero() {
            if height <= pending.call.valid_until {
                return Err(CallError::Undecided { id, height });
            }
            CallOutcome::Expired { height }
        } else if word == result_word(result.success, &result.output) {
            CallOutcome::Returned {
                success: result.success,
                output: result.output.clone(),
                height,
            }
        } else {
            return Err(CallError::ResultMismatch(id));
        };
        Ok((id, outcome))
    }

    /// The next event, `None` when drained.
    pub fn poll_event(&mut self) -> Option<CallEvent> {
        self.events.pop_front()
    }

    /// The public call of a pending call (to post it again).
    pub fn call_of(&self, id: &TwinId) -> Option<&PublicCall> {
        self.pending.get(id).map(|p| &p.call)
    }

    /// How a call ended, if it did.
    pub fn outcome(&self, id: &TwinId) -> Option<&CallOutcome> {
        self.decided.get(id)
    }

    /// Calls waiting for their result.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }
}
