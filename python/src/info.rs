//! `build_info()` and `sbom()`: what this build is made of.

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Facts about the build of the core inside this module.
#[pyfunction]
pub(crate) fn build_info(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let b = printseal::build_info();
    let d = PyDict::new(py);
    d.set_item("crate_name", b.crate_name)?;
    d.set_item("crate_version", b.crate_version)?;
    d.set_item("format_versions_read", b.format_versions_read.to_vec())?;
    d.set_item("format_version_written", b.format_version_written)?;
    d.set_item("git_commit", b.git_commit)?;
    d.set_item("rustc_version", b.rustc_version)?;
    d.set_item("target", b.target)?;
    d.set_item("profile", b.profile)?;
    d.set_item("features", b.features.to_vec())?;
    d.set_item("crypto_backend", b.crypto_backend)?;
    d.set_item("sbom_components", b.sbom_components)?;
    d.set_item("sbom_completeness", b.sbom_completeness.as_str())?;
    let hex: String = b.sbom_sha256.iter().map(|x| format!("{x:02x}")).collect();
    d.set_item("sbom_sha256", hex)?;
    d.set_item("python_module_version", env!("CARGO_PKG_VERSION"))?;
    Ok(d)
}

/// The embedded CycloneDX 1.6 SBOM (and CBOM), parsed.
#[pyfunction]
pub(crate) fn sbom(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    py.import("json")?
        .call_method1("loads", (printseal::sbom_json(),))
}
