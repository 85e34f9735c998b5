//! The push-style [`Sealer`] and its [`SealOptions`].

use alloc::string::ToString;
use alloc::vec::Vec;

use crate::error::{Error, Result};
use crate::file_key::FileKey;
use crate::format::header::{assemble, build_context};
use crate::format::metadata::{PrivateMetadata, PublicMetadata};
use crate::growable::{Growable, append};
use crate::primitives::aead::Backend;
use crate::primitives::kdf::KeySchedule;
use crate::primitives::stream::{PayloadEncryptor, SALT_SIZE};
use crate::recipient::{Recipient, wrap_all};
use crate::suite::Suite;

/// What goes into a sealed job's header besides the recipients.
#[derive(Clone, Debug)]
pub struct SealOptions {
    suite: Suite,
    allow_mixed_pq: bool,
    public: PublicMetadata,
    private: PrivateMetadata,
    created_set: bool,
    backend: Option<Backend>,
}

impl SealOptions {
    /// Options for a payload of MIME type `content_type` (checked when sealing), with
    /// suite [`Suite::Aes256Gcm`], this crate as producer together with the SHA-256 of
    /// its embedded SBOM ([`crate::sbom_sha256`]), and the creation time taken
    /// from the system clock when sealing (0 without `std`, unless set).
    pub fn new(content_type: &str) -> SealOptions {
        SealOptions {
            suite: Suite::Aes256Gcm,
            allow_mixed_pq: false,
            public: PublicMetadata {
                producer_name: crate::PRODUCER_NAME.to_string(),
                producer_version: crate::VERSION.to_string(),
                sbom_sha256: Some(crate::sbom::sbom_sha256()),
                content_type: content_type.to_string(),
                created: 0,
                expires: None,
                job_id: None,
            },
            private: PrivateMetadata::new(),
            created_set: false,
            backend: None,
        }
    }

    /// Chooses the payload suite.
    pub fn suite(mut self, suite: Suite) -> Self {
        self.suite = suite;
        self
    }

    /// Forces the implementation of the chunk AEAD (by default AWS-LC when the
    /// `aws-lc-rs` feature is on, else RustCrypto). The sealed bytes are the same
    /// whichever computes them: this is for benchmarks and cross-checks.
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = Some(backend);
        self
    }

    /// Sets the print system's job id (public).
    pub fn job_id(mut self, id: &str) -> Self {
        self.public.job_id = Some(id.to_string());
        self
    }

    /// Sets the creation time, in seconds since the Unix epoch.
    pub fn created_at(mut self, unix_seconds: u64) -> Self {
        self.public.created = unix_seconds;
        self.created_set = true;
        self
    }

    /// Sets an expiry time, in seconds since the Unix epoch (must not be 0).
    pub fn expires_at(mut self, unix_seconds: u64) -> Self {
        self.public.expires = Some(unix_seconds);
        self
    }

    /// Allows sealing to post-quantum and classical recipients together (refused by
    /// default with [`Error::MixedPostQuantum`]).
    ///
    /// A job is as strong as its weakest stanza: next to an X25519 stanza, an X-Wing
    /// stanza no longer protects the job against a quantum adversary who recorded it,
    /// since breaking the X25519 stanza gives the file key. Allow the mix only when the
    /// classical recipient is deliberate (for instance a classical escrow key during a
    /// migration). See [`crate::recipient::QuantumSecurity`].
    pub fn allow_mixed_pq(mut self, allow: bool) -> Self {
        self.allow_mixed_pq = allow;
        self
    }

    /// Records another producer than this crate (for a tool built on printseal).
    ///
    /// The header's SBOM digest is the producer's: this drops the digest of printseal's
    /// own SBOM that [`SealOptions::new`] recorded (a digest set with
    /// [`SealOptions::sbom_sha256`] stays). Record the tool's SBOM with
    /// [`SealOptions::sbom_sha256`].
    pub fn producer(mut self, name: &str, version: &str) -> Self {
        self.public.producer_name = name.to_string();
        self.public.producer_version = version.to_string();
        if self.public.sbom_sha256 == Some(crate::sbom::sbom_sha256()) {
            self.public.sbom_sha256 = None;
        }
        self
    }

    /// Records the SHA-256 of the producer's SBOM.
    pub fn sbom_sha256(mut self, digest: [u8; 32]) -> Self {
        self.public.sbom_sha256 = Some(digest);
        self
    }

    /// Adds a private (encrypted) metadata entry.
    ///
    /// # Errors
    /// As [`PrivateMetadata::insert`].
    pub fn private_entry(mut self, key: &str, value: &[u8]) -> Result<Self> {
        self.private.insert(key, value)?;
        Ok(self)
    }

    /// The public metadata as it will be written (creation time aside).
    pub fn public_metadata(&self) -> &PublicMetadata {
        &self.public
    }

    fn resolved_public(&self) -> PublicMetadata {
        let mut p = self.public.clone();
        if !self.created_set {
            p.created = now();
        }
        p
    }
}

#[cfg(feature = "std")]
fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(not(feature = "std"))]
fn now() -> u64 {
    0
}

/// Seals one job, push style: feed plaintext with [`Sealer::update`], end with
/// [`Sealer::finish`]. Output goes into buffers the caller owns; the exact size each
/// call needs is known beforehand ([`Sealer::update_output_len`],
/// [`Sealer::finish_output_len`]). Memory is one 16 KiB chunk plus the header.
///
/// A job whose `finish` was never called is truncated, and no opener accepts it.
pub struct Sealer {
    header: Vec<u8>,
    header_pending: bool,
    payload: PayloadEncryptor,
}

impl core::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sealer")
            .field("header_len", &self.header.len())
            .finish_non_exhaustive()
    }
}

impl Sealer {
    /// Starts sealing to `recipients` with randomness from the operating system.
    ///
    /// # Errors
    /// [`Error::Randomness`] if the OS generator fails; otherwise as
    /// [`Sealer::with_rng`].
    #[cfg(feature = "getrandom")]
    pub fn new(options: &SealOptions, recipients: &[&dyn Recipient]) -> Result<Sealer> {
        let mut rng = crate::rng::os_rng()?;
        Sealer::with_rng(options, recipients, &mut rng)
    }

    /// Starts sealing to `recipients`, drawing the file key, the payload salt and any
    /// recipient randomness from `rng`.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] for no recipients or too many, or metadata over its
    /// limits; [`Error::InvalidInput`] for malformed metadata;
    /// [`Error::MixedPostQuantum`] for post-quantum and classical recipients together
    /// (see [`SealOptions::allow_mixed_pq`]); any error a recipient's wrap returns.
    pub fn with_rng(
        options: &SealOptions,
        recipients: &[&dyn Recipient],
        rng: &mut dyn rand_core::CryptoRng,
    ) -> Result<Sealer> {
        if recipients.is_empty() || recipients.len() > crate::limits::MAX_STANZAS {
            return Err(Error::LimitExceeded(crate::error::Limit::StanzaCount));
        }
        crate::recipient::check_pq_mix(recipients, options.allow_mixed_pq)?;
        let file_key = FileKey::generate(rng);
        let ks = KeySchedule::new(&file_key);
        let context = build_context(
            options.suite,
            &options.resolved_public(),
            &options.private,
            &ks,
        )?;
        let stanzas = wrap_all(&file_key, recipients, rng)?;
        let header = assemble(&context, &stanzas, &ks)?;
        let mut salt = [0u8; SALT_SIZE];
        rng.fill_bytes(&mut salt);
        let payload = match options.backend {
            None => PayloadEncryptor::new(options.suite, &ks.payload_key, &salt, &context),
            Some(b) => {
                PayloadEncryptor::with_backend(options.suite, &ks.payload_key, &salt, &context, b)?
            }
        };
        Ok(Sealer {
            header,
            header_pending: true,
            payload,
        })
    }

    /// The header this sealer writes first.
    pub fn header_bytes(&self) -> &[u8] {
        &self.header
    }

    /// Exactly how many bytes [`Sealer::update`] will write for `input_len` more bytes.
    ///
    /// Saturates at `usize::MAX` for an `input_len` whose output no buffer could hold
    /// (no slice is that long; [`Sealer::update`] then reports
    /// [`Error::OutputTooSmall`]); it never wraps around to a small bound.
    pub fn update_output_len(&self, input_len: usize) -> usize {
        self.pending_header()
            .saturating_add(self.payload.update_output_len(input_len))
    }

    /// Exactly how many bytes [`Sealer::finish`] will write.
    pub fn finish_output_len(&self) -> usize {
        self.pending_header()
            .saturating_add(self.payload.finish_output_len())
    }

    fn pending_header(&self) -> usize {
        if self.header_pending {
            self.header.len()
        } else {
            0
        }
    }

    fn write_header(&mut self, out: &mut [u8]) -> usize {
        if !self.header_pending {
            return 0;
        }
        self.header_pending = false;
        out[..self.header.len()].copy_from_slice(&self.header);
        self.header.len()
    }

    /// Consumes all of `input` and writes the sealed bytes that are ready (the header
    /// on the first call, then whole chunks) into `out`. Returns how many bytes it
    /// wrote.
    ///
    /// # Errors
    /// [`Error::OutputTooSmall`] with nothing consumed if `out` is shorter than
    /// [`Sealer::update_output_len`]; [`Error::InvalidState`] after `finish` or an
    /// error; [`Error::LimitExceeded`] past the payload limit.
    pub fn update(&mut self, input: &[u8], out: &mut [u8]) -> Result<usize> {
        let needed = self.update_output_len(input.len());
        if out.len() < needed {
            return Err(Error::OutputTooSmall { needed });
        }
        let h = self.write_header(out);
        Ok(h + self.payload.update(input, &mut out[h..])?)
    }

    /// Seals in place: `buf[..len]` holds `len` more plaintext bytes; on `Ok(n)`,
    /// `buf[..n]` holds exactly the bytes [`Sealer::update`] would have written for
    /// them (the header on the first call, then whole chunks). Plaintext that does not
    /// complete a chunk is kept for the next call or [`Sealer::finish`]. The payload
    /// passes through memory once instead of being read from one buffer and written to
    /// another (see docs/PERFORMANCE.md); output is byte-identical.
    ///
    /// `buf.len()` must be at least
    /// `max(len, `[`Sealer::update_output_len`]`(len))`
    /// ([`Sealer::update_in_place_len`]): sealed bytes are longer than their
    /// plaintext, so leave room after it.
    ///
    /// # Errors
    /// [`Error::OutputTooSmall`] with nothing consumed if `buf` is shorter than that;
    /// otherwise as [`Sealer::update`].
    pub fn update_in_place(&mut self, buf: &mut [u8], len: usize) -> Result<usize> {
        let needed = self.update_in_place_len(len);
        if buf.len() < needed {
            return Err(Error::OutputTooSmall { needed });
        }
        let lead = self.pending_header();
        let n = self.payload.update_in_place(buf, lead, len)?;
        let h = self.write_header(buf);
        Ok(h + n)
    }

    /// Exactly how long the buffer given to [`Sealer::update_in_place`] with `len`
    /// plaintext bytes must be: `max(len, update_output_len(len))`.
    pub fn update_in_place_len(&self, len: usize) -> usize {
        self.update_output_len(len).max(len)
    }

    /// Writes the rest of the job (the final chunk) into `out` and returns how many
    /// bytes it wrote.
    ///
    /// # Errors
    /// [`Error::OutputTooSmall`] if `out` is shorter than
    /// [`Sealer::finish_output_len`]; [`Error::InvalidState`] if called twice.
    pub fn finish(&mut self, out: &mut [u8]) -> Result<usize> {
        let needed = self.finish_output_len();
        if out.len() < needed {
            return Err(Error::OutputTooSmall { needed });
        }
        let h = self.write_header(out);
        Ok(h + self.payload.finish(&mut out[h..])?)
    }

    /// [`Sealer::update`] into a growable buffer.
    ///
    /// # Errors
    /// As [`Sealer::update`], less `OutputTooSmall`.
    pub fn update_to_vec(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<usize> {
        self.update_growable(input, out)
    }

    pub(crate) fn update_growable<B: Growable>(
        &mut self,
        input: &[u8],
        out: &mut B,
    ) -> Result<usize> {
        let room = self.update_output_len(input.len());
        append(out, room, |buf| self.update(input, buf), |n| *n)
    }

    /// [`Sealer::finish`] into a growable buffer.
    ///
    /// # Errors
    /// As [`Sealer::finish`], less `OutputTooSmall`.
    pub fn finish_to_vec(&mut self, out: &mut Vec<u8>) -> Result<usize> {
        self.finish_growable(out)
    }

    pub(crate) fn finish_growable<B: Growable>(&mut self, out: &mut B) -> Result<usize> {
        let room = self.finish_output_len();
        append(out, room, |buf| self.finish(buf), |n| *n)
    }
}
