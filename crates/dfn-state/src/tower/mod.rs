//! Validation towers (`protocol.md` §4, `reference.md` §5.3).
//!
//! A shard's blocks are stacked as levels. Each level applies a batch of
//! inputs and claims a post-root; its `k` builders are drawn by the beacon
//! ([`select_builders`]) from the processes that built none of the last
//! `d` levels. Before building, a builder re-executes the `d` levels below
//! ([`Tower::reexecute`]); a mismatch becomes a [`FraudProof`] (the level
//! and the root re-execution gives) that anyone can check with the
//! [`Transition`] alone. A valid proof rolls the tower back to the level
//! before the fraud and penalizes that level's builders. A level with `d`
//! levels above it is final. With a faulty fraction `f`, a bad level
//! escapes only if all `k·d` builders above it are faulty: `f^(k·d)`.
//!
//! The transition is a trait so that the EVM plugs in; [`HashTransition`]
//! is a deterministic toy for simulations. Fraud proofs need each level's
//! inputs to be available to later builders; keeping them available is the
//! host's job (the tower holds them only until the level is final).
//!
//! ```
//! use dfn_state::B256;
//! use dfn_state::tower::{HashTransition, Tower, TowerConfig, TowerEvent};
//!
//! let config = TowerConfig { depth: 2, builders_per_level: 1 };
//! let mut tower = Tower::new(HashTransition, config, B256::ZERO, 0..10)?;
//! let beacon = |h: u8| B256([h; 32]);
//!
//! // Level 0 claims a wrong root.
//! let mut bad = tower.build(&beacon(0), b"batch 0")?;
//! bad.post_root = B256([0xee; 32]);
//! tower.handle_level(bad, &beacon(0))?;
//!
//! // The next builder re-executes, finds the fraud, and the tower rolls back.
//! let proof = tower.reexecute().expect("level 0 is wrong");
//! tower.handle_fraud_proof(&proof)?;
//! assert_eq!(tower.next_index(), 0);
//! assert!(matches!(tower.poll_output(), Some(TowerEvent::Appended { level: 0 })));
//! assert!(matches!(tower.poll_output(), Some(TowerEvent::RolledBack { level: 0, removed: 1 })));
//! assert!(matches!(tower.poll_output(), Some(TowerEvent::Penalized { level: 0, .. })));
//! # Ok::<(), dfn_state::tower::TowerError>(())
//! ```

mod error;
mod fraud;
mod level;
mod machine;
mod selection;
mod transition;

pub use error::{FraudError, TowerError, WireError};
pub use fraud::{FRAUD_PROOF_VERSION, FraudProof};
pub use level::{BuilderId, LEVEL_VERSION, Level};
pub use machine::{Tower, TowerConfig, TowerEvent};
pub use selection::select_builders;
pub use transition::{HashTransition, Transition};
