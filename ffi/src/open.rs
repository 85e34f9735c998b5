//! Opening: the push-style opener (feed sealed bytes, read the header, pick
//! identities by key id, unlock, update, finish).

use core::ffi::c_char;

use printseal::{Identity, OpenOptions, Opener};

use crate::error::printseal_status;
use crate::ffi::{
    Castable, OwnershipBox, clone_arc, free_box, overlap, to_boxed_mut_ptr, try_handles, try_mut,
    try_out, try_ref, try_slice, try_slice_mut,
};
use crate::inspect::printseal_header;
use crate::keys::{SharedIdentity, as_identities, printseal_identity};
use crate::panic::ffi_panic_boundary;
use crate::policy::printseal_policy;
use crate::slice::{printseal_slice, printseal_str};
use crate::state::{Phase, PushState};

/// The Rust side of a `printseal_opener`.
pub(crate) type OpenerState = PushState<Opener>;

impl OpenerState {
    pub(crate) fn update(
        &mut self,
        input: &[u8],
        out: &mut [u8],
    ) -> Result<printseal::Progress, printseal_status> {
        self.step(Phase::Active, |o| o.update(input, out))
    }

    pub(crate) fn finish(&mut self, out: &mut [u8]) -> Result<usize, printseal_status> {
        self.step(Phase::Done, |o| o.finish(out))
    }

    pub(crate) fn unlock(&mut self, ids: &[&dyn Identity]) -> Result<(), printseal_status> {
        self.step(Phase::Active, |o| o.unlock(ids))
    }
}

/// A job being opened, push style: feed sealed bytes with `printseal_opener_update`
/// and get plaintext into buffers you own, then `printseal_opener_finish`. Only
/// `finish` returning OK means the job was complete and authentic; plaintext is
/// released one chunk at a time, each only after its tag verified, so a failed job
/// may have released a prefix: discard it.
///
/// Owned by the caller (a `Box` around printseal's `Opener`); one thread at a time.
/// Errors are final: after one, every call returns `INVALID_STATE` (except
/// `BUFFER_TOO_SMALL`, which changes nothing). Freeing wipes the keys and the private
/// metadata.
pub struct printseal_opener {
    _private: [u8; 0],
}

impl Castable for printseal_opener {
    type Ownership = OwnershipBox;
    type RustType = OpenerState;
}

/// The open options for a policy handle that may be NULL (the default policy).
pub(crate) fn open_options(policy: *const printseal_policy) -> OpenOptions {
    match crate::ffi::try_from(policy) {
        Some(p) => OpenOptions::new().policy(p.policy.clone()),
        None => OpenOptions::new(),
    }
}

/// New references to the identities behind an array of handles.
fn shared_identities(
    ids: *const *const printseal_identity,
    n: usize,
) -> Result<Vec<Box<dyn Identity + Send + Sync>>, printseal_status> {
    let refs = crate::ffi::handle_array(ids, n)?;
    let ptrs = if n == 0 {
        &[][..]
    } else {
        // SAFETY: `handle_array` checked that `ids` is non-NULL with `n` readable
        // pointers, none NULL.
        unsafe { core::slice::from_raw_parts(ids, refs.len()) }
    };
    ptrs.iter()
        .map(|p| {
            clone_arc(*p)
                .map(|a| Box::new(SharedIdentity(a)) as Box<dyn Identity + Send + Sync>)
                .ok_or(printseal_status::NullParameter)
        })
        .collect()
}

impl printseal_opener {
    /// A new opener that applies `policy` (copied; NULL for the default policy,
    /// which refuses expired jobs) when it unlocks: after the header MAC verified,
    /// before anything is decrypted. With identities (`n_identities` handles at
    /// `identities`), it unlocks itself with them as soon as the header is in; with
    /// none (NULL, 0) it stops after the header until `printseal_opener_unlock`, so
    /// that the host can read the header's key ids first. The opener keeps its own
    /// references to the identities.
    ///
    /// On success `*out` is a new opener the caller owns (`printseal_opener_free`).
    ///
    /// Errors: `NULL_PARAMETER`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_opener_new(
        policy: *const printseal_policy,
        identities: *const *const printseal_identity,
        n_identities: usize,
        out: *mut *mut printseal_opener,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let out = try_out!(out);
            let ids = match shared_identities(identities, n_identities) {
                Ok(ids) => ids,
                Err(e) => return e,
            };
            let mut opener = Opener::with_options(open_options(policy));
            if !ids.is_empty() {
                opener = opener.unlock_with(ids);
            }
            *out = to_boxed_mut_ptr(OpenerState::new(opener, "opener"));
            printseal_status::Ok
        }
    }

    /// An upper bound on the plaintext `printseal_opener_update` writes for
    /// `input_len` more bytes. `SIZE_MAX` for a length no call accepts; 0 for NULL.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_opener_update_output_len(
        opener: *const printseal_opener,
        input_len: usize,
    ) -> usize {
        ffi_panic_boundary! {
            try_ref!(opener).update_output_len(input_len)
        }
    }

    /// An upper bound on the plaintext `printseal_opener_finish` writes. 0 for NULL.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_opener_finish_output_len(opener: *const printseal_opener) -> usize {
        ffi_panic_boundary! {
            try_ref!(opener).finish_output_len()
        }
    }

    /// Feeds `input_len` sealed bytes. `*consumed` gets how many were used: all of
    /// them, except when the header ends inside `input` and the opener has no
    /// identities: it then stops at the end of the header and
    /// `printseal_opener_is_locked` turns true; read the header, unlock, and feed the
    /// rest again. `*written` gets how many plaintext bytes went to `out` (`out_len`
    /// bytes, not overlapping `input`).
    ///
    /// Errors: `NULL_PARAMETER`; `INVALID_INPUT` (overlap, a length over
    /// `SIZE_MAX / 4`); `BUFFER_TOO_SMALL` when `out_len` is under
    /// `printseal_opener_update_output_len`: nothing consumed, `*written` holds the
    /// size needed; any header, key or payload error (`NOT_PRINTSEAL`,
    /// `HEADER_MAC`, `NO_MATCHING_RECIPIENT`, `PAYLOAD_TAMPERED`, `POLICY_VIOLATION`,
    /// ...), after which the opener is failed; `INVALID_STATE`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_opener_update(
        opener: *mut printseal_opener,
        input: *const u8,
        input_len: usize,
        out: *mut u8,
        out_len: usize,
        consumed: *mut usize,
        written: *mut usize,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let o = try_mut!(opener);
            let consumed = try_out!(consumed);
            let written = try_out!(written);
            if overlap(input, input_len, out, out_len) {
                return printseal_status::InvalidInput;
            }
            let input = try_slice!(input, input_len);
            let out = try_slice_mut!(out, out_len);
            match o.update(input, out) {
                Ok(p) => {
                    *consumed = p.consumed;
                    *written = p.written;
                    printseal_status::Ok
                }
                Err(printseal_status::BufferTooSmall) => {
                    *consumed = 0;
                    *written = o.update_output_len(input.len());
                    printseal_status::BufferTooSmall
                }
                Err(s) => s,
            }
        }
    }

    /// Whether the header is in and the opener waits for `printseal_opener_unlock`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_opener_is_locked(opener: *const printseal_opener) -> bool {
        ffi_panic_boundary! {
            let o = try_ref!(opener);
            o.phase == Phase::Active && o.inner.is_locked()
        }
    }

    /// The parsed header, or NULL until it is in. Borrowed from the opener: valid until
    /// the next call that changes the opener (update, unlock, finish, free); never free
    /// it. Not authenticated until the opener is unlocked.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_opener_header(
        opener: *const printseal_opener,
    ) -> *const printseal_header {
        ffi_panic_boundary! {
            match try_ref!(opener).inner.header() {
                Some(h) => (h as *const printseal::Header).cast(),
                None => core::ptr::null(),
            }
        }
    }

    /// Unwraps the file key with the first of the `n_identities` identities that
    /// matches a stanza, verifies the header MAC, checks the policy and decrypts the
    /// private metadata. Call it when `printseal_opener_is_locked` is true.
    ///
    /// Errors: `NULL_PARAMETER`; `INVALID_STATE` (not locked); `NO_MATCHING_RECIPIENT`,
    /// `STANZA_UNWRAP`, `KEY_STORE`, `HEADER_MAC`, `POLICY_VIOLATION` (the rule is in
    /// `printseal_opener_error_detail`); errors are final.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_opener_unlock(
        opener: *mut printseal_opener,
        identities: *const *const printseal_identity,
        n_identities: usize,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let o = try_mut!(opener);
            let keys = try_handles!(identities, n_identities);
            match o.unlock(&as_identities(&keys)) {
                Ok(()) => printseal_status::Ok,
                Err(s) => s,
            }
        }
    }

    /// Authenticates the end of the payload and writes the last plaintext into `out`;
    /// `*written` gets how many bytes. OK means the whole job was complete and
    /// authentic.
    ///
    /// Errors: `NULL_PARAMETER`; `BUFFER_TOO_SMALL` (`*written` holds the size needed);
    /// `TRUNCATED`; `PAYLOAD_TAMPERED`; `TRAILING_DATA`; `INVALID_STATE` (locked,
    /// finished or failed).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_opener_finish(
        opener: *mut printseal_opener,
        out: *mut u8,
        out_len: usize,
        written: *mut usize,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let o = try_mut!(opener);
            let written = try_out!(written);
            let out = try_slice_mut!(out, out_len);
            match o.finish(out) {
                Ok(n) => {
                    *written = n;
                    printseal_status::Ok
                }
                Err(printseal_status::BufferTooSmall) => {
                    *written = o.finish_output_len();
                    printseal_status::BufferTooSmall
                }
                Err(s) => s,
            }
        }
    }

    /// The private metadata value for `key` (`key_len` bytes of UTF-8), borrowed from
    /// the opener until it is freed. False if the opener is not unlocked, the key is
    /// absent, or an argument is NULL.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_opener_private_entry(
        opener: *const printseal_opener,
        key: *const c_char,
        key_len: usize,
        value: *mut printseal_slice,
    ) -> bool {
        ffi_panic_boundary! {
            let o = try_ref!(opener);
            let value = try_out!(value);
            let Ok(key) = crate::ffi::slice_in(key.cast(), key_len) else {
                return false;
            };
            let Ok(key) = core::str::from_utf8(key) else {
                return false;
            };
            match o.inner.private_metadata().and_then(|m| m.get(key)) {
                Some(v) => {
                    *value = printseal_slice::from_bytes(v);
                    true
                }
                None => false,
            }
        }
    }

    /// How many private metadata entries the job has (0 until unlocked).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_opener_private_entry_count(
        opener: *const printseal_opener,
    ) -> usize {
        ffi_panic_boundary! {
            try_ref!(opener).inner.private_metadata().map_or(0, |m| m.len())
        }
    }

    /// Private metadata entry `index`: its key and value, borrowed from the opener until
    /// it is freed.
    ///
    /// Errors: `NULL_PARAMETER`; `INVALID_STATE` (not unlocked); `INVALID_INPUT`
    /// (`index` out of range).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_opener_private_entry_at(
        opener: *const printseal_opener,
        index: usize,
        key: *mut printseal_str,
        value: *mut printseal_slice,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let o = try_ref!(opener);
            let key = try_out!(key);
            let value = try_out!(value);
            let Some(m) = o.inner.private_metadata() else {
                return printseal_status::InvalidState;
            };
            match m.iter().nth(index) {
                Some((k, v)) => {
                    *key = printseal_str::from_str(k);
                    *value = printseal_slice::from_bytes(v);
                    printseal_status::Ok
                }
                None => printseal_status::InvalidInput,
            }
        }
    }

    /// The text of the opener's last error (which chunk failed, which policy rule),
    /// borrowed until the next call on the opener; empty if there was none. It holds
    /// no secret.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_opener_error_detail(
        opener: *const printseal_opener,
    ) -> printseal_str {
        ffi_panic_boundary! {
            printseal_str::from_str(try_ref!(opener).last_error.detail())
        }
    }

    /// Frees the opener, wiping its keys and private metadata. NULL does nothing.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_opener_free(opener: *mut printseal_opener) {
        ffi_panic_boundary! {
            free_box(opener)
        }
    }
}
