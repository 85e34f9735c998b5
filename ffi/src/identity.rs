//! Host key stores through callbacks: a C print server brings its own HSM, PKCS#11
//! token or certificate store without writing Rust.
//!
//! The host fills a [`printseal_key_store`] vtable; printseal calls `wrap` when it
//! seals to the store and `unwrap` for every stanza of a job it opens with it. The
//! file key crosses the boundary in the clear, inside the process: the host wraps and
//! unwraps it with its own keys and the stanza format it chooses (for an HSM-held KEK,
//! AES-256-KWP with the stanza body `key id || wrapped key`, kind
//! `0x0001`, which any KEK holder can then open too).

use core::ffi::c_void;

use printseal::limits::MAX_STANZA_BODY;
use printseal::{FileKey, QuantumSecurity, Stanza};
use zeroize::Zeroizing;

use crate::error::printseal_status;
use crate::ffi::{to_arc_const_ptr, try_out};
use crate::keys::{IdentityKey, RecipientKey, printseal_identity, printseal_recipient};
use crate::panic::ffi_panic_boundary;

/// Unwraps a stanza with the host's key store.
///
/// Called with the stanza's `kind` and its `body` (`body_len` bytes, borrowed for the
/// call). A stanza that is not the store's (another kind, a key id it does not hold):
/// set `*matched = false` and return 0, quickly and without cryptography. A stanza it
/// opens: write the 32-byte file key to `file_key`, set `*matched = true`, return 0.
/// A stanza that is the store's but fails (token absent, PIN refused): return a
/// `printseal_key_store_failure`; the open then fails with
/// `PRINTSEAL_STATUS_KEY_STORE` unless another stanza opens.
pub type printseal_key_store_unwrap_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        kind: u16,
        body: *const u8,
        body_len: usize,
        file_key: *mut u8,
        matched: *mut bool,
    ) -> i32,
>;

/// Wraps a file key with the host's key store.
///
/// Called with the 32-byte `file_key` (borrowed for the call: do not keep it). Write
/// the stanza body (at most `body_cap` bytes, 4096) to `body`, its length to
/// `*body_len`, and return 0; return a `printseal_key_store_failure` on failure (the
/// seal then fails with `PRINTSEAL_STATUS_KEY_STORE`).
pub type printseal_key_store_wrap_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        file_key: *const u8,
        body: *mut u8,
        body_cap: usize,
        body_len: *mut usize,
    ) -> i32,
>;

/// Releases `userdata` when an identity or recipient made from the vtable is freed.
pub type printseal_key_store_free_callback = Option<unsafe extern "C" fn(userdata: *mut c_void)>;

/// A host key store, as a table of callbacks. printseal copies the struct.
///
/// Threads: the callbacks may be called from any thread that uses an identity or
/// recipient made from this store, several at once; they must be thread-safe.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct printseal_key_store {
    /// Passed as the first argument of every callback.
    pub userdata: *mut c_void,
    /// For `printseal_identity_from_key_store` (may be NULL for a recipient only).
    pub unwrap: printseal_key_store_unwrap_callback,
    /// For `printseal_recipient_from_key_store` (may be NULL for an identity only).
    pub wrap: printseal_key_store_wrap_callback,
    /// Called when a handle made from this struct is freed (its last reference): once
    /// per `printseal_*_from_key_store` call that succeeded, so an identity and a
    /// recipient made from one struct call it once each. May be NULL.
    pub free_userdata: printseal_key_store_free_callback,
}

/// The shared part: the vtable and the release of its userdata.
struct Store(printseal_key_store);

// SAFETY: the header requires the callbacks and their userdata to be usable from any
// thread, several at once (see `printseal_key_store`); printseal itself never touches
// `userdata` except to pass it back.
unsafe impl Send for Store {}
// SAFETY: as for `Send`.
unsafe impl Sync for Store {}

impl Drop for Store {
    fn drop(&mut self) {
        if let Some(free) = self.0.free_userdata {
            // SAFETY: the host's release callback with its own userdata, called once
            // for this handle (each handle owns its own copy of the vtable).
            unsafe { free(self.0.userdata) };
        }
    }
}

/// What a key-store callback's non-zero return means (`printseal_key_store_failure`).
fn key_store_error(code: i32) -> printseal::Error {
    use printseal::KeyStoreFailure as F;
    let failure = match code {
        1 => F::ModuleUnavailable,
        2 => F::TokenAbsent,
        3 => F::PinIncorrect,
        4 => F::KeyNotFound,
        5 => F::KeyNotPermitted,
        _ => F::Other,
    };
    printseal::KeyStoreError::new(failure, format!("key store callback returned {code}")).into()
}

/// The `printseal_key_store_failure` code of a core key-store failure (the reverse of
/// [`key_store_error`]).
pub(crate) fn failure_code(failure: printseal::KeyStoreFailure) -> i32 {
    use printseal::KeyStoreFailure as F;
    let f = match failure {
        F::ModuleUnavailable => printseal_key_store_failure::ModuleUnavailable,
        F::TokenAbsent => printseal_key_store_failure::TokenAbsent,
        F::PinIncorrect => printseal_key_store_failure::PinIncorrect,
        F::KeyNotFound => printseal_key_store_failure::KeyNotFound,
        F::KeyNotPermitted => printseal_key_store_failure::KeyNotPermitted,
        _ => printseal_key_store_failure::Other,
    };
    f as i32
}

/// What a key-store callback returns on failure (0 is success). Any other non-zero
/// value is reported as `OTHER`.
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum printseal_key_store_failure {
    /// The key store's module or library could not be loaded or initialised.
    ModuleUnavailable = 1,
    /// The token, card or device is not present.
    TokenAbsent = 2,
    /// The PIN or passphrase was refused, or the token is locked.
    PinIncorrect = 3,
    /// The key is not in the key store.
    KeyNotFound = 4,
    /// The key may not wrap or unwrap.
    KeyNotPermitted = 5,
    /// Any other failure.
    Other = 99,
}

/// An identity backed by a host key store.
pub struct KeyStoreIdentity {
    store: Store,
}

impl printseal::Identity for KeyStoreIdentity {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<printseal::Result<FileKey>> {
        let cb = self.store.0.unwrap?;
        let mut key = Zeroizing::new([0u8; printseal::FILE_KEY_SIZE]);
        let mut matched = false;
        let body = stanza.body();
        // SAFETY: the host's callback, called as its documented contract says: `body`
        // is readable for `body.len()` bytes, `key` writable for 32, `matched` a bool,
        // all valid for the duration of the call.
        let rc = unsafe {
            cb(
                self.store.0.userdata,
                stanza.kind(),
                body.as_ptr(),
                body.len(),
                key.as_mut_ptr(),
                &mut matched,
            )
        };
        match (rc, matched) {
            (0, false) => None,
            (0, true) => Some(Ok(FileKey::from_bytes(*key))),
            (code, _) => Some(Err(key_store_error(code))),
        }
    }
}

/// A recipient backed by a host key store.
pub struct KeyStoreRecipient {
    store: Store,
    kind: u16,
    quantum: QuantumSecurity,
}

impl KeyStoreRecipient {
    pub(crate) fn quantum_security(&self) -> QuantumSecurity {
        self.quantum
    }

    pub(crate) fn wrap_file_key(
        &self,
        file_key: &FileKey,
        _rng: &mut dyn rand_core::CryptoRng,
    ) -> printseal::Result<Stanza> {
        let Some(cb) = self.store.0.wrap else {
            return Err(key_store_error(-1));
        };
        let mut body = vec![0u8; MAX_STANZA_BODY];
        let mut len = 0usize;
        // SAFETY: the host's callback under its documented contract: the file key is
        // readable for 32 bytes, `body` writable for `body.len()`, `len` a usize, all
        // valid for the duration of the call.
        let rc = unsafe {
            cb(
                self.store.0.userdata,
                file_key.expose_secret().as_ptr(),
                body.as_mut_ptr(),
                body.len(),
                &mut len,
            )
        };
        if rc != 0 {
            return Err(key_store_error(rc));
        }
        if len > body.len() {
            return Err(printseal::Error::LimitExceeded(
                printseal::Limit::StanzaBody,
            ));
        }
        body.truncate(len);
        Stanza::new(self.kind, body)
    }
}

impl printseal_identity {
    /// Makes an identity that opens jobs through the host's key store. `store` is
    /// copied; `store->unwrap` must not be NULL.
    ///
    /// On success `*out` is a new identity the caller owns; `store->free_userdata`
    /// runs when its last reference is freed. On failure nothing was kept and the
    /// host still owns `userdata`.
    ///
    /// Errors: `NULL_PARAMETER` (`store`, `store->unwrap` or `out` NULL).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_identity_from_key_store(
        store: *const printseal_key_store,
        out: *mut *const printseal_identity,
    ) -> printseal_status {
        ffi_panic_boundary! {
            if store.is_null() {
                return printseal_status::NullParameter;
            }
            // SAFETY: a non-NULL `store` points at a readable `printseal_key_store`
            // (header contract); it is copied.
            let store = unsafe { *store };
            let out = try_out!(out);
            if store.unwrap.is_none() {
                return printseal_status::NullParameter;
            }
            *out = to_arc_const_ptr(IdentityKey::KeyStore(KeyStoreIdentity { store: Store(store) }));
            printseal_status::Ok
        }
    }
}

impl printseal_recipient {
    /// Makes a recipient that seals through the host's key store: its stanzas have
    /// kind `stanza_kind` and the body `store->wrap` writes. `quantum_security` says
    /// what protects that stanza: 0 classical (RSA, ECDH: the safe answer when
    /// unsure), 1 post-quantum, 2 symmetric (an AES key in an HSM); it decides
    /// whether the recipient may be mixed with X-Wing ones.
    ///
    /// On success `*out` is a new recipient the caller owns; `store->free_userdata`
    /// runs when its last reference is freed. On failure nothing was kept and the
    /// host still owns `userdata`.
    ///
    /// Errors: `NULL_PARAMETER` (`store`, `store->wrap` or `out` NULL);
    /// `INVALID_INPUT` (unknown `quantum_security`).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_recipient_from_key_store(
        store: *const printseal_key_store,
        stanza_kind: u16,
        quantum_security: u32,
        out: *mut *const printseal_recipient,
    ) -> printseal_status {
        ffi_panic_boundary! {
            if store.is_null() {
                return printseal_status::NullParameter;
            }
            // SAFETY: a non-NULL `store` points at a readable `printseal_key_store`
            // (header contract); it is copied.
            let store = unsafe { *store };
            let out = try_out!(out);
            if store.wrap.is_none() {
                return printseal_status::NullParameter;
            }
            let quantum = match quantum_security {
                0 => QuantumSecurity::Classical,
                1 => QuantumSecurity::PostQuantum,
                2 => QuantumSecurity::Symmetric,
                _ => return printseal_status::InvalidInput,
            };
            *out = to_arc_const_ptr(RecipientKey::KeyStore(KeyStoreRecipient {
                store: Store(store),
                kind: stanza_kind,
                quantum,
            }));
            printseal_status::Ok
        }
    }
}
