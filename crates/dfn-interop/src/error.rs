//! Why a certified read is rejected.

use dfn_beacon::GroupId;
use dfn_state::B256;
use dfn_state::rlp::RlpError;
use dfn_state::trie::ProofError;
use thiserror::Error;

/// Why a [`CertifiedRead`](crate::CertifiedRead) proves nothing. Each
/// variant names the public height (or the trie) at fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CertError {
    /// The proof carries fewer notarized descendants than the policy
    /// demands.
    #[error("{got} confirmations, the policy needs {needed}")]
    TooFewConfirmations {
        /// Confirmations demanded.
        needed: u32,
        /// Confirmations carried.
        got: u32,
    },
    /// The certified height is below the policy's minimum.
    #[error("stale: height {height} is below the minimum {min_height}")]
    Stale {
        /// The certified height.
        height: u64,
        /// The lowest height accepted.
        min_height: u64,
    },
    /// A confirming header is not at the next height.
    #[error("expected a header at height {expected}, got {actual}")]
    WrongHeight {
        /// The height it must have.
        expected: u64,
        /// The height it has.
        actual: u64,
    },
    /// A confirming header's parent is not the header below it.
    #[error("the header at {height} is not a child of the one below")]
    NotAChild {
        /// The child's height.
        height: u64,
    },
    /// The light beacon has not verified `σ^{h−1}`, so the notary group of
    /// `h` is unknown here (the private side must catch up first).
    #[error("no verified beacon value selects the group of height {height}")]
    UnknownBeacon {
        /// The height.
        height: u64,
    },
    /// No group-set root serves the height.
    #[error("no group set serves height {height}")]
    NoGroupSet {
        /// The height.
        height: u64,
    },
    /// The notarizing group is not the one `σ^{h−1}` selects.
    #[error("height {height}: group position {actual}, the beacon selects {expected}")]
    WrongGroup {
        /// The height.
        height: u64,
        /// The position the beacon selects.
        expected: u64,
        /// The position in the proof.
        actual: u64,
    },
    /// The group's key and Merkle path do not lead to the set root.
    #[error("height {height}: group {group:?}'s key is not in the group set")]
    BadGroupPath {
        /// The height.
        height: u64,
        /// The group claimed.
        group: GroupId,
    },
    /// The signature is not the group's notarization of the header.
    #[error("height {height}: the notarization does not verify")]
    BadNotarization {
        /// The height.
        height: u64,
    },
    /// The account proof does not start at the header's state root.
    #[error("the account proof starts at {found}, the header's state root is {expected}")]
    StateRootMismatch {
        /// The header's state root.
        expected: B256,
        /// Keccak-256 of the proof's first node.
        found: B256,
    },
    /// The account proof is not a proof against the state root.
    #[error("account proof: {0}")]
    AccountProof(ProofError),
    /// The proven account is not a valid account encoding.
    #[error("account: {0}")]
    InvalidAccount(RlpError),
    /// The storage proof is not a proof against the account's storage root.
    #[error("storage proof: {0}")]
    StorageProof(ProofError),
    /// The proven slot value is not a valid storage word.
    #[error("storage value: {0}")]
    InvalidStorage(RlpError),
}
