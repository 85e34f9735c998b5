//! Sealing through `std::io::Write`.

use std::io::{self, Write};

use crate::error::{Error, Result};
use crate::primitives::stream::CHUNK_SIZE;
use crate::recipient::Recipient;
use crate::seal::{SealOptions, Sealer};

/// Plaintext taken per `write` call, so that memory stays a few chunks whatever the
/// caller passes.
#[cfg(not(feature = "parallel"))]
const WRITE_SLICE: usize = 4 * CHUNK_SIZE;
/// With `parallel`, 64 chunks (1 MiB) per `write` call, so that a large write is
/// sealed on several threads; memory stays bounded by this slice.
#[cfg(feature = "parallel")]
const WRITE_SLICE: usize = 64 * CHUNK_SIZE;

/// Seals everything written to it into the inner writer.
///
/// [`SealWriter::finish`] MUST be called: it writes the final chunk. Dropping the
/// writer without it leaves a truncated job that no opener accepts. After an error from
/// the inner writer the job is incomplete and every further call fails.
pub struct SealWriter<W: Write> {
    inner: W,
    sealer: Sealer,
    buf: Vec<u8>,
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
            buf: Vec::new(),
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
        self.buf.clear();
        self.sealer.finish_to_vec(&mut self.buf)?;
        self.inner.write_all(&self.buf)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for SealWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.failed {
            return Err(Error::InvalidState.into());
        }
        let data = &data[..data.len().min(WRITE_SLICE)];
        // The output buffer keeps its length between calls: growing it once, and never
        // zero-filling it again, keeps a memset of every sealed byte off the hot path.
        let needed = self.sealer.update_output_len(data.len());
        if self.buf.len() < needed {
            self.buf.resize(needed, 0);
        }
        let res = match self.sealer.update(data, &mut self.buf[..needed]) {
            Ok(n) => self.inner.write_all(&self.buf[..n]),
            Err(e) => Err(io::Error::from(e)),
        };
        match res {
            Ok(()) => Ok(data.len()),
            Err(e) => {
                // The sealer consumed bytes the inner writer may not have taken: the
                // output cannot be completed correctly any more.
                self.failed = true;
                Err(e)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        // Buffered plaintext stays buffered until a chunk fills: flushing it early
        // would end the chunk, and only the last chunk may be short.
        self.inner.flush()
    }
}
