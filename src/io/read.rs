//! Opening through `std::io::Read`.

use std::io::{self, Read};

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::format::header::Header;
use crate::format::metadata::PrivateMetadata;
use crate::growable::resize_wiping;
use crate::io::{IO_BUF, read_header};
use crate::open::unlock;
use crate::open_options::OpenOptions;
use crate::primitives::stream::PayloadDecryptor;
use crate::recipient::Identity;

/// Opens a sealed stream as it is read.
///
/// Returns plaintext one authenticated chunk at a time, and `Ok(0)` (end of file) only
/// after the final chunk verified: a truncated or tampered stream ends in an error,
/// never in a clean end of file. Errors are final.
pub struct OpenReader<R: Read> {
    inner: R,
    header: Header,
    private: PrivateMetadata,
    payload: PayloadDecryptor,
    in_buf: Vec<u8>,
    /// Plaintext not yet served: wiped when it is dropped, and grown only through
    /// [`resize_wiping`], so that no block of it goes back to the heap unwiped.
    out: Zeroizing<Vec<u8>>,
    out_pos: usize,
    state: State,
}

#[derive(PartialEq, Eq)]
enum State {
    Reading,
    Done,
    Failed,
}

impl<R: Read> OpenReader<R> {
    /// Reads the header from `inner`, unlocks it with the first of `identities` that
    /// matches, and verifies the header MAC, with the default [`OpenOptions`] (expired
    /// jobs refused).
    ///
    /// # Errors
    /// Any header or recipient error, [`Error::PolicyViolation`], or an I/O error.
    pub fn new(inner: R, identities: &[&dyn Identity]) -> Result<OpenReader<R>> {
        Self::with_options(inner, identities, &OpenOptions::new())
    }

    /// [`OpenReader::new`] with `options`: the policy is checked once the header MAC
    /// verified, before any payload is decrypted; the backend computes the chunks.
    ///
    /// # Errors
    /// As [`OpenReader::new`].
    pub fn with_options(
        mut inner: R,
        identities: &[&dyn Identity],
        options: &OpenOptions,
    ) -> Result<OpenReader<R>> {
        let header = read_header(&mut inner)?;
        let unlocked = unlock(&header, identities, options)?;
        let (suite, key, context) = (header.suite(), &unlocked.keys.payload_key, header.context());
        let payload = match options.forced_backend() {
            None => PayloadDecryptor::new(suite, key, context),
            Some(b) => PayloadDecryptor::with_backend(suite, key, context, b),
        };
        Ok(OpenReader {
            inner,
            header,
            private: unlocked.private,
            payload,
            in_buf: vec![0; IO_BUF],
            out: Zeroizing::new(Vec::new()),
            out_pos: 0,
            state: State::Reading,
        })
    }

    /// The authenticated header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The decrypted private metadata.
    pub fn private_metadata(&self) -> &PrivateMetadata {
        &self.private
    }

    /// Gives the inner reader back.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Reads more sealed bytes and opens them: straight into `buf` when it has room for
    /// all the plaintext they can give (returns how much it wrote there; no copy),
    /// else into the internal buffer (returns 0). Called only when that is drained.
    fn refill(&mut self, buf: &mut [u8]) -> Result<usize> {
        // `out` is not cleared first, so that the resize below zero-fills only when it
        // grows, not on every refill. Its old bytes were all served; they are overwritten
        // or wiped away, on an error `read` wipes it, and dropping it wipes it.
        let n = loop {
            match self.inner.read(&mut self.in_buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::Io(e)),
            }
        };
        if n == 0 {
            self.out_pos = 0;
            self.payload_finish()?;
            return Ok(0);
        }
        let (payload, input) = (&mut self.payload, &self.in_buf[..n]);
        let needed = payload.update_output_len(n);
        if needed > 0 && buf.len() >= needed {
            // Only whole authenticated chunks are written; on an error the failing
            // chunk and everything after it in `buf` is zeroed.
            return payload.update(input, &mut buf[..needed]);
        }
        self.out_pos = 0;
        let out = &mut *self.out;
        resize_wiping(out, needed);
        let w = payload.update(input, out)?;
        resize_wiping(out, w);
        Ok(0)
    }

    fn payload_finish(&mut self) -> Result<()> {
        resize_wiping(&mut self.out, self.payload.finish_output_len());
        let w = self.payload.finish(&mut self.out)?;
        resize_wiping(&mut self.out, w);
        self.state = State::Done;
        Ok(())
    }
}

impl<R: Read> Read for OpenReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_pos < self.out.len() {
                let n = buf.len().min(self.out.len() - self.out_pos);
                buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            match self.state {
                State::Done => return Ok(0),
                State::Failed => return Err(Error::InvalidState.into()),
                State::Reading => {}
            }
            match self.refill(buf) {
                Ok(0) => {}
                Ok(w) => return Ok(w),
                Err(e) => {
                    self.state = State::Failed;
                    resize_wiping(&mut self.out, 0);
                    return Err(e.into());
                }
            }
        }
    }
}
