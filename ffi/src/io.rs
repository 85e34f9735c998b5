//! The host's own I/O through callbacks (after rustls-ffi `librustls/src/io.rs`):
//! whole-stream seal, open and rewrap, the atomic in-place rewrap of a file, and the
//! in-memory header rewrap. Random access through a pread callback is `seekable.rs`.

use core::ffi::{c_char, c_void};
use std::io::{self, Read, Write};
use std::sync::mpsc;

use printseal::hazmat::{CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE};
use printseal::{Opener, RewrapOptions, Sealer};
use zeroize::Zeroizing;

use crate::error::{map_error, printseal_status};
use crate::ffi::{try_handles, try_out, try_ref, try_slice_mut, try_str};
use crate::keys::{
    IdentityKey, as_identities, as_recipients, printseal_identity, printseal_recipient,
};
use crate::open::open_options;
use crate::panic::ffi_panic_boundary;
use crate::policy::printseal_policy;
use crate::rng::os_rng;
use crate::seal::printseal_seal_options;

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

type ReadFn = unsafe extern "C" fn(*mut c_void, *mut u8, usize, *mut usize) -> i32;
pub(crate) type WriteFn = unsafe extern "C" fn(*mut c_void, *const u8, usize, *mut usize) -> i32;

/// How much the stream helpers read per call: 64 chunks (1 MiB), so that the
/// `parallel` feature seals and opens on several threads.
pub(crate) const IO_BUF: usize = 64 * 16384;

/// The most plaintext one opener step over `IO_BUF` sealed bytes can release: the
/// chunks those bytes complete, with one more held back from the previous step.
pub(crate) const ENCRYPTED_RUN_PLAINTEXT: usize = (IO_BUF / ENCRYPTED_CHUNK_SIZE + 1) * CHUNK_SIZE;

pub(crate) fn callback_error(rc: i32) -> io::Error {
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

impl CallbackWriter {
    pub(crate) fn new(cb: WriteFn, userdata: *mut c_void) -> CallbackWriter {
        CallbackWriter { cb, userdata }
    }
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
pub(crate) fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
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
pub(crate) fn unwrap_io(e: printseal::Error) -> printseal::Error {
    match e {
        printseal::Error::Io(e) => printseal::Error::from_io(e),
        other => other,
    }
}

pub(crate) fn status_of(e: printseal::Error) -> printseal_status {
    map_error(&unwrap_io(e))
}

/// One buffer pair of the stream helpers: input read from the host, output for it.
/// Both may hold plaintext (the sealer's input, the opener's output): wiped on drop.
struct Slot {
    input: Zeroizing<Vec<u8>>,
    len: usize,
    out: Zeroizing<Vec<u8>>,
}

impl Slot {
    fn new(out_len: usize) -> Slot {
        Slot {
            input: Zeroizing::new(vec![0u8; IO_BUF]),
            len: 0,
            out: Zeroizing::new(vec![0u8; out_len]),
        }
    }

    /// Reads the next input from the host; true if it filled the buffer (more may come).
    fn fill(&mut self, r: &mut CallbackReader) -> io::Result<bool> {
        self.len = read_full(r, &mut self.input)?;
        Ok(self.len == self.input.len())
    }
}

/// Runs the core's push `step` over everything `r` gives, from the full buffer `first`
/// on, and hands what each step writes to `w`, in order.
///
/// The step runs on a second thread one buffer behind the host's callbacks, which stay
/// on the calling thread: while it seals or opens one buffer (on every core, with the
/// `parallel` feature), the host's read callback fills the other and its write
/// callback drains the last. The copy a read callback makes then overlaps the work
/// instead of adding to it, so the helpers keep the push API's throughput. Returns
/// once `r` reached its end and every step's output was written.
fn pipeline<S: Send>(
    state: &mut S,
    mut step: impl FnMut(&mut S, &[u8], &mut Zeroizing<Vec<u8>>) -> printseal::Result<usize> + Send,
    first: Slot,
    spare: Slot,
    r: &mut CallbackReader,
    w: &mut CallbackWriter,
) -> printseal::Result<()> {
    type Done = (Slot, printseal::Result<usize>);
    /// The worker stopped taking buffers: it failed, and its error is in `done`.
    fn worker_error(done: &mpsc::Receiver<Done>) -> printseal::Error {
        while let Ok((_, res)) = done.recv() {
            if let Err(e) = res {
                return e;
            }
        }
        printseal::Error::Internal("the stream helper's worker thread stopped")
    }
    std::thread::scope(|scope| {
        let (to_worker, jobs) = mpsc::sync_channel::<Slot>(1);
        let (to_host, done) = mpsc::sync_channel::<Done>(2);
        let worker = move || {
            for mut slot in jobs {
                let res = step(state, &slot.input[..slot.len], &mut slot.out);
                let failed = res.is_err();
                // A host that stopped listening has failed already.
                if to_host.send((slot, res)).is_err() || failed {
                    break;
                }
            }
        };
        std::thread::Builder::new()
            .name("printseal-stream".into())
            .spawn_scoped(scope, worker)
            .map_err(|e| io::Error::new(e.kind(), "cannot start the stream helper's thread"))?;
        let mut more = true;
        let mut free = Some(spare);
        if to_worker.send(first).is_err() {
            return Err(worker_error(&done));
        }
        let mut in_flight = 1;
        while in_flight > 0 {
            // Fill the free buffer while the worker works on the other.
            if more && let Some(mut slot) = free.take() {
                more = slot.fill(r)?;
                if slot.len == 0 {
                    free = Some(slot);
                } else if to_worker.send(slot).is_err() {
                    return Err(worker_error(&done));
                } else {
                    in_flight += 1;
                }
                continue;
            }
            let Ok((slot, res)) = done.recv() else {
                return Err(worker_error(&done));
            };
            in_flight -= 1;
            let n = res?;
            w.write_all(&slot.out[..n])?;
            free = Some(slot);
        }
        Ok(())
    })
}

/// Steps through the rest of the input from `slot`, which holds the next buffer
/// (`more`: `r` has more after it): on the pipeline's second thread when there is more
/// than one buffer, else on this thread. Returns a buffer of `out_len` output bytes
/// for the final step.
fn step_rest<S: Send>(
    state: &mut S,
    mut step: impl FnMut(&mut S, &[u8], &mut Zeroizing<Vec<u8>>) -> printseal::Result<usize> + Send,
    mut slot: Slot,
    more: bool,
    out_len: usize,
    r: &mut CallbackReader,
    w: &mut CallbackWriter,
) -> printseal::Result<Slot> {
    if more {
        // More than one buffer: the pipeline, which ends at the end of the input.
        pipeline(state, step, slot, Slot::new(out_len), r, w)?;
        return Ok(Slot::new(out_len));
    }
    let k = step(state, &slot.input[..slot.len], &mut slot.out)?;
    w.write_all(&slot.out[..k])?;
    Ok(slot)
}

/// One step of a sealer.
pub(crate) fn seal_step(
    sealer: &mut Sealer,
    input: &[u8],
    out: &mut Zeroizing<Vec<u8>>,
) -> printseal::Result<usize> {
    sealer.update(input, out)
}

/// A sealer with the operating system's randomness, and the output size that holds
/// what any one step of at most `IO_BUF` bytes, or the finish, writes: the header and
/// prefix come with the first step, and a sealer keeps less than a chunk between steps.
pub(crate) fn stream_sealer(
    opts: &printseal::SealOptions,
    recipients: &[&dyn printseal::Recipient],
) -> printseal::Result<(Sealer, usize)> {
    let sealer = Sealer::with_rng(opts, recipients, &mut os_rng()?)?;
    let out_len = sealer
        .update_output_len(IO_BUF)
        .max(sealer.finish_output_len());
    Ok((sealer, out_len))
}

/// The sealer's final chunk into `out`, written to `w`. Only the end of the input may
/// get here: after a failed read, lend or write the output never ends in a final
/// chunk, and opens as truncated.
pub(crate) fn seal_finish(
    sealer: &mut Sealer,
    out: &mut [u8],
    w: &mut CallbackWriter,
) -> printseal::Result<()> {
    let k = sealer.finish(out)?;
    w.write_all(&out[..k])?;
    Ok(())
}

fn seal_stream(
    opts: &printseal::SealOptions,
    recipients: &[&dyn printseal::Recipient],
    r: &mut CallbackReader,
    w: &mut CallbackWriter,
) -> printseal::Result<()> {
    let (mut sealer, out_len) = stream_sealer(opts, recipients)?;
    let mut slot = Slot::new(out_len);
    let more = slot.fill(r)?;
    let mut slot = step_rest(&mut sealer, seal_step, slot, more, out_len, r, w)?;
    seal_finish(&mut sealer, &mut slot.out, w)
}

/// One step of an opener into `out`, grown if the bound needs it (it does not in
/// steady state).
pub(crate) fn open_step(
    opener: &mut Opener,
    input: &[u8],
    out: &mut Zeroizing<Vec<u8>>,
) -> printseal::Result<usize> {
    let need = opener.update_output_len(input.len());
    if out.len() < need {
        out.resize(need, 0);
    }
    Ok(opener.update(input, out)?.written)
}

fn open_stream(
    opener: &mut Opener,
    r: &mut CallbackReader,
    w: &mut CallbackWriter,
) -> printseal::Result<()> {
    let out_len = ENCRYPTED_RUN_PLAINTEXT;
    let mut slot = Slot::new(out_len);
    // The first buffer, with the header, on the calling thread: unlocking calls the
    // identities (a host key store's callbacks among them) from the host's thread.
    let more = slot.fill(r)?;
    let k = open_step(opener, &slot.input[..slot.len], &mut slot.out)?;
    w.write_all(&slot.out[..k])?;
    if more {
        let more = slot.fill(r)?;
        slot = step_rest(opener, open_step, slot, more, out_len, r, w)?;
    }
    open_finish(opener, &mut slot.out, w)
}

/// The opener's last step into `out` (grown if the bound needs it), written to `w`.
pub(crate) fn open_finish(
    opener: &mut Opener,
    out: &mut Zeroizing<Vec<u8>>,
    w: &mut CallbackWriter,
) -> printseal::Result<()> {
    let need = opener.finish_output_len();
    if out.len() < need {
        out.resize(need, 0);
    }
    let k = opener.finish(out)?;
    w.write_all(&out[..k])?;
    Ok(())
}

/// What the seal-stream entry points share (`printseal_seal_stream` and the lending
/// `printseal_seal_stream_lent`): the options, the recipients and both callbacks
/// checked, then `seal` given the input callback and a writer over `write`, its result
/// as a status.
pub(crate) fn seal_entry<F>(
    opts: *const printseal_seal_options,
    recipients: *const *const printseal_recipient,
    n_recipients: usize,
    input: Option<F>,
    write: printseal_write_callback,
    write_userdata: *mut c_void,
    seal: impl FnOnce(
        &printseal::SealOptions,
        &[&dyn printseal::Recipient],
        F,
        &mut CallbackWriter,
    ) -> printseal::Result<()>,
) -> printseal_status {
    let opts = try_ref!(opts);
    let keys = try_handles!(recipients, n_recipients);
    let (Some(input), Some(wcb)) = (input, write) else {
        return printseal_status::NullParameter;
    };
    let mut w = CallbackWriter::new(wcb, write_userdata);
    match seal(opts, &as_recipients(&keys), input, &mut w) {
        Ok(()) => printseal_status::Ok,
        Err(e) => status_of(e),
    }
}

/// What the open-stream entry points share: the identities and both callbacks
/// checked, an opener under `policy` (NULL: the default) that unlocks with the
/// identities, then `open` given it, the input callback and a writer over `write`.
pub(crate) fn open_entry<F>(
    policy: *const printseal_policy,
    identities: *const *const printseal_identity,
    n_identities: usize,
    input: Option<F>,
    write: printseal_write_callback,
    write_userdata: *mut c_void,
    open: impl FnOnce(&mut Opener, F, &mut CallbackWriter) -> printseal::Result<()>,
) -> printseal_status {
    let keys = try_handles!(identities, n_identities);
    let (Some(input), Some(wcb)) = (input, write) else {
        return printseal_status::NullParameter;
    };
    let mut opener = Opener::with_options(open_options(policy)).unlock_with(boxed(&keys));
    let mut w = CallbackWriter::new(wcb, write_userdata);
    match open(&mut opener, input, &mut w) {
        Ok(()) => printseal_status::Ok,
        Err(e) => status_of(e),
    }
}

/// Seals everything `read` gives to the recipients and hands the sealed job to
/// `write`, in 1 MiB steps. `read` and `write` are called from the calling thread only,
/// in order; for a job over 1 MiB the sealing runs on a second thread meanwhile, so
/// that reading and writing overlap it. Only an OK return means `write` received a complete job: on
/// a read or write error (`IO`) or any other error, what was written is a truncated
/// job that no opener accepts. For input already in memory,
/// `printseal_seal_stream_lent` does the same without the copy a read callback makes.
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
        seal_entry(opts, recipients, n_recipients, read, write, write_userdata, |opts, rcpts, cb, w| {
            seal_stream(opts, rcpts, &mut CallbackReader { cb, userdata: read_userdata }, w)
        })
    }
}

/// Opens the sealed job `read` gives with the identities (and `policy`, which may be
/// NULL for the default: expired jobs refused) and hands the plaintext to `write`,
/// each chunk only after its tag verified. Only an OK return means the job was
/// complete and authentic: on an error, discard what `write` received. `read`,
/// `write` and the identities' unlocking (key-store callbacks) run on the calling
/// thread; after the first 1 MiB the decryption runs on a second thread, so that
/// reading and writing overlap it. For a job already in memory,
/// `printseal_open_stream_lent` does the same without the copy a read callback makes.
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
        open_entry(policy, identities, n_identities, read, write, write_userdata, |opener, cb, w| {
            open_stream(opener, &mut CallbackReader { cb, userdata: read_userdata }, w)
        })
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
        let mut w = CallbackWriter::new(wcb, write_userdata);
        let opts = RewrapOptions::new()
            .open_options(open_options(policy))
            .allow_mixed_pq(allow_mixed_pq);
        let res = os_rng().and_then(|mut rng| {
            printseal::rewrap_with_rng(r, &as_identities(&ids), &as_recipients(&keys), &opts, &mut w, &mut rng)
        });
        match res {
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
        let res = os_rng().and_then(|mut rng| {
            printseal::io::rewrap_file_with_rng(path, &as_identities(&ids), &as_recipients(&keys), &opts, &mut rng)
        });
        match res {
            Ok(()) => printseal_status::Ok,
            Err(e) => status_of(e),
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
        let mut rng = match os_rng() {
            Ok(rng) => rng,
            Err(e) => return map_error(&e),
        };
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
