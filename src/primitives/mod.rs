//! The cryptographic layers under the format: the chunk AEAD seam, key derivation and
//! the C2SP chunked payload stream.

pub(crate) mod aead;
pub(crate) mod kdf;
pub(crate) mod stream;
