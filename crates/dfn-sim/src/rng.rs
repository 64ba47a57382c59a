//! Seeded randomness: one `u64` seed, one ChaCha8 stream per purpose.
//!
//! The run's seed is expanded once with SHA-256 into a ChaCha key; each
//! purpose (overlay topology, latency and jitter, loss, region placement)
//! reads its own ChaCha stream (the 64-bit stream number of the cipher).
//! So, for example, turning loss on does not move a single latency draw,
//! and a fault schedule (which draws nothing) never perturbs either.
//!
//! ChaCha8 from `rand_chacha` rather than a smaller generator: it is a
//! well-kept crate already in the workspace, its streams give independent
//! sub-sequences for free, and with its 4-block SIMD buffer a `u64` costs a
//! couple of nanoseconds, well below the other costs of an event.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

/// What a random stream is used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub(crate) enum Stream {
    /// Gossip overlay peers.
    Topology = 1,
    /// Link latency and jitter.
    Latency = 2,
    /// Link loss.
    Loss = 3,
    /// Random placement of nodes in regions.
    Placement = 4,
}

/// A deterministic random source for one purpose of one run.
#[derive(Clone, Debug)]
pub struct SimRng(ChaCha8Rng);

fn key(seed: u64) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"dfn-sim rng v1");
    h.update(seed.to_le_bytes());
    h.finalize().into()
}

impl SimRng {
    pub(crate) fn stream(seed: u64, stream: Stream) -> SimRng {
        let mut rng = ChaCha8Rng::from_seed(key(seed));
        rng.set_stream(stream as u64);
        SimRng(rng)
    }

    /// A generator for tests and tools that need draws outside a
    /// simulation (stream numbers below 2^32 are reserved for the
    /// simulator's own purposes).
    #[must_use]
    pub fn for_purpose(seed: u64, purpose: u32) -> SimRng {
        let mut rng = ChaCha8Rng::from_seed(key(seed));
        rng.set_stream((1u64 << 32) | u64::from(purpose));
        SimRng(rng)
    }

    /// 64 uniformly random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..n`; 0 when `n` is 0. Unbiased (Lemire's multiply and
    /// reject).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let floor = n.wrapping_neg() % n;
            while (m as u64) < floor {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }

    /// Uniform in `lo..=hi` (`hi` is raised to `lo` if below it). Draws
    /// nothing when the range has one value.
    pub fn range_inclusive(&mut self, lo: u64, hi: u64) -> u64 {
        let span = hi.saturating_sub(lo);
        if span == 0 {
            return lo;
        }
        if span == u64::MAX {
            return self.next_u64();
        }
        lo + self.below(span + 1)
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn unit_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// A seed for `label` number `index` derived from a run's seed, for hosts
/// that give each node its own seeded randomness (key shares, a Byzantine
/// node's choices): `derive_seed(run_seed, "node", id)`.
#[must_use]
pub fn derive_seed(seed: u64, label: &str, index: u64) -> u64 {
    let mut h = Sha256::new();
    h.update(b"dfn-sim derive v1");
    h.update(seed.to_le_bytes());
    h.update((label.len() as u64).to_le_bytes());
    h.update(label.as_bytes());
    h.update(index.to_le_bytes());
    let d: [u8; 32] = h.finalize().into();
    let mut out = [0u8; 8];
    for (o, b) in out.iter_mut().zip(d.iter()) {
        *o = *b;
    }
    u64::from_le_bytes(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = {
            let mut r = SimRng::stream(1, Stream::Latency);
            (0..4).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = SimRng::stream(1, Stream::Latency);
            (0..4).map(|_| r.next_u64()).collect()
        };
        let c: Vec<u64> = {
            let mut r = SimRng::stream(1, Stream::Loss);
            (0..4).map(|_| r.next_u64()).collect()
        };
        let d: Vec<u64> = {
            let mut r = SimRng::stream(2, Stream::Latency);
            (0..4).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut r = SimRng::for_purpose(3, 0);
        let mut seen = [0u32; 7];
        for _ in 0..7000 {
            let v = r.below(7);
            assert!(v < 7);
            if let Some(s) = seen.get_mut(v as usize) {
                *s += 1;
            }
        }
        assert!(seen.iter().all(|&c| (850..1150).contains(&c)), "{seen:?}");
        assert_eq!(r.below(0), 0);
        assert_eq!(r.range_inclusive(5, 5), 5);
        assert_eq!(r.range_inclusive(9, 3), 9);
    }

    #[test]
    fn unit_is_in_unit_interval() {
        let mut r = SimRng::for_purpose(4, 0);
        for _ in 0..1000 {
            let u = r.unit_f64();
            assert!((0.0..1.0).contains(&u));
        }
    }

    #[test]
    fn derived_seeds_differ_by_label_and_index() {
        assert_eq!(derive_seed(1, "node", 2), derive_seed(1, "node", 2));
        assert_ne!(derive_seed(1, "node", 2), derive_seed(1, "node", 3));
        assert_ne!(derive_seed(1, "node", 2), derive_seed(1, "byz", 2));
        assert_ne!(derive_seed(1, "node", 2), derive_seed(2, "node", 2));
    }
}
