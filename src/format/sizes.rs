//! The fixed byte sizes of format version 1 (docs/FORMAT.md), in one leaf module that
//! imports nothing from the crate.
//!
//! The header code, the stanza table, each recipient kind, the AEAD layer and
//! `crate::limits` take their numbers from here, so that the dependencies run one way:
//! `sizes` <- `limits` <- `format::{header, metadata, stanza}` <- `recipient::*`.
//! (Before, `format::stanza` imported each recipient's body size while every recipient
//! imported `format::stanza`, and `limits` imported sizes from `format::header`, which
//! imported its limits back.)

/// A file key.
pub const FILE_KEY: usize = 32;
/// An AEAD tag (AES-256-GCM and ChaCha20-Poly1305, chunks and private metadata).
pub const TAG: usize = 16;

/// The fixed start of a header: magic (8), version (1), suite id (2).
pub const HEADER_FIXED: usize = 8 + 1 + 2;
/// The header MAC (HMAC-SHA-256).
pub const HEADER_MAC: usize = 32;

/// The key id of a KEK stanza.
pub const KEK_KEY_ID: usize = 16;
/// AES-KWP (RFC 5649) output for a file key: the key plus the 8-byte integrity block.
pub const KEK_WRAPPED: usize = FILE_KEY + 8;
/// Body of a KEK stanza: `key_id[16] | wrapped_file_key[40]`.
pub const KEK_STANZA_BODY: usize = KEK_KEY_ID + KEK_WRAPPED;

/// The key id that starts every public-key (HPKE) stanza body.
pub const HPKE_KEY_ID: usize = 8;
/// The HPKE ciphertext of a file key: the key and the AEAD tag.
pub const HPKE_WRAPPED: usize = FILE_KEY + TAG;
/// The X25519 HPKE encapsulated key.
pub const X25519_ENC: usize = 32;
/// Body of an X25519 stanza: `key_id[8] | enc[32] | ct[48]`.
pub const X25519_STANZA_BODY: usize = HPKE_KEY_ID + X25519_ENC + HPKE_WRAPPED;
/// The X-Wing encapsulated key (ML-KEM-768 ciphertext and X25519 share).
pub const XWING_ENC: usize = 1120;
/// Body of an X-Wing stanza: `key_id[8] | enc[1120] | ct[48]`.
pub const XWING_STANZA_BODY: usize = HPKE_KEY_ID + XWING_ENC + HPKE_WRAPPED;
