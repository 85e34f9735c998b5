//! The layers under the format, exposed for test vectors and interoperability checks.
//!
//! <div class="warning">Not for applications. These types skip the header, the
//! recipients and the MAC; misusing them (reusing a salt under one input key) breaks
//! confidentiality. Use [`crate::Sealer`] and [`crate::Opener`].</div>

pub use crate::primitives::stream::{
    PayloadDecryptor, PayloadEncryptor, CHUNK_SIZE, COMMITMENT_SIZE, ENCRYPTED_CHUNK_SIZE,
    MAX_CHUNKS, PREFIX_SIZE, SALT_SIZE,
};
pub use crate::primitives::aead::{Backend, RawAead};
pub use crate::primitives::stream::PARALLEL_MIN_CHUNKS;

use crate::file_key::FileKey;
use crate::format::header::Header;
use crate::primitives::kdf::KeySchedule;
use crate::primitives::stream::derive;
use crate::suite::Suite;

/// The C2SP derivation's outputs for an input key, salt and context:
/// `(aead key, base nonce, commitment)`.
pub fn chunked_derive(
    suite: Suite,
    input_key: &[u8; 32],
    salt: &[u8; SALT_SIZE],
    context: &[u8],
) -> ([u8; 32], [u8; 12], [u8; 32]) {
    let d = derive(suite, input_key, salt, context);
    (d.key, d.base_nonce, d.commitment)
}

/// The payload's chunked-encryption input key and context for a header and the file
/// key that opens it: what another C2SP implementation needs to decrypt the payload.
pub fn payload_key_and_context(header: &Header, file_key: &FileKey) -> ([u8; 32], alloc::vec::Vec<u8>) {
    let ks = KeySchedule::new(file_key);
    (ks.payload_key, header.context().to_vec())
}

/// Seals one chunk with the raw chunk AEAD of `suite` (key, nonce, empty AAD), as the
/// payload layer does: for Wycheproof's AEAD vectors and the backend comparison.
///
/// # Errors
/// [`crate::Error::InvalidState`] if the AEAD refuses the input size.
pub fn aead_seal_in_place(
    suite: Suite,
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    buf: &mut [u8],
) -> crate::Result<[u8; 16]> {
    crate::primitives::aead::ChunkAead::new(suite, key).seal_in_place(nonce, aad, buf)
}

/// Opens one AEAD message in place; on failure `buf` is zeroed.
///
/// # Errors
/// [`crate::Error::PayloadTampered`] (chunk 0) if the tag does not verify.
pub fn aead_open_in_place(
    suite: Suite,
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8; 16],
) -> crate::Result<()> {
    crate::primitives::aead::ChunkAead::new(suite, key)
        .open_in_place(nonce, aad, buf, tag)
        .map_err(|()| crate::Error::PayloadTampered { chunk: 0, last: true })
}
