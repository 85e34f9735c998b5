//! Sealing through `std::io::Write`.
//!
//! The writer hands the sealer large runs of plaintext and the inner writer large runs
//! of sealed bytes, whatever size the caller writes:
//!
//! - a write of at least [`DIRECT_MIN`] bytes (when nothing is staged) is sealed
//!   straight from the caller's slice, at most [`BATCH`] bytes of it per call, with no
//!   copy of the plaintext;
//! - smaller writes (8 KiB from `io::copy`) are staged, one copy, in a zeroizing buffer
//!   of [`BATCH`] bytes that is sealed once full, so that the sealer gets whole runs of
//!   chunks (with `parallel`, enough of them to seal on several threads);
//! - sealed bytes gather in an output buffer that goes to the inner writer in one
//!   `write_all` once it holds [`BATCH`] bytes or more, instead of one write per
//!   16 KiB chunk.
//!
//! Memory is bounded by these two buffers (about three times [`BATCH`]) plus the
//! header.

use std::io::{self, Write};

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::io::BATCH;
use crate::primitives::stream::CHUNK_SIZE;
use crate::recipient::Recipient;
use crate::seal::{SealOptions, Sealer};

/// The smallest write that is sealed straight from the caller's slice: one chunk, or
/// with `parallel` the run of chunks that is sealed on several threads.
#[cfg(not(feature = "parallel"))]
const DIRECT_MIN: usize = CHUNK_SIZE;
#[cfg(feature = "parallel")]
const DIRECT_MIN: usize = crate::primitives::stream::PARALLEL_MIN_CHUNKS * CHUNK_SIZE;

/// Seals everything written to it into the inner writer.
///
/// [`SealWriter::finish`] MUST be called: it writes the final chunk. Dropping the
/// writer without it leaves a truncated job that no opener accepts. Sealed bytes are
/// buffered (a few hundred KiB, see the module documentation) and reach the inner
/// writer in large writes; [`Write::flush`] seals and writes every whole chunk written
/// so far. After an error from the inner writer the job is incomplete and every
/// further call fails.
pub struct SealWriter<W: Write> {
    inner: W,
    sealer: Sealer,
    /// Plaintext of small writes, waiting for a whole batch: allocated once at
    /// [`BATCH`] bytes and never grown (so no block of it goes back to the heap
    /// unwiped), wiped when dropped.
    staged: Zeroizing<Vec<u8>>,
    /// Sealed bytes; `out[..out_len]` are not written yet. Grown when needed and never
    /// zero-filled again, so that no memset of every sealed byte is on the hot path.
    out: Vec<u8>,
    out_len: usize,
    failed: bool,
}

impl<W: Write> SealWriter<W> {
    /// Seals to `recipients` into `inner`, with OS randomness.
    ///
    /// # Errors
    /// As [`Sealer::new`].
    #[cfg(feature = "getrandom")]
    pub fn new(
        inner: W,
        options: &SealOptions,
        recipients: &[&dyn Recipient],
    ) -> Result<SealWriter<W>> {
        Ok(Self::from_sealer(inner, Sealer::new(options, recipients)?))
    }

    /// Seals to `recipients` into `inner`, with randomness from `rng`.
    ///
    /// # Errors
    /// As [`Sealer::with_rng`].
    pub fn with_rng(
        inner: W,
        options: &SealOptions,
        recipients: &[&dyn Recipient],
        rng: &mut dyn rand_core::CryptoRng,
    ) -> Result<SealWriter<W>> {
        Ok(Self::from_sealer(
            inner,
            Sealer::with_rng(options, recipients, rng)?,
        ))
    }

    /// Wraps an existing [`Sealer`].
    pub fn from_sealer(inner: W, sealer: Sealer) -> SealWriter<W> {
        SealWriter {
            inner,
            sealer,
            staged: Zeroizing::new(Vec::new()),
            out: Vec::new(),
            out_len: 0,
            failed: false,
        }
    }

    /// Writes the final chunk, flushes, and returns the inner writer.
    ///
    /// # Errors
    /// An I/O error of the inner writer, or [`Error::InvalidState`] after an earlier
    /// failure.
    pub fn finish(mut self) -> io::Result<W> {
        if self.failed {
            return Err(Error::InvalidState.into());
        }
        self.seal_staged()?;
        let needed = self.sealer.finish_output_len();
        let end = self.reserve(needed);
        let n = self.sealer.finish(&mut self.out[self.out_len..end])?;
        self.out_len += n;
        self.write_out()?;
        self.inner.flush()?;
        Ok(self.inner)
    }

    /// Takes some of `data`: straight from the caller's slice when it is large, else
    /// into the staging buffer. Returns how much it took.
    fn take(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.staged.is_empty() && data.len() >= DIRECT_MIN {
            let n = data.len().min(BATCH);
            self.seal(&data[..n])?;
            return Ok(n);
        }
        if self.staged.capacity() == 0 {
            self.staged.reserve_exact(BATCH);
        }
        let n = (BATCH - self.staged.len()).min(data.len());
        self.staged.extend_from_slice(&data[..n]);
        if self.staged.len() == BATCH {
            self.seal_staged()?;
        }
        Ok(n)
    }

    /// Seals what is staged (the sealer keeps a partial chunk for later).
    fn seal_staged(&mut self) -> io::Result<()> {
        if self.staged.is_empty() {
            return Ok(());
        }
        // Moved out and back: the allocation stays the same, so it is never freed
        // before it is wiped. `clear` keeps the bytes until they are overwritten or the
        // buffer is dropped (and wiped, spare capacity included).
        let mut staged = core::mem::take(&mut self.staged);
        let res = self.seal(&staged);
        staged.clear();
        self.staged = staged;
        res
    }

    /// Makes room for `needed` more sealed bytes after the pending ones; returns where
    /// they end.
    fn reserve(&mut self, needed: usize) -> usize {
        let end = self.out_len + needed;
        if self.out.len() < end {
            self.out.resize(end, 0);
        }
        end
    }

    /// Seals `input` (at most a batch) into the output buffer, and writes the buffer
    /// out once it holds a batch or more: every write but the last is at least a
    /// batch, and the buffer stays under two sealed batches (plus the header).
    fn seal(&mut self, input: &[u8]) -> io::Result<()> {
        let needed = self.sealer.update_output_len(input.len());
        let end = self.reserve(needed);
        let n = self
            .sealer
            .update(input, &mut self.out[self.out_len..end])?;
        self.out_len += n;
        if self.out_len >= BATCH {
            self.write_out()?;
        }
        Ok(())
    }

    /// Writes the pending sealed bytes to the inner writer, in one `write_all`.
    fn write_out(&mut self) -> io::Result<()> {
        let n = core::mem::replace(&mut self.out_len, 0);
        self.inner.write_all(&self.out[..n])
    }

    /// Runs `f`; an error makes the writer fail for good: the sealer may have consumed
    /// bytes that the inner writer did not take, so the output cannot be completed.
    fn or_fail<T>(&mut self, f: impl FnOnce(&mut Self) -> io::Result<T>) -> io::Result<T> {
        if self.failed {
            return Err(Error::InvalidState.into());
        }
        let res = f(self);
        if res.is_err() {
            self.failed = true;
        }
        res
    }
}

impl<W: Write> Write for SealWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.or_fail(|w| w.take(data))
    }

    /// Seals every whole chunk written so far and writes it to the inner writer, then
    /// flushes that. Plaintext that does not fill a chunk stays buffered: only the last
    /// chunk of a job may be short, so it cannot be sealed before
    /// [`SealWriter::finish`].
    fn flush(&mut self) -> io::Result<()> {
        self.or_fail(|w| {
            w.seal_staged()?;
            w.write_out()?;
            w.inner.flush()
        })
    }
}
