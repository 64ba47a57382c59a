//! The PHI state machine.

use std::collections::{BTreeMap, VecDeque};

use super::config::{MAX_REPUTATION, PhiConfig, PhiConfigError};
use super::draw::Draw;
use super::error::PhiError;
use super::output::{PhiEvent, PhiOutput};
use super::types::{
    Application, ApplicationId, Decision, LoanApplication, LoanOutcome, Sequence, Status, Step,
    Validator, ValidatorId, Verdict,
};

/// Where every unit of deposit came from and went, and the loans' totals.
/// Invariant: the validators' deposits sum to
/// `deposited + fees − slashed − withdrawn`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PhiLedger {
    /// Deposits paid in.
    pub deposited: u128,
    /// Fees credited to approvers of repaid loans.
    pub fees: u128,
    /// Taken from approvers of defaulted loans (compensation).
    pub slashed: u128,
    /// Paid back out to validators.
    pub withdrawn: u128,
    /// Principal of every loan originated.
    pub originated: u128,
    /// Principal repaid.
    pub repaid: u128,
    /// Principal defaulted.
    pub defaulted: u128,
}

/// PHI: validators, applications and loans, driven by beacon values,
/// validators' decisions and loan outcomes (see the module docs).
#[derive(Clone, Debug)]
pub struct Phi {
    config: PhiConfig,
    validators: BTreeMap<ValidatorId, Validator>,
    applications: BTreeMap<ApplicationId, Application>,
    next_validator: u64,
    next_application: u64,
    /// The last beacon height seen (0 before any).
    last_height: u64,
    ledger: PhiLedger,
    outputs: VecDeque<PhiOutput>,
}

impl Phi {
    /// PHI with no validator and no application.
    pub fn new(config: PhiConfig) -> Result<Self, PhiConfigError> {
        config.validate()?;
        Ok(Self {
            config,
            validators: BTreeMap::new(),
            applications: BTreeMap::new(),
            next_validator: 1,
            next_application: 1,
            last_height: 0,
            ledger: PhiLedger::default(),
            outputs: VecDeque::new(),
        })
    }

    /// The config.
    pub fn config(&self) -> &PhiConfig {
        &self.config
    }

    /// A validator.
    pub fn validator(&self, id: ValidatorId) -> Option<&Validator> {
        self.validators.get(&id)
    }

    /// Every validator, in id order.
    pub fn validators(&self) -> impl Iterator<Item = &Validator> {
        self.validators.values()
    }

    /// An application.
    pub fn application(&self, id: ApplicationId) -> Option<&Application> {
        self.applications.get(&id)
    }

    /// Every application, in id order.
    pub fn applications(&self) -> impl Iterator<Item = &Application> {
        self.applications.values()
    }

    /// The value accounts.
    pub fn ledger(&self) -> PhiLedger {
        self.ledger
    }

    /// The last beacon height seen (0 before any).
    pub fn last_height(&self) -> u64 {
        self.last_height
    }

    /// The next output for the host.
    pub fn poll_output(&mut self) -> Option<PhiOutput> {
        self.outputs.pop_front()
    }

    /// A new validator with a security deposit.
    pub fn join(&mut self, deposit: u64) -> Result<ValidatorId, PhiError> {
        if deposit < self.config.min_deposit {
            return Err(PhiError::DepositTooSmall {
                deposit,
                min: self.config.min_deposit,
            });
        }
        let id = ValidatorId(self.next_validator);
        self.next_validator += 1;
        self.validators.insert(
            id,
            Validator {
                id,
                deposit,
                reputation: self.config.initial_reputation,
                approved: 0,
                repaid: 0,
                defaulted: 0,
                overruled: 0,
                silent: 0,
                liabilities: 0,
            },
        );
        self.ledger.deposited += u128::from(deposit);
        Ok(id)
    }

    /// Pays `amount` of a validator's deposit back: only when it is not
    /// frozen and liable for no outstanding loan.
    pub fn withdraw(&mut self, id: ValidatorId, amount: u64) -> Result<(), PhiError> {
        let config = &self.config;
        let v = self
            .validators
            .get_mut(&id)
            .ok_or(PhiError::UnknownValidator(id))?;
        if v.is_frozen(config) || v.liabilities > 0 || amount > v.deposit {
            return Err(PhiError::CannotWithdraw(id));
        }
        v.deposit -= amount;
        self.ledger.withdrawn += u128::from(amount);
        Ok(())
    }

    /// Submits an application; its sequence reads beacon values from the
    /// next height on.
    pub fn submit(&mut self, loan: LoanApplication) -> Result<ApplicationId, PhiError> {
        if loan.amount == 0 {
            return Err(PhiError::ZeroAmount);
        }
        let id = ApplicationId(self.next_application);
        self.next_application += 1;
        let first = Sequence::new(0, self.last_height + 1);
        self.applications.insert(
            id,
            Application {
                id,
                loan,
                first,
                appeal: None,
                status: Status::Validating,
                liable: Vec::new(),
            },
        );
        Ok(id)
    }

    /// Appeals a rejected application: a new sequence, of validators not
    /// in the first one, reading beacon values from the next height on,
    /// decides for good.
    pub fn appeal(&mut self, id: ApplicationId) -> Result<(), PhiError> {
        let from = self.last_height + 1;
        let app = self
            .applications
            .get_mut(&id)
            .ok_or(PhiError::UnknownApplication(id))?;
        if app.status != Status::Rejected || app.appeal.is_some() {
            return Err(PhiError::NotAppealable(id));
        }
        app.appeal = Some(Sequence::new(1, from));
        app.status = Status::Validating;
        Ok(())
    }

    /// A new beacon value: skips drawn validators that did not answer in
    /// time, then gives every sequence waiting for a draw its next step.
    pub fn handle_beacon(&mut self, height: u64, randomness: &[u8; 32]) -> Result<(), PhiError> {
        if height <= self.last_height {
            return Err(PhiError::StaleBeacon {
                height,
                last: self.last_height,
            });
        }
        self.last_height = height;
        let validating: Vec<ApplicationId> = self
            .applications
            .values()
            .filter(|a| a.status == Status::Validating)
            .map(|a| a.id)
            .collect();
        for id in validating {
            self.expire_answer(id, height);
            self.step(id, height, randomness);
        }
        Ok(())
    }

    /// A drawn validator's decision.
    pub fn handle_decision(
        &mut self,
        id: ApplicationId,
        validator: ValidatorId,
        decision: Decision,
    ) -> Result<(), PhiError> {
        let max = self.config.max_sequence;
        let app = self
            .applications
            .get_mut(&id)
            .ok_or(PhiError::UnknownApplication(id))?;
        let not_asked = PhiError::NotAsked {
            application: id,
            validator,
        };
        if app.status != Status::Validating {
            return Err(not_asked);
        }
        let seq = app.current_mut();
        if seq.waiting_on().map(|(v, _)| v) != Some(validator) {
            return Err(not_asked);
        }
        if let Some(step) = seq.steps.last_mut() {
            step.decision = Some(decision);
        }
        match decision {
            Decision::Approve if seq.approvals() >= max => self.approve(id, None),
            Decision::Approve => {}
            Decision::Reject => self.reject(id, validator),
        }
        Ok(())
    }

    /// The host's report on an outstanding loan: fees to its approvers if
    /// repaid; their deposits slashed and reputations cut if defaulted.
    pub fn handle_outcome(
        &mut self,
        id: ApplicationId,
        outcome: LoanOutcome,
    ) -> Result<(), PhiError> {
        let app = self
            .applications
            .get_mut(&id)
            .ok_or(PhiError::UnknownApplication(id))?;
        if app.status != Status::Outstanding {
            return Err(PhiError::NoLoan(id));
        }
        let amount = u128::from(app.loan.amount);
        let liable = app.liable.clone();
        let n = u128::try_from(liable.len()).map_err(|_| PhiError::Overflow)?;
        if n == 0 {
            return Err(PhiError::Invariant("an outstanding loan without approvers"));
        }
        match outcome {
            LoanOutcome::Repaid => {
                app.status = Status::Repaid;
                let fee = amount * u128::from(self.config.fee_bp) / 10_000;
                let each = u64::try_from(fee / n).map_err(|_| PhiError::Overflow)?;
                for v in &liable {
                    if let Some(val) = self.validators.get_mut(v) {
                        val.deposit = val.deposit.checked_add(each).ok_or(PhiError::Overflow)?;
                        val.repaid += 1;
                        val.liabilities = val.liabilities.saturating_sub(1);
                        self.ledger.fees += u128::from(each);
                    }
                    self.adjust(*v, i64::from(self.config.repaid_gain));
                }
                self.ledger.repaid += amount;
                self.outputs.push_back(PhiOutput::Event(PhiEvent::Repaid {
                    application: id,
                    fee_each: each,
                }));
            }
            LoanOutcome::Defaulted => {
                app.status = Status::Defaulted;
                let cover = amount * u128::from(self.config.cover_bp) / 10_000;
                let per = u64::try_from(cover.div_ceil(n)).unwrap_or(u64::MAX);
                let mut slashed = 0u64;
                for v in &liable {
                    if let Some(val) = self.validators.get_mut(v) {
                        let take = per.min(val.deposit);
                        val.deposit -= take;
                        val.defaulted += 1;
                        val.liabilities = val.liabilities.saturating_sub(1);
                        slashed = slashed.saturating_add(take);
                        self.ledger.slashed += u128::from(take);
                    }
                    self.adjust(*v, -i64::from(self.config.default_loss));
                }
                self.ledger.defaulted += amount;
                self.outputs
                    .push_back(PhiOutput::Event(PhiEvent::Defaulted {
                        application: id,
                        slashed,
                    }));
            }
        }
        Ok(())
    }

    /// A drawn validator that has not answered within `answer_heights`
    /// is skipped: it loses reputation and the step is drawn again.
    fn expire_answer(&mut self, id: ApplicationId, height: u64) {
        let limit = self.config.answer_heights;
        let Some(app) = self.applications.get_mut(&id) else {
            return;
        };
        let seq = app.current_mut();
        let Some((v, asked)) = seq.waiting_on() else {
            return;
        };
        if height < asked.saturating_add(limit) {
            return;
        }
        if let Some(step) = seq.steps.last_mut() {
            step.silent = true;
        }
        if let Some(val) = self.validators.get_mut(&v) {
            val.silent += 1;
        }
        self.adjust(v, -i64::from(self.config.silent_loss));
        self.outputs.push_back(PhiOutput::Event(PhiEvent::Silent {
            application: id,
            validator: v,
        }));
    }

    /// One draw for an application waiting for one: stop (approve), or
    /// draw the next validator and ask it.
    fn step(&mut self, id: ApplicationId, height: u64, randomness: &[u8; 32]) {
        let Some(app) = self.applications.get(&id) else {
            return;
        };
        let seq = app.current();
        if seq.verdict.is_some() || seq.waiting_on().is_some() || height < seq.from_height {
            return;
        }
        let attempt = seq.attempt;
        let index = u32::try_from(seq.steps.len()).unwrap_or(u32::MAX);
        let draw = Draw::derive(id, attempt, index, height, randomness);
        let approvals = seq.approvals();
        let last_reputation = seq
            .approvers()
            .last()
            .and_then(|v| self.validators.get(&v))
            .map_or(0, |v| v.reputation);
        let stop_ppm = self.config.stop_probability_ppm(last_reputation);
        if approvals >= self.config.min_sequence && draw.stops(stop_ppm) {
            self.record_height(id, height);
            self.approve(id, Some(height));
            return;
        }
        // Candidates: eligible, not yet drawn for this application (an
        // appeal never re-draws the first sequence's members), weighted by
        // deposit × reputation.
        let mut total: u128 = 0;
        let mut candidates = Vec::new();
        for v in self.validators.values() {
            let drawn = app.first.contains(v.id) || seq.contains(v.id);
            if v.is_eligible(&self.config) && !drawn {
                total += u128::from(v.deposit) * u128::from(v.reputation);
                candidates.push((v.id, total));
            }
        }
        let Some(point) = draw.pick(total) else {
            if approvals >= self.config.min_sequence {
                self.approve(id, None);
            } else {
                self.refuse(id, true);
            }
            return;
        };
        let Some(chosen) = candidates
            .iter()
            .find(|(_, upto)| point < *upto)
            .map(|(v, _)| *v)
        else {
            return;
        };
        self.record_height(id, height);
        if let Some(app) = self.applications.get_mut(&id) {
            app.current_mut().steps.push(Step {
                validator: chosen,
                height,
                decision: None,
                silent: false,
            });
        }
        self.outputs.push_back(PhiOutput::Ask {
            application: id,
            validator: chosen,
            attempt,
            step: index,
        });
    }

    fn record_height(&mut self, id: ApplicationId, height: u64) {
        if let Some(app) = self.applications.get_mut(&id) {
            app.current_mut().heights.push(height);
        }
    }

    /// The current sequence approved: originate the loan.
    fn approve(&mut self, id: ApplicationId, height: Option<u64>) {
        let Some(app) = self.applications.get_mut(&id) else {
            return;
        };
        let seq = app.current_mut();
        seq.verdict = Some(Verdict::Approved);
        let (attempt, length) = (seq.attempt, seq.approvals());
        let mut liable: Vec<ValidatorId> = app.first.approvers().collect();
        let mut overruled = None;
        if let Some(appeal) = &app.appeal {
            liable.extend(appeal.approvers());
            if let Some(Verdict::Rejected { by }) = app.first.verdict {
                overruled = Some(by);
            }
        }
        app.status = Status::Outstanding;
        app.liable = liable.clone();
        let amount = app.loan.amount;
        for v in &liable {
            if let Some(val) = self.validators.get_mut(v) {
                val.approved += 1;
                val.liabilities += 1;
            }
        }
        self.ledger.originated += u128::from(amount);
        if let Some(by) = overruled {
            self.overrule(by);
        }
        self.outputs.push_back(PhiOutput::Event(PhiEvent::Stopped {
            application: id,
            attempt,
            length,
            height,
        }));
        self.outputs
            .push_back(PhiOutput::Event(PhiEvent::Originated {
                application: id,
                amount,
                approvers: liable,
            }));
    }

    /// A member rejected: the first sequence's rejection may be appealed;
    /// the appeal's is final and overrules the first sequence's approvers.
    fn reject(&mut self, id: ApplicationId, by: ValidatorId) {
        let Some(app) = self.applications.get_mut(&id) else {
            return;
        };
        let seq = app.current_mut();
        seq.verdict = Some(Verdict::Rejected { by });
        let attempt = seq.attempt;
        self.outputs.push_back(PhiOutput::Event(PhiEvent::Rejected {
            application: id,
            attempt,
            by,
        }));
        if attempt == 0 {
            app.status = Status::Rejected;
            return;
        }
        let overruled: Vec<ValidatorId> = app.first.approvers().collect();
        for v in overruled {
            self.overrule(v);
        }
        self.refuse(id, false);
    }

    /// Refuses for good (`no_validators`: nobody was left to draw).
    fn refuse(&mut self, id: ApplicationId, no_validators: bool) {
        let Some(app) = self.applications.get_mut(&id) else {
            return;
        };
        app.status = Status::Refused;
        if no_validators {
            app.current_mut().verdict = Some(Verdict::NoValidators);
            self.outputs
                .push_back(PhiOutput::Event(PhiEvent::NoValidators { application: id }));
        }
        self.outputs
            .push_back(PhiOutput::Event(PhiEvent::Refused { application: id }));
    }

    fn overrule(&mut self, v: ValidatorId) {
        if let Some(val) = self.validators.get_mut(&v) {
            val.overruled += 1;
        }
        self.adjust(v, -i64::from(self.config.overruled_loss));
    }

    /// Moves a reputation by `delta` within `0..=MAX_REPUTATION`, reporting
    /// a crossing of the freezing line.
    fn adjust(&mut self, v: ValidatorId, delta: i64) {
        let line = self.config.freeze_below;
        let Some(val) = self.validators.get_mut(&v) else {
            return;
        };
        let before = val.reputation;
        let after = (i64::from(before) + delta).clamp(0, i64::from(MAX_REPUTATION));
        val.reputation = u32::try_from(after).unwrap_or(before);
        let event = match (before < line, val.reputation < line) {
            (false, true) => Some(PhiEvent::Frozen { validator: v }),
            (true, false) => Some(PhiEvent::Unfrozen { validator: v }),
            _ => None,
        };
        if let Some(e) = event {
            self.outputs.push_back(PhiOutput::Event(e));
        }
    }

    /// Checks what must always hold: deposits conserved, reputations
    /// bounded, liabilities matching outstanding loans, each sequence
    /// reading strictly increasing heights from its start, appeals reading
    /// only later heights and drawing only new validators.
    pub fn check_invariants(&self) -> Result<(), PhiError> {
        let held: u128 = self
            .validators
            .values()
            .map(|v| u128::from(v.deposit))
            .sum();
        let l = self.ledger;
        if held + l.slashed + l.withdrawn != l.deposited + l.fees {
            return Err(PhiError::Invariant("deposits not conserved"));
        }
        let mut liabilities: BTreeMap<ValidatorId, u32> = BTreeMap::new();
        for app in self.applications.values() {
            if app.status == Status::Outstanding {
                for v in &app.liable {
                    *liabilities.entry(*v).or_default() += 1;
                }
            }
            let seqs = core::iter::once(&app.first).chain(app.appeal.as_ref());
            for seq in seqs {
                let increasing = seq.heights.windows(2).all(|w| w.first() < w.last());
                let started = seq.heights.first().is_none_or(|h| *h >= seq.from_height);
                if !increasing || !started {
                    return Err(PhiError::Invariant("a sequence re-read a beacon height"));
                }
            }
            if let Some(appeal) = &app.appeal {
                let first_last = app.first.heights.last().copied().unwrap_or(0);
                if appeal.heights.first().is_some_and(|h| *h <= first_last) {
                    return Err(PhiError::Invariant("an appeal read old randomness"));
                }
                if appeal.steps.iter().any(|s| app.first.contains(s.validator)) {
                    return Err(PhiError::Invariant("an appeal re-drew a validator"));
                }
            }
        }
        for v in self.validators.values() {
            if v.reputation > MAX_REPUTATION {
                return Err(PhiError::Invariant("reputation out of bounds"));
            }
            if liabilities.get(&v.id).copied().unwrap_or(0) != v.liabilities {
                return Err(PhiError::Invariant("liabilities do not match loans"));
            }
        }
        Ok(())
    }
}
