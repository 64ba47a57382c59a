//! Identifiers of neurons, proposals and keys.

use core::fmt;

use dfn_crypto::{PublicKey, Variant};
use sha2::{Digest, Sha256};

/// A neuron's id. Governance hands them out in creation order, starting
/// at 1, and never reuses one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NeuronId(pub u64);

/// A proposal's id, in submission order starting at 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProposalId(pub u64);

/// Who holds a key: `SHA-256("DFN-BNS-KEY-V1" ‖ compressed public key)`.
///
/// Neurons store key ids rather than keys (32 bytes instead of a curve
/// point), so a million neurons stay small; a signed vote carries the key
/// itself and is checked against the id.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(pub [u8; 32]);

/// Domain tag of [`KeyId::of`].
const KEY_TAG: &[u8] = b"DFN-BNS-KEY-V1";

impl KeyId {
    /// The id of a BLS public key of either variant.
    pub fn of<V: Variant>(key: &PublicKey<V>) -> Self {
        let mut h = Sha256::new();
        h.update(KEY_TAG);
        h.update(key.to_bytes().as_ref());
        KeyId(h.finalize().into())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyId(")?;
        for b in self.0.iter().take(6) {
            write!(f, "{b:02x}")?;
        }
        f.write_str("…)")
    }
}

impl fmt::Display for NeuronId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "neuron {}", self.0)
    }
}

impl fmt::Display for ProposalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "proposal {}", self.0)
    }
}
