//! The push API: `Sealer` and `Opener` (`update`, `update_into`, `finalize`), after
//! pyca/cryptography's Cobblestone contexts. Each holds the core object and
//! delegates; the core checks the output size before it consumes anything, and an
//! error poisons the object (the core's errors are final).

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::buf::{Buf, BufMut, DETACH_MIN, overlaps};
use crate::error::PsResult;
use crate::header::Header;
use crate::keys::{identities_use_token, recipient_refs, recipients_use_token};
use crate::options::seal_options;
use crate::policy::{OpenPolicy, open_options};

/// Runs `f` with the interpreter detached when that is worth the switch: `len` bytes
/// of work (from `DETACH_MIN` on), or a call into a key store (`token`: a PKCS#11
/// token may wait on a device or the network, whatever the size of the data).
pub(crate) fn maybe_detach<T: Send, F: FnOnce() -> T + Send>(
    py: Python<'_>,
    len: usize,
    token: bool,
    f: F,
) -> T {
    if token || len >= DETACH_MIN {
        py.detach(f)
    } else {
        f()
    }
}

/// A `bytes` of `len` bytes filled by `fill`, which returns how many it wrote; cut to
/// that length (a copy) in the rare case it wrote fewer.
pub(crate) fn bytes_with<'py>(
    py: Python<'py>,
    len: usize,
    fill: impl FnOnce(&mut [u8]) -> PsResult<usize>,
) -> PsResult<Bound<'py, PyBytes>> {
    let mut result: PsResult<usize> = Ok(0);
    let out = PyBytes::new_with(py, len, |out| {
        result = fill(out);
        Ok(())
    })?;
    let written = result?;
    if written == len {
        Ok(out)
    } else {
        Ok(PyBytes::new(py, &out.as_bytes()[..written.min(len)]))
    }
}

/// Runs an `update_into`: the output checked by the core first, an overlapping input
/// copied first.
fn update_into<F>(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    out: &Bound<'_, PyAny>,
    token: bool,
    f: F,
) -> PsResult<usize>
where
    F: FnOnce(&[u8], &mut [u8]) -> printseal::Result<usize> + Send,
{
    let data = Buf::get(data)?;
    let mut out = BufMut::get(out)?;
    let input = data.as_slice();
    let out = out.as_mut_slice();
    if overlaps(input, out) {
        let copy = input.to_vec();
        return Ok(maybe_detach(py, copy.len(), token, || f(&copy, out))?);
    }
    Ok(maybe_detach(py, input.len(), token, || f(input, out))?)
}

/// Seals a job pushed in pieces: `update` returns the sealed bytes ready so far,
/// `finalize` the rest. Not thread-safe: use one per thread.
#[pyclass(module = "printseal._printseal", name = "Sealer")]
pub(crate) struct Sealer {
    inner: printseal::Sealer,
}

#[pymethods]
impl Sealer {
    #[new]
    #[pyo3(signature = (
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
    fn new(
        py: Python<'_>,
        recipients: &Bound<'_, PyAny>,
        content_type: &str,
        job_id: Option<&str>,
        expires: Option<&Bound<'_, PyAny>>,
        private: Option<&Bound<'_, PyAny>>,
        suite: &str,
        created: Option<&Bound<'_, PyAny>>,
        allow_mixed_pq: bool,
    ) -> PsResult<Sealer> {
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
        let inner = maybe_detach(py, 0, recipients_use_token(&r), || {
            printseal::Sealer::new(&opts, &recipient_refs(&r))
        })?;
        Ok(Sealer { inner })
    }

    /// The header this sealer writes first (its first `update` or `finalize` output
    /// starts with it).
    #[getter]
    fn header(&self) -> PsResult<Header> {
        Ok(Header::new(printseal::Header::parse(
            self.inner.header_bytes(),
        )?))
    }

    fn update<'py>(
        &mut self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PsResult<Bound<'py, PyBytes>> {
        let data = Buf::get(data)?;
        let input = data.as_slice();
        let sealer = &mut self.inner;
        let n = sealer.update_output_len(input.len());
        bytes_with(py, n, |out| {
            Ok(maybe_detach(py, input.len(), false, || {
                sealer.update(input, out)
            })?)
        })
    }

    fn update_into(
        &mut self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        buf: &Bound<'_, PyAny>,
    ) -> PsResult<usize> {
        let sealer = &mut self.inner;
        update_into(py, data, buf, false, |i, o| sealer.update(i, o))
    }

    fn finalize<'py>(&mut self, py: Python<'py>) -> PsResult<Bound<'py, PyBytes>> {
        let sealer = &mut self.inner;
        let n = sealer.finish_output_len();
        bytes_with(py, n, |out| Ok(sealer.finish(out)?))
    }

    fn __repr__(&self) -> String {
        "Sealer(...)".to_string()
    }
}

/// Opens a job pushed in pieces: `update` returns the plaintext of every chunk
/// authenticated so far, `finalize` the final chunk's, once it verified. Not
/// thread-safe: use one per thread.
#[pyclass(module = "printseal._printseal", name = "Opener")]
pub(crate) struct Opener {
    inner: printseal::Opener,
    /// An identity calls a key store: the update that completes the header unwraps
    /// through it, so updates detach until the opener is unlocked.
    token: bool,
}

#[pymethods]
impl Opener {
    #[new]
    #[pyo3(signature = (identities, *, policy=None))]
    fn new(identities: &Bound<'_, PyAny>, policy: Option<&OpenPolicy>) -> PsResult<Opener> {
        let ids = crate::keys::identities(identities)?;
        if ids.is_empty() {
            return Err(crate::error::usage("identities (at least one is needed)"));
        }
        let token = identities_use_token(&ids);
        let boxed = ids
            .into_iter()
            .map(|i| Box::new(i) as Box<dyn printseal::Identity + Send + Sync>)
            .collect();
        let inner = printseal::Opener::with_options(open_options(policy)).unlock_with(boxed);
        Ok(Opener { inner, token })
    }

    /// The header once it was read and authenticated, else `None`.
    #[getter]
    fn header(&self) -> Option<Header> {
        if self.inner.is_locked() {
            return None;
        }
        self.inner.private_metadata()?;
        self.inner.header().cloned().map(Header::new)
    }

    /// The decrypted private metadata once the header was authenticated, else `None`.
    #[getter]
    fn private_metadata<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.inner
            .private_metadata()
            .map(|m| private_dict(py, m))
            .transpose()
    }

    fn update<'py>(
        &mut self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PsResult<Bound<'py, PyBytes>> {
        let data = Buf::get(data)?;
        let input = data.as_slice();
        let token = self.token && self.inner.is_locked();
        let opener = &mut self.inner;
        let n = opener.update_output_len(input.len());
        bytes_with(py, n, |out| {
            Ok(maybe_detach(py, input.len(), token, || opener.update(input, out))?.written)
        })
    }

    fn update_into(
        &mut self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        buf: &Bound<'_, PyAny>,
    ) -> PsResult<usize> {
        let token = self.token && self.inner.is_locked();
        let opener = &mut self.inner;
        update_into(py, data, buf, token, |i, o| {
            opener.update(i, o).map(|p| p.written)
        })
    }

    fn finalize<'py>(&mut self, py: Python<'py>) -> PsResult<Bound<'py, PyBytes>> {
        let opener = &mut self.inner;
        let n = opener.finish_output_len();
        bytes_with(py, n, |out| Ok(opener.finish(out)?))
    }

    fn __repr__(&self) -> String {
        "Opener(...)".to_string()
    }
}

/// The private metadata as a `dict[str, bytes]`.
pub(crate) fn private_dict<'py>(
    py: Python<'py>,
    m: &printseal::PrivateMetadata,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in m.iter() {
        d.set_item(k, PyBytes::new(py, v))?;
    }
    Ok(d)
}
