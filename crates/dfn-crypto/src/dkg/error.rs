//! Typed errors of the DKG: each names the dealer, member or input at fault.

use thiserror::Error;

/// Why a dealing cannot be made, or is malformed (a publicly provable fault
/// of its dealer when it came from the network).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DealingError {
    /// The group parameters are unusable: `n` must be in `1..=u32::MAX` and
    /// the threshold in `1..=n`.
    #[error("invalid group: threshold {threshold} for {n} members")]
    InvalidGroup {
        /// Group size (number of recipients).
        n: usize,
        /// Shares needed.
        threshold: u32,
    },
    /// Dealer indices are `1..=n`.
    #[error("dealer index {dealer} is outside 1..={n}")]
    DealerOutOfRange {
        /// The dealer index given.
        dealer: u32,
        /// Group size.
        n: u32,
    },
    /// Recipient (member) indices are `1..=n`.
    #[error("dealer {dealer}: member index {recipient} is outside 1..={n}")]
    RecipientOutOfRange {
        /// The dealing's dealer.
        dealer: u32,
        /// The member index given.
        recipient: u32,
        /// Group size.
        n: u32,
    },
    /// The commitment does not have exactly `t` coefficients.
    #[error("dealer {dealer}: commitment has {actual} coefficients, expected {expected}")]
    WrongCommitmentLength {
        /// The dealing's dealer.
        dealer: u32,
        /// The group threshold `t`.
        expected: u32,
        /// Coefficients present.
        actual: u32,
    },
    /// The dealing does not hold exactly one ciphertext per member.
    #[error("dealer {dealer}: {actual} ciphertexts, expected {expected}")]
    WrongCiphertextCount {
        /// The dealing's dealer.
        dealer: u32,
        /// Group size `n`.
        expected: u32,
        /// Ciphertexts present.
        actual: usize,
    },
    /// The ephemeral key is the point at infinity: every share would be
    /// encrypted under a publicly known key.
    #[error("dealer {dealer}: the ephemeral key is the point at infinity")]
    IdentityEphemeral {
        /// The dealing's dealer.
        dealer: u32,
    },
    /// The proof of knowledge of the ephemeral secret does not verify for
    /// this dealer and run context.
    #[error("dealer {dealer}: the proof of knowledge of the ephemeral key does not verify")]
    BadEphemeralProof {
        /// The dealing's dealer.
        dealer: u32,
    },
    /// The run context is longer than `u32::MAX` bytes and cannot be framed.
    #[error("the run context is {0} bytes; at most 2^32 - 1 are allowed")]
    ContextTooLong(usize),
    /// The AEAD refused to encrypt a share (cannot happen for 32-byte
    /// shares; reported rather than panicking).
    #[error("dealer {dealer}: encrypting the share of member {recipient} failed")]
    Encryption {
        /// The dealer.
        dealer: u32,
        /// The member whose share it was.
        recipient: u32,
    },
}

/// What a dealer did wrong to one member, as shown by decrypting its
/// ciphertext: the reason of a valid complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DealerFault {
    /// The ciphertext does not authenticate under the derived key, the
    /// context and the commitment.
    Undecryptable,
    /// The plaintext is not a canonical scalar (`≥ r`).
    NonCanonicalShare,
    /// The plaintext is zero (an honest dealer produces a zero share with
    /// probability `1/r`).
    ZeroShare,
    /// The share is not `f(j)` for the committed polynomial: Feldman's
    /// check `s·g = Σ_k j^k·A_k` fails.
    InconsistentShare,
}

impl core::fmt::Display for DealerFault {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            DealerFault::Undecryptable => "the ciphertext does not decrypt",
            DealerFault::NonCanonicalShare => "the share is not a canonical scalar",
            DealerFault::ZeroShare => "the share is zero",
            DealerFault::InconsistentShare => "the share is inconsistent with the commitment",
        })
    }
}

/// Why a member could not obtain its share from a dealing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecryptError {
    /// The dealing is malformed in a way anyone can see (no complaint
    /// needed, nor safe: never reveal a shared key for such a dealing).
    #[error(transparent)]
    Dealing(#[from] DealingError),
    /// The dealer's ciphertext for this member is faulty: complain.
    #[error("dealer {dealer}, member {recipient}: {fault}")]
    Fault {
        /// The dealing's dealer.
        dealer: u32,
        /// The member decrypting.
        recipient: u32,
        /// What is wrong with the share.
        fault: DealerFault,
    },
}

impl DecryptError {
    /// The dealer fault a complaint would prove, `None` when the dealing is
    /// publicly malformed (or the call was wrong) and no complaint applies.
    pub fn fault(&self) -> Option<DealerFault> {
        match self {
            DecryptError::Fault { fault, .. } => Some(*fault),
            DecryptError::Dealing(_) => None,
        }
    }
}

/// Why a complaint cannot be made, or is not evidence of anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ComplaintError {
    /// The complaint names another dealer than the dealing it is checked
    /// against.
    #[error("the complaint names dealer {complaint}, the dealing is from dealer {dealing}")]
    DealerMismatch {
        /// Dealer named in the complaint.
        complaint: u32,
        /// Dealer of the dealing.
        dealing: u32,
    },
    /// The accuser index is outside `1..=n`.
    #[error("dealer {dealer}: accuser index {accuser} is outside 1..={n}")]
    AccuserOutOfRange {
        /// The dealing's dealer.
        dealer: u32,
        /// The accuser index given.
        accuser: u32,
        /// Group size.
        n: u32,
    },
    /// The revealed shared point is the point at infinity.
    #[error(
        "dealer {dealer}, accuser {accuser}: the revealed shared point is the point at infinity"
    )]
    IdentitySharedPoint {
        /// The dealer complained about.
        dealer: u32,
        /// The accuser.
        accuser: u32,
    },
    /// The DLEQ proof does not show that the revealed point is the
    /// accuser's key applied to the dealing's ephemeral key.
    #[error("dealer {dealer}, accuser {accuser}: the DLEQ proof does not verify")]
    BadProof {
        /// The dealer complained about.
        dealer: u32,
        /// The accuser.
        accuser: u32,
    },
    /// The dealing is publicly malformed (its dealer is at fault without a
    /// complaint; an accuser must not reveal anything for it).
    #[error(transparent)]
    Dealing(#[from] DealingError),
}

/// Why bytes do not decode to a proof (`challenge ‖ response`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ProofDecodeError {
    /// A proof is exactly 64 bytes.
    #[error("a proof is 64 bytes, got {0}")]
    WrongLength(usize),
    /// The challenge (first 32 bytes) is not below the group order.
    #[error("the challenge is not a canonical scalar")]
    NonCanonicalChallenge,
    /// The response (last 32 bytes) is not below the group order.
    #[error("the response is not a canonical scalar")]
    NonCanonicalResponse,
}

/// Why the qualified dealings and a member's shares do not combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CombineError {
    /// The qualified set is empty.
    #[error("the qualified set of dealers is empty")]
    EmptyQualifiedSet,
    /// Dealer indices must be strictly ascending (distinct, sorted), so that
    /// every member combines in the same order.
    #[error(
        "dealer {next} follows dealer {previous}; qualified dealers must be strictly ascending"
    )]
    NotAscending {
        /// The earlier dealer index.
        previous: u32,
        /// The later, not larger, dealer index.
        next: u32,
    },
    /// A qualified dealing does not fit the group of the first one (same
    /// `n`, same threshold, dealer index in range).
    #[error(transparent)]
    Dealing(#[from] DealingError),
    /// There must be exactly one share per qualified dealing, in the same
    /// order.
    #[error("{dealings} qualified dealings but {shares} shares")]
    LengthMismatch {
        /// Qualified dealings given.
        dealings: usize,
        /// Shares given.
        shares: usize,
    },
    /// All shares must belong to the same member.
    #[error("the share from dealer {dealer} is for member {actual}, expected member {expected}")]
    MixedShareIndices {
        /// The dealer the share is aligned with.
        dealer: u32,
        /// The member index of the first share.
        expected: u32,
        /// The member index of this share.
        actual: u32,
    },
    /// The member index of the shares is outside `1..=n`.
    #[error("member index {index} is outside 1..={n}")]
    ShareIndexOutOfRange {
        /// The shares' member index.
        index: u32,
        /// Group size.
        n: u32,
    },
    /// The share aligned with this dealer is not consistent with its
    /// commitment (found after the combined share failed its check; a sum
    /// of consistent shares is consistent, so some dealer is always named).
    #[error(
        "the share of member {index} from dealer {dealer} is inconsistent with the dealer's commitment"
    )]
    InconsistentShare {
        /// The dealer.
        dealer: u32,
        /// The member index.
        index: u32,
    },
    /// The combined share sums to zero (negligible for honest dealers).
    #[error("the combined share of member {0} is zero")]
    ZeroShare(u32),
    /// The commitments sum to a group key at infinity (negligible unless
    /// dealers cancel each other's keys).
    #[error("the group public key is the point at infinity")]
    GroupKeyIdentity,
}
