//! One-shot helpers for jobs that fit in memory.

use alloc::boxed::Box;
use alloc::vec::Vec;

use zeroize::Zeroize;

use crate::error::Result;
use crate::format::header::Header;
use crate::format::metadata::PrivateMetadata;
use crate::open::Opener;
use crate::open_options::OpenOptions;
use crate::primitives::stream::CHUNK_SIZE;
use crate::recipient::{Identity, Recipient};
use crate::seal::{SealOptions, Sealer};

/// A job opened in full. `Debug` shows the header and the lengths only: no plaintext
/// and no private metadata value.
#[non_exhaustive]
pub struct Opened {
    /// The header, now authenticated.
    pub header: Header,
    /// The decrypted private metadata.
    pub private_metadata: PrivateMetadata,
    /// The payload. Zeroize it yourself when done if it is sensitive.
    pub plaintext: Vec<u8>,
}

impl core::fmt::Debug for Opened {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Opened")
            .field("header", &self.header)
            .field("private_metadata_entries", &self.private_metadata.len())
            .field("plaintext_len", &self.plaintext.len())
            .finish_non_exhaustive()
    }
}

/// Seals `plaintext` to `recipients` in one call, with OS randomness.
///
/// # Errors
/// As [`Sealer::new`] and [`Sealer::update`].
#[cfg(feature = "getrandom")]
pub fn seal(
    options: &SealOptions,
    recipients: &[&dyn Recipient],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    seal_all(Sealer::new(options, recipients)?, plaintext)
}

/// Seals `plaintext` to `recipients` in one call, with randomness from `rng`.
///
/// # Errors
/// As [`Sealer::with_rng`] and [`Sealer::update`].
pub fn seal_with_rng(
    options: &SealOptions,
    recipients: &[&dyn Recipient],
    plaintext: &[u8],
    rng: &mut dyn rand_core::CryptoRng,
) -> Result<Vec<u8>> {
    seal_all(Sealer::with_rng(options, recipients, rng)?, plaintext)
}

fn seal_all(mut sealer: Sealer, plaintext: &[u8]) -> Result<Vec<u8>> {
    // `finish_output_len` is exact for the sealer as it is now, before `update`; after
    // it the sealer holds back up to a chunk of plaintext for `finish`. Room for that
    // too, so that the output is allocated once: a growing output moves to a fresh
    // allocation and the old one is wiped, which cost a 100 KiB job half its time.
    let held_back = plaintext.len().min(CHUNK_SIZE);
    let mut out = Vec::with_capacity(
        sealer
            .update_output_len(plaintext.len())
            .saturating_add(sealer.finish_output_len())
            .saturating_add(held_back),
    );
    sealer.update_to_vec(plaintext, &mut out)?;
    sealer.finish_to_vec(&mut out)?;
    Ok(out)
}

/// Opens a whole sealed job held in memory with the first identity that matches, with
/// the default [`OpenOptions`] (expired jobs refused).
///
/// # Errors
/// Any error of [`Opener`]; a job that is not complete and authentic never opens.
pub fn open(sealed: &[u8], identities: &[&dyn Identity]) -> Result<Opened> {
    open_with(sealed, identities, &OpenOptions::new())
}

/// [`open`] with `options`: the policy is checked once the header MAC verified, before
/// anything is decrypted.
///
/// # Errors
/// As [`open`], and [`crate::Error::PolicyViolation`].
pub fn open_with(
    sealed: &[u8],
    identities: &[&dyn Identity],
    options: &OpenOptions,
) -> Result<Opened> {
    open_all(Opener::with_options(options.clone()), sealed, identities)
}

fn open_all(mut opener: Opener, sealed: &[u8], identities: &[&dyn Identity]) -> Result<Opened> {
    // The header through the buffered path in pieces shorter than a chunk (no output
    // room needed); the opener has no identities, so it stops at the header's end.
    let piece = crate::primitives::stream::ENCRYPTED_CHUNK_SIZE - 1;
    let mut pos = 0;
    while !opener.is_locked() && pos < sealed.len() {
        let end = sealed.len().min(pos + piece);
        pos += opener.update(&sealed[pos..end], &mut [])?.consumed;
    }
    let mut plaintext = Vec::new();
    if opener.is_locked() {
        opener.unlock(identities)?;
        if let Err(e) = open_payload(&mut opener, &sealed[pos..], &mut plaintext) {
            plaintext.zeroize();
            return Err(e);
        }
    } else {
        opener.finish(&mut [])?;
    }
    let header = opener
        .header()
        .cloned()
        .ok_or(crate::Error::Internal("opener finished without a header"))?;
    let private_metadata = opener.private_metadata().cloned().unwrap_or_default();
    Ok(Opened {
        header,
        private_metadata,
        plaintext,
    })
}

/// Opens the payload `sealed` into `out` (empty). Plaintext is never longer than its
/// ciphertext, so one zeroed allocation of the sealed payload's length holds all of
/// it, and the payload is opened out of place into it: read once, the plaintext
/// written once (with `parallel`, on rayon's threads). `vec![0; n]` asks the allocator
/// for zeroed memory, which for a large job is fresh zero pages with no zeroing pass;
/// the in-place path this replaces copied the whole payload first (1 MiB: 1.14x the
/// push API's time, now within its 10%).
fn open_payload(opener: &mut Opener, sealed: &[u8], out: &mut Vec<u8>) -> Result<()> {
    *out = alloc::vec![0u8; sealed.len()];
    let p = opener.update(sealed, out)?;
    let n = opener.finish(&mut out[p.written..])?;
    out.truncate(p.written + n);
    Ok(())
}

/// Boxes identities for [`Opener::unlock_with`].
pub fn boxed<I: Identity + Send + Sync + 'static>(id: I) -> Box<dyn Identity + Send + Sync> {
    Box::new(id)
}
