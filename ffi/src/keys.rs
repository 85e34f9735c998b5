//! Keys: KEKs, X25519 and X-Wing identities (secret) and recipients (public), in the
//! text forms of the Rust API, and raw bytes for KEKs.
//!
//! Identities and recipients are immutable and reference-counted (`Arc`): share them
//! between threads freely, free each pointer you were given once.

use core::ffi::c_char;
use std::str::FromStr;
use std::sync::Arc;

use printseal::recipient::kek::{KEK_SIZE, KEY_ID_SIZE};
use printseal::{
    FileKey, Identity, Kek, QuantumSecurity, Recipient, Stanza, X25519Identity, X25519Recipient,
    XWingIdentity, XWingRecipient,
};
use zeroize::Zeroizing;

use crate::error::{map_error, printseal_status};
use crate::ffi::{
    Castable, OwnershipArc, copy_out, free_arc, to_arc_const_ptr, try_out, try_ref, try_slice,
    try_str,
};
use crate::identity::{KeyStoreIdentity, KeyStoreRecipient};
use crate::panic::ffi_panic_boundary;
use crate::pkcs11::TokenKek;
use crate::rng::os_rng;

/// Length of a KEK's key id (16 bytes, chosen by the key store).
pub const PRINTSEAL_KEK_ID_LEN: usize = 16;
/// Length of an X25519 or X-Wing key id (8 bytes, derived from the public key).
pub const PRINTSEAL_HPKE_KEY_ID_LEN: usize = 8;
/// The longest key id of any kind: a buffer this long holds every key id.
pub const PRINTSEAL_KEY_ID_MAX_LEN: usize = 16;
/// Length of a KEK (AES-256).
pub const PRINTSEAL_KEK_LEN: usize = 32;
/// Length of a file key, as a key-store callback sees it.
pub const PRINTSEAL_FILE_KEY_LEN: usize = 32;

// The header's literals (cbindgen needs literals) are the core's sizes.
const _: () = {
    assert!(PRINTSEAL_KEK_ID_LEN == KEY_ID_SIZE);
    assert!(PRINTSEAL_HPKE_KEY_ID_LEN == printseal::recipient::hpke_core::KEY_ID_SIZE);
    assert!(PRINTSEAL_KEY_ID_MAX_LEN >= PRINTSEAL_HPKE_KEY_ID_LEN);
    assert!(PRINTSEAL_KEK_LEN == KEK_SIZE);
    assert!(PRINTSEAL_FILE_KEY_LEN == printseal::FILE_KEY_SIZE);
};

/// The kinds of key, numbered as the stanza kinds they wrap to (docs/FORMAT.md).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum printseal_key_kind {
    /// An AES-256-KWP key-encryption key (symmetric: both identity and recipient).
    Kek = 0x0001,
    /// An X25519 key pair (HPKE).
    X25519 = 0x0010,
    /// An X-Wing key pair (ML-KEM-768 + X25519, post-quantum hybrid; HPKE).
    Xwing = 0x0011,
    /// A KEK held in a PKCS#11 token (`printseal_identity_from_pkcs11`): it writes and
    /// opens KEK stanzas (kind 0x0001), and its value never leaves the token.
    Pkcs11 = 0xfffe,
    /// A key held by a host key store through `printseal_key_store` callbacks.
    KeyStore = 0xffff,
}

/// A key that can open jobs: a KEK, an X25519 or X-Wing secret key, a KEK in a
/// PKCS#11 token, or a key store.
///
/// Immutable, reference-counted (an `Arc<IdentityKey>` in Rust); any thread may use
/// it, also several at once. Free with `printseal_identity_free`; its secret is
/// zeroized when the last reference goes.
pub struct printseal_identity {
    _private: [u8; 0],
}

impl Castable for printseal_identity {
    type Ownership = OwnershipArc;
    type RustType = IdentityKey;
}

/// A key that jobs can be sealed to: a KEK, an X25519 or X-Wing public key, a KEK in a
/// PKCS#11 token, or a key store.
///
/// Immutable, reference-counted (an `Arc<RecipientKey>` in Rust); any thread may use
/// it, also several at once. Free with `printseal_recipient_free`.
pub struct printseal_recipient {
    _private: [u8; 0],
}

impl Castable for printseal_recipient {
    type Ownership = OwnershipArc;
    type RustType = RecipientKey;
}

/// What a `printseal_identity` holds.
pub enum IdentityKey {
    /// A KEK.
    Kek(Kek),
    /// An X25519 secret key.
    X25519(X25519Identity),
    /// An X-Wing secret key.
    XWing(Box<XWingIdentity>),
    /// A KEK in a PKCS#11 token.
    Pkcs11(TokenKek),
    /// A host key store.
    KeyStore(KeyStoreIdentity),
}

impl IdentityKey {
    fn kind(&self) -> printseal_key_kind {
        match self {
            IdentityKey::Kek(_) => printseal_key_kind::Kek,
            IdentityKey::X25519(_) => printseal_key_kind::X25519,
            IdentityKey::XWing(_) => printseal_key_kind::Xwing,
            IdentityKey::Pkcs11(_) => printseal_key_kind::Pkcs11,
            IdentityKey::KeyStore(_) => printseal_key_kind::KeyStore,
        }
    }

    fn key_id(&self) -> Option<Vec<u8>> {
        match self {
            IdentityKey::Kek(k) => Some(k.id().to_vec()),
            IdentityKey::X25519(k) => Some(k.key_id().to_vec()),
            IdentityKey::XWing(k) => Some(k.key_id().to_vec()),
            IdentityKey::Pkcs11(k) => Some(k.key_id().to_vec()),
            IdentityKey::KeyStore(_) => None,
        }
    }
}

impl Identity for IdentityKey {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<printseal::Result<FileKey>> {
        match self {
            IdentityKey::Kek(k) => k.unwrap_stanza(stanza),
            IdentityKey::X25519(k) => k.unwrap_stanza(stanza),
            IdentityKey::XWing(k) => k.unwrap_stanza(stanza),
            IdentityKey::Pkcs11(k) => k.unwrap_stanza(stanza),
            IdentityKey::KeyStore(k) => k.unwrap_stanza(stanza),
        }
    }
}

/// What a `printseal_recipient` holds.
pub enum RecipientKey {
    /// A KEK.
    Kek(Kek),
    /// An X25519 public key.
    X25519(X25519Recipient),
    /// An X-Wing public key.
    XWing(Box<XWingRecipient>),
    /// A KEK in a PKCS#11 token.
    Pkcs11(TokenKek),
    /// A host key store.
    KeyStore(KeyStoreRecipient),
}

impl RecipientKey {
    fn kind(&self) -> printseal_key_kind {
        match self {
            RecipientKey::Kek(_) => printseal_key_kind::Kek,
            RecipientKey::X25519(_) => printseal_key_kind::X25519,
            RecipientKey::XWing(_) => printseal_key_kind::Xwing,
            RecipientKey::Pkcs11(_) => printseal_key_kind::Pkcs11,
            RecipientKey::KeyStore(_) => printseal_key_kind::KeyStore,
        }
    }
}

impl Recipient for RecipientKey {
    fn wrap_file_key(
        &self,
        file_key: &FileKey,
        rng: &mut dyn rand_core::CryptoRng,
    ) -> printseal::Result<Stanza> {
        match self {
            RecipientKey::Kek(k) => k.wrap_file_key(file_key, rng),
            RecipientKey::X25519(k) => k.wrap_file_key(file_key, rng),
            RecipientKey::XWing(k) => k.wrap_file_key(file_key, rng),
            RecipientKey::Pkcs11(k) => k.wrap_file_key(file_key, rng),
            RecipientKey::KeyStore(k) => k.wrap_file_key(file_key, rng),
        }
    }

    fn quantum_security(&self) -> QuantumSecurity {
        match self {
            RecipientKey::Kek(k) => k.quantum_security(),
            RecipientKey::X25519(k) => k.quantum_security(),
            RecipientKey::XWing(k) => k.quantum_security(),
            RecipientKey::Pkcs11(k) => k.quantum_security(),
            RecipientKey::KeyStore(k) => k.quantum_security(),
        }
    }
}

fn parse_kind(kind: u32) -> Option<printseal_key_kind> {
    match kind {
        0x0001 => Some(printseal_key_kind::Kek),
        0x0010 => Some(printseal_key_kind::X25519),
        0x0011 => Some(printseal_key_kind::Xwing),
        _ => None,
    }
}

/// Case-insensitive prefix test (Bech32 strings are all upper or all lower case).
fn has_prefix(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

impl printseal_identity {
    /// Generates a new identity of `kind` (`PRINTSEAL_KEY_KIND_KEK`, `_X25519` or
    /// `_XWING`) from the operating system's generator. A new KEK gets a random key id.
    ///
    /// On success `*out` is a new identity the caller owns (free it with
    /// `printseal_identity_free`). Any thread.
    ///
    /// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (unknown kind), `RANDOMNESS`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_identity_generate(
        kind: u32,
        out: *mut *const printseal_identity,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let out = try_out!(out);
            let Some(kind) = parse_kind(kind) else {
                return printseal_status::InvalidInput;
            };
            let mut rng = match os_rng() {
                Ok(rng) => rng,
                Err(e) => return map_error(&e),
            };
            let key = match kind {
                printseal_key_kind::Kek => IdentityKey::Kek(Kek::generate_with_rng(&mut rng)),
                printseal_key_kind::X25519 => {
                    IdentityKey::X25519(X25519Identity::generate_with_rng(&mut rng))
                }
                _ => IdentityKey::XWing(Box::new(XWingIdentity::generate_with_rng(&mut rng))),
            };
            *out = to_arc_const_ptr(key);
            printseal_status::Ok
        }
    }

    /// Makes a KEK identity from its 16-byte key id and 32-byte key (both copied; wipe
    /// your copy when done).
    ///
    /// On success `*out` is a new identity the caller owns. Any thread.
    ///
    /// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (a length other than
    /// `PRINTSEAL_KEK_ID_LEN` or `PRINTSEAL_KEK_LEN`).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_identity_from_kek(
        key_id: *const u8,
        key_id_len: usize,
        key: *const u8,
        key_len: usize,
        out: *mut *const printseal_identity,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let out = try_out!(out);
            let id = try_slice!(key_id, key_id_len);
            let key = try_slice!(key, key_len);
            let (Ok(id), Ok(key)) = (
                <[u8; KEY_ID_SIZE]>::try_from(id),
                <[u8; KEK_SIZE]>::try_from(key),
            ) else {
                return printseal_status::InvalidInput;
            };
            let key = Zeroizing::new(key);
            *out = to_arc_const_ptr(IdentityKey::Kek(Kek::new(id, *key)));
            printseal_status::Ok
        }
    }

    /// Parses a secret key in its text form: `PRINTSEAL-SECRET-KEY-1…` (X25519) or
    /// `PRINTSEAL-SECRET-KEY-PQ-1…` (X-Wing). `text` is `text_len` bytes, not
    /// necessarily NUL-terminated; leading and trailing whitespace is refused.
    ///
    /// On success `*out` is a new identity the caller owns. Any thread.
    ///
    /// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (not UTF-8, or
    /// (not a key, bad checksum, wrong length, wrong kind).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_identity_parse(
        text: *const c_char,
        text_len: usize,
        out: *mut *const printseal_identity,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let out = try_out!(out);
            let text = try_str!(text, text_len);
            let key = if has_prefix(text, "PRINTSEAL-SECRET-KEY-PQ-1") {
                XWingIdentity::from_str(text).map(|k| IdentityKey::XWing(Box::new(k)))
            } else {
                X25519Identity::from_str(text).map(IdentityKey::X25519)
            };
            match key {
                Ok(k) => {
                    *out = to_arc_const_ptr(k);
                    printseal_status::Ok
                }
                Err(e) => map_error(&printseal::Error::from(e)),
            }
        }
    }

    /// Writes the secret key's text form (`PRINTSEAL-SECRET-KEY-…`, no NUL) into
    /// `buf` (`len` bytes) and its length into `*out_n`. Wipe the buffer when done.
    ///
    /// Errors: `NULL_PARAMETER`; `BUFFER_TOO_SMALL` (the length needed is stored in
    /// `*out_n`); `INVALID_INPUT` for a KEK or key store, which have no text form
    /// (see `printseal_identity_kek_bytes`).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_identity_encode(
        identity: *const printseal_identity,
        buf: *mut c_char,
        len: usize,
        out_n: *mut usize,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let identity = try_ref!(identity);
            let text = match identity {
                IdentityKey::X25519(k) => k.to_secret_string(),
                IdentityKey::XWing(k) => k.to_secret_string(),
                _ => return printseal_status::InvalidInput,
            };
            copy_out(text.as_bytes(), buf.cast(), len, out_n)
        }
    }

    /// Copies a KEK identity's key id (`PRINTSEAL_KEK_ID_LEN` bytes) into `key_id` and its key (32 bytes)
    /// into `key`. Wipe `key` when done.
    ///
    /// Errors: `NULL_PARAMETER`; `INVALID_INPUT` if the identity is not a KEK.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_identity_kek_bytes(
        identity: *const printseal_identity,
        key_id: *mut u8,
        key: *mut u8,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let identity = try_ref!(identity);
            if key_id.is_null() || key.is_null() {
                return printseal_status::NullParameter;
            }
            let IdentityKey::Kek(k) = identity else {
                return printseal_status::InvalidInput;
            };
            // SAFETY: `key_id` has PRINTSEAL_KEK_ID_LEN writable bytes and `key`
            // PRINTSEAL_KEK_LEN (the header's contract); the sources are ours, so
            // they do not overlap.
            unsafe {
                core::ptr::copy_nonoverlapping(k.id().as_ptr(), key_id, KEY_ID_SIZE);
                core::ptr::copy_nonoverlapping(k.expose_secret().as_ptr(), key, KEK_SIZE);
            }
            printseal_status::Ok
        }
    }

    /// The identity's kind (a `printseal_key_kind`), or 0 for NULL.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_identity_kind(identity: *const printseal_identity) -> u32 {
        ffi_panic_boundary! {
            try_ref!(identity).kind() as u32
        }
    }

    /// Copies the identity's key id into `buf` (`len` bytes; `PRINTSEAL_KEY_ID_MAX_LEN`
    /// is always enough) and its length into `*out_n`: 16 bytes for a KEK, 8 for
    /// X25519 and X-Wing. It is the id its stanzas carry, to match against
    /// `printseal_header_stanza`.
    ///
    /// Errors: `NULL_PARAMETER`; `BUFFER_TOO_SMALL` (length needed in `*out_n`);
    /// `INVALID_INPUT` for a key store (its ids are its own business).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_identity_key_id(
        identity: *const printseal_identity,
        buf: *mut u8,
        len: usize,
        out_n: *mut usize,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let identity = try_ref!(identity);
            let Some(id) = identity.key_id() else {
                return printseal_status::InvalidInput;
            };
            copy_out(&id, buf, len, out_n)
        }
    }

    /// The recipient that seals to this identity: its public key (or, for a KEK, the
    /// KEK itself). On success `*out` is a new recipient the caller owns.
    ///
    /// Errors: `NULL_PARAMETER`; `INVALID_INPUT` for a key store (make its
    /// recipient with `printseal_recipient_from_key_store`).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_identity_to_recipient(
        identity: *const printseal_identity,
        out: *mut *const printseal_recipient,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let identity = try_ref!(identity);
            let out = try_out!(out);
            let r = match identity {
                IdentityKey::Kek(k) => RecipientKey::Kek(k.clone()),
                IdentityKey::X25519(k) => RecipientKey::X25519(k.to_public()),
                IdentityKey::XWing(k) => RecipientKey::XWing(Box::new(k.to_public())),
                IdentityKey::Pkcs11(k) => RecipientKey::Pkcs11(k.clone()),
                IdentityKey::KeyStore(_) => return printseal_status::InvalidInput,
            };
            *out = to_arc_const_ptr(r);
            printseal_status::Ok
        }
    }

    /// Drops the caller's reference; the secret is zeroized when the last one goes.
    /// NULL does nothing.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_identity_free(identity: *const printseal_identity) {
        ffi_panic_boundary! {
            free_arc(identity)
        }
    }
}

impl printseal_recipient {
    /// Parses a public key in its text form: `printseal1…` (X25519) or
    /// `printseal-pq1…` (X-Wing), `text_len` bytes.
    ///
    /// On success `*out` is a new recipient the caller owns. Any thread.
    ///
    /// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (not UTF-8, not a key).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_recipient_parse(
        text: *const c_char,
        text_len: usize,
        out: *mut *const printseal_recipient,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let out = try_out!(out);
            let text = try_str!(text, text_len);
            let key = if has_prefix(text, "printseal-pq1") {
                XWingRecipient::from_str(text).map(|k| RecipientKey::XWing(Box::new(k)))
            } else {
                X25519Recipient::from_str(text).map(RecipientKey::X25519)
            };
            match key {
                Ok(k) => {
                    *out = to_arc_const_ptr(k);
                    printseal_status::Ok
                }
                Err(e) => map_error(&printseal::Error::from(e)),
            }
        }
    }

    /// Writes the public key's text form (no NUL) into `buf` and its length into
    /// `*out_n`.
    ///
    /// Errors: `NULL_PARAMETER`; `BUFFER_TOO_SMALL` (length needed in `*out_n`);
    /// `INVALID_INPUT` for a KEK or key store (no public text form).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_recipient_encode(
        recipient: *const printseal_recipient,
        buf: *mut c_char,
        len: usize,
        out_n: *mut usize,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let recipient = try_ref!(recipient);
            let text = match recipient {
                RecipientKey::X25519(k) => k.to_string(),
                RecipientKey::XWing(k) => k.to_string(),
                _ => return printseal_status::InvalidInput,
            };
            copy_out(text.as_bytes(), buf.cast(), len, out_n)
        }
    }

    /// The recipient's kind (a `printseal_key_kind`), or 0 for NULL.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_recipient_kind(recipient: *const printseal_recipient) -> u32 {
        ffi_panic_boundary! {
            try_ref!(recipient).kind() as u32
        }
    }

    /// Copies the recipient's key id into `buf` (`len` bytes) and its length into
    /// `*out_n`, as `printseal_identity_key_id`.
    ///
    /// Errors: `NULL_PARAMETER`; `BUFFER_TOO_SMALL`; `INVALID_INPUT` for a key store.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_recipient_key_id(
        recipient: *const printseal_recipient,
        buf: *mut u8,
        len: usize,
        out_n: *mut usize,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let recipient = try_ref!(recipient);
            let id = match recipient {
                RecipientKey::Kek(k) => k.id().to_vec(),
                RecipientKey::X25519(k) => k.key_id().to_vec(),
                RecipientKey::XWing(k) => k.key_id().to_vec(),
                RecipientKey::Pkcs11(k) => k.key_id().to_vec(),
                RecipientKey::KeyStore(_) => return printseal_status::InvalidInput,
            };
            copy_out(&id, buf, len, out_n)
        }
    }

    /// Drops the caller's reference. NULL does nothing.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_recipient_free(recipient: *const printseal_recipient) {
        ffi_panic_boundary! {
            free_arc(recipient)
        }
    }
}

/// Shared references to the recipients behind an array of handles.
pub(crate) fn as_recipients<'a>(keys: &'a [&'a RecipientKey]) -> Vec<&'a dyn Recipient> {
    keys.iter().map(|k| *k as &dyn Recipient).collect()
}

/// Shared references to the identities behind an array of handles.
pub(crate) fn as_identities<'a>(keys: &'a [&'a IdentityKey]) -> Vec<&'a dyn Identity> {
    keys.iter().map(|k| *k as &dyn Identity).collect()
}

/// An identity handle kept alive by an opener (a new reference to its `Arc`).
pub(crate) struct SharedIdentity(pub(crate) Arc<IdentityKey>);

impl Identity for SharedIdentity {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<printseal::Result<FileKey>> {
        self.0.unwrap_stanza(stanza)
    }
}
