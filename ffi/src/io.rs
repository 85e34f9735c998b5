//! The host's own I/O through callbacks (after rustls-ffi `librustls/src/io.rs`):
//! whole-stream seal, open and rewrap, the atomic in-place rewrap of a file, and
//! random-access opening through a pread-style callback.

use core::ffi::{c_char, c_void};
use std::io::{self, Read, Seek, SeekFrom, Write};

use printseal::io::SeekableOpenReader;
use printseal::{Opener, RewrapOptions, Sealer};

use crate::error::{LastError, map_error, printseal_status};
use crate::ffi::{
    Castable, OwnershipBox, free_box, to_boxed_mut_ptr, try_handles, try_mut, try_out, try_ref,
    try_slice_mut, try_str,
};
use crate::keys::{
    IdentityKey, as_identities, as_recipients, printseal_identity, printseal_recipient,
};
use crate::open::open_options;
use crate::panic::ffi_panic_boundary;
use crate::policy::printseal_policy;
use crate::seal::printseal_seal_options;
use crate::slice::printseal_str;

/// Reads up to `n` bytes into `buf`: store how many in `*out_n` and return 0; `*out_n
/// = 0` means end of input. Return non-zero (an `errno` value, say) on error. `buf` and
/// `out_n` are borrowed for the call.
pub type printseal_read_callback = Option<
    unsafe extern "C" fn(userdata: *mut c_void, buf: *mut u8, n: usize, out_n: *mut usize) -> i32,
>;

/// Writes up to `n` bytes from `buf`: store how many (at least 1) in `*out_n` and
/// return 0, or return non-zero on error. printseal calls again for the rest.
pub type printseal_write_callback = Option<
    unsafe extern "C" fn(userdata: *mut c_void, buf: *const u8, n: usize, out_n: *mut usize) -> i32,
>;

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

type ReadFn = unsafe extern "C" fn(*mut c_void, *mut u8, usize, *mut usize) -> i32;
type WriteFn = unsafe extern "C" fn(*mut c_void, *const u8, usize, *mut usize) -> i32;
type PreadFn = unsafe extern "C" fn(*mut c_void, *mut u8, usize, u64, *mut usize) -> i32;

/// How much the stream helpers read per call: 64 chunks (1 MiB), so that the
/// `parallel` feature seals and opens on several threads.
const IO_BUF: usize = 64 * 16384;

fn callback_error(rc: i32) -> io::Error {
    io::Error::other(format!("I/O callback failed with code {rc}"))
}

/// A `Read` over the host's read callback.
pub(crate) struct CallbackReader {
    cb: ReadFn,
    userdata: *mut c_void,
}

impl Read for CallbackReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0usize;
        // SAFETY: the host's callback under its contract: `buf` is writable for
        // `buf.len()` bytes and `n` is a usize, both valid for the call.
        let rc = unsafe { (self.cb)(self.userdata, buf.as_mut_ptr(), buf.len(), &mut n) };
        if rc != 0 {
            return Err(callback_error(rc));
        }
        if n > buf.len() {
            return Err(io::Error::other(
                "read callback reported more bytes than asked for",
            ));
        }
        Ok(n)
    }
}

/// A `Write` over the host's write callback.
pub(crate) struct CallbackWriter {
    cb: WriteFn,
    userdata: *mut c_void,
}

impl Write for CallbackWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut n = 0usize;
        // SAFETY: the host's callback under its contract: `buf` is readable for
        // `buf.len()` bytes and `n` is a usize, both valid for the call.
        let rc = unsafe { (self.cb)(self.userdata, buf.as_ptr(), buf.len(), &mut n) };
        if rc != 0 {
            return Err(callback_error(rc));
        }
        if n > buf.len() {
            return Err(io::Error::other(
                "write callback reported more bytes than given",
            ));
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Fills `buf` as far as the reader goes; returns how many bytes (less only at EOF).
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The printseal error an `Error::Io` from the std adapters carries, if any.
fn unwrap_io(e: printseal::Error) -> printseal::Error {
    match e {
        printseal::Error::Io(e) => printseal::Error::from_io(e),
        other => other,
    }
}

fn status_of(e: printseal::Error) -> printseal_status {
    map_error(&unwrap_io(e))
}

fn seal_stream(
    opts: &printseal::SealOptions,
    recipients: &[&dyn printseal::Recipient],
    r: &mut CallbackReader,
    w: &mut CallbackWriter,
) -> printseal::Result<()> {
    let mut sealer = Sealer::new(opts, recipients)?;
    let mut input = vec![0u8; IO_BUF];
    let mut out = vec![
        0u8;
        sealer
            .update_output_len(IO_BUF)
            .max(sealer.finish_output_len())
    ];
    loop {
        let n = read_full(r, &mut input)?;
        if n == 0 {
            break;
        }
        let k = sealer.update(&input[..n], &mut out)?;
        w.write_all(&out[..k])?;
        if n < input.len() {
            break;
        }
    }
    // Only a complete read gets here: a failed read or write returned above, so the
    // output never ends in a final chunk and opens as truncated.
    let k = sealer.finish(&mut out)?;
    w.write_all(&out[..k])?;
    Ok(())
}

fn open_stream(
    opener: &mut Opener,
    r: &mut CallbackReader,
    w: &mut CallbackWriter,
) -> printseal::Result<()> {
    let mut input = vec![0u8; IO_BUF];
    let mut out = vec![0u8; opener.update_output_len(IO_BUF)];
    loop {
        let n = read_full(r, &mut input)?;
        if n == 0 {
            break;
        }
        let need = opener.update_output_len(n);
        if out.len() < need {
            out.resize(need, 0);
        }
        let p = opener.update(&input[..n], &mut out)?;
        w.write_all(&out[..p.written])?;
        if n < input.len() {
            break;
        }
    }
    let need = opener.finish_output_len();
    if out.len() < need {
        out.resize(need, 0);
    }
    let k = opener.finish(&mut out)?;
    w.write_all(&out[..k])?;
    // Plaintext passed through `out`: wipe it.
    zeroize::Zeroize::zeroize(&mut out[..]);
    Ok(())
}

/// Seals everything `read` gives to the recipients and hands the sealed job to
/// `write`, in 1 MiB steps. Only an OK return means `write` received a complete job: on
/// a read or write error (`IO`) or any other error, what was written is a truncated
/// job that no opener accepts.
///
/// Errors: `NULL_PARAMETER`; `IO`; as `printseal_sealer_new`.
#[unsafe(no_mangle)]
pub extern "C" fn printseal_seal_stream(
    opts: *const printseal_seal_options,
    recipients: *const *const printseal_recipient,
    n_recipients: usize,
    read: printseal_read_callback,
    read_userdata: *mut c_void,
    write: printseal_write_callback,
    write_userdata: *mut c_void,
) -> printseal_status {
    ffi_panic_boundary! {
        let opts = try_ref!(opts);
        let keys = try_handles!(recipients, n_recipients);
        let (Some(rcb), Some(wcb)) = (read, write) else {
            return printseal_status::NullParameter;
        };
        let mut r = CallbackReader { cb: rcb, userdata: read_userdata };
        let mut w = CallbackWriter { cb: wcb, userdata: write_userdata };
        match seal_stream(opts, &as_recipients(&keys), &mut r, &mut w) {
            Ok(()) => printseal_status::Ok,
            Err(e) => status_of(e),
        }
    }
}

/// Opens the sealed job `read` gives with the identities (and `policy`, which may be
/// NULL for the default: expired jobs refused) and hands the plaintext to `write`,
/// each chunk only after its tag verified. Only an OK return means the job was
/// complete and authentic: on an error, discard what `write` received.
///
/// Errors: `NULL_PARAMETER`; `IO`; every error of `printseal_opener_update` and
/// `printseal_opener_finish`.
#[unsafe(no_mangle)]
pub extern "C" fn printseal_open_stream(
    policy: *const printseal_policy,
    identities: *const *const printseal_identity,
    n_identities: usize,
    read: printseal_read_callback,
    read_userdata: *mut c_void,
    write: printseal_write_callback,
    write_userdata: *mut c_void,
) -> printseal_status {
    ffi_panic_boundary! {
        let keys = try_handles!(identities, n_identities);
        let (Some(rcb), Some(wcb)) = (read, write) else {
            return printseal_status::NullParameter;
        };
        let mut opener = Opener::with_options(open_options(policy)).unlock_with(boxed(&keys));
        let mut r = CallbackReader { cb: rcb, userdata: read_userdata };
        let mut w = CallbackWriter { cb: wcb, userdata: write_userdata };
        match open_stream(&mut opener, &mut r, &mut w) {
            Ok(()) => printseal_status::Ok,
            Err(e) => status_of(e),
        }
    }
}

/// Identities for an opener that owns them, borrowing nothing from the caller.
fn boxed(keys: &[&IdentityKey]) -> Vec<Box<dyn printseal::Identity + Send + Sync>> {
    keys.iter()
        .map(|k| Box::new(BorrowedIdentity(*k as *const IdentityKey)) as Box<_>)
        .collect()
}

/// An identity borrowed for the duration of one helper call (the caller's handle
/// outlives the call).
struct BorrowedIdentity(*const IdentityKey);

// SAFETY: it points at an `IdentityKey`, which is Send + Sync, kept alive by the
// caller for the whole call that uses this value.
unsafe impl Send for BorrowedIdentity {}
// SAFETY: as for Send.
unsafe impl Sync for BorrowedIdentity {}

impl printseal::Identity for BorrowedIdentity {
    fn unwrap_stanza(
        &self,
        stanza: &printseal::Stanza,
    ) -> Option<printseal::Result<printseal::FileKey>> {
        // SAFETY: the handle this points at is alive for the whole helper call, the
        // only time this value exists.
        unsafe { &*self.0 }.unwrap_stanza(stanza)
    }
}

/// Rewraps the sealed job `read` gives for the new recipients (unlocked with the
/// identities under `policy`, NULL for the default that refuses expired jobs) and
/// hands the result to `write`: a new header, then the payload bytes
/// unchanged. Same file key: see the README on what a rewrap does not undo.
///
/// Errors: `NULL_PARAMETER`; `IO`; as `printseal_opener_unlock`; `LIMIT_EXCEEDED`
/// (no recipients or too many); `MIXED_POST_QUANTUM`; `PAYLOAD_COMMITMENT`.
#[unsafe(no_mangle)]
pub extern "C" fn printseal_rewrap_stream(
    policy: *const printseal_policy,
    identities: *const *const printseal_identity,
    n_identities: usize,
    recipients: *const *const printseal_recipient,
    n_recipients: usize,
    allow_mixed_pq: bool,
    read: printseal_read_callback,
    read_userdata: *mut c_void,
    write: printseal_write_callback,
    write_userdata: *mut c_void,
) -> printseal_status {
    ffi_panic_boundary! {
        let ids = try_handles!(identities, n_identities);
        let keys = try_handles!(recipients, n_recipients);
        let (Some(rcb), Some(wcb)) = (read, write) else {
            return printseal_status::NullParameter;
        };
        let r = CallbackReader { cb: rcb, userdata: read_userdata };
        let mut w = CallbackWriter { cb: wcb, userdata: write_userdata };
        let opts = RewrapOptions::new()
            .open_options(open_options(policy))
            .allow_mixed_pq(allow_mixed_pq);
        match printseal::rewrap(r, &as_identities(&ids), &as_recipients(&keys), &opts, &mut w) {
            Ok(_) => printseal_status::Ok,
            Err(e) => status_of(e),
        }
    }
}

/// Rewraps the job at `path` (`path_len` bytes of UTF-8) in place, unlocking it with
/// the identities under `policy` (NULL: the default), atomically: a
/// temporary file in the same directory, `fsync`, rename, directory `fsync`. On any
/// error the original is left as it was.
///
/// Errors: `NULL_PARAMETER`; `INVALID_INPUT` (path not UTF-8); `IO`; as
/// `printseal_rewrap_stream`.
#[unsafe(no_mangle)]
pub extern "C" fn printseal_rewrap_file(
    path: *const c_char,
    path_len: usize,
    policy: *const printseal_policy,
    identities: *const *const printseal_identity,
    n_identities: usize,
    recipients: *const *const printseal_recipient,
    n_recipients: usize,
    allow_mixed_pq: bool,
) -> printseal_status {
    ffi_panic_boundary! {
        let path = try_str!(path, path_len);
        let ids = try_handles!(identities, n_identities);
        let keys = try_handles!(recipients, n_recipients);
        let opts = RewrapOptions::new()
            .open_options(open_options(policy))
            .allow_mixed_pq(allow_mixed_pq);
        match printseal::io::rewrap_file(path, &as_identities(&ids), &as_recipients(&keys), &opts) {
            Ok(()) => printseal_status::Ok,
            Err(e) => status_of(e),
        }
    }
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
    ///
    /// Errors: `NULL_PARAMETER`; `INVALID_INPUT`; `IO`; `PAYLOAD_TAMPERED`;
    /// `TRUNCATED`; `INVALID_SEEK`.
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
            let res = (|| -> io::Result<usize> {
                o.inner.seek(SeekFrom::Start(offset))?;
                read_full(&mut o.inner, buf)
            })();
            match res {
                Ok(n) => {
                    *out_n = n;
                    printseal_status::Ok
                }
                Err(e) => {
                    let e = printseal::Error::from_io(e);
                    o.last_error.record(&e)
                }
            }
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

/// Rewrites only the header of a sealed job held in memory, for a host that rewrites
/// the file itself: `sealed` (`sealed_len` bytes) is the job's start, its header and
/// at least the payload's 56-byte prefix. Unlocks with the identities under `policy`
/// (NULL: the default), checks the old header MAC and the payload's key commitment,
/// and writes the new header into `out` (`*out_written` bytes); the job then goes on
/// with the old bytes from `*payload_offset` on, unchanged.
///
/// Errors: `NULL_PARAMETER`; `BUFFER_TOO_SMALL` (`*out_written` holds the size needed;
/// call again); `TRUNCATED`; as `printseal_rewrap_stream`; `RANDOMNESS`.
#[unsafe(no_mangle)]
pub extern "C" fn printseal_rewrap_header(
    policy: *const printseal_policy,
    sealed: *const u8,
    sealed_len: usize,
    identities: *const *const printseal_identity,
    n_identities: usize,
    recipients: *const *const printseal_recipient,
    n_recipients: usize,
    allow_mixed_pq: bool,
    out: *mut u8,
    out_len: usize,
    out_written: *mut usize,
    payload_offset: *mut usize,
) -> printseal_status {
    ffi_panic_boundary! {
        let out_written = try_out!(out_written);
        let payload_offset = try_out!(payload_offset);
        if crate::ffi::overlap(sealed, sealed_len, out, out_len) {
            return printseal_status::InvalidInput;
        }
        let sealed = crate::ffi::try_slice!(sealed, sealed_len);
        let ids = try_handles!(identities, n_identities);
        let keys = try_handles!(recipients, n_recipients);
        let out = try_slice_mut!(out, out_len);
        let opts = RewrapOptions::new()
            .open_options(open_options(policy))
            .allow_mixed_pq(allow_mixed_pq);
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        if getrandom::fill(&mut seed[..]).is_err() {
            return printseal_status::Randomness;
        }
        let mut rng = <printseal::rng::ChaCha20Rng as rand_core::SeedableRng>::from_seed(*seed);
        match printseal::rewrap_header(sealed, &as_identities(&ids), &as_recipients(&keys), &opts, &mut rng) {
            Ok(h) if h.header.len() > out.len() => {
                *out_written = h.header.len();
                printseal_status::BufferTooSmall
            }
            Ok(h) => {
                out[..h.header.len()].copy_from_slice(&h.header);
                *out_written = h.header.len();
                *payload_offset = h.payload_offset;
                printseal_status::Ok
            }
            Err(e) => map_error(&e),
        }
    }
}
