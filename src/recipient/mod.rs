//! Who may open a job: the [`Recipient`] and [`Identity`] traits and the built-in kinds.
//!
//! A recipient wraps the file key into a stanza when a job is sealed; an identity
//! unwraps a stanza when it is opened. The traits are object-safe and take only
//! borrowed slices and owned values, so a host can implement them over an HSM, a
//! PKCS#11 token, a TPM or an OS key store, and the C ABI can forward them to callbacks.

pub mod kek;

use alloc::vec::Vec;

use crate::error::Result;
use crate::file_key::FileKey;
use crate::format::stanza::Stanza;

/// Something a job can be sealed to.
pub trait Recipient {
    /// Wraps `file_key` into one stanza for this recipient, drawing any randomness the
    /// wrap needs from `rng`.
    ///
    /// # Errors
    /// Whatever the key store reports, as a printseal [`crate::Error`].
    fn wrap_file_key(
        &self,
        file_key: &FileKey,
        rng: &mut dyn rand_core::CryptoRng,
    ) -> Result<Stanza>;
}

/// Something that can open jobs sealed to it.
pub trait Identity {
    /// Tries to unwrap `stanza`.
    ///
    /// Returns `None` if the stanza is not for this identity (another kind, or another
    /// key id), `Some(Ok(key))` on success, and `Some(Err(_))` if the stanza is for this
    /// identity but fails to unwrap (wrong key, or tampered stanza).
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey>>;
}

/// Unwraps the file key from the first stanza that one of `identities` can open.
pub(crate) fn unwrap_any(
    stanzas: &[Stanza],
    identities: &[&dyn Identity],
) -> core::result::Result<FileKey, Option<crate::Error>> {
    let mut first_err = None;
    for stanza in stanzas {
        for id in identities {
            match id.unwrap_stanza(stanza) {
                None => {}
                Some(Ok(key)) => return Ok(key),
                Some(Err(e)) => {
                    first_err.get_or_insert(e);
                }
            }
        }
    }
    Err(first_err)
}

/// Wraps `file_key` for every recipient.
pub(crate) fn wrap_all(
    file_key: &FileKey,
    recipients: &[&dyn Recipient],
    rng: &mut dyn rand_core::CryptoRng,
) -> Result<Vec<Stanza>> {
    recipients.iter().map(|r| r.wrap_file_key(file_key, rng)).collect()
}
