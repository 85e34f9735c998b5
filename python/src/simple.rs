//! One-shot functions for jobs in memory: `seal`, `open`, `rewrap`.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use printseal::hazmat::{CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE, PREFIX_SIZE};
use printseal::{Error as Core, RewrapOptions};

use crate::buf::{Buf, bytes_detached};
use crate::error::PsResult;
use crate::header::Header;
use crate::keys::{
    AnyIdentity, identities_use_token, identity_refs, recipient_refs, recipients_use_token,
};
use crate::options::seal_options;
use crate::policy::{OpenPolicy, open_options};
use crate::push::{bytes_with, maybe_detach, private_dict};

const TAG_SIZE: usize = ENCRYPTED_CHUNK_SIZE - CHUNK_SIZE;

/// Outputs from this size on are prepared with `bytes_detached`.
const LARGE: usize = 1 << 20;

/// `out` cut to `written` bytes (a copy, only if the exact size was not exact).
fn exact<'py>(
    py: Python<'py>,
    out: Bound<'py, PyBytes>,
    written: usize,
) -> PsResult<Bound<'py, PyBytes>> {
    if written == out.as_bytes().len() {
        Ok(out)
    } else {
        Ok(PyBytes::new(
            py,
            &out.as_bytes()[..written.min(out.as_bytes().len())],
        ))
    }
}

/// A job opened in full: the authenticated header, the private metadata and the
/// plaintext.
#[pyclass(frozen, module = "printseal._printseal", name = "Opened")]
pub(crate) struct Opened {
    #[pyo3(get)]
    plaintext: Py<PyBytes>,
    #[pyo3(get)]
    header: Py<Header>,
    #[pyo3(get)]
    private_metadata: Py<PyDict>,
}

#[pymethods]
impl Opened {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Opened(plaintext=<{} bytes>, header={}, private_metadata=<{} entries>)",
            self.plaintext.bind(py).as_bytes().len(),
            self.header.get().__repr__(),
            self.private_metadata.bind(py).len()
        )
    }
}

/// Seals `data` to `recipients` in one call.
#[pyfunction]
#[pyo3(signature = (
    data,
    recipients,
    *,
    content_type="application/octet-stream",
    job_id=None,
    expires=None,
    private=None,
    suite="aes-256-gcm",
    created=None,
    allow_mixed_pq=false,
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn seal<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    recipients: &Bound<'py, PyAny>,
    content_type: &str,
    job_id: Option<&str>,
    expires: Option<&Bound<'py, PyAny>>,
    private: Option<&Bound<'py, PyAny>>,
    suite: &str,
    created: Option<&Bound<'py, PyAny>>,
    allow_mixed_pq: bool,
) -> PsResult<Bound<'py, PyBytes>> {
    let opts = seal_options(
        content_type,
        job_id,
        expires,
        private,
        suite,
        created,
        allow_mixed_pq,
    )?;
    let r = crate::keys::recipients(recipients)?;
    let data = Buf::get(data)?;
    let input = data.as_slice();
    let mut sealer = maybe_detach(py, 0, recipients_use_token(&r), || {
        printseal::Sealer::new(&opts, &recipient_refs(&r))
    })?;
    // The header and the whole chunks, then the final chunk: the rest of the input
    // and a tag (docs/FORMAT.md, the payload).
    let total = sealer
        .update_output_len(input.len())
        .checked_add(input.len() % CHUNK_SIZE + TAG_SIZE)
        .ok_or(Core::LimitExceeded(printseal::Limit::PayloadLength))?;
    let mut fill = |out: &mut [u8]| -> PsResult<usize> {
        let w = sealer.update(input, out)?;
        let f = sealer.finish(&mut out[w..])?;
        Ok(w + f)
    };
    if total < LARGE {
        return bytes_with(py, total, |out| {
            maybe_detach(py, input.len(), false, move || fill(out))
        });
    }
    let (out, written) = bytes_detached(py, total, fill)?;
    exact(py, out, written?)
}

/// The plaintext length of a well-formed job of `sealed_len` bytes whose header has
/// `header_len` bytes (`None` when no job has that length).
fn plaintext_len(sealed_len: usize, header_len: usize) -> Option<usize> {
    let chunks = sealed_len.checked_sub(header_len.checked_add(PREFIX_SIZE)?)?;
    let (full, rest) = (chunks / ENCRYPTED_CHUNK_SIZE, chunks % ENCRYPTED_CHUNK_SIZE);
    (rest >= TAG_SIZE).then(|| full * CHUNK_SIZE + rest - TAG_SIZE)
}

fn new_opener(ids: &[AnyIdentity], options: &printseal::OpenOptions) -> printseal::Opener {
    let boxed = ids
        .iter()
        .cloned()
        .map(|i| Box::new(i) as Box<dyn printseal::Identity + Send + Sync>)
        .collect();
    printseal::Opener::with_options(options.clone()).unlock_with(boxed)
}

/// Opens `sealed` straight into `out`, which has room for exactly its plaintext.
fn open_into(
    opener: &mut printseal::Opener,
    sealed: &[u8],
    header_len: usize,
    out: &mut [u8],
) -> printseal::Result<usize> {
    // The header and the payload prefix release no plaintext.
    let split = header_len.saturating_add(PREFIX_SIZE).min(sealed.len());
    let mut none = Vec::new();
    opener.update_to_vec(&sealed[..split], &mut none)?;
    if !none.is_empty() || opener.is_locked() {
        return Err(Core::InvalidState);
    }
    let w = opener.update(&sealed[split..], out)?.written;
    Ok(w + opener.finish(&mut out[w..])?)
}

/// Opens a whole sealed job with the first of `identities` that matches.
#[pyfunction]
#[pyo3(signature = (data, identities, *, policy=None))]
pub(crate) fn open<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    identities: &Bound<'py, PyAny>,
    policy: Option<&OpenPolicy>,
) -> PsResult<Opened> {
    let ids = crate::keys::identities(identities)?;
    let token = identities_use_token(&ids);
    let options = open_options(policy);
    let data = Buf::get(data)?;
    let sealed = data.as_slice();
    let header = printseal::Header::parse(sealed)?;
    let mut opener = new_opener(&ids, &options);
    let plaintext = match plaintext_len(sealed.len(), header.len()) {
        Some(n) if n >= LARGE => {
            let (out, written) = bytes_detached(py, n, |out| {
                open_into(&mut opener, sealed, header.len(), out)
            })?;
            exact(py, out, written?)?
        }
        Some(n) => bytes_with(py, n, |out| {
            maybe_detach(py, sealed.len(), token, || {
                Ok(open_into(&mut opener, sealed, header.len(), out)?)
            })
        })?,
        // Not a length a job can have: the opener says why.
        None => {
            let pt = maybe_detach(py, sealed.len(), token, || {
                let mut pt = Vec::new();
                opener.update_to_vec(sealed, &mut pt)?;
                opener.finish_to_vec(&mut pt)?;
                Ok::<_, Core>(pt)
            })?;
            PyBytes::new(py, &pt)
        }
    };
    let header = opener.header().cloned().ok_or(Core::InvalidState)?;
    let private = match opener.private_metadata() {
        Some(m) => private_dict(py, m)?,
        None => PyDict::new(py),
    };
    Ok(Opened {
        plaintext: plaintext.unbind(),
        header: Py::new(py, Header::new(header))?,
        private_metadata: private.unbind(),
    })
}

/// Rewraps a job held in memory for new recipients: same payload bytes, new header.
#[pyfunction]
#[pyo3(signature = (data, identities, recipients, *, policy=None, allow_mixed_pq=false))]
pub(crate) fn rewrap<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    identities: &Bound<'py, PyAny>,
    recipients: &Bound<'py, PyAny>,
    policy: Option<&OpenPolicy>,
    allow_mixed_pq: bool,
) -> PsResult<Bound<'py, PyBytes>> {
    let ids = crate::keys::identities(identities)?;
    let r = crate::keys::recipients(recipients)?;
    let data = Buf::get(data)?;
    let sealed = data.as_slice();
    let opts = RewrapOptions::new()
        .open_options(open_options(policy))
        .allow_mixed_pq(allow_mixed_pq);
    let token = identities_use_token(&ids) || recipients_use_token(&r);
    let out = maybe_detach(py, sealed.len(), token, || {
        let mut out = Vec::with_capacity(sealed.len());
        printseal::rewrap(
            sealed,
            &identity_refs(&ids),
            &recipient_refs(&r),
            &opts,
            &mut out,
        )?;
        Ok::<_, Core>(out)
    })?;
    Ok(PyBytes::new(py, &out))
}
