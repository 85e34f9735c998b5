//! Status codes: the one map from [`printseal::Error`] to [`printseal_status`]
//! (after rustls-ffi `librustls/src/error.rs`, `map_error`).
//!
//! The numbers are fixed: a code is never renumbered or reused; a retired code stays
//! here as a comment. The codes of the core's errors are the C column of the error
//! table in `docs/ERRORS.md`; the others belong to the C ABI alone.

use core::ffi::c_char;

use printseal::Error;

use crate::panic::ffi_panic_boundary;

/// The result of every fallible call. `PRINTSEAL_STATUS_OK` (0) is success; any other
/// value is an error, and the call wrote no output (the one exception is
/// `PRINTSEAL_STATUS_BUFFER_TOO_SMALL`, which stores the size needed where the
/// function says). `printseal_status_str` names each code.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum printseal_status {
    /// Success.
    Ok = 0,

    // --- The C ABI's own codes ------------------------------------------------------
    /// A required pointer argument was NULL.
    NullParameter = 1,
    /// An argument is out of range: a length that does not fit, a string that is not
    /// UTF-8, an unknown enum value, input and output buffers that overlap.
    InvalidArgument = 2,
    /// The output buffer is too small; the size needed was stored, nothing consumed.
    BufferTooSmall = 3,
    /// Misuse: the object was used after it finished or after an error (errors are
    /// final), or a call came in the wrong order.
    InvalidState = 4,
    /// A bug: Rust code panicked. The object it happened in can only be freed.
    Panic = 5,
    /// An I/O callback or the file system reported an error.
    Io = 6,
    /// A key-store callback reported an error (token absent, PIN refused).
    KeyStore = 7,
    /// A broken internal invariant (a bug); report it.
    Internal = 8,

    // --- The core's error table: input that is not a job this build reads -------------
    /// Not a printseal file (bad magic).
    NotPrintseal = 100,
    /// A format version this build does not read.
    UnsupportedVersion = 101,
    /// A payload suite this build does not know.
    UnsupportedSuite = 102,
    /// The header is not well formed.
    MalformedHeader = 103,
    /// A documented limit was exceeded (header sizes, stanza count, payload length).
    LimitExceeded = 104,
    /// The input ended early.
    Truncated = 105,
    /// Bytes follow the end of the sealed job.
    TrailingData = 106,

    // --- Authentication and keys ------------------------------------------------------
    /// The header MAC did not verify: the header was altered.
    HeaderMac = 200,
    /// None of the identities matches any stanza.
    NoMatchingRecipient = 201,
    /// A stanza for one of the identities failed to unwrap.
    StanzaUnwrap = 202,
    /// The payload key commitment did not match.
    PayloadCommitment = 203,
    /// A payload chunk failed authentication (which one: the object's error detail).
    PayloadTampered = 204,

    // --- What the caller asked for ------------------------------------------------------
    /// A value given to the sealer is not valid (metadata, a key string).
    InvalidInput = 300,
    /// Post-quantum and classical recipients mixed without `allow_mixed_pq`.
    MixedPostQuantum = 301,
    /// The random number generator failed.
    Randomness = 302,
    /// A seek outside the payload.
    InvalidSeek = 303,
    /// The job breaks the open policy (which rule: the object's error detail).
    PolicyViolation = 400,
}

/// The one map from a core error to its status code.
pub(crate) fn map_error(e: &Error) -> printseal_status {
    use printseal_status as S;
    match e {
        Error::NotPrintseal => S::NotPrintseal,
        Error::UnsupportedVersion(_) => S::UnsupportedVersion,
        Error::UnsupportedSuite(_) => S::UnsupportedSuite,
        Error::MalformedHeader(_) => S::MalformedHeader,
        Error::HeaderMac => S::HeaderMac,
        Error::NoMatchingRecipient => S::NoMatchingRecipient,
        Error::StanzaUnwrap => S::StanzaUnwrap,
        Error::PayloadCommitment => S::PayloadCommitment,
        Error::PayloadTampered { .. } => S::PayloadTampered,
        Error::Truncated => S::Truncated,
        Error::TrailingData => S::TrailingData,
        Error::LimitExceeded(_) => S::LimitExceeded,
        Error::InvalidInput(_) => S::InvalidInput,
        Error::OutputTooSmall { .. } => S::BufferTooSmall,
        Error::InvalidState => S::InvalidState,
        Error::Randomness => S::Randomness,
        Error::InvalidSeek => S::InvalidSeek,
        Error::MixedPostQuantum => S::MixedPostQuantum,
        Error::PolicyViolation(_) => S::PolicyViolation,
        Error::Io(io)
            if io
                .get_ref()
                .is_some_and(|inner| inner.is::<crate::identity::KeyStoreFailure>()) =>
        {
            S::KeyStore
        }
        Error::Io(_) => S::Io,
        _ => S::Internal,
    }
}

impl printseal_status {
    /// Every status, in numeric order (for tests and `printseal_status_str`).
    pub(crate) const ALL: [printseal_status; 26] = {
        use printseal_status as S;
        [
            S::Ok,
            S::NullParameter,
            S::InvalidArgument,
            S::BufferTooSmall,
            S::InvalidState,
            S::Panic,
            S::Io,
            S::KeyStore,
            S::Internal,
            S::NotPrintseal,
            S::UnsupportedVersion,
            S::UnsupportedSuite,
            S::MalformedHeader,
            S::LimitExceeded,
            S::Truncated,
            S::TrailingData,
            S::HeaderMac,
            S::NoMatchingRecipient,
            S::StanzaUnwrap,
            S::PayloadCommitment,
            S::PayloadTampered,
            S::InvalidInput,
            S::MixedPostQuantum,
            S::Randomness,
            S::InvalidSeek,
            S::PolicyViolation,
        ]
    };

    /// The status for a code, if it is one.
    pub(crate) fn from_code(code: u32) -> Option<printseal_status> {
        printseal_status::ALL
            .iter()
            .copied()
            .find(|s| *s as u32 == code)
    }

    /// The code's name and meaning, NUL-terminated, static.
    pub(crate) fn as_cstr(self) -> &'static core::ffi::CStr {
        use printseal_status as S;
        match self {
            S::Ok => c"OK",
            S::NullParameter => c"NULL_PARAMETER: a required pointer argument was NULL",
            S::InvalidArgument => {
                c"INVALID_ARGUMENT: an argument is out of range (length, UTF-8, enum value, overlapping buffers)"
            }
            S::BufferTooSmall => {
                c"BUFFER_TOO_SMALL: the output buffer is too small (the size needed was stored)"
            }
            S::InvalidState => {
                c"INVALID_STATE: used after finish or after an error, or called out of order"
            }
            S::Panic => c"PANIC: a bug in printseal (Rust code panicked); free the object",
            S::Io => c"IO: an I/O callback or the file system reported an error",
            S::KeyStore => c"KEY_STORE: the key store reported an error",
            S::Internal => c"INTERNAL: a broken internal invariant (a bug in printseal)",
            S::NotPrintseal => c"NOT_PRINTSEAL: not a printseal file (bad magic)",
            S::UnsupportedVersion => c"UNSUPPORTED_VERSION: unsupported format version",
            S::UnsupportedSuite => c"UNSUPPORTED_SUITE: unsupported payload suite",
            S::MalformedHeader => c"MALFORMED_HEADER: the header is not well formed",
            S::LimitExceeded => c"LIMIT_EXCEEDED: a documented limit was exceeded",
            S::Truncated => c"TRUNCATED: the sealed job is truncated",
            S::TrailingData => c"TRAILING_DATA: bytes follow the end of the sealed job",
            S::HeaderMac => c"HEADER_MAC: header MAC verification failed (header tampered)",
            S::NoMatchingRecipient => {
                c"NO_MATCHING_RECIPIENT: no identity could unwrap the file key"
            }
            S::StanzaUnwrap => {
                c"STANZA_UNWRAP: a recipient stanza failed to unwrap (wrong key or tampered)"
            }
            S::PayloadCommitment => {
                c"PAYLOAD_COMMITMENT: payload key commitment mismatch (tampered or swapped)"
            }
            S::PayloadTampered => c"PAYLOAD_TAMPERED: a payload chunk failed authentication",
            S::InvalidInput => c"INVALID_INPUT: a value given to printseal is not valid",
            S::MixedPostQuantum => {
                c"MIXED_POST_QUANTUM: post-quantum and classical recipients mixed"
            }
            S::Randomness => c"RANDOMNESS: the random number generator failed",
            S::InvalidSeek => c"INVALID_SEEK: a seek outside the payload",
            S::PolicyViolation => c"POLICY_VIOLATION: refused by the open policy",
        }
    }
}

/// The name and meaning of a status code: a static, NUL-terminated string (never
/// NULL; "UNKNOWN" for a number that is no status). Any thread may call it.
#[unsafe(no_mangle)]
pub extern "C" fn printseal_status_str(status: u32) -> *const c_char {
    ffi_panic_boundary! {
        match printseal_status::from_code(status) {
            Some(s) => s.as_cstr().as_ptr(),
            None => c"UNKNOWN: not a printseal status code".as_ptr(),
        }
    }
}

/// The last error of an object, kept for its detail text (which chunk, which rule).
#[derive(Default)]
pub(crate) struct LastError {
    detail: Option<String>,
}

impl LastError {
    /// Records `e` and returns its status.
    pub(crate) fn record(&mut self, e: &Error) -> printseal_status {
        self.detail = Some(e.to_string());
        map_error(e)
    }

    /// Records a status that has no core error behind it.
    pub(crate) fn record_status(&mut self, s: printseal_status, detail: &str) -> printseal_status {
        self.detail = Some(detail.to_string());
        s
    }

    pub(crate) fn detail(&self) -> &str {
        self.detail.as_deref().unwrap_or("")
    }
}
