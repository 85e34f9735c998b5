//! `OpenPolicy`: which jobs an opener accepts (the core's `OpenPolicy`).

use pyo3::prelude::*;
use pyo3::types::PyString;

use printseal::VersionRange;

use crate::buf::Buf;
use crate::error::{PsResult, usage};
use crate::header::{Header, parse_kind, parse_suite};
use crate::options::unix_seconds;

/// What an opener accepts. `OpenPolicy()` refuses expired jobs and nothing else;
/// each argument narrows it. Checked once the header MAC verified, before anything
/// is decrypted.
#[pyclass(frozen, module = "printseal._printseal", name = "OpenPolicy")]
#[derive(Clone)]
pub(crate) struct OpenPolicy {
    pub(crate) inner: printseal::OpenPolicy,
}

fn strings(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if obj.is_instance_of::<PyString>() {
        return Err(pyo3::exceptions::PyTypeError::new_err(
            "expected a sequence of str, not a str",
        ));
    }
    obj.try_iter()?.map(|i| i?.extract::<String>()).collect()
}

#[pymethods]
impl OpenPolicy {
    #[new]
    #[pyo3(signature = (
        *,
        producers=None,
        min_versions=None,
        deny_versions=None,
        deny_sbom_sha256=None,
        suites=None,
        stanza_kinds=None,
        allow_expired=false,
        now=None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        producers: Option<&Bound<'_, PyAny>>,
        min_versions: Option<&Bound<'_, PyAny>>,
        deny_versions: Option<&Bound<'_, PyAny>>,
        deny_sbom_sha256: Option<&Bound<'_, PyAny>>,
        suites: Option<&Bound<'_, PyAny>>,
        stanza_kinds: Option<&Bound<'_, PyAny>>,
        allow_expired: bool,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PsResult<OpenPolicy> {
        let mut p = printseal::OpenPolicy::new().allow_expired(allow_expired);
        if let Some(names) = producers {
            let names = strings(names)?;
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            p = p.accept_producers(&refs);
        }
        if let Some(m) = min_versions {
            for item in m.call_method0("items")?.try_iter()? {
                let (producer, minimum): (String, String) = item?.extract()?;
                p = p.min_producer_version(&producer, &minimum)?;
            }
        }
        if let Some(d) = deny_versions {
            for item in d.try_iter()? {
                let (producer, range): (String, String) = item?.extract()?;
                p = p.deny(VersionRange::new(&producer, &range)?);
            }
        }
        if let Some(d) = deny_sbom_sha256 {
            for item in d.try_iter()? {
                let item = item?;
                let digest: [u8; 32] = Buf::get(&item)?
                    .as_slice()
                    .try_into()
                    .map_err(|_| usage("SBOM SHA-256 (must be 32 bytes)"))?;
                p = p.deny_sbom_sha256(digest);
            }
        }
        if let Some(s) = suites {
            let s = strings(s)?
                .iter()
                .map(|n| parse_suite(n))
                .collect::<PyResult<Vec<_>>>()?;
            p = p.accept_suites(&s);
        }
        if let Some(k) = stanza_kinds {
            let mut kinds = Vec::new();
            for item in k.try_iter()? {
                let item = item?;
                kinds.push(match item.extract::<u16>() {
                    Ok(n) => n,
                    Err(_) => parse_kind(&item.extract::<String>()?)?,
                });
            }
            p = p.accept_stanza_kinds(&kinds);
        }
        if let Some(t) = now {
            p = p.at_time(unix_seconds(t, "now")?);
        }
        Ok(OpenPolicy { inner: p })
    }

    /// Checks a header against the policy without a key. A header is not authentic
    /// before its job was opened: this sorts jobs early, only the check an opener
    /// makes after the header MAC can be relied on.
    fn check(&self, header: &Header) -> PsResult<()> {
        Ok(self.inner.check_header(&header.inner)?)
    }

    fn __repr__(&self) -> String {
        "OpenPolicy(...)".to_string()
    }
}

/// The open options for a `policy=` argument: the given policy, or the core's
/// default (refuse expired jobs).
pub(crate) fn open_options(p: Option<&OpenPolicy>) -> printseal::OpenOptions {
    match p {
        Some(p) => printseal::OpenOptions::new().policy(p.inner.clone()),
        None => printseal::OpenOptions::new(),
    }
}
