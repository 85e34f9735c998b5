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
/// function says). The numbers are the C column of `docs/ERRORS.md`, never
/// renumbered; `printseal_status_str` names each code.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum printseal_status {
    /// Success.
    Ok = 0,

    // --- Usage: the caller asked for something invalid ---------------------------------
    /// A required pointer argument was NULL (C only).
    NullParameter = 1,
    /// The output buffer is smaller than the documented bound; the size needed was
    /// stored, nothing was consumed.
    BufferTooSmall = 2,
    /// Misuse: the object was used after it finished or after an error (errors are
    /// final), or a call came in the wrong phase.
    InvalidState = 3,
    /// A bug: Rust code panicked and the panic was caught (C only). The object it
    /// happened in can only be freed.
    Panic = 4,
    /// A value given to printseal is not valid: bad metadata, a key string or key of
    /// the wrong length, a string that is not UTF-8, an unknown enum value, a length
    /// over `SIZE_MAX / 4`, input and output buffers that overlap.
    InvalidInput = 5,
    /// A seek before the start of the payload or past what a `uint64_t` holds.
    InvalidSeek = 6,
    /// X-Wing and classical recipients in one job without `allow_mixed_pq`.
    MixedPostQuantum = 7,

    // --- Format: not a job this build reads ----------------------------------------------
    /// Not a printseal file (bad magic).
    NotPrintseal = 100,
    /// A format version this build does not read.
    UnsupportedVersion = 101,
    /// A payload suite this build does not know.
    UnsupportedSuite = 102,
    /// The header breaks a field rule.
    MalformedHeader = 103,
    /// A documented limit was exceeded (header sizes, stanza count, payload length).
    LimitExceeded = 104,
    /// The input ended in the header or before the payload's final chunk.
    Truncated = 105,
    /// 1 to 16 bytes follow an authentic final chunk.
    TrailingData = 106,

    // --- Tampered: authentication failed -------------------------------------------------
    /// The header MAC did not verify.
    HeaderMac = 200,
    /// A stanza addressed to a given identity failed to unwrap.
    StanzaUnwrap = 201,
    /// The payload key commitment does not match the header.
    PayloadCommitment = 202,
    /// A payload chunk failed authentication (which one: the object's error detail).
    PayloadTampered = 203,

    // --- Recipient -----------------------------------------------------------------------
    /// No stanza is addressed to any given identity.
    NoMatchingRecipient = 300,

    // --- Policy --------------------------------------------------------------------------
    /// The open policy refused the job (which rule: the object's error detail).
    PolicyViolation = 400,

    // --- Environment ---------------------------------------------------------------------
    /// An I/O callback or the file system failed.
    Io = 500,
    /// The random number generator failed.
    Randomness = 501,
    /// A key store (a `printseal_key_store` callback) failed.
    KeyStore = 502,

    // --- Internal ------------------------------------------------------------------------
    /// A broken internal invariant: a printseal bug; report it.
    Internal = 900,
}

/// The one map from a core error to its status: the core's fixed code, which is the
/// status number (`docs/ERRORS.md`; the tests check every code).
pub(crate) fn map_error(e: &Error) -> printseal_status {
    printseal_status::from_code(e.code().as_u32()).unwrap_or(printseal_status::Internal)
}

impl printseal_status {
    /// Every status, in numeric order.
    pub(crate) const ALL: [printseal_status; 25] = {
        use printseal_status as S;
        [
            S::Ok,
            S::NullParameter,
            S::BufferTooSmall,
            S::InvalidState,
            S::Panic,
            S::InvalidInput,
            S::InvalidSeek,
            S::MixedPostQuantum,
            S::NotPrintseal,
            S::UnsupportedVersion,
            S::UnsupportedSuite,
            S::MalformedHeader,
            S::LimitExceeded,
            S::Truncated,
            S::TrailingData,
            S::HeaderMac,
            S::StanzaUnwrap,
            S::PayloadCommitment,
            S::PayloadTampered,
            S::NoMatchingRecipient,
            S::PolicyViolation,
            S::Io,
            S::Randomness,
            S::KeyStore,
            S::Internal,
        ]
    };

    /// The status for a code, if it is one.
    pub(crate) fn from_code(code: u32) -> Option<printseal_status> {
        printseal_status::ALL
            .iter()
            .copied()
            .find(|s| *s as u32 == code)
    }

    /// The code's name (as in `docs/ERRORS.md`, upper-cased) and meaning, static.
    pub(crate) fn as_cstr(self) -> &'static core::ffi::CStr {
        use printseal_status as S;
        match self {
            S::Ok => c"OK",
            S::NullParameter => c"NULL_PARAMETER: a required pointer argument was NULL",
            S::BufferTooSmall => {
                c"BUFFER_TOO_SMALL: the output buffer is too small (the size needed was stored)"
            }
            S::InvalidState => {
                c"INVALID_STATE: used after finish or after an error, or called in the wrong phase"
            }
            S::Panic => c"PANIC: a bug in printseal (a Rust panic was caught); free the object",
            S::InvalidInput => c"INVALID_INPUT: a value given to printseal is not valid",
            S::InvalidSeek => c"INVALID_SEEK: a seek outside the payload",
            S::MixedPostQuantum => {
                c"MIXED_POST_QUANTUM: post-quantum and classical recipients mixed"
            }
            S::NotPrintseal => c"NOT_PRINTSEAL: not a printseal file (bad magic)",
            S::UnsupportedVersion => c"UNSUPPORTED_VERSION: unsupported format version",
            S::UnsupportedSuite => c"UNSUPPORTED_SUITE: unsupported payload suite",
            S::MalformedHeader => c"MALFORMED_HEADER: the header is not well formed",
            S::LimitExceeded => c"LIMIT_EXCEEDED: a documented limit was exceeded",
            S::Truncated => c"TRUNCATED: the sealed job is truncated",
            S::TrailingData => c"TRAILING_DATA: bytes follow the end of the sealed job",
            S::HeaderMac => c"HEADER_MAC: header MAC verification failed (header tampered)",
            S::StanzaUnwrap => {
                c"STANZA_UNWRAP: a recipient stanza failed to unwrap (wrong key or tampered)"
            }
            S::PayloadCommitment => {
                c"PAYLOAD_COMMITMENT: payload key commitment mismatch (tampered or swapped)"
            }
            S::PayloadTampered => c"PAYLOAD_TAMPERED: a payload chunk failed authentication",
            S::NoMatchingRecipient => {
                c"NO_MATCHING_RECIPIENT: no stanza is addressed to any given identity"
            }
            S::PolicyViolation => c"POLICY_VIOLATION: refused by the open policy",
            S::Io => c"IO: an I/O callback or the file system failed",
            S::Randomness => c"RANDOMNESS: the random number generator failed",
            S::KeyStore => c"KEY_STORE: the key store failed",
            S::Internal => c"INTERNAL: a broken internal invariant (a bug in printseal)",
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
