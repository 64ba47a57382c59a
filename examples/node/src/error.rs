//! Why the node cannot deal, load or run.

use thiserror::Error;

/// Everything that stops `node genesis` or `node run`.
#[derive(Debug, Error)]
pub enum NodeError {
    /// Bad command line.
    #[error("usage: {0}")]
    Usage(String),
    /// A file could not be read or written.
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    /// A file is not the JSON it should be.
    #[error("{0}: {1}")]
    Json(String, #[source] serde_json::Error),
    /// The genesis file is inconsistent.
    #[error("genesis: {0}")]
    Genesis(String),
    /// A key file is malformed or does not match the genesis.
    #[error("key file: {0}")]
    Key(String),
    /// No OS entropy for dealing keys.
    #[error("entropy: {0}")]
    Entropy(String),
    /// Groups cannot be formed or built.
    #[error("groups: {0}")]
    Group(#[from] dfn_beacon::GroupError),
    /// Threshold sharing failed.
    #[error("threshold: {0}")]
    Threshold(#[from] dfn_crypto::error::ThresholdError),
    /// The chain parameters break the protocol's invariants.
    #[error("config: {0}")]
    Config(#[from] dfn_psp::ConfigError),
    /// The peer-to-peer stack could not be built or could not listen.
    #[error("network: {0}")]
    Network(String),
}
