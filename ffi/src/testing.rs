//! TEST ONLY entry points (feature `test-hooks`, never in a product build; the test
//! suite checks that the product library exports none of them): a deterministic
//! sealer for the format vectors, a panic inside the panic boundary, and fault
//! injection for the two statuses no caller can provoke on purpose (a failing
//! operating-system generator, a broken internal invariant).
//!
//! Without the feature only [`injected`] exists, and it is always false.

#[cfg(feature = "test-hooks")]
use std::sync::atomic::{AtomicU32, Ordering};

use crate::error::printseal_status;
#[cfg(feature = "test-hooks")]
use crate::{
    error::map_error,
    ffi::{to_boxed_mut_ptr, try_handles, try_out, try_ref, try_slice},
    keys::{as_recipients, printseal_recipient},
    panic::ffi_panic_boundary,
    seal::{SealerState, printseal_seal_options, printseal_sealer},
};

/// The injected fault: 0 for none, else the status whose fault is simulated.
#[cfg(feature = "test-hooks")]
static FAULT: AtomicU32 = AtomicU32::new(0);

/// Whether the test suite asked for a fault of `status` (never, in a product build).
#[inline]
pub(crate) fn injected(status: printseal_status) -> bool {
    #[cfg(feature = "test-hooks")]
    {
        FAULT.load(Ordering::Relaxed) == status as u32
    }
    #[cfg(not(feature = "test-hooks"))]
    {
        let _ = status;
        false
    }
}

/// TEST ONLY (feature `test-hooks`): simulates a fault until called again with
/// `PRINTSEAL_STATUS_OK`. `PRINTSEAL_STATUS_RANDOMNESS`: the operating system's
/// generator fails (every seal, rewrap and key generation then fails as it would).
/// `PRINTSEAL_STATUS_INTERNAL`: the next step of every sealer or opener fails as a
/// broken invariant inside the core would (the object is then failed). Process-wide:
/// call it only while no other thread uses printseal.
///
/// Errors: `INVALID_INPUT` for any other status (nothing changes).
#[cfg(feature = "test-hooks")]
#[unsafe(no_mangle)]
pub extern "C" fn printseal_inject_fault_for_testing(status: u32) -> printseal_status {
    ffi_panic_boundary! {
        use printseal_status as S;
        match printseal_status::from_code(status) {
            Some(s @ (S::Ok | S::Randomness | S::Internal)) => {
                FAULT.store(s as u32, Ordering::Relaxed);
                S::Ok
            }
            _ => S::InvalidInput,
        }
    }
}

/// TEST ONLY (feature `test-hooks`): a sealer whose file key, salt and recipient
/// randomness come from a ChaCha20 generator seeded with the 32 bytes at `seed`, so
/// that tests reproduce tests/vectors byte for byte. Otherwise as
/// `printseal_sealer_new`.
///
/// Errors: as `printseal_sealer_new`.
#[cfg(feature = "test-hooks")]
#[unsafe(no_mangle)]
pub extern "C" fn printseal_sealer_new_seeded_for_testing(
    opts: *const printseal_seal_options,
    recipients: *const *const printseal_recipient,
    n_recipients: usize,
    seed: *const u8,
    out: *mut *mut printseal_sealer,
) -> printseal_status {
    ffi_panic_boundary! {
        let opts = try_ref!(opts);
        let out = try_out!(out);
        if seed.is_null() {
            return printseal_status::NullParameter;
        }
        let seed = try_slice!(seed, 32);
        let mut s = [0u8; 32];
        s.copy_from_slice(seed);
        let keys = try_handles!(recipients, n_recipients);
        let mut rng = printseal::rng::seeded_rng(s);
        match printseal::Sealer::with_rng(opts, &as_recipients(&keys), &mut rng) {
            Ok(s) => {
                *out = to_boxed_mut_ptr(SealerState::new(s, "sealer"));
                printseal_status::Ok
            }
            Err(e) => map_error(&e),
        }
    }
}

/// TEST ONLY (feature `test-hooks`): panics inside the panic boundary, so that a test
/// can see `PRINTSEAL_STATUS_PANIC` come back instead of an unwind into C.
#[cfg(feature = "test-hooks")]
#[unsafe(no_mangle)]
pub extern "C" fn printseal_panic_for_testing() -> printseal_status {
    ffi_panic_boundary! {
        #[allow(clippy::panic)]
        {
            panic!("printseal_panic_for_testing")
        }
    }
}
