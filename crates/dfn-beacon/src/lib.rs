#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod dealer;
mod epochs;
mod event;
mod groups;
mod identity;
mod light;
#[cfg(feature = "std")]
mod memo;
pub mod merkle;
mod node;
mod registration;
mod registry;
pub mod resilience;
pub mod round;
pub mod share_set;
pub mod shuffle;
mod verifier;
mod wire;

/// drand verification (League of Entropy chains), the same code the
/// beacon's own message and randomness come from.
pub use dfn_crypto::drand;

pub use dealer::{DealtGroups, deal_groups};
pub use epochs::{EpochConfig, EpochError, GroupSchedule};
pub use event::{BeaconEvent, BeaconValue, Output, Rejection, ShareEvidence};
pub use groups::{
    Group, GroupError, GroupMember, GroupSet, deal_group, form_groups, formation_seed, set_root,
};
pub use identity::{Identity, ProcessId};
pub use light::{ChainVerifier, LightError, ValueProof, verify_value};
#[cfg(feature = "std")]
pub use memo::MemoVerifier;
pub use node::{BeaconConfig, BeaconNode};
pub use registration::{GroupRegistration, REGISTRATION_TAG, RegistrationError, RegistrationTally};
pub use registry::{Network, Registration, Registry, RegistryError};
pub use verifier::{DirectVerifier, Verifier};
pub use wire::{
    BeaconMessage, GroupId, SHARE_TAG, ShareMessage, ValueMessage, WIRE_VERSION, WireError,
};
