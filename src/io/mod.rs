//! `std::io` adapters: a [`SealWriter`] that seals what is written to it, an
//! [`OpenReader`] that opens a sealed stream, and a [`SeekableOpenReader`] for random
//! access.
//!
//! Errors cross `std::io` as `io::Error` values that carry the printseal [`Error`];
//! [`Error::from_io`] gets it back. Truncation is `ErrorKind::UnexpectedEof`, every
//! other format error `ErrorKind::InvalidData`.

mod read;
mod rewrap_file;
pub mod scan;
mod seek;
mod write;

pub use read::OpenReader;
#[cfg(feature = "getrandom")]
pub use rewrap_file::rewrap_file;
#[doc(hidden)]
pub use rewrap_file::{FileOps, StdFileOps, rewrap_file_with_ops};
pub use rewrap_file::{RewrapFileOptions, rewrap_file_with_options, rewrap_file_with_rng};
pub use seek::{SeekableOpenReader, SeekablePayload};
pub use write::SealWriter;

use std::io::{self, Read};

use crate::error::{Error, Result};

use crate::format::header::{self, Header, Step};

/// Chunks the adapters move at a time: the plaintext a [`SealWriter`] gathers before
/// sealing, and the whole chunks an [`OpenReader`] reads ahead. 16 chunks (256 KiB)
/// keep both buffers in a core's L2 cache; with `parallel`, 64 chunks (1 MiB), so that
/// every run is long enough to be shared among threads.
#[cfg(not(feature = "parallel"))]
const BATCH_CHUNKS: usize = 16;
#[cfg(feature = "parallel")]
const BATCH_CHUNKS: usize = 64;

/// Plaintext bytes of a batch.
pub(crate) const BATCH: usize = BATCH_CHUNKS * crate::primitives::stream::CHUNK_SIZE;
/// Sealed bytes of a batch of whole chunks.
pub(crate) const SEALED_BATCH: usize =
    BATCH_CHUNKS * crate::primitives::stream::ENCRYPTED_CHUNK_SIZE;

/// Reads exactly one header from `r`, never a byte past it, and never more than
/// [`MAX_HEADER`](crate::limits::MAX_HEADER) bytes whatever the input claims.
///
/// # Errors
/// Any header error; [`Error::Truncated`] if `r` ends inside the header;
/// [`Error::Io`] for a read error.
pub fn read_header<R: Read + ?Sized>(r: &mut R) -> Result<Header> {
    // The magic first, byte by byte as far as the input goes: an input that ends
    // before 8 bytes is `Truncated` only if it is a proper prefix of the magic.
    let mut buf = vec![0u8; header::MAGIC.len()];
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::Io(e)),
        }
        if !header::could_be_magic(&buf[..got]) {
            return Err(Error::NotPrintseal);
        }
    }
    if got < buf.len() {
        return Err(Error::Truncated);
    }
    let mut needed = buf.len();
    loop {
        let start = buf.len();
        buf.resize(needed, 0);
        read_exact_or_truncated(r, &mut buf[start..])?;
        match header::parse_step(&buf)? {
            Step::Done(h) => return Ok(*h),
            Step::Need(n) => needed = n,
        }
    }
}

/// `read_exact` for sealed input: an end of file before `buf` is full means the job is
/// cut short. The one place where the readers, the seekable reader and rewrap turn
/// `UnexpectedEof` into [`Error::Truncated`].
///
/// # Errors
/// [`Error::Truncated`] at end of file; [`Error::Io`] for any other read error.
pub(crate) fn read_exact_or_truncated<R: Read + ?Sized>(r: &mut R, buf: &mut [u8]) -> Result<()> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => Error::Truncated,
        _ => Error::Io(e),
    })
}
