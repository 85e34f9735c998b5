//! Where the C ABI's randomness comes from: ChaCha20 seeded with 32 bytes from the
//! operating system, as the core's own default (`printseal::rng`), drawn in one place
//! so that every entry point that seals, rewraps or generates a key reports a failing
//! generator the same way (`PRINTSEAL_STATUS_RANDOMNESS`), and so that the test build
//! can make it fail (`printseal_inject_fault_for_testing`).

use printseal::rng::ChaCha20Rng;
use rand_core::SeedableRng;
use zeroize::Zeroizing;

use crate::error::printseal_status;

/// A generator seeded from the operating system.
///
/// # Errors
/// [`printseal::Error::Randomness`] if the operating system's generator fails.
pub(crate) fn os_rng() -> printseal::Result<ChaCha20Rng> {
    if crate::testing::injected(printseal_status::Randomness) {
        return Err(printseal::Error::Randomness);
    }
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut seed[..]).map_err(|_| printseal::Error::Randomness)?;
    Ok(ChaCha20Rng::from_seed(*seed))
}
