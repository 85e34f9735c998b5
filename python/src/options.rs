//! Keyword arguments shared by the sealing functions, and times given as an `int`
//! or an aware `datetime`.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyString};

use printseal::SealOptions;

use crate::buf::Buf;
use crate::error::PsResult;
use crate::header::parse_suite;

/// Seconds since the Unix epoch from a non-negative `int` or an aware `datetime`.
pub(crate) fn unix_seconds(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<u64> {
    if obj.is_instance_of::<PyBool>() {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{what} must be an int or an aware datetime, not bool"
        )));
    }
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<u64>().map_err(|_| {
            pyo3::exceptions::PyValueError::new_err(format!(
                "{what} must be a non-negative number of seconds since the Unix epoch"
            ))
        });
    }
    if obj.hasattr("utcoffset")? && obj.hasattr("timestamp")? {
        if obj.call_method0("utcoffset")?.is_none() {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "{what} is a naive datetime: give it a tzinfo (for example timezone.utc)"
            )));
        }
        let ts: f64 = obj.call_method0("timestamp")?.extract()?;
        if !(0.0..1.8e19).contains(&ts) {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "{what} is before the Unix epoch"
            )));
        }
        // Whole seconds, as the header stores them.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        return Ok(ts.floor() as u64);
    }
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "{what} must be an int or an aware datetime"
    )))
}

/// The seal options from the keyword arguments of `seal`, `Sealer`, `SealWriter` and
/// `seal_file`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn seal_options(
    content_type: &str,
    job_id: Option<&str>,
    expires: Option<&Bound<'_, PyAny>>,
    private: Option<&Bound<'_, PyAny>>,
    suite: &str,
    created: Option<&Bound<'_, PyAny>>,
    allow_mixed_pq: bool,
) -> PsResult<SealOptions> {
    let mut o = SealOptions::new(content_type)
        .suite(parse_suite(suite)?)
        .allow_mixed_pq(allow_mixed_pq);
    if let Some(id) = job_id {
        o = o.job_id(id);
    }
    if let Some(t) = expires {
        o = o.expires_at(unix_seconds(t, "expires")?);
    }
    if let Some(t) = created {
        o = o.created_at(unix_seconds(t, "created")?);
    }
    if let Some(p) = private {
        for item in p.call_method0("items")?.try_iter()? {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
            let k = k.cast::<PyString>().map_err(PyErr::from)?.to_cow()?;
            if v.is_instance_of::<PyString>() {
                return Err(pyo3::exceptions::PyTypeError::new_err(
                    "private metadata values must be bytes, not str",
                )
                .into());
            }
            o = o.private_entry(&k, Buf::get(&v)?.as_slice())?;
        }
    }
    Ok(o)
}
