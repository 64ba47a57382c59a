//! Links the dfn core crates with default features off into a `no_std`
//! crate. Built by `.ci/run`; never run.
#![no_std]

extern crate alloc;

use core::alloc::{GlobalAlloc, Layout};
use core::panic::PanicInfo;

use alloc::vec::Vec;

use dfn_crypto::backend::PureRust;
use dfn_crypto::dkg::{Dealing, DkgSecretKey, combine};
use dfn_crypto::threshold::recover_signature;
use dfn_crypto::{MessageHash, MinSig, Suite};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

/// An allocator that never hands out memory: enough to link `alloc`.
struct NoAlloc;

// SAFETY: returning null is always a valid (failed) allocation.
unsafe impl GlobalAlloc for NoAlloc {
    unsafe fn alloc(&self, _layout: Layout) -> *mut u8 {
        core::ptr::null_mut()
    }
    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}

#[global_allocator]
static ALLOCATOR: NoAlloc = NoAlloc;

#[panic_handler]
fn panic(_info: &PanicInfo) -> ! {
    loop {}
}

/// Runs a small DKG and a threshold signature on the pure-Rust backend.
/// Not generic, so every function it reaches is compiled and linked, not
/// only type-checked.
pub fn dkg_and_threshold_signature(seed: [u8; 32], msg: &[u8]) -> bool {
    type V = MinSig<PureRust>;
    const N: u32 = 3;
    const T: u32 = 2;
    let mut rng = ChaCha20Rng::from_seed(seed);
    let context = b"no-std-check";
    let keys: Vec<DkgSecretKey<V>> = (0..N).map(|_| DkgSecretKey::random(&mut rng)).collect();
    let public: Vec<_> = keys.iter().map(DkgSecretKey::public_key).collect();
    let mut dealings = Vec::new();
    for dealer in 1..=N {
        match Dealing::<V>::deal(dealer, T, &public, context, &mut rng) {
            Ok((dealing, _poly)) => dealings.push(dealing),
            Err(_) => return false,
        }
    }
    let qualified: Vec<&Dealing<V>> = dealings.iter().collect();
    let hash = MessageHash::<V>::new(Suite::Basic, msg);
    let mut signature_shares = Vec::new();
    let mut group_key = None;
    for (member, sk) in (1..=N).zip(&keys) {
        let shares: Result<Vec<_>, _> = dealings
            .iter()
            .map(|d| d.decrypt_share(context, member, sk))
            .collect();
        let Ok(shares) = shares else { return false };
        let Ok(output) = combine(&qualified, &shares) else {
            return false;
        };
        group_key = Some(output.group_key());
        signature_shares.push(output.share().sign_hash(&hash));
    }
    match (group_key, recover_signature(T, &signature_shares)) {
        (Some(key), Ok(sig)) => key.verify_hash(&hash, &sig),
        _ => false,
    }
}
