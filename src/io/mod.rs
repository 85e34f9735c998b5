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
pub use rewrap_file::rewrap_file_with_rng;
#[doc(hidden)]
pub use rewrap_file::{FileOps, StdFileOps, rewrap_file_with_ops};
pub use seek::{SeekableOpenReader, SeekablePayload};
pub use write::SealWriter;

use std::io::{self, Read};

use crate::error::{Error, Result};

use crate::format::header::{self, Header, Step};

/// How much ciphertext the readers ask for at a time: four chunks.
#[cfg(not(feature = "parallel"))]
pub(crate) const IO_BUF: usize = 4 * crate::primitives::stream::ENCRYPTED_CHUNK_SIZE;
/// With `parallel`, 64 chunks (about 1 MiB), so that large reads open on several
/// threads.
#[cfg(feature = "parallel")]
pub(crate) const IO_BUF: usize = 64 * crate::primitives::stream::ENCRYPTED_CHUNK_SIZE;

/// Reads exactly one header from `r`, never a byte past it, and never more than
/// [`MAX_HEADER`](crate::limits::MAX_HEADER) bytes whatever the input claims.
///
/// # Errors
/// Any header error; [`Error::Truncated`] if `r` ends inside the header;
/// [`Error::Io`] for a read error.
pub fn read_header<R: Read + ?Sized>(r: &mut R) -> Result<Header> {
    let mut buf = Vec::new();
    let mut needed = 1;
    loop {
        let start = buf.len();
        buf.resize(needed, 0);
        r.read_exact(&mut buf[start..])
            .map_err(|e| match e.kind() {
                io::ErrorKind::UnexpectedEof => Error::Truncated,
                _ => Error::Io(e),
            })?;
        match header::parse_step(&buf)? {
            Step::Done(h) => return Ok(*h),
            Step::Need(n) => needed = n,
        }
    }
}
