//! The payload layer: [C2SP chunked encryption](https://c2sp.org/chunked-encryption).
//!
//! > key || base nonce || commitment = HKDF-Expand(prk = input key,
//! >     info = "c2sp.org/chunked-encryption@v1+" || aead || 0x00 || salt || context)
//!
//! > The message is split into chunks of 16 KiB, except the final chunk which MUST be
//! > shorter than 16 KiB, and MAY be empty.
//!
//! > Each chunk MUST be encrypted/decrypted with the AEAD using the *key* and a *nonce*
//! > derived as the XOR of the *base nonce* and the chunk number as a big-endian
//! > integer as wide as the *base nonce*. [...] The AEAD's AAD is not used and MUST be
//! > empty.
//!
//! Push-style: [`PayloadEncryptor`] and [`PayloadDecryptor`] take input slices and
//! write into caller-owned output slices whose required size is known in advance, so
//! that the C ABI can drive them with its own buffers. Memory is one chunk each.
//!
//! With the `parallel` feature, a call that is given at least [`PARALLEL_MIN_CHUNKS`]
//! whole chunks seals or opens them on rayon's threads, straight from the input slice
//! into the output slice. Each chunk's nonce depends only on its index, so the output
//! is byte-identical to the sequential path, and no memory is added beyond the
//! caller's buffers.

use alloc::vec;
use alloc::vec::Vec;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{Error, Limit, Result};
use crate::primitives::aead::{Backend, ChunkAead, KEY_SIZE, NONCE_SIZE, TAG_SIZE};
use crate::primitives::kdf::hkdf_sha512_expand;
use crate::suite::Suite;

/// Plaintext bytes in every chunk but the last.
pub const CHUNK_SIZE: usize = 16 * 1024;
/// Ciphertext bytes of a full chunk.
pub const ENCRYPTED_CHUNK_SIZE: usize = CHUNK_SIZE + TAG_SIZE;
/// Size of the random salt that starts the payload.
pub const SALT_SIZE: usize = 24;
/// Size of the key commitment that follows the salt.
pub const COMMITMENT_SIZE: usize = 32;
/// Salt plus commitment: the fixed prefix of every payload.
pub const PREFIX_SIZE: usize = SALT_SIZE + COMMITMENT_SIZE;
/// Chunk counters must stay below 2^38 (C2SP: "implementations MUST abort").
pub const MAX_CHUNKS: u64 = 1 << 38;

const LABEL: &[u8] = b"c2sp.org/chunked-encryption@v1+";

/// With the `parallel` feature, the fewest whole chunks in one `update` call that are
/// sealed or opened on several threads; shorter runs stay on the calling thread, where
/// handing work to other threads would cost more than it saves.
pub const PARALLEL_MIN_CHUNKS: usize = 8;

/// How many trailing bytes the decryptor looks for when a chunk fails. The format ends
/// where the file ends, so bytes appended to a job make its last chunk fail; when the
/// real final chunk sits just before a few stray bytes (a newline, CRLF, NUL padding),
/// one more AEAD check per candidate finds it and the error says "trailing data"
/// rather than "tampered". Bounded so that a forged tail costs at most this many extra
/// chunk verifications.
pub(crate) const TRAILING_PROBE: usize = 16;

/// The per-message key and base nonce, derived from the input key and salt.
pub(crate) struct ChunkKeys {
    aead: ChunkAead,
    base_nonce: [u8; NONCE_SIZE],
}

impl Drop for ChunkKeys {
    fn drop(&mut self) {
        self.base_nonce.zeroize();
    }
}

/// The raw outputs of the C2SP derivation, for tests that check it apart from the
/// chunk layer.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct Derived {
    pub(crate) key: [u8; KEY_SIZE],
    pub(crate) base_nonce: [u8; NONCE_SIZE],
    pub(crate) commitment: [u8; COMMITMENT_SIZE],
}

pub(crate) fn derive(
    suite: Suite,
    input_key: &[u8; KEY_SIZE],
    salt: &[u8; SALT_SIZE],
    context: &[u8],
) -> Derived {
    let mut okm = Zeroizing::new([0u8; KEY_SIZE + NONCE_SIZE + COMMITMENT_SIZE]);
    hkdf_sha512_expand(
        input_key,
        &[LABEL, suite.aead_name().as_bytes(), &[0], salt, context],
        &mut okm[..],
    );
    let mut d = Derived {
        key: [0; KEY_SIZE],
        base_nonce: [0; NONCE_SIZE],
        commitment: [0; 32],
    };
    d.key.copy_from_slice(&okm[..KEY_SIZE]);
    d.base_nonce
        .copy_from_slice(&okm[KEY_SIZE..KEY_SIZE + NONCE_SIZE]);
    d.commitment.copy_from_slice(&okm[KEY_SIZE + NONCE_SIZE..]);
    d
}

/// Derives the chunk keys of a payload from its prefix (salt and key commitment),
/// after checking the commitment in constant time ("MUST check the commitment matches
/// [...] before continuing"). The one commitment check: the streaming decryptor, the
/// seekable reader and rewrap all come through here.
///
/// # Errors
/// [`Error::PayloadCommitment`] if the commitment does not match (the payload belongs
/// to another header or key, or was altered); [`Error::Internal`] if the backend
/// refuses the key.
pub(crate) fn keys_for_prefix(
    suite: Suite,
    input_key: &[u8; KEY_SIZE],
    prefix: &[u8; PREFIX_SIZE],
    context: &[u8],
    backend: Option<Backend>,
) -> Result<ChunkKeys> {
    let mut salt = [0u8; SALT_SIZE];
    salt.copy_from_slice(&prefix[..SALT_SIZE]);
    let d = derive(suite, input_key, &salt, context);
    if !bool::from(d.commitment.ct_eq(&prefix[SALT_SIZE..])) {
        return Err(Error::PayloadCommitment);
    }
    ChunkKeys::from_derived_with(suite, &d, backend)
}

impl ChunkKeys {
    pub(crate) fn from_derived(suite: Suite, d: &Derived) -> ChunkKeys {
        ChunkKeys {
            aead: ChunkAead::new(suite, &d.key),
            base_nonce: d.base_nonce,
        }
    }

    /// As [`Self::from_derived`] with the given backend, or the default one if `None`.
    pub(crate) fn from_derived_with(
        suite: Suite,
        d: &Derived,
        backend: Option<Backend>,
    ) -> Result<ChunkKeys> {
        let aead = match backend {
            Some(b) => ChunkAead::with_backend(suite, &d.key, b)?,
            None => ChunkAead::new(suite, &d.key),
        };
        Ok(ChunkKeys {
            aead,
            base_nonce: d.base_nonce,
        })
    }

    /// Checks that chunks `first .. first + count` all have nonces.
    fn check_run(first: u64, count: usize) -> Result<()> {
        match first.checked_add(count as u64) {
            Some(end) if end <= MAX_CHUNKS => Ok(()),
            _ => Err(Error::LimitExceeded(Limit::PayloadLength)),
        }
    }

    /// Seals the whole chunks of `input` (a multiple of [`CHUNK_SIZE`]) as chunks
    /// `first, first + 1, ...` into `out` (the same number of [`ENCRYPTED_CHUNK_SIZE`]
    /// pieces): on several threads with the `parallel` feature and at least
    /// [`PARALLEL_MIN_CHUNKS`] chunks. None of them is the final chunk.
    pub(crate) fn seal_chunks(&self, first: u64, input: &[u8], out: &mut [u8]) -> Result<()> {
        let count = input.len() / CHUNK_SIZE;
        if !input.len().is_multiple_of(CHUNK_SIZE) || out.len() != count * ENCRYPTED_CHUNK_SIZE {
            return Err(Error::Internal("seal_chunks given a partial chunk run"));
        }
        Self::check_run(first, count)?;
        #[cfg(feature = "parallel")]
        if count >= PARALLEL_MIN_CHUNKS {
            use rayon::prelude::*;
            return input
                .par_chunks(CHUNK_SIZE)
                .zip(out.par_chunks_mut(ENCRYPTED_CHUNK_SIZE))
                .enumerate()
                .try_for_each(|(i, (pt, ct))| self.seal_chunk(first + i as u64, pt, ct));
        }
        let pieces = input
            .chunks_exact(CHUNK_SIZE)
            .zip(out.chunks_exact_mut(ENCRYPTED_CHUNK_SIZE));
        for (i, (pt, ct)) in pieces.enumerate() {
            self.seal_chunk(first + i as u64, pt, ct)?;
        }
        Ok(())
    }

    /// Opens the full-length chunks of `input` (a multiple of [`ENCRYPTED_CHUNK_SIZE`])
    /// as chunks `first, first + 1, ...` into `out` (the same number of [`CHUNK_SIZE`]
    /// pieces), none of them final.
    ///
    /// On failure the error is that of the first failing chunk, whatever the thread
    /// schedule, and `out` is zeroed from that chunk to its end: the chunks before it
    /// hold authentic plaintext, and nothing from it or after it is released.
    pub(crate) fn open_chunks(&self, first: u64, input: &[u8], out: &mut [u8]) -> Result<()> {
        let count = input.len() / ENCRYPTED_CHUNK_SIZE;
        if !input.len().is_multiple_of(ENCRYPTED_CHUNK_SIZE) || out.len() != count * CHUNK_SIZE {
            return Err(Error::Internal("open_chunks given a partial chunk run"));
        }
        Self::check_run(first, count)?;
        #[cfg(feature = "parallel")]
        if count >= PARALLEL_MIN_CHUNKS {
            use rayon::prelude::*;
            let first_failure = input
                .par_chunks(ENCRYPTED_CHUNK_SIZE)
                .zip(out.par_chunks_mut(CHUNK_SIZE))
                .enumerate()
                .filter_map(|(i, (ct, pt))| {
                    self.open_chunk(first + i as u64, false, ct, pt)
                        .err()
                        .map(|e| (i, e))
                })
                .min_by_key(|(i, _)| *i);
            return match first_failure {
                None => Ok(()),
                Some((i, e)) => {
                    out[i * CHUNK_SIZE..].fill(0);
                    Err(e)
                }
            };
        }
        let pieces = input
            .chunks_exact(ENCRYPTED_CHUNK_SIZE)
            .zip(out.chunks_exact_mut(CHUNK_SIZE));
        for (i, (ct, pt)) in pieces.enumerate() {
            if let Err(e) = self.open_chunk(first + i as u64, false, ct, pt) {
                out[i * CHUNK_SIZE..].fill(0);
                return Err(e);
            }
        }
        Ok(())
    }

    /// The nonce of chunk `counter`: the base nonce XOR the big-endian counter.
    /// Refuses counters at or past 2^38, so no nonce can repeat within a message.
    fn nonce(&self, counter: u64) -> Result<[u8; NONCE_SIZE]> {
        if counter >= MAX_CHUNKS {
            return Err(Error::LimitExceeded(Limit::PayloadLength));
        }
        let mut n = self.base_nonce;
        for (b, c) in n[NONCE_SIZE - 8..].iter_mut().zip(counter.to_be_bytes()) {
            *b ^= c;
        }
        Ok(n)
    }

    /// Seals `input` (at most one chunk) as chunk `counter` into `out`, which must be
    /// `input.len() + TAG_SIZE` long.
    pub(crate) fn seal_chunk(&self, counter: u64, input: &[u8], out: &mut [u8]) -> Result<()> {
        let nonce = self.nonce(counter)?;
        let (body, tag_out) = out.split_at_mut(input.len());
        let tag = self.aead.seal(&nonce, &[], input, body)?;
        tag_out.copy_from_slice(&tag);
        Ok(())
    }

    /// Seals chunk `counter` in place: `buf` holds the plaintext followed by
    /// [`TAG_SIZE`] bytes of room for the tag.
    fn seal_chunk_in_place(&self, counter: u64, buf: &mut [u8]) -> Result<()> {
        let nonce = self.nonce(counter)?;
        let Some(body_len) = buf.len().checked_sub(TAG_SIZE) else {
            return Err(Error::Internal("in-place chunk without room for its tag"));
        };
        let (body, tag_out) = buf.split_at_mut(body_len);
        let tag = self.aead.seal_in_place(&nonce, &[], body)?;
        tag_out.copy_from_slice(&tag);
        Ok(())
    }

    /// Opens the full-length middle chunk `counter` in place: `buf` holds its body and
    /// tag ([`ENCRYPTED_CHUNK_SIZE`] bytes); on `Ok` its first [`CHUNK_SIZE`] bytes hold
    /// the plaintext, on failure it is zeroed.
    fn open_chunk_in_place(&self, counter: u64, buf: &mut [u8]) -> Result<()> {
        let nonce = self.nonce(counter)?;
        let tampered = Error::PayloadTampered {
            chunk: counter,
            last: false,
        };
        if buf.len() != ENCRYPTED_CHUNK_SIZE {
            return Err(tampered);
        }
        let (body, tag) = buf.split_at_mut(CHUNK_SIZE);
        let mut t = [0u8; TAG_SIZE];
        t.copy_from_slice(tag);
        match self.aead.open_in_place(&nonce, &[], body, &t) {
            Ok(()) => Ok(()),
            Err(()) => {
                tag.fill(0);
                Err(tampered)
            }
        }
    }

    /// Opens chunk `counter` from `input` (body and tag) into `out`, which must be
    /// `input.len() - TAG_SIZE` long. `out` holds plaintext only if this returns `Ok`.
    pub(crate) fn open_chunk(
        &self,
        counter: u64,
        last: bool,
        input: &[u8],
        out: &mut [u8],
    ) -> Result<()> {
        let nonce = self.nonce(counter)?;
        let tampered = Error::PayloadTampered {
            chunk: counter,
            last,
        };
        if input.len() < TAG_SIZE || out.len() != input.len() - TAG_SIZE {
            return Err(tampered);
        }
        let (body, tag) = input.split_at(input.len() - TAG_SIZE);
        let mut t = [0u8; TAG_SIZE];
        t.copy_from_slice(tag);
        match self.aead.open(&nonce, &[], body, &t, out) {
            Ok(()) => Ok(()),
            // The final chunk read ends where the input ends: stray bytes appended to
            // the job sit inside it (docs/FORMAT.md §10, trailing data).
            Err(()) if last && self.trailing_extra(counter, input).is_some() => {
                Err(Error::TrailingData)
            }
            Err(()) => Err(tampered),
        }
    }

    /// How many bytes (1 to [`TRAILING_PROBE`]) must be cut from the end of `input` for
    /// it to be a valid final chunk `counter`, if any. The probe's plaintext goes to a
    /// scratch buffer that is zeroized, never released.
    pub(crate) fn trailing_extra(&self, counter: u64, input: &[u8]) -> Option<usize> {
        let nonce = self.nonce(counter).ok()?;
        let mut scratch = Zeroizing::new(vec![0u8; input.len()]);
        (1..=TRAILING_PROBE).find(|&extra| {
            let Some(len) = input.len().checked_sub(extra) else {
                return false;
            };
            if len < TAG_SIZE || len - TAG_SIZE >= CHUNK_SIZE {
                return false;
            }
            let (body, tag) = input[..len].split_at(len - TAG_SIZE);
            let mut t = [0u8; TAG_SIZE];
            t.copy_from_slice(tag);
            self.aead
                .open(&nonce, &[], body, &t, &mut scratch[..body.len()])
                .is_ok()
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    Running,
    /// A full-length chunk failed as a middle chunk but is an authentic final chunk
    /// followed by `stray` bytes: trailing data, as long as at most
    /// [`TRAILING_PROBE`] stray bytes follow in all (else chunk `chunk` was tampered).
    Trailing {
        chunk: u64,
        stray: usize,
    },
    Finished,
    Failed,
}

/// Streaming encryptor of one payload: salt, commitment, then chunks.
pub struct PayloadEncryptor {
    keys: ChunkKeys,
    prefix: [u8; PREFIX_SIZE],
    prefix_pending: bool,
    buf: Zeroizing<Vec<u8>>,
    /// The next partial chunk while [`Self::update_in_place`] seals the current input
    /// (allocated on its first use).
    spare: Zeroizing<Vec<u8>>,
    counter: u64,
    phase: Phase,
}

impl PayloadEncryptor {
    /// Starts a payload under `input_key` with the given `salt` (which MUST NOT repeat
    /// for an input key) and `context`.
    pub fn new(
        suite: Suite,
        input_key: &[u8; KEY_SIZE],
        salt: &[u8; SALT_SIZE],
        context: &[u8],
    ) -> PayloadEncryptor {
        let d = derive(suite, input_key, salt, context);
        let keys = ChunkKeys::from_derived(suite, &d);
        PayloadEncryptor::from_parts(keys, salt, &d)
    }

    /// As [`Self::new`], with the chunk AEAD computed by `backend`.
    ///
    /// # Errors
    /// [`Error::InvalidState`] if the backend refuses the key (see
    /// [`crate::hazmat::Backend`]).
    pub fn with_backend(
        suite: Suite,
        input_key: &[u8; KEY_SIZE],
        salt: &[u8; SALT_SIZE],
        context: &[u8],
        backend: Backend,
    ) -> Result<PayloadEncryptor> {
        let d = derive(suite, input_key, salt, context);
        let keys = ChunkKeys::from_derived_with(suite, &d, Some(backend))?;
        Ok(PayloadEncryptor::from_parts(keys, salt, &d))
    }

    fn from_parts(keys: ChunkKeys, salt: &[u8; SALT_SIZE], d: &Derived) -> PayloadEncryptor {
        let mut prefix = [0u8; PREFIX_SIZE];
        prefix[..SALT_SIZE].copy_from_slice(salt);
        prefix[SALT_SIZE..].copy_from_slice(&d.commitment);
        PayloadEncryptor {
            keys,
            prefix,
            prefix_pending: true,
            buf: Zeroizing::new(Vec::with_capacity(CHUNK_SIZE)),
            spare: Zeroizing::new(Vec::new()),
            counter: 0,
            phase: Phase::Running,
        }
    }

    /// Exactly how many output bytes [`Self::update`] writes for `input_len` more bytes.
    /// Saturates at `usize::MAX` where the exact figure would not fit (only for an
    /// `input_len` no slice can have).
    pub fn update_output_len(&self, input_len: usize) -> usize {
        let prefix = if self.prefix_pending { PREFIX_SIZE } else { 0 };
        let chunks = self.buf.len().saturating_add(input_len) / CHUNK_SIZE;
        chunks
            .saturating_mul(ENCRYPTED_CHUNK_SIZE)
            .saturating_add(prefix)
    }

    /// Exactly how many output bytes [`Self::finish`] writes.
    pub fn finish_output_len(&self) -> usize {
        let prefix = if self.prefix_pending { PREFIX_SIZE } else { 0 };
        // The buffer holds less than one chunk: no overflow.
        prefix + self.buf.len() + TAG_SIZE
    }

    /// Consumes all of `input`, writes every completed chunk into `out` and returns the
    /// number of bytes written.
    ///
    /// # Errors
    /// [`Error::OutputTooSmall`] (nothing consumed) if `out` is shorter than
    /// [`Self::update_output_len`]; [`Error::LimitExceeded`] past 2^38 chunks;
    /// [`Error::InvalidState`] after `finish` or an error.
    pub fn update(&mut self, mut input: &[u8], out: &mut [u8]) -> Result<usize> {
        if self.phase != Phase::Running {
            return Err(Error::InvalidState);
        }
        let needed = self.update_output_len(input.len());
        if out.len() < needed {
            return Err(Error::OutputTooSmall { needed });
        }
        let res = self.update_inner(&mut input, out);
        if res.is_err() {
            self.phase = Phase::Failed;
        }
        res
    }

    fn update_inner(&mut self, input: &mut &[u8], out: &mut [u8]) -> Result<usize> {
        let mut w = self.write_prefix(out);
        if !self.buf.is_empty() {
            let take = (CHUNK_SIZE - self.buf.len()).min(input.len());
            self.buf.extend_from_slice(&input[..take]);
            *input = &input[take..];
            if self.buf.len() == CHUNK_SIZE {
                // A full chunk is never the last one: the last chunk is always short.
                let dst = &mut out[w..w + ENCRYPTED_CHUNK_SIZE];
                self.keys.seal_chunk(self.counter, &self.buf, dst)?;
                self.counter += 1;
                self.buf.clear();
                w += ENCRYPTED_CHUNK_SIZE;
            }
        }
        // Whole chunks go straight from `input` to `out`, without the buffer.
        let whole = input.len() / CHUNK_SIZE;
        let (run, rest) = input.split_at(whole * CHUNK_SIZE);
        let dst = &mut out[w..w + whole * ENCRYPTED_CHUNK_SIZE];
        self.keys.seal_chunks(self.counter, run, dst)?;
        self.counter += whole as u64;
        w += whole * ENCRYPTED_CHUNK_SIZE;
        *input = rest;
        self.buf.extend_from_slice(input);
        Ok(w)
    }

    /// Seals in place: `buf[..len]` holds `len` more plaintext bytes and `buf` has
    /// room for the output; on `Ok(n)`, `buf[lead..lead + n]` holds the same bytes
    /// [`Self::update`] would have written for that input (the prefix on the first
    /// call, then every completed chunk). `buf[..lead]` is left for the caller's own
    /// leading bytes (the header): the caller writes it afterwards. The plaintext bytes
    /// that do not complete a chunk are kept for the next call or [`Self::finish`].
    ///
    /// `buf.len()` must be at least `max(len, lead + update_output_len(len))`. Chunks
    /// are sealed from the last to the first, each moved to its place (within the
    /// cache) and sealed there, so that the payload passes through memory once.
    ///
    /// # Errors
    /// [`Error::OutputTooSmall`] (nothing consumed) if `buf` is too short;
    /// otherwise as [`Self::update`].
    pub fn update_in_place(&mut self, buf: &mut [u8], lead: usize, len: usize) -> Result<usize> {
        if self.phase != Phase::Running {
            return Err(Error::InvalidState);
        }
        let needed = lead.saturating_add(self.update_output_len(len)).max(len);
        if buf.len() < needed {
            return Err(Error::OutputTooSmall { needed });
        }
        let res = self.update_in_place_inner(buf, lead, len);
        if res.is_err() {
            self.phase = Phase::Failed;
        }
        res
    }

    fn update_in_place_inner(&mut self, buf: &mut [u8], lead: usize, len: usize) -> Result<usize> {
        let carry = self.buf.len();
        let whole = (carry + len) / CHUNK_SIZE;
        let pfx = if self.prefix_pending { PREFIX_SIZE } else { 0 };
        if whole == 0 {
            // Less than a chunk in all: buffered, only the prefix (if due) is written.
            self.buf.extend_from_slice(&buf[..len]);
            self.write_prefix(&mut buf[lead..]);
            return Ok(pfx);
        }
        ChunkKeys::check_run(self.counter, whole)?;
        // The input bytes that go into chunks, and the partial chunk after them, which
        // the output will overwrite: set aside first.
        let used = whole * CHUNK_SIZE - carry;
        if self.spare.capacity() == 0 {
            self.spare.reserve_exact(CHUNK_SIZE);
        }
        self.spare.clear();
        self.spare.extend_from_slice(&buf[used..len]);
        // Chunk k's plaintext starts at k*CHUNK_SIZE - carry and its output at
        // out + k*ENCRYPTED_CHUNK_SIZE, never earlier: going from the last chunk to the
        // first, each move only overwrites input already sealed.
        let out = lead + pfx;
        for k in (1..whole).rev() {
            let src = k * CHUNK_SIZE - carry;
            let dst = out + k * ENCRYPTED_CHUNK_SIZE;
            buf.copy_within(src..src + CHUNK_SIZE, dst);
            let counter = self.counter + k as u64;
            self.keys
                .seal_chunk_in_place(counter, &mut buf[dst..dst + ENCRYPTED_CHUNK_SIZE])?;
        }
        buf.copy_within(..CHUNK_SIZE - carry, out + carry);
        buf[out..out + carry].copy_from_slice(&self.buf);
        self.keys
            .seal_chunk_in_place(self.counter, &mut buf[out..out + ENCRYPTED_CHUNK_SIZE])?;
        self.counter += whole as u64;
        core::mem::swap(&mut self.buf, &mut self.spare);
        self.spare.zeroize();
        self.write_prefix(&mut buf[lead..]);
        Ok(pfx + whole * ENCRYPTED_CHUNK_SIZE)
    }

    fn write_prefix(&mut self, out: &mut [u8]) -> usize {
        if self.prefix_pending {
            out[..PREFIX_SIZE].copy_from_slice(&self.prefix);
            self.prefix_pending = false;
            PREFIX_SIZE
        } else {
            0
        }
    }

    /// Seals the final (short, possibly empty) chunk into `out` and returns the number
    /// of bytes written.
    ///
    /// # Errors
    /// [`Error::OutputTooSmall`] (nothing changed) if `out` is shorter than
    /// [`Self::finish_output_len`]; [`Error::InvalidState`] if already finished or
    /// failed; [`Error::LimitExceeded`] past 2^38 chunks.
    pub fn finish(&mut self, out: &mut [u8]) -> Result<usize> {
        if self.phase != Phase::Running {
            return Err(Error::InvalidState);
        }
        let needed = self.finish_output_len();
        if out.len() < needed {
            return Err(Error::OutputTooSmall { needed });
        }
        let w = self.write_prefix(out);
        let len = self.buf.len();
        let res = self
            .keys
            .seal_chunk(self.counter, &self.buf, &mut out[w..w + len + TAG_SIZE]);
        self.buf.clear();
        self.phase = if res.is_ok() {
            Phase::Finished
        } else {
            Phase::Failed
        };
        res.map(|()| w + len + TAG_SIZE)
    }
}

/// Streaming decryptor of one payload. Releases a chunk's plaintext only after its tag
/// verifies, and ends in `Ok` only after the short final chunk verifies.
pub struct PayloadDecryptor {
    suite: Suite,
    backend: Option<Backend>,
    input_key: Zeroizing<[u8; KEY_SIZE]>,
    context: Vec<u8>,
    prefix: [u8; PREFIX_SIZE],
    prefix_len: usize,
    keys: Option<ChunkKeys>,
    buf: Vec<u8>,
    counter: u64,
    phase: Phase,
}

impl PayloadDecryptor {
    /// Starts decrypting a payload sealed under `input_key` and `context`.
    pub fn new(suite: Suite, input_key: &[u8; KEY_SIZE], context: &[u8]) -> PayloadDecryptor {
        PayloadDecryptor {
            suite,
            backend: None,
            input_key: Zeroizing::new(*input_key),
            context: context.to_vec(),
            prefix: [0; PREFIX_SIZE],
            prefix_len: 0,
            keys: None,
            buf: Vec::new(),
            counter: 0,
            phase: Phase::Running,
        }
    }

    /// As [`Self::new`], with the chunk AEAD computed by `backend`.
    pub fn with_backend(
        suite: Suite,
        input_key: &[u8; KEY_SIZE],
        context: &[u8],
        backend: Backend,
    ) -> PayloadDecryptor {
        PayloadDecryptor {
            backend: Some(backend),
            ..PayloadDecryptor::new(suite, input_key, context)
        }
    }

    /// An upper bound on the bytes [`Self::update`] writes for `input_len` more bytes
    /// (exact except when the prefix is still incomplete).
    pub fn update_output_len(&self, input_len: usize) -> usize {
        let prefix_part = if self.keys.is_none() {
            PREFIX_SIZE - self.prefix_len
        } else {
            0
        };
        let rest = input_len.saturating_sub(prefix_part);
        (self.buf.len().saturating_add(rest) / ENCRYPTED_CHUNK_SIZE) * CHUNK_SIZE
    }

    /// How many bytes [`Self::finish`] writes at most: the final chunk's plaintext.
    pub fn finish_output_len(&self) -> usize {
        self.buf.len().saturating_sub(TAG_SIZE)
    }

    /// Chunks decrypted so far.
    pub fn chunks_opened(&self) -> u64 {
        self.counter
    }

    /// Consumes all of `input`, writes the plaintext of every chunk that is complete and
    /// authentic into `out`, and returns the number of bytes written.
    ///
    /// # Errors
    /// [`Error::OutputTooSmall`] (nothing consumed); [`Error::PayloadCommitment`];
    /// [`Error::PayloadTampered`]; [`Error::LimitExceeded`]; [`Error::InvalidState`]
    /// after `finish` or an earlier error (errors are final).
    pub fn update(&mut self, mut input: &[u8], out: &mut [u8]) -> Result<usize> {
        if let Phase::Trailing { chunk, stray } = self.phase {
            return self.count_stray(chunk, stray.saturating_add(input.len()));
        }
        if self.phase != Phase::Running {
            return Err(Error::InvalidState);
        }
        let needed = self.update_output_len(input.len());
        if out.len() < needed {
            return Err(Error::OutputTooSmall { needed });
        }
        let res = match self.update_inner(&mut input, out) {
            Err(Error::PayloadTampered { chunk, last: false }) => {
                self.middle_chunk_failed(chunk, input)
            }
            res => res,
        };
        if res.is_err() {
            self.phase = Phase::Failed;
        }
        res
    }

    /// A full-length chunk failed to open as a middle chunk. If it is an authentic final
    /// chunk followed by stray bytes, the job may just have bytes appended: it is
    /// trailing data if at most [`TRAILING_PROBE`] stray bytes follow in all, which the
    /// next calls tell (nothing is released meanwhile). `rest` is the input from the
    /// failed chunk on (or, if the chunk came from the internal buffer, what followed).
    fn middle_chunk_failed(&mut self, chunk: u64, rest: &[u8]) -> Result<usize> {
        let tampered = Error::PayloadTampered { chunk, last: false };
        let Some(keys) = self.keys.as_ref() else {
            return Err(tampered);
        };
        // The failed chunk came from the internal buffer (then `rest` is what followed
        // it), or from the run of whole chunks that `rest` starts with.
        let located = if self.buf.len() == ENCRYPTED_CHUNK_SIZE {
            Some((&self.buf[..], rest.len()))
        } else {
            chunk
                .checked_sub(self.counter)
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| i.checked_mul(ENCRYPTED_CHUNK_SIZE))
                .and_then(|off| {
                    let window = rest.get(off..off.checked_add(ENCRYPTED_CHUNK_SIZE)?)?;
                    Some((window, rest.len() - off - ENCRYPTED_CHUNK_SIZE))
                })
        };
        let Some((window, after)) = located else {
            return Err(tampered);
        };
        match keys.trailing_extra(chunk, window) {
            Some(extra) => {
                self.buf.zeroize();
                self.buf.clear();
                self.count_stray(chunk, extra + after)
            }
            None => Err(tampered),
        }
    }

    fn count_stray(&mut self, chunk: u64, stray: usize) -> Result<usize> {
        if stray > TRAILING_PROBE {
            self.phase = Phase::Failed;
            return Err(Error::PayloadTampered { chunk, last: false });
        }
        self.phase = Phase::Trailing { chunk, stray };
        Ok(0)
    }

    fn update_inner(&mut self, input: &mut &[u8], out: &mut [u8]) -> Result<usize> {
        if !self.take_prefix(input)? {
            return Ok(0);
        }
        let Some(keys) = self.keys.as_ref() else {
            return Err(Error::Internal("payload keys missing after the prefix"));
        };
        let mut w = 0;
        if !self.buf.is_empty() {
            let take = (ENCRYPTED_CHUNK_SIZE - self.buf.len()).min(input.len());
            self.buf.extend_from_slice(&input[..take]);
            *input = &input[take..];
            if self.buf.len() == ENCRYPTED_CHUNK_SIZE {
                // A full-length chunk is never the final one.
                keys.open_chunk(self.counter, false, &self.buf, &mut out[w..w + CHUNK_SIZE])?;
                self.counter += 1;
                self.buf.clear();
                w += CHUNK_SIZE;
            }
        }
        // Full-length chunks go straight from `input` to `out`.
        let whole = input.len() / ENCRYPTED_CHUNK_SIZE;
        let (run, rest) = input.split_at(whole * ENCRYPTED_CHUNK_SIZE);
        keys.open_chunks(self.counter, run, &mut out[w..w + whole * CHUNK_SIZE])?;
        self.counter += whole as u64;
        w += whole * CHUNK_SIZE;
        *input = rest;
        if self.buf.capacity() == 0 {
            self.buf.reserve_exact(ENCRYPTED_CHUNK_SIZE);
        }
        self.buf.extend_from_slice(input);
        Ok(w)
    }

    /// Opens in place: reads sealed bytes from `buf[from..]` and writes the plaintext of
    /// every whole chunk it opens to `buf[..written]`; returns `(consumed, written)`,
    /// `consumed` counted from `from`. Plaintext never overtakes the ciphertext it
    /// comes from, so no room beyond the input is needed.
    ///
    /// It takes the prefix and every full-length chunk that more than
    /// [`TRAILING_PROBE`] bytes follow, and leaves the rest unconsumed (less than
    /// [`ENCRYPTED_CHUNK_SIZE`]` + TRAILING_PROBE + 1` bytes, the final chunk among
    /// them): move it to the front, add more input behind it and call again, and at the
    /// end of the input give it to [`Self::finish_in_place`]. Nothing is buffered
    /// between calls, so this cannot follow an [`Self::update`] that left a partial
    /// chunk inside the decryptor.
    ///
    /// # Errors
    /// [`Error::InvalidState`] if the decryptor holds a partial chunk, after `finish`
    /// or an error; otherwise as [`Self::update`]. On an error, `buf[..written]` of
    /// chunks before the failing one hold authentic plaintext and the failing chunk is
    /// zeroed.
    pub fn update_in_place(&mut self, buf: &mut [u8], from: usize) -> Result<(usize, usize)> {
        if let Phase::Trailing { chunk, stray } = self.phase {
            let rest = buf.len().saturating_sub(from);
            self.count_stray(chunk, stray.saturating_add(rest))?;
            return Ok((rest, 0));
        }
        if self.phase != Phase::Running || !self.buf.is_empty() || from > buf.len() {
            self.phase = Phase::Failed;
            return Err(Error::InvalidState);
        }
        let res = self.update_in_place_inner(buf, from);
        if res.is_err() {
            self.phase = Phase::Failed;
        }
        res
    }

    fn update_in_place_inner(&mut self, buf: &mut [u8], from: usize) -> Result<(usize, usize)> {
        let mut input = &buf[from..];
        if !self.take_prefix(&mut input)? {
            return Ok((buf.len() - from, 0));
        }
        let Some(keys) = self.keys.as_ref() else {
            return Err(Error::Internal("payload keys missing after the prefix"));
        };
        let mut pos = buf.len() - input.len();
        let mut w = 0;
        // A chunk that fails with more than TRAILING_PROBE bytes after it is tampered,
        // never trailing data; the undecided end goes to `finish_in_place`.
        while buf.len() - pos > ENCRYPTED_CHUNK_SIZE + TRAILING_PROBE {
            keys.open_chunk_in_place(self.counter, &mut buf[pos..pos + ENCRYPTED_CHUNK_SIZE])?;
            buf.copy_within(pos..pos + CHUNK_SIZE, w);
            self.counter += 1;
            pos += ENCRYPTED_CHUNK_SIZE;
            w += CHUNK_SIZE;
        }
        Ok((pos - from, w))
    }

    /// Opens the end of the payload that [`Self::update_in_place`] left unconsumed:
    /// `buf` holds exactly those bytes; on `Ok(n)`, `buf[..n]` holds their plaintext and
    /// the payload was complete. As [`Self::update`] then [`Self::finish`], through
    /// a copy of at most [`ENCRYPTED_CHUNK_SIZE`]` + TRAILING_PROBE` bytes.
    ///
    /// # Errors
    /// As [`Self::update`] and [`Self::finish`].
    pub fn finish_in_place(&mut self, buf: &mut [u8]) -> Result<usize> {
        let tail = buf.to_vec();
        let w = self.update(&tail, buf)?;
        Ok(w + self.finish(&mut buf[w..])?)
    }

    /// Collects the salt and commitment; once both are in, derives the keys and checks
    /// the commitment ("MUST check the commitment matches [...] before continuing").
    fn take_prefix(&mut self, input: &mut &[u8]) -> Result<bool> {
        if self.keys.is_none() {
            let take = (PREFIX_SIZE - self.prefix_len).min(input.len());
            self.prefix[self.prefix_len..self.prefix_len + take].copy_from_slice(&input[..take]);
            self.prefix_len += take;
            *input = &input[take..];
            if self.prefix_len < PREFIX_SIZE {
                return Ok(false);
            }
            self.keys = Some(keys_for_prefix(
                self.suite,
                &self.input_key,
                &self.prefix,
                &self.context,
                self.backend,
            )?);
        }
        Ok(true)
    }

    /// Authenticates the final chunk, writes its plaintext into `out` and returns the
    /// number of bytes written. Only an `Ok` here means the payload was complete.
    ///
    /// # Errors
    /// [`Error::Truncated`] if the input ended before the final chunk;
    /// [`Error::PayloadTampered`] (with `last: true`) if the final chunk fails to
    /// verify, which is also what bytes appended after a job, or a cut inside the final
    /// chunk, look like; [`Error::OutputTooSmall`]; [`Error::InvalidState`].
    pub fn finish(&mut self, out: &mut [u8]) -> Result<usize> {
        if let Phase::Trailing { .. } = self.phase {
            self.phase = Phase::Failed;
            return Err(Error::TrailingData);
        }
        if self.phase != Phase::Running {
            return Err(Error::InvalidState);
        }
        let needed = self.finish_output_len();
        if out.len() < needed {
            return Err(Error::OutputTooSmall { needed });
        }
        self.phase = Phase::Failed;
        let Some(keys) = self.keys.as_ref() else {
            return Err(Error::Truncated);
        };
        // An empty tail means the stream stopped at a chunk boundary: the final short
        // chunk is missing. Fewer than TAG_SIZE bytes cannot be a chunk at all.
        if self.buf.len() < TAG_SIZE {
            return Err(Error::Truncated);
        }
        keys.open_chunk(self.counter, true, &self.buf, &mut out[..needed])?;
        self.counter += 1;
        self.buf.clear();
        self.phase = Phase::Finished;
        Ok(needed)
    }
}

#[cfg(feature = "std")]
/// Where chunk `index` starts in the payload ("Chunk `k` can be found at ciphertext
/// offset `56 + k * (16384 + len(tag))`").
pub(crate) fn chunk_offset(index: u64) -> Option<u64> {
    index
        .checked_mul(ENCRYPTED_CHUNK_SIZE as u64)?
        .checked_add(PREFIX_SIZE as u64)
}

#[cfg(feature = "std")]
/// Plaintext length of a payload of `payload_len` ciphertext bytes, or `None` if no
/// message has that encrypted length (see the spec's implementation notes).
pub(crate) fn plaintext_len(payload_len: u64) -> Option<u64> {
    let body = payload_len.checked_sub(PREFIX_SIZE as u64)?;
    let full = body / ENCRYPTED_CHUNK_SIZE as u64;
    let tail = body % ENCRYPTED_CHUNK_SIZE as u64;
    if tail < TAG_SIZE as u64 || full >= MAX_CHUNKS {
        return None;
    }
    Some(full * CHUNK_SIZE as u64 + (tail - TAG_SIZE as u64))
}
