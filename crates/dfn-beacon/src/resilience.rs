//! How likely a randomly formed group is to have too few honest members:
//! exact tail probabilities of the hypergeometric distribution (groups
//! drawn without replacement from a registry with a known number of faulty
//! processes) and of the binomial distribution (each process faulty
//! independently).
//!
//! A group of `n` with threshold `t` fails when `n − t + 1` or more of its
//! members are faulty: then at most `t − 1` are honest and the honest ones
//! cannot sign alone (liveness), and `t` faulty ones could once
//! `n − t + 1 ≥ t` (safety). The slide's example, 10,000 processes of which
//! 3,000 are faulty, groups of 400 and threshold 201:
//! `P[faulty ≥ 200] = 1.006e-17`.
//!
//! Terms are computed in log space from `ln Γ` (`libm`), then summed by
//! the ratio of consecutive terms, starting at the tail's boundary and
//! summing away from the mode, so nothing overflows or cancels. The
//! relative error is about `1e-12` for populations up to `10^6`.

use libm::{exp, lgamma, log};

/// `ln C(n, k)`.
fn ln_choose(n: u64, k: u64) -> f64 {
    let (n, k) = (n as f64, k as f64);
    lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0)
}

/// Sums `Σ term(x)` over a tail that starts at `first` and moves away from
/// the mode by `next` (the ratio `term(x ± 1) / term(x)`), given
/// `ln term(first)`; stops when terms no longer change the sum.
fn tail_sum(ln_first: f64, first: u64, last: u64, up: bool, ratio: impl Fn(u64) -> f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 0.0;
    let mut x = first;
    loop {
        sum += term;
        if x == last || term < sum * 1e-18 {
            break;
        }
        term *= ratio(x);
        x = if up { x + 1 } else { x - 1 };
    }
    exp(ln_first + log(sum))
}

/// `P[X ≥ k]` for `X` the number of faulty members of a group of `n` drawn
/// uniformly without replacement from `population` processes of which
/// `faulty` are faulty. Returns `None` when `faulty > population` or
/// `n > population`.
pub fn hypergeometric_tail(population: u64, faulty: u64, n: u64, k: u64) -> Option<f64> {
    if faulty > population || n > population {
        return None;
    }
    let honest = population - faulty;
    // X ranges over [lo, hi].
    let lo = n.saturating_sub(honest);
    let hi = n.min(faulty);
    if k <= lo {
        return Some(1.0);
    }
    if k > hi {
        return Some(0.0);
    }
    let ln_term =
        |x: u64| ln_choose(faulty, x) + ln_choose(honest, n - x) - ln_choose(population, n);
    // term(x+1)/term(x) = (F − x)(n − x) / ((x + 1)(H − n + x + 1))
    let up = |x: u64| {
        ((faulty - x) as f64 * (n - x) as f64) / ((x + 1) as f64 * (honest + x + 1 - n) as f64)
    };
    let down = |x: u64| {
        (x as f64 * (honest + x - n) as f64) / ((faulty - x + 1) as f64 * (n - x + 1) as f64)
    };
    let mode = ((n + 1) as f64 * (faulty + 1) as f64 / (population + 2) as f64) as u64;
    if k > mode {
        Some(tail_sum(ln_term(k), k, hi, true, up))
    } else {
        // 1 − P[X ≤ k − 1], summing down from k − 1.
        Some(1.0 - tail_sum(ln_term(k - 1), k - 1, lo, false, down))
    }
}

/// `P[X ≥ k]` for `X ~ Binomial(n, p)`: each of `n` members faulty
/// independently with probability `p` (`0 ≤ p ≤ 1`, else `None`).
pub fn binomial_tail(n: u64, p: f64, k: u64) -> Option<f64> {
    if !(0.0..=1.0).contains(&p) {
        return None;
    }
    if k == 0 {
        return Some(1.0);
    }
    if k > n || p == 0.0 {
        return Some(0.0);
    }
    if p == 1.0 {
        return Some(1.0);
    }
    let (lp, lq) = (log(p), log(1.0 - p));
    let ln_term = |x: u64| ln_choose(n, x) + x as f64 * lp + (n - x) as f64 * lq;
    let odds = p / (1.0 - p);
    let up = |x: u64| (n - x) as f64 / (x + 1) as f64 * odds;
    let down = |x: u64| x as f64 / (n - x + 1) as f64 / odds;
    let mode = ((n + 1) as f64 * p) as u64;
    if k > mode {
        Some(tail_sum(ln_term(k), k, n, true, up))
    } else {
        Some(1.0 - tail_sum(ln_term(k - 1), k - 1, 0, false, down))
    }
}

/// The probability that a group of `n` with threshold `t`, drawn from
/// `population` processes of which `faulty` are faulty, has too few honest
/// members to sign (`n − t + 1` or more faulty).
pub fn group_failure_probability(population: u64, faulty: u64, n: u64, t: u64) -> Option<f64> {
    if t == 0 || t > n {
        return None;
    }
    hypergeometric_tail(population, faulty, n, n - t + 1)
}

/// The smallest group size `n` (with the majority threshold
/// `t = ⌊n/2⌋ + 1`) whose failure probability is at most `target`, and
/// that probability; `None` if no size up to `population` reaches it.
pub fn group_size_for(population: u64, faulty: u64, target: f64) -> Option<(u64, f64)> {
    (1..=population).find_map(|n| {
        let p = group_failure_probability(population, faulty, n, n / 2 + 1)?;
        (p <= target).then_some((n, p))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(f64::MIN_POSITIVE)
    }

    #[test]
    fn the_slides_example() {
        // Exact value from big-integer arithmetic: 1.0060506739841141e-17.
        let p = hypergeometric_tail(10_000, 3_000, 400, 200).unwrap();
        assert!(close(p, 1.006_050_673_984_114_1e-17, 1e-10), "{p:e}");
        assert_eq!(group_failure_probability(10_000, 3_000, 400, 201), Some(p));
    }

    #[test]
    fn binomial_matches_exact_values() {
        // Σ_{x≥200} C(400,x)·0.3^x·0.7^(400−x), exact: 4.9615063464792295e-17.
        let p = binomial_tail(400, 0.3, 200).unwrap();
        assert!(close(p, 4.961_506_346_479_229_5e-17, 1e-10), "{p:e}");
        // Small cases by hand: P[Bin(4, 1/2) ≥ 3] = 5/16.
        assert!(close(binomial_tail(4, 0.5, 3).unwrap(), 5.0 / 16.0, 1e-12));
        assert!(close(binomial_tail(4, 0.5, 1).unwrap(), 15.0 / 16.0, 1e-12));
    }

    #[test]
    fn small_hypergeometric_by_hand() {
        // 10 balls, 4 red, draw 5: P[red ≥ 3] = (C(4,3)C(6,2) + C(4,4)C(6,1)) / C(10,5)
        // = (60 + 6) / 252.
        let p = hypergeometric_tail(10, 4, 5, 3).unwrap();
        assert!(close(p, 66.0 / 252.0, 1e-12), "{p}");
        // Below the mode the complement path is taken: P[red ≥ 1] = 1 − C(6,5)/C(10,5).
        let q = hypergeometric_tail(10, 4, 5, 1).unwrap();
        assert!(close(q, 1.0 - 6.0 / 252.0, 1e-12), "{q}");
    }

    #[test]
    fn edges() {
        assert_eq!(hypergeometric_tail(10, 11, 5, 1), None);
        assert_eq!(hypergeometric_tail(10, 4, 11, 1), None);
        assert_eq!(hypergeometric_tail(10, 4, 5, 0), Some(1.0));
        assert_eq!(hypergeometric_tail(10, 4, 5, 5), Some(0.0));
        // Only 3 honest: a group of 5 has at least 2 faulty.
        assert_eq!(hypergeometric_tail(10, 7, 5, 2), Some(1.0));
        assert_eq!(binomial_tail(10, 1.5, 1), None);
        assert_eq!(binomial_tail(10, 0.0, 1), Some(0.0));
        assert_eq!(binomial_tail(10, 1.0, 10), Some(1.0));
        assert_eq!(group_failure_probability(10, 4, 5, 6), None);
    }

    #[test]
    fn group_size_for_a_target() {
        let (n, p) = group_size_for(10_000, 3_000, 1e-17).unwrap();
        assert!(p <= 1e-17);
        // One smaller misses the target.
        let smaller = group_failure_probability(10_000, 3_000, n - 1, (n - 1) / 2 + 1).unwrap();
        assert!(
            smaller > 1e-17 || (n - 1) % 2 == 1,
            "n = {n}, p(n−1) = {smaller:e}"
        );
        assert!((380..=420).contains(&n), "n = {n}");
    }
}
