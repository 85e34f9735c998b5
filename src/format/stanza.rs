//! Recipient stanzas: `kind u16 | body_len u16 | body`, each wrapping the file key.

use alloc::vec::Vec;

use crate::error::{Error, Limit, Result};
use crate::format::sizes;
use crate::limits::MAX_STANZA_BODY;

/// Stanza kinds of format version 1.
pub mod kind {
    /// Padding: wraps no key. Its body (0 to 4096 bytes, zero when written) only sets
    /// the header's length: [`crate::io::rewrap_file`] adds one so that the rewrapped
    /// header keeps the old one's length modulo 4096, and the payload's blocks can be
    /// shared with the original (docs/FORMAT.md §8.4, §9). Openers skip it as they skip
    /// unknown kinds, so readers that predate it open such jobs too.
    pub const PADDING: u16 = 0x0000;
    /// AES-256-KWP (RFC 5649) under a 256-bit key-encryption key:
    /// `key_id[16] | wrapped_file_key[40]`.
    pub const KEK_AES256_KWP: u16 = 0x0001;
    /// X25519 through HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256),
    /// HKDF-SHA256, ChaCha20Poly1305: `key_id[8] | enc[32] | ct[48]`.
    pub const X25519_HPKE: u16 = 0x0010;
    /// X-Wing (ML-KEM-768 + X25519) through HPKE base mode, HKDF-SHA256,
    /// ChaCha20Poly1305: `key_id[8] | enc[1120] | ct[48]`.
    pub const XWING_HPKE: u16 = 0x0011;
}

/// The exact body size of each stanza kind this build knows, `None` for unknown kinds
/// (which openers skip, and the header MAC still covers).
pub fn known_body_len(kind: u16) -> Option<usize> {
    match kind {
        kind::KEK_AES256_KWP => Some(sizes::KEK_STANZA_BODY),
        kind::X25519_HPKE => Some(sizes::X25519_STANZA_BODY),
        kind::XWING_HPKE => Some(sizes::XWING_STANZA_BODY),
        _ => None,
    }
}

/// One recipient stanza as it sits in the header.
#[derive(Clone, PartialEq, Eq)]
pub struct Stanza {
    kind: u16,
    body: Vec<u8>,
}

impl Stanza {
    /// A stanza of `kind` with `body`.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] if the body is over [`MAX_STANZA_BODY`];
    /// [`Error::InvalidInput`] if `kind` is one this build knows and the body is not
    /// its exact size.
    pub fn new(kind: u16, body: Vec<u8>) -> Result<Stanza> {
        if body.len() > MAX_STANZA_BODY {
            return Err(Error::LimitExceeded(Limit::StanzaBody));
        }
        if known_body_len(kind).is_some_and(|n| n != body.len()) {
            return Err(Error::InvalidInput("stanza body size for its kind"));
        }
        Ok(Stanza { kind, body })
    }

    /// The stanza kind (see [`kind`]).
    pub fn kind(&self) -> u16 {
        self.kind
    }

    /// The stanza body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Bytes [`Stanza::encode`] writes: kind, body length and body.
    pub(crate) fn encoded_len(&self) -> usize {
        2 + 2 + self.body.len()
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.kind.to_be_bytes());
        out.extend_from_slice(&(self.body.len() as u16).to_be_bytes());
        out.extend_from_slice(&self.body);
    }
}

impl core::fmt::Debug for Stanza {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Stanza bodies are public (they are in every copy of the file), but long.
        f.debug_struct("Stanza")
            .field("kind", &format_args!("0x{:04x}", self.kind))
            .field("body_len", &self.body.len())
            .finish()
    }
}
