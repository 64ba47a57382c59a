//! Proofs of possession (draft-irtf-cfrg-bls-signature §3.3): a signature
//! on the signer's own compressed public key under the `BLS_POP_` DST.
//! Checking one per key at registration is what makes same-message
//! aggregation safe against rogue-key attacks.

use core::fmt;

use crate::backend::Point;
use crate::encoding::decode_point;
use crate::error::PointError;
use crate::keys::{PublicKey, SecretKey};
use crate::signature::MessageHash;
use crate::variant::Variant;

/// A proof that the holder of a public key knows its secret key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ProofOfPossession<V: Variant>(V::SignaturePoint);

impl<V: Variant> fmt::Debug for ProofOfPossession<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProofOfPossession<{}>(", V::NAME)?;
        crate::hex::write(f, self.to_bytes().as_ref())?;
        f.write_str(")")
    }
}

fn pop_hash<V: Variant>(pk: &PublicKey<V>) -> MessageHash<V> {
    MessageHash::with_dst(pk.to_bytes().as_ref(), V::DST_POP_PROOF)
}

impl<V: Variant> ProofOfPossession<V> {
    /// `PopProve(SK)`.
    pub fn prove(sk: &SecretKey<V>) -> Self {
        let hash = pop_hash(&sk.public_key());
        Self(hash.point().mul(sk.scalar()))
    }

    /// `PopVerify(PK, proof)`.
    pub fn verify(&self, pk: &PublicKey<V>) -> bool {
        V::verify_equation(pk.point(), pop_hash(pk).point(), &self.0)
    }

    /// Decodes a compressed proof (same checks as a signature).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, PointError> {
        decode_point(bytes).map(Self)
    }

    /// The compressed encoding.
    pub fn to_bytes(&self) -> <V::SignaturePoint as Point>::Compressed {
        self.0.to_compressed()
    }
}
