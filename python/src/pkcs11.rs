//! `Pkcs11Kek`: a key-encryption key that lives in a PKCS#11 token (an HSM, a smart
//! card, SoftHSM2) and never leaves it, usable wherever a `Kek` is. It holds the
//! `printseal_pkcs11::Pkcs11Kek` (keystore/pkcs11) and delegates to it; every token
//! call (module load, login, `C_WrapKey`, `C_UnwrapKey`) runs with the interpreter
//! detached (see `keys::AnyRecipient::token` for where sealing and opening detach).

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use zeroize::Zeroizing;

use crate::buf::Buf;
use crate::error::{PsResult, usage};
use crate::keys::{Kek, hex};

/// A KEK in a PKCS#11 token, named by an RFC 7512 URI. Both a recipient and an
/// identity for KEK stanzas; a job sealed through the token opens with the software
/// `Kek` of the same value and id, and the reverse.
#[pyclass(frozen, module = "printseal._printseal", name = "Pkcs11Kek")]
pub(crate) struct Pkcs11Kek {
    pub(crate) inner: printseal_pkcs11::Pkcs11Kek,
}

/// The PIN argument as bytes in a buffer that is zeroized when dropped: a `str` is
/// taken as its UTF-8 bytes, anything else must export a byte buffer (`bytes`,
/// `bytearray`, `memoryview`). Python's own copy cannot be wiped from here: a caller
/// who wants the PIN gone passes a `bytearray` and zeroes it after the call.
fn pin_bytes(pin: &Bound<'_, PyAny>) -> PyResult<Zeroizing<Vec<u8>>> {
    if let Ok(s) = pin.cast::<PyString>() {
        let utf8 = s.encode_utf8()?;
        return Ok(Zeroizing::new(utf8.as_bytes().to_vec()));
    }
    Ok(Zeroizing::new(Buf::get(pin)?.as_slice().to_vec()))
}

#[pymethods]
impl Pkcs11Kek {
    /// Loads the module the URI names (`module-path=`), finds its one token, logs in
    /// with `pin` or the URI's `pin-source=file:...`, and finds the one AES-256 secret
    /// key (`id=` and/or `object=`), with the interpreter detached.
    #[new]
    #[pyo3(signature = (uri, *, pin=None))]
    fn new(py: Python<'_>, uri: &str, pin: Option<&Bound<'_, PyAny>>) -> PsResult<Pkcs11Kek> {
        let pin = pin.map(pin_bytes).transpose()?;
        let uri = uri.to_owned();
        let inner = py.detach(move || match &pin {
            Some(pin) => printseal_pkcs11::Pkcs11Kek::from_uri_with_pin_bytes(&uri, pin),
            None => printseal_pkcs11::Pkcs11Kek::from_uri(&uri),
        })?;
        Ok(Pkcs11Kek { inner })
    }

    /// Imports a software `Kek` into the token the URI names, as a non-extractable
    /// AES-256 key allowed to wrap and unwrap only, with `CKA_ID` = the KEK's key id
    /// (and `CKA_LABEL` = the URI's `object=`, if any), and opens it. Jobs sealed to
    /// the software KEK then open through the token, and the reverse. Refuses a key id
    /// or label the token already holds. The PIN must be UTF-8 here.
    #[staticmethod]
    #[pyo3(signature = (uri, kek, *, pin=None))]
    fn import_kek(
        py: Python<'_>,
        uri: &str,
        kek: &Kek,
        pin: Option<&Bound<'_, PyAny>>,
    ) -> PsResult<Pkcs11Kek> {
        let pin = pin.map(pin_bytes).transpose()?;
        let pin = match pin.as_deref() {
            Some(p) => {
                Some(std::str::from_utf8(p).map_err(|_| usage("PIN (import_kek takes UTF-8)"))?)
            }
            None => None,
        };
        let uri = printseal_pkcs11::Pkcs11Uri::parse(uri)?;
        let kek = kek.inner.clone();
        let inner = py.detach(move || printseal_pkcs11::Pkcs11Kek::import_kek(&uri, pin, &kek))?;
        Ok(Pkcs11Kek { inner })
    }

    /// The 16-byte key id of its stanzas (the `CKA_ID` when it has 16 bytes).
    #[getter]
    fn key_id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.key_id())
    }

    /// The token object's `CKA_ID`.
    #[getter]
    fn cka_id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.cka_id())
    }

    #[getter]
    fn token_label(&self) -> &str {
        self.inner.token_label()
    }

    /// Whether the key may seal (`CKA_WRAP`).
    #[getter]
    fn can_wrap(&self) -> bool {
        self.inner.can_wrap()
    }

    /// Whether the key may open (`CKA_UNWRAP`).
    #[getter]
    fn can_unwrap(&self) -> bool {
        self.inner.can_unwrap()
    }

    fn __repr__(&self) -> String {
        format!(
            "Pkcs11Kek(token={:?}, key_id={}, wrap={}, unwrap={})",
            self.inner.token_label(),
            hex(self.inner.key_id()),
            if self.inner.can_wrap() {
                "True"
            } else {
                "False"
            },
            if self.inner.can_unwrap() {
                "True"
            } else {
                "False"
            },
        )
    }
}
