//! Typed protocol-parameter changes: what a `SetParameter` proposal
//! carries, and how the host applies one to the chain's config.
//!
//! On the wire a change is `Action::SetParameter { name, value }` with the
//! value a big-endian `u64`; the host decodes it back to a
//! [`ParameterChange`] when governance asks it to execute, applies it to a
//! copy of the [`PspConfig`], and keeps the copy only if
//! [`PspConfig::validate`] accepts it.

use dfn_bns::Action;
use dfn_psp::{ConfigError, PspConfig};
use thiserror::Error;

/// A change of one PSP parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParameterChange {
    /// `BT`, the base block time, in ms.
    BlockTimeMs(u64),
    /// `Δslot`, the delay between priority slots, in ms.
    SlotMs(u64),
    /// `Δ`, the network delay bound finality is safe under, in ms.
    DeltaMs(u64),
}

/// A parameter change that cannot be decoded or applied.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ParameterError {
    /// Not a `SetParameter` action.
    #[error("not a parameter change")]
    NotAParameter,
    /// A name this host does not know.
    #[error("unknown parameter {0}")]
    UnknownName(String),
    /// A value that is not 8 bytes.
    #[error("value of {0} is not a big-endian u64")]
    BadValue(String),
    /// The changed config fails the chain's own checks.
    #[error("rejected by PspConfig::validate: {0}")]
    Invalid(#[from] ConfigError),
}

impl ParameterChange {
    /// The parameter's name in proposals.
    pub fn name(&self) -> &'static str {
        match self {
            ParameterChange::BlockTimeMs(_) => "psp.block_time_ms",
            ParameterChange::SlotMs(_) => "psp.slot_ms",
            ParameterChange::DeltaMs(_) => "psp.delta_ms",
        }
    }

    /// The new value.
    pub fn value(&self) -> u64 {
        match self {
            ParameterChange::BlockTimeMs(v)
            | ParameterChange::SlotMs(v)
            | ParameterChange::DeltaMs(v) => *v,
        }
    }

    /// The proposal action carrying it.
    pub fn to_action(&self) -> Action {
        Action::SetParameter {
            name: self.name().to_string(),
            value: self.value().to_be_bytes().to_vec(),
        }
    }

    /// Decodes the change an adopted action asks for.
    pub fn from_action(action: &Action) -> Result<Self, ParameterError> {
        let Action::SetParameter { name, value } = action else {
            return Err(ParameterError::NotAParameter);
        };
        let bytes: [u8; 8] = value
            .as_slice()
            .try_into()
            .map_err(|_| ParameterError::BadValue(name.clone()))?;
        let v = u64::from_be_bytes(bytes);
        match name.as_str() {
            "psp.block_time_ms" => Ok(ParameterChange::BlockTimeMs(v)),
            "psp.slot_ms" => Ok(ParameterChange::SlotMs(v)),
            "psp.delta_ms" => Ok(ParameterChange::DeltaMs(v)),
            _ => Err(ParameterError::UnknownName(name.clone())),
        }
    }

    /// The config with the change, if the chain's checks accept it.
    pub fn apply(&self, config: &PspConfig) -> Result<PspConfig, ParameterError> {
        let mut next = *config;
        match *self {
            ParameterChange::BlockTimeMs(v) => next.block_time_ms = v,
            ParameterChange::SlotMs(v) => next.slot_ms = v,
            ParameterChange::DeltaMs(v) => next.delta_ms = v,
        }
        next.validate()?;
        Ok(next)
    }
}
