//! Run configuration.

use crate::link::{Bandwidth, Geo, LinkModel};

/// How [`Output::Broadcast`](crate::Output::Broadcast) reaches the other
/// nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BroadcastMode {
    /// The sender sends one copy to each of the `n - 1` other nodes (all
    /// through its own uplink).
    Direct,
    /// Flooding over a seeded random overlay: a ring plus `fanout` random
    /// peers per node, links both ways. The sender sends to its overlay
    /// neighbours; a node receiving a broadcast for the first time
    /// forwards it to all its neighbours but the one it came from, then
    /// hands it to its node; later copies are counted as duplicates and
    /// dropped. Crashed nodes do not forward.
    Gossip {
        /// Random peers chosen by each node.
        fanout: usize,
    },
}

/// Everything that defines a run besides its nodes and faults.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SimConfig {
    /// The seed every random draw derives from.
    pub seed: u64,
    /// The link between any two nodes, unless `geo` or
    /// [`Simulation::set_link`](crate::Simulation::set_link) says otherwise.
    pub link: LinkModel,
    /// Regions and inter-region links.
    pub geo: Option<Geo>,
    /// How broadcasts travel.
    pub broadcast: BroadcastMode,
    /// Every node's uplink bandwidth, unless
    /// [`Simulation::set_uplink`](crate::Simulation::set_uplink) changes
    /// it; `None` for unlimited.
    ///
    /// The uplink is a FIFO: a copy starts transmission when the node's
    /// previous copy has left (or now, if the uplink is idle) and occupies
    /// it for `len / bandwidth` (tracked in microseconds); the link's
    /// latency starts when the last byte has left, rounded up to the
    /// millisecond. A direct broadcast to `n - 1` nodes queues `n - 1`
    /// copies.
    pub uplink: Option<Bandwidth>,
    /// Keep every reported event for
    /// [`Simulation::take_events`](crate::Simulation::take_events).
    pub keep_events: bool,
}

impl SimConfig {
    /// Defaults: the given seed, 50 ms lossless links, direct broadcast,
    /// unlimited uplinks, events not kept.
    #[must_use]
    pub fn new(seed: u64) -> SimConfig {
        SimConfig {
            seed,
            link: LinkModel::default(),
            geo: None,
            broadcast: BroadcastMode::Direct,
            uplink: None,
            keep_events: false,
        }
    }

    /// With `link` as the default link.
    #[must_use]
    pub fn with_link(mut self, link: LinkModel) -> SimConfig {
        self.link = link;
        self
    }

    /// With a geographic model.
    #[must_use]
    pub fn with_geo(mut self, geo: Geo) -> SimConfig {
        self.geo = Some(geo);
        self
    }

    /// With the given broadcast mode.
    #[must_use]
    pub fn with_broadcast(mut self, mode: BroadcastMode) -> SimConfig {
        self.broadcast = mode;
        self
    }

    /// With every uplink limited to `bandwidth`.
    #[must_use]
    pub fn with_uplink(mut self, bandwidth: Bandwidth) -> SimConfig {
        self.uplink = Some(bandwidth);
        self
    }

    /// Keeping reported events.
    #[must_use]
    pub fn keeping_events(mut self) -> SimConfig {
        self.keep_events = true;
        self
    }
}
