//! Verification of drand beacons (League of Entropy), whose chained scheme
//! is the Threshold Relay message rule of `protocol.md` §2.
//!
//! | scheme | key | signature | message |
//! |---|---|---|---|
//! | `pedersen-bls-chained` (`default`) | G1 | G2 | `SHA-256(previous_signature ‖ u64_be(round))` |
//! | `pedersen-bls-unchained` | G1 | G2 | `SHA-256(u64_be(round))` |
//! | `bls-unchained-g1-rfc9380` (`quicknet`) | G2 | G1 | `SHA-256(u64_be(round))` |
//!
//! All use the basic (`_NUL_`) ciphersuite of their signature group; the
//! randomness of a round is `SHA-256(signature)`. The pairing check only
//! shows that a chained signature covers the previous signature it was
//! given: a verifier walking the chain must also check that it is the
//! signature of the round before ([`verify_chain`] does).

use sha2::{Digest, Sha256};

use crate::error::PointError;
use crate::keys::PublicKey;
use crate::signature::{MessageHash, Signature};
use crate::variant::{MinPk, MinSig, Suite, Variant};

/// A drand signature scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// `pedersen-bls-chained`: MinPk, chained messages.
    PedersenBlsChained,
    /// `pedersen-bls-unchained`: MinPk, round-only messages.
    PedersenBlsUnchained,
    /// `bls-unchained-g1-rfc9380`: MinSig, round-only messages.
    BlsUnchainedG1Rfc9380,
}

impl Scheme {
    /// The scheme for drand's `schemeID`, `None` for schemes not supported
    /// (notably the retired `bls-unchained-on-g1`, which hashed to G1 with
    /// the G2 DST).
    pub fn from_id(id: &str) -> Option<Self> {
        match id {
            "pedersen-bls-chained" => Some(Self::PedersenBlsChained),
            "pedersen-bls-unchained" => Some(Self::PedersenBlsUnchained),
            "bls-unchained-g1-rfc9380" => Some(Self::BlsUnchainedG1Rfc9380),
            _ => None,
        }
    }

    /// drand's `schemeID`.
    pub fn id(self) -> &'static str {
        match self {
            Self::PedersenBlsChained => "pedersen-bls-chained",
            Self::PedersenBlsUnchained => "pedersen-bls-unchained",
            Self::BlsUnchainedG1Rfc9380 => "bls-unchained-g1-rfc9380",
        }
    }

    /// Whether each round's message covers the previous signature.
    pub fn is_chained(self) -> bool {
        matches!(self, Self::PedersenBlsChained)
    }
}

/// The message a round signs: `SHA-256(previous ‖ u64_be(round))` for
/// chained schemes (`previous` is the genesis seed for round 1), else
/// `SHA-256(u64_be(round))`.
pub fn round_message(scheme: Scheme, round: u64, previous_signature: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    if scheme.is_chained() {
        h.update(previous_signature);
    }
    h.update(round.to_be_bytes());
    h.finalize().into()
}

/// The randomness of a round: `SHA-256(signature)`.
pub fn randomness(signature: &[u8]) -> [u8; 32] {
    Sha256::digest(signature).into()
}

/// A chain's public parameters (drand's chain info).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainInfo<'a> {
    /// The scheme.
    pub scheme: Scheme,
    /// The group public key, compressed.
    pub public_key: &'a [u8],
    /// Seconds between rounds.
    pub period_seconds: u32,
    /// Unix time of round 1.
    pub genesis_time: i64,
    /// The genesis seed (`groupHash`), which round 1 of a chained scheme
    /// signs in place of a previous signature.
    pub genesis_seed: &'a [u8],
    /// The beacon ID (`"default"` for the original chain).
    pub beacon_id: &'a str,
}

impl ChainInfo<'_> {
    /// The chain hash: `SHA-256(u32_be(period) ‖ i64_be(genesis_time) ‖
    /// public_key ‖ genesis_seed ‖ beacon_id if not "default")`.
    pub fn hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.period_seconds.to_be_bytes());
        h.update(self.genesis_time.to_be_bytes());
        h.update(self.public_key);
        h.update(self.genesis_seed);
        if self.beacon_id != "default" && !self.beacon_id.is_empty() {
            h.update(self.beacon_id.as_bytes());
        }
        h.finalize().into()
    }

    /// Unix time at which `round` is due (`genesis + (round − 1)·period`).
    pub fn round_time(&self, round: u64) -> Option<i64> {
        let elapsed = round
            .checked_sub(1)?
            .checked_mul(u64::from(self.period_seconds))?;
        self.genesis_time.checked_add(i64::try_from(elapsed).ok()?)
    }

    /// Verifies the signature of one round. For chained schemes
    /// `previous_signature` is the signature of `round − 1` (the genesis
    /// seed for round 1); it is ignored otherwise.
    pub fn verify(
        &self,
        round: u64,
        previous_signature: &[u8],
        signature: &[u8],
    ) -> Result<(), DrandError> {
        self.key()?
            .verify(self.scheme, round, previous_signature, signature)
    }

    /// The decoded group key (decoding checks the subgroup, so do it once
    /// per chain, not per round).
    fn key(&self) -> Result<ChainKey, DrandError> {
        match self.scheme {
            Scheme::PedersenBlsChained | Scheme::PedersenBlsUnchained => {
                PublicKey::from_bytes(self.public_key).map(ChainKey::G1)
            }
            Scheme::BlsUnchainedG1Rfc9380 => {
                PublicKey::from_bytes(self.public_key).map(ChainKey::G2)
            }
        }
        .map_err(DrandError::PublicKey)
    }
}

/// A chain's group key in the group its scheme puts keys in.
enum ChainKey {
    G1(PublicKey<MinPk>),
    G2(PublicKey<MinSig>),
}

impl ChainKey {
    fn verify(
        &self,
        scheme: Scheme,
        round: u64,
        previous: &[u8],
        signature: &[u8],
    ) -> Result<(), DrandError> {
        if round == 0 {
            return Err(DrandError::RoundZero);
        }
        let msg = round_message(scheme, round, previous);
        let valid = match self {
            ChainKey::G1(pk) => verify_basic(pk, &msg, signature)?,
            ChainKey::G2(pk) => verify_basic(pk, &msg, signature)?,
        };
        if valid {
            Ok(())
        } else {
            Err(DrandError::InvalidSignature { round })
        }
    }
}

fn verify_basic<V: Variant>(pk: &PublicKey<V>, msg: &[u8], sig: &[u8]) -> Result<bool, DrandError> {
    let sig = Signature::<V>::from_bytes(sig).map_err(DrandError::Signature)?;
    Ok(pk.verify_hash(&MessageHash::new(Suite::Basic, msg), &sig))
}

/// One beacon of a chain, as published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Beacon<'a> {
    /// Round number, from 1.
    pub round: u64,
    /// The round's signature, compressed.
    pub signature: &'a [u8],
    /// The previous round's signature (chained schemes; the genesis seed
    /// for round 1).
    pub previous_signature: &'a [u8],
}

/// Verifies consecutive beacons of a chain: each signature, and for
/// chained schemes that each `previous_signature` is the signature of the
/// beacon before it (or the genesis seed for round 1).
pub fn verify_chain(info: &ChainInfo<'_>, beacons: &[Beacon<'_>]) -> Result<(), DrandError> {
    let key = info.key()?;
    let mut before: Option<&Beacon<'_>> = None;
    for beacon in beacons {
        if let Some(prev) = before {
            if beacon.round != prev.round.saturating_add(1) {
                return Err(DrandError::NotConsecutive {
                    round: beacon.round,
                });
            }
        }
        if info.scheme.is_chained() {
            let expected = match before {
                Some(prev) => Some(prev.signature),
                None if beacon.round == 1 => Some(info.genesis_seed),
                None => None,
            };
            if expected.is_some_and(|e| e != beacon.previous_signature) {
                return Err(DrandError::BrokenChain {
                    round: beacon.round,
                });
            }
        }
        key.verify(
            info.scheme,
            beacon.round,
            beacon.previous_signature,
            beacon.signature,
        )?;
        before = Some(beacon);
    }
    Ok(())
}

/// Why a drand beacon does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DrandError {
    /// Rounds start at 1.
    #[error("drand rounds start at 1")]
    RoundZero,
    /// The chain's public key is malformed.
    #[error("chain public key: {0}")]
    PublicKey(PointError),
    /// The beacon's signature is malformed.
    #[error("beacon signature: {0}")]
    Signature(PointError),
    /// The signature does not verify for this round.
    #[error("the signature of round {round} does not verify")]
    InvalidSignature {
        /// The round checked.
        round: u64,
    },
    /// A beacon's previous signature is not the signature before it.
    #[error("round {round} does not chain to the round before it")]
    BrokenChain {
        /// The round whose link is broken.
        round: u64,
    },
    /// Beacons passed to [`verify_chain`] must be consecutive.
    #[error("round {round} does not follow the round before it")]
    NotConsecutive {
        /// The out-of-order round.
        round: u64,
    },
}
