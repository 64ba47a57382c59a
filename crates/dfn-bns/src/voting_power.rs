//! Voting power from stake, dissolve delay and age, in integers.

use crate::config::VotingPowerConfig;

/// `stake · (1 + bonus_d · d/dmax) · (1 + bonus_a · a/amax)` with each
/// factor applied as a separate rounded-down step (see
/// [`VotingPowerConfig`]). Monotone in each argument; never above
/// `stake · (1 + bonus_d%) · (1 + bonus_a%)`; saturates at `u64::MAX`.
pub fn voting_power(
    config: &VotingPowerConfig,
    stake: u64,
    dissolve_delay_ms: u64,
    age_ms: u64,
) -> u64 {
    let d = dissolve_delay_ms.min(config.max_dissolve_delay_ms);
    let a = age_ms.min(config.max_age_ms);
    let with_delay = add_bonus(
        u128::from(stake),
        d,
        config.max_dissolve_delay_ms,
        config.max_dissolve_bonus_percent,
    );
    let with_age = add_bonus(
        with_delay,
        a,
        config.max_age_ms,
        config.max_age_bonus_percent,
    );
    u64::try_from(with_age).unwrap_or(u64::MAX)
}

/// `base + base · part · percent / (whole · 100)`, with `part ≤ whole`.
/// `base · percent` is below `2^78` (`base ≤ 10 · 2^64`); writing it as
/// `q · whole + r` gives the exact product `q · part + r · part / whole`
/// without any term leaving `u128`.
fn add_bonus(base: u128, part: u64, whole: u64, percent: u32) -> u128 {
    if whole == 0 {
        return base;
    }
    let scaled = base * u128::from(percent);
    let whole = u128::from(whole);
    let part = u128::from(part);
    let q = scaled / whole;
    let r = scaled % whole;
    let bonus = q * part + (r * part) / whole;
    base + bonus / 100
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::YEAR_MS;

    #[test]
    fn table() {
        let c = VotingPowerConfig::default();
        let s = 1_000_000_000;
        // (delay, age, expected)
        let rows = [
            (0, 0, s),
            (8 * YEAR_MS, 0, 2 * s),
            (16 * YEAR_MS, 0, 2 * s),
            (4 * YEAR_MS, 0, 3 * s / 2),
            (0, 4 * YEAR_MS, 5 * s / 4),
            (8 * YEAR_MS, 4 * YEAR_MS, 5 * s / 2),
            (8 * YEAR_MS, 40 * YEAR_MS, 5 * s / 2),
            (8 * YEAR_MS, 2 * YEAR_MS, 2 * s + s / 4),
        ];
        for (d, a, want) in rows {
            assert_eq!(voting_power(&c, s, d, a), want, "delay {d} age {a}");
        }
    }

    #[test]
    fn largest_inputs_do_not_overflow() {
        let c = VotingPowerConfig {
            max_dissolve_bonus_percent: 900,
            max_age_bonus_percent: 400,
            ..VotingPowerConfig::default()
        };
        assert_eq!(voting_power(&c, u64::MAX, u64::MAX, u64::MAX), u64::MAX);
        assert_eq!(voting_power(&c, 1 << 40, u64::MAX, u64::MAX), 50 << 40);
    }
}
