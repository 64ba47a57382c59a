//! The public side's part: assembling a [`CertifiedRead`] from a public
//! process's chain, beacon values and state. Any public process can do it;
//! the private side trusts none of it until it verifies.

use alloc::vec::Vec;

use dfn_beacon::GroupSet;
use dfn_crypto::Variant;
use dfn_psp::{Block, Notarization};
use dfn_state::state::{StateError, WorldState};
use dfn_state::trie::NodeStore;
use dfn_state::{Address, U256};

use crate::certified::{CertifiedRead, NotarizedHeader, StorageRead};
use crate::header::Header;

impl<V: Variant> NotarizedHeader<V> {
    /// The notarized header of `block`, with the notary group `groups`
    /// selects after `previous` (`σ^{h−1}`, or the genesis seed at height
    /// 1). `None` when the notarization is for another block or the set is
    /// empty (the signature itself is checked by the verifier).
    pub fn new(
        block: &Block<V>,
        notarization: &Notarization<V>,
        groups: &GroupSet<V>,
        previous: &[u8],
    ) -> Option<Self> {
        if notarization.block != block.hash() || notarization.height != block.height() {
            return None;
        }
        let (position, group) = groups.select(previous)?;
        Some(Self {
            header: Header::from_bytes(&block.header_bytes()).ok()?,
            signature: notarization.signature,
            group: group.id(),
            group_key: *group.keys().group_key(),
            path: groups.proof(position)?,
        })
    }
}

impl<V: Variant> CertifiedRead<V> {
    /// The read of `address` (and of its slot `slot`, if given) in
    /// `state`, which must be the state whose root the first of `headers`
    /// carries.
    pub fn prove<S: NodeStore>(
        state: &mut WorldState<S>,
        headers: Vec<NotarizedHeader<V>>,
        address: Address,
        slot: Option<U256>,
    ) -> Result<Self, StateError> {
        let account_proof = state.prove_account(address)?;
        let storage = match slot {
            None => None,
            Some(key) => Some(StorageRead {
                key,
                proof: state.prove_storage(address, key)?,
            }),
        };
        Ok(Self {
            headers,
            address,
            account_proof,
            storage,
        })
    }
}
