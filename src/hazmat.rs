//! The layers under the format, exposed for test vectors and interoperability checks.
//!
//! <div class="warning">Not for applications. These types skip the header, the
//! recipients and the MAC; misusing them (reusing a salt under one input key) breaks
//! confidentiality. Use [`crate::Sealer`] and [`crate::Opener`].</div>

pub use crate::primitives::aead::{Backend, RawAead};
pub use crate::primitives::stream::PARALLEL_MIN_CHUNKS;
pub use crate::primitives::stream::{
    CHUNK_SIZE, COMMITMENT_SIZE, ENCRYPTED_CHUNK_SIZE, MAX_CHUNKS, PREFIX_SIZE, PayloadDecryptor,
    PayloadEncryptor, SALT_SIZE,
};

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
pub fn payload_key_and_context(
    header: &Header,
    file_key: &FileKey,
) -> ([u8; 32], alloc::vec::Vec<u8>) {
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
        .map_err(|()| crate::Error::PayloadTampered {
            chunk: 0,
            last: true,
        })
}

/// HKDF-SHA-256 (RFC 5869), Extract with `salt` then Expand with `info` into `out`: the
/// function the file-key schedule derives with, for Wycheproof's HKDF vectors.
///
/// # Errors
/// [`crate::Error::InvalidInput`] (nothing written) if `out` is longer than
/// 255 * 32 bytes.
pub fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) -> crate::Result<()> {
    crate::primitives::kdf::hkdf_sha256(salt, ikm, info, out)
        .map_err(|()| crate::Error::InvalidInput("HKDF-SHA-256 output longer than 8160 bytes"))
}

/// HMAC-SHA-256 (RFC 2104) of `msg` under `key`, through the constructor the header MAC
/// uses: for Wycheproof's HMAC vectors.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    crate::primitives::kdf::hmac_sha256(key, msg)
}

/// AES-256-KWP (RFC 5649) wrap of `key_data` under `kek`, as KEK stanzas wrap the file
/// key: for Wycheproof's key-wrap vectors.
///
/// # Errors
/// [`crate::Error::InvalidInput`] if `key_data` is empty or longer than 2^32 - 1 bytes.
pub fn kwp_wrap(kek: &[u8; 32], key_data: &[u8]) -> crate::Result<alloc::vec::Vec<u8>> {
    // RFC 5649: the data padded to whole 8-byte semiblocks, plus the integrity block.
    let wrapped_len = key_data
        .len()
        .div_ceil(8)
        .saturating_add(1)
        .saturating_mul(8);
    let mut out = alloc::vec![0u8; wrapped_len];
    let len = crate::recipient::kek::kwp_wrap(kek, key_data, &mut out)
        .map_err(|()| crate::Error::InvalidInput("AES-KWP key data size"))?
        .len();
    out.truncate(len);
    Ok(out)
}

/// AES-256-KWP (RFC 5649) unwrap of `wrapped` under `kek`, as KEK stanzas are opened.
/// The result is key material: zeroize it when done.
///
/// # Errors
/// [`crate::Error::StanzaUnwrap`] if `wrapped` has an impossible length or fails the
/// integrity check.
pub fn kwp_unwrap(kek: &[u8; 32], wrapped: &[u8]) -> crate::Result<alloc::vec::Vec<u8>> {
    let mut out = zeroize::Zeroizing::new(alloc::vec![0u8; wrapped.len().saturating_sub(8)]);
    let key_data = crate::recipient::kek::kwp_unwrap(kek, wrapped, &mut out)
        .map_err(|()| crate::Error::StanzaUnwrap)?;
    Ok(key_data.to_vec())
}

#[cfg(feature = "std")]
pub use crate::io::SeekablePayload;
