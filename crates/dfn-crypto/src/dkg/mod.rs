//! Distributed key generation: Joint-Feldman (JF-DKG; Pedersen 1991,
//! Gennaro–Jarecki–Krawczyk–Rabin 1999) with shares encrypted on the
//! broadcast channel and complaints anyone can check, as a Sans-IO state
//! machine per member ([`Participant`]).
//!
//! Two layers: the cryptography ([`Dealing`], [`Complaint`],
//! [`Justification`], [`combine`]) with its [wire encodings](wire), and the
//! protocol on top: who sends what when, signed envelopes
//! ([`SignedMessage`]), deadlines, rejection of bad messages with typed
//! reasons, evidence against misbehaving members, and the decision of the
//! qualified set.
//!
//! # The protocol
//!
//! `n` members with indices `1..=n`, threshold `t` (shares needed). Each
//! member has registered a long-term signing key and a [`DkgPublicKey`]; the
//! [`DkgConfig`] lists them, with the run context (run nonce, epoch, group
//! id: any bytes, at most `2^32 − 1`) and the [`Schedule`]. Every message is
//! a [`SignedMessage`]: the run's [`RunId`], the sender's index, a body, and
//! the sender's signature; nothing relies on private channels.
//!
//! 1. **Deal** (until the deal deadline). Every member deals at once
//!    ([`Participant::new`]) and broadcasts its [`Dealing`]. On receipt a
//!    member checks the dealing publicly ([`Dealing::verify`]) and decrypts
//!    its share.
//! 2. **Response** (until the response deadline). When the deal phase
//!    ends a member checks all its shares against their commitments in one
//!    batch ([`inconsistent_shares`]) and broadcasts its responses: a
//!    [`Complaint`] for each dealer whose share is undecryptable or wrong,
//!    or none. Everyone judges every complaint ([`Complaint::verify`]).
//! 3. **Justify** (until the justification deadline; skipped when no
//!    complaint is valid). An accused dealer reveals each disputed share
//!    ([`Justification`]); everyone checks it, the accuser adopts it.
//! 4. **Done.** QUAL is every dealer with a valid dealing on time and no
//!    valid complaint left unanswered or answered wrongly, ascending. The
//!    group's public polynomial is the sum of QUAL's commitments, each
//!    member's share the sum of its shares from QUAL ([`combine`]); every
//!    member can derive all share keys ([`DkgOutput::share_keys`]). The
//!    participant reports [`Event::Qualification`] (QUAL and every excluded
//!    dealer with its [`ExclusionReason`]), then [`Event::Completed`], or
//!    [`Event::Failed`] when fewer than `t` dealers qualified or fewer than
//!    `t` members responded ([`DkgFailure`], listing the excluded dealers).
//!
//! Deadlines are inputs: the host calls [`Participant::handle_timeout`] at
//! [`Participant::poll_timeout`]. Messages arriving after their phase are
//! rejected as late; messages of a later phase (from members whose clock
//! runs ahead) are held until that phase begins.
//!
//! **Rejections and evidence.** A message of another run, from a
//! non-member, with a bad signature, late, or a duplicate is rejected
//! ([`Event::Rejected`] with a [`RejectReason`]). A correctly signed message
//! that proves misbehaviour is also reported as [`Evidence`], which anyone
//! can re-check with [`Evidence::verify`] from the messages alone: a
//! malformed body, an invalid dealing, two different messages of one kind
//! (equivocation), a valid complaint (the dealer's fault), a false or
//! unprovable complaint (the accuser's), a wrong justification.
//!
//! **Agreement.** Every honest member ends with the same output when honest
//! members receive the same messages before each deadline: a synchronous
//! broadcast channel (phases longer than the delivery bound, gossip that
//! relays), or a consensus log. Within that, the outcome does not depend on
//! arrival order: a dealer that signs two dealings is excluded whichever
//! came first, and two versions of a member's responses or justifications
//! both count (their content is checkable fact, so the union is the same
//! everywhere). At most two versions per member and kind are kept, which
//! bounds what a member that signs without end can make others store.
//! [`DkgConfig::fast_sync`] ends phases as soon as all expected messages
//! are in; it is safe only over a consensus log (a member that moved on
//! could miss a conflicting dealing others saw).
//!
//! # Host loop
//!
//! Four members run a DKG in one process; the "network" hands every
//! broadcast to every other member.
//!
//! ```
//! use std::sync::Arc;
//!
//! use dfn_crypto::dkg::{DkgConfig, DkgSecretKey, Event, Member, Output, Participant, Schedule};
//! use dfn_crypto::{MinSig, SecretKey, Time};
//! use rand_chacha::ChaCha20Rng;
//! use rand_core::SeedableRng;
//!
//! let mut rng = ChaCha20Rng::seed_from_u64(7);
//! // Every member's keys, registered before the run.
//! let signing: Vec<SecretKey<MinSig>> = (0..4).map(|_| SecretKey::random(&mut rng)).collect();
//! let decryption: Vec<DkgSecretKey<MinSig>> =
//!     (0..4).map(|_| DkgSecretKey::random(&mut rng)).collect();
//! let members = signing
//!     .iter()
//!     .zip(&decryption)
//!     .map(|(s, d)| Member { signing_key: s.public_key(), encryption_key: d.public_key() })
//!     .collect();
//! let schedule = Schedule { start: Time::ZERO, deal_ms: 2_000, response_ms: 2_000, justify_ms: 2_000 };
//! let config = Arc::new(DkgConfig {
//!     context: b"epoch 12, group 5".to_vec(),
//!     threshold: 3,
//!     members,
//!     schedule,
//!     fast_sync: false,
//! });
//! let mut participants: Vec<Participant<MinSig>> = (1..=4)
//!     .zip(signing.into_iter().zip(decryption))
//!     .map(|(me, (s, d))| Participant::new(Arc::clone(&config), me, s, d, &mut rng).unwrap())
//!     .collect();
//!
//! let mut now = Time::ZERO;
//! let mut outputs = Vec::new();
//! loop {
//!     // Drain every participant's outputs.
//!     let mut in_flight = Vec::new();
//!     for p in &mut participants {
//!         while let Some(output) = p.poll_output() {
//!             match output {
//!                 Output::Broadcast(message) => in_flight.push((p.me(), message)),
//!                 Output::Event(Event::Completed(output)) => outputs.push(output),
//!                 Output::Event(event) => println!("member {}: {event:?}", p.me()),
//!                 _ => {}
//!             }
//!         }
//!     }
//!     if in_flight.is_empty() {
//!         // Nothing to deliver: sleep until the earliest deadline.
//!         let Some(next) = participants.iter().filter_map(Participant::poll_timeout).min() else {
//!             break;
//!         };
//!         now = next;
//!         participants.iter_mut().for_each(|p| p.handle_timeout(now));
//!     }
//!     for (from, message) in in_flight {
//!         for p in participants.iter_mut().filter(|p| p.me() != from) {
//!             p.handle_bytes(now, message.as_bytes());
//!         }
//!     }
//! }
//! assert_eq!(outputs.len(), 4);
//! assert!(outputs.iter().all(|o| o.group_key() == outputs[0].group_key()));
//! ```
//!
//! # Construction
//!
//! **Encryption keys** are G1 points of the variant's backend
//! (`PK_j = sk_j·g₁`, 48 bytes) whatever the variant: the smallest group,
//! and one kind of key for MinSig and MinPk groups alike. They are separate
//! from members' signing keys.
//!
//! **Dealing.** Dealer `i` picks `f` of degree `t − 1` and commits to it in
//! the public-key group (`C = (a_0·g, …, a_{t−1}·g)`). It draws one
//! ephemeral `r` per dealing and publishes `R = r·g₁` with a Schnorr proof of
//! knowledge of `r` ([`SchnorrProof`], challenge bound to the context and
//! `i`). For member `j`:
//!
//! - `S_j = r·PK_j` (the member computes `sk_j·R`);
//! - `k_j = HKDF-SHA256(salt = "DFN-DKG-V1", ikm = compressed(S_j),
//!   info = u32_be(|ctx|) ‖ ctx ‖ u32_be(i) ‖ u32_be(j) ‖ compressed(R))`,
//!   32 bytes;
//! - ciphertext = ChaCha20-Poly1305 under `k_j` with the all-zero nonce and
//!   associated data `SHA-256(u32_be(|ctx|) ‖ ctx ‖ u32_be(i) ‖ C ‖
//!   u32_be(j))` over the 32-byte big-endian share `f(j)`: 48 bytes.
//!
//! Why: one ephemeral key for all recipients (Bellare–Boldyreva–Staddon
//! 2003) makes a share cost 32 + 16 bytes instead of 32 + 48 + 16; the
//! per-recipient keys stay independent because each comes from a different
//! `S_j` and names `j`. Each key encrypts exactly one message (fresh `r`
//! per dealing, `i` and `j` in the derivation), so a fixed nonce is sound.
//! The associated data binds a ciphertext to the commitment it claims to
//! open, so it cannot be replayed under another commitment, context, dealer
//! or recipient. The commitment is hashed before `j` so a dealer hashes it
//! once for all recipients.
//!
//! **Complaints** are publicly verifiable without revealing the accuser's
//! key. Member `j` reveals `S = sk_j·R` with a Chaum–Pedersen proof
//! ([`DleqProof`]) that `log_g₁(PK_j) = log_R(S)`, its challenge bound to the
//! context, both indices and every point. Anyone then derives `k_j`,
//! decrypts and rules: the ciphertext fails to authenticate, the plaintext
//! is not a canonical nonzero scalar, or the share fails Feldman's check
//! (`s·g ≠ Σ_k j^k·C_k`) — the dealer is at fault; or the share is good and
//! the complaint is false. Revealing `S` opens only that one ciphertext
//! (the others use `r·PK_{j'}`), whose share the dealer's justification
//! reveals anyway.
//!
//! The proof of knowledge of `r` is what makes revealing `S` safe. Without
//! it a cheating dealer could publish `R = R_k + a·g₁`, with `R_k` another
//! dealer's ephemeral key, send garbage and collect
//! `sk_j·R − a·PK_j = sk_j·R_k` from the complaints: the keys of every
//! ciphertext of dealer `k`, hence `k`'s secret. A dealer that knows
//! `log R` learns from a complaint only `r·PK_j`, which it knew. So members
//! decrypt (and complain about) only dealings whose proof verifies;
//! [`Complaint::create`] refuses the others.
//!
//! **Justification.** The dealer reveals `f(j)`; anyone checks it against
//! `C`. A false complaint only makes the dealer reveal a share the accuser
//! already had.
//!
//! **Outcome.** `A_k = Σ_{i∈QUAL} C_ik`, group key `A_0`, member share
//! `x_j = Σ_{i∈QUAL} f_i(j)`, checked once against `A` at `j`. QUAL is
//! required in strictly ascending dealer order so every member computes
//! the same thing the same way.
//!
//! **Signed envelopes.** Members sign `"DFN-DKG-V1" ‖ envelope` with their
//! long-term key under the proof-of-possession suite (keys are registered
//! with a proof of possession). The envelope names the run (a hash of the
//! context) so messages of other runs are dropped before any expensive
//! check; see [`SignedMessage`] for the layout.
//!
//! **Randomness.** A participant draws its polynomial, proof nonces and
//! batch-check weights from a ChaCha20 generator seeded once from the
//! caller's RNG at construction: no ambient randomness.
//!
//! Known limit (accepted for threshold BLS, see `reference.md` §1.6): a
//! rushing adversary can bias the distribution of the group key (GJKR99).
//!
//! Secrets (decryption keys, ephemeral scalars, proof nonces, share keys,
//! plaintexts, combined shares) are wiped after use; curve points are not
//! (the backends' point types offer no zeroization).

mod board;
mod body;
mod check;
mod complaint;
mod config;
mod dealing;
mod dleq;
mod encryption;
mod error;
mod event;
mod evidence;
mod message;
mod outcome;
mod participant;
mod schnorr;
mod transcript;
pub mod wire;

#[cfg(test)]
mod participant_tests;
#[cfg(test)]
mod tests;

pub use body::{Body, BodyError, Kind};
pub use check::inconsistent_shares;
pub use complaint::{Complaint, ComplaintVerdict, Justification};
pub use config::{ConfigError, DkgConfig, Member, Schedule};
pub use dealing::Dealing;
pub use dleq::DleqProof;
pub use encryption::{CIPHERTEXT_LEN, DkgPublicKey, DkgSecretKey, G1Of};
pub use error::{
    CombineError, ComplaintError, DealerFault, DealingError, DecryptError, ProofDecodeError,
};
pub use event::{DkgFailure, Event, ExclusionReason, Output, Phase, RejectReason, Rejection};
pub use evidence::Evidence;
pub use message::{ENVELOPE_VERSION, EnvelopeError, RunId, SIGNING_TAG, SignedMessage};
pub use outcome::{DkgOutput, combine, combine_public};
pub use participant::Participant;
pub use schnorr::SchnorrProof;
pub use wire::{COMPLAINT_LEN, JUSTIFICATION_LEN, MessageKind, WIRE_VERSION, WireError, WireField};
