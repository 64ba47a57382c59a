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

mod call;
mod certified;
mod codec;
mod error;
mod gateway;
mod header;
mod light;
mod post;
mod private;
mod prove;
mod registry;
mod twin;

pub use call::{CallError, CallEvent, CallOutcome, CallResult, CertifiedCalls};
pub use certified::{
    CertifiedRead, CertifiedValue, NotarizedHeader, ReadPolicy, StorageRead, StorageValue,
};
pub use codec::{DecodeError, MAX_HEADERS, MAX_PATH, MAX_TRIE_NODES, PROOF_VERSION};
pub use error::CertError;
pub use gateway::{
    DELIVERY, Delivery, DeliveryStatus, GATEWAY, GATEWAY_CODE, Gateway, GatewayError, GatewayEvent,
    HEADER_LEN, Request, deliver, install,
};
pub use header::{Header, HeaderError};
pub use light::LightBeacon;
pub use post::{PostDomain, PostError, PostKey, SIGNATURE_LEN, SignedPost};
pub use private::{DealError, Dealer, PrivateNetwork, ProcessKeys, private_chain_id};
pub use registry::{
    CALL_GAS, MAX_RETURN, OUTCOME_FAILED, OUTCOME_SUCCEEDED, Recorded, RegistryError, TwinRegistry,
    network_account, record_key, result_slot, result_word, twin_slot,
};
pub use twin::{Abort, CallSpec, Decision, PublicCall, TwinError, TwinEvent, TwinId, Twins, Write};
