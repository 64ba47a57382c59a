//! Links the dfn core crates with default features off into a `no_std`
//! crate. Built by `.ci/run`; never run.
#![no_std]

extern crate alloc;

use core::alloc::{GlobalAlloc, Layout};
use core::panic::PanicInfo;

use dfn_crypto::backend::PureRust;
use dfn_crypto::threshold::{SecretPolynomial, recover_signature};
use dfn_crypto::{MessageHash, MinSig, Suite};

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

/// Uses the threshold API so that it is compiled and linked, not only
/// type-checked.
pub fn threshold_round_trip<R: dfn_crypto::rand_core::CryptoRng>(rng: &mut R, msg: &[u8]) -> bool {
    type V = MinSig<PureRust>;
    let Ok(poly) = SecretPolynomial::<V>::random(2, rng) else { return false };
    let hash = MessageHash::<V>::new(Suite::Basic, msg);
    let shares: alloc::vec::Vec<_> = (1..=2).filter_map(|i| poly.share(i).ok()).map(|s| s.sign_hash(&hash)).collect();
    match recover_signature(2, &shares) {
        Ok(sig) => poly.commitment().public_key().verify_hash(&hash, &sig),
        Err(_) => false,
    }
}
