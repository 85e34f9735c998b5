//! Random access to a sealed job through a pread-style callback: any range of the
//! plaintext, each chunk authenticated before any of it is returned, the length
//! authenticated (by the final chunk) before it is reported.

use core::ffi::c_void;
use std::io::{self, Read, Seek, SeekFrom};

use printseal::io::SeekableOpenReader;

use crate::error::{LastError, printseal_status};
use crate::ffi::{
    Castable, OwnershipBox, free_box, to_boxed_mut_ptr, try_handles, try_mut, try_out, try_ref,
    try_slice_mut,
};
use crate::io::{callback_error, read_full, status_of, unwrap_io};
use crate::keys::{as_identities, printseal_identity};
use crate::open::open_options;
use crate::panic::ffi_panic_boundary;
use crate::policy::printseal_policy;
use crate::slice::printseal_str;

/// Reads up to `n` bytes at byte `offset` of the sealed job into `buf`, like POSIX
/// `pread`: store how many in `*out_n` (0 only at or past the end) and return 0, or
/// return non-zero on error. Called from the thread that uses the seekable opener.
pub type printseal_pread_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        buf: *mut u8,
        n: usize,
        offset: u64,
        out_n: *mut usize,
    ) -> i32,
>;

type PreadFn = unsafe extern "C" fn(*mut c_void, *mut u8, usize, u64, *mut usize) -> i32;

/// Where `printseal_seekable_opener_seek` counts from, as `lseek`'s `whence`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum printseal_whence {
    /// From the start of the plaintext.
    Set = 0,
    /// From the current position.
    Current = 1,
    /// From the end of the plaintext (authenticates the length first).
    End = 2,
}

/// `Read + Seek` over the host's pread callback and the job's total size.
pub(crate) struct PreadSource {
    cb: PreadFn,
    userdata: *mut c_void,
    size: u64,
    pos: u64,
}

impl Read for PreadSource {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.size || buf.is_empty() {
            return Ok(0);
        }
        let mut n = 0usize;
        // SAFETY: the host's callback under its contract: `buf` writable for
        // `buf.len()` bytes and `n` a usize, both valid for the call.
        let rc = unsafe { (self.cb)(self.userdata, buf.as_mut_ptr(), buf.len(), self.pos, &mut n) };
        if rc != 0 {
            return Err(callback_error(rc));
        }
        if n > buf.len() {
            return Err(io::Error::other(
                "pread callback reported more bytes than asked for",
            ));
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for PreadSource {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let new = match pos {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.size.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match new {
            Some(p) => {
                self.pos = p;
                Ok(p)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek out of range",
            )),
        }
    }
}

/// The Rust side of a `printseal_seekable_opener`.
pub struct SeekableState {
    inner: SeekableOpenReader<PreadSource>,
    last_error: LastError,
}

impl SeekableState {
    /// Stores a result in `*out` (on success) or records its error.
    fn finish_io<T>(&mut self, res: io::Result<T>, out: &mut T) -> printseal_status {
        match res {
            Ok(v) => {
                *out = v;
                printseal_status::Ok
            }
            Err(e) => self.last_error.record(&printseal::Error::from_io(e)),
        }
    }
}

/// A job opened for random access through a pread-style callback: read any range of
/// the plaintext, each chunk authenticated before any of it is returned, and the
/// length authenticated (by the final chunk) before it is reported.
///
/// Owned by the caller (a `Box` around printseal's `SeekableOpenReader`); one thread
/// at a time. The callback's `userdata` must stay valid until it is freed.
pub struct printseal_seekable_opener {
    _private: [u8; 0],
}

impl Castable for printseal_seekable_opener {
    type Ownership = OwnershipBox;
    type RustType = SeekableState;
}

// SAFETY (for the Send bound nothing requires): not implemented; the opener stays on
// the thread the host uses it from.

impl printseal_seekable_opener {
    /// Opens the job of `size` bytes that `pread` reads: reads and authenticates the
    /// header with the identities and `policy` (NULL: the default policy).
    ///
    /// On success `*out` is a new seekable opener the caller owns.
    ///
    /// Errors: `NULL_PARAMETER`; `IO`; every header, key and policy error of
    /// `printseal_opener_unlock`; `TRUNCATED`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seekable_opener_new(
        policy: *const printseal_policy,
        identities: *const *const printseal_identity,
        n_identities: usize,
        pread: printseal_pread_callback,
        userdata: *mut c_void,
        size: u64,
        out: *mut *mut printseal_seekable_opener,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let out = try_out!(out);
            let ids = try_handles!(identities, n_identities);
            let Some(cb) = pread else {
                return printseal_status::NullParameter;
            };
            let src = PreadSource { cb, userdata, size, pos: 0 };
            let res = SeekableOpenReader::with_options(src, &as_identities(&ids), &open_options(policy));
            match res {
                Ok(inner) => {
                    *out = to_boxed_mut_ptr(SeekableState { inner, last_error: LastError::default() });
                    printseal_status::Ok
                }
                Err(e) => status_of(e),
            }
        }
    }

    /// The authenticated plaintext length (reads and verifies the final chunk).
    ///
    /// Errors: `NULL_PARAMETER`; `IO`; `TRUNCATED`; `PAYLOAD_TAMPERED`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seekable_opener_plaintext_len(
        opener: *mut printseal_seekable_opener,
        out: *mut u64,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let o = try_mut!(opener);
            let out = try_out!(out);
            match o.inner.plaintext_len() {
                Ok(n) => {
                    *out = n;
                    printseal_status::Ok
                }
                Err(e) => {
                    let e = unwrap_io(e);
                    o.last_error.record(&e)
                }
            }
        }
    }

    /// Reads up to `len` plaintext bytes at plaintext offset `offset` into `buf`;
    /// `*out_n` gets how many (less than `len` only at the end; 0 at or past it).
    /// Like `pread`, it does not depend on the position; it leaves it at
    /// `offset + *out_n`.
    ///
    /// Errors: `NULL_PARAMETER`; `INVALID_INPUT`; `IO`; `PAYLOAD_TAMPERED`;
    /// `TRUNCATED`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seekable_opener_read_at(
        opener: *mut printseal_seekable_opener,
        offset: u64,
        buf: *mut u8,
        len: usize,
        out_n: *mut usize,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let o = try_mut!(opener);
            let out_n = try_out!(out_n);
            let buf = try_slice_mut!(buf, len);
            let res = o.inner.seek(SeekFrom::Start(offset)).and_then(|_| read_full(&mut o.inner, buf));
            o.finish_io(res, out_n)
        }
    }

    /// Moves the position: to `offset` counted from the start (`whence` =
    /// `PRINTSEAL_WHENCE_SET`), from the current position (`_CURRENT`) or from the end
    /// of the plaintext (`_END`, which first authenticates the length). `*new_pos`
    /// gets the new position. A position past the end is allowed (reads there give 0
    /// bytes); before the start, or past what a `uint64_t` holds, is not.
    ///
    /// Errors: `NULL_PARAMETER`; `INVALID_INPUT` (unknown `whence`); `INVALID_SEEK`
    /// (a negative `offset` from the start, or a position before 0 or past
    /// `UINT64_MAX`; the position is unchanged); for `_END` as
    /// `printseal_seekable_opener_plaintext_len`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seekable_opener_seek(
        opener: *mut printseal_seekable_opener,
        offset: i64,
        whence: u32,
        new_pos: *mut u64,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let o = try_mut!(opener);
            let new_pos = try_out!(new_pos);
            let pos = match whence {
                0 => match u64::try_from(offset) {
                    Ok(p) => SeekFrom::Start(p),
                    Err(_) => return o.last_error.record(&printseal::Error::InvalidSeek),
                },
                1 => SeekFrom::Current(offset),
                2 => SeekFrom::End(offset),
                _ => return printseal_status::InvalidInput,
            };
            let res = o.inner.seek(pos);
            o.finish_io(res, new_pos)
        }
    }

    /// Reads up to `len` plaintext bytes at the current position into `buf` and
    /// advances the position; `*out_n` gets how many (less than `len` only at the end,
    /// 0 at or past it).
    ///
    /// Errors: `NULL_PARAMETER`; `INVALID_INPUT`; `IO`; `PAYLOAD_TAMPERED`;
    /// `TRUNCATED`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seekable_opener_read(
        opener: *mut printseal_seekable_opener,
        buf: *mut u8,
        len: usize,
        out_n: *mut usize,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let o = try_mut!(opener);
            let out_n = try_out!(out_n);
            let buf = try_slice_mut!(buf, len);
            let res = read_full(&mut o.inner, buf);
            o.finish_io(res, out_n)
        }
    }

    /// The header (borrowed until the opener is freed).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seekable_opener_header(
        opener: *const printseal_seekable_opener,
    ) -> *const crate::inspect::printseal_header {
        ffi_panic_boundary! {
            (try_ref!(opener).inner.header() as *const printseal::Header).cast()
        }
    }

    /// The text of the last error, borrowed until the next call; empty if none.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seekable_opener_error_detail(
        opener: *const printseal_seekable_opener,
    ) -> printseal_str {
        ffi_panic_boundary! {
            printseal_str::from_str(try_ref!(opener).last_error.detail())
        }
    }

    /// Frees the seekable opener, wiping its keys and cached plaintext. NULL does
    /// nothing.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seekable_opener_free(opener: *mut printseal_seekable_opener) {
        ffi_panic_boundary! {
            free_box(opener)
        }
    }
}
