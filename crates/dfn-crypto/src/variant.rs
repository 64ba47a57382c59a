//! The two placements of keys and signatures on BLS12-381.
//!
//! [`MinSig`] puts signatures in G1 (48 bytes) and public keys in G2
//! (96 bytes): the default for the beacon and notarization, where shares
//! cross the network every round. [`MinPk`] puts public keys in G1 and
//! signatures in G2, as Ethereum and drand's `default` chain do.
//!
//! Both are generic over the curve [`Backend`]; the default parameter is
//! [`DefaultBackend`], so `Signature<MinSig>` is the usual spelling and
//! `Signature<MinSig<PureRust>>` picks a backend explicitly.

use core::fmt::Debug;
use core::marker::PhantomData;

use crate::backend::{Backend, DefaultBackend, Point};

/// The scalar field of a variant's backend.
pub type ScalarOf<V> = <<V as Variant>::Backend as Backend>::Scalar;

/// Where keys and signatures live, and the ciphersuite names that go with
/// it (draft-irtf-cfrg-bls-signature §4.2).
pub trait Variant: Copy + Clone + Debug + Default + PartialEq + Eq + Send + Sync + 'static {
    /// The curve implementation.
    type Backend: Backend;
    /// The group public keys (and threshold commitments) live in.
    type PublicKeyPoint: Point<Scalar = ScalarOf<Self>>;
    /// The group signatures and message hashes live in.
    type SignaturePoint: Point<Scalar = ScalarOf<Self>>;

    /// Short name for logs and benchmark labels.
    const NAME: &'static str;
    /// Ciphersuite ID of the basic scheme (`_NUL_`).
    const DST_BASIC: &'static [u8];
    /// Ciphersuite ID of the proof-of-possession scheme's signatures.
    const DST_POP: &'static [u8];
    /// DST of proofs of possession themselves (`BLS_POP_..._POP_`).
    const DST_POP_PROOF: &'static [u8];

    /// Whether `Π e(sig_side[i], pk_side[i]) = 1`, each pair placed on the
    /// side of the pairing its groups belong to.
    fn pairing_product_is_one(
        sig_side: &[Self::SignaturePoint],
        pk_side: &[Self::PublicKeyPoint],
    ) -> bool;

    /// `e(sig, g) = e(hash, pk)`: the BLS verification equation, as one
    /// two-term product `e(sig, -g)·e(hash, pk) = 1` (one final
    /// exponentiation instead of two).
    fn verify_equation(
        pk: &Self::PublicKeyPoint,
        hash: &Self::SignaturePoint,
        sig: &Self::SignaturePoint,
    ) -> bool {
        let minus_g = Self::PublicKeyPoint::generator().neg();
        Self::pairing_product_is_one(&[*sig, *hash], &[minus_g, *pk])
    }
}

/// Signatures in G1 (48 bytes), public keys in G2 (96 bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MinSig<B = DefaultBackend>(PhantomData<B>);

/// Public keys in G1 (48 bytes), signatures in G2 (96 bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MinPk<B = DefaultBackend>(PhantomData<B>);

impl<B: Backend> Variant for MinSig<B> {
    type Backend = B;
    type PublicKeyPoint = B::G2;
    type SignaturePoint = B::G1;

    const NAME: &'static str = "MinSig";
    const DST_BASIC: &'static [u8] = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";
    const DST_POP: &'static [u8] = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_";
    const DST_POP_PROOF: &'static [u8] = b"BLS_POP_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_";

    fn pairing_product_is_one(sig_side: &[B::G1], pk_side: &[B::G2]) -> bool {
        B::pairing_product_is_one(sig_side, pk_side)
    }
}

impl<B: Backend> Variant for MinPk<B> {
    type Backend = B;
    type PublicKeyPoint = B::G1;
    type SignaturePoint = B::G2;

    const NAME: &'static str = "MinPk";
    const DST_BASIC: &'static [u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_";
    const DST_POP: &'static [u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
    const DST_POP_PROOF: &'static [u8] = b"BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

    fn pairing_product_is_one(sig_side: &[B::G2], pk_side: &[B::G1]) -> bool {
        B::pairing_product_is_one(pk_side, sig_side)
    }
}

/// Which IETF scheme a signature belongs to; it fixes the hash-to-curve DST.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Suite {
    /// `_NUL_`: plain signatures; aggregation needs distinct messages.
    /// drand and the beacon use it.
    Basic,
    /// `_POP_`: keys come with a proof of possession, which makes
    /// same-message aggregation (fast aggregate verify) safe.
    ProofOfPossession,
}

impl Suite {
    /// The ciphersuite ID used as hash-to-curve DST for variant `V`.
    pub fn dst<V: Variant>(self) -> &'static [u8] {
        match self {
            Suite::Basic => V::DST_BASIC,
            Suite::ProofOfPossession => V::DST_POP,
        }
    }
}
