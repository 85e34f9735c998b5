//! The per-job file key.

use core::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Size of a file key in bytes.
pub const FILE_KEY_SIZE: usize = crate::format::sizes::FILE_KEY;

/// The random 256-bit key of one sealed job, which every recipient stanza wraps.
///
/// Zeroized on drop; `Debug` prints no key material. Only [`crate::Recipient`] and
/// [`crate::Identity`] implementations (key stores, HSM bridges) need to touch it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct FileKey([u8; FILE_KEY_SIZE]);

impl FileKey {
    /// Wraps raw key bytes, as an identity does after unwrapping a stanza.
    pub fn from_bytes(bytes: [u8; FILE_KEY_SIZE]) -> FileKey {
        FileKey(bytes)
    }

    /// Draws a fresh file key from `rng`.
    pub fn generate(rng: &mut dyn rand_core::CryptoRng) -> FileKey {
        let mut k = [0u8; FILE_KEY_SIZE];
        rng.fill_bytes(&mut k);
        FileKey(k)
    }

    /// The key bytes, for a recipient to wrap. Do not log or store them.
    pub fn expose_secret(&self) -> &[u8; FILE_KEY_SIZE] {
        &self.0
    }
}

impl fmt::Debug for FileKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileKey").finish_non_exhaustive()
    }
}
