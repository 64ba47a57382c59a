//! The state transition a tower level applies, behind a trait so the EVM
//! (dfn-vm) can plug in without dfn-state depending on it.

use core::convert::Infallible;
use core::fmt::Debug;

use crate::hash::{B256, keccak256};

/// A deterministic state transition: from a state root and a batch of
/// inputs to the next state root.
///
/// Determinism is the whole contract: fraud proofs are checked by
/// re-execution, so two honest processes applying the same batch to the
/// same root must get the same answer, bit for bit. A batch the transition
/// rejects (`Err`) makes the level that claimed it invalid.
pub trait Transition {
    /// Why a batch does not apply to a root.
    type Error: Debug;

    /// Applies `inputs` to the state committed by `pre_root`.
    fn apply(&self, pre_root: &B256, inputs: &[u8]) -> Result<B256, Self::Error>;
}

impl<T: Transition + ?Sized> Transition for &T {
    type Error = T::Error;

    fn apply(&self, pre_root: &B256, inputs: &[u8]) -> Result<B256, Self::Error> {
        (**self).apply(pre_root, inputs)
    }
}

/// A toy transition, `keccak256(pre_root ‖ inputs)`, that accepts every
/// batch: a stand-in for the EVM in simulations, tests and fuzzing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HashTransition;

impl Transition for HashTransition {
    type Error = Infallible;

    fn apply(&self, pre_root: &B256, inputs: &[u8]) -> Result<B256, Infallible> {
        let mut preimage = alloc::vec::Vec::with_capacity(32 + inputs.len());
        preimage.extend_from_slice(&pre_root.0);
        preimage.extend_from_slice(inputs);
        Ok(keccak256(preimage))
    }
}
