//! Every limit of format version 1. Each length read from input is checked against
//! one of these before anything is allocated for it. `docs/FORMAT.md` lists the same
//! numbers; the `limits_match_the_spec` test keeps the two in step.

// The one module limits depends on: a leaf (see its documentation).
use crate::format::sizes;

/// Largest public metadata block, in bytes.
pub const MAX_PUBLIC_METADATA: usize = 1024;
/// Longest producer name, producer version and job id, in bytes of UTF-8.
pub const MAX_SHORT_TEXT: usize = 64;
/// Longest content type (a MIME `type/subtype`), in bytes.
pub const MAX_CONTENT_TYPE: usize = 127;
/// Largest private metadata plaintext, in bytes.
pub const MAX_PRIVATE_METADATA: usize = 16 * 1024;
/// Most private metadata entries.
pub const MAX_PRIVATE_ENTRIES: usize = 32;
/// Longest private metadata key, in bytes of UTF-8.
pub const MAX_PRIVATE_KEY: usize = 64;
/// Longest private metadata value, in bytes.
pub const MAX_PRIVATE_VALUE: usize = 4096;
/// Most recipient stanzas in one header.
pub const MAX_STANZAS: usize = 64;
/// Largest stanza body, in bytes.
pub const MAX_STANZA_BODY: usize = 4096;
/// Largest header that any valid file can have, in bytes.
pub const MAX_HEADER: usize = sizes::HEADER_FIXED
    + 2
    + MAX_PUBLIC_METADATA
    + 2
    + MAX_PRIVATE_METADATA
    + sizes::TAG
    + 1
    + MAX_STANZAS * (4 + MAX_STANZA_BODY)
    + sizes::HEADER_MAC;
/// Largest payload plaintext: 2^38 chunks of 16 KiB, less one byte.
pub const MAX_PAYLOAD: u64 = (1u64 << 38) * 16384 - 1;
