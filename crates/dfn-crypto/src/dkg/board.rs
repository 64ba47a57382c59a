//! The public record of a run: what every member derives from the signed
//! messages alone, identically wherever the same messages arrived in the
//! same phases. It holds no secret; the participant adds its own shares.

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::body::Body;
use super::complaint::{ComplaintVerdict, Justification};
use super::config::DkgConfig;
use super::dealing::Dealing;
use super::error::ComplaintError;
use super::event::{Event, ExclusionReason, Output, RejectReason, Rejection};
use super::evidence::Evidence;
use super::message::SignedMessage;
use crate::variant::Variant;

/// Dealings, complaint verdicts and answers, by the rules of the
/// [module docs](super). Every method takes messages whose run and
/// signature have been checked.
pub(crate) struct Board<V: Variant> {
    config: Arc<DkgConfig<V>>,
    /// The first publicly valid dealing of each dealer.
    dealings: BTreeMap<u32, SignedMessage<V>>,
    /// Dealers out before any complaint: malformed, invalid, equivocating.
    disqualified: BTreeMap<u32, ExclusionReason>,
    /// Dealers whose only dealing came after the deal phase.
    late: BTreeSet<u32>,
    /// Members whose responses arrived in the response phase.
    responders: BTreeSet<u32>,
    /// Verdicts on complaints, by `(dealer, accuser)`.
    verdicts: BTreeMap<(u32, u32), ComplaintVerdict>,
    /// Whether every share a dealer revealed for an accuser was right, by
    /// `(dealer, accuser)`.
    answers: BTreeMap<(u32, u32), bool>,
    /// Dealers whose justifications arrived.
    justifiers: BTreeSet<u32>,
}

impl<V: Variant> Board<V> {
    pub(crate) fn new(config: Arc<DkgConfig<V>>) -> Self {
        Self {
            config,
            dealings: BTreeMap::new(),
            disqualified: BTreeMap::new(),
            late: BTreeSet::new(),
            responders: BTreeSet::new(),
            verdicts: BTreeMap::new(),
            answers: BTreeMap::new(),
            justifiers: BTreeSet::new(),
        }
    }

    /// The dealer's valid dealing, if it is still a candidate for QUAL.
    pub(crate) fn candidate(&self, dealer: u32) -> Option<&Dealing<V>> {
        if self.disqualified.contains_key(&dealer) {
            return None;
        }
        match self.dealings.get(&dealer)?.body() {
            Ok(Body::Dealing(dealing)) => Some(dealing),
            _ => None,
        }
    }

    /// Every dealer has a dealing, is out, or has one `waiting` (signature
    /// not checked yet): nothing more can arrive in the deal phase that
    /// changes the record.
    pub(crate) fn all_dealt(&self, waiting: impl Fn(u32) -> bool) -> bool {
        (1..=self.config.n()).all(|d| {
            self.dealings.contains_key(&d) || self.disqualified.contains_key(&d) || waiting(d)
        })
    }

    /// Every member has responded.
    pub(crate) fn all_responded(&self) -> bool {
        self.responders.len() == self.config.members.len()
    }

    pub(crate) fn responders(&self) -> u32 {
        u32::try_from(self.responders.len()).unwrap_or(u32::MAX)
    }

    /// Candidate dealers with at least one valid complaint, ascending.
    pub(crate) fn accused(&self) -> BTreeSet<u32> {
        self.verdicts
            .iter()
            .filter(|((dealer, _), v)| {
                matches!(v, ComplaintVerdict::Valid(_)) && self.candidate(*dealer).is_some()
            })
            .map(|((dealer, _), _)| *dealer)
            .collect()
    }

    /// Members whose complaint against `dealer` is valid, ascending.
    pub(crate) fn valid_accusers(&self, dealer: u32) -> Vec<u32> {
        self.verdicts
            .range((dealer, 0)..=(dealer, u32::MAX))
            .filter(|(_, v)| matches!(v, ComplaintVerdict::Valid(_)))
            .map(|((_, accuser), _)| *accuser)
            .collect()
    }

    /// Every accused dealer has sent its justifications.
    pub(crate) fn all_justified(&self) -> bool {
        self.accused().is_subset(&self.justifiers)
    }

    /// Excludes `dealer` for a public fault of its dealing (the first
    /// reason found stands).
    pub(crate) fn disqualify(&mut self, dealer: u32, reason: ExclusionReason) {
        self.disqualified.entry(dealer).or_insert(reason);
    }

    /// A signed dealing arrived after the deal phase.
    pub(crate) fn note_late(&mut self, dealer: u32) {
        self.late.insert(dealer);
    }

    /// Whether a dealing of `dealer` is already on record.
    pub(crate) fn has_dealing(&self, dealer: u32) -> bool {
        self.dealings.contains_key(&dealer)
    }

    /// Records a dealing message in the deal phase: the dealing if it
    /// passes the public checks, the dealer's disqualification (with
    /// evidence) if not. Returns the dealing when it was recorded.
    pub(crate) fn add_dealing(
        &mut self,
        message: &SignedMessage<V>,
        out: &mut VecDeque<Output<V>>,
    ) -> Option<&Dealing<V>> {
        let dealer = message.sender();
        let Ok(Body::Dealing(dealing)) = message.body() else {
            return None;
        };
        let config = &self.config;
        if let Err(error) = dealing.verify(&config.context, config.n(), config.threshold) {
            self.disqualify(dealer, ExclusionReason::InvalidDealing);
            reject(out, message, RejectReason::InvalidDealing(error));
            evidence(
                out,
                Evidence::InvalidDealing {
                    dealing: message.clone(),
                },
            );
            return None;
        }
        if self.dealings.contains_key(&dealer) {
            return None;
        }
        self.dealings.insert(dealer, message.clone());
        self.candidate(dealer)
    }

    /// Judges the complaints in a member's responses (response phase).
    pub(crate) fn add_responses(
        &mut self,
        message: &SignedMessage<V>,
        out: &mut VecDeque<Output<V>>,
    ) {
        let accuser = message.sender();
        let Ok(Body::Responses(complaints)) = message.body() else {
            return;
        };
        self.responders.insert(accuser);
        let Some(accuser_key) = self.config.member(accuser).map(|m| m.encryption_key) else {
            return;
        };
        for complaint in complaints {
            let dealer = complaint.dealer();
            if self.verdicts.contains_key(&(dealer, accuser)) {
                continue;
            }
            // A complaint about a dealer that is out already changes nothing.
            let (Some(dealing), Some(dealing_message)) =
                (self.candidate(dealer), self.dealings.get(&dealer))
            else {
                continue;
            };
            let dealing_message = dealing_message.clone();
            match complaint.verify(dealing, &self.config.context, &accuser_key) {
                Ok(verdict) => {
                    self.verdicts.insert((dealer, accuser), verdict);
                    let pair = (dealing_message, message.clone());
                    evidence(
                        out,
                        match verdict {
                            ComplaintVerdict::Valid(_) => Evidence::DealerFault {
                                dealing: pair.0,
                                responses: pair.1,
                            },
                            ComplaintVerdict::False => Evidence::FalseComplaint {
                                dealing: pair.0,
                                responses: pair.1,
                            },
                        },
                    );
                }
                // The dealing passed its public checks, so this cannot
                // happen; nothing is the accuser's fault if it does.
                Err(ComplaintError::Dealing(_)) => {}
                Err(error) => {
                    reject(out, message, RejectReason::InvalidComplaint(error));
                    evidence(
                        out,
                        Evidence::InvalidComplaint {
                            dealing: dealing_message,
                            responses: message.clone(),
                        },
                    );
                }
            }
        }
    }

    /// Checks a dealer's justifications (justification phase); returns
    /// the one revealing `member`'s share if it is right.
    pub(crate) fn add_justifications(
        &mut self,
        message: &SignedMessage<V>,
        member: u32,
        out: &mut VecDeque<Output<V>>,
    ) -> Option<Justification<V>> {
        let dealer = message.sender();
        let Ok(Body::Justifications(justifications)) = message.body() else {
            return None;
        };
        self.justifiers.insert(dealer);
        let dealing_message = self.dealings.get(&dealer)?.clone();
        let dealing = self.candidate(dealer)?;
        // Judge every entry first (the record is only read), then record.
        let judged: Vec<(&super::complaint::Justification<V>, Option<bool>)> = justifications
            .iter()
            .map(|j| {
                let solicited = matches!(
                    self.verdicts.get(&(dealer, j.accuser())),
                    Some(ComplaintVerdict::Valid(_))
                );
                (j, solicited.then(|| j.verify(dealing)))
            })
            .collect();
        let mut mine = None;
        for (justification, good) in judged {
            let accuser = justification.accuser();
            let Some(good) = good else {
                reject(
                    out,
                    message,
                    RejectReason::UnsolicitedJustification { accuser },
                );
                continue;
            };
            if good && accuser == member {
                mine = Some(justification.clone());
            }
            if !good {
                evidence(
                    out,
                    Evidence::BadJustification {
                        dealing: dealing_message.clone(),
                        justifications: message.clone(),
                        accuser,
                    },
                );
            }
            *self.answers.entry((dealer, accuser)).or_insert(true) &= good;
        }
        mine
    }

    /// QUAL (ascending) and every excluded dealer with its reason.
    pub(crate) fn qualify(&self) -> (Vec<u32>, BTreeMap<u32, ExclusionReason>) {
        let mut qualified = Vec::new();
        let mut excluded = BTreeMap::new();
        for dealer in 1..=self.config.n() {
            match self.exclusion(dealer) {
                Some(reason) => {
                    excluded.insert(dealer, reason);
                }
                None => qualified.push(dealer),
            }
        }
        (qualified, excluded)
    }

    fn exclusion(&self, dealer: u32) -> Option<ExclusionReason> {
        if let Some(reason) = self.disqualified.get(&dealer) {
            return Some(reason.clone());
        }
        if !self.dealings.contains_key(&dealer) {
            return Some(if self.late.contains(&dealer) {
                ExclusionReason::Late
            } else {
                ExclusionReason::Silent
            });
        }
        let accusers = self.valid_accusers(dealer);
        let wrong: Vec<u32> = accusers
            .iter()
            .copied()
            .filter(|a| self.answers.get(&(dealer, *a)) == Some(&false))
            .collect();
        if !wrong.is_empty() {
            return Some(ExclusionReason::BadJustification(wrong));
        }
        let unanswered: Vec<u32> = accusers
            .into_iter()
            .filter(|a| !self.answers.contains_key(&(dealer, *a)))
            .collect();
        if !unanswered.is_empty() {
            return Some(ExclusionReason::Unanswered(unanswered));
        }
        None
    }

    /// The valid dealings of `dealers` (candidates all, as
    /// [`Board::qualify`] returns them), in their order.
    pub(crate) fn dealings_of(&self, dealers: &[u32]) -> Vec<&Dealing<V>> {
        dealers.iter().filter_map(|d| self.candidate(*d)).collect()
    }
}

/// Reports a rejected message.
pub(crate) fn reject<V: Variant>(
    out: &mut VecDeque<Output<V>>,
    message: &SignedMessage<V>,
    reason: RejectReason,
) {
    out.push_back(Output::Event(Event::Rejected(Rejection {
        sender: Some(message.sender()),
        kind: Some(message.kind()),
        reason,
    })));
}

/// Reports evidence.
pub(crate) fn evidence<V: Variant>(out: &mut VecDeque<Output<V>>, evidence: Evidence<V>) {
    out.push_back(Output::Event(Event::Evidence(evidence)));
}
