//! Running the PSP chain with a config, to see a parameter take effect:
//! one process, its own notary group of one (keys from a trusted dealer),
//! a real `PspNode` with real signatures, driven by its own timers.

use std::sync::Arc;

use dfn_beacon::{GroupId, GroupMember, GroupSet, ProcessId, deal_group};
use dfn_crypto::{MinSig, SecretKey, Time};
use dfn_psp::{ChainEvent, Output, Processes, PspConfig, PspNode};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use thiserror::Error;

/// Why the chain could not run.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ChainError {
    /// The node refused the config or the group.
    #[error("chain setup: {0}")]
    Setup(String),
    /// The node stopped asking to be woken before finalizing enough.
    #[error("the chain stopped after {0} finalized heights")]
    Stopped(u64),
}

/// When each height was finalized, in simulated time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainSample {
    /// `(height, ms)` of each finalization, in height order.
    pub finalized: Vec<(u64, u64)>,
}

impl ChainSample {
    /// Mean time between consecutive finalizations, in ms (0 with fewer
    /// than two).
    pub fn mean_interval_ms(&self) -> u64 {
        match (self.finalized.first(), self.finalized.last()) {
            (Some((h0, t0)), Some((h1, t1))) if h1 > h0 => (t1 - t0) / (h1 - h0),
            _ => 0,
        }
    }
}

/// Runs a one-process chain with `config` until `heights` heights are
/// final.
pub fn run_chain(config: &PspConfig, heights: u64, seed: u64) -> Result<ChainSample, ChainError> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let key = SecretKey::<MinSig>::random(&mut rng);
    let me = GroupMember {
        id: ProcessId::of(&key.public_key()),
        key: key.public_key(),
    };
    let (group, shares) = deal_group(GroupId(0), vec![me], 1, &mut rng)
        .map_err(|e| ChainError::Setup(e.to_string()))?;
    let set = GroupSet::new(vec![Arc::new(group)]).map_err(|e| ChainError::Setup(e.to_string()))?;
    let share = shares
        .into_iter()
        .next()
        .ok_or_else(|| ChainError::Setup("no share dealt".into()))?;
    let processes = Arc::new(Processes::new(vec![me]));
    let mut node = PspNode::new(*config, key, processes, &mut rng)
        .map_err(|e| ChainError::Setup(e.to_string()))?;
    node.install_groups(Time::ZERO, 1, Arc::new(set));
    node.add_group_share(GroupId(0), share);
    node.start(Time::ZERO);
    let mut finalized = Vec::new();
    let mut now = Time::ZERO;
    while u64::try_from(finalized.len()).unwrap_or(u64::MAX) < heights {
        while let Some(output) = node.poll_output() {
            match output {
                Output::RequestPayload { height, parent } => {
                    node.provide_payload(now, height, parent, Vec::new(), [0; 32])
                }
                Output::ValidatePayload(block) => node.payload_checked(now, block.hash(), true),
                Output::Event(ChainEvent::Finalized(block)) => {
                    finalized.push((block.height(), now.as_millis()))
                }
                // One process: nobody to send to.
                _ => {}
            }
        }
        let Some(wake) = node.poll_timeout() else {
            return Err(ChainError::Stopped(finalized.len() as u64));
        };
        now = wake.max(now);
        node.handle_timeout(now);
    }
    Ok(ChainSample { finalized })
}
