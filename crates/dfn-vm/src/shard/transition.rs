//! The EVM as a validation tower's transition: a level's inputs are one
//! encoded [`ShardBlock`], re-executed with dfn-vm.

use alloc::borrow::Cow;

use dfn_state::B256;
use dfn_state::rlp::{RlpError, decode_exact};
use dfn_state::state::WorldState;
use dfn_state::tower::Transition;
use dfn_state::trie::{MemoryStore, NodeStore};
use thiserror::Error;

use super::block::ShardBlock;
use super::exec::{BlockError, execute_block, level_root};
use crate::spec::Spec;
use crate::transaction::Executor;

/// Why a level's batch does not apply to its pre-root.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TransitionError {
    /// The inputs are not a canonical shard block.
    #[error("inputs: {0}")]
    Decode(#[from] RlpError),
    /// The block's `(pre_state_root, pre_effects)` do not open the level's
    /// pre-root.
    #[error("the block does not start from the level's pre-root")]
    WrongPreRoot,
    /// Execution failed (for instance, the store lacks the pre-state).
    #[error(transparent)]
    Block(#[from] BlockError),
}

/// Re-executes shard blocks against the states in a node store: the
/// [`Transition`] of an EVM shard's tower. Level roots are
/// [`level_root`]s; the pre-state must be in `store` (a replica's store,
/// which keeps every state it persisted). Writes go to a scratch overlay,
/// so re-execution never changes `store`.
#[derive(Debug)]
pub struct EvmTransition<'s, S> {
    store: &'s S,
    spec: Spec,
}

impl<'s, S: NodeStore> EvmTransition<'s, S> {
    /// Re-executes under `spec` over the states in `store`.
    pub fn new(store: &'s S, spec: Spec) -> Self {
        Self { store, spec }
    }
}

impl<S: NodeStore> Transition for EvmTransition<'_, S> {
    type Error = TransitionError;

    fn apply(&self, pre_root: &B256, inputs: &[u8]) -> Result<B256, TransitionError> {
        let block: ShardBlock = decode_exact(inputs)?;
        if level_root(&block.pre_state_root, &block.pre_effects) != *pre_root {
            return Err(TransitionError::WrongPreRoot);
        }
        let mut overlay = Overlay {
            base: self.store,
            local: MemoryStore::new(),
        };
        let mut state = WorldState::open(&mut overlay, block.pre_state_root);
        let mut executor = Executor::new(self.spec.clone());
        let outcome = execute_block(&mut executor, &mut state, &block)?;
        Ok(level_root(&outcome.state_root, &outcome.effects))
    }
}

/// Reads from `base`, writes to `local`.
struct Overlay<'s, S> {
    base: &'s S,
    local: MemoryStore,
}

impl<S: NodeStore> NodeStore for Overlay<'_, S> {
    fn get(&self, hash: &B256) -> Option<Cow<'_, [u8]>> {
        self.local.get(hash).or_else(|| self.base.get(hash))
    }

    fn put(&mut self, hash: B256, bytes: &[u8]) {
        self.local.put(hash, bytes);
    }
}
