//! The chunk AEAD seam.
//!
//! Every AEAD call of the format goes through [`ChunkAead`], so that a second backend
//! (the performance issue's `aws-lc-rs`) slots in as one more variant and every test
//! vector runs through each backend with byte-identical results.
//!
//! Two backends: RustCrypto's `aes-gcm` and `chacha20poly1305` (pure Rust, no-std, the
//! default), and with the `aws-lc-rs` feature AWS-LC through `aws-lc-rs` (C and
//! assembly, several times faster on x86-64 servers). [`Backend`] names them; a chunk
//! AEAD uses AWS-LC when it is compiled in, unless a backend is forced with
//! [`ChunkAead::with_backend`].

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::aead::{AeadInOut, KeyInit};
use chacha20poly1305::ChaCha20Poly1305;

use alloc::boxed::Box;

use crate::error::{Error, Result};
use crate::suite::Suite;

/// AEAD key size for both suites.
pub const KEY_SIZE: usize = 32;
/// AEAD nonce size for both suites.
pub const NONCE_SIZE: usize = 12;
/// AEAD tag size for both suites.
pub const TAG_SIZE: usize = crate::format::sizes::TAG;

/// Which implementation computes the chunk AEAD. Both give byte-identical output and
/// the same accept/reject decisions; they differ in speed and in what they build on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// RustCrypto `aes-gcm` 0.11 and `chacha20poly1305` 0.11: pure Rust, no-std, always
    /// compiled in.
    RustCrypto,
    /// AWS-LC through `aws-lc-rs` (the `aws-lc-rs` feature): C and assembly, with
    /// AES-GCM and ChaCha20-Poly1305 code paths for AVX2, AVX-512 and VAES.
    #[cfg(feature = "aws-lc-rs")]
    AwsLc,
}

impl Backend {
    /// Every backend compiled into this build, the default one first.
    pub const ALL: &'static [Backend] = &[
        #[cfg(feature = "aws-lc-rs")]
        Backend::AwsLc,
        Backend::RustCrypto,
    ];

    /// The backend used unless another one is forced: AWS-LC when compiled in.
    pub const DEFAULT: Backend = Backend::ALL[0];

    /// A short name, for benchmark ids and logs.
    pub fn name(self) -> &'static str {
        match self {
            Backend::RustCrypto => "rustcrypto",
            #[cfg(feature = "aws-lc-rs")]
            Backend::AwsLc => "aws-lc-rs",
        }
    }
}

impl Default for Backend {
    fn default() -> Backend {
        Backend::DEFAULT
    }
}

/// A keyed chunk AEAD. The key schedule inside the RustCrypto variants is zeroized on
/// drop by the RustCrypto crates' `zeroize` features; AWS-LC's `EVP_AEAD_CTX` is freed
/// through `OPENSSL_free`, which cleanses it.
pub(crate) enum ChunkAead {
    /// Boxed: its expanded key schedule (about 1 KiB) would otherwise set the size of
    /// every type that holds a chunk AEAD.
    Aes256Gcm(Box<Aes256Gcm>),
    ChaCha20Poly1305(ChaCha20Poly1305),
    #[cfg(feature = "aws-lc-rs")]
    AwsLc(aws_lc_rs::aead::LessSafeKey),
}

impl ChunkAead {
    /// The chunk AEAD of `suite` under `key`, with [`Backend::DEFAULT`].
    pub(crate) fn new(suite: Suite, key: &[u8; KEY_SIZE]) -> ChunkAead {
        // AWS-LC refuses only keys of the wrong length, and ours are always 32 bytes;
        // should it refuse anyway, RustCrypto computes the same function.
        ChunkAead::with_backend(suite, key, Backend::DEFAULT)
            .unwrap_or_else(|_| ChunkAead::rust_crypto(suite, key))
    }

    /// The chunk AEAD of `suite` under `key`, computed by `backend`.
    ///
    /// # Errors
    /// [`Error::Internal`] if the backend refuses the key (AWS-LC does only for a
    /// key of the wrong length, which the type rules out).
    pub(crate) fn with_backend(
        suite: Suite,
        key: &[u8; KEY_SIZE],
        backend: Backend,
    ) -> Result<ChunkAead> {
        match backend {
            Backend::RustCrypto => Ok(ChunkAead::rust_crypto(suite, key)),
            #[cfg(feature = "aws-lc-rs")]
            Backend::AwsLc => {
                use aws_lc_rs::aead::{AES_256_GCM, CHACHA20_POLY1305, LessSafeKey, UnboundKey};
                let alg = match suite {
                    Suite::Aes256Gcm => &AES_256_GCM,
                    Suite::ChaCha20Poly1305 => &CHACHA20_POLY1305,
                };
                let key = UnboundKey::new(alg, key)
                    .map_err(|_| Error::Internal("AWS-LC refused a 32-byte AEAD key"))?;
                Ok(ChunkAead::AwsLc(LessSafeKey::new(key)))
            }
        }
    }

    fn rust_crypto(suite: Suite, key: &[u8; KEY_SIZE]) -> ChunkAead {
        match suite {
            Suite::Aes256Gcm => ChunkAead::Aes256Gcm(Box::new(Aes256Gcm::new(key.into()))),
            Suite::ChaCha20Poly1305 => {
                ChunkAead::ChaCha20Poly1305(ChaCha20Poly1305::new(key.into()))
            }
        }
    }

    /// Encrypts `input` into `out` (same length) and returns the tag.
    pub(crate) fn seal(
        &self,
        nonce: &[u8; NONCE_SIZE],
        aad: &[u8],
        input: &[u8],
        out: &mut [u8],
    ) -> Result<[u8; TAG_SIZE]> {
        #[cfg(feature = "aws-lc-rs")]
        if let ChunkAead::AwsLc(k) = self {
            let mut tag = [0u8; TAG_SIZE];
            k.seal_out_of_place_scatter(aws_nonce(nonce), aws_aad(aad), input, out, &[], &mut tag)
                .map_err(|_| Error::InvalidInput("AEAD input and output lengths differ"))?;
            return Ok(tag);
        }
        let buf = InOutBuf::new(input, out)
            .map_err(|_| Error::InvalidInput("AEAD input and output lengths differ"))?;
        self.seal_inout(nonce, aad, buf)
    }

    /// Encrypts `buf` in place and returns the tag.
    pub(crate) fn seal_in_place(
        &self,
        nonce: &[u8; NONCE_SIZE],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_SIZE]> {
        #[cfg(feature = "aws-lc-rs")]
        if let ChunkAead::AwsLc(k) = self {
            let t = k
                .seal_in_place_separate_tag(aws_nonce(nonce), aws_aad(aad), buf)
                .map_err(|_| Error::Internal("AWS-LC refused to seal a chunk"))?;
            let mut tag = [0u8; TAG_SIZE];
            if t.as_ref().len() != TAG_SIZE {
                return Err(Error::Internal("AWS-LC returned a tag of the wrong size"));
            }
            tag.copy_from_slice(t.as_ref());
            return Ok(tag);
        }
        self.seal_inout(nonce, aad, buf.into())
    }

    fn seal_inout(
        &self,
        nonce: &[u8; NONCE_SIZE],
        aad: &[u8],
        buf: InOutBuf<'_, '_, u8>,
    ) -> Result<[u8; TAG_SIZE]> {
        // The only failure the RustCrypto AEADs report on encryption is an over-long
        // message; chunks are at most 16 KiB, so this is an internal error.
        let tag = match self {
            ChunkAead::Aes256Gcm(c) => c.encrypt_inout_detached(nonce.into(), aad, buf),
            ChunkAead::ChaCha20Poly1305(c) => c.encrypt_inout_detached(nonce.into(), aad, buf),
            #[cfg(feature = "aws-lc-rs")]
            ChunkAead::AwsLc(_) => {
                return Err(Error::Internal("AWS-LC key on the RustCrypto path"));
            }
        }
        .map_err(|_| Error::Internal("the AEAD refused a chunk-sized message"))?;
        let mut out = [0u8; TAG_SIZE];
        out.copy_from_slice(&tag);
        Ok(out)
    }

    /// Verifies `tag` over `input` and only then writes the plaintext into `out`.
    ///
    /// On failure `out` is zeroed, whatever the backend did with it: unauthenticated
    /// plaintext never reaches the caller's buffer.
    pub(crate) fn open(
        &self,
        nonce: &[u8; NONCE_SIZE],
        aad: &[u8],
        input: &[u8],
        tag: &[u8; TAG_SIZE],
        out: &mut [u8],
    ) -> core::result::Result<(), ()> {
        let res = match self {
            #[cfg(feature = "aws-lc-rs")]
            ChunkAead::AwsLc(k) => k
                .open_separate_gather(aws_nonce(nonce), aws_aad(aad), input, tag, out)
                .map_err(|_| ()),
            _ => match InOutBuf::new(input, out) {
                Ok(buf) => self.open_inout(nonce, aad, buf, tag),
                Err(_) => Err(()),
            },
        };
        if res.is_err() {
            out.fill(0);
        }
        res
    }

    /// Verifies and decrypts `buf` in place; on failure `buf` is zeroed.
    pub(crate) fn open_in_place(
        &self,
        nonce: &[u8; NONCE_SIZE],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_SIZE],
    ) -> core::result::Result<(), ()> {
        let res = match self {
            #[cfg(feature = "aws-lc-rs")]
            ChunkAead::AwsLc(k) => k
                .open_in_place_separate_tag(aws_nonce(nonce), aws_aad(aad), tag, buf)
                .map(|_| ())
                .map_err(|_| ()),
            _ => self.open_inout(nonce, aad, (&mut *buf).into(), tag),
        };
        if res.is_err() {
            buf.fill(0);
        }
        res
    }

    fn open_inout(
        &self,
        nonce: &[u8; NONCE_SIZE],
        aad: &[u8],
        buf: InOutBuf<'_, '_, u8>,
        tag: &[u8; TAG_SIZE],
    ) -> core::result::Result<(), ()> {
        match self {
            ChunkAead::Aes256Gcm(c) => c.decrypt_inout_detached(nonce.into(), aad, buf, tag.into()),
            ChunkAead::ChaCha20Poly1305(c) => {
                c.decrypt_inout_detached(nonce.into(), aad, buf, tag.into())
            }
            #[cfg(feature = "aws-lc-rs")]
            ChunkAead::AwsLc(_) => return Err(()),
        }
        .map_err(|_| ())
    }
}

#[cfg(feature = "aws-lc-rs")]
fn aws_nonce(nonce: &[u8; NONCE_SIZE]) -> aws_lc_rs::aead::Nonce {
    // Chunk nonces are unique per key by construction (base nonce XOR chunk counter).
    aws_lc_rs::aead::Nonce::assume_unique_for_key(*nonce)
}

#[cfg(feature = "aws-lc-rs")]
fn aws_aad(aad: &[u8]) -> aws_lc_rs::aead::Aad<&[u8]> {
    aws_lc_rs::aead::Aad::from(aad)
}

/// The chunk AEAD of one suite under one key, with a chosen [`Backend`]: the exact
/// calls the payload layer makes, for test vectors, the backend comparison and the
/// raw-AEAD baseline of the benchmarks. Exposed through [`crate::hazmat`].
pub struct RawAead(ChunkAead);

impl core::fmt::Debug for RawAead {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RawAead").finish_non_exhaustive()
    }
}

impl RawAead {
    /// The AEAD of `suite` under `key`, computed by `backend`.
    ///
    /// # Errors
    /// [`Error::Internal`] if the backend refuses the key.
    pub fn new(suite: Suite, key: &[u8; KEY_SIZE], backend: Backend) -> Result<RawAead> {
        ChunkAead::with_backend(suite, key, backend).map(RawAead)
    }

    /// Encrypts `input` into `out` (same length) and returns the tag.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if the lengths differ; [`Error::Internal`] if the AEAD
    /// refuses the size.
    pub fn seal(
        &self,
        nonce: &[u8; NONCE_SIZE],
        aad: &[u8],
        input: &[u8],
        out: &mut [u8],
    ) -> Result<[u8; TAG_SIZE]> {
        self.0.seal(nonce, aad, input, out)
    }

    /// Encrypts `buf` in place and returns the tag.
    ///
    /// # Errors
    /// [`Error::Internal`] if the AEAD refuses the size.
    pub fn seal_in_place(
        &self,
        nonce: &[u8; NONCE_SIZE],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_SIZE]> {
        self.0.seal_in_place(nonce, aad, buf)
    }

    /// Verifies `tag` over `input` and writes the plaintext into `out` (same length).
    ///
    /// # Errors
    /// [`Error::PayloadTampered`] (chunk 0) if the tag does not verify or the lengths
    /// differ; `out` is then zeroed.
    pub fn open(
        &self,
        nonce: &[u8; NONCE_SIZE],
        aad: &[u8],
        input: &[u8],
        tag: &[u8; TAG_SIZE],
        out: &mut [u8],
    ) -> Result<()> {
        self.0
            .open(nonce, aad, input, tag, out)
            .map_err(|()| tampered())
    }

    /// Verifies and decrypts `buf` in place.
    ///
    /// # Errors
    /// [`Error::PayloadTampered`] (chunk 0) if the tag does not verify; `buf` is then
    /// zeroed.
    pub fn open_in_place(
        &self,
        nonce: &[u8; NONCE_SIZE],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_SIZE],
    ) -> Result<()> {
        self.0
            .open_in_place(nonce, aad, buf, tag)
            .map_err(|()| tampered())
    }
}

fn tampered() -> Error {
    Error::PayloadTampered {
        chunk: 0,
        last: true,
    }
}
