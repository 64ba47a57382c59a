//! The `phi` program's world: validators of a few temperaments, borrowers
//! whose hidden quality decides repayment, a real local beacon, and a host
//! loop that feeds [`Phi`] beacon values, decisions, appeals and loan
//! outcomes. Everything follows from the seed.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use thiserror::Error;

use crate::local_beacon::{LocalBeacon, LocalBeaconError, Value};
use crate::phi::{
    ApplicationId, Decision, LoanApplication, LoanOutcome, MAX_REPUTATION, Phi, PhiConfig,
    PhiConfigError, PhiError, PhiEvent, PhiOutput, Status, ValidatorId, Verdict,
};

/// How a validator (its owner's client) judges applications.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Temperament {
    /// Approves credit scores from 620 up.
    Diligent,
    /// Approves everything (game playing: collect fees, skip the work).
    Careless,
    /// Approves only scores from 760 up (rejects many good loans).
    Cautious,
    /// Judges like a diligent one but answers only half the time.
    Absent,
}

impl Temperament {
    /// Every temperament, in display order.
    pub const ALL: [Temperament; 4] = [
        Temperament::Diligent,
        Temperament::Careless,
        Temperament::Cautious,
        Temperament::Absent,
    ];

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Temperament::Diligent => "diligent",
            Temperament::Careless => "careless",
            Temperament::Cautious => "cautious",
            Temperament::Absent => "absent",
        }
    }

    /// The temperament of the `i`-th validator of `n`: half diligent, a
    /// quarter careless, the rest split between cautious and absent.
    fn of(i: usize, n: usize) -> Self {
        let quarter = n.div_ceil(4);
        if i * 2 < n {
            Temperament::Diligent
        } else if i * 2 < n + 2 * quarter {
            Temperament::Careless
        } else if i % 2 == 0 {
            Temperament::Cautious
        } else {
            Temperament::Absent
        }
    }
}

/// The demo's size and seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoConfig {
    /// Seed of everything (beacon keys, world, borrowers).
    pub seed: u64,
    /// Validators.
    pub validators: usize,
    /// Loan applications.
    pub applications: usize,
    /// Beacon groups, members per group, threshold.
    pub beacon: (usize, usize, u32),
    /// Applications narrated step by step.
    pub narrate: usize,
    /// PHI's rules.
    pub phi: PhiConfig,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            seed: 2017,
            validators: 24,
            applications: 60,
            beacon: (3, 5, 3),
            narrate: 3,
            phi: PhiConfig::default(),
        }
    }
}

/// Why the demo could not run.
#[derive(Debug, Error)]
pub enum DemoError {
    /// The beacon failed.
    #[error(transparent)]
    Beacon(#[from] LocalBeaconError),
    /// PHI refused the config.
    #[error(transparent)]
    Config(#[from] PhiConfigError),
    /// PHI refused an input (a bug in the host loop).
    #[error(transparent)]
    Phi(#[from] PhiError),
    /// Fewer than two validators or no application.
    #[error("need at least 2 validators and 1 application")]
    Size,
    /// Applications still open after the height cap.
    #[error("not settled after {0} beacon heights")]
    Unsettled(u64),
}

/// A borrower's hidden quality: the chance (percent) it defaults.
fn default_percent(score: u16) -> u64 {
    match score {
        0..=579 => 45,
        580..=699 => 5,
        _ => 1,
    }
}

/// What one validator was at the start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    /// Its id in PHI.
    pub id: ValidatorId,
    /// How it judges.
    pub temperament: Temperament,
    /// Its deposit at joining.
    pub deposit: u64,
}

/// A finished run: PHI's final state, the validators' temperaments, the
/// narrative, and the beacon heights read.
pub struct DemoRun {
    /// PHI at the end.
    pub phi: Phi,
    /// The validators as they joined.
    pub members: Vec<Member>,
    /// Lines to print, in order.
    pub log: Vec<String>,
    /// Beacon values produced and fed to PHI.
    pub heights: u64,
}

impl DemoRun {
    /// Approvals in each approved sequence (first sequences and appeals).
    pub fn approved_lengths(&self) -> Vec<u32> {
        self.phi
            .applications()
            .flat_map(|a| core::iter::once(&a.first).chain(a.appeal.as_ref()))
            .filter(|s| s.verdict == Some(Verdict::Approved))
            .map(|s| s.approvals())
            .collect()
    }

    /// Mean final reputation and total deposit change of a temperament.
    pub fn by_temperament(&self, t: Temperament) -> Option<(u32, i128, usize)> {
        let members: Vec<&Member> = self.members.iter().filter(|m| m.temperament == t).collect();
        if members.is_empty() {
            return None;
        }
        let (mut rep, mut change, mut frozen) = (0u64, 0i128, 0usize);
        for m in &members {
            if let Some(v) = self.phi.validator(m.id) {
                rep += u64::from(v.reputation);
                change += i128::from(v.deposit) - i128::from(m.deposit);
                frozen += usize::from(v.is_frozen(self.phi.config()));
            }
        }
        let mean = rep / u64::try_from(members.len()).unwrap_or(1).max(1);
        Some((
            u32::try_from(mean).unwrap_or(MAX_REPUTATION),
            change,
            frozen,
        ))
    }
}

/// A loan waiting for its outcome.
struct Pending {
    due: u64,
    outcome: LoanOutcome,
}

/// Runs the demo to the end: every application refused, or its loan
/// repaid or defaulted.
pub fn run(config: &DemoConfig) -> Result<DemoRun, DemoError> {
    if config.validators < 2 || config.applications == 0 {
        return Err(DemoError::Size);
    }
    let (groups, size, threshold) = config.beacon;
    let mut beacon = LocalBeacon::new(config.seed, groups, size, threshold)?;
    // The world's own randomness (temperaments' coin flips, borrowers,
    // repayment) is separate from the beacon's: PHI never sees it.
    let mut world = ChaCha20Rng::seed_from_u64(config.seed ^ 0x5048_4900);
    let mut phi = Phi::new(config.phi.clone())?;
    let mut log = Vec::new();
    let mut members = Vec::new();
    for i in 0..config.validators {
        let deposit = 5_000 + world.next_u64() % 15_001;
        let id = phi.join(deposit)?;
        members.push(Member {
            id,
            temperament: Temperament::of(i, config.validators),
            deposit,
        });
    }
    let temperament: BTreeMap<ValidatorId, Temperament> =
        members.iter().map(|m| (m.id, m.temperament)).collect();
    let mut submitted = 0usize;
    let mut pending: BTreeMap<ApplicationId, Pending> = BTreeMap::new();
    let mut hidden: BTreeMap<ApplicationId, bool> = BTreeMap::new();
    let cap = u64::try_from(config.applications).unwrap_or(u64::MAX) * 40 + 200;
    let narrated = |id: ApplicationId| id.0 <= u64::try_from(config.narrate).unwrap_or(0);
    let mut narrated_appeals = 0u32;
    loop {
        // About one application per height until all are in.
        if submitted < config.applications && world.next_u64() % 4 != 0 {
            let score = u16::try_from(300 + world.next_u64() % 551).unwrap_or(300);
            let loan = LoanApplication {
                applicant: 1_000 + world.next_u64() % 9_000,
                amount: 500 + world.next_u64() % 2_501,
                credit_score: score,
            };
            let defaults = world.next_u64() % 100 < default_percent(score);
            let id = phi.submit(loan.clone())?;
            hidden.insert(id, defaults);
            submitted += 1;
            if narrated(id) {
                log.push(format!(
                    "application #{} by account {}: {} PHI, credit score {}",
                    id.0, loan.applicant, loan.amount, loan.credit_score
                ));
            }
        }
        let value = beacon.next_value()?;
        let height = value.height;
        phi.handle_beacon(value.height, &value.randomness)?;
        // Outcomes due at this height.
        let due: Vec<(ApplicationId, LoanOutcome)> = pending
            .iter()
            .filter(|(_, p)| p.due <= height)
            .map(|(id, p)| (*id, p.outcome))
            .collect();
        for (id, outcome) in due {
            pending.remove(&id);
            phi.handle_outcome(id, outcome)?;
        }
        // Answer, react, narrate until PHI has nothing more to say.
        while let Some(output) = phi.poll_output() {
            match output {
                PhiOutput::Ask {
                    application,
                    validator,
                    attempt,
                    step,
                } => {
                    let Some(app) = phi.application(application) else {
                        continue;
                    };
                    let score = app.loan.credit_score;
                    let t = temperament
                        .get(&validator)
                        .copied()
                        .unwrap_or(Temperament::Diligent);
                    let answer = match t {
                        Temperament::Diligent => Some(score >= 620),
                        Temperament::Careless => Some(true),
                        Temperament::Cautious => Some(score >= 760),
                        Temperament::Absent => (world.next_u64() % 2 == 0).then_some(score >= 620),
                    };
                    if narrated(application) || (attempt == 1 && narrated_appeals < 1) {
                        let rep = phi.validator(validator).map_or(0, |v| v.reputation);
                        let deposit = phi.validator(validator).map_or(0, |v| v.deposit);
                        let verdict = match answer {
                            Some(true) => "approves",
                            Some(false) => "rejects",
                            None => "does not answer",
                        };
                        log.push(format!(
                            "  #{} {}step {step}: h{} ({}) draws validator {} [{}, deposit {deposit}, reputation {rep}] -> {verdict}",
                            application.0,
                            if attempt == 1 { "appeal " } else { "" },
                            value.height,
                            short(&value),
                            validator.0,
                            t.name(),
                        ));
                    }
                    if let Some(approve) = answer {
                        let d = if approve {
                            Decision::Approve
                        } else {
                            Decision::Reject
                        };
                        phi.handle_decision(application, validator, d)?;
                    }
                }
                PhiOutput::Event(event) => {
                    react(
                        &mut phi,
                        &event,
                        height,
                        &hidden,
                        &mut pending,
                        &mut world,
                        &mut log,
                        &narrated,
                        &mut narrated_appeals,
                    )?;
                }
            }
        }
        phi.check_invariants()?;
        let open = phi
            .applications()
            .any(|a| matches!(a.status, Status::Validating | Status::Outstanding));
        if submitted == config.applications && !open {
            break;
        }
        if height >= cap {
            return Err(DemoError::Unsettled(height));
        }
    }
    Ok(DemoRun {
        heights: phi.last_height(),
        phi,
        members,
        log,
    })
}

/// The host's reaction to PHI's events: appeal rejections that had an
/// approval, schedule outcomes of new loans, narrate.
#[allow(clippy::too_many_arguments)]
fn react(
    phi: &mut Phi,
    event: &PhiEvent,
    height: u64,
    hidden: &BTreeMap<ApplicationId, bool>,
    pending: &mut BTreeMap<ApplicationId, Pending>,
    world: &mut ChaCha20Rng,
    log: &mut Vec<String>,
    narrated: &dyn Fn(ApplicationId) -> bool,
    narrated_appeals: &mut u32,
) -> Result<(), DemoError> {
    match event {
        PhiEvent::Stopped {
            application,
            attempt,
            length,
            height: at,
        } if narrated(*application) || (*attempt == 1 && *narrated_appeals < 1) => {
            let why = at.map_or("the cap".to_string(), |h| format!("the draw at h{h}"));
            log.push(format!(
                "  #{} {}stopped by {why} after {length} approvals: approved",
                application.0,
                if *attempt == 1 { "appeal " } else { "" }
            ));
        }
        PhiEvent::Rejected {
            application,
            attempt: 0,
            ..
        } => {
            let had_approval = phi
                .application(*application)
                .is_some_and(|a| a.first.approvals() > 0);
            // The applicant appeals when someone vouched for it.
            if had_approval {
                phi.appeal(*application)?;
                if *narrated_appeals < 1 || narrated(*application) {
                    let first: Vec<String> = phi
                        .application(*application)
                        .map(|a| {
                            a.first
                                .steps
                                .iter()
                                .filter_map(|s| {
                                    let d = match s.decision? {
                                        Decision::Approve => "approved",
                                        Decision::Reject => "rejected",
                                    };
                                    Some(format!("{} {d}", s.validator.0))
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    log.push(format!(
                        "  #{}: validators {} — the applicant appeals; a new random sequence, from h{} on and without them, decides",
                        application.0,
                        first.join(", "),
                        height + 1
                    ));
                }
            }
        }
        PhiEvent::Rejected {
            application,
            attempt: 1,
            by,
        } if *narrated_appeals < 1 || narrated(*application) => {
            log.push(format!(
                "  #{} appeal rejected by validator {}: refused for good; the first approvers are overruled",
                application.0, by.0
            ));
            *narrated_appeals += 1;
        }
        PhiEvent::Originated {
            application,
            amount,
            approvers,
        } => {
            let defaults = hidden.get(application).copied().unwrap_or(false);
            let term = 4 + world.next_u64() % 12;
            let outcome = if defaults {
                LoanOutcome::Defaulted
            } else {
                LoanOutcome::Repaid
            };
            pending.insert(
                *application,
                Pending {
                    due: height + term,
                    outcome,
                },
            );
            let appealed = phi
                .application(*application)
                .is_some_and(|a| a.appeal.is_some());
            if narrated(*application) || (appealed && *narrated_appeals < 1) {
                let ids: Vec<String> = approvers.iter().map(|v| v.0.to_string()).collect();
                log.push(format!(
                    "  #{} loan of {amount} PHI originated; liable validators [{}]",
                    application.0,
                    ids.join(", ")
                ));
                if appealed {
                    log.push(format!(
                        "  #{} appeal approved: the first sequence's rejecter is overruled",
                        application.0
                    ));
                    *narrated_appeals += 1;
                }
            }
        }
        PhiEvent::Frozen { validator } => {
            log.push(format!(
                "  h{height}: validator {} frozen (reputation below {})",
                validator.0,
                phi.config().freeze_below
            ));
        }
        PhiEvent::Unfrozen { validator } => {
            log.push(format!("  h{height}: validator {} unfrozen", validator.0));
        }
        _ => {}
    }
    Ok(())
}

/// The first bytes of a beacon value, for display.
fn short(value: &Value) -> String {
    let mut s = format!("group {}, r=", value.group.0);
    for b in value.randomness.iter().take(4) {
        let _ = write!(s, "{b:02x}");
    }
    s.push('…');
    s
}
