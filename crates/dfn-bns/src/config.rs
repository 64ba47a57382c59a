//! Governance parameters: every number of the rules is a field here.

use alloc::vec::Vec;

use crate::error::ConfigError;
use crate::topic::Topic;

/// One day in milliseconds.
pub const DAY_MS: u64 = 86_400_000;
/// One month (a twelfth of 365.25 days) in milliseconds.
pub const MONTH_MS: u64 = 2_629_800_000;
/// One year (365.25 days) in milliseconds.
pub const YEAR_MS: u64 = 31_557_600_000;

/// Ceiling of [`VotingPowerConfig::max_dissolve_bonus_percent`].
pub const DISSOLVE_BONUS_CEILING_PERCENT: u32 = 900;
/// Ceiling of [`VotingPowerConfig::max_age_bonus_percent`].
pub const AGE_BONUS_CEILING_PERCENT: u32 = 400;

/// The voting power formula's bounds:
///
/// ```text
/// d  = min(dissolve delay, max_dissolve_delay)      a = min(age, max_age)
/// ds = stake + stake · d · dissolve_bonus% / (max_dissolve_delay · 100)
/// vp = ds + ds · a · age_bonus% / (max_age · 100)
/// ```
///
/// in `u128`, each division rounding down, saturating at `u64::MAX`. With
/// the defaults a neuron at the maximum delay and age has 2 × 1.25 = 2.5
/// times its stake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VotingPowerConfig {
    /// Dissolve delay beyond which the bonus stops growing (and the largest
    /// delay a neuron may set). Default 8 years.
    pub max_dissolve_delay_ms: u64,
    /// Bonus at the maximum delay, in percent of the stake. Default 100.
    pub max_dissolve_bonus_percent: u32,
    /// Age beyond which the bonus stops growing. Default 4 years.
    pub max_age_ms: u64,
    /// Bonus at the maximum age, in percent. Default 25.
    pub max_age_bonus_percent: u32,
}

impl Default for VotingPowerConfig {
    fn default() -> Self {
        Self {
            max_dissolve_delay_ms: 8 * YEAR_MS,
            max_dissolve_bonus_percent: 100,
            max_age_ms: 4 * YEAR_MS,
            max_age_bonus_percent: 25,
        }
    }
}

/// Everything governance needs to know besides its inputs. Amounts are in
/// the ledger's smallest unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GovernanceConfig {
    /// The voting power formula.
    pub voting_power: VotingPowerConfig,
    /// Smallest stake of a neuron (at creation and after a split).
    pub min_stake: u64,
    /// A neuron whose dissolve delay is below this gets no ballot. Default
    /// 3 months, the slide's dissolve time (the IC's NNS uses 6 months).
    pub min_dissolve_delay_to_vote_ms: u64,
    /// Most followees in one follow list (at most 255). Default 15.
    pub max_followees: usize,
    /// Most hot keys of one neuron. Default 10.
    pub max_hot_keys: usize,
    /// Topics for which the catch-all list is never used (beyond
    /// [`Topic::ManageNeuron`], which never uses it).
    pub catch_all_excluded: Vec<Topic>,
    /// Burnt from the proposer's stake at submission, whatever the outcome.
    pub proposal_fee: u64,
    /// Taken from the proposer's stake at submission; returned when the
    /// proposal is adopted, burnt when it is rejected.
    pub proposal_deposit: u64,
    /// Time from submission to the first deadline. Default 4 days.
    pub voting_period_ms: u64,
    /// Wait-for-quiet increment `W`: a late flip of the outcome pushes the
    /// deadline to `now + W + V/2 − (now − created)/2`, never beyond
    /// `created + V + 2W`. Default 2 days.
    pub wait_for_quiet_ms: u64,
    /// At the deadline a proposal is adopted iff `yes > no` and
    /// `yes · 10⁴ ≥ total · quorum_bp`. Default 300 (3 %).
    pub quorum_bp: u32,
    /// Most proposals open (holding ballots) at once.
    pub max_open_proposals: usize,
    /// Largest payload (motion text, parameter value, code hash) in bytes.
    pub max_payload_bytes: usize,
    /// Length of a reward period. Default 1 day.
    pub reward_period_ms: u64,
    /// Minted per period and shared among the voters of the proposals
    /// settled in it; rolls over to the next period when none settled.
    pub reward_pool_per_period: u64,
    /// Reward weight per topic (index [`Topic::index`]), in hundredths:
    /// 100 counts a proposal once. Default 2,000 for motions (the NNS's
    /// governance topic), 0 for neuron management, 100 otherwise.
    pub topic_reward_weights: [u32; Topic::COUNT],
}

impl Default for GovernanceConfig {
    fn default() -> Self {
        let mut topic_reward_weights = [100; Topic::COUNT];
        if let Some(w) = topic_reward_weights.get_mut(Topic::Motion.index()) {
            *w = 2_000;
        }
        if let Some(w) = topic_reward_weights.get_mut(Topic::ManageNeuron.index()) {
            *w = 0;
        }
        Self {
            voting_power: VotingPowerConfig::default(),
            min_stake: 100_000_000,
            min_dissolve_delay_to_vote_ms: 3 * MONTH_MS,
            max_followees: 15,
            max_hot_keys: 10,
            catch_all_excluded: Vec::new(),
            proposal_fee: 1_000_000,
            proposal_deposit: 100_000_000,
            voting_period_ms: 4 * DAY_MS,
            wait_for_quiet_ms: 2 * DAY_MS,
            quorum_bp: 300,
            max_open_proposals: 700,
            max_payload_bytes: 10_000,
            reward_period_ms: DAY_MS,
            reward_pool_per_period: 10_000_000_000,
            topic_reward_weights,
        }
    }
}

impl GovernanceConfig {
    /// Checks every bound; governance refuses a config that fails.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let vp = &self.voting_power;
        if vp.max_dissolve_delay_ms == 0 || vp.max_age_ms == 0 {
            return Err(ConfigError::ZeroBonusHorizon);
        }
        if vp.max_dissolve_bonus_percent > DISSOLVE_BONUS_CEILING_PERCENT
            || vp.max_age_bonus_percent > AGE_BONUS_CEILING_PERCENT
        {
            return Err(ConfigError::BonusAboveCeiling);
        }
        if self.min_dissolve_delay_to_vote_ms > vp.max_dissolve_delay_ms {
            return Err(ConfigError::MinDelayAboveMax);
        }
        if self.min_stake == 0 {
            return Err(ConfigError::ZeroMinStake);
        }
        if self.max_followees == 0 || self.max_followees > usize::from(u8::MAX) {
            return Err(ConfigError::MaxFollowees(self.max_followees));
        }
        if self.voting_period_ms == 0 || self.reward_period_ms == 0 {
            return Err(ConfigError::ZeroPeriod);
        }
        if self.quorum_bp > 10_000 {
            return Err(ConfigError::Quorum(self.quorum_bp));
        }
        if self.max_open_proposals == 0 {
            return Err(ConfigError::NoOpenProposals);
        }
        Ok(())
    }

    /// Whether a neuron without a list for `topic` follows its catch-all
    /// list on it.
    pub fn catch_all_applies(&self, topic: Topic) -> bool {
        topic != Topic::ManageNeuron && !self.catch_all_excluded.contains(&topic)
    }

    /// The reward weight of `topic`, in hundredths.
    pub fn reward_weight(&self, topic: Topic) -> u32 {
        self.topic_reward_weights
            .get(topic.index())
            .copied()
            .unwrap_or(0)
    }
}
