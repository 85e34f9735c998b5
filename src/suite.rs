//! Payload suites: which AEAD the C2SP chunked construction runs over.

use crate::error::{Error, Result};

/// The payload suite of a sealed job, recorded in its header.
///
/// Both suites are the [C2SP chunked encryption](https://c2sp.org/chunked-encryption)
/// construction with HKDF-SHA-512, 16 KiB chunks, a 24-byte salt and a 32-byte key
/// commitment; they differ only in the chunk AEAD.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Suite {
    /// Suite `0x0001`: Cobblestone-256 exactly (AES-256-GCM). The default: AES
    /// instructions are on every server CPU printseal targets.
    Aes256Gcm,
    /// Suite `0x0002`: the same construction over ChaCha20-Poly1305 (RFC 8439), for
    /// devices without AES instructions.
    ChaCha20Poly1305,
}

impl Suite {
    /// Every suite this build can seal and open, in id order.
    pub const ALL: [Suite; 2] = [Suite::Aes256Gcm, Suite::ChaCha20Poly1305];

    /// The suite's id as written in the header.
    pub const fn id(self) -> u16 {
        match self {
            Suite::Aes256Gcm => 0x0001,
            Suite::ChaCha20Poly1305 => 0x0002,
        }
    }

    /// Looks a suite up by its header id.
    ///
    /// # Errors
    /// [`Error::UnsupportedSuite`] for an id this build does not know.
    pub const fn from_id(id: u16) -> Result<Suite> {
        match id {
            0x0001 => Ok(Suite::Aes256Gcm),
            0x0002 => Ok(Suite::ChaCha20Poly1305),
            other => Err(Error::UnsupportedSuite(other)),
        }
    }

    /// The AEAD's name in the IANA AEAD registry, as the C2SP key derivation uses it.
    pub const fn aead_name(self) -> &'static str {
        match self {
            Suite::Aes256Gcm => "AEAD_AES_256_GCM",
            Suite::ChaCha20Poly1305 => "AEAD_CHACHA20_POLY1305",
        }
    }

    /// A short human-readable name.
    pub const fn name(self) -> &'static str {
        match self {
            Suite::Aes256Gcm => "Cobblestone-256 (AES-256-GCM)",
            Suite::ChaCha20Poly1305 => "C2SP chunked ChaCha20-Poly1305",
        }
    }
}

impl core::fmt::Display for Suite {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}
