#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod audit;
mod config;
mod error;
mod faults;
mod gossip;
mod histogram;
mod latency;
mod link;
mod message;
mod metrics;
mod node;
mod queue;
mod report;
mod rng;
mod sim;
mod time;

pub use audit::{AuditHash, AuditSink};
pub use config::{BroadcastMode, SimConfig};
pub use error::SimError;
pub use faults::{Action, Envelope, Fault, Restart};
pub use histogram::{Histogram, Summary};
pub use latency::{Latency, Probability};
pub use link::{Bandwidth, Geo, LinkModel, Placement, RegionId};
pub use message::{SimEvent, SimMessage};
pub use metrics::{Drops, LabelStats, Metrics, NodeCounters, Probe, ProbeStart};
pub use node::{Node, NodeId, Output};
pub use report::{LabelRow, NodeRow, ProbeRow, Report, TrafficRow};
pub use rng::{SimRng, derive_seed};
pub use sim::{Delivery, Recorded, SPIN_LIMIT, Simulation};
pub use time::Time;
