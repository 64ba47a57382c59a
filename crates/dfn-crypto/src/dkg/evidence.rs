//! Provable misbehaviour: the signed messages that show a member broke the
//! protocol, checkable by anyone who knows the run's configuration.

use super::body::Body;
use super::complaint::{Complaint, ComplaintVerdict, Justification};
use super::config::DkgConfig;
use super::dealing::Dealing;
use super::error::ComplaintError;
use super::message::{RunId, SignedMessage};
use crate::variant::Variant;

/// Signed messages that prove a member misbehaved. The culprit is
/// [`Evidence::culprit`]; [`Evidence::verify`] re-checks everything from
/// the messages and the run's configuration, so a host can act on it (a
/// slashing, an exclusion) without trusting whoever reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Evidence<V: Variant> {
    /// Two different messages of one kind, signed by one member.
    Equivocation {
        /// The first message.
        first: SignedMessage<V>,
        /// A different message of the same kind from the same member.
        second: SignedMessage<V>,
    },
    /// A signed message whose body is malformed.
    MalformedMessage {
        /// The message.
        message: SignedMessage<V>,
    },
    /// A signed dealing that fails its public checks.
    InvalidDealing {
        /// The dealing's message.
        dealing: SignedMessage<V>,
    },
    /// A valid complaint: the dealer's ciphertext to the accuser is faulty
    /// (whether or not the dealer later justified).
    DealerFault {
        /// The dealer's dealing.
        dealing: SignedMessage<V>,
        /// The accuser's responses, holding the complaint.
        responses: SignedMessage<V>,
    },
    /// A false complaint: the accuser's share decrypts and is consistent.
    FalseComplaint {
        /// The dealing complained about.
        dealing: SignedMessage<V>,
        /// The accuser's responses, holding the complaint.
        responses: SignedMessage<V>,
    },
    /// A complaint whose proof of the revealed key does not verify.
    InvalidComplaint {
        /// The dealing complained about.
        dealing: SignedMessage<V>,
        /// The accuser's responses, holding the complaint.
        responses: SignedMessage<V>,
    },
    /// A justification that reveals a share inconsistent with the
    /// dealer's commitment.
    BadJustification {
        /// The dealer's dealing.
        dealing: SignedMessage<V>,
        /// The dealer's justifications.
        justifications: SignedMessage<V>,
        /// The accuser whose revealed share is wrong.
        accuser: u32,
    },
}

impl<V: Variant> Evidence<V> {
    /// The member the evidence is against.
    pub fn culprit(&self) -> u32 {
        match self {
            Evidence::Equivocation { first, .. } => first.sender(),
            Evidence::MalformedMessage { message } => message.sender(),
            Evidence::InvalidDealing { dealing }
            | Evidence::DealerFault { dealing, .. }
            | Evidence::BadJustification { dealing, .. } => dealing.sender(),
            Evidence::FalseComplaint { responses, .. }
            | Evidence::InvalidComplaint { responses, .. } => responses.sender(),
        }
    }

    /// Whether the evidence proves its culprit's misbehaviour in the run
    /// `config` describes: every message belongs to the run and is signed
    /// by its sender, and the fault is really there.
    pub fn verify(&self, config: &DkgConfig<V>) -> bool {
        let Some(run) = RunId::of_context(&config.context) else {
            return false;
        };
        let (n, t, ctx) = (config.n(), config.threshold, config.context.as_slice());
        // Decode again under this run's group size rather than trusting the
        // decoding the reporter did, then check run and signature.
        let fresh = |m: &SignedMessage<V>| {
            SignedMessage::<V>::from_bytes(m.as_bytes(), n)
                .ok()
                .filter(|m| {
                    m.run() == run
                        && config
                            .member(m.sender())
                            .is_some_and(|member| m.verify(&member.signing_key))
                })
        };
        match self {
            Evidence::Equivocation { first, second } => {
                let (Some(first), Some(second)) = (fresh(first), fresh(second)) else {
                    return false;
                };
                first.sender() == second.sender()
                    && first.kind() == second.kind()
                    && first != second
            }
            Evidence::MalformedMessage { message } => {
                fresh(message).is_some_and(|m| m.body().is_err())
            }
            Evidence::InvalidDealing { dealing } => fresh(dealing).is_some_and(
                |m| matches!(m.body(), Ok(Body::Dealing(d)) if d.verify(ctx, n, t).is_err()),
            ),
            Evidence::DealerFault { dealing, responses }
            | Evidence::FalseComplaint { dealing, responses }
            | Evidence::InvalidComplaint { dealing, responses } => {
                let (Some(dealing), Some(responses)) = (fresh(dealing), fresh(responses)) else {
                    return false;
                };
                let Some((d, complaint)) = complaint_about(&dealing, &responses) else {
                    return false;
                };
                let Some(accuser) = config.member(responses.sender()) else {
                    return false;
                };
                if d.verify(ctx, n, t).is_err() {
                    return false;
                }
                let verdict = complaint.verify(d, ctx, &accuser.encryption_key);
                match self {
                    Evidence::DealerFault { .. } => {
                        matches!(verdict, Ok(ComplaintVerdict::Valid(_)))
                    }
                    Evidence::FalseComplaint { .. } => {
                        matches!(verdict, Ok(ComplaintVerdict::False))
                    }
                    _ => matches!(
                        verdict,
                        Err(ComplaintError::BadProof { .. }
                            | ComplaintError::IdentitySharedPoint { .. })
                    ),
                }
            }
            Evidence::BadJustification {
                dealing,
                justifications,
                accuser,
            } => {
                let (Some(dealing), Some(justifications)) = (fresh(dealing), fresh(justifications))
                else {
                    return false;
                };
                let (Ok(Body::Dealing(d)), Ok(Body::Justifications(list))) =
                    (dealing.body(), justifications.body())
                else {
                    return false;
                };
                dealing.sender() == justifications.sender()
                    && list
                        .iter()
                        .find(|j| j.accuser() == *accuser)
                        .is_some_and(|j: &Justification<V>| !j.verify(d))
            }
        }
    }
}

/// The dealing in `dealing` and its sender's complaint about it in
/// `responses`.
fn complaint_about<'a, V: Variant>(
    dealing: &'a SignedMessage<V>,
    responses: &'a SignedMessage<V>,
) -> Option<(&'a Dealing<V>, &'a Complaint<V>)> {
    let Ok(Body::Dealing(d)) = dealing.body() else {
        return None;
    };
    let Ok(Body::Responses(complaints)) = responses.body() else {
        return None;
    };
    let complaint = complaints.iter().find(|c| c.dealer() == d.dealer())?;
    Some((d, complaint))
}
