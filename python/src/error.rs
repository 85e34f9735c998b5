//! The one map from printseal's errors to Python exceptions (as pyca/cryptography's
//! `impl From<CryptographyError> for PyErr`).
//!
//! Every core error variant becomes an instance of one class of
//! `printseal.exceptions`, with `code` (the variant's snake_case name) and the details
//! the variant carries as keyword arguments. I/O errors become `OSError` (pyo3's
//! mapping), and an exception that a Python file object raised inside a read or write
//! comes back out unchanged.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};

use printseal::{Error as Core, Limit, PolicyViolation};

use crate::exceptions as exc;

/// An error of this crate: a core error, or a Python exception already raised.
pub(crate) enum PsError {
    Core(Core),
    Py(PyErr),
}

/// The result type of the binding's functions.
pub(crate) type PsResult<T> = Result<T, PsError>;

impl From<Core> for PsError {
    fn from(e: Core) -> PsError {
        PsError::Core(e)
    }
}

impl From<PyErr> for PsError {
    fn from(e: PyErr) -> PsError {
        PsError::Py(e)
    }
}

impl From<std::io::Error> for PsError {
    fn from(e: std::io::Error) -> PsError {
        // The core's io adapters carry a printseal error inside an io::Error.
        PsError::Core(Core::from_io(e))
    }
}

impl From<PsError> for PyErr {
    fn from(e: PsError) -> PyErr {
        match e {
            PsError::Py(e) => e,
            PsError::Core(e) => Python::attach(|py| core_to_py(py, e)),
        }
    }
}

fn limit_name(l: Limit) -> &'static str {
    match l {
        Limit::PublicMetadataSize => "public_metadata_size",
        Limit::PrivateMetadataSize => "private_metadata_size",
        Limit::PrivateMetadataEntries => "private_metadata_entries",
        Limit::MetadataField => "metadata_field",
        Limit::StanzaCount => "stanza_count",
        Limit::StanzaBody => "stanza_body",
        Limit::PayloadLength => "payload_length",
        _ => "other",
    }
}

/// The class, the code and the details of one core error.
fn core_to_py(py: Python<'_>, e: Core) -> PyErr {
    let message = e.to_string();
    let details = PyDict::new(py);
    let class: Bound<'_, PyType> = {
        let set = |k: &str, v: Bound<'_, PyAny>| details.set_item(k, v);
        let r: PyResult<(Bound<'_, PyType>, &str)> = (|| {
            Ok(match e {
                Core::NotPrintseal => (py.get_type::<exc::NotPrintsealError>(), "not_printseal"),
                Core::UnsupportedVersion(v) => {
                    set("value", v.into_pyobject(py)?.into_any())?;
                    (
                        py.get_type::<exc::UnsupportedError>(),
                        "unsupported_version",
                    )
                }
                Core::UnsupportedSuite(s) => {
                    set("value", s.into_pyobject(py)?.into_any())?;
                    (py.get_type::<exc::UnsupportedError>(), "unsupported_suite")
                }
                Core::MalformedHeader(what) => {
                    set("field", what.into_pyobject(py)?.into_any())?;
                    (py.get_type::<exc::MalformedError>(), "malformed_header")
                }
                Core::HeaderMac => {
                    set("what", "header_mac".into_pyobject(py)?.into_any())?;
                    (py.get_type::<exc::TamperedError>(), "header_mac")
                }
                Core::StanzaUnwrap => {
                    set("what", "stanza".into_pyobject(py)?.into_any())?;
                    (py.get_type::<exc::TamperedError>(), "stanza_unwrap")
                }
                Core::PayloadCommitment => {
                    set("what", "commitment".into_pyobject(py)?.into_any())?;
                    (py.get_type::<exc::TamperedError>(), "payload_commitment")
                }
                Core::PayloadTampered { chunk, last } => {
                    set("what", "payload".into_pyobject(py)?.into_any())?;
                    set("chunk", chunk.into_pyobject(py)?.into_any())?;
                    set("last", last.into_pyobject(py)?.to_owned().into_any())?;
                    (py.get_type::<exc::TamperedError>(), "payload_tampered")
                }
                Core::NoMatchingRecipient => (
                    py.get_type::<exc::NoMatchingRecipientError>(),
                    "no_matching_recipient",
                ),
                Core::Truncated => (py.get_type::<exc::TruncatedError>(), "truncated"),
                Core::TrailingData => (py.get_type::<exc::TrailingDataError>(), "trailing_data"),
                Core::LimitExceeded(l) => {
                    set("limit", limit_name(l).into_pyobject(py)?.into_any())?;
                    (py.get_type::<exc::LimitError>(), "limit_exceeded")
                }
                Core::InvalidInput(what) => {
                    set("what", what.into_pyobject(py)?.into_any())?;
                    (py.get_type::<exc::UsageError>(), "invalid_input")
                }
                Core::OutputTooSmall { .. } => {
                    set("what", "output buffer".into_pyobject(py)?.into_any())?;
                    (py.get_type::<exc::UsageError>(), "output_too_small")
                }
                Core::InvalidSeek => {
                    set("what", "seek position".into_pyobject(py)?.into_any())?;
                    (py.get_type::<exc::UsageError>(), "invalid_seek")
                }
                Core::InvalidState => (py.get_type::<exc::InvalidStateError>(), "invalid_state"),
                Core::MixedPostQuantum => (
                    py.get_type::<exc::MixedPostQuantumError>(),
                    "mixed_post_quantum",
                ),
                Core::Randomness => (py.get_type::<exc::RandomnessError>(), "randomness"),
                Core::PolicyViolation(v) => {
                    policy_details(py, &details, v)?;
                    (py.get_type::<exc::PolicyError>(), "policy_violation")
                }
                Core::Io(io) => return Err(PyErr::from(io)),
                _ => (py.get_type::<exc::Error>(), "other"),
            })
        })();
        match r {
            Ok((class, code)) => {
                if let Err(err) = details.set_item("code", code) {
                    return err;
                }
                class
            }
            Err(err) => return err,
        }
    };
    match class.call((message,), Some(&details)) {
        Ok(instance) => PyErr::from_value(instance),
        Err(err) => err,
    }
}

fn policy_details(py: Python<'_>, d: &Bound<'_, PyDict>, v: PolicyViolation) -> PyResult<()> {
    let rule = match v {
        PolicyViolation::Suite(id) => {
            d.set_item("suite", id)?;
            "suite"
        }
        PolicyViolation::StanzaKind(k) => {
            d.set_item("stanza_kind", k)?;
            "stanza_kind"
        }
        PolicyViolation::Producer { name } => {
            d.set_item("producer", name)?;
            "producer"
        }
        PolicyViolation::ProducerVersionTooOld {
            name,
            version,
            minimum,
        } => {
            d.set_item("producer", name)?;
            d.set_item("version", version)?;
            d.set_item("minimum", minimum)?;
            "producer_version_too_old"
        }
        PolicyViolation::ProducerVersionDenied {
            name,
            version,
            range,
        } => {
            d.set_item("producer", name)?;
            d.set_item("version", version)?;
            d.set_item("range", range)?;
            "producer_version_denied"
        }
        PolicyViolation::ProducerVersionUnparsable { name, version } => {
            d.set_item("producer", name)?;
            d.set_item("version", version)?;
            "producer_version_unparsable"
        }
        PolicyViolation::SbomDenied => "sbom_denied",
        PolicyViolation::Expired { expires, now } => {
            d.set_item("expires", expires)?;
            d.set_item("now", now)?;
            "expired"
        }
        PolicyViolation::NoClock => "no_clock",
        _ => "other",
    };
    let _ = py;
    d.set_item("rule", rule)
}

/// A `UsageError` raised by the binding itself (an argument of the wrong size or
/// value), with the same shape as the core's `invalid_input`.
pub(crate) fn usage(what: &'static str) -> PsError {
    PsError::Core(Core::InvalidInput(what))
}
