//! Links between nodes: latency, jitter, loss and bandwidth; regions.

use serde::Serialize;

use crate::error::SimError;
use crate::latency::{Latency, Probability};

/// A bandwidth in bytes per millisecond (1 Mbit/s = 125 bytes/ms).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Bandwidth(u64);

impl Bandwidth {
    /// `bytes` bytes per millisecond; zero is an error.
    pub fn bytes_per_ms(bytes: u64) -> Result<Bandwidth, SimError> {
        if bytes == 0 {
            return Err(SimError::ZeroBandwidth);
        }
        Ok(Bandwidth(bytes))
    }

    /// `mbit` megabits (10^6 bits) per second; zero is an error.
    pub fn mbit_per_s(mbit: u64) -> Result<Bandwidth, SimError> {
        Bandwidth::bytes_per_ms(mbit.saturating_mul(125))
    }

    /// Bytes per millisecond.
    #[must_use]
    pub const fn as_bytes_per_ms(self) -> u64 {
        self.0
    }

    /// Microseconds to put `len` bytes on the wire, rounded up.
    pub(crate) fn micros_for(self, len: u64) -> u64 {
        let us = u128::from(len) * 1000;
        let bw = u128::from(self.0.max(1));
        u64::try_from(us.div_ceil(bw)).unwrap_or(u64::MAX)
    }
}

/// The model of one directed link.
///
/// A copy of a message sent over the link arrives after
/// `latency + jitter + len / bandwidth` milliseconds (after it has left the
/// sender's uplink, see [`SimConfig::uplink`](crate::SimConfig::uplink)), or
/// is lost with probability `loss`. `jitter` is uniform in `0..=jitter`; it
/// can reorder messages on a link, as jitter does.
///
/// The link's own `bandwidth` adds transmission delay per copy but does not
/// queue copies behind one another: queueing is modelled at the sender's
/// uplink, which all its links share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LinkModel {
    /// Propagation delay.
    pub latency: Latency,
    /// Extra delay, uniform in `0..=jitter` milliseconds.
    pub jitter: u64,
    /// Probability that a copy is lost.
    pub loss: Probability,
    /// Transmission rate of the link itself, if limited.
    pub bandwidth: Option<Bandwidth>,
}

impl LinkModel {
    /// A lossless link with the given latency, no jitter and no bandwidth
    /// limit.
    #[must_use]
    pub const fn new(latency: Latency) -> LinkModel {
        LinkModel {
            latency,
            jitter: 0,
            loss: Probability::ZERO,
            bandwidth: None,
        }
    }

    /// The same link with jitter `0..=ms`.
    #[must_use]
    pub const fn with_jitter(mut self, ms: u64) -> LinkModel {
        self.jitter = ms;
        self
    }

    /// The same link with loss probability `loss`.
    #[must_use]
    pub const fn with_loss(mut self, loss: Probability) -> LinkModel {
        self.loss = loss;
        self
    }

    /// The same link limited to `bandwidth`.
    #[must_use]
    pub const fn with_bandwidth(mut self, bandwidth: Bandwidth) -> LinkModel {
        self.bandwidth = Some(bandwidth);
        self
    }

    pub(crate) fn validate(&self) -> Result<(), SimError> {
        self.latency.validate()
    }
}

impl Default for LinkModel {
    /// 50 ms fixed, lossless, unlimited.
    fn default() -> LinkModel {
        LinkModel::new(Latency::Fixed(50))
    }
}

/// A region's index in a [`Geo`] model.
pub type RegionId = u16;

/// How nodes are placed in regions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Placement {
    /// Node `i` is in region `i mod r`.
    RoundRobin,
    /// Each node in a region drawn uniformly from the run's seed.
    Random,
    /// Node `i` is in `regions[i]`; a list shorter than the node count is
    /// an error.
    Explicit(Vec<RegionId>),
}

/// A geographic model: named regions, a link model for every ordered pair
/// of regions (the diagonal is the link inside a region), and a placement
/// of nodes. The link between two nodes is the one between their regions,
/// unless [`Simulation::set_link`](crate::Simulation::set_link) overrides it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Geo {
    names: Vec<String>,
    links: Vec<LinkModel>,
    placement: Placement,
}

impl Geo {
    /// Regions with the given names, every pair linked by `link`, placed
    /// round robin. Set the real latencies with [`Geo::set`].
    #[must_use]
    pub fn new(names: &[&str], link: LinkModel) -> Geo {
        let r = names.len();
        Geo {
            names: names.iter().map(|s| (*s).to_owned()).collect(),
            links: vec![link; r * r],
            placement: Placement::RoundRobin,
        }
    }

    /// Five continental regions with rough public one-way latencies (half
    /// of typical round-trip times between large cloud regions, rounded to
    /// 5 ms), each normal with a standard deviation of a tenth of the mean
    /// and a floor of 80% of it; 2 ms jitter. Good for shape, not for
    /// precise figures.
    ///
    /// | one-way ms | na-east | na-west | europe | asia | oceania |
    /// |---|---|---|---|---|---|
    /// | na-east | 5 | 35 | 40 | 80 | 100 |
    /// | na-west | | 5 | 70 | 55 | 70 |
    /// | europe | | | 5 | 115 | 140 |
    /// | asia | | | | 5 | 55 |
    /// | oceania | | | | | 5 |
    #[must_use]
    pub fn continents() -> Geo {
        const ONE_WAY: [[u64; 5]; 5] = [
            [5, 35, 40, 80, 100],
            [35, 5, 70, 55, 70],
            [40, 70, 5, 115, 140],
            [80, 55, 115, 5, 55],
            [100, 70, 140, 55, 5],
        ];
        let names = ["na-east", "na-west", "europe", "asia", "oceania"];
        let mut geo = Geo::new(&names, LinkModel::default());
        for (a, row) in ONE_WAY.iter().enumerate() {
            for (b, &mean) in row.iter().enumerate() {
                let link = LinkModel::new(Latency::Normal {
                    mean,
                    std_dev: mean / 10,
                    min: mean * 4 / 5,
                })
                .with_jitter(2);
                if let Some(slot) = geo.links.get_mut(a * 5 + b) {
                    *slot = link;
                }
            }
        }
        geo
    }

    /// Set the link from region `a` to region `b` and back.
    pub fn set(&mut self, a: RegionId, b: RegionId, link: LinkModel) -> Result<(), SimError> {
        self.set_directed(a, b, link)?;
        self.set_directed(b, a, link)
    }

    /// Set the link from region `from` to region `to` only.
    pub fn set_directed(
        &mut self,
        from: RegionId,
        to: RegionId,
        link: LinkModel,
    ) -> Result<(), SimError> {
        link.validate()?;
        let r = self.names.len();
        let i = self.index(from, to).ok_or(SimError::UnknownRegion {
            region: from.max(to),
            regions: r,
        })?;
        if let Some(slot) = self.links.get_mut(i) {
            *slot = link;
        }
        Ok(())
    }

    /// Place nodes as `placement` says.
    #[must_use]
    pub fn with_placement(mut self, placement: Placement) -> Geo {
        self.placement = placement;
        self
    }

    /// Number of regions.
    #[must_use]
    pub fn regions(&self) -> usize {
        self.names.len()
    }

    /// The region's name.
    #[must_use]
    pub fn name(&self, region: RegionId) -> Option<&str> {
        self.names.get(usize::from(region)).map(String::as_str)
    }

    /// The link from region `from` to region `to`.
    #[must_use]
    pub fn link(&self, from: RegionId, to: RegionId) -> Option<&LinkModel> {
        self.index(from, to).and_then(|i| self.links.get(i))
    }

    pub(crate) fn placement(&self) -> &Placement {
        &self.placement
    }

    pub(crate) fn validate(&self) -> Result<(), SimError> {
        if self.names.is_empty() || self.names.len() > usize::from(RegionId::MAX) {
            return Err(SimError::UnknownRegion {
                region: 0,
                regions: self.names.len(),
            });
        }
        for l in &self.links {
            l.validate()?;
        }
        Ok(())
    }

    fn index(&self, from: RegionId, to: RegionId) -> Option<usize> {
        let r = self.names.len();
        let (a, b) = (usize::from(from), usize::from(to));
        (a < r && b < r).then_some(a * r + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bandwidth_rounds_up() {
        let bw = Bandwidth::bytes_per_ms(3).unwrap_or(Bandwidth(1));
        assert_eq!(bw.micros_for(1), 334);
        assert_eq!(bw.micros_for(3), 1000);
        assert!(Bandwidth::bytes_per_ms(0).is_err());
        assert_eq!(
            Bandwidth::mbit_per_s(8)
                .map(Bandwidth::as_bytes_per_ms)
                .ok(),
            Some(1000)
        );
    }

    #[test]
    fn geo_links_are_symmetric_when_set_so() {
        let mut g = Geo::new(&["a", "b", "c"], LinkModel::new(Latency::Fixed(1)));
        assert!(g.set(0, 2, LinkModel::new(Latency::Fixed(9))).is_ok());
        assert_eq!(g.link(0, 2).map(|l| l.latency), Some(Latency::Fixed(9)));
        assert_eq!(g.link(2, 0).map(|l| l.latency), Some(Latency::Fixed(9)));
        assert_eq!(g.link(1, 2).map(|l| l.latency), Some(Latency::Fixed(1)));
        assert!(g.set(0, 3, LinkModel::default()).is_err());
        assert!(g.link(3, 0).is_none());
        assert_eq!(g.name(1), Some("b"));
    }

    #[test]
    fn continents_are_symmetric() {
        let g = Geo::continents();
        assert!(g.validate().is_ok());
        for a in 0..5 {
            for b in 0..5 {
                assert_eq!(g.link(a, b), g.link(b, a));
            }
        }
    }
}
