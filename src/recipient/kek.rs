//! Symmetric key-encryption-key recipients: AES-256-KWP (RFC 5649).

use alloc::vec::Vec;
use core::fmt;

use aes_kw::KwpAes256;
use aes_kw::cipher::KeyInit;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{Error, Result};
use crate::file_key::{FILE_KEY_SIZE, FileKey};
use crate::format::stanza::{Stanza, kind};
use crate::recipient::{Identity, Recipient};

/// Size of a KEK key id.
pub const KEY_ID_SIZE: usize = 16;
/// Size of a KEK.
pub const KEK_SIZE: usize = 32;
/// AES-KWP output for a 32-byte file key: the key plus the 8-byte integrity block.
pub const WRAPPED_SIZE: usize = FILE_KEY_SIZE + 8;
/// Body size of a KEK stanza.
pub const STANZA_BODY_LEN: usize = KEY_ID_SIZE + WRAPPED_SIZE;

/// A 256-bit key-encryption key with a key id, as held by a print server's key store.
///
/// The key id travels in clear in every stanza so that an opener can ask its key store
/// for the right KEK without trial decryption; it reveals which jobs share a KEK, and
/// nothing about the key. Acts as both a [`Recipient`] and an [`Identity`]. The key is
/// zeroized on drop and never shown by `Debug`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Kek {
    id: [u8; KEY_ID_SIZE],
    key: [u8; KEK_SIZE],
}

impl Kek {
    /// A KEK from its id and key bytes.
    pub fn new(id: [u8; KEY_ID_SIZE], key: [u8; KEK_SIZE]) -> Kek {
        Kek { id, key }
    }

    /// A fresh KEK with a random id, drawn from `rng`.
    pub fn generate_with_rng(rng: &mut dyn rand_core::CryptoRng) -> Kek {
        let mut k = Kek {
            id: [0; KEY_ID_SIZE],
            key: [0; KEK_SIZE],
        };
        rng.fill_bytes(&mut k.id);
        rng.fill_bytes(&mut k.key);
        k
    }

    /// A fresh KEK with a random id, from the operating system's generator.
    ///
    /// # Errors
    /// [`Error::Randomness`] if the OS generator fails.
    #[cfg(feature = "getrandom")]
    pub fn generate() -> Result<Kek> {
        let mut rng = crate::rng::os_rng()?;
        Ok(Kek::generate_with_rng(&mut rng))
    }

    /// The key id.
    pub fn id(&self) -> &[u8; KEY_ID_SIZE] {
        &self.id
    }

    /// The key bytes, for storing the KEK in a key store. Handle with care.
    pub fn expose_secret(&self) -> &[u8; KEK_SIZE] {
        &self.key
    }
}

/// AES-256-KWP (RFC 5649) wrap of `data` under `kek` into `out`; returns the wrapped
/// bytes, `data` padded to a multiple of 8 plus the 8-byte integrity block. The one
/// wrap of the crate: [`Kek`] seals through it and `hazmat::kwp_wrap` exposes it.
///
/// Fails if `data` is empty or longer than 2^32 - 1 bytes (RFC 5649 wraps 1 to 2^32
/// octets), or if `out` is too short.
pub(crate) fn kwp_wrap<'a>(
    kek: &[u8; KEK_SIZE],
    data: &[u8],
    out: &'a mut [u8],
) -> core::result::Result<&'a [u8], ()> {
    if data.is_empty() {
        return Err(());
    }
    KwpAes256::new(kek.into())
        .wrap_key(data, out)
        .map_err(|_| ())
}

/// AES-256-KWP (RFC 5649) unwrap of `wrapped` under `kek` into `out`; returns the key
/// data without its padding. On failure `out` is zeroed. The one unwrap of the crate:
/// [`Kek`] opens through it and `hazmat::kwp_unwrap` exposes it.
///
/// Refuses inputs shorter than 16 bytes: the shortest RFC 5649 output wraps one octet
/// into two semiblocks, and an 8-byte input (one semiblock) would "unwrap" to empty
/// key data whenever it equals the bare integrity block.
pub(crate) fn kwp_unwrap<'a>(
    kek: &[u8; KEK_SIZE],
    wrapped: &[u8],
    out: &'a mut [u8],
) -> core::result::Result<&'a [u8], ()> {
    if wrapped.len() < 16 {
        return Err(());
    }
    // The unwrapped key data is a prefix of `out`: keep its length only, so that the
    // failure branch can still zero `out`.
    match KwpAes256::new(kek.into())
        .unwrap_key(wrapped, out)
        .map(<[u8]>::len)
    {
        Ok(len) => Ok(&out[..len]),
        Err(_) => {
            out.fill(0);
            Err(())
        }
    }
}

impl fmt::Debug for Kek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kek")
            .field("id", &HexId(&self.id))
            .finish_non_exhaustive()
    }
}

struct HexId<'a>(&'a [u8]);
impl fmt::Debug for HexId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl Recipient for Kek {
    fn wrap_file_key(
        &self,
        file_key: &FileKey,
        _rng: &mut dyn rand_core::CryptoRng,
    ) -> Result<Stanza> {
        let mut out = [0u8; WRAPPED_SIZE];
        let wrapped = kwp_wrap(&self.key, file_key.expose_secret(), &mut out)
            .map_err(|()| Error::Internal("AES-KWP refused to wrap a 32-byte file key"))?;
        if wrapped.len() != WRAPPED_SIZE {
            return Err(Error::Internal("AES-KWP wrap of the wrong size"));
        }
        let mut body = Vec::with_capacity(STANZA_BODY_LEN);
        body.extend_from_slice(&self.id);
        body.extend_from_slice(wrapped);
        Stanza::new(kind::KEK_AES256_KWP, body)
    }

    /// AES-256 under Grover's algorithm keeps about 128 bits: a KEK stanza mixes with
    /// post-quantum and classical recipients alike.
    fn quantum_security(&self) -> crate::recipient::QuantumSecurity {
        crate::recipient::QuantumSecurity::Symmetric
    }
}

impl Identity for Kek {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey>> {
        if stanza.kind() != kind::KEK_AES256_KWP || stanza.body().len() != STANZA_BODY_LEN {
            return None;
        }
        let (id, wrapped) = stanza.body().split_at(KEY_ID_SIZE);
        // Key ids are public; a plain comparison leaks nothing.
        if id != self.id {
            return None;
        }
        let mut out = Zeroizing::new([0u8; WRAPPED_SIZE]);
        Some(match kwp_unwrap(&self.key, wrapped, &mut out[..]) {
            Ok(k) if k.len() == FILE_KEY_SIZE => {
                let mut fk = [0u8; FILE_KEY_SIZE];
                fk.copy_from_slice(k);
                Ok(FileKey::from_bytes(fk))
            }
            _ => Err(Error::StanzaUnwrap),
        })
    }
}
