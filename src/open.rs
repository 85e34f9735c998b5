//! The push-style [`Opener`].

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::error::{Error, Result};

use crate::file_key::FileKey;
use crate::format::header::{self, Header, Step};
use crate::format::metadata::PrivateMetadata;
use crate::growable::{Growable, append};
use crate::open_options::OpenOptions;
use crate::primitives::kdf::KeySchedule;
use crate::primitives::stream::PayloadDecryptor;
use crate::recipient::{Identity, unwrap_any};

/// How much of the input a call to [`Opener::update`] used, and how much plaintext it
/// wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Input bytes consumed. Less than the input only while the opener waits for
    /// [`Opener::unlock`].
    pub consumed: usize,
    /// Plaintext bytes written to the output buffer.
    pub written: usize,
}

enum Phase {
    /// Collecting header bytes; `needed` is the length the parser asked for last.
    Header {
        buf: Vec<u8>,
        needed: usize,
    },
    /// Header parsed, waiting for identities.
    Locked(Box<Header>),
    Payload {
        header: Box<Header>,
        private: PrivateMetadata,
        payload: Box<PayloadDecryptor>,
    },
    Done {
        header: Box<Header>,
        private: PrivateMetadata,
    },
    Failed,
}

/// Opens one sealed job, push style: feed sealed bytes with [`Opener::update`], get
/// plaintext into buffers you own, end with [`Opener::finish`]. Only `finish`
/// returning `Ok` means the job was complete and authentic; plaintext is released one
/// chunk at a time, each only after its tag verified.
///
/// The header is parsed first; its public metadata and stanzas can be read with
/// [`Opener::header`] before any key is given, so that a print server can pick keys by
/// key id. Errors are final: after one, every call returns [`Error::InvalidState`].
///
/// [`Opener::new`] opens with [`OpenOptions::new`] (expired jobs refused); pass other
/// options with [`Opener::with_options`].
pub struct Opener {
    phase: Phase,
    identities: Vec<Box<dyn Identity + Send + Sync>>,
    options: Box<OpenOptions>,
}

impl core::fmt::Debug for Opener {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Opener")
            .field("header", &self.header())
            .finish_non_exhaustive()
    }
}

impl Default for Opener {
    fn default() -> Self {
        Opener::new()
    }
}

impl Opener {
    /// An opener with the default [`OpenOptions`] and no identities: it stops after
    /// the header until [`Opener::unlock`] is called.
    pub fn new() -> Opener {
        Opener::with_options(OpenOptions::new())
    }

    /// An opener with `options` (policy, backend) and no identities yet. The policy is
    /// enforced by [`Opener::unlock`] (also when the opener unlocks itself, see
    /// [`Opener::unlock_with`]): after the header MAC verified, before the private
    /// metadata or any payload is decrypted.
    pub fn with_options(options: OpenOptions) -> Opener {
        Opener {
            phase: Phase::Header {
                buf: Vec::new(),
                needed: 1,
            },
            identities: Vec::new(),
            options: Box::new(options),
        }
    }

    /// Makes the opener unlock itself with `identities` as soon as the header is in,
    /// instead of stopping for [`Opener::unlock`].
    pub fn unlock_with(mut self, identities: Vec<Box<dyn Identity + Send + Sync>>) -> Opener {
        self.identities = identities;
        self
    }

    /// The options this opener applies.
    pub fn options(&self) -> &OpenOptions {
        &self.options
    }

    /// The parsed header, once it has been read. Not authenticated until the opener
    /// is unlocked.
    pub fn header(&self) -> Option<&Header> {
        match &self.phase {
            Phase::Locked(h) | Phase::Payload { header: h, .. } | Phase::Done { header: h, .. } => {
                Some(h)
            }
            _ => None,
        }
    }

    /// The decrypted private metadata, once unlocked.
    pub fn private_metadata(&self) -> Option<&PrivateMetadata> {
        match &self.phase {
            Phase::Payload { private, .. } | Phase::Done { private, .. } => Some(private),
            _ => None,
        }
    }

    /// Whether the header is in and the opener waits for [`Opener::unlock`].
    pub fn is_locked(&self) -> bool {
        matches!(self.phase, Phase::Locked(_))
    }

    /// An upper bound on the plaintext [`Opener::update`] writes for `input_len` more
    /// bytes.
    pub fn update_output_len(&self, input_len: usize) -> usize {
        match &self.phase {
            Phase::Payload { payload, .. } => payload.update_output_len(input_len),
            // The rest of the header may be followed by payload bytes in the same call.
            Phase::Header { .. } => {
                (input_len / crate::primitives::stream::ENCRYPTED_CHUNK_SIZE)
                    * crate::primitives::stream::CHUNK_SIZE
            }
            _ => 0,
        }
    }

    /// How many plaintext bytes [`Opener::finish`] writes at most.
    pub fn finish_output_len(&self) -> usize {
        match &self.phase {
            Phase::Payload { payload, .. } => payload.finish_output_len(),
            _ => 0,
        }
    }

    /// Feeds sealed bytes. Consumes them all, unless the header ends inside `input`
    /// and the opener has no identities: then it stops at the end of the header, and
    /// [`Opener::is_locked`] turns true.
    ///
    /// # Errors
    /// [`Error::OutputTooSmall`] (nothing consumed) if `out` is shorter than
    /// [`Opener::update_output_len`]; any header, recipient or payload error. Errors
    /// are final.
    pub fn update(&mut self, input: &[u8], out: &mut [u8]) -> Result<Progress> {
        let needed = self.update_output_len(input.len());
        if out.len() < needed {
            return Err(Error::OutputTooSmall { needed });
        }
        let res = self.update_inner(input, out);
        if res.is_err() {
            self.phase = Phase::Failed;
        }
        res
    }

    fn update_inner(&mut self, input: &[u8], out: &mut [u8]) -> Result<Progress> {
        let total = input.len();
        let Some(h) = self.take_header(input)? else {
            return Ok(Progress {
                consumed: total,
                written: 0,
            });
        };
        let input = &input[h..];
        match &mut self.phase {
            Phase::Payload { payload, .. } => {
                let written = payload.update(input, out)?;
                Ok(Progress {
                    consumed: total,
                    written,
                })
            }
            Phase::Locked(_) => Ok(Progress {
                consumed: h,
                written: 0,
            }),
            _ => Err(Error::InvalidState),
        }
    }

    /// Feeds the header phase from `input`: `None` if all of it went into the header
    /// and more is needed, else how many bytes of `input` the header took (0 past the
    /// header). Unlocks with the stored identities once the header is in.
    fn take_header(&mut self, mut input: &[u8]) -> Result<Option<usize>> {
        let total = input.len();
        if let Phase::Header { buf, needed } = &mut self.phase {
            loop {
                // Copy only what the parser asked for, so that the header buffer never
                // holds payload bytes and never grows past MAX_HEADER.
                let take = needed.saturating_sub(buf.len()).min(input.len());
                buf.extend_from_slice(&input[..take]);
                input = &input[take..];
                if buf.len() < *needed {
                    // A short input that already differs from the magic is not a
                    // printseal job, however it ends (docs/FORMAT.md §10 step 1).
                    if !header::could_be_magic(buf) {
                        return Err(Error::NotPrintseal);
                    }
                    return Ok(None);
                }
                match header::parse_step(buf)? {
                    Step::Done(h) => {
                        self.phase = Phase::Locked(h);
                        break;
                    }
                    Step::Need(n) => *needed = n,
                }
            }
        }
        if self.is_locked() && !self.identities.is_empty() {
            let ids = core::mem::take(&mut self.identities);
            let refs: Vec<&dyn Identity> = ids.iter().map(|b| &**b as &dyn Identity).collect();
            self.unlock(&refs)?;
        }
        Ok(Some(total - input.len()))
    }

    /// Opens in place: `buf` holds sealed bytes; on `Ok(p)`, `buf[..p.written]` holds
    /// the plaintext of every whole chunk opened, each released only after its tag
    /// verified. The payload passes through memory once; the plaintext never overtakes
    /// the sealed bytes, so no room beyond them is needed.
    ///
    /// `buf[p.written..p.consumed]` is left unspecified (it may hold copies of the
    /// plaintext): treat the whole buffer as holding plaintext.
    ///
    /// Nothing is buffered between calls: `p.consumed` may be less than `buf.len()`.
    /// Move `buf[p.consumed..]` to the front of your buffer, append more sealed bytes
    /// and call again; at the end of the input, give the unconsumed bytes (fewer than
    /// 16,418) to [`Opener::finish_in_place`]. As with [`Opener::update`], a locked
    /// opener stops at the end of the header ([`Opener::is_locked`]). Mixing with
    /// [`Opener::update`] is allowed only while the opener holds no partial chunk.
    ///
    /// # Errors
    /// Any header, recipient or payload error of [`Opener::update`];
    /// [`Error::InvalidState`] if the opener holds a partial chunk from
    /// [`Opener::update`]. Errors are final.
    pub fn update_in_place(&mut self, buf: &mut [u8]) -> Result<Progress> {
        let res = self.update_in_place_inner(buf);
        if res.is_err() {
            self.phase = Phase::Failed;
        }
        res
    }

    fn update_in_place_inner(&mut self, buf: &mut [u8]) -> Result<Progress> {
        let Some(h) = self.take_header(buf)? else {
            return Ok(Progress {
                consumed: buf.len(),
                written: 0,
            });
        };
        match &mut self.phase {
            Phase::Payload { payload, .. } => {
                let (consumed, written) = payload.update_in_place(buf, h)?;
                Ok(Progress {
                    consumed: h + consumed,
                    written,
                })
            }
            Phase::Locked(_) => Ok(Progress {
                consumed: h,
                written: 0,
            }),
            _ => Err(Error::InvalidState),
        }
    }

    /// Ends an in-place open: `buf` holds the bytes [`Opener::update_in_place`] left
    /// unconsumed at the end of the input; on `Ok(n)`, `buf[..n]` holds their
    /// plaintext, and the job was complete and authentic.
    ///
    /// # Errors
    /// As [`Opener::update`] and [`Opener::finish`].
    pub fn finish_in_place(&mut self, buf: &mut [u8]) -> Result<usize> {
        let in_payload = matches!(self.phase, Phase::Payload { .. });
        let res = match &mut self.phase {
            Phase::Payload { payload, .. } => payload.finish_in_place(buf),
            _ => {
                // Still in the header (or misuse): the ordinary path gives the error.
                let tail = buf.to_vec();
                let mut none = [0u8; 0];
                match self.update(&tail, &mut none) {
                    Ok(_) => self.finish(&mut none),
                    Err(e) => Err(e),
                }
            }
        };
        match res {
            Ok(n) => {
                if in_payload {
                    self.finish_phase();
                }
                Ok(n)
            }
            Err(e) => {
                self.phase = Phase::Failed;
                Err(e)
            }
        }
    }

    fn finish_phase(&mut self) {
        if let Phase::Payload {
            header, private, ..
        } = core::mem::replace(&mut self.phase, Phase::Failed)
        {
            self.phase = Phase::Done { header, private };
        }
    }

    /// Unwraps the file key with the first identity that matches a stanza, verifies the
    /// header MAC and decrypts the private metadata.
    ///
    /// # Errors
    /// [`Error::InvalidState`] unless the header is in and the opener is locked;
    /// [`Error::NoMatchingRecipient`] if no identity matches any stanza; the first
    /// unwrap error (such as [`Error::StanzaUnwrap`]) if a matching stanza failed;
    /// [`Error::HeaderMac`] if the header was altered; [`Error::PolicyViolation`] if
    /// the authenticated header breaks the policy of the [`OpenOptions`]. Errors are
    /// final.
    pub fn unlock(&mut self, identities: &[&dyn Identity]) -> Result<()> {
        let Phase::Locked(header) = core::mem::replace(&mut self.phase, Phase::Failed) else {
            return Err(Error::InvalidState);
        };
        let unlocked = unlock(&header, identities, &self.options)?;
        let (ks, private) = (unlocked.keys, unlocked.private);
        let payload = match self.options.forced_backend() {
            None => PayloadDecryptor::new(header.suite(), &ks.payload_key, header.context()),
            Some(b) => {
                PayloadDecryptor::with_backend(header.suite(), &ks.payload_key, header.context(), b)
            }
        };
        self.phase = Phase::Payload {
            header,
            private,
            payload: Box::new(payload),
        };
        Ok(())
    }

    /// Authenticates the end of the payload and writes the last plaintext bytes into
    /// `out`. Returns how many bytes it wrote.
    ///
    /// # Errors
    /// [`Error::Truncated`] if the input ended early (in the header or before the final
    /// chunk); [`Error::PayloadTampered`] or [`Error::TrailingData`] if the final chunk
    /// does not verify; [`Error::OutputTooSmall`]; [`Error::InvalidState`] if still
    /// locked, already finished or failed.
    pub fn finish(&mut self, out: &mut [u8]) -> Result<usize> {
        let needed = self.finish_output_len();
        if out.len() < needed {
            return Err(Error::OutputTooSmall { needed });
        }
        match core::mem::replace(&mut self.phase, Phase::Failed) {
            Phase::Header { .. } => Err(Error::Truncated),
            Phase::Payload {
                header,
                private,
                mut payload,
            } => {
                let n = payload.finish(out)?;
                self.phase = Phase::Done { header, private };
                Ok(n)
            }
            _ => Err(Error::InvalidState),
        }
    }

    /// [`Opener::update`] into a growable buffer.
    ///
    /// # Errors
    /// As [`Opener::update`], less `OutputTooSmall`.
    pub fn update_to_vec(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<Progress> {
        self.update_growable(input, out)
    }

    pub(crate) fn update_growable<B: Growable>(
        &mut self,
        input: &[u8],
        out: &mut B,
    ) -> Result<Progress> {
        let room = self.update_output_len(input.len());
        append(out, room, |buf| self.update(input, buf), |p| p.written)
    }

    /// [`Opener::finish`] into a growable buffer.
    ///
    /// # Errors
    /// As [`Opener::finish`], less `OutputTooSmall`.
    pub fn finish_to_vec(&mut self, out: &mut Vec<u8>) -> Result<usize> {
        self.finish_growable(out)
    }

    pub(crate) fn finish_growable<B: Growable>(&mut self, out: &mut B) -> Result<usize> {
        let room = self.finish_output_len();
        append(out, room, |buf| self.finish(buf), |n| *n)
    }
}

/// A header opened by [`unlock`]: the file key, its key schedule and the decrypted
/// private metadata.
pub(crate) struct Unlocked {
    pub(crate) file_key: FileKey,
    pub(crate) keys: KeySchedule,
    pub(crate) private: PrivateMetadata,
}

/// The one unlock, for every open path and rewrap (docs/FORMAT.md §10, steps 6 to 9):
/// finds the file key with `identities` (bounded trial unwraps, see
/// [`crate::recipient::Identity`]), verifies the header MAC with it, checks the
/// options' policy on the now-authenticated header, and decrypts the private metadata.
/// The payload's key commitment is checked next, by whoever reads the payload prefix
/// (through `primitives::stream::keys_for_prefix`).
pub(crate) fn unlock(
    header: &Header,
    identities: &[&dyn Identity],
    options: &OpenOptions,
) -> Result<Unlocked> {
    let file_key = match unwrap_any(header.stanzas(), identities) {
        Ok(k) => k,
        Err(e) => return Err(e.unwrap_or(Error::NoMatchingRecipient)),
    };
    let keys = KeySchedule::new(&file_key);
    header.verify_mac(&keys)?;
    options.open_policy().check_header(header)?;
    let private = header.private_metadata(&keys)?;
    Ok(Unlocked {
        file_key,
        keys,
        private,
    })
}
