//! The one error type of the crate.
//!
//! Every variant says what went wrong without carrying secret material: no key bytes,
//! no plaintext, no MAC values. Variants that point at a place in the input say where
//! (a chunk index, a limit's name) so that an operator can tell a damaged spool file
//! from an attack from a misconfigured key store.

use alloc::string::String;
use core::fmt;

/// A limit of the format that an input or a request went beyond.
///
/// Each one is documented in `docs/FORMAT.md`, section "Limits".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// The public metadata block is larger than [`crate::limits::MAX_PUBLIC_METADATA`].
    PublicMetadataSize,
    /// The private metadata block is larger than [`crate::limits::MAX_PRIVATE_METADATA`].
    PrivateMetadataSize,
    /// More private metadata entries than [`crate::limits::MAX_PRIVATE_ENTRIES`].
    PrivateMetadataEntries,
    /// A metadata text field is longer than its documented bound.
    MetadataField,
    /// More stanzas than [`crate::limits::MAX_STANZAS`], or none at all.
    StanzaCount,
    /// A stanza body is larger than [`crate::limits::MAX_STANZA_BODY`].
    StanzaBody,
    /// The payload has more chunks than the chunked-encryption layer allows (2^38).
    PayloadLength,
}

impl Limit {
    fn as_str(self) -> &'static str {
        match self {
            Limit::PublicMetadataSize => "public metadata size",
            Limit::PrivateMetadataSize => "private metadata size",
            Limit::PrivateMetadataEntries => "private metadata entry count",
            Limit::MetadataField => "metadata field length",
            Limit::StanzaCount => "recipient stanza count",
            Limit::StanzaBody => "recipient stanza body size",
            Limit::PayloadLength => "payload length",
        }
    }
}

/// Everything that can go wrong when sealing, opening or inspecting a job.
///
/// A truncated or tampered stream never ends in `Ok`, whichever API reads it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The input does not start with the printseal magic bytes.
    NotPrintseal,
    /// The format version byte is one this build does not read.
    UnsupportedVersion(u8),
    /// The suite id is one this build does not know.
    UnsupportedSuite(u16),
    /// The header is not well formed; the string names the field.
    MalformedHeader(&'static str),
    /// The header MAC did not verify under the unwrapped file key: the header was
    /// altered after sealing, or a stanza wraps a different file key than the others.
    HeaderMac,
    /// None of the given identities could unwrap any stanza (no stanza for them, or the
    /// wrong key).
    NoMatchingRecipient,
    /// A stanza meant for one of the given identities failed to unwrap: the key is
    /// wrong for that key id, or the stanza was altered.
    StanzaUnwrap,
    /// The payload key commitment did not match: the payload belongs to another header
    /// or was altered.
    PayloadCommitment,
    /// Chunk `chunk` (counted from zero) failed authentication.
    ///
    /// When `last` is set, the failing chunk is the one the stream ended in: besides
    /// tampering, that is what a job cut inside its final chunk, or one with bytes
    /// appended after it, looks like (the format ends where the file ends).
    PayloadTampered {
        /// Index of the chunk whose tag did not verify.
        chunk: u64,
        /// Whether it was read as the final chunk of the payload.
        last: bool,
    },
    /// The input ended early: in the header, or before the payload's final chunk.
    Truncated,
    /// Bytes follow the end of the sealed job: the payload's authentic final chunk was
    /// found, with stray bytes after it.
    ///
    /// The format ends where the input ends, so appended bytes become part of the chunk
    /// the opener reads last (up to the end of the input, or a full 16400 bytes). When
    /// that read fails, the opener checks whether it holds a valid final chunk followed
    /// by 1 to 16 extra bytes; a newline, CRLF or a little padding is found that way.
    /// Otherwise appended bytes show as a failed chunk ([`Error::PayloadTampered`]).
    TrailingData,
    /// A documented limit was exceeded.
    LimitExceeded(Limit),
    /// A value given to the sealer is not valid (for example a metadata text with a
    /// control character); the string names it.
    InvalidInput(&'static str),
    /// The output buffer given to a push API is smaller than the method's documented
    /// bound; nothing was consumed or written.
    OutputTooSmall {
        /// How many bytes of output space the call needs.
        needed: usize,
    },
    /// Caller misuse: the object was used after it finished, after it returned an error
    /// (errors are final: a sealer or opener refuses to go on once it has failed), or a
    /// call came in the wrong phase (for example a policy set after unlocking).
    InvalidState,
    /// A broken internal invariant: a state the library's own logic rules out (a
    /// backend refusing a key of the right size, a stanza body of the wrong size).
    /// Never caused by input or by the caller; please report it as a bug. The string
    /// names the invariant.
    Internal(&'static str),
    /// An external key store (HSM, PKCS#11 token, TPM, OS certificate store) failed:
    /// module missing, token absent, PIN refused, key missing or not permitted to wrap.
    /// Distinct from [`Error::NoMatchingRecipient`], which means no key was there to try.
    KeyStore(KeyStoreError),
    /// The random number generator failed.
    Randomness,
    /// A seek went before the start of the payload or beyond the range a `u64` holds.
    InvalidSeek,
    /// The recipients mix post-quantum and classical public keys: the classical stanza
    /// would undo the post-quantum protection. Allow it explicitly with
    /// [`crate::SealOptions::allow_mixed_pq`] (or `RewrapOptions::allow_mixed_pq`).
    MixedPostQuantum,
    /// The job breaks the opener's [`crate::OpenPolicy`] (producer, version, SBOM,
    /// suite, recipient kinds or expiry). Checked after the header MAC verified and
    /// before anything was decrypted.
    PolicyViolation(crate::policy_violation::PolicyViolation),
    /// An I/O error from the underlying reader or writer.
    #[cfg(feature = "std")]
    Io(std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotPrintseal => f.write_str("not a printseal file (bad magic)"),
            Error::UnsupportedVersion(v) => write!(f, "unsupported printseal format version {v}"),
            Error::UnsupportedSuite(s) => write!(f, "unsupported printseal suite 0x{s:04x}"),
            Error::MalformedHeader(what) => write!(f, "malformed header: {what}"),
            Error::HeaderMac => f.write_str("header MAC verification failed (header tampered)"),
            Error::NoMatchingRecipient => {
                f.write_str("no matching recipient: no identity could unwrap the file key")
            }
            Error::StanzaUnwrap => {
                f.write_str("recipient stanza failed to unwrap (wrong key or tampered stanza)")
            }
            Error::PayloadCommitment => {
                f.write_str("payload key commitment mismatch (payload tampered or swapped)")
            }
            Error::PayloadTampered { chunk, last: false } => {
                write!(f, "payload chunk {chunk} failed authentication (tampered)")
            }
            Error::PayloadTampered { chunk, last: true } => write!(
                f,
                "final payload chunk {chunk} failed authentication \
                 (tampered, truncated inside the chunk, or trailing data appended)"
            ),
            Error::Truncated => f.write_str("sealed job is truncated"),
            Error::TrailingData => f.write_str("trailing data after the end of the sealed job"),
            Error::LimitExceeded(limit) => write!(f, "limit exceeded: {}", limit.as_str()),
            Error::InvalidInput(what) => write!(f, "invalid input: {what}"),
            Error::OutputTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
            Error::InvalidState => {
                f.write_str("used after finish or after an earlier error (errors are final)")
            }
            Error::Internal(what) => write!(
                f,
                "internal error (a printseal bug, please report it): {what}"
            ),
            Error::KeyStore(e) => write!(f, "key store error: {e}"),
            Error::Randomness => f.write_str("random number generator failed"),
            Error::InvalidSeek => f.write_str("invalid seek position"),
            Error::MixedPostQuantum => f.write_str(
                "post-quantum and classical recipients mixed: the classical stanza would \
                 undo the post-quantum protection (allow explicitly with allow_mixed_pq)",
            ),
            Error::PolicyViolation(v) => write!(f, "refused by the open policy: {v}"),
            #[cfg(feature = "std")]
            Error::Io(e) => write!(f, "I/O error: {e}"),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            #[cfg(feature = "std")]
            Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(feature = "std")]
impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

#[cfg(feature = "std")]
impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        use std::io::ErrorKind;
        let kind = match &e {
            // The io adapters report truncation as UnexpectedEof, like every std reader.
            Error::Truncated => ErrorKind::UnexpectedEof,
            Error::Io(inner) => return std::io::Error::new(inner.kind(), e),
            Error::InvalidSeek => ErrorKind::InvalidInput,
            Error::PolicyViolation(_) => ErrorKind::PermissionDenied,
            Error::InvalidState | Error::InvalidInput(_) => ErrorKind::InvalidInput,
            Error::Internal(_) | Error::KeyStore(_) | Error::Randomness => ErrorKind::Other,
            _ => ErrorKind::InvalidData,
        };
        std::io::Error::new(kind, e)
    }
}

/// The crate's result type.
pub type Result<T> = core::result::Result<T, Error>;

impl Error {
    /// Recovers a printseal error carried in an `std::io::Error` by the io adapters.
    #[cfg(feature = "std")]
    pub fn from_io(e: std::io::Error) -> Error {
        if e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            match e.into_inner().map(|b| b.downcast::<Error>()) {
                Some(Ok(inner)) => *inner,
                Some(Err(other)) => Error::Io(std::io::Error::other(other)),
                None => Error::Internal("io::Error lost its printseal error"),
            }
        } else {
            Error::Io(e)
        }
    }
}

/// What failed in an external key store, for [`Error::KeyStore`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyStoreFailure {
    /// The key store's module or library could not be loaded or initialised (for
    /// PKCS#11: the module path, `C_Initialize`).
    ModuleUnavailable,
    /// The token, card or device is not present.
    TokenAbsent,
    /// The PIN or passphrase was refused, or the token is locked.
    PinIncorrect,
    /// The named key is not in the key store.
    KeyNotFound,
    /// The key exists but may not wrap or unwrap (its attributes forbid it).
    KeyNotPermitted,
    /// Any other failure the key store reported.
    Other,
}

impl KeyStoreFailure {
    fn as_str(self) -> &'static str {
        match self {
            KeyStoreFailure::ModuleUnavailable => "key store module unavailable",
            KeyStoreFailure::TokenAbsent => "token not present",
            KeyStoreFailure::PinIncorrect => "PIN refused",
            KeyStoreFailure::KeyNotFound => "key not found in the key store",
            KeyStoreFailure::KeyNotPermitted => "key not permitted to wrap or unwrap",
            KeyStoreFailure::Other => "key store failure",
        }
    }
}

/// A key store failure: what failed, and a detail for the operator (the module path,
/// the token label, the key store's own error name). The detail must never hold a
/// PIN, key material or plaintext; key stores build it from names and codes only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyStoreError {
    failure: KeyStoreFailure,
    detail: String,
}

impl KeyStoreError {
    /// A key store error of kind `failure` with an operator-facing `detail`.
    pub fn new(failure: KeyStoreFailure, detail: impl Into<String>) -> KeyStoreError {
        KeyStoreError {
            failure,
            detail: detail.into(),
        }
    }

    /// What failed.
    pub fn failure(&self) -> KeyStoreFailure {
        self.failure
    }

    /// The operator-facing detail (no secrets).
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for KeyStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.detail.is_empty() {
            f.write_str(self.failure.as_str())
        } else {
            write!(f, "{}: {}", self.failure.as_str(), self.detail)
        }
    }
}

impl From<KeyStoreError> for Error {
    fn from(e: KeyStoreError) -> Self {
        Error::KeyStore(e)
    }
}

/// The family of an error: what kind of problem it is and who can fix it. Each
/// binding maps families to its own idiom (CLI exit codes); see `docs/ERRORS.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorFamily {
    /// The input is not a printseal job, or not one this build reads, or is cut short
    /// or followed by stray bytes: damaged, foreign or newer files.
    Format,
    /// Authentication failed: the job or a stanza was altered, or a header was glued
    /// to another payload.
    Tampered,
    /// No given key opens the job.
    Recipient,
    /// The job is authentic but the open policy refuses it.
    Policy,
    /// The caller asked for something invalid or used an object wrongly.
    Usage,
    /// The environment failed: I/O, the random number generator, a key store.
    Environment,
    /// A printseal bug.
    Internal,
}

/// A fixed number for every error: the C ABI's `printseal_status` values, the key the
/// Python module maps to its exception classes, and what the command line turns into
/// exit codes. Numbers are never reused or renumbered; `docs/ERRORS.md` is the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
#[non_exhaustive]
pub enum ErrorCode {
    /// [`Error::InvalidInput`].
    InvalidInput = 5,
    /// [`Error::InvalidState`].
    InvalidState = 3,
    /// [`Error::OutputTooSmall`] (the C ABI's `BUFFER_TOO_SMALL`).
    OutputTooSmall = 2,
    /// [`Error::InvalidSeek`].
    InvalidSeek = 6,
    /// [`Error::MixedPostQuantum`].
    MixedPostQuantum = 7,
    /// [`Error::NotPrintseal`].
    NotPrintseal = 100,
    /// [`Error::UnsupportedVersion`].
    UnsupportedVersion = 101,
    /// [`Error::UnsupportedSuite`].
    UnsupportedSuite = 102,
    /// [`Error::MalformedHeader`].
    MalformedHeader = 103,
    /// [`Error::LimitExceeded`].
    LimitExceeded = 104,
    /// [`Error::Truncated`].
    Truncated = 105,
    /// [`Error::TrailingData`].
    TrailingData = 106,
    /// [`Error::HeaderMac`].
    HeaderMac = 200,
    /// [`Error::StanzaUnwrap`].
    StanzaUnwrap = 201,
    /// [`Error::PayloadCommitment`].
    PayloadCommitment = 202,
    /// [`Error::PayloadTampered`].
    PayloadTampered = 203,
    /// [`Error::NoMatchingRecipient`].
    NoMatchingRecipient = 300,
    /// [`Error::PolicyViolation`].
    PolicyViolation = 400,
    /// [`Error::Io`].
    Io = 500,
    /// [`Error::Randomness`].
    Randomness = 501,
    /// [`Error::KeyStore`].
    KeyStore = 502,
    /// [`Error::Internal`].
    Internal = 900,
}

impl ErrorCode {
    /// Every code, in the order of `docs/ERRORS.md`.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::OutputTooSmall,
        ErrorCode::InvalidState,
        ErrorCode::InvalidInput,
        ErrorCode::InvalidSeek,
        ErrorCode::MixedPostQuantum,
        ErrorCode::NotPrintseal,
        ErrorCode::UnsupportedVersion,
        ErrorCode::UnsupportedSuite,
        ErrorCode::MalformedHeader,
        ErrorCode::LimitExceeded,
        ErrorCode::Truncated,
        ErrorCode::TrailingData,
        ErrorCode::HeaderMac,
        ErrorCode::StanzaUnwrap,
        ErrorCode::PayloadCommitment,
        ErrorCode::PayloadTampered,
        ErrorCode::NoMatchingRecipient,
        ErrorCode::PolicyViolation,
        ErrorCode::Io,
        ErrorCode::Randomness,
        ErrorCode::KeyStore,
        ErrorCode::Internal,
    ];

    /// The fixed number.
    pub fn as_u32(self) -> u32 {
        self as u32
    }

    /// The code's name in `docs/ERRORS.md` (and, upper-cased, the C ABI's constant
    /// after `PRINTSEAL_STATUS_`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::OutputTooSmall => "buffer_too_small",
            ErrorCode::InvalidState => "invalid_state",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::InvalidSeek => "invalid_seek",
            ErrorCode::MixedPostQuantum => "mixed_post_quantum",
            ErrorCode::NotPrintseal => "not_printseal",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::UnsupportedSuite => "unsupported_suite",
            ErrorCode::MalformedHeader => "malformed_header",
            ErrorCode::LimitExceeded => "limit_exceeded",
            ErrorCode::Truncated => "truncated",
            ErrorCode::TrailingData => "trailing_data",
            ErrorCode::HeaderMac => "header_mac",
            ErrorCode::StanzaUnwrap => "stanza_unwrap",
            ErrorCode::PayloadCommitment => "payload_commitment",
            ErrorCode::PayloadTampered => "payload_tampered",
            ErrorCode::NoMatchingRecipient => "no_matching_recipient",
            ErrorCode::PolicyViolation => "policy_violation",
            ErrorCode::Io => "io",
            ErrorCode::Randomness => "randomness",
            ErrorCode::KeyStore => "key_store",
            ErrorCode::Internal => "internal",
        }
    }

    /// The family the code belongs to.
    pub fn family(self) -> ErrorFamily {
        match self {
            ErrorCode::OutputTooSmall
            | ErrorCode::InvalidState
            | ErrorCode::InvalidInput
            | ErrorCode::InvalidSeek
            | ErrorCode::MixedPostQuantum => ErrorFamily::Usage,
            ErrorCode::NotPrintseal
            | ErrorCode::UnsupportedVersion
            | ErrorCode::UnsupportedSuite
            | ErrorCode::MalformedHeader
            | ErrorCode::LimitExceeded
            | ErrorCode::Truncated
            | ErrorCode::TrailingData => ErrorFamily::Format,
            ErrorCode::HeaderMac
            | ErrorCode::StanzaUnwrap
            | ErrorCode::PayloadCommitment
            | ErrorCode::PayloadTampered => ErrorFamily::Tampered,
            ErrorCode::NoMatchingRecipient => ErrorFamily::Recipient,
            ErrorCode::PolicyViolation => ErrorFamily::Policy,
            ErrorCode::Io | ErrorCode::Randomness | ErrorCode::KeyStore => ErrorFamily::Environment,
            ErrorCode::Internal => ErrorFamily::Internal,
        }
    }
}

impl Error {
    /// The error's fixed number (see [`ErrorCode`] and `docs/ERRORS.md`).
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotPrintseal => ErrorCode::NotPrintseal,
            Error::UnsupportedVersion(_) => ErrorCode::UnsupportedVersion,
            Error::UnsupportedSuite(_) => ErrorCode::UnsupportedSuite,
            Error::MalformedHeader(_) => ErrorCode::MalformedHeader,
            Error::HeaderMac => ErrorCode::HeaderMac,
            Error::NoMatchingRecipient => ErrorCode::NoMatchingRecipient,
            Error::StanzaUnwrap => ErrorCode::StanzaUnwrap,
            Error::PayloadCommitment => ErrorCode::PayloadCommitment,
            Error::PayloadTampered { .. } => ErrorCode::PayloadTampered,
            Error::Truncated => ErrorCode::Truncated,
            Error::TrailingData => ErrorCode::TrailingData,
            Error::LimitExceeded(_) => ErrorCode::LimitExceeded,
            Error::InvalidInput(_) => ErrorCode::InvalidInput,
            Error::OutputTooSmall { .. } => ErrorCode::OutputTooSmall,
            Error::InvalidState => ErrorCode::InvalidState,
            Error::Internal(_) => ErrorCode::Internal,
            Error::KeyStore(_) => ErrorCode::KeyStore,
            Error::Randomness => ErrorCode::Randomness,
            Error::InvalidSeek => ErrorCode::InvalidSeek,
            Error::MixedPostQuantum => ErrorCode::MixedPostQuantum,
            Error::PolicyViolation(_) => ErrorCode::PolicyViolation,
            #[cfg(feature = "std")]
            Error::Io(_) => ErrorCode::Io,
        }
    }

    /// The error's family (see [`ErrorFamily`]).
    pub fn family(&self) -> ErrorFamily {
        self.code().family()
    }
}
