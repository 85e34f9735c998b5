//! Whole-stream seal and open over input the host lends instead of copying (after
//! libarchive's `archive_read_callback`, which hands the library a pointer into the
//! client's own buffer).
//!
//! The read callbacks of `io.rs` fill printseal's buffer, which costs the host a copy
//! of every byte, made on the calling core and then fetched by the core that seals
//! it. A host whose job already sits in memory (a spool file it mapped, a job it
//! received whole, a device's DMA buffer) lends those bytes instead: no copy, and the
//! helpers then run the push API's own loop, `update` on the lent bytes in 1 MiB steps
//! (on every core, with the `parallel` feature) and the output to the write callback,
//! all from the calling thread.

use core::ffi::c_void;
use core::ptr::null;
use std::io::{self, Write};

use printseal::Opener;
use zeroize::Zeroizing;

use crate::error::printseal_status;
use crate::ffi::slice_in;
use crate::io::{
    CallbackWriter, ENCRYPTED_RUN_PLAINTEXT, IO_BUF, callback_error, open_entry, open_finish,
    open_step, printseal_write_callback, seal_entry, seal_finish, seal_step, stream_sealer,
};
use crate::keys::{printseal_identity, printseal_recipient};
use crate::panic::ffi_panic_boundary;
use crate::policy::printseal_policy;
use crate::seal::printseal_seal_options;

/// Lends the next bytes of the input: store a pointer to them in `*out_data` and how
/// many in `*out_len`, and return 0; `*out_len = 0` means end of input. Return
/// non-zero (an `errno` value, say) on error.
///
/// The bytes stay the host's. They must stay valid and unchanged until printseal calls
/// this callback again for the same helper, or the helper returns; printseal reads
/// them only until then and never writes them. Memory that someone else may change
/// meanwhile (a shared mapping of a file other users can write) does not qualify: use
/// the copying `printseal_read_callback` helpers for it. `out_data` and `out_len` are
/// borrowed for the call.
pub type printseal_lend_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        out_data: *mut *const u8,
        out_len: *mut usize,
    ) -> i32,
>;

type LendFn = unsafe extern "C" fn(*mut c_void, *mut *const u8, *mut usize) -> i32;

/// The host's lend callback.
struct Lender {
    cb: LendFn,
    userdata: *mut c_void,
}

impl Lender {
    /// The next bytes the host lends, empty at the end of the input. They borrow
    /// `self` mutably, so they cannot outlive the next call: the host's own rule
    /// ("until the callback is called again") holds by construction.
    fn next(&mut self) -> io::Result<&[u8]> {
        let mut data: *const u8 = null();
        let mut len = 0usize;
        // SAFETY: the host's callback under its contract; `data` and `len` are valid
        // for writes for the call.
        let rc = unsafe { (self.cb)(self.userdata, &mut data, &mut len) };
        if rc != 0 {
            return Err(callback_error(rc));
        }
        // The checks every input buffer of the ABI gets. The bytes stay readable and
        // unchanged until the next call (the callback's contract), which the borrow
        // of `self` rules out while the slice lives.
        slice_in(data, len).map_err(|status| {
            io::Error::other(match status {
                printseal_status::NullParameter => "lend callback gave a length but no data",
                _ => "lend callback gave a length no buffer can have",
            })
        })
    }
}

/// Runs the core's push `step` over every byte `lend` lends, in steps of at most
/// `IO_BUF` (the copying helpers' buffer size, which lets `parallel` use every core),
/// and hands what each step writes into `out` to `w`, in order. Each lent piece is used
/// up before the next is asked for.
fn step_all<S>(
    state: &mut S,
    mut step: impl FnMut(&mut S, &[u8], &mut Zeroizing<Vec<u8>>) -> printseal::Result<usize>,
    lend: &mut Lender,
    out: &mut Zeroizing<Vec<u8>>,
    w: &mut CallbackWriter,
) -> printseal::Result<()> {
    loop {
        let lent = lend.next()?;
        if lent.is_empty() {
            return Ok(());
        }
        for piece in lent.chunks(IO_BUF) {
            let k = step(state, piece, out)?;
            w.write_all(&out[..k])?;
        }
    }
}

fn seal_lent(
    opts: &printseal::SealOptions,
    recipients: &[&dyn printseal::Recipient],
    lend: &mut Lender,
    w: &mut CallbackWriter,
) -> printseal::Result<()> {
    let (mut sealer, out_len) = stream_sealer(opts, recipients)?;
    let mut out = Zeroizing::new(vec![0u8; out_len]);
    step_all(&mut sealer, seal_step, lend, &mut out, w)?;
    seal_finish(&mut sealer, &mut out, w)
}

fn open_lent(
    opener: &mut Opener,
    lend: &mut Lender,
    w: &mut CallbackWriter,
) -> printseal::Result<()> {
    // Plaintext: wiped on drop.
    let mut out = Zeroizing::new(vec![0u8; ENCRYPTED_RUN_PLAINTEXT]);
    step_all(opener, open_step, lend, &mut out, w)?;
    open_finish(opener, &mut out, w)
}

/// Seals everything `lend` lends to the recipients and hands the sealed job to
/// `write`: `printseal_seal_stream` for input already in memory, without the copy a
/// read callback makes. Each lent piece is sealed, in 1 MiB steps, before `lend` is
/// called again; `lend` and `write` are called from the calling thread only, in order
/// (with the `parallel` feature the sealing itself uses every core meanwhile). Only an
/// OK return means `write` received a complete job: on a lend or write error (`IO`) or
/// any other error, what was written is a truncated job that no opener accepts.
///
/// Errors: `NULL_PARAMETER`; `IO` (also: a lent length with a NULL pointer); as
/// `printseal_sealer_new`.
#[unsafe(no_mangle)]
pub extern "C" fn printseal_seal_stream_lent(
    opts: *const printseal_seal_options,
    recipients: *const *const printseal_recipient,
    n_recipients: usize,
    lend: printseal_lend_callback,
    lend_userdata: *mut c_void,
    write: printseal_write_callback,
    write_userdata: *mut c_void,
) -> printseal_status {
    ffi_panic_boundary! {
        seal_entry(opts, recipients, n_recipients, lend, write, write_userdata, |opts, rcpts, cb, w| {
            seal_lent(opts, rcpts, &mut Lender { cb, userdata: lend_userdata }, w)
        })
    }
}

/// Opens the sealed job `lend` lends with the identities (and `policy`, NULL for the
/// default that refuses expired jobs) and hands the plaintext to `write`, each chunk
/// only after its tag verified: `printseal_open_stream` for a job already in memory,
/// without the copy a read callback makes. Each lent piece is used up before `lend` is
/// called again; `lend`, `write` and the identities' unlocking (key-store callbacks)
/// run on the calling thread. Only an OK return means the job was complete and
/// authentic: on an error, discard what `write` received.
///
/// Errors: `NULL_PARAMETER`; `IO` (also: a lent length with a NULL pointer); every
/// error of `printseal_opener_update` and `printseal_opener_finish`.
#[unsafe(no_mangle)]
pub extern "C" fn printseal_open_stream_lent(
    policy: *const printseal_policy,
    identities: *const *const printseal_identity,
    n_identities: usize,
    lend: printseal_lend_callback,
    lend_userdata: *mut c_void,
    write: printseal_write_callback,
    write_userdata: *mut c_void,
) -> printseal_status {
    ffi_panic_boundary! {
        open_entry(policy, identities, n_identities, lend, write, write_userdata, |opener, cb, w| {
            open_lent(opener, &mut Lender { cb, userdata: lend_userdata }, w)
        })
    }
}
