//! The one map from printseal's errors to Python exceptions (as pyca/cryptography's
//! `impl From<CryptographyError> for PyErr`).
//!
//! Every core error becomes an instance of the class docs/ERRORS.md gives its code
//! (`Error::code()`), with `code`, `code_name`, `family` and the details the variant
//! carries as keyword arguments. I/O errors become `OSError` (pyo3's
//! mapping), and an exception that a Python file object raised inside a read or write
//! comes back out unchanged.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};

use printseal::{Error as Core, ErrorCode, ErrorFamily, KeyStoreFailure, Limit, PolicyViolation};

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

fn family_name(f: ErrorFamily) -> &'static str {
    match f {
        ErrorFamily::Format => "format",
        ErrorFamily::Tampered => "tampered",
        ErrorFamily::Recipient => "recipient",
        ErrorFamily::Policy => "policy",
        ErrorFamily::Usage => "usage",
        ErrorFamily::Environment => "environment",
        _ => "internal",
    }
}

fn failure_name(f: KeyStoreFailure) -> &'static str {
    match f {
        KeyStoreFailure::ModuleUnavailable => "module_unavailable",
        KeyStoreFailure::TokenAbsent => "token_absent",
        KeyStoreFailure::PinIncorrect => "pin_incorrect",
        KeyStoreFailure::KeyNotFound => "key_not_found",
        KeyStoreFailure::KeyNotPermitted => "key_not_permitted",
        _ => "other",
    }
}

/// The Python class of each code: the Python column of docs/ERRORS.md.
fn class_of(py: Python<'_>, code: ErrorCode) -> Bound<'_, PyType> {
    match code {
        ErrorCode::OutputTooSmall
        | ErrorCode::InvalidInput
        | ErrorCode::InvalidSeek
        | ErrorCode::MixedPostQuantum => py.get_type::<exc::InvalidInputError>(),
        ErrorCode::InvalidState => py.get_type::<exc::InvalidStateError>(),
        ErrorCode::NotPrintseal => py.get_type::<exc::NotPrintsealError>(),
        ErrorCode::UnsupportedVersion | ErrorCode::UnsupportedSuite => {
            py.get_type::<exc::UnsupportedError>()
        }
        ErrorCode::MalformedHeader | ErrorCode::LimitExceeded => {
            py.get_type::<exc::MalformedError>()
        }
        ErrorCode::Truncated => py.get_type::<exc::TruncatedError>(),
        ErrorCode::TrailingData => py.get_type::<exc::TrailingDataError>(),
        ErrorCode::HeaderMac
        | ErrorCode::StanzaUnwrap
        | ErrorCode::PayloadCommitment
        | ErrorCode::PayloadTampered => py.get_type::<exc::TamperedError>(),
        ErrorCode::NoMatchingRecipient => py.get_type::<exc::NoMatchingRecipientError>(),
        ErrorCode::PolicyViolation => py.get_type::<exc::PolicyError>(),
        ErrorCode::Randomness => py.get_type::<exc::RandomnessError>(),
        ErrorCode::KeyStore => py.get_type::<exc::KeyStoreError>(),
        ErrorCode::Internal => py.get_type::<exc::InternalError>(),
        _ => py.get_type::<exc::Error>(),
    }
}

/// The details a variant carries, as keyword arguments of its class.
fn details(py: Python<'_>, d: &Bound<'_, PyDict>, e: Core) -> PyResult<()> {
    match e {
        Core::UnsupportedVersion(v) => d.set_item("value", v),
        Core::UnsupportedSuite(s) => d.set_item("value", s),
        Core::MalformedHeader(field) => d.set_item("field", field),
        Core::LimitExceeded(l) => d.set_item("limit", limit_name(l)),
        Core::HeaderMac => d.set_item("what", "header_mac"),
        Core::StanzaUnwrap => d.set_item("what", "stanza"),
        Core::PayloadCommitment => d.set_item("what", "commitment"),
        Core::PayloadTampered { chunk, last } => {
            d.set_item("what", "payload")?;
            d.set_item("chunk", chunk)?;
            d.set_item("last", last)
        }
        Core::InvalidInput(what) => d.set_item("what", what),
        Core::OutputTooSmall { needed } => {
            d.set_item("what", "output buffer")?;
            d.set_item("needed", needed)
        }
        Core::InvalidSeek => d.set_item("what", "seek position"),
        Core::MixedPostQuantum => {
            d.set_item("what", "recipients (post-quantum and classical mixed)")
        }
        Core::KeyStore(k) => {
            d.set_item("failure", failure_name(k.failure()))?;
            d.set_item("detail", k.detail())
        }
        Core::PolicyViolation(v) => policy_details(py, d, v),
        _ => Ok(()),
    }
}

/// The exception of one core error: its class by `Error::code()`, with `code`,
/// `code_name`, `family` and the variant's details.
fn core_to_py(py: Python<'_>, e: Core) -> PyErr {
    let e = match e {
        Core::Io(io) => return PyErr::from(io),
        e => e,
    };
    let message = e.to_string();
    let code = e.code();
    let class = class_of(py, code);
    let kwargs = PyDict::new(py);
    let made = (|| -> PyResult<PyErr> {
        kwargs.set_item("code", code.as_u32())?;
        kwargs.set_item("code_name", code.name())?;
        kwargs.set_item("family", family_name(code.family()))?;
        details(py, &kwargs, e)?;
        Ok(PyErr::from_value(class.call((message,), Some(&kwargs))?))
    })();
    made.unwrap_or_else(|err| err)
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

/// An `InvalidInputError` raised by the binding itself (an argument of the wrong size or
/// value), with the same shape as the core's `invalid_input`.
pub(crate) fn usage(what: &'static str) -> PsError {
    PsError::Core(Core::InvalidInput(what))
}
