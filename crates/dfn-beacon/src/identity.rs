//! Who a process is: a BLS public key registered with a proof of
//! possession, named by a 20-byte id.

use core::fmt;

use dfn_crypto::{ProofOfPossession, PublicKey, Variant};
use sha2::{Digest, Sha256};

/// A process id: the first 20 bytes of SHA-256 of the process's encoded
/// public key (the slide's 20-byte id).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProcessId(pub [u8; 20]);

impl ProcessId {
    /// The id of the process with key `key`.
    pub fn of<V: Variant>(key: &PublicKey<V>) -> Self {
        let digest = Sha256::digest(key.to_bytes().as_ref());
        let mut id = [0u8; 20];
        id.copy_from_slice(digest.get(..20).unwrap_or(&[0; 20]));
        ProcessId(id)
    }
}

impl fmt::Debug for ProcessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProcessId({self})")
    }
}

impl fmt::Display for ProcessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// A process's identity: its public key and the proof of possession that
/// makes it safe to aggregate and to register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Identity<V: Variant> {
    /// The long-term signing key.
    pub key: PublicKey<V>,
    /// Proof that the holder knows the secret key.
    pub pop: ProofOfPossession<V>,
}

impl<V: Variant> Identity<V> {
    /// The process id.
    pub fn id(&self) -> ProcessId {
        ProcessId::of(&self.key)
    }

    /// Whether the proof of possession verifies.
    pub fn verify(&self) -> bool {
        self.pop.verify(&self.key)
    }
}
