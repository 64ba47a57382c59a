//! Lazy validation of queries (`protocol.md` §4, `reference.md` §5.4): one
//! process answers a query and signs the answer; the answer's hash is
//! committed in a later block; a beacon value produced after that decides,
//! with probability `p`, whether the answer is re-executed; a wrong answer
//! found that way forfeits the answerer's deposit `S ≥ G/p`, so cheating
//! (gain `G` per wrong answer) loses money on average.
//!
//! # Signing is the host's
//!
//! The answerer signs [`Answer::signing_message`]: the domain tag
//! [`ANSWER_DOMAIN`] followed by the RLP list
//! `[H(query), H(result), shard, height, state_root]`. dfn-state checks
//! signatures through the [`AnswerVerifier`] trait and signs nothing
//! itself: it is the EVM state crate, used by dfn-vm and light clients, and
//! keeping BLS (and `blst`'s C build) out of it keeps it small and
//! `no_std`-clean. The host implements the trait with dfn-crypto
//! (`PublicKey::verify` over the message above); the tests do exactly that
//! with BLS MinSig.
//!
//! Never use this for operations that move currency or change state:
//! those are fully validated or tower-validated.

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::vec::Vec;

use ruint::aliases::U512;
use sha2::{Digest, Sha256};

use crate::U256;
use crate::address::Address;
use crate::hash::B256;
use crate::rlp::{Encode, Rlp, RlpError, encode_bytes, encode_list_header, header_len};

/// Domain tag in front of every signed answer, so an answer signature can
/// never be replayed as any other kind of signed message.
pub const ANSWER_DOMAIN: &[u8] = b"DFN-ANSWER-V1";

/// Version of the [`SignedAnswer`] encoding (its first list item).
pub const SIGNED_ANSWER_VERSION: u64 = 1;

/// What the answerer vouches for: the answer to a query against one state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Answer {
    /// Hash of the query.
    pub query_hash: B256,
    /// Hash of the result the answerer returned.
    pub result_hash: B256,
    /// The shard queried.
    pub shard: u32,
    /// Height of the shard state the query ran against.
    pub height: u64,
    /// That state's root, against which an auditor re-executes.
    pub state_root: B256,
}

impl Answer {
    fn fields_len(&self) -> usize {
        self.query_hash.encoded_len()
            + self.result_hash.encoded_len()
            + self.shard.encoded_len()
            + self.height.encoded_len()
            + self.state_root.encoded_len()
    }

    fn encode_fields(&self, out: &mut Vec<u8>) {
        self.query_hash.encode(out);
        self.result_hash.encode(out);
        self.shard.encode(out);
        self.height.encode(out);
        self.state_root.encode(out);
    }

    /// The bytes the answerer signs: [`ANSWER_DOMAIN`] ‖
    /// `rlp([query_hash, result_hash, shard, height, state_root])`.
    #[must_use]
    pub fn signing_message(&self) -> Vec<u8> {
        let payload = self.fields_len();
        let mut out = Vec::with_capacity(ANSWER_DOMAIN.len() + header_len(payload) + payload);
        out.extend_from_slice(ANSWER_DOMAIN);
        encode_list_header(payload, &mut out);
        self.encode_fields(&mut out);
        out
    }
}

/// An answer with its answerer and signature, as committed in a block.
///
/// Encoding (RLP, version 1): `[1, query_hash, result_hash, shard, height,
/// state_root, answerer, signature]`; the signature is an opaque byte
/// string whose format is the [`AnswerVerifier`]'s.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SignedAnswer {
    /// The answer.
    pub answer: Answer,
    /// The account that answered and holds the deposit.
    pub answerer: Address,
    /// The answerer's signature over [`Answer::signing_message`].
    pub signature: Vec<u8>,
}

impl SignedAnswer {
    fn payload_len(&self) -> usize {
        SIGNED_ANSWER_VERSION.encoded_len()
            + self.answer.fields_len()
            + self.answerer.encoded_len()
            + self.signature.encoded_len()
    }

    /// `H(answer)`: SHA-256 of the encoding, the value committed in a block
    /// and drawn against for audits.
    #[must_use]
    pub fn hash(&self) -> B256 {
        B256(Sha256::digest(self.to_rlp()).into())
    }

    /// Decodes a signed answer from its canonical encoding; trailing bytes
    /// are an error.
    pub fn decode(bytes: &[u8]) -> Result<Self, LazyError> {
        let [
            version,
            query_hash,
            result_hash,
            shard,
            height,
            state_root,
            answerer,
            signature,
        ] = Rlp::new(bytes)?.fixed_list::<8>()?;
        let version: u64 = version.decode()?;
        if version != SIGNED_ANSWER_VERSION {
            return Err(LazyError::UnsupportedVersion { found: version });
        }
        Ok(Self {
            answer: Answer {
                query_hash: query_hash.decode()?,
                result_hash: result_hash.decode()?,
                shard: shard.decode()?,
                height: height.decode()?,
                state_root: state_root.decode()?,
            },
            answerer: answerer.decode()?,
            signature: signature.decode()?,
        })
    }
}

impl Encode for SignedAnswer {
    fn encoded_len(&self) -> usize {
        let payload = self.payload_len();
        header_len(payload) + payload
    }

    fn encode(&self, out: &mut Vec<u8>) {
        encode_list_header(self.payload_len(), out);
        SIGNED_ANSWER_VERSION.encode(out);
        self.answer.encode_fields(out);
        self.answerer.encode(out);
        encode_bytes(&self.signature, out);
    }
}

/// Checks answer signatures; implemented by the host with its signature
/// scheme (dfn-crypto BLS in dfn).
pub trait AnswerVerifier {
    /// Whether `signature` is `answerer`'s signature over `message`.
    /// Malformed signatures and unknown answerers are `false`.
    fn verify(&self, answerer: &Address, message: &[u8], signature: &[u8]) -> bool;
}

impl<V: AnswerVerifier + ?Sized> AnswerVerifier for &V {
    fn verify(&self, answerer: &Address, message: &[u8], signature: &[u8]) -> bool {
        (**self).verify(answerer, message, signature)
    }
}

/// The audit probability `p = numerator / denominator`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditRate {
    numerator: u64,
    denominator: u64,
}

impl AuditRate {
    /// `p = numerator / denominator`, which must satisfy
    /// `0 < numerator ≤ denominator`.
    pub const fn new(numerator: u64, denominator: u64) -> Result<Self, LazyError> {
        if numerator == 0 || numerator > denominator {
            return Err(LazyError::InvalidRate);
        }
        Ok(Self {
            numerator,
            denominator,
        })
    }

    /// The numerator of `p`.
    #[must_use]
    pub const fn numerator(&self) -> u64 {
        self.numerator
    }

    /// The denominator of `p`.
    #[must_use]
    pub const fn denominator(&self) -> u64 {
        self.denominator
    }
}

/// Whether the answer with hash `answer_hash` is audited under the beacon
/// value `beacon` (`r_{h+δ}`): `SHA-256(beacon ‖ answer_hash) < p·2^256`,
/// evaluated exactly as `draw · denominator < numerator · 2^256`.
#[must_use]
pub fn is_audited(beacon: &B256, answer_hash: &B256, rate: AuditRate) -> bool {
    let digest: [u8; 32] = Sha256::new()
        .chain_update(beacon.0)
        .chain_update(answer_hash.0)
        .finalize()
        .into();
    let draw = U512::from(U256::from_be_bytes(digest)) * U512::from(rate.denominator);
    draw < U512::from(rate.numerator) << 256
}

/// Lazy-validation parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LazyConfig {
    /// `p`, the audit probability.
    pub rate: AuditRate,
    /// `δ ≥ 1`: an answer committed at height `h` is drawn against the
    /// beacon value of `h + δ`.
    pub delay: u64,
    /// `S`, the deposit an answerer must hold and forfeits on a failed
    /// audit.
    pub deposit: u128,
    /// `G`, the most one wrong answer can gain its answerer.
    pub max_gain: u128,
}

impl LazyConfig {
    /// Checks the deposit rule `p·S ≥ G` (i.e. `S ≥ G/p`) and `δ ≥ 1`.
    pub fn check(&self) -> Result<(), LazyError> {
        if self.delay == 0 {
            return Err(LazyError::ZeroDelay);
        }
        let stake = U256::from(self.deposit) * U256::from(self.rate.numerator);
        let gain = U256::from(self.max_gain) * U256::from(self.rate.denominator);
        if stake < gain {
            return Err(LazyError::DepositTooSmall {
                deposit: self.deposit,
                max_gain: self.max_gain,
            });
        }
        Ok(())
    }
}

/// What the validator reports, drained with [`LazyValidator::poll_output`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LazyEvent {
    /// The beacon did not select the answer: it stands (and is paid).
    Accepted {
        /// `H(answer)`.
        answer: B256,
        /// The answerer.
        answerer: Address,
    },
    /// The beacon selected the answer: the host re-executes the query
    /// against `state_root` and reports with
    /// [`LazyValidator::handle_audit`].
    AuditSelected {
        /// `H(answer)`.
        answer: B256,
        /// The query to re-execute.
        query_hash: B256,
        /// The state to re-execute it against.
        state_root: B256,
    },
    /// Re-execution confirmed the answer.
    AuditPassed {
        /// `H(answer)`.
        answer: B256,
        /// The answerer.
        answerer: Address,
    },
    /// Re-execution contradicted the answer: the answerer forfeits its
    /// deposit.
    Forfeited {
        /// `H(answer)`.
        answer: B256,
        /// The answerer.
        answerer: Address,
        /// The amount taken (`S`, or all that was left).
        amount: u128,
    },
}

/// Why a lazy-validation input was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LazyError {
    /// The audit probability is not in `(0, 1]`.
    #[error("the audit probability must be in (0, 1]")]
    InvalidRate,
    /// `δ` is zero: the deciding beacon value could be known at commitment.
    #[error("the audit delay must be at least 1")]
    ZeroDelay,
    /// `p·S < G`: cheating would pay.
    #[error("deposit {deposit} is below max gain {max_gain} / p")]
    DepositTooSmall {
        /// `S`.
        deposit: u128,
        /// `G`.
        max_gain: u128,
    },
    /// The bytes are not a canonical signed answer.
    #[error(transparent)]
    Rlp(#[from] RlpError),
    /// The version item names an encoding this code does not know.
    #[error("unsupported encoding version {found}")]
    UnsupportedVersion {
        /// The version read.
        found: u64,
    },
    /// The signature does not verify for the named answerer.
    #[error("bad signature from {answerer}")]
    BadSignature {
        /// The named answerer.
        answerer: Address,
    },
    /// The answer must be committed in a block after the state it answers.
    #[error("answer about height {answer_height} committed at height {block_height}")]
    CommittedTooEarly {
        /// The height the answer is about.
        answer_height: u64,
        /// The committing block's height.
        block_height: u64,
    },
    /// The answerer's deposit is below `S`.
    #[error("answerer {answerer} holds a deposit of {held}, {required} is required")]
    InsufficientDeposit {
        /// The answerer.
        answerer: Address,
        /// Its deposit.
        held: u128,
        /// `S`.
        required: u128,
    },
    /// This answer is already committed and undecided.
    #[error("answer {answer} is already committed")]
    DuplicateAnswer {
        /// `H(answer)`.
        answer: B256,
    },
    /// The beacon value that decides the answer is already known.
    #[error("commitment height {height} is decided by a beacon already seen (next is {next})")]
    StaleCommitment {
        /// The committing block's height.
        height: u64,
        /// Height of the next beacon value expected.
        next: u64,
    },
    /// Beacon values must arrive for every height, in order.
    #[error("expected the beacon value of height {expected}, got {found}")]
    BeaconOutOfOrder {
        /// The next height.
        expected: u64,
        /// The height given.
        found: u64,
    },
    /// No audit is open for this answer.
    #[error("no open audit for answer {answer}")]
    UnknownAudit {
        /// `H(answer)`.
        answer: B256,
    },
    /// A deposit does not fit in `u128`.
    #[error("deposit overflows u128")]
    Overflow,
}

/// Deposits, committed answers waiting for their beacon value, and open
/// audits.
///
/// Inputs: deposits, signed answers with the height of the block that
/// commits them ([`LazyValidator::commit`]), beacon values one per height
/// in order ([`LazyValidator::resolve`]), and audit results
/// ([`LazyValidator::handle_audit`]). Outputs: [`LazyEvent`]s.
#[derive(Clone, Debug)]
pub struct LazyValidator<V> {
    verifier: V,
    config: LazyConfig,
    deposits: BTreeMap<Address, u128>,
    /// Keyed by (deciding beacon height, `H(answer)`).
    waiting: BTreeMap<(u64, B256), SignedAnswer>,
    waiting_ids: BTreeSet<B256>,
    audits: BTreeMap<B256, SignedAnswer>,
    next_beacon: u64,
    events: VecDeque<LazyEvent>,
}

impl<V: AnswerVerifier> LazyValidator<V> {
    /// A validator with no deposits; the first beacon value it expects is
    /// height 0. Fails if `config` breaks the deposit rule.
    pub fn new(verifier: V, config: LazyConfig) -> Result<Self, LazyError> {
        config.check()?;
        Ok(Self {
            verifier,
            config,
            deposits: BTreeMap::new(),
            waiting: BTreeMap::new(),
            waiting_ids: BTreeSet::new(),
            audits: BTreeMap::new(),
            next_beacon: 0,
            events: VecDeque::new(),
        })
    }

    /// The parameters.
    #[must_use]
    pub const fn config(&self) -> &LazyConfig {
        &self.config
    }

    /// An answerer's deposit.
    #[must_use]
    pub fn deposit_of(&self, answerer: &Address) -> u128 {
        self.deposits.get(answerer).copied().unwrap_or(0)
    }

    /// Adds `amount` to `answerer`'s deposit.
    pub fn add_deposit(&mut self, answerer: Address, amount: u128) -> Result<(), LazyError> {
        let held = self.deposits.entry(answerer).or_default();
        *held = held.checked_add(amount).ok_or(LazyError::Overflow)?;
        Ok(())
    }

    /// Records `signed`, committed in the block at `block_height`: checks
    /// that the block comes after the answered state, that the answerer
    /// holds the deposit, that the deciding beacon value is still unknown,
    /// that the answer is new, and the signature. Returns `H(answer)`.
    pub fn commit(&mut self, signed: SignedAnswer, block_height: u64) -> Result<B256, LazyError> {
        if block_height <= signed.answer.height {
            return Err(LazyError::CommittedTooEarly {
                answer_height: signed.answer.height,
                block_height,
            });
        }
        let held = self.deposit_of(&signed.answerer);
        if held < self.config.deposit {
            return Err(LazyError::InsufficientDeposit {
                answerer: signed.answerer,
                held,
                required: self.config.deposit,
            });
        }
        let decided_at = block_height
            .checked_add(self.config.delay)
            .ok_or(LazyError::Overflow)?;
        if decided_at < self.next_beacon {
            return Err(LazyError::StaleCommitment {
                height: block_height,
                next: self.next_beacon,
            });
        }
        let id = signed.hash();
        if self.waiting_ids.contains(&id) || self.audits.contains_key(&id) {
            return Err(LazyError::DuplicateAnswer { answer: id });
        }
        // The signature check is the expensive one: it comes last.
        let message = signed.answer.signing_message();
        if !self
            .verifier
            .verify(&signed.answerer, &message, &signed.signature)
        {
            return Err(LazyError::BadSignature {
                answerer: signed.answerer,
            });
        }
        self.waiting_ids.insert(id);
        self.waiting.insert((decided_at, id), signed);
        Ok(id)
    }

    /// Draws every answer waiting for the beacon value `beacon` of
    /// `height`: selected ones become open audits, the others stand.
    pub fn resolve(&mut self, height: u64, beacon: &B256) -> Result<(), LazyError> {
        if height != self.next_beacon {
            return Err(LazyError::BeaconOutOfOrder {
                expected: self.next_beacon,
                found: height,
            });
        }
        self.next_beacon = height.checked_add(1).ok_or(LazyError::Overflow)?;
        let later = self.waiting.split_off(&(self.next_beacon, B256::ZERO));
        let due = core::mem::replace(&mut self.waiting, later);
        for ((_, id), signed) in due {
            self.waiting_ids.remove(&id);
            if is_audited(beacon, &id, self.config.rate) {
                self.events.push_back(LazyEvent::AuditSelected {
                    answer: id,
                    query_hash: signed.answer.query_hash,
                    state_root: signed.answer.state_root,
                });
                self.audits.insert(id, signed);
            } else {
                self.events.push_back(LazyEvent::Accepted {
                    answer: id,
                    answerer: signed.answerer,
                });
            }
        }
        Ok(())
    }

    /// Closes the audit of `answer` with the result hash re-execution gave:
    /// a different hash forfeits the answerer's deposit `S` (or what is
    /// left of it).
    pub fn handle_audit(&mut self, answer: &B256, correct_result: &B256) -> Result<(), LazyError> {
        let signed = self
            .audits
            .remove(answer)
            .ok_or(LazyError::UnknownAudit { answer: *answer })?;
        let answerer = signed.answerer;
        if signed.answer.result_hash == *correct_result {
            self.events.push_back(LazyEvent::AuditPassed {
                answer: *answer,
                answerer,
            });
        } else {
            let held = self.deposits.entry(answerer).or_default();
            let amount = (*held).min(self.config.deposit);
            *held = held.saturating_sub(amount);
            self.events.push_back(LazyEvent::Forfeited {
                answer: *answer,
                answerer,
                amount,
            });
        }
        Ok(())
    }

    /// The next event, oldest first.
    pub fn poll_output(&mut self) -> Option<LazyEvent> {
        self.events.pop_front()
    }
}
