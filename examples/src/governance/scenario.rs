//! The `governance` program's story: neurons with stakes and dissolve
//! delays, following per topic and catch-all, three proposals changing the
//! PSP block time, votes cascading through following, decisions (early, and
//! at a deadline moved by wait-for-quiet), execution on a real
//! [`PspConfig`] checked by its own `validate`, the chain run with the
//! result, and rewards.

use dfn_bns::config::{DAY_MS, MONTH_MS, YEAR_MS};
use dfn_bns::{
    Event, FollowKey, Governance, GovernanceConfig, KeyId, NeuronCommand, NeuronId, NewNeuron,
    Output, ProposalId, ProposalStatus, Reply, Tally, Topic, Vote,
};
use dfn_crypto::Time;
use dfn_psp::PspConfig;
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use thiserror::Error;

use super::chain::{ChainError, run_chain};
use super::parameter::ParameterChange;

/// One hour in ms.
const HOUR_MS: u64 = 3_600_000;
/// One token in the ledger's smallest unit.
pub const TOKEN: u64 = 100_000_000;
/// Heights the chain runs with each config.
const CHAIN_HEIGHTS: u64 = 8;

/// The scenario's size and seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScenarioConfig {
    /// Seed of stakes, delays and the independents' votes.
    pub seed: u64,
    /// Neurons, the three leaders included (at least 10).
    pub neurons: usize,
}

impl Default for ScenarioConfig {
    fn default() -> Self {
        Self {
            seed: 2017,
            neurons: 40,
        }
    }
}

/// Why the scenario could not run.
#[derive(Debug, Error)]
pub enum ScenarioError {
    /// Fewer than 10 neurons.
    #[error("need at least 10 neurons, got {0}")]
    TooFew(usize),
    /// Governance refused something (a bug in the script).
    #[error("governance: {0}")]
    Governance(String),
    /// The chain could not run.
    #[error(transparent)]
    Chain(#[from] ChainError),
}

fn gov<E: std::fmt::Display>(e: E) -> ScenarioError {
    ScenarioError::Governance(e.to_string())
}

/// Who a neuron follows, as the scenario set it up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Neuron 1, the core developers: votes directly.
    CoreDevs,
    /// Neuron 2, the foundation: votes directly.
    Foundation,
    /// Neuron 3, the skeptics: votes directly.
    Skeptics,
    /// Follows the core developers on protocol parameters only, and the
    /// skeptics on everything else (the topic list wins on its topic).
    FollowsCoreDevsOnParameters,
    /// Follows the foundation on everything (catch-all).
    FollowsFoundation,
    /// Follows the skeptics on everything (catch-all).
    FollowsSkeptics,
    /// Follows nobody; votes (or not) itself.
    Independent,
}

impl Role {
    /// A short label.
    pub fn label(self) -> &'static str {
        match self {
            Role::CoreDevs => "core devs (votes itself)",
            Role::Foundation => "foundation (votes itself)",
            Role::Skeptics => "skeptics (votes itself)",
            Role::FollowsCoreDevsOnParameters => "follows 1 on parameters, 3 on all else",
            Role::FollowsFoundation => "follows 2 on everything",
            Role::FollowsSkeptics => "follows 3 on everything",
            Role::Independent => "independent",
        }
    }

    fn of(index: usize, others: usize) -> Role {
        let pct = index * 100 / others.max(1);
        match pct {
            0..=29 => Role::FollowsCoreDevsOnParameters,
            30..=59 => Role::FollowsFoundation,
            60..=79 => Role::FollowsSkeptics,
            _ => Role::Independent,
        }
    }
}

/// What became of one proposal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProposalReport {
    /// Its id.
    pub id: ProposalId,
    /// The change it asked.
    pub change: ParameterChange,
    /// Its final status.
    pub status: ProposalStatus,
    /// The tally at the decision.
    pub tally: Tally,
    /// Voting power of the ballots cast directly (not by following) for Yes.
    pub direct_yes: u128,
    /// Ballots cast by following.
    pub followed: usize,
    /// The first deadline, and the one it was decided by (moved by
    /// wait-for-quiet), in ms.
    pub deadlines: (u64, u64),
    /// When it was decided, in ms.
    pub decided_at: u64,
}

/// A finished scenario.
pub struct GovernanceRun {
    /// Lines to print, in order.
    pub log: Vec<String>,
    /// Governance at the end.
    pub governance: Governance,
    /// The neurons' roles, by id.
    pub roles: Vec<(NeuronId, Role)>,
    /// The chain's config at the start.
    pub psp_before: PspConfig,
    /// The chain's config at the end.
    pub psp_after: PspConfig,
    /// The proposals, in order.
    pub proposals: Vec<ProposalReport>,
    /// Mean time between finalized heights with the first and the last
    /// config, in ms.
    pub intervals_ms: (u64, u64),
    /// Minted as rewards, in all.
    pub minted: u64,
}

/// The host: governance, the chain config it governs, and a narrative.
struct Host {
    gov: Governance,
    psp: PspConfig,
    log: Vec<String>,
    minted: u64,
}

impl Host {
    fn say(&mut self, line: String) {
        self.log.push(line);
    }

    /// Drains governance's outputs: executes adopted parameter changes on
    /// the chain config and narrates events.
    fn drain(&mut self, now: Time) -> Result<(), ScenarioError> {
        while let Some(output) = self.gov.poll_output() {
            match output {
                Output::Execute { proposal, action } => {
                    let result = ParameterChange::from_action(&action)
                        .and_then(|change| change.apply(&self.psp).map(|c| (change, c)));
                    match result {
                        Ok((change, config)) => {
                            self.say(format!(
                                "  host: {proposal} executes {} = {} (was {}); PspConfig::validate accepts it",
                                change.name(),
                                change.value(),
                                current(&self.psp, change)
                            ));
                            self.psp = config;
                            self.gov
                                .handle_execution(now, proposal, Ok(()))
                                .map_err(gov)?;
                        }
                        Err(e) => {
                            self.say(format!("  host: {proposal} cannot take effect: {e}"));
                            self.gov
                                .handle_execution(now, proposal, Err(e.to_string()))
                                .map_err(gov)?;
                        }
                    }
                }
                Output::Event(Event::Decided { proposal, adopted }) => {
                    let tally = self
                        .gov
                        .proposal(proposal)
                        .map(|p| p.tally)
                        .unwrap_or_default();
                    self.say(format!(
                        "  {} {proposal} {} at {}: yes {} / no {} of {}",
                        if adopted { "✔" } else { "✘" },
                        if adopted { "ADOPTED" } else { "REJECTED" },
                        when(now),
                        pct(tally.yes, tally.total),
                        pct(tally.no, tally.total),
                        tokens(tally.total),
                    ));
                }
                Output::Event(Event::DeadlineExtended { proposal, deadline }) => {
                    self.say(format!(
                        "  wait-for-quiet: the lead flipped, {proposal}'s deadline moves to {}",
                        when(deadline)
                    ));
                }
                Output::Event(Event::Executed { proposal }) => {
                    self.say(format!("  {proposal} executed"));
                }
                Output::Event(Event::ExecutionFailed { proposal, .. }) => {
                    self.say(format!(
                        "  {proposal} failed to execute; the chain keeps block_time_ms = {}",
                        self.psp.block_time_ms
                    ));
                }
                Output::Event(Event::RewardsDistributed {
                    period_end,
                    proposals,
                    minted,
                    rolled_over,
                }) => {
                    self.minted += minted;
                    if !rolled_over {
                        self.say(format!(
                            "  rewards for the period ending {}: {} minted over {proposals} settled proposal(s)",
                            when(period_end),
                            tokens(u128::from(minted))
                        ));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A direct vote, narrated with its cascade.
    fn vote(
        &mut self,
        now: Time,
        neuron: NeuronId,
        proposal: ProposalId,
        vote: Vote,
        who: &str,
    ) -> Result<(), ScenarioError> {
        let reply = self
            .gov
            .handle_command(
                now,
                key(neuron),
                neuron,
                NeuronCommand::Vote { proposal, vote },
            )
            .map_err(gov)?;
        let cast = match reply {
            Reply::Voted(n) => n,
            _ => 0,
        };
        let tally = self
            .gov
            .proposal(proposal)
            .map(|p| p.tally)
            .unwrap_or_default();
        self.say(format!(
            "  {} {who} ({neuron}) votes {vote:?} on {proposal}: {} more ballot(s) follow; yes {} / no {}",
            when(now),
            cast.saturating_sub(1),
            pct(tally.yes, tally.total),
            pct(tally.no, tally.total),
        ));
        self.drain(now)
    }

    fn propose(
        &mut self,
        now: Time,
        neuron: NeuronId,
        change: ParameterChange,
        who: &str,
    ) -> Result<ProposalId, ScenarioError> {
        let reply = self
            .gov
            .handle_command(
                now,
                key(neuron),
                neuron,
                NeuronCommand::Propose {
                    action: change.to_action(),
                },
            )
            .map_err(gov)?;
        let Reply::Proposed(id) = reply else {
            return Err(ScenarioError::Governance("no proposal id".into()));
        };
        let (tally, deadline) = self
            .gov
            .proposal(id)
            .map_or((Tally::default(), now), |p| (p.tally, p.deadline));
        let ballots = self
            .gov
            .proposal(id)
            .and_then(|p| p.electorate())
            .map_or(0, |e| e.len());
        self.say(String::new());
        self.say(format!(
            "{} {who} ({neuron}) proposes {id}: set {} = {} (fee {} burnt, deposit {} held)",
            when(now),
            change.name(),
            change.value(),
            tokens(u128::from(self.gov.config().proposal_fee)),
            tokens(u128::from(self.gov.config().proposal_deposit)),
        ));
        self.say(format!(
            "  {ballots} ballots frozen; deadline {}; the proposer's yes cascades: yes {} / no {}",
            when(deadline),
            pct(tally.yes, tally.total),
            pct(tally.no, tally.total),
        ));
        self.drain(now)?;
        Ok(id)
    }

    fn report(
        &self,
        id: ProposalId,
        change: ParameterChange,
        direct: &[NeuronId],
        first_deadline: u64,
    ) -> ProposalReport {
        let p = self.gov.proposal(id);
        let mut direct_yes = 0u128;
        let mut followed = 0usize;
        if let Some(e) = p.and_then(|p| p.electorate()) {
            for (neuron, power, vote) in e.ballots() {
                match vote {
                    Some(Vote::Yes) if direct.contains(&neuron) => direct_yes += u128::from(power),
                    Some(_) if direct.contains(&neuron) => {}
                    Some(_) => followed += 1,
                    None => {}
                }
            }
        }
        ProposalReport {
            id,
            change,
            status: p.map_or(ProposalStatus::Open, |p| p.status.clone()),
            tally: p.map(|p| p.tally).unwrap_or_default(),
            direct_yes,
            followed,
            deadlines: (first_deadline, p.map_or(0, |p| p.deadline.as_millis())),
            decided_at: p.and_then(|p| p.decided_at).map_or(0, |t| t.as_millis()),
        }
    }
}

/// A neuron's key in this scenario (controller = owner).
fn key(n: NeuronId) -> KeyId {
    let mut k = [0u8; 32];
    k[..8].copy_from_slice(&n.0.to_be_bytes());
    KeyId(k)
}

fn current(psp: &PspConfig, change: ParameterChange) -> u64 {
    match change {
        ParameterChange::BlockTimeMs(_) => psp.block_time_ms,
        ParameterChange::SlotMs(_) => psp.slot_ms,
        ParameterChange::DeltaMs(_) => psp.delta_ms,
    }
}

/// `day D hh:00`.
fn when(t: Time) -> String {
    let ms = t.as_millis();
    format!(
        "day {} {:02}:{:02}",
        ms / DAY_MS,
        ms % DAY_MS / HOUR_MS,
        ms % HOUR_MS / 60_000
    )
}

fn pct(part: u128, total: u128) -> String {
    if total == 0 {
        return "0.0%".into();
    }
    let tenths = part * 1_000 / total;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

fn tokens(units: u128) -> String {
    let t = u128::from(TOKEN);
    format!("{}.{:02} DFN", units / t, units % t * 100 / t)
}

fn delay_label(ms: u64) -> String {
    if ms >= YEAR_MS {
        format!("{} y", ms / YEAR_MS)
    } else {
        format!("{} mo", ms / MONTH_MS)
    }
}

/// Runs the whole story.
pub fn run(config: ScenarioConfig) -> Result<GovernanceRun, ScenarioError> {
    if config.neurons < 10 {
        return Err(ScenarioError::TooFew(config.neurons));
    }
    let mut rng = ChaCha20Rng::seed_from_u64(config.seed);
    let mut psp = PspConfig::new([7; 32]);
    psp.delta_ms = 1_500;
    let psp_before = psp;
    // A thought-mining pool of 1 DFN a day (the crate's default, 100, is
    // sized for a large network).
    let gov_config = GovernanceConfig {
        reward_pool_per_period: TOKEN,
        ..GovernanceConfig::default()
    };
    let mut host = Host {
        gov: Governance::new(gov_config, Time::ZERO).map_err(gov)?,
        psp,
        log: Vec::new(),
        minted: 0,
    };
    let t0 = Time::ZERO;
    host.say(format!(
        "The chain runs with block_time_ms = {}, delta_ms = {} (PspConfig::validate needs BT > 2Δ).",
        host.psp.block_time_ms, host.psp.delta_ms
    ));
    host.say(String::new());

    // Neurons: three leaders, then followers and independents.
    let delays = [
        MONTH_MS,
        6 * MONTH_MS,
        YEAR_MS,
        2 * YEAR_MS,
        4 * YEAR_MS,
        8 * YEAR_MS,
    ];
    let mut roles = Vec::new();
    let others = config.neurons - 3;
    for i in 0..config.neurons {
        let (role, stake, delay) = match i {
            0 => (Role::CoreDevs, 12 * TOKEN, 8 * YEAR_MS),
            1 => (Role::Foundation, 12 * TOKEN, 4 * YEAR_MS),
            2 => (Role::Skeptics, 8 * TOKEN, YEAR_MS),
            _ => {
                let stake = 2 * TOKEN + rng.next_u64() % (18 * TOKEN);
                let pick = usize::try_from(rng.next_u64() % 6).unwrap_or(0);
                (
                    Role::of(i - 3, others),
                    stake,
                    delays.get(pick).copied().unwrap_or(YEAR_MS),
                )
            }
        };
        let id = NeuronId(u64::try_from(i).unwrap_or(0) + 1);
        let created = host
            .gov
            .create_neuron(
                t0,
                NewNeuron {
                    owner: key(id),
                    controller: key(id),
                    hot_keys: vec![],
                    stake,
                    dissolve_delay_ms: delay,
                },
            )
            .map_err(gov)?;
        roles.push((created, role));
    }
    let (core, foundation, skeptics) = (NeuronId(1), NeuronId(2), NeuronId(3));
    for (id, role) in &roles {
        let lists: Vec<(FollowKey, NeuronId)> = match role {
            Role::FollowsCoreDevsOnParameters => vec![
                (FollowKey::Topic(Topic::ProtocolParameter), core),
                (FollowKey::CatchAll, skeptics),
            ],
            Role::FollowsFoundation => vec![(FollowKey::CatchAll, foundation)],
            Role::FollowsSkeptics => vec![(FollowKey::CatchAll, skeptics)],
            _ => vec![],
        };
        for (k, followee) in lists {
            host.gov
                .handle_command(
                    t0,
                    key(*id),
                    *id,
                    NeuronCommand::SetFollowing {
                        key: k,
                        followees: vec![followee],
                    },
                )
                .map_err(gov)?;
        }
    }
    let vp_config = host.gov.config().voting_power.clone();
    let min_delay = host.gov.config().min_dissolve_delay_to_vote_ms;
    host.say(format!(
        "{} neurons (voting power = stake × dissolve-delay and age bonuses; below {} delay: no ballot):",
        config.neurons,
        delay_label(min_delay)
    ));
    host.say(format!(
        "  {:>6} {:>11} {:>7} {:>13}  follows",
        "neuron", "stake", "delay", "voting power"
    ));
    let shown = 12.min(roles.len());
    let mut rows = Vec::new();
    for (id, role) in roles.iter().take(shown) {
        if let Some(n) = host.gov.neuron(*id) {
            let delay = n.dissolve_delay_ms(t0);
            let vp = if delay >= min_delay {
                tokens(u128::from(n.voting_power(&vp_config, t0)))
            } else {
                "no ballot".into()
            };
            rows.push(format!(
                "  {:>6} {:>11} {:>7} {:>13}  {}",
                id.0,
                tokens(u128::from(n.stake)),
                delay_label(delay),
                vp,
                role.label()
            ));
        }
    }
    for r in rows {
        host.say(r);
    }
    if roles.len() > shown {
        let count = |r: Role| roles.iter().filter(|(_, x)| *x == r).count();
        host.say(format!(
            "  … and {} more ({} follow 1 on parameters, {} follow 2, {} follow 3, {} independent in all)",
            roles.len() - shown,
            count(Role::FollowsCoreDevsOnParameters),
            count(Role::FollowsFoundation),
            count(Role::FollowsSkeptics),
            count(Role::Independent),
        ));
    }
    let independents: Vec<NeuronId> = roles
        .iter()
        .filter(|(_, r)| *r == Role::Independent)
        .map(|(id, _)| *id)
        .collect();

    // Proposal 1: the core developers ask for a shorter block time.
    let change1 = ParameterChange::BlockTimeMs(3_500);
    let t = Time::from_millis(HOUR_MS);
    let p1 = host.propose(t, core, change1, "core devs")?;
    let first1 = host.gov.proposal(p1).map_or(0, |p| p.deadline.as_millis());
    let mut direct1 = vec![core];
    let t = Time::from_millis(2 * HOUR_MS);
    for id in &independents {
        if host.gov.ballot(p1, *id).is_some() && rng.next_u64() % 3 != 0 {
            let vote = if rng.next_u64() % 2 == 0 {
                Vote::Yes
            } else {
                Vote::No
            };
            host.gov
                .handle_command(t, key(*id), *id, NeuronCommand::Vote { proposal: p1, vote })
                .map_err(gov)?;
            direct1.push(*id);
        }
    }
    let tally = host.gov.proposal(p1).map(|p| p.tally).unwrap_or_default();
    host.say(format!(
        "  {} {} independent(s) vote directly: yes {} / no {}",
        when(t),
        direct1.len() - 1,
        pct(tally.yes, tally.total),
        pct(tally.no, tally.total)
    ));
    host.drain(t)?;
    let t = Time::from_millis(3 * HOUR_MS);
    host.vote(t, foundation, p1, Vote::Yes, "foundation")?;
    direct1.push(foundation);
    let report1 = host.report(p1, change1, &direct1, first1);
    let psp_after_p1 = host.psp;

    // The new block time in use: the chain runs with each config.
    let before = run_chain(&psp_before, CHAIN_HEIGHTS, config.seed)?;
    let after = run_chain(&psp_after_p1, CHAIN_HEIGHTS, config.seed)?;
    host.say(format!(
        "  the chain with the old config finalizes a height every {} ms, with the new one every {} ms ({} heights each, one-process PspNode)",
        before.mean_interval_ms(),
        after.mean_interval_ms(),
        CHAIN_HEIGHTS
    ));

    // Proposal 2: the skeptics push further; a late No flips the lead.
    let change2 = ParameterChange::BlockTimeMs(3_200);
    let t = Time::from_millis(6 * HOUR_MS);
    let p2 = host.propose(t, skeptics, change2, "skeptics")?;
    let first2 = host.gov.proposal(p2).map_or(0, |p| p.deadline.as_millis());
    let t = Time::from_millis(3 * DAY_MS + 12 * HOUR_MS);
    host.vote(t, core, p2, Vote::No, "core devs")?;
    let deadline2 = host.gov.proposal(p2).map_or(Time::ZERO, |p| p.deadline);
    host.gov.handle_timeout(deadline2);
    host.drain(deadline2)?;
    let report2 = host.report(p2, change2, &[skeptics, core], first2);

    // Proposal 3: adopted, but the chain's own check refuses it.
    let change3 = ParameterChange::BlockTimeMs(2_800);
    let t = Time::from_millis(deadline2.as_millis() + HOUR_MS);
    let p3 = host.propose(t, foundation, change3, "foundation")?;
    let first3 = host.gov.proposal(p3).map_or(0, |p| p.deadline.as_millis());
    let t = t.after(HOUR_MS);
    host.vote(t, core, p3, Vote::Yes, "core devs")?;
    let report3 = host.report(p3, change3, &[foundation, core], first3);

    // Rewards: run time past every deadline and the reward periods.
    host.say(String::new());
    host.say("Thought mining: each day's pool is shared by the voting power exercised (missed votes earn nothing).".into());
    let end = Time::from_millis(first3 + DAY_MS + 1);
    host.gov.handle_timeout(end);
    host.drain(end)?;
    let mut earners: Vec<(NeuronId, u64)> =
        host.gov.neurons().map(|n| (n.id, n.maturity)).collect();
    earners.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let zero = earners.iter().filter(|(_, m)| *m == 0).count();
    let top: Vec<String> = earners
        .iter()
        .take(4)
        .map(|(id, m)| format!("{id}: {}", tokens(u128::from(*m))))
        .collect();
    host.say(format!("  most maturity: {}", top.join(", ")));
    host.say(format!(
        "  {zero} neuron(s) earned nothing (no ballot, or never voted directly or through a followee)"
    ));
    host.gov.check_invariants().map_err(gov)?;
    let ledger = host.gov.ledger();
    host.say(format!(
        "  ledger: deposited {}, minted {}, burnt {} — invariants hold",
        tokens(ledger.deposited),
        tokens(ledger.minted),
        tokens(ledger.burned)
    ));
    let final_chain = run_chain(&host.psp, CHAIN_HEIGHTS, config.seed)?;
    host.say(String::new());
    host.say(format!(
        "The chain now runs with block_time_ms = {}: a height every {} ms (was {} ms).",
        host.psp.block_time_ms,
        final_chain.mean_interval_ms(),
        before.mean_interval_ms()
    ));
    Ok(GovernanceRun {
        log: host.log,
        roles,
        psp_before,
        psp_after: host.psp,
        proposals: vec![report1, report2, report3],
        intervals_ms: (before.mean_interval_ms(), final_chain.mean_interval_ms()),
        minted: host.minted,
        governance: host.gov,
    })
}
