//! Where sealing randomness comes from.
//!
//! Every random byte of a seal (file key, payload salt, ephemeral keys of public-key
//! recipients) is drawn from one `rand_core::CryptoRng`. By default that is ChaCha20
//! seeded with 32 bytes from the operating system; without the `getrandom` feature the
//! caller passes its own generator. The test vectors use [`seeded_rng`] with a fixed
//! seed, which is the only way to make a seal deterministic.

use rand_core::SeedableRng;

pub use chacha20::ChaCha20Rng;

/// A ChaCha20 generator seeded with `seed`: deterministic output.
///
/// <div class="warning">For test vectors and reproducible tests only. Two seals from
/// the same seed get the same file key and salt.</div>
pub fn seeded_rng(seed: [u8; 32]) -> ChaCha20Rng {
    ChaCha20Rng::from_seed(seed)
}

/// ChaCha20 seeded from the operating system's generator.
#[cfg(feature = "getrandom")]
pub(crate) fn os_rng() -> crate::Result<ChaCha20Rng> {
    let mut seed = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut seed[..]).map_err(|_| crate::Error::Randomness)?;
    Ok(ChaCha20Rng::from_seed(*seed))
}
