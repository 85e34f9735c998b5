//! Sealing: the seal options and the push-style sealer (the primary API in C).

use core::ffi::c_char;

use printseal::{SealOptions, Sealer, Suite};

use crate::error::{map_error, printseal_status};
use crate::ffi::{
    Castable, OwnershipBox, free_box, overlap, to_boxed_mut_ptr, try_handles, try_mut, try_out,
    try_ref, try_slice, try_slice_mut, try_str,
};
use crate::keys::{as_recipients, printseal_recipient};
use crate::panic::ffi_panic_boundary;
use crate::rng::os_rng;
use crate::slice::printseal_str;
use crate::state::{Phase, PushState};

/// The payload suites, numbered as in the header (docs/FORMAT.md).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum printseal_suite {
    /// Cobblestone-256: AES-256-GCM, the default.
    Aes256Gcm = 0x0001,
    /// C2SP chunked encryption over ChaCha20-Poly1305.
    Chacha20Poly1305 = 0x0002,
}

pub(crate) fn parse_suite(suite: u32) -> Option<Suite> {
    u16::try_from(suite)
        .ok()
        .and_then(|id| Suite::from_id(id).ok())
}

/// What goes into a sealed job's header besides the recipients: content type, job id,
/// times, private metadata, suite. Reusable: one options object can start any number
/// of sealers.
///
/// Owned by the caller (a `Box<SealOptions>` in Rust); one thread at a time may
/// change it; sealers copy what they need, so it may be freed while they run.
pub struct printseal_seal_options {
    _private: [u8; 0],
}

impl Castable for printseal_seal_options {
    type Ownership = OwnershipBox;
    type RustType = SealOptions;
}

/// Applies a by-value builder method of `SealOptions` in place.
fn edit(opts: &mut SealOptions, f: impl FnOnce(SealOptions) -> SealOptions) {
    let taken = core::mem::replace(opts, SealOptions::new(""));
    *opts = f(taken);
}

impl printseal_seal_options {
    /// New options for a payload of MIME type `content_type` (`content_type_len`
    /// bytes, checked when sealing), suite AES-256-GCM, printseal as producer with the
    /// SHA-256 of its SBOM, creation time taken from the clock at sealing.
    ///
    /// On success `*out` is new options the caller owns (`printseal_seal_options_free`).
    ///
    /// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (not UTF-8).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seal_options_new(
        content_type: *const c_char,
        content_type_len: usize,
        out: *mut *mut printseal_seal_options,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let out = try_out!(out);
            let ct = try_str!(content_type, content_type_len);
            *out = to_boxed_mut_ptr(SealOptions::new(ct));
            printseal_status::Ok
        }
    }

    /// Chooses the payload suite (a `printseal_suite`).
    ///
    /// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (not a suite).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seal_options_set_suite(
        opts: *mut printseal_seal_options,
        suite: u32,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let opts = try_mut!(opts);
            let Some(suite) = parse_suite(suite) else {
                return printseal_status::InvalidInput;
            };
            edit(opts, |o| o.suite(suite));
            printseal_status::Ok
        }
    }

    /// Sets the print system's job id (public, checked when sealing).
    ///
    /// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (not UTF-8).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seal_options_set_job_id(
        opts: *mut printseal_seal_options,
        job_id: *const c_char,
        job_id_len: usize,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let opts = try_mut!(opts);
            let id = try_str!(job_id, job_id_len);
            edit(opts, |o| o.job_id(id));
            printseal_status::Ok
        }
    }

    /// Sets the creation time (seconds since the Unix epoch) instead of the clock's.
    ///
    /// Errors: `NULL_PARAMETER`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seal_options_set_created_at(
        opts: *mut printseal_seal_options,
        unix_seconds: u64,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let opts = try_mut!(opts);
            edit(opts, |o| o.created_at(unix_seconds));
            printseal_status::Ok
        }
    }

    /// Sets an expiry time (seconds since the Unix epoch, not 0); openers refuse the
    /// job after it unless their policy allows expired jobs.
    ///
    /// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (0).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seal_options_set_expires_at(
        opts: *mut printseal_seal_options,
        unix_seconds: u64,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let opts = try_mut!(opts);
            if unix_seconds == 0 {
                return printseal_status::InvalidInput;
            }
            edit(opts, |o| o.expires_at(unix_seconds));
            printseal_status::Ok
        }
    }

    /// Records another producer than printseal (a tool built on it), `name` and
    /// `version` as UTF-8 with their lengths. Drops printseal's own SBOM digest; set
    /// the tool's with `printseal_seal_options_set_sbom_sha256`.
    ///
    /// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (not UTF-8).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seal_options_set_producer(
        opts: *mut printseal_seal_options,
        name: *const c_char,
        name_len: usize,
        version: *const c_char,
        version_len: usize,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let opts = try_mut!(opts);
            let name = try_str!(name, name_len);
            let version = try_str!(version, version_len);
            edit(opts, |o| o.producer(name, version));
            printseal_status::Ok
        }
    }

    /// Records the SHA-256 (32 bytes at `digest`) of the producer's SBOM.
    ///
    /// Errors: `NULL_PARAMETER`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seal_options_set_sbom_sha256(
        opts: *mut printseal_seal_options,
        digest: *const u8,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let opts = try_mut!(opts);
            if digest.is_null() {
                return printseal_status::NullParameter;
            }
            let d = try_slice!(digest, 32);
            let mut a = [0u8; 32];
            a.copy_from_slice(d);
            edit(opts, |o| o.sbom_sha256(a));
            printseal_status::Ok
        }
    }

    /// Allows post-quantum (X-Wing) and classical (X25519, classical key-store)
    /// recipients in one job (refused by default: the classical stanza undoes the
    /// post-quantum protection).
    ///
    /// Errors: `NULL_PARAMETER`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seal_options_allow_mixed_pq(
        opts: *mut printseal_seal_options,
        allow: bool,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let opts = try_mut!(opts);
            edit(opts, |o| o.allow_mixed_pq(allow));
            printseal_status::Ok
        }
    }

    /// Adds a private (encrypted) metadata entry: `key` UTF-8, `value` bytes. On
    /// error the options are unchanged.
    ///
    /// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (not UTF-8, or
    /// (bad key), `LIMIT_EXCEEDED` (too many entries, too long).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seal_options_add_private_entry(
        opts: *mut printseal_seal_options,
        key: *const c_char,
        key_len: usize,
        value: *const u8,
        value_len: usize,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let opts = try_mut!(opts);
            let key = try_str!(key, key_len);
            let value = try_slice!(value, value_len);
            match opts.clone().private_entry(key, value) {
                Ok(o) => {
                    *opts = o;
                    printseal_status::Ok
                }
                Err(e) => map_error(&e),
            }
        }
    }

    /// Frees the options. NULL does nothing.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_seal_options_free(opts: *mut printseal_seal_options) {
        ffi_panic_boundary! {
            free_box(opts)
        }
    }
}

/// The Rust side of a `printseal_sealer`.
pub(crate) type SealerState = PushState<Sealer>;

impl SealerState {
    pub(crate) fn update(
        &mut self,
        input: &[u8],
        out: &mut [u8],
    ) -> Result<usize, printseal_status> {
        self.step(Phase::Active, |s| s.update(input, out))
    }

    pub(crate) fn finish(&mut self, out: &mut [u8]) -> Result<usize, printseal_status> {
        self.step(Phase::Done, |s| s.finish(out))
    }
}

/// A job being sealed, push style: feed plaintext with `printseal_sealer_update`, end
/// with `printseal_sealer_finish`; the sealed bytes go into buffers you own, and the
/// exact size each call needs is known beforehand (`..._output_len`). Memory stays at
/// one 16 KiB chunk plus the header whatever the job's size; no allocation per call.
///
/// A job whose `finish` never succeeded is truncated and no opener accepts it.
///
/// Owned by the caller (a `Box` around printseal's `Sealer`); one thread at a time.
/// Errors are final: after one, every call returns `INVALID_STATE` (except
/// `BUFFER_TOO_SMALL`, which changes nothing). Freeing wipes the keys.
pub struct printseal_sealer {
    _private: [u8; 0],
}

impl Castable for printseal_sealer {
    type Ownership = OwnershipBox;
    type RustType = SealerState;
}

impl printseal_sealer {
    /// Starts sealing with `opts` to the `n_recipients` recipients at `recipients`
    /// (any mix of kinds, 1 to 64), with randomness from the operating system. The
    /// recipients and options may be freed once this returns.
    ///
    /// On success `*out` is a new sealer the caller owns (`printseal_sealer_free`).
    ///
    /// Errors: `NULL_PARAMETER`; `LIMIT_EXCEEDED` (no recipients or more than 64,
    /// metadata too long); `INVALID_INPUT` (bad metadata); `MIXED_POST_QUANTUM`;
    /// `KEY_STORE`; `RANDOMNESS`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_sealer_new(
        opts: *const printseal_seal_options,
        recipients: *const *const printseal_recipient,
        n_recipients: usize,
        out: *mut *mut printseal_sealer,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let opts = try_ref!(opts);
            let out = try_out!(out);
            let keys = try_handles!(recipients, n_recipients);
            let sealer = os_rng().and_then(|mut rng| Sealer::with_rng(opts, &as_recipients(&keys), &mut rng));
            match sealer {
                Ok(s) => {
                    *out = to_boxed_mut_ptr(SealerState::new(s, "sealer"));
                    printseal_status::Ok
                }
                Err(e) => map_error(&e),
            }
        }
    }

    /// Exactly how many bytes `printseal_sealer_update` writes for `input_len` more
    /// plaintext bytes (the header on the first call, then whole chunks). `SIZE_MAX`
    /// for an input length no call accepts; 0 for NULL.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_sealer_update_output_len(
        sealer: *const printseal_sealer,
        input_len: usize,
    ) -> usize {
        ffi_panic_boundary! {
            try_ref!(sealer).update_output_len(input_len)
        }
    }

    /// Exactly how many bytes `printseal_sealer_finish` writes; 0 for NULL.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_sealer_finish_output_len(sealer: *const printseal_sealer) -> usize {
        ffi_panic_boundary! {
            try_ref!(sealer).finish_output_len()
        }
    }

    /// Consumes all `input_len` bytes of `input` and writes the sealed bytes that are
    /// ready into `out` (`out_len` bytes, not overlapping `input`); `*out_written` gets
    /// how many. `input` may be NULL when `input_len` is 0.
    ///
    /// Errors: `NULL_PARAMETER`; `INVALID_INPUT` (overlapping buffers, a length
    /// over `SIZE_MAX / 4`); `BUFFER_TOO_SMALL` when `out_len` is less than
    /// `printseal_sealer_update_output_len(sealer, input_len)`: nothing was consumed
    /// and `*out_written` holds the size needed; `INVALID_STATE` after finish or an
    /// error; `LIMIT_EXCEEDED` past the payload limit.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_sealer_update(
        sealer: *mut printseal_sealer,
        input: *const u8,
        input_len: usize,
        out: *mut u8,
        out_len: usize,
        out_written: *mut usize,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let sealer = try_mut!(sealer);
            let out_written = try_out!(out_written);
            if overlap(input, input_len, out, out_len) {
                return printseal_status::InvalidInput;
            }
            let input = try_slice!(input, input_len);
            let out = try_slice_mut!(out, out_len);
            match sealer.update(input, out) {
                Ok(n) => {
                    *out_written = n;
                    printseal_status::Ok
                }
                Err(printseal_status::BufferTooSmall) => {
                    *out_written = sealer.update_output_len(input.len());
                    printseal_status::BufferTooSmall
                }
                Err(s) => s,
            }
        }
    }

    /// Writes the rest of the job (the final chunk, and the header if no update came
    /// before) into `out`; `*out_written` gets how many bytes. Only a sealer whose
    /// finish returned OK produced a complete job.
    ///
    /// Errors: `NULL_PARAMETER`; `BUFFER_TOO_SMALL` (`*out_written` holds the size
    /// needed; call again); `INVALID_STATE` if already finished or failed.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_sealer_finish(
        sealer: *mut printseal_sealer,
        out: *mut u8,
        out_len: usize,
        out_written: *mut usize,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let sealer = try_mut!(sealer);
            let out_written = try_out!(out_written);
            let out = try_slice_mut!(out, out_len);
            match sealer.finish(out) {
                Ok(n) => {
                    *out_written = n;
                    printseal_status::Ok
                }
                Err(printseal_status::BufferTooSmall) => {
                    *out_written = sealer.finish_output_len();
                    printseal_status::BufferTooSmall
                }
                Err(s) => s,
            }
        }
    }

    /// The text of the sealer's last error (which limit, which field): borrowed until
    /// the next call on the sealer; empty if there was none.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_sealer_error_detail(
        sealer: *const printseal_sealer,
    ) -> printseal_str {
        ffi_panic_boundary! {
            printseal_str::from_str(try_ref!(sealer).last_error.detail())
        }
    }

    /// Frees the sealer and wipes its keys. NULL does nothing. A job not finished is
    /// left truncated (it never opens).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_sealer_free(sealer: *mut printseal_sealer) {
        ffi_panic_boundary! {
            free_box(sealer)
        }
    }
}
