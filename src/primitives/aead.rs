//! The chunk AEAD seam.
//!
//! Every AEAD call of the format goes through [`ChunkAead`], so that a second backend
//! (the performance issue's `aws-lc-rs`) slots in as one more variant and every test
//! vector runs through each backend with byte-identical results.

use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::Aes256Gcm;
use chacha20poly1305::ChaCha20Poly1305;

use crate::error::{Error, Result};
use crate::suite::Suite;

/// AEAD key size for both suites.
pub const KEY_SIZE: usize = 32;
/// AEAD nonce size for both suites.
pub const NONCE_SIZE: usize = 12;
/// AEAD tag size for both suites.
pub const TAG_SIZE: usize = 16;

/// A keyed chunk AEAD. The key schedule inside each variant is zeroized on drop by the
/// RustCrypto crates' `zeroize` features.
pub(crate) enum ChunkAead {
    Aes256Gcm(Aes256Gcm),
    ChaCha20Poly1305(ChaCha20Poly1305),
}

impl ChunkAead {
    pub(crate) fn new(suite: Suite, key: &[u8; KEY_SIZE]) -> ChunkAead {
        match suite {
            Suite::Aes256Gcm => ChunkAead::Aes256Gcm(Aes256Gcm::new(key.into())),
            Suite::ChaCha20Poly1305 => {
                ChunkAead::ChaCha20Poly1305(ChaCha20Poly1305::new(key.into()))
            }
        }
    }

    /// Encrypts `input` into `out` (same length) and returns the tag.
    pub(crate) fn seal(
        &self,
        nonce: &[u8; NONCE_SIZE],
        aad: &[u8],
        input: &[u8],
        out: &mut [u8],
    ) -> Result<[u8; TAG_SIZE]> {
        let buf = InOutBuf::new(input, out).map_err(|_| Error::InvalidState)?;
        self.seal_inout(nonce, aad, buf)
    }

    /// Encrypts `buf` in place and returns the tag.
    pub(crate) fn seal_in_place(
        &self,
        nonce: &[u8; NONCE_SIZE],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_SIZE]> {
        self.seal_inout(nonce, aad, buf.into())
    }

    fn seal_inout(
        &self,
        nonce: &[u8; NONCE_SIZE],
        aad: &[u8],
        buf: InOutBuf<'_, '_, u8>,
    ) -> Result<[u8; TAG_SIZE]> {
        // The only failure the RustCrypto AEADs report on encryption is an over-long
        // message; chunks are at most 16 KiB, so this is an internal error.
        let tag = match self {
            ChunkAead::Aes256Gcm(c) => c.encrypt_inout_detached(nonce.into(), aad, buf),
            ChunkAead::ChaCha20Poly1305(c) => c.encrypt_inout_detached(nonce.into(), aad, buf),
        }
        .map_err(|_| Error::InvalidState)?;
        let mut out = [0u8; TAG_SIZE];
        out.copy_from_slice(&tag);
        Ok(out)
    }

    /// Verifies `tag` over `input` and only then writes the plaintext into `out`.
    ///
    /// On failure `out` is zeroed, whatever the backend did with it: unauthenticated
    /// plaintext never reaches the caller's buffer.
    pub(crate) fn open(
        &self,
        nonce: &[u8; NONCE_SIZE],
        aad: &[u8],
        input: &[u8],
        tag: &[u8; TAG_SIZE],
        out: &mut [u8],
    ) -> core::result::Result<(), ()> {
        let Ok(buf) = InOutBuf::new(input, out) else {
            return Err(());
        };
        let res = self.open_inout(nonce, aad, buf, tag);
        if res.is_err() {
            out.fill(0);
        }
        res
    }

    /// Verifies and decrypts `buf` in place; on failure `buf` is zeroed.
    pub(crate) fn open_in_place(
        &self,
        nonce: &[u8; NONCE_SIZE],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_SIZE],
    ) -> core::result::Result<(), ()> {
        let res = self.open_inout(nonce, aad, (&mut *buf).into(), tag);
        if res.is_err() {
            buf.fill(0);
        }
        res
    }

    fn open_inout(
        &self,
        nonce: &[u8; NONCE_SIZE],
        aad: &[u8],
        buf: InOutBuf<'_, '_, u8>,
        tag: &[u8; TAG_SIZE],
    ) -> core::result::Result<(), ()> {
        match self {
            ChunkAead::Aes256Gcm(c) => c.decrypt_inout_detached(nonce.into(), aad, buf, tag.into()),
            ChunkAead::ChaCha20Poly1305(c) => {
                c.decrypt_inout_detached(nonce.into(), aad, buf, tag.into())
            }
        }
        .map_err(|_| ())
    }
}
