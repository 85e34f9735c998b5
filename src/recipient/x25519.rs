//! X25519 recipients through HPKE (RFC 9180): stanza kind 0x0010.
//!
//! Suite: DHKEM(X25519, HKDF-SHA256) (KEM 0x0020), HKDF-SHA256 (KDF 0x0001),
//! ChaCha20Poly1305 (AEAD 0x0003), base mode. Body:
//! `key_id[8] | enc[32] | ct[48]` = 88 bytes; see [`super::hpke_core`] and
//! docs/FORMAT.md.
//!
//! Classical: a quantum computer running Shor's algorithm recovers the file key from
//! a recorded stanza. Use [`super::xwing`] for jobs kept for years.

use core::fmt;
use core::str::FromStr;

use alloc::string::String;
use hpke::kem::{Kem as _, X25519HkdfSha256};
use hpke::{Deserializable, Serializable};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::Result;
use crate::file_key::FileKey;
use crate::format::sizes;
use crate::format::stanza::{Stanza, kind};
use crate::recipient::encoding::{self, KeyParseError};
use crate::recipient::hpke_core::{self, HpkeKind, KEY_ID_SIZE};
use crate::recipient::{Identity, QuantumSecurity, Recipient};

/// Size of an X25519 public key.
pub const PUBLIC_KEY_SIZE: usize = 32;
/// Size of an X25519 secret key (a scalar, clamped when used).
pub const SECRET_KEY_SIZE: usize = 32;
/// Size of the HPKE encapsulated key (the ephemeral public key).
pub const ENC_SIZE: usize = sizes::X25519_ENC;
/// Body size of an X25519 stanza: key id, `enc`, wrapped file key.
pub const STANZA_BODY_LEN: usize = sizes::X25519_STANZA_BODY;

type K = X25519HkdfSha256;

struct Kind;
impl HpkeKind for Kind {
    type Kem = K;
    const KIND: u16 = kind::X25519_HPKE;
    const BODY_LEN: usize = STANZA_BODY_LEN;
}

/// An X25519 public key: a job can be sealed to it.
///
/// Text form `printseal1…` (Bech32, see [`super::encoding`]); [`fmt::Display`] writes
/// it and [`FromStr`] parses it.
#[derive(Clone, PartialEq, Eq)]
pub struct X25519Recipient {
    bytes: [u8; PUBLIC_KEY_SIZE],
    key_id: [u8; KEY_ID_SIZE],
    pk: <K as hpke::Kem>::PublicKey,
}

impl X25519Recipient {
    /// A recipient from its 32 public-key bytes.
    ///
    /// # Errors
    /// [`KeyParseError::InvalidKey`] for a point of small order (every X25519 shared
    /// secret with it is all zero, RFC 7748 section 6.1).
    pub fn from_bytes(bytes: [u8; PUBLIC_KEY_SIZE]) -> core::result::Result<Self, KeyParseError> {
        let pk = <K as hpke::Kem>::PublicKey::from_bytes(&bytes)
            .map_err(|_| KeyParseError::InvalidKey)?;
        // A trial encapsulation (with a fixed ephemeral key; the result is thrown away)
        // runs the KEM's all-zero check: a clamped scalar times a point of small order
        // is the identity, whatever the scalar.
        let mut rng = crate::rng::seeded_rng([0x5a; 32]);
        hpke_core::setup_sender::<hpke_core::StanzaAead, K>(&pk, b"", &mut rng)
            .map_err(|_| KeyParseError::InvalidKey)?;
        Ok(X25519Recipient {
            bytes,
            key_id: hpke_core::key_id(kind::X25519_HPKE, &bytes),
            pk,
        })
    }

    /// The 32 public-key bytes.
    pub fn to_bytes(&self) -> [u8; PUBLIC_KEY_SIZE] {
        self.bytes
    }

    /// The key id written in every stanza for this recipient (see docs/FORMAT.md).
    pub fn key_id(&self) -> [u8; KEY_ID_SIZE] {
        self.key_id
    }
}

impl fmt::Display for X25519Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encoding::encode(
            &encoding::hrp::X25519_RECIPIENT,
            &self.bytes,
            false,
        ))
    }
}

impl fmt::Debug for X25519Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("X25519Recipient")
            .field("key_id", &super::Hex(&self.key_id))
            .field("public_key", &format_args!("{self}"))
            .finish()
    }
}

impl FromStr for X25519Recipient {
    type Err = KeyParseError;

    fn from_str(s: &str) -> core::result::Result<Self, KeyParseError> {
        let data = encoding::decode(s, encoding::HRP_X25519_RECIPIENT, PUBLIC_KEY_SIZE)?;
        let mut bytes = [0u8; PUBLIC_KEY_SIZE];
        bytes.copy_from_slice(&data);
        X25519Recipient::from_bytes(bytes)
    }
}

impl Recipient for X25519Recipient {
    fn wrap_file_key(
        &self,
        file_key: &FileKey,
        rng: &mut dyn rand_core::CryptoRng,
    ) -> Result<Stanza> {
        hpke_core::wrap::<Kind>(&self.pk, &self.key_id, file_key, rng)
    }

    fn quantum_security(&self) -> QuantumSecurity {
        QuantumSecurity::Classical
    }
}

/// An X25519 secret key: opens jobs sealed to its [`X25519Recipient`].
///
/// Text form `PRINTSEAL-SECRET-KEY-1…`, written only by
/// [`X25519Identity::to_secret_string`]. The secret is zeroized on drop; `Debug` and
/// `Display` show the key id and never the secret.
#[derive(Clone)]
pub struct X25519Identity {
    secret: Secret,
    sk: <K as hpke::Kem>::PrivateKey,
    public: X25519Recipient,
}

#[derive(Clone, Zeroize, ZeroizeOnDrop)]
struct Secret([u8; SECRET_KEY_SIZE]);

impl X25519Identity {
    /// An identity from its 32 secret bytes. Every value is a valid key: X25519 clamps
    /// the scalar when it uses it.
    pub fn from_bytes(secret: [u8; SECRET_KEY_SIZE]) -> X25519Identity {
        let secret = Secret(secret);
        // Every 32-byte string deserializes (only the length is checked).
        let sk = match <K as hpke::Kem>::PrivateKey::from_bytes(&secret.0) {
            Ok(sk) => sk,
            Err(_) => K::derive_keypair(&secret.0).0,
        };
        let pk = K::sk_to_pk(&sk);
        let mut bytes = [0u8; PUBLIC_KEY_SIZE];
        bytes.copy_from_slice(&pk.to_bytes());
        let public = X25519Recipient {
            bytes,
            key_id: hpke_core::key_id(kind::X25519_HPKE, &bytes),
            pk,
        };
        X25519Identity { secret, sk, public }
    }

    /// A fresh identity with 32 secret bytes from `rng`.
    pub fn generate_with_rng(rng: &mut dyn rand_core::CryptoRng) -> X25519Identity {
        let mut b = Zeroizing::new([0u8; SECRET_KEY_SIZE]);
        rng.fill_bytes(&mut b[..]);
        X25519Identity::from_bytes(*b)
    }

    /// A fresh identity from the operating system's generator.
    ///
    /// # Errors
    /// [`crate::Error::Randomness`] if the OS generator fails.
    #[cfg(feature = "getrandom")]
    pub fn generate() -> Result<X25519Identity> {
        let mut rng = crate::rng::os_rng()?;
        Ok(X25519Identity::generate_with_rng(&mut rng))
    }

    /// The public key, to seal jobs to this identity.
    pub fn to_public(&self) -> X25519Recipient {
        self.public.clone()
    }

    /// The key id of the public key.
    pub fn key_id(&self) -> [u8; KEY_ID_SIZE] {
        self.public.key_id
    }

    /// The 32 secret bytes, for a key store. Handle with care.
    pub fn expose_secret(&self) -> &[u8; SECRET_KEY_SIZE] {
        &self.secret.0
    }

    /// The secret key as text, `PRINTSEAL-SECRET-KEY-1…`, in a buffer zeroized on drop.
    pub fn to_secret_string(&self) -> Zeroizing<String> {
        encoding::encode(&encoding::hrp::X25519_IDENTITY, &self.secret.0, true)
    }
}

impl fmt::Debug for X25519Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("X25519Identity")
            .field("key_id", &super::Hex(&self.public.key_id))
            .finish_non_exhaustive()
    }
}

impl fmt::Display for X25519Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PRINTSEAL-SECRET-KEY-1[redacted; key id {}]",
            super::Hex(&self.public.key_id)
        )
    }
}

impl FromStr for X25519Identity {
    type Err = KeyParseError;

    fn from_str(s: &str) -> core::result::Result<Self, KeyParseError> {
        let data = encoding::decode(s, encoding::HRP_X25519_IDENTITY, SECRET_KEY_SIZE)?;
        let mut bytes = Zeroizing::new([0u8; SECRET_KEY_SIZE]);
        bytes.copy_from_slice(&data);
        Ok(X25519Identity::from_bytes(*bytes))
    }
}

impl Identity for X25519Identity {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey>> {
        hpke_core::unwrap::<Kind>(&self.sk, &self.public.key_id, stanza)
    }
}
