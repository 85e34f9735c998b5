//! Opening through `std::io::Read`.
//!
//! The reader reads sealed bytes ahead, whole chunks at a time, into one buffer of
//! [`SEALED_BATCH`] bytes (plus the payload prefix), and gives the payload decryptor
//! only runs of whole chunks (with `parallel`, runs long enough to open on several
//! threads), so that the decryptor never copies a chunk into its own buffer:
//!
//! - a caller's buffer of at least one chunk is opened into straight, as many whole
//!   chunks as it holds (no copy of the plaintext);
//! - a smaller buffer (8 KiB from `io::copy`) is served from a zeroizing plaintext
//!   buffer of a few chunks, opened a run at a time and copied out.
//!
//! Either way a chunk's plaintext reaches the caller only after its tag verified.

use std::io::{self, Read};

use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};
use crate::format::header::Header;
use crate::format::metadata::PrivateMetadata;
use crate::io::{SEALED_BATCH, read_header};
use crate::open::unlock;
use crate::open_options::OpenOptions;
use crate::primitives::stream::{CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE, PREFIX_SIZE, PayloadDecryptor};
use crate::recipient::Identity;

/// Sealed bytes read ahead at most: a batch of whole chunks, and the payload prefix
/// that comes before the first one.
const READ_AHEAD: usize = SEALED_BATCH + PREFIX_SIZE;

/// Chunks opened at a time for reads shorter than a chunk, into the internal plaintext
/// buffer: four (64 KiB, in cache), or with `parallel` the shortest run that is opened
/// on several threads. Either is a fraction of the read-ahead buffer.
#[cfg(not(feature = "parallel"))]
const SMALL_READ_CHUNKS: usize = 4;
#[cfg(feature = "parallel")]
const SMALL_READ_CHUNKS: usize = crate::primitives::stream::PARALLEL_MIN_CHUNKS;

/// Opens a sealed stream as it is read.
///
/// Returns plaintext one authenticated chunk at a time, and `Ok(0)` (end of file) only
/// after the final chunk verified: a truncated or tampered stream ends in an error,
/// never in a clean end of file. Errors are final.
///
/// A read into a buffer of 16 KiB or more opens whole chunks straight into it and
/// returns a multiple of 16 KiB (until the final chunk); reads of up to about 256 KiB
/// (1 MiB with `parallel`) are served at once. When a read fails with a tampered
/// chunk, the chunks before it in the caller's buffer hold authentic plaintext and
/// the rest of what the call would have written is zeroed.
pub struct OpenReader<R: Read> {
    inner: R,
    header: Header,
    private: PrivateMetadata,
    payload: PayloadDecryptor,
    /// Sealed bytes read ahead: `input[in_pos..in_end]` are not given to the payload
    /// decryptor yet. Allocated at [`READ_AHEAD`] bytes on the first read.
    input: Vec<u8>,
    in_pos: usize,
    in_end: usize,
    /// The inner reader reported end of file.
    eof: bool,
    /// Sealed payload bytes given to the decryptor, to keep its runs on chunk bounds.
    fed: u64,
    /// With `parallel`, the second read-ahead buffer: filled while the threads open the
    /// first, then swapped with it.
    #[cfg(feature = "parallel")]
    spare: Vec<u8>,
    /// Plaintext for reads shorter than a chunk; `out[out_pos..out_len]` is not served
    /// yet. Allocated once at its full size, never grown, wiped when dropped and on an
    /// error.
    out: Zeroizing<Vec<u8>>,
    out_pos: usize,
    out_len: usize,
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
            input: Vec::new(),
            in_pos: 0,
            in_end: 0,
            eof: false,
            fed: 0,
            #[cfg(feature = "parallel")]
            spare: Vec::new(),
            out: Zeroizing::new(Vec::new()),
            out_pos: 0,
            out_len: 0,
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

    /// Reads until `want` sealed bytes are read ahead or the input ends.
    fn fill(&mut self, want: usize) -> Result<()> {
        if self.in_end - self.in_pos >= want || self.eof {
            return Ok(());
        }
        if self.input.is_empty() {
            self.input = vec![0; READ_AHEAD];
        }
        // Fewer than `want` bytes are left: moving them to the front is cheap.
        self.input.copy_within(self.in_pos..self.in_end, 0);
        self.in_end -= self.in_pos;
        self.in_pos = 0;
        (self.in_end, self.eof) = read_until(&mut self.inner, &mut self.input, self.in_end, want)?;
        Ok(())
    }

    /// Sealed bytes from what was fed so far to the next chunk boundary (the rest of
    /// the payload prefix at the start, then 0 as long as only whole chunks are fed).
    fn to_boundary(&self) -> usize {
        let prefix = PREFIX_SIZE as u64;
        let gap = if self.fed < prefix {
            prefix - self.fed
        } else {
            let into = (self.fed - prefix) % ENCRYPTED_CHUNK_SIZE as u64;
            (ENCRYPTED_CHUNK_SIZE as u64 - into) % ENCRYPTED_CHUNK_SIZE as u64
        };
        // Less than one chunk.
        gap as usize
    }

    /// Opens the next run of whole chunks (up to what `room` plaintext bytes hold), or
    /// at the end of the input the rest, into `dest`; returns the plaintext length.
    /// `dest` is the caller's buffer or the internal one, at least a chunk long.
    fn open_run(&mut self, room: usize, dest: Dest<'_>) -> Result<usize> {
        let chunks = (room / CHUNK_SIZE).min(SEALED_BATCH / ENCRYPTED_CHUNK_SIZE);
        let gap = self.to_boundary();
        self.fill(gap + chunks * ENCRYPTED_CHUNK_SIZE)?;
        let avail = self.in_end - self.in_pos;
        if avail == 0 {
            // The end of the input: only the final chunk's authentication releases
            // its plaintext and ends the stream.
            let needed = self.payload.finish_output_len();
            let buf = dest.get(&mut self.out, needed);
            let n = self.payload.finish(buf)?;
            self.state = State::Done;
            return Ok(n);
        }
        // Whole chunks only (the input ends inside a chunk only at its end); at the
        // end of the input, what is left once no whole chunk is.
        let whole = avail.saturating_sub(gap) / ENCRYPTED_CHUNK_SIZE;
        let take = if whole > 0 {
            gap + whole.min(chunks) * ENCRYPTED_CHUNK_SIZE
        } else {
            avail
        };
        let needed = self.payload.update_output_len(take);
        let buf = dest.get(&mut self.out, needed);
        let run = &self.input[self.in_pos..self.in_pos + take];
        // With `parallel`, when this run empties the read-ahead buffer, the next batch
        // is read (a copy on this thread) while the threads open this one.
        #[cfg(feature = "parallel")]
        if !self.eof && self.in_end - self.in_pos - take < ENCRYPTED_CHUNK_SIZE {
            let rest = &self.input[self.in_pos + take..self.in_end];
            if self.spare.is_empty() {
                self.spare = vec![0; READ_AHEAD];
            }
            let (payload, inner, spare) = (&mut self.payload, &mut self.inner, &mut self.spare);
            let mut opened = Ok(0);
            let read = rayon::in_place_scope(|s| {
                s.spawn(|_| opened = payload.update(run, buf));
                read_ahead(inner, rest, spare)
            });
            let n = opened?;
            let (end, eof) = read?;
            core::mem::swap(&mut self.input, &mut self.spare);
            (self.in_pos, self.in_end, self.eof) = (0, end, eof);
            self.fed += take as u64;
            return Ok(n);
        }
        let n = self.payload.update(run, buf)?;
        self.in_pos += take;
        self.fed += take as u64;
        Ok(n)
    }

    fn fail(&mut self) {
        self.state = State::Failed;
        self.out.as_mut_slice().zeroize();
        self.out_pos = 0;
        self.out_len = 0;
    }
}

/// Puts `rest` (the end of the read-ahead buffer, less than a chunk) at the start of
/// `next` and reads after it until `next` is full or the input ends; returns where the
/// bytes end and whether the input ended.
#[cfg(feature = "parallel")]
fn read_ahead<R: Read>(inner: &mut R, rest: &[u8], next: &mut [u8]) -> Result<(usize, bool)> {
    next[..rest.len()].copy_from_slice(rest);
    let full = next.len();
    read_until(inner, next, rest.len(), full)
}

/// Reads into `buf` after its first `end` bytes until they are at least `want` (at
/// most `buf.len()`) or the input ends; returns where the bytes end and whether the
/// input ended.
fn read_until<R: Read>(
    inner: &mut R,
    buf: &mut [u8],
    mut end: usize,
    want: usize,
) -> Result<(usize, bool)> {
    while end < want {
        match inner.read(&mut buf[end..]) {
            Ok(0) => return Ok((end, true)),
            Ok(n) => end += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::Io(e)),
        }
    }
    Ok((end, false))
}

/// Where a run of plaintext goes.
enum Dest<'a> {
    /// The caller's buffer.
    Caller(&'a mut [u8]),
    /// The internal buffer.
    Internal,
}

impl<'a> Dest<'a> {
    /// The first `needed` bytes of the destination (`needed` is at most what the run
    /// was sized for).
    fn get<'b>(self, internal: &'b mut Zeroizing<Vec<u8>>, needed: usize) -> &'b mut [u8]
    where
        'a: 'b,
    {
        match self {
            Dest::Caller(buf) => &mut buf[..needed],
            Dest::Internal => {
                if internal.is_empty() {
                    **internal = vec![0; SMALL_READ_CHUNKS * CHUNK_SIZE];
                }
                &mut internal[..needed]
            }
        }
    }
}

impl<R: Read> Read for OpenReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_pos < self.out_len {
                let n = buf.len().min(self.out_len - self.out_pos);
                buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            match self.state {
                State::Done => return Ok(0),
                State::Failed => return Err(Error::InvalidState.into()),
                State::Reading => {}
            }
            if buf.is_empty() {
                return Ok(0);
            }
            let res = if buf.len() >= CHUNK_SIZE {
                let room = buf.len();
                self.open_run(room, Dest::Caller(&mut *buf))
            } else {
                self.open_run(SMALL_READ_CHUNKS * CHUNK_SIZE, Dest::Internal)
                    .map(|n| {
                        self.out_pos = 0;
                        self.out_len = n;
                        0
                    })
            };
            match res {
                Ok(0) => {}
                Ok(n) => return Ok(n),
                Err(e) => {
                    self.fail();
                    return Err(e.into());
                }
            }
        }
    }
}
