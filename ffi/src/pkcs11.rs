//! KEKs held in a PKCS#11 token (an HSM, a smart card, SoftHSM2), named by RFC 7512
//! URIs: identities and recipients whose key never leaves the token, built on
//! `printseal_pkcs11::Pkcs11Kek` (keystore/pkcs11). They write and open the same KEK
//! stanzas (kind 0x0001) as a software KEK with the same key value and id.
//!
//! With the `pkcs11` cargo feature (on by default: the module is loaded at run time,
//! nothing is linked). Without it the entry points still exist, so that the symbol set
//! does not depend on features, and fail with `PRINTSEAL_STATUS_KEY_STORE`.

use core::ffi::c_char;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use printseal::{FileKey, QuantumSecurity, Stanza};

use crate::error::printseal_status;
use crate::identity::failure_code;
use crate::keys::{IdentityKey, RecipientKey, printseal_identity, printseal_recipient};
use crate::panic::ffi_panic_boundary;

#[cfg(feature = "pkcs11")]
type Pkcs11Kek = printseal_pkcs11::Pkcs11Kek;

/// Never made: without the `pkcs11` feature the constructors fail.
#[cfg(not(feature = "pkcs11"))]
#[derive(Clone)]
enum Pkcs11Kek {}

/// A token-held KEK behind an identity or recipient handle, with the failure kind
/// (a `printseal_key_store_failure`, 0 for none) of the last token call that failed
/// through it, shared by the identity and the recipient made from it.
#[derive(Clone)]
pub struct TokenKek {
    kek: Pkcs11Kek,
    last_failure: Arc<AtomicI32>,
}

impl TokenKek {
    /// Remembers the failure kind of a key-store error on its way out.
    #[cfg_attr(not(feature = "pkcs11"), allow(dead_code))]
    fn note<T>(&self, res: printseal::Result<T>) -> printseal::Result<T> {
        if let Err(printseal::Error::KeyStore(k)) = &res {
            self.last_failure
                .store(failure_code(k.failure()), Ordering::Relaxed);
        }
        res
    }

    pub(crate) fn last_failure(&self) -> i32 {
        self.last_failure.load(Ordering::Relaxed)
    }

    /// The stanza key id (the token object's `CKA_ID`, or derived from it).
    pub(crate) fn key_id(&self) -> [u8; printseal::recipient::kek::KEY_ID_SIZE] {
        #[cfg(feature = "pkcs11")]
        {
            *self.kek.key_id()
        }
        #[cfg(not(feature = "pkcs11"))]
        match self.kek {}
    }

    pub(crate) fn quantum_security(&self) -> QuantumSecurity {
        QuantumSecurity::Symmetric
    }

    pub(crate) fn unwrap_stanza(&self, stanza: &Stanza) -> Option<printseal::Result<FileKey>> {
        #[cfg(feature = "pkcs11")]
        {
            use printseal::Identity;
            self.kek.unwrap_stanza(stanza).map(|r| self.note(r))
        }
        #[cfg(not(feature = "pkcs11"))]
        {
            let _ = stanza;
            match self.kek {}
        }
    }

    pub(crate) fn wrap_file_key(
        &self,
        file_key: &FileKey,
        rng: &mut dyn rand_core::CryptoRng,
    ) -> printseal::Result<Stanza> {
        #[cfg(feature = "pkcs11")]
        {
            use printseal::Recipient;
            self.note(self.kek.wrap_file_key(file_key, rng))
        }
        #[cfg(not(feature = "pkcs11"))]
        {
            let _ = (file_key, rng);
            match self.kek {}
        }
    }
}

/// Opens (or, with `generate`, first creates inside the token) the KEK named by the
/// URI, with the PIN given as bytes (NULL: the URI's `pin-source`, or no login).
#[cfg(feature = "pkcs11")]
fn open_token_kek(uri: &str, pin: Option<&str>, generate: bool) -> printseal::Result<TokenKek> {
    use printseal_pkcs11::Pkcs11Uri;
    let uri = Pkcs11Uri::parse(uri)?;
    let kek = if generate {
        Pkcs11Kek::generate_in_token(&uri, pin)?
    } else {
        Pkcs11Kek::open(&uri, pin)?
    };
    Ok(TokenKek {
        kek,
        last_failure: Arc::new(AtomicI32::new(0)),
    })
}

#[cfg(not(feature = "pkcs11"))]
fn open_token_kek(uri: &str, pin: Option<&str>, generate: bool) -> printseal::Result<TokenKek> {
    let _ = (uri, pin, generate);
    Err(printseal::KeyStoreError::new(
        printseal::KeyStoreFailure::ModuleUnavailable,
        "libprintseal was built without the pkcs11 feature",
    )
    .into())
}

/// The body of both constructors.
fn token_identity(
    uri: *const c_char,
    uri_len: usize,
    pin: *const u8,
    pin_len: usize,
    out: *mut *const printseal_identity,
    failure: *mut i32,
    generate: bool,
) -> printseal_status {
    use crate::ffi::{to_arc_const_ptr, try_out, try_str};
    let set_failure = |code: i32| {
        // SAFETY: a non-NULL `failure` points at a writable int32_t (header contract).
        if let Some(f) = unsafe { failure.as_mut() } {
            *f = code;
        }
    };
    set_failure(0);
    let out = try_out!(out);
    let uri = try_str!(uri, uri_len);
    // The PIN is borrowed for the call, never copied here: the key store turns it into
    // cryptoki's zeroizing `AuthPin` for the login and keeps nothing after it.
    let pin = if pin.is_null() {
        if pin_len != 0 {
            return printseal_status::NullParameter;
        }
        None
    } else {
        Some(try_str!(pin, pin_len))
    };
    match open_token_kek(uri, pin, generate) {
        Ok(k) => {
            *out = to_arc_const_ptr(IdentityKey::Pkcs11(k));
            printseal_status::Ok
        }
        Err(e) => {
            if let printseal::Error::KeyStore(k) = &e {
                set_failure(failure_code(k.failure()));
            }
            crate::error::map_error(&e)
        }
    }
}

impl printseal_identity {
    /// Opens the AES-256 KEK named by a PKCS#11 URI (RFC 7512, `uri_len` bytes of
    /// UTF-8), such as
    /// `pkcs11:token=print01;id=%01;type=secret-key?module-path=/usr/lib/softhsm/libsofthsm2.so`,
    /// and logs in with `pin` (`pin_len` bytes of UTF-8, borrowed for the call and not
    /// kept; wipe your copy) or, for `pin` NULL, with the URI's
    /// `pin-source=file:/path`. A PIN is never part of the URI (`pin-value` is
    /// refused).
    ///
    /// The identity opens KEK stanzas through the token (`C_UnwrapKey`,
    /// `CKM_AES_KEY_WRAP_PAD`), and `printseal_identity_to_recipient` gives the
    /// recipient that seals through it (`C_WrapKey`): byte-identical to a software KEK
    /// with the same value and id (`PRINTSEAL_KEK_ID_LEN`-byte `CKA_ID`s are the key id
    /// as is). Its kind is `PRINTSEAL_KEY_KIND_PKCS11`; `printseal_identity_key_id`
    /// gives its stanza key id; `printseal_identity_kek_bytes` refuses it (the value
    /// never leaves the token). A stanza for another key id is skipped without a token
    /// call. Any thread; the module is loaded and initialised once per process.
    ///
    /// `failure` may be NULL; otherwise it always receives the
    /// `printseal_key_store_failure` of a `KEY_STORE` error, and 0 for any other return.
    /// On success `*out` is a new identity the caller owns.
    ///
    /// Errors: `NULL_PARAMETER`; `INVALID_INPUT` (not UTF-8, a URI the key store
    /// refuses, such as one with `pin-value`, no `module-path`, or a PIN and a
    /// `pin-source` both); `KEY_STORE` (module missing or not PKCS#11: `MODULE_UNAVAILABLE`;
    /// no such token: `TOKEN_ABSENT`; PIN refused or needed: `PIN_INCORRECT`; no such
    /// key: `KEY_NOT_FOUND`; not AES-256 or neither wrap nor unwrap:
    /// `KEY_NOT_PERMITTED`; several matches, unreadable PIN file: `OTHER`; or a build
    /// without the `pkcs11` feature: `MODULE_UNAVAILABLE`).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_identity_from_pkcs11(
        uri: *const c_char,
        uri_len: usize,
        pin: *const u8,
        pin_len: usize,
        out: *mut *const printseal_identity,
        failure: *mut i32,
    ) -> printseal_status {
        ffi_panic_boundary! {
            token_identity(uri, uri_len, pin, pin_len, out, failure, false)
        }
    }

    /// Generates a new AES-256 KEK inside the token named by the URI, which must give
    /// `id=` (16 bytes recommended: it is then the stanza key id as is) and may give
    /// `object=` as its label, then opens it as `printseal_identity_from_pkcs11` does.
    /// The key is a token object that can never be read or wrapped out (not
    /// `CKA_EXTRACTABLE`, `CKA_SENSITIVE`), permitted to wrap and unwrap only.
    ///
    /// Errors: as `printseal_identity_from_pkcs11`; `INVALID_INPUT` without `id=`;
    /// `KEY_STORE` with `OTHER` if a key with that id or label exists already.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_identity_generate_in_pkcs11(
        uri: *const c_char,
        uri_len: usize,
        pin: *const u8,
        pin_len: usize,
        out: *mut *const printseal_identity,
        failure: *mut i32,
    ) -> printseal_status {
        ffi_panic_boundary! {
            token_identity(uri, uri_len, pin, pin_len, out, failure, true)
        }
    }

    /// The `printseal_key_store_failure` of the last token call that failed through
    /// this PKCS#11 identity or a recipient made from it (on any thread), 0 if none,
    /// for NULL, or for any other kind of identity.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_identity_key_store_failure(
        identity: *const printseal_identity,
    ) -> i32 {
        ffi_panic_boundary! {
            match crate::ffi::try_ref!(identity) {
                IdentityKey::Pkcs11(k) => k.last_failure(),
                _ => 0,
            }
        }
    }
}

impl printseal_recipient {
    /// As `printseal_identity_key_store_failure`, for a recipient made from a PKCS#11
    /// identity (the two share it).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_recipient_key_store_failure(
        recipient: *const printseal_recipient,
    ) -> i32 {
        ffi_panic_boundary! {
            match crate::ffi::try_ref!(recipient) {
                RecipientKey::Pkcs11(k) => k.last_failure(),
                _ => 0,
            }
        }
    }
}
