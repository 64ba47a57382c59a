//! What PHI keeps: validators, applications, their sequences and loans.

use super::config::PhiConfig;

/// A validator's id, handed out in joining order from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ValidatorId(pub u64);

/// A loan application's id (and its loan's), in submission order from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApplicationId(pub u64);

/// A loan application in PHI's open format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoanApplication {
    /// The applicant's account.
    pub applicant: u64,
    /// The principal asked for.
    pub amount: u64,
    /// The applicant's published credit record, 300–850 (what validators
    /// judge besides anything they learn off-chain).
    pub credit_score: u16,
}

/// A validator's answer on an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Vouch for the loan (and become liable for it).
    Approve,
    /// Refuse it: the sequence ends rejecting.
    Reject,
}

/// A validator: its deposit, reputation and record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validator {
    /// Its id.
    pub id: ValidatorId,
    /// The security deposit.
    pub deposit: u64,
    /// `0..=MAX_REPUTATION`.
    pub reputation: u32,
    /// Loans it approved that were originated.
    pub approved: u32,
    /// Of those, repaid.
    pub repaid: u32,
    /// Of those, defaulted.
    pub defaulted: u32,
    /// Times an appeal overruled it.
    pub overruled: u32,
    /// Times it was drawn and did not answer in time.
    pub silent: u32,
    /// Outstanding loans it is liable for.
    pub liabilities: u32,
}

impl Validator {
    /// Whether its reputation has fallen below the freezing line.
    pub fn is_frozen(&self, config: &PhiConfig) -> bool {
        self.reputation < config.freeze_below
    }

    /// Whether it may be drawn.
    pub fn is_eligible(&self, config: &PhiConfig) -> bool {
        !self.is_frozen(config) && self.deposit >= config.min_deposit
    }
}

/// One drawn member of a sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The validator drawn.
    pub validator: ValidatorId,
    /// The beacon height whose value drew it.
    pub height: u64,
    /// Its answer; `None` while waiting, or if it stayed silent.
    pub decision: Option<Decision>,
    /// It did not answer within `answer_heights` and was skipped.
    pub silent: bool,
}

/// How a sequence ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every member approved and a draw (or the cap) ended the sequence.
    Approved,
    /// A member rejected.
    Rejected {
        /// Who.
        by: ValidatorId,
    },
    /// Nobody eligible was left to draw before the minimum was reached.
    NoValidators,
}

/// A random sequence of validators deciding one application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sequence {
    /// 0 for the first sequence, 1 for the appeal's.
    pub attempt: u32,
    /// Beacon heights below this one are never read (the sequence was
    /// opened after they were seen).
    pub from_height: u64,
    /// Members in draw order, silent ones included.
    pub steps: Vec<Step>,
    /// Every beacon height this sequence consumed (draws of members and
    /// the stopping draw).
    pub heights: Vec<u64>,
    /// The outcome, once decided.
    pub verdict: Option<Verdict>,
}

impl Sequence {
    pub(crate) fn new(attempt: u32, from_height: u64) -> Self {
        Self {
            attempt,
            from_height,
            steps: Vec::new(),
            heights: Vec::new(),
            verdict: None,
        }
    }

    /// The validators that approved, in order.
    pub fn approvers(&self) -> impl Iterator<Item = ValidatorId> + '_ {
        self.steps
            .iter()
            .filter(|s| s.decision == Some(Decision::Approve))
            .map(|s| s.validator)
    }

    /// Number of approvals so far (the sequence's length when approved).
    pub fn approvals(&self) -> u32 {
        u32::try_from(self.approvers().count()).unwrap_or(u32::MAX)
    }

    /// The member waiting to answer, with the height it was drawn at.
    pub fn waiting_on(&self) -> Option<(ValidatorId, u64)> {
        if self.verdict.is_some() {
            return None;
        }
        self.steps
            .last()
            .filter(|s| s.decision.is_none() && !s.silent)
            .map(|s| (s.validator, s.height))
    }

    /// Whether `v` was drawn in this sequence.
    pub fn contains(&self, v: ValidatorId) -> bool {
        self.steps.iter().any(|s| s.validator == v)
    }
}

/// Where an application is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// A sequence (the first or the appeal's) is running.
    Validating,
    /// The first sequence rejected it; it may be appealed.
    Rejected,
    /// Refused for good (the appeal rejected, or no validators).
    Refused,
    /// Approved: the loan is outstanding.
    Outstanding,
    /// The loan was repaid.
    Repaid,
    /// The loan defaulted.
    Defaulted,
}

/// An application and everything decided about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    /// Its id.
    pub id: ApplicationId,
    /// What was asked.
    pub loan: LoanApplication,
    /// The first sequence.
    pub first: Sequence,
    /// The appeal's sequence, if appealed.
    pub appeal: Option<Sequence>,
    /// Where it is.
    pub status: Status,
    /// Validators liable for the loan (every approver on the path to
    /// origination), once originated.
    pub liable: Vec<ValidatorId>,
}

impl Application {
    /// The sequence currently deciding, or the last one.
    pub fn current(&self) -> &Sequence {
        self.appeal.as_ref().unwrap_or(&self.first)
    }

    pub(crate) fn current_mut(&mut self) -> &mut Sequence {
        self.appeal.as_mut().unwrap_or(&mut self.first)
    }
}

/// How a loan ended, as the host (the ledger) reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoanOutcome {
    /// Principal and interest paid back.
    Repaid,
    /// The borrower stopped paying.
    Defaulted,
}
