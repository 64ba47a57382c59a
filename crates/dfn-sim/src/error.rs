//! Errors of simulation set-up and control.

use crate::node::NodeId;
use crate::time::Time;

/// What was wrong with a simulation's configuration or a call on it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A node id at or beyond the number of nodes.
    #[error("node {node} does not exist (the simulation has {nodes} nodes)")]
    UnknownNode {
        /// The id given.
        node: NodeId,
        /// Number of nodes.
        nodes: usize,
    },
    /// More nodes than ids (ids are `u32`, `u32::MAX` is reserved).
    #[error("{0} nodes is too many (at most 4294967294)")]
    TooManyNodes(usize),
    /// A uniform latency whose minimum is above its maximum.
    #[error("uniform latency with min {min} ms above max {max} ms")]
    InvalidLatency {
        /// The minimum given.
        min: u64,
        /// The maximum given.
        max: u64,
    },
    /// A probability above one.
    #[error("probability of {ppm} parts per million is above 1000000")]
    InvalidProbability {
        /// The value given.
        ppm: u32,
    },
    /// A bandwidth of zero.
    #[error("bandwidth must be at least 1 byte per millisecond")]
    ZeroBandwidth,
    /// A region index outside the geographic model, or a model without
    /// regions.
    #[error("region {region} does not exist (the model has {regions} regions)")]
    UnknownRegion {
        /// The region given.
        region: u16,
        /// Number of regions in the model.
        regions: usize,
    },
    /// An explicit placement shorter than the node list.
    #[error("explicit placement lists {given} regions for {nodes} nodes")]
    PlacementTooShort {
        /// Regions listed.
        given: usize,
        /// Number of nodes.
        nodes: usize,
    },
    /// A fresh restart scheduled without a node factory.
    #[error("node {0} cannot restart fresh: no factory was set (Simulation::set_factory)")]
    NoFactory(NodeId),
    /// A fault scheduled before the current time.
    #[error("fault scheduled at {at}, before the current time {now}")]
    InThePast {
        /// The time given.
        at: Time,
        /// The simulation's current time.
        now: Time,
    },
    /// A call into a node that is crashed.
    #[error("node {0} is crashed")]
    NodeDown(NodeId),
}
