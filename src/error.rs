//! The one error type of the crate.
//!
//! Every variant says what went wrong without carrying secret material: no key bytes,
//! no plaintext, no MAC values. Variants that point at a place in the input say where
//! (a chunk index, a limit's name) so that an operator can tell a damaged spool file
//! from an attack from a misconfigured key store.

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
    /// The object was used after it finished, or after it returned an error (errors are
    /// final: a sealer or opener refuses to go on once it has failed).
    InvalidState,
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
    PolicyViolation(crate::policy::PolicyViolation),
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
                None => Error::InvalidState,
            }
        } else {
            Error::Io(e)
        }
    }
}
