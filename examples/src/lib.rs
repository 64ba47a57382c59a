//! Library code of the dfn example programs, shared by the binaries and
//! their tests: their command lines, a local Threshold Relay beacon, the
//! governance scenario, and PHI, the seed's lending application of
//! randomness.

pub mod flags;
pub mod governance;
pub mod local_beacon;
pub mod phi;
pub mod phi_demo;

/// The root README's quickstart, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeQuickstart;
