//! Random-access opening through `std::io::Read + Seek`.

use std::io::{self, Read, Seek, SeekFrom};

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::format::header::Header;
use crate::format::metadata::PrivateMetadata;
use crate::growable::resize_wiping;
use crate::io::{read_exact_or_truncated, read_header};
use crate::open::unlock;
use crate::open_options::OpenOptions;
use crate::primitives::aead::{Backend, TAG_SIZE};
use crate::primitives::stream::{
    CHUNK_SIZE, ChunkKeys, ENCRYPTED_CHUNK_SIZE, PREFIX_SIZE, TRAILING_PROBE, chunk_offset,
    keys_for_prefix, plaintext_len,
};
use crate::recipient::Identity;

/// Opens a sealed job for random access.
///
/// Any position can be read; each chunk's plaintext is served only after its tag
/// verified at its index. The payload length comes from the file length, and it is
/// authenticated by decrypting the final chunk (whose ciphertext must be short) before
/// a seek from the end is served and before end of file is reported. Reading only
/// chunks before a damaged part succeeds, as the C2SP spec allows; reading through it
/// fails.
pub struct SeekableOpenReader<R: Read + Seek> {
    header: Header,
    private: PrivateMetadata,
    payload: SeekablePayload<R>,
}

/// Random access to a C2SP chunked payload that starts at `payload_start` in `inner`
/// and runs to its end. The payload half of [`SeekableOpenReader`], exposed through
/// [`crate::hazmat`] for test vectors.
pub struct SeekablePayload<R: Read + Seek> {
    inner: R,
    keys: ChunkKeys,
    payload_start: u64,
    plaintext_len: u64,
    last_chunk: u64,
    pos: u64,
    cached: Option<(u64, Zeroizing<Vec<u8>>)>,
    length_verified: bool,
    scratch: Vec<u8>,
}

impl<R: Read + Seek> SeekableOpenReader<R> {
    /// Reads the header from the start of `inner`, unlocks it with `identities`,
    /// checks the payload key commitment, and works out the payload length, with the
    /// default [`OpenOptions`] (expired jobs refused).
    ///
    /// # Errors
    /// Any header or recipient error; [`Error::PolicyViolation`];
    /// [`Error::PayloadCommitment`]; [`Error::Truncated`] or [`Error::TrailingData`] if
    /// the file length is not one a sealed job can have; I/O errors.
    pub fn new(inner: R, identities: &[&dyn Identity]) -> Result<SeekableOpenReader<R>> {
        Self::with_options(inner, identities, &OpenOptions::new())
    }

    /// [`SeekableOpenReader::new`] with `options`: the policy is checked once the
    /// header MAC verified, before any payload is decrypted; the backend computes the
    /// chunks.
    ///
    /// # Errors
    /// As [`SeekableOpenReader::new`].
    pub fn with_options(
        mut inner: R,
        identities: &[&dyn Identity],
        options: &OpenOptions,
    ) -> Result<SeekableOpenReader<R>> {
        inner.seek(SeekFrom::Start(0))?;
        let header = read_header(&mut inner)?;
        let unlocked = unlock(&header, identities, options)?;
        let payload = SeekablePayload::with_backend(
            inner,
            header.len() as u64,
            header.suite(),
            &unlocked.keys.payload_key,
            header.context(),
            options.forced_backend(),
        )?;
        Ok(SeekableOpenReader {
            header,
            private: unlocked.private,
            payload,
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

    /// The plaintext length, authenticated by decrypting the final chunk.
    ///
    /// # Errors
    /// As [`SeekablePayload::plaintext_len`].
    pub fn plaintext_len(&mut self) -> Result<u64> {
        self.payload.plaintext_len()
    }
}

impl<R: Read + Seek> Read for SeekableOpenReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.payload.read(buf)
    }
}

impl<R: Read + Seek> Seek for SeekableOpenReader<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.payload.seek(pos)
    }
}

impl<R: Read + Seek> SeekablePayload<R> {
    /// Checks the key commitment of the payload at `payload_start` in `inner` and
    /// works out its length from the end of `inner`.
    ///
    /// # Errors
    /// [`Error::PayloadCommitment`]; [`Error::Truncated`] if the length is not one a
    /// payload can have; I/O errors.
    pub fn new(
        inner: R,
        payload_start: u64,
        suite: crate::Suite,
        input_key: &[u8; 32],
        context: &[u8],
    ) -> Result<SeekablePayload<R>> {
        Self::with_backend(inner, payload_start, suite, input_key, context, None)
    }

    fn with_backend(
        mut inner: R,
        payload_start: u64,
        suite: crate::Suite,
        input_key: &[u8; 32],
        context: &[u8],
        backend: Option<Backend>,
    ) -> Result<SeekablePayload<R>> {
        inner.seek(SeekFrom::Start(payload_start))?;
        let mut prefix = [0u8; PREFIX_SIZE];
        read_exact_or_truncated(&mut inner, &mut prefix)?;
        let keys = keys_for_prefix(suite, input_key, &prefix, context, backend)?;
        let file_len = inner.seek(SeekFrom::End(0))?;
        let payload_len = file_len
            .checked_sub(payload_start)
            .ok_or(Error::Truncated)?;
        let mut payload = SeekablePayload {
            inner,
            keys,
            payload_start,
            plaintext_len: 0,
            last_chunk: 0,
            pos: 0,
            cached: None,
            length_verified: false,
            scratch: vec![0; ENCRYPTED_CHUNK_SIZE],
        };
        match plaintext_len(payload_len) {
            Some(len) => payload.set_len(len),
            None => return Err(payload.impossible_length(payload_len)),
        }
        Ok(payload)
    }

    /// The error for a payload length no message can have (it stops at a chunk
    /// boundary, or its tail is shorter than a tag), chosen as a streaming opener
    /// would choose it for the same file (docs/FORMAT.md §10): trailing data if cutting
    /// 1 to 16 bytes leaves an authentic final chunk; a failed chunk if the last whole
    /// 16400-byte window does not open as a middle chunk; else truncation.
    fn impossible_length(&mut self, payload_len: u64) -> Error {
        if self.has_trailing_data(payload_len) {
            return Error::TrailingData;
        }
        let windows = payload_len.saturating_sub(PREFIX_SIZE as u64) / ENCRYPTED_CHUNK_SIZE as u64;
        if let Some(last_whole) = windows.checked_sub(1) {
            self.set_len(windows * CHUNK_SIZE as u64);
            let res = self.load_chunk(last_whole);
            self.cached = None;
            if let Err(e) = res {
                return e;
            }
        }
        Error::Truncated
    }

    fn set_len(&mut self, plaintext_len: u64) {
        self.plaintext_len = plaintext_len;
        self.last_chunk = plaintext_len / CHUNK_SIZE as u64;
    }

    /// Whether the payload of `payload_len` bytes is an authentic one followed by 1 to
    /// `TRAILING_PROBE` bytes that carried its tail across a chunk boundary.
    fn has_trailing_data(&mut self, payload_len: u64) -> bool {
        (1..=TRAILING_PROBE as u64).any(|extra| {
            let Some(len) = payload_len.checked_sub(extra).and_then(plaintext_len) else {
                return false;
            };
            self.set_len(len);
            let ok = self.load_chunk(self.last_chunk).is_ok();
            self.cached = None;
            ok
        })
    }

    /// The plaintext length, authenticated by decrypting the final chunk.
    ///
    /// # Errors
    /// [`Error::PayloadTampered`] or [`Error::TrailingData`] if the final chunk does
    /// not verify; I/O errors.
    pub fn plaintext_len(&mut self) -> Result<u64> {
        self.verify_length()?;
        Ok(self.plaintext_len)
    }

    fn verify_length(&mut self) -> Result<()> {
        if !self.length_verified {
            self.load_chunk(self.last_chunk)?;
        }
        Ok(())
    }

    /// Decrypts chunk `index` into the cache.
    fn load_chunk(&mut self, index: u64) -> Result<()> {
        if self.cached.as_ref().is_some_and(|(i, _)| *i == index) {
            return Ok(());
        }
        let last = index == self.last_chunk;
        let pt_len = if last {
            (self.plaintext_len - index * CHUNK_SIZE as u64) as usize
        } else {
            CHUNK_SIZE
        };
        let offset = chunk_offset(index)
            .and_then(|o| o.checked_add(self.payload_start))
            .ok_or(Error::InvalidSeek)?;
        self.inner.seek(SeekFrom::Start(offset))?;
        let ct = &mut self.scratch[..pt_len + TAG_SIZE];
        read_exact_or_truncated(&mut self.inner, ct)?;
        // One allocation of a whole chunk for the reader's life, so that the cache
        // never reallocates (a short final chunk is often read first); it is wiped when
        // dropped, a failed chunk included.
        let mut pt = match self.cached.take() {
            Some((_, buf)) => buf,
            None => Zeroizing::new(Vec::with_capacity(CHUNK_SIZE)),
        };
        resize_wiping(&mut pt, pt_len);
        self.keys.open_chunk(index, last, ct, &mut pt)?;
        if last {
            self.length_verified = true;
        }
        self.cached = Some((index, pt));
        Ok(())
    }

    fn read_inner(&mut self, buf: &mut [u8]) -> Result<usize> {
        if self.pos >= self.plaintext_len {
            // End of file only once the final chunk proved the length.
            self.verify_length()?;
            return Ok(0);
        }
        let index = self.pos / CHUNK_SIZE as u64;
        self.load_chunk(index)?;
        let within = (self.pos % CHUNK_SIZE as u64) as usize;
        let chunk = self
            .cached
            .as_ref()
            .map(|(_, c)| c.as_slice())
            .unwrap_or_default();
        let n = buf.len().min(chunk.len().saturating_sub(within));
        buf[..n].copy_from_slice(&chunk[within..within + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read + Seek> Read for SeekablePayload<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.read_inner(buf).map_err(io::Error::from)
    }
}

impl<R: Read + Seek> Seek for SeekablePayload<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let target = match pos {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => {
                self.verify_length().map_err(io::Error::from)?;
                self.plaintext_len.checked_add_signed(d)
            }
        };
        let target = target.ok_or_else(|| io::Error::from(Error::InvalidSeek))?;
        self.pos = target;
        Ok(target)
    }
}
