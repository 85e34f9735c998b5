//! Key objects: KEKs, X25519 and X-Wing identities and recipients. Each class holds
//! the core key (immutable, shared with an `Arc`) and delegates to it. The lists of
//! recipients and identities that the functions take also accept `Pkcs11Kek`
//! (pkcs11.rs), wherever a `Kek` goes.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use zeroize::Zeroizing;

use printseal::format::stanza::Stanza as CoreStanza;
use printseal::{FileKey, Identity, QuantumSecurity, Recipient};

use crate::buf::Buf;
use crate::error::{PsResult, usage};
use crate::pkcs11::Pkcs11Kek;

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A key-encryption key for AES-256-KWP stanzas (RFC 5649): a 16-byte key id and a
/// 32-byte key. Both a recipient and an identity.
#[pyclass(frozen, module = "printseal._printseal", name = "Kek")]
pub(crate) struct Kek {
    pub(crate) inner: Arc<printseal::Kek>,
}

#[pymethods]
impl Kek {
    #[new]
    fn new(key_id: &Bound<'_, PyAny>, key: &Bound<'_, PyAny>) -> PsResult<Kek> {
        let id: [u8; 16] = Buf::get(key_id)?
            .as_slice()
            .try_into()
            .map_err(|_| usage("KEK key id (must be 16 bytes)"))?;
        let key = Buf::get(key)?;
        let mut k = Zeroizing::new([0u8; 32]);
        if key.as_slice().len() != 32 {
            return Err(usage("KEK key (must be 32 bytes)"));
        }
        k.copy_from_slice(key.as_slice());
        Ok(Kek {
            inner: Arc::new(printseal::Kek::new(id, *k)),
        })
    }

    /// A fresh KEK with a random key id, from the operating system's generator.
    #[staticmethod]
    fn generate() -> PsResult<Kek> {
        Ok(Kek {
            inner: Arc::new(printseal::Kek::generate()?),
        })
    }

    /// Parses the secret text form (`PRINTSEAL-KEK-1...`).
    #[staticmethod]
    fn from_str(text: &str) -> PsResult<Kek> {
        let inner: printseal::Kek = text.parse().map_err(printseal::Error::from)?;
        Ok(Kek {
            inner: Arc::new(inner),
        })
    }

    /// The secret text form. A secret: handle with care.
    fn __str__<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        let s = self.inner.to_secret_string();
        PyString::new(py, &s)
    }

    #[getter]
    fn key_id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.id())
    }

    /// The 32 key bytes. A secret: handle with care.
    fn expose_secret<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.expose_secret())
    }

    fn __repr__(&self) -> String {
        format!("Kek(key_id={}, key=<redacted>)", hex(self.inner.id()))
    }
}

macro_rules! public_key_class {
    ($name:ident, $core:ty, $pyname:literal, $doc:literal) => {
        #[doc = $doc]
        #[pyclass(frozen, module = "printseal._printseal", name = $pyname)]
        pub(crate) struct $name {
            pub(crate) inner: Arc<$core>,
        }

        #[pymethods]
        impl $name {
            /// Parses the text form (Bech32 with a checksum).
            #[staticmethod]
            fn from_str(text: &str) -> PsResult<$name> {
                let inner: $core = text.parse().map_err(printseal::Error::from)?;
                Ok($name {
                    inner: Arc::new(inner),
                })
            }

            #[getter]
            fn key_id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
                PyBytes::new(py, &self.inner.key_id())
            }

            fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
                PyBytes::new(py, self.inner.to_bytes().as_ref())
            }

            fn __str__(&self) -> String {
                self.inner.to_string()
            }

            fn __repr__(&self) -> String {
                format!(concat!($pyname, "({:?})"), self.inner.to_string())
            }

            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other
                    .cast::<$name>()
                    .is_ok_and(|o| o.get().inner.to_bytes() == self.inner.to_bytes())
            }

            fn __hash__(&self) -> u64 {
                let id = self.inner.key_id();
                u64::from_le_bytes(id)
            }
        }
    };
}

macro_rules! identity_class {
    ($name:ident, $core:ty, $public:ident, $pyname:literal, $doc:literal) => {
        #[doc = $doc]
        #[pyclass(frozen, module = "printseal._printseal", name = $pyname)]
        pub(crate) struct $name {
            pub(crate) inner: Arc<$core>,
        }

        #[pymethods]
        impl $name {
            /// A fresh secret key from the operating system's generator.
            #[staticmethod]
            fn generate() -> PsResult<$name> {
                Ok($name {
                    inner: Arc::new(<$core>::generate()?),
                })
            }

            /// Parses the secret text form (`PRINTSEAL-SECRET-KEY-...`).
            #[staticmethod]
            fn from_str(text: &str) -> PsResult<$name> {
                let inner: $core = text.parse().map_err(printseal::Error::from)?;
                Ok($name {
                    inner: Arc::new(inner),
                })
            }

            /// The public key (the recipient to seal to).
            fn to_public(&self) -> $public {
                $public {
                    inner: Arc::new(self.inner.to_public()),
                }
            }

            #[getter]
            fn key_id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
                PyBytes::new(py, &self.inner.key_id())
            }

            /// The secret text form. A secret: handle with care.
            fn __str__<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
                let s = self.inner.to_secret_string();
                PyString::new(py, &s)
            }

            fn __repr__(&self) -> String {
                format!(
                    concat!($pyname, "(key_id={}, secret=<redacted>)"),
                    hex(&self.inner.key_id())
                )
            }
        }
    };
}

public_key_class!(
    X25519Recipient,
    printseal::X25519Recipient,
    "X25519Recipient",
    "An X25519 public key (`printseal1...`): a recipient of HPKE stanzas."
);
public_key_class!(
    XWingRecipient,
    printseal::XWingRecipient,
    "XWingRecipient",
    "An X-Wing (ML-KEM-768 + X25519) public key (`printseal-pq1...`)."
);
identity_class!(
    X25519Identity,
    printseal::X25519Identity,
    X25519Recipient,
    "X25519Identity",
    "An X25519 secret key: opens jobs sealed to its public key."
);
identity_class!(
    XWingIdentity,
    printseal::XWingIdentity,
    XWingRecipient,
    "XWingIdentity",
    "An X-Wing secret key (its 32-byte seed): opens jobs sealed to its public key."
);

/// A recipient given from Python, owned (shared) so that it can be used with the
/// interpreter detached. `token` says that wrapping calls a key store (a PKCS#11
/// token): the call may wait on a device or a network, so the callers detach the
/// interpreter for it whatever the size of the data.
#[derive(Clone)]
pub(crate) struct AnyRecipient {
    key: Arc<dyn Recipient + Send + Sync>,
    token: bool,
}

impl Recipient for AnyRecipient {
    fn wrap_file_key(
        &self,
        file_key: &FileKey,
        rng: &mut dyn rand_core::CryptoRng,
    ) -> printseal::Result<CoreStanza> {
        self.key.wrap_file_key(file_key, rng)
    }

    fn quantum_security(&self) -> QuantumSecurity {
        self.key.quantum_security()
    }
}

/// An identity given from Python, owned (shared); `token` as for [`AnyRecipient`].
#[derive(Clone)]
pub(crate) struct AnyIdentity {
    key: Arc<dyn Identity + Send + Sync>,
    token: bool,
}

impl Identity for AnyIdentity {
    fn unwrap_stanza(&self, stanza: &CoreStanza) -> Option<printseal::Result<FileKey>> {
        self.key.unwrap_stanza(stanza)
    }
}

/// Whether any of `recipients` calls a key store when it wraps.
pub(crate) fn recipients_use_token(recipients: &[AnyRecipient]) -> bool {
    recipients.iter().any(|r| r.token)
}

/// Whether any of `identities` calls a key store when it unwraps.
pub(crate) fn identities_use_token(identities: &[AnyIdentity]) -> bool {
    identities.iter().any(|i| i.token)
}

fn items<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{what} must be a sequence of key objects"
        )));
    }
    obj.try_iter()?.collect()
}

/// The key objects that are both recipients and identities: `Kek`, `Pkcs11Kek` (and
/// the test builds' `_FailingKey`), with whether they call a key store.
fn symmetric(item: &Bound<'_, PyAny>) -> Option<(Arc<dyn KeyBoth>, bool)> {
    let (key, token): (Arc<dyn KeyBoth>, bool) = if let Ok(k) = item.cast::<Kek>() {
        (k.get().inner.clone(), false)
    } else if let Ok(k) = item.cast::<Pkcs11Kek>() {
        (Arc::new(k.get().inner.clone()), true)
    } else {
        #[cfg(feature = "test-hooks")]
        if let Ok(k) = item.cast::<crate::test_hooks::FailingKey>() {
            let key: Arc<dyn KeyBoth> = Arc::new(*k.get());
            return Some((key, false));
        }
        return None;
    };
    Some((key, token))
}

/// A key that is both a recipient and an identity.
trait KeyBoth: Recipient + Identity + Send + Sync {
    fn recipient(self: Arc<Self>) -> Arc<dyn Recipient + Send + Sync>;
    fn identity(self: Arc<Self>) -> Arc<dyn Identity + Send + Sync>;
}

impl<T: Recipient + Identity + Send + Sync + 'static> KeyBoth for T {
    fn recipient(self: Arc<Self>) -> Arc<dyn Recipient + Send + Sync> {
        self
    }
    fn identity(self: Arc<Self>) -> Arc<dyn Identity + Send + Sync> {
        self
    }
}

/// The recipients of a sequence of `Kek`, `Pkcs11Kek`, `X25519Recipient` and
/// `XWingRecipient`.
pub(crate) fn recipients(obj: &Bound<'_, PyAny>) -> PyResult<Vec<AnyRecipient>> {
    items(obj, "recipients")?
        .iter()
        .map(|item| {
            let key: Arc<dyn Recipient + Send + Sync> = if let Some((k, token)) = symmetric(item) {
                return Ok(AnyRecipient {
                    key: k.recipient(),
                    token,
                });
            } else if let Ok(k) = item.cast::<X25519Recipient>() {
                k.get().inner.clone()
            } else if let Ok(k) = item.cast::<XWingRecipient>() {
                k.get().inner.clone()
            } else if item.is_instance_of::<X25519Identity>()
                || item.is_instance_of::<XWingIdentity>()
            {
                return Err(pyo3::exceptions::PyTypeError::new_err(
                    "a secret key is not a recipient: seal to its .to_public()",
                ));
            } else {
                return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                    "recipients must be Kek, Pkcs11Kek, X25519Recipient or XWingRecipient, not {}",
                    item.get_type().name()?
                )));
            };
            Ok(AnyRecipient { key, token: false })
        })
        .collect()
}

/// The identities of a sequence of `Kek`, `Pkcs11Kek`, `X25519Identity` and
/// `XWingIdentity`.
pub(crate) fn identities(obj: &Bound<'_, PyAny>) -> PyResult<Vec<AnyIdentity>> {
    items(obj, "identities")?
        .iter()
        .map(|item| {
            let key: Arc<dyn Identity + Send + Sync> = if let Some((k, token)) = symmetric(item) {
                return Ok(AnyIdentity {
                    key: k.identity(),
                    token,
                });
            } else if let Ok(k) = item.cast::<X25519Identity>() {
                k.get().inner.clone()
            } else if let Ok(k) = item.cast::<XWingIdentity>() {
                k.get().inner.clone()
            } else {
                return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                    "identities must be Kek, Pkcs11Kek, X25519Identity or XWingIdentity, not {}",
                    item.get_type().name()?
                )));
            };
            Ok(AnyIdentity { key, token: false })
        })
        .collect()
}

/// `&dyn Recipient` views of owned recipients, for the core's functions.
pub(crate) fn recipient_refs(r: &[AnyRecipient]) -> Vec<&dyn Recipient> {
    r.iter().map(|r| r as &dyn Recipient).collect()
}

/// `&dyn Identity` views of owned identities.
pub(crate) fn identity_refs(i: &[AnyIdentity]) -> Vec<&dyn Identity> {
    i.iter().map(|i| i as &dyn Identity).collect()
}
