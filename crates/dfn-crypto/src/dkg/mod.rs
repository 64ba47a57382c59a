//! Distributed key generation: the cryptographic core of Joint-Feldman
//! (JF-DKG; Pedersen 1991, Gennaro–Jarecki–Krawczyk–Rabin 1999) with shares
//! encrypted on the broadcast channel and complaints anyone can check.
//!
//! This module holds the cryptography only. Who sends what when, timeouts,
//! signing messages with long-term keys and the disqualification policy
//! belong to the protocol state machine built on it.
//!
//! # Flow
//!
//! `n` members with indices `1..=n`, threshold `t` (shares needed). Each
//! member has a [`DkgSecretKey`] and has registered its [`DkgPublicKey`].
//! Every run has a *context* (run nonce, epoch, group id: any bytes, at most
//! `2^32 − 1`) that is bound into every key, tag and proof below, so nothing
//! carries over from one run to another.
//!
//! 1. **Deal.** Dealer `i` calls [`Dealing::deal`] and broadcasts the
//!    [`Dealing`]; it keeps its `SecretPolynomial`.
//! 2. **Check.** Everyone runs [`Dealing::verify`] (shape and the proof on
//!    the ephemeral key); a failing dealing is a public fault of its dealer.
//!    Member `j` runs [`Dealing::decrypt_share`]. On a
//!    [`DecryptError::Fault`] it broadcasts a [`Complaint`].
//! 3. **Judge.** Anyone runs [`Complaint::verify`]:
//!    [`ComplaintVerdict::Valid`] means the dealer must answer with a
//!    [`Justification`] ([`Dealing::justify`]), which anyone checks with
//!    [`Justification::verify`] and the accuser adopts;
//!    [`ComplaintVerdict::False`] is evidence against the accuser.
//! 4. **Combine.** QUAL is the dealers left, in ascending index order.
//!    [`combine`] sums the commitments into the group's public polynomial
//!    and the member's shares into its share; [`combine_public`] gives
//!    observers the polynomial alone.
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
//! Known limit (accepted for threshold BLS, see `reference.md` §1.6): a
//! rushing adversary can bias the distribution of the group key (GJKR99).
//!
//! Secrets (decryption keys, ephemeral scalars, proof nonces, share keys,
//! plaintexts, combined shares) are wiped after use; curve points are not
//! (the backends' point types offer no zeroization).

mod check;
mod complaint;
mod dealing;
mod dleq;
mod encryption;
mod error;
mod outcome;
mod schnorr;
mod transcript;
pub mod wire;

#[cfg(test)]
mod tests;

pub use check::inconsistent_shares;
pub use complaint::{Complaint, ComplaintVerdict, Justification};
pub use dealing::Dealing;
pub use dleq::DleqProof;
pub use encryption::{CIPHERTEXT_LEN, DkgPublicKey, DkgSecretKey, G1Of};
pub use error::{
    CombineError, ComplaintError, DealerFault, DealingError, DecryptError, ProofDecodeError,
};
pub use outcome::{DkgOutput, combine, combine_public};
pub use schnorr::SchnorrProof;
pub use wire::{COMPLAINT_LEN, JUSTIFICATION_LEN, MessageKind, WIRE_VERSION, WireError, WireField};
