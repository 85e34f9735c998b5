//! The payload layer alone (the core's `hazmat`), for interoperability tests with
//! other C2SP chunked-encryption implementations. Not for applications: these skip
//! the header, the recipients and the MAC.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use printseal::hazmat::{PayloadDecryptor, PayloadEncryptor};

use crate::buf::Buf;
use crate::error::{PsResult, usage};
use crate::header::{Header, parse_suite};

fn array<const N: usize>(obj: &Bound<'_, PyAny>, what: &'static str) -> PsResult<[u8; N]> {
    Buf::get(obj)?
        .as_slice()
        .try_into()
        .map_err(|_| usage(what))
}

/// The payload's input key and context for a header and its 32-byte file key.
#[pyfunction]
pub(crate) fn _payload_key_and_context<'py>(
    py: Python<'py>,
    header: &Header,
    file_key: &Bound<'py, PyAny>,
) -> PsResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let fk = printseal::FileKey::from_bytes(array(file_key, "file key (must be 32 bytes)")?);
    let (key, ctx) = printseal::hazmat::payload_key_and_context(&header.inner, &fk);
    Ok((PyBytes::new(py, &key), PyBytes::new(py, &ctx)))
}

/// Encrypts `data` as one C2SP chunked payload (salt, commitment, chunks).
#[pyfunction]
pub(crate) fn _payload_seal<'py>(
    py: Python<'py>,
    suite: &str,
    key: &Bound<'py, PyAny>,
    salt: &Bound<'py, PyAny>,
    context: &Bound<'py, PyAny>,
    data: &Bound<'py, PyAny>,
) -> PsResult<Bound<'py, PyBytes>> {
    let key: [u8; 32] = array(key, "key (must be 32 bytes)")?;
    let salt: [u8; 24] = array(salt, "salt (must be 24 bytes)")?;
    let ctx = Buf::get(context)?;
    let data = Buf::get(data)?;
    let mut e = PayloadEncryptor::new(parse_suite(suite)?, &key, &salt, ctx.as_slice());
    let mut out = vec![0u8; e.update_output_len(data.as_slice().len())];
    let w = e.update(data.as_slice(), &mut out)?;
    out.truncate(w);
    let mut last = vec![0u8; e.finish_output_len()];
    let f = e.finish(&mut last)?;
    out.extend_from_slice(&last[..f]);
    Ok(PyBytes::new(py, &out))
}

/// Decrypts one C2SP chunked payload.
#[pyfunction]
pub(crate) fn _payload_open<'py>(
    py: Python<'py>,
    suite: &str,
    key: &Bound<'py, PyAny>,
    context: &Bound<'py, PyAny>,
    data: &Bound<'py, PyAny>,
) -> PsResult<Bound<'py, PyBytes>> {
    let key: [u8; 32] = array(key, "key (must be 32 bytes)")?;
    let ctx = Buf::get(context)?;
    let data = Buf::get(data)?;
    let mut d = PayloadDecryptor::new(parse_suite(suite)?, &key, ctx.as_slice());
    let mut out = vec![0u8; d.update_output_len(data.as_slice().len())];
    let w = d.update(data.as_slice(), &mut out)?;
    out.truncate(w);
    let mut last = vec![0u8; d.finish_output_len()];
    let f = d.finish(&mut last)?;
    out.extend_from_slice(&last[..f]);
    Ok(PyBytes::new(py, &out))
}
