//! The public side of twinning: the twin registry, an account whose
//! storage slot `twin_id` records the outcome of the public twin, so that
//! a certified storage read proves it.
//!
//! dfn-vm is not part of this crate, so the registry update is a plain
//! function over `WorldState`, not contract code: [`record_outcome`] runs
//! the public method's effects (a closure) and the registry write as one
//! transaction, so the public state never holds effects without their
//! record or a record without its effects.

use dfn_state::state::{StateError, WorldState};
use dfn_state::trie::NodeStore;
use dfn_state::{Address, U256};
use thiserror::Error;

use crate::twin::{PublicCall, TwinId};

/// The slot value of a twin whose public method succeeded.
pub const OUTCOME_SUCCEEDED: u64 = 1;
/// The slot value of a twin whose public method failed.
pub const OUTCOME_FAILED: u64 = 2;

/// The registry slot of `twin`: the id read as a big-endian word.
pub fn twin_slot(twin: &TwinId) -> U256 {
    U256::from_be_bytes(twin.0)
}

/// Why the public chain refuses a twinned call.
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
    /// The twin already has an outcome (a duplicate or a replayed call).
    #[error("twin {0:?} already has an outcome")]
    Duplicate(TwinId),
    /// The state failed underneath.
    #[error("state: {0}")]
    State(#[from] StateError),
}

/// Executes the public twin of `call` in a block at `height`: runs
/// `effects` and records its outcome in `registry`'s storage, all as one
/// transaction. `effects` returning `Err` is the method failing: its
/// changes are undone and the failure is recorded. Returns whether it
/// succeeded.
///
/// A call past its `valid_until`, or for a twin already recorded, is
/// refused and changes nothing. The registry account gets nonce 1 (as
/// EIP-161 gives contracts) so it is never pruned as empty.
pub fn record_outcome<S: NodeStore, E>(
    state: &mut WorldState<S>,
    registry: Address,
    call: &PublicCall,
    height: u64,
    effects: impl FnOnce(&mut WorldState<S>) -> Result<(), E>,
) -> Result<bool, RegistryError> {
    if height > call.valid_until {
        return Err(RegistryError::Expired {
            valid_until: call.valid_until,
            height,
        });
    }
    let slot = twin_slot(&call.twin);
    if !state.storage(registry, slot)?.is_zero() {
        return Err(RegistryError::Duplicate(call.twin));
    }
    let outer = state.checkpoint();
    let method = state.checkpoint();
    let succeeded = match effects(state) {
        Ok(()) => {
            state.commit(method)?;
            true
        }
        Err(_) => {
            state.revert(method)?;
            false
        }
    };
    let outcome = if succeeded {
        OUTCOME_SUCCEEDED
    } else {
        OUTCOME_FAILED
    };
    let recorded = (|| {
        if state.nonce(registry)? == 0 {
            state.set_nonce(registry, 1)?;
        }
        state.set_storage(registry, slot, U256::from(outcome))
    })();
    match recorded {
        Ok(()) => state.commit(outer)?,
        Err(e) => {
            state.revert(outer)?;
            return Err(e.into());
        }
    }
    state.finalize_transaction()?;
    Ok(succeeded)
}
