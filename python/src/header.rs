//! `Header` and `Stanza`: what a job says about itself, readable without a key.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use printseal::Suite;
use printseal::format::stanza::kind;

/// The name of a suite, as the Python API spells it.
pub(crate) fn suite_name(s: Suite) -> &'static str {
    match s {
        Suite::Aes256Gcm => "aes-256-gcm",
        Suite::ChaCha20Poly1305 => "chacha20-poly1305",
        _ => "unknown",
    }
}

/// The suite called `name`.
pub(crate) fn parse_suite(name: &str) -> PyResult<Suite> {
    match name {
        "aes-256-gcm" => Ok(Suite::Aes256Gcm),
        "chacha20-poly1305" => Ok(Suite::ChaCha20Poly1305),
        other => Err(pyo3::exceptions::PyValueError::new_err(format!(
            "unknown suite {other:?} (expected \"aes-256-gcm\" or \"chacha20-poly1305\")"
        ))),
    }
}

/// The name of a stanza kind, as the Python API spells it.
pub(crate) fn kind_name(k: u16) -> &'static str {
    match k {
        kind::KEK_AES256_KWP => "kek",
        kind::X25519_HPKE => "x25519",
        kind::XWING_HPKE => "xwing",
        // Wraps no key: what `rewrap_file` adds to keep the payload block-aligned.
        kind::PADDING => "padding",
        _ => "unknown",
    }
}

/// The stanza kind called `name`.
pub(crate) fn parse_kind(name: &str) -> PyResult<u16> {
    match name {
        "kek" => Ok(kind::KEK_AES256_KWP),
        "x25519" => Ok(kind::X25519_HPKE),
        "xwing" => Ok(kind::XWING_HPKE),
        other => Err(pyo3::exceptions::PyValueError::new_err(format!(
            "unknown stanza kind {other:?} (expected \"kek\", \"x25519\" or \"xwing\")"
        ))),
    }
}

/// Bytes of the key id at the start of a stanza body of a kind this build knows
/// (docs/FORMAT.md, section 8): 16 for a KEK stanza, 8 for the HPKE stanzas.
fn key_id_len(k: u16) -> Option<usize> {
    match k {
        kind::KEK_AES256_KWP => Some(16),
        kind::X25519_HPKE | kind::XWING_HPKE => Some(8),
        _ => None,
    }
}

/// One recipient stanza of a header: its kind and key id (public data).
#[pyclass(frozen, module = "printseal._printseal", name = "Stanza")]
pub(crate) struct Stanza {
    #[pyo3(get)]
    kind: u16,
    key_id: Option<Vec<u8>>,
}

#[pymethods]
impl Stanza {
    #[getter]
    fn kind_name(&self) -> &'static str {
        kind_name(self.kind)
    }

    #[getter]
    fn key_id<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.key_id.as_deref().map(|b| PyBytes::new(py, b))
    }

    fn __repr__(&self) -> String {
        let id: Option<String> = self
            .key_id
            .as_deref()
            .map(|b| b.iter().map(|x| format!("{x:02x}")).collect());
        format!(
            "Stanza(kind={:#06x} ({}), key_id={})",
            self.kind,
            kind_name(self.kind),
            id.as_deref().unwrap_or("None")
        )
    }
}

/// A parsed header. Nothing in it is authenticated until a job was opened with it
/// (then `Opened.header` and the readers' `header` are authentic).
#[pyclass(frozen, module = "printseal._printseal", name = "Header")]
pub(crate) struct Header {
    pub(crate) inner: printseal::Header,
}

impl Header {
    pub(crate) fn new(inner: printseal::Header) -> Header {
        Header { inner }
    }
}

#[pymethods]
impl Header {
    #[getter]
    fn suite(&self) -> &'static str {
        suite_name(self.inner.suite())
    }

    #[getter]
    fn suite_id(&self) -> u16 {
        self.inner.suite().id()
    }

    #[getter]
    fn content_type(&self) -> &str {
        &self.inner.public_metadata().content_type
    }

    #[getter]
    fn producer_name(&self) -> &str {
        &self.inner.public_metadata().producer_name
    }

    #[getter]
    fn producer_version(&self) -> &str {
        &self.inner.public_metadata().producer_version
    }

    #[getter]
    fn sbom_sha256<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.inner
            .public_metadata()
            .sbom_sha256
            .map(|d| PyBytes::new(py, &d))
    }

    #[getter]
    fn created(&self) -> u64 {
        self.inner.public_metadata().created
    }

    #[getter]
    fn expires(&self) -> Option<u64> {
        self.inner.public_metadata().expires
    }

    #[getter]
    fn job_id(&self) -> Option<&str> {
        self.inner.public_metadata().job_id.as_deref()
    }

    #[getter]
    fn stanzas(&self) -> Vec<Stanza> {
        self.inner
            .stanzas()
            .iter()
            .map(|s| Stanza {
                kind: s.kind(),
                key_id: key_id_len(s.kind()).and_then(|n| s.body().get(..n).map(<[u8]>::to_vec)),
            })
            .collect()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.as_bytes())
    }

    pub(crate) fn __repr__(&self) -> String {
        let m = self.inner.public_metadata();
        format!(
            "Header(suite={:?}, content_type={:?}, producer={:?}, created={}, expires={}, job_id={}, stanzas={})",
            suite_name(self.inner.suite()),
            m.content_type,
            format!("{} {}", m.producer_name, m.producer_version),
            m.created,
            m.expires.map_or("None".to_string(), |e| e.to_string()),
            m.job_id
                .as_ref()
                .map_or("None".to_string(), |j| format!("{j:?}")),
            self.inner.stanzas().len()
        )
    }
}
