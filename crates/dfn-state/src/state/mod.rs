//! The world state: accounts, code, storage, the journal of a
//! transaction's call frames, and transient storage.
//!
//! ```
//! use dfn_state::state::WorldState;
//! use dfn_state::trie::MemoryStore;
//! use dfn_state::{Address, U256};
//!
//! let (alice, bob) = (Address([0xa1; 20]), Address([0xb0; 20]));
//! let mut state = WorldState::new(MemoryStore::new());
//! state.set_balance(alice, U256::from(100))?;
//! state.finalize_transaction()?;
//! let before = state.state_root()?;
//!
//! // A call frame that fails: its transfer is undone.
//! let frame = state.checkpoint();
//! state.transfer(alice, bob, U256::from(30))?;
//! state.revert(frame)?;
//! // bob was touched and is empty: EIP-161 removes him at the end.
//! state.finalize_transaction()?;
//! assert_eq!(state.balance(alice)?, U256::from(100));
//! assert!(!state.exists(bob)?);
//! assert_eq!(state.state_root()?, before);
//! # Ok::<(), dfn_state::state::StateError>(())
//! ```

mod cache;
mod error;
mod journal;
mod transient;
mod word_hash;
mod world;

pub use cache::AccountInfo;
pub use error::StateError;
pub use journal::Checkpoint;
pub use transient::TransientStorage;
pub use word_hash::{WordHash, WordHasher};
pub use world::WorldState;
