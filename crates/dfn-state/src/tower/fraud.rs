//! Fraud proofs: a level together with the root its batch really reaches,
//! checkable by anyone who re-executes the batch.

use alloc::vec::Vec;

use super::error::{FraudError, WireError};
use super::level::Level;
use super::transition::Transition;
use crate::hash::B256;
use crate::rlp::{Encode, Rlp, RlpError, encode_list_header, header_len};

/// Version of the [`FraudProof`] encoding (its first list item).
pub const FRAUD_PROOF_VERSION: u64 = 1;

/// Evidence that a level's claimed post-root is wrong: the level itself
/// (pre-root, inputs, claimed post-root, builders) and the accuser's
/// post-root, `None` when the batch does not apply to the pre-root at all.
///
/// It is self-contained: [`FraudProof::verify`] needs only the transition,
/// no tower state. The tower additionally checks that the level is the one
/// it holds ([`Tower::handle_fraud_proof`](super::Tower::handle_fraud_proof)).
///
/// Encoding (RLP, version 1): `[1, level, correct_post_root]`, where
/// `level` is the nested [`Level`] list and `correct_post_root` is a
/// 32-byte string, or the empty string for `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FraudProof {
    /// The disputed level, exactly as its builders published it.
    pub level: Level,
    /// The post-root re-execution gives, or `None` if the batch is rejected.
    pub correct_post_root: Option<B256>,
}

impl FraudProof {
    /// Re-executes the level's batch and accepts the proof only if the
    /// level's claimed post-root is wrong and the accuser's outcome is the
    /// one re-execution gives.
    pub fn verify<T: Transition>(&self, transition: &T) -> Result<(), FraudError> {
        let index = self.level.index;
        let outcome = transition
            .apply(&self.level.pre_root, &self.level.inputs)
            .ok();
        if outcome == Some(self.level.post_root) {
            return Err(FraudError::NoFraud { level: index });
        }
        if outcome != self.correct_post_root {
            return Err(FraudError::AccuserRootMismatch { level: index });
        }
        Ok(())
    }

    /// Decodes a fraud proof from its canonical encoding; trailing bytes
    /// are an error.
    pub fn decode(bytes: &[u8]) -> Result<Self, WireError> {
        let rlp = Rlp::new(bytes)?;
        let [version, level, correct] = rlp.fixed_list::<3>()?;
        let version: u64 = version.decode()?;
        if version != FRAUD_PROOF_VERSION {
            return Err(WireError::UnsupportedVersion { found: version });
        }
        let root = correct.data()?;
        let correct_post_root = match root.len() {
            0 => None,
            _ => Some(B256::from_slice(root).ok_or(RlpError::WrongLength {
                offset: correct.offset(),
                expected: 32,
                found: root.len(),
            })?),
        };
        Ok(Self {
            level: Level::from_rlp(&level)?,
            correct_post_root,
        })
    }

    fn correct_len(&self) -> usize {
        self.correct_post_root.map_or(1, |root| root.encoded_len())
    }

    fn payload_len(&self) -> usize {
        FRAUD_PROOF_VERSION.encoded_len() + self.level.encoded_len() + self.correct_len()
    }
}

impl Encode for FraudProof {
    fn encoded_len(&self) -> usize {
        let payload = self.payload_len();
        header_len(payload) + payload
    }

    fn encode(&self, out: &mut Vec<u8>) {
        encode_list_header(self.payload_len(), out);
        FRAUD_PROOF_VERSION.encode(out);
        self.level.encode(out);
        match &self.correct_post_root {
            Some(root) => root.encode(out),
            None => out.push(0x80),
        }
    }
}
