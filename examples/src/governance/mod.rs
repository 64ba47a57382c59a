//! The `governance` program's core: typed PSP parameter changes, the
//! chain they govern, and the scenario driving `dfn_bns::Governance`
//! (Sans-IO: commands and time in, execution requests and events out)
//! as its host.

mod chain;
mod parameter;
mod scenario;

pub use chain::{ChainError, ChainSample, run_chain};
pub use parameter::{ParameterChange, ParameterError};
pub use scenario::{
    GovernanceRun, ProposalReport, Role, ScenarioConfig, ScenarioError, TOKEN, run,
};
