//! drand beacon verification on arbitrary keys, signatures and rounds: it
//! returns an error or Ok, never panics.
#![no_main]

use dfn_crypto::drand::{Beacon, ChainInfo, Scheme, verify_chain};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let scheme = match selector % 3 {
        0 => Scheme::PedersenBlsChained,
        1 => Scheme::PedersenBlsUnchained,
        _ => Scheme::BlsUnchainedG1Rfc9380,
    };
    let (pk_len, sig_len) = if scheme == Scheme::BlsUnchainedG1Rfc9380 {
        (96, 48)
    } else {
        (48, 96)
    };
    let pk = rest.get(..pk_len.min(rest.len())).unwrap_or_default();
    let rest = rest.get(pk.len()..).unwrap_or_default();
    let sig = rest.get(..sig_len.min(rest.len())).unwrap_or_default();
    let prev = rest.get(sig.len()..).unwrap_or_default();
    let info = ChainInfo {
        scheme,
        public_key: pk,
        period_seconds: 30,
        genesis_time: 0,
        genesis_seed: prev,
        beacon_id: "fuzz",
    };
    let round = u64::from(selector);
    let _ = info.verify(round, prev, sig);
    let _ = verify_chain(
        &info,
        &[Beacon {
            round,
            signature: sig,
            previous_signature: prev,
        }],
    );
    let _ = info.round_time(u64::MAX);
});
