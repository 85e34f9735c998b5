//! Symmetric key-encryption-key recipients: AES-256-KWP (RFC 5649).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use aes_kw::KwpAes256;
use aes_kw::cipher::KeyInit;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{Error, Result};
use crate::file_key::{FILE_KEY_SIZE, FileKey};
use crate::format::sizes;
use crate::format::stanza::{Stanza, kind};
use crate::recipient::encoding::{self, KeyParseError};
use crate::recipient::{Identity, Recipient};

/// Size of a KEK key id.
pub const KEY_ID_SIZE: usize = sizes::KEK_KEY_ID;
/// Size of a KEK.
pub const KEK_SIZE: usize = 32;
/// AES-KWP output for a 32-byte file key: the key plus the 8-byte integrity block.
pub const WRAPPED_SIZE: usize = sizes::KEK_WRAPPED;
/// Body size of a KEK stanza.
pub const STANZA_BODY_LEN: usize = sizes::KEK_STANZA_BODY;

/// A 256-bit key-encryption key with a key id, as held by a print server's key store.
///
/// The key id travels in clear in every stanza so that an opener can ask its key store
/// for the right KEK without trial decryption; it reveals which jobs share a KEK, and
/// nothing about the key. Acts as both a [`Recipient`] and an [`Identity`]. The key is
/// zeroized on drop and never shown by `Debug` or `Display`.
///
/// Text form `PRINTSEAL-KEK-1…` (Bech32 of the key id followed by the key, see
/// [`super::encoding`]), written only by [`Kek::to_secret_string`] and parsed by
/// [`FromStr`], so that a KEK file written by one tool is read by another and a typo
/// or truncation is caught by the checksum.
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

    /// The KEK as text, `PRINTSEAL-KEK-1…` (upper case, key id then key), in a buffer
    /// zeroized on drop.
    pub fn to_secret_string(&self) -> Zeroizing<String> {
        let mut data = Zeroizing::new([0u8; KEY_ID_SIZE + KEK_SIZE]);
        data[..KEY_ID_SIZE].copy_from_slice(&self.id);
        data[KEY_ID_SIZE..].copy_from_slice(&self.key);
        encoding::encode(&encoding::hrp::KEK, &data[..], true)
    }
}

impl fmt::Display for Kek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PRINTSEAL-KEK-1[redacted; key id {:?}]", HexId(&self.id))
    }
}

impl FromStr for Kek {
    type Err = KeyParseError;

    /// Parses `PRINTSEAL-KEK-1…` (either case, surrounding white space ignored).
    fn from_str(s: &str) -> core::result::Result<Self, KeyParseError> {
        let data = encoding::decode(s, encoding::HRP_KEK, KEY_ID_SIZE + KEK_SIZE)?;
        let mut id = [0u8; KEY_ID_SIZE];
        id.copy_from_slice(&data[..KEY_ID_SIZE]);
        let mut key = Zeroizing::new([0u8; KEK_SIZE]);
        key.copy_from_slice(&data[KEY_ID_SIZE..]);
        Ok(Kek::new(id, *key))
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

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::string::ToString;

    use super::*;
    use crate::recipient::x25519::X25519Identity;
    use crate::rng::seeded_rng;

    fn kek() -> Kek {
        let mut id = [0u8; KEY_ID_SIZE];
        let mut key = [0u8; KEK_SIZE];
        for (i, b) in id.iter_mut().enumerate() {
            *b = i as u8;
        }
        for (i, b) in key.iter_mut().enumerate() {
            *b = 0xa0 ^ i as u8;
        }
        Kek::new(id, key)
    }

    #[test]
    fn text_form_round_trips_in_either_case() {
        let k = kek();
        let s = k.to_secret_string();
        assert!(s.starts_with("PRINTSEAL-KEK-1"), "{}", s.as_str());
        assert_eq!(s.to_ascii_uppercase(), s.as_str());
        for text in [
            s.to_string(),
            s.to_ascii_lowercase(),
            format!("  {}\n", s.as_str()),
        ] {
            let back: Kek = text.parse().expect("parses");
            assert_eq!(back.id(), k.id());
            assert_eq!(back.expose_secret(), k.expose_secret());
        }
        // A random KEK too (all byte values, not a pattern).
        let r = Kek::generate_with_rng(&mut seeded_rng([7; 32]));
        let back: Kek = r.to_secret_string().parse().expect("parses");
        assert_eq!(
            (back.id(), back.expose_secret()),
            (r.id(), r.expose_secret())
        );
    }

    #[test]
    fn text_form_is_checksummed() {
        let s = kek().to_secret_string().to_string();
        // Change each data character in turn to another alphabet character.
        let prefix = "PRINTSEAL-KEK-1".len();
        for i in prefix..s.len() {
            let mut b = s.clone().into_bytes();
            b[i] = if b[i] == b'Q' { b'P' } else { b'Q' };
            let t = String::from_utf8(b).expect("ascii");
            assert!(t.parse::<Kek>().is_err(), "corruption at {i} accepted");
        }
        // Truncated by one character, and by a whole 5-bit group's worth.
        assert_eq!(
            s[..s.len() - 1].parse::<Kek>().err(),
            Some(KeyParseError::BadChecksum)
        );
        // Mixed case is not Bech32.
        let mut mixed = s.clone();
        mixed.replace_range(
            prefix..prefix + 1,
            &s[prefix..prefix + 1].to_ascii_lowercase(),
        );
        assert!(mixed.parse::<Kek>().is_err());
    }

    #[test]
    fn text_form_refuses_other_keys_and_lengths() {
        let x = X25519Identity::generate_with_rng(&mut seeded_rng([1; 32]));
        assert_eq!(
            x.to_secret_string().parse::<Kek>().err(),
            Some(KeyParseError::WrongPrefix {
                expected: "PRINTSEAL-KEK-1",
                found: "X25519 identity (secret)",
            })
        );
        // The right prefix over 32 bytes (a key without its id) is refused by length.
        let short = encoding::encode(&encoding::hrp::KEK, &[9u8; KEK_SIZE], true);
        assert_eq!(
            short.parse::<Kek>().err(),
            Some(KeyParseError::WrongLength {
                expected: KEY_ID_SIZE + KEK_SIZE,
                found: KEK_SIZE,
            })
        );
        assert_eq!("".parse::<Kek>().err(), Some(KeyParseError::NotBech32));
        assert_eq!(
            "PRINTSEAL-KEK-1".parse::<Kek>().err(),
            Some(KeyParseError::BadChecksum)
        );
    }

    #[test]
    fn debug_and_display_redact_the_key() {
        let k = kek();
        let secret_text = k.to_secret_string();
        let key_hex: String = k
            .expose_secret()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        for shown in [format!("{k:?}"), format!("{k}")] {
            assert!(
                shown.contains("000102030405060708090a0b0c0d0e0f"),
                "{shown}"
            );
            assert!(!shown.contains(&key_hex), "{shown}");
            assert!(!shown.contains(secret_text.as_str()), "{shown}");
        }
        assert_eq!(
            format!("{k}"),
            "PRINTSEAL-KEK-1[redacted; key id 000102030405060708090a0b0c0d0e0f]"
        );
    }

    #[test]
    fn parsed_kek_opens_what_the_original_sealed() {
        let k = kek();
        let again: Kek = k.to_secret_string().parse().expect("parses");
        let fk = FileKey::from_bytes([0x42; FILE_KEY_SIZE]);
        let stanza = k
            .wrap_file_key(&fk, &mut seeded_rng([0; 32]))
            .expect("wraps");
        let opened = again
            .unwrap_stanza(&stanza)
            .expect("ours")
            .expect("unwraps");
        assert_eq!(opened.expose_secret(), fk.expose_secret());
    }
}
