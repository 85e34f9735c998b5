//! X-Wing recipients through HPKE: stanza kind 0x0011, post-quantum hybrid.
//!
//! X-Wing (draft-connolly-cfrg-xwing-kem) combines ML-KEM-768 (FIPS 203) and X25519:
//! the file key stays secret while either one holds, so a job recorded today resists a
//! future quantum computer ("harvest now, decrypt later") without betting everything on
//! the young lattice scheme. Suite: X-Wing (HPKE KEM 0x647a, as the `hpke` crate
//! assigns it after draft-ietf-hpke-pq), HKDF-SHA256 (KDF 0x0001), ChaCha20Poly1305
//! (AEAD 0x0003), base mode. Body: `key_id[8] | enc[1120] | ct[48]` = 1176 bytes.
//!
//! X-Wing decapsulation never fails (ML-KEM's implicit rejection): a wrong key or a
//! damaged stanza gives a wrong HPKE context and the AEAD open fails, which is reported
//! as [`crate::Error::StanzaUnwrap`]. The X25519 half does not refuse an all-zero
//! shared secret (as the X-Wing draft specifies); the combined secret still depends on
//! the ML-KEM half, and only the sealer, who knows the file key anyway, chooses the
//! ciphertext.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use hpke::kem::{Kem as _, XWing};
use hpke::{Deserializable, Serializable};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::Result;
use crate::file_key::FileKey;
use crate::format::sizes;
use crate::format::stanza::{Stanza, kind};
use crate::recipient::encoding::{self, KeyParseError};
use crate::recipient::hpke_core::{self, HpkeKind, KEY_ID_SIZE};
use crate::recipient::{Identity, QuantumSecurity, Recipient};

/// Size of an X-Wing public (encapsulation) key: ML-KEM-768's 1184 bytes and X25519's 32.
pub const PUBLIC_KEY_SIZE: usize = 1216;
/// Size of an X-Wing secret (decapsulation) key: a 32-byte seed that both halves are
/// expanded from.
pub const SECRET_KEY_SIZE: usize = 32;
/// Size of the X-Wing ciphertext (HPKE `enc`): ML-KEM-768's 1088 bytes and X25519's 32.
pub const ENC_SIZE: usize = sizes::XWING_ENC;
/// Body size of an X-Wing stanza: key id, `enc`, wrapped file key.
pub const STANZA_BODY_LEN: usize = sizes::XWING_STANZA_BODY;

type K = XWing;

struct Kind;
impl HpkeKind for Kind {
    type Kem = K;
    const KIND: u16 = kind::XWING_HPKE;
    const BODY_LEN: usize = STANZA_BODY_LEN;
}

/// An X-Wing public key: a job can be sealed to it.
///
/// Text form `printseal-pq1…` (Bech32 without the length limit, see
/// [`super::encoding`]); [`fmt::Display`] writes it and [`FromStr`] parses it.
#[derive(Clone, PartialEq, Eq)]
pub struct XWingRecipient {
    key_id: [u8; KEY_ID_SIZE],
    pk: <K as hpke::Kem>::PublicKey,
}

impl XWingRecipient {
    /// A recipient from its 1216 public-key bytes.
    ///
    /// # Errors
    /// [`KeyParseError::WrongLength`] unless `bytes` is 1216 bytes long;
    /// [`KeyParseError::InvalidKey`] if the ML-KEM-768 part is not a valid
    /// encapsulation key (a coefficient not reduced modulo q, FIPS 203 section 7.2).
    pub fn from_bytes(bytes: &[u8]) -> core::result::Result<Self, KeyParseError> {
        if bytes.len() != PUBLIC_KEY_SIZE {
            return Err(KeyParseError::WrongLength {
                expected: PUBLIC_KEY_SIZE,
                found: bytes.len(),
            });
        }
        let pk = <K as hpke::Kem>::PublicKey::from_bytes(bytes)
            .map_err(|_| KeyParseError::InvalidKey)?;
        Ok(XWingRecipient {
            key_id: hpke_core::key_id(kind::XWING_HPKE, bytes),
            pk,
        })
    }

    /// The 1216 public-key bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.pk.to_bytes().to_vec()
    }

    /// The key id written in every stanza for this recipient (see docs/FORMAT.md).
    pub fn key_id(&self) -> [u8; KEY_ID_SIZE] {
        self.key_id
    }
}

impl fmt::Display for XWingRecipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encoding::encode(
            &encoding::hrp::XWING_RECIPIENT,
            &self.pk.to_bytes(),
            false,
        ))
    }
}

impl fmt::Debug for XWingRecipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The text form is almost 2000 characters: the key id identifies the key.
        f.debug_struct("XWingRecipient")
            .field("key_id", &super::Hex(&self.key_id))
            .finish_non_exhaustive()
    }
}

impl FromStr for XWingRecipient {
    type Err = KeyParseError;

    fn from_str(s: &str) -> core::result::Result<Self, KeyParseError> {
        let data = encoding::decode(s, encoding::HRP_XWING_RECIPIENT, PUBLIC_KEY_SIZE)?;
        XWingRecipient::from_bytes(&data)
    }
}

impl Recipient for XWingRecipient {
    fn wrap_file_key(
        &self,
        file_key: &FileKey,
        rng: &mut dyn rand_core::CryptoRng,
    ) -> Result<Stanza> {
        hpke_core::wrap::<Kind>(&self.pk, &self.key_id, file_key, rng)
    }

    fn quantum_security(&self) -> QuantumSecurity {
        QuantumSecurity::PostQuantum
    }
}

/// An X-Wing secret key (a 32-byte seed): opens jobs sealed to its [`XWingRecipient`].
///
/// Text form `PRINTSEAL-SECRET-KEY-PQ-1…`, written only by
/// [`XWingIdentity::to_secret_string`]. The seed (and the expanded key inside the KEM)
/// is zeroized on drop; `Debug` and `Display` show the key id and never the secret.
#[derive(Clone)]
pub struct XWingIdentity {
    seed: Seed,
    // Holds the expanded public key too: `to_public` clones it from here.
    sk: <K as hpke::Kem>::PrivateKey,
    key_id: [u8; KEY_ID_SIZE],
}

#[derive(Clone, Zeroize, ZeroizeOnDrop)]
struct Seed([u8; SECRET_KEY_SIZE]);

impl XWingIdentity {
    /// An identity from its 32-byte seed. Every seed is a valid key.
    pub fn from_bytes(seed: [u8; SECRET_KEY_SIZE]) -> XWingIdentity {
        let seed = Seed(seed);
        // Every 32-byte seed deserializes (only the length is checked).
        let sk = match <K as hpke::Kem>::PrivateKey::from_bytes(&seed.0) {
            Ok(sk) => sk,
            Err(_) => K::derive_keypair(&seed.0).0,
        };
        let key_id = hpke_core::key_id(kind::XWING_HPKE, &K::sk_to_pk(&sk).to_bytes());
        XWingIdentity { seed, sk, key_id }
    }

    /// A fresh identity with a seed from `rng`.
    pub fn generate_with_rng(rng: &mut dyn rand_core::CryptoRng) -> XWingIdentity {
        let mut b = Zeroizing::new([0u8; SECRET_KEY_SIZE]);
        rng.fill_bytes(&mut b[..]);
        XWingIdentity::from_bytes(*b)
    }

    /// A fresh identity from the operating system's generator.
    ///
    /// # Errors
    /// [`crate::Error::Randomness`] if the OS generator fails.
    #[cfg(feature = "getrandom")]
    pub fn generate() -> Result<XWingIdentity> {
        let mut rng = crate::rng::os_rng()?;
        Ok(XWingIdentity::generate_with_rng(&mut rng))
    }

    /// The public key, to seal jobs to this identity.
    pub fn to_public(&self) -> XWingRecipient {
        XWingRecipient {
            key_id: self.key_id,
            pk: K::sk_to_pk(&self.sk),
        }
    }

    /// The key id of the public key.
    pub fn key_id(&self) -> [u8; KEY_ID_SIZE] {
        self.key_id
    }

    /// The 32-byte seed, for a key store. Handle with care.
    pub fn expose_secret(&self) -> &[u8; SECRET_KEY_SIZE] {
        &self.seed.0
    }

    /// The secret key as text, `PRINTSEAL-SECRET-KEY-PQ-1…`, in a buffer zeroized on
    /// drop.
    pub fn to_secret_string(&self) -> Zeroizing<String> {
        encoding::encode(&encoding::hrp::XWING_IDENTITY, &self.seed.0, true)
    }
}

impl fmt::Debug for XWingIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XWingIdentity")
            .field("key_id", &super::Hex(&self.key_id))
            .finish_non_exhaustive()
    }
}

impl fmt::Display for XWingIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PRINTSEAL-SECRET-KEY-PQ-1[redacted; key id {}]",
            super::Hex(&self.key_id)
        )
    }
}

impl FromStr for XWingIdentity {
    type Err = KeyParseError;

    fn from_str(s: &str) -> core::result::Result<Self, KeyParseError> {
        let data = encoding::decode(s, encoding::HRP_XWING_IDENTITY, SECRET_KEY_SIZE)?;
        let mut bytes = Zeroizing::new([0u8; SECRET_KEY_SIZE]);
        bytes.copy_from_slice(&data);
        Ok(XWingIdentity::from_bytes(*bytes))
    }
}

impl Identity for XWingIdentity {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey>> {
        hpke_core::unwrap::<Kind>(&self.sk, &self.key_id, stanza)
    }
}
